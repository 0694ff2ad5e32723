"""Who may do what with a contest's trustees and record.

Least privilege: the returning officer appoints trustees and runs the ceremony; scrutineers read
the office's record page; a trustee reaches only their own contest's trustee page; anyone reads
the public record (it holds nothing secret, by design).
"""

from __future__ import annotations

from typing import Any

from omov.contests.models import Contest
from omov.core.models import Role
from omov.core.policies import ALLOW, Decision, deny, has_role
from omov.trustees.models import Trustee


def can_manage_trustees(actor: Any, contest: Contest) -> Decision:
    """Only the returning officer appoints trustees, starts the record and seals the key."""
    if not getattr(actor, "is_authenticated", False):
        return deny("Sign in as the returning officer to run the key ceremony.")
    if not has_role(actor, contest, Role.RETURNING_OFFICER):
        return deny("Only the returning officer appoints trustees and runs the key ceremony.")
    return ALLOW


def can_view_office_record(actor: Any, contest: Contest) -> Decision:
    """The returning officer and scrutineers see the ceremony's progress and who is appointed."""
    if not getattr(actor, "is_authenticated", False):
        return deny("Sign in as the returning officer or a scrutineer to see this page.")
    if not has_role(actor, contest, Role.RETURNING_OFFICER, Role.SCRUTINEER):
        return deny("Only the returning officer and scrutineers see the key ceremony's page.")
    return ALLOW


def can_act_as_trustee(actor: Any, trustee: Trustee | None) -> Decision:
    """A trustee's page is for the account appointed to that trustee, holding the trustee role."""
    if not getattr(actor, "is_authenticated", False):
        return deny("Sign in with the account you were appointed trustee with.")
    if trustee is None or trustee.user_id != actor.pk:
        return deny("You are not a trustee of this contest.")
    if not has_role(actor, trustee.record.contest, Role.TRUSTEE):
        return deny("Your trustee role for this contest was revoked; ask the returning officer.")
    return ALLOW


def can_upload_for_trustee(actor: Any, contest: Contest) -> Decision:
    """The office (returning officer) may hand in a file a trustee sent it by other means."""
    return can_manage_trustees(actor, contest)
