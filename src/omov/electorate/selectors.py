"""Reads of the roll: decisions with their reasons, summaries, staleness, the frozen roll.

Other apps read the frozen roll through ``eligible_roll_entries(contest)`` (credentials are issued
from those rows), a person's standing through ``roll_entry_of(contest, person)``, and how many
members of a branch are eligible through ``branch_eligible_member_count(contest, branch)``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from omov.contests.models import Contest, ContestStatus
from omov.core import clock
from omov.core.models import AuditEvent
from omov.electorate import rules as eligibility
from omov.electorate.models import (
    Branch,
    Category,
    ContestRules,
    EligibilityDecision,
    ImportBatch,
    Person,
    RollEntry,
)


def rule_parameters(rules: ContestRules) -> eligibility.RuleParameters:
    """Resolve a contest's stored rules into the parameters the rules read.

    Age is reckoned on ``age_on``, else on the day the ballot closes, else today.
    """
    contest = rules.contest
    age_on = rules.age_on
    if age_on is None and contest.ballot_closes_at is not None:
        age_on = contest.ballot_closes_at.date()
    if age_on is None:
        age_on = clock.now().date()
    return eligibility.RuleParameters(
        contest_id=contest.pk,
        freeze_date=rules.freeze_date,
        arrears_deadline=rules.arrears_deadline,
        minimum_age=rules.minimum_age,
        age_on=age_on,
        eligible_categories=frozenset(rules.eligible_categories),
        affiliated_supporters_must_register=rules.affiliated_supporters_must_register,
    )


def contest_rules(contest: Contest) -> ContestRules | None:
    """Return the contest's stored rules, or None before they are first used."""
    return ContestRules.objects.filter(contest=contest).select_related("contest").first()


def roll_version(contest: Contest) -> int:
    """Return the id of the latest audit event of the contest or of no contest.

    Everything that changes a contest's decisions or its people's facts (import, evaluation, a
    rule change, an appeal, an edit in the admin) goes through a service or an admin that writes
    an audit event in the same transaction, so figures computed from the roll stay valid until
    the next event.
    """
    latest = (
        AuditEvent.objects.filter(Q(contest=contest) | Q(contest__isnull=True))
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return latest or 0


def roll_figure(contest: Contest, name: str, compute: Any, *, version: int | None = None) -> Any:
    """Return ``compute()``, cached until the contest's next audited change.

    Counting a 654,006-person roll by category takes the best part of a second on PostgreSQL;
    the roll page shows the same figures on every click until something is recorded. A page
    showing several figures passes the ``roll_version`` it read once.
    """
    digest = hashlib.sha256(name.encode()).hexdigest()[:32]  # names may hold search terms
    if version is None:
        version = roll_version(contest)
    key = f"omov:roll:{contest.pk}:{version}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=3600)
    return value


def roll_staleness_shown(contest: Contest, *, version: int | None = None) -> list[str]:
    """Return ``roll_staleness`` for the roll page, cached until the next audited change.

    Lifecycle blockers call ``roll_staleness`` itself, which always counts afresh.
    """
    return list(roll_figure(contest, "staleness", lambda: roll_staleness(contest), version=version))


def roll_staleness(contest: Contest) -> list[str]:
    """List why the decisions do not reflect the current rules and people (empty: fresh)."""
    people = Person.objects.count()
    if people == 0:
        return ["import the roll first: nobody is on it"]
    rules = contest_rules(contest)
    if rules is None or rules.evaluated_at is None:
        return ["evaluate the roll first: nobody has a decision yet"]
    reasons = []
    if rules.evaluated_version != rules.version:
        reasons.append("evaluate the roll again: the rules changed after the last evaluation")
    changed = Person.objects.filter(updated_at__gt=rules.evaluated_at).count()
    if changed:
        reasons.append(
            f"evaluate the roll again: {changed} people were imported or changed after the "
            "last evaluation"
        )
    decided = EligibilityDecision.objects.filter(contest=contest).count()
    if not changed and decided < people:
        reasons.append(f"evaluate the roll again: {people - decided} people have no decision")
    return reasons


@dataclass(frozen=True)
class RollFilters:
    """Filters of the roll page."""

    category: str = ""
    branch_id: int | None = None
    eligibility: str = ""  # "", "eligible", "ineligible", "overridden"
    search: str = ""


def roll_decisions(
    contest: Contest, filters: RollFilters, branch_ids: Collection[int] | None = None
) -> QuerySet[EligibilityDecision]:
    """Return the decisions of a contest, filtered; ``branch_ids`` limits them to those branches."""
    decisions = EligibilityDecision.objects.filter(contest=contest).select_related(
        "person", "person__branch"
    )
    if branch_ids is not None:
        decisions = decisions.filter(person__branch_id__in=branch_ids)
    if filters.category:
        decisions = decisions.filter(person__category=filters.category)
    if filters.branch_id:
        decisions = decisions.filter(person__branch_id=filters.branch_id)
    if filters.eligibility == "eligible":
        decisions = decisions.filter(is_eligible=True)
    elif filters.eligibility == "ineligible":
        decisions = decisions.filter(is_eligible=False)
    elif filters.eligibility == "overridden":
        decisions = decisions.filter(override__isnull=False)
    if filters.search:
        term = filters.search.strip()
        decisions = decisions.filter(
            Q(person__external_id=term)
            | Q(person__last_name__istartswith=term)
            | Q(person__email=term.lower())
        )
    return decisions.order_by("person__last_name", "person__first_name", "person__external_id")


def roll_summary(
    contest: Contest, branch_ids: Collection[int] | None = None, *, version: int | None = None
) -> list[tuple[str, int, int]]:
    """Return (category label, eligible, not eligible) for each category, from the decisions."""
    scope = "all" if branch_ids is None else ",".join(map(str, sorted(branch_ids)))
    summary = roll_figure(
        contest, f"summary:{scope}", lambda: _roll_summary(contest, branch_ids), version=version
    )
    return list(summary)


def _roll_summary(
    contest: Contest, branch_ids: Collection[int] | None = None
) -> list[tuple[str, int, int]]:
    decisions = EligibilityDecision.objects.filter(contest=contest)
    if branch_ids is not None:
        decisions = decisions.filter(person__branch_id__in=branch_ids)
    counts = {
        (row["person__category"], row["is_eligible"]): row["n"]
        for row in decisions.values("person__category", "is_eligible").annotate(n=Count("id"))
    }
    return [
        (
            category.label,
            counts.get((category.value, True), 0),
            counts.get((category.value, False), 0),
        )
        for category in Category
    ]


def person_reasons(contest: Contest, person: Person) -> list[eligibility.Reason]:
    """Return each applicable rule's verdict on a person, under the contest's current rules."""
    rules = contest_rules(contest)
    if rules is None:
        return []
    return eligibility.reasons_for(eligibility.Facts.of(person), rule_parameters(rules))


def decision_of(contest: Contest, person: Person) -> EligibilityDecision | None:
    """Return the person's recorded decision in the contest, if evaluated."""
    return (
        EligibilityDecision.objects.filter(contest=contest, person=person)
        .select_related("override_by")
        .first()
    )


def recent_imports(contest: Contest, limit: int = 5) -> QuerySet[ImportBatch]:
    """Return the latest imports into the contest's roll."""
    return ImportBatch.objects.filter(contest=contest).select_related("actor")[:limit]


def eligible_roll_entries(contest: Contest) -> QuerySet[RollEntry]:
    """Return the frozen roll's eligible entries: the people who may vote (issue credentials)."""
    return RollEntry.objects.filter(contest=contest, is_eligible=True).select_related("person")


def roll_entry_of(contest: Contest, person: Person) -> RollEntry | None:
    """Return the person's entry on the contest's frozen roll, if any."""
    return RollEntry.objects.filter(contest=contest, person=person).first()


def roll_is_evaluated(contest: Contest) -> bool:
    """Return True once the contest's roll has been evaluated at least once (decisions exist)."""
    return ContestRules.objects.filter(contest=contest, evaluated_at__isnull=False).exists()


def branch_eligible_member_count(contest: Contest, branch: Branch) -> int | None:
    """Return how many members of ``branch`` are eligible in ``contest``, or None if unknown.

    Members only: registered and affiliated supporters do not belong to a branch's meetings. The
    answer is the roll's own: once the roll is frozen it counts the roll entries (the snapshot
    credentials are issued from, with each person's branch and category as frozen, and appeals
    decided after the freeze); before, it counts the eligibility decisions, overrides included.
    Decisions made under rules changed since stay in force until the roll is evaluated again,
    as they do everywhere else.

    None means the roll has never been evaluated, so nobody has a decision and no count would be
    the roll's: callers say so rather than guess.
    """
    if contest.has_reached(ContestStatus.ROLL_FROZEN):
        return RollEntry.objects.filter(
            contest=contest, branch=branch, category=Category.MEMBER, is_eligible=True
        ).count()
    if not roll_is_evaluated(contest):
        return None
    return EligibilityDecision.objects.filter(
        contest=contest,
        is_eligible=True,
        person__branch=branch,
        person__category=Category.MEMBER,
    ).count()


def age_reference(rules: ContestRules) -> dt.date:
    """Return the date on which age is reckoned under these rules."""
    return rule_parameters(rules).age_on


def rules_summary(rules: ContestRules | None) -> list[tuple[str, Any]]:
    """Return the rules' parameters as (label, value) rows for a page."""
    if rules is None:
        return []
    categories = ", ".join(Category(value).label for value in rules.eligible_categories) or "none"
    return [
        ("Freeze date", rules.freeze_date or "not set"),
        ("Arrears deadline", rules.arrears_deadline or "not set"),
        ("Minimum age", rules.minimum_age),
        ("Age reckoned on", age_reference(rules)),
        ("Categories that may vote", categories),
        (
            "Affiliated supporters must register",
            "yes" if rules.affiliated_supporters_must_register else "no",
        ),
        ("Rules version", rules.version),
    ]


def rules_of(contest: Contest) -> ContestRules:
    """The contest's eligibility rules as stored, or (unsaved) the ones its timetable gives.

    A read: nothing is written. ``services.rules_for`` makes and stores them, audited, when a
    service first needs them.
    """
    stored = contest_rules(contest)
    if stored is not None:
        return stored
    return ContestRules(
        contest=contest,
        freeze_date=contest.freeze_date,
        arrears_deadline=contest.arrears_deadline,
        eligible_categories=list(Category.values),
    )
