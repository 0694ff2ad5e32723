"""Who may do what with a campaign (decision 0014).

- returning officer: creates campaigns, releases the roll, sees every campaign's aggregates;
- scrutineer: sees every campaign's aggregates;
- campaign manager and organiser: run their own campaign (scripts, call lists, sessions,
  dashboards, export); the manager also exports;
- campaign caller: calls contacts of their own campaign, one at a time;
- manager and organiser: run their campaign's events (RSVPs, check-in, attendance);
- nobody of campaign A reaches anything of campaign B; contacts only while access is open
  (roll released, ballot not closed, candidate still nominated).
"""

from __future__ import annotations

from typing import Any

from omov.campaigns.models import Campaign, RollRelease
from omov.contests.models import CandidateStatus, Contest, ContestStatus
from omov.core.models import Role
from omov.core.policies import (
    ALLOW,
    Decision,
    campaign_candidate_ids,
    can_read_everything,
    deny,
    is_returning_officer,
)

SIGN_IN = "Sign in with your campaign account to see this page."
RUNNERS = (Role.CAMPAIGN_MANAGER, Role.CAMPAIGN_ORGANISER)
MEMBERS = (Role.CAMPAIGN_MANAGER, Role.CAMPAIGN_ORGANISER, Role.CAMPAIGN_CALLER)


def _signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def _holds(actor: Any, campaign: Campaign, *roles: Role) -> bool:
    return campaign.candidate_id in campaign_candidate_ids(actor, campaign.contest, *roles)


def access_open(campaign: Campaign) -> Decision:
    """Contacts are open while the roll is released, the ballot open, the candidate nominated."""
    if not RollRelease.objects.filter(contest_id=campaign.contest_id).exists():
        return deny("The returning officer has not released the roll to the campaigns yet.")
    if campaign.contest.has_reached(ContestStatus.CLOSED):
        return deny("The ballot has closed: campaigns no longer have access to the contact list.")
    if campaign.candidate.status != CandidateStatus.NOMINATED:
        return deny(f"{campaign.candidate.name} is no longer a nominated candidate.")
    return ALLOW


def can_manage_campaigns(actor: Any, contest: Contest) -> Decision:
    """Only the returning officer creates campaigns and releases the roll to them."""
    if not _signed_in(actor):
        return deny("Sign in as the returning officer to do this.")
    if is_returning_officer(actor, contest):
        return ALLOW
    return deny("Only the returning officer can create campaigns or release the roll to them.")


def can_view_aggregates(actor: Any, contest: Contest) -> Decision:
    """The returning officer and scrutineers see every campaign's figures, never a contact."""
    if not _signed_in(actor):
        return deny("Sign in as the returning officer or a scrutineer to see this page.")
    if can_read_everything(actor, contest):
        return ALLOW
    return deny("Only the returning officer and scrutineers see every campaign's figures.")


def can_view_campaign(actor: Any, campaign: Campaign) -> Decision:
    """A campaign's own people see its home page; the office sees its figures only."""
    if not _signed_in(actor):
        return deny(SIGN_IN)
    if _holds(actor, campaign, *MEMBERS):
        return ALLOW
    return deny("You can see only the campaign you work for.")


def can_view_dashboard(actor: Any, campaign: Campaign) -> Decision:
    """Managers and organisers see their campaign's dashboard; the office sees it too."""
    if not _signed_in(actor):
        return deny(SIGN_IN)
    if _holds(actor, campaign, *RUNNERS):
        return ALLOW
    if can_read_everything(actor, campaign.contest):
        return ALLOW
    return deny("Only this campaign's manager and organisers see its dashboard.")


def can_run_phone_bank(actor: Any, campaign: Campaign) -> Decision:
    """Managers and organisers write scripts, build call lists and plan sessions."""
    if not _signed_in(actor):
        return deny(SIGN_IN)
    if not _holds(actor, campaign, *RUNNERS):
        return deny("Only this campaign's manager and organisers run its phone bank.")
    return access_open(campaign)


def can_call(actor: Any, campaign: Campaign) -> Decision:
    """A campaign's callers (and its organisers and manager) call its contacts."""
    if not _signed_in(actor):
        return deny(SIGN_IN)
    if not _holds(actor, campaign, *MEMBERS):
        return deny("You can call only for the campaign you work for.")
    return access_open(campaign)


def can_export(actor: Any, campaign: Campaign) -> Decision:
    """Only the campaign manager exports the campaign's calls (audited)."""
    if not _signed_in(actor):
        return deny(SIGN_IN)
    if not _holds(actor, campaign, Role.CAMPAIGN_MANAGER):
        return deny("Only this campaign's manager can export its calls.")
    return access_open(campaign)


def can_review_volunteers(actor: Any, campaign: Campaign) -> Decision:
    """A campaign's manager and organisers approve or decline its volunteers."""
    if not _signed_in(actor):
        return deny(SIGN_IN)
    if _holds(actor, campaign, *RUNNERS):
        return ALLOW
    return deny("Only this campaign's manager and organisers review its volunteers.")


def can_run_events(actor: Any, campaign: Campaign) -> Decision:
    """A campaign's manager and organisers create events, see RSVPs and check people in.

    Events need no contact-list access (a rally may come before the roll's release), but RSVPs
    name their attendees, so nobody else, not even the office, sees them (decision 0015).
    """
    if not _signed_in(actor):
        return deny(SIGN_IN)
    if _holds(actor, campaign, *RUNNERS):
        return ALLOW
    return deny("Only this campaign's manager and organisers run its events.")
