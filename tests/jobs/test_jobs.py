"""Background jobs (decision 0016): queued with their record, run once, progress, failure said,
dead workers' jobs run again, and a job's page shown only to whom it concerns."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from factories import UserFactory
from jobs_support import run_jobs
from omov.core.errors import ServiceError
from omov.core.models import AuditEvent
from omov.jobs import progress, services
from omov.jobs.models import Job, JobFile, JobStatus
from omov.jobs.registry import JobOutcome, JobRefused, Reporter, job_kind

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


@job_kind("test.echo")
def _echo(job: Job, report: Reporter) -> JobOutcome:
    what = job.arguments.get("do", "ok")
    CALLS.append(what)
    report(1, 2, "Halfway")
    if what == "refuse":
        raise JobRefused(
            "The file has two errors.",
            {"errors": [{"line": 3, "column": "email", "message": "not an email"}]},
        )
    if what == "service":
        raise ServiceError("The ballot has opened: the roll can no longer be imported into.")
    if what == "crash":
        raise RuntimeError("secret detail /etc/omov")
    content = bytes(job.file.content) if hasattr(job, "file") else b""
    return JobOutcome(
        message=f"Echoed {len(content)} bytes.",
        result={"size": len(content)},
        next_url=job.arguments.get("next", ""),
    )


@pytest.fixture(autouse=True)
def _calls() -> Any:
    CALLS.clear()
    yield


def start(contest: Any, actor: Any = None, **arguments: Any) -> Job:
    return services.job_start(
        kind="test.echo",
        summary="Echo a file",
        contest=contest,
        actor=actor,
        arguments=arguments,
        file_name="roll.csv",
        file_content=b"abc",
    )


def test_a_job_is_queued_with_its_record_and_runs_once(
    contest: Any, returning_officer: Any
) -> None:
    job = start(contest, returning_officer)
    assert job.status == JobStatus.QUEUED and DBTaskResult.objects.count() == 1
    assert run_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.outcome == "Echoed 3 bytes."
    assert job.attempts == 1 and job.finished_at is not None
    assert not JobFile.objects.exists()  # the uploaded file is gone once the job is done
    assert CALLS == ["ok"]
    assert run_jobs() == 0 and CALLS == ["ok"]  # nothing runs twice
    events = AuditEvent.objects.filter(contest=contest).order_by("sequence")
    actions = list(events.values_list("action", flat=True))
    assert actions == ["job.start", "job.succeeded"]


def test_a_task_for_a_job_already_finished_does_nothing(contest: Any) -> None:
    job = start(contest)
    run_jobs()
    services.job_run(job.pk)  # a duplicate delivery of the task
    assert CALLS == ["ok"]


def test_an_unknown_kind_is_refused_when_started(contest: Any) -> None:
    with pytest.raises(ServiceError, match="no kind of job called 'nope'"):
        services.job_start(kind="nope", summary="x", contest=contest)
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("do", "said"),
    [
        ("refuse", "The file has two errors."),
        ("service", "The ballot has opened"),
        ("crash", "The job stopped on an internal error"),
    ],
)
def test_a_failed_job_says_why_on_its_page_and_in_the_audit_trail(
    contest: Any, returning_officer: Any, do: str, said: str, caplog: Any
) -> None:
    job = start(contest, returning_officer, do=do)
    with caplog.at_level(logging.ERROR):
        run_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.outcome.startswith(said)
    assert not JobFile.objects.exists()
    failed = AuditEvent.objects.get(contest=contest, action="job.failed")
    assert said in failed.summary
    client = Client()
    client.force_login(returning_officer)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Failed." in page and said in page
    assert "secret detail" not in page and "Traceback" not in page  # the fault stays in the log
    if do == "refuse":
        assert "Not an email." in page
    if do == "crash":
        assert "secret detail" in caplog.text


def test_the_page_shows_progress_while_the_job_runs(contest: Any, returning_officer: Any) -> None:
    job = start(contest, returning_officer)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1)
    progress.progress_write(job.pk, done=30, total=120, stage="Reading and checking roll.csv")
    client = Client()
    client.force_login(returning_officer)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'value="25"' in page and "25%" in page and "Reading and checking roll.csv" in page
    assert 'http-equiv="refresh"' in page


def test_a_finished_page_does_not_refresh_and_links_only_within_the_site(
    contest: Any, returning_officer: Any
) -> None:
    inside = start(contest, returning_officer, next="/electorate/x/")
    outside = start(contest, returning_officer, next="//evil.example/")
    run_jobs()
    client = Client()
    client.force_login(returning_officer)
    page = client.get(reverse("jobs:detail", args=[inside.pk])).content.decode()
    assert 'href="/electorate/x/"' in page and 'http-equiv="refresh"' not in page
    page = client.get(reverse("jobs:detail", args=[outside.pk])).content.decode()
    assert "evil.example" not in page


def test_only_the_starter_and_the_returning_officer_see_a_job(
    contest: Any, returning_officer: Any
) -> None:
    starter = UserFactory(username="starter")
    job = start(contest, starter)
    url = reverse("jobs:detail", args=[job.pk])
    statuses = {}
    for name, user in [("starter", starter), ("ro", returning_officer), ("other", UserFactory())]:
        client = Client()
        client.force_login(user)
        statuses[name] = client.get(url).status_code
    assert statuses == {"starter": 200, "ro": 200, "other": 403}
    assert Client().get(url).status_code == 302  # sign in first
    missing = Client()
    missing.force_login(starter)
    assert missing.get(reverse("jobs:detail", args=[job.pk + 99])).status_code == 404


def test_a_job_whose_worker_died_is_run_again_and_then_given_up(contest: Any) -> None:
    job = start(contest)
    start_time = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(start_time, tick=False):
        # A worker claimed it and was killed -9: its transaction rolled back, the job is left
        # "running" with no heartbeat after this one.
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.RUNNING, attempts=1, started_at=start_time
        )
        progress.progress_beat(job.pk)
        assert services.jobs_recover() == []  # alive a moment ago: left alone
    later = start_time + services.stale_after() + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert services.jobs_recover() == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert AuditEvent.objects.filter(action="job.retry", contest=contest).count() == 1
    run_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2 and CALLS == ["ok"]

    again = start(contest)
    Job.objects.filter(pk=again.pk).update(
        status=JobStatus.RUNNING, attempts=3, started_at=start_time
    )
    with time_machine.travel(later, tick=False):
        assert services.jobs_recover() == [again.pk]
    again.refresh_from_db()
    assert again.status == JobStatus.FAILED and "stopped 3 times" in again.outcome
    assert not JobFile.objects.filter(job=again).exists()


def test_a_late_result_of_a_run_taken_for_dead_is_not_kept(contest: Any) -> None:
    job = start(contest)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=2)
    services._finish(job.pk, 1, JobStatus.SUCCEEDED, "late", {})  # attempt 1 reports late
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.outcome == ""


def test_progress_in_a_file_of_its_own(tmp_path: Any, settings: Any) -> None:
    """SQLite lets one connection write at a time: progress goes to a file of its own."""
    settings.OMOV_PROGRESS_FILE = str(tmp_path / "omov.sqlite3.progress")
    progress.progress_write(7, done=5, total=10, stage="Reading")
    found = progress.progress_read([7, 8])
    assert list(found) == [7] and found[7].percent == 50 and found[7].stage == "Reading"
    progress.progress_beat(7)
    assert progress.progress_read([7])[7].done == 5  # a heartbeat keeps the figures
    progress.progress_clear(7)
    assert progress.progress_read([7]) == {}
    assert (tmp_path / "omov.sqlite3.progress").exists()
