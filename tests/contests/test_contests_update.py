"""`contest_update`: the one way a contest is edited, with the lifecycle's locks and the other
apps' checks (registered from their AppConfig.ready()), audited; and `omov contest set`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from factories import UserFactory, grant
from omov.cli.main import main
from omov.contests.models import Contest, ContestStatus
from omov.contests.services import contest_update
from omov.core.errors import PermissionRefused, ServiceError
from omov.core.models import AuditEvent, Role
from omov.electorate.services.common import rules_for

pytestmark = pytest.mark.django_db


def test_a_change_is_saved_and_audited_with_old_and_new_values(contest: Contest) -> None:
    officer = UserFactory(username="ro")
    grant(officer, Role.RETURNING_OFFICER, contest)
    contest_update(
        contest=contest, changes={"title": "Leader 2016", "seats": 1}, actor=officer, reason="typo"
    )
    contest.refresh_from_db()
    assert contest.title == "Leader 2016"
    event = AuditEvent.objects.get(action="contest.update")
    assert event.data == {"title": [event.data["title"][0], "Leader 2016"]}  # seats unchanged
    assert event.reason == "typo" and event.actor == officer


def test_a_field_a_step_fixed_is_refused_with_its_reason(contest: Contest) -> None:
    contest.status = ContestStatus.NOMINATIONS
    contest.save()
    with pytest.raises(ServiceError) as refused:
        contest_update(contest=contest, changes={"method": "stv-meek", "title": "New"})
    assert "Nothing was changed. method: Fixed since nominations opened" in refused.value.message
    contest.refresh_from_db()
    assert contest.title != "New"
    assert not AuditEvent.objects.filter(action="contest.update").exists()


def test_unknown_fields_bad_values_and_other_roles_are_refused(contest: Contest) -> None:
    with pytest.raises(ServiceError, match=r"Unknown contest field.*status"):
        contest_update(contest=contest, changes={"status": "declared"})
    with pytest.raises(ServiceError, match="seats"):
        contest_update(contest=contest, changes={"seats": 0})
    scrutineer = UserFactory(username="scrutineer")
    grant(scrutineer, Role.SCRUTINEER, contest)
    with pytest.raises(PermissionRefused):
        contest_update(contest=contest, changes={"title": "x"}, actor=scrutineer)


def test_the_electorates_lock_and_check_apply_through_the_service(contest: Contest) -> None:
    # Once the rules hold their own freeze date, the contest's may not change it.
    rules_for(contest)  # the rules copy the contest's dates the first time they are made
    with pytest.raises(ServiceError, match=r"freeze_date: .*rule-change preview"):
        contest_update(contest=contest, changes={"freeze_date": dt.date(2016, 2, 1)})


def test_omov_contest_set_changes_a_field_or_says_why_not(contest: Contest, capsys: Any) -> None:
    closes = "2016-09-22T12:00:00+01:00"
    code = main(["contest", "set", "--contest", contest.slug, f"ballot_closes_at={closes}"])
    assert code == 0, capsys.readouterr().err
    contest.refresh_from_db()
    assert contest.ballot_closes_at == dt.datetime(2016, 9, 22, 11, tzinfo=dt.UTC)
    assert main(["contest", "set", "--contest", contest.slug, "seats=two"]) == 2
    assert "seats:" in capsys.readouterr().err
    assert main(["contest", "set", "--contest", contest.slug, "colour=red"]) == 2
    assert "FIELD=VALUE with one of title" in capsys.readouterr().err
    assert main(["contest", "set", "--contest", "nope", "title=x"]) == 2
