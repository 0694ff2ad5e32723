"""Journey: a voter follows the emailed link, ranks, confirms, gets a receipt, cannot vote twice.

Also: the same journey with the keyboard alone, at 320 px wide, and axe accessibility checks on
every booth page (including the error summary).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from factories import CandidateFactory, ContestFactory, PersonFactory
from omov.ballots import services
from omov.ballots.models import Ballot, Credential
from omov.core import clock
from omov.electorate.models import RollEntry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def emailed(settings: Any) -> dict[str, Any]:
    """An open ballot with three candidates and two voters whose credentials were emailed."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    contest = ContestFactory(slug="leader-2016", title="Leadership election", status="roll_frozen")
    candidates = [
        CandidateFactory(
            contest=contest,
            name=name,
            status="nominated",
            ballot_position=i,
            statement=f"{name}: a statement to the members.",
        )
        for i, name in enumerate(("Jeremy Corbyn", "Owen Smith", "Angela Eagle"), start=1)
    ]
    for _ in range(2):
        person = PersonFactory()
        RollEntry.objects.create(
            contest=contest,
            person=person,
            category="member",
            is_eligible=True,
            frozen_at=clock.now(),
        )
    opening = services.ballot_open(contest=contest, hand_over_key=True)
    services.credentials_send(contest=contest, rate=0)
    return {"contest": contest, "candidates": candidates, "opening": opening}


def link_and_code(message: Any) -> tuple[str, str]:
    link = re.search(r"https?://[^/\s]+(/vote/#ref=[0-9A-Z]+)", message.body).group(1)
    code = re.search(r"Security code:\s+([0-9A-Z]{4}-[0-9A-Z]{4})", message.body).group(1)
    return link, code


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_voter_follows_the_link_ranks_confirms_and_cannot_vote_again(
    page: Any, emailed: dict[str, Any]
) -> None:
    link, code = link_and_code(mail.outbox[0])
    page.goto(link)
    assert page.get_by_label("Ballot reference").input_value() == link.split("=")[1]
    assert "#" not in page.url  # the script took the reference out of the address bar
    assert serious_violations(page) == []
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue to the ballot").click()
    page.get_by_role("heading", name=re.compile("your ballot")).wait_for()
    page.get_by_text("Read Owen Smith’s statement").click()
    page.get_by_text("Owen Smith: a statement to the members.").wait_for()
    assert serious_violations(page) == []
    # A mistake first: the same number twice.
    page.get_by_label("Your preference for Owen Smith").select_option("1")
    page.get_by_label("Your preference for Jeremy Corbyn").select_option("1")
    page.get_by_role("button", name="Review my vote").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "give each number to one candidate only" in summary.inner_text()
    assert serious_violations(page) == []
    summary.get_by_role("link").first.click()
    page.get_by_label("Your preference for Jeremy Corbyn").select_option("2")
    page.get_by_role("button", name="Review my vote").click()
    page.get_by_role("heading", name="Check your vote").wait_for()
    assert page.locator("ol.ranked li").all_inner_texts() == ["Owen Smith", "Jeremy Corbyn"]
    assert serious_violations(page) == []
    page.get_by_role("button", name="Confirm my vote").click()
    page.get_by_role("heading", name="Your vote has been cast").wait_for()
    receipt = page.locator("#receipt").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{16}", receipt)
    assert serious_violations(page) == []
    assert Ballot.objects.filter(receipt=receipt).count() == 1
    assert Credential.objects.filter(has_voted=True).count() == 1
    # The same link again: no second vote.
    page.goto(link)
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue to the ballot").click()
    page.get_by_text("already been used to vote").wait_for()
    assert Ballot.objects.count() == 1


def test_keyboard_only_vote_on_a_small_phone(browser: Any, live_server: Any, emailed: Any) -> None:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        link, code = link_and_code(mail.outbox[1])
        page.goto(link)

        def tab_to(selector: str) -> None:
            for _ in range(30):
                page.keyboard.press("Tab")
                if page.evaluate(
                    "s => document.activeElement === document.querySelector(s)", selector
                ):
                    return
            raise AssertionError(f"Tab never reached {selector}")

        def no_sideways_scroll() -> None:
            assert page.evaluate("document.documentElement.scrollWidth") <= 320

        no_sideways_scroll()
        tab_to("#id_code")
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        page.get_by_role("heading", name=re.compile("your ballot")).wait_for()
        no_sideways_scroll()
        corbyn, _smith, eagle = emailed["candidates"]
        for candidate, presses in ((eagle, 1), (corbyn, 2)):
            tab_to(f"#pref_{candidate.pk}")
            for _ in range(presses):
                page.keyboard.press("ArrowDown")
        tab_to("button[type=submit]")
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Check your vote").wait_for()
        no_sideways_scroll()
        assert page.locator("ol.ranked li").all_inner_texts() == ["Angela Eagle", "Jeremy Corbyn"]
        tab_to("form[action='/vote/confirm/'] button")
        page.keyboard.press("Space")
        page.get_by_role("heading", name="Your vote has been cast").wait_for()
        no_sideways_scroll()
        assert serious_violations(page) == []
    finally:
        context.close()
    assert Ballot.objects.count() == 1
