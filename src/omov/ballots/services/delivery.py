"""Deliver credentials: rate-limited resumable email batches, letters, reissue, reminders.

How a credential's plain text reaches the voter without being stored: a batch draws fresh secrets
for up to ``batch_size`` voters, writes only their keyed hashes, renders and hands the messages to
the mail server, and commits only after the mail server accepted them all. A crash before the
commit rolls the hashes back, so those voters are still "not sent" and the next run draws new
secrets for them (anyone whose message did leave before the crash gets a second one, and only the
newest works). See docs/decisions/0003-ballot-secrecy.md.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import get_template
from django.utils import timezone

from omov.ballots import crypto, letters
from omov.ballots.models import Credential, Delivery
from omov.ballots.public_url import public_url_require
from omov.ballots.services.voting import ballot_candidates
from omov.contests.models import Contest, ContestStatus
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.mail import paced_send
from omov.core.services import audit_record
from omov.electorate.models import Category

DEFAULT_BATCH = 500


def _booth_link(reference: str | None = None) -> str:
    """Return the booth's address; with a reference, in the fragment (``#ref=``).

    Browsers never send a URL's fragment to the server, so the reference reaches no access log,
    proxy log or Referer header; the booth's script copies it into the form (issue 8, item 4).
    """
    base = public_url_require()
    return f"{base}/vote/" + (f"#ref={reference}" if reference else "")


def _require_open(contest: Contest) -> None:
    """Refuse to deliver anything unless the ballot is open and the booth's address is public."""
    public_url_require()
    if contest.status != ContestStatus.BALLOT_OPEN:
        raise ServiceError(
            f"Credentials go out only while the ballot is open; {contest.title} is "
            f"{contest.get_status_display().lower()}."
        )


def _draw(credential: Credential, at: Any) -> crypto.IssuedCredential:
    issued = crypto.credential_generate()
    credential.reference_hash = crypto.reference_hash(issued.reference)
    credential.code_hash = crypto.code_hash(issued.reference, issued.code)
    credential.issued_at = at
    credential.generation += 1
    return issued


class CredentialEmail(EmailMultiAlternatives):
    """A text-and-HTML email whose MIME form is assembled directly, for mass delivery.

    Python's ``email`` package spends milliseconds per message building the same structure; for
    the plain case (two UTF-8 parts with short lines, ASCII addresses, no attachments) this writes
    the identical multipart/alternative message (8bit parts) in microseconds. Anything else falls
    back to Django's own ``message()``. Works with every Django email backend.
    """

    def message(self, *, policy: Any = None) -> Any:
        prepared = _assemble(self)
        return prepared if prepared is not None else super().message()


class _PreparedMessage:
    """The subset of ``email.message.Message`` Django's email backends use."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return linesep.join(self.lines).encode("utf-8")

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return linesep.join(self.lines)

    def get_charset(self) -> None:
        return None

    def __getitem__(self, name: str) -> str | None:
        prefix = f"{name.lower()}: "
        for line in self.lines:
            if not line:
                return None
            if line.lower().startswith(prefix):
                return line[len(prefix) :]
        return None


def _assemble(message: EmailMultiAlternatives) -> _PreparedMessage | None:
    from email.header import Header
    from email.utils import formatdate, make_msgid

    from django.core.mail.utils import DNS_NAME

    if message.attachments or message.cc or message.bcc or len(message.alternatives) != 1:
        return None
    html, mimetype = message.alternatives[0]
    addresses = [message.from_email, *message.to]
    if mimetype != "text/html" or not all(a.isascii() and "\n" not in a for a in addresses):
        return None
    text_lines = message.body.replace("\r\n", "\n").split("\n")
    html_lines = str(html).replace("\r\n", "\n").split("\n")
    if any(len(line.encode()) > 990 or line.startswith(".") for line in text_lines + html_lines):
        return None
    subject = str(message.subject)
    if not subject.isascii():
        subject = Header(subject, "utf-8").encode()
    boundary = "===============" + secrets.token_hex(12) + "=="

    def part(kind: str, lines: list[str]) -> list[str]:
        return [
            f"--{boundary}",
            f'Content-Type: {kind}; charset="utf-8"',
            "MIME-Version: 1.0",
            "Content-Transfer-Encoding: 8bit",
            "",
            *lines,
        ]

    return _PreparedMessage(
        [
            f'Content-Type: multipart/alternative; boundary="{boundary}"',
            "MIME-Version: 1.0",
            f"Subject: {subject}",
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}",
            f"Message-ID: {make_msgid(domain=DNS_NAME)}",
            "",
            *part("text/plain", text_lines),
            *part("text/html", html_lines),
            f"--{boundary}--",
            "",
        ]
    )


def _store_secrets(batch: list[Credential]) -> None:
    """Write the drawn hashes of a batch with one prepared statement (executemany)."""
    table = Credential._meta.db_table
    adapt = db_connection.ops.adapt_datetimefield_value
    with db_connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET reference_hash = %s, code_hash = %s, issued_at = %s, "
            "generation = %s WHERE id = %s",
            [
                (c.reference_hash, c.code_hash, adapt(c.issued_at), c.generation, c.pk)
                for c in batch
            ],
        )


class _Renderer:
    """Render one kind of email (text and HTML) from the contest's fixed context."""

    def __init__(self, contest: Contest, kind: str) -> None:
        self.contest = contest
        self.text = get_template(f"ballots/email/{kind}.txt")
        self.html = get_template(f"ballots/email/{kind}.html")
        closes = contest.ballot_closes_at
        details = letters.postal_details(contest)
        self.base = {
            "contest": contest,
            "closes_at": timezone.localtime(closes) if closes else None,
            "closes": details.closes,
            "help_contact": details.help_contact,
            "booth_url": _booth_link(),
        }
        self.subject = {
            "credential": f"Your ballot for {contest.title}",
            "reminder": f"Reminder: you have not voted yet in {contest.title}",
        }[kind]

    def message(self, to: str, extra: dict[str, Any]) -> EmailMultiAlternatives:
        context = {**self.base, **extra}
        message = CredentialEmail(
            subject=self.subject,
            body=self.text.render(context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
        )
        message.attach_alternative(self.html.render(context), "text/html")
        return message


def _credential_message(renderer: _Renderer, email: str, issued: crypto.IssuedCredential) -> Any:
    return renderer.message(
        email,
        {
            "reference": issued.reference_display,
            "code": issued.code_display,
            "link": _booth_link(issued.reference),
        },
    )


def _locked_batch(queryset: Any, size: int) -> list[Credential]:
    """Claim up to ``size`` credentials of ``queryset`` (no ORDER BY: the index stops early).

    Ids are claimed first on the credential table alone (``FOR UPDATE SKIP LOCKED`` on
    PostgreSQL, so several senders share the work), then loaded with their voters.
    """
    claim = queryset.values_list("pk", flat=True)
    if db_connection.vendor == "postgresql":
        claim = claim.select_for_update(skip_locked=True)
    ids = list(claim.order_by()[:size])
    if not ids:
        return []
    return list(
        Credential.objects.filter(pk__in=ids).select_related("roll_entry__person").order_by("pk")
    )


def credentials_send_batch(
    *, contest: Contest, batch_size: int = DEFAULT_BATCH, mail_connection: Any = None
) -> int:
    """Draw, store (hashed) and email the next batch of unsent credentials; return how many.

    All in one transaction that commits only once the mail server has accepted every message.
    On PostgreSQL batches are claimed with SKIP LOCKED, so several senders can run side by side.
    """
    _require_open(contest)
    renderer = _Renderer(contest, "credential")
    with transaction.atomic():
        batch = _locked_batch(
            Credential.objects.filter(
                contest=contest, delivery=Delivery.EMAIL, issued_at__isnull=True
            ),
            batch_size,
        )
        if not batch:
            return 0
        at = clock.now()
        messages = []
        for credential in batch:
            issued = _draw(credential, at)
            messages.append(
                _credential_message(renderer, credential.roll_entry.person.email, issued)
            )
        _store_secrets(batch)
        mail = mail_connection or get_connection(fail_silently=False)
        sent = mail.send_messages(messages)
        if sent != len(messages):
            raise ServiceError(
                f"The mail server accepted {sent} of {len(messages)} messages; the batch was "
                "not recorded and will be sent again."
            )
    return len(batch)


def credentials_send(
    *,
    contest: Contest,
    actor: Any = None,
    actor_label: str = "",
    batch_size: int = DEFAULT_BATCH,
    rate: float | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Email every unsent credential of a contest at no more than ``rate`` messages a second.

    Safe to run again after a crash or an interruption: it carries on with the voters whose
    batch did not commit. Returns how many were sent by this run.
    """
    _require_open(contest)
    total = paced_send(
        lambda mail, size: credentials_send_batch(
            contest=contest, batch_size=size, mail_connection=mail
        ),
        batch_size=batch_size,
        rate=rate,
        limit=limit,
        progress=progress,
    )
    if total:
        audit_record(
            action="credentials.send",
            summary=f"Emailed {total} credentials",
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            data={"sent": total},
        )
    return total


def credentials_pending(contest: Contest, delivery: str = Delivery.EMAIL) -> int:
    """Return how many credentials of one delivery have not gone out yet."""
    return Credential.objects.filter(
        contest=contest, delivery=delivery, issued_at__isnull=True
    ).count()


# -- Printed letters --------------------------------------------------------------------------


def letters_print(
    *,
    contest: Contest,
    path: str | Path,
    actor: Any = None,
    actor_label: str = "",
    limit: int | None = None,
) -> int:
    """Print one PDF of credential letters for every voter without email; return how many.

    The PDF (mode 0600) is the only place those secrets exist in plain text: send it to the
    printer and delete it. Letters already printed are not printed again (reissue one instead).
    """
    _require_open(contest)
    details = letters.letters_require(contest)
    target = Path(path)
    if target.exists():
        raise ServiceError(f"{target} already exists; give a new file name for the letters.")
    if not target.parent.is_dir():
        raise ServiceError(f"The folder {target.parent} does not exist; create it first.")
    with transaction.atomic():
        queryset = Credential.objects.filter(
            contest=contest, delivery=Delivery.LETTER, issued_at__isnull=True
        )
        batch = _locked_batch(queryset, limit or 10**9)
        if not batch:
            return 0
        at = clock.now()
        contents = [letter_content(c.roll_entry.person, c.category, _draw(c, at)) for c in batch]
        _store_secrets(batch)
        _write_letters_pdf(contest, target, contents, details)
        audit_record(
            action="credentials.letters",
            summary=f"Printed {len(contents)} credential letters",
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            data={"letters": len(contents), "file": target.name},
        )
    return len(contents)


def letter_content(
    person: Any, category: str, issued: crypto.IssuedCredential
) -> letters.LetterContent:
    """Return what one voter's letter says: address block, category and credential."""

    return letters.LetterContent(
        address=letters.address_lines(person),
        greeting_name=person.full_name,
        category_label=str(dict(Category.choices).get(category, category)),
        reference=issued.reference_display,
        code=issued.code_display,
    )


def _write_letters_pdf(
    contest: Contest,
    target: Path,
    contents: list[letters.LetterContent],
    details: letters.PostalDetails,
) -> None:
    """Write the letters to ``target`` atomically (temporary file, then rename), mode 0600."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    candidates = ballot_candidates(contest)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, suffix=".pdf.part")
    os.close(descriptor)
    os.chmod(temporary, 0o600)
    try:
        pdf = canvas.Canvas(temporary, pagesize=A4)
        pdf.setTitle(f"Credential letters: {contest.title}")
        letters.draw_letters(
            pdf,
            contest=contest,
            details=details,
            booth_url=_booth_link(),
            candidates=candidates,
            letters=contents,
        )
        pdf.save()
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


# -- Reissue ---------------------------------------------------------------------------------


def credential_reissue(
    *, credential: Credential, actor: Any, reason: str, delivery: str = Delivery.EMAIL
) -> crypto.IssuedCredential:
    """Replace a voter's credential after the returning officer has checked who they are.

    The old reference and code stop working at once. A voter who has voted gets no new credential
    (no second vote). With ``delivery="email"`` the new credential is emailed in the same
    transaction; with ``"letter"`` the caller prints the returned secrets.
    """
    reason = " ".join(str(reason).split())
    if not reason:
        raise ServiceError("Give the reason for the reissue (for example: email never arrived).")
    if delivery not in Delivery.values:
        raise ServiceError("Choose how to deliver the new credential: email or letter.")
    with transaction.atomic():
        credential = (
            Credential.objects.select_for_update()
            .select_related("contest", "roll_entry__person")
            .get(pk=credential.pk)
        )
        _require_open(credential.contest)
        if credential.has_voted:
            raise ServiceError(
                "This voter has already voted, so no new credential can be issued: each voter "
                "votes once."
            )
        person = credential.roll_entry.person
        if delivery == Delivery.EMAIL and not person.email:
            raise ServiceError("This voter has no email address; reissue by letter instead.")
        if delivery == Delivery.LETTER:
            letters.letters_require(credential.contest)
        issued = _draw(credential, clock.now())
        credential.save(update_fields=["reference_hash", "code_hash", "issued_at", "generation"])
        audit_record(
            action="credentials.reissue",
            summary=f"Reissued the credential of {person.full_name} ({person.external_id}) "
            f"by {delivery}",
            actor=actor,
            contest=credential.contest,
            target=credential,
            reason=reason,
            data={"generation": credential.generation, "delivery": delivery},
        )
        if delivery == Delivery.EMAIL:
            renderer = _Renderer(credential.contest, "credential")
            _credential_message(renderer, person.email, issued).send(fail_silently=False)
    return issued


def letter_pdf_for(
    contest: Contest, person: Any, issued: crypto.IssuedCredential, category: str
) -> bytes:
    """Return one reissued letter as PDF bytes (written only to a private temporary folder)."""
    return letters_pdf_bytes(contest, [letter_content(person, category, issued)])


def letters_pdf_bytes(contest: Contest, contents: list[letters.LetterContent]) -> bytes:
    """Return letters as PDF bytes (a private temporary folder, removed at once)."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "letter.pdf"
        _write_letters_pdf(contest, target, contents, letters.postal_details(contest))
        return target.read_bytes()


# -- Reminders -------------------------------------------------------------------------------


def reminders_due(contest: Contest, round_number: int) -> QuerySet[Credential]:
    """The emailed voters who have not voted and have not had reminder ``round_number`` yet."""
    return Credential.objects.filter(
        contest=contest,
        delivery=Delivery.EMAIL,
        issued_at__isnull=False,
        has_voted=False,
        reminder_round__lt=round_number,
    )


def reminders_send(
    *,
    contest: Contest,
    round_number: int,
    actor: Any = None,
    actor_label: str = "",
    batch_size: int = DEFAULT_BATCH,
    rate: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Remind every emailed voter who has not voted yet (round ``round_number``); resumable.

    A voter is reminded at most once per round: the round is recorded on the credential in the
    same transaction as the batch is sent. The reminder says only that the ballot is open and
    when it closes; it carries no credential (none is stored in plain text).
    """
    _require_open(contest)
    if round_number < 1:
        raise ServiceError("Reminder rounds are numbered from 1.")
    renderer = _Renderer(contest, "reminder")

    def send_batch(mail: Any, size: int) -> int:
        with transaction.atomic():
            batch = _locked_batch(reminders_due(contest, round_number), size)
            if not batch:
                return 0
            ids = [c.pk for c in batch]
            Credential.objects.filter(pk__in=ids).update(reminder_round=round_number)
            messages = [renderer.message(c.roll_entry.person.email, {}) for c in batch]
            mail.send_messages(messages)
        return len(batch)

    total = paced_send(send_batch, batch_size=batch_size, rate=rate, progress=progress)
    audit_record(
        action="credentials.remind",
        summary=f"Sent {total} reminders (round {round_number})",
        actor=actor,
        actor_label=actor_label,
        contest=contest,
        data={"round": round_number, "sent": total},
    )
    return total
