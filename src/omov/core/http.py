"""Small helpers about the HTTP request, shared by every app."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


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
