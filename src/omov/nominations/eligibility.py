"""Who may be counted as attending a branch nomination meeting.

A stand-in until ``omov.electorate`` publishes its eligibility decision: once it has a selector
that decides whether a person is eligible in a contest, ``member_may_attend`` and
``branch_eligible_member_count`` should call it instead of repeating the rule here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from omov.electorate.models import Category, Person, PersonStatus

if TYPE_CHECKING:
    from omov.contests.models import Contest
    from omov.electorate.models import Branch


def eligible_members(contest: Contest, branch: Branch) -> QuerySet[Person]:
    """Return the branch's members who may take part: active and joined by the freeze date."""
    members = Person.objects.filter(
        branch=branch, category=Category.MEMBER, status=PersonStatus.ACTIVE
    )
    if contest.freeze_date is not None:
        members = members.filter(Q(joined_on__lte=contest.freeze_date))
    return members


def member_may_attend(person: Person, contest: Contest) -> bool:
    """Return True when ``person`` may be counted at a branch meeting of ``contest``."""
    if person.category != Category.MEMBER or person.status != PersonStatus.ACTIVE:
        return False
    if contest.freeze_date is None:
        return True
    return person.joined_on is not None and person.joined_on <= contest.freeze_date


def branch_eligible_member_count(contest: Contest, branch: Branch) -> int:
    """Return how many members of ``branch`` may be counted as attending its meeting."""
    return eligible_members(contest, branch).count()
