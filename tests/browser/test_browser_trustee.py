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
