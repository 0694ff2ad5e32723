"""Reads of jobs: one job with its progress, for its page."""

from __future__ import annotations

from dataclasses import dataclass

from omov.jobs.models import Job, JobStatus
from omov.jobs.progress import Progress, progress_read


@dataclass(frozen=True)
class JobView:
    job: Job
    progress: Progress | None

    @property
    def errors(self) -> list[dict[str, object]]:
        errors = self.job.result.get("errors") if isinstance(self.job.result, dict) else None
        return errors if isinstance(errors, list) else []

    @property
    def next_url(self) -> str:
        url = self.job.result.get("next_url", "") if isinstance(self.job.result, dict) else ""
        # Only a path on this site: a job's result never sends the browser elsewhere.
        return (
            url if isinstance(url, str) and url.startswith("/") and not url.startswith("//") else ""
        )


def job_view(job_id: int) -> JobView | None:
    job = Job.objects.select_related("contest").filter(pk=job_id).first()
    if job is None:
        return None
    progress = progress_read([job.pk]).get(job.pk) if job.status == JobStatus.RUNNING else None
    return JobView(job, progress)
