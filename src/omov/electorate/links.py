"""The electorate's pages on the home page and the contest page (``contests.dashboard``)."""

from __future__ import annotations

from typing import Any

from omov.contests.dashboard import PlacedOffer, url_of
from omov.contests.models import Contest
from omov.core.models import Role, RoleAssignment
from omov.electorate import policies


def links(user: Any, contest: Contest, assignment: RoleAssignment) -> list[PlacedOffer]:
    """The roll, its import and its rules for the office; a secretary's part of the roll."""
    slug = contest.slug
    if assignment.role in (Role.RETURNING_OFFICER, Role.SCRUTINEER):
        return [
            (
                110,
                (
                    "The roll",
                    url_of("electorate:roll", slug),
                    lambda: policies.can_view_roll(user, contest),
                ),
            ),
            (
                120,
                (
                    "Import the roll",
                    url_of("electorate:import", slug),
                    lambda: policies.can_manage_roll(user, contest),
                ),
            ),
            (
                130,
                (
                    "Eligibility rules",
                    url_of("electorate:rules", slug),
                    lambda: policies.can_preview_rules(user, contest),
                ),
            ),
        ]
    if assignment.role == Role.BRANCH_SECRETARY and assignment.branch is not None:
        label = f"{assignment.branch.name}: the branch's part of the roll"
        return [
            (
                110,
                (
                    label,
                    url_of("electorate:roll", slug),
                    lambda: policies.can_view_roll(user, contest),
                ),
            )
        ]
    return []
