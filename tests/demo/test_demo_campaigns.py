"""`omov demo` gives both 2016 campaigns a Nottingham evening, and prints a caller who can call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from omov.campaigns.models import Call, Campaign, DoNotCall, RollRelease
from omov.campaigns.selectors import linked_attendance
from omov.demo.build import DEPUTY_SLUG, LEADERSHIP_SLUG, DemoReport, demo_build
from omov.demo.campaigns import NOTTINGHAM_CALLS, RALLY_ORGANISER, RALLY_VENUES


@pytest.fixture(scope="module")
def built_once(
    django_db_setup: Any,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
    labour_contests_path: Path,
) -> Iterator[DemoReport]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo_build(
                data_dir=tmp_path_factory.mktemp("demo-campaigns"),
                divisor=100,
                figures_path=labour_contests_path,
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def built(built_once: DemoReport, db: Any) -> DemoReport:
    return built_once


def test_both_2016_campaigns_ran_a_nottingham_evening(built: DemoReport) -> None:
    campaigns = Campaign.objects.filter(contest__slug=LEADERSHIP_SLUG)
    assert sorted(campaigns.values_list("candidate__name", flat=True)) == [
        "Jeremy Corbyn",
        "Owen Smith",
    ]
    assert RollRelease.objects.filter(contest__slug=LEADERSHIP_SLUG).exists()
    corbyn = campaigns.get(candidate__name="Jeremy Corbyn")
    assert corbyn.calls.count() == NOTTINGHAM_CALLS
    assert set(corbyn.calls.values_list("session__name", flat=True)) == {
        "Nottingham phone-bank evening"
    }
    assert Call.objects.filter(campaign__contest__slug=LEADERSHIP_SLUG).count() > NOTTINGHAM_CALLS
    assert DoNotCall.objects.exists()


def test_the_printed_caller_can_make_a_call_at_once(built: DemoReport) -> None:
    account = next(a for a in built.accounts if a.username == "tom-watson-caller")
    client = Client()
    assert client.login(username=account.username, password=account.password)
    page = client.get(account.start_url)
    assert page.status_code == 200
    taken = client.post(account.start_url, {"action": "next"})
    assert taken.status_code == 302
    shown = client.get(account.start_url).content.decode()
    assert 'href="tel:+44' in shown
    assert Campaign.objects.filter(contest__slug=DEPUTY_SLUG).count() == 5


def test_the_2016_rally_has_satellite_screenings_with_rsvps_and_a_door(
    built: DemoReport,
) -> None:
    corbyn = Campaign.objects.get(contest__slug=LEADERSHIP_SLUG, candidate__name="Jeremy Corbyn")
    main = corbyn.events.get(main_event__isnull=True)
    assert main.satellites.count() == len(RALLY_VENUES) - 1
    linked = linked_attendance(main)
    assert [row.capacity for row in linked.rows] == [venue[2] for venue in RALLY_VENUES]
    assert linked.rows[0].confirmed == RALLY_VENUES[0][2]  # full, after two cancellations
    assert linked.rows[0].waiting == RALLY_VENUES[0][3] - RALLY_VENUES[0][2] - 2
    assert linked.rows[0].cancelled == 2
    account = next(a for a in built.accounts if a.username == RALLY_ORGANISER)
    client = Client()
    assert client.login(username=account.username, password=account.password)
    page = client.get(account.start_url).content.decode()
    assert "Jeremy for Labour: rally" in page and "Glasgow" in page
