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


def row_text(model: Any) -> str:
    """Return every stored value of every row of ``model``'s table, as text."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{model._meta.db_table}"')
        return "\n".join(
            bytes(value).hex() if isinstance(value, (bytes, memoryview)) else str(value)
            for row in cursor.fetchall()
            for value in row
        )


def test_keyed_postal_papers_hold_nothing_that_leads_back_to_the_voter(
    client: Any, db: Any, settings: Any
) -> None:
    """Issue 15, item 2: after the declaration stage, the keying pages and rows name nobody."""
    from factories import UserFactory, grant
    from omov.ballots.models import PaperKeying, PostalBatch
    from omov.core.models import Role

    settings.OMOV_POSTAL_BATCH_MINIMUM = 3
    ballot = open_contest(voters=3)
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    for user in (alice, bob):
        grant(user, Role.PAPER_OPERATOR, contest=ballot.contest)
    batch = services.postal_batch_create(contest=ballot.contest, actor=alice, category="member")
    voters = []
    for entry in ballot.entries:
        issued = ballot.credential_for(entry)
        services.postal_declaration_accept(
            contest=ballot.contest, actor=alice, batch_number=1, reference=issued.reference
        )
        credential = Credential.objects.get(roll_entry=entry)
        voters.append(
            (
                issued.reference,
                credential.reference_hash,
                credential.code_hash,
                entry.person.full_name,
                entry.person.external_id,
            )
        )
    services.postal_batch_separate(
        contest=ballot.contest, actor=alice, batch_number=1, papers_found=3
    )
    first = ballot.candidates[0].pk
    client.force_login(alice)
    form = {"batch_number": "1", "paper_number": "2", "outcome": "ballot", f"pref_{first}": "1"}
    pages = [client.get(f"/vote/paper/{ballot.contest.slug}/").content.decode()]
    pages.append(
        client.post(f"/vote/paper/{ballot.contest.slug}/", form, follow=True).content.decode()
    )
    client.force_login(bob)
    pages.append(
        client.post(f"/vote/paper/{ballot.contest.slug}/", form, follow=True).content.decode()
    )
    services.paper_key(
        contest=ballot.contest,
        operator=alice,
        batch_number=1,
        paper_number=1,
        outcome="ballot",
        ranking=[first],
    )

    # The keying rows: random key, no time, no reference, no credential; links only to the batch
    # and the operators.
    keying_columns = columns("ballots_paperkeying")
    assert not [
        n for n, kind in keying_columns.items() if any(t in kind.lower() for t in TIME_TYPES)
    ]
    assert set(foreign_keys("ballots_paperkeying")) == {
        "batch_id",
        "first_operator_id",
        "second_operator_id",
    }
    assert "Auto" not in keying_columns["id"] and "Integer" not in keying_columns["id"]
    assert not {"reference", "credential_id", "roll_entry_id"} & set(keying_columns)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'ballots_paperkeying'")
            assert cursor.fetchone()[0].rstrip().endswith("WITHOUT ROWID")
    stored = row_text(PaperKeying) + row_text(Ballot) + row_text(PaperRecord)
    assert PaperKeying.objects.count() == 2 and Ballot.objects.count() == 1
    for secret_and_names in voters:
        for value in secret_and_names:
            assert value not in stored
            for page in pages:
                assert value not in page
    # The batch counts declarations, not whose; once settled its keying secret is gone and its
    # keyings deleted, so no fingerprint can be tested against a ranking any more.
    assert {f.name for f in PostalBatch._meta.concrete_fields} & {
        "reference",
        "credential",
    } == set()
    services.paper_key(
        contest=ballot.contest,
        operator=bob,
        batch_number=1,
        paper_number=1,
        outcome="ballot",
        ranking=[first],
    )
    for who in (alice, bob):
        services.paper_key(
            contest=ballot.contest,
            operator=who,
            batch_number=1,
            paper_number=3,
            outcome="ballot",
            ranking=[first],
        )
    batch.refresh_from_db()
    assert batch.keying_secret is None and not PaperKeying.objects.exists()
