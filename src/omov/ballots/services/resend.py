"""See what voters will get before anything is sent, and start again after a mistake.

**Preview.** ``credentials_preview`` renders one credential email and one letter exactly as they
will go out, for a made-up sample voter with a placeholder credential (``XXXXX-XXXXX``, never a
real one), so the returning officer checks the link, the closing time and the return address
first (issue 15: every voter of one trial got a link to http://127.0.0.1:8000/vote/).

**Resend.** ``credentials_resend`` kills the credential of every voter who has not voted, in
one transaction: the stored hashes are cleared and the credential goes back to "not sent". The
ordinary, resumable delivery (``credentials_send`` for emails, ``letters_print`` for letters)
then draws fresh secrets and sends them. So a kill -9 during the resend's sending is finished by
running the sending again, never by resetting again: a resend is refused while any credential is
still waiting to go out, which is exactly the state an interrupted send or resend leaves behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from omov.ballots import crypto, letters
from omov.ballots.models import Credential, Delivery
from omov.ballots.public_url import public_url_problem
from omov.ballots.services.delivery import (
    _booth_link,
    _credential_message,
    _Renderer,
    _require_open,
    letters_pdf_bytes,
)
from omov.contests.models import Contest
from omov.core.errors import ServiceError
from omov.core.services import audit_record
from omov.electorate.models import Category

#: The placeholder credential a preview shows: plainly not a real one.
SAMPLE = crypto.IssuedCredential(reference="XXXXXXXXXX", code="XXXXXXXX")


@dataclass(frozen=True)
class SampleVoter:
    """A made-up voter for previews: no real person, address or credential."""

    full_name: str = "Alex Sample"
    email: str = "alex.sample@example.invalid"
    address_line1: str = "1 Example Street"
    address_line2: str = "Flat 2"
    town: str = "Sampletown"
    postcode: str = "AB1 2CD"


@dataclass(frozen=True)
class CredentialPreview:
    """One email and one letter as a voter will get them, and what would stop them going out."""

    subject: str
    from_email: str
    to: str
    text: str
    html: str
    link: str
    letter_pdf: bytes
    problems: tuple[str, ...]


def credentials_preview(*, contest: Contest, with_letter: bool = True) -> CredentialPreview:
    """Render one email and one letter for a sample voter; list the problems instead of refusing.

    Works before the ballot opens, so the returning officer can check the link first; without
    ``with_letter`` the PDF is left empty (a page that shows only the email). Raises
    ServiceError only when the booth's public address is wrong, since then nothing can be shown
    that a voter would get.
    """
    problems = []
    url_problem = _public_url_problem()
    if url_problem:
        raise ServiceError(url_problem)
    problems.extend(letters.letters_problems(contest))
    renderer = _Renderer(contest, "credential")
    voter = SampleVoter()
    message = _credential_message(renderer, voter.email, SAMPLE)
    html = str(message.alternatives[0][0]) if message.alternatives else ""
    category = str(dict(Category.choices)[Category.MEMBER])
    sample = letters.LetterContent(
        address=letters.address_lines(voter),
        greeting_name=voter.full_name,
        category_label=category,
        reference=SAMPLE.reference_display,
        code=SAMPLE.code_display,
    )
    pdf = letters_pdf_bytes(contest, [sample]) if with_letter else b""
    return CredentialPreview(
        subject=str(message.subject),
        from_email=str(message.from_email),
        to=voter.email,
        text=str(message.body),
        html=html,
        link=_booth_link(SAMPLE.reference),
        letter_pdf=pdf,
        problems=tuple(problems),
    )


def _public_url_problem() -> str | None:
    from django.conf import settings

    is_public = bool(getattr(settings, "IS_PRODUCTION", True)) and not bool(
        getattr(settings, "OMOV_LOCAL_ONLY", False)
    )
    return public_url_problem(
        str(getattr(settings, "OMOV_PUBLIC_URL", "")), is_production=is_public
    )


@dataclass(frozen=True)
class ResendCounts:
    """How many credentials a resend killed, by delivery; they now wait to be sent afresh."""

    emails: int
    letters: int

    @property
    def total(self) -> int:
        return self.emails + self.letters


def credentials_waiting(contest: Contest) -> ResendCounts:
    """Return how many credentials of voters who have not voted still wait to go out."""
    row = Credential.objects.filter(contest=contest, issued_at__isnull=True).aggregate(
        emails=Count("id", filter=Q(delivery=Delivery.EMAIL)),
        letters=Count("id", filter=Q(delivery=Delivery.LETTER)),
    )
    return ResendCounts(emails=row["emails"], letters=row["letters"])


def credentials_resend_scope(contest: Contest) -> ResendCounts:
    """Return how many credentials a resend would replace (issued, voter not voted), by delivery."""
    row = Credential.objects.filter(
        contest=contest, has_voted=False, issued_at__isnull=False
    ).aggregate(
        emails=Count("id", filter=Q(delivery=Delivery.EMAIL)),
        letters=Count("id", filter=Q(delivery=Delivery.LETTER)),
    )
    return ResendCounts(emails=row["emails"], letters=row["letters"])


def credentials_resend(
    *, contest: Contest, actor: Any = None, actor_label: str = "", reason: str
) -> ResendCounts:
    """Kill the credential of every voter who has not voted, so fresh ones go out; audited once.

    Refused while any credential still waits to go out (finish that sending first: it may be
    this very resend, interrupted). Voters who have voted keep their mark; their credentials are
    not touched. Booth passes of the killed credentials stop working at once.
    """
    reason = " ".join(str(reason).split())
    if not reason:
        raise ServiceError("Give the reason for the resend (for example: the link was wrong).")
    _require_open(contest)
    with transaction.atomic():
        waiting = credentials_waiting(contest)
        if waiting.total:
            raise ServiceError(
                f"{waiting.emails} emails and {waiting.letters} letters still wait to go out "
                "(an earlier send, or a resend that was interrupted). Finish them first with "
                f"`omov credentials send --contest {contest.slug}` and `omov credentials "
                f"letters --contest {contest.slug} --out FILE.pdf`; nothing was reset."
            )
        # Conditional updates: a vote committed meanwhile keeps its credential (the row is
        # re-checked under its lock), and the counts are what was really reset.
        killed = Credential.objects.filter(
            contest=contest, has_voted=False, issued_at__isnull=False
        )
        reset = {"reference_hash": None, "code_hash": "", "issued_at": None}
        counts = ResendCounts(
            emails=killed.filter(delivery=Delivery.EMAIL).update(**reset),
            letters=killed.filter(delivery=Delivery.LETTER).update(**reset),
        )
        if not counts.total:
            raise ServiceError("Every voter who has a credential has voted; nothing to resend.")
        audit_record(
            action="credentials.resend",
            summary=(
                f"Replaced the credentials of every voter who has not voted: {counts.emails} "
                f"emails and {counts.letters} letters to send afresh"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            reason=reason,
            data={"emails": counts.emails, "letters": counts.letters},
        )
    return counts
