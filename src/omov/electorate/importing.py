"""Read and validate a roll file (CSV), row by row, without touching the database.

The service ``electorate.services.roll_import`` writes what this module reads. The column set is
documented in docs/roll-import.md; other layouts are read through a column mapping
(their column → our field, or → "" to ignore a column).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import call, itemgetter
from pathlib import Path
from typing import Any, BinaryIO

from omov.core.errors import ServiceError
from omov.electorate.models import Category, PersonStatus

DEFAULT_COLUMNS: tuple[str, ...] = (
    "external_id",
    "category",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "branch",
    "joined_on",
    "status",
    "arrears_paid_on",
    "date_of_birth",
    "affiliate",
    "consent_email",
    "consent_phone",
)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "address_line1",
    "address_line2",
    "town",
    "branch_name",
    "branch_region",
    "affiliate_name",
    "is_adult_declared",
    "supporter_fee_paid",
    "is_on_electoral_register",
    "is_duplicate",
    "supports_another_party",
)
KNOWN_COLUMNS = frozenset(DEFAULT_COLUMNS + OPTIONAL_COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = ("external_id", "category", "first_name", "last_name")

MAX_REPORTED_ERRORS = 1000

_LENGTHS = {
    "external_id": 64,
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
    "address_line1": 200,
    "address_line2": 200,
    "town": 100,
    "postcode": 12,
    "branch": 40,
    "branch_name": 200,
    "branch_region": 120,
    "affiliate": 40,
    "affiliate_name": 200,
}
REQUIRED_TEXT_COLUMNS = ("external_id", "first_name", "last_name")
_PLAIN_TEXT_COLUMNS = frozenset(
    {
        "external_id",
        "first_name",
        "last_name",
        "phone",
        "address_line1",
        "address_line2",
        "town",
        "branch",
        "branch_name",
        "branch_region",
        "affiliate",
        "affiliate_name",
    }
)
SHORTEST_TEXT_LIMIT = min(_LENGTHS[column] for column in _PLAIN_TEXT_COLUMNS)
_DATE_COLUMNS = frozenset({"joined_on", "arrears_paid_on", "date_of_birth"})
_BOOLEAN_COLUMNS = frozenset(
    {
        "consent_email",
        "consent_phone",
        "supporter_fee_paid",
        "is_duplicate",
        "supports_another_party",
    }
)
_NULLABLE_BOOLEAN_COLUMNS = frozenset({"is_adult_declared", "is_on_electoral_register"})
_TRUE = frozenset({"1", "true", "yes", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "n", "f"})
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_CATEGORIES = frozenset(Category.values)
_STATUSES = frozenset(PersonStatus.values)
_EARLIEST = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class RowError:
    """One thing wrong with one row: where (line, column) and what."""

    line: int
    column: str
    message: str

    def as_json(self) -> dict[str, Any]:
        """The error as stored with an import batch or a job's result."""
        return {"line": self.line, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class RollFileRejected(ServiceError):
    """The file has errors and nothing was imported; ``errors`` says where and what."""

    def __init__(self, message: str, errors: list[RowError], rejected: int, rows: int) -> None:
        super().__init__(message)
        self.errors = errors
        self.rejected = rejected
        self.rows = rows


@dataclass(frozen=True)
class ParsedRow:
    """A valid row: its line and its values, in the order of ``RollFileReader.fields``."""

    line: int
    values: list[Any]
    digest: str


def parse_mapping_options(options: Iterable[str]) -> dict[str, str]:
    """Turn ``their_column=our_field`` options into a mapping (empty field: ignore the column)."""
    mapping: dict[str, str] = {}
    for option in options:
        option = option.strip()
        if not option:
            continue
        if "=" not in option:
            raise ServiceError(
                f"The column mapping {option!r} needs the form their_column=our_field "
                "(or their_column= to ignore a column)."
            )
        theirs, ours = (part.strip() for part in option.split("=", 1))
        mapping[theirs] = ours
    return check_mapping(mapping)


def load_mapping_file(path: Path) -> dict[str, str]:
    """Read a column mapping from a JSON or TOML file holding {their_column: our_field}."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ServiceError(f"Cannot read the mapping file {path}: {error.strerror}.") from error
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise ServiceError(f"The mapping file {path} is not valid: {error}.") from error
    if isinstance(data, dict) and isinstance(data.get("columns"), dict):
        data = data["columns"]
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ServiceError(
            f"The mapping file {path} must hold an object of their_column = our_field strings."
        )
    return check_mapping({str(key): value for key, value in data.items()})


def check_mapping(mapping: dict[str, str]) -> dict[str, str]:
    """Refuse a mapping onto fields we do not have."""
    unknown = sorted(v for v in mapping.values() if v and v not in KNOWN_COLUMNS)
    if unknown:
        raise ServiceError(
            f"The column mapping names unknown field(s): {', '.join(unknown)}. "
            f"Known fields: {', '.join(DEFAULT_COLUMNS + OPTIONAL_COLUMNS)}."
        )
    return mapping


# How many undecodable bytes the roll readers have met (see ``_note_bad_bytes``).
_bad_bytes_met = [0]


def _note_bad_bytes(error: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as escapes (like surrogateescape), and note it."""
    _bad_bytes_met[0] += 1
    replacement, resume_at = codecs.lookup_error("surrogateescape")(error)
    return str(replacement), resume_at


codecs.register_error("omov-roll-bytes", _note_bad_bytes)


class _CountingStream(io.RawIOBase):
    """A binary stream over a file object that reports how many bytes have been read."""

    def __init__(self, source: BinaryIO, progress: Callable[[int], None] | None) -> None:
        self._source = source
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._source.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        if self._progress is not None and size:
            self._progress(size)
        return size


def _text_stream(source: BinaryIO, progress: Callable[[int], None] | None) -> io.TextIOWrapper:
    """Return the file's text, decoded as UTF-8 (a leading byte-order mark is dropped)."""
    buffered = io.BufferedReader(_CountingStream(source, progress), buffer_size=1 << 16)
    return io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="omov-roll-bytes", newline="")


def _printable(value: str) -> str:
    """Return ``value`` with undecodable bytes shown as ``\\xE9`` (safe to print and to render)."""
    text = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    # UTF-16 text read as UTF-8 has a NUL after each letter; other control bytes are shown.
    return "".join("" if c == "\x00" else f"\\x{ord(c):02x}" if c < " " else c for c in text)


def _first_bad_byte(value: str) -> str | None:
    for character in value:
        if "\udc80" <= character <= "\udcff":
            return f"0x{ord(character) - 0xDC00:02X}"
    return None


class RollFileReader:
    """Iterate over a roll file's rows: valid ``ParsedRow``s, and ``errors`` for the rest.

    The header is checked first (unknown, duplicated or missing columns stop the import at once:
    ``RollFileRejected``). Then each row is checked on its own and against the earlier rows
    (an ``external_id`` may appear only once in a file).
    """

    def __init__(
        self,
        source: BinaryIO,
        *,
        mapping: dict[str, str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self._bad_bytes_before = _bad_bytes_met[0]
        self._reader = csv.reader(_text_stream(source, progress))
        self.mapping = mapping or {}
        self.errors: list[RowError] = []
        self.rejected = 0
        self.rows = 0
        self._seen: dict[str, int] = {}
        #: Given (external id, raw fields), says whether the roll already holds the row as it is
        #: (see ``digest``); such rows count in ``unchanged_rows``, neither checked nor yielded.
        self.unchanged: Callable[[str, list[str]], bool] | None = None
        self.unchanged_rows = 0
        self.columns = self._read_header()
        # Values stay in the file's column order; ignored columns ("") are kept but never used.
        self.fields: list[str] = list(self.columns)
        self.external_id_at = self.columns.index("external_id")
        self._converters = [converter(column) if column else str for column in self.columns]
        self._plan = [(i, self._converters[i]) for i, column in enumerate(self.columns) if column]
        self._required = [self.columns.index(c) for c in REQUIRED_TEXT_COLUMNS]
        self._text_limits = [
            (i, _LENGTHS[column])
            for i, column in enumerate(self.columns)
            if column in _PLAIN_TEXT_COLUMNS
        ]
        self._used = itemgetter(*[i for i, column in enumerate(self.columns) if column])
        self._has_ignored = "" in self.columns

    def _read_header(self) -> list[str]:
        try:
            header = next(self._reader)
        except StopIteration:
            raise RollFileRejected(
                "The file is empty: it needs a header row naming its columns.", [], 0, 0
            ) from None
        except csv.Error as error:
            raise RollFileRejected(f"Line 1 is not valid CSV: {error}.", [], 0, 0) from error
        errors: list[RowError] = []
        if self._has_bad_bytes() and any(_first_bad_byte(name) for name in header):
            errors.append(
                RowError(1, "", "the header is not UTF-8 text; save the file as UTF-8 (CSV UTF-8)")
            )
        # Names are made printable first: a header that is not UTF-8 must still be reported.
        header = [_printable(name) for name in header]
        columns: list[str] = []
        for name in header:
            theirs = name.strip()
            ours = self.mapping.get(theirs, theirs)
            if ours and ours not in KNOWN_COLUMNS:
                errors.append(
                    RowError(
                        1,
                        theirs,
                        f"unknown column {theirs!r}; map it to one of our fields with "
                        f"--map {theirs}=FIELD, or ignore it with --map {theirs}=",
                    )
                )
            elif ours and ours in columns:
                errors.append(RowError(1, theirs, f"the column {ours!r} appears twice"))
            columns.append(ours)
        missing = [column for column in REQUIRED_COLUMNS if column not in columns]
        if missing:
            errors.append(
                RowError(
                    1,
                    "",
                    f"missing required column(s): {', '.join(missing)} "
                    f"(the header has: {', '.join(h.strip() for h in header) or 'nothing'})",
                )
            )
        if errors:
            raise RollFileRejected(
                "The header row of the file is wrong; nothing was imported.", errors, 0, 0
            )
        return columns

    def _has_bad_bytes(self) -> bool:
        """Return True once the file has shown bytes that are not UTF-8 (rows are then checked)."""
        return _bad_bytes_met[0] != self._bad_bytes_before

    def _error(self, line: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line, column, message))

    def __iter__(self) -> Iterator[ParsedRow]:
        columns = self.columns
        width = len(columns)
        line = self._reader.line_num + 1
        while True:
            try:
                fields = next(self._reader)
            except StopIteration:
                return
            except csv.Error as error:
                self.rows += 1
                self.rejected += 1
                self._error(self._reader.line_num, "", f"not valid CSV: {error}")
                line = self._reader.line_num + 1
                continue
            start, line = line, self._reader.line_num + 1
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            self.rows += 1
            if len(fields) != width:
                self.rejected += 1
                self._error(
                    start, "", f"has {len(fields)} fields but the header has {width} columns"
                )
                continue
            check_bytes = self._has_bad_bytes()
            if self.unchanged is not None and not check_bytes:
                # A row the roll already holds as it is needs no checking (decision 0011).
                external_id = fields[self.external_id_at].strip()
                if external_id not in self._seen and self.unchanged(external_id, fields):
                    self._seen[external_id] = start
                    self.unchanged_rows += 1
                    continue
            parsed = self._parse(start, columns, fields, check_bytes)
            if parsed is None:
                self.rejected += 1
            else:
                yield parsed

    def _parse(
        self, line: int, columns: list[str], fields: list[str], check_bytes: bool
    ) -> ParsedRow | None:
        if not check_bytes:
            try:
                values = list(map(call, self._converters, map(str.strip, fields)))
            except ValueError:
                pass  # Go through the fields one by one to report every error in the row.
            else:
                if all(values[i] for i in self._required) and (
                    max(map(len, fields)) <= SHORTEST_TEXT_LIMIT
                    or all(len(values[i]) <= limit for i, limit in self._text_limits)
                ):
                    return self._accept(line, fields, values)
        values = [None] * len(columns)
        ok = True
        for position, convert in self._plan:
            raw = fields[position]
            if check_bytes and (byte := _first_bad_byte(raw)) is not None:
                self._error(
                    line,
                    columns[position],
                    f"contains the byte {byte}, which is not UTF-8 (perhaps Latin-1 or "
                    "Windows-1252); save the file as UTF-8 (CSV UTF-8) and import it again",
                )
                ok = False
                continue
            try:
                values[position] = convert(raw.strip())
                limit = _LENGTHS.get(columns[position])
                if (
                    limit is not None
                    and columns[position] in _PLAIN_TEXT_COLUMNS
                    and len(values[position]) > limit
                ):
                    raise _too_long(values[position], limit)
                if not values[position] and columns[position] in REQUIRED_TEXT_COLUMNS:
                    raise ValueError("is empty; every person needs one")
            except ValueError as error:
                self._error(line, columns[position], str(error))
                ok = False
        if not ok:
            return None
        return self._accept(line, fields, values)

    def _accept(self, line: int, fields: list[str], values: list[Any]) -> ParsedRow | None:
        external_id = values[self.external_id_at]
        earlier = self._seen.get(external_id)
        if earlier is not None:
            self._error(
                line,
                "external_id",
                f"{external_id!r} already appears on line {earlier}; each person once per file",
            )
            return None
        self._seen[external_id] = line
        return ParsedRow(line, values, self.digest(fields))

    def digest(self, fields: list[str]) -> str:
        """Return the fingerprint of a row's raw fields (those of the columns in use)."""
        used = self._used(fields) if self._has_ignored else fields
        return _blake2b("\x1f".join(used).encode(), digest_size=16).hexdigest()


_blake2b = hashlib.blake2b


def converter(column: str) -> Callable[[str], Any]:
    """Return the function that checks and converts one column's (stripped) values.

    It raises ValueError with a sentence saying what is wrong. Dates stay ISO 8601 strings once
    checked (the database takes them as they are); booleans become bool or None.
    """
    if column in _PLAIN_TEXT_COLUMNS:
        return str  # Length and emptiness are checked for the whole row at once.
    if column in _DATE_COLUMNS:
        return _date
    if column in _BOOLEAN_COLUMNS:
        return _boolean
    if column in _NULLABLE_BOOLEAN_COLUMNS:
        return _nullable_boolean
    return _convert(column)


_valid_dates: set[str] = set()  # Checked dates: at most one per day since 1900.


def _date(value: str) -> str | None:
    if value in _valid_dates:
        return value
    if not value:
        return None
    if len(value) != 10 or value[4] != "-" or value[7] != "-" or not _ISO_DATE.match(value):
        raise ValueError(f"{value!r} is not a date in ISO 8601 form (YYYY-MM-DD)")
    try:
        date = _from_iso(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date") from None
    if date < _EARLIEST:
        raise ValueError(f"{value!r} is before 1900; check the year")
    _valid_dates.add(value)
    return value


_from_iso = dt.date.fromisoformat


_BOOLEANS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}


_BOOLEANS.update({key.upper(): v for key, v in _BOOLEANS.items()})
_BOOLEANS.update({key.capitalize(): v for key, v in _BOOLEANS.items()})
_BOOLEANS[""] = False


def _boolean(value: str) -> bool:
    result = _BOOLEANS.get(value)
    if result is not None:
        return result
    result = _BOOLEANS.get(value.lower())
    if result is None:
        raise ValueError(f"{value!r} is not yes or no; use true/false, yes/no or 1/0")
    return result


def _nullable_boolean(value: str) -> bool | None:
    return _boolean(value) if value else None


def _too_long(value: str, limit: int) -> ValueError:
    return ValueError(f"is {len(value)} characters long; at most {limit} are allowed")


def _category(value: str) -> str:
    if value not in _CATEGORIES:
        raise ValueError(
            f"{value!r} is not a category; use one of {', '.join(sorted(_CATEGORIES))}"
        )
    return value


_ACTIVE = str(PersonStatus.ACTIVE)


def _status(value: str) -> str:
    if not value:
        return _ACTIVE
    if value not in _STATUSES:
        raise ValueError(f"{value!r} is not a status; use one of active, lapsed, suspended")
    return value


def _email(value: str) -> str:
    if not value:
        return value
    if len(value) > 254:
        raise _too_long(value, 254)
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address")
    return value.lower()


def _postcode(value: str) -> str:
    if len(value) > 12:
        raise _too_long(value, 12)
    return " ".join(value.upper().split())


def _convert(column: str) -> Callable[[str], Any]:
    """Return the converter of the remaining columns (category, status, email, plain text)."""
    special = {"category": _category, "status": _status, "email": _email, "postcode": _postcode}
    if column in special:
        return special[column]
    limit = _LENGTHS.get(column, 200)

    def text(value: str) -> str:
        if len(value) > limit:
            raise _too_long(value, limit)
        return value

    return text
