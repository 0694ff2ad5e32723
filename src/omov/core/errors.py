"""Errors a service raises when a request cannot be carried out, with words a person can act on."""

from __future__ import annotations

from collections.abc import Sequence


class ServiceError(Exception):
    """Refuse a request: the message says what was wrong and what to do next.

    Views show the message on the page, the CLI prints it and exits non-zero. Nothing has been
    written when a service raises this (services run in one transaction).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermissionRefused(ServiceError):
    """The actor's role does not allow this request."""


class Blocked(ServiceError):
    """A lifecycle step cannot happen yet; ``blockers`` lists every reason."""

    def __init__(self, step: str, blockers: Sequence[str]) -> None:
        self.step = step
        self.blockers = list(blockers)
        listed = "; ".join(self.blockers)
        super().__init__(f"Cannot {step} yet: {listed}")
