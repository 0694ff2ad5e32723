"""Credential emails and reminders as background jobs, started from the ballot office.

Sending 654,006 emails at the rate limit takes hours; a web request cannot wait for it, and a
terminal should not have to be kept open. The office queues a job (decision 0016) that runs the
same resumable service as `omov credentials send` / `remind`, with its progress on the job's
page. Printed letters stay a command (`omov credentials letters`): a letters file holds every
postal voter's usable credential, and a job's output would keep it in the database and its
backups.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from omov.ballots import policies
from omov.ballots.models import Credential
from omov.ballots.services.delivery import credentials_pending, reminders_due
from omov.ballots.services.resend import credentials_preview
from omov.contests.models import Contest, ContestStatus
from omov.core.errors import PermissionRefused, ServiceError
from omov.jobs.models import Job, JobStatus
from omov.jobs.services import job_start

SEND_JOB = "credentials.send"
REMIND_JOB = "credentials.remind"


def _check(contest: Contest, actor: Any) -> None:
    decision = policies.can_run_ballot(actor, contest)
    if not decision:
        raise PermissionRefused(decision.reason)
    if contest.status != ContestStatus.BALLOT_OPEN:
        raise ServiceError(
            f"Credentials go out only while the ballot is open; {contest.title} is "
            f"{contest.get_status_display().lower()}."
        )
    credentials_preview(contest=contest, with_letter=False)  # refuses without a public address


def _under_way(contest: Contest, kind: str) -> Job | None:
    """The contest's job of ``kind`` still waiting or running, read under the contest's row lock,
    so two presses at once queue one job (the second waits, then sees the first)."""
    Contest.objects.select_for_update().filter(pk=contest.pk).first()
    return Job.objects.filter(
        contest=contest, kind=kind, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).first()


def credentials_send_start(*, contest: Contest, actor: Any, actor_label: str = "") -> Job:
    """Queue the job that emails every credential not sent yet; return it.

    Refused while such a job is waiting or running for the contest (its page says how far it
    has got), and when nothing is waiting to be sent.
    """
    _check(contest, actor)
    with transaction.atomic():
        running = _under_way(contest, SEND_JOB)
        if running is not None:
            raise ServiceError(f"The emails are being sent already (job {running.pk}).")
        waiting = credentials_pending(contest)
        if not waiting:
            raise ServiceError("Every emailed voter's credential has gone out: none is waiting.")
        return job_start(
            kind=SEND_JOB,
            summary=f"Email {waiting:,} credentials for {contest.title}",
            contest=contest,
            actor=actor,
            actor_label=actor_label,
        )


def reminder_round_next(contest: Contest) -> int:
    """The round a new reminder would be: one more than the last round sent to anyone."""
    last = Credential.objects.filter(contest=contest).aggregate(last=Max("reminder_round"))
    return int(last["last"] or 0) + 1


def reminders_start(
    *, contest: Contest, round_number: int, actor: Any, actor_label: str = ""
) -> Job:
    """Queue the job that reminds every emailed voter who has not voted (``round_number``)."""
    _check(contest, actor)
    if round_number < 1:
        raise ServiceError("Reminder rounds are numbered from 1.")
    with transaction.atomic():
        running = _under_way(contest, REMIND_JOB)
        if running is not None:
            raise ServiceError(f"Reminders are being sent already (job {running.pk}).")
        waiting = reminders_due(contest, round_number).count()
        if not waiting:
            raise ServiceError(
                f"Nobody is waiting for reminder round {round_number}: every emailed voter "
                "who has not voted has had it."
            )
        return job_start(
            kind=REMIND_JOB,
            summary=f"Remind {waiting:,} voters (round {round_number}) for {contest.title}",
            contest=contest,
            actor=actor,
            actor_label=actor_label,
            arguments={"round": round_number},
        )
