"""`omov contest create` and `omov roll import|evaluate|freeze`, run as a person would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from electorate_csv import HEADER

from omov.cli.main import main
from omov.contests.models import Contest
from omov.electorate.models import ContestRules, Person, RollEntry

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_2016_example_end_to_end(capsys: Any) -> None:
    assert main(["contest", "create", str(EXAMPLES / "contest-2016.toml")]) == 0
    assert capsys.readouterr().out.strip() == "labour-leader-2016"
    contest = Contest.objects.get(slug="labour-leader-2016")
    assert contest.freeze_date == dt.date(2016, 1, 12)
    assert [c.name for c in contest.candidates.all()] == ["Jeremy Corbyn", "Owen Smith"]
    assert ContestRules.objects.get(contest=contest).minimum_age == 18

    code = main(["roll", "import", str(EXAMPLES / "roll-example.csv"), "--contest", contest.slug])
    assert code == 0
    out = capsys.readouterr().out
    assert "Imported roll-example.csv: 9 created, 0 updated, 0 unchanged, 0 rejected." in out

    assert main(["roll", "evaluate", "--contest", contest.slug, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Member                       2             5      7" in out
    assert "Total                        3             6      9" in out

    assert main(["roll", "freeze", "--contest", contest.slug]) == 2
    assert "nominations open" in capsys.readouterr().err
    from omov.contests.services import contest_transition

    contest_transition(contest=contest, step="open_nominations")
    assert main(["roll", "freeze", "--contest", contest.slug]) == 0
    assert "Froze the roll of labour-leader-2016: 3 eligible of 9." in capsys.readouterr().out
    assert RollEntry.objects.filter(contest=contest).count() == 9


def test_import_with_bad_rows_prints_the_report_and_exits_1(
    capsys: Any, contest: Any, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER + "\nM1,member,Ann,Able,,,,,2016-99-01,,,,,,\nM2,member,Bob,Baker,,,,,,,,,,,\n"
    )
    assert main(["roll", "import", str(path), "--contest", contest.slug, "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "1 of 2 rows have errors, so nothing was imported" in err
    assert f"{path}: line 2, column joined_on: '2016-99-01' is not a real date" in err
    assert Person.objects.count() == 0

    args = ["roll", "import", str(path), "--contest", contest.slug, "--quiet", "--accept-valid"]
    assert main(args) == 0
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in capsys.readouterr().out
    assert list(Person.objects.values_list("external_id", flat=True)) == ["M2"]


def test_import_with_a_column_mapping(capsys: Any, contest: Any, tmp_path: Path) -> None:
    path = tmp_path / "theirs.csv"
    path.write_text("No,category,Given,Family,Notes\nX1,member,Ann,Able,whatever\n")
    args = ["roll", "import", str(path), "--contest", contest.slug, "--quiet"]
    mapping = ["--map", "No=external_id", "--map", "Given=first_name", "--map", "Family=last_name"]
    assert main([*args, *mapping]) == 1
    assert "unknown column 'Notes'" in capsys.readouterr().err
    assert main([*args, *mapping, "--map", "Notes="]) == 0
    assert Person.objects.get(external_id="X1").last_name == "Able"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["roll", "import", "/nonexistent.csv", "--contest", "x"],
            "/nonexistent.csv: no such file",
        ),
        (["roll", "evaluate", "--contest", "nope"], "no contest with the slug 'nope'"),
        (["contest", "create", "/nonexistent.toml"], "/nonexistent.toml: no such file"),
    ],
)
def test_clear_errors(capsys: Any, arguments: list[str], message: str) -> None:
    assert main(arguments) == 2
    assert message in capsys.readouterr().err


def test_contest_file_errors(capsys: Any, tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('title = "X"\nfreez_date = 2016-01-12\n')
    assert main(["contest", "create", str(path)]) == 2
    assert "Unknown contest field(s): freez_date" in capsys.readouterr().err
    path.write_text('title = "X"\n[rules]\nminimum_age = 0\n')
    assert main(["contest", "create", str(path)]) == 2
    assert "minimum age must be between 1 and 120" in capsys.readouterr().err
    assert not Contest.objects.filter(title="X").exists()
    path.write_text('title = "X\n')
    assert main(["contest", "create", str(path)]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    json_path = tmp_path / "c.json"
    json_path.write_text('{"title": "Y", "freeze_date": "12/01/2016"}')
    assert main(["contest", "create", str(json_path)]) == 2
    assert "freeze_date must be a date (YYYY-MM-DD)" in capsys.readouterr().err
