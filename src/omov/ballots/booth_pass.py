"""The booth pass: which credential this browser signed in with, held in a signed cookie.

The booth does not use the session. Signing in gives the browser a cookie carrying the
credential's id, its generation and the *code proof* (``crypto.code_proof``: HMAC under the
credential key of the reference and security code the voter typed), signed with the site's secret
key and dated by the signature:

- the proof is checked against the credential's stored code hash on every booth request, so the
  site's secret key alone forges nothing: a valid pass needs the voter's code (the database holds
  only the SHA-256 of the proof; docs/decisions/0003, "Booth pass");

- nothing about a signed-in voter is stored on the server (a session row would hold the
  credential id with an expiry time that dates the sign-in, until it is deleted);
- a cast needs no session read and no session delete (a second commit per vote);
- a reissue kills every pass given for the old code, because the generation no longer matches;
- a pass lasts ``OMOV_BOOTH_PASS_SECONDS`` (one hour by default) and only for ``/vote/``.

A copied cookie lets its holder vote as that voter until the pass expires or the vote is cast,
exactly as a copied session cookie would; the voter's own device is the trust boundary here, as
for the emailed link. After the vote the pass is worthless: the credential is marked as voted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from omov.ballots import crypto

COOKIE = "omov_booth"
SALT = "omov.ballots.booth-pass"


@dataclass(frozen=True)
class BoothPass:
    """A signed-in credential: its id and the generation of the code it was signed in with."""

    credential_id: int
    generation: int
    proof: str


def _lifetime() -> int:
    return int(getattr(settings, "OMOV_BOOTH_PASS_SECONDS", 3600))


def _path() -> str:
    return reverse("ballots:start")


def pass_read(request: HttpRequest) -> BoothPass | None:
    """Return the browser's booth pass, or None if it has none, or a forged or expired one."""
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=SALT, max_age=_lifetime())
    except signing.BadSignature:  # also expired: SignatureExpired is a BadSignature
        return None
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not all(isinstance(part, int) for part in value[:2])
        or not isinstance(value[2], str)
    ):
        return None
    return BoothPass(credential_id=value[0], generation=value[1], proof=value[2])


def pass_matches(signed_in: BoothPass, *, generation: int, code_hash: str) -> bool:
    """Tell whether the pass belongs to the credential's current code (generation and proof)."""
    return signed_in.generation == generation and crypto.proof_matches(code_hash, signed_in.proof)


def pass_value(*, credential_id: int, generation: int, reference: str, code: str) -> str:
    """Return the signed cookie value of a pass for a credential signed in with these secrets."""
    proof = crypto.code_proof(crypto.normalise(reference), crypto.normalise(code))
    return signing.dumps([credential_id, generation, proof], salt=SALT)


def pass_give(
    response: HttpResponse, *, credential_id: int, generation: int, reference: str, code: str
) -> None:
    """Attach a new booth pass for this credential, proving the code it was signed in with."""
    response.set_cookie(
        COOKIE,
        pass_value(
            credential_id=credential_id, generation=generation, reference=reference, code=code
        ),
        max_age=_lifetime(),
        path=_path(),
        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
        httponly=True,
        samesite="Strict",
    )


def pass_end(response: HttpResponse) -> None:
    """Tell the browser to forget its booth pass."""
    response.delete_cookie(COOKIE, path=_path(), samesite="Strict")
