"""The key ceremony through the web pages: three trustees (threshold 2), each a separate process.

Each trustee runs `omov trustee init/deal/check-shares/answer/save-share` in a process of their
own, on a record downloaded through their page, and hands in files through that page. The
record the server keeps in its database exports to a directory that `omov verify` accepts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from trustees_support import Ceremony, ceremony_contest, omov, record_snapshot

from omov.cli.main import main
from omov.contests.services import contest_blockers
from omov.core.models import AuditEvent
from omov.trustees.models import RecordEntry

pytestmark = pytest.mark.slow


def _deal_and_hand_in(ceremony: Ceremony, work: Path, number: int) -> None:
    record = ceremony.download(number, work / f"download-deal-{number}")
    omov(
        "trustee",
        "deal",
        record,
        "--quiet",
        "--workers",
        "1",
        "--secret",
        work / f"t{number}.secret",
        "--keep",
        work / f"t{number}.keep",
        "--out",
        work / f"dealing{number}.json",
    )
    response = ceremony.upload(number, work / f"dealing{number}.json")
    assert response.status_code == 302, response.content.decode()


def test_three_trustees_key_ceremony_through_their_pages_verifies(
    db: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ceremony = ceremony_contest()
    contest = ceremony.contest
    # 1. Each trustee makes their key pair on their own computer and hands in the public file.
    for j in (1, 2, 3):
        omov(
            "trustee",
            "init",
            "--number",
            j,
            "--name",
            f"Trustee {j}",
            "--secret",
            tmp_path / f"t{j}.secret",
            "--public",
            tmp_path / f"t{j}.public.json",
        )
        response = ceremony.upload(j, tmp_path / f"t{j}.public.json")
        assert response.status_code == 302
    assert (
        "Handed in"
        in ceremony.client_for(1).get(f"/record/{contest.slug}/trustee/").content.decode()
    )

    # 2. The returning officer starts the record from their page.
    office = ceremony.officer_client()
    response = office.post(f"/record/{contest.slug}/office/", {"action": "start"})
    assert response.status_code == 302
    parameters = json.loads(bytes(RecordEntry.objects.get(index=0).content))
    assert parameters["threshold"] == 2
    assert [t["number"] for t in parameters["trustees"]] == [1, 2, 3]
    # Every ranking in each voter category, so the declaration keeps its breakdown by category.
    rankings = [["A"], ["B"], ["A", "B"], ["B", "A"], []]
    assert parameters["options"] == [
        {"category": category, "ranking": ranking}
        for category in ("member", "registered_supporter", "affiliated_supporter")
        for ranking in rankings
    ]

    # 3. Each trustee deals from the record they downloaded.
    for j in (1, 2, 3):
        _deal_and_hand_in(ceremony, tmp_path, j)
    (blocker,) = [b for b in contest_blockers(contest, "open_ballot") if "key ceremony" in b]
    assert "the returning officer must seal the joint key" in blocker

    # 4. Each checks the shares sent to them; every share is honest, so nothing to hand in.
    for j in (1, 2, 3):
        record = ceremony.download(j, tmp_path / f"download-check-{j}")
        completed = omov(
            "trustee",
            "check-shares",
            record,
            "--quiet",
            "--workers",
            "1",
            "--secret",
            tmp_path / f"t{j}.secret",
            "--out-dir",
            tmp_path / f"complaints{j}",
        )
        assert "Every share sent to trustee" in completed.stdout
    # Trustee 2 complains about trustee 1 anyway (wrongly): trustee 1 must answer in public.
    complaint = b'{"dealer":1,"kind":"complaint","recipient":2}\n'
    assert ceremony.upload(2, complaint).status_code == 302
    (blocker,) = [b for b in contest_blockers(contest, "open_ballot") if "key ceremony" in b]
    assert "trustee 1 must answer trustee 2's complaint" in blocker
    refused = office.post(f"/record/{contest.slug}/office/", {"action": "seal"})
    assert "trustee 1 has not answered trustee 2&#x27;s complaint" in refused.content.decode()
    record = ceremony.download(1, tmp_path / "download-answer")
    omov(
        "trustee",
        "answer",
        record,
        "--quiet",
        "--workers",
        "1",
        "--keep",
        tmp_path / "t1.keep",
        "--out-dir",
        tmp_path / "answers",
    )
    assert ceremony.upload(1, tmp_path / "answers" / "answer-1-2.json").status_code == 302

    # 5. The returning officer seals the joint key; the ballot may now open.
    response = office.post(f"/record/{contest.slug}/office/", {"action": "seal"})
    assert response.status_code == 302
    assert not [b for b in contest_blockers(contest, "open_ballot") if "key ceremony" in b]
    key = json.loads(bytes(RecordEntry.objects.get(kind="key").content))
    assert key["qualified"] == [1, 2, 3]

    # 6. Each trustee computes and keeps their key share: it matches the record's public keys.
    for j in (1, 2, 3):
        record = ceremony.download(j, tmp_path / f"download-share-{j}")
        omov(
            "trustee",
            "save-share",
            record,
            "--quiet",
            "--workers",
            "1",
            "--secret",
            tmp_path / f"t{j}.secret",
            "--share",
            tmp_path / f"t{j}.share",
        )

    # 7. The exported record verifies, with the head hash the public page shows.
    out = tmp_path / "export"
    assert main(["record", "export", "--contest", contest.slug, "--out", str(out)]) == 0
    assert main(["verify", str(out), "--quiet", "--workers", "1"]) == 0
    head = (out / "HEAD").read_text().strip()
    assert head in capsys.readouterr().out
    public = ceremony.client_for(3).get(f"/record/{contest.slug}/").content.decode()
    assert head in public
    assert [entry[1] for entry in record_snapshot(ceremony.record)] == [
        "entries/0000-parameters.json",
        "entries/0001-dealing-1.json",
        "entries/0002-dealing-2.json",
        "entries/0003-dealing-3.json",
        "entries/0004-complaint-1-2.json",
        "entries/0005-answer-1-2.json",
        "entries/0006-key.json",
    ]
    # Every step is audited; nothing secret reaches the server, its audit trail or the record.
    actions = list(AuditEvent.objects.filter(contest=contest).values_list("action", flat=True))
    for action in ("trustees.appoint", "trustees.key", "record.start", "record.dealing"):
        assert action in actions
    assert actions.count("record.dealing") == 3
    secrets = [tmp_path / f"t{j}.{kind}" for j in (1, 2, 3) for kind in ("secret", "keep", "share")]
    stored = b"".join(bytes(e.content) for e in RecordEntry.objects.all())
    for path in secrets:
        assert path.read_bytes() not in stored  # encrypted files; their text never comes in
    assert not list(tmp_path.glob("complaints*/*"))
