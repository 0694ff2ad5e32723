"""Freeze the roll: snapshot the decisions into roll entries and take the lifecycle step."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Count

from omov.contests.models import Contest
from omov.contests.services import contest_blockers, contest_transition
from omov.core.errors import Blocked
from omov.core.services import audit_record
from omov.electorate import bulk
from omov.electorate.bulk import analyze, indexes_rebuilt_after
from omov.electorate.models import (
    EligibilityDecision,
    Person,
    RollEntry,
)
from omov.electorate.selectors import roll_staleness
from omov.electorate.services.common import (
    reasons_json,
)

# --- Freeze -------------------------------------------------------------------------------------


def _snapshot(contest: Contest, combinations: list[tuple[int, bool | None]]) -> None:
    """Copy every decision of the contest into a roll entry, in one INSERT … SELECT.

    The reasons depend only on the (failed rules, override) combination, and a roll has a few
    dozen combinations at most, so they are spelt out in a CASE: nothing is read into Python.
    """
    quote = connection.ops.quote_name
    entry = quote(RollEntry._meta.db_table)
    decision = quote(EligibilityDecision._meta.db_table)
    person = quote(Person._meta.db_table)
    cases: list[str] = []
    params: list[Any] = []
    for mask, override in combinations:
        if override is None:
            cases.append("WHEN d.failed_rules = %s AND d.override IS NULL THEN %s")
            params += [mask, reasons_json(mask, override)]
        else:
            cases.append("WHEN d.failed_rules = %s AND d.override = %s THEN %s")
            params += [mask, override, reasons_json(mask, override)]
    reasons = f"CASE {' '.join(cases)} ELSE '[]' END"
    if connection.vendor == "postgresql":
        reasons = f"CAST({reasons} AS jsonb)"
    params += [connection.ops.adapt_datetimefield_value(contest.roll_frozen_at), contest.pk]
    sql = (
        f"INSERT INTO {entry} (contest_id, person_id, category, branch_id, is_eligible, reasons,"
        f" frozen_at) SELECT d.contest_id, d.person_id, p.category, p.branch_id, d.is_eligible,"
        f" {reasons}, %s FROM {decision} d JOIN {person} p ON p.id = d.person_id"
        f" WHERE d.contest_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def freeze_roll_blockers(contest: Contest) -> list[str]:
    """List the reasons the roll cannot be frozen yet (a lifecycle blocker)."""
    return roll_staleness(contest)


def roll_freeze(
    *,
    contest: Contest,
    actor: Any = None,
    actor_label: str = "",
    reason: str = "",
    **options: Any,
) -> Contest:
    """Freeze the roll: snapshot every decision into roll entries, then take the lifecycle step.

    The step service of ``freeze_roll``. Refused while the decisions are missing or stale, and,
    without a ``reason``, while it goes against the timetable (``contest_transition``).
    """

    blockers = contest_blockers(contest, "freeze_roll")
    if blockers:
        raise Blocked("freeze the roll", blockers)
    with transaction.atomic():
        contest_transition(
            contest=contest,
            step="freeze_roll",
            actor=actor,
            actor_label=actor_label,
            reason=reason,
        )
        RollEntry.objects.filter(contest=contest).delete()
        decisions = EligibilityDecision.objects.filter(contest=contest)
        combinations = list(decisions.values_list("failed_rules", "override").distinct())
        # A first freeze writes more entries than the table holds: build its indexes after.
        first = decisions.count() >= max(bulk.REBUILD_MINIMUM, RollEntry.objects.count())
        if first:
            with indexes_rebuilt_after(RollEntry):  # and analysed, for the opening's plan
                _snapshot(contest, combinations)
        else:
            _snapshot(contest, combinations)
            analyze(RollEntry)
        counts = dict(decisions.values_list("is_eligible").annotate(n=Count("id")))
        eligible, total = counts.get(True, 0), sum(counts.values())
        audit_record(
            action="roll.freeze",
            summary=f"Froze the roll: {eligible} eligible of {total} people",
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=contest,
            data={"eligible": eligible, "total": total},
        )
    return contest
