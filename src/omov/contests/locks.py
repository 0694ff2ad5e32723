"""What a contest's edits may no longer change, and why: the lifecycle's locks (issue 9).

Shared by the back office (``contests.admin``) and the one service that edits a contest,
``contests.services.contest_update``. Other apps add locks and checks from their
``AppConfig.ready()`` (``register_field_locks``, ``register_change_check``), as they add
lifecycle blockers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from omov.contests.models import Contest, ContestStatus

# field -> (the status from which it is locked, why: shown as its help text)
_STAGE_LOCKS: dict[str, tuple[str, str]] = {
    "slug": (
        ContestStatus.NOMINATIONS,
        "Fixed since nominations opened: the contest's pages are published at this address.",
    ),
    "kind": (
        ContestStatus.NOMINATIONS,
        "Fixed since nominations opened: candidates were nominated for this office.",
    ),
    "seats": (
        ContestStatus.NOMINATIONS,
        "Fixed since nominations opened: candidates stand for these seats and the count fills "
        "them.",
    ),
    "method": (
        ContestStatus.NOMINATIONS,
        "Fixed since nominations opened: the count uses the method announced.",
    ),
    "is_vacancy": (
        ContestStatus.NOMINATIONS,
        "Fixed since nominations opened: it decides the nomination threshold.",
    ),
    "tie_break_seed": (
        ContestStatus.NOMINATIONS,
        "Fixed since nominations opened, so nobody can choose it knowing which ties it would "
        "break.",
    ),
    **{
        name: (
            ContestStatus.ROLL_FROZEN,
            "Fixed since the roll was frozen: the nominations are over.",
        )
        for name in (
            "parliamentary_nominations_open_at",
            "parliamentary_nominations_close_at",
            "branch_nominations_open_at",
            "branch_nominations_close_at",
        )
    },
    **{
        name: (
            ContestStatus.ROLL_FROZEN,
            "Fixed since the roll was frozen: registered-supporter sign-up is over.",
        )
        for name in (
            "supporter_window_opens_at",
            "supporter_window_closes_at",
            "supporter_fee_pence",
        )
    },
    **{
        name: (
            ContestStatus.ROLL_FROZEN,
            "Fixed since the roll was frozen: the roll was decided with it.",
        )
        for name in ("freeze_date", "arrears_deadline")
    },
    "title": (
        ContestStatus.BALLOT_OPEN,
        "Fixed since the ballot opened: voters were sent the ballot under this title.",
    ),
    "ballot_opens_at": (ContestStatus.BALLOT_OPEN, "Fixed since the ballot opened."),
    "ballot_closes_at": (ContestStatus.CLOSED, "Fixed since the ballot closed."),
}

# Candidate field -> the status from which it is locked.
_CANDIDATE_LOCKS: dict[str, str] = {
    "is_incumbent": ContestStatus.NOMINATIONS,
    "status": ContestStatus.NOMINATIONS,
    "consented_at": ContestStatus.NOMINATIONS,
    "name": ContestStatus.BALLOT_OPEN,
    "ballot_position": ContestStatus.BALLOT_OPEN,
}

FieldLocks = Callable[[Contest], dict[str, str]]
"""Return the contest fields another app locks now, each with the reason shown as help text."""

ChangeCheck = Callable[[Contest, dict[str, tuple[Any, Any]]], list[tuple[str | None, str]]]
"""Given a saved contest and its changes ``{field: (old, new)}``, return ``(field, error)``s."""

_field_locks: list[FieldLocks] = []
_change_checks: list[ChangeCheck] = []


def register_field_locks(provider: FieldLocks) -> None:
    """Let another app lock contest fields (called from its ``AppConfig.ready()``)."""
    if provider not in _field_locks:
        _field_locks.append(provider)


def register_change_check(check: ChangeCheck) -> None:
    """Let another app refuse a change to a contest (a form error in the admin)."""
    if check not in _change_checks:
        _change_checks.append(check)


def contest_locked_fields(contest: Contest) -> dict[str, str]:
    """Return the contest's fields the admin must show read-only now, each with the reason."""
    locked = {
        name: reason
        for name, (status, reason) in _STAGE_LOCKS.items()
        if contest.has_reached(status)
    }
    for provider in _field_locks:
        locked.update(provider(contest))
    return locked


def candidate_locked_fields(contest: Contest) -> list[str]:
    """Return the candidate fields the admin must show read-only for this contest now."""
    return [name for name, status in _CANDIDATE_LOCKS.items() if contest.has_reached(status)]


def change_problems(
    contest: Contest, changes: dict[str, tuple[Any, Any]]
) -> list[tuple[str | None, str]]:
    """Run every registered check on ``changes`` (``{field: (old, new)}``) to a saved contest."""
    return [problem for check in _change_checks for problem in check(contest, changes)]
