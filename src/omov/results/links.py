"""The results' pages on the home page and the contest page (``contests.dashboard``)."""

from __future__ import annotations

from typing import Any

from omov.contests.dashboard import PlacedOffer, url_of
from omov.contests.models import Contest, ContestStatus
from omov.core.models import Role, RoleAssignment
from omov.core.policies import Decision
from omov.results import policies


def links(user: Any, contest: Contest, assignment: RoleAssignment) -> list[PlacedOffer]:
    """Turnout, the count and the result for the office; turnout for secretaries and agents."""
    slug = contest.slug
    turnout = (
        "Turnout",
        url_of("results:turnout", slug),
        lambda: policies.can_view_turnout(user, contest),
    )
    if assignment.role in (Role.RETURNING_OFFICER, Role.SCRUTINEER):
        return [
            (230, turnout),
            (
                240,
                (
                    "Count the votes",
                    url_of("results:count", slug),
                    lambda: policies.can_count(user, contest),
                ),
            ),
            (
                250,
                (
                    "The result",
                    url_of("results:declaration", slug),
                    lambda: policies.can_view_result(user, contest),
                ),
            ),
        ]
    if assignment.role == Role.BRANCH_SECRETARY and assignment.branch is not None:
        return [(120, turnout)]
    if assignment.role == Role.CANDIDATE_AGENT and assignment.candidate is not None:
        return [(110, turnout)]
    return []


def public_links(user: Any, contest: Contest) -> list[PlacedOffer]:
    """The declaration, once declared."""
    return [
        (
            30,
            (
                "The declaration",
                url_of("results:declaration", contest.slug),
                lambda: Decision(contest.status == ContestStatus.DECLARED),
            ),
        )
    ]
