"""Decide, for everyone, whether they may vote, and record why."""

from __future__ import annotations

from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from omov.contests.models import Contest, ContestStatus
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.services import audit_record
from omov.electorate import bulk
from omov.electorate import rules as eligibility
from omov.electorate.bulk import indexes_rebuilt_after, prepare_for_bulk
from omov.electorate.models import (
    ContestRules,
    EligibilityDecision,
    Person,
)
from omov.electorate.selectors import rule_parameters
from omov.electorate.services.common import (
    Progress,
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


def roll_evaluate(
    *,
    contest: Contest,
    actor: Any = None,
    actor_label: str = "",
    progress: Progress | None = None,
) -> EvaluationSummary:
    """Decide, for every person, whether they may vote in the contest, and record why.

    The database applies the rules (``rules.failed_mask_sql``): one pass counts what would
    change, then new decisions are inserted and changed ones updated, each in one statement, so
    no person passes through Python. Decisions that did not change are not rewritten; overrides
    (appeals) stay in force. After the roll is frozen (until the ballot opens) the roll entries of
    changed decisions follow.
    """
    if contest.has_reached(ContestStatus.BALLOT_OPEN):
        raise ServiceError("The ballot has opened: the roll can no longer be re-evaluated.")
    now = clock.now()
    with transaction.atomic():
        prepare_for_bulk()
        rules = ContestRules.objects.select_for_update().get(pk=rules_for(contest).pk)
        mask, mask_params = eligibility.failed_mask_sql(rule_parameters(rules))
        quote = connection.ops.quote_name
        person = quote(Person._meta.db_table)
        decision = quote(EligibilityDecision._meta.db_table)
        masks = f"(SELECT p.id, p.category, {mask} AS mask FROM {person} p)"
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        created = changed = gained = lost = people = 0
        with connection.cursor() as cursor:
            # One pass over the roll: (category, old mask is none / zero, new mask, override).
            cursor.execute(
                f"SELECT m.category, d.failed_rules, m.mask, d.override, COUNT(*)"
                f" FROM {masks} m LEFT JOIN {decision} d"
                f" ON d.person_id = m.id AND d.contest_id = %s"
                f" GROUP BY m.category, d.failed_rules, m.mask, d.override",
                [*mask_params, contest.pk],
            )
            for category, old, new, override, number in cursor.fetchall():
                people += number
                eligible = (new == 0) if override is None else bool(override)
                counts[category][0 if eligible else 1] += number
                if old is None:
                    created += number
                elif old != new:
                    changed += number
                    if override is None and (old == 0) != (new == 0):
                        if new == 0:
                            gained += number
                        else:
                            lost += number
            changed_ids: list[int] = []
            if changed and contest.status == ContestStatus.ROLL_FROZEN:
                cursor.execute(
                    f"SELECT d.person_id FROM {decision} d JOIN {person} p ON p.id = d.person_id"
                    f" WHERE d.contest_id = %s AND d.failed_rules <> {mask}",
                    [contest.pk, *mask_params],
                )
                changed_ids = [row[0] for row in cursor.fetchall()]
            at = connection.ops.adapt_datetimefield_value(now)
            if changed:
                cursor.execute(
                    f"UPDATE {decision} SET failed_rules = m.mask, rules_eligible = m.mask = 0,"
                    f" is_eligible = COALESCE({decision}.override, m.mask = 0), evaluated_at = %s"
                    f" FROM {masks} m WHERE {decision}.person_id = m.id"
                    f" AND {decision}.contest_id = %s AND {decision}.failed_rules <> m.mask",
                    [at, *mask_params, contest.pk],
                )
            if created:
                # A first evaluation writes more decisions than the table holds: build the
                # table's indexes after it (decision 0011).
                first = created >= max(bulk.REBUILD_MINIMUM, EligibilityDecision.objects.count())
                with indexes_rebuilt_after(EligibilityDecision) if first else nullcontext():
                    cursor.execute(
                        f"INSERT INTO {decision} (contest_id, person_id, failed_rules,"
                        f" rules_eligible,"
                        f" is_eligible, override_reason, evaluated_at)"
                        f" SELECT %s, m.id, m.mask, m.mask = 0, m.mask = 0, '', %s FROM {masks} m"
                        f" WHERE NOT EXISTS (SELECT 1 FROM {decision} d"
                        f" WHERE d.contest_id = %s AND d.person_id = m.id)",
                        [contest.pk, at, *mask_params, contest.pk],
                    )
        if progress is not None:
            progress(people)
        rules.evaluated_at = now
        rules.evaluated_version = rules.version
        rules.save(update_fields=["evaluated_at", "evaluated_version"])
        if changed_ids:
            refreeze_entries(contest, changed_ids)
        summary = EvaluationSummary(
            by_category={category: (c[0], c[1]) for category, c in sorted(counts.items())},
            created=created,
            changed=changed,
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
