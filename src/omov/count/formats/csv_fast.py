"""The fast path of the CSV reader: plain rows turned into a table of name indices by C code.

Why: reading dominated ``omov count`` on realistically varied ballots (1.18 s of 1.7 s for
1,000,000 ballots with 86,812 distinct rankings; issue 10). The ordinary reader
(:mod:`omov.count.formats.csv`) parses every distinct line in Python and builds a
:class:`~omov.count.ballots.RawBallot` for each; with hundreds of thousands of distinct
rankings that is the whole cost. Benchmark: ``bench/bench_irv_1m.py`` (both data shapes).

How: a few megabytes at a time, numpy finds every comma and line break, so every cell's start
and length; each cell's first eight bytes, read as one 64-bit word, pick the candidate name it
may be, and then the cell is compared with that name eight bytes at a time, so a cell is only
ever read as a name it equals byte for byte. Lines whose every cell is a name, none twice
(*plain* lines), become rows of a small-integer table, grouped by sorting; every other line
(blank ranks, spaces, overvotes, unknown names, anything odd) goes to the ordinary reader,
which also gives every error message. The result is exactly the ordinary reader's: a Hypothesis
test compares them (``tests/count/test_formats_csv_fast.py``); the ordinary reader stays the
oracle.

When the file has a feature the fast path does not handle (quotes, a count column, a directive
after the first ballot, a lone carriage return, more than 30 names), or when its first lines
repeat a lot (then grouping equal lines first, as the ordinary reader does, is cheaper),
:func:`read_fast` returns None and the ordinary reader reads the whole file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from omov.count.ballots import BallotFile, RankingTable, RawBallot

if TYPE_CHECKING:
    from omov.count.formats.csv import _CsvReader

__all__ = ["FORBIDDEN_IN_NAME", "read_fast"]

# One bit per name in an int32 marks the names on a line (a name twice is no plain line).
_MOST_NAMES = 30
_CHUNK_BYTES = 8 * 1024 * 1024
_SAMPLE_LINES = 1_000
_NOT_PLAIN_NAME = re.compile(r"[=\s]|^$")
#: What a candidate name may not hold (see omov.count.formats.csv): control characters, line
#: and paragraph separators, and the text-direction controls.
FORBIDDEN_IN_NAME = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def read_fast(reader: _CsvReader) -> BallotFile | None:
    """Read ``reader``'s file by the fast path, or return None to leave it to the reader."""
    data = reader.data
    if b'"' in data:
        return None
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if b"\r" in data:
            return None
    prelude_end = _prelude_end(data)
    if prelude_end is None:
        return None
    prelude, body_start = data[:prelude_end], prelude_end
    directives, header_rows = reader._split(reader._rows_by_line(Counter(prelude.splitlines())))
    declared, withdrawn, seats, title = reader._details(directives)
    header_cells, count_column, first_rows = reader._header(header_rows, directives, declared)
    if count_column is not None:
        return None
    if first_rows:  # the line taken as a possible header is a ballot: give it back to the body
        body_start = prelude_end - len(header_rows[0][0]) - 1  # type: ignore[arg-type]
    # The body is never copied whole (a 58 MB file would be held three times): each function
    # reads from ``body_start`` on, a chunk at a time.
    if _repeats_a_lot(data, body_start):
        return None  # few distinct lines: grouping equal lines first is cheaper (see above)
    names = declared if declared is not None else _sample_names(data, body_start)
    if not names or len(names) > _MOST_NAMES:
        return None
    encoded = [name.encode("utf-8") for name in names]
    spread = _name_words(encoded)
    if spread is None:
        return None

    tables: list[npt.NDArray[np.int8]] = []
    other_lines: list[bytes] = []
    for chunk in _chunks(data, body_start):
        table, others = _encode(chunk, encoded, spread)
        tables.append(table)
        other_lines.extend(others)
    width = max((table.shape[1] for table in tables), default=0)
    matrix = np.full((sum(table.shape[0] for table in tables), width), -1, dtype=np.int8)
    start = 0
    for table in tables:
        matrix[start : start + table.shape[0], : table.shape[1]] = table
        start += table.shape[0]
    del tables

    rows = reader._rows_by_line(Counter(other_lines)) if other_lines else []
    late_directives, data_rows = reader._split(rows)
    if late_directives:
        return None  # a directive after the first ballot: the ordinary reader handles it
    grouped = reader._group(data_rows, header_cells, None)
    used = np.bincount(matrix.ravel().astype(np.intp) + 1, minlength=len(names) + 1)[1:]
    found = {(names[index],) for index in np.flatnonzero(used).tolist()}
    if matrix.shape[0] == 0 and not grouped:
        raise reader._error(
            "The file holds no ballots: add one row per ballot, preferences in rank order."
        )
    candidates, notes = reader._candidates(declared, set().union(found, *grouped))
    position = {name: index for index, name in enumerate(candidates)}
    remap = np.array([position.get(name, -1) for name in names] + [-1], dtype=np.int16)
    rankings, weights = _group_rows(remap[matrix], len(candidates))
    return BallotFile(
        candidates=candidates,
        ballots=RankingTable(
            candidates,
            rankings,
            weights,
            tuple(RawBallot(marks, weight) for marks, weight in grouped.items()),
        ),
        seats=seats,
        title=title,
        withdrawn=frozenset(withdrawn or ()),
        source=reader.source,
        notes=notes,
    )


def _prelude_end(data: bytes) -> int | None:
    """Return where the body starts: after leading comments, blank lines and one more line."""
    position = 0
    while position < len(data):
        end = data.find(b"\n", position)
        if end < 0:
            return None  # a file of one line: nothing to gain
        line = data[position:end].strip()
        position = end + 1
        if line and not line.startswith(b"#"):
            return position  # this line may be a header; _header decides
    return None


def _repeats_a_lot(data: bytes, start: int) -> bool:
    """Return whether the first lines of a large body repeat a lot (under 40% distinct).

    Then the ordinary reader is faster: it counts equal lines at C speed and parses each
    distinct line once (1,000,000 ballots in 11,510 distinct rankings: about twice as fast as
    this path). Real, varied ballots spread far more (over 70% distinct in the first lines).
    """
    end = start
    for _ in range(_SAMPLE_LINES):
        end = data.find(b"\n", end) + 1
        if end == 0:
            return False  # a small file: either path is quick
    lines = data[start:end].split(b"\n")
    return len(set(lines)) < 0.4 * len(lines)


def _sample_names(data: bytes, start: int) -> list[str] | None:
    """Return the names in the first lines, as guesses for the codes (the rest is checked)."""
    names: set[str] = set()
    sample_end = start
    for _ in range(_SAMPLE_LINES):
        found = data.find(b"\n", sample_end)
        if found < 0:
            sample_end = len(data)
            break
        sample_end = found + 1
    try:
        text = data[start:sample_end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    for line in text.splitlines():
        for cell in line.split(","):
            if not _NOT_PLAIN_NAME.search(cell) and not FORBIDDEN_IN_NAME.search(cell):
                names.add(cell)
    return sorted(names)


def _chunks(data: bytes, start: int) -> Iterator[bytes]:
    """Yield ``data`` from ``start`` in pieces of a few megabytes that end at a line break."""
    size = len(data)
    while start < size:
        end = data.find(b"\n", min(start + _CHUNK_BYTES, size))
        end = size if end < 0 else end + 1
        yield data[start:end]
        start = end


def _name_words(names: list[bytes]) -> tuple[int, npt.NDArray[np.uint64]] | None:
    """Return a modulus that tells the names' first eight bytes apart, and the words.

    A cell's first eight bytes as a little-endian word, masked to its length, taken modulo the
    returned number, index a table of the names; the word and the length are then compared
    exactly, so the modulus only has to spread the names out, never to be trusted.
    """
    words = [int.from_bytes(name[:8].ljust(8, b"\0"), "little") for name in names]
    for modulus in range(len(names), 64 * len(names) + 64):
        if len({word % modulus for word in words}) == len(words):
            return modulus, np.array(words, dtype=np.uint64)
    return None


def _encode(
    chunk: bytes, names: list[bytes], spread: tuple[int, npt.NDArray[np.uint64]]
) -> tuple[npt.NDArray[np.int8], list[bytes]]:
    """Return the plain lines of ``chunk`` as rows of name indices, and the other lines.

    Every cell is compared with a name eight bytes at a time (see :func:`_name_words`): a cell
    is read as a name only when it equals that name exactly, byte for byte.
    """
    text = chunk[:-1] if chunk.endswith(b"\n") else chunk
    size = len(text)
    padded = np.frombuffer(text + b"\0" * 16, dtype=np.uint8)
    data = padded[:size]
    # The eight bytes starting at every position, as one little-endian word (an unaligned view).
    window = np.ndarray((size + 8,), dtype="<u8", buffer=padded, offset=0, strides=(1,))
    is_break = data == 0x0A
    separators = np.flatnonzero(is_break | (data == 0x2C)).astype(np.int32)
    starts = np.empty(separators.shape[0] + 1, dtype=np.int32)
    starts[0] = 0
    starts[1:] = separators + 1
    ends = np.empty_like(starts)
    ends[:-1] = separators
    ends[-1] = size
    lengths = ends - starts
    line_of_cell = np.empty(starts.shape[0], dtype=np.int32)
    line_of_cell[0] = 0
    np.cumsum(is_break[separators], dtype=np.int32, out=line_of_cell[1:])
    line_count = int(line_of_cell[-1]) + 1

    modulus, name_words = spread
    name_lengths = np.array([len(name) for name in names], dtype=np.int32)
    masks = np.array([(1 << (8 * min(n, 8))) - 1 for n in range(0, 9)], dtype=np.uint64)
    slot = np.full(modulus, -1, dtype=np.int8)
    slot[(name_words % np.uint64(modulus)).astype(np.int64)] = np.arange(len(names), dtype=np.int8)
    words = window[starts] & masks[np.minimum(lengths, 8)]
    cell_name = slot[(words % np.uint64(modulus)).astype(np.intp)]
    matched = cell_name >= 0
    guess = np.where(matched, cell_name, 0)
    matched &= (name_words[guess] == words) & (name_lengths[guess] == lengths)
    # Names longer than eight bytes: compare the rest, eight bytes at a time.
    for part in range(1, (int(name_lengths.max()) + 7) // 8):
        long_cells = np.flatnonzero(matched & (lengths > 8 * part))
        if long_cells.size == 0:
            continue
        rest = [
            int.from_bytes(name[8 * part : 8 * part + 8].ljust(8, b"\0"), "little")
            for name in names
        ]
        tail = np.minimum(lengths[long_cells] - 8 * part, 8)
        found = window[starts[long_cells] + 8 * part] & masks[tail]
        expected = np.array(rest, dtype=np.uint64)[cell_name[long_cells]]
        matched[long_cells[found != expected]] = False
    cell_name[~matched] = -1

    # A line is plain when every cell is a name, it has at most as many cells as there are
    # names, and no name twice.
    cells_per_line = np.bincount(line_of_cell, minlength=line_count)
    unknown_per_line = np.bincount(line_of_cell[~matched], minlength=line_count)
    plain = (unknown_per_line == 0) & (cells_per_line <= len(names))
    first_cell = np.concatenate([[0], np.cumsum(cells_per_line)[:-1]])[plain]
    plain_lengths = cells_per_line[plain]
    width = int(plain_lengths.max()) if plain_lengths.size else 0
    table = np.full((plain_lengths.shape[0], width), -1, dtype=np.int8)
    # One bit per name (at most 30 names, so an int32 holds them); -1 (no name) has none.
    bit_of = np.array([1 << index for index in range(len(names))] + [0], dtype=np.int32)
    seen = np.zeros(plain_lengths.shape[0], dtype=np.int32)
    last_cell = cell_name.shape[0] - 1
    for column in range(width):
        names_here = cell_name[np.minimum(first_cell + column, last_cell)]
        table[:, column] = np.where(plain_lengths > column, names_here, -1)
        seen |= bit_of[table[:, column]]
    repeats = np.bitwise_count(seen) != plain_lengths
    if repeats.any():  # a name twice on one line: the ordinary reader applies the rules
        plain[np.flatnonzero(plain)[repeats]] = False
        table = table[~repeats]
    other_lines = np.flatnonzero(~plain)
    others: list[bytes] = []
    if other_lines.size:
        breaks = np.flatnonzero(is_break)
        line_starts = np.concatenate([[0], breaks + 1])[other_lines].tolist()
        line_ends = np.concatenate([breaks, [size]])[other_lines].tolist()
        others = [text[first:last] for first, last in zip(line_starts, line_ends, strict=True)]
    return table, others


def _group_rows(
    matrix: npt.NDArray[np.int16], candidates: int
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int64]]:
    """Return the distinct rows of ``matrix``, sorted, and how many times each occurs.

    Each row is read as one number in base ``candidates + 1`` (padding 0, candidate i as
    i + 1), which orders rows as :func:`~omov.count.profile.group_profile` does; the distinct
    numbers are decoded back into rows. Rows too wide for one int64 are sorted row-wise.
    """
    count, width = matrix.shape
    if count == 0 or width == 0:
        return matrix, np.full(count, 1, dtype=np.int64)
    base = candidates + 1
    if base**width >= 2**62:
        rows, weights = np.unique(matrix, axis=0, return_counts=True)
        return rows, weights.astype(np.int64)
    # The row as a number in base ``base`` (padding -1 as digit 0), by one matrix-vector
    # product. Sorting 32-bit keys takes about half as long as 64-bit ones: use them when they
    # fit (eight candidates ranked in full: 9**8 = 43,046,721).
    key_type = np.int32 if base**width < 2**31 else np.int64
    powers = base ** np.arange(width - 1, -1, -1, dtype=np.int64)
    keys = matrix.astype(key_type) @ powers.astype(key_type) + key_type(powers.sum())
    unique_keys, weights = np.unique(keys, return_counts=True)
    distinct = unique_keys.astype(np.int64)
    rows = np.empty((distinct.shape[0], width), dtype=np.int16)
    for column in range(width - 1, -1, -1):
        rows[:, column] = distinct % base - 1
        distinct //= base
    return rows, weights.astype(np.int64)
