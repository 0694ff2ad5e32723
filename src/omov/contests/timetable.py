"""Timetable sense: which lifecycle steps, taken now, go against the contest's own timetable.

A returning officer may have good cause to take a step early (a window closed by the national
executive, a court order), so a conflict is not a blocker: ``contests.services.contest_transition``
refuses the step until it is given a reason, then records the conflicts and the reason in the
step's audit event. Every interface (the contest page, the ballot office, the CLI's ``--reason``)
goes through that one check.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from omov.core.errors import ServiceError

if TYPE_CHECKING:
    from omov.contests.models import Contest


def when_text(at: dt.datetime) -> str:
    """Return a moment as the timetable shows it: '15 August 2016 at 12:00'."""
    return timezone.localtime(at).strftime("%-d %B %Y at %H:%M")


def _windows_still_open(contest: Contest, at: dt.datetime) -> list[str]:
    """List the nomination and sign-up windows that have not closed yet at ``at``."""
    conflicts = []
    windows = (
        ("parliamentary nominations", contest.parliamentary_nominations_close_at),
        ("branch nominations", contest.branch_nominations_close_at),
        ("registered-supporter sign-up", contest.supporter_window_closes_at),
    )
    for name, closes_at in windows:
        if closes_at is not None and at < closes_at:
            conflicts.append(f"the {name} window is scheduled to close on {when_text(closes_at)}")
    return conflicts


def timetable_conflicts(contest: Contest, step: str, at: dt.datetime) -> list[str]:
    """List every way taking ``step`` at ``at`` goes against the contest's timetable.

    Freezing the roll or opening the ballot ends nominations and sign-ups, so a window still
    open is a conflict; so is freezing before the freeze date (members who join by then would be
    left off), opening the ballot before its advertised opening, and closing it before its
    advertised close (voters were told they had until then). Empty when the step is on time or
    the timetable says nothing about it.
    """
    conflicts: list[str] = []
    if step == "freeze_roll":
        conflicts.extend(_windows_still_open(contest, at))
        if contest.freeze_date is not None and timezone.localdate(at) < contest.freeze_date:
            conflicts.append(
                f"the freeze date is {contest.freeze_date:%-d %B %Y}: members who join by then "
                "would be left off the roll"
            )
    elif step == "open_ballot":
        conflicts.extend(_windows_still_open(contest, at))
        if contest.ballot_opens_at is not None and at < contest.ballot_opens_at:
            conflicts.append(
                f"the ballot is scheduled to open on {when_text(contest.ballot_opens_at)}"
            )
    elif (
        step == "close_ballot"
        and contest.ballot_closes_at is not None
        and at < contest.ballot_closes_at
    ):
        conflicts.append(
            f"the ballot is scheduled to close on {when_text(contest.ballot_closes_at)}, and "
            "voters were told they could vote until then"
        )
    return conflicts


class TimetableConflict(ServiceError):
    """A step goes against the timetable and no reason was given; ``conflicts`` says how."""

    def __init__(self, step_label: str, conflicts: list[str]) -> None:
        self.step_label = step_label
        self.conflicts = list(conflicts)
        super().__init__(
            f"“{step_label}” now goes against the timetable: {'; '.join(self.conflicts)}. "
            "Give the reason for going ahead (it is kept in the audit trail)."
        )
