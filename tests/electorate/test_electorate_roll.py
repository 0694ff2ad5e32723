"""Evaluating, previewing rule changes, appeals and freezing the roll, through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from factories import BranchFactory, PersonFactory
from omov.contests.services import contest_blockers, contest_take_step
from omov.core.errors import Blocked, ServiceError
from omov.core.models import AuditEvent
from omov.electorate.models import Category, ContestRules, EligibilityDecision, Person, RollEntry
from omov.electorate.selectors import (
    branch_eligible_member_count,
    eligible_roll_entries,
    roll_staleness,
)
from omov.electorate.services import (
    RuleChange,
    decision_override,
    roll_evaluate,
    rules_change,
    rules_for,
    rules_preview_change,
)

pytestmark = pytest.mark.django_db

ALL = ("member", "registered_supporter", "affiliated_supporter")


def change(**fields: Any) -> RuleChange:
    values: dict[str, Any] = {
        "freeze_date": dt.date(2016, 1, 12),
        "arrears_deadline": dt.date(2016, 8, 8),
        "minimum_age": 18,
        "age_on": None,
        "eligible_categories": ALL,
        "affiliated_supporters_must_register": True,
    }
    values.update(fields)
    return RuleChange(**values)


@pytest.fixture
def roll(open_contest: Any) -> dict[str, Any]:
    """Three branches of members, some of whom joined between January and June 2016."""
    islington, hackney = BranchFactory(name="Islington North"), BranchFactory(name="Hackney South")
    people = {
        "old": PersonFactory(branch=islington, joined_on=dt.date(2010, 1, 1)),
        "january": PersonFactory(branch=islington, joined_on=dt.date(2016, 1, 20)),
        "february": PersonFactory(branch=hackney, joined_on=dt.date(2016, 2, 20)),
        "july": PersonFactory(branch=hackney, joined_on=dt.date(2016, 7, 1)),
        "lapsed": PersonFactory(branch=hackney, status="lapsed"),
    }
    return people


def eligible(contest: Any) -> set[int]:
    return set(
        EligibilityDecision.objects.filter(contest=contest, is_eligible=True).values_list(
            "person_id", flat=True
        )
    )


def test_evaluate_decides_for_everyone_and_is_idempotent(open_contest: Any, roll: Any) -> None:
    summary = roll_evaluate(contest=open_contest)
    assert summary.by_category == {"member": (1, 4)}
    assert (summary.created, summary.changed) == (5, 0)
    assert eligible(open_contest) == {roll["old"].pk}

    again = roll_evaluate(contest=open_contest)
    assert (again.created, again.changed) == (0, 0)
    assert EligibilityDecision.objects.filter(contest=open_contest).count() == 5


def test_preview_shows_gains_and_losses_without_writing(open_contest: Any, roll: Any) -> None:
    roll_evaluate(contest=open_contest)
    audits = AuditEvent.objects.count()

    preview = rules_preview_change(
        contest=open_contest, change=change(freeze_date=dt.date(2016, 6, 1))
    )

    assert (preview.gains, preview.losses) == (2, 0)
    assert preview.by_category == [("Member", 2, 0)]
    assert sorted(preview.by_branch) == [("Hackney South", 1, 0), ("Islington North", 1, 0)]
    assert {p.person_id for p in preview.sample_gains} == {roll["january"].pk, roll["february"].pk}
    assert preview.changed_parameters == [("Freeze date", "2016-01-12", "2016-06-01")]
    assert eligible(open_contest) == {roll["old"].pk}
    assert rules_for(open_contest).freeze_date == dt.date(2016, 1, 12)
    assert AuditEvent.objects.count() == audits

    earlier = rules_preview_change(
        contest=open_contest, change=change(freeze_date=dt.date(2009, 1, 1))
    )
    assert (earlier.gains, earlier.losses) == (0, 1)
    assert [p.person_id for p in earlier.sample_losses] == [roll["old"].pk]


def test_confirmed_change_applies_reevaluates_and_is_audited(
    open_contest: Any, roll: Any, returning_officer: Any
) -> None:
    roll_evaluate(contest=open_contest)
    summary = rules_change(
        contest=open_contest,
        change=change(freeze_date=dt.date(2016, 6, 1)),
        reason="High Court ruling of 8 August 2016.",
        expected_version=1,
        actor=returning_officer,
    )
    assert (summary.gained, summary.lost) == (2, 0)
    assert eligible(open_contest) == {roll["old"].pk, roll["january"].pk, roll["february"].pk}
    rules = ContestRules.objects.get(contest=open_contest)
    assert rules.version == 2 and rules.freeze_date == dt.date(2016, 6, 1)
    open_contest.refresh_from_db()
    assert open_contest.freeze_date == dt.date(2016, 6, 1)
    event = AuditEvent.objects.get(action="roll.rules_change")
    assert event.reason == "High Court ruling of 8 August 2016."
    assert event.actor == returning_officer and "2 gained a vote" in event.summary
    assert roll_staleness(open_contest) == []


def test_change_needs_a_reason_and_the_previewed_version(open_contest: Any, roll: Any) -> None:
    roll_evaluate(contest=open_contest)
    with pytest.raises(ServiceError, match="reason"):
        rules_change(contest=open_contest, change=change(minimum_age=16), reason=" ")
    rules_change(contest=open_contest, change=change(minimum_age=16), reason="Conference")
    with pytest.raises(ServiceError, match="preview the change again"):
        rules_change(
            contest=open_contest,
            change=change(minimum_age=17),
            reason="Stale preview",
            expected_version=1,
        )
    with pytest.raises(ServiceError, match="Nothing would change"):
        rules_change(contest=open_contest, change=change(minimum_age=16), reason="Again")
    with pytest.raises(ServiceError, match="At least one category"):
        change(eligible_categories=())


def test_override_needs_a_reason_survives_reevaluation_and_can_be_undone(
    open_contest: Any, roll: Any, returning_officer: Any
) -> None:
    roll_evaluate(contest=open_contest)
    lapsed = roll["lapsed"]
    with pytest.raises(ServiceError, match="reason"):
        decision_override(contest=open_contest, person=lapsed, is_eligible=True, reason="")

    decision = decision_override(
        contest=open_contest,
        person=lapsed,
        is_eligible=True,
        reason="Appeal upheld: direct debit failed through the bank's error.",
        actor=returning_officer,
    )
    assert decision.is_eligible and not decision.rules_eligible
    rules_change(contest=open_contest, change=change(minimum_age=21), reason="Test")
    decision.refresh_from_db()
    assert decision.is_eligible and decision.override is True

    decision_override(
        contest=open_contest, person=lapsed, is_eligible=None, reason="Appeal withdrawn."
    )
    decision.refresh_from_db()
    assert not decision.is_eligible and decision.override is None
    assert AuditEvent.objects.filter(action="roll.override").count() == 2


def test_freeze_is_blocked_until_evaluated_then_snapshots(
    open_contest: Any, roll: Any, returning_officer: Any
) -> None:
    assert contest_blockers(open_contest, "freeze_roll") == [
        "evaluate the roll first: nobody has a decision yet"
    ]
    with pytest.raises(Blocked):
        contest_take_step(contest=open_contest, step="freeze_roll", actor=returning_officer)

    roll_evaluate(contest=open_contest)
    decision_override(
        contest=open_contest, person=roll["july"], is_eligible=True, reason="Appeal upheld."
    )
    contest_take_step(contest=open_contest, step="freeze_roll", actor=returning_officer)

    open_contest.refresh_from_db()
    assert open_contest.status == "roll_frozen" and open_contest.roll_frozen_at
    assert RollEntry.objects.filter(contest=open_contest).count() == 5
    assert {e.person_id for e in eligible_roll_entries(open_contest)} == {
        roll["old"].pk,
        roll["july"].pk,
    }
    july = RollEntry.objects.get(contest=open_contest, person=roll["july"])
    assert july.reasons == ["joined_by_freeze_date", "override_eligible"]
    assert july.frozen_at == open_contest.roll_frozen_at
    assert AuditEvent.objects.filter(action="roll.freeze").count() == 1


def test_branch_eligible_members_come_from_the_decisions_then_the_frozen_roll(
    open_contest: Any, roll: Any
) -> None:
    islington, hackney = roll["old"].branch, roll["july"].branch
    assert branch_eligible_member_count(open_contest, islington) is None  # nobody decided yet
    PersonFactory(
        branch=hackney,
        category=Category.REGISTERED_SUPPORTER,
        registered_for=open_contest,
        supporter_fee_paid=True,
        is_on_electoral_register=True,
    )
    roll_evaluate(contest=open_contest)
    # Only "old" joined by the freeze date; the eligible supporter is not a member.
    assert EligibilityDecision.objects.filter(is_eligible=True).count() == 2
    assert branch_eligible_member_count(open_contest, islington) == 1
    assert branch_eligible_member_count(open_contest, hackney) == 0
    decision_override(
        contest=open_contest, person=roll["july"], is_eligible=True, reason="Appeal upheld."
    )
    assert branch_eligible_member_count(open_contest, hackney) == 1

    contest_take_step(contest=open_contest, step="freeze_roll")
    open_contest.refresh_from_db()
    # The membership system moves "old" to Hackney South after the freeze: the frozen roll keeps
    # the branch they belonged to when it was frozen.
    Person.objects.filter(pk=roll["old"].pk).update(branch=hackney)
    assert branch_eligible_member_count(open_contest, islington) == 1
    assert branch_eligible_member_count(open_contest, hackney) == 1
    # An appeal decided after the freeze updates the roll entry, and so the count.
    decision_override(
        contest=open_contest, person=roll["lapsed"], is_eligible=True, reason="Appeal upheld."
    )
    assert branch_eligible_member_count(open_contest, hackney) == 2


def test_people_changed_after_evaluation_make_the_decisions_stale(
    open_contest: Any, roll: Any
) -> None:
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)):
        roll_evaluate(contest=open_contest)
    with time_machine.travel(dt.datetime(2026, 1, 2, tzinfo=dt.UTC)):
        PersonFactory()
    # The new person's updated_at (auto_now) is a day after the evaluation.
    assert any("people were imported or changed" in r for r in roll_staleness(open_contest))


def test_after_the_freeze_an_appeal_or_rule_change_updates_the_roll_entry(
    open_contest: Any, roll: Any
) -> None:
    roll_evaluate(contest=open_contest)
    contest_take_step(contest=open_contest, step="freeze_roll")
    decision_override(
        contest=open_contest, person=roll["lapsed"], is_eligible=True, reason="Appeal upheld."
    )
    assert RollEntry.objects.get(contest=open_contest, person=roll["lapsed"]).is_eligible
    rules_change(
        contest=open_contest, change=change(freeze_date=dt.date(2016, 3, 1)), reason="Court"
    )
    entry = RollEntry.objects.get(contest=open_contest, person=roll["february"])
    assert entry.is_eligible and entry.reasons == []
    assert RollEntry.objects.filter(contest=open_contest).count() == 5

    open_contest.status = "ballot_open"
    open_contest.save()
    with pytest.raises(ServiceError, match="ballot has opened"):
        decision_override(
            contest=open_contest, person=roll["july"], is_eligible=True, reason="Too late."
        )
    with pytest.raises(ServiceError, match="ballot has opened"):
        roll_evaluate(contest=open_contest)


def test_the_roll_page_figures_follow_every_audited_change(
    client: Any, returning_officer: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from omov.contests.models import Contest
    from omov.electorate import selectors, services

    contest = Contest.objects.create(slug="cached", title="Cached figures")
    person = PersonFactory(category="member")
    services.roll_evaluate(contest=contest, actor_label="test")
    client.force_login(returning_officer)

    def counted(url: str) -> bool:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return any("GROUP BY" in q["sql"] for q in queries.captured_queries)

    assert counted("/electorate/cached/")  # the first view counts the roll by category
    assert not counted("/electorate/cached/")  # the next one is served from the cache
    decision = EligibilityDecision.objects.get(contest=contest, person=person)
    services.decision_override(
        contest=contest,
        person=person,
        is_eligible=not decision.is_eligible,
        reason="appeal upheld",
        actor=returning_officer,
    )
    assert counted("/electorate/cached/")  # the appeal's audit event made it count again
    summary = dict((label, (yes, no)) for label, yes, no in selectors.roll_summary(contest))
    assert summary["Member"] == ((1, 0) if not decision.is_eligible else (0, 1))
