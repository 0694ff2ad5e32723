"""Small helpers about the HTTP request, shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from omov.core.policies import Decision


class SignInFirst(Exception):
    """A policy refused an anonymous visitor: `sign_in_for_refused_pages` sends them to sign in."""


def policy_require(request: HttpRequest, decision: Decision) -> None:
    """Go on if the policy allows; else ask an anonymous visitor to sign in, or refuse (403)."""
    if decision:
        return
    if not request.user.is_authenticated:
        raise SignInFirst
    raise PermissionDenied(decision.reason)


def sign_in_for_refused_pages(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send anonymous visitors refused by a policy (`policy_require`) to the sign-in page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except SignInFirst:
            return redirect_to_login(request.get_full_path())

    return wrapped


def client_ip(request: HttpRequest) -> str:
    """Return the client's address: the one place every throttle and page asks (issue 8, item 8).

    With ``OMOV_TRUSTED_PROXY_HOPS = 0`` (the default) no header is trusted: the address is the
    connection's (``REMOTE_ADDR``). Behind N reverse proxies, each appending the address it saw to
    X-Forwarded-For, the client is the N-th address from the right: those N were written by our
    own proxies, anything further left was written by the client and is ignored. If the header is
    shorter than N the request did not pass through every proxy, and the connection's address is
    used. See docs/deployment.md.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "unknown")
    hops = int(getattr(settings, "OMOV_TRUSTED_PROXY_HOPS", 0))
    if hops <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    if len(forwarded) < hops:
        return remote
    return forwarded[-hops]
