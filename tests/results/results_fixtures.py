"""Builders for results tests: contests whose ballots were really sealed, closed, ready to count."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from factories import CandidateFactory, ContestFactory, UserFactory, grant
from omov.contests.models import CandidateStatus, ContestStatus
from omov.core import clock
from omov.core.models import Role
from omov.demo.ballots import rankings_for_totals, shuffled_ballots, votes_for_roll
from omov.electorate.models import Person, RollEntry


@dataclass
class ClosedContest:
    """A contest whose ballot has been opened, voted in and closed; ``key_text`` opens it."""

    contest: Any
    key_text: str
    private_key: bytes
    candidates: list[Any]


def roll_create(contest: Any, per_category: Mapping[str, int]) -> dict[str, list[int]]:
    """Put ``per_category`` eligible people on the contest's frozen roll; return entry ids."""
    entries: dict[str, list[int]] = {}
    frozen_at = clock.now()
    for category, number in per_category.items():
        prefix = f"{contest.slug}-{category}"
        people = Person.objects.bulk_create(
            Person(
                external_id=f"{prefix}-{index}",
                category=category,
                first_name="Voter",
                last_name=str(index),
            )
            for index in range(number)
        )
        if not people or people[0].pk is None:
            people = list(Person.objects.filter(external_id__startswith=f"{prefix}-"))
        created = RollEntry.objects.bulk_create(
            RollEntry(
                contest=contest,
                person=person,
                category=category,
                is_eligible=True,
                frozen_at=frozen_at,
            )
            for person in people
        )
        if not created or created[0].pk is None:
            created = list(RollEntry.objects.filter(contest=contest, category=category))
        entries[category] = [entry.pk for entry in created]
    return entries


def closed_contest(
    *,
    votes_by_category: Mapping[str, Mapping[str, int]],
    candidates: Sequence[str] = ("Jeremy Corbyn", "Owen Smith"),
    spoilt_by_category: Mapping[str, int] | None = None,
    abstaining_by_category: Mapping[str, int] | None = None,
    rankings: Mapping[tuple[str, tuple[str, ...]], int] | None = None,
    slug: str = "leader-2016",
    method: str = "irv",
    seats: int = 1,
    close: bool = True,
) -> ClosedContest:
    """Build a contest, open its ballot, cast the given votes through the ballot box, close it.

    ``votes_by_category`` gives each category's votes per candidate (first preferences; see
    ``omov.demo.ballots.rankings_for_totals``); ``rankings`` instead gives exact rankings.
    """
    from omov.ballots.services import ballot_close, ballot_open, ballots_seed_demo

    spoilt_by_category = spoilt_by_category or {}
    abstaining_by_category = abstaining_by_category or {}
    contest = ContestFactory(
        slug=slug,
        title="Leadership election 2016",
        status=ContestStatus.ROLL_FROZEN,
        method=method,
        seats=seats,
    )
    made = [
        CandidateFactory(
            contest=contest, name=name, status=CandidateStatus.NOMINATED, ballot_position=i + 1
        )
        for i, name in enumerate(candidates)
    ]
    grouped = (
        dict(rankings)
        if rankings is not None
        else rankings_for_totals(votes_by_category, candidates=candidates)
    )
    ballots = list(shuffled_ballots(grouped, seed=slug))
    needed: dict[str, int] = {}
    for category, _ in ballots:
        needed[category] = needed.get(category, 0) + 1
    for source in (spoilt_by_category, abstaining_by_category):
        for category, number in source.items():
            needed[category] = needed.get(category, 0) + number
    roll_create(contest, needed)
    with transaction.atomic():
        opening = ballot_open(contest=contest, hand_over_key=True, actor_label="test")
    votes = votes_for_roll(
        contest, rankings=grouped, spoilt_by_category=spoilt_by_category, seed=slug
    )
    contest.refresh_from_db()
    ballots_seed_demo(contest=contest, votes=votes)
    if close:
        ballot_close(contest=contest, actor_label="test")
    contest.refresh_from_db()
    return ClosedContest(contest, opening.key_text, opening.private_key, made)


#: A small two-candidate contest in the three categories of 2016.
SMALL_VOTES = {
    "member": {"Jeremy Corbyn": 6, "Owen Smith": 4},
    "registered_supporter": {"Jeremy Corbyn": 3, "Owen Smith": 1},
    "affiliated_supporter": {"Jeremy Corbyn": 2, "Owen Smith": 2},
}


def add_agent(people: dict[str, Any], candidate: Any) -> Any:
    agent = UserFactory(username="agent")
    grant(agent, Role.CANDIDATE_AGENT, contest=candidate.contest, candidate=candidate)
    people["candidate_agent"] = agent
    return agent


def ballot_open_with_votes() -> Any:
    """Return a contest with its ballot open: 3 of 4 members and 1 of 2 supporters voted."""
    return closed_contest(
        votes_by_category={
            "member": {"Jeremy Corbyn": 2, "Owen Smith": 1},
            "registered_supporter": {"Jeremy Corbyn": 1},
        },
        abstaining_by_category={"member": 1, "registered_supporter": 1},
        slug="turnout-open",
        close=False,
    ).contest
