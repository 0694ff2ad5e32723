"""Who may see and record nominations and registered-supporter applications.

- returning officer: everything (every write is audited);
- scrutineer: reads everything, writes nothing;
- branch secretary: sees and records their own branch's meeting only;
- candidate's agent: sees their own candidate's nominations and records that candidate's consent;
- everyone, signed in or not: the public nominations page (once nominations are open) and the
  registered-supporter sign-up form.
"""

from __future__ import annotations

from typing import Any

from omov.contests.models import Candidate, Contest, ContestStatus
from omov.core.models import OFFICE_ROLES
from omov.core.policies import (
    ALLOW,
    Decision,
    agent_candidate_ids,
    can_read_everything,
    deny,
    has_role,
    is_returning_officer,
    secretary_branch_ids,
)
from omov.electorate.models import Branch

SIGN_IN = "Sign in with an election office account to see this page."


def _signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def can_view_overview(actor: Any, contest: Contest) -> Decision:
    """The nominations page is public once nominations open; office roles see it in draft."""
    if contest.status != ContestStatus.DRAFT:
        return ALLOW
    if has_role(actor, contest, *OFFICE_ROLES):
        return ALLOW
    return deny("Nominations are not open yet.")


def can_view_office_pages(actor: Any, contest: Contest) -> Decision:
    """The returning officer and scrutineers see the office pages (lists, queue, rules)."""
    if not _signed_in(actor):
        return deny(SIGN_IN)
    if can_read_everything(actor, contest):
        return ALLOW
    return deny("Only the returning officer and scrutineers can see this page.")


def can_manage_nominations(actor: Any, contest: Contest) -> Decision:
    """Only the returning officer records parliamentary and affiliate nominations and rules."""
    if not _signed_in(actor):
        return deny(SIGN_IN)
    if is_returning_officer(actor, contest):
        return ALLOW
    return deny("Only the returning officer can record or change this.")


def can_view_candidate_nominations(actor: Any, candidate: Candidate) -> Decision:
    """Office readers see every candidate's detail; an agent sees their own candidate's."""
    if not _signed_in(actor):
        return deny(SIGN_IN)
    if can_read_everything(actor, candidate.contest):
        return ALLOW
    if candidate.pk in agent_candidate_ids(actor, candidate.contest):
        return ALLOW
    return deny("You can see only the nominations of the candidate you are agent for.")


def can_record_consent(actor: Any, candidate: Candidate) -> Decision:
    """The returning officer, or the candidate's own agent, records the candidate's consent."""
    if not _signed_in(actor):
        return deny(SIGN_IN)
    if is_returning_officer(actor, candidate.contest):
        return ALLOW
    if candidate.pk in agent_candidate_ids(actor, candidate.contest):
        return ALLOW
    return deny("Only the returning officer or this candidate's agent can record consent.")


def can_view_meeting(actor: Any, contest: Contest, branch: Branch) -> Decision:
    """Office readers see every branch meeting; a branch secretary sees their own branch's."""
    if not _signed_in(actor):
        return deny(SIGN_IN)
    if can_read_everything(actor, contest):
        return ALLOW
    if branch.pk in secretary_branch_ids(actor, contest):
        return ALLOW
    return deny("You can see only your own branch's meeting.")


def can_record_meeting(actor: Any, contest: Contest, branch: Branch) -> Decision:
    """A branch secretary records their own branch's meeting; the returning officer any."""
    if not _signed_in(actor):
        return deny(SIGN_IN)
    if is_returning_officer(actor, contest):
        return ALLOW
    if branch.pk in secretary_branch_ids(actor, contest):
        return ALLOW
    return deny("You can record only your own branch's meeting.")


def can_correct_meeting(actor: Any, contest: Contest) -> Decision:
    """Only the returning officer corrects a recorded meeting (with a reason, audited)."""
    if not _signed_in(actor):
        return deny(SIGN_IN)
    if is_returning_officer(actor, contest):
        return ALLOW
    return deny(
        "This branch's meeting is already recorded; ask the returning officer to correct it."
    )


def can_review_supporters(actor: Any, contest: Contest) -> Decision:
    """Only the returning officer approves, rejects and confirms payment of applications."""
    return can_manage_nominations(actor, contest)
