"""The fast CSV path reads exactly what the ordinary reader reads (the ordinary one is the oracle).

``read_csv(data)`` lets plain rows take the vectorised path of ``omov.count.formats.csv_fast``;
``read_csv(data, fast=False)`` reads every row the ordinary way. On any file both must give the
same candidates, the same ballots (as a multiset), the same details and notes, or the same
error.
"""

from __future__ import annotations

import pytest
from count_formats_support import ballot_multiset
from hypothesis import example, given, settings
from hypothesis import strategies as st

from omov.count import count
from omov.count.ballots import BallotFile, RankingTable
from omov.count.errors import CountInputError
from omov.count.formats import csv_fast
from omov.count.formats.csv import read_csv

# Names chosen to trip a lookup by length and leading bytes: equal lengths, shared prefixes,
# names past eight bytes sharing their first eight, multi-byte letters.
NAMES = ["Al", "Ann", "Anne", "Bob", "Alexander1", "Alexander2", "Alexandra", "Zoë", "李小龍"]
CELLS = [*NAMES, "", " Bob", "Ann=Bob", "Nobody", "Ann ", "Alexander3"]


def both(data: bytes) -> tuple[object, object]:
    """Return what the fast and the ordinary reader make of ``data`` (a result or an error)."""
    results = []
    for fast in (True, False):
        try:
            results.append(read_csv(data, source="x.csv", fast=fast))
        except CountInputError as error:
            results.append(("error", error.line, error.field, error.message))
    return results[0], results[1]


def assert_same(data: bytes) -> BallotFile | None:
    fast, slow = both(data)
    if isinstance(slow, tuple):
        assert fast == slow
        return None
    assert isinstance(fast, BallotFile) and isinstance(slow, BallotFile)
    assert fast.candidates == slow.candidates
    assert ballot_multiset(fast) == ballot_multiset(slow)
    assert (fast.seats, fast.title, fast.withdrawn, fast.notes) == (
        slow.seats,
        slow.title,
        slow.withdrawn,
        slow.notes,
    )
    return fast


rows = st.lists(
    st.lists(st.sampled_from(CELLS), min_size=0, max_size=6).map(",".join), min_size=1, max_size=40
)
preludes = st.sampled_from(
    [
        "",
        "rank 1,rank 2,rank 3\n",
        "# title: Chair\n# seats: 1\n",
        "# candidates: Al, Ann, Anne, Bob, Alexander1, Alexander2, Alexandra, Zoë, 李小龍\n",
        "# candidates: Ann, Bob\n# withdrawn: Bob\nrank 1,rank 2\n",
        "# a comment\n\n1,2,3\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(preludes, rows, st.sampled_from(["\n", "\r\n"]), st.booleans())
@example("", ["Ann,Bob", "Bob,Ann", "Ann"], "\n", True)
@example("", ["Alexander1,Alexander2", "Alexander3"], "\n", False)
def test_the_fast_path_reads_what_the_ordinary_reader_reads(
    prelude: str, lines: list[str], ending: str, final_break: bool
) -> None:
    text = prelude + ending.join(lines) + (ending if final_break else "")
    assert_same(text.replace("\n", ending).encode("utf-8"))


def test_a_plain_file_takes_the_fast_path_and_counts_the_same() -> None:
    lines = ["Ann,Bob,Zoë", "Bob,Ann", "Zoë", "Ann,Bob,Zoë", "Bob,,Ann", " Zoë,Ann"] * 50
    data = ("rank 1,rank 2,rank 3\n" + "\n".join(lines) + "\n").encode("utf-8")
    fast = assert_same(data)
    assert fast is not None and isinstance(fast.ballots, RankingTable)
    assert fast.ballots.rankings.shape[0] == 3  # the distinct plain rankings, grouped
    assert len(fast.ballots.rest) == 2  # the blank rank and the padded name, read the usual way
    slow = read_csv(data, fast=False)
    assert count(fast).rounds == count(slow).rounds


def test_names_first_seen_after_the_sample_and_lines_across_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(csv_fast, "_CHUNK_BYTES", 64)
    monkeypatch.setattr(csv_fast, "_SAMPLE_LINES", 5)
    first = ["Ann,Bob", "Bob,Ann", "Ann", "Bob", "Ann,Bob,Ann"]  # distinct: the fast path is taken
    lines = first + ["Ann,Bob"] * 7 + ["Cy,Ann", "Bob,Cy,Ann", "Ann,Ann", "Dee"] * 3 + ["Ann"]
    fast = assert_same(("\n".join(lines) + "\n").encode("utf-8"))
    assert fast is not None and fast.candidates == ("Ann", "Bob", "Cy", "Dee")
    assert isinstance(fast.ballots, RankingTable)


def test_a_large_file_whose_lines_repeat_a_lot_takes_the_ordinary_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(csv_fast, "_SAMPLE_LINES", 10)
    fast = assert_same(("Ann,Bob\nBob\n" * 20).encode("utf-8"))
    assert fast is not None and not isinstance(fast.ballots, RankingTable)


@pytest.mark.parametrize(
    "text",
    [
        'Ann,"Bob"\nBob\n',  # quotes
        "count,rank 1\n3,Ann\n2,Bob\n",  # a count column
        "Ann\nBob\r\nCy\rDee\n",  # a lone carriage return
        "Ann,Bob\n# seats: 2\nBob\n",  # a directive after the first ballot
        ",".join(f"c{number}" for number in range(40)) + "\n",  # more names than codes
    ],
)
def test_files_the_fast_path_leaves_to_the_ordinary_reader_read_the_same(text: str) -> None:
    fast = assert_same(text.encode("utf-8"))
    assert fast is None or not isinstance(fast.ballots, RankingTable) or "\n# seats" not in text


def test_a_control_character_is_refused_with_its_line_on_either_path() -> None:
    fast, slow = both(b"Ann,Bob\nAnn,B\x01ob\nBob\n")
    assert fast == slow
    assert isinstance(fast, tuple) and fast[1] == 2
