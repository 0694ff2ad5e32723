"""Plain-text output that several `omov` commands share."""

from __future__ import annotations


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """Return a plain-text table with left-aligned columns."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [headers, ["-" * width for width in widths], *rows]
    ]
    return "\n".join(lines)
