"""Who may see and change contests."""

from __future__ import annotations

from typing import Any

from omov.contests.models import Contest, ContestStatus
from omov.core.models import OFFICE_ROLES, Role
from omov.core.policies import ALLOW, Decision, deny, has_role


def can_view_contest(actor: Any, contest: Contest) -> Decision:
    """Anyone may see a contest once it leaves draft; office roles see drafts too."""
    if contest.status != ContestStatus.DRAFT:
        return ALLOW
    if has_role(actor, contest, *OFFICE_ROLES):
        return ALLOW
    return deny("This contest is still a draft.")


def can_take_step(actor: Any, contest: Contest) -> Decision:
    """Only the returning officer moves a contest through its lifecycle."""
    if not getattr(actor, "is_authenticated", False):
        return deny("Sign in as the returning officer to do this.")
    if not has_role(actor, contest, Role.RETURNING_OFFICER):
        return deny("Only the returning officer can move the contest to its next step.")
    return ALLOW


def can_view_audit(actor: Any, contest: Contest) -> Decision:
    """The returning officer and scrutineers read the audit trail."""
    if has_role(actor, contest, Role.RETURNING_OFFICER, Role.SCRUTINEER):
        return ALLOW
    return deny("Only the returning officer and scrutineers can read the audit trail.")
