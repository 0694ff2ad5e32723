"""The booth pass: which credential this browser signed in with, held in a signed cookie.

The booth does not use the session. Signing in gives the browser a cookie carrying the
credential's id and generation, signed with the site's secret key and dated by the signature:

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

COOKIE = "omov_booth"
SALT = "omov.ballots.booth-pass"


@dataclass(frozen=True)
class BoothPass:
    """A signed-in credential: its id and the generation of the code it was signed in with."""

    credential_id: int
    generation: int


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
        or len(value) != 2
        or not all(isinstance(part, int) for part in value)
    ):
        return None
    return BoothPass(credential_id=value[0], generation=value[1])


def pass_give(response: HttpResponse, *, credential_id: int, generation: int) -> None:
    """Attach a new booth pass for this credential to the response."""
    response.set_cookie(
        COOKIE,
        signing.dumps([credential_id, generation], salt=SALT),
        max_age=_lifetime(),
        path=_path(),
        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
        httponly=True,
        samesite="Strict",
    )


def pass_end(response: HttpResponse) -> None:
    """Tell the browser to forget its booth pass."""
    response.delete_cookie(COOKIE, path=_path(), samesite="Strict")
