"""The ballots' pages on the home page and the contest page (``contests.dashboard``)."""

from __future__ import annotations

from typing import Any

from omov.ballots import policies
from omov.contests.dashboard import PlacedOffer, url_of
from omov.contests.models import Contest, ContestStatus
from omov.core.models import Role, RoleAssignment
from omov.core.policies import Decision


def links(user: Any, contest: Contest, assignment: RoleAssignment) -> list[PlacedOffer]:
    """The ballot office for the office; the postal batches and keying for paper staff."""
    slug = contest.slug
    role = assignment.role
    if role in (Role.RETURNING_OFFICER, Role.SCRUTINEER):
        label = "Ballot office: delivery, opening the ballot, reissuing credentials"
        return [
            (
                210,
                (
                    label,
                    url_of("ballots:office", slug),
                    lambda: policies.can_view_office(user, contest),
                ),
            )
        ]
    if role not in (Role.PAPER_OPERATOR, Role.PAPER_SUPERVISOR):
        return []
    offers: list[PlacedOffer] = [
        (
            100,
            (
                "Postal batches: check declarations, open and number the ballot papers",
                url_of("ballots:postal_batches", slug),
                lambda: policies.can_handle_postal_batch(user, contest),
            ),
        ),
        (
            130,
            (
                "Reject a paper that cannot be accepted",
                url_of("ballots:paper_reject", slug),
                lambda: policies.can_reject_paper(user, contest),
            ),
        ),
    ]
    if role == Role.PAPER_OPERATOR:
        offers.append(
            (
                110,
                (
                    "Key returned paper ballots",
                    url_of("ballots:paper_key", slug),
                    lambda: policies.can_key_paper(user, contest),
                ),
            )
        )
    if role == Role.PAPER_SUPERVISOR:
        offers.append(
            (
                120,
                (
                    "Resolve papers whose two keyings differ",
                    url_of("ballots:paper_mismatches", slug),
                    lambda: policies.can_resolve_paper(user, contest),
                ),
            )
        )
    return offers


def public_links(user: Any, contest: Contest) -> list[PlacedOffer]:
    """The booth, while the ballot is open."""
    return [
        (
            20,
            (
                "Vote",
                url_of("ballots:start"),
                lambda: Decision(contest.status == ContestStatus.BALLOT_OPEN),
            ),
        )
    ]
