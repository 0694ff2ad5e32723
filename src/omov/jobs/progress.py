"""Where a running job says how far it has got, seen by its page while its work is uncommitted.

A job's work runs in one transaction (a roll import is all or nothing), so progress written in
that transaction would show only at the end. Progress is therefore written apart from it:

* on PostgreSQL, through a connection of its own (the ``progress`` database alias, the same
  database): each write commits at once;
* on SQLite, which lets one connection write at a time, to a small file of its own beside the
  database (``OMOV_PROGRESS_FILE``), through the standard library;
* in the test suite (an in-memory database), through the default connection.

Progress holds numbers and a stage ("Reading roll.csv"), never personal data. Losing it loses
nothing but the bar: a write that fails is logged and the job goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections

from omov.core import clock

logger = logging.getLogger(__name__)

_TABLE = "jobs_jobprogress"
_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {_TABLE} (job_id integer PRIMARY KEY, done integer NOT NULL, "
    "total integer NULL, stage varchar(200) NOT NULL, heartbeat_at varchar(40) NOT NULL)"
)
_UPSERT = (
    f"INSERT INTO {_TABLE} (job_id, done, total, stage, heartbeat_at) VALUES ({{p}}, {{p}}, "
    "{p}, {p}, {p}) ON CONFLICT (job_id) DO UPDATE SET done = excluded.done, "
    "total = excluded.total, stage = excluded.stage, heartbeat_at = excluded.heartbeat_at"
)
_BEAT = (
    f"INSERT INTO {_TABLE} (job_id, done, total, stage, heartbeat_at) VALUES ({{p}}, 0, NULL, "
    "'', {p}) ON CONFLICT (job_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at"
)
_DELETE = f"DELETE FROM {_TABLE} WHERE job_id = {{p}}"


@dataclass(frozen=True)
class Progress:
    """How far one job has got: ``done`` of ``total`` (None when unknown), and at what."""

    done: int
    total: int | None
    stage: str
    heartbeat_at: dt.datetime

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return max(0, min(100, self.done * 100 // self.total))


def progress_write(job_id: int, *, done: int, total: int | None, stage: str) -> None:
    """Record how far ``job_id`` has got (and that its worker is alive)."""
    _run(_UPSERT, (job_id, done, total, stage[:200], _now()))


def progress_beat(job_id: int) -> None:
    """Record that the worker running ``job_id`` is alive, keeping its figures."""
    _run(_BEAT, (job_id, _now()))


def progress_clear(job_id: int) -> None:
    """Forget a finished job's progress."""
    _run(_DELETE, (job_id,))


def progress_read(job_ids: list[int]) -> dict[int, Progress]:
    """Return the progress of each of ``job_ids`` that has any."""
    if not job_ids:
        return {}
    marks = ", ".join(["{p}"] * len(job_ids))
    query = (
        f"SELECT job_id, done, total, stage, heartbeat_at FROM {_TABLE} WHERE job_id IN ({marks})"
    )
    try:
        rows = _execute(query, tuple(job_ids))
    except (DatabaseError, sqlite3.Error):
        logger.warning("Could not read the jobs' progress.", exc_info=True)
        return {}
    found = {}
    for job_id, done, total, stage, beat in rows:
        at = dt.datetime.fromisoformat(beat) if isinstance(beat, str) else beat
        found[int(job_id)] = Progress(int(done), total, stage, at)
    return found


def separate_connection() -> bool:
    """Return whether progress is written outside the job's own transaction (not in tests)."""
    return bool(_sidecar_path()) or "progress" in settings.DATABASES


def _now() -> str:
    return clock.now().astimezone(dt.UTC).isoformat()


def _sidecar_path() -> str:
    return str(getattr(settings, "OMOV_PROGRESS_FILE", "") or "")


_local = threading.local()


def _sidecar() -> sqlite3.Connection:
    path = _sidecar_path()
    connection: sqlite3.Connection | None = getattr(_local, "connection", None)
    if connection is None or getattr(_local, "path", None) != path:
        connection = sqlite3.connect(path, timeout=5, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(_CREATE)
        _local.connection, _local.path = connection, path
    return connection


def _execute(statement: str, parameters: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Run one statement where progress lives (see the module docstring); return its rows."""
    if _sidecar_path():
        return _sidecar().execute(statement.format(p="?"), parameters).fetchall()
    alias = "progress" if "progress" in settings.DATABASES else "default"
    with connections[alias].cursor() as cursor:
        cursor.execute(statement.format(p="%s"), parameters)
        return list(cursor.fetchall()) if cursor.description else []


def _run(statement: str, parameters: tuple[Any, ...]) -> None:
    try:
        _execute(statement, parameters)
    except (DatabaseError, sqlite3.Error):
        logger.warning("Could not record a job's progress.", exc_info=True)
