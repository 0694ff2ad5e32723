"""The electorate's background jobs: a roll file uploaded through the web (decision 0016).

A 654,006-row roll takes longer than a web request may; the page stores the file with the job
and a worker imports it, with the same service (and so the same checks, report and audit) as
`omov roll import`.
"""

from __future__ import annotations

import io
from typing import Any

from django.urls import reverse

from omov.electorate import services
from omov.electorate.importing import MAX_REPORTED_ERRORS, RollFileRejected, parse_mapping_options
from omov.jobs.models import Job, JobFile
from omov.jobs.registry import JobOutcome, JobRefused, Reporter, job_kind

ROLL_IMPORT = "roll.import"


@job_kind(ROLL_IMPORT)
def roll_import_job(job: Job, report: Reporter) -> JobOutcome:
    """Import the job's roll file into its contest; all or nothing unless told otherwise."""
    upload = JobFile.objects.get(job=job)
    content = bytes(upload.content)
    total = len(content)
    read = 0

    def progress(size: int) -> None:
        nonlocal read
        read += size
        report(read, total, f"Reading and checking {upload.name}")

    report(0, total, f"Reading and checking {upload.name}")
    try:
        result = services.roll_import(
            source=io.BytesIO(content),
            file_name=upload.name,
            contest=job.contest,
            accept_valid=bool(job.arguments.get("accept_valid")),
            mapping=parse_mapping_options(job.arguments.get("mapping", [])),
            actor=job.actor,
            actor_label=job.actor_label,
            progress=progress,
        )
    except RollFileRejected as error:
        raise JobRefused(error.message, {"errors": _errors(error.errors)}) from None
    batch = result.batch
    message = (
        f"Imported {batch.file_name}: {batch.created:,} created, {batch.updated:,} updated, "
        f"{batch.unchanged:,} unchanged, {batch.rejected:,} rejected. Evaluate the roll next."
    )
    if result.errors:
        message += " The rows below were not imported."
    slug = job.contest.slug if job.contest is not None else ""
    return JobOutcome(
        message=message,
        result={"errors": _errors(result.errors), "batch": batch.pk},
        next_url=reverse("electorate:roll", args=[slug]) if slug else "",
    )


def _errors(errors: list[Any]) -> list[dict[str, Any]]:
    return [error.as_json() for error in errors[:MAX_REPORTED_ERRORS]]
