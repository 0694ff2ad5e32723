"""Fixtures shared by all tests: named personas and a contest like Labour's 2016 contest."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import checkout_guard

checkout_guard.install()

# Hypothesis keeps no example database: a failure found by an earlier run (kept in .hypothesis/)
# must not change what a later run tests, so a green or red suite means the same on every
# machine. Examples worth keeping are written into the tests as explicit @example cases. The
# generation stays random (each run explores new inputs); "ci" also derandomizes it, so a CI
# failure reproduces exactly with HYPOTHESIS_PROFILE=ci.
settings.register_profile("default", database=None)
settings.register_profile("ci", database=None, derandomize=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)


@pytest.fixture(scope="session")
def labour_contests_path() -> Path:
    """Return the published figures of real Labour contests, as the package ships them."""
    from omov.demo.figures import published_figures_path

    return published_figures_path()


@pytest.fixture(scope="session")
def labour_2016(labour_contests_path: Path) -> dict[str, Any]:
    contests = json.loads(labour_contests_path.read_text(encoding="utf-8"))["contests"]
    return next(c for c in contests if c["id"] == "labour-leader-2016")


@pytest.fixture(autouse=True)
def _nothing_read_beside_the_checkout() -> Any:
    """Fail a test that looked beside the checkout even where the refusal was swallowed."""
    yield
    seen = list(checkout_guard.READS_BESIDE_THE_CHECKOUT)
    checkout_guard.READS_BESIDE_THE_CHECKOUT.clear()
    assert not seen, f"Read beside the checkout: {seen[0]} (everything must be in the repository)."


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Start every test with an empty cache: ids are reused after a rolled-back test."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def superuser(db: Any) -> Any:
    """A superuser for the Django admin (shadows pytest-django's ``admin_user``-based fixtures)."""
    from factories import UserFactory

    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(superuser: Any) -> Any:
    """A test client logged in as ``superuser``."""
    from django.test import Client

    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def returning_officer(db: Any) -> Any:
    from factories import UserFactory, grant
    from omov.core.models import Role

    user = UserFactory(username="returning-officer", is_staff=True)
    grant(user, Role.RETURNING_OFFICER)
    return user


@pytest.fixture
def scrutineer(db: Any) -> Any:
    from factories import UserFactory, grant
    from omov.core.models import Role

    user = UserFactory(username="scrutineer")
    grant(user, Role.SCRUTINEER)
    return user


@pytest.fixture
def contest(db: Any) -> Any:
    """A draft leadership contest with an incumbent and a challenger, IRV, one seat."""
    from factories import CandidateFactory, ContestFactory
    from omov.contests.models import CandidateStatus

    contest = ContestFactory(slug="leader-2016", title="Leadership election 2016")
    CandidateFactory(
        contest=contest,
        name="Jeremy Corbyn",
        is_incumbent=True,
        ballot_position=1,
        consented_at=dt.datetime(2016, 7, 12, 12, tzinfo=dt.UTC),
    )
    CandidateFactory(
        contest=contest, name="Owen Smith", status=CandidateStatus.PROPOSED, ballot_position=2
    )
    return contest
