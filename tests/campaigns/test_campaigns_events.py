"""Events: RSVPs with a capacity and a waiting list, satellites, check-in at the door,
reminders sent once, the calendar feed, and erasure (decision 0015)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from campaigns_support import EVENING, Campaigns, event_details
from omov.campaigns import events, ical, rsvp_codes, selectors
from omov.campaigns.models import CampaignSummary, Event, Rsvp, RsvpStatus
from omov.campaigns.retention import canvass_erase
from omov.core.errors import PermissionRefused, ServiceError
from omov.core.models import AuditEvent, ThrottleBucket

pytestmark = pytest.mark.django_db


def rally(campaigns: Campaigns, **kw: Any) -> Event:
    return events.event_create(campaign=campaigns.corbyn, details=event_details(**kw))


def reply(event: Event, name: str, email: str | None = None, ip: str = "192.0.2.1") -> Rsvp:
    email = email or f"{name.split()[0].lower()}@example.org"
    return events.rsvp_create(event=event, name=name, email=email, client_ip=ip).rsvp


def code_in(message: Any) -> str:
    line = next(line for line in message.body.splitlines() if line.startswith("Your RSVP code"))
    return line.split(":", 1)[1].strip()


def cancel_token_in(message: Any) -> str:
    line = next(line for line in message.body.splitlines() if "/rsvp/cancel/" in line)
    return line.rstrip("/").rsplit("/", 1)[1]


# -- Events and satellites -----------------------------------------------------------------------


def test_an_event_with_bad_details_names_every_problem(campaigns: Campaigns) -> None:
    details = event_details(title=" ", venue="", capacity=0, ends_at=EVENING)
    with pytest.raises(ServiceError) as raised:
        events.event_create(campaign=campaigns.corbyn, details=details)
    for words in ("title:", "venue:", "ends at:", "capacity:"):
        assert words in raised.value.message
    assert not Event.objects.exists()


def test_a_satellite_links_to_a_main_event_of_the_same_campaign_only(campaigns: Campaigns) -> None:
    main = rally(campaigns)
    leeds = events.event_create(
        campaign=campaigns.corbyn, details=event_details(venue="Leeds"), main_event=main
    )
    assert list(main.satellites.all()) == [leeds]
    with pytest.raises(ServiceError, match="itself a satellite"):
        events.event_create(campaign=campaigns.corbyn, details=event_details(), main_event=leeds)
    with pytest.raises(ServiceError, match="same campaign"):
        events.event_create(campaign=campaigns.smith, details=event_details(), main_event=main)


def test_only_the_campaigns_own_runners_create_events(campaigns: Campaigns) -> None:
    for who in ("smith_manager", "corbyn_caller"):
        with pytest.raises(PermissionRefused):
            events.event_create(
                campaign=campaigns.corbyn, details=event_details(), actor=campaigns.people[who]
            )
    made = events.event_create(
        campaign=campaigns.corbyn,
        details=event_details(),
        actor=campaigns.people["corbyn_organiser"],
    )
    assert AuditEvent.objects.filter(action="campaign.event_create", object_id=str(made.pk))


# -- RSVPs, capacity and the waiting list --------------------------------------------------------


def test_rsvps_take_places_then_join_the_waiting_list_in_order(campaigns: Campaigns) -> None:
    event = rally(campaigns, capacity=2)
    statuses = [reply(event, name).status for name in ("Ann A", "Bob B", "Cat C", "Dan D")]
    assert statuses == ["confirmed", "confirmed", "waiting", "waiting"]
    assert "number 2 on the waiting list" in mail.outbox[3].body
    assert "Your RSVP code" not in mail.outbox[3].body  # no place, no code
    figures = selectors.event_attendance(event)
    assert (figures.confirmed, figures.waiting, figures.places_left) == (2, 2, 0)


def test_the_confirmation_carries_the_code_and_its_qr_and_the_database_only_hashes(
    campaigns: Campaigns,
) -> None:
    event = rally(campaigns)
    rsvp = reply(event, "Ann Andrews")
    message = mail.outbox[-1]
    code = code_in(message)
    assert message.to == ["ann@example.org"]
    assert [part.get_content_type() for part in message.attachments] == ["image/png"]
    assert message.attachments[0].get_payload(decode=True).startswith(b"\x89PNG")
    row = Rsvp.objects.filter(pk=rsvp.pk).values().get()
    assert not any(code.replace("-", "") in str(value) for value in row.values())
    assert events.rsvp_find_by_code(event, code.lower().replace("-", " ")) == rsvp


def test_a_second_reply_from_one_address_changes_nothing_and_resends_the_email(
    campaigns: Campaigns,
) -> None:
    event = rally(campaigns, capacity=1)
    first = events.rsvp_create(
        event=event, name="Ann", email="Ann@Example.org", client_ip="192.0.2.1"
    )
    again = events.rsvp_create(
        event=event, name="Ann", email="ann@example.org ", client_ip="192.0.2.1"
    )
    assert (first.is_new, again.is_new) == (True, False)
    assert again.rsvp.pk == first.rsvp.pk
    assert event.rsvps.count() == 1
    assert code_in(mail.outbox[0]) == code_in(mail.outbox[1])


@pytest.mark.parametrize(
    ("name", "email", "problem"),
    [("", "ann@example.org", "name: give your name"), ("Ann", "ann@", "email: give an email")],
)
def test_a_bad_rsvp_is_refused_naming_the_field(
    campaigns: Campaigns, name: str, email: str, problem: str
) -> None:
    event = rally(campaigns)
    with pytest.raises(ServiceError, match=problem):
        events.rsvp_create(event=event, name=name, email=email, client_ip="192.0.2.1")
    assert not event.rsvps.exists()


def test_rsvps_are_throttled_per_client_address(campaigns: Campaigns) -> None:
    event = rally(campaigns, capacity=50)
    for number in range(events.RSVP_LIMIT):
        reply(event, f"Person {number}", f"p{number}@example.org")
    with pytest.raises(ServiceError, match="Too many replies"):
        reply(event, "One more", "more@example.org")
    reply(event, "Elsewhere", "else@example.org", ip="198.51.100.7")
    assert event.rsvps.count() == events.RSVP_LIMIT + 1
    keys = list(ThrottleBucket.objects.values_list("key", flat=True))
    assert len(keys) == 2 and not any("192.0.2.1" in key for key in keys)  # addresses hashed


def test_a_started_event_takes_no_rsvp(campaigns: Campaigns, evening: Any) -> None:
    event = rally(campaigns)
    evening.move_to(event.starts_at)
    with pytest.raises(ServiceError, match="has started"):
        reply(event, "Late Larry")


def test_a_cancellation_gives_its_place_to_the_first_waiting(campaigns: Campaigns) -> None:
    event = rally(campaigns, capacity=1)
    ann = reply(event, "Ann A")
    bob = reply(event, "Bob B")
    reply(event, "Cat C")
    token = cancel_token_in(mail.outbox[0])
    found = events.rsvp_by_cancel_token(token)
    assert found == ann
    cancelled, promoted = events.rsvp_cancel(rsvp=found)
    assert cancelled.status == RsvpStatus.CANCELLED
    assert promoted == [bob]
    assert mail.outbox[-1].to == ["bob@example.org"]
    assert "A place has opened" in mail.outbox[-1].subject
    assert code_in(mail.outbox[-1])
    assert events.rsvp_cancel(rsvp=cancelled) == (cancelled, [])  # twice: nothing more
    statuses = dict(event.rsvps.values_list("name", "status"))
    assert statuses == {"Ann A": "cancelled", "Bob B": "confirmed", "Cat C": "waiting"}


def test_a_cancel_link_needs_the_whole_token(campaigns: Campaigns) -> None:
    event = rally(campaigns)
    reply(event, "Ann A")
    token = cancel_token_in(mail.outbox[0])
    assert events.rsvp_by_cancel_token(token[:-1]) is None
    assert events.rsvp_by_cancel_token("") is None


def test_more_places_go_to_the_waiting_list_and_fewer_than_given_are_refused(
    campaigns: Campaigns,
) -> None:
    event = rally(campaigns, capacity=1)
    for name in ("Ann A", "Bob B", "Cat C"):
        reply(event, name)
    event, promoted = events.event_update(event=event, details=event_details(capacity=2))
    assert [r.name for r in promoted] == ["Bob B"]
    assert event.sequence == 1
    reply(event, "Dan D")
    with pytest.raises(ServiceError, match="2 people already have a place"):
        events.event_update(event=event, details=event_details(capacity=1))


# -- Check-in at the door ------------------------------------------------------------------------


def test_check_in_by_code_is_idempotent_and_says_who_was_first(campaigns: Campaigns) -> None:
    event = rally(campaigns)
    ann = reply(event, "Ann A")
    code = code_in(mail.outbox[0])
    organiser = campaigns.people["corbyn_organiser"]
    manager = campaigns.people["corbyn_manager"]
    found = events.rsvp_find_by_code(event, code)
    assert found == ann
    first = events.rsvp_check_in(event=event, rsvp=found, actor=organiser)
    second = events.rsvp_check_in(event=event, rsvp=found, actor=manager)
    assert (first.was_already, second.was_already) == (False, True)
    assert second.rsvp.checked_in_by == organiser
    assert second.rsvp.checked_in_at == first.rsvp.checked_in_at
    assert AuditEvent.objects.filter(action="campaign.check_in").count() == 1
    assert selectors.event_attendance(event).checked_in == 1


def test_check_in_refuses_the_waiting_list_and_codes_of_other_events(campaigns: Campaigns) -> None:
    event = rally(campaigns, capacity=1)
    other = rally(campaigns, venue="Leeds")
    reply(event, "Ann A")
    waiting = reply(event, "Bob B")
    reply(other, "Cat C")
    with pytest.raises(ServiceError, match="waiting list, not confirmed"):
        events.rsvp_check_in(event=event, rsvp=waiting)
    assert events.rsvp_find_by_code(event, code_in(mail.outbox[-1])) is None
    assert events.rsvp_find_by_code(event, "not a code") is None
    with pytest.raises(PermissionRefused):
        events.rsvp_check_in(
            event=event,
            rsvp=event.rsvps.get(name="Ann A"),
            actor=campaigns.people["smith_organiser"],
        )


def test_a_main_events_figures_add_up_its_satellites(campaigns: Campaigns) -> None:
    main = rally(campaigns, capacity=2)
    leeds = events.event_create(
        campaign=campaigns.corbyn, details=event_details(venue="Leeds", capacity=1), main_event=main
    )
    for name in ("Ann A", "Bob B", "Cat C"):
        reply(main, name)
    reply(leeds, "Dan D")
    reply(leeds, "Eve E")
    events.rsvp_check_in(event=leeds, rsvp=leeds.rsvps.get(name="Dan D"))
    linked = selectors.linked_attendance(main)
    assert [row.event for row in linked.rows] == [main, leeds]
    total = linked.total
    assert (total.capacity, total.confirmed, total.waiting, total.checked_in) == (3, 3, 2, 1)
    assert total.turnout_percent == 33


# -- Reminders -----------------------------------------------------------------------------------


class RefusingMail:
    """A mail connection that accepts nothing (a server gone down mid-run)."""

    def send_messages(self, messages: list[Any]) -> int:
        return 0


def test_reminders_go_once_to_people_with_a_place_at_events_within_a_day(
    campaigns: Campaigns, evening: Any
) -> None:
    soon = rally(campaigns, capacity=1)
    later = rally(
        campaigns,
        starts_at=EVENING + dt.timedelta(days=9),
        ends_at=EVENING + dt.timedelta(days=9, hours=1),
    )
    reply(soon, "Ann A")
    reply(soon, "Bob B")  # waiting: no reminder
    reply(later, "Cat C")
    mail.outbox.clear()
    evening.move_to(soon.starts_at - dt.timedelta(hours=20))
    with pytest.raises(ServiceError, match="accepted 0 of 1"):
        events.reminders_send_batch(mail_connection=RefusingMail())
    assert not Rsvp.objects.filter(reminded_at__isnull=False).exists()  # rolled back
    assert events.reminders_send(rate=0, batch_size=1) == 1
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]
    assert mail.outbox[0].subject.startswith("Reminder: Rally for Jeremy")
    assert code_in(mail.outbox[0])
    assert events.reminders_send(rate=0) == 0  # once per RSVP


# -- The calendar feed ---------------------------------------------------------------------------


def test_text_is_escaped_and_lines_fold_at_75_octets() -> None:
    assert ical.text_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "DESCRIPTION:" + "é" * 100
    folded = ical.line_fold(line)
    pieces = folded.split("\r\n")
    assert all(len(piece.encode()) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert "".join(piece[1:] if i else piece for i, piece in enumerate(pieces)) == line


def test_the_feed_lists_public_events_in_utc_with_stable_uids(campaigns: Campaigns) -> None:
    event = rally(
        campaigns, title="Rally, with; friends", description="Doors 18:00\nBring a friend"
    )
    rally(campaigns, title="Organisers only", is_public=False)
    reply(event, "Ann Andrews")
    url = reverse("campaigns:event_feed", args=[campaigns.corbyn.pk])
    first = Client().get(url)
    assert first["Content-Type"] == "text/calendar; charset=utf-8"
    text = first.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "SUMMARY:Rally\\, with\\; friends" in text
    assert "DESCRIPTION:Doors 18:00\\nBring a friend" in text
    assert "DTSTART:20160825T183000Z" in text
    assert f"UID:{event.uid}@omov" in text
    assert "Organisers only" not in text
    assert "Andrews" not in text and "ann@" not in text
    events.event_update(event=event, details=event_details(title="Rally moved", capacity=5))
    second = Client().get(url).content.decode()
    assert f"UID:{event.uid}@omov" in second
    assert "SEQUENCE:1" in second


# -- Erasure -------------------------------------------------------------------------------------


def test_erasure_deletes_rsvps_and_keeps_attendance_figures(campaigns: Campaigns) -> None:
    event = rally(campaigns)
    reply(event, "Ann A")
    events.rsvp_check_in(event=event, rsvp=event.rsvps.get())
    with time_machine.travel(EVENING + dt.timedelta(days=1), tick=False):
        deleted = canvass_erase(contest=campaigns.contest, force=True)
    assert deleted["rsvps"] == 1
    assert not Rsvp.objects.exists()
    summary = CampaignSummary.objects.get(campaign=campaigns.corbyn)
    assert summary.attendance == {str(event.pk): {"confirmed": 1, "checked_in": 1}}


def test_a_code_that_collides_is_drawn_again(campaigns: Campaigns, monkeypatch: Any) -> None:
    nonces = iter(["a" * 32, "a" * 32, "b" * 32])
    monkeypatch.setattr(rsvp_codes, "nonce_new", lambda: next(nonces))
    event = rally(campaigns)
    first = reply(event, "Ann A")
    second = reply(event, "Bob B")
    assert (first.nonce, second.nonce) == ("a" * 32, "b" * 32)
    assert events.rsvp_find_by_code(event, code_in(mail.outbox[-1])) == second
