"""The BLT reader and writer: real-world quirks, marks, round trips and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from omov.count import BallotFile, CountInputError, RawBallot
from omov.count.formats.blt import read_blt, write_blt

GOOD = """4 2
-4
3 1 2 0
2 2=3 - 1 0
1 3 0
3 1 2 0
0
"Ada  Lovelace"
"Ben"
"Cy"
"Dee"
"Club committee 2024"
"""


def test_reads_candidates_seats_title_withdrawn_and_groups_identical_ballots() -> None:
    ballots = read_blt(GOOD, source="club.blt")

    assert ballots.candidates == ("Ada  Lovelace", "Ben", "Cy", "Dee")
    assert ballots.seats == 2
    assert ballots.title == "Club committee 2024"
    assert ballots.withdrawn == frozenset({"Dee"})
    assert ballots.source == "club.blt"
    assert sorted((ballot.marks, ballot.weight) for ballot in ballots.ballots) == sorted(
        [
            ((("Ada  Lovelace",), ("Ben",)), 6),
            ((("Ben", "Cy"), (), ("Ada  Lovelace",)), 2),
            ((("Cy",),), 1),
        ]
    )


def test_padding_crlf_and_a_byte_order_mark_are_tolerated(tmp_path: Path) -> None:
    padded = "\r\n".join(line + " " * 40 for line in GOOD.splitlines()) + "\r\n"
    path = tmp_path / "padded.blt"
    path.write_bytes(b"\xef\xbb\xbf" + padded.encode())

    from_path = read_blt(path)
    from_bytes = read_blt(path.read_bytes(), source="padded.blt")

    assert from_path == from_bytes
    assert from_path.source == "padded.blt"
    assert from_path.candidates == read_blt(GOOD).candidates
    assert set(from_path.ballots) == set(read_blt(GOOD).ballots)


def test_write_then_read_gives_the_same_ballot_file() -> None:
    original = BallotFile(
        candidates=("Ada", "Ben  Smith", "Cy"),
        ballots=(
            RawBallot(marks=(("Ada",), ("Ben  Smith", "Cy")), weight=4),
            RawBallot(marks=((), ("Cy",)), weight=1),
            RawBallot(marks=(), weight=2),
        ),
        seats=2,
        title="Title with  spaces",
        withdrawn=frozenset({"Cy"}),
        source="x.blt",
    )

    text = write_blt(original)

    assert text.splitlines()[:2] == ["3 2", "-3"]
    assert "4 1 2=3 0" in text.splitlines()
    assert "1 - 3 0" in text.splitlines()
    assert "2 0" in text.splitlines()
    assert read_blt(text, source="x.blt") == original


def test_writer_refuses_what_blt_cannot_hold() -> None:
    with pytest.raises(CountInputError, match="not in the candidate list"):
        write_blt(BallotFile(candidates=("A",), ballots=(RawBallot((("Zed",),)),)))
    with pytest.raises(CountInputError, match="double quote"):
        write_blt(BallotFile(candidates=('A "the ace"',), ballots=()))


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "ended early"),
        ("4\n", 1, "two whole numbers"),
        ("x 2\n", 1, "number of candidates"),
        ("2 0\n", 1, "number of seats"),
        ("2 1\n-3\n0\n", 2, "candidate number from 1 to 2"),
        ("2 1\n1 1 2\n0\n", 2, "end with 0"),
        ("2 1\n1.5 1 2 0\n0\n", 2, "ballot weight"),
        ("2 1\n0 1 0\n0\n", 2, "ballot weight"),
        ("2 1\n1 1 3 0\n0\n", 2, "candidate number from 1 to 2"),
        ("2 1\n1 1 x 0\n0\n", 2, "found 'x'"),
        ("2 1\n1 1 0\n", 3, "end-of-ballots"),
        ('2 1\n1 1 0\n0\n"A"\n', 5, "candidate 2 of 2"),
        ('2 1\n1 1 0\n0\n"A"\n"B\n', 5, "closing quote is missing"),
        ('2 1\n1 1 0\n0\n"A"\n"B"\n"title\n', 6, "the title in double quotes"),
        ('2 1\n1 1 0\n0\n"A"\n1 2 0\n', 5, "looks like a ballot line"),
        ('2 1\n1 1 0\n0\n1 2 0\n"A"\n"B"\n', 4, "looks like a ballot line"),
        ('2 1\n1 1 0\n0\n"A"\n"B"\n"T"\n"extra"\n', 7, "end of the file"),
    ],
)
def test_bad_files_name_the_file_line_and_what_was_expected(
    text: str, line: int, message: str
) -> None:
    with pytest.raises(CountInputError) as error:
        read_blt(text, source="bad.blt")

    assert error.value.source == "bad.blt"
    assert error.value.line == line
    assert message in error.value.message
    assert str(error.value).startswith(f"bad.blt, line {line}: ")


def test_duplicate_names_missing_files_and_non_utf8_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CountInputError, match="both named 'A'"):
        read_blt('2 1\n1 1 0\n0\n"A"\n"A"\n', source="dup.blt")
    with pytest.raises(CountInputError, match="no file") as missing:
        read_blt(tmp_path / "missing.blt")
    assert missing.value.source == "missing.blt"
    path = tmp_path / "latin.blt"
    path.write_bytes(b'1 1\n1 1 0\n0\n"Jos\xe9"\n')
    with pytest.raises(CountInputError, match="not UTF-8") as latin:
        read_blt(path)
    assert latin.value.line == 4


def test_title_is_optional() -> None:
    ballots = read_blt('2 1\n1 1 0\n0\n"A"\n"B"\n')

    assert ballots.title is None
    assert ballots.candidates == ("A", "B")
