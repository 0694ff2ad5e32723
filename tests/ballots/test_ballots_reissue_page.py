"""The reissue page: the returning officer reissues by email or gets a one-letter PDF."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from factories import UserFactory, grant
from omov.ballots.models import Credential
from omov.core.models import AuditEvent, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client: Any) -> Any:
    user = UserFactory(username="ro")
    grant(user, Role.RETURNING_OFFICER)
    client.force_login(user)
    return client


def test_reissue_by_letter_returns_a_pdf_and_audits_the_reason(
    officer_client: Any, open_ballot: Any
) -> None:
    person = open_ballot.entries[0].person
    before = Credential.objects.get(roll_entry=open_ballot.entries[0]).generation
    response = officer_client.post(
        f"/vote/office/{open_ballot.contest.slug}/reissue/",
        {
            "external_id": person.external_id,
            "reason": "Letter lost; passport seen",
            "delivery": "letter",
        },
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert Credential.objects.get(roll_entry=open_ballot.entries[0]).generation == before + 1
    assert (
        AuditEvent.objects.get(action="credentials.reissue").reason == "Letter lost; passport seen"
    )


def test_reissue_by_email_and_unknown_member(
    officer_client: Any, open_ballot: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    url = f"/vote/office/{open_ballot.contest.slug}/reissue/"
    page = officer_client.post(url, {"external_id": "NOPE", "reason": "x", "delivery": "email"})
    assert "Nobody with this membership number" in page.content.decode()
    person = open_ballot.entries[1].person
    response = officer_client.post(
        url, {"external_id": person.external_id, "reason": "Never arrived", "delivery": "email"}
    )
    assert response.status_code == 302
    assert mail.outbox[-1].to == [person.email]
