"""The nominations' pages on the home page and the contest page (``contests.dashboard``)."""

from __future__ import annotations

from typing import Any

from omov.contests.dashboard import PlacedOffer, url_of
from omov.contests.models import Contest
from omov.core.models import Role, RoleAssignment
from omov.nominations import policies


def links(user: Any, contest: Contest, assignment: RoleAssignment) -> list[PlacedOffer]:
    """The office's nomination pages, a secretary's meeting, an agent's candidate."""
    slug = contest.slug
    if assignment.role in (Role.RETURNING_OFFICER, Role.SCRUTINEER):

        def office() -> Any:
            return policies.can_view_office_pages(user, contest)

        return [
            (
                140,
                (
                    "Nominations",
                    url_of("nominations:overview", slug),
                    lambda: policies.can_view_overview(user, contest),
                ),
            ),
            (150, ("Branch nominating meetings", url_of("nominations:meetings", slug), office)),
            (160, ("Parliamentary nominations", url_of("nominations:parliamentary", slug), office)),
            (170, ("Affiliate nominations", url_of("nominations:affiliates", slug), office)),
            (180, ("Nomination rules", url_of("nominations:rules", slug), office)),
            (
                190,
                (
                    "Registered supporters' applications",
                    url_of("nominations:supporter_queue", slug),
                    office,
                ),
            ),
        ]
    branch = assignment.branch
    if assignment.role == Role.BRANCH_SECRETARY and branch is not None:
        label = f"{branch.name}: the branch's nominating meeting"
        return [
            (
                100,
                (
                    label,
                    url_of("nominations:meeting", slug, branch.code),
                    lambda: policies.can_view_meeting(user, contest, branch),
                ),
            )
        ]
    candidate = assignment.candidate
    if assignment.role == Role.CANDIDATE_AGENT and candidate is not None:
        label = f"{candidate.name}: nominations and consent"
        return [
            (
                100,
                (
                    label,
                    url_of("nominations:candidate", slug, candidate.pk),
                    lambda: policies.can_view_candidate_nominations(user, candidate),
                ),
            )
        ]
    return []


def public_links(user: Any, contest: Contest) -> list[PlacedOffer]:
    """Nominations, once the contest lets the visitor see them."""
    return [
        (
            10,
            (
                "Nominations",
                url_of("nominations:overview", contest.slug),
                lambda: policies.can_view_overview(user, contest),
            ),
        )
    ]
