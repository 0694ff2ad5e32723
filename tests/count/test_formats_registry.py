"""The format registry: detection by extension and content, file errors, real Edinburgh files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from count_formats_support import edinburgh_official_winners, edinburgh_wards, same_ballots

from omov.count.ballots import BallotFile, RawBallot
from omov.count.errors import CountInputError
from omov.count.formats import FORMATS, detect_format, read_ballot_file, sniff_format
from omov.count.formats.cdf import write_cdf

SAMPLE = BallotFile(
    candidates=("Ada", "Ben", "Cy"),
    ballots=(RawBallot((("Ada",), ("Ben",)), 3), RawBallot((("Cy",), ("Ada",)), 2)),
    seats=1,
    title="Leader",
)


def write_in(format_name: str, ballot_file: BallotFile = SAMPLE) -> str:
    if format_name == "cdf":
        return write_cdf(ballot_file, generated_at=datetime(2026, 1, 1, tzinfo=UTC))
    return FORMATS[format_name].write(ballot_file)


def test_the_registry_holds_the_four_formats() -> None:
    assert set(FORMATS) == {"blt", "preflib", "csv", "cdf"}


@pytest.mark.parametrize(
    ("name", "format_name"),
    [
        ("x.blt", "blt"),
        ("x.BLT", "blt"),
        ("x.soi", "preflib"),
        ("x.toi", "preflib"),
        ("x.soc", "preflib"),
        ("x.toc", "preflib"),
        ("x.csv", "csv"),
        ("x.json", "cdf"),
    ],
)
def test_the_extension_decides_the_format(name: str, format_name: str) -> None:
    assert detect_format(Path(name), b"") == format_name


@pytest.mark.parametrize("format_name", ["blt", "preflib", "csv", "cdf"])
def test_content_is_sniffed_when_the_extension_says_nothing(
    tmp_path: Path, format_name: str
) -> None:
    data = write_in(format_name).encode("utf-8")
    assert sniff_format(data) == format_name
    path = tmp_path / "ballots.txt"
    path.write_bytes(data)
    assert same_ballots(read_ballot_file(path), SAMPLE)


def test_the_older_preflib_layout_is_sniffed() -> None:
    assert sniff_format(b"2\n1,Ada\n2,Ben\n3,3,2\n2,1,2\n1,2\n") == "preflib"


@pytest.mark.parametrize("format_name", ["blt", "preflib", "csv", "cdf"])
def test_an_explicit_format_overrides_the_extension(tmp_path: Path, format_name: str) -> None:
    path = tmp_path / "ballots.data"
    path.write_text(write_in(format_name), encoding="utf-8")
    assert same_ballots(read_ballot_file(path, format_name), SAMPLE)


def test_a_missing_file_is_a_count_input_error(tmp_path: Path) -> None:
    with pytest.raises(CountInputError) as caught:
        read_ballot_file(tmp_path / "nowhere.blt")
    assert caught.value.source == str(tmp_path / "nowhere.blt")
    assert "no such file" in caught.value.message


def test_a_directory_is_a_count_input_error(tmp_path: Path) -> None:
    with pytest.raises(CountInputError, match="directory"):
        read_ballot_file(tmp_path)


def test_an_unknown_format_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CountInputError) as caught:
        read_ballot_file(tmp_path / "x.csv", "xml")
    assert caught.value.field == "format"


def test_a_contest_can_only_be_chosen_in_cdf(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(write_in("csv"), encoding="utf-8")
    with pytest.raises(CountInputError) as caught:
        read_ballot_file(path, contest="Leader")
    assert caught.value.field == "contest"
    cdf_path = tmp_path / "x.json"
    cdf_path.write_text(write_in("cdf"), encoding="utf-8")
    assert read_ballot_file(cdf_path, contest="Leader").title == "Leader"


def test_every_edinburgh_ward_reads_through_the_registry() -> None:
    winners = edinburgh_official_winners()
    for path in edinburgh_wards():
        ballot_file = read_ballot_file(path)
        assert ballot_file.seats in {3, 4}, path.name
        assert len(ballot_file.candidates) > ballot_file.seats, path.name
        assert set(winners[path.name]) <= set(ballot_file.candidates), path.name
        assert sum(ballot.weight for ballot in ballot_file.ballots) > 5000, path.name


@pytest.mark.parametrize("format_name", ["csv", "cdf", "blt"])
def test_an_edinburgh_ward_survives_conversion_to_other_formats(
    tmp_path: Path, format_name: str
) -> None:
    original = read_ballot_file(edinburgh_wards()[0])
    path = tmp_path / f"ward.{ {'csv': 'csv', 'cdf': 'json', 'blt': 'blt'}[format_name] }"
    path.write_text(write_in(format_name, original), encoding="utf-8")
    again = read_ballot_file(path)
    assert same_ballots(original, again)
    if format_name != "cdf":
        assert again.seats == original.seats
