"""Delivering credentials: email batches (resumable), letters, reissue, reminders, the CLI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ballots_support import open_contest
from django.core import mail

from factories import UserFactory, grant
from omov.ballots import crypto, services
from omov.ballots.models import Credential
from omov.cli.main import main
from omov.core.errors import ServiceError
from omov.core.models import AuditEvent, Role

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"Ballot reference: ([0-9A-Z]{5}-[0-9A-Z]{5})")
CODE = re.compile(r"Security code:\s+([0-9A-Z]{4}-[0-9A-Z]{4})")


def credentials_in(message: Any) -> tuple[str, str]:
    return REFERENCE.search(message.body).group(1), CODE.search(message.body).group(1)


def test_send_emails_every_credential_once_with_a_link_that_never_holds_the_code(
    settings: Any,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ballot = open_contest(voters=7)
    sent = services.credentials_send(contest=ballot.contest, batch_size=3, rate=0)
    assert sent == 7
    assert len(mail.outbox) == 7
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.person.email for e in ballot.entries)
    for message in mail.outbox:
        reference, code = credentials_in(message)
        html = message.alternatives[0][0]
        assert f"/vote/#ref={crypto.normalise(reference)}" in message.body
        assert f"/vote/#ref={crypto.normalise(reference)}" in html
        assert code in html
        links = re.findall(r"https?://\S+", message.body)
        assert not any(crypto.normalise(code) in link for link in links)
        credential = services.credential_sign_in(
            reference=reference, code=code, client_ip=f"10.1.{len(reference)}.1"
        )
        assert credential.contest == ballot.contest
    assert not Credential.objects.filter(issued_at__isnull=True).exists()
    # Running the job again sends nothing more.
    assert services.credentials_send(contest=ballot.contest, rate=0) == 0
    assert len(mail.outbox) == 7


class FailingBackend:
    """A mail server that accepts one batch and then goes away."""

    calls = 0

    def __init__(self, **_: Any) -> None:
        pass

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        FailingBackend.calls += 1
        if FailingBackend.calls > 1:
            raise ConnectionError("mail server went away")
        mail.outbox.extend(messages)
        return len(messages)


def test_a_crash_mid_send_loses_nothing_and_the_rerun_finishes(settings: Any) -> None:
    settings.EMAIL_BACKEND = "test_ballots_delivery.FailingBackend"
    mail.outbox = []
    FailingBackend.calls = 0
    ballot = open_contest(voters=5)
    with pytest.raises(ConnectionError):
        services.credentials_send(contest=ballot.contest, batch_size=2, rate=0)
    assert Credential.objects.filter(issued_at__isnull=False).count() == 2
    assert services.credentials_pending(ballot.contest) == 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.credentials_send(contest=ballot.contest, batch_size=2, rate=0) == 3
    assert services.credentials_pending(ballot.contest) == 0
    # Every message that went out, in either run, carries a credential that works.
    for message in mail.outbox:
        reference, code = credentials_in(message)
        services.credential_sign_in(reference=reference, code=code, client_ip="10.2.0.1")


def test_sending_respects_the_rate_limit(settings: Any, monkeypatch: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    slept: list[float] = []
    monkeypatch.setattr("omov.core.mail.time.sleep", slept.append)
    ballot = open_contest(voters=4)
    services.credentials_send(contest=ballot.contest, batch_size=2, rate=1)
    assert len(slept) == 2 and sum(slept) > 3.5


def test_letters_go_to_voters_without_email_consent(tmp_path: Path) -> None:
    ballot = open_contest(voters=3, consent_email=False)
    target = tmp_path / "letters.pdf"
    assert services.letters_print(contest=ballot.contest, path=target) == 3
    assert target.read_bytes().startswith(b"%PDF")
    assert target.stat().st_mode & 0o777 == 0o600
    assert services.letters_print(contest=ballot.contest, path=tmp_path / "again.pdf") == 0
    with pytest.raises(ServiceError, match="already exists"):
        services.letters_print(contest=ballot.contest, path=target)


def test_reissue_kills_the_old_credential_is_audited_and_refused_after_voting(
    settings: Any,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ballot = open_contest(voters=2)
    officer = UserFactory(username="ro")
    grant(officer, Role.RETURNING_OFFICER)
    old = ballot.credential_for(ballot.entries[0])
    credential = Credential.objects.get(roll_entry=ballot.entries[0])
    with pytest.raises(ServiceError, match="reason"):
        services.credential_reissue(credential=credential, actor=officer, reason=" ")
    new = services.credential_reissue(
        credential=credential, actor=officer, reason="Email never arrived; identity checked"
    )
    with pytest.raises(ServiceError, match="do not match"):
        services.credential_sign_in(reference=old.reference, code=old.code, client_ip="10.3.0.1")
    signed_in = services.credential_sign_in(
        reference=new.reference, code=new.code, client_ip="10.3.0.1"
    )
    assert credentials_in(mail.outbox[-1]) == (new.reference_display, new.code_display)
    event = AuditEvent.objects.get(action="credentials.reissue")
    assert event.reason == "Email never arrived; identity checked" and event.actor == officer
    services.ballot_cast(credential_id=signed_in.pk, ranking=[ballot.candidates[0].pk])
    with pytest.raises(ServiceError, match="already voted"):
        services.credential_reissue(credential=credential, actor=officer, reason="lost it")


def test_reminders_go_only_to_emailed_voters_who_have_not_voted(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ballot = open_contest(voters=3)
    services.credentials_send(contest=ballot.contest, rate=0)
    voted = ballot.entries[0]
    issued = ballot.credential_for(voted)
    credential = services.credential_sign_in(
        reference=issued.reference, code=issued.code, client_ip="10.4.0.1"
    )
    services.ballot_cast(credential_id=credential.pk, ranking=[ballot.candidates[0].pk])
    mail.outbox = []
    assert services.reminders_send(contest=ballot.contest, round_number=1, rate=0) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        e.person.email for e in ballot.entries[1:]
    )
    reminder = mail.outbox[0]
    assert "not voted yet" in reminder.body
    assert ballot.entries[1].person.first_name not in reminder.body
    assert ballot.entries[2].person.first_name not in reminder.body
    assert services.reminders_send(contest=ballot.contest, round_number=1, rate=0) == 0
    assert services.reminders_send(contest=ballot.contest, round_number=2, rate=0) == 2


def test_cli_opens_sends_and_prints(settings: Any, tmp_path: Path, capsys: Any) -> None:
    from ballots_support import make_roll

    from factories import CandidateFactory, ContestFactory

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    contest = ContestFactory(slug="cli-contest", status="roll_frozen")
    CandidateFactory(contest=contest, name="A", status="nominated")
    make_roll(contest, 2)
    make_roll(contest, 1, consent_email=False)
    key = tmp_path / "count.key"
    assert main(["ballot", "open", "--contest", "cli-contest", "--key-out", str(key)]) == 0
    assert key.stat().st_mode & 0o777 == 0o600
    assert main(["credentials", "send", "--contest", "cli-contest", "--rate", "0"]) == 0
    assert len(mail.outbox) == 2
    assert (
        main(
            ["credentials", "letters", "--contest", "cli-contest", "--out", str(tmp_path / "l.pdf")]
        )
        == 0
    )
    assert main(["credentials", "remind", "--contest", "cli-contest", "--rate", "0"]) == 0
    assert main(["credentials", "send", "--contest", "nope"]) == 2
    assert "no contest with the slug 'nope'" in capsys.readouterr().err


def test_credential_email_is_well_formed_mime_with_both_parts() -> None:
    import email
    from email import policy

    from omov.ballots.services.delivery import CredentialEmail

    message = CredentialEmail(
        subject="Your ballot for the “leadership” election",
        body="Ballot reference: ABCDE-12345\nSecurity code:    WXYZ-1234\nŁódź\n",
        from_email="returning-officer@example.org",
        to=["voter@example.org"],
    )
    message.attach_alternative("<p>Security code <code>WXYZ-1234</code> – ok</p>\n", "text/html")
    raw = message.message().as_bytes(linesep="\r\n")
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["To"] == "voter@example.org"
    assert parsed["Subject"] == "Your ballot for the “leadership” election"
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert text.replace("\r\n", "\n") == message.body
    assert "WXYZ-1234</code> – ok" in html
    assert parsed["Message-ID"] and parsed["Date"]
    # Anything unusual falls back to Django's own MIME building.
    odd = CredentialEmail(subject="s", body="b", from_email="a@example.org", to=["é@example.org"])
    odd.attach_alternative("<p>b</p>", "text/html")
    assert odd.message().get_content_type() == "multipart/alternative"
