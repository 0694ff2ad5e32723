"""Thresholds, the gate, consent and validation: who is validly nominated, and why not."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from nominations_helpers import add_members, parliamentary_party

from factories import AffiliateFactory, BranchFactory
from omov.contests.models import CandidateStatus
from omov.contests.services import contest_blockers
from omov.core.errors import PermissionRefused, ServiceError
from omov.core.models import AuditEvent
from omov.electorate.services import roll_evaluate
from omov.nominations import selectors
from omov.nominations.models import ParliamentaryMember, ParliamentaryNomination
from omov.nominations.services import (
    MeetingFigures,
    affiliate_nomination_record,
    branch_meeting_record,
    candidate_consent_record,
    candidate_withdraw,
    freeze_roll_blockers,
    nomination_rules_set,
    nominations_validate,
    parliamentary_members_import,
    parliamentary_nomination_record,
    parliamentary_nomination_withdraw,
)

pytestmark = pytest.mark.django_db


def nominate(contest: Any, candidate: Any, count: int) -> None:
    free = ParliamentaryMember.objects.filter(contest=contest, nomination__isnull=True)
    for member in free.order_by("pk")[:count]:
        parliamentary_nomination_record(member=member, candidate=candidate)


@pytest.mark.parametrize(
    ("size", "percent", "expected"),
    [(254, "20", 51), (250, "20", 50), (251, "20", 51), (254, "15", 39), (232, "15", 35)],
)
def test_threshold_is_percent_of_mps_and_meps_rounded_up(
    open_contest: Any, size: int, percent: str, expected: int
) -> None:
    parliamentary_party(open_contest, mps=size - 20, meps=20)
    nomination_rules_set(
        contest=open_contest, challenger_percent=Decimal(percent), vacancy_percent=Decimal("15")
    )
    assert selectors.parliamentary_threshold(open_contest).threshold == expected


def test_challenger_needs_the_threshold_and_consent(open_contest: Any, smith: Any) -> None:
    parliamentary_party(open_contest, mps=234, meps=20)
    candidate_consent_record(candidate=smith)
    nominate(open_contest, smith, 50)
    nominations_validate(contest=open_contest)
    smith.refresh_from_db()
    assert smith.status == CandidateStatus.PROPOSED
    standing = selectors.candidate_standing(smith)
    assert standing.problems == ["has 50 of the 51 parliamentary nominations needed"]

    nominate(open_contest, smith, 1)
    nominations_validate(contest=open_contest)
    smith.refresh_from_db()
    assert smith.status == CandidateStatus.NOMINATED
    assert AuditEvent.objects.filter(
        action="nominations.candidate_status", summary__startswith="Owen Smith is validly"
    ).exists()


def test_a_candidate_without_consent_is_not_nominated(open_contest: Any, smith: Any) -> None:
    parliamentary_party(open_contest, mps=234, meps=20)
    nominate(open_contest, smith, 60)
    nominations_validate(contest=open_contest)
    smith.refresh_from_db()
    assert smith.status == CandidateStatus.PROPOSED
    assert selectors.candidate_standing(smith).problems == ["has not consented to stand"]


def test_incumbent_stands_automatically_but_not_in_a_vacancy(
    open_contest: Any, corbyn: Any
) -> None:
    parliamentary_party(open_contest, mps=234, meps=20)
    candidate_consent_record(candidate=corbyn)
    nominations_validate(contest=open_contest)
    corbyn.refresh_from_db()
    assert corbyn.status == CandidateStatus.NOMINATED
    assert selectors.candidate_standing(corbyn).is_exempt

    open_contest.is_vacancy = True
    open_contest.save()
    nominations_validate(contest=open_contest)
    corbyn.refresh_from_db()
    assert corbyn.status == CandidateStatus.PROPOSED
    assert selectors.candidate_standing(corbyn).problems == [
        "has 0 of the 39 parliamentary nominations needed"
    ]
    nominate(open_contest, corbyn, 39)  # 15% of 254, rounded up
    nominations_validate(contest=open_contest)
    corbyn.refresh_from_db()
    assert corbyn.status == CandidateStatus.NOMINATED


def test_gate_needs_branches_or_affiliates(open_contest: Any, smith: Any) -> None:
    parliamentary_party(open_contest, mps=234, meps=20)
    candidate_consent_record(candidate=smith)
    nominate(open_contest, smith, 51)
    branches = [BranchFactory() for _ in range(40)]  # 5% of 40 branches: 2
    nomination_rules_set(
        contest=open_contest,
        challenger_percent=Decimal("20"),
        vacancy_percent=Decimal("15"),
        is_gate_enabled=True,
        gate_branch_percent=Decimal("5"),
        gate_affiliate_count=3,
    )
    gate = selectors.gate_rule(open_contest)
    assert (gate.total_branches, gate.branch_threshold) == (40, 2)
    nominations_validate(contest=open_contest)
    smith.refresh_from_db()
    assert smith.status == CandidateStatus.PROPOSED
    assert "has not passed the gate" in selectors.candidate_standing(smith).problems[0]

    for branch in branches[:2]:
        add_members(branch, 20)
    roll_evaluate(contest=open_contest)
    for branch in branches[:2]:
        branch_meeting_record(
            contest=open_contest,
            branch=branch,
            figures=MeetingFigures(
                held_on=open_contest.nominations_opened_at.date(),
                attendance=15,
                abstentions=1,
                votes={smith.pk: 9},
            ),
        )
    nominations_validate(contest=open_contest)
    smith.refresh_from_db()
    assert smith.status == CandidateStatus.NOMINATED


def test_gate_by_affiliates(open_contest: Any, smith: Any) -> None:
    parliamentary_party(open_contest, mps=234, meps=20)
    candidate_consent_record(candidate=smith)
    nominate(open_contest, smith, 51)
    nomination_rules_set(
        contest=open_contest,
        challenger_percent=Decimal("20"),
        vacancy_percent=Decimal("15"),
        is_gate_enabled=True,
        gate_affiliate_count=3,
    )
    for _ in range(2):
        affiliate_nomination_record(
            contest=open_contest, affiliate=AffiliateFactory(), candidate=smith
        )
    nominations_validate(contest=open_contest)
    smith.refresh_from_db()
    assert smith.status == CandidateStatus.PROPOSED
    affiliate_nomination_record(contest=open_contest, affiliate=AffiliateFactory(), candidate=smith)
    nominations_validate(contest=open_contest)
    smith.refresh_from_db()
    assert smith.status == CandidateStatus.NOMINATED


def test_gate_without_a_route_is_refused(open_contest: Any) -> None:
    with pytest.raises(ServiceError, match="no route"):
        nomination_rules_set(
            contest=open_contest,
            challenger_percent=Decimal("20"),
            vacancy_percent=Decimal("15"),
            is_gate_enabled=True,
        )


def test_one_parliamentary_nomination_per_member(
    open_contest: Any, smith: Any, corbyn: Any
) -> None:
    parliamentary_party(open_contest, mps=2, meps=0)
    member = ParliamentaryMember.objects.filter(contest=open_contest).first()
    parliamentary_nomination_record(member=member, candidate=smith)
    with pytest.raises(ServiceError, match="already nominated Owen Smith"):
        parliamentary_nomination_record(member=member, candidate=corbyn)


def test_one_affiliate_nomination_per_affiliate(open_contest: Any, smith: Any, corbyn: Any) -> None:
    affiliate = AffiliateFactory(name="Unison")
    affiliate_nomination_record(contest=open_contest, affiliate=affiliate, candidate=corbyn)
    with pytest.raises(ServiceError, match="Unison has already nominated Jeremy Corbyn"):
        affiliate_nomination_record(contest=open_contest, affiliate=affiliate, candidate=smith)


def test_import_names_every_bad_line_and_writes_nothing(open_contest: Any) -> None:
    text = "name,kind,constituency\nDiane Abbott,mp,Hackney North\n,mp,Nowhere\nX,mla,Belfast\n"
    with pytest.raises(ServiceError) as caught:
        parliamentary_members_import(contest=open_contest, csv_text=text, source="plp.csv")
    message = caught.value.message
    assert "line 3, field name" in message
    assert "line 4, field kind: 'mla' is not mp or mep" in message
    assert "plp.csv" in message
    assert not ParliamentaryMember.objects.filter(contest=open_contest).exists()


def test_import_twice_adds_nothing_new(open_contest: Any) -> None:
    text = "name,kind,constituency\nDiane Abbott,mp,Hackney North\nSeb Dance,MEP,London\n"
    first = parliamentary_members_import(contest=open_contest, csv_text=text)
    second = parliamentary_members_import(contest=open_contest, csv_text=text)
    assert (first.created, first.unchanged) == (2, 0)
    assert (second.created, second.unchanged) == (0, 2)
    threshold = selectors.parliamentary_threshold(open_contest)
    assert (threshold.mps, threshold.meps) == (1, 1)


def test_import_refuses_a_file_without_the_columns(open_contest: Any) -> None:
    with pytest.raises(ServiceError, match="line 1: the header must name"):
        parliamentary_members_import(contest=open_contest, csv_text="who,where\na,b\n")


def test_freeze_roll_waits_for_consent_and_for_validation(
    open_contest: Any, corbyn: Any, smith: Any
) -> None:
    assert contest_blockers(open_contest, "freeze_roll")[-1:] == [
        "every candidate on the ballot must have consented: record Jeremy Corbyn's consent"
    ]
    candidate_consent_record(candidate=corbyn)
    # Owen Smith has no nominations, so he is simply not on the ballot.
    assert freeze_roll_blockers(open_contest) == []

    parliamentary_party(open_contest, mps=234, meps=20)
    candidate_consent_record(candidate=smith)
    nominate(open_contest, smith, 51)
    assert freeze_roll_blockers(open_contest) == [
        "Owen Smith meets the nomination requirements but is not yet validly nominated: "
        "validate nominations"
    ]
    nominations_validate(contest=open_contest)
    assert freeze_roll_blockers(open_contest) == []

    parliamentary_nomination_withdraw(
        nomination=ParliamentaryNomination.objects.filter(candidate=smith).first(),
        reason="Recorded against the wrong MP",
    )
    assert freeze_roll_blockers(open_contest) == [
        "Owen Smith no longer meets the nomination requirements (has 50 of the 51 "
        "parliamentary nominations needed): validate nominations"
    ]
    candidate_withdraw(candidate=smith, reason="Withdrew to stand next time")
    assert freeze_roll_blockers(open_contest) == []
    assert AuditEvent.objects.filter(
        action="nominations.candidate_withdraw", reason="Withdrew to stand next time"
    ).exists()


def test_no_candidate_on_the_ballot_blocks_the_freeze(open_contest: Any, corbyn: Any) -> None:
    candidate_withdraw(candidate=corbyn, reason="Stood down")
    assert freeze_roll_blockers(open_contest) == [
        "no candidate is validly nominated yet: validate nominations"
    ]


def test_a_committee_contest_needs_no_parliamentary_nominations(db: Any) -> None:
    from factories import CandidateFactory, ContestFactory

    contest = ContestFactory(kind="committee", method="stv-scottish", seats=2)
    alice = CandidateFactory(contest=contest, name="Alice", status=CandidateStatus.PROPOSED)
    candidate_consent_record(candidate=alice)
    nominations_validate(contest=contest)
    alice.refresh_from_db()
    assert alice.status == CandidateStatus.NOMINATED
    assert not selectors.parliamentary_threshold(contest).is_required


def test_consent_is_refused_to_someone_else(open_contest: Any, smith: Any, scrutineer: Any) -> None:
    with pytest.raises(PermissionRefused):
        candidate_consent_record(candidate=smith, actor=scrutineer)
    smith.refresh_from_db()
    assert smith.consented_at is None
