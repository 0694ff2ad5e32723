"""The record's pages on the home page and the contest page (``contests.dashboard``)."""

from __future__ import annotations

from typing import Any

from omov.contests.dashboard import PlacedOffer, url_of
from omov.contests.models import Contest, ContestStatus
from omov.core.models import Role, RoleAssignment
from omov.core.policies import Decision
from omov.trustees import policies
from omov.trustees.models import ElectionRecord, Trustee


def links(user: Any, contest: Contest, assignment: RoleAssignment) -> list[PlacedOffer]:
    """The key ceremony's page for the office; a trustee's own page."""
    if assignment.role in (Role.RETURNING_OFFICER, Role.SCRUTINEER):
        return [
            (
                220,
                (
                    "Trustees and the key ceremony",
                    url_of("trustees:office", contest.slug),
                    lambda: policies.can_view_office_record(user, contest),
                ),
            )
        ]
    if assignment.role == Role.TRUSTEE:

        def own() -> Decision:
            trustee = Trustee.objects.filter(record__contest=contest, user=user).first()
            return policies.can_act_as_trustee(user, trustee)

        return [
            (100, ("Your part of the key ceremony", url_of("trustees:trustee", contest.slug), own))
        ]
    return []


def public_links(user: Any, contest: Contest) -> list[PlacedOffer]:
    """The public election record, once the contest leaves draft."""

    def shown() -> Decision:
        return Decision(
            contest.status != ContestStatus.DRAFT
            and ElectionRecord.objects.filter(contest=contest).exists()
        )

    return [(40, ("Election record", url_of("trustees:record", contest.slug), shown))]
