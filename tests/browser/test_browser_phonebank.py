"""Journey at 390 px: callers of two campaigns work the same voter; a do-not-call reaches both."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe

from campaigns_support import EVENING, build_campaigns
from omov.campaigns.models import Call, DoNotCall

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def caller_page(browser: Any, live_server: Any, username: str) -> Any:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    return page


def serious_violations(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def test_a_caller_calls_records_answers_and_a_do_not_call_reaches_the_other_campaign(
    browser: Any, live_server: Any, contest: Any
) -> None:
    with time_machine.travel(EVENING, tick=True):
        setup = build_campaigns(contest, voters=12)
        corbyn_url = f"/campaigns/{setup.corbyn.pk}/lists/{setup.corbyn_list.pk}/call/"
        smith_url = f"/campaigns/{setup.smith.pk}/lists/{setup.smith_list.pk}/call/"

        smith = caller_page(browser, live_server, "smith-caller")
        smith.goto(smith_url)
        smith.get_by_role("button", name="Take the next contact").click()
        held_by_smith = smith.locator("#contact-name").inner_text()

        corbyn = caller_page(browser, live_server, "corbyn-caller")
        corbyn.goto(corbyn_url)
        corbyn.get_by_role("button", name="Take the next contact").click()
        first = corbyn.locator("#contact-name").inner_text()
        assert first == held_by_smith  # both lists start from the same contact list
        dial = corbyn.get_by_role("link", name="Call 0115 496")
        assert dial.get_attribute("href").startswith("tel:+44115496")
        assert corbyn.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert serious_violations(corbyn) == []
        # The voter asks not to be called again.
        corbyn.get_by_label("Do not call").check()
        corbyn.get_by_role("button", name="Save and take the next contact").click()
        assert "Saved. Here is your next contact." in corbyn.content()
        second = corbyn.locator("#contact-name").inner_text()
        assert second != first
        corbyn.get_by_label("Answered").check()
        corbyn.locator("fieldset", has_text="How likely").get_by_label("5").check()
        corbyn.locator("fieldset", has_text="Will you vote?").get_by_label("yes").check()
        corbyn.locator("fieldset", has_text="Would you volunteer?").get_by_label("yes").check()
        corbyn.get_by_role("button", name="Save and take the next contact").click()
        assert corbyn.locator("#contact-name").inner_text() not in (first, second)

        # Smith's caller, still on the withdrawn voter, cannot record anything about them.
        smith.get_by_label("Answered").check()
        smith.get_by_role("button", name="Save and take the next contact").click()
        assert "has asked not to be called" in smith.content()
        smith.get_by_role("button", name="Take the next contact").click()
        assert smith.locator("#contact-name").inner_text() != held_by_smith
        assert "Which campaign" not in smith.content()

    assert DoNotCall.objects.count() == 1
    answered = Call.objects.get(outcome="answered")
    assert answered.answers == {"support": "5", "will_vote": "yes", "volunteer": "yes"}
    assert not Call.objects.filter(campaign=setup.smith).exists()
