"""The ballots app's background job: a closed contest's encrypted ballots into its record.

Queued by ``ballot_close`` for a contest with trustees (decision 0017). Checking 500,000
ballots against the record takes minutes, longer than a request may, so a worker does it, with
its progress on the job's page. Safe to run again (a killed worker's job is retried, decision
0016): a channel whose ``ballots`` entry is in the record already is skipped. If the job fails,
``omov record ballots --contest SLUG`` does the same work by hand.
"""

from __future__ import annotations

from django.urls import reverse

from omov.ballots.services.encrypted import record_ballots_add
from omov.ballots.services.voting import RECORD_BALLOTS_JOB

__all__ = ["RECORD_BALLOTS_JOB", "record_ballots_job", "record_ballots_said"]
from omov.core.errors import ServiceError
from omov.jobs.models import Job
from omov.jobs.registry import JobOutcome, Reporter, job_kind


@job_kind(RECORD_BALLOTS_JOB)
def record_ballots_job(job: Job, report: Reporter) -> JobOutcome:
    """Add the job's contest's stored ballots to its election record, a channel at a time."""
    if job.contest is None:
        raise ServiceError("This job names no contest.")
    report(0, None, "Reading the stored ballots")
    done = record_ballots_add(
        contest=job.contest, actor_label=job.actor_label or "record.ballots job", progress=report
    )
    return JobOutcome(
        message=record_ballots_said(done.added, done.already),
        result={"added": done.added, "already": done.already},
        next_url=reverse("trustees:record", args=[job.contest.slug]),
    )


def record_ballots_said(added: dict[str, int], already: list[str]) -> str:
    """One sentence for what adding the ballots did, for the job's page and the command line."""
    parts = [f"added {count:,} {channel} ballots" for channel, count in added.items()]
    parts += [f"the {channel} ballots were in the record already" for channel in already]
    return "Election record: " + ("; ".join(parts) or "nothing to add") + "."
