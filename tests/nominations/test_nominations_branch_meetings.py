"""Branch supporting nominations: figures checked, one per branch, the window, ties, corrections."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from nominations_helpers import add_members

from factories import BranchFactory, PersonFactory
from omov.core.errors import PermissionRefused, ServiceError
from omov.core.models import AuditEvent
from omov.electorate.models import Category, EligibilityDecision, Person, PersonStatus
from omov.electorate.selectors import branch_eligible_member_count
from omov.electorate.services import decision_override, roll_evaluate
from omov.nominations import selectors
from omov.nominations.models import BranchMeeting, MeetingOutcome
from omov.nominations.services import MeetingFigures, branch_meeting_record, decide_nominee

pytestmark = pytest.mark.django_db


def figures(contest: Any, votes: dict[Any, int], **fields: Any) -> MeetingFigures:
    fields.setdefault("attendance", sum(votes.values()) + fields.get("abstentions", 0))
    return MeetingFigures(
        held_on=contest.branch_nominations_open_at.date(),
        votes={candidate.pk: count for candidate, count in votes.items()},
        **{"abstentions": 0, **fields},
    )


def test_secretary_records_islington_north(
    personas: Any, open_contest: Any, islington: Any, corbyn: Any, smith: Any
) -> None:
    meeting = branch_meeting_record(
        contest=open_contest,
        branch=islington,
        figures=figures(open_contest, {corbyn: 266, smith: 100}, attendance=370, abstentions=4),
        actor=personas["secretary"],
    )
    assert meeting.nominee == corbyn
    assert meeting.outcome == MeetingOutcome.NOMINATED
    assert meeting.recorded_by == personas["secretary"]
    event = AuditEvent.objects.get(action="nominations.branch_meeting_record")
    assert event.actor == personas["secretary"]
    assert event.data["after"]["attendance"] == 370
    standing = {s.candidate.name: s for s in selectors.nominations_summary(open_contest).standings}
    assert standing["Jeremy Corbyn"].branches == 1
    # The gate counts all branches (Islington North and Walthamstow); of those that nominated,
    # Islington North is all.
    assert standing["Jeremy Corbyn"].branch_percent == "50.0%"
    assert standing["Jeremy Corbyn"].nominating_percent == "100.0%"


def test_attendance_below_votes_and_abstentions_is_refused_with_the_fix(
    open_contest: Any, islington: Any, corbyn: Any, smith: Any, evaluated_roll: Any
) -> None:
    with pytest.raises(ServiceError) as caught:
        branch_meeting_record(
            contest=open_contest,
            branch=islington,
            figures=figures(open_contest, {corbyn: 266, smith: 100}, attendance=360, abstentions=4),
        )
    assert "attendance (360) is less than the votes cast (366) plus abstentions (4)" in (
        caught.value.message
    )
    assert "enter an attendance of at least 370" in caught.value.message
    assert not BranchMeeting.objects.exists()


def test_attendance_above_the_eligible_members_is_refused(
    open_contest: Any, islington: Any, corbyn: Any, smith: Any, evaluated_roll: Any
) -> None:
    with pytest.raises(ServiceError, match="more than the 400 eligible member"):
        branch_meeting_record(
            contest=open_contest,
            branch=islington,
            figures=figures(open_contest, {corbyn: 300, smith: 101}),
        )


def test_members_added_after_the_evaluation_count_once_it_is_run_again(
    personas: Any, open_contest: Any, corbyn: Any
) -> None:
    branch = BranchFactory(code="hackney-north", name="Hackney North")
    add_members(branch, 10)
    meeting = figures(open_contest, {corbyn: 6})
    # The personas' roll was evaluated before Hackney North's members were added: they have no
    # decision yet, so none of them counts.
    with pytest.raises(ServiceError, match="more than the 0 eligible member"):
        branch_meeting_record(contest=open_contest, branch=branch, figures=meeting)
    roll_evaluate(contest=open_contest)
    assert branch_meeting_record(contest=open_contest, branch=branch, figures=meeting).nominee


def test_a_roll_never_evaluated_refuses_the_meeting_and_says_who_evaluates_it(
    open_contest: Any, corbyn: Any
) -> None:
    branch = BranchFactory(code="hackney-north", name="Hackney North")
    add_members(branch, 10)
    assert branch_eligible_member_count(open_contest, branch) is None
    with pytest.raises(ServiceError) as caught:
        branch_meeting_record(
            contest=open_contest, branch=branch, figures=figures(open_contest, {corbyn: 6})
        )
    message = caught.value.message
    assert "The meeting of Hackney North was not recorded" in message
    assert "has not been evaluated yet" in message
    assert "The returning officer must evaluate the roll first" in message
    assert "Branch secretaries: ask the returning officer to evaluate it" in message
    assert not BranchMeeting.objects.exists()


def test_only_members_the_roll_rules_eligible_may_be_counted_as_attending(
    open_contest: Any, corbyn: Any
) -> None:
    branch = BranchFactory()
    add_members(branch, 5)
    add_members(branch, 7, joined_on=dt.date(2016, 6, 1))  # after the 12 January freeze
    add_members(branch, 3, status=PersonStatus.SUSPENDED)
    add_members(branch, 2, status=PersonStatus.LAPSED)
    add_members(branch, 1, date_of_birth=dt.date(2010, 1, 1))  # under 18
    add_members(branch, 1, arrears_paid_on=dt.date(2016, 8, 20))  # after the arrears deadline
    # Supporters in the branch's area are not members: a branch meeting is a members' meeting.
    PersonFactory(
        branch=branch,
        category=Category.REGISTERED_SUPPORTER,
        registered_for=open_contest,
        supporter_fee_paid=True,
        is_on_electoral_register=True,
    )
    roll_evaluate(contest=open_contest)
    eligible = EligibilityDecision.objects.filter(person__branch=branch, is_eligible=True)
    assert eligible.count() == 6  # the five members in good standing and the supporter
    assert branch_eligible_member_count(open_contest, branch) == 5
    with pytest.raises(ServiceError, match="more than the 5 eligible"):
        branch_meeting_record(
            contest=open_contest, branch=branch, figures=figures(open_contest, {corbyn: 6})
        )
    meeting = branch_meeting_record(
        contest=open_contest, branch=branch, figures=figures(open_contest, {corbyn: 5})
    )
    assert meeting.attendance == 5


def test_an_appeal_decides_whether_a_member_counts(
    open_contest: Any, returning_officer: Any, corbyn: Any
) -> None:
    branch = BranchFactory()
    add_members(branch, 5)
    late = PersonFactory(branch=branch, joined_on=dt.date(2016, 2, 1))  # after the freeze date
    in_good_standing = Person.objects.filter(branch=branch).exclude(pk=late.pk).first()
    roll_evaluate(contest=open_contest)
    assert branch_eligible_member_count(open_contest, branch) == 5

    # Upheld: the member who joined late was refused in error, so they may attend.
    decision_override(
        contest=open_contest,
        person=late,
        is_eligible=True,
        reason="Appeal upheld: the membership application was received in December.",
        actor=returning_officer,
    )
    # Ruled out: a member in good standing by the rules is not eligible after all.
    decision_override(
        contest=open_contest,
        person=in_good_standing,
        is_eligible=False,
        reason="The NEC's ruling on this member.",
        actor=returning_officer,
    )
    roll_evaluate(contest=open_contest)  # overrides survive re-evaluation
    assert branch_eligible_member_count(open_contest, branch) == 5
    with pytest.raises(ServiceError, match="more than the 5 eligible"):
        branch_meeting_record(
            contest=open_contest, branch=branch, figures=figures(open_contest, {corbyn: 6})
        )

    decision_override(
        contest=open_contest, person=in_good_standing, is_eligible=None, reason="Ruling lifted."
    )
    assert branch_eligible_member_count(open_contest, branch) == 6
    meeting = branch_meeting_record(
        contest=open_contest, branch=branch, figures=figures(open_contest, {corbyn: 6})
    )
    assert meeting.attendance == 6


def test_one_meeting_per_branch_and_the_returning_officer_corrects_with_a_reason(
    personas: Any, open_contest: Any, islington: Any, corbyn: Any, smith: Any
) -> None:
    first = figures(open_contest, {corbyn: 266, smith: 100}, attendance=370, abstentions=4)
    branch_meeting_record(
        contest=open_contest, branch=islington, figures=first, actor=personas["secretary"]
    )
    with pytest.raises(PermissionRefused, match="ask the returning officer to correct it"):
        branch_meeting_record(
            contest=open_contest, branch=islington, figures=first, actor=personas["secretary"]
        )
    officer = personas["returning_officer"]
    with pytest.raises(ServiceError, match="give the reason"):
        branch_meeting_record(contest=open_contest, branch=islington, figures=first, actor=officer)
    corrected = figures(open_contest, {corbyn: 100, smith: 266}, attendance=370, abstentions=4)
    meeting = branch_meeting_record(
        contest=open_contest,
        branch=islington,
        figures=corrected,
        actor=officer,
        correction_reason="The secretary swapped the two columns.",
    )
    assert meeting.nominee == smith
    assert BranchMeeting.objects.count() == 1
    event = AuditEvent.objects.get(action="nominations.branch_meeting_correct")
    assert event.reason == "The secretary swapped the two columns."
    assert event.data["before"]["nominee"] == corbyn.pk
    assert event.data["after"]["nominee"] == smith.pk


def test_a_tie_makes_no_nomination_unless_the_chair_decided(
    open_contest: Any,
    islington: Any,
    walthamstow: Any,
    corbyn: Any,
    smith: Any,
    evaluated_roll: Any,
) -> None:
    tie = branch_meeting_record(
        contest=open_contest,
        branch=islington,
        figures=figures(open_contest, {corbyn: 50, smith: 50}),
    )
    assert tie.outcome == MeetingOutcome.NO_NOMINATION
    assert tie.nominee is None
    decided = branch_meeting_record(
        contest=open_contest,
        branch=walthamstow,
        figures=figures(open_contest, {corbyn: 50, smith: 50}, chair_decided_for=smith),
    )
    assert decided.nominee == smith
    summary = selectors.nominations_summary(open_contest)
    assert (summary.nominating_branches, summary.no_nomination_branches) == (1, 1)


def test_the_chair_decides_only_a_tie(
    open_contest: Any, islington: Any, corbyn: Any, smith: Any, evaluated_roll: Any
) -> None:
    with pytest.raises(ServiceError, match="only when candidates tie"):
        branch_meeting_record(
            contest=open_contest,
            branch=islington,
            figures=figures(open_contest, {corbyn: 51, smith: 50}, chair_decided_for=smith),
        )


def test_a_branch_may_record_no_nomination(
    open_contest: Any, islington: Any, corbyn: Any, smith: Any, evaluated_roll: Any
) -> None:
    meeting = branch_meeting_record(
        contest=open_contest,
        branch=islington,
        figures=figures(open_contest, {corbyn: 0, smith: 0}, attendance=25, is_no_nomination=True),
    )
    assert meeting.outcome == MeetingOutcome.NO_NOMINATION
    with pytest.raises(ServiceError, match="no votes were entered"):
        branch_meeting_record(
            contest=open_contest,
            branch=islington,
            figures=figures(open_contest, {corbyn: 0, smith: 0}, attendance=25),
            correction_reason="retry",
        )


@pytest.mark.parametrize(
    ("votes", "chair", "expected"),
    [
        ({1: 266, 2: 100}, None, (1, [1])),
        ({1: 5, 2: 5}, None, (None, [1, 2])),
        ({1: 5, 2: 5}, 2, (2, [1, 2])),
        ({1: 5, 2: 5, 3: 6}, 2, (3, [3])),
        ({1: 0, 2: 0}, None, (None, [])),
    ],
)
def test_decide_nominee(votes: dict[int, int], chair: int | None, expected: Any) -> None:
    assert decide_nominee(votes, chair) == expected


def test_secretary_records_only_within_the_branch_window(
    personas: Any, open_contest: Any, islington: Any, corbyn: Any, smith: Any
) -> None:
    meeting = figures(open_contest, {corbyn: 266, smith: 100}, attendance=370, abstentions=4)
    secretary = personas["secretary"]
    early = open_contest.branch_nominations_open_at - dt.timedelta(hours=1)
    with (
        time_machine.travel(early),
        pytest.raises(ServiceError, match="Branch nominations open on"),
    ):
        branch_meeting_record(
            contest=open_contest, branch=islington, figures=meeting, actor=secretary
        )
    with time_machine.travel(open_contest.branch_nominations_close_at):
        with pytest.raises(ServiceError, match="Branch nominations closed on"):
            branch_meeting_record(
                contest=open_contest, branch=islington, figures=meeting, actor=secretary
            )
        # The returning officer may still record a meeting that was held in time.
        branch_meeting_record(
            contest=open_contest,
            branch=islington,
            figures=meeting,
            actor=personas["returning_officer"],
        )
    assert BranchMeeting.objects.count() == 1


def test_secretary_cannot_record_another_branch(
    personas: Any, open_contest: Any, walthamstow: Any, corbyn: Any
) -> None:
    with pytest.raises(PermissionRefused, match="only your own branch"):
        branch_meeting_record(
            contest=open_contest,
            branch=walthamstow,
            figures=figures(open_contest, {corbyn: 10}),
            actor=personas["secretary"],
        )
    assert not BranchMeeting.objects.exists()


def test_nothing_is_recorded_before_nominations_open(contest: Any, islington: Any) -> None:
    corbyn = contest.candidates.get(name="Jeremy Corbyn")
    with pytest.raises(ServiceError, match="not open yet"):
        branch_meeting_record(
            contest=contest,
            branch=islington,
            figures=MeetingFigures(
                held_on=dt.date(2016, 7, 20), attendance=10, abstentions=0, votes={corbyn.pk: 10}
            ),
        )
