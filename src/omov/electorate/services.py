"""Writes to the roll: import, rules, evaluation, overrides (appeals) and the freeze.

Every function here runs in one transaction and writes an audit event. Views and the CLI call these
and nothing else writes people, decisions or roll entries (vetting in ``omov.nominations`` sets the
registered-supporter fields on ``Person``, documented in docs/roll-import.md).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, BinaryIO

from django.db import connection, transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Coalesce

from omov.contests.models import Contest, ContestStatus
from omov.core import clock
from omov.core.errors import Blocked, ServiceError
from omov.core.services import audit_record
from omov.electorate import rules as eligibility
from omov.electorate.bulk import BATCH_SIZE, chunked, insert_rows, prepare_for_bulk, stream_rows
from omov.electorate.importing import RollFileReader, RollFileRejected, RowError
from omov.electorate.models import (
    Affiliate,
    Branch,
    Category,
    ContestRules,
    EligibilityDecision,
    ImportBatch,
    Person,
    PersonStatus,
    RollEntry,
)
from omov.electorate.selectors import roll_staleness, rule_parameters

Progress = Callable[[int], None]
CHUNK_SIZE = 20_000
SUPPORTER_CATEGORIES = frozenset({Category.REGISTERED_SUPPORTER, Category.AFFILIATED_SUPPORTER})


# --- Import -------------------------------------------------------------------------------------

_CREATE_FIELDS = (
    "external_id",
    "category",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "branch_id",
    "affiliate_id",
    "joined_on",
    "status",
    "arrears_paid_on",
    "date_of_birth",
    "is_adult_declared",
    "consent_email",
    "consent_phone",
    "supporter_fee_paid",
    "is_on_electoral_register",
    "is_duplicate",
    "supports_another_party",
    "registered_for_id",
    "import_digest",
)
_DEFAULTS: dict[str, Any] = {
    "email": "",
    "phone": "",
    "postcode": "",
    "branch_id": None,
    "affiliate_id": None,
    "joined_on": None,
    "status": str(PersonStatus.ACTIVE),
    "arrears_paid_on": None,
    "date_of_birth": None,
    "is_adult_declared": None,
    "consent_email": False,
    "consent_phone": False,
    "supporter_fee_paid": False,
    "is_on_electoral_register": None,
    "is_duplicate": False,
    "supports_another_party": False,
    "registered_for_id": None,
}
# File columns that are not Person fields of the same name.
_NOT_PERSON_COLUMNS = frozenset(
    {"branch", "branch_name", "branch_region", "affiliate", "affiliate_name"}
)


@dataclass
class ImportResult:
    """What an import did: the recorded batch and the rows it could not take."""

    batch: ImportBatch
    errors: list[RowError] = field(default_factory=list)
    branches_created: int = 0
    affiliates_created: int = 0


class _Organisations:
    """Branches or affiliates by code, created on first sight (name: the *_name column or code)."""

    def __init__(self, model: type[Branch] | type[Affiliate]) -> None:
        self.model = model
        self.ids: dict[str, int] = dict(model.objects.values_list("code", "id"))
        self.names = set(model.objects.values_list("name", flat=True))
        self.created = 0

    def resolve(self, code: str, name: str | None, region: str | None) -> int:
        existing = self.ids.get(code)
        if existing is not None:
            return existing
        name = name or code
        if name in self.names:
            noun = self.model._meta.verbose_name
            raise ValueError(
                f"a new {noun} {code!r} would be named {name!r}, but another {noun} already "
                "has that name; give it a different name or use the existing code"
            )
        fields: dict[str, Any] = {"code": code, "name": name}
        if region and self.model is Branch:
            fields["region"] = region
        created = self.model.objects.create(**fields)
        self.ids[code] = created.pk
        self.names.add(name)
        self.created += 1
        return created.pk


def roll_import(
    *,
    source: BinaryIO,
    file_name: str,
    contest: Contest | None = None,
    accept_valid: bool = False,
    mapping: dict[str, str] | None = None,
    actor: Any = None,
    actor_label: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Import people from a roll file (CSV, a binary file object), by ``external_id``.

    People new to the roll are created; people already on it are updated in place.

    All or nothing: when any row is wrong, nothing changes and ``RollFileRejected`` lists every
    wrong row, unless ``accept_valid`` is set, in which case the valid rows are imported and the
    wrong ones reported. Branches and affiliates are matched by code and created when new.
    Registered and affiliated supporters in the file are registered for ``contest`` when given.
    """
    if contest is not None and contest.has_reached(ContestStatus.BALLOT_OPEN):
        raise ServiceError("The ballot has opened: the roll can no longer be imported into.")
    reader = RollFileReader(source, mapping=mapping, progress=progress)
    fields = reader.fields
    index = {name: position for position, name in enumerate(fields) if name}
    external_id_at = reader.external_id_at
    update_fields = [c for c in fields if c and c not in _NOT_PERSON_COLUMNS]
    if "branch" in index:
        update_fields.append("branch_id")
    if "affiliate" in index:
        update_fields.append("affiliate_id")
    # Each new person's row is picked from [file values..., registered_for, digest, defaults...].
    extra = len(fields)
    defaults = list(_DEFAULTS.values())
    default_at = {name: extra + 2 + i for i, name in enumerate(_DEFAULTS)}
    plan: list[int] = []
    for name in _CREATE_FIELDS:
        source = {"branch_id": "branch", "affiliate_id": "affiliate"}.get(name, name)
        if name == "registered_for_id":
            plan.append(extra)
        elif name == "import_digest":
            plan.append(extra + 1)
        else:
            plan.append(index[source] if source in index else default_at[name])
    pick = itemgetter(*plan)
    category_at = index["category"]
    branch_at = index.get("branch")
    affiliate_at = index.get("affiliate")
    branch_name_at = index.get("branch_name")
    branch_region_at = index.get("branch_region")
    affiliate_name_at = index.get("affiliate_name")
    now = clock.now()
    counts: Counter[str] = Counter()
    with transaction.atomic():
        prepare_for_bulk()
        branches = _Organisations(Branch)
        affiliates = _Organisations(Affiliate)
        existing: dict[str, tuple[int, str]] = {
            external_id: (pk, digest)
            for external_id, pk, digest in Person.objects.values_list(
                "external_id", "id", "import_digest"
            )
            .order_by()
            .iterator(chunk_size=CHUNK_SIZE)
        }
        creates: list[tuple[Any, ...]] = []
        updates: list[Person] = []
        constants = {"created_at": now, "updated_at": now}
        for row in reader:
            values = row.values
            try:
                if branch_at is not None and (code := values[branch_at]):
                    values[branch_at] = branches.resolve(
                        code,
                        values[branch_name_at] if branch_name_at is not None else None,
                        values[branch_region_at] if branch_region_at is not None else None,
                    )
                elif branch_at is not None:
                    values[branch_at] = None
                if affiliate_at is not None and (code := values[affiliate_at]):
                    values[affiliate_at] = affiliates.resolve(
                        code,
                        values[affiliate_name_at] if affiliate_name_at is not None else None,
                        None,
                    )
                elif affiliate_at is not None:
                    values[affiliate_at] = None
            except ValueError as error:
                reader.rejected += 1
                reader.errors.append(RowError(row.line, "branch/affiliate", str(error)))
                continue
            digest = row.digest
            registered_for = None
            if contest is not None and values[category_at] in SUPPORTER_CATEGORIES:
                registered_for = contest.pk
                digest = f"{digest[:24]}{contest.pk:08x}"
            known = existing.get(values[external_id_at])
            if known is None:
                creates.append(pick([*values, registered_for, digest, *defaults]))
                counts["created"] += 1
                if len(creates) >= BATCH_SIZE:
                    insert_rows(Person, _CREATE_FIELDS, creates, constants=constants)
                    creates.clear()
            elif known[1] == digest:
                counts["unchanged"] += 1
            else:
                record = {name: value for name, value in zip(fields, values, strict=True) if name}
                person = Person(pk=known[0], import_digest=digest, updated_at=now)
                for name in update_fields:
                    source = {"branch_id": "branch", "affiliate_id": "affiliate"}.get(name, name)
                    setattr(person, name, record[source])
                if registered_for is not None:
                    person.registered_for_id = registered_for
                updates.append(person)
                counts["updated"] += 1
                if len(updates) >= BATCH_SIZE:
                    _update_people(updates, update_fields)
                    updates.clear()
        if reader.errors and not accept_valid:
            raise RollFileRejected(
                f"{reader.rejected} of {reader.rows} rows have errors, so nothing was imported. "
                "Correct the file and import it again, or accept the valid rows only.",
                reader.errors,
                reader.rejected,
                reader.rows,
            )
        insert_rows(Person, _CREATE_FIELDS, creates, constants=constants)
        _update_people(updates, update_fields)
        batch = ImportBatch.objects.create(
            contest=contest,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_label=(actor_label or str(actor or "system"))[:150],
            at=now,
            file_name=file_name[:255],
            created=counts["created"],
            updated=counts["updated"],
            unchanged=counts["unchanged"],
            rejected=reader.rejected,
            errors=[
                {"line": e.line, "column": e.column, "message": e.message}
                for e in reader.errors[:50]
            ],
        )
        audit_record(
            action="roll.import",
            summary=(
                f"Imported {file_name}: {batch.created} created, {batch.updated} updated, "
                f"{batch.unchanged} unchanged, {batch.rejected} rejected"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=batch,
            data={
                "branches_created": branches.created,
                "affiliates_created": affiliates.created,
                "accept_valid": accept_valid,
            },
        )
    return ImportResult(batch, list(reader.errors), branches.created, affiliates.created)


def _update_people(people: list[Person], fields: list[str]) -> None:
    if not people:
        return
    names = {name.removesuffix("_id") if name in _FOREIGN_KEYS else name for name in fields}
    names.discard("external_id")
    names.update({"import_digest", "updated_at"})
    if any(person.registered_for_id is not None for person in people):
        names.add("registered_for")
    Person.objects.bulk_update(people, sorted(names), batch_size=1000)


_FOREIGN_KEYS = frozenset({"branch_id", "affiliate_id", "registered_for_id"})


# --- Rules --------------------------------------------------------------------------------------


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
            raise ServiceError(f"Unknown categories: {', '.join(sorted(unknown))}.")
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
    overrides = dict(
        EligibilityDecision.objects.filter(contest=contest, override__isnull=False).values_list(
            "person_id", "override"
        )
    )
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_branch: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    gain_ids: list[int] = []
    loss_ids: list[int] = []
    failed_mask = eligibility.failed_mask
    make = eligibility.Facts._make
    for row in _fact_rows(progress):
        facts = make(row)
        if facts.id in overrides:
            continue
        before = failed_mask(facts, current) == 0
        after = failed_mask(facts, proposed) == 0
        if before == after:
            continue
        index = 0 if after else 1
        by_category[facts.category][index] += 1
        by_branch[facts.branch_id][index] += 1
        sample = gain_ids if after else loss_ids
        if len(sample) < SAMPLE_SIZE:
            sample.append(facts.id)
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


_FACT_DATES = frozenset({"joined_on", "arrears_paid_on", "date_of_birth"})


def _fact_rows(progress: Progress | None) -> Iterable[tuple[Any, ...]]:
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
    return _counting(rows, progress)


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


def _counting(rows: Iterable[tuple[Any, ...]], progress: Progress) -> Iterable[tuple[Any, ...]]:
    count = 0
    for row in rows:
        yield row
        count += 1
        if count == 10_000:
            progress(count)
            count = 0
    progress(count)


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
        overrides: dict[int, bool] = dict(
            decisions.filter(override__isnull=False).values_list("person_id", "override")
        )
        creates: list[tuple[Any, ...]] = []
        changed: dict[int, list[int]] = defaultdict(list)
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        gained = lost = created = 0
        failed_mask = eligibility.failed_mask
        make = eligibility.Facts._make
        constants = {"contest_id": contest.pk, "evaluated_at": now, "override_reason": ""}
        for row in _fact_rows(progress):
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
            _refreeze_entries(contest, changed_ids)
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


def _reasons_json(mask: int, override: bool | None) -> str:
    codes = eligibility.codes_of(mask)
    if override is not None:
        codes.append("override_eligible" if override else "override_ineligible")
    return json.dumps(codes)


_ENTRY_FIELDS = ("person_id", "category", "branch_id", "is_eligible", "reasons")


def _refreeze_entries(contest: Contest, person_ids: list[int]) -> None:
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
            _ENTRY_FIELDS,
            [
                (pid, category, branch_id, eligible, _reasons_json(mask, ovr))
                for pid, category, branch_id, eligible, mask, ovr in rows
            ],
            constants={"contest_id": contest.pk, "frozen_at": frozen_at},
        )


# --- Overrides and appeals ----------------------------------------------------------------------


def decision_override(
    *,
    contest: Contest,
    person: Person,
    is_eligible: bool | None,
    reason: str,
    actor: Any = None,
    actor_label: str = "",
) -> EligibilityDecision:
    """Decide an appeal: make a person eligible or not whatever the rules say (None: undo).

    Needs a reason; audited. Works before and after the freeze, until the ballot opens; after the
    freeze it updates the person's roll entry (adding one if they were not on the frozen roll).
    """
    reason = reason.strip()
    if not reason:
        raise ServiceError("Give the reason for this decision (e.g. the appeal it settles).")
    if contest.has_reached(ContestStatus.BALLOT_OPEN):
        raise ServiceError("The ballot has opened: decisions on the roll can no longer change.")
    now = clock.now()
    with transaction.atomic():
        decision = (
            EligibilityDecision.objects.select_for_update()
            .filter(contest=contest, person=person)
            .first()
        )
        if decision is None:
            params = rule_parameters(rules_for(contest))
            mask = eligibility.failed_mask(eligibility.Facts.of(person), params)
            decision = EligibilityDecision(
                contest=contest,
                person=person,
                failed_rules=mask,
                rules_eligible=mask == 0,
                evaluated_at=now,
            )
        before = decision.is_eligible
        decision.override = is_eligible
        decision.override_reason = reason if is_eligible is not None else ""
        decision.override_at = now if is_eligible is not None else None
        decision.override_by = actor if getattr(actor, "is_authenticated", False) else None
        decision.is_eligible = decision.rules_eligible if is_eligible is None else is_eligible
        decision.save()
        if contest.status == ContestStatus.ROLL_FROZEN:
            _refreeze_entries(contest, [person.pk])
        if is_eligible is None:
            what = "Removed the override; the rules decide again"
        else:
            what = "Ruled eligible" if is_eligible else "Ruled not eligible"
        audit_record(
            action="roll.override",
            summary=f"{what}: {person.full_name} ({person.external_id})",
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=person,
            reason=reason,
            data={"before": before, "after": decision.is_eligible},
        )
    return decision


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
            params += [mask, _reasons_json(mask, override)]
        else:
            cases.append("WHEN d.failed_rules = %s AND d.override = %s THEN %s")
            params += [mask, override, _reasons_json(mask, override)]
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


def roll_freeze_blockers(contest: Contest) -> list[str]:
    """List the reasons the roll cannot be frozen yet (a lifecycle blocker)."""
    return roll_staleness(contest)


def roll_freeze(
    *, contest: Contest, actor: Any = None, actor_label: str = "", **options: Any
) -> Contest:
    """Freeze the roll: snapshot every decision into roll entries, then take the lifecycle step.

    The step service of ``freeze_roll``. Refused while the decisions are missing or stale.
    """
    from omov.contests.services import contest_blockers, contest_transition

    blockers = contest_blockers(contest, "freeze_roll")
    if blockers:
        raise Blocked("freeze the roll", blockers)
    with transaction.atomic():
        contest_transition(
            contest=contest, step="freeze_roll", actor=actor, actor_label=actor_label
        )
        RollEntry.objects.filter(contest=contest).delete()
        decisions = EligibilityDecision.objects.filter(contest=contest)
        combinations = list(decisions.values_list("failed_rules", "override").distinct())
        _snapshot(contest, combinations)
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
