"""The worker's loop: take the next queued task, run it, repeat (``omov worker``; decision 0016).

Tasks are taken from django-tasks' database backend, one at a time, each claimed in its own
short transaction (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; an exclusive transaction
on SQLite), so two workers never take the same task. Before each look at the queue, jobs whose
worker died are queued again (:func:`omov.jobs.services.jobs_recover`).
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from django.db import close_old_connections, connection
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from omov.jobs.services import jobs_recover

logger = logging.getLogger(__name__)


class Worker:
    """Run queued tasks until told to stop (or, with ``once``, until none is waiting)."""

    def __init__(self, *, worker_id: str, interval: float = 1.0) -> None:
        self.worker_id = worker_id[:63]
        self.interval = interval
        self.stopping = threading.Event()
        self.running_task = False

    def run(self, *, once: bool = False) -> int:
        """Run tasks; return how many ran."""
        ran = 0
        while not self.stopping.is_set():
            if not connection.in_atomic_block:
                close_old_connections()  # as Django does around each request
            jobs_recover()
            if self.run_next():
                ran += 1
                continue
            if once:
                break
            self.stopping.wait(self.interval)
        return ran

    def run_next(self) -> bool:
        """Claim and run the next ready task; return False when none is waiting."""
        ready = DBTaskResult.objects.ready().filter(backend_name="default")
        if not ready.exists():
            return False  # a plain read first: an idle worker never locks SQLite
        with exclusive_transaction():
            claimed = ready.get_locked()
            if claimed is None:
                return False
            claimed.claim(self.worker_id)
        self.running_task = True
        try:
            task_result = claimed.task_result
            value = claimed.task.call(*task_result.args, **task_result.kwargs)
            claimed.set_successful(value)
        except Exception as error:  # the job itself records its own failures; this is the queue's
            logger.exception("Task %s failed.", claimed.id)
            claimed.set_failed(error)
        finally:
            self.running_task = False
        return True

    def stop_on_signals(self) -> None:
        """SIGINT or SIGTERM: finish the job in hand, then stop; a second one stops at once."""

        def stop(signum: int, frame: FrameType | None) -> None:
            if self.stopping.is_set() or not self.running_task:
                raise SystemExit(0 if not self.running_task else 1)
            logger.warning("Stopping after the job in hand (signal again to stop at once).")
            self.stopping.set()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
