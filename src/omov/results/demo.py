"""Ballot sets with given totals, for the demo and the tests (the published 2016 declaration).

:func:`rankings_for_totals` turns published figures (votes per candidate per category) into the
rankings that produce them; :func:`shuffled_ballots` lists them one per voter in a random order,
ready to be sealed into a contest's ballot box. Nothing here touches the database.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence

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
