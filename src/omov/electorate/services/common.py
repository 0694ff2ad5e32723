"""What the roll services share: the contest's rules, streaming people's facts, roll entries."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection

from omov.contests.models import Contest
from omov.core import clock
from omov.electorate import rules as eligibility
from omov.electorate.bulk import chunked, insert_rows, stream_rows
from omov.electorate.models import (
    Category,
    ContestRules,
    EligibilityDecision,
    Person,
    RollEntry,
)

Progress = Callable[[int], None]
CHUNK_SIZE = 20_000
SUPPORTER_CATEGORIES = frozenset({Category.REGISTERED_SUPPORTER, Category.AFFILIATED_SUPPORTER})


def rules_for(contest: Contest) -> ContestRules:
    """Return the contest's rules, creating them from its timetable the first time."""
    rules, _created = ContestRules.objects.get_or_create(
        contest=contest,
        defaults={
            "freeze_date": contest.freeze_date,
            "arrears_deadline": contest.arrears_deadline,
            "eligible_categories": list(Category.values),
            "updated_at": clock.now(),
        },
    )
    return rules


_FACT_DATES = frozenset({"joined_on", "arrears_paid_on", "date_of_birth"})


def fact_rows(progress: Progress | None) -> Iterable[tuple[Any, ...]]:
    """Stream every person's ``Facts`` values straight from the database cursor.

    Django's per-value converters cost more than the rules themselves at this size, so dates and
    booleans are converted here: PostgreSQL returns them typed; SQLite returns dates as text
    (parsed once per distinct date) and booleans as 0/1.
    """
    quote = connection.ops.quote_name
    sqlite = connection.vendor == "sqlite"
    columns = ", ".join(
        f"CAST({quote(name)} AS TEXT)" if sqlite and name in _FACT_DATES else quote(name)
        for name in eligibility.FACT_FIELDS
    )
    sql = f"SELECT {columns} FROM {quote(Person._meta.db_table)}"
    rows: Iterable[tuple[Any, ...]] = stream_rows(sql, (), CHUNK_SIZE)
    if sqlite:
        rows = map(_sqlite_facts(), rows)
    if progress is None:
        return rows
    return counting(rows, progress)


def _sqlite_facts() -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    dates: dict[str | None, dt.date | None] = {None: None}
    parse = dt.date.fromisoformat

    def date(value: str | None) -> dt.date | None:
        found = dates.get(value)
        if found is None and value is not None:
            found = dates[value] = parse(value)
        return found

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        (pk, category, status, joined, arrears, born, adult, affiliate, registered, fee,
         register, duplicate, party, branch) = row  # fmt: skip
        return (
            pk,
            category,
            status,
            date(joined),
            date(arrears),
            date(born),
            None if adult is None else bool(adult),
            affiliate,
            registered,
            bool(fee),
            None if register is None else bool(register),
            bool(duplicate),
            bool(party),
            branch,
        )

    return convert


def counting(rows: Iterable[tuple[Any, ...]], progress: Progress) -> Iterable[tuple[Any, ...]]:
    count = 0
    for row in rows:
        yield row
        count += 1
        if count == 10_000:
            progress(count)
            count = 0
    progress(count)


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
