"""Voters' links: production refuses to open the ballot or send credentials to a wrong address."""

from __future__ import annotations

from typing import Any

import pytest
from ballots_support import make_roll

from factories import CandidateFactory, ContestFactory
from omov.ballots import services
from omov.ballots.models import Credential
from omov.ballots.public_url import public_url_problem
from omov.core.errors import ServiceError


@pytest.mark.parametrize(
    ("url", "is_production", "problem"),
    [
        ("", True, "OMOV_PUBLIC_URL is not set"),
        ("   ", False, "OMOV_PUBLIC_URL is not set"),
        ("vote.example.org", True, "not a web address"),
        ("ftp://vote.example.org", True, "not a web address"),
        ("http://127.0.0.1:8000", True, "cannot reach"),
        ("https://localhost/", True, "cannot reach"),
        ("https://[::1]:8443", True, "cannot reach"),
        ("https://0.0.0.0", True, "cannot reach"),
        ("https://vote.localhost", True, "cannot reach"),
        ("http://vote.example.org", True, "unencrypted"),
        ("https://vote.example.org", True, None),
        ("https://vote.example.org/", True, None),
        ("http://127.0.0.1:8000", False, None),
    ],
)
def test_which_addresses_voters_can_be_sent_to(
    url: str, is_production: bool, problem: str | None
) -> None:
    found = public_url_problem(url, is_production=is_production)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.django_db
def test_production_refuses_to_open_the_ballot_with_a_loopback_link(
    settings: Any, tmp_path: Any
) -> None:
    settings.IS_PRODUCTION = True
    settings.OMOV_PUBLIC_URL = "http://127.0.0.1:8000"
    contest = ContestFactory(slug="union", status="roll_frozen")
    CandidateFactory(contest=contest, name="A", status="nominated")
    make_roll(contest, 2)
    with pytest.raises(ServiceError, match="OMOV_PUBLIC_URL"):
        services.ballot_open(contest=contest, key_out=tmp_path / "count.key")
    contest.refresh_from_db()
    assert contest.status == "roll_frozen"
    assert not Credential.objects.filter(contest=contest).exists()
    assert not (tmp_path / "count.key").exists()

    settings.OMOV_PUBLIC_URL = "https://vote.example.org"
    services.ballot_open(contest=contest, key_out=tmp_path / "count.key")
    contest.refresh_from_db()
    assert contest.status == "ballot_open"


@pytest.mark.django_db
def test_production_refuses_to_send_credentials_with_an_unset_link(
    settings: Any, open_ballot: Any, tmp_path: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.IS_PRODUCTION = True
    settings.OMOV_PUBLIC_URL = ""
    with pytest.raises(ServiceError, match="OMOV_PUBLIC_URL is not set"):
        services.credentials_send(contest=open_ballot.contest, rate=0)
    with pytest.raises(ServiceError, match="OMOV_PUBLIC_URL is not set"):
        services.letters_print(contest=open_ballot.contest, path=tmp_path / "letters.pdf")
    assert not Credential.objects.filter(issued_at__isnull=False).exists()

    from django.core import mail

    settings.OMOV_PUBLIC_URL = "https://vote.example.org"
    assert services.credentials_send(contest=open_ballot.contest, rate=0) == 5
    assert "https://vote.example.org/vote/#ref=" in mail.outbox[0].body


@pytest.mark.django_db
def test_an_installation_serving_only_this_machine_may_link_to_it(
    settings: Any, tmp_path: Any
) -> None:
    settings.IS_PRODUCTION = True
    settings.OMOV_LOCAL_ONLY = True  # what `omov demo` sets
    settings.OMOV_PUBLIC_URL = "http://127.0.0.1:8000"
    contest = ContestFactory(slug="demo", status="roll_frozen")
    CandidateFactory(contest=contest, name="A", status="nominated")
    make_roll(contest, 1)
    services.ballot_open(contest=contest, key_out=tmp_path / "count.key")
    contest.refresh_from_db()
    assert contest.status == "ballot_open"
