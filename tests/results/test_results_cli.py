"""`omov ballot open|close|count|declare` and `omov results` at the terminal."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from results_fixtures import ClosedContest, roll_create

from factories import CandidateFactory, ContestFactory
from omov.cli.main import main
from omov.contests.models import CandidateStatus, ContestStatus
from omov.results.models import Result


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_whole_ballot_from_the_command_line(db: Any, tmp_path: Path, capsys: Any) -> None:
    from omov.ballots.services import ballots_seed_demo

    contest = ContestFactory(slug="cli-contest", status=ContestStatus.ROLL_FROZEN)
    for position, name in enumerate(("Jeremy Corbyn", "Owen Smith"), start=1):
        CandidateFactory(
            contest=contest, name=name, status=CandidateStatus.NOMINATED, ballot_position=position
        )
    entries = roll_create(contest, {"member": 5, "registered_supporter": 2})
    key = tmp_path / "count.key"

    code, out, err = run(
        capsys, "ballot", "open", "--contest", "cli-contest", "--key-out", str(key)
    )
    assert (code, err) == (0, "")
    assert "7 credentials" in out
    assert stat.S_IMODE(key.stat().st_mode) == 0o600

    contest.refresh_from_db()
    member, supporter = entries["member"], entries["registered_supporter"]
    ballots_seed_demo(
        contest=contest,
        votes=[
            (member[0], ["Jeremy Corbyn"]),
            (member[1], ["Owen Smith", "Jeremy Corbyn"]),
            (member[2], ["Jeremy Corbyn", "Owen Smith"]),
            (supporter[0], ["Jeremy Corbyn"]),
            (member[3], None),
        ],
    )
    code, out, err = run(capsys, "ballot", "count", "--contest", "cli-contest", "--key", str(key))
    assert code == 2
    assert "Cannot count the votes yet: the contest is ballot open" in err

    assert run(capsys, "ballot", "close", "--contest", "cli-contest")[0] == 0
    code, out, err = run(capsys, "ballot", "count", "--contest", "cli-contest", "--key", str(key))
    assert (code, err) == (0, "")
    assert "Jeremy Corbyn" in out and "preview until declared" in out

    outputs = {kind: tmp_path / f"out.{kind}" for kind in ("json", "csv", "blt", "pdf")}
    options = [item for kind, path in outputs.items() for item in (f"--{kind}", str(path))]
    code, out, err = run(capsys, "results", "--contest", "cli-contest", *options)
    assert code == 0
    assert "has not been declared" in err
    document = json.loads(outputs["json"].read_text())
    assert document["format"] == "omov.results/1"
    assert document["elected"] == ["Jeremy Corbyn"]
    assert document["count"]["rounds"][0]["votes"] == {"Jeremy Corbyn": "3", "Owen Smith": "1"}
    assert document["categories"]["by_category"]["member"]["votes"] == {
        "Jeremy Corbyn": 2,
        "Owen Smith": 1,
    }
    assert document["spoilt"]["total"] == 1
    assert document["turnout"] == {
        "issued": 7,
        "issued_by_category": {"member": 5, "registered_supporter": 2},
        "returned": 5,
        "valid": 4,
        "spoilt": 1,
        "rejected": 0,
        "percent": "71.4",
    }
    assert outputs["csv"].read_text().startswith("candidate,round 1,status\n")
    assert outputs["pdf"].read_bytes().startswith(b"%PDF")

    assert run(capsys, "ballot", "declare", "--contest", "cli-contest")[0] == 0
    contest.refresh_from_db()
    assert contest.status == ContestStatus.DECLARED
    code, out, err = run(capsys, "results", "--contest", "cli-contest", "--json", "-")
    assert (code, err) == (0, "")
    assert json.loads(out)["status"] == "declared"


def test_omov_count_recounts_the_published_ballots_to_the_same_result(
    small_closed: ClosedContest, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    contest = small_closed.contest
    key = tmp_path / "count.key"
    key.write_text(small_closed.key_text)
    assert run(capsys, "ballot", "count", "--contest", contest.slug, "--key", str(key))[0] == 0
    assert run(capsys, "ballot", "declare", "--contest", contest.slug)[0] == 0
    blt = tmp_path / f"{contest.slug}.blt"
    published = tmp_path / "published.json"
    code, _, _ = run(
        capsys, "results", "--contest", contest.slug, "--blt", str(blt), "--json", str(published)
    )
    assert code == 0
    recount = tmp_path / "recount.json"
    monkeypatch.chdir(tmp_path)  # the report names its source file as given
    code, _out, err = run(
        capsys,
        "count",
        blt.name,
        "--method",
        contest.method,
        "--seed",
        contest.tie_break_seed,
        "--json",
        str(recount),
    )
    assert (code, err) == (0, "")
    assert json.loads(recount.read_text()) == json.loads(published.read_text())["count"]
    assert json.loads(recount.read_text()) == Result.objects.get(contest=contest).report


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ballot", "close", "--contest", "no-such"], "no contest with the slug 'no-such'"),
        (["ballot", "declare", "--contest", "no-such"], "no contest with the slug 'no-such'"),
        (["results", "--contest", "leader-2016"], "Say what to write"),
        (["results", "--contest", "leader-2016", "--json", "-", "--csv", "-"], "Only one output"),
        (["results", "--contest", "leader-2016", "--pdf", "-"], "Write the PDF to a file"),
        (["results", "--contest", "leader-2016", "--json", "/no/such/dir/x.json"], "folder"),
        (["results", "--contest", "leader-2016", "--json", "-"], "has not been counted yet"),
        (["ballot", "declare", "--contest", "leader-2016"], "has not been counted yet"),
        (["ballot", "close", "--contest", "leader-2016"], "Cannot close the ballot yet"),
    ],
)
def test_bad_commands_say_what_is_wrong(
    small_closed: ClosedContest, capsys: Any, argv: list[str], message: str
) -> None:
    code, _out, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


def test_count_with_a_bad_key_file_writes_nothing(
    small_closed: ClosedContest, tmp_path: Path, capsys: Any
) -> None:
    slug = small_closed.contest.slug
    missing = tmp_path / "missing.key"
    code, _, err = run(capsys, "ballot", "count", "--contest", slug, "--key", str(missing))
    assert code == 2 and "There is no key file" in err
    empty = tmp_path / "empty.key"
    empty.write_text("\n")
    code, _, err = run(capsys, "ballot", "count", "--contest", slug, "--key", str(empty))
    assert code == 2 and "is empty" in err
    from omov.ballots import crypto

    wrong = tmp_path / "wrong.key"
    wrong.write_text(crypto.count_key_text(crypto.count_key_generate()[0], slug))
    code, _, err = run(capsys, "ballot", "count", "--contest", slug, "--key", str(wrong))
    assert code == 2 and "does not open this contest's ballots" in err
    assert not Result.objects.exists()
    small_closed.contest.refresh_from_db()
    assert small_closed.contest.status == ContestStatus.CLOSED


def test_open_refuses_to_overwrite_a_key_file(db: Any, tmp_path: Path, capsys: Any) -> None:
    contest = ContestFactory(slug="keyed", status=ContestStatus.ROLL_FROZEN)
    CandidateFactory(contest=contest, name="Ada", status=CandidateStatus.NOMINATED)
    roll_create(contest, {"member": 1})
    key = tmp_path / "count.key"
    key.write_text("precious")
    code, _, err = run(capsys, "ballot", "open", "--contest", "keyed", "--key-out", str(key))
    assert code == 2 and "already exists" in err
    assert key.read_text() == "precious"
    contest.refresh_from_db()
    assert contest.status == ContestStatus.ROLL_FROZEN
