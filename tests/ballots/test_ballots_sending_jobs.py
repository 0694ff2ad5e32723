"""Credential emails and reminders as background jobs started from the ballot office."""

from __future__ import annotations

from typing import Any

import pytest
from ballots_support import open_contest
from django.core import mail
from django.test import Client

from factories import UserFactory, grant
from jobs_support import run_jobs
from omov.ballots import services
from omov.ballots.models import Credential
from omov.core.errors import PermissionRefused
from omov.core.models import AuditEvent, Role
from omov.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OMOV_EMAIL_RATE = 0


def _client_as(role: Role, contest: Any, name: str) -> Client:
    user = UserFactory(username=name)
    grant(user, role, contest)
    client = Client()
    client.force_login(user)
    return client


def test_the_office_sends_every_credential_email_in_a_job(db: Any) -> None:
    ballot = open_contest(voters=6)
    office = _client_as(Role.RETURNING_OFFICER, ballot.contest, "ro")
    page = office.get(f"/vote/office/{ballot.contest.slug}/").content.decode()
    assert "6 credential emails waiting" in page
    response = office.post(f"/vote/office/{ballot.contest.slug}/send/")
    job = Job.objects.get(kind="credentials.send")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.QUEUED and mail.outbox == []
    assert "Email 6 credentials" in office.get(f"/jobs/{job.pk}/").content.decode()
    # A second press while it waits queues nothing more.
    again = office.post(f"/vote/office/{ballot.contest.slug}/send/", follow=True)
    assert f"being sent already (job {job.pk})" in again.content.decode()
    assert Job.objects.filter(kind="credentials.send").count() == 1

    run_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.outcome
    assert job.outcome == "Emailed 6 credentials; none is waiting."
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.person.email for e in ballot.entries)
    assert not Credential.objects.filter(issued_at__isnull=True).exists()
    assert AuditEvent.objects.get(action="credentials.send").data == {"sent": 6}
    page = office.get(f"/vote/office/{ballot.contest.slug}/").content.decode()
    assert "Email 6 credentials for Leadership election 2016" in page and "Finished" in page
    refused = office.post(f"/vote/office/{ballot.contest.slug}/send/", follow=True)
    assert "none is waiting" in refused.content.decode()


def test_reminders_go_by_round_to_those_who_have_not_voted(db: Any) -> None:
    ballot = open_contest(voters=4)
    services.credentials_send(contest=ballot.contest, rate=0)
    Credential.objects.filter(roll_entry=ballot.entries[0]).update(has_voted=True)
    mail.outbox.clear()
    office = _client_as(Role.RETURNING_OFFICER, ballot.contest, "ro")
    assert (
        'name="round" min="1" max="50" value="1"'
        in office.get(f"/vote/office/{ballot.contest.slug}/").content.decode()
    )
    office.post(f"/vote/office/{ballot.contest.slug}/remind/", {"round": "1"})
    run_jobs()
    job = Job.objects.get(kind="credentials.remind")
    assert job.status == JobStatus.SUCCEEDED and job.arguments == {"round": 1}
    assert len(mail.outbox) == 3
    assert ballot.entries[0].person.email not in {m.to[0] for m in mail.outbox}
    assert services.reminder_round_next(ballot.contest) == 2
    again = office.post(f"/vote/office/{ballot.contest.slug}/remind/", {"round": "1"}, follow=True)
    assert "Nobody is waiting for reminder round 1" in again.content.decode()
    bad = office.post(f"/vote/office/{ballot.contest.slug}/remind/", {"round": "0"}, follow=True)
    assert "Reminder round: " in bad.content.decode()
    assert Job.objects.filter(kind="credentials.remind").count() == 1


def test_only_the_returning_officer_starts_sending_and_only_by_post(db: Any) -> None:
    ballot = open_contest(voters=2)
    scrutineer = _client_as(Role.SCRUTINEER, ballot.contest, "scrutineer")
    assert scrutineer.post(f"/vote/office/{ballot.contest.slug}/send/").status_code == 403
    assert (
        scrutineer.post(f"/vote/office/{ballot.contest.slug}/remind/", {"round": "1"}).status_code
        == 403
    )
    page = scrutineer.get(f"/vote/office/{ballot.contest.slug}/").content.decode()
    assert "Send the credential emails" not in page
    office = _client_as(Role.RETURNING_OFFICER, ballot.contest, "ro")
    assert office.get(f"/vote/office/{ballot.contest.slug}/send/").status_code == 405
    assert not Job.objects.exists()
    with pytest.raises(PermissionRefused, match="Sign in as the returning officer"):
        services.credentials_send_start(contest=ballot.contest, actor=None)


def test_nothing_goes_out_once_the_ballot_has_closed(db: Any) -> None:
    ballot = open_contest(voters=2)
    ro = UserFactory(username="ro")
    grant(ro, Role.RETURNING_OFFICER, ballot.contest)
    job = services.credentials_send_start(contest=ballot.contest, actor=ro)
    ballot.contest.status = "closed"
    ballot.contest.save()
    run_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "only while the ballot is open" in job.outcome
    assert mail.outbox == []
