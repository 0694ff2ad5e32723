"""Plain-text output that several `omov` commands share."""

from __future__ import annotations

import sys
from typing import Any


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """Return a plain-text table with left-aligned columns."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [headers, ["-" * width for width in widths], *rows]
    ]
    return "\n".join(lines)


def progress_bar(total: int | None, unit: str, *, description: str = "", shown: bool = True) -> Any:
    """Return one progress bar, drawn in place on the terminal and cleared when done.

    Drawn only when standard error is a terminal: in a log or a pipe every redraw would be a
    line of its own, so the same bar showed twice (at 0 % and at 100 %, issue 15, item 11); the
    command's summary line says what was done. ``shown=False`` draws none, for commands whose own
    output (mail printed to the console) would split the bar into copies.
    """
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit=unit,
        desc=description or None,
        file=sys.stderr,
        disable=True if not shown else not sys.stderr.isatty(),
        dynamic_ncols=True,
        leave=False,
    )
