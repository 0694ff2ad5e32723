"""The attacks of issue 8, one file per threat; each performs the attack and shows it fails.

docs/decisions/0003-ballot-secrecy.md lists every threat with its test here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

# The secret-ballot helpers (an opened contest with known credentials) live beside the ballots'
# own tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ballots"))

from ballots_support import OpenBallot, open_contest

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def open_ballot(db: Any) -> OpenBallot:
    """A leadership contest with two candidates and five eligible members, ballot open."""
    return open_contest()
