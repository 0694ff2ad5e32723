"""Ballot sets with given totals, for the demo and the tests (the published 2016 declaration).

:func:`rankings_for_totals` turns published figures (votes per candidate per category) into the
rankings that produce them; :func:`shuffled_ballots` lists them one per voter in a random order,
ready to be sealed into a contest's ballot box; :func:`votes_for_roll` pairs them with eligible
voters on a frozen roll for ``omov.ballots.services.ballots_seed_demo``.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from omov.electorate.models import RollEntry

#: Category names of the published 2016 figures, as the roll names them.
PUBLISHED_CATEGORY_NAMES: dict[str, str] = {
    "members": "member",
    "registered_supporters": "registered_supporter",
    "affiliated_supporters": "affiliated_supporter",
}


def rankings_for_totals(
    votes_by_category: Mapping[str, Mapping[str, int]],
    *,
    candidates: Sequence[str],
    full_ranking_every: int = 3,
) -> Counter[tuple[str, tuple[str, ...]]]:
    """Return how many voters of each category cast each ranking, to give the stated votes.

    Each voter ranks their candidate first; every ``full_ranking_every``-th voter also ranks
    the other candidates after (in ballot order), as many real voters do. When every candidate
    named is still standing in the final round (always so with two candidates), each category's
    final-round votes are exactly ``votes_by_category``. Category keys may use the published
    plural names ("members") or the roll's ("member").
    """
    if full_ranking_every < 1:
        raise ValueError("full_ranking_every must be at least 1")
    grouped: Counter[tuple[str, tuple[str, ...]]] = Counter()
    for published, votes in votes_by_category.items():
        category = PUBLISHED_CATEGORY_NAMES.get(published, published)
        for name, number in votes.items():
            if name not in candidates:
                raise ValueError(f"{name!r} is not one of the candidates {list(candidates)}")
            if number < 0:
                raise ValueError(f"{name} cannot have {number} votes")
            rest = tuple(other for other in candidates if other != name)
            full = number // full_ranking_every
            if number - full:
                grouped[(category, (name,))] += number - full
            if full and rest:
                grouped[(category, (name, *rest))] += full
            elif full:
                grouped[(category, (name,))] += full
    return grouped


def shuffled_ballots(
    grouped: Mapping[tuple[str, tuple[str, ...]], int], *, seed: str
) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Yield one (category, ranking) per voter, in an order shuffled from ``seed``."""
    ballots = [key for key, weight in sorted(grouped.items()) for _ in range(weight)]
    random.Random(seed).shuffle(ballots)
    yield from ballots


def votes_for_roll(
    contest: Any,
    votes_by_category: Mapping[str, Mapping[str, int]] | None = None,
    *,
    rankings: Mapping[tuple[str, tuple[str, ...]], int] | None = None,
    spoilt_by_category: Mapping[str, int] | None = None,
    seed: str = "",
) -> list[tuple[int, tuple[str, ...] | None]]:
    """Pair eligible voters on the contest's frozen roll with ballots giving the stated totals.

    Returns (roll entry id, ranking, or None for a spoilt paper) for
    ``omov.ballots.services.ballots_seed_demo``: voters of each category in roll order, the
    ballots shuffled from ``seed`` (default: the contest's slug). Give either the published
    ``votes_by_category`` or exact ``rankings``. Raises ValueError when a category has fewer
    eligible voters than ballots.
    """

    spoilt_by_category = {
        PUBLISHED_CATEGORY_NAMES.get(key, key): number
        for key, number in (spoilt_by_category or {}).items()
    }
    if rankings is None:
        candidates = tuple(
            contest.candidates.filter(status="nominated")
            .order_by("ballot_position", "name")
            .values_list("name", flat=True)
        )
        rankings = rankings_for_totals(votes_by_category or {}, candidates=candidates)
    ballots = list(shuffled_ballots(rankings, seed=seed or contest.slug))
    needed = Counter(category for category, _ in ballots)
    needed.update(spoilt_by_category)
    voters: dict[str, Iterator[int]] = {}
    for category, number in needed.items():
        entries = list(
            RollEntry.objects.filter(contest=contest, category=category, is_eligible=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:number]
        )
        if len(entries) < number:
            raise ValueError(
                f"The roll has {len(entries)} eligible {category} voters but {number} ballots "
                "were asked for."
            )
        voters[category] = iter(entries)
    votes: list[tuple[int, tuple[str, ...] | None]] = [
        (next(voters[category]), ranking) for category, ranking in ballots
    ]
    for category, number in spoilt_by_category.items():
        votes.extend((next(voters[category]), None) for _ in range(number))
    return votes
