"""Timetable sense: a step taken against the timetable needs a reason, which the audit keeps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from factories import CandidateFactory, ContestFactory, PersonFactory
from omov.contests.models import ContestStatus
from omov.contests.services import contest_transition
from omov.contests.timetable import TimetableConflict, timetable_conflicts
from omov.core.models import AuditEvent
from omov.electorate.models import RollEntry

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2027, 3, 10, 12, tzinfo=UTC)


def timetabled(**fields: Any) -> Any:
    """A contest whose every window is set around 10 March 2027 by ``fields``."""
    return ContestFactory(
        **{"freeze_date": dt.date(2027, 1, 1), "arrears_deadline": None, **fields}
    )


@pytest.mark.parametrize(
    ("step", "fields", "expected"),
    [
        (
            "open_ballot",
            {"branch_nominations_close_at": NOW + dt.timedelta(days=2)},
            ["the branch nominations window is scheduled to close on 12 March 2027 at 12:00"],
        ),
        (
            "open_ballot",
            {"parliamentary_nominations_close_at": NOW + dt.timedelta(hours=1)},
            [
                "the parliamentary nominations window is scheduled to close on 10 March 2027 at "
                "13:00"
            ],
        ),
        (
            "open_ballot",
            {"ballot_opens_at": NOW + dt.timedelta(days=1)},
            ["the ballot is scheduled to open on 11 March 2027 at 12:00"],
        ),
        ("open_ballot", {"ballot_opens_at": NOW, "branch_nominations_close_at": NOW}, []),
        (
            "freeze_roll",
            {"supporter_window_closes_at": NOW + dt.timedelta(days=3)},
            [
                "the registered-supporter sign-up window is scheduled to close on 13 March 2027 "
                "at 12:00"
            ],
        ),
        (
            "freeze_roll",
            {"freeze_date": dt.date(2027, 3, 31)},
            [
                "the freeze date is 31 March 2027: members who join by then would be left off the "
                "roll"
            ],
        ),
        ("freeze_roll", {"branch_nominations_close_at": NOW - dt.timedelta(days=1)}, []),
        (
            "close_ballot",
            {"ballot_closes_at": NOW + dt.timedelta(days=7)},
            [
                "the ballot is scheduled to close on 17 March 2027 at 12:00, and voters were told "
                "they could vote until then"
            ],
        ),
        ("close_ballot", {"ballot_closes_at": NOW}, []),
        ("close_ballot", {}, []),
        ("count", {"ballot_closes_at": NOW + dt.timedelta(days=7)}, []),
    ],
)
def test_each_conflict_is_named_and_a_step_on_time_has_none(
    step: str, fields: dict[str, Any], expected: list[str]
) -> None:
    contest = timetabled(**fields)
    assert timetable_conflicts(contest, step, NOW) == expected


def test_a_step_against_the_timetable_needs_a_reason_and_the_audit_keeps_it() -> None:
    contest = ContestFactory(
        status=ContestStatus.BALLOT_OPEN, ballot_closes_at=NOW + dt.timedelta(days=7)
    )
    with time_machine.travel(NOW, tick=False):
        for reason in ("", "   "):
            with pytest.raises(TimetableConflict) as refused:
                contest_transition(contest=contest, step="close_ballot", reason=reason)
            assert "17 March 2027 at 12:00" in refused.value.message
            assert "reason" in refused.value.message
        contest.refresh_from_db()
        assert contest.status == ContestStatus.BALLOT_OPEN
        assert not AuditEvent.objects.filter(action="contest.close_ballot").exists()
        contest_transition(contest=contest, step="close_ballot", reason="  Court order.  ")
    contest.refresh_from_db()
    assert contest.status == ContestStatus.CLOSED
    event = AuditEvent.objects.get(action="contest.close_ballot")
    assert event.reason == "Court order."
    assert event.data["timetable_conflicts"][0].startswith("the ballot is scheduled to close")


def test_a_step_on_time_records_no_conflict() -> None:
    contest = ContestFactory(status=ContestStatus.BALLOT_OPEN, ballot_closes_at=NOW)
    with time_machine.travel(NOW, tick=False):
        contest_transition(contest=contest, step="close_ballot")
    event = AuditEvent.objects.get(action="contest.close_ballot")
    assert event.reason == "" and not event.data


def test_the_contest_page_asks_for_the_reason_before_closing_early(
    client: Any, returning_officer: Any
) -> None:
    contest = ContestFactory(
        status=ContestStatus.BALLOT_OPEN, ballot_closes_at=NOW + dt.timedelta(days=7)
    )
    CandidateFactory(contest=contest, name="Ada Whitcombe")
    step_url = reverse("contests:step", args=[contest.slug, "close_ballot"])
    with time_machine.travel(NOW, tick=False):
        client.force_login(returning_officer)  # signed in at the travelled time: a live session
        page = client.get(reverse("contests:detail", args=[contest.slug])).content.decode()
        assert "Taken now, this step goes against the timetable" in page
        assert 'name="reason"' in page and "17 March 2027 at 12:00" in page
        confirm = client.post(step_url)
        assert confirm.status_code == 200
        text = confirm.content.decode()
        assert "17 March 2027 at 12:00" in text and f'action="{step_url}"' in text
        contest.refresh_from_db()
        assert contest.status == ContestStatus.BALLOT_OPEN
        done = client.post(step_url, {"reason": "The society's meeting voted to close early."})
    assert done.status_code == 302
    contest.refresh_from_db()
    assert contest.status == ContestStatus.CLOSED
    event = AuditEvent.objects.get(action="contest.close_ballot")
    assert event.reason == "The society's meeting voted to close early."
    assert event.actor == returning_officer


def test_the_ballot_office_asks_for_the_reason_before_opening_early(
    client: Any, returning_officer: Any
) -> None:
    contest = ContestFactory(
        status=ContestStatus.ROLL_FROZEN, ballot_opens_at=NOW + dt.timedelta(days=1)
    )
    CandidateFactory(contest=contest, name="Ada Whitcombe")
    voter = PersonFactory()
    RollEntry.objects.create(
        contest=contest, person=voter, category=voter.category, is_eligible=True, frozen_at=NOW
    )
    open_url = reverse("ballots:open", args=[contest.slug])
    with time_machine.travel(NOW, tick=False):
        client.force_login(returning_officer)
        confirm = client.post(open_url)
        assert confirm.status_code == 200
        assert "The ballot is scheduled to open on 11 March 2027 at 12:00." in (
            confirm.content.decode()
        )
        contest.refresh_from_db()
        assert contest.status == ContestStatus.ROLL_FROZEN
        opened = client.post(open_url, {"reason": "Printing finished a day early."})
    assert opened.status_code == 200
    contest.refresh_from_db()
    assert contest.status == ContestStatus.BALLOT_OPEN
    assert AuditEvent.objects.get(action="contest.open_ballot").reason == (
        "Printing finished a day early."
    )
