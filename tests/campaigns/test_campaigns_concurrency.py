"""Many callers at once, proven on PostgreSQL: no voter held twice, no call after a do-not-call.

Runs only when DATABASE_URL points at PostgreSQL (SQLite serialises every write).
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import time_machine
from django.db import connections

from campaigns_support import EVENING, build_campaigns
from factories import UserFactory, grant
from omov.campaigns import services
from omov.campaigns.models import Call, Claim, DoNotCall, Outcome
from omov.core.errors import ServiceError
from omov.core.models import Role

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="concurrency is proven on PostgreSQL: set DATABASE_URL=postgres://...",
    ),
    pytest.mark.django_db(transaction=True),
]

CALLERS = 16
VOTERS = 120


def test_many_callers_never_share_a_voter_and_never_call_one_who_opted_out(contest: Any) -> None:
    with time_machine.travel(EVENING, tick=False):
        setup = build_campaigns(contest, voters=VOTERS)
        for side in (setup.corbyn, setup.smith):
            side.cooldown_minutes = 0
            side.max_attempts = 50
            side.save()
        callers = []
        for number in range(CALLERS):
            campaign = setup.corbyn if number % 2 else setup.smith
            user = UserFactory(username=f"caller-{number}")
            grant(user, Role.CAMPAIGN_CALLER, contest, candidate=campaign.candidate)
            callers.append((user, setup.corbyn_list if number % 2 else setup.smith_list))
    held: dict[tuple[int, int], int] = {}
    overlaps: list[tuple[int, int]] = []
    lock = threading.Lock()

    def work(index: int) -> Counter[str]:
        user, call_list = callers[index]
        outcomes: Counter[str] = Counter()
        try:
            for turn in range(12):
                try:
                    claim = services.claim_next(call_list=call_list, caller=user)
                except ServiceError:
                    outcomes["refused"] += 1
                    continue
                if claim is None:
                    outcomes["empty"] += 1
                    break
                key = (claim.campaign_id, claim.roll_entry_id)
                with lock:
                    if key in held:
                        overlaps.append(key)
                    held[key] = claim.pk
                outcome = Outcome.DO_NOT_CALL if turn % 4 == 0 else Outcome.NO_ANSWER
                with lock:
                    held.pop(key, None)
                try:
                    services.call_record(claim_id=claim.pk, caller=user, outcome=outcome)
                    outcomes[str(outcome)] += 1
                except ServiceError:
                    outcomes["withdrawn"] += 1
        finally:
            connections.close_all()
        return outcomes

    # One clock for every thread: time_machine patches the process, so a travel entered per
    # thread would let each thread rewind the others' clocks.
    with (
        time_machine.travel(EVENING, tick=True),
        ThreadPoolExecutor(max_workers=CALLERS) as pool,
    ):
        totals = sum(pool.map(work, range(CALLERS)), Counter())
    assert not overlaps
    assert totals[str(Outcome.DO_NOT_CALL)] > 0 and totals[str(Outcome.NO_ANSWER)] > 0
    # Never two live claims on one voter in one campaign.
    assert not Claim.objects.filter(is_active=True).exists()
    # Nobody was called (by any campaign) after they asked not to be.
    for request in DoNotCall.objects.all():
        later = Call.objects.filter(
            roll_entry__person=request.person, called_at__gt=request.recorded_at
        )
        assert not later.exists()
        first = Call.objects.filter(
            roll_entry__person=request.person, outcome=Outcome.DO_NOT_CALL
        ).count()
        assert first == 1
