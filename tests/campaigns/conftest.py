"""Fixtures of the campaigns' tests."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from campaigns_support import EVENING, Campaigns, build_campaigns
from omov.contests.models import Contest


@pytest.fixture
def evening() -> Any:
    with time_machine.travel(EVENING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def campaigns(contest: Contest, evening: Any) -> Campaigns:
    return build_campaigns(contest)
