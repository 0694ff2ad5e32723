"""The verified count end to end: 1,000 ballots encrypted to three trustees' joint key (2
needed), mixed twice and decrypted by trustees running `omov trustee` in processes of their own,
counted from the record, declared with the record's head hash, and verified by `omov verify`.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from trustees_support import PASSPHRASE, Ceremony, omov, record_snapshot, sealed_ceremony

from ballots.ballots_support import CLOSES_AT, make_roll
from factories import CandidateFactory, ContestFactory
from jobs_support import run_jobs
from omov.ballots import services as ballot_services
from omov.cli.main import main
from omov.contests.models import CandidateStatus, ContestStatus
from omov.contests.services import contest_blockers
from omov.jobs.models import Job, JobStatus
from omov.results.models import Result
from omov.trustees import selectors
from omov.trustees.models import EntryKind, RecordEntry
from omov.trustees.record import record_checked, record_write
from omov.verifiable.group import scalar_hex
from omov.verifiable.keystore import secret_write

pytestmark = pytest.mark.slow

NAMES = ("Ash", "Birch", "Cedar")


def _hand_in(ceremony: Ceremony, number: int, path: Path) -> Job:
    """Hand a large file in through the trustee's page: it is queued as a job, then run."""
    response = ceremony.upload(number, path, name=path.name)
    assert response.status_code == 302, response.content.decode()
    job = Job.objects.order_by("-pk").first()
    assert job is not None and response["Location"] == f"/jobs/{job.pk}/"
    run_jobs()
    job.refresh_from_db()
    return job


def _share_file(ceremony: Ceremony, shares: dict[int, int], number: int, path: Path) -> Path:
    """The key share file `omov trustee save-share` writes (under the trustee's passphrase)."""
    with record_checked(ceremony.record) as (_, state):
        assert state is not None
        context = state.context.hex()
    secret_write(
        path,
        {"number": number, "share": scalar_hex(shares[number]), "context": context},
        PASSPHRASE,
    )
    return path


def test_a_thousand_ballots_counted_from_a_proven_mix_and_decryption(
    db: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contest = ContestFactory(
        slug="verified",
        title="General secretary",
        status=ContestStatus.ROLL_FROZEN,
        ballot_closes_at=CLOSES_AT,
    )
    for position, name in enumerate(NAMES, start=1):
        CandidateFactory(
            contest=contest, name=name, status=CandidateStatus.NOMINATED, ballot_position=position
        )
    entries = make_roll(contest, 700) + make_roll(contest, 300, category="affiliated_supporter")
    sealed = sealed_ceremony(contest)
    ceremony = sealed.ceremony
    with transaction.atomic():
        ballot_services.ballot_open(contest=contest, actor_label="test")
    contest.refresh_from_db()
    # Varied rankings: one, two or three candidates ranked.
    chooser = random.Random(1000)
    rankings = []
    for _ in entries:
        order = list(NAMES)
        chooser.shuffle(order)
        rankings.append(tuple(order[: chooser.choice((1, 1, 2, 2, 3))]))
    ballot_services.ballots_seed_demo(
        contest=contest, votes=list(zip(entries, rankings, strict=True))
    )
    ballot_services.ballot_close(contest=contest, actor=ceremony.officer)
    run_jobs()  # the close's job adds the 1,000 encrypted ballots to the record
    contest.refresh_from_db()
    assert selectors.ballots_in_record(ceremony.record) == 1000
    (blocker,) = [b for b in contest_blockers(contest, "count") if "verified count" in b]
    assert "2 more mixes" in blocker

    # Two trustees mix, each on their own computer, from the record they downloaded.
    for number in (1, 3):
        record = ceremony.download(number, tmp_path / f"mix-{number}")
        mix = tmp_path / f"mix-{number}.jsonl"
        omov(
            "trustee", "mix", record, "--quiet", "--workers", "1", "--number", number, "--out", mix
        )
        job = _hand_in(ceremony, number, mix)
        assert job.status == JobStatus.SUCCEEDED, job.outcome
    page = ceremony.client_for(2).get(f"/record/{contest.slug}/trustee/").content.decode()
    assert "omov trustee decrypt record --share trustee.share" in page

    # Trustee 1 may not mix twice; the record is unchanged by the refusal.
    before = record_snapshot(ceremony.record)
    again = ceremony.upload(1, tmp_path / "mix-1.jsonl", name="mix-1.jsonl")
    run_jobs()
    failed = Job.objects.order_by("-pk").first()
    assert again.status_code == 302 and failed is not None
    assert failed.status == JobStatus.FAILED and "Refused" in failed.outcome
    assert record_snapshot(ceremony.record) == before

    # Two trustees decrypt with their key shares; the second's shares complete the result.
    for number in (2, 3):
        record = ceremony.download(number, tmp_path / f"decrypt-{number}")
        share = _share_file(ceremony, sealed.shares, number, tmp_path / f"t{number}.share")
        out = tmp_path / f"decryption-{number}.jsonl"
        omov(
            "trustee",
            "decrypt",
            record,
            "--quiet",
            "--workers",
            "1",
            "--share",
            share,
            "--out",
            out,
        )
        job = _hand_in(ceremony, number, out)
        assert job.status == JobStatus.SUCCEEDED, job.outcome
    assert RecordEntry.objects.filter(record=ceremony.record, kind=EntryKind.RESULT).exists()
    assert not [b for b in contest_blockers(contest, "count") if "verified count" in b]

    # The returning officer counts from the record: no key is asked for.
    office = ceremony.officer_client()
    count_page = office.get(f"/results/{contest.slug}/count/").content.decode()
    assert "decrypted, with proofs" in count_page and "key file" not in count_page
    response = office.post(f"/results/{contest.slug}/count/")
    assert response.status_code == 302, response.content.decode()
    result = Result.objects.get(contest=contest)
    # The same ballots, in another order: first preferences and categories match the plain votes.
    first = Counter(ranking[0] for ranking in rankings)
    first_round = result.outcome.rounds[0].votes
    assert {name: int(first_round[name]) for name in NAMES} == {n: first[n] for n in NAMES}
    by_category = Counter(
        ("affiliated_supporter" if index >= 700 else "member")
        for index, ranking in enumerate(rankings)
    )
    assert {name: data["valid"] for name, data in result.categories.items()} == dict(by_category)
    decoded = selectors.decoded_ballots(contest)
    assert decoded is not None
    assert Counter(ranking for _, ranking in decoded) == Counter(rankings)

    # The declaration names the record's head; anyone can check the exported record.
    head = selectors.head_hash(ceremony.record)
    page = office.get(f"/results/{contest.slug}/").content.decode()
    assert head in page
    document = json.loads(office.get(f"/results/{contest.slug}/results.json").content)
    assert document["record"]["head"] == head
    record_write(ceremony.record, tmp_path / "export")
    assert main(["verify", str(tmp_path / "export"), "--quiet", "--workers", "1"]) == 0
