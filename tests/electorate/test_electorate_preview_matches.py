"""The preview of a rule change predicts exactly what applying it does (a seeded random roll)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

import pytest

from factories import AffiliateFactory, BranchFactory, PersonFactory
from omov.electorate.models import EligibilityDecision
from omov.electorate.services import (
    RuleChange,
    decision_override,
    roll_evaluate,
    rules_change,
    rules_preview_change,
)

pytestmark = pytest.mark.django_db


def random_roll(contest: Any, seed: int, size: int = 120) -> None:
    rng = random.Random(seed)
    branches = [BranchFactory() for _ in range(4)]
    union = AffiliateFactory()
    for _ in range(size):
        category = rng.choice(["member", "member", "registered_supporter", "affiliated_supporter"])
        PersonFactory(
            category=category,
            branch=rng.choice(branches),
            joined_on=dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(600)),
            status=rng.choice(["active"] * 8 + ["lapsed", "suspended"]),
            arrears_paid_on=rng.choice([None] * 5 + [dt.date(2016, 8, 1), dt.date(2016, 8, 20)]),
            date_of_birth=dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(60 * 365)),
            affiliate=union if category == "affiliated_supporter" else None,
            registered_for=contest if category != "member" else None,
            supporter_fee_paid=rng.random() < 0.9,
            is_on_electoral_register=rng.choice([True, True, True, False, None]),
            is_duplicate=rng.random() < 0.05,
        )


def eligibility(contest: Any) -> dict[int, tuple[bool, str, int | None]]:
    return {
        d.person_id: (d.is_eligible, d.person.category, d.person.branch_id)
        for d in EligibilityDecision.objects.filter(contest=contest).select_related("person")
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_preview_equals_the_applied_change(open_contest: Any, seed: int) -> None:
    random_roll(open_contest, seed)
    roll_evaluate(contest=open_contest)
    people = list(EligibilityDecision.objects.filter(contest=open_contest)[:3])
    decision_override(
        contest=open_contest, person=people[0].person, is_eligible=True, reason="Appeal"
    )
    rng = random.Random(seed)
    change = RuleChange(
        freeze_date=dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(600)),
        arrears_deadline=rng.choice([None, dt.date(2016, 8, 8), dt.date(2016, 8, 31)]),
        minimum_age=rng.choice([16, 18, 21]),
        age_on=None,
        eligible_categories=tuple(
            rng.sample(["member", "registered_supporter", "affiliated_supporter"], 2)
        ),
        affiliated_supporters_must_register=rng.random() < 0.5,
    )
    before = eligibility(open_contest)

    preview = rules_preview_change(contest=open_contest, change=change)
    summary = rules_change(contest=open_contest, change=change, reason="Property")
    after = eligibility(open_contest)

    gained = [pid for pid in after if after[pid][0] and not before[pid][0]]
    lost = [pid for pid in after if before[pid][0] and not after[pid][0]]
    assert (preview.gains, preview.losses) == (len(gained), len(lost))
    assert (summary.gained, summary.lost) == (len(gained), len(lost))
    assert people[0].person_id not in gained + lost  # the override holds
    by_category: Counter[str] = Counter()
    for pid in gained:
        by_category[after[pid][1]] += 1
    labels = {"member": "Member", "registered_supporter": "Registered supporter",
              "affiliated_supporter": "Affiliated supporter"}  # fmt: skip
    assert {label: gains for label, gains, _ in preview.by_category if gains} == {
        labels[category]: count for category, count in by_category.items()
    }
    assert sum(gains for _, gains, _ in preview.by_branch) == len(gained)
    assert sum(losses for _, _, losses in preview.by_branch) == len(lost)
