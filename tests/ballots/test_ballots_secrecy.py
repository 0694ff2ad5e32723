"""Inspect what is stored: nothing links a voter to a ballot, and no vote is stored in clear."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ballots_support import OpenBallot, open_contest
from django.db import connection

from omov.ballots import crypto, services
from omov.ballots.models import Ballot, Credential, PaperRecord
from omov.core.models import AuditEvent

pytestmark = pytest.mark.django_db

BALLOT_TABLES = ("ballots_ballot", "ballots_paperrecord")
TIME_TYPES = ("date", "time")


def columns(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
    types = {}
    for column in description:
        field_type = connection.introspection.get_field_type(column.type_code, column)
        types[column.name] = field_type
    return types


def foreign_keys(table: str) -> dict[str, tuple[str, str]]:
    with connection.cursor() as cursor:
        return connection.introspection.get_relations(cursor, table)


def cast_many(ballot: OpenBallot, rankings: list[list[int]]) -> list[str]:
    receipts = []
    for index, (entry, ranking) in enumerate(zip(ballot.entries, rankings, strict=False)):
        issued = ballot.credential_for(entry)
        credential = services.credential_sign_in(
            reference=issued.reference, code=issued.code, client_ip=f"10.8.{index}.1"
        )
        receipts.append(services.ballot_cast(credential_id=credential.pk, ranking=ranking))
    return receipts


def test_ballot_tables_have_no_time_no_sequence_and_no_link_to_a_voter(db: Any) -> None:
    for table in BALLOT_TABLES:
        types = columns(table)
        assert not [
            name for name, kind in types.items() if any(t in kind.lower() for t in TIME_TYPES)
        ]
        assert set(foreign_keys(table)) == {"contest_id"}, table
        assert "Auto" not in types["id"] and "Integer" not in types["id"]
    assert set(columns("ballots_ballot")) == {"id", "contest_id", "sealed", "receipt"}
    if connection.vendor == "sqlite":
        for table in BALLOT_TABLES:
            with connection.cursor() as cursor:
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [table])
                assert cursor.fetchone()[0].rstrip().endswith("WITHOUT ROWID")


def test_the_voted_mark_carries_no_time(db: Any) -> None:
    types = columns("ballots_credential")
    assert types["has_voted"] == "BooleanField"
    ballot = open_contest(voters=2)
    issued = ballot.credential_for(ballot.entries[0])
    before = Credential.objects.filter(roll_entry=ballot.entries[0]).values().get()
    credential = services.credential_sign_in(
        reference=issued.reference, code=issued.code, client_ip="10.7.0.1"
    )
    events = AuditEvent.objects.count()
    services.ballot_cast(credential_id=credential.pk, ranking=[ballot.candidates[0].pk])
    after = Credential.objects.filter(roll_entry=ballot.entries[0]).values().get()
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"has_voted"}
    assert AuditEvent.objects.count() == events, "a cast must leave no timed trace"


def test_ballot_ids_are_random_not_in_casting_order(db: Any) -> None:
    ballot = open_contest(voters=24)
    first = ballot.candidates[0].pk
    receipts = cast_many(ballot, [[first]] * 24)
    ids_in_cast_order = [Ballot.objects.get(receipt=r).pk for r in receipts]
    assert ids_in_cast_order != sorted(ids_in_cast_order)
    assert ids_in_cast_order != sorted(ids_in_cast_order, reverse=True)
    assert len({i.int >> 64 for i in ids_in_cast_order}) == 24  # high bits vary: not time-based
    assert all(i.version != 1 for i in ids_in_cast_order)


def dump_database() -> bytes:
    """Return every value of every table, as bytes, for searching."""
    chunks: list[bytes] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        chunks.append(bytes(value))
                    else:
                        chunks.append(str(value).encode())
    return b"\n".join(chunks)


def test_no_plaintext_ranking_anywhere_in_the_database(client: Any, db: Any) -> None:
    ballot = open_contest(voters=3, candidates=("Alpha Quux", "Bravo Zed", "Charlie Yew"))
    a, b, c = (x.pk for x in ballot.candidates)
    cast_many(ballot, [[c, a, b]])
    # And one cast through the booth's pages (the booth pass included).
    issued = ballot.credential_for(ballot.entries[1])
    client.post("/vote/", {"reference": issued.reference, "code": issued.code})
    prefs = {f"pref_{a}": "2", f"pref_{b}": "3", f"pref_{c}": "1"}
    client.post("/vote/ballot/", prefs)
    client.post("/vote/confirm/", prefs)
    assert Ballot.objects.count() == 2
    dump = dump_database()
    for ranking in ([c, a, b],):
        assert json.dumps(ranking).encode() not in dump
        assert json.dumps(ranking, separators=(",", ":")).encode() not in dump
    assert b'"ranking"' not in dump
    assert b"pref_" not in dump
    # The ballots do hold the vote, sealed: the count key opens them.
    services.ballot_close(contest=ballot.contest)
    counted = services.ballots_for_count(
        contest=ballot.contest, private_key_bytes=ballot.private_key
    )
    assert sorted(x.ranking for x in counted.ballots.elements()) == [
        ("Charlie Yew", "Alpha Quux", "Bravo Zed"),
        ("Charlie Yew", "Alpha Quux", "Bravo Zed"),
    ]


def test_sealed_ballots_are_all_the_same_size(db: Any) -> None:
    ballot = open_contest(voters=3, candidates=("A", "B", "C"))
    a, b, c = (x.pk for x in ballot.candidates)
    cast_many(ballot, [[a], [c, b, a], [b, a]])
    assert len({len(bytes(s)) for s in Ballot.objects.values_list("sealed", flat=True)}) == 1


def test_receipt_is_the_hash_of_the_sealed_ballot(db: Any) -> None:
    ballot = open_contest(voters=1)
    (receipt,) = cast_many(ballot, [[ballot.candidates[0].pk]])
    stored = Ballot.objects.get()
    assert receipt == crypto.receipt_of(bytes(stored.sealed)) and len(receipt) == 16


def test_paper_records_have_no_voter_link(db: Any) -> None:
    assert {f.name for f in PaperRecord._meta.get_fields()} == {
        "id",
        "contest",
        "outcome",
        "reason",
    }
