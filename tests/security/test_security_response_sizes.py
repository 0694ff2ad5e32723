"""Threat: the size of a booth page tells a network observer, or anyone reading the access log,
how the voter ranked (issue 8, item 3).

Every ranking of a 5-candidate contest (325) and of a 2-candidate contest (4) goes through the
review, the ballot page shown again to change it, and the confirmation with its receipt; and a
set of mistaken ballots through the error page. Every one of these responses must have the same
length: headers and body, byte for byte.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from ballots_support import make_roll, open_contest

from omov.ballots import booth_pass
from omov.ballots.models import Ballot, Credential

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FIVE = ("Al", "Bartholomew Featherstonehaugh-Smythe", "Jo Ng", "Owen Smith", "Jeremy Corbyn")
TWO = ("Jeremy Corbyn", "Al")


def rankings(candidates: list[Any]) -> list[tuple[Any, ...]]:
    """Every ranking: each ordered choice of 1 to all candidates."""
    return [
        ranked
        for size in range(1, len(candidates) + 1)
        for ranked in itertools.permutations(candidates, size)
    ]


def preferences(candidates: list[Any], ranked: tuple[Any, ...]) -> dict[str, str]:
    numbers = {c.pk: str(position) for position, c in enumerate(ranked, start=1)}
    return {f"pref_{c.pk}": numbers.get(c.pk, "") for c in candidates}


def size(response: Any) -> int:
    return len(response.serialize_headers()) + len(response.content)


def sign_in_directly(client: Any, open_ballot: Any, entry: Any) -> None:
    """Give the client a real booth pass (as signing in would, without using up the throttle)."""
    issued = open_ballot.credential_for(entry)
    credential = Credential.objects.get(roll_entry=entry)
    client.cookies[booth_pass.COOKIE] = booth_pass.pass_value(
        credential_id=credential.pk,
        generation=credential.generation,
        reference=issued.reference,
        code=issued.code,
    )


@pytest.mark.parametrize("names", [FIVE, TWO], ids=["5 candidates", "2 candidates"])
def test_every_booth_response_has_one_size_whatever_the_ranking(
    client: Any, names: tuple[str, ...]
) -> None:
    candidates_count = len(names)
    sizes: dict[str, set[int]] = {"review": set(), "change": set(), "receipt": set()}
    bodies: set[int] = set()
    open_ballot = open_contest(voters=1, candidates=names)
    every = rankings(open_ballot.candidates)
    assert len(every) == {5: 325, 2: 4}[candidates_count]
    # One more voter per ranking, so each ranking is also confirmed and given its receipt.
    extra = make_roll(open_ballot.contest, len(every))
    Credential.objects.bulk_create(
        Credential(contest=open_ballot.contest, roll_entry=entry, category=entry.category)
        for entry in extra
    )
    sign_in_directly(client, open_ballot, extra[0])
    client.get("/vote/ballot/")  # the CSRF cookie is set once, on the first page
    for entry, ranked in zip(extra, every, strict=True):
        sign_in_directly(client, open_ballot, entry)
        prefs = preferences(open_ballot.candidates, ranked)
        review = client.post("/vote/ballot/", prefs)
        assert "Check your vote" in review.content.decode()
        change = client.post("/vote/ballot/", {**prefs, "edit": "1"})
        receipt = client.post("/vote/confirm/", prefs)
        assert 'id="receipt"' in receipt.content.decode()
        for name, response in (("review", review), ("change", change), ("receipt", receipt)):
            assert response.status_code == 200
            sizes[name].add(size(response))
            bodies.add(len(response.content))
    assert Ballot.objects.count() == len(every)
    assert all(len(found) == 1 for found in sizes.values()), sizes
    assert len(bodies) == 1, bodies  # and the three pages are the same size as each other

    # Mistakes: nothing numbered, a number twice, a gap, a number out of range, letters.
    sign_in_directly(client, open_ballot, open_ballot.entries[0])
    first, *rest = open_ballot.candidates
    last = rest[-1]
    mistakes = [
        {},
        {f"pref_{first.pk}": "1", f"pref_{last.pk}": "1"},
        {f"pref_{first.pk}": "2"},
        {f"pref_{first.pk}": str(candidates_count + 1)},
        {f"pref_{last.pk}": "one"},
    ]
    error_sizes = set()
    for mistake in mistakes:
        for url in ("/vote/ballot/", "/vote/confirm/"):
            response = client.post(url, mistake)
            assert "There is a problem with your ballot" in response.content.decode()
            error_sizes.add(len(response.content))
    assert error_sizes == bodies


def test_booth_pages_are_never_compressed(client: Any) -> None:
    """A compressed size depends on the content: it would undo the padding."""
    open_ballot = open_contest(voters=1, candidates=FIVE)
    sign_in_directly(client, open_ballot, open_ballot.entries[0])
    for response in (
        client.get("/vote/", HTTP_ACCEPT_ENCODING="gzip, br"),
        client.get("/vote/ballot/", HTTP_ACCEPT_ENCODING="gzip, br"),
    ):
        assert response.status_code == 200
        assert "Content-Encoding" not in response
        assert response.content.startswith(b"<!doctype html>")
