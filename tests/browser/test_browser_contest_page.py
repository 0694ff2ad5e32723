"""Journey: the returning officer signs in and opens nominations from the contest page."""

from __future__ import annotations

from typing import Any

from omov.contests.models import ContestStatus


def test_returning_officer_opens_nominations(
    page: Any, sign_in: Any, contest: Any, returning_officer: Any
) -> None:
    sign_in(page, returning_officer.username)
    page.goto(f"/contests/{contest.slug}/")
    page.get_by_role("button", name="Open nominations").click()
    page.get_by_text("Done: open nominations.").wait_for()
    contest.refresh_from_db()
    assert contest.status == ContestStatus.NOMINATIONS


def test_home_page_has_no_serious_accessibility_violations(page: Any, contest: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto("/")
    results = Axe().run(page)
    serious = [
        violation["id"]
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert serious == []
