"""The record's background job: a trustee's mix or decryption shares, checked and added.

Checking a mix of 500,000 ballots (its Terelius–Wikström proof) or their decryption shares
takes minutes, longer than a request may: the trustee page keeps the file with a job and a
worker checks it with the same service as `omov record upload` (decision 0017). If the file is
refused, the job's page says why; nothing in the record changes.
"""

from __future__ import annotations

from django.urls import reverse

from omov.core.errors import ServiceError
from omov.jobs.models import Job, JobFile
from omov.jobs.registry import JobOutcome, Reporter, job_kind
from omov.trustees import services
from omov.trustees.models import RecordEntry

RECORD_FILE_JOB = "record.file"


@job_kind(RECORD_FILE_JOB)
def record_file_job(job: Job, report: Reporter) -> JobOutcome:
    """Check the job's file against the whole record and add it, as its trustee handed it in."""
    contest = job.contest
    if contest is None:
        raise ServiceError("This job names no contest.")
    number = int(job.arguments.get("trustee", 0))
    trustee = services.trustee_by_number(contest, number)
    content = bytes(JobFile.objects.get(job=job).content)
    report(0, None, f"Checking trustee {number}'s {job.arguments.get('kind', 'file')}")
    # Run again after its worker died once the entry had committed: it is in, say so. (On a
    # first attempt the same file is refused like any file handed in twice.)
    entry = None
    if job.attempts > 1:
        entry = services.entry_already_added(trustee=trustee, content=content)
    if entry is None:
        added = services.record_file_accept(
            contest=contest,
            trustee=trustee,
            content=content,
            actor=job.actor,
            actor_label=job.actor_label,
        )
        assert isinstance(added, RecordEntry)
        entry = added
    return JobOutcome(
        message=f"Checked and added to the election record as {entry.file}.",
        result={"file": entry.file, "hash": entry.hash},
        next_url=reverse("trustees:record", args=[contest.slug]),
    )
