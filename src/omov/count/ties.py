"""Break ties: first by the votes at earlier rounds, then by a lot drawn from the recorded seed.

Every tie the count meets goes through :func:`break_tie`, so each method follows the same
documented order (docs/decisions/0002-tie-breaks.md); the methods choose whom to exclude through
:func:`fewest_votes`, which calls it when the fewest votes are tied:

1. **Earlier rounds.** Look back from the most recent preceding round to the first; at the first
   round where the tied candidates had unequal votes, keep only those with the fewest votes (when
   choosing whom to exclude) or the most votes (when choosing whom to elect or whose surplus goes
   first). If several still tie, keep looking further back among them. This is the rule of the
   Scottish Local Government Elections Order 2007, rules 49(2) and 51(2).
2. **Lot.** If they were equal at every earlier round, each tied candidate gets the SHA-256
   digest of ``seed|round|tied names sorted and joined with '|'|candidate name`` (UTF-8, lowercase
   hex); the candidate with the smallest digest is drawn. Anyone can repeat the draw with
   ``sha256sum``.

The lot depends only on the seed, the round number and the names, so the same seed always gives
the same result, whatever order the ballots or candidates were listed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Choose = Literal["fewest", "most"]


@dataclass(frozen=True, slots=True)
class TieBreak:
    """Which candidate a tie-break chose, by which rule, and a sentence saying so."""

    chosen: int
    rule: Literal["earlier-rounds", "lot"]
    text: str


def lot_digest(seed: str, round_number: int, tied_names: Sequence[str], name: str) -> str:
    """Return the lowercase hex SHA-256 digest that ranks ``name`` in a lot among ``tied_names``."""
    message = "|".join([seed, str(round_number), *sorted(tied_names), name])
    return hashlib.sha256(message.encode("utf-8")).hexdigest()


def lot_order(seed: str, round_number: int, tied_names: Sequence[str]) -> list[str]:
    """Return the tied names in the order the lot draws them (smallest digest first)."""
    return sorted(
        tied_names, key=lambda name: (lot_digest(seed, round_number, tied_names, name), name)
    )


def break_tie(
    tied: Sequence[int],
    *,
    choose: Choose,
    history: Sequence[Sequence[int]],
    names: Sequence[str],
    seed: str,
    round_number: int,
    action: str,
) -> TieBreak:
    """Choose one candidate among ``tied`` (candidate indices) to suffer or enjoy ``action``.

    ``history`` holds each earlier round's votes per candidate, oldest first, as comparable
    exact numbers (scaled integers). ``choose`` says whether the candidate with the fewest votes
    at an earlier round is chosen (exclusion) or the one with the most (election, surplus order).
    ``action`` completes the sentence, e.g. ``"is excluded"``.
    """
    if len(tied) < 2:
        raise ValueError("break_tie needs at least two tied candidates")
    remaining = sorted(tied)
    tied_text = _join([names[index] for index in remaining])
    for position in range(len(history) - 1, -1, -1):
        votes = history[position]
        values = {votes[index] for index in remaining}
        if len(values) == 1:
            continue
        target = min(values) if choose == "fewest" else max(values)
        remaining = [index for index in remaining if votes[index] == target]
        if len(remaining) == 1:
            chosen = remaining[0]
            more_or_less = "fewer" if choose == "fewest" else "more"
            return TieBreak(
                chosen=chosen,
                rule="earlier-rounds",
                text=(
                    f"{tied_text} were tied; {names[chosen]} had {more_or_less} votes at the end "
                    f"of round {position + 1}, the most recent earlier round at which they "
                    f"differed, so {names[chosen]} {action}."
                ),
            )
    remaining_names = [names[index] for index in remaining]
    drawn = lot_order(seed, round_number, remaining_names)[0]
    chosen = remaining[remaining_names.index(drawn)]
    earlier = "at every earlier round" if history else "and there was no earlier round"
    return TieBreak(
        chosen=chosen,
        rule="lot",
        text=(
            f"{_join(remaining_names)} were tied {earlier}; a lot drawn from seed {seed!r} "
            f"(SHA-256 of 'seed|{round_number}|{'|'.join(sorted(remaining_names))}|name', "
            f"smallest digest drawn) chose {drawn}, who {action}."
        ),
    )


def fewest_votes(
    votes: Mapping[int, int],
    *,
    history: Sequence[Sequence[int]],
    names: Sequence[str],
    seed: str,
    round_number: int,
) -> tuple[int, str | None]:
    """Return the candidate to exclude, the one with the fewest ``votes``, and any tie-break text.

    ``votes`` maps each candidate still in the count (its index) to its votes, as exact
    comparable numbers. When several have the fewest, :func:`break_tie` chooses among them over
    ``history`` (which earlier rounds to look back on is the method's to say) and the text says
    how; otherwise the text is None.
    """
    fewest = min(votes.values())
    tied = [index for index, count in votes.items() if count == fewest]
    if len(tied) == 1:
        return tied[0], None
    decision = break_tie(
        tied,
        choose="fewest",
        history=history,
        names=names,
        seed=seed,
        round_number=round_number,
        action="is excluded",
    )
    return decision.chosen, decision.text


def _join(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
