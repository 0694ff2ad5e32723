"""Resource limits: what a ballot file may claim is bounded before anything is allocated.

Each test is an attack from issue 8 item 10, run through ``omov count`` as a user would: it
must end with one clear line naming the file, the line and the field, exit status 2, and no
traceback, and it must do so without allocating what the file claims.
"""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from omov.cli.main import main
from omov.count import BallotFile, RawBallot, build_profile
from omov.count.errors import CountInputError
from omov.count.limits import MAX_BALLOTS, MAX_CANDIDATES, MAX_RANKS


def run_count(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["count", str(path), *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err


def peak_memory_kilobytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_a_blt_header_claiming_a_billion_candidates_is_refused_before_allocating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.blt"
    path.write_text('1000000000 1\n1 1 0\n0\n"A"\n', encoding="utf-8")
    before = peak_memory_kilobytes()
    code, err = run_count(path, capsys)
    assert code == 2
    assert f"{path}, line 1, field 'number of candidates'" in err
    assert "from 1 to 1,000, not 1,000,000,000" in err
    # Nothing near a billion of anything was allocated (the attack grew to 13 GB).
    assert peak_memory_kilobytes() - before < 200_000


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        (
            "weight.blt",
            "2 1\n" + "9" * 5000 + ' 1 0\n0\n"A"\n"B"\n',
            "line 2, field 'ballot weight'",
        ),
        (
            "seats.blt",
            "2 " + "7" * 5000 + '\n1 1 0\n0\n"A"\n"B"\n',
            "line 1, field 'number of seats'",
        ),
        ("candidate.blt", "2 1\n1 " + "1" * 5000 + ' 0\n0\n"A"\n"B"\n', "line 2"),
        ("count.csv", "count,rank 1\n3,A\n" + "9" * 5000 + ",B\n", "line 3, field 'count'"),
        ("seats.csv", "# seats: " + "2" * 5000 + "\nA\nB\n", "line 1, field 'seats'"),
        ("count.soi", "# ALTERNATIVE NAME 1: A\n" + "9" * 5000 + ": 1\n", "line 2"),
        ("alternative.soi", "# ALTERNATIVE NAME " + "1" * 5000 + ": A\n1: 1\n", "line 1"),
        ("legacy.soc", "1" * 5000 + "\n1,A\n1,1,1\n1,1\n", "line 1"),
    ],
)
def test_a_number_of_thousands_of_digits_is_a_clear_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, where: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, err = run_count(path, capsys)
    assert code == 2
    assert err.startswith(f"omov: {path}, {where}"), err
    assert len(err.strip().splitlines()) == 1


def test_a_huge_number_in_cdf_json_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cvr.json"
    path.write_text('{"CVR": [], "Election": [], "x": ' + "9" * 5000 + "}", encoding="utf-8")
    code, err = run_count(path, capsys)
    assert code == 2
    assert err.startswith(f"omov: {path}: ")


def test_two_hundred_thousand_candidates_are_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "many.csv"
    names = ",".join(f"c{number}" for number in range(200_000))
    path.write_text(f"# candidates: {names}\nc1\n", encoding="utf-8")
    code, err = run_count(path, capsys)
    assert code == 2
    assert f"{path}, line 1: " in err
    assert "200,000 candidates; omov counts at most 1,000" in err


def test_a_csv_without_candidate_line_naming_too_many_candidates_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "many.csv"
    path.write_text("\n".join(f"c{number}" for number in range(MAX_CANDIDATES + 1)) + "\n")
    code, err = run_count(path, capsys)
    assert code == 2
    assert "1,001 candidates; omov counts at most 1,000" in err


def test_exactly_the_largest_number_of_candidates_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "most.csv"
    names = [f"c{number}" for number in range(MAX_CANDIDATES)]
    path.write_text(f"# candidates: {','.join(names)}\nc7,c1\nc7\nc1\n", encoding="utf-8")
    code, err = run_count(path, capsys, "--method", "stv-scottish")
    assert (code, err) == (0, "")


def test_a_ballot_with_too_many_ranks_is_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "long.blt"
    marks = " ".join(["1", "-"] * MAX_RANKS)
    path.write_text(f'2 1\n1 2 0\n1 {marks} 0\n0\n"A"\n"B"\n', encoding="utf-8")
    code, err = run_count(path, capsys)
    assert code == 2
    assert f"{path}, line 3: This ballot has 2,000 ranks; omov reads at most 1,000" in err


def test_a_long_ballot_does_not_widen_the_table_for_every_other_ballot() -> None:
    # One ballot repeats a name 900 times: read one by one, it must not make every row 900 wide.
    ballots = [RawBallot((("A",), ("B",)), 1)] * 1 + [RawBallot((("A",),) * 900, 2)]
    profile, report = build_profile(BallotFile(candidates=("A", "B"), ballots=tuple(ballots)))
    assert profile.rankings.shape == (2, 2)
    assert profile.total == 3
    assert report.valid == 3


def test_weights_adding_up_past_the_largest_count_are_refused() -> None:
    ballots = (RawBallot((("A",),), MAX_BALLOTS), RawBallot((("B",),), 1))
    with pytest.raises(CountInputError, match="more than omov counts"):
        build_profile(BallotFile(candidates=("A", "B"), ballots=ballots))
