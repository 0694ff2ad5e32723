"""Reading a contest's eligibility rules writes nothing; the first service that needs them makes
them from the timetable, audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from factories import UserFactory, grant
from omov.core.models import AuditEvent, Role
from omov.electorate.models import ContestRules
from omov.electorate.selectors import rules_of
from omov.electorate.services.common import rules_for

pytestmark = pytest.mark.django_db


def test_the_rules_page_and_rules_of_write_nothing(contest: Any) -> None:
    officer = UserFactory(username="ro")
    grant(officer, Role.RETURNING_OFFICER, contest)
    client = Client()
    client.force_login(officer)
    assert client.get(f"/electorate/{contest.slug}/rules/").status_code == 200
    shown = rules_of(contest)
    assert shown.pk is None and shown.freeze_date == contest.freeze_date
    assert not ContestRules.objects.exists()
    assert not AuditEvent.objects.filter(action="roll.rules_create").exists()


def test_the_first_service_that_needs_the_rules_makes_them_audited_once(contest: Any) -> None:
    made = rules_for(contest)
    assert rules_for(contest).pk == made.pk
    event = AuditEvent.objects.get(action="roll.rules_create")
    assert event.data["freeze_date"] == str(contest.freeze_date)
