"""The ballot office pages: opening shows the count key once; progress and turnout figures."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from ballots_support import make_roll, open_contest

from factories import CandidateFactory, ContestFactory, UserFactory, grant
from omov.ballots import crypto, services
from omov.ballots.models import BallotBox, PaperRecord
from omov.core.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer() -> Any:
    user = UserFactory(username="ro")
    grant(user, Role.RETURNING_OFFICER)
    return user


def test_opening_from_the_office_shows_the_key_once_and_never_stores_it(
    client: Any, officer: Any
) -> None:
    contest = ContestFactory(slug="office", status="roll_frozen")
    CandidateFactory(contest=contest, name="A", status="nominated")
    make_roll(contest, 3)
    client.force_login(officer)
    page = client.get("/vote/office/office/").content.decode()
    assert "Open the ballot" in page
    response = client.post("/vote/office/office/open/")
    assert response["Cache-Control"].count("no-store") >= 1
    html = response.content.decode()
    download = re.search(r"data:text/plain;base64,([A-Za-z0-9+/=]+)", html).group(1)
    key = crypto.count_key_parse(base64.b64decode(download))
    assert bytes(BallotBox.objects.get(contest=contest).public_key) == crypto.public_key_of(key)
    # Not shown again: the office page now offers no key and opening again is refused.
    again = client.post("/vote/office/office/open/", follow=True).content.decode()
    assert "data:text/plain" not in again
    assert "ballot open" in again.lower()


def test_office_shows_delivery_progress_and_turnout(
    client: Any, officer: Any, open_ballot: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.credentials_send(contest=open_ballot.contest, rate=0, limit=2)
    client.force_login(officer)
    page = client.get(f"/vote/office/{open_ballot.contest.slug}/").content.decode()
    assert '<progress max="100" value="40"' in page
    assert "omov credentials send --contest leader-2016" in page


def test_generic_contest_step_button_cannot_lose_the_key(client: Any, officer: Any) -> None:
    contest = ContestFactory(slug="generic", status="roll_frozen")
    CandidateFactory(contest=contest, name="A", status="nominated")
    make_roll(contest, 1)
    client.force_login(officer)
    page = client.post("/contests/generic/step/open_ballot/", follow=True).content.decode()
    assert "ballot office page" in page
    contest.refresh_from_db()
    assert contest.status == "roll_frozen"


def test_office_shows_words_never_stored_identifiers(client: Any, officer: Any, db: Any) -> None:
    contest = open_contest(voters=2, category="affiliated_supporter").contest
    PaperRecord.objects.create(contest=contest, outcome="spoilt", reason="no_preference")
    PaperRecord.objects.create(contest=contest, outcome="rejected", reason="already_voted")
    client.force_login(officer)
    page = client.get(f"/vote/office/{contest.slug}/").content.decode()
    for word in (
        '<th scope="row">Affiliated supporter</th>',
        "Spoilt paper",
        "No preference marked",
        "Rejected paper",
        "The voter had already voted",
        "Printed letter",
    ):
        assert word in page
    for identifier in ("affiliated_supporter", "no_preference", "already_voted", ">spoilt<"):
        assert identifier not in page
