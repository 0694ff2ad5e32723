"""Importing the roll: valid files, broken files (nothing half-imported), re-import in place."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from electorate_csv import HEADER, csv_bytes, lines_of

from omov.core.errors import ServiceError
from omov.core.models import AuditEvent
from omov.electorate.importing import RollFileRejected, load_mapping_file
from omov.electorate.models import Affiliate, Branch, ImportBatch, Person
from omov.electorate.services import roll_import

pytestmark = pytest.mark.django_db

GOOD = (
    "M1,member,Ann,Able,ann@example.org,020 1,n1 1aa,ISL,2010-01-01,active,,1970-01-01,,yes,no",
    "M2,member,Bob,Baker,,,,ISL,2016-02-01,lapsed,2016-08-01,1980-01-01,,,",
    "S1,registered_supporter,Cat,Cole,,,,HAC,,active,,1990-05-05,,,",
    "A1,affiliated_supporter,Dan,Dale,,,,HAC,2015-05-05,active,,1990-05-05,UNITE,1,0",
)


def run(data: bytes, **options: Any) -> Any:
    return roll_import(source=lines_of(data), file_name="roll.csv", **options)


def test_import_creates_people_branches_and_affiliates(
    contest: Any, returning_officer: Any
) -> None:
    result = run(csv_bytes(*GOOD), contest=contest, actor=returning_officer)

    assert (result.batch.created, result.batch.updated, result.batch.rejected) == (4, 0, 0)
    ann = Person.objects.get(external_id="M1")
    assert ann.branch.code == "ISL" and ann.branch.name == "ISL"
    assert ann.postcode == "N1 1AA" and ann.consent_email and not ann.consent_phone
    assert ann.joined_on == dt.date(2010, 1, 1)
    bob = Person.objects.get(external_id="M2")
    assert bob.status == "lapsed" and bob.arrears_paid_on == dt.date(2016, 8, 1)
    assert Person.objects.get(external_id="S1").registered_for == contest
    assert Person.objects.get(external_id="A1").affiliate.code == "UNITE"
    assert Person.objects.get(external_id="M1").registered_for is None
    assert set(Branch.objects.values_list("code", flat=True)) == {"ISL", "HAC"}
    assert Affiliate.objects.count() == 1
    batch = ImportBatch.objects.get()
    assert batch.actor == returning_officer and batch.file_name == "roll.csv"
    assert AuditEvent.objects.filter(action="roll.import", contest=contest).count() == 1


def test_reimport_updates_in_place_and_counts_unchanged(contest: Any) -> None:
    run(csv_bytes(*GOOD), contest=contest)
    ids = dict(Person.objects.values_list("external_id", "id"))
    changed = GOOD[0].replace("Able", "Able-Smith").replace("active", "suspended")
    result = run(csv_bytes(changed, *GOOD[1:], "M3,member,Eve,Ely,,,,ISL,,,,,,,"), contest=contest)

    assert (result.batch.created, result.batch.updated, result.batch.unchanged) == (1, 1, 3)
    ann = Person.objects.get(external_id="M1")
    assert ann.pk == ids["M1"]
    assert ann.last_name == "Able-Smith" and ann.status == "suspended"
    assert Person.objects.count() == 5


def test_unchanged_rows_skip_the_checks_but_not_the_duplicate_check(contest: Any) -> None:
    run(csv_bytes(*GOOD), contest=contest)
    again = csv_bytes(*GOOD, GOOD[0].replace("Ann", "Anne"))
    error = _rejected(again, contest=contest)
    assert [str(e) for e in error.errors] == [
        "line 6, column external_id: 'M1' already appears on line 2; each person once per file"
    ]
    result = run(
        csv_bytes(*GOOD, " M1 ,member,Ann,Able,,,,ISL,,,,,,,"), contest=contest, accept_valid=True
    )
    assert (result.batch.unchanged, result.batch.rejected) == (4, 1)


def test_supporters_imported_without_a_contest_are_registered_by_the_same_file(
    contest: Any,
) -> None:
    run(csv_bytes(*GOOD))
    assert Person.objects.get(external_id="S1").registered_for is None
    result = run(csv_bytes(*GOOD), contest=contest)
    # The members' rows are as they were; the supporters' now register them for the contest.
    assert (result.batch.unchanged, result.batch.updated) == (2, 2)
    assert Person.objects.get(external_id="S1").registered_for == contest
    assert run(csv_bytes(*GOOD), contest=contest).batch.unchanged == 4


def test_reimport_with_fewer_columns_leaves_the_others_alone(contest: Any) -> None:
    run(csv_bytes(*GOOD), contest=contest)
    result = run(
        csv_bytes(
            "M1,member,Ann,Able,ann@new.example.org",
            header="external_id,category,first_name,last_name,email",
        ),
        contest=contest,
    )
    assert result.batch.updated == 1
    ann = Person.objects.get(external_id="M1")
    assert ann.email == "ann@new.example.org"
    assert ann.joined_on == dt.date(2010, 1, 1) and ann.branch.code == "ISL"


def _rejected(data: bytes, **options: Any) -> RollFileRejected:
    with pytest.raises(RollFileRejected) as caught:
        run(data, **options)
    return caught.value


def test_bad_dates_are_reported_per_row_and_nothing_is_imported(contest: Any) -> None:
    data = csv_bytes(
        GOOD[0],
        "M2,member,Bob,Baker,,,,ISL,12/01/2016,active,,1980-01-01,,,",
        "M3,member,Cy,Cole,,,,ISL,2016-02-30,active,,1980-01-01,,,",
    )
    error = _rejected(data, contest=contest)

    assert [(e.line, e.column) for e in error.errors] == [(3, "joined_on"), (4, "joined_on")]
    assert "ISO 8601" in error.errors[0].message and "not a real date" in error.errors[1].message
    assert "2 of 3 rows have errors" in error.message
    assert Person.objects.count() == 0 and Branch.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_accept_valid_imports_the_valid_rows_and_reports_the_rest(contest: Any) -> None:
    data = csv_bytes(GOOD[0], "M2,member,Bob,Baker,,,,ISL,2016-13-01,active,,,,,", GOOD[2])
    result = run(data, contest=contest, accept_valid=True)

    assert (result.batch.created, result.batch.rejected) == (2, 1)
    assert [(e.line, e.column) for e in result.errors] == [(3, "joined_on")]
    assert set(Person.objects.values_list("external_id", flat=True)) == {"M1", "S1"}
    assert result.batch.errors[0]["line"] == 3


def test_duplicate_ids_within_the_file(contest: Any) -> None:
    error = _rejected(csv_bytes(GOOD[0], GOOD[1], GOOD[0].replace("Ann", "Anne")), contest=contest)
    assert len(error.errors) == 1
    assert error.errors[0].line == 4 and error.errors[0].column == "external_id"
    assert "already appears on line 2" in error.errors[0].message
    assert Person.objects.count() == 0


def test_unknown_category_status_and_bad_values(contest: Any) -> None:
    data = csv_bytes(
        "M1,comrade,Ann,Able,,,,,,,,,,,",
        "M2,member,Bob,Baker,,,,,,expelled,,,,,",
        "M3,member,,Cole,not-an-email,,,,,,,,,maybe,",
    )
    error = _rejected(data, contest=contest)
    found = {(e.line, e.column) for e in error.errors}
    assert found == {
        (2, "category"),
        (3, "status"),
        (4, "first_name"),
        (4, "email"),
        (4, "consent_email"),
    }
    assert "use one of affiliated_supporter, member, registered_supporter" in str(error.errors[0])


def test_wrong_and_missing_columns_stop_at_the_header(contest: Any) -> None:
    error = _rejected(
        csv_bytes("M1,member,Ann", header="external_id,kind,first_name"), contest=contest
    )
    messages = [str(e) for e in error.errors]
    assert any("column kind: unknown column 'kind'" in m and "--map kind=" in m for m in messages)
    assert any("missing required column(s): category, last_name" in m for m in messages)
    assert Person.objects.count() == 0


def test_rows_with_the_wrong_number_of_fields(contest: Any) -> None:
    error = _rejected(csv_bytes(GOOD[0], "M2,member,Bob"), contest=contest)
    assert str(error.errors[0]) == "line 3: has 3 fields but the header has 15 columns"


def test_latin1_bytes_are_reported_with_line_and_column(contest: Any) -> None:
    data = csv_bytes(GOOD[0]) + "M2,member,Zoë,Brontë,,,,ISL,,,,,,,\n".encode("latin-1")
    error = _rejected(data, contest=contest)
    assert [(e.line, e.column) for e in error.errors] == [(3, "first_name"), (3, "last_name")]
    assert "0xEB" in error.errors[0].message and "UTF-8" in error.errors[0].message
    assert Person.objects.count() == 0


def test_utf8_with_bom_and_accents_is_fine(contest: Any) -> None:
    data = b"\xef\xbb\xbf" + csv_bytes("M2,member,Zoë,Brontë,,,,ISL,,,,,,,")
    run(data, contest=contest)
    assert Person.objects.get(external_id="M2").first_name == "Zoë"


def test_empty_file(contest: Any) -> None:
    with pytest.raises(RollFileRejected, match="empty"):
        run(b"", contest=contest)


def test_column_mapping(contest: Any) -> None:
    data = csv_bytes(
        "M1,member,Ann,Able,ISL,irrelevant",
        header="MembershipNo,category,Forename,Surname,CLP,Notes",
    )
    mapping = {
        "MembershipNo": "external_id",
        "Forename": "first_name",
        "Surname": "last_name",
        "CLP": "branch",
        "Notes": "",
    }
    run(data, contest=contest, mapping=mapping)
    assert Person.objects.get(external_id="M1").branch.code == "ISL"


def test_mapping_file_json_and_toml(tmp_path: Any) -> None:
    (tmp_path / "m.json").write_text('{"Surname": "last_name"}')
    (tmp_path / "m.toml").write_text('[columns]\nSurname = "last_name"\nNotes = ""\n')
    assert load_mapping_file(tmp_path / "m.json") == {"Surname": "last_name"}
    assert load_mapping_file(tmp_path / "m.toml") == {"Surname": "last_name", "Notes": ""}
    (tmp_path / "bad.json").write_text('{"Surname": "surname"}')
    with pytest.raises(ServiceError, match="unknown field"):
        load_mapping_file(tmp_path / "bad.json")


def test_new_branch_name_clash_is_a_row_error(contest: Any) -> None:
    Branch.objects.create(code="ISL", name="Islington North")
    header = HEADER + ",branch_name"
    data = csv_bytes(
        "M1,member,Ann,Able,,,,ISL2,,,,,,,,Islington North",
        "M2,member,Bob,Baker,,,,HAC,,,,,,,,Hackney South",
        header=header,
    )
    error = _rejected(data, contest=contest)
    assert error.errors[0].line == 2 and "already has that name" in error.errors[0].message
    assert not Branch.objects.filter(code="HAC").exists()
    assert Person.objects.count() == 0


def test_no_import_once_the_ballot_is_open(contest: Any) -> None:
    contest.status = "ballot_open"
    contest.save()
    with pytest.raises(ServiceError, match="ballot has opened"):
        run(csv_bytes(*GOOD), contest=contest)


def test_postal_address_columns_are_imported_and_updated_in_place(contest: Any) -> None:
    header = "external_id,category,first_name,last_name,address_line1,address_line2,town,postcode"
    rows = "M1,member,Ann,Able,Flat 2,1 High Street,London,n1 1aa\nM2,member,Bob,Baker,,,,\n"
    first = f"{header}\n{rows}"
    run(first.encode(), contest=contest)
    ann = Person.objects.get(external_id="M1")
    assert (ann.address_line1, ann.address_line2, ann.town, ann.postcode) == (
        "Flat 2",
        "1 High Street",
        "London",
        "N1 1AA",
    )
    assert Person.objects.get(external_id="M2").town == ""
    moved = first.replace("London", "Leeds")
    result = run(moved.encode(), contest=contest)
    assert (result.batch.updated, result.batch.unchanged) == (1, 1)
    assert Person.objects.get(external_id="M1").town == "Leeds"
