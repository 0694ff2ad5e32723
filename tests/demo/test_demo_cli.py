"""`omov demo --no-serve` as a newcomer runs it: a separate process, its own data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
USERNAMES = (
    "returning-officer",
    "scrutineer",
    "islington-north-secretary",
    "owen-smith-agent",
    "paper-operator-1",
    "paper-operator-2",
    "paper-supervisor",
)


#: What the test processes set that a newcomer's shell does not have.
NOT_A_NEWCOMERS = frozenset(
    {
        "DATABASE_URL",
        "DJANGO_SETTINGS_MODULE",
        "OMOV_ENV",
        "DEBUG",
        "SECRET_KEY",
        "OMOV_CREDENTIAL_KEY",
        "OMOV_PUBLIC_URL",
    }
)


def run_demo(*arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    # As a newcomer runs it: none of the test suite's settings, keys or development mode.
    env = {key: value for key, value in os.environ.items() if key not in NOT_A_NEWCOMERS}
    env.update({"PYTHONPATH": str(REPOSITORY / "src"), "OMOV_TESTING": "1", **environment})
    return subprocess.run(
        [sys.executable, "-m", "omov", "demo", *arguments],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_demo_builds_prints_the_logins_and_exits(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    first = run_demo("--no-serve", "--quiet", "--scale", "1000", "--data-dir", str(data_dir))
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "built in" in out
    for username in USERNAMES:
        assert username in out
    assert "Labour Party leadership election 2016 (replay): declared" in out
    assert "Credentials issued 654; ballots returned 508" in out
    assert "Jeremy Corbyn 313 (61.7%), Owen Smith 194 (38.3%)" in out
    assert "Check: the stored result reproduces every figure above exactly." in out
    assert "Deputy leadership election (demo): ballot open" in out
    assert "/vote/#ref=" in out
    assert "Traceback" not in first.stderr
    assert (data_dir / "omov.sqlite3").is_file()
    assert (data_dir / "keys" / "labour-leader-2016-replay.key").is_file()

    again = run_demo("--no-serve", "--quiet", "--scale", "1000", "--data-dir", str(data_dir))
    assert again.returncode == 0, again.stderr
    assert "already built; reusing it" in again.stdout

    other_scale = run_demo("--no-serve", "--quiet", "--data-dir", str(data_dir))
    assert other_scale.returncode == 2
    assert "Run `omov demo --reset`" in other_scale.stderr
    assert "Traceback" not in other_scale.stderr

    key = data_dir / "keys" / "labour-leader-2016-replay.key"
    old_key = key.read_text()
    reset = run_demo(
        "--no-serve", "--quiet", "--reset", "--scale", "1000", "--data-dir", str(data_dir)
    )
    assert reset.returncode == 0, reset.stderr
    assert "built in" in reset.stdout
    assert "Check: the stored result reproduces every figure above exactly." in reset.stdout
    assert key.read_text() != old_key  # a new ballot, a new count key


def test_reset_refuses_to_touch_a_database_named_by_url(tmp_path: Path) -> None:
    result = run_demo(
        "--no-serve",
        "--reset",
        "--data-dir",
        str(tmp_path),
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/not_the_demo",
    )
    assert result.returncode == 2
    assert "DATABASE_URL is set" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_figures_are_reported_clearly(tmp_path: Path) -> None:
    missing = tmp_path / "labour-contests.json"
    result = run_demo("--no-serve", "--data-dir", str(tmp_path), "--figures", str(missing))
    assert result.returncode == 2
    assert f"Cannot read {missing}" in result.stderr
    assert "Traceback" not in result.stderr
