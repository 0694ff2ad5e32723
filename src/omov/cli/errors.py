"""The error a command raises to stop with a message for the person at the terminal."""

from __future__ import annotations


class CommandError(Exception):
    """Stop the command with this message on stderr and a non-zero exit (no traceback)."""

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def step_refused(error: Exception) -> CommandError:
    """Turn a service's refusal of a lifecycle step into one line for the terminal.

    A ``contests.timetable.TimetableConflict`` (recognised by its ``conflicts``) says what
    conflicts and that ``--reason`` lets the step go ahead; anything else keeps its message.
    """
    conflicts = getattr(error, "conflicts", None)
    if conflicts:
        step = getattr(error, "step_label", "This step")
        return CommandError(
            f"“{step}” now goes against the timetable: {'; '.join(conflicts)}. To go ahead "
            'anyway, run the command again with --reason "why" (kept in the audit trail).'
        )
    return CommandError(str(getattr(error, "message", error)))
