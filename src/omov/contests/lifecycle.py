"""The contest lifecycle: steps, their blockers, and the services that take them.

Each step moves a contest from one status to the next and stamps one ``<step>_at`` field. Apps add
their own blockers (e.g. the roll must be evaluated before it is frozen) and their own service for a
step (e.g. opening the ballot issues credentials) from their ``AppConfig.ready()``:

    lifecycle.register_blocker("freeze_roll", freeze_roll_blockers)
    lifecycle.register_step_service("freeze_roll", roll_freeze)

A step service must call ``contests.services.contest_transition`` inside its transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from omov.contests.models import ContestStatus

if TYPE_CHECKING:
    from omov.contests.models import Contest


@dataclass(frozen=True)
class Step:
    """One lifecycle step: its name, the status it leaves and enters, and the field it stamps."""

    name: str
    label: str
    from_status: str
    to_status: str
    stamp_field: str


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "open_nominations",
            "Open nominations",
            ContestStatus.DRAFT,
            ContestStatus.NOMINATIONS,
            "nominations_opened_at",
        ),
        Step(
            "freeze_roll",
            "Freeze the roll",
            ContestStatus.NOMINATIONS,
            ContestStatus.ROLL_FROZEN,
            "roll_frozen_at",
        ),
        Step(
            "open_ballot",
            "Open the ballot",
            ContestStatus.ROLL_FROZEN,
            ContestStatus.BALLOT_OPEN,
            "ballot_opened_at",
        ),
        Step(
            "close_ballot",
            "Close the ballot",
            ContestStatus.BALLOT_OPEN,
            ContestStatus.CLOSED,
            "ballot_closed_at",
        ),
        Step("count", "Count the votes", ContestStatus.CLOSED, ContestStatus.COUNTED, "counted_at"),
        Step(
            "declare",
            "Declare the result",
            ContestStatus.COUNTED,
            ContestStatus.DECLARED,
            "declared_at",
        ),
    )
}

BlockerProvider = Callable[["Contest"], list[str]]
StepService = Callable[..., Any]

_blockers: dict[str, list[BlockerProvider]] = {name: [] for name in STEPS}
_step_services: dict[str, StepService] = {}


def register_blocker(step: str, provider: BlockerProvider) -> None:
    """Add a function listing reasons ``step`` cannot be taken yet (empty list: none)."""
    if provider not in _blockers[step]:
        _blockers[step].append(provider)


def register_step_service(step: str, service: StepService) -> None:
    """Name the service that takes ``step`` (called with ``contest=`` and ``actor=``)."""
    _step_services[step] = service


def blocker_providers(step: str) -> list[BlockerProvider]:
    """Return the registered blocker providers of a step."""
    return list(_blockers[step])


def step_service(step: str) -> StepService | None:
    """Return the registered service for a step, or None for the plain transition."""
    return _step_services.get(step)


def next_step(contest: Contest) -> Step | None:
    """Return the step that leaves the contest's current status, if any."""
    for step in STEPS.values():
        if step.from_status == contest.status:
            return step
    return None
