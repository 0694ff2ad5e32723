"""The audit trail's hash chain: how an event's hash is computed (pure functions, no database).

Each contest's events form one chain, and the events of no contest form the site's chain. An
event's hash is SHA-256 over a canonical JSON of its previous event's hash, its place in the
chain (``sequence``, from 1) and every field it records. Deleting, editing or reordering events
in the database therefore breaks the chain at the first event touched, and
``omov audit verify --contest SLUG`` names it. The chain's head (its last hash) is shown on the
contest page and printed in the declaration: a head a scrutineer wrote down, or that was
published, also catches events removed from the end, or a chain rewritten from scratch by someone
who can write to the database (the hash has no key, so anyone can recompute it; what makes a
rewrite evident is the head recorded outside the database).

Used by ``omov.core.services.audit_record`` (writing), ``omov.core.selectors.audit_chain_verify``
(reading) and the migration that chained the events written before chains existed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

#: The ``previous_hash`` of a chain's first event.
GENESIS = "0" * 64
SITE_CHAIN = "site"


def chain_name(contest_id: int | None) -> str:
    """Return the name of the chain an event of this contest (or of none) belongs to."""
    return f"contest:{contest_id}" if contest_id is not None else SITE_CHAIN


def data_normalise(data: Any) -> Any:
    """Return ``data`` as the database gives it back (JSON round trip: tuples become lists)."""
    return json.loads(json.dumps(data or {}))


def event_hash(
    *,
    previous_hash: str,
    sequence: int,
    contest_id: int | None,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    reason: str,
    data: Any,
) -> str:
    """Return the hash of one event, chained to the one before it."""
    canonical = json.dumps(
        {
            "previous_hash": previous_hash,
            "sequence": sequence,
            "contest": contest_id,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor_id,
            "actor_label": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "summary": summary,
            "reason": reason,
            "data": data,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def stored_event_hash(event: Any) -> str:
    """Recompute the hash of an event as stored (a model instance or a row with its fields)."""
    return event_hash(
        previous_hash=event.previous_hash,
        sequence=event.sequence,
        contest_id=event.contest_id,
        at=event.at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        summary=event.summary,
        reason=event.reason,
        data=event.data,
    )
