"""The dashboard's figures, counted by the database, against a hand count of known calls."""

from __future__ import annotations

import datetime as dt

import pytest

from campaigns_support import EVENING, Campaigns
from factories import BranchFactory
from omov.campaigns import selectors
from omov.campaigns.models import Call, CallTarget, Claim, Outcome

pytestmark = pytest.mark.django_db


def _record(
    campaigns: Campaigns, target: CallTarget, outcome: str, answers: object, at: dt.datetime
) -> None:
    caller = campaigns.people["corbyn_caller"]
    claim = Claim.objects.create(
        campaign=campaigns.corbyn,
        target=target,
        roll_entry_id=target.roll_entry_id,
        caller=caller,
        claimed_at=at,
        expires_at=at + dt.timedelta(minutes=10),
        is_active=False,
    )
    Call.objects.create(
        campaign=campaigns.corbyn,
        claim=claim,
        target=target,
        roll_entry_id=target.roll_entry_id,
        caller=caller,
        script=campaigns.corbyn_list.script,
        outcome=outcome,
        answers=answers,
        called_at=at,
    )


def test_figures_match_a_hand_count(campaigns: Campaigns) -> None:
    # Ten of the thirty voters move to a second branch, so branches differ in size.
    leeds = BranchFactory(code="LEEDS", name="Leeds Central", region="Yorkshire")
    targets = list(CallTarget.objects.filter(call_list=campaigns.corbyn_list).order_by("pk"))
    for target in targets[20:]:
        target.roll_entry.branch = leeds
        target.roll_entry.save(update_fields=["branch"])
    one_hour_ago = EVENING - dt.timedelta(hours=1)
    long_ago = EVENING - dt.timedelta(hours=20)
    # 12 answered in Nottingham: support 4 (int) ten times, "2" (text) once, none once.
    for number, target in enumerate(targets[:12]):
        answers: object = (
            {"support": 4} if number < 10 else ({"support": "2"} if number == 10 else {})
        )
        _record(campaigns, target, Outcome.ANSWERED, answers, one_hour_ago)
    # 3 answered in Leeds (a cell under ten: suppressed), 8 not answered, 2 long ago.
    for target in targets[20:23]:
        _record(campaigns, target, Outcome.ANSWERED, {"support": 4}, EVENING)
    for target in targets[12:20]:
        _record(campaigns, target, Outcome.NO_ANSWER, {}, EVENING)
    for target in targets[23:25]:
        _record(campaigns, target, Outcome.BUSY, {}, long_ago)

    figures = selectors.campaign_figures(campaigns.corbyn, at=EVENING)

    assert (figures.calls, figures.answered) == (25, 15)
    assert figures.contact_rate == pytest.approx(15 / 25)
    assert figures.by_outcome == [("Answered", 15), ("Busy", None), ("No answer", None)]
    assert figures.by_support == [("2", None), ("4", 13)]
    assert figures.by_branch == [("Leeds Central", None), ("Nottingham East", 12)]
    assert figures.by_category == [("member", 15)]
    # The last twelve hours only, by hour (the two calls of twenty hours ago are not there).
    assert figures.calls_per_hour == [
        (one_hour_ago.replace(minute=0, second=0, microsecond=0), 12),
        (EVENING.replace(minute=0, second=0, microsecond=0), 11),
    ]
