"""Event pages: the public RSVP and cancel pages, the door's check-in, the organiser's pages,
and that no campaign reaches another's event (decision 0015)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from campaigns_support import EVENING, Campaigns, event_details
from omov.campaigns import events
from omov.campaigns.models import Event, Rsvp, RsvpStatus

pytestmark = pytest.mark.django_db


def rally(campaigns: Campaigns, **kw: object) -> Event:
    return events.event_create(campaign=campaigns.corbyn, details=event_details(**kw))


def signed_in(campaigns: Campaigns, who: str) -> Client:
    client = Client()
    client.force_login(campaigns.people[who])
    return client


def test_the_public_page_answers_the_same_for_a_new_and_a_repeated_reply(
    campaigns: Campaigns,
) -> None:
    event = rally(campaigns, capacity=1)
    url = reverse("campaigns:rsvp", args=[campaigns.corbyn.pk, event.pk])
    page = Client().get(url)
    assert "1 place left" in page.content.decode()
    first = Client().post(url, {"name": "Ann Andrews", "email": "ann@example.org"})
    again = Client().post(url, {"name": "Someone Else", "email": "ann@example.org"})
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    sent = Client().get(first["Location"]).content.decode()
    assert "Check your email" in sent and "ann@example.org" not in sent
    assert Rsvp.objects.get().name == "Ann Andrews"
    assert len(mail.outbox) == 2
    full = Client().get(url).content.decode()
    assert "waiting list" in full and "Ann" not in full


def test_a_bad_reply_is_shown_again_with_what_to_fix(campaigns: Campaigns) -> None:
    event = rally(campaigns)
    url = reverse("campaigns:rsvp", args=[campaigns.corbyn.pk, event.pk])
    response = Client().post(url, {"name": "Ann", "email": "not-an-address"})
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not Rsvp.objects.exists()


def test_a_private_event_has_no_public_page(campaigns: Campaigns) -> None:
    event = rally(campaigns, is_public=False)
    assert (
        Client().get(reverse("campaigns:rsvp", args=[campaigns.corbyn.pk, event.pk])).status_code
        == 404
    )


def test_the_cancel_link_asks_first_and_cancels_on_the_button(campaigns: Campaigns) -> None:
    event = rally(campaigns)
    events.rsvp_create(event=event, name="Ann", email="ann@example.org", client_ip="192.0.2.1")
    link = next(line for line in mail.outbox[0].body.splitlines() if "/rsvp/cancel/" in line)
    path = link.split("8000", 1)[1]
    asked = Client().get(path)
    assert "Cancel your RSVP?" in asked.content.decode()
    assert Rsvp.objects.get().status == RsvpStatus.CONFIRMED  # a link scanner cancels nothing
    done = Client().post(path)
    assert "Your RSVP is cancelled" in done.content.decode()
    assert Rsvp.objects.get().status == RsvpStatus.CANCELLED
    assert Client().get(path[:-3] + "/").status_code == 404


def test_an_organiser_checks_people_in_by_code_and_by_name(campaigns: Campaigns) -> None:
    event = rally(campaigns)
    for name in ("Ann Andrews", "Bob Brown"):
        events.rsvp_create(
            event=event, name=name, email=f"{name[:3].lower()}@example.org", client_ip="x"
        )
    code = next(
        line for line in mail.outbox[0].body.splitlines() if line.startswith("Your RSVP code")
    ).split(": ")[1]
    door = signed_in(campaigns, "corbyn_organiser")
    url = reverse("campaigns:event_check_in", args=[campaigns.corbyn.pk, event.pk])
    page = door.post(url, {"code": code.lower()}, follow=True)
    assert "Checked in Ann Andrews" in page.content.decode()
    page = door.post(url, {"code": code}, follow=True)
    assert "was checked in already" in page.content.decode()
    page = door.post(url, {"code": "ZZZZ-ZZZZ"}, follow=True)
    assert "No RSVP to Rally for Jeremy has the code" in page.content.decode()
    found = door.get(url, {"q": "bro"})
    bob = Rsvp.objects.get(name="Bob Brown")
    assert "Check in Bob Brown" in found.content.decode()
    door.post(url + "?q=bro", {"rsvp": bob.pk})
    bob.refresh_from_db()
    assert bob.checked_in_at is not None
    figures = door.get(reverse("campaigns:event", args=[campaigns.corbyn.pk, event.pk]))
    assert "100%" in figures.content.decode()


def test_an_organiser_creates_a_rally_and_a_satellite_from_the_events_page(
    campaigns: Campaigns,
) -> None:
    client = signed_in(campaigns, "corbyn_manager")
    url = reverse("campaigns:events", args=[campaigns.corbyn.pk])
    form = {
        "kind": "rally",
        "title": "Rally",
        "venue": "Albert Hall",
        "address": "",
        "starts_at": "2016-08-25T19:00",
        "ends_at": "2016-08-25T21:00",
        "capacity": "300",
        "description": "",
        "is_public": "on",
    }
    assert client.post(url, form).status_code == 302
    main = Event.objects.get()
    assert main.starts_at == EVENING.replace(hour=18, minute=0, day=25)  # 19:00 in London
    response = client.post(url, {**form, "venue": "Leeds", "main_event": main.pk})
    assert response.status_code == 302
    assert Event.objects.get(venue="Leeds").main_event == main
    bad = client.post(url, {**form, "ends_at": "2016-08-25T18:00"})
    assert bad.status_code == 400
    assert "the event must end after it starts" in bad.content.decode()


def test_no_campaign_reaches_another_campaigns_event(campaigns: Campaigns) -> None:
    event = rally(campaigns)
    smith = signed_in(campaigns, "smith_manager")
    for page in ("event", "event_check_in"):
        assert (
            smith.get(
                reverse(f"campaigns:{page}", args=[campaigns.corbyn.pk, event.pk])
            ).status_code
            == 403
        )
        # The other campaign's event under one's own campaign: not found, never shown.
        assert (
            smith.get(reverse(f"campaigns:{page}", args=[campaigns.smith.pk, event.pk])).status_code
            == 404
        )
    assert (
        smith.post(
            reverse("campaigns:event_check_in", args=[campaigns.corbyn.pk, event.pk]),
            {"code": "AAAA-AAAA"},
        ).status_code
        == 403
    )


def test_the_edit_form_comes_back_filled_in_and_saves(campaigns: Campaigns) -> None:
    event = rally(campaigns)
    client = signed_in(campaigns, "corbyn_organiser")
    url = reverse("campaigns:event", args=[campaigns.corbyn.pk, event.pk])
    page = client.get(url).content.decode()
    assert 'value="2016-08-25T19:30"' in page  # 18:30 UTC is 19:30 in London
    response = client.post(
        url,
        {
            "kind": "rally",
            "title": "Rally, moved",
            "venue": "Nottingham Albert Hall",
            "starts_at": "2016-08-25T20:00",
            "ends_at": "2016-08-25T22:00",
            "capacity": "3",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.sequence, event.is_public) == ("Rally, moved", 1, False)


def test_a_forged_check_in_choice_is_a_message_not_an_error(campaigns: Campaigns) -> None:
    event = rally(campaigns)
    client = signed_in(campaigns, "corbyn_organiser")
    url = reverse("campaigns:event_check_in", args=[campaigns.corbyn.pk, event.pk])
    page = client.post(url, {"rsvp": "1 OR 1=1"}, follow=True)
    assert "That RSVP is not for this event" in page.content.decode()
    home = client.get(reverse("campaigns:home", args=[campaigns.corbyn.pk])).content.decode()
    assert reverse("campaigns:events", args=[campaigns.corbyn.pk]) in home
