"""A job: one piece of long work, queued by a page and run by ``omov worker`` (decision 0016)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from omov.contests.models import Contest


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """What to do (``kind`` and ``arguments``), for whom, and how it went.

    Written only by :mod:`omov.jobs.services`. The progress of a running job lives apart
    (:class:`JobProgress`, written outside the job's own transaction) so the page can show it
    while the work's transaction is still open.
    """

    kind = models.CharField(max_length=64)
    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, null=True, blank=True, related_name="jobs"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    summary = models.CharField(max_length=300, help_text="What the job does, for its page.")
    arguments = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=120, blank=True)
    outcome = models.TextField(blank=True, help_text="The result in a sentence, or why it failed.")
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status"], name="jobs_job_by_status")]

    def __str__(self) -> str:
        return f"{self.summary} ({self.get_status_display().lower()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class JobFile(models.Model):
    """A file a job reads (an uploaded roll), kept in the database so a worker on any machine
    can read it; deleted when the job finishes, whatever the outcome."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="file")
    name = models.CharField(max_length=255)
    content = models.BinaryField()

    def __str__(self) -> str:
        return self.name


class JobProgress(models.Model):
    """How far a running job has got, and when its worker last said it was alive.

    Written by :mod:`omov.jobs.progress` through a connection of its own (on SQLite, a file of
    its own), never inside the job's transaction.
    """

    job_id = models.BigIntegerField(primary_key=True)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(null=True, blank=True)
    stage = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.CharField(max_length=40, help_text="ISO 8601, UTC.")

    def __str__(self) -> str:
        return f"job {self.job_id}: {self.done} of {self.total}"
