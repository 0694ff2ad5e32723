"""Helpers of the campaigns' tests: an open contest, its roll released to two campaigns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from factories import BranchFactory, PersonFactory, UserFactory, grant
from omov.campaigns import services
from omov.campaigns.models import CallList, Campaign
from omov.contests.models import CandidateStatus, Contest, ContestStatus
from omov.core.models import Role
from omov.electorate.models import RollEntry

#: A Tuesday evening in the ballot window, inside calling hours (UK time).
EVENING = dt.datetime(2016, 8, 23, 18, 30, tzinfo=dt.UTC)

QUESTIONS = [
    {"key": "support", "text": "How likely are you to back us, 1 to 5?", "choices": list("12345")},
    {"key": "will_vote", "text": "Will you vote?", "choices": ["yes", "no", "not sure"]},
    {
        "key": "volunteer",
        "text": "Would you volunteer?",
        "choices": ["yes", "no"],
        "when": {"key": "support", "in": ["4", "5"]},
    },
]


@dataclass
class Campaigns:
    contest: Contest
    corbyn: Campaign
    smith: Campaign
    corbyn_list: CallList
    smith_list: CallList
    people: dict[str, Any]
    entries: list[RollEntry]


def open_contest_with_roll(contest: Contest, voters: int, *, phone_consent: int | None = None):
    """Put ``voters`` eligible people on the contest's frozen roll; return their entries."""
    nottingham = BranchFactory(code="NOTTS-E", name="Nottingham East", region="East Midlands")
    consenting = voters if phone_consent is None else phone_consent
    entries = []
    for number in range(voters):
        person = PersonFactory(
            branch=nottingham,
            phone=f"0115 496 {number:04d}",
            consent_phone=number < consenting,
        )
        entries.append(
            RollEntry.objects.create(
                contest=contest,
                person=person,
                category=person.category,
                branch=nottingham,
                is_eligible=True,
                frozen_at=EVENING - dt.timedelta(days=30),
            )
        )
    contest.status = ContestStatus.BALLOT_OPEN
    contest.save()
    return entries


def build_campaigns(contest: Contest, voters: int = 30) -> Campaigns:
    contest.candidates.update(status=CandidateStatus.NOMINATED)
    entries = open_contest_with_roll(contest, voters)
    corbyn_candidate = contest.candidates.get(name="Jeremy Corbyn")
    smith_candidate = contest.candidates.get(name="Owen Smith")
    corbyn = services.campaign_create(candidate=corbyn_candidate)
    smith = services.campaign_create(candidate=smith_candidate)
    services.roll_release(contest=contest)
    people: dict[str, Any] = {}
    for side, candidate in (("corbyn", corbyn_candidate), ("smith", smith_candidate)):
        for role, name in (
            (Role.CAMPAIGN_MANAGER, "manager"),
            (Role.CAMPAIGN_ORGANISER, "organiser"),
            (Role.CAMPAIGN_CALLER, "caller"),
            (Role.CAMPAIGN_CALLER, "caller2"),
        ):
            user = UserFactory(username=f"{side}-{name}")
            grant(user, role, contest, candidate=candidate)
            people[f"{side}_{name}"] = user
    lists = {}
    for key, campaign in (("corbyn", corbyn), ("smith", smith)):
        script = services.script_create(campaign=campaign, name="Evening", questions=QUESTIONS)
        lists[key] = services.call_list_create(
            campaign=campaign, name="Nottingham East", script=script
        )
    return Campaigns(contest, corbyn, smith, lists["corbyn"], lists["smith"], people, entries)


def event_details(
    title: str = "Rally for Jeremy", venue: str = "Nottingham Albert Hall", **kw: Any
):
    """Event details two days after EVENING, two hours long, 3 places unless told."""
    from omov.campaigns.events import EventDetails

    values: dict[str, Any] = {
        "kind": "rally",
        "title": title,
        "venue": venue,
        "starts_at": EVENING + dt.timedelta(days=2),
        "ends_at": EVENING + dt.timedelta(days=2, hours=2),
        "capacity": 3,
    }
    values.update(kw)
    return EventDetails(**values)
