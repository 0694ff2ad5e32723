"""Reads of contests and candidates."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from omov.contests.models import Candidate, CandidateStatus, Contest, ContestStatus
from omov.core.models import OUTSIDE_ROLES, RoleAssignment
from omov.core.policies import roles_of


def contests_visible_to(user: Any) -> QuerySet[Contest]:
    """Return contests a user may see: all for office roles, otherwise those past draft."""
    contests = Contest.objects.all()
    if roles_of(user, None) - {str(role) for role in OUTSIDE_ROLES} or getattr(
        user, "is_superuser", False
    ):
        return contests
    from django.db.models import Q

    if getattr(user, "is_authenticated", False):
        own = RoleAssignment.objects.filter(user=user).values("contest_id")
        return contests.filter(~Q(status=ContestStatus.DRAFT) | Q(pk__in=own))
    return contests.exclude(status=ContestStatus.DRAFT)


def contests_listed() -> QuerySet[Contest]:
    """Return every contest with its candidate count, newest first (for `omov contest list`)."""
    from django.db.models import Count

    return Contest.objects.annotate(candidate_count=Count("candidates")).order_by(
        "-created_at", "slug"
    )


def ballot_candidates(contest: Contest) -> QuerySet[Candidate]:
    """Return the candidates on the ballot, in ballot order."""
    return contest.candidates.filter(status=CandidateStatus.NOMINATED).order_by(
        "ballot_position", "name"
    )
