"""Read ballot files in every format omov understands, choosing the reader by name or by sniffing.

=========  ==========================================  ===================================
format     files                                       module
=========  ==========================================  ===================================
blt        OpenSTV / ERS ``.blt`` ballot files         :mod:`omov.count.formats.blt`
preflib    PrefLib ``.soi`` ``.toi`` ``.soc`` ``.toc``  :mod:`omov.count.formats.preflib`
csv        one ballot per row, names in rank order     :mod:`omov.count.formats.csv`
cdf        NIST SP 1500-103 cast vote records (JSON,   :mod:`omov.count.formats.cdf`
           or XML: :mod:`...cdf_xml`)
=========  ==========================================  ===================================

``read_ballot_file(path)`` picks the format from the file's extension, and when the extension says
nothing (``.txt``, none) from its content: JSON or XML is CDF, ``#``-metadata naming
alternatives or a leading alternatives count is PrefLib, a ``candidates seats`` first line
followed by ballot lines and an end-of-ballots ``0`` (names quoted or not) is BLT, anything else
is CSV. Every reader raises only :class:`CountInputError` for bad input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from omov.count.ballots import BallotFile
from omov.count.errors import CountInputError
from omov.count.formats.cdf import read_cdf, write_cdf
from omov.count.formats.csv import read_csv, write_csv
from omov.count.formats.preflib import read_preflib, write_preflib

__all__ = ["FORMATS", "BallotFormat", "detect_format", "read_ballot_bytes", "read_ballot_file"]


@dataclass(frozen=True, slots=True)
class BallotFormat:
    """One ballot file format: how to recognise, read and write it."""

    name: str
    description: str
    extensions: tuple[str, ...]
    read: Callable[[bytes, str], BallotFile]
    write: Callable[[BallotFile], str]


def _read_blt(data: bytes, source: str) -> BallotFile:
    from omov.count.formats.blt import read_blt

    return read_blt(data, source=source)


def _write_blt(ballot_file: BallotFile) -> str:
    from omov.count.formats.blt import write_blt

    return write_blt(ballot_file)


def _read_csv(data: bytes, source: str) -> BallotFile:
    return read_csv(data, source=source)


def _read_preflib(data: bytes, source: str) -> BallotFile:
    return read_preflib(data, source=source)


def _read_cdf(data: bytes, source: str) -> BallotFile:
    return read_cdf(data, source=source)


def _write_cdf(ballot_file: BallotFile) -> str:
    return write_cdf(ballot_file)


#: Every format by name, in the order auto-detection considers them.
FORMATS: dict[str, BallotFormat] = {
    "blt": BallotFormat("blt", "OpenSTV / ERS ballot file", (".blt",), _read_blt, _write_blt),
    "preflib": BallotFormat(
        "preflib",
        "PrefLib ordinal preferences",
        (".soi", ".toi", ".soc", ".toc"),
        _read_preflib,
        write_preflib,
    ),
    "cdf": BallotFormat(
        "cdf",
        "NIST SP 1500-103 cast vote records (JSON or XML)",
        (".json", ".xml"),
        _read_cdf,
        _write_cdf,
    ),
    "csv": BallotFormat(
        "csv", "one ballot per row, names in rank order", (".csv",), _read_csv, write_csv
    ),
}

_BLT_FIRST_LINE = re.compile(rb"\s*\d+\s+\d+\s*")
# A BLT ballot line (weight, preferences, 0) or a withdrawn line (negative numbers): with a
# "0" line after it, names without quotes are still BLT.
_BLT_BALLOT_LINE = re.compile(rb"\d+(?:[ \t]+(?:\d+(?:=\d+)*|-))*[ \t]+0|-\d+(?:[ \t]+-\d+)*")
_BOM = b"\xef\xbb\xbf"


def detect_format(path: Path, data: bytes) -> str:
    """Return the format of ``data`` (read from ``path``): by extension, then by content."""
    suffix = path.suffix.lower()
    for ballot_format in FORMATS.values():
        if suffix in ballot_format.extensions:
            return ballot_format.name
    return sniff_format(data)


def sniff_format(data: bytes) -> str:
    """Guess a format from content alone (see the module docstring for the rules)."""
    text = data[len(_BOM) :] if data.startswith(_BOM) else data
    head = text.lstrip()
    if head.startswith((b"{", b"[", b"<")):
        return "cdf"
    lines = [line.strip() for line in text[:65536].splitlines() if line.strip()]
    if not lines:
        return "csv"
    upper_head = text[:65536].upper()
    if lines[0].startswith(b"#") and b"ALTERNATIVE NAME" in upper_head:
        return "preflib"
    if _BLT_FIRST_LINE.fullmatch(lines[0]) and (
        text.rstrip().endswith(b'"')
        or (len(lines) > 2 and _BLT_BALLOT_LINE.fullmatch(lines[1]) and b"0" in lines[2:])
    ):
        return "blt"
    if lines[0].isdigit() and len(lines) > 1 and lines[1].startswith(b"1,"):
        return "preflib"
    return "csv"


def read_ballot_bytes(
    data: bytes, *, source: str, format: str = "auto", path: Path | None = None
) -> BallotFile:
    """Parse ``data`` in ``format`` (or the detected one); ``source`` names it in errors."""
    name = format
    if name == "auto":
        name = detect_format(path or Path(source), data)
    ballot_format = FORMATS.get(name)
    if ballot_format is None:
        raise CountInputError(
            f"{format!r} is not a ballot file format; use auto or one of {', '.join(FORMATS)}.",
            field="format",
        )
    return ballot_format.read(data, source)


def read_ballot_file(path: Path, format: str = "auto", *, contest: str | None = None) -> BallotFile:
    """Read the ballot file at ``path`` in ``format`` (``auto``: detect it).

    ``contest`` picks the contest in a CDF file (its ``@id`` or ``Name``); other formats hold one
    contest and refuse it. Raises :class:`CountInputError` if the file is missing, unreadable or
    not valid in its format.
    """
    source = str(path)
    if format != "auto" and format not in FORMATS:
        raise CountInputError(
            f"{format!r} is not a ballot file format; use auto or one of {', '.join(FORMATS)}.",
            field="format",
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CountInputError(
            "There is no such file; check the path and try again.", source=source
        ) from None
    except IsADirectoryError:
        raise CountInputError(
            "This is a directory, not a ballot file; give the path of a file.", source=source
        ) from None
    except PermissionError:
        raise CountInputError(
            "Permission denied: omov may not read this file.", source=source
        ) from None
    except OSError as error:
        raise CountInputError(
            f"The file cannot be read ({error.strerror or error}).", source=source
        ) from None
    name = detect_format(path, data) if format == "auto" else format
    if contest is not None:
        if name != "cdf":
            raise CountInputError(
                f"Choosing a contest applies only to CDF files; this is a {name} file.",
                source=source,
                field="contest",
            )
        return read_cdf(data, source=source, contest=contest)
    return read_ballot_bytes(data, source=source, format=name, path=path)
