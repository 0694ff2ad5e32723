"""The NIST SP 1500-103 CDF (JSON) cast vote record reader and writer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from count_formats_support import ballot_multiset, same_ballots
from hypothesis import given, settings
from hypothesis import strategies as st

from omov.count.ballots import BallotFile, RawBallot
from omov.count.errors import CountInputError
from omov.count.formats.cdf import read_cdf, write_cdf

MOMENT = datetime(2026, 5, 4, 22, 0, tzinfo=UTC)


def position(rank: int | None, indication: str = "yes", votes: int = 1) -> dict[str, Any]:
    item: dict[str, Any] = {
        "@type": "CVR.SelectionPosition",
        "HasIndication": indication,
        "NumberVotes": votes,
        "IsAllocable": "yes",
    }
    if rank is not None:
        item["Rank"] = rank
    return item


def record(contests: dict[str, dict[str, list[dict[str, Any]]]], number: int) -> dict[str, Any]:
    """A CVR with one 'original' snapshot: {contest id: {selection id: [positions]}}."""
    return {
        "@type": "CVR.CVR",
        "ElectionId": "e1",
        "CurrentSnapshotId": f"s{number}",
        "CVRSnapshot": [
            {
                "@type": "CVR.CVRSnapshot",
                "@id": f"s{number}",
                "Type": "original",
                "CVRContest": [
                    {
                        "@type": "CVR.CVRContest",
                        "ContestId": contest_id,
                        "CVRContestSelection": [
                            {
                                "@type": "CVR.CVRContestSelection",
                                "ContestSelectionId": selection_id,
                                "SelectionPosition": positions,
                            }
                            for selection_id, positions in selections.items()
                        ],
                    }
                    for contest_id, selections in contests.items()
                ],
            }
        ],
    }


def selection(identifier: str, candidate: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "CVR.CandidateSelection", "@id": identifier}
    if candidate is not None:
        item["CandidateIds"] = [candidate]
    return item


def report(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@type": "CVR.CastVoteRecordReport",
        "Version": "1.0.0",
        "GeneratedDate": "2026-05-04T22:00:00Z",
        "ReportGeneratingDeviceIds": ["d1"],
        "GpUnit": [{"@type": "CVR.GpUnit", "@id": "g1", "Type": "other"}],
        "Election": [
            {
                "@type": "CVR.Election",
                "@id": "e1",
                "ElectionScopeId": "g1",
                "Candidate": [
                    {"@type": "CVR.Candidate", "@id": "c1", "Name": "Ada"},
                    {"@type": "CVR.Candidate", "@id": "c2", "Name": "Ben"},
                    {"@type": "CVR.Candidate", "@id": "c3", "Name": "Cy"},
                ],
                "Contest": [
                    {
                        "@type": "CVR.CandidateContest",
                        "@id": "leader",
                        "Name": "Leader",
                        "NumberElected": 1,
                        "ContestSelection": [
                            {
                                "@type": "CVR.CandidateSelection",
                                "@id": "l1",
                                "CandidateIds": ["c1"],
                            },
                            {
                                "@type": "CVR.CandidateSelection",
                                "@id": "l2",
                                "CandidateIds": ["c2"],
                            },
                            {
                                "@type": "CVR.CandidateSelection",
                                "@id": "l3",
                                "CandidateIds": ["c3"],
                            },
                            {
                                "@type": "CVR.CandidateSelection",
                                "@id": "write-in",
                                "IsWriteIn": True,
                            },
                        ],
                    },
                    {
                        "@type": "CVR.CandidateContest",
                        "@id": "deputy",
                        "Name": "Deputy",
                        "NumberElected": 2,
                        "ContestSelection": [
                            {
                                "@type": "CVR.CandidateSelection",
                                "@id": "d1",
                                "CandidateIds": ["c1"],
                            },
                            {
                                "@type": "CVR.CandidateSelection",
                                "@id": "d2",
                                "CandidateIds": ["c2"],
                            },
                        ],
                    },
                ],
            }
        ],
        "CVR": records,
    }


def read(document: dict[str, Any], contest: str | None = None) -> BallotFile:
    return read_cdf(json.dumps(document).encode(), source="cvr.json", contest=contest)


def test_ranks_become_preferences_and_identical_records_are_grouped() -> None:
    records = [
        record({"leader": {"l1": [position(1)], "l2": [position(2)]}}, 1),
        record({"leader": {"l2": [position(2)], "l1": [position(1)]}}, 2),
        record({"leader": {"l3": [position(1)], "l1": [position(3)]}}, 3),
    ]
    ballot_file = read(report(records))
    assert ballot_file.candidates == ("Ada", "Ben", "Cy", "write-in")
    assert (ballot_file.title, ballot_file.seats) == ("Leader", 1)
    assert ballot_multiset(ballot_file) == {
        (("Ada",), ("Ben",)): 2,
        (("Cy",), (), ("Ada",)): 1,
    }


def test_same_rank_is_an_overvote_and_two_ranks_for_one_candidate_a_duplicate() -> None:
    records = [
        record({"leader": {"l1": [position(1)], "l2": [position(1)]}}, 1),
        record({"leader": {"l1": [position(1), position(2)]}}, 2),
    ]
    assert ballot_multiset(read(report(records))) == {
        (("Ada", "Ben"),): 1,
        (("Ada",), ("Ada",)): 1,
    }


def test_positions_without_indication_or_votes_are_not_marks() -> None:
    records = [
        record(
            {
                "leader": {
                    "l1": [position(1, indication="no")],
                    "l2": [position(1, votes=0)],
                    "l3": [position(2, indication="unknown")],
                    "write-in": [position(1)],
                }
            },
            1,
        )
    ]
    assert ballot_multiset(read(report(records))) == {(("write-in",),): 1}


def test_a_missing_rank_means_first_so_plurality_contests_read_naturally() -> None:
    records = [record({"deputy": {"d2": [position(None)]}}, 1)]
    assert ballot_multiset(read(report(records), contest="deputy")) == {(("Ben",),): 1}


def test_the_contest_is_chosen_by_id_or_name_and_records_without_it_are_left_out() -> None:
    records = [
        record({"leader": {"l1": [position(1)]}}, 1),
        record({"deputy": {"d1": [position(1)], "d2": [position(2)]}}, 2),
    ]
    by_name = read(report(records), contest="Deputy")
    by_id = read(report(records), contest="deputy")
    assert by_name == by_id
    assert by_name.candidates == ("Ada", "Ben")
    assert by_name.seats == 2
    assert ballot_multiset(by_name) == {(("Ada",), ("Ben",)): 1}
    assert ballot_multiset(read(report(records))) == {(("Ada",),): 1}


def test_the_current_snapshot_is_the_one_counted() -> None:
    entry = record({"leader": {"l1": [position(1)]}}, 1)
    modified = json.loads(json.dumps(entry["CVRSnapshot"][0]))
    modified["@id"] = "s1-adjudicated"
    modified["Type"] = "modified"
    modified["CVRContest"][0]["CVRContestSelection"][0]["ContestSelectionId"] = "l2"
    entry["CVRSnapshot"].append(modified)
    entry["CurrentSnapshotId"] = "s1-adjudicated"
    assert ballot_multiset(read(report([entry]))) == {(("Ben",),): 1}


def error_of(document: object, contest: str | None = None) -> CountInputError:
    with pytest.raises(CountInputError) as caught:
        read_cdf(json.dumps(document).encode(), source="cvr.json", contest=contest)
    return caught.value


def test_an_unknown_selection_names_its_json_path_and_line() -> None:
    records = [record({"leader": {"l1": [position(1)]}}, 1), record({"leader": {"x9": []}}, 2)]
    text = json.dumps(report(records), indent=1)
    with pytest.raises(CountInputError) as caught:
        read_cdf(text.encode(), source="cvr.json")
    error = caught.value
    # The line is where the offending CVRContestSelection object opens.
    lines = text.splitlines()
    assert error.line is not None
    assert lines[error.line - 1].strip() == "{"
    assert '"ContestSelectionId": "x9"' in lines[error.line + 1]
    assert error.field == "CVR[1].CVRSnapshot[0].CVRContest[0].CVRContestSelection[0]." + (
        "ContestSelectionId"
    )
    assert "'x9'" in error.message


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p.update(Rank=0), "Rank"),
        (lambda p: p.update(Rank="1"), "Rank"),
        (lambda p: p.update(Rank=True), "Rank"),
        (lambda p: p.update(NumberVotes=-1), "NumberVotes"),
        (lambda p: p.update(HasIndication="maybe"), "HasIndication"),
    ],
)
def test_bad_positions_name_their_json_path(change: Any, field: str) -> None:
    item = position(1)
    change(item)
    error = error_of(report([record({"leader": {"l1": [item]}}, 1)]))
    assert error.field == (
        f"CVR[0].CVRSnapshot[0].CVRContest[0].CVRContestSelection[0].SelectionPosition[0].{field}"
    )


def test_a_missing_contest_lists_the_contests_available() -> None:
    error = error_of(report([record({"leader": {"l1": [position(1)]}}, 1)]), contest="Treasurer")
    assert "Leader" in error.message and "Deputy" in error.message


def test_a_current_snapshot_that_does_not_exist_is_refused() -> None:
    entry = record({"leader": {"l1": [position(1)]}}, 1)
    entry["CurrentSnapshotId"] = "nowhere"
    assert error_of(report([entry])).field == "CVR[0].CurrentSnapshotId"


@pytest.mark.parametrize(
    "document",
    [[], {"@type": "CVR.Something"}, {"Election": {}}, {"Election": [], "CVR": []}, "text"],
)
def test_documents_that_are_not_reports_are_refused(document: object) -> None:
    error_of(document)


def test_broken_json_names_the_line() -> None:
    with pytest.raises(CountInputError) as caught:
        read_cdf(b'{\n  "CVR": [\n    1,,\n  ]\n}\n', source="cvr.json")
    assert caught.value.line == 3


def test_no_records_in_the_contest_is_refused() -> None:
    assert "No cast vote record" in error_of(report([])).message


def test_writer_output_reads_back_the_same() -> None:
    original = BallotFile(
        candidates=("Ada", "Ben", "Cy"),
        ballots=(
            RawBallot((("Ada",), ("Ben",)), 2),
            RawBallot((("Ben", "Cy"), (), ("Ada",)), 1),
            RawBallot((("Cy",), ("Cy",)), 1),
        ),
        seats=1,
        title="Leader",
    )
    text = write_cdf(original, generated_at=MOMENT)
    document = json.loads(text)
    assert document["@type"] == "CVR.CastVoteRecordReport"
    assert document["GeneratedDate"] == "2026-05-04T22:00:00+00:00"
    assert len(document["CVR"]) == 4
    again = read_cdf(text.encode(), source="again.json")
    assert same_ballots(original, again)
    assert (again.seats, again.title) == (1, "Leader")


def test_writer_refuses_a_naive_time_and_names_that_are_not_candidates() -> None:
    ballot_file = BallotFile(candidates=("Ada",), ballots=(RawBallot((("Zed",),), 1),))
    with pytest.raises(ValueError):
        write_cdf(ballot_file, generated_at=MOMENT)
    with pytest.raises(ValueError):
        write_cdf(ballot_file, generated_at=datetime(2026, 1, 1))


@st.composite
def ballot_files(draw: st.DrawFn) -> BallotFile:
    candidates = tuple(
        draw(st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=5, unique=True))
    )
    mark = st.lists(st.sampled_from(candidates), min_size=0, max_size=2, unique=True).map(tuple)
    ballots = draw(
        st.lists(
            st.builds(
                RawBallot,
                st.lists(mark, max_size=5).map(
                    lambda marks: tuple(
                        marks[: max((i + 1 for i, m in enumerate(marks) if m), default=0)]
                    )
                ),
                st.integers(min_value=1, max_value=3),
            ),
            min_size=1,
            max_size=8,
        )
    )
    return BallotFile(candidates=candidates, ballots=tuple(ballots))


@settings(max_examples=100, deadline=None)
@given(ballot_files())
def test_round_trip_write_then_read_gives_the_same_ballots(original: BallotFile) -> None:
    # Overvote groups come back in candidate order, so compare with the groups sorted that way.
    order = {name: i for i, name in enumerate(original.candidates)}
    normalised = BallotFile(
        candidates=original.candidates,
        ballots=tuple(
            RawBallot(
                tuple(tuple(sorted(group, key=order.__getitem__)) for group in ballot.marks),
                ballot.weight,
            )
            for ballot in original.ballots
        ),
    )
    again = read_cdf(write_cdf(original, generated_at=MOMENT).encode(), source="again.json")
    assert same_ballots(normalised, again)
