"""The one place the application asks for the time, so tests can move it."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """Return the current timezone-aware time."""
    return timezone.now()
