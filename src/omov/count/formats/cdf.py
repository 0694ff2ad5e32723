"""Read and write cast vote records in the NIST SP 1500-103 Common Data Format (JSON).

A ``CVR.CastVoteRecordReport`` holds the election's definitions (``Election[].Candidate[]`` and
``Election[].Contest[].ContestSelection[]``) and one ``CVR`` per ballot. Each CVR has snapshots
(``CVRSnapshot[]``; the one named by ``CurrentSnapshotId`` is used), each snapshot the contests
voted (``CVRContest[]``), each contest the selections marked (``CVRContestSelection[]``), and each
selection its positions (``SelectionPosition[]``) with ``Rank``, ``HasIndication`` and
``NumberVotes``.

How omov reads it:

* One contest is counted: the one named by ``contest`` (its ``@id`` or ``Name``), otherwise the
  first contest of the first election. The ballot file's title is the contest's name.
* A candidate's name comes from the ``Candidate`` its selection points to (several candidates on
  one selection are joined with `` & ``); a selection with no candidate (a write-in line) is named
  by its ``@id``.
* A position is a mark when ``HasIndication`` is ``"yes"`` and ``NumberVotes`` (default 1) is at
  least 1. ``IsAllocable`` is ignored on purpose: the device's judgement about overvotes and the
  like is replaced by omov's own validity rules, applied to the marks as made. ``Rank`` defaults
  to 1, so a plurality contest reads naturally: two marks there are an overvote.
* Marks at the same rank are an overvote; a rank with no mark before a later one is a skipped
  rank; a candidate marked at two ranks is a duplicate — all for the validity rules to judge.
* A CVR that does not include the contest is not a ballot in it and is left out (CDF allows a
  record to list only the contests voted).

Errors name the JSON path of the offending value (``CVR[12].CVRSnapshot[0]...``) and the line
where the object holding it starts; a file that is not JSON at all gets the line and column from
the JSON parser.

The writer emits a minimal valid report with one election and one ``CVR.CandidateContest``
(``NumberElected`` = seats), one CVR per voter (weights are expanded), ranks on every position.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from omov.count.ballots import BallotFile, RawBallot
from omov.count.errors import CountInputError

__all__ = ["read_cdf", "write_cdf"]


def read_cdf(data: bytes, *, source: str = "", contest: str | None = None) -> BallotFile:
    """Parse a CDF cast vote record report into a :class:`BallotFile` for one contest.

    Raises :class:`CountInputError` naming the JSON path of anything it cannot read and the
    line where the object holding it starts (or the line and column, for broken JSON).
    """
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        from omov.count.formats.cdf_xml import read_cdf_xml  # cycle: cdf_xml reuses _CdfReader

        return read_cdf_xml(data, source=source, contest=contest)
    try:
        return _CdfReader(source).read(data, contest)
    except CountInputError as error:
        if error.line is not None or not error.field:
            raise
        line = _line_of_path(data, error.field)
        raise CountInputError(
            error.message, source=error.source, line=line, field=error.field
        ) from None


class _Located(dict[str, Any]):
    """A JSON object that remembers where in the text it starts."""

    offset: int = 0


_PATH_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _line_of_path(data: bytes, path: str) -> int | None:
    """Find the line where the innermost object on ``path`` starts (``CVR[3].CVRSnapshot[0]``).

    Only used for an error message, so it re-parses with the slower pure-Python scanner, which
    can tell where each object begins. Returns None if the path cannot be followed.
    """
    try:
        text = data.decode(json.detect_encoding(data))
        decoder = json.JSONDecoder()

        def parse_object(
            s_and_end: tuple[str, int], strict: bool, scan_once: Any, *args: Any
        ) -> tuple[_Located, int]:
            value, end = json.decoder.JSONObject(  # type: ignore[attr-defined]
                s_and_end, strict, scan_once, None, None, {}
            )
            located = _Located(value)
            located.offset = s_and_end[1] - 1
            return located, end

        decoder.parse_object = parse_object  # type: ignore[attr-defined]
        decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
        node: object = decoder.decode(text)
    except (ValueError, RecursionError):
        return None
    offset = node.offset if isinstance(node, _Located) else None
    for key, index in _PATH_STEP.findall(path):
        if key and isinstance(node, dict) and key in node:
            node = node[key]
        elif index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
        else:
            break
        if isinstance(node, _Located):
            offset = node.offset
    return None if offset is None else text.count("\n", 0, offset) + 1


def write_cdf(ballot_file: BallotFile, *, generated_at: datetime | None = None) -> str:
    """Write ``ballot_file`` as a CDF ``CastVoteRecordReport`` (JSON text).

    ``generated_at`` is the report's ``GeneratedDate`` (timezone-aware; default: now, UTC).
    Raises ``ValueError`` for a ballot naming someone who is not among the candidates.
    """
    moment = generated_at or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware.")
    candidate_ids = {name: f"candidate-{i}" for i, name in enumerate(ballot_file.candidates, 1)}
    selection_ids = {name: f"selection-{i}" for i, name in enumerate(ballot_file.candidates, 1)}
    title = ballot_file.title or "Contest"
    contest: dict[str, Any] = {
        "@type": "CVR.CandidateContest",
        "@id": "contest-1",
        "Name": title,
        "VotesAllowed": 1,
        "ContestSelection": [
            {
                "@type": "CVR.CandidateSelection",
                "@id": selection_ids[name],
                "CandidateIds": [candidate_ids[name]],
            }
            for name in ballot_file.candidates
        ],
    }
    if ballot_file.seats is not None:
        contest["NumberElected"] = ballot_file.seats
    records: list[dict[str, Any]] = []
    for ballot in ballot_file.ballots:
        selections = _selections(ballot, selection_ids)
        for _ in range(ballot.weight):
            number = len(records) + 1
            records.append(
                {
                    "@type": "CVR.CVR",
                    "ElectionId": "election-1",
                    "CurrentSnapshotId": f"cvr-{number}-original",
                    "CVRSnapshot": [
                        {
                            "@type": "CVR.CVRSnapshot",
                            "@id": f"cvr-{number}-original",
                            "Type": "original",
                            "CVRContest": [
                                {
                                    "@type": "CVR.CVRContest",
                                    "ContestId": "contest-1",
                                    "CVRContestSelection": selections,
                                }
                            ],
                        }
                    ],
                }
            )
    report = {
        "@type": "CVR.CastVoteRecordReport",
        "Version": "1.0.0",
        "GeneratedDate": moment.isoformat(),
        "ReportGeneratingDeviceIds": ["device-omov"],
        "ReportingDevice": [
            {"@type": "CVR.ReportingDevice", "@id": "device-omov", "Application": "omov"}
        ],
        "GpUnit": [
            {
                "@type": "CVR.GpUnit",
                "@id": "gpunit-1",
                "Type": "other",
                "OtherType": "organisation",
                "ReportingDeviceIds": ["device-omov"],
            }
        ],
        "Election": [
            {
                "@type": "CVR.Election",
                "@id": "election-1",
                "Name": title,
                "ElectionScopeId": "gpunit-1",
                "Candidate": [
                    {"@type": "CVR.Candidate", "@id": candidate_ids[name], "Name": name}
                    for name in ballot_file.candidates
                ],
                "Contest": [contest],
            }
        ],
        "CVR": records,
    }
    return json.dumps(report, indent=1, ensure_ascii=False) + "\n"


def _selections(ballot: RawBallot, selection_ids: Mapping[str, str]) -> list[dict[str, Any]]:
    positions: dict[str, list[int]] = {}
    for rank, names in enumerate(ballot.marks, start=1):
        for name in names:
            if name not in selection_ids:
                raise ValueError(f"{name!r} is marked on a ballot but is not a candidate.")
            positions.setdefault(name, []).append(rank)
    return [
        {
            "@type": "CVR.CVRContestSelection",
            "ContestSelectionId": selection_ids[name],
            "SelectionPosition": [
                {
                    "@type": "CVR.SelectionPosition",
                    "Position": rank,
                    "Rank": rank,
                    "HasIndication": "yes",
                    "IsAllocable": "unknown",
                    "NumberVotes": 1,
                }
                for rank in ranks
            ],
        }
        for name, ranks in positions.items()
    ]


@dataclass(frozen=True, slots=True)
class _Contest:
    identifier: str
    name: str | None
    selection_names: dict[str, str]
    candidates: tuple[str, ...]
    seats: int | None


class _CdfReader:
    def __init__(self, source: str) -> None:
        self.source = source

    def _error(self, message: str, path: str | None = None) -> CountInputError:
        return CountInputError(message, source=self.source, field=path)

    # -- typed access to the JSON ---------------------------------------------------------------

    def _object(self, value: object, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self._error(f"Expected a JSON object here, found {_kind(value)}.", path)
        return value

    def _list(self, parent: dict[str, Any], key: str, path: str, *, required: bool) -> list[Any]:
        value = parent.get(key)
        if value is None:
            if required:
                raise self._error(f"The required list {key!r} is missing.", _join(path, key))
            return []
        if not isinstance(value, list):
            raise self._error(f"Expected a list, found {_kind(value)}.", _join(path, key))
        return value

    def _text(self, parent: dict[str, Any], key: str, path: str) -> str | None:
        value = parent.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._error(f"Expected text, found {_kind(value)}.", _join(path, key))
        return value

    def _integer(self, parent: dict[str, Any], key: str, path: str, default: int) -> int:
        value = parent.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._error(f"Expected a whole number, found {_kind(value)}.", _join(path, key))
        return value

    # -- reading --------------------------------------------------------------------------------

    def read(self, data: bytes, contest_wanted: str | None) -> BallotFile:
        try:
            document = json.loads(data)
        except json.JSONDecodeError as error:
            raise CountInputError(
                f"This is not valid JSON ({error.msg} at column {error.colno}).",
                source=self.source,
                line=error.lineno,
            ) from None
        except (ValueError, RecursionError) as error:
            # Bad text encoding (UnicodeDecodeError is a ValueError), or nesting too deep.
            raise self._error(f"This is not readable JSON text ({type(error).__name__}).") from None
        return self.read_document(document, contest_wanted)

    def read_document(self, document: object, contest_wanted: str | None) -> BallotFile:
        """Read a parsed report (from JSON, or from XML turned into the same shape)."""
        report = self._object(document, "(top level)")
        kind = report.get("@type")
        if kind is not None and kind != "CVR.CastVoteRecordReport":
            raise self._error(
                f"Expected a CVR.CastVoteRecordReport, found a {str(kind)[:60]!r}.", "@type"
            )
        contest = self._contest(report, contest_wanted)
        grouped: dict[tuple[tuple[str, ...], ...], int] = {}
        for index, entry in enumerate(self._list(report, "CVR", "", required=True)):
            path = f"CVR[{index}]"
            marks = self._ballot(self._object(entry, path), path, contest)
            if marks is not None:
                grouped[marks] = grouped.get(marks, 0) + 1
        if not grouped:
            raise self._error(
                f"No cast vote record includes the contest {contest.identifier!r}.", "CVR"
            )
        return BallotFile(
            candidates=contest.candidates,
            ballots=tuple(RawBallot(marks, weight) for marks, weight in grouped.items()),
            seats=contest.seats,
            title=contest.name,
            source=self.source,
        )

    def _contest(self, report: dict[str, Any], wanted: str | None) -> _Contest:
        """Find the contest to count; return its id, name, selection names and candidates."""
        elections = self._list(report, "Election", "", required=True)
        available: list[str] = []
        for election_index, raw_election in enumerate(elections):
            election_path = f"Election[{election_index}]"
            election = self._object(raw_election, election_path)
            contests = self._list(election, "Contest", election_path, required=False)
            for contest_index, raw_contest in enumerate(contests):
                contest_path = f"{election_path}.Contest[{contest_index}]"
                contest = self._object(raw_contest, contest_path)
                contest_id = self._text(contest, "@id", contest_path)
                if contest_id is None:
                    raise self._error("The contest has no '@id'.", contest_path)
                name = self._text(contest, "Name", contest_path)
                available.append(name or contest_id)
                if wanted is None or wanted in (contest_id, name):
                    return self._contest_details(election, election_path, contest, contest_path)
        if wanted is None:
            raise self._error("The report defines no contest to count.", "Election")
        raise self._error(
            f"There is no contest {wanted!r}; the report has: {', '.join(available) or 'none'}.",
            "Election",
        )

    def _contest_details(
        self,
        election: dict[str, Any],
        election_path: str,
        contest: dict[str, Any],
        contest_path: str,
    ) -> _Contest:
        candidate_names: dict[str, str] = {}
        for index, raw in enumerate(
            self._list(election, "Candidate", election_path, required=False)
        ):
            path = f"{election_path}.Candidate[{index}]"
            candidate = self._object(raw, path)
            candidate_id = self._text(candidate, "@id", path)
            if candidate_id is None:
                raise self._error("The candidate has no '@id'.", path)
            candidate_names[candidate_id] = self._text(candidate, "Name", path) or candidate_id
        selection_names: dict[str, str] = {}
        for index, raw in enumerate(
            self._list(contest, "ContestSelection", contest_path, required=True)
        ):
            path = f"{contest_path}.ContestSelection[{index}]"
            selection = self._object(raw, path)
            selection_id = self._text(selection, "@id", path)
            if selection_id is None:
                raise self._error("The contest selection has no '@id'.", path)
            names = []
            for id_index, candidate_id in enumerate(
                self._list(selection, "CandidateIds", path, required=False)
            ):
                if not isinstance(candidate_id, str) or candidate_id not in candidate_names:
                    raise self._error(
                        f"{candidate_id!r} is not the '@id' of any Candidate in this election.",
                        f"{path}.CandidateIds[{id_index}]",
                    )
                names.append(candidate_names[candidate_id])
            selection_names[selection_id] = " & ".join(names) if names else selection_id
        candidates = tuple(selection_names.values())
        repeated = sorted({n for n in candidates if candidates.count(n) > 1})
        if repeated:
            raise self._error(
                f"Two selections in the contest are both named {repeated[0]!r}.", contest_path
            )
        if not candidates:
            raise self._error("The contest has no selections.", f"{contest_path}.ContestSelection")
        seats = None
        if "NumberElected" in contest:
            seats = self._integer(contest, "NumberElected", contest_path, 1)
            if seats < 1:
                raise self._error(
                    "NumberElected must be 1 or more.", f"{contest_path}.NumberElected"
                )
        return _Contest(
            identifier=contest["@id"],
            name=self._text(contest, "Name", contest_path),
            selection_names=selection_names,
            candidates=candidates,
            seats=seats,
        )

    def _ballot(
        self,
        record: dict[str, Any],
        path: str,
        contest: _Contest,
    ) -> tuple[tuple[str, ...], ...] | None:
        snapshots = self._list(record, "CVRSnapshot", path, required=True)
        current = self._text(record, "CurrentSnapshotId", path)
        chosen: tuple[dict[str, Any], str] | None = None
        for index, raw in enumerate(snapshots):
            snapshot_path = f"{path}.CVRSnapshot[{index}]"
            snapshot = self._object(raw, snapshot_path)
            if current is None or self._text(snapshot, "@id", snapshot_path) == current:
                chosen = (snapshot, snapshot_path)
                if current is not None:
                    break
        if chosen is None or (current is None and len(snapshots) != 1):
            raise self._error(
                "Cannot tell which snapshot is current: set 'CurrentSnapshotId' to the '@id' of "
                "one of the CVRSnapshot entries.",
                f"{path}.CurrentSnapshotId",
            )
        snapshot, snapshot_path = chosen
        ranks: dict[int, list[str]] = {}
        has_contest = False
        for index, raw in enumerate(
            self._list(snapshot, "CVRContest", snapshot_path, required=False)
        ):
            contest_path = f"{snapshot_path}.CVRContest[{index}]"
            voted = self._object(raw, contest_path)
            if self._text(voted, "ContestId", contest_path) != contest.identifier:
                continue
            has_contest = True
            self._marks(voted, contest_path, contest.selection_names, ranks)
        if not has_contest:
            return None
        if not ranks:
            return ()
        order = {name: i for i, name in enumerate(contest.candidates)}
        return tuple(
            tuple(sorted(ranks.get(rank, ()), key=order.__getitem__))
            for rank in range(1, max(ranks) + 1)
        )

    def _marks(
        self,
        voted: dict[str, Any],
        path: str,
        selection_names: dict[str, str],
        ranks: dict[int, list[str]],
    ) -> None:
        for index, raw in enumerate(self._list(voted, "CVRContestSelection", path, required=False)):
            selection_path = f"{path}.CVRContestSelection[{index}]"
            selection = self._object(raw, selection_path)
            selection_id = self._text(selection, "ContestSelectionId", selection_path)
            if selection_id is None or selection_id not in selection_names:
                raise self._error(
                    f"{selection_id!r} is not a ContestSelection '@id' of this contest.",
                    f"{selection_path}.ContestSelectionId",
                )
            name = selection_names[selection_id]
            for position_index, raw_position in enumerate(
                self._list(selection, "SelectionPosition", selection_path, required=False)
            ):
                position_path = f"{selection_path}.SelectionPosition[{position_index}]"
                position = self._object(raw_position, position_path)
                indication = self._text(position, "HasIndication", position_path)
                if indication not in {"yes", "no", "unknown"}:
                    raise self._error(
                        f"HasIndication must be 'yes', 'no' or 'unknown', not {indication!r}.",
                        f"{position_path}.HasIndication",
                    )
                votes = self._integer(position, "NumberVotes", position_path, 1)
                rank = self._integer(position, "Rank", position_path, 1)
                if rank < 1:
                    raise self._error(
                        f"Rank must be 1 or more, not {rank}.", f"{position_path}.Rank"
                    )
                if rank > 10_000:
                    raise self._error(f"Rank {rank} is implausibly high.", f"{position_path}.Rank")
                if votes < 0:
                    raise self._error(
                        f"NumberVotes cannot be negative ({votes}).",
                        f"{position_path}.NumberVotes",
                    )
                if indication == "yes" and votes >= 1:
                    ranks.setdefault(rank, []).append(name)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, list):
        return "a list"
    return "an object"
