"""Threat: `omov serve` run as the README says serves debug pages and signs with the public
development keys, so anyone who has read omov's source can forge booth passes (issue 8, item 1).

`omov serve` is production unless told otherwise: with no environment at all it refuses in one
line naming the missing variable and how to make it; with its keys it serves with DEBUG off. Only
the test settings hold the development keys; development mode draws its own.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from security_support import clean_environment, free_port

from omov.config import test_settings

pytestmark = pytest.mark.slow

PYTHON = sys.executable
KEYS = {"SECRET_KEY": "s" * 40 + "-production", "OMOV_CREDENTIAL_KEY": "c" * 40 + "-production"}


def run(tmp_path: Path, arguments: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "omov", *arguments],
        cwd=tmp_path,
        env=clean_environment(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_serve_with_no_environment_refuses_in_one_line(tmp_path: Path) -> None:
    result = run(tmp_path, ["serve", "--bind", f"127.0.0.1:{free_port()}"])
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY is not set" in lines[0] and "omov keys generate" in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var").exists()  # nothing created, no database


def test_serve_names_the_credential_key_when_only_it_is_missing(tmp_path: Path) -> None:
    result = run(tmp_path, ["serve"], SECRET_KEY=KEYS["SECRET_KEY"])
    assert result.returncode == 2
    assert result.stderr.strip().startswith("omov: OMOV_CREDENTIAL_KEY is not set")


def test_production_refuses_debug_and_the_development_keys_are_not_even_long_enough(
    tmp_path: Path,
) -> None:
    result = run(tmp_path, ["serve"], DEBUG="1", OMOV_ENV="production", **KEYS)
    assert result.returncode == 2 and "contradict" in result.stderr
    short = {"SECRET_KEY": "development-key", "OMOV_CREDENTIAL_KEY": "x"}
    result = run(tmp_path, ["manage", "check"], **short)
    assert result.returncode == 2 and "at least 32 characters" in result.stderr


def test_keys_generate_writes_an_owner_only_file_that_serve_accepts(tmp_path: Path) -> None:
    result = run(tmp_path, ["keys", "generate", "--out", "omov.env"])
    assert result.returncode == 0, result.stderr
    path = tmp_path / "omov.env"
    assert path.stat().st_mode & 0o777 == 0o600
    values = dict(line.split("=", 1) for line in path.read_text().splitlines())
    assert set(values) == {"SECRET_KEY", "OMOV_CREDENTIAL_KEY"}
    assert len(set(values.values())) == 2 and all(len(v) >= 60 for v in values.values())
    again = run(tmp_path, ["keys", "generate", "--out", "omov.env"])
    assert again.returncode == 2 and "never overwritten" in again.stderr
    check = run(tmp_path, ["manage", "check", "--deploy", "--fail-level", "ERROR"], **values)
    assert check.returncode == 0, check.stderr


def test_development_mode_draws_its_own_keys_never_the_public_ones(tmp_path: Path) -> None:
    script = (
        "from omov.cli.django_setup import setup_django; setup_django();"
        "from django.conf import settings;"
        "print(settings.DEBUG, settings.SECRET_KEY, settings.CREDENTIAL_KEY)"
    )
    env = clean_environment(tmp_path, OMOV_ENV="development", OMOV_DATA_DIR=str(tmp_path / "d"))
    out = subprocess.run(
        [PYTHON, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == "True"
    assert out[1] != test_settings.DEVELOPMENT_SECRET_KEY
    assert out[2] != test_settings.DEVELOPMENT_CREDENTIAL_KEY
    for name in ("SECRET_KEY", "OMOV_CREDENTIAL_KEY"):
        path = tmp_path / "d" / "secrets" / name
        assert path.stat().st_mode & 0o777 == 0o600
    # The database file is owner-only too (item 13).
    assert (tmp_path / "d" / "omov.sqlite3").stat().st_mode & 0o777 == 0o600
    again = subprocess.run(
        [PYTHON, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert again == out  # kept, not redrawn


def test_the_public_development_keys_live_only_in_the_test_settings() -> None:
    source = Path(test_settings.__file__).parent
    for path in Path(source).parent.rglob("*.py"):
        if path.name == "test_settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert test_settings.DEVELOPMENT_SECRET_KEY not in text, path
        assert test_settings.DEVELOPMENT_CREDENTIAL_KEY not in text, path
        assert "development-only" not in text, path


def test_serve_with_its_keys_shows_no_debug_page_and_logs_no_booth_query(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    env = clean_environment(tmp_path, OMOV_DATA_DIR=str(tmp_path / "data"), **KEYS)
    with log.open("w") as handle:
        server = subprocess.Popen(
            [PYTHON, "-m", "omov", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=tmp_path,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        body = _get_404(port)
        # Item 4: an old link and a hand-typed receipt URL, with a booth referrer.
        for path in ("/vote/?ref=SECRETREF12", "/vote/receipts/nothing/?receipt=SECRETRECEIPT"):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}",
                headers={"Referer": f"http://127.0.0.1:{port}/vote/?ref=SECRETREFERER"},
            )
            with contextlib.suppress(urllib.error.HTTPError):  # a 404 is logged all the same
                urllib.request.urlopen(request, timeout=10)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
    assert "Django tried these URL patterns" not in body
    assert "DEBUG = True" not in body and "Traceback" not in body
    logged = log.read_text()
    assert "GET /vote/ HTTP" in logged and "GET /vote/receipts/nothing/ HTTP" in logged
    assert "SECRET" not in logged, logged


def _get_404(port: int) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/", timeout=5)
        except urllib.error.HTTPError as error:
            assert error.code == 404
            return error.read().decode()
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
        else:
            raise AssertionError("/no-such-page/ was found")


@pytest.mark.django_db
def test_the_development_mail_log_never_holds_a_usable_credential(
    open_ballot: Any, returning_officer: Any, settings: Any
) -> None:
    from omov.ballots.models import Credential
    from omov.ballots.services import credential_reissue
    from omov.core.mail import RedactingConsoleBackend

    settings.EMAIL_BACKEND = "omov.core.mail.RedactingConsoleBackend"
    stream = io.StringIO()
    original = RedactingConsoleBackend.__init__

    def to_stream(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **{**kwargs, "stream": stream})

    RedactingConsoleBackend.__init__ = to_stream  # type: ignore[method-assign]
    try:
        credential = Credential.objects.get(roll_entry=open_ballot.entries[0])
        issued = credential_reissue(
            credential=credential, actor=returning_officer, reason="email never arrived"
        )
    finally:
        RedactingConsoleBackend.__init__ = original  # type: ignore[method-assign]
    logged = stream.getvalue()
    assert "Security code" in logged  # the message was logged...
    for secret in (issued.reference, issued.code, issued.reference_display, issued.code_display):
        assert secret not in logged  # ...but not the credential


def test_the_sqlite_database_logs_ahead_and_its_log_files_are_owner_only(tmp_path: Path) -> None:
    """Readers keep reading while a long write holds the lock (WAL); nothing of it, the log
    files included, is readable by other accounts on the machine."""
    script = (
        "import os;"
        "from omov.cli.django_setup import setup_django; setup_django();"
        "from django.db import connection;"
        "cursor = connection.cursor();"
        "cursor.execute('CREATE TABLE probe (n integer)');"
        "cursor.execute('INSERT INTO probe VALUES (1)');"
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0]);"
        "folder = os.environ['OMOV_DATA_DIR'];"
        "print(' '.join(f'{name}:{os.stat(os.path.join(folder, name)).st_mode & 0o777:o}'"
        " for name in sorted(os.listdir(folder)) if name.startswith('omov.sqlite3')))"
    )
    env = clean_environment(tmp_path, OMOV_ENV="development", OMOV_DATA_DIR=str(tmp_path / "d"))
    completed = subprocess.run(
        [PYTHON, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    mode, files = completed.stdout.splitlines()
    assert mode == "wal"
    # Seen while the connection is open: the database and its write-ahead log and index.
    assert files.split() == [
        "omov.sqlite3:600",
        "omov.sqlite3-shm:600",
        "omov.sqlite3-wal:600",
    ]
