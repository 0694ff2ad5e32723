"""The outputs of a count: the JSON data (format omov.count/1), the text table and the CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest

from omov.count import BallotFile, RawBallot, count
from omov.count.formats.csv import read_csv, spreadsheet_safe, write_csv


def sample() -> BallotFile:
    return BallotFile(
        candidates=("Ada", "Ben", "Cy"),
        ballots=(
            RawBallot((("Ada",),), 8),
            RawBallot((("Ben",),), 7),
            RawBallot((("Cy",), ("Ada",)), 2),
            RawBallot((("Cy",),), 4),
            RawBallot((("Ada", "Ben"),), 1),
        ),
        title="Leader 2024",
        source="leader.blt",
    )


def test_json_has_the_documented_shape_with_decimal_strings() -> None:
    data = count(sample(), method="irv", seed="abc").to_json_dict()

    assert json.loads(json.dumps(data)) == data
    assert data["format"] == "omov.count/1"
    assert data["method"] == "irv"
    assert data["seats"] == 1
    assert data["seed"] == "abc"
    assert data["candidates"] == ["Ada", "Ben", "Cy"]
    assert data["elected"] == ["Ada"]
    assert data["ballots"] == {"valid": 21, "rejected": 1}
    assert data["rounds"][0] == {
        "round": 1,
        "votes": {"Ada": "8", "Ben": "7", "Cy": "6"},
        "transfers": {},
        "exhausted": "0",
        "rounding_loss": "0",
        "quota": "11",
        "elected": [],
        "excluded": [],
        "reason": data["rounds"][0]["reason"],
        "tie_break": None,
    }
    second = data["rounds"][1]
    assert second["votes"] == {"Ada": "10", "Ben": "7", "Cy": "0"}
    assert second["transfers"] == {"Ada": "2", "Cy": "-6"}
    assert second["exhausted"] == "4"
    assert second["excluded"] == ["Cy"]
    assert second["elected"] == ["Ada"]


def test_stv_json_values_keep_their_fixed_decimal_places() -> None:
    ballot_file = BallotFile(
        candidates=("A", "B", "C"),
        ballots=(
            RawBallot((("A",), ("B",)), 7),
            RawBallot((("B",),), 2),
            RawBallot((("C",),), 3),
        ),
    )

    scottish = count(ballot_file, method="stv-scottish", seats=2).to_json_dict()
    meek = count(ballot_file, method="stv-meek", seats=2).to_json_dict()

    # Quota floor(12 / 3) + 1 = 5; A's surplus 2 at 2 / 7 = 0.28571 (truncated) per paper:
    # B gets 7 × 0.28571 = 1.99997 on top of 2.
    assert scottish["rounds"][0]["quota"] == "5.00000"
    assert scottish["rounds"][1]["votes"]["B"] == "3.99997"
    assert scottish["rounds"][1]["rounding_loss"] == "0.00003"
    assert meek["rounds"][0]["quota"] == "4.000000001"
    assert "keep_values" in meek["rounds"][0]


def test_table_shows_every_round_reasons_and_the_elected() -> None:
    table = count(sample(), method="irv").to_table()

    assert table.startswith("Leader 2024\n")
    assert "Valid ballots: 21; rejected: 1" in table
    assert "overvote: 1 ballots (0 rejected)" in table
    header = next(line for line in table.splitlines() if line.startswith("Candidate"))
    assert header.split() == ["Candidate", "Round", "1", "Round", "2"]
    ada = next(line for line in table.splitlines() if line.startswith("Ada"))
    assert ada.split()[:3] == ["Ada", "8", "10"]
    assert "elected in round 2" in ada
    assert "Round 2: Cy has the fewest votes (6) and is excluded." in table
    assert table.rstrip().endswith("Elected: Ada")


def test_csv_has_one_row_per_candidate_and_one_column_per_round() -> None:
    rows = list(csv.reader(io.StringIO(count(sample(), method="irv").to_csv())))

    assert rows[0] == ["candidate", "round 1", "round 2", "status"]
    assert rows[1] == ["Ada", "8", "10", "elected in round 2"]
    assert rows[3] == ["Cy", "6", "0", "excluded in round 2"]
    assert rows[4] == ["exhausted", "0", "4", ""]
    assert rows[-1] == ["quota", "11", "9", ""]


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]
)
def test_csv_report_neutralises_formula_names(name: str) -> None:
    ballots = BallotFile(
        candidates=(name, "Ben"),
        ballots=(RawBallot(((name,),), 3), RawBallot((("Ben",),), 1)),
    )
    rows = list(csv.reader(io.StringIO(count(ballots, method="irv").to_csv(), newline="")))
    names = [row[0] for row in rows[1:3]]
    assert names == ["'" + name, "Ben"]
    # The numbers beside the name stay numbers.
    assert rows[1][1] == "3"


@pytest.mark.parametrize(
    ("text", "safe"),
    [("=1+1", "'=1+1"), ("Ann", "Ann"), ("", ""), ("a=b", "a=b"), ("-", "'-"), (" =x", " =x")],
)
def test_spreadsheet_safe_prefixes_only_formula_starts(text: str, safe: str) -> None:
    assert spreadsheet_safe(text) == safe


def test_a_ballot_csv_keeps_formula_names_exactly_so_it_round_trips() -> None:
    ballots = BallotFile(
        candidates=("+Ann", "@Ben"), ballots=(RawBallot((("+Ann",), ("@Ben",)), 2),)
    )
    again = read_csv(write_csv(ballots).encode("utf-8"))
    assert again.candidates == ("+Ann", "@Ben")
    assert again.ballots == ballots.ballots


def test_a_report_of_another_format_or_with_a_field_missing_is_refused() -> None:
    import pytest

    from omov.count import CountResult
    from omov.count.errors import CountInputError

    with pytest.raises(CountInputError, match=r"format is 'omov\.count/2'"):
        CountResult.from_json({"format": "omov.count/2"})
    with pytest.raises(CountInputError, match="has no 'validity'"):
        CountResult.from_json({"format": "omov.count/1"})


def test_the_table_names_the_threshold_as_the_declaration_page_does() -> None:
    irv = count(sample(), method="irv").to_table()
    assert any(line.startswith("Votes needed to win") for line in irv.splitlines())
    assert "Quota" not in irv
    stv = count(sample(), method="stv-scottish", seats=2).to_table()
    assert any(line.startswith("Quota") for line in stv.splitlines())
