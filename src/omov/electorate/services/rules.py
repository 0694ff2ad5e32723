"""Configure and change a contest's eligibility rules, previewing the change first."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from omov.contests.models import Contest, ContestStatus
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.services import audit_record
from omov.electorate import rules as eligibility
from omov.electorate.models import (
    Branch,
    Category,
    ContestRules,
    EligibilityDecision,
    Person,
)
from omov.electorate.selectors import rule_parameters
from omov.electorate.services.common import (
    Progress,
    rules_for,
)
from omov.electorate.services.evaluation import EvaluationSummary, roll_evaluate


@dataclass(frozen=True)
class RuleChange:
    """Proposed rule parameters, validated."""

    freeze_date: dt.date | None
    arrears_deadline: dt.date | None
    minimum_age: int
    age_on: dt.date | None
    eligible_categories: tuple[str, ...]
    affiliated_supporters_must_register: bool

    def __post_init__(self) -> None:
        if not 0 < self.minimum_age <= 120:
            raise ServiceError("The minimum age must be between 1 and 120.")
        unknown = set(self.eligible_categories) - set(Category.values)
        if unknown:
            raise ServiceError(
                f"Unknown categories: {', '.join(sorted(unknown))}; the categories are "
                f"{', '.join(Category.values)}."
            )
        if not self.eligible_categories:
            raise ServiceError("At least one category must be allowed to vote.")

    def apply_to(self, rules: ContestRules) -> None:
        rules.freeze_date = self.freeze_date
        rules.arrears_deadline = self.arrears_deadline
        rules.minimum_age = self.minimum_age
        rules.age_on = self.age_on
        rules.eligible_categories = list(self.eligible_categories)
        rules.affiliated_supporters_must_register = self.affiliated_supporters_must_register


@dataclass(frozen=True)
class ChangedPerson:
    person_id: int
    name: str
    external_id: str
    category: str
    branch: str


@dataclass(frozen=True)
class ChangePreview:
    """Who would gain and who would lose a vote if the rules changed, computed without writing."""

    version: int
    gains: int
    losses: int
    by_category: list[tuple[str, int, int]]
    by_branch: list[tuple[str, int, int]]
    sample_gains: list[ChangedPerson]
    sample_losses: list[ChangedPerson]
    changed_parameters: list[tuple[str, str, str]]


SAMPLE_SIZE = 25


def rules_preview_change(
    *, contest: Contest, change: RuleChange, progress: Progress | None = None
) -> ChangePreview:
    """Compare everyone's eligibility under the current and the proposed rules (read-only).

    Both are computed from the people's current facts, so the difference is the effect of the rule
    change alone; overrides (appeals) keep their decision under either.
    """
    rules = rules_for(contest)
    current = rule_parameters(rules)
    proposed_rules = ContestRules(contest=contest, updated_at=rules.updated_at)
    change.apply_to(proposed_rules)
    proposed = rule_parameters(proposed_rules)
    # The database decides everyone under both sets of rules; people with an override keep it.
    before, before_params = eligibility.failed_mask_sql(current)
    after, after_params = eligibility.failed_mask_sql(proposed)
    quote = connection.ops.quote_name
    rows = (
        f"FROM (SELECT p.id, p.category, p.branch_id, {before} = 0 AS before,"
        f" {after} = 0 AS after FROM {quote(Person._meta.db_table)} p"
        f" WHERE NOT EXISTS (SELECT 1 FROM {quote(EligibilityDecision._meta.db_table)} d"
        f" WHERE d.person_id = p.id AND d.contest_id = %s AND d.override IS NOT NULL)) m"
        f" WHERE m.before <> m.after"
    )
    params = [*before_params, *after_params, contest.pk]
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_branch: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.category, m.branch_id, m.after, COUNT(*) {rows}"
            " GROUP BY m.category, m.branch_id, m.after",
            params,
        )
        for category, branch_id, gains, number in cursor.fetchall():
            index = 0 if gains else 1
            by_category[category][index] += number
            by_branch[branch_id][index] += number
        samples = []
        for gains in (True, False):
            cursor.execute(
                f"SELECT m.id {rows} AND m.after = %s ORDER BY m.id LIMIT {SAMPLE_SIZE}",
                [*params, gains],
            )
            samples.append([row[0] for row in cursor.fetchall()])
    gain_ids, loss_ids = samples
    if progress is not None:
        progress(Person.objects.count())
    branch_names = dict(
        Branch.objects.filter(pk__in=[pk for pk in by_branch if pk]).values_list("id", "name")
    )
    category_rows = [
        (Category(category).label, counts[0], counts[1])
        for category, counts in sorted(by_category.items())
    ]
    branch_rows = sorted(
        (
            (branch_names.get(pk, "No branch") if pk else "No branch", counts[0], counts[1])
            for pk, counts in by_branch.items()
        ),
        key=lambda row: (-(row[1] + row[2]), row[0]),
    )
    return ChangePreview(
        version=rules.version,
        gains=sum(row[1] for row in category_rows),
        losses=sum(row[2] for row in category_rows),
        by_category=category_rows,
        by_branch=branch_rows,
        sample_gains=_changed_people(gain_ids),
        sample_losses=_changed_people(loss_ids),
        changed_parameters=_describe_change(rules, change),
    )


def _changed_people(ids: list[int]) -> list[ChangedPerson]:
    people = Person.objects.filter(pk__in=ids).select_related("branch")
    return [
        ChangedPerson(
            p.pk, p.full_name, p.external_id, p.get_category_display(), str(p.branch or "")
        )
        for p in people
    ]


def _describe_change(rules: ContestRules, change: RuleChange) -> list[tuple[str, str, str]]:
    rows = []
    for name in (
        "freeze_date",
        "arrears_deadline",
        "minimum_age",
        "age_on",
        "eligible_categories",
        "affiliated_supporters_must_register",
    ):
        before, after = getattr(rules, name), getattr(change, name)
        if name == "eligible_categories":
            before, after = sorted(before), sorted(after)
        if before != after:
            label = getattr(ContestRules._meta.get_field(name), "verbose_name", name)
            rows.append((str(label).capitalize(), _show(before), _show(after)))
    return rows


def _show(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, list):
        return ", ".join(Category(v).label for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def rules_configure(
    *, contest: Contest, change: RuleChange, actor: Any = None, actor_label: str = ""
) -> ContestRules:
    """Set a new contest's rules before its roll is first evaluated (later: ``rules_change``)."""
    if EligibilityDecision.objects.filter(contest=contest).exists():
        raise ServiceError(
            "The roll has been evaluated already: change the rules with a preview instead."
        )
    with transaction.atomic():
        rules = rules_for(contest)
        change.apply_to(rules)
        rules.updated_at = clock.now()
        rules.save()
        Contest.objects.filter(pk=contest.pk).update(
            freeze_date=change.freeze_date, arrears_deadline=change.arrears_deadline
        )
        audit_record(
            action="roll.rules_configure",
            summary="Set the eligibility rules",
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=rules,
            data={"change": [list(row) for row in _describe_change(ContestRules(), change)]},
        )
    contest.refresh_from_db()
    return rules


def rules_change(
    *,
    contest: Contest,
    change: RuleChange,
    reason: str,
    expected_version: int | None = None,
    actor: Any = None,
    actor_label: str = "",
    progress: Progress | None = None,
) -> EvaluationSummary:
    """Change the contest's rules and re-evaluate everyone, in one transaction, audited.

    ``expected_version`` is the rules version the preview was computed from: when someone changed
    the rules since, the change is refused so nobody confirms a difference they have not seen.
    """
    reason = reason.strip()
    if not reason:
        raise ServiceError("Give the reason for changing the rules (e.g. the court's ruling).")
    if contest.has_reached(ContestStatus.BALLOT_OPEN):
        raise ServiceError("The ballot has opened: the rules can no longer change.")
    with transaction.atomic():
        rules = ContestRules.objects.select_for_update().get(pk=rules_for(contest).pk)
        if expected_version is not None and rules.version != expected_version:
            raise ServiceError(
                "The rules were changed by someone else after this preview; preview the change "
                "again before confirming it."
            )
        described = _describe_change(rules, change)
        if not described:
            raise ServiceError("Nothing would change: the proposed rules are the current rules.")
        change.apply_to(rules)
        rules.version += 1
        rules.updated_at = clock.now()
        rules.save()
        Contest.objects.filter(pk=contest.pk).update(
            freeze_date=change.freeze_date, arrears_deadline=change.arrears_deadline
        )
        summary = roll_evaluate(
            contest=contest, actor=actor, actor_label=actor_label, progress=progress
        )
        audit_record(
            action="roll.rules_change",
            summary=(
                "Changed the rules: "
                + "; ".join(f"{label} {before} → {after}" for label, before, after in described)
                + f". {summary.gained} gained a vote, {summary.lost} lost one."
            ),
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=rules,
            reason=reason,
            data={"changes": described, "gained": summary.gained, "lost": summary.lost},
        )
    contest.refresh_from_db()
    return summary
