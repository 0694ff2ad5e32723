"""Who may do what with the ballot. Voters need no account: their credential is their key."""

from __future__ import annotations

from typing import Any

from omov.contests.models import Contest
from omov.core.models import Role
from omov.core.policies import ALLOW, Decision, deny, has_role


def _signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def can_view_office(actor: Any, contest: Contest) -> Decision:
    """The returning officer and scrutineers see turnout and delivery progress (aggregates)."""
    if not _signed_in(actor):
        return deny("Sign in to see the ballot office.")
    if has_role(actor, contest, Role.RETURNING_OFFICER, Role.SCRUTINEER):
        return ALLOW
    return deny("Only the returning officer and scrutineers can see the ballot office.")


def can_run_ballot(actor: Any, contest: Contest) -> Decision:
    """Only the returning officer opens the ballot and reissues credentials."""
    if not _signed_in(actor):
        return deny("Sign in as the returning officer to do this.")
    if has_role(actor, contest, Role.RETURNING_OFFICER):
        return ALLOW
    return deny("Only the returning officer can do this.")


def can_key_paper(actor: Any, contest: Contest) -> Decision:
    """Paper ballot operators key returned papers."""
    if not _signed_in(actor):
        return deny("Sign in as a paper ballot operator to key papers.")
    if has_role(actor, contest, Role.PAPER_OPERATOR):
        return ALLOW
    return deny("Only paper ballot operators can key returned papers.")


def can_handle_postal_batch(actor: Any, contest: Contest) -> Decision:
    """Operators and supervisors start batches and check declarations (a supervisor opens a
    batch smaller than the minimum)."""
    if not _signed_in(actor):
        return deny("Sign in as a paper ballot operator or supervisor.")
    if has_role(actor, contest, Role.PAPER_OPERATOR, Role.PAPER_SUPERVISOR):
        return ALLOW
    return deny("Only paper ballot operators and supervisors can handle postal batches.")


def can_reject_paper(actor: Any, contest: Contest) -> Decision:
    """Operators and supervisors record papers that cannot be accepted."""
    if not _signed_in(actor):
        return deny("Sign in as a paper ballot operator or supervisor.")
    if has_role(actor, contest, Role.PAPER_OPERATOR, Role.PAPER_SUPERVISOR):
        return ALLOW
    return deny("Only paper ballot operators and supervisors can reject papers.")


def can_resolve_paper(actor: Any, contest: Contest) -> Decision:
    """Paper ballot supervisors resolve papers whose two keyings differ."""
    if not _signed_in(actor):
        return deny("Sign in as a paper ballot supervisor.")
    if has_role(actor, contest, Role.PAPER_SUPERVISOR):
        return ALLOW
    return deny("Only paper ballot supervisors can resolve differing keyings.")
