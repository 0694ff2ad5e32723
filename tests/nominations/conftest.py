"""Fixtures for nominations: a contest with nominations open, branches, and every persona."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from nominations_helpers import add_members

from factories import BranchFactory, UserFactory, grant
from omov.contests.models import CandidateStatus
from omov.contests.services import contest_transition
from omov.core import clock
from omov.core.models import Role
from omov.electorate.services import roll_evaluate
from omov.nominations.services import nomination_rules_set


@pytest.fixture
def open_contest(contest: Any) -> Any:
    """The 2016-like contest with nominations open and every window open now."""
    now = clock.now()
    contest.branch_nominations_open_at = now - dt.timedelta(days=1)
    contest.branch_nominations_close_at = now + dt.timedelta(days=30)
    contest.supporter_window_opens_at = now - dt.timedelta(hours=1)
    contest.supporter_window_closes_at = now + dt.timedelta(days=2)
    contest.supporter_fee_pence = 2500
    contest.save()
    # These tests start from undecided candidates whatever the shared fixture says: the
    # incumbent has not consented yet and the challenger is still seeking nominations.
    contest.candidates.update(consented_at=None)
    contest.candidates.filter(name="Owen Smith").update(status=CandidateStatus.PROPOSED)
    contest_transition(contest=contest, step="open_nominations")
    # Labour's 2016 rules: 20% of MPs and MEPs (15% in a vacancy). No route is needed by default.
    nomination_rules_set(
        contest=contest,
        is_parliamentary_threshold_required=True,
        challenger_percent=Decimal(20),
        vacancy_percent=Decimal(15),
    )
    contest.refresh_from_db()
    return contest


@pytest.fixture
def corbyn(open_contest: Any) -> Any:
    return open_contest.candidates.get(name="Jeremy Corbyn")


@pytest.fixture
def smith(open_contest: Any) -> Any:
    return open_contest.candidates.get(name="Owen Smith")


@pytest.fixture
def islington(db: Any) -> Any:
    """Islington North, with 400 members in good standing (eligible once the roll is evaluated)."""
    branch = BranchFactory(code="islington-north", name="Islington North")
    add_members(branch, 400)
    return branch


@pytest.fixture
def walthamstow(db: Any) -> Any:
    branch = BranchFactory(code="walthamstow", name="Walthamstow")
    add_members(branch, 120)
    return branch


@pytest.fixture
def evaluated_roll(open_contest: Any, islington: Any, walthamstow: Any) -> Any:
    """Evaluate the roll once Islington North and Walthamstow have their members; return it."""
    return roll_evaluate(contest=open_contest)


PERSONAS = (
    "anonymous",
    "voter",
    "returning_officer",
    "scrutineer",
    "secretary",
    "other_secretary",
    "agent",
    "other_agent",
)


@pytest.fixture
def personas(
    open_contest: Any,
    islington: Any,
    walthamstow: Any,
    smith: Any,
    corbyn: Any,
    returning_officer: Any,
    scrutineer: Any,
    evaluated_roll: Any,
) -> dict[str, Any]:
    """Everyone who may ask for a page: the secretary is Islington North's, the agent Smith's.

    The roll is evaluated, so branch meetings can be recorded.
    """
    secretary = UserFactory(username="islington-secretary")
    grant(secretary, Role.BRANCH_SECRETARY, open_contest, branch=islington)
    other_secretary = UserFactory(username="walthamstow-secretary")
    grant(other_secretary, Role.BRANCH_SECRETARY, open_contest, branch=walthamstow)
    agent = UserFactory(username="smith-agent")
    grant(agent, Role.CANDIDATE_AGENT, open_contest, candidate=smith)
    other_agent = UserFactory(username="corbyn-agent")
    grant(other_agent, Role.CANDIDATE_AGENT, open_contest, candidate=corbyn)
    return {
        "anonymous": None,
        "voter": UserFactory(username="voter"),
        "returning_officer": returning_officer,
        "scrutineer": scrutineer,
        "secretary": secretary,
        "other_secretary": other_secretary,
        "agent": agent,
        "other_agent": other_agent,
    }
