"""Fixtures shared by all tests: named personas and a contest like Labour's 2016 contest."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest


def find_shared_data() -> Path:
    """Return the shared/data directory that sits beside the repository checkout."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    raise RuntimeError(
        "Cannot find shared/data beside the repository; the real-election tests need it "
        "(expected at ../shared/data relative to the checkout)."
    )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return find_shared_data()


@pytest.fixture(scope="session")
def labour_2016(shared_data: Path) -> dict[str, Any]:
    contests = json.loads((shared_data / "labour-contests.json").read_text())["contests"]
    return next(c for c in contests if c["id"] == "labour-leader-2016")


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
