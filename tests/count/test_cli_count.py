"""``omov count`` run in-process: the table, the elected, the JSON and CSV reports, the errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from count_formats_support import edinburgh_official_winners, edinburgh_wards

from omov.cli.main import main
from omov.count.formats import FORMATS, read_ballot_file
from omov.count.formats.cdf import write_cdf

BALLOTS = """\
# title: Branch chair
rank 1,rank 2,rank 3
Ada,Ben,Cy
Ada,Cy
Ada
Ada,Ben
Ben,Cy,Ada
Ben,Cy
Cy,Ben,Ada
Cy,Ben
Cy
"""
# First preferences: Ada 4, Cy 3, Ben 2 of 9. Ben is excluded and both his ballots go to Cy,
# who then has 5 of 9 and wins although Ada led on first preferences.


@pytest.fixture
def ballots_csv(tmp_path: Path) -> Path:
    path = tmp_path / "chair.csv"
    path.write_text(BALLOTS, encoding="utf-8")
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_counts_irv_and_prints_rounds_and_the_elected(
    ballots_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["count", str(ballots_csv)], capsys)
    assert (code, err) == (0, "")
    assert "Branch chair" in out
    assert "Round 1" in out and "Round 2" in out and "Round 3" not in out
    assert out.rstrip().splitlines()[-1] == "Elected: Cy"


def test_plurality_with_seats_and_the_json_and_csv_reports(
    ballots_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_path = tmp_path / "result.json"
    csv_path = tmp_path / "rounds.csv"
    code, out, err = run(
        [
            "count",
            str(ballots_csv),
            "--method",
            "plurality",
            "--seats",
            "2",
            "--seed",
            "meeting 2026-05-04",
            "--json",
            str(json_path),
            "--csv",
            str(csv_path),
        ],
        capsys,
    )
    assert (code, err) == (0, "")
    report = json.loads(json_path.read_text(encoding="utf-8"))
    assert report["format"] == "omov.count/1"
    for key in ("method", "seats", "seed", "candidates", "elected", "rounds", "validity"):
        assert key in report
    assert report["method"] == "plurality"
    assert report["seats"] == 2
    assert report["seed"] == "meeting 2026-05-04"
    # First preferences: Ada 4, Cy 3, Ben 2 – plurality elects Ada and Cy.
    assert sorted(report["elected"]) == ["Ada", "Cy"]
    assert out.rstrip().splitlines()[-1] == f"Elected: {', '.join(report['elected'])}"
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert {"Ada", "Ben", "Cy"} <= {row[0] for row in rows}


def test_policies_reach_the_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "overvotes.csv"
    path.write_text("Ada=Ben,Cy\nCy\nBen\nBen\n", encoding="utf-8")
    json_path = tmp_path / "r.json"
    code, _out, _err = run(
        ["count", str(path), "--overvote", "skip", "--json", str(json_path)], capsys
    )
    assert code == 0
    skipped = json.loads(json_path.read_text(encoding="utf-8"))
    assert skipped["validity"]["rules"]["overvote"] == "skip"
    code, _out, _err = run(
        ["count", str(path), "--overvote", "reject", "--json", str(json_path)], capsys
    )
    assert code == 0
    rejected = json.loads(json_path.read_text(encoding="utf-8"))
    assert rejected["validity"]["rules"]["overvote"] == "reject"
    assert rejected["ballots"]["rejected"] == 1
    assert skipped["ballots"]["rejected"] == 0


def test_an_edinburgh_ward_elects_the_official_councillors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ward = edinburgh_wards()[0]
    code, out, err = run(["count", str(ward), "--method", "stv-scottish"], capsys)
    assert (code, err) == (0, "")
    last = out.rstrip().splitlines()[-1]
    elected = last.removeprefix("Elected: ").split(", ")
    assert sorted(elected) == sorted(edinburgh_official_winners()[ward.name])


def test_seats_option_overrides_the_blt_seat_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_path = tmp_path / "r.json"
    ward = edinburgh_wards()[0]
    code, _out, _err = run(
        ["count", str(ward), "--method", "stv-meek", "--seats", "2", "--json", str(json_path)],
        capsys,
    )
    assert code == 0
    assert len(json.loads(json_path.read_text(encoding="utf-8"))["elected"]) == 2


@pytest.mark.parametrize(
    ("content", "name", "extra", "words"),
    [
        (None, "missing.csv", [], "no such file"),
        ("Ada\nBen,x=\n", "bad.csv", [], "line 2"),
        ("{not json", "bad.json", [], "not valid JSON"),
        ("4 2\n1 1 0\n", "bad.blt", [], "bad.blt"),
        ("Ada\nBen\n", "two.csv", ["--seats", "2"], "IRV fills one seat"),
        ("Ada\nBen\n", "two.csv", ["--format", "preflib"], "two.csv"),
        ("Ada\n", "one.csv", ["--contest", "x"], "CDF"),
    ],
)
def test_bad_input_gives_one_line_on_stderr_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    name: str,
    extra: list[str],
    words: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = run(["count", str(path), *extra], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("omov: ")
    assert words in err
    assert "Traceback" not in err


def test_a_report_that_cannot_be_written_is_a_clean_error(
    ballots_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(
        ["count", str(ballots_csv), "--json", str(tmp_path / "no" / "such" / "dir.json")], capsys
    )
    assert code == 2
    assert err.startswith("omov: Cannot write")
    assert list(tmp_path.iterdir()) == [ballots_csv]


@pytest.mark.parametrize(
    "argv",
    [["--seats", "0"], ["--method", "borda"], ["--overvote", "maybe"], ["--format", "xml"]],
)
def test_bad_options_exit_2_with_usage(
    ballots_csv: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["count", str(ballots_csv), *argv])
    assert caught.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_the_count_command_imports_neither_django_nor_other_commands(ballots_csv: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "src"
    program = (
        "import sys\n"
        "from omov.cli.main import main\n"
        f"code = main(['count', {str(ballots_csv)!r}])\n"
        "assert 'django' not in sys.modules, 'omov count imported Django'\n"
        "others = sorted(m for m in sys.modules if m.startswith(('omov.verifiable', 'nacl')))\n"
        "assert not others, f'omov count imported other commands\\' libraries: {others}'\n"
        "assert sys.modules['os'].environ['OPENBLAS_NUM_THREADS'] == '1'\n"
        "sys.exit(code)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", program],
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr


@pytest.mark.parametrize(("format_name", "suffix"), [("preflib", "toi"), ("cdf", "json")])
def test_every_format_counts_through_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], format_name: str, suffix: str
) -> None:
    source = tmp_path / "chair.csv"
    source.write_text(BALLOTS, encoding="utf-8")
    ballots = read_ballot_file(source)
    path = tmp_path / f"chair.{suffix}"
    if format_name == "cdf":
        path.write_text(
            write_cdf(ballots, generated_at=datetime(2026, 1, 1, tzinfo=UTC)), encoding="utf-8"
        )
    else:
        path.write_text(FORMATS[format_name].write(ballots), encoding="utf-8")
    code, out, err = run(["count", str(path)], capsys)
    assert (code, err) == (0, "")
    assert out.rstrip().splitlines()[-1] == "Elected: Cy"
