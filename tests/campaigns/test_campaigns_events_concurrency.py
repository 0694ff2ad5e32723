"""Many replies and two doors at once, proven on PostgreSQL: the last place is given once, a
person is checked in once, and a cancelled place goes to exactly one person waiting.

Runs only when DATABASE_URL points at PostgreSQL (SQLite serialises every write).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import time_machine
from django.db import connections

from campaigns_support import EVENING, build_campaigns, event_details
from omov.campaigns import events
from omov.campaigns.models import RsvpStatus

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="concurrency is proven on PostgreSQL: set DATABASE_URL=postgres://...",
    ),
    pytest.mark.django_db(transaction=True),
]

REPLIES = 24
PLACES = 5


def in_threads(count: int, work: Any) -> list[Any]:
    def run(index: int) -> Any:
        try:
            return work(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(run, range(count)))


def test_replies_at_once_fill_the_places_exactly_and_queue_the_rest(contest: Any) -> None:
    with time_machine.travel(EVENING, tick=False):
        setup = build_campaigns(contest, voters=2)
        event = events.event_create(campaign=setup.corbyn, details=event_details(capacity=PLACES))
        taken = in_threads(
            REPLIES,
            lambda i: (
                events.rsvp_create(
                    event=event,
                    name=f"Person {i}",
                    email=f"p{i}@example.org",
                    client_ip=f"192.0.2.{i}",
                ).rsvp.status
            ),
        )
        assert taken.count(RsvpStatus.CONFIRMED) == PLACES
        assert event.rsvps.filter(status=RsvpStatus.CONFIRMED).count() == PLACES
        assert event.rsvps.filter(status=RsvpStatus.WAITING).count() == REPLIES - PLACES
        confirmed = list(event.rsvps.filter(status=RsvpStatus.CONFIRMED))
        first_waiting = event.rsvps.filter(status=RsvpStatus.WAITING).order_by(
            "waiting_since", "id"
        )[:2]
        expected = {rsvp.pk for rsvp in first_waiting}
        results = in_threads(2, lambda i: events.rsvp_cancel(rsvp=confirmed[i])[1])
        promoted = {rsvp.pk for batch in results for rsvp in batch}
        assert promoted == expected
        assert event.rsvps.filter(status=RsvpStatus.CONFIRMED).count() == PLACES


def test_two_doors_checking_one_person_record_one_arrival(contest: Any) -> None:
    with time_machine.travel(EVENING, tick=False):
        setup = build_campaigns(contest, voters=2)
        event = events.event_create(campaign=setup.corbyn, details=event_details())
        rsvp = events.rsvp_create(
            event=event, name="Ann", email="ann@example.org", client_ip="192.0.2.1"
        ).rsvp
        doors = [setup.people["corbyn_organiser"], setup.people["corbyn_manager"]] * 4
        results = in_threads(
            len(doors), lambda i: events.rsvp_check_in(event=event, rsvp=rsvp, actor=doors[i])
        )
        assert [result.was_already for result in results].count(False) == 1
        assert len({result.rsvp.checked_in_at for result in results}) == 1
        assert len({result.rsvp.checked_in_by_id for result in results}) == 1
