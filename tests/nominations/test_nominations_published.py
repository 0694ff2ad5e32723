"""The loader reproduces Labour's published 2016 nomination figures exactly."""

from __future__ import annotations

from typing import Any

import pytest

from omov.contests.models import CandidateStatus
from omov.core.errors import ServiceError
from omov.core.models import AuditEvent
from omov.nominations import selectors
from omov.nominations.models import BranchMeeting
from omov.nominations.services import nominations_load_published

pytestmark = pytest.mark.django_db


def test_loader_reproduces_the_2016_figures(contest: Any, labour_2016: dict[str, Any]) -> None:
    load = nominations_load_published(contest=contest, data=labour_2016)
    assert load.parliamentary_members == 254
    assert load.parliamentary_nominations == 172
    assert load.branch_meetings == 338
    assert load.affiliate_nominations == 12

    summary = selectors.nominations_summary(contest)
    assert summary.threshold.total == 254
    assert summary.threshold.threshold == 51  # the published threshold: ceil(20% of 254)
    standings = {s.candidate.name: s for s in summary.standings}
    smith, corbyn = standings["Owen Smith"], standings["Jeremy Corbyn"]
    assert (smith.mps, smith.meps) == (162, 10)
    assert smith.meets_threshold
    assert corbyn.is_exempt and corbyn.parliamentary == 0
    assert summary.nominating_branches == 338
    assert (corbyn.branches, smith.branches) == (285, 53)
    assert corbyn.branch_percent == "84.3%"
    assert smith.branch_percent == "15.7%"
    assert (corbyn.affiliates, smith.affiliates) == (8, 4)
    for candidate in contest.candidates.all():
        assert candidate.status == CandidateStatus.NOMINATED
        assert candidate.consented_at is not None


def test_loader_records_the_reported_meetings_as_published(
    contest: Any, labour_2016: dict[str, Any]
) -> None:
    nominations_load_published(contest=contest, data=labour_2016)
    meeting = BranchMeeting.objects.get(contest=contest, branch__name="Islington North")
    assert meeting.attendance == 370
    assert meeting.abstentions == 4
    assert {v.candidate.name: v.votes for v in meeting.votes.all()} == {
        "Jeremy Corbyn": 266,
        "Owen Smith": 100,
    }
    assert meeting.nominee.name == "Jeremy Corbyn"
    walthamstow = BranchMeeting.objects.get(contest=contest, branch__name="Walthamstow")
    assert walthamstow.attendance == 205 + 103
    for every in BranchMeeting.objects.filter(contest=contest).prefetch_related("votes"):
        assert every.attendance >= every.votes_cast + every.abstentions
    assert AuditEvent.objects.filter(action="nominations.load_published").count() == 1


def test_loader_refuses_a_contest_that_already_has_nominations(
    contest: Any, labour_2016: dict[str, Any]
) -> None:
    nominations_load_published(contest=contest, data=labour_2016)
    with pytest.raises(ServiceError, match="already has nominations"):
        nominations_load_published(contest=contest, data=labour_2016)


def test_loader_names_candidates_missing_from_the_contest(
    contest: Any, labour_2016: dict[str, Any]
) -> None:
    contest.candidates.filter(name="Owen Smith").delete()
    with pytest.raises(ServiceError, match="Owen Smith, who is not a candidate"):
        nominations_load_published(contest=contest, data=labour_2016)
    assert not BranchMeeting.objects.filter(contest=contest).exists()
