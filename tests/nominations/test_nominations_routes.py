"""Nomination routes: each optional, none by default, the gate passed by any one route given."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from factories import BranchFactory, CandidateFactory, ContestFactory, PersonFactory
from omov.contests.models import CandidateStatus
from omov.contests.services import contest_transition
from omov.core.errors import ServiceError
from omov.core.models import AuditEvent
from omov.electorate.services import roll_evaluate
from omov.nominations import selectors
from omov.nominations.models import MemberSignature
from omov.nominations.services import (
    member_signatures_record,
    nomination_rules_set,
    nominations_validate,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def society(db: Any) -> Any:
    """A chair election of any kind, nominations open, no rules saved."""
    contest = ContestFactory(kind="chair", method="plurality", arrears_deadline=None)
    CandidateFactory(contest=contest, name="Harriet Ashdown", status=CandidateStatus.PROPOSED)
    CandidateFactory(
        contest=contest, name="Kofi Mensah", status=CandidateStatus.PROPOSED, is_incumbent=True
    )
    contest.candidates.update(consented_at=contest.created_at)
    contest_transition(contest=contest, step="open_nominations")
    return contest


def standings(contest: Any) -> dict[str, Any]:
    return {s.candidate.name: s for s in selectors.nominations_summary(contest).standings}


@pytest.mark.parametrize("kind", ["leader", "deputy", "committee", "general_secretary"])
def test_no_route_is_needed_by_default_whatever_the_kind(kind: str) -> None:
    contest = ContestFactory(kind=kind)
    candidate = CandidateFactory(contest=contest, status=CandidateStatus.PROPOSED)
    candidate.consented_at = contest.created_at
    candidate.save()
    standing = selectors.candidate_standing(candidate)
    assert standing.problems == []
    assert not selectors.parliamentary_threshold(contest).is_required


def test_a_gate_with_no_route_or_two_branch_routes_is_refused(society: Any) -> None:
    base = {"contest": society, "challenger_percent": 20, "vacancy_percent": 15}
    with pytest.raises(ServiceError, match="has no route"):
        nomination_rules_set(**base, is_gate_enabled=True)
    with pytest.raises(ServiceError, match="not both"):
        nomination_rules_set(
            **base, is_gate_enabled=True, gate_branch_percent=Decimal(5), gate_branch_count=2
        )
    assert not AuditEvent.objects.filter(action="nominations.rules_set").exists()


def test_a_branch_count_gate_binds_the_incumbent_unless_exempt(society: Any) -> None:
    nomination_rules_set(
        contest=society,
        challenger_percent=Decimal(20),
        vacancy_percent=Decimal(15),
        is_gate_enabled=True,
        gate_branch_count=2,
        is_incumbent_exempt=False,
    )
    BranchFactory(code="north", name="North")
    BranchFactory(code="south", name="South")
    BranchFactory(code="east", name="East")
    found = standings(society)
    assert found["Kofi Mensah"].problems == ["has not passed the gate (2 of the 3 branches)"]
    assert selectors.gate_rule(society).describe() == "2 of the 3 branches."
    event = AuditEvent.objects.get(action="nominations.rules_set")
    assert event.data["after"]["gate_branch_count"] == 2
    assert event.data["after"]["is_incumbent_exempt"] is False


def test_signatures_pass_the_gate_and_each_member_signs_once(society: Any) -> None:
    nomination_rules_set(
        contest=society,
        challenger_percent=Decimal(20),
        vacancy_percent=Decimal(15),
        is_gate_enabled=True,
        gate_signature_count=2,
    )
    harriet = society.candidates.get(name="Harriet Ashdown")
    with pytest.raises(ServiceError, match="has not been evaluated yet"):
        member_signatures_record(contest=society, candidate=harriet, external_ids=["S1"])
    for number in (1, 2, 3):
        PersonFactory(external_id=f"S{number}", category="member")
    roll_evaluate(contest=society)
    assert (
        member_signatures_record(
            contest=society, candidate=harriet, external_ids=["S1", " S2 ", "S1"]
        )
        == 2
    )
    # The same list again adds nothing; a signatory of another paper is refused, naming both.
    assert member_signatures_record(contest=society, candidate=harriet, external_ids=["S2"]) == 0
    kofi = society.candidates.get(name="Kofi Mensah")
    with pytest.raises(ServiceError) as refused:
        member_signatures_record(contest=society, candidate=kofi, external_ids=["S3", "S1", "X9"])
    assert "S1 has already signed for Harriet Ashdown" in refused.value.message
    assert "X9 is not an eligible member on the roll" in refused.value.message
    assert MemberSignature.objects.filter(contest=society).count() == 2
    nominations_validate(contest=society)
    found = standings(society)
    assert found["Harriet Ashdown"].signatures == 2 and not found["Harriet Ashdown"].problems
    # The incumbent is exempt by default.
    assert found["Kofi Mensah"].is_exempt and not found["Kofi Mensah"].problems
