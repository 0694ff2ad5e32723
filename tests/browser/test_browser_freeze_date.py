"""A returning officer moves the freeze date: sees who gains and loses a vote, then confirms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def prepared(contest: Any, returning_officer: Any) -> Any:
    from factories import BranchFactory, PersonFactory
    from omov.contests.services import contest_transition
    from omov.electorate.services import roll_evaluate

    islington = BranchFactory(name="Islington North")
    hackney = BranchFactory(name="Hackney South")
    PersonFactory(branch=islington, first_name="Ada", last_name="Early")
    PersonFactory(
        branch=islington, first_name="Bea", last_name="Spring", joined_on=dt.date(2016, 3, 1)
    )
    PersonFactory(
        branch=hackney, first_name="Cal", last_name="Summer", joined_on=dt.date(2016, 5, 1)
    )
    PersonFactory(
        branch=hackney, first_name="Dee", last_name="Autumn", joined_on=dt.date(2016, 10, 1)
    )
    contest_transition(contest=contest, step="open_nominations")
    roll_evaluate(contest=contest)
    return contest


def test_moving_the_freeze_date(page: Any, sign_in: Any, prepared: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from omov.electorate.models import EligibilityDecision

    sign_in(page, "returning-officer")
    page.goto(f"/electorate/{prepared.slug}/")
    page.get_by_role("link", name="Change the rules").click()
    page.get_by_label("Freeze date").fill("2016-06-01")
    page.get_by_role("button", name="Preview the change").click()

    totals = page.locator("#preview-totals")
    assert "2 would gain a vote" in totals.inner_text()
    assert "0 would lose one" in totals.inner_text()
    by_category = page.locator("#preview-by-category").inner_text()
    assert "Member\t2\t0" in by_category
    by_branch = page.locator("#preview-by-branch").inner_text()
    assert "Islington North\t1\t0" in by_branch and "Hackney South\t1\t0" in by_branch
    assert page.get_by_role("link", name="Bea Spring").is_visible()
    assert page.get_by_role("link", name="Cal Summer").is_visible()
    # Nothing has changed yet.
    assert EligibilityDecision.objects.filter(contest=prepared, is_eligible=True).count() == 1

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()

    page.get_by_label("Reason for the change").fill("Court of Appeal ruling, 12 August 2016.")
    page.get_by_role("button", name="Confirm the change and re-evaluate the roll").click()

    assert "2 gained a vote and 0 lost one" in page.locator(".messages").inner_text()
    eligible = set(
        EligibilityDecision.objects.filter(contest=prepared, is_eligible=True).values_list(
            "person__last_name", flat=True
        )
    )
    assert eligible == {"Early", "Spring", "Summer"}
    page.get_by_label("Eligibility").select_option("eligible")
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_role("link", name="Bea Spring").is_visible()
    assert page.get_by_role("link", name="Dee Autumn").count() == 0
