"""Helpers shared by the format, CLI, fuzz and differential tests of the count (not a test file)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from omov.count.ballots import BallotFile


def edinburgh_dir() -> Path:
    """Return the Edinburgh 2017 ward files kept in the repository (tests/data/edinburgh-2017)."""
    directory = Path(__file__).resolve().parents[1] / "data" / "edinburgh-2017"
    if not directory.is_dir():
        pytest.fail(f"The Edinburgh 2017 data is missing: expected {directory}.")
    return directory


def edinburgh_wards() -> list[Path]:
    """Return the 17 ward BLT files, sorted by ward number."""
    files = sorted(
        edinburgh_dir().glob("ward_*.blt"), key=lambda path: int(path.name.split("_")[1])
    )
    if len(files) != 17:
        pytest.fail(f"Expected 17 Edinburgh ward files in {edinburgh_dir()}, found {len(files)}.")
    return files


def edinburgh_official_winners() -> dict[str, list[str]]:
    """Return {ward file name: councillors declared elected}."""
    data = json.loads((edinburgh_dir() / "official-winners.json").read_text(encoding="utf-8"))
    winners: dict[str, list[str]] = data["elected"]
    return winners


def ballot_multiset(ballot_file: BallotFile) -> Counter[tuple[tuple[str, ...], ...]]:
    """Return {marks: total weight}: the ballots regardless of grouping and order."""
    totals: Counter[tuple[tuple[str, ...], ...]] = Counter()
    for ballot in ballot_file.ballots:
        totals[ballot.marks] += ballot.weight
    return totals


def same_ballots(first: BallotFile, second: BallotFile) -> bool:
    """Return whether two ballot files hold the same candidates and the same ballots."""
    return first.candidates == second.candidates and ballot_multiset(first) == ballot_multiset(
        second
    )


def unquoted_blt(text: str) -> str:
    """Return BLT ``text`` rewritten in the unquoted layout: names and title without quotes.

    The layout of the public corpus of Scottish council ward files (2007–2022): every line after
    the end-of-ballots ``0`` is a name (then the title), written as is, padding kept.
    """
    lines = text.splitlines(keepends=True)
    end = next(i for i, line in enumerate(lines) if line.strip() == "0")
    rewritten = lines[: end + 1]
    for line in lines[end + 1 :]:
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        stripped = body.strip()
        if stripped.startswith('"') and stripped.endswith('"'):
            body = body.replace(stripped, stripped[1:-1], 1)
        rewritten.append(body + ending)
    return "".join(rewritten)
