"""Ballots of a contest with trustees: encrypted to their joint key, tracked, and in the record.

Decision 0017, phase 2. The trustees' key ceremony runs in this process
(``trustees_support.sealed_ceremony``); each test then votes, keys papers, closes and checks
what is stored, what two of the three trustees' shares decrypt, and the record anyone verifies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ballots_support import CLOSES_AT, issue_known_credential, make_roll
from django.db import connection, transaction
from django.test import Client
from test_ballots_secrecy import TIME_TYPES, columns, foreign_keys

from factories import CandidateFactory, ContestFactory, UserFactory, grant
from jobs_support import run_jobs
from omov.ballots import services
from omov.ballots.models import Ballot, BallotBox, Credential, EncryptedBallot
from omov.ballots.services.encrypted import row_from_stored
from omov.cli.main import main
from omov.contests.models import CandidateStatus, ContestStatus
from omov.core.models import AuditEvent, Role
from omov.electorate.models import Category
from omov.jobs.models import Job, JobStatus
from omov.trustees import selectors as record_selectors
from omov.trustees.models import EntryKind, RecordEntry
from omov.trustees.options import option_parts
from omov.verifiable.decryption import combine
from omov.verifiable.elgamal import Row, decode_table
from omov.verifiable.record import tracker
from trustees.trustees_support import sealed_ceremony

pytestmark = pytest.mark.django_db


@dataclass
class TrusteeBallot:
    contest: Any
    candidates: list[Any]
    entries: list[Any]
    shares: dict[int, int]
    officer: Any

    def sign_in(self, index: int) -> Credential:
        entry = self.entries[index]
        issued = issue_known_credential(Credential.objects.get(roll_entry=entry))
        return services.credential_sign_in(
            reference=issued.reference, code=issued.code, client_ip=f"10.9.{index}.1"
        )

    def cast(self, index: int, names: list[str]) -> str:
        by_name = {c.name: c.pk for c in self.candidates}
        credential = self.sign_in(index)
        return services.ballot_cast(
            credential_id=credential.pk, ranking=[by_name[n] for n in names]
        )


def trustee_contest(
    names: tuple[str, ...] = ("Alpha Quux", "Bravo Zed"),
    members: int = 2,
    affiliated: int = 1,
    slug: str = "trustee-vote",
) -> TrusteeBallot:
    """A contest whose key ceremony is sealed (3 trustees, 2 needed), ballot open."""
    contest = ContestFactory(
        slug=slug,
        title="Deputy leadership",
        status=ContestStatus.ROLL_FROZEN,
        ballot_closes_at=CLOSES_AT,
    )
    made = [
        CandidateFactory(
            contest=contest, name=name, status=CandidateStatus.NOMINATED, ballot_position=i + 1
        )
        for i, name in enumerate(names)
    ]
    entries = make_roll(contest, members) + make_roll(
        contest, affiliated, category=Category.AFFILIATED_SUPPORTER
    )
    sealed = sealed_ceremony(contest)
    with transaction.atomic():
        opening = services.ballot_open(contest=contest, actor_label="test")
    assert opening.private_key is None and opening.key_path is None
    contest.refresh_from_db()
    return TrusteeBallot(contest, made, entries, sealed.shares, sealed.ceremony.officer)


def decrypt(ballot: TrusteeBallot, row: Row, trustees: tuple[int, int] = (1, 3)) -> list[Any]:
    """Decrypt a stored row with two trustees' shares (Lagrange at zero), as the count will."""
    shape = record_selectors.ballot_shape(ballot.contest)
    assert shape is not None
    table = decode_table(len(shape.options))
    return [
        shape.options[table[combine(c, {j: c.alpha * ballot.shares[j] for j in trustees}).data]]
        for c in row
    ]


def stored_rows(contest: Any, channel: str | None = None) -> list[EncryptedBallot]:
    rows = EncryptedBallot.objects.filter(contest=contest)
    return list(rows.filter(channel=channel) if channel else rows)


def test_opening_makes_no_count_key_and_keeps_the_joint_key(db: Any) -> None:
    ballot = trustee_contest()
    box = BallotBox.objects.get(contest=ballot.contest)
    shape = record_selectors.ballot_shape(ballot.contest)
    assert shape is not None and shape.public_key is not None
    assert box.has_trustees and bytes(box.public_key) == shape.public_key.data
    assert Credential.objects.filter(contest=ballot.contest).count() == 3


def test_a_cast_stores_only_a_ciphertext_row_and_its_tracker(db: Any) -> None:
    """No plaintext, no time, no credential link, no order; the voter's tracker is its hash."""
    ballot = trustee_contest()
    credential = ballot.sign_in(0)
    before = Credential.objects.filter(roll_entry=ballot.entries[0]).values().get()
    events = AuditEvent.objects.count()
    a, b = (c.pk for c in ballot.candidates)
    returned = services.ballot_cast(credential_id=credential.pk, ranking=[b, a])
    assert AuditEvent.objects.count() == events, "a cast must leave no timed trace"
    after = Credential.objects.filter(roll_entry=ballot.entries[0]).values().get()
    assert {key for key in before if before[key] != after[key]} == {"has_voted"}
    assert not Ballot.objects.exists()  # nothing sealed to a count key
    (stored,) = stored_rows(ballot.contest)
    data = bytes(stored.ciphertexts)
    assert len(data) == 64  # one ElGamal pair: width 1
    assert returned == stored.tracker == tracker(row_from_stored(data))
    assert re.fullmatch(r"[0-9a-f]{64}", returned)
    types = columns("ballots_encryptedballot")
    assert set(types) == {"id", "contest_id", "channel", "ciphertexts", "tracker"}
    assert not [n for n, kind in types.items() if any(t in kind.lower() for t in TIME_TYPES)]
    assert set(foreign_keys("ballots_encryptedballot")) == {"contest_id"}
    assert "Auto" not in types["id"] and "Integer" not in types["id"]
    assert stored.id.version == 4
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'ballots_encryptedballot'")
            assert cursor.fetchone()[0].rstrip().endswith("WITHOUT ROWID")
    # The same ranking cast again is a different ciphertext (fresh randomness), so equal
    # ballots cannot be spotted in the table.
    ballot.cast(1, ["Bravo Zed", "Alpha Quux"])
    assert len({bytes(r.ciphertexts) for r in stored_rows(ballot.contest)}) == 2


def test_the_ciphertext_decrypts_with_two_shares_to_the_ranking_and_category(db: Any) -> None:
    ballot = trustee_contest()
    ballot.cast(0, ["Alpha Quux"])
    ballot.cast(2, ["Bravo Zed", "Alpha Quux"])  # the affiliated supporter
    decrypted = sorted(
        (option_parts(option)[0], tuple(option_parts(option)[1]))
        for stored in stored_rows(ballot.contest)
        for option in decrypt(ballot, row_from_stored(bytes(stored.ciphertexts)), (2, 3))
    )
    assert decrypted == [
        ("affiliated_supporter", ("Bravo Zed", "Alpha Quux")),
        ("member", ("Alpha Quux",)),
    ]


def test_the_booth_shows_the_tracker_and_anyone_finds_it_by_post(client: Client, db: Any) -> None:
    ballot = trustee_contest()
    a, b = (c.pk for c in ballot.candidates)
    issued = issue_known_credential(Credential.objects.get(roll_entry=ballot.entries[0]))
    client.post("/vote/", {"reference": issued.reference, "code": issued.code})
    prefs = {f"pref_{a}": "2", f"pref_{b}": "1"}
    ballot_page = client.post("/vote/ballot/", prefs)
    receipt_page = client.post("/vote/confirm/", prefs)
    (stored,) = stored_rows(ballot.contest)
    page = receipt_page.content.decode()
    assert stored.tracker in page and "Your tracker" in page
    assert "find it in the election record" in page.lower()
    assert len(receipt_page.content) == len(ballot_page.content)  # one size, as every booth page
    slug = ballot.contest.slug
    assert client.get(f"/vote/trackers/{slug}/").status_code == 200
    found = client.post(f"/vote/trackers/{slug}/", {"tracker": stored.tracker.upper()})
    assert "is stored" in found.content.decode()
    missing = client.post(f"/vote/trackers/{slug}/", {"tracker": "0" * 64})
    assert "is not among the ballots" in missing.content.decode()
    wrong = client.post(f"/vote/trackers/{slug}/", {"tracker": "not a tracker"})
    assert "64 letters and digits" in wrong.content.decode()


def test_tracker_look_ups_are_limited_per_address(client: Client, db: Any, settings: Any) -> None:
    settings.OMOV_BOOTH_ATTEMPTS_PER_ADDRESS = 2
    ballot = trustee_contest()
    path = f"/vote/trackers/{ballot.contest.slug}/"
    for _ in range(2):
        assert "Too many" not in client.post(path, {"tracker": "1" * 64}).content.decode()
    assert "Too many look-ups" in client.post(path, {"tracker": "1" * 64}).content.decode()


def test_a_contest_without_trustees_has_no_tracker_page(client: Client, open_ballot: Any) -> None:
    assert client.get(f"/vote/trackers/{open_ballot.contest.slug}/").status_code == 404


def key_paper(ballot: TrusteeBallot, settings: Any, names: list[str]) -> None:
    """One affiliated supporter's postal vote: declaration, batch opened, keyed twice."""
    settings.OMOV_POSTAL_BATCH_MINIMUM = 1
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    for user in (alice, bob):
        grant(user, Role.PAPER_OPERATOR, contest=ballot.contest)
    contest = ballot.contest
    services.postal_batch_create(
        contest=contest, actor=alice, category=Category.AFFILIATED_SUPPORTER
    )
    issued = issue_known_credential(Credential.objects.get(roll_entry=ballot.entries[2]))
    services.postal_declaration_accept(
        contest=contest, actor=alice, batch_number=1, reference=issued.reference
    )
    services.postal_batch_separate(contest=contest, actor=alice, batch_number=1, papers_found=1)
    by_name = {c.name: c.pk for c in ballot.candidates}
    for operator in (alice, bob):
        services.paper_key(
            contest=contest,
            operator=operator,
            batch_number=1,
            paper_number=1,
            outcome="ballot",
            ranking=[by_name[n] for n in names],
        )


def test_a_keyed_paper_is_encrypted_to_the_joint_key_with_its_batch_category(
    db: Any, settings: Any
) -> None:
    ballot = trustee_contest()
    key_paper(ballot, settings, ["Alpha Quux", "Bravo Zed"])
    assert not Ballot.objects.exists()
    (paper,) = stored_rows(ballot.contest, "paper")
    assert decrypt(ballot, row_from_stored(bytes(paper.ciphertexts))) == [
        {"category": "affiliated_supporter", "ranking": ["Alpha Quux", "Bravo Zed"]}
    ]


def test_the_close_job_adds_online_and_paper_entries_and_the_export_verifies(
    db: Any, settings: Any, tmp_path: Path, capsys: Any
) -> None:
    ballot = trustee_contest()
    trackers = [ballot.cast(0, ["Alpha Quux"]), ballot.cast(1, ["Bravo Zed"])]
    key_paper(ballot, settings, ["Bravo Zed"])
    services.ballot_close(contest=ballot.contest, actor=ballot.officer)
    (job,) = Job.objects.filter(contest=ballot.contest, kind="record.ballots")
    assert job.status == JobStatus.QUEUED
    assert run_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.outcome
    assert "added 2 online ballots; added 1 paper ballots" in job.outcome
    entries = RecordEntry.objects.filter(
        record__contest=ballot.contest, kind=EntryKind.BALLOTS
    ).order_by("index")
    assert [e.file.split("-", 1)[1] for e in entries] == [
        "ballots-online.jsonl",
        "ballots-paper.jsonl",
    ]
    online = bytes(entries[0].content).decode().splitlines()
    assert online[0] == '{"channel":"online","count":2,"kind":"ballots"}'
    in_record = [re.search('"tracker":"([0-9a-f]{64})"', line)[1] for line in online[1:]]  # type: ignore[index]
    assert in_record == sorted(trackers)  # sorted by tracker: nothing of when each was cast
    # The voter's tracker is now found in the record.
    client = Client()
    found = client.post(f"/vote/trackers/{ballot.contest.slug}/", {"tracker": trackers[0]})
    assert "is in the election record" in found.content.decode()

    # Run again (a retried job, or by hand): nothing is added twice.
    count = RecordEntry.objects.filter(record__contest=ballot.contest).count()
    assert main(["record", "ballots", "--contest", ballot.contest.slug]) == 0
    assert "were in the record already" in capsys.readouterr().out
    assert RecordEntry.objects.filter(record__contest=ballot.contest).count() == count

    # Everything the record holds checks out for anyone who downloads it.
    out = tmp_path / "record"
    assert main(["record", "export", "--contest", ballot.contest.slug, "--out", str(out)]) == 0
    assert main(["verify", str(out), "--quiet", "--workers", "1"]) == 0
    # And the stored rows decrypt to the votes cast (two trustees, any two).
    decrypted = sorted(
        str(option)
        for stored in stored_rows(ballot.contest)
        for option in decrypt(ballot, row_from_stored(bytes(stored.ciphertexts)), (1, 2))
    )
    assert decrypted == sorted(
        str(o)
        for o in (
            {"category": "member", "ranking": ["Alpha Quux"]},
            {"category": "member", "ranking": ["Bravo Zed"]},
            {"category": "affiliated_supporter", "ranking": ["Bravo Zed"]},
        )
    )


def test_a_changed_stored_ballot_stops_the_job_and_the_record_keeps_nothing(db: Any) -> None:
    ballot = trustee_contest()
    ballot.cast(0, ["Alpha Quux"])
    ballot.cast(1, ["Bravo Zed"])
    first, second = stored_rows(ballot.contest)
    EncryptedBallot.objects.filter(pk=first.pk).update(ciphertexts=bytes(second.ciphertexts))
    services.ballot_close(contest=ballot.contest, actor=ballot.officer)
    run_jobs()
    job = Job.objects.get(contest=ballot.contest, kind="record.ballots")
    assert job.status == JobStatus.FAILED
    assert "does not match its tracker" in job.outcome
    assert not RecordEntry.objects.filter(
        record__contest=ballot.contest, kind=EntryKind.BALLOTS
    ).exists()


def test_many_candidates_make_a_row_of_one_ciphertext_per_rank(db: Any) -> None:
    names = tuple(f"Candidate {letter}" for letter in "ABCDEFGH")  # 109,601 rankings: rows
    ballot = trustee_contest(names=names, members=1, affiliated=0, slug="many")
    shape = record_selectors.ballot_shape(ballot.contest)
    assert shape is not None and shape.width == 8
    ballot.cast(0, ["Candidate C", "Candidate A"])
    (stored,) = stored_rows(ballot.contest)
    row = row_from_stored(bytes(stored.ciphertexts))
    assert len(bytes(stored.ciphertexts)) == 64 * 8 and stored.tracker == tracker(row)
    assert decrypt(ballot, row) == [["Candidate C"], ["Candidate A"]] + [[]] * 6


def test_a_contest_without_trustees_still_seals_to_the_count_key(open_ballot: Any) -> None:
    box = BallotBox.objects.get(contest=open_ballot.contest)
    assert not box.has_trustees and open_ballot.private_key
    issued = open_ballot.credential_for(open_ballot.entries[0])
    credential = services.credential_sign_in(
        reference=issued.reference, code=issued.code, client_ip="10.6.0.1"
    )
    receipt = services.ballot_cast(
        credential_id=credential.pk, ranking=[open_ballot.candidates[0].pk]
    )
    assert len(receipt) == 16 and Ballot.objects.count() == 1
    assert not EncryptedBallot.objects.exists()
    services.ballot_close(contest=open_ballot.contest)
    assert not Job.objects.exists()  # no record, no record job
    counted = services.ballots_for_count(
        contest=open_ballot.contest, private_key_bytes=open_ballot.private_key
    )
    assert sum(counted.ballots.values()) == 1


def test_a_trustee_contest_is_counted_only_from_its_record_never_with_a_key(db: Any) -> None:
    from omov.core.errors import ServiceError

    ballot = trustee_contest()
    services.ballot_close(contest=ballot.contest, actor=ballot.officer)
    # Whatever key is offered, the ballots are read from the record's result, not unsealed.
    with pytest.raises(ServiceError, match="the record has no result yet"):
        services.ballots_for_count(contest=ballot.contest, private_key_bytes=b"x" * 32)


def test_receipts_of_a_trustee_contest_lead_to_the_tracker_page(client: Client, db: Any) -> None:
    ballot = trustee_contest()
    services.ballot_close(contest=ballot.contest, actor=ballot.officer)
    slug = ballot.contest.slug
    response = client.get(f"/vote/receipts/{slug}/")
    assert response.status_code == 302 and response["Location"] == f"/vote/trackers/{slug}/"
    assert client.get(f"/vote/receipts/{slug}.txt").status_code == 404


def test_the_command_line_opens_a_trustee_contest_without_a_key_file(db: Any, capsys: Any) -> None:
    contest = ContestFactory(slug="cli-open", status=ContestStatus.ROLL_FROZEN)
    for position, name in enumerate(("A", "B"), start=1):
        CandidateFactory(
            contest=contest, name=name, status=CandidateStatus.NOMINATED, ballot_position=position
        )
    make_roll(contest, 1)
    sealed_ceremony(contest)
    assert main(["ballot", "open", "--contest", "cli-open"]) == 0
    assert "no ballot key exists" in capsys.readouterr().out
    assert BallotBox.objects.get(contest=contest).has_trustees
    assert main(["ballot", "close", "--contest", "cli-open", "--reason", "test"]) == 0
    assert "omov record ballots --contest cli-open" in capsys.readouterr().out
    assert main(["record", "ballots", "--contest", "cli-open"]) == 0
    assert "added 0 online ballots" in capsys.readouterr().out
