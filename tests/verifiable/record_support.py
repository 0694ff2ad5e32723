"""Build election records through the `omov` command, for the record and tamper tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from omov.verifiable.record import file_sha256, link_hash

PASSPHRASE = "a long trustee passphrase"
OPTIONS = [["A"], ["B"], ["A", "B"], ["B", "A"], []]
SRC = Path(__file__).resolve().parents[2] / "src"


def omov(*arguments: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the `omov` command in a separate process, as a trustee on their own computer would."""
    environment = {
        **os.environ,
        "OMOV_TRUSTEE_PASSPHRASE": PASSPHRASE,
        "PYTHONPATH": str(SRC),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "omov", *map(str, arguments)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if check and completed.returncode != 0:
        raise AssertionError(f"omov {arguments} failed:\n{completed.stdout}\n{completed.stderr}")
    return completed


def build_election(work: Path, choices: list[int], *, workers: int = 1) -> Path:
    """Key ceremony (3 trustees, threshold 2), ballots, two mixes, two decryptions, the tally."""
    record = work / "record"
    quiet = ("--quiet", "--workers", str(workers))
    for j in (1, 2, 3):
        omov(
            "trustee",
            "init",
            "--number",
            j,
            "--name",
            f"Trustee {j}",
            "--secret",
            work / f"t{j}.secret",
            "--public",
            work / f"t{j}.public.json",
        )
    (work / "options.json").write_text(json.dumps(OPTIONS))
    omov(
        "record",
        "init",
        record,
        "--election",
        "Test leader",
        "--threshold",
        2,
        *[part for j in (1, 2, 3) for part in ("--trustee", work / f"t{j}.public.json")],
        "--options",
        work / "options.json",
    )
    for j in (1, 2, 3):
        omov(
            "trustee",
            "deal",
            record,
            *quiet,
            "--secret",
            work / f"t{j}.secret",
            "--keep",
            work / f"t{j}.keep",
            "--out",
            work / f"dealing{j}.json",
        )
        omov("record", "append", record, work / f"dealing{j}.json", *quiet)
    for j in (1, 2, 3):
        omov(
            "trustee",
            "check-shares",
            record,
            *quiet,
            "--secret",
            work / f"t{j}.secret",
            "--out-dir",
            work / "complaints",
        )
    omov("record", "seal-key", record, *quiet)
    for j in (1, 2, 3):
        omov(
            "trustee",
            "save-share",
            record,
            *quiet,
            "--secret",
            work / f"t{j}.secret",
            "--share",
            work / f"t{j}.share",
        )
    (work / "choices.json").write_text(json.dumps(choices))
    omov("record", "add-ballots", record, "--choices", work / "choices.json", *quiet)
    for j in (1, 3):
        omov("trustee", "mix", record, "--number", j, "--out", work / f"mix{j}.jsonl", *quiet)
        omov("record", "append", record, work / f"mix{j}.jsonl", *quiet)
    for j in (2, 3):
        omov(
            "trustee",
            "decrypt",
            record,
            "--share",
            work / f"t{j}.share",
            "--out",
            work / f"decryption{j}.jsonl",
            *quiet,
        )
        omov("record", "append", record, work / f"decryption{j}.jsonl", *quiet)
    omov("record", "tally", record, *quiet)
    return record


def rechain(record: Path) -> None:
    """Recompute every chain line and HEAD after an edit, as a forger covering tracks would."""
    lines = (record / "chain.jsonl").read_text().splitlines()
    previous = "0" * 64
    out = []
    for index, line in enumerate(lines):
        link = json.loads(line)
        link["index"] = index
        link["file_sha256"] = file_sha256(record / link["file"])
        link["previous"] = previous
        link["hash"] = link_hash(index, link["kind"], link["file"], link["file_sha256"], previous)
        previous = link["hash"]
        out.append(json.dumps(link, sort_keys=True))
    (record / "chain.jsonl").write_text("".join(line + "\n" for line in out))
    (record / "HEAD").write_text(previous + "\n")


def entry(record: Path, kind: str, number: int = 0) -> Path:
    """The path of the ``number``-th entry of ``kind``."""
    files = [
        json.loads(line)["file"]
        for line in (record / "chain.jsonl").read_text().splitlines()
        if json.loads(line)["kind"] == kind
    ]
    return record / files[number]
