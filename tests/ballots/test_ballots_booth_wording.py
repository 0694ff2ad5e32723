"""The booth asks voters to read the candidates' statements only when there are statements."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def _ballot_page(client: Any, open_ballot: Any) -> str:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    client.post("/vote/", {"reference": issued.reference_display, "code": issued.code_display})
    return client.get("/vote/ballot/").content.decode()


def test_the_booth_points_to_the_statements_when_there_are_some(
    client: Any, open_ballot: Any
) -> None:
    page = _ballot_page(client, open_ballot)
    assert "Read the candidates’ statements, then number the candidates." in page


def test_the_booth_does_not_mention_statements_when_there_are_none(
    client: Any, open_ballot: Any
) -> None:
    for candidate in open_ballot.candidates:
        candidate.statement = ""
        candidate.save(update_fields=["statement"])
    page = _ballot_page(client, open_ballot)
    assert "statements" not in page
    assert "Number the candidates in the order you prefer them." in page
