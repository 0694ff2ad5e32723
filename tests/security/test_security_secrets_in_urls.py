"""Threat: the access log keeps `/vote/?ref=<ballot reference>` and `?receipt=<receipt>` beside
the voter's address and time; joined with the database and the count key, that names a vote
(issue 8, item 4).

No voter secret, reference or receipt travels in a URL the server sees: the emailed link carries
the reference in the fragment, receipts are checked by POST, and `omov serve`'s access log drops
/vote/ query strings and booth referrers' queries in any case (the serve test in
test_security_production_default.py reads a real server's log).
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail

from omov.ballots import services
from omov.ballots.models import Ballot
from omov.config.access_log import QuietVoteLogger

pytestmark = pytest.mark.django_db


def test_credential_emails_carry_the_reference_only_in_the_fragment(open_ballot: Any) -> None:
    services.credentials_send(contest=open_ballot.contest, rate=0)
    assert mail.outbox
    for message in mail.outbox:
        bodies = [message.body] + [content for content, _ in message.alternatives]
        for body in bodies:
            links = re.findall(r"https?://[^\s\"'<>]+/vote/[^\s\"'<>]*", body)
            assert links
            for link in links:
                parts = urlsplit(link)
                assert parts.query == "", link  # the part a server receives and logs
                assert parts.fragment == "" or parts.fragment.startswith("ref=")


def test_a_receipt_in_the_query_string_is_not_read(client: Any, open_ballot: Any) -> None:
    corbyn, _ = open_ballot.candidates
    issued = open_ballot.credential_for(open_ballot.entries[0])
    client.post("/vote/", {"reference": issued.reference, "code": issued.code})
    page = client.post("/vote/confirm/", {f"pref_{corbyn.pk}": "1"}).content.decode()
    receipt = re.search(r'id="receipt">([A-Z2-7]{16})<', page).group(1)
    assert Ballot.objects.filter(receipt=receipt).exists()
    services.ballot_close(contest=open_ballot.contest, actor_label="test")
    url = f"/vote/receipts/{open_ballot.contest.slug}/"
    found = f"Receipt {receipt} is in the list"
    assert found not in client.get(url, {"receipt": receipt}).content.decode()
    assert found in client.post(url, {"receipt": receipt}).content.decode()
    form = client.get(url).content.decode()
    assert '<form method="post">' in form


def _atoms(path: str, query: str, referrer: str) -> dict[str, Any]:
    logger = QuietVoteLogger(SimpleNamespace(**_gunicorn_config()))
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}" if query else path,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": referrer,
        "REMOTE_ADDR": "192.0.2.7",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", referrer)])
    return logger.atoms(response, request, environ, timedelta(seconds=0))


def _gunicorn_config() -> dict[str, Any]:
    from gunicorn.config import Config

    config = Config()
    return {name: setting.get() for name, setting in config.settings.items()}


def test_the_access_log_drops_booth_queries_and_booth_referrers() -> None:
    atoms = _atoms("/vote/", "ref=ABCDE12345", "https://omov.example/vote/?ref=ABCDE12345")
    assert atoms["r"] == "GET /vote/ HTTP/1.1" and atoms["q"] == ""
    assert atoms["f"] == "https://omov.example/vote/"
    assert "ABCDE12345" not in repr(atoms)
    receipt = _atoms("/vote/receipts/leader/", "receipt=RCPT", "-")
    assert "RCPT" not in repr(receipt)
    # A supervisor's page names the paper's reference in its path: the log does not.
    paper = _atoms(
        "/vote/paper/leader/supervisor/ABCDE12345/",
        "",
        "https://omov.example/vote/paper/leader/supervisor/ABCDE12345/",
    )
    assert "ABCDE12345" not in repr(paper)
    assert paper["r"] == "GET /vote/paper/leader/supervisor/[reference]/ HTTP/1.1"
    # Elsewhere the query is kept (the back office's filters help reading the log).
    other = _atoms("/admin/core/auditevent/", "action=login.locked", "-")
    assert other["r"] == "GET /admin/core/auditevent/?action=login.locked HTTP/1.1"
