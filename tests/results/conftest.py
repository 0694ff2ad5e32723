"""Fixtures for results: contests whose ballots were really sealed, closed and ready to count."""

from __future__ import annotations

from typing import Any

import pytest
from results_fixtures import SMALL_VOTES, ClosedContest, closed_contest

from factories import BranchFactory, UserFactory, grant
from omov.core.models import Role


@pytest.fixture
def small_closed(db: Any) -> ClosedContest:
    """18 valid ballots (11 to 7), one spoilt, two who did not vote; the ballot closed."""
    return closed_contest(
        votes_by_category=SMALL_VOTES,
        spoilt_by_category={"member": 1},
        abstaining_by_category={"member": 1, "affiliated_supporter": 1},
    )


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    """One user per role (and one with none), granted for every contest."""
    users: dict[str, Any] = {"anonymous": None, "voter": UserFactory(username="voter")}
    returning_officer = UserFactory(username="returning-officer", is_staff=True)
    grant(returning_officer, Role.RETURNING_OFFICER)
    users["returning_officer"] = returning_officer
    scrutineer = UserFactory(username="scrutineer")
    grant(scrutineer, Role.SCRUTINEER)
    users["scrutineer"] = scrutineer
    secretary = UserFactory(username="branch-secretary")
    grant(secretary, Role.BRANCH_SECRETARY, branch=BranchFactory())
    users["branch_secretary"] = secretary
    return users
