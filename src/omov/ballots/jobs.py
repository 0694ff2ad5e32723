"""The ballots app's background jobs: credential emails and reminders, and a closed contest's
encrypted ballots into its record.

Emails and reminders: started from the ballot office (``services.sending``); each runs the same
resumable, paced service as `omov credentials send` / `remind`, so a job killed mid-way and run
again sends only what had not gone out.

The record: queued by ``ballot_close`` for a contest with trustees (decision 0017). Checking 500,000
ballots against the record takes minutes, longer than a request may, so a worker does it, with
its progress on the job's page. Safe to run again (a killed worker's job is retried, decision
0016): a channel whose ``ballots`` entry is in the record already is skipped. If the job fails,
``omov record ballots --contest SLUG`` does the same work by hand.
"""

from __future__ import annotations

from django.urls import reverse

from omov.ballots.services.delivery import credentials_pending, credentials_send, reminders_send
from omov.ballots.services.encrypted import record_ballots_add
from omov.ballots.services.sending import REMIND_JOB, SEND_JOB
from omov.ballots.services.voting import RECORD_BALLOTS_JOB
from omov.contests.models import Contest
from omov.core.errors import ServiceError
from omov.jobs.models import Job
from omov.jobs.registry import JobOutcome, Reporter, job_kind

__all__ = [
    "RECORD_BALLOTS_JOB",
    "REMIND_JOB",
    "SEND_JOB",
    "credentials_send_job",
    "record_ballots_job",
    "record_ballots_said",
    "reminders_job",
]


def _contest(job: Job) -> Contest:
    if job.contest is None:
        raise ServiceError("This job names no contest.")
    return job.contest


@job_kind(SEND_JOB)
def credentials_send_job(job: Job, report: Reporter) -> JobOutcome:
    """Email every credential of the job's contest that has not gone out, at the rate limit."""
    contest = _contest(job)
    total = credentials_pending(contest)
    done = 0

    def progress(sent: int) -> None:
        nonlocal done
        done += sent
        report(done, total, "Emailing credentials")

    report(0, total, "Emailing credentials")
    sent = credentials_send(
        contest=contest, actor=job.actor, actor_label=job.actor_label, progress=progress
    )
    return JobOutcome(
        message=f"Emailed {sent:,} credentials; none is waiting.",
        result={"sent": sent},
        next_url=reverse("ballots:office", args=[contest.slug]),
    )


@job_kind(REMIND_JOB)
def reminders_job(job: Job, report: Reporter) -> JobOutcome:
    """Remind every emailed voter of the job's contest who has not voted (the job's round)."""
    contest = _contest(job)
    round_number = int(job.arguments.get("round", 0))
    done = 0

    def progress(sent: int) -> None:
        nonlocal done
        done += sent
        report(done, None, f"Sending reminder round {round_number}")

    report(0, None, f"Sending reminder round {round_number}")
    sent = reminders_send(
        contest=contest,
        round_number=round_number,
        actor=job.actor,
        actor_label=job.actor_label,
        progress=progress,
    )
    return JobOutcome(
        message=f"Sent reminder round {round_number} to {sent:,} voters.",
        result={"sent": sent, "round": round_number},
        next_url=reverse("ballots:office", args=[contest.slug]),
    )


@job_kind(RECORD_BALLOTS_JOB)
def record_ballots_job(job: Job, report: Reporter) -> JobOutcome:
    """Add the job's contest's stored ballots to its election record, a channel at a time."""
    contest = _contest(job)
    report(0, None, "Reading the stored ballots")
    done = record_ballots_add(
        contest=contest, actor_label=job.actor_label or "record.ballots job", progress=report
    )
    return JobOutcome(
        message=record_ballots_said(done.added, done.already),
        result={"added": done.added, "already": done.already},
        next_url=reverse("trustees:record", args=[contest.slug]),
    )


def record_ballots_said(added: dict[str, int], already: list[str]) -> str:
    """One sentence for what adding the ballots did, for the job's page and the command line."""
    parts = [f"added {count:,} {channel} ballots" for channel, count in added.items()]
    parts += [f"the {channel} ballots were in the record already" for channel in already]
    return "Election record: " + ("; ".join(parts) or "nothing to add") + "."
