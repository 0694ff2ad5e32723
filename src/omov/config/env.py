"""Read configuration from the environment, in one place.

Nothing here runs at import time of the apps: settings call these helpers once, and production
refuses to start without its secrets.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


class ConfigurationError(Exception):
    """A required setting is missing or malformed."""


def env_bool(name: str, default: bool) -> bool:
    """Return the environment variable as a boolean (1/true/yes/on)."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated environment variable as a list of non-empty items."""
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def get_mandatory_secret(name: str) -> str:
    """Return a secret that production cannot run without, or stop with a clear message."""
    value = os.environ.get(name, "")
    if not value:
        raise ConfigurationError(
            f"The environment variable {name} must be set when DEBUG is off. "
            f"Set it to a long random value (for example: python -c 'import secrets; "
            f"print(secrets.token_urlsafe(50))')."
        )
    return value


def database_from_url(url: str | None, *, default_sqlite: Path) -> dict[str, Any]:
    """Turn ``DATABASE_URL`` into a Django DATABASES entry; SQLite when it is unset.

    Accepts ``sqlite:///path``, ``postgres://user:pass@host:port/name`` and ``postgresql://``.
    """
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite),
            "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
        }
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("/") and parts.netloc == "":
            path = path[1:] if path.startswith("//") else path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path or ":memory:",
            "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "omov",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": int(options.pop("conn_max_age", "60")),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ConfigurationError(
        f"DATABASE_URL has the scheme {scheme!r}; use sqlite:///path or postgres://user@host/name."
    )
