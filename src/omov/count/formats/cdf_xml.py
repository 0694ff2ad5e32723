"""Read NIST SP 1500-103 cast vote records in their XML form.

The XML and JSON forms of the Common Data Format carry the same information: XML names an
object's identifier in an ``ObjectId`` attribute (JSON: ``@id``) and its type in ``xsi:type``
(JSON: ``@type``, prefixed ``CVR.``); a list is a repeated element; ``CandidateIds`` is one
element holding identifiers separated by spaces. This module turns the XML into the JSON
shape and reads it with the JSON reader's rules (:mod:`omov.count.formats.cdf`), so both forms
are read exactly alike. Errors name the path (``CVR[12].CVRSnapshot[0]...``) and the line of the
element.

Safety: a file with a ``<!DOCTYPE`` or ``<!ENTITY`` declaration is refused before parsing. A
CDF file needs neither, and refusing them closes entity expansion ("billion laughs") and
external entities at once; no other XML feature is resolved (expat, no network, no files).
"""

from __future__ import annotations

import re
import xml.parsers.expat
from typing import Any

from omov.count.ballots import BallotFile
from omov.count.errors import CountInputError
from omov.count.formats.cdf import _CdfReader
from omov.count.limits import whole_number

__all__ = ["read_cdf_xml"]

#: Elements that repeat: each becomes a list, as in the JSON form.
_LISTS = frozenset(
    {
        "Election",
        "Candidate",
        "Contest",
        "ContestSelection",
        "CVR",
        "CVRSnapshot",
        "CVRContest",
        "CVRContestSelection",
        "SelectionPosition",
        "GpUnit",
        "ReportingDevice",
        "Party",
        "Code",
    }
)
_INTEGERS = frozenset({"NumberElected", "NumberVotes", "Rank", "VotesAllowed"})
_PATH_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class _Element(dict[str, Any]):
    """An XML element turned into a JSON-shaped object, remembering its line."""

    line: int = 0


def read_cdf_xml(data: bytes, *, source: str = "", contest: str | None = None) -> BallotFile:
    """Parse a CDF cast vote record report in XML into a :class:`BallotFile` for one contest."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise CountInputError(
            "This XML file declares a DOCTYPE or entities; a CDF cast vote record needs neither, "
            "and omov refuses them (they can expand without end or read other files).",
            source=source,
        )
    document = _parse(data, source)
    try:
        return _CdfReader(source).read_document(document, contest)
    except CountInputError as error:
        if error.line is not None or not error.field:
            raise
        raise CountInputError(
            error.message,
            source=error.source,
            line=_line_of_path(document, error.field),
            field=error.field,
        ) from None


def _parse(data: bytes, source: str) -> _Element:
    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
    stack: list[tuple[str, _Element, list[str]]] = []
    root: list[_Element] = []

    def local(name: str) -> str:
        return name.rsplit("}", 1)[-1]

    def start(name: str, attributes: dict[str, str]) -> None:
        element = _Element()
        element.line = parser.CurrentLineNumber
        for key, value in attributes.items():
            key = local(key)
            if key == "ObjectId":
                element["@id"] = value
            elif key == "type":
                element["@type"] = "CVR." + value.rsplit(":", 1)[-1]
        stack.append((local(name), element, []))

    def text(content: str) -> None:
        if stack:
            stack[-1][2].append(content)

    def end(_name: str) -> None:
        tag, element, pieces = stack.pop()
        value: Any = element
        if len(element) == 0:
            content = "".join(pieces).strip()
            if tag == "CandidateIds":
                value = content.split()
            elif tag in _INTEGERS:
                value = whole_number(content, what=tag, source=source, line=element.line, field=tag)
            else:
                value = content
        if not stack:
            root.append(element)
            return
        parent = stack[-1][1]
        if tag in _LISTS:
            parent.setdefault(tag, []).append(value)
        elif tag == "CandidateIds":
            parent.setdefault(tag, []).extend(value)
        else:
            parent[tag] = value

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        raise CountInputError(
            f"This is not well-formed XML ({xml.parsers.expat.errors.messages[error.code]}, "
            f"column {error.offset + 1}).",
            source=source,
            line=error.lineno,
        ) from None
    report = root[0]
    report.setdefault("@type", "CVR.CastVoteRecordReport")
    return report


def _line_of_path(document: _Element, path: str) -> int | None:
    node: Any = document
    line: int | None = document.line
    for key, index in _PATH_STEP.findall(path):
        if key and isinstance(node, dict) and key in node:
            node = node[key]
        elif index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
        else:
            break
        if isinstance(node, _Element):
            line = node.line
    return line
