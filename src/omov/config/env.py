"""Read configuration from the environment, in one place.

Nothing here runs at import time of the apps: settings call these helpers once, and production
refuses to start without its secrets.
"""

from __future__ import annotations

import contextlib
import os
import secrets
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


def env_int(name: str, default: int) -> int:
    """Return the environment variable as a whole number, or stop naming the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(
            f"{name} is {raw!r}; it must be a whole number (see docs/configuration.md)."
        ) from None


def env_float(name: str, default: float) -> float:
    """Return the environment variable as a number, or stop naming the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError(
            f"{name} is {raw!r}; it must be a number (see docs/configuration.md)."
        ) from None


#: The secrets production cannot run without, in the order ``omov keys generate`` prints them.
SECRET_NAMES = ("SECRET_KEY", "OMOV_CREDENTIAL_KEY")


def get_mandatory_secret(name: str) -> str:
    """Return a secret that production cannot run without, or stop with one line saying why.

    The line names the variable and how to make one, because it is what `omov serve` prints.
    """
    value = os.environ.get(name, "")
    if not value:
        raise ConfigurationError(
            f"{name} is not set, and omov runs in production mode unless told otherwise. "
            "Make the keys with `omov keys generate --out omov.env` and load that file into the "
            "environment (or, on your own machine only, run `omov serve --dev`)."
        )
    if len(value) < 32:
        raise ConfigurationError(
            f"{name} is only {len(value)} characters long; use a random value of at least 32 "
            "characters (`omov keys generate` makes one)."
        )
    return value


def secret_generate() -> str:
    """Return a new random secret: 64 URL-safe characters (384 bits)."""
    return secrets.token_urlsafe(48)


def private_file_write(path: Path, text: str) -> None:
    """Create ``path`` with mode 0600 (owner only) and write ``text``; refuse to overwrite."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def private_file_touch(path: Path) -> None:
    """Make sure ``path`` exists and only its owner can read or write it (mode 0600).

    For the SQLite database: created here before SQLite opens it, so it is never world-readable,
    and an existing one is tightened. SQLite gives its journal files the database's mode.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(descriptor)
    os.chmod(path, 0o600)


def local_secret(folder: Path, name: str) -> str:
    """Return this installation's own secret ``name`` from ``folder``, making it on first use.

    Used in development mode and by the demo only: each installation draws its own secrets and
    keeps them in its data folder (mode 0600), so no public development key ever signs anything
    outside the test suite.
    """
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / name
    if not path.exists():
        # Another process may make it first: then use theirs.
        with contextlib.suppress(FileExistsError):
            private_file_write(path, secret_generate() + "\n")
    return path.read_text(encoding="utf-8").strip()


#: SQLite: wait up to 30 s for the write lock; take it when a transaction starts (no deadlock
#: between two readers that both turn writer); and write-ahead logging, so pages keep being read
#: while a long write (a roll import of 654,006 people) holds the lock: with the default rollback
#: journal every other request waited for it (p99 4.8 s, worst 11.4 s during that import;
#: bench/bench_roll_upload.py). ``synchronous`` stays FULL: an accepted vote is on disk.
SQLITE_OPTIONS: dict[str, Any] = {
    "timeout": 30,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL;",
}


def database_from_url(url: str | None, *, default_sqlite: Path) -> dict[str, Any]:
    """Turn ``DATABASE_URL`` into a Django DATABASES entry; SQLite when it is unset.

    Accepts ``sqlite:///path``, ``postgres://user:pass@host:port/name`` and ``postgresql://``.
    """
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite),
            "OPTIONS": dict(SQLITE_OPTIONS),
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
            "OPTIONS": dict(SQLITE_OPTIONS),
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
