"""A first big load builds the tables' indexes after it, and leaves them (and the rules) as before.

``bulk.indexes_rebuilt_after`` drops a table's secondary indexes
for a first load and builds them again after it (decision 0011). Here every load counts as big.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from electorate_csv import csv_bytes, lines_of

from omov.contests.services import contest_take_step
from omov.electorate import bulk
from omov.electorate.models import EligibilityDecision, Person, RollEntry
from omov.electorate.services import roll_evaluate, roll_import

roll_import_service = importlib.import_module("omov.electorate.services.roll_import")

pytestmark = pytest.mark.django_db
TABLES = (Person, EligibilityDecision, RollEntry)


def structure() -> dict[str, dict[str, tuple[Any, ...]]]:
    """Return every index and constraint of the roll's tables: name → (columns, kind)."""
    with connection.cursor() as cursor:
        return {
            model._meta.db_table: {
                name: (
                    tuple(info["columns"]),
                    info["unique"],
                    info["index"],
                    info["foreign_key"],
                )
                for name, info in connection.introspection.get_constraints(
                    cursor, model._meta.db_table
                ).items()
            }
            for model in TABLES
        }


def test_first_loads_rebuild_every_index_and_keep_the_foreign_keys(
    open_contest: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "REBUILD_MINIMUM", 1)
    before = structure()
    assert any(kind[2] and not kind[1] for kind in before["electorate_person"].values())
    data = csv_bytes(
        "A1,member,Ada,Lovelace,ada@example.org,,N1 1AA,CLP1,2010-01-01,active,,1970-01-01,,yes,no",
        "A2,member,Ben,Jones,ben@example.org,,N1 1AA,CLP1,2016-05-01,active,,1970-01-01,,yes,no",
    )
    result = roll_import(source=lines_of(data), file_name="roll.csv", contest=open_contest)
    assert result.batch.created == 2
    summary = roll_evaluate(contest=open_contest)
    assert (summary.eligible, summary.ineligible) == (1, 1)
    contest_take_step(contest=open_contest, step="freeze_roll")
    assert RollEntry.objects.filter(contest=open_contest, is_eligible=True).count() == 1
    assert structure() == before
    # The rebuilt constraints still hold.
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(external_id="A1", category="member", first_name="X", last_name="Y")
    with pytest.raises(IntegrityError), transaction.atomic():
        EligibilityDecision.objects.filter(contest=open_contest).update(person_id=10**9)
        connection.check_constraints(table_names=[EligibilityDecision._meta.db_table])


def test_a_rejected_first_load_leaves_the_indexes(
    open_contest: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from omov.electorate.importing import RollFileRejected

    monkeypatch.setattr(bulk, "REBUILD_MINIMUM", 1)
    monkeypatch.setattr(roll_import_service, "BATCH_SIZE", 1)  # write the valid row first
    before = structure()
    data = csv_bytes(
        "A1,member,Ada,Lovelace,ada@example.org,,N1 1AA,CLP1,2010-01-01,active,,1970-01-01,,yes,no",
        "A2,member,Ben,Jones,ben@example.org,,N1 1AA,CLP1,2016-05-01,active,,not-a-date,,yes,no",
    )
    with pytest.raises(RollFileRejected):
        roll_import(source=lines_of(data), file_name="roll.csv", contest=open_contest)
    assert not Person.objects.exists()
    assert structure() == before
