"""The one task the queue carries: run a job by its id (everything else is in the job's row)."""

from __future__ import annotations

import os
import socket

from django_tasks import task

from omov.jobs.services import job_run


@task()
def job_task(job_id: int) -> None:
    job_run(job_id, worker=f"{socket.gethostname()}:{os.getpid()}")
