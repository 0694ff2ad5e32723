"""The options a ciphertext can hold: every ranking of the candidates on the ballot (decision 0004).

With few candidates a ballot is one ciphertext whose option is a whole ranking (most preferred
first; the empty ranking last, a ballot that ranks nobody). Beyond ``RANKINGS_BOUND`` possible
rankings a ballot is one ciphertext per rank (``width`` = the number of candidates) and each
option is one candidate, or nobody at that rank.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

#: The most whole rankings one ciphertext may choose between (decision 0004's default).
RANKINGS_BOUND = 100_000


def rankings_count(candidates: int) -> int:
    """How many rankings of 1…c of ``candidates`` there are, plus the empty one."""
    return 1 + sum(math.perm(candidates, length) for length in range(1, candidates + 1))


def ballot_options(names: Sequence[str]) -> tuple[list[list[str]], int]:
    """The record's ``options`` and ``width`` for a ballot of ``names``, in ballot order."""
    if rankings_count(len(names)) <= RANKINGS_BOUND:
        options = [
            list(ranking)
            for length in range(1, len(names) + 1)
            for ranking in itertools.permutations(names, length)
        ]
        return [*options, []], 1
    return [[name] for name in names] + [[]], len(names)
