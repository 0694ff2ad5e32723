"""The electorate's admin: people's edits audited, frozen rolls explained, rule dates locked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from admin_helpers import admin_form_data, messages_of
from factories import BranchFactory, PersonFactory
from omov.contests.models import Contest, ContestStatus
from omov.contests.services import contest_take_step
from omov.core.models import AuditEvent
from omov.electorate.models import ContestRules, Person, PersonStatus, RollEntry
from omov.electorate.services import (
    RuleChange,
    decision_override,
    roll_evaluate,
    rules_change,
    rules_for,
)

pytestmark = pytest.mark.django_db

PEOPLE = "/admin/electorate/person/"
CONTESTS = "/admin/contests/contest/"


def person_url(person: Person) -> str:
    return f"{PEOPLE}{person.pk}/change/"


def edit(client: Client, person: Person, **values: str) -> Any:
    data = admin_form_data(client.get(person_url(person)))
    data.update(values)
    response = client.post(person_url(person), data)
    assert response.status_code == 302, response.content.decode()
    return response


def only_event(**filters: Any) -> AuditEvent:
    events = list(AuditEvent.objects.filter(**filters))
    assert len(events) == 1, events
    return events[0]


def rule_change(**fields: Any) -> RuleChange:
    values: dict[str, Any] = {
        "freeze_date": dt.date(2016, 1, 12),
        "arrears_deadline": dt.date(2016, 8, 8),
        "minimum_age": 18,
        "age_on": None,
        "eligible_categories": ("member", "registered_supporter", "affiliated_supporter"),
        "affiliated_supporters_must_register": True,
    }
    values.update(fields)
    return RuleChange(**values)


# --- People -------------------------------------------------------------------------------------


def test_a_person_edit_is_audited_with_old_and_new_values(
    admin_client: Client, superuser: Any
) -> None:
    islington = BranchFactory(name="Islington North")
    hackney = BranchFactory(name="Hackney South")
    person = PersonFactory(branch=islington, import_digest="abc")
    edit(
        admin_client,
        person,
        joined_on="2016-01-20",
        status=PersonStatus.LAPSED,
        arrears_paid_on="2016-08-01",
        date_of_birth="1999-03-02",
        branch=str(hackney.pk),
    )
    person.refresh_from_db()
    assert person.status == PersonStatus.LAPSED
    assert person.import_digest == ""  # the next import counts this person as updated
    event = only_event(action="admin.change")
    assert (event.actor, event.contest, event.object_type, event.object_id) == (
        superuser,
        None,
        "Person",
        str(person.pk),
    )
    assert event.data == {
        "changes": {
            "branch": {
                "old": {"id": islington.pk, "name": "Islington North"},
                "new": {"id": hackney.pk, "name": "Hackney South"},
            },
            "joined_on": {"old": "2010-05-01", "new": "2016-01-20"},
            "status": {"old": "active", "new": "lapsed"},
            "arrears_paid_on": {"old": None, "new": "2016-08-01"},
            "date_of_birth": {"old": "1970-01-01", "new": "1999-03-02"},
        }
    }
    assert event.summary == (
        f"Changed person “{person}” in the admin: branch, joined on, status, arrears paid on, "
        "date of birth"
    )


def test_adding_and_deleting_a_person_is_audited(admin_client: Client) -> None:
    branch = BranchFactory()
    data = admin_form_data(admin_client.get(f"{PEOPLE}add/"))
    data.update(
        external_id="M9",
        category="member",
        first_name="Ada",
        last_name="Lovelace",
        branch=str(branch.pk),
        joined_on="2015-01-01",
        status="active",
    )
    response = admin_client.post(f"{PEOPLE}add/", data)
    assert response.status_code == 302, response.content.decode()
    ada = Person.objects.get(external_id="M9")
    added = only_event(action="admin.add")
    assert added.object_id == str(ada.pk)
    assert added.data["fields"]["joined_on"] == "2015-01-01"
    assert added.data["fields"]["branch"] == {"id": branch.pk, "name": branch.name}

    assert admin_client.post(f"{PEOPLE}{ada.pk}/delete/", {"post": "yes"}).status_code == 302
    deleted = only_event(action="admin.delete")
    assert deleted.data["fields"]["external_id"] == "M9"
    assert not Person.objects.filter(pk=ada.pk).exists()


@pytest.fixture
def frozen(open_contest: Contest) -> dict[str, Any]:
    """The 2016-like contest, its roll evaluated and frozen: one eligible member, one not."""
    people = {
        "member": PersonFactory(first_name="Ann", last_name="Member"),
        "lapsed": PersonFactory(first_name="Len", last_name="Lapsed", status="lapsed"),
    }
    roll_evaluate(contest=open_contest)
    contest_take_step(contest=open_contest, step="freeze_roll")
    open_contest.refresh_from_db()
    assert open_contest.status == ContestStatus.ROLL_FROZEN
    return people


def entry(contest: Contest, person: Person) -> RollEntry | None:
    return RollEntry.objects.filter(contest=contest, person=person).first()


def test_an_edit_after_the_freeze_warns_and_the_warning_is_true(
    admin_client: Client, open_contest: Contest, frozen: dict[str, Any]
) -> None:
    ann = frozen["member"]
    response = edit(admin_client, ann, status=PersonStatus.LAPSED)
    slug = open_contest.slug
    assert messages_of(response)[0] == (
        "The roll of Leadership election 2016 is frozen, and this edit does not change Ann "
        "Member's entry on it. The entry is brought into line only when the returning officer "
        f"evaluates the roll again (/electorate/{slug}/), and then only if the edit changes "
        "which eligibility rules Ann Member meets, or decides an appeal "
        f"(/electorate/{slug}/people/{ann.pk}/); either must happen before the ballot opens."
    )
    assert only_event(action="admin.change").data == {
        "changes": {"status": {"old": "active", "new": "lapsed"}}
    }
    # As it says: the frozen entry stands until the roll is evaluated again ...
    current = entry(open_contest, ann)
    assert current is not None and current.is_eligible
    roll_evaluate(contest=open_contest)
    current = entry(open_contest, ann)
    assert current is not None and not current.is_eligible


def test_a_person_not_on_the_frozen_roll_is_told_only_an_appeal_adds_them(
    admin_client: Client, open_contest: Contest, frozen: dict[str, Any]
) -> None:
    data = admin_form_data(admin_client.get(f"{PEOPLE}add/"))
    data.update(
        external_id="LATE1",
        category="member",
        first_name="Lou",
        last_name="Late",
        joined_on="2015-01-01",
        status="active",
    )
    response = admin_client.post(f"{PEOPLE}add/", data)
    assert response.status_code == 302, response.content.decode()
    lou = Person.objects.get(external_id="LATE1")
    assert messages_of(response)[0] == (
        "The roll of Leadership election 2016 is frozen and Lou Late is not on it; evaluating "
        "the roll again will not add them. Only an appeal decided by the returning officer "
        f"(/electorate/{open_contest.slug}/people/{lou.pk}/) before the ballot opens can."
    )
    roll_evaluate(contest=open_contest)
    assert entry(open_contest, lou) is None
    decision_override(contest=open_contest, person=lou, is_eligible=True, reason="Appeal.")
    assert entry(open_contest, lou) is not None


def test_an_edit_no_roll_rests_on_gives_no_warning(
    admin_client: Client, open_contest: Contest, frozen: dict[str, Any]
) -> None:
    response = edit(admin_client, frozen["member"], email="ann@example.net")
    assert not any("frozen" in text for text in messages_of(response))
    assert only_event(action="admin.change").data["changes"]["email"]["new"] == "ann@example.net"


def test_without_a_frozen_roll_there_is_no_warning(admin_client: Client, contest: Any) -> None:
    person = PersonFactory()
    response = edit(admin_client, person, status=PersonStatus.LAPSED)
    assert not any("roll" in text for text in messages_of(response))


def test_once_the_ballot_is_open_the_warning_says_the_roll_is_fixed(
    admin_client: Client, open_contest: Contest, frozen: dict[str, Any]
) -> None:
    Contest.objects.filter(pk=open_contest.pk).update(status=ContestStatus.BALLOT_OPEN)
    response = edit(admin_client, frozen["lapsed"], status=PersonStatus.ACTIVE)
    assert messages_of(response)[0] == (
        "The ballot of Leadership election 2016 has opened, so its roll can no longer change: "
        "this edit does not change whether Len Lapsed may vote in it."
    )


# --- The contest's rule dates -------------------------------------------------------------------


def contest_page(client: Client, contest: Contest) -> str:
    return str(client.get(f"{CONTESTS}{contest.pk}/change/").content.decode())


def test_the_freeze_date_is_the_contests_until_the_rules_hold_their_own(
    admin_client: Client, contest: Contest
) -> None:
    html = contest_page(admin_client, contest)
    assert 'name="freeze_date"' in html and 'name="arrears_deadline"' in html

    rules = rules_for(contest)  # e.g. the roll page was opened: the rules copy the dates
    html = contest_page(admin_client, contest)
    assert 'name="freeze_date"' not in html and 'name="arrears_deadline"' not in html
    assert f'rule-change preview, <a href="/electorate/{contest.slug}/rules/">' in html

    data = admin_form_data(admin_client.get(f"{CONTESTS}{contest.pk}/change/"))
    data.update(freeze_date="2016-05-01", arrears_deadline="2016-05-01")
    response = admin_client.post(f"{CONTESTS}{contest.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()
    contest.refresh_from_db()
    rules.refresh_from_db()
    assert contest.freeze_date == rules.freeze_date == dt.date(2016, 1, 12)
    assert contest.arrears_deadline == rules.arrears_deadline == dt.date(2016, 8, 8)

    # The preview's way changes both.
    roll_evaluate(contest=contest)
    rules_change(
        contest=contest, change=rule_change(freeze_date=dt.date(2016, 3, 1)), reason="Court."
    )
    contest.refresh_from_db()
    assert contest.freeze_date == ContestRules.objects.get(contest=contest).freeze_date


def test_once_the_ballot_is_open_the_rule_dates_are_fixed(
    admin_client: Client, contest: Contest
) -> None:
    rules_for(contest)
    Contest.objects.filter(pk=contest.pk).update(status=ContestStatus.BALLOT_OPEN)
    html = contest_page(admin_client, contest)
    assert "the ballot has opened, so they can no longer change." in html
    assert "/rules/" not in html


def close_data(client: Client, contest: Contest, day: str, time: str) -> dict[str, Any]:
    data = admin_form_data(client.get(f"{CONTESTS}{contest.pk}/change/"))
    data.update(ballot_closes_at_0=day, ballot_closes_at_1=time)
    return data


def test_the_close_cannot_move_to_another_day_while_age_is_reckoned_on_it(
    admin_client: Client, open_contest: Contest
) -> None:
    url = f"{CONTESTS}{open_contest.pk}/change/"
    PersonFactory(date_of_birth=dt.date(1998, 9, 25))  # 18 on 25 September 2016
    roll_evaluate(contest=open_contest)  # the close is 21 September 2016, 12:00 in London

    response = admin_client.post(url, close_data(admin_client, open_contest, "2016-09-28", "12:00"))
    assert response.status_code == 200
    assert "reckon age on the day the ballot closes" in response.content.decode()
    assert f"/electorate/{open_contest.slug}/rules/" in response.content.decode()
    open_contest.refresh_from_db()
    assert open_contest.ballot_closes_at == dt.datetime(2016, 9, 21, 11, tzinfo=dt.UTC)
    assert not AuditEvent.objects.filter(action="admin.change").exists()

    # Later the same day is the same day of reckoning.
    response = admin_client.post(url, close_data(admin_client, open_contest, "2016-09-21", "18:00"))
    assert response.status_code == 302, response.content.decode()

    # With the day of reckoning set through the rules, the close may move.
    rules_change(
        contest=open_contest,
        change=rule_change(age_on=dt.date(2016, 9, 21)),
        reason="Age is reckoned on the advertised close.",
    )
    response = admin_client.post(url, close_data(admin_client, open_contest, "2016-09-28", "12:00"))
    assert response.status_code == 302, response.content.decode()
    open_contest.refresh_from_db()
    assert open_contest.ballot_closes_at == dt.datetime(2016, 9, 28, 11, tzinfo=dt.UTC)
