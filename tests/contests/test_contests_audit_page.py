"""The audit trail page is paged: a full-size contest has thousands of events."""

from __future__ import annotations

from typing import Any

import pytest

from factories import ContestFactory
from omov.contests.views import AUDIT_PAGE_SIZE
from omov.core.services import audit_record

pytestmark = pytest.mark.django_db


def test_the_trail_shows_one_page_at_a_time_newest_first(client: Any, scrutineer: Any) -> None:
    contest = ContestFactory(slug="paged", status="ballot_open")
    for number in range(AUDIT_PAGE_SIZE + 5):
        audit_record(action="test.event", summary=f"Event number {number:04d}", contest=contest)
    client.force_login(scrutineer)
    first = client.get("/contests/paged/audit/").content.decode()
    total = contest.audit_events.count()
    assert f"Events 1–{AUDIT_PAGE_SIZE} of {total}, newest first." in first
    assert f"Event number {AUDIT_PAGE_SIZE + 4:04d}" in first  # the newest
    assert "Event number 0000" not in first
    assert 'href="?page=2">Older events</a>' in first
    last = client.get("/contests/paged/audit/?page=2").content.decode()
    assert "Event number 0000" in last and 'href="?page=1">Newer events</a>' in last
    assert "The audit trail verifies." in last
