"""Writes shared by every app: the audit trail, staff roles, and the throttle for guessable things.

A role service given an ``actor`` checks the policy itself (so no interface can skip it);
``actor=None`` means a trusted caller with shell access, such as the CLI or the demo.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from omov.core import audit_chain, clock
from omov.core.errors import PermissionRefused, ServiceError
from omov.core.models import (
    CAMPAIGN_ROLES,
    AuditChainHead,
    AuditEvent,
    Role,
    RoleAssignment,
    ThrottleBucket,
)
from omov.core.policies import can_manage_roles
from omov.core.selectors import role_assignment_find

if TYPE_CHECKING:
    from omov.contests.models import Candidate, Contest
    from omov.electorate.models import Branch


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
    """Write one audit event, chained to the last one of its contest; call it inside the
    transaction of the change it records.

    The chain's head row is locked first, so concurrent events of one contest are appended one
    after the other (on PostgreSQL the second waits for the first to commit and then reads the
    new head); the unique (contest, sequence) constraint makes a fork impossible even so.
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = (actor_label or (str(user) if user is not None else "system"))[:150]
    contest_id = contest.pk if contest is not None else None
    event = AuditEvent(
        at=clock.now(),
        actor=user,
        actor_label=label,
        action=action,
        contest=contest,
        object_type=type(target).__name__ if target is not None else "",
        object_id=str(getattr(target, "pk", "") or "") if target is not None else "",
        summary=summary,
        reason=reason,
        data=audit_chain.data_normalise(data),
    )
    with transaction.atomic():
        head = _audit_head_lock(audit_chain.chain_name(contest_id))
        event.sequence = head.length + 1
        event.previous_hash = head.hash
        event.hash = audit_chain.stored_event_hash(event)
        event.save(force_insert=True)
        AuditChainHead.objects.filter(pk=head.pk).update(length=event.sequence, hash=event.hash)
    return event


def _audit_head_lock(chain: str) -> AuditChainHead:
    """Return the chain's head row, locked for this transaction (made on its first event)."""
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is None:
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(chain=chain, length=0, hash=audit_chain.GENESIS)], ignore_conflicts=True
        )
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
    return head


def _ensure_can_manage_roles(actor: Any) -> None:
    if actor is not None:
        decision = can_manage_roles(actor)
        if not decision:
            raise PermissionRefused(decision.reason)


@dataclass(frozen=True)
class RoleScope:
    """A role and where it applies, checked and completed by :func:`role_scope_check`."""

    role: Role
    contest: Contest | None
    branch: Branch | None
    candidate: Candidate | None


def role_scope_check(
    *,
    role: Role | str,
    contest: Contest | None = None,
    branch: Branch | None = None,
    candidate: Candidate | None = None,
) -> RoleScope:
    """Check that the role exists and its scope fits it; fill in an agent's contest.

    A branch secretary names a branch; a candidate's agent names a candidate (and its contest);
    so do the campaign roles (the candidate names the campaign); every other role names neither.
    Any role may be limited to one contest.
    """
    try:
        checked = Role(role)
    except ValueError:
        raise ServiceError(
            f"There is no role called {role!r}. The roles are: {', '.join(Role.values)}."
        ) from None
    if checked == Role.BRANCH_SECRETARY:
        if branch is None:
            raise ServiceError("A branch secretary needs a branch: name their branch.")
        if candidate is not None:
            raise ServiceError(
                "A branch secretary acts for a branch, not a candidate: leave the candidate empty."
            )
    elif checked == Role.CANDIDATE_AGENT or checked in CAMPAIGN_ROLES:
        who = f"A {checked.label.lower()}"
        if candidate is None:
            raise ServiceError(f"{who} needs a candidate: name the candidate.")
        if branch is not None:
            raise ServiceError(f"{who} acts for a candidate, not a branch: leave the branch empty.")
        if contest is None:
            contest = candidate.contest
        elif candidate.contest_id != contest.pk:
            raise ServiceError(
                f"{candidate.name} stands in {candidate.contest.slug}, not in {contest.slug}: "
                "give the candidate's own contest, or no contest."
            )
    elif checked == Role.TRUSTEE and (contest is None or branch or candidate):
        raise ServiceError(
            "A trustee acts for one contest's count and nothing else: name the contest, and no "
            "branch or candidate."
        )
    elif branch is not None or candidate is not None:
        raise ServiceError(
            f"The role {checked.label.lower()} takes no branch or candidate (only a branch "
            "secretary, a candidate's agent and the campaign roles do): leave them empty."
        )
    return RoleScope(role=checked, contest=contest, branch=branch, candidate=candidate)


def _role_data(assignment: RoleAssignment) -> dict[str, Any]:
    return {
        "user": assignment.user.get_username(),
        "role": assignment.role,
        "contest": assignment.contest.slug if assignment.contest is not None else None,
        "branch": assignment.branch.code if assignment.branch is not None else None,
        "candidate": assignment.candidate.name if assignment.candidate is not None else None,
    }


def role_grant(
    *,
    user: Any,
    role: Role | str,
    contest: Contest | None = None,
    branch: Branch | None = None,
    candidate: Candidate | None = None,
    actor: Any = None,
    actor_label: str = "",
    reason: str = "",
) -> RoleAssignment:
    """Grant ``user`` the role in its scope and audit it; return the assignment.

    Granting an assignment the user already holds returns it and writes nothing, so a script
    can grant again safely.
    """
    _ensure_can_manage_roles(actor)
    scope = role_scope_check(role=role, contest=contest, branch=branch, candidate=candidate)
    with transaction.atomic():
        # Lock the user's row: two grants of the same role at once cannot both insert it.
        if not get_user_model().objects.select_for_update().filter(pk=user.pk).exists():
            raise ServiceError(f"The user {user.get_username()} does not exist (any more).")
        existing = role_assignment_find(
            user=user,
            role=scope.role,
            contest=scope.contest,
            branch=scope.branch,
            candidate=scope.candidate,
        )
        if existing is not None:
            return existing
        assignment = RoleAssignment.objects.create(
            user=user,
            role=scope.role,
            contest=scope.contest,
            branch=scope.branch,
            candidate=scope.candidate,
        )
        audit_record(
            action="role.grant",
            summary=(
                f"Granted {user.get_username()} the role {scope.role.label} "
                f"({assignment.describe_scope()})"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=scope.contest,
            target=assignment,
            reason=reason,
            data=_role_data(assignment),
        )
    return assignment


def role_revoke(
    *, assignment: RoleAssignment, actor: Any = None, actor_label: str = "", reason: str = ""
) -> None:
    """Take the role away (delete the assignment) and audit it."""
    _ensure_can_manage_roles(actor)
    with transaction.atomic():
        if not RoleAssignment.objects.select_for_update().filter(pk=assignment.pk).exists():
            raise ServiceError(
                f"{assignment.user.get_username()} no longer holds the role "
                f"{assignment.get_role_display()} ({assignment.describe_scope()}): it was "
                "revoked already."
            )
        audit_record(
            action="role.revoke",
            summary=(
                f"Revoked the role {assignment.get_role_display()} "
                f"({assignment.describe_scope()}) of {assignment.user.get_username()}"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=assignment.contest,
            target=assignment,
            reason=reason,
            data={**_role_data(assignment), "granted_at": assignment.granted_at.isoformat()},
        )
        assignment.delete()


def user_create(
    *, username: str, actor: Any = None, actor_label: str = "", reason: str = ""
) -> tuple[Any, str]:
    """Create a user who signs in with a new random password; return both, and audit it.

    The password is returned once, to be handed over; only its hash is stored.
    """
    _ensure_can_manage_roles(actor)
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ServiceError(f"The user {username} exists already.")
    password = secrets.token_urlsafe(12)
    user = user_model(username=username)
    user.set_password(password)
    try:
        user.full_clean()
    except ValidationError as error:
        messages = [message for field in error.message_dict.values() for message in field]
        raise ServiceError(f"Cannot create the user {username!r}: {' '.join(messages)}") from None
    with transaction.atomic():
        user.save()
        audit_record(
            action="user.create",
            summary=f"Created the user {username}",
            actor=actor,
            actor_label=actor_label,
            target=user,
            reason=reason,
        )
    return user, password


def _window_start(window: timedelta) -> datetime:
    """Return the start of the fixed window of length ``window`` that contains now."""
    at = clock.now()
    seconds = int(window.total_seconds())
    return at - timedelta(seconds=int(at.timestamp()) % seconds, microseconds=at.microsecond)


def throttle_retry_at(window: timedelta) -> datetime:
    """Return when the current window ends, i.e. when a throttled key may try again."""
    return _window_start(window) + window


def throttle_key(scope: str, value: str) -> str:
    """Return the throttle key for ``value`` (a reference, an address, a user name) in ``scope``.

    A keyed hash (HMAC-SHA256, 32 hex characters kept) under a key derived from the site's secret
    key, never the credential key: the throttle table then names no credential (a reference's
    throttle key shares nothing with its stored ``reference_hash``), no address and no user name,
    and telling which row is whose needs the plaintext value and the site's secret key.
    """
    secret = hmac.new(
        str(settings.SECRET_KEY).encode(), b"omov.core.throttle-key", hashlib.sha256
    ).digest()
    digest = hmac.new(secret, f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{scope}:{digest[:32]}"


def throttle_count(*, key: str, window: timedelta) -> int:
    """Return how many attempts ``key`` has made in the current window (recording nothing)."""
    attempts = (
        ThrottleBucket.objects.filter(key=key, window_start=_window_start(window))
        .values_list("attempts", flat=True)
        .first()
    )
    return attempts or 0


def throttle_record(*, key: str, window: timedelta) -> int:
    """Record one attempt under ``key``; return the attempts in the current window, this one too.

    The count lives in the database so every stateless app server shares it. Windows are fixed
    (aligned to multiples of ``window``), which is simple and sufficient against guessing. Each
    new bucket first deletes buckets whose window has ended, so the table holds only live
    windows: a copy of the database shows at most the current window's attempts.
    """
    start = _window_start(window)
    with transaction.atomic():
        updated = ThrottleBucket.objects.filter(key=key, window_start=start).update(
            attempts=F("attempts") + 1
        )
        if not updated:
            throttle_purge()
            try:
                with transaction.atomic():
                    ThrottleBucket.objects.create(
                        key=key, window_start=start, window_end=start + window, attempts=1
                    )
            except IntegrityError:
                ThrottleBucket.objects.filter(key=key, window_start=start).update(
                    attempts=F("attempts") + 1
                )
        return ThrottleBucket.objects.values_list("attempts", flat=True).get(
            key=key, window_start=start
        )


def throttle_hit(*, key: str, limit: int, window: timedelta) -> bool:
    """Record one attempt under ``key`` and return True while within ``limit`` per ``window``."""
    return throttle_record(key=key, window=window) <= limit


def throttle_purge(*, limit: int = 1000) -> int:
    """Delete up to ``limit`` throttle buckets whose window has ended; return how many.

    An ended window can no longer refuse anything, and a kept row would only be a record of who
    tried to sign in when. The limit keeps the purge inside a request short.
    """
    ended = ThrottleBucket.objects.filter(window_end__lte=clock.now())
    ids = list(ended.values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    deleted, _ = ThrottleBucket.objects.filter(pk__in=ids).delete()
    return deleted
