"""Journey: a paper ballot operator signs in, finds their work, and is refused the ballot office.

Their home page lists only the pages their role opens (keying and rejecting papers); the ballot
office, which is the returning officer's and scrutineers', answers with the site's own 403 page
saying why and whom to ask.
"""

from __future__ import annotations

from typing import Any

from factories import CandidateFactory, ContestFactory, UserFactory, grant
from omov.contests.models import ContestStatus
from omov.core.models import Role


def _serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        violation["id"]
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def test_an_operator_sees_only_their_links_and_a_styled_refusal(
    page: Any, sign_in: Any, db: Any
) -> None:
    contest = ContestFactory(
        slug="leader", title="Leadership election", status=ContestStatus.BALLOT_OPEN
    )
    CandidateFactory(contest=contest, name="Jeremy Corbyn")
    operator = UserFactory(username="olive")
    grant(operator, Role.PAPER_OPERATOR, contest=contest)

    sign_in(page, "olive")
    page.get_by_role("heading", name="Your work").wait_for()
    work = page.locator("section[aria-labelledby='your-work']")
    assert work.get_by_role("heading", name="As paper ballot operator").is_visible()
    links = work.get_by_role("link").all_inner_texts()
    assert links == [
        "Leadership election",
        "Postal batches: check declarations, open and number the ballot papers",
        "Key returned paper ballots",
        "Reject a paper that cannot be accepted",
    ]
    assert page.get_by_role("link", name="Ballot office").count() == 0
    assert _serious_violations(page) == []

    work.get_by_role("link", name="Key returned paper ballots").click()
    page.wait_for_url("**/vote/paper/leader/")

    page.goto("/contests/leader/")
    sections = page.get_by_role("navigation", name="Contest sections")
    assert "Ballot office" not in sections.inner_text()
    assert sections.get_by_role("link", name="Key returned paper ballots").is_visible()

    response = page.goto("/vote/office/leader/")
    assert response is not None and response.status == 403
    page.get_by_role("heading", name="You cannot use this page").wait_for()
    assert page.get_by_role("alert").inner_text().strip() == (
        "Only the returning officer and scrutineers can see the ballot office."
    )
    assert page.get_by_text("ask the returning officer to grant you the role").is_visible()
    # The site's own style sheet is applied: the header and its navigation are there.
    assert page.get_by_role("link", name="Your work").is_visible()
    assert page.locator("link[rel=stylesheet]").count() >= 1
    assert _serious_violations(page) == []
