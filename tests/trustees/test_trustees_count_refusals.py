"""Dishonest or misplaced mixes and decryption shares are refused where they arrive; nothing
in the record changes. A small election (20 ballots), trustees' files made in this process."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from trustees_support import Ceremony, Sealed, record_snapshot, sealed_ceremony

from ballots.ballots_support import CLOSES_AT, make_roll
from factories import CandidateFactory, ContestFactory, UserFactory
from jobs_support import run_jobs
from omov.ballots import services as ballot_services
from omov.contests.models import CandidateStatus, ContestStatus
from omov.contests.services import contest_blockers
from omov.core.errors import ServiceError
from omov.jobs.models import Job, JobStatus
from omov.trustees import services
from omov.trustees.record import record_checked
from omov.verifiable.ceremony import decryption_entry, mix_entry

pytestmark = pytest.mark.django_db


@dataclass
class Election:
    sealed: Sealed

    @property
    def ceremony(self) -> Ceremony:
        return self.sealed.ceremony

    def file(self, lines: list[str]) -> bytes:
        return "".join(line + "\n" for line in lines).encode()

    def mix(self, mixer: int) -> bytes:
        with record_checked(self.ceremony.record) as (_, state):
            assert state is not None
            return self.file(mix_entry(state, mixer=mixer))

    def decryption(self, trustee: int) -> bytes:
        with record_checked(self.ceremony.record) as (_, state):
            assert state is not None
            return self.file(
                decryption_entry(state, trustee=trustee, secret=self.sealed.shares[trustee])
            )

    def accept(self, number: int, content: bytes) -> Any:
        trustee = self.ceremony.record.trustees.get(number=number)
        return services.record_file_accept(
            contest=self.ceremony.contest,
            trustee=trustee,
            content=content,
            actor=self.ceremony.users[number],
        )


def _election(close: bool = True) -> Election:
    contest = ContestFactory(
        slug="small", status=ContestStatus.ROLL_FROZEN, ballot_closes_at=CLOSES_AT
    )
    for position, name in enumerate(("Ash", "Birch"), start=1):
        CandidateFactory(
            contest=contest, name=name, status=CandidateStatus.NOMINATED, ballot_position=position
        )
    entries = make_roll(contest, 20)
    sealed = sealed_ceremony(contest)
    with transaction.atomic():
        ballot_services.ballot_open(contest=contest, actor_label="test")
    contest.refresh_from_db()
    votes = [(entry, ["Ash"] if n % 3 else ["Birch", "Ash"]) for n, entry in enumerate(entries)]
    ballot_services.ballots_seed_demo(contest=contest, votes=votes)
    if close:
        ballot_services.ballot_close(contest=contest, actor=sealed.ceremony.officer)
        run_jobs()
    contest.refresh_from_db()
    return Election(sealed)


def test_no_mix_while_the_ballot_is_open(db: Any) -> None:
    election = _election(close=False)
    with pytest.raises(ServiceError, match="after the ballot closes"):
        election.accept(1, b'{"kind":"mix","mixer":1}\n')


def test_a_mix_from_another_trustees_account_or_a_stranger_is_refused(db: Any) -> None:
    election = _election()
    mix = election.mix(1)
    before = record_snapshot(election.ceremony.record)
    with pytest.raises(ServiceError, match="not trustee 2's"):
        election.accept(2, mix)
    stranger = UserFactory(username="stranger")
    client = election.ceremony.client_for(1)
    client.force_login(stranger)
    upload = io.BytesIO(mix)
    upload.name = "mix.jsonl"
    response = client.post(f"/record/{election.ceremony.contest.slug}/trustee/", {"file": upload})
    assert response.status_code == 403
    assert record_snapshot(election.ceremony.record) == before
    assert not Job.objects.filter(kind="record.file").exists()


def test_a_mix_with_a_changed_ciphertext_fails_its_proof(db: Any) -> None:
    election = _election()
    lines = election.mix(1).decode().splitlines()
    # Swap two output ballots' ciphertexts: the proof binds each output to its place.
    second, third = json.loads(lines[1]), json.loads(lines[2])
    second["ciphertexts"], third["ciphertexts"] = third["ciphertexts"], second["ciphertexts"]
    lines[1], lines[2] = (
        json.dumps(line, sort_keys=True, separators=(",", ":")) for line in (second, third)
    )
    before = record_snapshot(election.ceremony.record)
    with pytest.raises(ServiceError, match="Refused, nothing was added"):
        election.accept(1, election.file(lines))
    assert record_snapshot(election.ceremony.record) == before


def test_decryption_before_the_mixes_and_a_second_mix_are_refused(db: Any) -> None:
    election = _election()
    election.accept(1, election.mix(1))
    with pytest.raises(ServiceError, match="decryption before 2 mixes"):
        election.accept(2, election.decryption(2))
    with pytest.raises(ServiceError, match="Refused"):
        election.accept(1, election.mix(1))
    (blocker,) = [
        b for b in contest_blockers(election.ceremony.contest, "count") if "verified" in b
    ]
    assert "1 more mix by trustees who have not mixed (done: 1)" in blocker


def test_a_decryption_share_with_a_wrong_proof_is_refused_and_the_result_waits(db: Any) -> None:
    election = _election()
    election.accept(1, election.mix(1))
    election.accept(3, election.mix(3))
    lines = election.decryption(2).decode().splitlines()
    # Eight hex digits of the first ballot's share changed: it no longer holds.
    lines[1] = lines[1].replace(lines[1][12:20], "00000000", 1)
    before = record_snapshot(election.ceremony.record)
    with pytest.raises(ServiceError, match="Refused, nothing was added"):
        election.accept(2, election.file(lines))
    assert record_snapshot(election.ceremony.record) == before
    election.accept(2, election.decryption(2))
    (blocker,) = [
        b for b in contest_blockers(election.ceremony.contest, "count") if "verified" in b
    ]
    assert "decryption shares from 1 more trustee(s) (in: 2; 2 needed)" in blocker
    election.accept(3, election.decryption(3))
    assert not [b for b in contest_blockers(election.ceremony.contest, "count") if "verified" in b]


def test_an_oversized_file_is_refused_by_its_size(db: Any) -> None:
    election = _election()
    limit = services.file_limit(election.ceremony.record, "mix")
    assert limit == services.CEREMONY_FILE_LIMIT + 700 * 20
    huge = b'{"kind":"mix","mixer":1}\n' + b" " * limit
    with pytest.raises(ServiceError, match=f"at most {limit:,}"):
        election.accept(1, huge)


def test_a_queued_file_that_fails_its_check_says_why_on_its_job(db: Any) -> None:
    election = _election()
    mix = election.mix(1)
    election.accept(1, mix)
    upload = io.BytesIO(mix)  # the same mix again, through the page: queued, then refused
    upload.name = "mix.jsonl"
    client = election.ceremony.client_for(1)
    response = client.post(f"/record/{election.ceremony.contest.slug}/trustee/", {"file": upload})
    job = Job.objects.get(kind="record.file")
    assert response["Location"] == f"/jobs/{job.pk}/"
    run_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "may not mix" in job.outcome or "Refused" in job.outcome
    assert "Refused" in client.get(f"/jobs/{job.pk}/").content.decode()


def test_the_checked_state_is_kept_between_appends_and_dropped_when_a_row_changes(
    db: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any, tmp_path: Any
) -> None:
    from omov.cli.main import main
    from omov.trustees.models import RecordEntry
    from omov.trustees.record import record_write
    from omov.verifiable.verifier import RecordState

    election = _election()
    record = election.ceremony.record
    mix_1, loads = election.mix(1), []
    original = RecordState.load.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(
        RecordState,
        "load",
        classmethod(lambda cls, *a, **k: loads.append(1) or original(cls, *a, **k)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        election.accept(1, mix_1)
    assert services._CHECKED[record.pk][0] == record.entries.order_by("-index").first().hash
    loads.clear()
    mix_3 = election.mix(3)  # the trustee's own copy: a full check on their side (1 load)
    with django_capture_on_commit_callbacks(execute=True):  # each its own transaction
        election.accept(3, mix_3)
    decryption_2 = election.decryption(2)
    with django_capture_on_commit_callbacks(execute=True):
        election.accept(2, decryption_2)
    decryption_3 = election.decryption(3)
    with django_capture_on_commit_callbacks(execute=True):
        election.accept(3, decryption_3)
    # Three appends and the result, checked from the kept state: only the trustees' own copies
    # (the mix and the two decryptions made above) loaded the whole record.
    assert len(loads) == 3
    assert record.entries.filter(kind="result").exists()
    record_write(record, tmp_path / "record")
    assert main(["verify", str(tmp_path / "record"), "--quiet", "--workers", "1"]) == 0
    # A row changed behind the app's back: the kept state is not trusted, the full check refuses.
    RecordEntry.objects.filter(record=record, kind="mix").update(hash="0" * 64)
    services._CHECKED[record.pk] = (
        record.entries.order_by("-index").first().hash,
        services._CHECKED[record.pk][1],
    )
    with pytest.raises(ServiceError, match="Refused"):
        election.accept(1, b'{"kind":"decryption","trustee":1}\n')
    assert record.pk not in services._CHECKED


def test_a_refused_entry_leaves_no_kept_state(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    election = _election()
    record = election.ceremony.record
    with django_capture_on_commit_callbacks(execute=True):
        election.accept(1, election.mix(1))
    assert record.pk in services._CHECKED
    with pytest.raises(ServiceError, match="decryption before 2 mixes"):
        election.accept(2, election.decryption(2))
    assert record.pk not in services._CHECKED  # taken out, possibly half-applied: dropped
    with django_capture_on_commit_callbacks(execute=True):
        election.accept(3, election.mix(3))
    assert record.pk in services._CHECKED


def test_a_queued_file_whose_entry_committed_before_its_worker_died_finishes_on_rerun(
    db: Any,
) -> None:
    """A worker killed after the entry committed leaves the job to be run again: the rerun says
    the file is in, rather than failing as a second mix."""
    election = _election()
    mix = election.mix(1)
    upload = io.BytesIO(mix)
    upload.name = "mix.jsonl"
    client = election.ceremony.client_for(1)
    client.post(f"/record/{election.ceremony.contest.slug}/trustee/", {"file": upload})
    job = Job.objects.get(kind="record.file")
    election.accept(1, mix)  # what the dead worker had committed
    Job.objects.filter(pk=job.pk).update(attempts=1)  # its first attempt, taken by that worker
    before = record_snapshot(election.ceremony.record)
    run_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.outcome
    assert record_snapshot(election.ceremony.record) == before
