"""Who may count, declare, and see a result or the turnout while the ballot is open."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from omov.contests.models import Contest, ContestStatus
from omov.core.models import Role
from omov.core.policies import ALLOW, Decision, deny, has_role

#: Office roles that follow turnout while the ballot is open (aggregates only).
TURNOUT_ROLES = (Role.RETURNING_OFFICER, Role.SCRUTINEER, Role.BRANCH_SECRETARY)


def can_count(actor: Any, contest: Contest) -> Decision:
    """Only the returning officer counts, and only a closed ballot."""
    if not has_role(actor, contest, Role.RETURNING_OFFICER):
        return deny("Only the returning officer can count the votes.")
    if contest.status != ContestStatus.CLOSED:
        return deny("The votes are counted once the ballot is closed and before the declaration.")
    return ALLOW


def can_declare(actor: Any, contest: Contest) -> Decision:
    """Only the returning officer declares, and only a counted result."""
    if not has_role(actor, contest, Role.RETURNING_OFFICER):
        return deny("Only the returning officer can declare the result.")
    if contest.status != ContestStatus.COUNTED:
        return deny("Only a counted result that is not yet declared can be declared.")
    return ALLOW


def can_view_result(actor: Any, contest: Contest) -> Decision:
    """Everyone sees a declared result; before that only the returning officer and scrutineers."""
    if not contest.has_reached(ContestStatus.COUNTED):
        return deny("The votes have not been counted yet.")
    if contest.status == ContestStatus.DECLARED:
        return ALLOW
    if has_role(actor, contest, Role.RETURNING_OFFICER, Role.SCRUTINEER):
        return ALLOW
    return deny("The result is published when the returning officer declares it.")


def can_view_turnout(actor: Any, contest: Contest) -> Decision:
    """Office roles follow turnout; candidates' agents too when OMOV_TURNOUT_FOR_AGENTS is on."""
    if not contest.has_reached(ContestStatus.BALLOT_OPEN):
        return deny("Turnout is shown once the ballot is open.")
    if has_role(actor, contest, *TURNOUT_ROLES):
        return ALLOW
    if turnout_shown_to_agents() and has_role(actor, contest, Role.CANDIDATE_AGENT):
        return ALLOW
    return deny("Turnout during the ballot is shown to the election office only.")


def turnout_shown_to_agents() -> bool:
    """Return the OMOV_TURNOUT_FOR_AGENTS setting (read when asked, never at import)."""
    return bool(getattr(settings, "OMOV_TURNOUT_FOR_AGENTS", False))
