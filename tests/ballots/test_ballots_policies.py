"""Every ballot page against every role: who gets in, who is refused."""

from __future__ import annotations

from typing import Any

import pytest

from factories import BranchFactory, UserFactory, grant
from omov.ballots import policies
from omov.core.models import Role

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "voter",
    "returning_officer",
    "scrutineer",
    "branch_secretary",
    "candidate_agent",
    "paper_operator",
    "paper_supervisor",
]
ALL = set(ROLES)

# page (method, path template) -> roles that get the page; everyone else gets 403.
PAGES: list[tuple[str, str, set[str], int]] = [
    ("get", "/vote/", ALL, 200),
    ("get", "/vote/office/{slug}/", {"returning_officer", "scrutineer"}, 200),
    ("get", "/vote/office/{slug}/reissue/", {"returning_officer"}, 200),
    ("post", "/vote/office/{slug}/open/", {"returning_officer"}, 302),
    ("get", "/vote/paper/{slug}/", {"paper_operator"}, 200),
    ("get", "/vote/paper/{slug}/reject/", {"paper_operator", "paper_supervisor"}, 200),
    ("get", "/vote/paper/{slug}/supervisor/", {"paper_supervisor"}, 200),
    ("get", "/vote/paper/{slug}/supervisor/1/1/", {"paper_supervisor"}, 200),
    ("get", "/vote/paper/{slug}/batches/", {"paper_operator", "paper_supervisor"}, 200),
    ("post", "/vote/paper/{slug}/supervisor/batch/1/", {"paper_supervisor"}, 404),
]


def make_user(role: str, contest: Any) -> Any:
    if role == "anonymous":
        return None
    user = UserFactory(username=f"user-{role}")
    if role == "branch_secretary":
        grant(user, Role.BRANCH_SECRETARY, contest=contest, branch=BranchFactory())
    elif role == "candidate_agent":
        grant(user, Role.CANDIDATE_AGENT, contest=contest, candidate=contest.candidates.first())
    elif role != "voter":
        grant(user, Role(role), contest=contest)
    return user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "allowed", "status"), PAGES)
def test_page_access(
    client: Any, open_ballot: Any, role: str, method: str, path: str, allowed: set, status: int
) -> None:
    user = make_user(role, open_ballot.contest)
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(path.format(slug=open_ballot.contest.slug))
    assert response.status_code == (status if role in allowed else 403)


@pytest.mark.parametrize("role", ROLES)
def test_policies_table(open_ballot: Any, role: str) -> None:
    user = make_user(role, open_ballot.contest)
    contest = open_ballot.contest
    got = {
        "office": bool(policies.can_view_office(user, contest)),
        "run": bool(policies.can_run_ballot(user, contest)),
        "key": bool(policies.can_key_paper(user, contest)),
        "reject": bool(policies.can_reject_paper(user, contest)),
        "batch": bool(policies.can_handle_postal_batch(user, contest)),
        "resolve": bool(policies.can_resolve_paper(user, contest)),
    }
    expected = {
        "office": role in {"returning_officer", "scrutineer"},
        "run": role == "returning_officer",
        "key": role == "paper_operator",
        "reject": role in {"paper_operator", "paper_supervisor"},
        "batch": role in {"paper_operator", "paper_supervisor"},
        "resolve": role == "paper_supervisor",
    }
    assert got == expected
    for decision in (
        policies.can_view_office(user, contest),
        policies.can_key_paper(user, contest),
    ):
        assert decision.allowed or decision.reason.endswith(".")


def test_a_role_in_another_contest_grants_nothing_here(open_ballot: Any) -> None:
    from factories import ContestFactory

    other = ContestFactory()
    user = UserFactory(username="elsewhere")
    grant(user, Role.PAPER_OPERATOR, contest=other)
    assert not policies.can_key_paper(user, open_ballot.contest)


@pytest.mark.parametrize("role", ROLES)
def test_receipts_are_public_only_after_the_close(client: Any, open_ballot: Any, role: str) -> None:
    from omov.ballots.services import ballot_close

    user = make_user(role, open_ballot.contest)
    if user is not None:
        client.force_login(user)
    slug = open_ballot.contest.slug
    assert client.get(f"/vote/receipts/{slug}/").status_code == 404
    ballot_close(contest=open_ballot.contest)
    assert client.get(f"/vote/receipts/{slug}/").status_code == 200
    assert client.get(f"/vote/receipts/{slug}.txt").status_code == 200
