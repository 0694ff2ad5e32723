"""Helpers for the secret ballot tests: an opened contest with a frozen roll and known secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from factories import CandidateFactory, ContestFactory, PersonFactory
from omov.ballots import crypto
from omov.ballots.models import Credential
from omov.contests.models import CandidateStatus, ContestStatus
from omov.core import clock
from omov.electorate.models import Category, RollEntry

#: When the test contests' ballot closes: 11:00 UTC, which is 12:00 (BST) in London.
CLOSES_AT = datetime(2016, 9, 21, 11, 0, tzinfo=UTC)


@dataclass
class OpenBallot:
    contest: Any
    private_key: bytes
    key_text: str
    candidates: list[Any]
    entries: list[Any]

    def credential_for(self, entry: Any) -> crypto.IssuedCredential:
        """Issue a known secret to one voter (as an email batch would) and return it."""
        return issue_known_credential(Credential.objects.get(roll_entry=entry))


def issue_known_credential(credential: Credential) -> crypto.IssuedCredential:
    issued = crypto.credential_generate()
    credential.reference_hash = crypto.reference_hash(issued.reference)
    credential.code_hash = crypto.code_hash(issued.reference, issued.code)
    credential.issued_at = clock.now()
    credential.generation += 1
    credential.save()
    return issued


def make_roll(contest: Any, voters: int, *, category: str = Category.MEMBER, **person: Any) -> list:
    entries = []
    for _ in range(voters):
        p = PersonFactory(category=category, **person)
        entries.append(
            RollEntry.objects.create(
                contest=contest,
                person=p,
                category=category,
                branch=p.branch,
                is_eligible=True,
                frozen_at=clock.now(),
            )
        )
    return entries


def open_contest(
    voters: int = 5,
    candidates: tuple[str, ...] = ("Jeremy Corbyn", "Owen Smith"),
    slug: str = "leader-2016",
    **person: Any,
) -> OpenBallot:
    from omov.ballots.services import ballot_open

    contest = ContestFactory(
        slug=slug,
        title="Leadership election 2016",
        status=ContestStatus.ROLL_FROZEN,
        ballot_closes_at=CLOSES_AT,
    )
    made = [
        CandidateFactory(
            contest=contest,
            name=name,
            status=CandidateStatus.NOMINATED,
            ballot_position=i + 1,
            statement=f"{name} stands for the party.",
        )
        for i, name in enumerate(candidates)
    ]
    entries = make_roll(contest, voters, **person)
    with transaction.atomic():
        opening = ballot_open(contest=contest, hand_over_key=True, actor_label="test")
    contest.refresh_from_db()
    return OpenBallot(contest, opening.private_key, opening.key_text, made, entries)
