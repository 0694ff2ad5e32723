"""The contest lifecycle: steps in order, blockers first, stamps, audit, returning officer only."""

from __future__ import annotations

from typing import Any

import pytest

from factories import ContestFactory, UserFactory
from omov.contests import lifecycle
from omov.contests.models import ContestStatus
from omov.contests.services import contest_blockers, contest_create, contest_transition
from omov.core.errors import Blocked, ServiceError
from omov.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_step_moves_status_stamps_time_and_audits(contest: Any, returning_officer: Any) -> None:
    contest_transition(contest=contest, step="open_nominations", actor=returning_officer)
    contest.refresh_from_db()
    assert contest.status == ContestStatus.NOMINATIONS
    assert contest.nominations_opened_at is not None
    event = AuditEvent.objects.get(action="contest.open_nominations")
    assert event.actor == returning_officer
    assert event.contest == contest


def test_step_out_of_order_is_blocked_and_changes_nothing(contest: Any) -> None:
    with pytest.raises(Blocked) as caught:
        contest_transition(contest=contest, step="open_ballot")
    assert "draft" in caught.value.message
    contest.refresh_from_db()
    assert contest.status == ContestStatus.DRAFT
    assert contest.ballot_opened_at is None
    assert not AuditEvent.objects.filter(action="contest.open_ballot").exists()


def test_contest_without_candidates_cannot_open_nominations() -> None:
    contest = ContestFactory()
    assert contest_blockers(contest, "open_nominations") == ["add at least one candidate"]


def test_registered_blocker_is_listed_and_enforced(contest: Any) -> None:
    def roll_not_ready(c: Any) -> list[str]:
        return ["evaluate the roll"]

    lifecycle.register_blocker("open_nominations", roll_not_ready)
    try:
        assert "evaluate the roll" in contest_blockers(contest, "open_nominations")
        with pytest.raises(Blocked):
            contest_transition(contest=contest, step="open_nominations")
    finally:
        lifecycle._blockers["open_nominations"].remove(roll_not_ready)


def test_contest_create_validates_and_audits(returning_officer: Any) -> None:
    contest = contest_create(
        actor=returning_officer,
        title="Deputy leadership 2015",
        kind="deputy",
        candidates=["Tom Watson", {"name": "Stella Creasy"}],
    )
    assert contest.slug == "deputy-leadership-2015"
    assert list(contest.candidates.values_list("name", flat=True)) == [
        "Tom Watson",
        "Stella Creasy",
    ]
    assert AuditEvent.objects.filter(action="contest.create", contest=contest).exists()
    with pytest.raises(ServiceError, match="already exists"):
        contest_create(title="Deputy leadership 2015")
    with pytest.raises(ServiceError, match="seats"):
        contest_create(title="Bad", slug="bad", method="irv", seats=0)


def test_contest_page_shows_blockers_and_step_button_to_returning_officer_only(
    client: Any, contest: Any, returning_officer: Any
) -> None:
    url = f"/contests/{contest.slug}/"
    client.force_login(returning_officer)
    page = client.get(url).content.decode()
    assert "Open nominations" in page
    response = client.post(f"/contests/{contest.slug}/step/open_nominations/")
    assert response.status_code == 302
    contest.refresh_from_db()
    assert contest.status == ContestStatus.NOMINATIONS

    stranger = UserFactory(username="stranger")
    client.force_login(stranger)
    response = client.post(f"/contests/{contest.slug}/step/freeze_roll/")
    assert response.status_code == 403
    contest.refresh_from_db()
    assert contest.status == ContestStatus.NOMINATIONS


def test_draft_contest_is_hidden_from_the_public(client: Any, contest: Any) -> None:
    assert client.get(f"/contests/{contest.slug}/").status_code == 404
    assert contest.title not in client.get("/").content.decode()


def test_contest_page_links_the_office_to_every_part_of_the_contest(
    client: Any, contest: Any, returning_officer: Any
) -> None:
    contest_transition(contest=contest, step="open_nominations", actor=returning_officer)
    client.force_login(returning_officer)
    page = client.get(f"/contests/{contest.slug}/").content.decode()
    for url in (
        f"/nominations/{contest.slug}/",
        f"/electorate/{contest.slug}/",
        f"/vote/office/{contest.slug}/",
    ):
        assert f'href="{url}' in page, url
    # Turnout is shown once the ballot is open: no link to a page that would refuse.
    assert "/turnout/" not in page

    client.logout()
    public = client.get(f"/contests/{contest.slug}/").content.decode()
    assert f'href="/nominations/{contest.slug}/"' in public
    assert "/vote/office/" not in public
    assert "/turnout/" not in public
