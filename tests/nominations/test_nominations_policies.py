"""Every nominations policy against every persona, in draft and with nominations open."""

from __future__ import annotations

from typing import Any

import pytest

from omov.contests.models import ContestStatus
from omov.nominations import policies

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "voter",
    "returning_officer",
    "scrutineer",
    "secretary",
    "other_secretary",
    "agent",
    "other_agent",
)
Y, N = True, False

# The secretary is Islington North's; the agent is Owen Smith's. Meetings are asked about for
# Islington North, candidates about Owen Smith.
TABLE: dict[str, tuple[bool, ...]] = {
    "can_view_overview": (Y, Y, Y, Y, Y, Y, Y, Y),
    "can_view_overview_in_draft": (N, N, Y, Y, Y, Y, Y, Y),
    "can_view_office_pages": (N, N, Y, Y, N, N, N, N),
    "can_manage_nominations": (N, N, Y, N, N, N, N, N),
    "can_view_candidate_nominations": (N, N, Y, Y, N, N, Y, N),
    "can_record_consent": (N, N, Y, N, N, N, Y, N),
    "can_view_meeting": (N, N, Y, Y, Y, N, N, N),
    "can_record_meeting": (N, N, Y, N, Y, N, N, N),
    "can_correct_meeting": (N, N, Y, N, N, N, N, N),
    "can_review_supporters": (N, N, Y, N, N, N, N, N),
}


def ask(name: str, actor: Any, contest: Any, islington: Any, smith: Any) -> Any:
    if name == "can_view_overview_in_draft":
        contest.status = ContestStatus.DRAFT
        return policies.can_view_overview(actor, contest)
    function = getattr(policies, name)
    if name in {"can_view_candidate_nominations", "can_record_consent"}:
        return function(actor, smith)
    if name in {"can_view_meeting", "can_record_meeting"}:
        return function(actor, contest, islington)
    return function(actor, contest)


@pytest.mark.parametrize(
    ("policy", "role", "expected"),
    [(policy, role, row[i]) for policy, row in TABLE.items() for i, role in enumerate(ROLES)],
)
def test_policy_table(
    personas: dict[str, Any],
    open_contest: Any,
    islington: Any,
    smith: Any,
    policy: str,
    role: str,
    expected: bool,
) -> None:
    from django.contrib.auth.models import AnonymousUser

    actor = personas[role] or AnonymousUser()
    decision = ask(policy, actor, open_contest, islington, smith)
    assert bool(decision) is expected
    if not expected:
        assert decision.reason, "a refusal must say why"


def test_every_policy_is_in_the_table() -> None:
    names = {
        name
        for name in dir(policies)
        if name.startswith("can_") and getattr(policies, name).__module__ == policies.__name__
    }
    assert names <= set(TABLE)


def test_a_global_secretary_grant_names_its_branch_only(
    open_contest: Any, islington: Any, walthamstow: Any
) -> None:
    from factories import UserFactory, grant
    from omov.core.models import Role

    secretary = UserFactory()
    grant(secretary, Role.BRANCH_SECRETARY, None, branch=walthamstow)
    assert policies.can_record_meeting(secretary, open_contest, walthamstow)
    assert not policies.can_record_meeting(secretary, open_contest, islington)
