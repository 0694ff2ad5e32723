"""Journey: closing the ballot before its advertised close asks the returning officer why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from omov.contests.models import ContestStatus
from omov.core import clock
from omov.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def serious_violations(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"moderate", "serious", "critical"}
    ]


def test_closing_early_needs_a_reason_that_the_audit_keeps(
    page: Any, sign_in: Any, contest: Any, returning_officer: Any
) -> None:
    contest.status = ContestStatus.BALLOT_OPEN
    contest.ballot_closes_at = clock.now() + dt.timedelta(days=7)
    contest.save()
    sign_in(page, returning_officer.username)
    page.goto(f"/contests/{contest.slug}/")
    note = page.get_by_role("note").filter(has_text="goes against the timetable")
    assert "voters were told they could vote until then" in note.inner_text()
    assert serious_violations(page) == []
    page.get_by_label("Why go ahead now? (kept in the audit trail)").fill(
        "The court ordered the ballot closed today."
    )
    page.get_by_role("button", name="Close the ballot").click()
    page.get_by_text("Done: close the ballot.").wait_for()
    contest.refresh_from_db()
    assert contest.status == ContestStatus.CLOSED
    event = AuditEvent.objects.get(action="contest.close_ballot")
    assert event.reason == "The court ordered the ballot closed today."
