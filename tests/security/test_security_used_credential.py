"""Threat: the page for a used credential wrote the security code back into the form (where a
shoulder, a screenshot or a shared screen picks it up) and said "your vote has been counted"
while the ballot was still open (issue 8, item 14).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_a_used_credential_is_not_echoed_and_the_vote_is_recorded_not_counted(
    client: Any, open_ballot: Any
) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    corbyn, _ = open_ballot.candidates
    form = {"reference": issued.reference_display, "code": issued.code_display}
    client.post("/vote/", form)
    receipt = client.post("/vote/confirm/", {f"pref_{corbyn.pk}": "1"}).content.decode()
    assert re.search(r'id="receipt">[A-Z2-7]{16}<', receipt)
    page = client.post("/vote/", form).content.decode()
    assert "your vote has been recorded" in page
    assert "counted" not in page
    for secret in (issued.code, issued.code_display, issued.code.lower()):
        assert secret not in page
    code_field = re.search(r'<input type="text" name="code"[^>]*>', page).group(0)
    assert 'value=""' in code_field


def test_a_wrong_code_is_not_echoed_either(client: Any, open_ballot: Any) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    page = client.post("/vote/", {"reference": issued.reference, "code": "QRST-5678"})
    text = page.content.decode()
    assert "do not match" in text and "QRST-5678" not in text and "QRST5678" not in text
