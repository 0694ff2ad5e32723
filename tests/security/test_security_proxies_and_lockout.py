"""Threats: behind a proxy every voter shared one guessing bucket; without one, a spoofed
X-Forwarded-For lifted the limit; the sign-up page ignored the setting; and anyone could lock a
staff member out by failing log-ins with their user name (issue 8, item 8).

One function (`omov.core.http.client_ip`) finds the client's address for every page, trusting
exactly OMOV_TRUSTED_PROXY_HOPS proxies; staff log-ins lock per (user name, address), with a
slower limit per user name alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import time_machine

from factories import UserFactory

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).resolve().parents[2] / "src" / "omov"
BAD = {"reference": "ABCDE12345", "code": "ZZZZZZZZ"}
PASSWORD = "correct horse battery staple"


def test_without_a_trusted_proxy_a_spoofed_header_does_not_lift_the_limit(
    client: Any, open_ballot: Any, settings: Any
) -> None:
    settings.OMOV_TRUSTED_PROXY_HOPS = 0
    settings.OMOV_BOOTH_ATTEMPTS_PER_ADDRESS = 2
    for number in range(2):
        client.post("/vote/", BAD, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    spoofed = client.post("/vote/", BAD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert "try again after" in spoofed.content.decode()


def test_behind_one_proxy_each_voter_has_their_own_bucket_and_cannot_spoof_it(
    client: Any, open_ballot: Any, settings: Any
) -> None:
    settings.OMOV_TRUSTED_PROXY_HOPS = 1
    settings.OMOV_BOOTH_ATTEMPTS_PER_ADDRESS = 1
    proxy = {"REMOTE_ADDR": "10.0.0.5"}  # every request arrives from the proxy
    client.post("/vote/", BAD, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    # The guesser adds addresses of their own in front; the proxy appended the real one.
    spoofed = client.post("/vote/", BAD, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", **proxy)
    assert "try again after" in spoofed.content.decode()
    other_voter = client.post("/vote/", BAD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert "do not match" in other_voter.content.decode()


def test_one_client_address_function_everywhere() -> None:
    """No page, form or service reads the address or the forwarding header itself."""
    readers = []
    for path in SOURCE.rglob("*.py"):
        if path.match("core/http.py") or path.match("config/*.py"):
            continue  # the function itself; the settings and the access log read no request
        text = path.read_text(encoding="utf-8")
        if re.search(r"REMOTE_ADDR|X_FORWARDED_FOR|X-Forwarded-For", text):
            readers.append(str(path.relative_to(SOURCE)))
    assert readers == []


def log_in(client: Any, username: str, password: str, address: str) -> Any:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.fixture
def limits(settings: Any) -> Any:
    settings.OMOV_LOGIN_ATTEMPTS_PER_USER_ADDRESS = 3
    settings.OMOV_LOGIN_ATTEMPTS_PER_ADDRESS = 20
    settings.OMOV_LOGIN_ATTEMPTS_PER_USER = 8
    settings.OMOV_LOGIN_USER_WINDOW = 3600
    return settings


def test_failing_with_a_known_user_name_does_not_lock_its_owner_out(
    client: Any, limits: Any
) -> None:
    UserFactory(username="returning-officer")
    with time_machine.travel("2026-06-01 12:01:00Z", tick=False):
        for _ in range(5):
            log_in(client, "returning-officer", "wrong", "203.0.113.9")
        refused = log_in(client, "returning-officer", PASSWORD, "203.0.113.9")
        assert "Too many failed log-ins" in refused.content.decode()
        assert log_in(client, "returning-officer", PASSWORD, "10.0.0.1").status_code == 302


def test_guessing_one_password_from_many_addresses_meets_the_per_name_limit(
    client: Any, limits: Any
) -> None:
    UserFactory(username="returning-officer")
    with time_machine.travel("2026-06-01 12:01:00Z", tick=False) as traveller:
        for number in range(8):
            log_in(client, "returning-officer", "wrong", f"198.51.100.{number}")
        page = log_in(client, "returning-officer", PASSWORD, "10.0.0.1").content.decode()
        assert "Too many failed log-ins" in page and "try again after 14:00" in page
        traveller.move_to("2026-06-01 13:00:01Z")  # the hour's window has ended
        assert log_in(client, "returning-officer", PASSWORD, "10.0.0.1").status_code == 302
