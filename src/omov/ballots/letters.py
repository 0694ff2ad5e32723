"""The printed credential letter, laid out for a window envelope; words letters and emails share.

A letter is two A4 pages. Page 1 is the covering letter: the voter's postal address in the
window position, the closing date and time, the online credential, how to vote by post, the
return address and where to get help. Page 2 is the postal voting pack: the *declaration* (with
the ballot reference) above a cut line, and the *ballot paper* (the voter category and the
candidates, and nothing that identifies the voter) below it. See decision 0010.

**Window position** (documented in docs/decisions/0010-postal-voting.md and tested): the address
field's top-left corner is 20 mm from the left edge and 50 mm from the top of the sheet; it is
85 mm wide and 40 mm high (a 6-point return line at its top, then up to six address lines). That
is DIN 5008 form B's field, inside the 90 × 45 mm window of a DL envelope (window 20 mm from the
left and 15 mm from the bottom) with the sheet folded in three, and of a C5 window envelope with
the sheet folded once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from omov.core.errors import ServiceError

MM = 72 / 25.4  # PDF points per millimetre
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM
#: The address field: (left, top) from the sheet's top-left corner, width and height, in mm.
ADDRESS_FIELD_MM = (20.0, 50.0, 85.0, 40.0)


@dataclass(frozen=True)
class PostalDetails:
    """What every letter and email says besides the credential: when, where to, who helps."""

    closes: str  # "17:00 (GMT) on Thursday 10 December 2026", or "" when the contest has none
    return_address: tuple[str, ...]
    help_contact: str


def closing_words(closes_at: datetime | None) -> str:
    """Return the closing time in the installation's time zone, with the zone's name."""
    if closes_at is None:
        return ""
    local = timezone.localtime(closes_at)
    return f"{local:%H:%M} ({local.tzname()}) on {local:%A} {local.day} {local:%B %Y}"


def _return_address() -> tuple[str, ...]:
    raw = str(getattr(settings, "OMOV_RETURN_ADDRESS", "") or "")
    return tuple(line.strip() for line in raw.replace("|", "\n").splitlines() if line.strip())


def postal_details(contest: Any) -> PostalDetails:
    return PostalDetails(
        closes=closing_words(contest.ballot_closes_at),
        return_address=_return_address(),
        help_contact=str(getattr(settings, "OMOV_HELP_CONTACT", "") or "").strip(),
    )


def letters_problems(contest: Any) -> list[str]:
    """List what a letter would lack for the post: closing time, return address, help contact."""
    details = postal_details(contest)
    problems = []
    if not details.closes:
        problems.append(
            f"{contest.title} has no closing date and time; set it on the contest first"
        )
    if not details.return_address:
        problems.append(
            "OMOV_RETURN_ADDRESS is not set: set it to the postal address papers are returned "
            "to, lines separated by | (for example 'Returning Officer|1 High Street|London|N1 1AA')"
        )
    if not details.help_contact:
        problems.append(
            "OMOV_HELP_CONTACT is not set: set it to where voters get help (an email address "
            "or telephone number)"
        )
    return problems


def letters_require(contest: Any) -> PostalDetails:
    """Refuse (ServiceError) to print letters that lack anything the post needs, in production.

    Development and the demo print what they have, so a newcomer can see a letter.
    """
    is_public = bool(getattr(settings, "IS_PRODUCTION", True)) and not bool(
        getattr(settings, "OMOV_LOCAL_ONLY", False)
    )
    problems = letters_problems(contest)
    if problems and is_public:
        raise ServiceError("Letters cannot be printed yet: " + "; ".join(problems) + ".")
    return postal_details(contest)


def address_lines(person: Any) -> list[str]:
    """Return the lines of a voter's postal address block (name first, postcode last)."""
    lines = [
        person.full_name,
        person.address_line1,
        person.address_line2,
        person.town,
        person.postcode,
    ]
    return [str(line).strip() for line in lines if str(line or "").strip()][:6]


@dataclass(frozen=True)
class LetterContent:
    """One voter's letter: who it goes to and the secrets it carries."""

    address: Sequence[str]
    greeting_name: str
    category_label: str  # printed on the ballot paper: it decides the batch it is counted in
    reference: str
    code: str


def draw_letters(
    pdf: Any,
    *,
    contest: Any,
    details: PostalDetails,
    booth_url: str,
    candidates: Sequence[Any],
    letters: Sequence[LetterContent],
) -> None:
    """Draw each letter (two pages: the covering letter, then the postal pack) on ``pdf``."""
    for letter in letters:
        _cover_page(pdf, contest, details, booth_url, letter)
        pdf.showPage()
        _pack_page(pdf, contest, details, candidates, letter)
        pdf.showPage()


def _y(top_mm: float) -> float:
    """Return the PDF y coordinate of a point ``top_mm`` below the top of the sheet."""
    return PAGE_HEIGHT - top_mm * MM


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def _paragraph(pdf: Any, top_mm: float, text: str, *, size: int = 10, width: int = 95) -> float:
    pdf.setFont("Helvetica", size)
    for line in _wrap(text, width):
        pdf.drawString(20 * MM, _y(top_mm), line)
        top_mm += size * 0.45
    return top_mm + 2


def _cover_page(
    pdf: Any, contest: Any, details: PostalDetails, booth_url: str, letter: LetterContent
) -> None:
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(20 * MM, _y(20), contest.title)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(20 * MM, _y(26), "Your ballot: vote online or by post")
    left, top, _, _ = ADDRESS_FIELD_MM
    if details.return_address:
        pdf.setFont("Helvetica", 6)
        pdf.drawString(left * MM, _y(top + 3), "Return to: " + ", ".join(details.return_address))
    pdf.setFont("Helvetica", 10)
    for index, line in enumerate(letter.address):
        pdf.drawString(left * MM, _y(top + 9 + index * 4.8), line)
    y = 100.0
    y = _paragraph(pdf, y, f"Dear {letter.greeting_name},")
    closes = details.closes or "(the closing date is not set yet)"
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(20 * MM, _y(y), f"The ballot closes at {closes}.")
    y += 8
    y = _paragraph(
        pdf, y, "You may vote once: online, or by returning the ballot paper overleaf by post."
    )
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(20 * MM, _y(y), "To vote online")
    y = _paragraph(pdf, y + 6, f"Go to {booth_url} and enter:")
    pdf.setFont("Courier-Bold", 13)
    pdf.drawString(30 * MM, _y(y + 2), f"Ballot reference: {letter.reference}")
    pdf.drawString(30 * MM, _y(y + 9), f"Security code:    {letter.code}")
    y = _paragraph(
        pdf,
        y + 17,
        "Keep the security code secret: nobody from the party will ever ask you for it.",
    )
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(20 * MM, _y(y), "To vote by post")
    y += 6
    steps = [
        "1. Number the candidates on the ballot paper overleaf in order of preference: "
        "1 for your first choice, 2 for your second, and so on.",
        "2. Sign the declaration. Cut along the line between the declaration and the ballot paper.",
        "3. Put the ballot paper alone in the small envelope marked B and seal it. Write nothing "
        "on the ballot paper or envelope B that identifies you.",
        "4. Put envelope B and the signed declaration in the return envelope and post it to the "
        "address below, in time to arrive before the ballot closes. Papers that arrive later "
        "are not counted.",
    ]
    for step in steps:
        y = _paragraph(pdf, y, step)
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(20 * MM, _y(y + 1), "Return address")
    pdf.setFont("Helvetica", 10)
    lines = details.return_address or ("(the return address is not set yet)",)
    for index, line in enumerate(lines):
        pdf.drawString(25 * MM, _y(y + 6 + index * 4.5), line)
    y += 8 + 4.5 * len(lines)
    help_contact = details.help_contact or "the returning officer"
    _paragraph(
        pdf,
        y,
        f"Questions, or a lost or damaged paper: contact {help_contact}. If you vote online, "
        "do not return the paper: only your first vote counts.",
    )


def _pack_page(
    pdf: Any,
    contest: Any,
    details: PostalDetails,
    candidates: Sequence[Any],
    letter: LetterContent,
) -> None:
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawString(20 * MM, _y(20), f"Declaration — {contest.title}")
    pdf.setFont("Courier-Bold", 12)
    pdf.drawString(20 * MM, _y(29), f"Ballot reference: {letter.reference}")
    y = _paragraph(
        pdf,
        36,
        "I declare that I am the voter to whom this ballot was sent, and that I have not voted "
        "in this ballot before.",
    )
    pdf.drawString(20 * MM, _y(y + 8), "Signature: ______________________________")
    pdf.drawString(120 * MM, _y(y + 8), "Date: ______________")
    pdf.setDash(3, 3)
    pdf.line(10 * MM, _y(100), PAGE_WIDTH - 10 * MM, _y(100))
    pdf.setDash()
    pdf.setFont("Helvetica", 8)
    pdf.drawString(20 * MM, _y(98), "Cut here. The ballot paper goes alone in envelope B.")
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(20 * MM, _y(112), f"Ballot paper — {contest.title}")
    pdf.setFont("Helvetica", 10)
    pdf.drawString(20 * MM, _y(119), f"Voters: {letter.category_label}")
    closes = details.closes or "(not set)"
    y = _paragraph(
        pdf,
        126,
        "Number the candidates in order of preference: 1 for your first choice, 2 for your "
        "second, and so on. Number as many or as few as you like. "
        f"This paper must arrive before {closes}.",
    )
    y += 4
    # Up to 10 candidates at 13 mm a row; more share the rest of the page (down to 280 mm).
    step = min(13.0, (280 - y) / max(len(candidates), 1))
    box = min(9.0, step - 1.5)
    pdf.setFont("Helvetica", 12 if step >= 9 else 9)
    for candidate in candidates:
        pdf.rect(20 * MM, _y(y + box / 3), 12 * MM, box * MM)
        pdf.drawString(38 * MM, _y(y), candidate.name)
        y += step
