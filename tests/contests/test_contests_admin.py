"""The contest admin: every change audited, and what the election rests on locked by its stage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from admin_helpers import admin_form_data
from factories import ContestFactory
from omov.contests.models import Candidate, CandidateStatus, Contest, ContestStatus
from omov.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LIST = "/admin/contests/contest/"

NOMINATIONS_LOCKS = {"slug", "kind", "seats", "method", "is_vacancy", "tie_break_seed"}
ROLL_FROZEN_LOCKS = NOMINATIONS_LOCKS | {
    "freeze_date",
    "arrears_deadline",
    "supporter_window_opens_at",
    "supporter_window_closes_at",
    "supporter_fee_pence",
    "parliamentary_nominations_open_at",
    "parliamentary_nominations_close_at",
    "branch_nominations_open_at",
    "branch_nominations_close_at",
}
BALLOT_OPEN_LOCKS = ROLL_FROZEN_LOCKS | {"title", "ballot_opens_at"}
EVERY_FIELD = BALLOT_OPEN_LOCKS | {"ballot_closes_at"}
LOCKED_AT = {
    ContestStatus.DRAFT: set(),
    ContestStatus.NOMINATIONS: NOMINATIONS_LOCKS,
    ContestStatus.ROLL_FROZEN: ROLL_FROZEN_LOCKS,
    ContestStatus.BALLOT_OPEN: BALLOT_OPEN_LOCKS,
}
CANDIDATE_LOCKED_AT = {
    ContestStatus.DRAFT: set(),
    ContestStatus.NOMINATIONS: {"is_incumbent", "status", "consented_at"},
    ContestStatus.ROLL_FROZEN: {"is_incumbent", "status", "consented_at"},
    ContestStatus.BALLOT_OPEN: {
        "is_incumbent",
        "status",
        "consented_at",
        "name",
        "ballot_position",
    },
}
CANDIDATE_FIELDS = {"name", "is_incumbent", "status", "ballot_position", "consented_at"}
DATETIMES = {name for name in EVERY_FIELD if name.endswith("_at")}


def at_stage(contest: Contest, status: str) -> Contest:
    Contest.objects.filter(pk=contest.pk).update(status=status)
    contest.refresh_from_db()
    return contest


def change_url(contest: Contest) -> str:
    return f"{LIST}{contest.pk}/change/"


def has_input(html: str, name: str) -> bool:
    suffix = "_0" if name in DATETIMES else ""
    return f'name="{name}{suffix}"' in html


def only_event(**filters: Any) -> AuditEvent:
    events = list(AuditEvent.objects.filter(**filters))
    assert len(events) == 1, events
    return events[0]


# --- Audit ----------------------------------------------------------------------------------------


def test_adding_a_contest_with_candidates_audits_each(admin_client: Client, superuser: Any) -> None:
    data = admin_form_data(admin_client.get(f"{LIST}add/"))
    data.update(
        {
            "slug": "deputy-2015",
            "title": "Deputy leadership 2015",
            "kind": "deputy",
            "seats": "1",
            "method": "irv",
            "supporter_fee_pence": "300",
            "candidates-TOTAL_FORMS": "2",
            "candidates-0-name": "Tom Watson",
            "candidates-0-status": "proposed",
            "candidates-0-ballot_position": "1",
            "candidates-1-name": "Stella Creasy",
            "candidates-1-status": "proposed",
            "candidates-1-ballot_position": "2",
        }
    )
    response = admin_client.post(f"{LIST}add/", data)
    assert response.status_code == 302, response.content.decode()
    contest = Contest.objects.get(slug="deputy-2015")
    assert contest.status == ContestStatus.DRAFT
    added = AuditEvent.objects.filter(action="admin.add")
    assert {(e.object_type, e.contest, e.actor) for e in added} == {
        ("Contest", contest, superuser),
        ("Candidate", contest, superuser),
    }
    assert added.count() == 3
    contest_event = added.get(object_type="Contest")
    assert contest_event.data["fields"]["kind"] == "deputy"
    assert contest_event.data["fields"]["supporter_fee_pence"] == 300
    watson = contest.candidates.get(name="Tom Watson")
    watson_event = added.get(object_type="Candidate", object_id=str(watson.pk))
    assert watson_event.summary == (
        "Added candidate “Tom Watson” in the admin (with contest “Deputy leadership 2015”)"
    )
    assert watson_event.data["fields"]["ballot_position"] == 1


def test_changing_a_draft_contest_and_its_candidates_audits_each_diff(
    admin_client: Client, superuser: Any, contest: Contest
) -> None:
    corbyn = contest.candidates.get(name="Jeremy Corbyn")
    smith = contest.candidates.get(name="Owen Smith")
    data = admin_form_data(admin_client.get(change_url(contest)))
    data.update(
        {
            "seats": "2",
            "method": "stv-scottish",
            "freeze_date": "2016-01-20",
            "candidates-0-ballot_position": "2",
            "candidates-1-DELETE": "on",
        }
    )
    assert data["candidates-0-id"] == str(corbyn.pk)
    response = admin_client.post(change_url(contest), data)
    assert response.status_code == 302, response.content.decode()

    contest.refresh_from_db()
    assert (contest.seats, contest.method) == (2, "stv-scottish")
    changed = AuditEvent.objects.get(action="admin.change", object_type="Contest")
    assert changed.contest == contest
    assert changed.data == {
        "changes": {
            "seats": {"old": 1, "new": 2},
            "method": {"old": "irv", "new": "stv-scottish"},
            "freeze_date": {"old": "2016-01-12", "new": "2016-01-20"},
        }
    }
    assert changed.summary == (
        "Changed contest “Leadership election 2016” in the admin: seats, method, freeze date"
    )
    candidate_change = AuditEvent.objects.get(action="admin.change", object_type="Candidate")
    assert candidate_change.object_id == str(corbyn.pk)
    assert candidate_change.data == {"changes": {"ballot_position": {"old": 1, "new": 2}}}
    deleted = AuditEvent.objects.get(action="admin.delete")
    assert (deleted.object_type, deleted.object_id, deleted.contest) == (
        "Candidate",
        str(smith.pk),
        contest,
    )
    assert deleted.data["fields"]["name"] == "Owen Smith"
    assert not Candidate.objects.filter(pk=smith.pk).exists()
    assert AuditEvent.objects.count() == 3


def test_deleting_a_draft_contest_leaves_an_audit_event_that_outlives_it(
    admin_client: Client, superuser: Any, contest: Contest
) -> None:
    pk = contest.pk
    response = admin_client.post(f"{LIST}{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Contest.objects.filter(pk=pk).exists()
    event = only_event(action="admin.delete")
    assert (event.contest, event.object_type, event.object_id, event.actor) == (
        None,
        "Contest",
        str(pk),
        superuser,
    )
    assert event.data["fields"]["slug"] == "leader-2016"
    assert event.data["candidates"] == ["Jeremy Corbyn", "Owen Smith"]


def test_a_contest_with_an_audit_trail_cannot_be_deleted(
    admin_client: Client, contest: Contest
) -> None:
    data = admin_form_data(admin_client.get(change_url(contest)))
    data["title"] = "Leadership election 2016 (draft)"
    assert admin_client.post(change_url(contest), data).status_code == 302
    response = admin_client.post(f"{LIST}{contest.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert (
        "its audit trail (1 event) would be deleted with it, and the audit trail is never "
        "deleted; leave the draft unused instead"
    ) in response.content.decode()
    assert Contest.objects.filter(pk=contest.pk).exists()
    assert AuditEvent.objects.filter(contest=contest).count() == 1


@pytest.mark.parametrize("status", [s for s in ContestStatus.values if s != ContestStatus.DRAFT])
def test_a_contest_under_way_cannot_be_deleted(
    admin_client: Client, contest: Contest, status: str
) -> None:
    at_stage(contest, status)
    draft = ContestFactory(title="A draft made by mistake")
    reason = (
        f"contest “Leadership election 2016”: the contest is {contest.get_status_display().lower()}"
        "; only a draft contest can be deleted"
    )
    response = admin_client.post(f"{LIST}{contest.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert reason in response.content.decode()
    response = admin_client.post(
        LIST,
        {
            "action": "delete_selected",
            "_selected_action": [contest.pk, draft.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert Contest.objects.filter(pk__in=[contest.pk, draft.pk]).count() == 2
    assert not AuditEvent.objects.exists()


def test_bulk_delete_of_draft_contests_audits_each(admin_client: Client) -> None:
    drafts = [ContestFactory(), ContestFactory()]
    response = admin_client.post(
        LIST,
        {"action": "delete_selected", "_selected_action": [c.pk for c in drafts], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Contest.objects.exists()
    events = AuditEvent.objects.filter(action="admin.delete", object_type="Contest")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(c.pk) for c in drafts)


# --- Lifecycle locks ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(LOCKED_AT))
def test_fields_are_read_only_from_their_stage(
    admin_client: Client, contest: Contest, status: str
) -> None:
    at_stage(contest, status)
    html = admin_client.get(change_url(contest)).content.decode()
    for name in sorted(EVERY_FIELD):
        assert has_input(html, name) == (name not in LOCKED_AT[status]), name
    for name in sorted(CANDIDATE_FIELDS):
        expected = name not in CANDIDATE_LOCKED_AT[status]
        assert (f'name="candidates-0-{name}' in html) == expected, name
    assert 'name="_save"' in html
    assert ('name="candidates-0-DELETE"' in html) == (status == ContestStatus.DRAFT)
    can_add = status in (ContestStatus.DRAFT, ContestStatus.NOMINATIONS)
    assert ('name="candidates-MAX_NUM_FORMS" value="0"' in html) == (not can_add)


def test_locked_fields_say_why(admin_client: Client, contest: Contest) -> None:
    at_stage(contest, ContestStatus.NOMINATIONS)
    html = admin_client.get(change_url(contest)).content.decode()
    assert "Fixed since nominations opened: the count uses the method announced." in html
    at_stage(contest, ContestStatus.BALLOT_OPEN)
    html = admin_client.get(change_url(contest)).content.decode()
    assert "Voting stops only when the returning officer closes the ballot" in html


def test_a_crafted_post_cannot_change_a_locked_field(
    admin_client: Client, contest: Contest
) -> None:
    at_stage(contest, ContestStatus.NOMINATIONS)
    data = admin_form_data(admin_client.get(change_url(contest)))
    data.update(
        {
            "title": "Leadership election 2016 (re-run)",
            "slug": "elsewhere",
            "seats": "3",
            "method": "stv-meek",
            "kind": "committee",
            "is_vacancy": "on",
            "tie_break_seed": "chosen-late",
        }
    )
    response = admin_client.post(change_url(contest), data)
    assert response.status_code == 302, response.content.decode()
    contest.refresh_from_db()
    assert contest.title == "Leadership election 2016 (re-run)"
    assert (contest.slug, contest.seats, contest.method, contest.kind) == (
        "leader-2016",
        1,
        "irv",
        "leader",
    )
    assert (contest.is_vacancy, contest.tie_break_seed) == (False, "test-seed")
    assert only_event(action="admin.change").data == {
        "changes": {
            "title": {
                "old": "Leadership election 2016",
                "new": "Leadership election 2016 (re-run)",
            }
        }
    }


def test_during_nominations_candidates_keep_status_and_are_not_deleted(
    admin_client: Client, contest: Contest
) -> None:
    at_stage(contest, ContestStatus.NOMINATIONS)
    smith = contest.candidates.get(name="Owen Smith")
    data = admin_form_data(admin_client.get(change_url(contest)))
    assert data["candidates-1-id"] == str(smith.pk)
    data.update(
        {
            "candidates-1-name": "Owen Smith MP",
            "candidates-1-status": CandidateStatus.NOMINATED,
            "candidates-1-is_incumbent": "on",
            "candidates-1-consented_at_0": "2016-07-12",
            "candidates-1-consented_at_1": "12:00:00",
            "candidates-0-DELETE": "on",
            "candidates-TOTAL_FORMS": "3",
            "candidates-2-name": "Angela Eagle",
            "candidates-2-ballot_position": "3",
            "candidates-2-status": CandidateStatus.NOMINATED,
        }
    )
    response = admin_client.post(change_url(contest), data)
    assert response.status_code == 302, response.content.decode()
    smith.refresh_from_db()
    assert (smith.name, smith.status, smith.is_incumbent, smith.consented_at) == (
        "Owen Smith MP",
        CandidateStatus.PROPOSED,
        False,
        None,
    )
    assert contest.candidates.filter(name="Jeremy Corbyn").exists()
    # Candidates may still join (as ``candidate_add`` allows), seeking nominations.
    eagle = contest.candidates.get(name="Angela Eagle")
    assert eagle.status == CandidateStatus.PROPOSED
    assert AuditEvent.objects.filter(action="admin.add", object_type="Candidate").count() == 1
    assert only_event(action="admin.change", object_type="Candidate").data == {
        "changes": {"name": {"old": "Owen Smith", "new": "Owen Smith MP"}}
    }
    assert not AuditEvent.objects.filter(action="admin.delete").exists()


def test_once_the_roll_is_frozen_no_candidate_can_be_added(
    admin_client: Client, contest: Contest
) -> None:
    at_stage(contest, ContestStatus.ROLL_FROZEN)
    data = admin_form_data(admin_client.get(change_url(contest)))
    data.update(
        {
            "candidates-TOTAL_FORMS": "3",
            "candidates-2-name": "Angela Eagle",
            "candidates-2-ballot_position": "3",
            "candidates-0-ballot_position": "5",
        }
    )
    response = admin_client.post(change_url(contest), data)
    assert response.status_code == 302, response.content.decode()
    assert sorted(contest.candidates.values_list("name", "ballot_position")) == [
        ("Jeremy Corbyn", 5),
        ("Owen Smith", 2),
    ]
    assert not AuditEvent.objects.filter(action="admin.add").exists()


def test_once_the_ballot_is_open_only_the_advertised_close_can_change(
    admin_client: Client, contest: Contest
) -> None:
    contest.ballot_closes_at = dt.datetime(2016, 9, 21, 11, tzinfo=dt.UTC)
    contest.save()
    at_stage(contest, ContestStatus.BALLOT_OPEN)
    corbyn = contest.candidates.get(name="Jeremy Corbyn")
    data = admin_form_data(admin_client.get(change_url(contest)))
    data.update(
        {
            "title": "Something else",
            "ballot_closes_at_0": "2016-09-22",
            "ballot_closes_at_1": "12:00:00",
            "candidates-0-name": "J. Corbyn",
            "candidates-0-ballot_position": "9",
            "candidates-0-DELETE": "on",
            "candidates-TOTAL_FORMS": "3",
            "candidates-2-name": "Angela Eagle",
        }
    )
    response = admin_client.post(change_url(contest), data)
    assert response.status_code == 302, response.content.decode()
    contest.refresh_from_db()
    corbyn.refresh_from_db()
    assert contest.title == "Leadership election 2016"
    assert contest.ballot_closes_at == dt.datetime(2016, 9, 22, 11, tzinfo=dt.UTC)  # BST
    assert (corbyn.name, corbyn.ballot_position) == ("Jeremy Corbyn", 1)
    assert contest.candidates.count() == 2
    event = only_event()
    assert event.data == {
        "changes": {
            "ballot_closes_at": {
                "old": "2016-09-21T12:00:00+01:00",
                "new": "2016-09-22T12:00:00+01:00",
            }
        }
    }


@pytest.mark.parametrize(
    "status", [ContestStatus.CLOSED, ContestStatus.COUNTED, ContestStatus.DECLARED]
)
def test_once_the_ballot_is_closed_the_contest_is_view_only(
    admin_client: Client, contest: Contest, status: str
) -> None:
    at_stage(contest, status)
    page = admin_client.get(change_url(contest))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html
    assert not any(has_input(html, name) for name in EVERY_FIELD)
    response = admin_client.post(change_url(contest), {"title": "Changed", "seats": "2"})
    assert response.status_code == 403
    contest.refresh_from_db()
    assert contest.title == "Leadership election 2016"
    assert not AuditEvent.objects.exists()


def test_a_new_contest_may_set_every_field(admin_client: Client) -> None:
    html = admin_client.get(f"{LIST}add/").content.decode()
    assert all(has_input(html, name) for name in EVERY_FIELD)
    assert not has_input(html, "status")
