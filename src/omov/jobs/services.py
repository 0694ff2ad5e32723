"""Every write to jobs: start one, run one (the worker's side), recover those a dead worker held.

Decision 0016. A job is queued in the same transaction that records it, so there is never a
queued task without its job nor a job without its task.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import transaction

from omov.contests.models import Contest
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.services import audit_record
from omov.jobs import progress
from omov.jobs.models import Job, JobFile, JobStatus
from omov.jobs.registry import JobOutcome, JobRefused, runner_for

logger = logging.getLogger(__name__)


def stale_after() -> dt.timedelta:
    """How long a running job's worker may go without saying it is alive before it is taken
    for dead (``OMOV_JOB_STALE_SECONDS``, default 180)."""
    return dt.timedelta(seconds=settings.OMOV_JOB_STALE_SECONDS)


def heartbeat_seconds() -> float:
    """How often a worker says it is alive while it runs a job: well within :func:`stale_after`."""
    return min(20.0, settings.OMOV_JOB_STALE_SECONDS / 6)


#: The least time between two progress writes of one job.
PROGRESS_INTERVAL_SECONDS = 0.5


def job_start(
    *,
    kind: str,
    summary: str,
    contest: Contest | None = None,
    actor: Any = None,
    actor_label: str = "",
    arguments: dict[str, Any] | None = None,
    file_name: str = "",
    file_content: bytes | None = None,
) -> Job:
    """Record a job and queue it for a worker; return it (its page shows how it goes)."""
    if runner_for(kind) is None:
        raise ServiceError(f"There is no kind of job called {kind!r}.")
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            summary=summary[:300],
            contest=contest,
            actor=user,
            actor_label=(actor_label or str(user or "system"))[:150],
            arguments=arguments or {},
            created_at=clock.now(),
        )
        if file_content is not None:
            JobFile.objects.create(job=job, name=file_name[:255], content=file_content)
        audit_record(
            action="job.start",
            summary=f"Queued: {job.summary}",
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=job,
            data={"kind": kind},
        )
        _enqueue(job)
    return job


def _enqueue(job: Job) -> None:
    from omov.jobs.tasks import job_task

    job_task.enqueue(job.pk)


def job_run(job_id: int, *, worker: str = "") -> None:
    """Run job ``job_id`` once (the worker calls this); a finished or running job is left alone.

    The outcome — done, or failed and why — is written to the job and the audit trail. The
    job's file is deleted when the job finishes, whatever the outcome.
    """
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(of=("self",))
            .select_related("contest")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.status != JobStatus.QUEUED:
            return  # finished, or another worker has it: running it twice would be wrong
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = clock.now()
        job.worker = worker[:120]
        job.save(update_fields=["status", "attempts", "started_at", "worker"])
    attempt = job.attempts
    progress.progress_write(job.pk, done=0, total=None, stage="Starting")
    runner = runner_for(job.kind)
    heartbeat = _Heartbeat(job.pk)
    heartbeat.start()
    try:
        if runner is None:
            raise JobRefused(f"This version of omov has no kind of job called {job.kind!r}.")
        outcome = runner(job, _Reporter(job.pk))
    except JobRefused as refused:
        _finish(job.pk, attempt, JobStatus.FAILED, refused.message, refused.result)
    except ServiceError as error:
        _finish(job.pk, attempt, JobStatus.FAILED, error.message, {})
    except Exception:
        logger.exception("Job %s (%s) stopped on an internal error.", job.pk, job.kind)
        _finish(
            job.pk,
            attempt,
            JobStatus.FAILED,
            f"The job stopped on an internal error, so nothing it was doing was kept. The "
            f"worker's log has the details (job {job.pk}).",
            {},
        )
    else:
        _finish(job.pk, attempt, JobStatus.SUCCEEDED, outcome.message, _result_of(outcome))
    finally:
        heartbeat.stop()
        progress.progress_clear(job.pk)


def _result_of(outcome: JobOutcome) -> dict[str, Any]:
    result = dict(outcome.result)
    if outcome.next_url:
        result["next_url"] = outcome.next_url
    return result


def _finish(
    job_id: int, attempt: int, status: JobStatus, message: str, result: dict[str, Any]
) -> None:
    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("contest").get(pk=job_id)
        if job.attempts != attempt or job.is_finished:
            return  # taken for dead and run again meanwhile: that run reports
        job.status = status
        job.outcome = message
        job.result = result
        job.finished_at = clock.now()
        job.save(update_fields=["status", "outcome", "result", "finished_at"])
        JobFile.objects.filter(job=job).delete()
        audit_record(
            action="job.succeeded" if status == JobStatus.SUCCEEDED else "job.failed",
            summary=f"{job.summary}: {message}"[:500],
            actor=job.actor,
            actor_label=job.actor_label,
            contest=job.contest,
            target=job,
            data={"kind": job.kind, "attempts": job.attempts},
        )


def jobs_recover(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again the running jobs whose worker stopped saying it is alive; return their ids.

    A job that has had all its attempts fails instead, saying so. The work of a killed worker
    was one rolled-back transaction (see :mod:`omov.jobs.registry`), so running it again
    duplicates nothing.
    """
    now = now or clock.now()
    running = list(Job.objects.filter(status=JobStatus.RUNNING).values_list("pk", "started_at"))
    if not running:
        return []
    beats = progress.progress_read([pk for pk, _ in running])
    recovered = []
    for pk, started_at in running:
        seen = beats[pk].heartbeat_at if pk in beats else started_at
        if seen is not None and now - seen < stale_after():
            continue
        if _requeue(pk, now):
            recovered.append(pk)
    return recovered


def _requeue(job_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("contest").get(pk=job_id)
        if job.status != JobStatus.RUNNING:
            return False
        if job.attempts >= job.max_attempts:
            job.status = JobStatus.FAILED
            job.finished_at = now
            job.outcome = (
                f"The worker running this job stopped {job.attempts} times without finishing, "
                "so it was not tried again. Nothing it was doing was kept; start it again."
            )
            job.save(update_fields=["status", "finished_at", "outcome"])
            JobFile.objects.filter(job=job).delete()
            action, summary = "job.failed", f"{job.summary}: {job.outcome}"
        else:
            job.status = JobStatus.QUEUED
            job.save(update_fields=["status"])
            _enqueue(job)
            action = "job.retry"
            summary = f"{job.summary}: its worker stopped (attempt {job.attempts}); queued again"
        audit_record(
            action=action,
            summary=summary[:500],
            actor_label="omov worker",
            contest=job.contest,
            target=job,
            data={"kind": job.kind, "attempts": job.attempts},
        )
    progress.progress_clear(job_id)
    return True


class _Reporter:
    """The callable a runner reports through: (done, total, stage), at most twice a second."""

    def __init__(self, job_id: int) -> None:
        self._job_id = job_id
        self._last = 0.0

    def __call__(self, done: int, total: int | None, stage: str) -> None:
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL_SECONDS and (total is None or done < total):
            return
        self._last = now
        progress.progress_write(self._job_id, done=done, total=total, stage=stage)


class _Heartbeat:
    """A thread saying every so often that the job's worker is alive (when that can be seen
    outside the job's transaction; in the test suite it cannot, and it does not run)."""

    def __init__(self, job_id: int) -> None:
        self._job_id = job_id
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if progress.separate_connection():
            self._thread = threading.Thread(target=self._run, name=f"job-{self._job_id}-beat")
            self._thread.daemon = True
            self._thread.start()

    def _run(self) -> None:
        from django.db import connections

        try:
            while not self._stopped.wait(heartbeat_seconds()):
                progress.progress_beat(self._job_id)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
