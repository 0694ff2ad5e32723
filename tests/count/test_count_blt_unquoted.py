"""BLT files with names and title written without quotes (the Scottish council corpus layout).

The public corpus of 1,100 Scottish council STV ward files (2007-2022) writes names and titles
one per line without double quotes, sometimes with runs of spaces inside a name. That corpus
cannot be fetched here, so these tests use a file written by hand in that layout
(tests/count/data/unquoted-ward.blt) and the 17 Edinburgh 2017 wards rewritten in it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from count_formats_support import (
    ballot_multiset,
    edinburgh_official_winners,
    edinburgh_wards,
    unquoted_blt,
)

from omov.cli.main import main
from omov.count import count
from omov.count.formats import read_ballot_bytes, sniff_format
from omov.count.formats.blt import read_blt

HAND_WRITTEN = Path(__file__).parent / "data" / "unquoted-ward.blt"
WARDS = edinburgh_wards()


def test_unquoted_names_are_whole_trimmed_lines_with_inner_spaces_kept() -> None:
    ballots = read_blt(HAND_WRITTEN)

    assert ballots.candidates == (
        "Yvonne ALLAN (Lab)",
        "Marion DONALDSON     (Lab)",
        "Quoted  McQUOTE (Ind)",
        "Withdrew Early (SNP)",
        "Alex O'NEIL-SMITH (Con)",
    )
    assert ballots.title == "Torry/Ferryhill Ward"
    assert ballots.withdrawn == {"Withdrew Early (SNP)"}
    assert ballots.notes == (
        "Names were read without double quotes (5 lines from line 10): each whole line, "
        "trimmed, is the name; check the candidate list above.",
    )


def test_the_hand_written_ward_counts_as_worked_out_by_hand() -> None:
    # First preferences: ALLAN 12 + 3 (via the withdrawn candidate) = 15, DONALDSON 7,
    # McQUOTE 5 (its skipped rank is passed over), O'NEIL-SMITH 4 + 2 = 6 (the 4 stop at the
    # overvote). 33 valid ballots, quota 33 // 4 + 1 = 9. ALLAN's surplus of 6 moves at 6/15:
    # the 12 papers to DONALDSON give 4.8 (11.8 in all), the 3 papers exhaust (1.2).
    result = count(read_blt(HAND_WRITTEN), method="stv-scottish")

    first, second = result.rounds[0], result.rounds[1]
    assert first.quota == 9
    assert [first.votes[name] for name in result.candidates] == [15, 7, 5, 6]
    assert second.votes["Marion DONALDSON     (Lab)"] == Decimal("11.8")
    assert second.exhausted == Decimal("1.2")
    assert result.elected == (
        "Yvonne ALLAN (Lab)",
        "Marion DONALDSON     (Lab)",
        "Quoted  McQUOTE (Ind)",
    )
    assert result.notes == read_blt(HAND_WRITTEN).notes
    assert result.to_json_dict()["notes"] == list(result.notes)


def test_the_command_prints_the_note_that_names_were_read_unquoted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["count", str(HAND_WRITTEN), "--method", "stv-scottish"]) == 0
    out = capsys.readouterr().out
    assert "Note: Names were read without double quotes" in out
    assert out.splitlines()[0] == "Torry/Ferryhill Ward"


def test_a_quoted_file_has_no_note() -> None:
    assert read_blt('2 1\n1 1 0\n0\n"A"\n"B"\n"T"\n').notes == ()


def test_an_unquoted_file_is_recognised_without_the_blt_extension() -> None:
    data = HAND_WRITTEN.read_bytes()
    assert sniff_format(data) == "blt"
    assert read_ballot_bytes(data, source="ward.txt").title == "Torry/Ferryhill Ward"


@pytest.mark.parametrize("path", WARDS, ids=[path.name.split("_-_")[1] for path in WARDS])
def test_every_edinburgh_ward_unquoted_reads_and_elects_as_the_quoted_file(path: Path) -> None:
    quoted = read_blt(path)
    text = unquoted_blt(path.read_text(encoding="utf-8"))
    assert '"' not in text
    unquoted = read_blt(text, source=path.name)

    assert unquoted.candidates == quoted.candidates
    assert unquoted.title == quoted.title
    assert ballot_multiset(unquoted) == ballot_multiset(quoted)
    assert unquoted.notes and not quoted.notes
    result = count(unquoted, method="stv-scottish")
    assert set(result.elected) == set(edinburgh_official_winners()[path.name])
