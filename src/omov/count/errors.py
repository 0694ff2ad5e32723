"""Errors raised by the count library for bad input."""

from __future__ import annotations


class CountInputError(Exception):
    """Report bad input: what was wrong and where (file, line, field).

    Every reader and every validation step raises only this type for problems in the input, so a
    caller (the CLI, the web app) can show the message to a person instead of a traceback.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.field = field
        super().__init__(self.describe())

    def describe(self) -> str:
        """Return the message prefixed with its location, e.g. ``ward1.blt, line 4: ...``."""
        where = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message
