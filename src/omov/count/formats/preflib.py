"""Read and write PrefLib ordinal preference files (``.soi``, ``.toi``, ``.soc``, ``.toc``).

PrefLib (https://www.preflib.org) publishes real preference data in two layouts; both are read.

The 2022 layout: metadata lines starting with ``#`` (``# ALTERNATIVE NAME 3: Carol``,
``# NUMBER VOTERS: 120``, ``# TITLE: ...``), then one line per distinct order,
``count: 2,{1,3},4``. The older layout: the number of alternatives, one ``number,name`` line per
alternative, a ``voters,sum of counts,distinct orders`` line, then ``count,2,{1,3},4`` lines.

Alternatives are numbered from 1; a group in braces is several alternatives ranked equal. A ballot
cannot rank candidates equal, so in omov's model such a group is an *overvote* at that rank, for
the validity rules to judge. The declared totals (voters, distinct orders) are checked against the
orders, which catches truncated files.

The writer produces the 2022 layout, ``soi``/``soc`` when no ballot has an overvote and
``toi``/``toc`` otherwise. PrefLib orders cannot express a skipped rank, a candidate ranked twice
or a name that is not an alternative; the writer refuses such ballots with ``ValueError``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from omov.count.ballots import BallotFile, RawBallot
from omov.count.errors import CountInputError
from omov.count.limits import MAX_CANDIDATES, whole_number

__all__ = ["read_preflib", "write_preflib"]

_NAME_LINE = re.compile(r"#\s*ALTERNATIVE NAME\s+(\d+)\s*:(.*)", re.IGNORECASE)
_META_LINE = re.compile(r"#\s*([A-Z][A-Z ]*?)\s*:(.*)", re.IGNORECASE)
_BOM = b"\xef\xbb\xbf"


def read_preflib(data: bytes, *, source: str = "") -> BallotFile:
    """Parse a PrefLib ordinal file (either layout) into a :class:`BallotFile`.

    Raises :class:`CountInputError` naming the line for anything it cannot read.
    """
    return _PreflibReader(data, source).read()


def write_preflib(ballot_file: BallotFile) -> str:
    """Write ``ballot_file`` in the 2022 PrefLib layout (see the module docstring)."""
    candidates = ballot_file.candidates
    number_of = {name: index for index, name in enumerate(candidates, start=1)}
    orders: Counter[str] = Counter()
    has_ties = False
    is_complete = True
    for ballot in ballot_file.ballots:
        groups: list[str] = []
        ranked: set[str] = set()
        for names in ballot.marks:
            if not names:
                raise ValueError("PrefLib orders cannot express a skipped rank.")
            for name in names:
                if name not in number_of:
                    raise ValueError(f"{name!r} is not one of the candidates.")
                if name in ranked:
                    raise ValueError(f"PrefLib orders cannot rank {name!r} twice.")
                ranked.add(name)
            numbers = [str(number_of[name]) for name in names]
            if len(numbers) == 1:
                groups.append(numbers[0])
            else:
                has_ties = True
                groups.append("{" + ",".join(numbers) + "}")
        if len(ranked) != len(candidates):
            is_complete = False
        orders[",".join(groups)] += ballot.weight
    for name in candidates:
        if "\n" in name or "\r" in name or name != name.strip() or not name:
            raise ValueError(f"Candidate name {name!r} cannot be written on a PrefLib line.")
    data_type = ("toc" if is_complete else "toi") if has_ties else "soc" if is_complete else "soi"
    title = ballot_file.title or ""
    if "\n" in title or "\r" in title:
        raise ValueError("A PrefLib title cannot contain a line break.")
    lines = [
        f"# TITLE: {title}",
        f"# DATA TYPE: {data_type}",
        f"# NUMBER ALTERNATIVES: {len(candidates)}",
        f"# NUMBER VOTERS: {sum(orders.values())}",
        f"# NUMBER UNIQUE ORDERS: {len(orders)}",
    ]
    lines += [f"# ALTERNATIVE NAME {i}: {name}" for i, name in enumerate(candidates, start=1)]
    lines += [f"{count}: {order}" for order, count in orders.items()]
    return "\n".join(lines) + "\n"


class _PreflibReader:
    def __init__(self, data: bytes, source: str) -> None:
        self.data = data[len(_BOM) :] if data.startswith(_BOM) else data
        self.source = source

    def _error(self, message: str, line: int | None = None) -> CountInputError:
        return CountInputError(message, source=self.source, line=line)

    def read(self) -> BallotFile:
        try:
            text = self.data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise self._error(
                "This line is not valid UTF-8 text. Save the file as UTF-8 and try again.",
                self.data.count(b"\n", 0, error.start) + 1,
            ) from None
        lines = text.split("\n")
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is None:
            raise self._error("The file is empty; a PrefLib file lists alternatives, then orders.")
        if lines[first].lstrip().startswith("#"):
            return self._read_2022(lines)
        return self._read_legacy(lines)

    # -- the 2022 layout ------------------------------------------------------------------------

    def _read_2022(self, lines: list[str]) -> BallotFile:
        names: dict[int, str] = {}
        metadata: dict[str, tuple[str, int]] = {}
        order_lines: list[tuple[int, str]] = []
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#"):
                name_match = _NAME_LINE.fullmatch(line)
                if name_match:
                    index = self._number(name_match.group(1), "alternative number", number)
                    if index in names:
                        raise self._error(f"Alternative {index} is named twice.", number)
                    names[index] = name_match.group(2).strip()
                    continue
                meta_match = _META_LINE.fullmatch(line)
                if meta_match:
                    key = " ".join(meta_match.group(1).upper().split())
                    metadata[key] = (meta_match.group(2).strip(), number)
                continue
            order_lines.append((number, line))
        data_type = metadata.get("DATA TYPE", ("", 0))[0].lower()
        if data_type and data_type not in {"soi", "toi", "soc", "toc"}:
            raise self._error(
                f"This is a PrefLib {data_type!r} file; omov reads ordinal preferences "
                "(soi, toi, soc, toc) only.",
                metadata["DATA TYPE"][1],
            )
        declared = self._declared_number(metadata, "NUMBER ALTERNATIVES")
        candidates = self._candidate_names(names, declared, metadata)
        counted = self._orders(order_lines, len(candidates), separator=":")
        self._check_total(counted, self._declared_number(metadata, "NUMBER VOTERS"), "voters")
        self._check_distinct(order_lines, self._declared_number(metadata, "NUMBER UNIQUE ORDERS"))
        title = metadata.get("TITLE", ("", 0))[0] or None
        return self._ballot_file(candidates, counted, title)

    def _number(self, text: str, what: str, line: int, maximum: int | None = None) -> int:
        """Return ``text`` as a bounded whole number; raise naming the line if it is not."""
        return whole_number(text, what=what, source=self.source, line=line, maximum=maximum)

    def _declared_number(
        self, metadata: dict[str, tuple[str, int]], key: str
    ) -> tuple[int, int] | None:
        if key not in metadata:
            return None
        value, line = metadata[key]
        if not value.isascii() or not value.isdigit():
            raise self._error(f"'{key}' must be a whole number, not {value!r}.", line)
        return self._number(value, key, line), line

    def _candidate_names(
        self,
        names: dict[int, str],
        declared: tuple[int, int] | None,
        metadata: dict[str, tuple[str, int]],
    ) -> tuple[str, ...]:
        if not names:
            raise self._error(
                "The file names no alternatives: add '# ALTERNATIVE NAME 1: ...' lines."
            )
        count = len(names)
        if count > MAX_CANDIDATES:
            raise self._error(
                f"The file names {count:,} alternatives; omov counts at most {MAX_CANDIDATES:,}."
            )
        if declared is not None and declared[0] != count:
            raise self._error(
                f"The header declares {declared[0]} alternatives but names {count}.", declared[1]
            )
        missing = [i for i in range(1, count + 1) if i not in names]
        if missing:
            raise self._error(
                f"Alternatives must be numbered 1 to {count}; alternative {missing[0]} has no "
                "'# ALTERNATIVE NAME' line."
            )
        return self._unique([names[i] for i in range(1, count + 1)])

    def _unique(self, names: list[str]) -> tuple[str, ...]:
        for name in names:
            if not name:
                raise self._error("An alternative has an empty name.")
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise self._error(
                f"Two alternatives share the name {repeated[0]!r}; every candidate needs its "
                "own name."
            )
        return tuple(names)

    # -- the older layout -----------------------------------------------------------------------

    def _read_legacy(self, lines: list[str]) -> BallotFile:
        content = [(i + 1, line.strip()) for i, line in enumerate(lines) if line.strip()]
        position = 0
        line_number, header = content[position]
        if not header.isascii() or not header.isdigit() or not header.strip("0"):
            raise self._error(
                "Expected a PrefLib file: either '# ...' metadata lines (the 2022 layout) or the "
                f"number of alternatives on the first line, not {header[:40]!r}.",
                line_number,
            )
        count = self._number(header, "number of alternatives", line_number, MAX_CANDIDATES)
        names: list[str] = []
        for expected in range(1, count + 1):
            position += 1
            if position >= len(content):
                raise self._error(
                    f"The file ends before alternative {expected} is named.", line_number
                )
            line_number, line = content[position]
            index, comma, name = line.partition(",")
            if not comma or index.strip() != str(expected):
                raise self._error(
                    f"Expected '{expected},name' naming alternative {expected}, not {line[:40]!r}.",
                    line_number,
                )
            names.append(name.strip())
        candidates = self._unique(names)
        position += 1
        if position >= len(content):
            raise self._error(
                "The file ends before the 'voters,sum of counts,distinct orders' line.",
                line_number,
            )
        line_number, totals_line = content[position]
        totals = [part.strip() for part in totals_line.split(",")]
        if len(totals) != 3 or not all(part.isascii() and part.isdigit() for part in totals):
            raise self._error(
                "Expected 'voters,sum of counts,distinct orders' (three whole numbers), "
                f"not {totals_line[:40]!r}.",
                line_number,
            )
        order_lines = content[position + 1 :]
        counted = self._orders(order_lines, len(candidates), separator=",")
        self._check_total(
            counted, (self._number(totals[1], "sum of counts", line_number), line_number), "votes"
        )
        self._check_distinct(
            order_lines,
            (self._number(totals[2], "number of distinct orders", line_number), line_number),
        )
        return self._ballot_file(candidates, counted, None)

    # -- orders ---------------------------------------------------------------------------------

    def _orders(
        self, order_lines: list[tuple[int, str]], alternatives: int, *, separator: str
    ) -> dict[tuple[tuple[int, ...], ...], int]:
        """Parse ``count<sep> order`` lines into {order: total count}; identical lines once."""
        first_line: dict[str, int] = {}
        times: Counter[str] = Counter()
        for number, line in order_lines:
            times[line] += 1
            first_line.setdefault(line, number)
        counted: dict[tuple[tuple[int, ...], ...], int] = {}
        for line, repeat in times.items():
            number = first_line[line]
            count_text, found, order_text = line.partition(separator)
            count_text = count_text.strip()
            if not found or not count_text.isascii() or not count_text.isdigit():
                raise self._error(
                    f"Expected 'count{separator} order' such as '12{separator} 3,1,{{2,4}}', "
                    f"not {line[:60]!r}.",
                    number,
                )
            order = self._order(order_text, alternatives, number)
            weight = self._number(count_text, "count", number) * repeat
            if weight:
                counted[order] = counted.get(order, 0) + weight
        return counted

    def _order(self, text: str, alternatives: int, line: int) -> tuple[tuple[int, ...], ...]:
        groups: list[tuple[int, ...]] = []
        position = 0
        text = text.strip()
        if not text:
            return ()
        length = len(text)
        while position < length:
            if text[position] == "{":
                end = text.find("}", position)
                if end < 0:
                    raise self._error("A '{' group of equal ranks is not closed with '}'.", line)
                members = text[position + 1 : end].split(",")
                groups.append(tuple(self._alternative(m, alternatives, line) for m in members))
                position = end + 1
            else:
                end = text.find(",", position)
                end = length if end < 0 else end
                groups.append((self._alternative(text[position:end], alternatives, line),))
                position = end
            while position < length and text[position] == " ":
                position += 1
            if position < length:
                if text[position] != ",":
                    raise self._error(
                        f"Expected ',' between ranks at character {position + 1} of the order.",
                        line,
                    )
                position += 1
                if position >= length:
                    raise self._error("The order ends with ','; remove it.", line)
        return tuple(groups)

    def _alternative(self, text: str, alternatives: int, line: int) -> int:
        text = text.strip()
        if not text.isascii() or not text.isdigit():
            raise self._error(
                f"Expected an alternative number (1 to {alternatives}), not {text[:20]!r}.", line
            )
        number = self._number(text, "alternative number", line)
        if not 1 <= number <= alternatives:
            raise self._error(
                f"Alternative {number} does not exist; this file has alternatives 1 to "
                f"{alternatives}.",
                line,
            )
        return number

    def _check_total(
        self,
        counted: dict[tuple[tuple[int, ...], ...], int],
        declared: tuple[int, int] | None,
        what: str,
    ) -> None:
        total = sum(counted.values())
        if declared is not None and declared[0] != total:
            raise self._error(
                f"The header declares {declared[0]} {what} but the orders add up to {total}; "
                "the file may be truncated.",
                declared[1],
            )

    def _check_distinct(
        self, order_lines: list[tuple[int, str]], declared: tuple[int, int] | None
    ) -> None:
        if declared is not None and declared[0] != len(order_lines):
            raise self._error(
                f"The header declares {declared[0]} distinct orders but the file has "
                f"{len(order_lines)} order lines; the file may be truncated.",
                declared[1],
            )

    def _ballot_file(
        self,
        candidates: tuple[str, ...],
        counted: dict[tuple[tuple[int, ...], ...], int],
        title: str | None,
    ) -> BallotFile:
        if not counted:
            raise self._error("The file holds no orders, so there are no ballots to count.")
        return BallotFile(
            candidates=candidates,
            ballots=tuple(
                RawBallot(_names(order, candidates), weight) for order, weight in counted.items()
            ),
            title=title,
            source=self.source,
        )


def _names(
    order: Iterable[tuple[int, ...]], candidates: tuple[str, ...]
) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(candidates[number - 1] for number in group) for group in order)
