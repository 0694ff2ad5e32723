"""Import a roll file: create or update people, branches and affiliates, all or nothing."""

from __future__ import annotations

from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, BinaryIO

from django.db import transaction

from omov.contests.models import Contest, ContestStatus
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.services import audit_record
from omov.electorate import bulk
from omov.electorate.bulk import (
    BATCH_SIZE,
    indexes_rebuilt_after,
    insert_rows,
    prepare_for_bulk,
)
from omov.electorate.importing import RollFileReader, RollFileRejected, RowError
from omov.electorate.models import (
    Affiliate,
    Branch,
    ImportBatch,
    Person,
    PersonStatus,
)
from omov.electorate.services.common import (
    CHUNK_SIZE,
    SUPPORTER_CATEGORIES,
    Progress,
)

# --- Import -------------------------------------------------------------------------------------

_CREATE_FIELDS = (
    "external_id",
    "category",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "town",
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
    "address_line1": "",
    "address_line2": "",
    "town": "",
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


def roll_import_allowed(contest: Contest | None) -> None:
    """Raise :class:`ServiceError` when ``contest``'s roll can no longer be imported into (asked
    again by the upload page before it queues a job, so the refusal is said on the form)."""
    if contest is not None and contest.has_reached(ContestStatus.BALLOT_OPEN):
        raise ServiceError("The ballot has opened: the roll can no longer be imported into.")


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
    roll_import_allowed(contest)
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
        column = {"branch_id": "branch", "affiliate_id": "affiliate"}.get(name, name)
        if name == "registered_for_id":
            plan.append(extra)
        elif name == "import_digest":
            plan.append(extra + 1)
        else:
            plan.append(index[column] if column in index else default_at[name])
    pick = itemgetter(*plan)
    category_at = index["category"]
    branch_at = index.get("branch")
    affiliate_at = index.get("affiliate")
    branch_name_at = index.get("branch_name")
    branch_region_at = index.get("branch_region")
    affiliate_name_at = index.get("affiliate_name")
    now = clock.now()
    counts: Counter[str] = Counter()
    with transaction.atomic(), ExitStack() as first_load:
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
        constants = {"created_at": now, "updated_at": now}
        suffix = f"{contest.pk:08x}" if contest is not None else ""

        def unchanged(external_id: str, values: list[str]) -> bool:
            known = existing.get(external_id)
            if known is None:
                return False
            digest = reader.digest(values)
            if suffix and values[category_at].strip() in SUPPORTER_CATEGORIES:
                digest = f"{digest[:24]}{suffix}"
            return known[1] == digest

        reader.unchanged = unchanged if existing else None
        # The first big load of the roll: its indexes are built once, after it (decision 0011).
        rebuild = not existing

        def write(creates: list[tuple[Any, ...]]) -> None:
            nonlocal rebuild
            if rebuild and len(creates) >= bulk.REBUILD_MINIMUM:
                first_load.enter_context(indexes_rebuilt_after(Person))
            rebuild = False
            insert_rows(Person, _CREATE_FIELDS, creates, constants=constants)

        creates: list[tuple[Any, ...]] = []
        updates: list[Person] = []
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
                    write(creates)
                    creates.clear()
            elif known[1] == digest:
                counts["unchanged"] += 1
            else:
                record = {name: value for name, value in zip(fields, values, strict=True) if name}
                person = Person(pk=known[0], import_digest=digest, updated_at=now)
                for name in update_fields:
                    column = {"branch_id": "branch", "affiliate_id": "affiliate"}.get(name, name)
                    setattr(person, name, record[column])
                if registered_for is not None:
                    person.registered_for_id = registered_for
                updates.append(person)
                counts["updated"] += 1
                if len(updates) >= BATCH_SIZE:
                    _update_people(updates, update_fields)
                    updates.clear()
        counts["unchanged"] += reader.unchanged_rows
        if reader.errors and not accept_valid:
            raise RollFileRejected(
                f"{reader.rejected} of {reader.rows} rows have errors, so nothing was imported. "
                "Correct the file and import it again, or accept the valid rows only.",
                reader.errors,
                reader.rejected,
                reader.rows,
            )
        write(creates)
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
            errors=[error.as_json() for error in reader.errors[:50]],
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
