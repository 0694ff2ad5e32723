"""Journey at 390 px: a supporter replies to a rally; at the door an organiser checks people in
by the QR code's link, by a typed code and by name, and a second check says who was first."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from campaigns_support import EVENING, build_campaigns, event_details
from omov.campaigns import events
from omov.campaigns.models import Rsvp

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def phone_page(browser: Any, live_server: Any, username: str | None = None) -> Any:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if username:
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


def code_of(message: Any) -> str:
    line = next(line for line in message.body.splitlines() if line.startswith("Your RSVP code"))
    return line.split(": ")[1]


def test_an_organiser_checks_in_rsvps_at_the_door(
    browser: Any, live_server: Any, contest: Any
) -> None:
    with time_machine.travel(EVENING, tick=True):
        setup = build_campaigns(contest, voters=4)
        event = events.event_create(campaign=setup.corbyn, details=event_details(capacity=10))
        for name, email in (("Bob Brown", "bob@example.org"), ("Cat Clarke", "cat@example.org")):
            events.rsvp_create(event=event, name=name, email=email, client_ip="192.0.2.9")
        cat_code = code_of(mail.outbox[-1])

        # A supporter replies on their phone.
        visitor = phone_page(browser, live_server)
        visitor.goto(f"/campaigns/{setup.corbyn.pk}/events/{event.pk}/rsvp/")
        assert "8 places left" in visitor.content()
        assert serious_violations(visitor) == []
        visitor.get_by_label("Name").fill("Ann Andrews")
        visitor.get_by_label("Email").fill("ann@example.org")
        visitor.get_by_role("button", name="Reply: I am coming").click()
        assert "Check your email" in visitor.content()
        confirmation = mail.outbox[-1]
        assert confirmation.to == ["ann@example.org"]
        ann_code = code_of(confirmation)

        # At the door: the QR code opens the check-in page with the code in the fragment.
        door = phone_page(browser, live_server, "corbyn-organiser")
        check_in = f"/campaigns/{setup.corbyn.pk}/events/{event.pk}/check-in/"
        door.goto(f"{check_in}#code={ann_code}")
        assert door.get_by_label("RSVP code").input_value() == ann_code
        assert door.evaluate("window.location.hash") == ""  # the code leaves the address bar
        door.get_by_role("button", name="Check in this code").click()
        assert "Checked in Ann Andrews" in door.content()
        assert door.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert serious_violations(door) == []

        # A typed code, in lower case without its dash.
        door.get_by_label("RSVP code").fill(cat_code.lower().replace("-", ""))
        door.get_by_role("button", name="Check in this code").click()
        assert "Checked in Cat Clarke" in door.content()

        # By name.
        door.get_by_label("Name").fill("brown")
        door.get_by_role("button", name="Search the RSVPs").click()
        door.get_by_role("button", name="Check in Bob Brown").click()
        assert "Checked in Bob Brown" in door.content()
        assert "3</strong> of 3 with a place have arrived" in door.content()

        # A second door scans Ann again: nothing changes, and it says who was first.
        second = phone_page(browser, live_server, "corbyn-manager")
        second.goto(f"{check_in}#code={ann_code}")
        second.get_by_role("button", name="Check in this code").click()
        assert "Ann Andrews was checked in already" in second.content()
        assert "by corbyn-organiser" in second.content()

    assert Rsvp.objects.filter(checked_in_at__isnull=False).count() == 3
    assert set(Rsvp.objects.values_list("checked_in_by__username", flat=True)) == {
        "corbyn-organiser"
    }
