"""Decide, for everyone, whether they may vote, and record why."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from omov.contests.models import Contest, ContestStatus
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.services import audit_record
from omov.electorate import rules as eligibility
from omov.electorate.bulk import BATCH_SIZE, chunked, insert_rows, prepare_for_bulk, stream_rows
from omov.electorate.models import (
    ContestRules,
    EligibilityDecision,
)
from omov.electorate.selectors import rule_parameters
from omov.electorate.services.common import (
    CHUNK_SIZE,
    Progress,
    fact_rows,
    refreeze_entries,
    rules_for,
)

# --- Evaluation ---------------------------------------------------------------------------------


@dataclass
class EvaluationSummary:
    """The result of evaluating a roll: counts by category, and what changed."""

    by_category: dict[str, tuple[int, int]]
    created: int
    changed: int
    gained: int
    lost: int

    @property
    def eligible(self) -> int:
        return sum(eligible for eligible, _ in self.by_category.values())

    @property
    def ineligible(self) -> int:
        return sum(ineligible for _, ineligible in self.by_category.values())


_DECISION_FIELDS = ("person_id", "failed_rules", "rules_eligible", "is_eligible")


def roll_evaluate(
    *,
    contest: Contest,
    actor: Any = None,
    actor_label: str = "",
    progress: Progress | None = None,
) -> EvaluationSummary:
    """Decide, for every person, whether they may vote in the contest, and record why.

    Decisions that did not change are not rewritten; overrides (appeals) stay in force. After the
    roll is frozen (until the ballot opens) the roll entries of changed decisions follow.
    """
    if contest.has_reached(ContestStatus.BALLOT_OPEN):
        raise ServiceError("The ballot has opened: the roll can no longer be re-evaluated.")
    now = clock.now()
    with transaction.atomic():
        prepare_for_bulk()
        rules = ContestRules.objects.select_for_update().get(pk=rules_for(contest).pk)
        params = rule_parameters(rules)
        decisions = EligibilityDecision.objects.filter(contest=contest)
        sql, sql_params = (
            decisions.values_list("person_id", "failed_rules").order_by().query.sql_with_params()
        )
        previous: dict[int, int] = dict(stream_rows(sql, sql_params, CHUNK_SIZE))
        overrides: dict[int, bool] = {
            person_id: bool(override)
            for person_id, override in decisions.filter(override__isnull=False).values_list(
                "person_id", "override"
            )
        }
        creates: list[tuple[Any, ...]] = []
        changed: dict[int, list[int]] = defaultdict(list)
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        gained = lost = created = 0
        failed_mask = eligibility.failed_mask
        make = eligibility.Facts._make
        constants = {"contest_id": contest.pk, "evaluated_at": now, "override_reason": ""}
        for row in fact_rows(progress):
            facts = make(row)
            mask = failed_mask(facts, params)
            override = overrides.get(facts.id)
            eligible = (mask == 0) if override is None else override
            counts[facts.category][0 if eligible else 1] += 1
            old = previous.get(facts.id)
            if old is None:
                creates.append((facts.id, mask, mask == 0, eligible))
                created += 1
                if len(creates) >= BATCH_SIZE:
                    insert_rows(EligibilityDecision, _DECISION_FIELDS, creates, constants=constants)
                    creates.clear()
            elif old != mask:
                changed[mask].append(facts.id)
                if override is None and (old == 0) != (mask == 0):
                    if mask == 0:
                        gained += 1
                    else:
                        lost += 1
        insert_rows(EligibilityDecision, _DECISION_FIELDS, creates, constants=constants)
        changed_ids: list[int] = []
        for mask, ids in changed.items():
            changed_ids.extend(ids)
            for chunk in chunked(ids):
                decisions.filter(person_id__in=chunk).update(
                    failed_rules=mask,
                    rules_eligible=mask == 0,
                    is_eligible=Coalesce(F("override"), Value(mask == 0)),
                    evaluated_at=now,
                )
        rules.evaluated_at = now
        rules.evaluated_version = rules.version
        rules.save(update_fields=["evaluated_at", "evaluated_version"])
        if contest.status == ContestStatus.ROLL_FROZEN and changed_ids:
            refreeze_entries(contest, changed_ids)
        summary = EvaluationSummary(
            by_category={category: (c[0], c[1]) for category, c in sorted(counts.items())},
            created=created,
            changed=len(changed_ids),
            gained=gained,
            lost=lost,
        )
        audit_record(
            action="roll.evaluate",
            summary=(
                f"Evaluated the roll: {summary.eligible} eligible, {summary.ineligible} not; "
                f"{summary.changed} decisions changed"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=rules,
            data={"by_category": summary.by_category, "rules_version": rules.version},
        )
    return summary
