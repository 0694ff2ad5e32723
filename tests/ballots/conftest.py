"""Fixtures for the secret ballot."""

from __future__ import annotations

from typing import Any

import pytest
from ballots_support import OpenBallot, open_contest


@pytest.fixture
def open_ballot(db: Any) -> OpenBallot:
    """A leadership contest with two candidates and five eligible members, ballot open."""
    return open_contest()
