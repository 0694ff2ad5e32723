"""Invitations to an event: only the voters who agreed to campaign emails, each once, sent by
omov (the campaign never sees an address), only while the campaign's access is open."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from campaigns_support import EVENING, Campaigns, event_details
from omov.campaigns import events, invitations
from omov.campaigns.models import Event, Invitation
from omov.campaigns.retention import canvass_erase
from omov.cli.main import main
from omov.contests.models import ContestStatus
from omov.core.errors import PermissionRefused, ServiceError
from omov.core.models import AuditEvent
from omov.electorate.models import Person

pytestmark = pytest.mark.django_db


def rally(campaigns: Campaigns, **kw: Any) -> Event:
    return events.event_create(campaign=campaigns.corbyn, details=event_details(**kw))


def consenting(campaigns: Campaigns) -> set[str]:
    """Let every third voter refuse campaign emails and one have no address; return the rest."""
    people = [entry.person for entry in campaigns.entries]
    for number, person in enumerate(people):
        if number % 3 == 0:
            person.consent_email = False
        if number == 1:
            person.email = ""
        person.save()
    return {p.email for p in Person.objects.filter(consent_email=True).exclude(email="")}


class RefusingMail:
    def send_messages(self, messages: list[Any]) -> int:
        return 0


def test_only_consenting_voters_are_invited_and_each_once(campaigns: Campaigns) -> None:
    expected = consenting(campaigns)
    event = rally(campaigns)
    organiser = campaigns.people["corbyn_organiser"]
    sent = invitations.invitations_send(event=event, actor=organiser, rate=0)
    assert sent == len(expected) == 19
    assert {message.to[0] for message in mail.outbox} == expected
    body = mail.outbox[0].body
    assert "Rally for Jeremy" in body and f"/events/{event.pk}/rsvp/" in body
    assert "The campaign has not been given your address" in body
    assert invitations.invitations_send(event=event, actor=organiser, rate=0) == 0
    assert len(mail.outbox) == sent
    audit = AuditEvent.objects.get(action="campaign.event_invite")
    assert audit.data["invited"] == sent
    assert not any(address in audit.summary for address in expected)


def test_a_refused_batch_records_nobody_and_the_next_run_sends_it(campaigns: Campaigns) -> None:
    consenting(campaigns)
    event = rally(campaigns)
    with pytest.raises(ServiceError, match="accepted 0 of 5"):
        invitations.invitations_send_batch(
            event=event, batch_size=5, mail_connection=RefusingMail()
        )
    assert not Invitation.objects.exists()
    assert invitations.invitations_send(event=event, limit=5, rate=0) == 5


def test_invitations_need_open_access_a_public_event_and_the_campaigns_runner(
    campaigns: Campaigns,
) -> None:
    event = rally(campaigns)
    with pytest.raises(PermissionRefused):
        invitations.invitations_send(event=event, actor=campaigns.people["smith_manager"])
    with pytest.raises(PermissionRefused):
        invitations.invitations_send(event=event, actor=campaigns.people["corbyn_caller"])
    private = rally(campaigns, is_public=False)
    with pytest.raises(ServiceError, match="not public"):
        invitations.invitations_send(event=private)
    campaigns.contest.status = ContestStatus.CLOSED
    campaigns.contest.save()
    event.campaign.contest.refresh_from_db()
    with pytest.raises(ServiceError, match="ballot has closed"):
        invitations.invitations_send(event=event)
    assert not mail.outbox


def test_the_page_invites_a_branch_and_shows_no_address(campaigns: Campaigns) -> None:
    expected = consenting(campaigns)
    event = rally(campaigns)
    client = Client()
    client.force_login(campaigns.people["corbyn_organiser"])
    url = reverse("campaigns:event", args=[campaigns.corbyn.pk, event.pk])
    page = client.get(url).content.decode()
    assert "19 of them are not invited yet" in page
    assert not any(address in page for address in expected)
    wrong = client.post(url, {"action": "invite", "branch": "NOPE"})
    assert wrong.status_code == 400
    assert "There is no branch with the code" in wrong.content.decode()
    done = client.post(url, {"action": "invite", "branch": "NOTTS-E"}, follow=True)
    assert "Invited 19 voters to Rally for Jeremy." in done.content.decode()
    assert "Fewer than 10 of them are not invited yet" in done.content.decode()


def test_the_command_invites_and_erasure_forgets_who_was_invited(
    campaigns: Campaigns, capsys: Any
) -> None:
    consenting(campaigns)
    event = rally(campaigns)
    assert main(["events", "invite", "--event", str(event.pk), "--limit", "4"]) == 0
    assert capsys.readouterr().out == "Invited 4 voter(s) to Rally for Jeremy.\n"
    assert main(["events", "invite", "--event", "999"]) == 2
    assert "There is no event 999" in capsys.readouterr().err
    with time_machine.travel(EVENING + dt.timedelta(days=1), tick=False):
        deleted = canvass_erase(contest=campaigns.contest, force=True)
    assert deleted["invitations"] == 4
    assert not Invitation.objects.exists()
