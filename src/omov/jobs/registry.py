"""The kinds of job: each app registers what its jobs do, from its ``AppConfig.ready()``.

A kind's runner takes the job and a :class:`Reporter` and returns a :class:`JobOutcome`. It
must be safe to run again from the start (a worker killed mid-way leaves its transaction rolled
back, and the job is run again): do the work in one transaction, or skip what is already done.
A :class:`~omov.core.errors.ServiceError` it raises is the user's mistake (a malformed file):
the job fails with that message. Anything else is a fault: the job fails saying so, and the
traceback goes to the worker's log, never to the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from omov.jobs.models import Job


@dataclass(frozen=True)
class JobOutcome:
    """What a job achieved: a sentence for its page and the audit trail, and details."""

    message: str
    result: dict[str, Any] = field(default_factory=dict)
    #: Where the page links when the job is done (a URL), if anywhere.
    next_url: str = ""


class JobRefused(Exception):
    """The job could not do its work for a reason the user can act on; nothing was changed.

    ``result`` keeps details for the page (a roll file's rows with errors, by line and column).
    """

    def __init__(self, message: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.result = result or {}


Reporter = Callable[[int, "int | None", str], None]
Runner = Callable[["Job", Reporter], JobOutcome]

_KINDS: dict[str, Runner] = {}


def job_kind(name: str) -> Callable[[Runner], Runner]:
    """Register ``name``'s runner (a decorator)."""

    def register(runner: Runner) -> Runner:
        if _KINDS.get(name, runner) is not runner:
            raise ValueError(f"The job kind {name!r} is registered twice.")
        _KINDS[name] = runner
        return runner

    return register


def runner_for(name: str) -> Runner | None:
    return _KINDS.get(name)


def kinds() -> list[str]:
    return sorted(_KINDS)
