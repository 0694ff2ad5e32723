"""Commands on a fresh data folder prepare the database themselves, and fail in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


def omov(data_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(OMOV_DATA_DIR=str(data_dir), OMOV_ENV="development")
    return subprocess.run(
        [sys.executable, "-m", "omov", *argv],
        capture_output=True,
        text=True,
        env=environment,
        cwd=data_dir,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_a_fresh_data_folder_is_migrated_by_the_first_command(tmp_path: Path) -> None:
    created = omov(tmp_path, "contest", "create", str(REPOSITORY / "examples/contest-2016.toml"))
    assert created.returncode == 0, created.stderr
    assert "preparing the database" in created.stderr
    assert created.stdout.strip() == "labour-leader-2016"

    listed = omov(tmp_path, "contest", "list")
    assert listed.returncode == 0, listed.stderr
    assert "preparing the database" not in listed.stderr
    assert "labour-leader-2016" in listed.stdout


@pytest.mark.slow
def test_a_missing_contest_on_a_fresh_folder_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = omov(tmp_path, "results", "--contest", "no-such", "--json", "-")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("omov: ") and "no contest with the slug 'no-such'" in last_line
