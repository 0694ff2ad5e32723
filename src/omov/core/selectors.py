"""Reads shared by every app: who holds which role, and where; whether an audit chain holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from omov.core import audit_chain
from omov.core.models import AuditChainHead, AuditEvent, Role, RoleAssignment

if TYPE_CHECKING:
    from omov.contests.models import Candidate, Contest
    from omov.electorate.models import Branch


def role_assignments(*, contest: Contest | None = None) -> QuerySet[RoleAssignment]:
    """Return role assignments with their user and scope, by user then role.

    With ``contest``, only the assignments valid in it: its own and those for every contest.
    """
    assignments = RoleAssignment.objects.select_related(
        "user", "contest", "branch", "candidate"
    ).order_by("user__username", "role", "contest__slug", "pk")
    if contest is not None:
        assignments = assignments.filter(Q(contest=contest) | Q(contest__isnull=True))
    return assignments


def role_assignment_find(
    *,
    user: Any,
    role: Role,
    contest: Contest | None,
    branch: Branch | None,
    candidate: Candidate | None,
) -> RoleAssignment | None:
    """Return the user's assignment of exactly this role and scope, or None when there is none."""
    return (
        role_assignments()
        .filter(user=user, role=role, contest=contest, branch=branch, candidate=candidate)
        .first()
    )


@dataclass(frozen=True)
class ChainCheck:
    """What checking an audit chain found: intact or not, where it first breaks, and its head."""

    chain: str
    is_intact: bool
    length: int
    head_hash: str
    broken_event_id: int | None = None
    broken_sequence: int | None = None
    problem: str = ""

    def describe(self) -> str:
        """Say in one sentence whether the chain verifies, and if not, where and why."""
        if self.is_intact:
            return (
                f"The audit trail verifies: {self.length} events, chained without a break; "
                f"head hash {self.head_hash}."
            )
        where = (
            f"event {self.broken_event_id} (place {self.broken_sequence} in the chain)"
            if self.broken_event_id is not None
            else f"the end of the chain (place {self.broken_sequence})"
        )
        return f"The audit trail does NOT verify: it breaks at {where}: {self.problem}"


def audit_head(contest: Contest | None) -> AuditChainHead | None:
    """Return the head row of the contest's audit chain (or the site's), if it has events."""
    return AuditChainHead.objects.filter(
        chain=audit_chain.chain_name(contest.pk if contest is not None else None)
    ).first()


def audit_chain_verify(contest: Contest | None) -> ChainCheck:
    """Walk the contest's audit chain (or the site's) and report the first event that breaks it.

    Recomputes every hash and checks each event follows the one before it, that places run
    1, 2, 3 … without a gap, and that the last event is the recorded head. Reads in chunks, so a
    long chain does not sit in memory.
    """
    chain = audit_chain.chain_name(contest.pk if contest is not None else None)
    events = (
        AuditEvent.objects.filter(contest=contest)
        if contest is not None
        else AuditEvent.objects.filter(contest__isnull=True)
    )
    expected = 1
    previous = audit_chain.GENESIS

    def broken(event: AuditEvent | None, sequence: int, problem: str) -> ChainCheck:
        return ChainCheck(
            chain=chain,
            is_intact=False,
            length=expected - 1,
            head_hash=previous,
            broken_event_id=event.pk if event is not None else None,
            broken_sequence=sequence,
            problem=problem,
        )

    for event in events.order_by("sequence", "id").iterator(chunk_size=2000):
        if event.sequence > expected:
            return broken(
                event,
                event.sequence,
                f"the events at places {expected} to {event.sequence - 1} are missing (deleted)."
                if event.sequence - 1 > expected
                else f"the event at place {expected} is missing (deleted).",
            )
        if event.sequence < expected:
            return broken(event, event.sequence, "two events claim the same place (reordered).")
        if event.previous_hash != previous:
            return broken(
                event,
                event.sequence,
                "it does not follow the event before it (events were reordered, or one before "
                "it was replaced).",
            )
        if audit_chain.stored_event_hash(event) != event.hash:
            return broken(
                event, event.sequence, "its contents were changed after it was written (edited)."
            )
        previous = event.hash
        expected += 1
    head = AuditChainHead.objects.filter(chain=chain).first()
    recorded_length = head.length if head is not None else 0
    recorded_hash = head.hash if head is not None else audit_chain.GENESIS
    if recorded_length != expected - 1 or recorded_hash != previous:
        if recorded_length > expected - 1:
            problem = (
                f"the chain ends at place {expected - 1}, but {recorded_length} events were "
                "written: the last ones were deleted."
            )
        else:
            problem = "the chain's recorded head does not match its last event."
        return broken(None, expected, problem)
    return ChainCheck(chain=chain, is_intact=True, length=expected - 1, head_hash=previous)


@dataclass(frozen=True)
class AuditMark:
    """A point in a contest's audit chain that a document quotes: the event's place and hash."""

    sequence: int
    hash: str
    action: str


def audit_mark(contest: Contest, *, action: str | None = None) -> AuditMark | None:
    """Return the latest event of the contest's chain (with ``action``: the latest such event).

    The declaration quotes its own event (``results.declare``), so its figure does not move
    when later events are added; the contest page quotes the current head.
    """
    events = AuditEvent.objects.filter(contest=contest)
    if action is not None:
        events = events.filter(action=action)
    row = events.order_by("-sequence").values_list("sequence", "hash", "action").first()
    return AuditMark(*row) if row is not None else None
