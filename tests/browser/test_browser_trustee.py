"""Journey: a trustee signs in, hands in their public key file on their page, and reads the public
record; the office's, the trustee's and the public record pages have no serious accessibility
violations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omov.verifiable.ceremony import trustee_identity
from trustees.trustees_support import ceremony_contest, public_file


def _serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        violation["id"]
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def test_a_trustee_hands_in_their_public_key(
    page: Any, sign_in: Any, tmp_path: Path, transactional_db: Any
) -> None:
    ceremony = ceremony_contest()
    public, _ = trustee_identity(1, "Trustee 1")
    path = tmp_path / "public.json"
    path.write_bytes(public_file(1, public["communication_key"]))
    sign_in(page, ceremony.users[1].username)
    page.goto(f"/record/{ceremony.contest.slug}/trustee/")
    assert _serious(page) == []
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Check and add").click()
    page.get_by_text("Your file was checked and added.").wait_for()
    page.get_by_text("Your public key is in.").wait_for()
    page.goto(f"/record/{ceremony.contest.slug}/")
    # The list item starts with a capital: "Trustee 2 (Trustee 2) and trustee 3 …".
    assert "(Trustee 2) and trustee 3 (Trustee 3) must hand in" in page.content()
    assert _serious(page) == []


def test_the_office_ceremony_page_is_accessible(
    page: Any, sign_in: Any, transactional_db: Any
) -> None:
    ceremony = ceremony_contest()
    sign_in(page, ceremony.officer.username)
    page.goto(f"/record/{ceremony.contest.slug}/office/")
    page.get_by_role("heading", name="Change the trustees").wait_for()
    assert _serious(page) == []


def test_a_voter_casts_under_the_joint_key_and_finds_their_tracker(
    page: Any, settings: Any, transactional_db: Any
) -> None:
    """The booth in a contest with trustees: the tracker after voting, then found by POST."""
    import re

    from django.core import mail

    from factories import CandidateFactory, ContestFactory, PersonFactory
    from omov.ballots import services
    from omov.ballots.models import EncryptedBallot
    from omov.core import clock
    from omov.electorate.models import RollEntry
    from trustees.trustees_support import sealed_ceremony

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    contest = ContestFactory(slug="deputy", title="Deputy leadership", status="roll_frozen")
    for position, name in enumerate(("Tom Watson", "Angela Rayner"), start=1):
        CandidateFactory(contest=contest, name=name, status="nominated", ballot_position=position)
    RollEntry.objects.create(
        contest=contest, person=PersonFactory(), category="member", is_eligible=True,
        frozen_at=clock.now(),
    )  # fmt: skip
    sealed_ceremony(contest)
    services.ballot_open(contest=contest)
    services.credentials_send(contest=contest, rate=0)
    body = mail.outbox[0].body
    link = re.search(r"https?://[^/\s]+(/vote/#ref=[0-9A-Z]+)", body).group(1)  # type: ignore[union-attr]
    code = re.search(r"Security code:\s+([0-9A-Z]{4}-[0-9A-Z]{4})", body).group(1)  # type: ignore[union-attr]
    page.goto(link)
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue to the ballot").click()
    page.get_by_label("Your preference for Angela Rayner").select_option("1")
    page.get_by_role("button", name="Review my vote").click()
    page.get_by_role("button", name="Confirm my vote").click()
    page.get_by_role("heading", name="Your tracker").wait_for()
    tracker = page.locator("#tracker").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", tracker)
    assert EncryptedBallot.objects.get().tracker == tracker
    assert _serious(page) == []
    page.get_by_role("link", name="tracker page").click()
    page.get_by_label("Your tracker").fill(tracker)
    page.get_by_role("button", name="Find it").click()
    page.get_by_text(f"Tracker {tracker} is stored.").wait_for()
    assert tracker not in page.url
    assert _serious(page) == []
