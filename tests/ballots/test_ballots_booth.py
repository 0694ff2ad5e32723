"""The booth through its pages: sign in, rank, review, confirm, receipt; errors and throttling."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import signing

from omov.ballots import booth_pass, crypto, services
from omov.ballots.models import Ballot, Credential

pytestmark = pytest.mark.django_db


def sign_in(client: Any, issued: Any) -> Any:
    return client.post(
        "/vote/", {"reference": issued.reference_display, "code": issued.code_display}
    )


def test_link_fills_in_the_reference_but_never_the_code(client: Any, open_ballot: Any) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    # Old links with the reference in the query move it to the fragment (never sent, never logged).
    response = client.get(f"/vote/?ref={issued.reference}")
    assert response.status_code == 302 and response["Location"] == f"/vote/#ref={issued.reference}"
    page = client.get("/vote/").content.decode()
    assert issued.reference not in page and issued.code not in page
    assert "ballots/booth.js" in page  # the script that copies the fragment into the form


def test_full_journey_casts_one_ballot_and_ends_the_booth_pass(
    client: Any, open_ballot: Any
) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    corbyn, smith = open_ballot.candidates
    response = sign_in(client, issued)
    assert response.status_code == 302 and response["Location"] == "/vote/ballot/"
    ballot_page = client.get("/vote/ballot/").content.decode()
    assert "Jeremy Corbyn stands for the party." in ballot_page
    assert "<legend>Number the candidates in order of preference</legend>" in ballot_page
    prefs = {f"pref_{corbyn.pk}": "2", f"pref_{smith.pk}": "1"}
    review = client.post("/vote/ballot/", prefs).content.decode()
    assert "Check your vote" in review
    assert review.index("Owen Smith") < review.index("Jeremy Corbyn")
    # Nothing about the signed-in voter is stored on the server: the pass is a signed cookie.
    assert Session.objects.count() == 0
    credential = Credential.objects.get(has_voted=False, roll_entry=open_ballot.entries[0])
    cookie = client.cookies[booth_pass.COOKIE]
    assert cookie["path"] == "/vote/" and cookie["httponly"] and cookie["samesite"] == "Strict"
    signed = signing.loads(cookie.value, salt=booth_pass.SALT)
    proof = crypto.code_proof(issued.reference, issued.code)
    assert signed == [credential.pk, credential.generation, proof]
    receipt_page = client.post("/vote/confirm/", prefs)
    assert receipt_page.status_code == 200
    receipt = re.search(r'id="receipt">([A-Z2-7]{16})<', receipt_page.content.decode()).group(1)
    assert Ballot.objects.filter(receipt=receipt).exists()
    assert Credential.objects.filter(has_voted=True).count() == 1
    assert client.cookies[booth_pass.COOKIE].value == ""  # the pass is ended
    assert Session.objects.count() == 0
    # The same credential cannot vote again.
    again = sign_in(client, issued)
    assert "already been used to vote" in again.content.decode()
    assert client.post("/vote/confirm/", prefs).status_code == 302
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (("", ""), "Number at least one candidate"),
        (("1", "1"), "give each number to one candidate only"),
        (("2", ""), "No candidate has 1"),
        (("1", "7"), "must be a number from 1 to 2"),
        (("x", ""), "must be a number from 1 to 2"),
    ],
)
def test_invalid_preferences_are_refused_with_a_fix(
    client: Any, open_ballot: Any, values: tuple[str, str], message: str
) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    sign_in(client, issued)
    corbyn, smith = open_ballot.candidates
    page = client.post(
        "/vote/ballot/", {f"pref_{corbyn.pk}": values[0], f"pref_{smith.pk}": values[1]}
    ).content.decode()
    assert message in page
    assert 'class="error-summary" role="alert"' in page
    assert re.search(r'<a href="#pref_\d+">', page)
    assert 'aria-invalid="true"' in page
    # Confirm refuses the same input too (a crafted POST cannot skip the checks).
    client.post("/vote/confirm/", {f"pref_{corbyn.pk}": values[0], f"pref_{smith.pk}": values[1]})
    assert Ballot.objects.count() == 0


def test_typed_numbers_are_accepted(client: Any, open_ballot: Any) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    sign_in(client, issued)
    corbyn, smith = open_ballot.candidates
    page = client.post("/vote/ballot/", {f"pref_{corbyn.pk}": " 1 ", f"pref_{smith.pk}": ""})
    assert "Check your vote" in page.content.decode()


def test_change_my_vote_returns_to_the_ballot_with_choices_kept(
    client: Any, open_ballot: Any
) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    sign_in(client, issued)
    corbyn, smith = open_ballot.candidates
    page = client.post(
        "/vote/ballot/", {f"pref_{corbyn.pk}": "1", f"pref_{smith.pk}": "", "edit": "1"}
    ).content.decode()
    assert "your ballot" in page
    assert '<option value="1" selected>1</option>' in page


def test_ballot_page_needs_a_signed_in_credential(client: Any, open_ballot: Any) -> None:
    assert client.get("/vote/ballot/")["Location"] == "/vote/"
    assert client.post("/vote/confirm/", {})["Location"] == "/vote/"


def test_wrong_code_then_lock_out_message_says_when(
    client: Any, open_ballot: Any, settings: Any
) -> None:
    settings.OMOV_BOOTH_ATTEMPTS_PER_REFERENCE = 2
    issued = open_ballot.credential_for(open_ballot.entries[0])
    for _ in range(2):
        page = client.post("/vote/", {"reference": issued.reference, "code": "ZZZZZZZZ"})
        assert "do not match" in page.content.decode()
    page = sign_in(client, issued).content.decode()
    assert "try again after" in page
    assert booth_pass.COOKIE not in client.cookies


def test_a_forged_or_tampered_pass_is_refused(client: Any, open_ballot: Any) -> None:
    credential = Credential.objects.get(roll_entry=open_ballot.entries[0])
    forged = signing.dumps([credential.pk, 0], salt="another-salt")
    client.cookies[booth_pass.COOKIE] = forged
    assert client.get("/vote/ballot/")["Location"] == "/vote/"
    client.cookies[booth_pass.COOKIE] = "not a pass"
    corbyn, _ = open_ballot.candidates
    assert client.post("/vote/confirm/", {f"pref_{corbyn.pk}": "1"})["Location"] == "/vote/"
    assert Ballot.objects.count() == 0


def test_a_pass_expires(client: Any, open_ballot: Any, settings: Any) -> None:
    settings.OMOV_BOOTH_PASS_SECONDS = 60
    with time_machine.travel("2026-06-01 12:00:00Z", tick=False) as traveller:
        sign_in(client, open_ballot.credential_for(open_ballot.entries[0]))
        assert client.get("/vote/ballot/").status_code == 200
        traveller.shift(61)
        assert client.get("/vote/ballot/")["Location"] == "/vote/"


def test_a_reissue_kills_passes_given_for_the_old_code(client: Any, open_ballot: Any) -> None:
    sign_in(client, open_ballot.credential_for(open_ballot.entries[0]))
    assert client.get("/vote/ballot/").status_code == 200
    credential = Credential.objects.get(roll_entry=open_ballot.entries[0])
    services.credential_reissue(
        credential=credential, actor=None, reason="lost letter", delivery="email"
    )
    corbyn, _ = open_ballot.candidates
    assert client.post("/vote/confirm/", {f"pref_{corbyn.pk}": "1"})["Location"] == "/vote/"
    assert Ballot.objects.count() == 0


def test_leave_forgets_the_credential(client: Any, open_ballot: Any) -> None:
    sign_in(client, open_ballot.credential_for(open_ballot.entries[0]))
    client.post("/vote/leave/")
    assert client.get("/vote/ballot/")["Location"] == "/vote/"


def test_behind_a_proxy_the_forwarded_address_is_throttled(
    client: Any, open_ballot: Any, settings: Any
) -> None:
    settings.OMOV_TRUSTED_PROXY_HOPS = 1
    settings.OMOV_BOOTH_ATTEMPTS_PER_ADDRESS = 1
    bad = {"reference": "ABCDE12345", "code": "ZZZZZZZZ"}
    client.post("/vote/", bad, HTTP_X_FORWARDED_FOR="203.0.113.9")
    blocked = client.post("/vote/", bad, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert "try again after" in blocked.content.decode()
    other = client.post("/vote/", bad, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert "do not match" in other.content.decode()


def test_receipt_check_after_the_close(client: Any, open_ballot: Any) -> None:
    from omov.ballots import services

    issued = open_ballot.credential_for(open_ballot.entries[0])
    credential = services.credential_sign_in(
        reference=issued.reference, code=issued.code, client_ip="10.6.0.1"
    )
    receipt = services.ballot_cast(
        credential_id=credential.pk, ranking=[open_ballot.candidates[0].pk]
    )
    services.ballot_close(contest=open_ballot.contest)
    slug = open_ballot.contest.slug
    found = client.post(f"/vote/receipts/{slug}/", {"receipt": receipt.lower()}).content.decode()
    assert "your ballot was received" in found
    missing = client.post(f"/vote/receipts/{slug}/", {"receipt": "A" * 16}).content.decode()
    assert "is not in the list" in missing
    listing = client.get(f"/vote/receipts/{slug}.txt").content.decode()
    assert listing == receipt + "\n"
