"""Who may do what, across apps: role look-ups and the `Decision` every policy returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from omov.core.models import Role, RoleAssignment

if TYPE_CHECKING:
    from omov.contests.models import Contest


@dataclass(frozen=True)
class Decision:
    """The answer of a policy: allowed or not, and the reason a person can read."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def deny(reason: str) -> Decision:
    """Return a refusal with its reason."""
    return Decision(False, reason)


def _assignments(user: Any, contest: Contest | None, **filters: Any) -> QuerySet[RoleAssignment]:
    """Return the user's role assignments valid in ``contest`` (its own and global ones).

    Anonymous users and no user have none. With ``contest`` None, every assignment counts.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return RoleAssignment.objects.none()
    assignments = RoleAssignment.objects.filter(user=user, **filters)
    if contest is not None:
        assignments = assignments.filter(Q(contest=contest) | Q(contest__isnull=True))
    return assignments


def roles_of(user: Any, contest: Contest | None) -> set[str]:
    """Return the roles a user holds for a contest (global grants included)."""
    return set(_assignments(user, contest).values_list("role", flat=True))


def has_role(user: Any, contest: Contest | None, *roles: Role) -> bool:
    """Return True when the user holds any of ``roles`` for the contest."""
    return bool(roles_of(user, contest) & {str(role) for role in roles})


def is_returning_officer(user: Any, contest: Contest | None) -> bool:
    """Return True for the returning officer of the contest (or of every contest)."""
    return has_role(user, contest, Role.RETURNING_OFFICER)


def can_read_everything(user: Any, contest: Contest | None) -> bool:
    """Return True for the returning officer and scrutineers: read access to every page."""
    return has_role(user, contest, Role.RETURNING_OFFICER, Role.SCRUTINEER)


def secretary_branch_ids(user: Any, contest: Contest | None) -> set[int]:
    """Return the ids of the branches the user is branch secretary of."""
    assignments = _assignments(user, contest, role=Role.BRANCH_SECRETARY)
    return {branch_id for branch_id in assignments.values_list("branch_id", flat=True) if branch_id}


def agent_candidate_ids(user: Any, contest: Contest | None) -> set[int]:
    """Return the ids of the candidates the user is agent for."""
    assignments = _assignments(user, contest, role=Role.CANDIDATE_AGENT)
    return {cid for cid in assignments.values_list("candidate_id", flat=True) if cid}


def campaign_candidate_ids(user: Any, contest: Contest | None, *roles: Role) -> set[int]:
    """Return the ids of the candidates whose campaign the user holds any of ``roles`` in."""
    assignments = _assignments(user, contest, role__in=[str(role) for role in roles])
    return {cid for cid in assignments.values_list("candidate_id", flat=True) if cid}


def can_manage_roles(actor: Any) -> Decision:
    """Only a superuser or the returning officer of every contest grants and revokes roles.

    A returning officer for one contest may not: granting is how access to every contest is
    handed out, so it stays with whoever already holds that access.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        return deny("Sign in as the returning officer to grant or revoke roles.")
    if getattr(actor, "is_superuser", False):
        return ALLOW
    if _assignments(actor, None, role=Role.RETURNING_OFFICER, contest__isnull=True).exists():
        return ALLOW
    return deny(
        "Only the returning officer of every contest (or a superuser) can grant or revoke roles; "
        "ask them to make this change."
    )
