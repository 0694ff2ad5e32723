"""Small helpers about the HTTP request, shared by every app."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Return the client's address, for the throttles.

    Behind a reverse proxy every request comes from the proxy; with
    ``OMOV_TRUST_X_FORWARDED_FOR = True`` the address the proxy appended last is used instead.
    """
    if getattr(settings, "OMOV_TRUST_X_FORWARDED_FOR", False):
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")[-1].strip()
        if forwarded:
            return forwarded
    return str(request.META.get("REMOTE_ADDR", "unknown"))
