"""The error a command raises to stop with a message for the person at the terminal."""

from __future__ import annotations


class CommandError(Exception):
    """Stop the command with this message on stderr and a non-zero exit (no traceback)."""

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
