"""The public address of the booth, which every credential email and letter carries.

A wrong address sends every voter to a page that is not there (in one trial run, 261 emails and 23
letters pointed at http://127.0.0.1:8000/vote/). In production, opening the ballot and sending or
printing credentials therefore refuse while ``OMOV_PUBLIC_URL`` is unset, not an http(s) address,
or a loopback or local address, saying which setting to set. Development and the demo may use a
local address, and so may an installation that says it serves only this machine
(``OMOV_LOCAL_ONLY=1``, which `omov demo` sets): there the voters are the person at the keyboard.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings

from omov.core.errors import ServiceError

#: Host names that only ever reach the machine the message was read on.
_LOCAL_HOSTS = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def public_url_problem(url: str, *, is_production: bool) -> str | None:
    """Return why ``url`` cannot be the booth's public address, or None when it can."""
    if not url.strip():
        return (
            "OMOV_PUBLIC_URL is not set: set it to the address voters open, such as "
            "https://vote.example.org, so credential emails and letters carry the right link."
        )
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return (
            f"OMOV_PUBLIC_URL is {url!r}, which is not a web address: set it to the address "
            "voters open, such as https://vote.example.org."
        )
    if not is_production:
        return None
    host = parts.hostname.lower()
    try:
        is_local = (
            ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
        )
    except ValueError:
        is_local = host in _LOCAL_HOSTS or host.endswith(".localhost")
    if is_local:
        return (
            f"OMOV_PUBLIC_URL is {url!r}, an address of this machine that voters cannot reach: "
            "set it to the public address voters open, such as https://vote.example.org."
        )
    if parts.scheme != "https":
        return (
            f"OMOV_PUBLIC_URL is {url!r}: voters' codes would travel unencrypted. Use an https "
            "address."
        )
    return None


def public_url_require() -> str:
    """Return the booth's public base address, or refuse (ServiceError) with what to set."""
    url = str(getattr(settings, "OMOV_PUBLIC_URL", ""))
    is_public = bool(getattr(settings, "IS_PRODUCTION", True)) and not bool(
        getattr(settings, "OMOV_LOCAL_ONLY", False)
    )
    problem = public_url_problem(url, is_production=is_public)
    if problem is not None:
        raise ServiceError(problem)
    return url.strip().rstrip("/")
