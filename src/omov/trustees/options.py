"""The options a ciphertext can hold: every ranking of the candidates on the ballot (decision 0004).

With few candidates a ballot is one ciphertext whose option is a whole ranking (most preferred
first; the empty ranking last, a ballot that ranks nobody). Beyond ``RANKINGS_BOUND`` possible
options a ballot is one ciphertext per rank (``width`` = the number of candidates) and each
option is one candidate, or nobody at that rank.

A contest that reports its result by voter category (member, registered supporter, affiliated
supporter) writes each option of a one-ciphertext ballot as ``{"category": C, "ranking": [...]}``:
the category is inside the encrypted choice, so the mixes hide it with the ranking and the
decrypted ballots still add up to a published breakdown. Without categories an option is the
plain ranking, as the record format's first example shows.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

#: The most options one ciphertext may choose between (decision 0004's default).
RANKINGS_BOUND = 100_000


def rankings_count(candidates: int) -> int:
    """How many rankings of 1…c of ``candidates`` there are, plus the empty one."""
    return 1 + sum(math.perm(candidates, length) for length in range(1, candidates + 1))


def ballot_options(names: Sequence[str], categories: Sequence[str] = ()) -> tuple[list[Any], int]:
    """The record's ``options`` and ``width`` for a ballot of ``names``, in ballot order.

    With ``categories``, each one-ciphertext option is a category and a ranking, categories in
    the order given, and within each the rankings as without categories.
    """
    rankings = rankings_count(len(names)) * max(1, len(categories))
    if rankings <= RANKINGS_BOUND:
        plain: list[list[str]] = [
            list(ranking)
            for length in range(1, len(names) + 1)
            for ranking in itertools.permutations(names, length)
        ]
        plain.append([])
        if not categories:
            return plain, 1
        return [{"category": c, "ranking": r} for c in categories for r in plain], 1
    return [[name] for name in names] + [[]], len(names)


def option_parts(option: Any) -> tuple[str | None, list[str]]:
    """Split one option of the record into its category (None without one) and its ranking."""
    if isinstance(option, dict):
        return str(option["category"]), [str(name) for name in option["ranking"]]
    return None, [str(name) for name in option]


def option_lookup(options: Sequence[Any]) -> dict[tuple[str | None, tuple[str, ...]], int]:
    """Map (category or None, ranking as a tuple of names) to the option's index, for encrypting.

    Look a ballot up with its category when the options carry categories, else with None.
    """
    lookup: dict[tuple[str | None, tuple[str, ...]], int] = {}
    for index, option in enumerate(options):
        category, ranking = option_parts(option)
        lookup[(category, tuple(ranking))] = index
    return lookup
