"""A roll upload's worker killed -9 mid-import: the page showed progress while the import's
transaction was open, nothing half-imported stays, and the job is run again to the end, once.

Real processes on a file SQLite database in a temporary folder (progress in its own file
beside it), and on PostgreSQL when the suite runs there.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

SRC = Path(__file__).resolve().parents[2] / "src"
PEOPLE = 60_000

SETUP = """
import sys
from omov.cli.django_setup import setup_django
setup_django()
from django.contrib.auth import get_user_model
from omov.contests.models import Contest
from omov.jobs.services import job_start
rows = ["external_id,category,first_name,last_name,email"]
rows += [f"M{n},member,Given{n},Family{n},person{n}@example.org" for n in range(int(sys.argv[1]))]
contest = Contest.objects.create(slug="jobs", title="Jobs test")
user = get_user_model().objects.create(username="ro")
job = job_start(kind="roll.import", summary="Import roll.csv", contest=contest, actor=user,
                arguments={"mapping": [], "accept_valid": False}, file_name="roll.csv",
                file_content=("\\n".join(rows) + "\\n").encode())
print(job.pk)
"""

STATE = """
import json, sys
from omov.cli.django_setup import setup_django
setup_django(migrate=False)
from omov.core.models import AuditEvent
from omov.electorate.models import ImportBatch, Person
from omov.jobs.models import Job, JobFile
from omov.jobs.progress import progress_read
job = Job.objects.get(pk=int(sys.argv[1]))
seen = progress_read([job.pk]).get(job.pk)
print(json.dumps({
    "status": job.status, "attempts": job.attempts, "outcome": job.outcome,
    "people": Person.objects.count(), "batches": ImportBatch.objects.count(),
    "files": JobFile.objects.count(), "done": seen.done if seen else None,
    "imports": AuditEvent.objects.filter(action="roll.import").count(),
    "retries": AuditEvent.objects.filter(action="job.retry").count(),
}))
"""


def _environment(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "OMOV_TESTING", "DATABASE_URL"}
    }
    env.update(
        PYTHONPATH=str(SRC),
        OMOV_ENV="development",
        OMOV_TESTING="0",
        OMOV_DATA_DIR=str(tmp_path / "data"),
        OMOV_JOB_STALE_SECONDS="5",
        DJANGO_SETTINGS_MODULE="omov.config.settings",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _python(code: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _state(env: dict[str, str], job_id: str) -> dict[str, Any]:
    return json.loads(_python(STATE, env, job_id))


def _progress_seen(env: dict[str, str], job_id: int) -> bool:
    """Whether the job's page would show progress now (read as the page reads it, directly:
    a process per look would be too slow to catch the import before it ends)."""
    query = f"SELECT done FROM jobs_jobprogress WHERE job_id = {int(job_id)}"
    if env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
            row = connection.execute(query).fetchone()
    else:
        sidecar = Path(env["OMOV_DATA_DIR"]) / "omov.sqlite3.progress"
        if not sidecar.exists():
            return False
        connection = sqlite3.connect(sidecar, timeout=1)
        try:
            row = connection.execute(query).fetchone()
        except sqlite3.OperationalError:
            return False  # the table is not made yet
        finally:
            connection.close()
    return row is not None and row[0] > 0


def _kill_mid_import_then_recover(tmp_path: Path, database_url: str | None) -> None:
    env = _environment(tmp_path, database_url)
    job_id = _python(SETUP, env, str(PEOPLE))
    worker = subprocess.Popen(
        [sys.executable, "-m", "omov", "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not _progress_seen(env, int(job_id)):
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            assert time.monotonic() < deadline, _state(env, job_id)
            time.sleep(0.02)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    # Progress was visible while the import's transaction was open; nothing of it committed.
    killed = _state(env, job_id)
    assert killed["status"] == "running" and killed["people"] == 0 and killed["batches"] == 0
    assert killed["files"] == 1  # the upload is still there for the next attempt

    time.sleep(6)  # longer than OMOV_JOB_STALE_SECONDS: the worker is taken for dead
    again = subprocess.run(
        [sys.executable, "-m", "omov", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    final = _state(env, job_id)
    assert final["status"] == "succeeded", final
    assert final["attempts"] == 2 and final["retries"] == 1
    assert final["people"] == PEOPLE and final["batches"] == 1 and final["imports"] == 1
    assert final["files"] == 0
    assert f"{PEOPLE:,} created" in final["outcome"]


def test_sqlite_worker_killed_mid_import(tmp_path: Path) -> None:
    _kill_mid_import_then_recover(tmp_path, None)


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="set DATABASE_URL=postgres://... to run on PostgreSQL",
)
def test_postgresql_worker_killed_mid_import(tmp_path: Path) -> None:
    import psycopg

    base = os.environ["DATABASE_URL"]
    name = f"omov_jobs_{os.getpid()}"
    admin = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        _kill_mid_import_then_recover(tmp_path, base.rsplit("/", 1)[0] + f"/{name}")
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
