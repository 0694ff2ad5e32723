"""The campaigns' pages on the home page and the contest page (``contests.dashboard``)."""

from __future__ import annotations

from typing import Any

from omov.campaigns import policies
from omov.campaigns.models import Campaign
from omov.contests.dashboard import PlacedOffer, url_of
from omov.contests.models import Contest
from omov.core.models import CAMPAIGN_ROLES, Role, RoleAssignment


def links(user: Any, contest: Contest, assignment: RoleAssignment) -> list[PlacedOffer]:
    """The campaigns' aggregates for the office; a campaign role's own campaign."""
    if assignment.role in (Role.RETURNING_OFFICER, Role.SCRUTINEER):
        return [
            (
                200,
                (
                    "Campaigns",
                    url_of("campaigns:office", contest.slug),
                    lambda: policies.can_view_aggregates(user, contest),
                ),
            )
        ]
    candidate = assignment.candidate
    if assignment.role in CAMPAIGN_ROLES and candidate is not None:
        campaign = Campaign.objects.filter(contest=contest, candidate=candidate).first()
        if campaign is None:
            return []
        label = f"{candidate.name}'s campaign"
        return [
            (
                100,
                (
                    label,
                    url_of("campaigns:home", campaign.pk),
                    lambda: policies.can_view_campaign(user, campaign),
                ),
            )
        ]
    return []
