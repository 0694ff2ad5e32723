"""Who may see and change the roll.

The returning officer does everything (audited); scrutineers read everything, previews included,
but confirm nothing; a branch secretary reads only their own branch's part of the roll; a
candidate's agent and everyone else may not see the roll at all.
"""

from __future__ import annotations

from typing import Any

from omov.contests.models import Contest
from omov.core.models import Role
from omov.core.policies import ALLOW, Decision, deny, has_role, secretary_branch_ids
from omov.electorate.models import Person


def can_view_roll(actor: Any, contest: Contest) -> Decision:
    """The returning officer, scrutineers and branch secretaries (own branch) read the roll."""
    if not getattr(actor, "is_authenticated", False):
        return deny("Sign in to see the roll.")
    if has_role(actor, contest, Role.RETURNING_OFFICER, Role.SCRUTINEER):
        return ALLOW
    if secretary_branch_ids(actor, contest):
        return ALLOW
    return deny("Only the returning officer, scrutineers and branch secretaries see the roll.")


def roll_branch_scope(actor: Any, contest: Contest) -> set[int] | None:
    """Return the branches an actor may see on the roll: None for all of them."""
    if has_role(actor, contest, Role.RETURNING_OFFICER, Role.SCRUTINEER):
        return None
    return secretary_branch_ids(actor, contest)


def can_view_person(actor: Any, contest: Contest, person: Person) -> Decision:
    """Read one person's decision: office readers, or the secretary of the person's branch."""
    decision = can_view_roll(actor, contest)
    if not decision:
        return decision
    scope = roll_branch_scope(actor, contest)
    if scope is not None and person.branch_id not in scope:
        return deny("A branch secretary sees only the people of their own branch.")
    return ALLOW


def can_preview_rules(actor: Any, contest: Contest) -> Decision:
    """The returning officer and scrutineers may see what a rule change would do."""
    if has_role(actor, contest, Role.RETURNING_OFFICER, Role.SCRUTINEER):
        return ALLOW
    return deny("Only the returning officer and scrutineers can preview rule changes.")


def can_manage_roll(actor: Any, contest: Contest) -> Decision:
    """Only the returning officer imports, evaluates, changes rules, overrides and freezes."""
    if not getattr(actor, "is_authenticated", False):
        return deny("Sign in as the returning officer to do this.")
    if has_role(actor, contest, Role.RETURNING_OFFICER):
        return ALLOW
    return deny("Only the returning officer can change the roll.")
