"""Issue 15, item 1: preview what voters get; resend to every voter who has not voted."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ballots_support import open_contest
from django.core import mail
from test_ballots_delivery import FailingBackend, credentials_in

from factories import UserFactory, grant
from omov.ballots import services
from omov.ballots.models import Credential
from omov.cli.main import main
from omov.core.errors import ServiceError
from omov.core.models import AuditEvent, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OMOV_PUBLIC_URL = "https://vote.example.org"
    settings.OMOV_RETURN_ADDRESS = "Returning Officer|1 High Street|London|N1 1AA"
    settings.OMOV_HELP_CONTACT = "ballot@example.org"


def works(reference: str, code: str) -> bool:
    try:
        services.credential_sign_in(reference=reference, code=code, client_ip="10.3.0.1")
    except ServiceError:
        return False
    return True


def test_preview_shows_one_email_for_a_made_up_voter_and_writes_nothing(tmp_path: Path) -> None:
    ballot = open_contest(voters=2)
    before = list(Credential.objects.values_list("reference_hash", "issued_at"))
    preview = services.credentials_preview(contest=ballot.contest)
    assert preview.link == "https://vote.example.org/vote/#ref=XXXXXXXXXX"
    assert "Ballot reference: XXXXX-XXXXX" in preview.text
    assert "Security code:    XXXX-XXXX" in preview.text
    assert preview.to.endswith(".invalid") and preview.letter_pdf.startswith(b"%PDF")
    assert not preview.problems
    assert list(Credential.objects.values_list("reference_hash", "issued_at")) == before
    assert not mail.outbox and not AuditEvent.objects.filter(action__startswith="credentials")


def test_preview_refuses_a_loopback_address_in_production(settings: Any) -> None:
    ballot = open_contest(voters=1)
    settings.IS_PRODUCTION = True
    settings.OMOV_PUBLIC_URL = "http://127.0.0.1:8000"
    with pytest.raises(ServiceError, match="an address of this machine"):
        services.credentials_preview(contest=ballot.contest)


def test_preview_lists_what_letters_lack(settings: Any) -> None:
    ballot = open_contest(voters=1)
    settings.OMOV_RETURN_ADDRESS = ""
    settings.OMOV_HELP_CONTACT = ""
    problems = services.credentials_preview(contest=ballot.contest).problems
    assert [p.split(" ")[0] for p in problems] == ["OMOV_RETURN_ADDRESS", "OMOV_HELP_CONTACT"]


def test_cli_preview_prints_the_email_and_writes_a_sample_letter(
    tmp_path: Path, capsys: Any
) -> None:
    ballot = open_contest(voters=1)
    target = tmp_path / "sample.pdf"
    slug = ballot.contest.slug
    assert main(["credentials", "preview", "--contest", slug, "--letter-out", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"Subject: Your ballot for {ballot.contest.title}" in out
    assert "The link every voter gets: https://vote.example.org/vote/#ref=XXXXXXXXXX" in out
    assert target.read_bytes().startswith(b"%PDF")
    assert main(["credentials", "preview", "--contest", slug, "--letter-out", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_resend_kills_every_unused_credential_and_sends_fresh_ones_once() -> None:
    ballot = open_contest(voters=4)
    services.credentials_send(contest=ballot.contest, rate=0)
    old = [credentials_in(m) for m in mail.outbox]
    voted = old[0]
    credential = services.credential_sign_in(
        reference=voted[0], code=voted[1], client_ip="10.3.0.9"
    )
    services.ballot_cast(credential_id=credential.pk, ranking=[ballot.candidates[0].pk])
    mail.outbox = []
    with pytest.raises(ServiceError, match="reason"):
        services.credentials_resend(contest=ballot.contest, reason=" ")
    counts = services.credentials_resend(contest=ballot.contest, reason="The link was wrong")
    assert (counts.emails, counts.letters) == (3, 0)
    assert not any(works(*pair) for pair in old[1:])
    event = AuditEvent.objects.get(action="credentials.resend")
    assert event.data == {"emails": 3, "letters": 0} and event.reason == "The link was wrong"
    assert services.credentials_send(contest=ballot.contest, rate=0) == 3
    fresh = [credentials_in(m) for m in mail.outbox]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        e.person.email for e in ballot.entries if e.credential.pk != credential.pk
    )
    assert all(works(*pair) for pair in fresh)
    assert Credential.objects.get(pk=credential.pk).has_voted


def test_an_interrupted_resend_is_finished_by_sending_never_by_resetting_again(
    settings: Any,
) -> None:
    ballot = open_contest(voters=5)
    services.credentials_send(contest=ballot.contest, rate=0)
    mail.outbox = []
    services.credentials_resend(contest=ballot.contest, reason="Wrong closing date")
    settings.EMAIL_BACKEND = "test_ballots_delivery.FailingBackend"
    FailingBackend.calls = 0
    with pytest.raises(ConnectionError):
        services.credentials_send(contest=ballot.contest, batch_size=2, rate=0)
    first_batch = {m.to[0] for m in mail.outbox}
    assert len(first_batch) == 2
    with pytest.raises(ServiceError, match="3 emails and 0 letters still wait to go out"):
        services.credentials_resend(contest=ballot.contest, reason="again")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.credentials_send(contest=ballot.contest, rate=0) == 3
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)) == 5  # nobody got a second fresh email
    assert all(works(*credentials_in(m)) for m in mail.outbox)
    assert AuditEvent.objects.filter(action="credentials.resend").count() == 1


def test_cli_resend_replaces_and_emails(capsys: Any) -> None:
    ballot = open_contest(voters=2)
    slug = ballot.contest.slug
    services.credentials_send(contest=ballot.contest, rate=0)
    mail.outbox = []
    with pytest.raises(SystemExit):
        main(["credentials", "resend", "--contest", slug, "--reason", "x"])
    assert "required: --not-voted" in capsys.readouterr().err
    assert not AuditEvent.objects.filter(action="credentials.resend").exists()
    command = ["credentials", "resend", "--contest", slug, "--not-voted", "--rate", "0"]
    assert main([*command, "--reason", "Wrong link"]) == 0
    out = capsys.readouterr().out
    assert "Replaced 2 credentials" in out and "Emailed 2 fresh credentials" in out
    assert len(mail.outbox) == 2


def test_office_resend_needs_the_officer_and_a_confirmation(client: Any) -> None:
    ballot = open_contest(voters=3)
    slug = ballot.contest.slug
    services.credentials_send(contest=ballot.contest, rate=0)
    officer, scrutineer = UserFactory(username="ro"), UserFactory(username="scr")
    grant(officer, Role.RETURNING_OFFICER)
    grant(scrutineer, Role.SCRUTINEER)
    client.force_login(scrutineer)
    assert client.get(f"/vote/office/{slug}/resend/").status_code == 403
    assert client.get(f"/vote/office/{slug}/sample-letter.pdf").status_code == 403
    client.force_login(officer)
    office = client.get(f"/vote/office/{slug}/").content.decode()
    assert "https://vote.example.org/vote/#ref=XXXXXXXXXX" in office
    assert "Download one sample letter" in office
    letter = client.get(f"/vote/office/{slug}/sample-letter.pdf")
    assert letter.content.startswith(b"%PDF")
    page = client.get(f"/vote/office/{slug}/resend/").content.decode()
    assert re.search(r"<strong>3</strong> voters by email", page)
    unconfirmed = client.post(f"/vote/office/{slug}/resend/", {"reason": "Wrong link"})
    assert "This field is required" in unconfirmed.content.decode()
    assert not AuditEvent.objects.filter(action="credentials.resend").exists()
    done = client.post(
        f"/vote/office/{slug}/resend/", {"reason": "Wrong link", "confirm": "on"}, follow=True
    )
    assert "Replaced 3 credentials" in done.content.decode()
    assert services.credentials_pending(ballot.contest) == 3
    assert AuditEvent.objects.get(action="credentials.resend").actor == officer
