"""One meeting per branch holds when two people record the same branch at the same moment."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from nominations_helpers import add_members

from factories import BranchFactory
from omov.core.errors import ServiceError
from omov.core.models import AuditEvent
from omov.electorate.services import roll_evaluate
from omov.nominations.models import BranchMeeting
from omov.nominations.services import MeetingFigures, branch_meeting_record

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_records_of_one_branch_make_one_meeting(open_contest: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL: set DATABASE_URL to run this test")
    branch = BranchFactory(code="concurrent", name="Concurrent Branch")
    add_members(branch, 50)
    roll_evaluate(contest=open_contest)
    corbyn = open_contest.candidates.get(name="Jeremy Corbyn")
    smith = open_contest.candidates.get(name="Owen Smith")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def record(votes: dict[int, int]) -> None:
        try:
            barrier.wait()
            branch_meeting_record(
                contest=open_contest,
                branch=branch,
                figures=MeetingFigures(
                    held_on=open_contest.branch_nominations_open_at.date(),
                    attendance=40,
                    abstentions=0,
                    votes=votes,
                ),
            )
            outcomes.append("recorded")
        except ServiceError as error:
            outcomes.append(error.message)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=record, args=({corbyn.pk: 30 - n, smith.pk: 10 + n},))
        for n in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("recorded") == 1, outcomes
    assert all("already recorded" in o or "a moment ago" in o for o in outcomes if o != "recorded")
    assert BranchMeeting.objects.filter(branch=branch).count() == 1
    assert AuditEvent.objects.filter(action="nominations.branch_meeting_record").count() == 1
