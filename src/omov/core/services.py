"""Writes shared by every app: the audit trail and the throttle for guessable things."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F

from omov.core import clock
from omov.core.models import AuditEvent, ThrottleBucket

if TYPE_CHECKING:
    from omov.contests.models import Contest


def audit_record(
    *,
    action: str,
    summary: str,
    actor: Any = None,
    actor_label: str = "",
    contest: Contest | None = None,
    target: Any = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event; call it inside the transaction of the change it records."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = actor_label or (str(user) if user is not None else "system")
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=user,
        actor_label=label[:150],
        action=action,
        contest=contest,
        object_type=type(target).__name__ if target is not None else "",
        object_id=str(getattr(target, "pk", "") or "") if target is not None else "",
        summary=summary,
        reason=reason,
        data=data or {},
    )


def _window_start(window: timedelta) -> datetime:
    """Return the start of the fixed window of length ``window`` that contains now."""
    at = clock.now()
    seconds = int(window.total_seconds())
    return at - timedelta(seconds=int(at.timestamp()) % seconds, microseconds=at.microsecond)


def throttle_hit(*, key: str, limit: int, window: timedelta) -> bool:
    """Record one attempt under ``key`` and return True while within ``limit`` per ``window``.

    The count lives in the database so every stateless app server shares it. Windows are fixed
    (aligned to multiples of ``window``), which is simple and sufficient against guessing.
    """
    start = _window_start(window)
    with transaction.atomic():
        updated = ThrottleBucket.objects.filter(key=key, window_start=start).update(
            attempts=F("attempts") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    ThrottleBucket.objects.create(key=key, window_start=start, attempts=1)
            except IntegrityError:
                ThrottleBucket.objects.filter(key=key, window_start=start).update(
                    attempts=F("attempts") + 1
                )
        attempts = ThrottleBucket.objects.values_list("attempts", flat=True).get(
            key=key, window_start=start
        )
    return attempts <= limit
