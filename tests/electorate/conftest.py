"""Fixtures of the electorate tests: roll files and a contest whose roll is being prepared."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from electorate_csv import HEADER, csv_bytes


@pytest.fixture
def roll_file(tmp_path: Path) -> Callable[..., Path]:
    """Write a roll file and return its path."""

    def write(*rows: str, header: str = HEADER, name: str = "roll.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(csv_bytes(*rows, header=header))
        return path

    return write


@pytest.fixture
def open_contest(contest: Any) -> Any:
    """The 2016-like contest with nominations open (the roll may be frozen next)."""
    from omov.contests.services import contest_transition

    contest.ballot_closes_at = dt.datetime(2016, 9, 21, 11, 0, tzinfo=dt.UTC)
    contest.save()
    return contest_transition(contest=contest, step="open_nominations", actor_label="test")
