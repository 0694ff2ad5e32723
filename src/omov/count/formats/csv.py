"""Read and write ballots as plain CSV: one ballot per row, preferences in rank order.

The layout, chosen so that a spreadsheet export of a ranked ballot needs no editing:

* Each row is one ballot. Its cells hold candidate names in preference order: the first cell is
  preference 1, the second preference 2, and so on. A blank cell between two names is a skipped
  rank; blank cells at the end of a row are ignored. A row whose cells are all blank is a blank
  ballot (it counts as a ballot but gives no preference). Completely empty lines are ignored.
* A cell holding several names joined by ``=`` (``Alice=Bob``) marks those candidates at the same
  rank: an overvote. So a candidate name cannot contain ``=``.
* Names are trimmed of surrounding spaces and compared exactly (case matters). Cells that contain
  commas must be quoted the usual CSV way (``"Smith, Jo"``).
* **What a candidate name may hold:** any printable text — letters of any script, digits, spaces,
  punctuation, symbols. Not ``=`` (it joins an overvote), and none of: control characters (the
  C0 and C1 ranges, so no tab or line break), the Unicode line and paragraph separators, and the
  bidirectional-text controls (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which can make a
  name display as a different name. A name holding one is refused with its line number.
* The first row may be a header. It is taken as a header when every cell in it is a rank label
  (``1``, ``rank 1``, ``Rank_2``, ``preference 3``, ``1st choice``, ``second`` ...) or a count
  column name, unless a ``# candidates:`` line names every cell of that row as a candidate, or a
  ``# header: no`` line says there is none (``# header: yes`` forces it).
* A header cell named ``count``, ``weight``, ``votes``, ``ballots``, ``number`` or ``frequency``
  (any case) marks a count column: that row stands for that many identical ballots. Its values
  must be whole numbers (0 or more); the other columns are the preferences.
* Lines starting with ``#`` are comments. A few comments are directives (key case-insensitive):
  ``# candidates: a, b, c`` lists the candidates (CSV-quoted where needed) — names on ballots that
  are not in it are *unknown candidates*, for the validity rules to judge; without it the
  candidates are every name seen on any ballot, in sorted order (so reordering the rows never
  changes the count), and the file's notes list them, so a misspelt name shows on the report.
  ``# seats: N``, ``# title: text`` and ``# withdrawn: a, b`` set the
  election's details.
* The file is UTF-8 (a byte-order mark is allowed), with any line endings.

Speed: identical lines are counted before anything is parsed, so a million-row export with a few
thousand distinct orderings is parsed a few thousand times, not a million.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from omov.count.ballots import BallotFile, RawBallot
from omov.count.errors import CountInputError
from omov.count.formats.csv_fast import FORBIDDEN_IN_NAME as _FORBIDDEN_IN_NAME
from omov.count.formats.csv_fast import read_fast
from omov.count.limits import MAX_CANDIDATES, MAX_RANKS, whole_number

__all__ = ["COUNT_COLUMN_NAMES", "read_csv", "spreadsheet_safe", "write_csv"]

COUNT_COLUMN_NAMES = frozenset({"count", "weight", "votes", "ballots", "number", "frequency"})
_ORDINAL_WORDS = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
_RANK_LABEL = re.compile(
    r"(?:(?:rank|preference|pref|choice|round)\s*[_#.-]?\s*)?"
    rf"(?:\d+(?:st|nd|rd|th)?|{_ORDINAL_WORDS})"
    r"(?:\s*[_-]?\s*(?:rank|preference|pref|choice))?",
    re.IGNORECASE,
)
_DIRECTIVES = frozenset({"candidates", "seats", "title", "withdrawn", "header"})
_BOM = b"\xef\xbb\xbf"
_CHUNK_BYTES = 4 * 1024 * 1024

# One distinct line: where it is (line number, or its bytes to look the number up on error),
# its cells, its text, and how many times it occurs.
_Row = tuple[int | bytes, list[str], str, int]


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Return ``text`` so that a spreadsheet shows it as text and never runs it as a formula.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    apostrophe (OWASP's advice against CSV injection); anything else is returned unchanged.
    Use it for every text cell of a CSV *report* meant for people (never for numbers omov
    wrote, and never for a ballot file, which must read back to the same names: see
    docs/decisions/0008-count-input-limits.md). Pure; safe for any app to reuse.
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def read_csv(data: bytes, *, source: str = "", fast: bool = True) -> BallotFile:
    """Parse CSV ballots (see the module docstring for the layout) into a :class:`BallotFile`.

    ``fast`` lets plain rows take the vectorised path (:mod:`omov.count.formats.csv_fast`),
    whose ballots come as a :class:`~omov.count.ballots.RankingTable`; ``fast=False`` reads
    every row the ordinary way, the oracle the fast path is tested against. Both give the same
    ballots. Raises :class:`CountInputError` naming the line and column for anything it cannot
    read.
    """
    return _CsvReader(data, source).read(fast=fast)


def write_csv(ballot_file: BallotFile) -> str:
    """Write ``ballot_file`` in the layout :func:`read_csv` reads, with a count column.

    Names are written exactly, not passed through :func:`spreadsheet_safe`: this is a ballot
    file for a counter, and it must read back to the very same ballots.

    Raises ``ValueError`` if a name cannot be written in this layout (it contains ``=``, a control
    character or a text-direction control, starts with ``#``, is empty, or has surrounding
    spaces).
    """
    for name in _all_names(ballot_file):
        _check_writable(name)
    width = max((len(ballot.marks) for ballot in ballot_file.ballots), default=0)
    out = io.StringIO()
    if ballot_file.title is not None:
        if "\n" in ballot_file.title or "\r" in ballot_file.title:
            raise ValueError("A CSV ballot file's title cannot contain a line break.")
        out.write(f"# title: {ballot_file.title}\n")
    if ballot_file.seats is not None:
        out.write(f"# seats: {ballot_file.seats}\n")
    out.write(f"# candidates: {_join_names(ballot_file.candidates)}\n")
    if ballot_file.withdrawn:
        ordered = [c for c in ballot_file.candidates if c in ballot_file.withdrawn]
        ordered += sorted(ballot_file.withdrawn - set(ordered))
        out.write(f"# withdrawn: {_join_names(ordered)}\n")
    out.write("# header: yes\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["count", *(f"rank {i}" for i in range(1, max(width, 1) + 1))])
    for ballot in ballot_file.ballots:
        writer.writerow([str(ballot.weight), *("=".join(names) for names in ballot.marks)])
    return out.getvalue()


def _forbidden_message(name: str, character: str) -> str:
    return (
        f"The name {name!r} holds the character U+{ord(character):04X}, which a candidate name "
        "may not hold (control characters, line breaks and text-direction controls); a name is "
        "printable text."
    )


def _all_names(ballot_file: BallotFile) -> Iterable[str]:
    yield from ballot_file.candidates
    yield from ballot_file.withdrawn
    for ballot in ballot_file.ballots:
        for names in ballot.marks:
            yield from names


def _check_writable(name: str) -> None:
    if not name or name != name.strip():
        raise ValueError(f"Candidate name {name!r} is empty or has surrounding spaces.")
    if "=" in name or "\n" in name or "\r" in name or name.startswith("#"):
        raise ValueError(
            f"Candidate name {name!r} cannot be written as CSV: it contains '=' or a line break, "
            "or starts with '#'."
        )
    forbidden = _FORBIDDEN_IN_NAME.search(name)
    if forbidden:
        raise ValueError(_forbidden_message(name, forbidden.group()))


def _join_names(names: Sequence[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(names)
    return out.getvalue()


def _count_lines(data: bytes) -> Counter[bytes]:
    """Count identical lines, a few megabytes at a time so that peak memory stays low.

    Chunks end just after a ``\\n``, so no line (not even a ``\\r\\n`` ending) is cut in two,
    and the lines are exactly those of ``data.splitlines()``.
    """
    counts: Counter[bytes] = Counter()
    start, size = 0, len(data)
    while start < size:
        end = data.find(b"\n", min(start + _CHUNK_BYTES, size))
        end = size if end < 0 else end + 1
        counts.update(data[start:end].splitlines())
        start = end
    return counts


class _CsvReader:
    """One parse of one file; holds the location details for error messages."""

    def __init__(self, data: bytes, source: str) -> None:
        self.data = data[len(_BOM) :] if data.startswith(_BOM) else data
        self.source = source

    # -- errors -------------------------------------------------------------------------------

    def _line_of(self, raw_line: bytes) -> int | None:
        for number, line in enumerate(self.data.splitlines(), start=1):
            if line == raw_line:
                return number
        return None

    def _error(
        self,
        message: str,
        raw_line: bytes | None = None,
        *,
        line: int | None = None,
        field: str | None = None,
    ) -> CountInputError:
        if line is None and raw_line is not None:
            line = self._line_of(raw_line)
        return CountInputError(message, source=self.source, line=line, field=field)

    # -- reading ------------------------------------------------------------------------------

    def read(self, *, fast: bool = True) -> BallotFile:
        if fast:
            ballot_file = read_fast(self)
            if ballot_file is not None:
                return ballot_file
        distinct = _count_lines(self.data)
        # A comment line is never CSV: its quotes cannot open a cell that spans lines.
        has_multiline_quotes = b'"' in self.data and any(
            line.count(b'"') % 2 and not line.lstrip().startswith(b"#")
            for line in distinct
            if b'"' in line
        )
        rows = self._rows_full_parse() if has_multiline_quotes else self._rows_by_line(distinct)
        return self._build(rows)

    def _decode_lines(self, raw_lines: list[bytes]) -> list[str]:
        """Decode many lines with one call; on bad UTF-8, find the line and say which."""
        if not raw_lines:
            return []
        try:
            return b"\n".join(raw_lines).decode("utf-8").split("\n")
        except UnicodeDecodeError:
            pass
        for raw_line in raw_lines:
            try:
                raw_line.decode("utf-8")
            except UnicodeDecodeError as error:
                raise self._error(
                    f"This line is not valid UTF-8 text (byte {error.start + 1}). "
                    "Save the file as UTF-8 and try again.",
                    raw_line,
                ) from None
        raise AssertionError("unreachable: the joined lines failed to decode but none alone did")

    def _rows_by_line(self, distinct: Counter[bytes]) -> list[_Row]:
        """Return one row per distinct line: the line itself, its cells, its text, its count."""
        raw_lines = list(distinct)
        rows: list[_Row] = []
        for raw_line, text, times in zip(
            raw_lines, self._decode_lines(raw_lines), distinct.values(), strict=True
        ):
            if text.lstrip().startswith("#"):
                cells = []  # a comment or directive: read as text in _build, never as CSV
            elif '"' in text:
                try:
                    cells = next(csv.reader([text], strict=True), [])
                except csv.Error as error:
                    raise self._error(f"This line is not valid CSV ({error}).", raw_line) from None
            else:
                cells = text.split(",")
            rows.append((raw_line, cells, text, times))
        return rows

    def _rows_full_parse(self) -> list[_Row]:
        """Parse record by record: needed when a quoted cell spans lines.

        A record starts on a line and takes following lines while it holds an odd number of
        double quotes (a well-formed CSV cell doubles the quotes inside it, so odd means a
        quoted cell is still open). A record that starts with ``#`` is a comment, kept whole as
        text and never parsed as CSV, exactly as when every record is one line.
        """
        try:
            text = self.data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise self._error(
                "This line is not valid UTF-8 text. Save the file as UTF-8 and try again.",
                line=self.data.count(b"\n", 0, error.start) + 1,
            ) from None
        physical = text.splitlines(keepends=True)
        seen: dict[tuple[str, ...], tuple[int, str, list[int]]] = {}
        comments: dict[str, list[int]] = {}
        position = 0
        while position < len(physical):
            start_line = position + 1
            record = physical[position]
            position += 1
            if record.lstrip().startswith("#"):
                key = record.rstrip("\r\n")
                comments.setdefault(key, [start_line, 0])[1] += 1
                continue
            quotes = record.count('"')
            while quotes % 2 and position < len(physical):
                record += physical[position]
                quotes += physical[position].count('"')
                position += 1
            if not record.strip("\r\n"):
                continue  # an empty line is no ballot
            try:
                cells = next(csv.reader(io.StringIO(record, newline=""), strict=True), [])
            except csv.Error as error:
                raise self._error(
                    f"This line is not valid CSV ({error}).", line=start_line
                ) from None
            entry = seen.get(tuple(cells))
            if entry is None:
                seen[tuple(cells)] = (start_line, record.rstrip("\r\n"), [1])
            else:
                entry[2][0] += 1
        rows: list[_Row] = [
            (line, [], text_line, times) for text_line, (line, times) in comments.items()
        ]
        # The text kept is the record as written, so a quoted "#name" is never a comment.
        rows.extend(
            (line, list(key), record_text, times[0])
            for key, (line, record_text, times) in seen.items()
        )
        return rows

    def _fail(self, message: str, where: int | bytes, field: str | None = None) -> CountInputError:
        if isinstance(where, int):
            return self._error(message, line=where, field=field)
        return self._error(message, where, field=field)

    def _build(self, rows: list[_Row]) -> BallotFile:
        directives, data_rows = self._split(rows)
        declared, withdrawn, seats, title = self._details(directives)
        header_cells, count_column, data_rows = self._header(data_rows, directives, declared)
        grouped = self._group(data_rows, header_cells, count_column)
        if not grouped:
            raise self._error(
                "The file holds no ballots: add one row per ballot, preferences in rank order."
            )
        candidates, notes = self._candidates(declared, set().union(*grouped))
        return BallotFile(
            candidates=candidates,
            ballots=tuple(RawBallot(marks, weight) for marks, weight in grouped.items()),
            seats=seats,
            title=title,
            withdrawn=frozenset(withdrawn or ()),
            source=self.source,
            notes=notes,
        )

    def _split(self, rows: list[_Row]) -> tuple[dict[str, tuple[str, int | bytes]], list[_Row]]:
        """Return the directives (``# key: value``) and the data rows; drop other comments."""
        directives: dict[str, tuple[str, int | bytes]] = {}
        data_rows: list[_Row] = []
        for row in rows:
            text = row[2]
            if "#" not in text:  # the common case, decided without copying the text
                if text and not text.isspace():
                    data_rows.append(row)
                continue
            stripped = text.strip()
            if not stripped.startswith("#"):
                data_rows.append(row)
                continue
            where = row[0]
            key, separator, value = stripped[1:].partition(":")
            key = key.strip().lower()
            if not separator or key not in _DIRECTIVES:
                continue  # an ordinary comment
            if key in directives and directives[key][0] != value.strip():
                raise self._fail(f"The '# {key}:' line appears twice with different values.", where)
            directives[key] = (value.strip(), where)
        return directives, data_rows

    def _details(
        self, directives: dict[str, tuple[str, int | bytes]]
    ) -> tuple[list[str] | None, list[str] | None, int | None, str | None]:
        """Return the declared candidates, withdrawn candidates, seats and title."""
        declared = self._names_directive(directives, "candidates")
        withdrawn = self._names_directive(directives, "withdrawn")
        seats = self._seats(directives)
        title = directives["title"][0] if "title" in directives else None
        return declared, withdrawn, seats, title

    def _header(
        self,
        data_rows: list[_Row],
        directives: dict[str, tuple[str, int | bytes]],
        declared: list[str] | None,
    ) -> tuple[list[str] | None, int | None, list[_Row]]:
        """Return the header cells (or None), the count column (or None) and the ballot rows."""
        header_cells: list[str] | None = None
        count_column: int | None = None
        if data_rows and self._is_header(data_rows[0][1], directives, declared):
            header_where = data_rows[0][0]
            header_cells = [cell.strip() for cell in data_rows[0][1]]
            data_rows = data_rows[1:]
            count_positions = [
                i for i, cell in enumerate(header_cells) if cell.lower() in COUNT_COLUMN_NAMES
            ]
            if len(count_positions) > 1:
                raise self._fail(
                    "The header names more than one count column; keep only one.", header_where
                )
            if count_positions:
                count_column = count_positions[0]
        return header_cells, count_column, data_rows

    def _group(
        self, data_rows: list[_Row], header_cells: list[str] | None, count_column: int | None
    ) -> dict[tuple[tuple[str, ...], ...], int]:
        """Return {marks: total weight} over the ballot rows."""
        weighted_rows = [(where, cells, times) for where, cells, _text, times in data_rows]
        for where, cells, _times in weighted_rows:
            if len(cells) > MAX_RANKS + 1:  # one more: the count column
                raise self._fail(
                    f"This row has {len(cells):,} cells; omov reads at most {MAX_RANKS:,} ranks "
                    "on a ballot.",
                    where,
                )
        if count_column is not None:
            assert header_cells is not None
            weighted_rows = [
                self._take_count(where, cells, times, count_column, header_cells[count_column])
                for where, cells, times in weighted_rows
            ]
        mark_of = self._cell_marks(weighted_rows, header_cells, count_column)
        grouped: dict[tuple[tuple[str, ...], ...], int] = {}
        mark = mark_of.__getitem__
        for _where, cells, weight in weighted_rows:
            marks = tuple(map(mark, cells))
            while marks and not marks[-1]:
                marks = marks[:-1]
            if weight:
                grouped[marks] = grouped.get(marks, 0) + weight
        return grouped

    def _candidates(
        self, declared: list[str] | None, distinct_marks: set[tuple[str, ...]]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Return the candidates (declared, or every name marked, sorted) and the notes."""
        if declared is not None:
            return tuple(declared), ()
        candidates = tuple(sorted({name for names in distinct_marks for name in names}))
        if not candidates:
            raise self._error(
                "No ballot names any candidate, and there is no '# candidates:' line."
            )
        notes = (
            f"There is no '# candidates:' line, so the candidates are the {len(candidates)} "
            f"names found on the ballots: {', '.join(candidates)}. Check that none is "
            "misspelt; a '# candidates:' line makes a misspelt name an unknown candidate.",
        )
        return candidates, notes

    def _take_count(
        self, where: int | bytes, cells: list[str], times: int, column: int, field: str
    ) -> tuple[int | bytes, list[str], int]:
        """Split the count cell off a row; return the row's preference cells and its weight."""
        raw_count = cells[column].strip() if column < len(cells) else ""
        if not raw_count.isascii() or not raw_count.isdigit():
            raise self._fail(
                f"The count must be a whole number (0 or more), not {raw_count!r}.", where, field
            )
        try:
            weight = whole_number(raw_count, what="count", field=field)
        except CountInputError as error:
            raise self._fail(error.message, where, field) from None
        return where, cells[:column] + cells[column + 1 :], weight * times

    def _cell_marks(
        self,
        rows: list[tuple[int | bytes, list[str], int]],
        header_cells: list[str] | None,
        count_column: int | None,
    ) -> dict[str, tuple[str, ...]]:
        """Map every distinct cell text to the names it marks; say where a bad cell is."""
        mark_of: dict[str, tuple[str, ...]] = {}
        for cell in set().union(*(cells for _where, cells, _weight in rows)):
            name = cell.strip()
            forbidden = _FORBIDDEN_IN_NAME.search(name)
            if forbidden:
                where, position = next(
                    (where, cells.index(cell)) for where, cells, _weight in rows if cell in cells
                )
                raise self._fail(
                    _forbidden_message(name, forbidden.group()),
                    where,
                    self._column_name(position, header_cells, count_column),
                )
            if not name:
                mark_of[cell] = ()
            elif "=" not in name:
                mark_of[cell] = (name,)
            else:
                names = tuple(part.strip() for part in name.split("="))
                if not all(names):
                    where, position = next(
                        (where, cells.index(cell))
                        for where, cells, _weight in rows
                        if cell in cells
                    )
                    raise self._fail(
                        f"{name!r} has an empty name beside '='; write names joined by '=' "
                        "(Alice=Bob) to mark them at the same rank.",
                        where,
                        self._column_name(position, header_cells, count_column),
                    )
                mark_of[cell] = names
        return mark_of

    @staticmethod
    def _column_name(
        position: int, header_cells: list[str] | None, count_column: int | None
    ) -> str:
        if header_cells is not None:
            index = position if count_column is None or position < count_column else position + 1
            if index < len(header_cells) and header_cells[index]:
                return header_cells[index]
        return f"column {position + 1}"

    def _names_directive(
        self, directives: dict[str, tuple[str, int | bytes]], key: str
    ) -> list[str] | None:
        if key not in directives:
            return None
        value, where = directives[key]
        try:
            cells = next(csv.reader([value], skipinitialspace=True), [])
        except csv.Error as error:
            raise self._fail(f"The '# {key}:' line is not valid CSV ({error}).", where) from None
        if len(cells) > MAX_CANDIDATES:
            raise self._fail(
                f"The '# {key}:' line names {len(cells):,} candidates; omov counts at most "
                f"{MAX_CANDIDATES:,}.",
                where,
            )
        names = [cell.strip() for cell in cells]
        if not names or not all(names):
            raise self._fail(
                f"The '# {key}:' line has an empty name; list names separated by commas.", where
            )
        if len(set(names)) != len(names):
            duplicates = sorted({n for n in names if names.count(n) > 1})
            raise self._fail(
                f"The '# {key}:' line names {', '.join(duplicates)} more than once.", where
            )
        for name in names:
            if "=" in name:
                raise self._fail(f"Candidate name {name!r} cannot contain '='.", where)
            forbidden = _FORBIDDEN_IN_NAME.search(name)
            if forbidden:
                raise self._fail(_forbidden_message(name, forbidden.group()), where)
        return names

    def _seats(self, directives: dict[str, tuple[str, int | bytes]]) -> int | None:
        if "seats" not in directives:
            return None
        value, where = directives["seats"]
        if not value.isascii() or not value.isdigit() or value.strip("0") == "":
            raise self._fail(
                f"The '# seats:' line must give a whole number of seats (1 or more), "
                f"not {value!r}.",
                where,
            )
        try:
            return whole_number(value, what="number of seats", minimum=1, maximum=MAX_CANDIDATES)
        except CountInputError as error:
            raise self._fail(error.message, where, "seats") from None

    def _is_header(
        self,
        cells: list[str],
        directives: dict[str, tuple[str, int | bytes]],
        declared: list[str] | None,
    ) -> bool:
        if "header" in directives:
            value, where = directives["header"]
            if value.lower() in {"yes", "true", "1"}:
                return True
            if value.lower() in {"no", "false", "0"}:
                return False
            raise self._fail(f"The '# header:' line must say yes or no, not {value!r}.", where)
        names = [cell.strip() for cell in cells if cell.strip()]
        if not names:
            return False
        if declared is not None and all(name in declared for name in names):
            return False
        return all(
            name.lower() in COUNT_COLUMN_NAMES or _RANK_LABEL.fullmatch(name) for name in names
        )
