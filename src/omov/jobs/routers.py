"""Keep migrations off the ``progress`` alias: it is the default database seen through a second
connection (see :mod:`omov.jobs.progress`), never a database of its own."""

from __future__ import annotations

from typing import Any


class ProgressRouter:
    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == "progress" else None
