"""Threat: whoever holds the site's SECRET_KEY (or a copy of the database too) forges a booth pass
and votes for voters who have not voted (issue 8, item 2).

A pass is signed with SECRET_KEY, but it must also carry the proof of the voter's security code,
checked against the stored code hash; the attacker below has the key and the database row and
still casts nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signing

from omov.ballots import booth_pass, crypto
from omov.ballots.models import Ballot, Credential

pytestmark = pytest.mark.django_db


def _try_to_vote(client: Any, open_ballot: Any, pass_value: str) -> Any:
    client.cookies[booth_pass.COOKIE] = pass_value
    corbyn, _ = open_ballot.candidates
    return client.post("/vote/confirm/", {f"pref_{corbyn.pk}": "1"})


def test_a_pass_signed_with_the_secret_key_but_without_the_code_casts_nothing(
    client: Any, open_ballot: Any
) -> None:
    for entry in open_ballot.entries:
        open_ballot.credential_for(entry)
    for credential in Credential.objects.all():
        stored = credential.code_hash
        forgeries = [
            [credential.pk, credential.generation],  # the old pass: id and generation only
            [credential.pk, credential.generation, "0" * 64],
            [credential.pk, credential.generation, stored],  # the stored hash is not the proof
            [credential.pk, credential.generation, crypto.code_proof("0000000000", "00000000")],
        ]
        for forged in forgeries:
            value = signing.dumps(forged, salt=booth_pass.SALT)  # the attacker has SECRET_KEY
            response = _try_to_vote(client, open_ballot, value)
            assert response.status_code == 302 and response["Location"] == "/vote/"
            assert client.get("/vote/ballot/")["Location"] == "/vote/"
    assert Ballot.objects.count() == 0
    assert not Credential.objects.filter(has_voted=True).exists()


def test_the_proof_of_the_voters_code_is_what_lets_a_pass_vote(
    client: Any, open_ballot: Any
) -> None:
    """The control: the same request with the real proof casts, so the refusals above are real."""
    issued = open_ballot.credential_for(open_ballot.entries[0])
    credential = Credential.objects.get(roll_entry=open_ballot.entries[0])
    value = booth_pass.pass_value(
        credential_id=credential.pk,
        generation=credential.generation,
        reference=issued.reference,
        code=issued.code,
    )
    response = _try_to_vote(client, open_ballot, value)
    assert response.status_code == 200 and 'id="receipt"' in response.content.decode()
    assert Ballot.objects.count() == 1


def test_a_pass_for_the_old_code_dies_with_a_reissue(client: Any, open_ballot: Any) -> None:
    old = open_ballot.credential_for(open_ballot.entries[0])
    credential = Credential.objects.get(roll_entry=open_ballot.entries[0])
    value = booth_pass.pass_value(
        credential_id=credential.pk,
        generation=credential.generation + 1,  # even guessing the new generation
        reference=old.reference,
        code=old.code,
    )
    open_ballot.credential_for(open_ballot.entries[0])  # reissued: a new code
    assert _try_to_vote(client, open_ballot, value)["Location"] == "/vote/"
    assert Ballot.objects.count() == 0


def test_a_credential_issued_before_the_proof_is_upgraded_when_its_voter_signs_in(
    client: Any, open_ballot: Any
) -> None:
    """Older versions stored the proof itself: such a row cannot back a pass (a database copy
    would then forge one) until the voter signs in with the right code, which upgrades it."""
    issued = open_ballot.credential_for(open_ballot.entries[0])
    credential = Credential.objects.get(roll_entry=open_ballot.entries[0])
    legacy = crypto.code_proof(issued.reference, issued.code)
    Credential.objects.filter(pk=credential.pk).update(code_hash=legacy)
    forged = signing.dumps([credential.pk, credential.generation, legacy], salt=booth_pass.SALT)
    assert _try_to_vote(client, open_ballot, forged)["Location"] == "/vote/"
    client.cookies.clear()
    response = client.post("/vote/", {"reference": issued.reference, "code": issued.code})
    assert response.status_code == 302 and response["Location"] == "/vote/ballot/"
    assert Credential.objects.get(pk=credential.pk).code_hash == crypto.code_hash(
        issued.reference, issued.code
    )
    corbyn, _ = open_ballot.candidates
    assert (
        'id="receipt"' in client.post("/vote/confirm/", {f"pref_{corbyn.pk}": "1"}).content.decode()
    )
    assert Ballot.objects.count() == 1
