"""Issue 15, item 3: letters ready for the post, read back from the PDF (text and positions)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ballots_support import open_contest
from django.core import mail
from pypdf import PdfReader

from omov.ballots import crypto, services
from omov.ballots.letters import ADDRESS_FIELD_MM, MM, PAGE_HEIGHT
from omov.ballots.models import Credential
from omov.core.errors import ServiceError

pytestmark = pytest.mark.django_db

CLOSES = "12:00 (BST) on Wednesday 21 September 2016"
ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "address_line1": "12 Analytical Row",
    "address_line2": "Marylebone",
    "town": "London",
    "postcode": "NW1 6XE",
}


@pytest.fixture(autouse=True)
def postal_settings(settings: Any) -> None:
    settings.OMOV_RETURN_ADDRESS = "Returning Officer|Freepost OMOV|London|N1 9GU"
    settings.OMOV_HELP_CONTACT = "ballot@example.org or 020 7946 0000"


def placed_text(page: Any) -> list[tuple[str, float, float]]:
    """Return every piece of text on a page with its (x, y) in millimetres from the top left."""
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():
            x = tm[4] * cm[0] + cm[4]
            y = tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x / MM, (PAGE_HEIGHT - y) / MM))

    page.extract_text(visitor_text=visit)
    return found


def at(
    placed: list[tuple[str, float, float]], text: str, *, exact: bool = False
) -> tuple[float, float]:
    matches = [(x, y) for t, x, y in placed if (t == text if exact else text in t)]
    assert matches, f"{text!r} is not on the page: {[t for t, _, _ in placed]}"
    return matches[0]


def print_one(tmp_path: Path, **person: Any) -> tuple[Any, PdfReader]:
    ballot = open_contest(voters=1, consent_email=False, **{**ADDRESS, **person})
    target = tmp_path / "letters.pdf"
    assert services.letters_print(contest=ballot.contest, path=target) == 1
    return ballot, PdfReader(target)


def test_letter_carries_what_the_post_needs_with_the_address_in_the_window(
    tmp_path: Path,
) -> None:
    _, reader = print_one(tmp_path)
    assert len(reader.pages) == 2
    cover = placed_text(reader.pages[0])
    text = " ".join(t for t, _, _ in cover)
    assert f"The ballot closes at {CLOSES}." in text
    for line in ("Returning Officer", "Freepost OMOV", "N1 9GU"):
        assert line in text
    assert "ballot@example.org or 020 7946 0000" in text
    assert "envelope marked B" in text and "return envelope" in text
    assert "/vote/" in text
    # The address block sits in the window field: 20 mm from the left, 50-90 mm from the top.
    left, top, width, height = ADDRESS_FIELD_MM
    lines = ["Ada Lovelace", "12 Analytical Row", "Marylebone", "London", "NW1 6XE"]
    positions = [at(cover, line, exact=True) for line in lines]
    for x, y in positions:
        assert x == pytest.approx(left, abs=0.5)
        assert top < y < top + height
    assert [y for _, y in positions] == sorted(y for _, y in positions)  # in reading order
    x, y = at(cover, "Return to: Returning Officer, Freepost OMOV")
    assert x == pytest.approx(left, abs=0.5) and top < y < positions[0][1]
    # Nothing else is printed inside the window field.
    inside = [t for t, x, y in cover if top <= y <= top + height and x < left + width]
    assert len(inside) == len(lines) + 1


def test_the_ballot_paper_below_the_cut_line_carries_no_reference_or_name(
    tmp_path: Path,
) -> None:
    ballot, reader = print_one(tmp_path)
    pack = placed_text(reader.pages[1])
    reference_line = next(t for t, _, _ in pack if t.startswith("Ballot reference:"))
    reference = reference_line.split(":", 1)[1].strip()
    _, declaration_y = at(pack, "Ballot reference:")
    _, cut_y = at(pack, "Cut here")
    assert declaration_y < cut_y
    paper = [(t, y) for t, _, y in pack if y > cut_y + 2]
    paper_text = " ".join(t for t, _ in paper)
    for candidate in ballot.candidates:
        assert candidate.name in paper_text
    assert "Voters: Member" in paper_text and CLOSES in paper_text
    assert reference not in paper_text and reference.replace("-", "") not in paper_text
    for word in ("Ada", "Lovelace", "Analytical", "NW1"):
        assert word not in paper_text
    # The printed reference is the voter's real one (it checks their declaration).
    credential = Credential.objects.get()
    assert credential.reference_hash == crypto.reference_hash(crypto.normalise(reference))


def test_production_refuses_letters_without_return_address_or_help(
    tmp_path: Path, settings: Any
) -> None:
    ballot = open_contest(voters=1, consent_email=False)
    settings.IS_PRODUCTION = True
    settings.OMOV_PUBLIC_URL = "https://vote.example.org"
    settings.OMOV_RETURN_ADDRESS = ""
    settings.OMOV_HELP_CONTACT = ""
    with pytest.raises(ServiceError, match="OMOV_RETURN_ADDRESS is not set") as refused:
        services.letters_print(contest=ballot.contest, path=tmp_path / "l.pdf")
    assert "OMOV_HELP_CONTACT is not set" in refused.value.message
    assert not (tmp_path / "l.pdf").exists()
    assert not Credential.objects.filter(issued_at__isnull=False).exists()


def test_emails_state_the_closing_time_and_help(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ballot = open_contest(voters=1)
    services.credentials_send(contest=ballot.contest, rate=0)
    (message,) = mail.outbox
    assert f"The ballot closes at {CLOSES}." in message.body
    assert f"The ballot closes at {CLOSES}.</strong>" in message.alternatives[0][0]
    assert "Questions? Contact ballot@example.org or 020 7946 0000." in message.body


def test_the_return_address_and_help_contact_are_read_from_the_environment() -> None:
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "omov.config.test_settings",
        "OMOV_RETURN_ADDRESS": "Returning Officer|1 High Street",
        "OMOV_HELP_CONTACT": "help@example.org",
    }
    env.pop("DATABASE_URL", None)
    script = (
        "from django.conf import settings; "
        "print(settings.OMOV_RETURN_ADDRESS); print(settings.OMOV_HELP_CONTACT)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines() == ["Returning Officer|1 High Street", "help@example.org"]
