"""Reads shared by every app: who holds which role, and where."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from omov.core.models import Role, RoleAssignment

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
