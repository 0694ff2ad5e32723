"""Journeys: a branch secretary records a meeting; a visitor registers as a supporter."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from factories import BranchFactory, PersonFactory, UserFactory, grant
from omov.contests.services import contest_transition
from omov.core import clock
from omov.core.models import Role
from omov.electorate.models import Person
from omov.electorate.services import roll_evaluate
from omov.nominations.models import BranchMeeting
from omov.nominations.services import MeetingFigures, branch_meeting_record

pytestmark = pytest.mark.django_db(transaction=True)


def members(branch: Any, count: int) -> None:
    template = PersonFactory.build(branch=branch)
    Person.objects.bulk_create(
        Person(
            external_id=f"{branch.code}-{number}",
            category=template.category,
            first_name=f"Member{number}",
            last_name=branch.code,
            branch=branch,
            joined_on=template.joined_on,
            status=template.status,
            date_of_birth=template.date_of_birth,
        )
        for number in range(count)
    )


def accessibility_violations(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"moderate", "serious", "critical"}
    ]


@pytest.fixture
def nominations_open(contest: Any) -> Any:
    now = clock.now()
    contest.branch_nominations_open_at = now - dt.timedelta(days=1)
    contest.branch_nominations_close_at = now + dt.timedelta(days=30)
    contest.save()
    contest_transition(contest=contest, step="open_nominations")
    islington = BranchFactory(code="islington-north", name="Islington North")
    members(islington, 400)
    walthamstow = BranchFactory(code="walthamstow", name="Walthamstow")
    members(walthamstow, 400)
    roll_evaluate(contest=contest)
    smith = contest.candidates.get(name="Owen Smith")
    corbyn = contest.candidates.get(name="Jeremy Corbyn")
    # Another branch has already nominated Owen Smith (the returning officer recorded it).
    branch_meeting_record(
        contest=contest,
        branch=walthamstow,
        figures=MeetingFigures(
            held_on=now.date() - dt.timedelta(days=1),
            attendance=310,
            abstentions=2,
            votes={corbyn.pk: 103, smith.pk: 205},
        ),
    )
    secretary = UserFactory(username="islington-secretary")
    grant(secretary, Role.BRANCH_SECRETARY, contest, branch=islington)
    return contest


def corbyn_row(page: Any) -> Any:
    return page.get_by_role("row").filter(has_text="Jeremy Corbyn").first


def test_secretary_records_the_islington_north_meeting(
    page: Any, sign_in: Any, nominations_open: Any
) -> None:
    contest = nominations_open
    sign_in(page, "islington-secretary")
    page.goto(f"/nominations/{contest.slug}/")
    assert "0 of 2: 0.0% of all branches" in corbyn_row(page).inner_text()
    assert accessibility_violations(page) == []

    page.get_by_role("link", name="Islington North: the branch's nomination meeting").click()
    page.get_by_role("link", name="Record the meeting").click()
    assert "Eligible members in Islington North: 400" in page.inner_text("#eligible-members")
    assert accessibility_violations(page) == []

    held_on = (clock.now().date() - dt.timedelta(days=1)).isoformat()
    page.get_by_label("Date of the meeting").fill(held_on)
    page.get_by_label("Members attending").fill("360")
    page.get_by_label("Votes for Jeremy Corbyn").fill("266")
    page.get_by_label("Votes for Owen Smith").fill("100")
    page.get_by_label("Abstentions").fill("4")
    page.get_by_role("button", name="Record the meeting").click()

    alert = page.get_by_role("alert")
    message = alert.inner_text()
    assert "attendance (360) is less than the votes cast (366) plus abstentions (4)" in message
    assert "enter an attendance of at least 370" in message
    assert not BranchMeeting.objects.filter(branch__code="islington-north").exists()
    assert accessibility_violations(page) == []

    page.get_by_label("Members attending").fill("370")
    page.get_by_role("button", name="Record the meeting").click()
    assert "The meeting of Islington North is recorded: Jeremy Corbyn." in page.inner_text("main")
    assert "370" in page.inner_text("main")

    page.get_by_role("link", name=f"All nominations for {contest.title}").click()
    # The gate's share (of all branches) and the share of the branches that nominated, named.
    row = corbyn_row(page).inner_text()
    assert "1 of 2: 50.0% of all branches (50.0% of the 2 that nominated)" in row
    branch_row = page.get_by_role("row").filter(has_text="Islington North")
    assert "Jeremy Corbyn" in branch_row.inner_text()
    assert "2 branches made a supporting nomination" in page.inner_text("main")

    # Another branch's meeting is not the secretary's to see.
    response = page.goto(f"/nominations/{contest.slug}/branches/walthamstow/")
    assert response is not None and response.status == 403


def test_a_visitor_registers_as_a_supporter_and_the_office_sees_the_flags(
    page: Any, sign_in: Any, contest: Any, returning_officer: Any
) -> None:
    now = clock.now()
    contest.supporter_window_opens_at = now - dt.timedelta(hours=1)
    contest.supporter_window_closes_at = now + dt.timedelta(days=2)
    contest.supporter_fee_pence = 2500
    contest.save()
    contest_transition(contest=contest, step="open_nominations")
    PersonFactory(first_name="Alice", last_name="Example", email="alice@example.org")

    page.goto(f"/nominations/{contest.slug}/register/")
    assert "The fee is £25.00" in page.inner_text("main")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Send my application").click()
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    assert accessibility_violations(page) == []

    page.get_by_label("First name").fill("Alice")
    page.get_by_label("Last name").fill("Example")
    page.get_by_label("Email address").fill("Alice@example.org")
    page.get_by_label("Phone number").fill("07700 900123")
    page.get_by_label("Postcode").fill("n1 1aa")
    page.get_by_label("I am 18 or over").check()
    page.get_by_label("I support the aims and values of the party").check()
    page.get_by_label("I am not a member or supporter of any other political party").check()
    page.get_by_role("button", name="Send my application").click()
    assert "Your application has been received" in page.inner_text("h1")

    sign_in(page, returning_officer.username)
    page.goto(f"/nominations/{contest.slug}/supporters/?flag=duplicate_email")
    row = page.get_by_role("row").filter(has_text="Alice Example")
    assert "Same email as another application or person" in row.inner_text()
    assert "Fee not yet received" in row.inner_text()
    assert accessibility_violations(page) == []
