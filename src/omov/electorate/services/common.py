"""What the roll services share: the contest's rules, streaming people's facts, roll entries."""

from __future__ import annotations

import json
from collections.abc import Callable

from omov.contests.models import Contest
from omov.core import clock
from omov.core.services import audit_record
from omov.electorate import rules as eligibility
from omov.electorate.bulk import chunked, insert_rows
from omov.electorate.models import (
    Category,
    ContestRules,
    EligibilityDecision,
    RollEntry,
)

Progress = Callable[[int], None]
CHUNK_SIZE = 20_000
SUPPORTER_CATEGORIES = frozenset({Category.REGISTERED_SUPPORTER, Category.AFFILIATED_SUPPORTER})


def rules_for(contest: Contest) -> ContestRules:
    """Return the contest's rules, making them from its timetable the first time (audited).

    For the write services only; a page or a report reads ``selectors.rules_of``, which
    writes nothing.
    """
    rules, created = ContestRules.objects.get_or_create(
        contest=contest,
        defaults={
            "freeze_date": contest.freeze_date,
            "arrears_deadline": contest.arrears_deadline,
            "eligible_categories": list(Category.values),
            "updated_at": clock.now(),
        },
    )
    if created:
        audit_record(
            action="roll.rules_create",
            summary=f"Made the eligibility rules of {contest.title} from its timetable",
            contest=contest,
            target=rules,
            data={
                "freeze_date": str(rules.freeze_date),
                "arrears_deadline": str(rules.arrears_deadline),
            },
        )
    return rules


def reasons_json(mask: int, override: bool | None) -> str:
    codes = eligibility.codes_of(mask)
    if override is not None:
        codes.append("override_eligible" if override else "override_ineligible")
    return json.dumps(codes)


ENTRY_FIELDS = ("person_id", "category", "branch_id", "is_eligible", "reasons")


def refreeze_entries(contest: Contest, person_ids: list[int]) -> None:
    """Bring the frozen roll entries of these people into line with their decisions."""
    frozen_at = contest.roll_frozen_at or clock.now()
    for chunk in chunked(person_ids):
        rows = list(
            EligibilityDecision.objects.filter(contest=contest, person_id__in=chunk).values_list(
                "person_id",
                "person__category",
                "person__branch_id",
                "is_eligible",
                "failed_rules",
                "override",
            )
        )
        RollEntry.objects.filter(contest=contest, person_id__in=chunk).delete()
        insert_rows(
            RollEntry,
            ENTRY_FIELDS,
            [
                (pid, category, branch_id, eligible, reasons_json(mask, ovr))
                for pid, category, branch_id, eligible, mask, ovr in rows
            ],
            constants={"contest_id": contest.pk, "frozen_at": frozen_at},
        )
