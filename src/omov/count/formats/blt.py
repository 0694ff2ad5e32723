"""Read and write BLT ballot files (the format of OpenSTV, eSTV and published council profiles).

A BLT file is, line by line::

    4 2                  number of candidates, number of seats
    -3                   optional: withdrawn candidates as negative numbers
    12 1 2 4 0           weight, preferences (candidate numbers from 1), terminating 0
    3 2=3 - 1 0          '=' joins candidates given the same rank; '-' is a skipped rank
    0                    end of ballots
    "Ada Lovelace"       one quoted name per candidate, in number order
    ...
    "Election title"     the title (optional)

Published files are not tidy: the Edinburgh 2017 profiles pad every line with trailing spaces,
end lines with CRLF and write some names with double spaces. The reader strips the padding,
keeps every name exactly as written between its quotes, and groups identical ballots.

Names and the title may also be written **without quotes**, one per line, as a public corpus of
1,100 Scottish council ward files (2007–2022) does (``Yvonne ALLAN (Lab)``,
``Marion DONALDSON     (Lab)``). Such a line is read whole, trimmed at both ends, with runs of
spaces inside kept as written, and the file's :attr:`BallotFile.notes` say so, so the report
shows it. A line that opens a quote and does not close it, or that holds only numbers (a ballot
line where a name was expected: the end-of-ballots ``0`` is misplaced), is still an error.
Anything else it cannot read raises :class:`CountInputError` naming the file, the line and what
was expected.
"""

from __future__ import annotations

import os
import re
from itertools import chain
from pathlib import Path

from omov.count.ballots import BallotFile, RawBallot
from omov.count.errors import CountInputError
from omov.count.limits import MAX_CANDIDATES, MAX_NUMBER_DIGITS, MAX_RANKS, whole_number

__all__ = ["parse_blt", "read_blt", "write_blt"]

# Whole numbers of at most MAX_NUMBER_DIGITS digits only: longer ones take the checked path.
_PLAIN_BALLOT = re.compile(
    rf"[0-9]{{1,{MAX_NUMBER_DIGITS}}}(?:[ \t]+[0-9]{{1,{MAX_NUMBER_DIGITS}}})+"
)


def read_blt(data: str | bytes | os.PathLike[str], *, source: str | None = None) -> BallotFile:
    """Read a BLT ballot file.

    ``data`` is a path (any ``os.PathLike``, e.g. :class:`pathlib.Path`), or the file's
    contents as ``str`` or UTF-8 ``bytes``. A plain ``str`` is always treated as contents,
    never as a file name. ``source`` names the file in messages; it defaults to the path's
    name, or ``"<text>"``.
    """
    if isinstance(data, os.PathLike):
        path = Path(data)
        name = source or path.name
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise CountInputError(f"There is no file at {path}.", source=name) from None
        except OSError as error:
            raise CountInputError(
                f"The file could not be read ({error.strerror}).", source=name
            ) from None
        return parse_blt(_decode(raw, name), source=name)
    if isinstance(data, bytes):
        name = source or "<bytes>"
        return parse_blt(_decode(data, name), source=name)
    return parse_blt(data, source=source or "<text>")


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise CountInputError(
            "The file is not UTF-8 text; save it as UTF-8 and try again.",
            source=source,
            line=line,
        ) from None


def parse_blt(text: str, *, source: str = "<text>") -> BallotFile:
    """Parse the contents of a BLT file; see the module docstring for the format."""
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1)]
    lines = [(number, line) for number, line in lines if line]
    reader = _Lines(lines, source)

    number, header = reader.next("the first line: the number of candidates and of seats")
    parts = header.split()
    if len(parts) != 2:
        raise CountInputError(
            f"Expected two whole numbers (candidates and seats), found {header!r}.",
            source=source,
            line=number,
        )
    # Bounded before anything is allocated for the candidates the header claims.
    candidate_count = _whole(
        parts[0], source, number, "number of candidates", minimum=1, maximum=MAX_CANDIDATES
    )
    seats = _whole(parts[1], source, number, "number of seats", minimum=1, maximum=MAX_CANDIDATES)

    withdrawn_numbers: list[int] = []
    number, line = reader.peek("a ballot line or the end-of-ballots line '0'")
    if line.startswith("-"):
        reader.next("")
        for token in line.split():
            if not token.startswith("-"):
                raise CountInputError(
                    f"Expected withdrawn candidates as negative numbers, found {token!r}.",
                    source=source,
                    line=number,
                )
            withdrawn_numbers.append(_candidate_number(token[1:], candidate_count, source, number))

    grouped: dict[tuple[tuple[int, ...], ...], int] = {}
    singles: list[tuple[int, ...]] = [(index,) for index in range(candidate_count + 1)]
    while True:
        number, line = reader.next("a ballot line or the end-of-ballots line '0'")
        if line == "0":
            break
        tokens = line.split()
        if len(tokens) > MAX_RANKS + 2:
            raise CountInputError(
                f"This ballot has {len(tokens) - 2:,} ranks; omov reads at most {MAX_RANKS:,} "
                "ranks on a ballot.",
                source=source,
                line=number,
            )
        if _PLAIN_BALLOT.fullmatch(line):
            # The common case, at C speed: whole numbers only, no '=' or '-'.
            numbers = list(map(int, tokens))
            preferences = numbers[1:-1]
            if (
                numbers[0] >= 1
                and numbers[-1] == 0
                and len(numbers) >= 2
                and (not preferences or min(preferences) >= 1)
                and (not preferences or max(preferences) <= candidate_count)
            ):
                key = tuple(map(singles.__getitem__, preferences))
                grouped[key] = grouped.get(key, 0) + numbers[0]
                continue
        weight, marks = _ballot_line(line, tokens, candidate_count, source, number)
        key = tuple(marks)
        grouped[key] = grouped.get(key, 0) + weight

    names: list[str] = []
    unquoted: list[int] = []
    for position in range(1, candidate_count + 1):
        number, line = reader.next(f"the name of candidate {position} of {candidate_count}")
        names.append(_name(line, source, number, f"the name of candidate {position}", unquoted))
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in seen:
            raise CountInputError(
                f"Candidates {seen[name]} and {position} are both named {name!r}; "
                "each candidate needs a distinct name.",
                source=source,
            )
        seen[name] = position

    title: str | None = None
    if not reader.done():
        number, line = reader.next("the title")
        title = _name(line, source, number, "the title", unquoted)
    if not reader.done():
        number, line = reader.next("the end of the file")
        raise CountInputError(
            f"Expected the end of the file after the title, found {line!r}.",
            source=source,
            line=number,
        )

    # Share one tuple per distinct mark: less memory, and faster validity lookups.
    shared = {
        mark: tuple(names[index - 1] for index in mark)
        for mark in set(chain.from_iterable(grouped))
    }
    ballots = tuple(
        RawBallot(marks=tuple(map(shared.__getitem__, numbered)), weight=weight)
        for numbered, weight in grouped.items()
    )
    return BallotFile(
        candidates=tuple(names),
        ballots=ballots,
        seats=seats,
        title=title,
        withdrawn=frozenset(names[index - 1] for index in withdrawn_numbers),
        source=source,
        notes=(_unquoted_note(unquoted),) if unquoted else (),
    )


def _ballot_line(
    line: str, tokens: list[str], candidate_count: int, source: str, number: int
) -> tuple[int, list[tuple[int, ...]]]:
    """Read one ballot line token by token, with '=' and '-'; raise a located error if bad."""
    weight = _whole(tokens[0], source, number, "ballot weight", minimum=1)
    if tokens[-1] != "0" or len(tokens) < 2:
        raise CountInputError(
            f"Expected the ballot line to end with 0, found {line!r}.",
            source=source,
            line=number,
        )
    marks: list[tuple[int, ...]] = []
    for token in tokens[1:-1]:
        if token == "-":
            marks.append(())
            continue
        marks.append(
            tuple(
                _candidate_number(part, candidate_count, source, number)
                for part in token.split("=")
            )
        )
    return weight, marks


class _Lines:
    """The non-blank lines of a file, with their line numbers, read one at a time."""

    def __init__(self, lines: list[tuple[int, str]], source: str) -> None:
        self.lines = lines
        self.source = source
        self.position = 0

    def done(self) -> bool:
        return self.position >= len(self.lines)

    def peek(self, expected: str) -> tuple[int, str]:
        if self.done():
            last = self.lines[-1][0] if self.lines else 0
            raise CountInputError(
                f"The file ended early; expected {expected}.", source=self.source, line=last + 1
            )
        return self.lines[self.position]

    def next(self, expected: str) -> tuple[int, str]:
        item = self.peek(expected)
        self.position += 1
        return item


def _whole(
    token: str, source: str, line: int, what: str, *, minimum: int, maximum: int | None = None
) -> int:
    if (
        not token.isascii()
        or not token.isdigit()
        or (len(token) <= MAX_NUMBER_DIGITS and int(token) < minimum)
    ):
        raise CountInputError(
            f"Expected the {what} as a whole number of at least {minimum}, found {token[:40]!r}.",
            source=source,
            line=line,
        )
    # Bounded in digits before int() and in value before anything is allocated for it.
    return whole_number(
        token, what=what, source=source, line=line, field=what, minimum=minimum, maximum=maximum
    )


def _candidate_number(token: str, candidate_count: int, source: str, line: int) -> int:
    if (
        not token.isascii()
        or not token.isdigit()
        or len(token) > MAX_NUMBER_DIGITS
        or not 1 <= int(token) <= candidate_count
    ):
        raise CountInputError(
            f"Expected a candidate number from 1 to {candidate_count}, found {token!r}.",
            source=source,
            line=line,
        )
    return int(token)


_NUMBERS_ONLY = re.compile(r"[-=0-9 \t]+")


def _name(line: str, source: str, number: int, what: str, unquoted: list[int]) -> str:
    """Read a name or title line: between double quotes, or else the whole (trimmed) line.

    ``line`` is already trimmed. An unquoted line's number is added to ``unquoted``.
    """
    if line.startswith('"'):
        if len(line) < 2 or not line.endswith('"'):
            raise CountInputError(
                f'Expected {what} in double quotes, e.g. "Ada Lovelace", found {line!r}: '
                "the closing quote is missing.",
                source=source,
                line=number,
            )
        return line[1:-1]
    if _NUMBERS_ONLY.fullmatch(line):
        raise CountInputError(
            f"Expected {what}, found {line!r}, which looks like a ballot line: check that the "
            "end-of-ballots line '0' comes after the last ballot and before the names.",
            source=source,
            line=number,
        )
    unquoted.append(number)
    return line


def _unquoted_note(lines: list[int]) -> str:
    where = f"line {lines[0]}" if len(lines) == 1 else f"{len(lines)} lines from line {lines[0]}"
    return (
        f"Names were read without double quotes ({where}): each whole line, trimmed, is the "
        "name; check the candidate list above."
    )


def write_blt(ballot_file: BallotFile) -> str:
    """Return ``ballot_file`` as BLT text (LF line endings); ``read_blt`` reads it back equal.

    Overvotes are written with ``=``, skipped ranks with ``-``. A file without seats is written
    with 1 seat. Raises :class:`CountInputError` if a ballot names someone not in the candidate
    list or a name contains a double quote, since BLT cannot express either.
    """
    source = ballot_file.source or None
    numbers = {name: position for position, name in enumerate(ballot_file.candidates, start=1)}
    for name in [*ballot_file.candidates, ballot_file.title or ""]:
        if '"' in name or "\n" in name or "\r" in name:
            raise CountInputError(
                f"BLT cannot hold the text {name!r}: it contains a double quote or a line break.",
                source=source,
            )
    lines = [f"{len(ballot_file.candidates)} {ballot_file.seats or 1}"]
    withdrawn = sorted(numbers[name] for name in ballot_file.withdrawn if name in numbers)
    if len(withdrawn) != len(ballot_file.withdrawn):
        raise CountInputError("A withdrawn candidate is not in the candidate list.", source=source)
    if withdrawn:
        lines.append(" ".join(f"-{number}" for number in withdrawn))
    for ballot in ballot_file.ballots:
        tokens = [str(ballot.weight)]
        for mark in ballot.marks:
            if not mark:
                tokens.append("-")
                continue
            unknown = [name for name in mark if name not in numbers]
            if unknown:
                raise CountInputError(
                    f"A ballot names {unknown[0]!r}, who is not in the candidate list; "
                    "BLT can only refer to listed candidates.",
                    source=source,
                )
            tokens.append("=".join(str(numbers[name]) for name in mark))
        tokens.append("0")
        lines.append(" ".join(tokens))
    lines.append("0")
    lines.extend(f'"{name}"' for name in ballot_file.candidates)
    if ballot_file.title is not None:
        lines.append(f'"{ballot_file.title}"')
    return "\n".join(lines) + "\n"
