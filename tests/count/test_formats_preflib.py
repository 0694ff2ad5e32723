"""The PrefLib reader (2022 and older layouts) and writer."""

from __future__ import annotations

import pytest
from count_formats_support import ballot_multiset, same_ballots
from hypothesis import given, settings
from hypothesis import strategies as st

from omov.count.ballots import BallotFile, RawBallot
from omov.count.errors import CountInputError
from omov.count.formats.preflib import read_preflib, write_preflib

MODERN = """\
# FILE NAME: 00004-00000001.toi
# TITLE: Branch chair
# DATA TYPE: toi
# MODIFICATION TYPE: original
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: 9
# NUMBER UNIQUE ORDERS: 3
# ALTERNATIVE NAME 1: Alice
# ALTERNATIVE NAME 2: Bob
# ALTERNATIVE NAME 3: Carol Ann
4: 1,2,3
3: 2,{1,3}
2: 3
"""

LEGACY = "3\n1,Alice\n2,Bob\n3,Carol Ann\n9,9,3\n4,1,2,3\n3,2,{1,3}\n2,3\n"


def read(text: str) -> BallotFile:
    return read_preflib(text.encode("utf-8"), source="election.toi")


def test_the_2022_layout_is_read_with_ties_as_overvotes() -> None:
    ballot_file = read(MODERN)
    assert ballot_file.candidates == ("Alice", "Bob", "Carol Ann")
    assert ballot_file.title == "Branch chair"
    assert ballot_multiset(ballot_file) == {
        (("Alice",), ("Bob",), ("Carol Ann",)): 4,
        (("Bob",), ("Alice", "Carol Ann")): 3,
        (("Carol Ann",),): 2,
    }


def test_the_older_layout_gives_the_same_ballots() -> None:
    assert same_ballots(read(LEGACY), read(MODERN))


def test_repeated_order_lines_are_summed() -> None:
    text = MODERN.replace("# NUMBER VOTERS: 9", "# NUMBER VOTERS: 13").replace(
        "# NUMBER UNIQUE ORDERS: 3", "# NUMBER UNIQUE ORDERS: 4"
    )
    ballot_file = read(text + "4: 1,2,3\n")
    assert ballot_multiset(ballot_file)[(("Alice",), ("Bob",), ("Carol Ann",))] == 8


def error_of(text: str) -> CountInputError:
    with pytest.raises(CountInputError) as caught:
        read(text)
    return caught.value


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("2: 3\n", "2: 4\n", 13, "Alternative 4 does not exist"),
        ("2: 3\n", "2: 3,\n", 13, "ends with ','"),
        ("2: 3\n", "two: 3\n", 13, "Expected 'count: order'"),
        ("3: 2,{1,3}\n", "3: 2,{1,3\n", 12, "not closed"),
        ("3: 2,{1,3}\n", "3: 2 {1,3}\n", 12, "Expected an alternative"),
        ("# NUMBER VOTERS: 9", "# NUMBER VOTERS: 10", 6, "add up to 9"),
        ("# NUMBER UNIQUE ORDERS: 3", "# NUMBER UNIQUE ORDERS: 5", 7, "truncated"),
        ("# NUMBER ALTERNATIVES: 3", "# NUMBER ALTERNATIVES: 4", 5, "names 3"),
        ("# DATA TYPE: toi", "# DATA TYPE: wmd", 3, "ordinal preferences"),
        ("# ALTERNATIVE NAME 2: Bob", "# ALTERNATIVE NAME 2: Alice", None, "share the name"),
        ("# ALTERNATIVE NAME 2: Bob", "# ALTERNATIVE NAME 1: Bob", 9, "named twice"),
        ("# NUMBER VOTERS: 9", "# NUMBER VOTERS: nine", 6, "whole number"),
    ],
)
def test_bad_2022_files_are_refused_with_the_line(
    old: str, new: str, line: int | None, words: str
) -> None:
    assert old in MODERN
    error = error_of(MODERN.replace(old, new))
    assert error.line == line
    assert words in error.message
    assert error.source == "election.toi"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("3\n1,Alice\n2,Bob\n", 3),
        ("3\n1,Alice\n3,Bob\n3,Carol\n1,1,1\n1,1\n", 3),
        ("3\n1,Alice\n2,Bob\n3,Carol\n1,1\n1,1\n", 5),
        ("3\n1,Alice\n2,Bob\n3,Carol\n2,2,1\n1,1\n", 5),
        ("Alice,Bob\n", 1),
    ],
)
def test_bad_older_files_are_refused_with_the_line(text: str, line: int) -> None:
    assert error_of(text).line == line


def test_an_empty_file_is_refused() -> None:
    assert "empty" in error_of("\n \n").message


def test_a_file_naming_no_alternatives_is_refused() -> None:
    assert "ALTERNATIVE NAME" in error_of("# TITLE: x\n1: 1\n").message


def test_writer_output_reads_back_the_same() -> None:
    original = read(MODERN)
    text = write_preflib(original)
    assert "# DATA TYPE: toi" in text
    assert same_ballots(read(text), original)


def test_writer_labels_complete_strict_orders_soc() -> None:
    ballot_file = BallotFile(
        candidates=("A", "B"),
        ballots=(RawBallot((("A",), ("B",)), 2), RawBallot((("B",), ("A",)), 1)),
    )
    assert "# DATA TYPE: soc" in write_preflib(ballot_file)


@pytest.mark.parametrize(
    "marks",
    [((("A",), (), ("B",))), ((("A",), ("A",))), ((("Zed",),))],
)
def test_writer_refuses_what_preflib_cannot_express(marks: tuple[tuple[str, ...], ...]) -> None:
    with pytest.raises(ValueError):
        write_preflib(BallotFile(candidates=("A", "B"), ballots=(RawBallot(marks, 1),)))


@st.composite
def strict_ballot_files(draw: st.DrawFn) -> BallotFile:
    size = draw(st.integers(min_value=1, max_value=7))
    candidates = tuple(f"Candidate {i}" for i in range(1, size + 1))
    ballots = []
    for _ in range(draw(st.integers(min_value=1, max_value=10))):
        order = draw(st.permutations(candidates))
        length = draw(st.integers(min_value=0, max_value=size))
        groups: list[tuple[str, ...]] = []
        position = 0
        while position < length:
            width = draw(st.integers(min_value=1, max_value=min(3, length - position)))
            groups.append(tuple(order[position : position + width]))
            position += width
        ballots.append(RawBallot(tuple(groups), draw(st.integers(min_value=1, max_value=99))))
    return BallotFile(candidates=candidates, ballots=tuple(ballots))


@settings(max_examples=150, deadline=None)
@given(strict_ballot_files())
def test_round_trip_write_then_read_gives_the_same_ballots(original: BallotFile) -> None:
    again = read_preflib(write_preflib(original).encode("utf-8"), source="again.soi")
    assert same_ballots(original, again)
