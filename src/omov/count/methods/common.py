"""Shared bookkeeping for the methods: exact round records and the conservation check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from omov.count.result import Round


def to_decimal(scaled: int, places: int) -> Decimal:
    """Return ``scaled / 10**places`` as an exact :class:`Decimal` with ``places`` decimals."""
    value = Decimal(int(scaled))
    return value.scaleb(-places) if places else value


@dataclass(frozen=True, slots=True)
class MethodOutcome:
    """What a method decided: the elected candidate indices in order, and its rounds."""

    elected: tuple[int, ...]
    rounds: tuple[Round, ...]


class RoundRecorder:
    """Turn each round's scaled-integer state into a :class:`Round`, checking conservation.

    ``places`` is the number of decimal places of the method's fixed-point arithmetic (0 for
    whole votes). ``total`` is the valid ballots in the same scaled units. Every recorded round
    must satisfy ``sum(votes) + exhausted + rounding_loss == total`` exactly; a round that does
    not is a bug in the method, so recording it raises ``RuntimeError`` instead of publishing it.
    """

    def __init__(self, candidates: Sequence[str], places: int, total: int) -> None:
        self.candidates = tuple(candidates)
        self.places = places
        self.total = total
        self.history: list[list[int]] = []
        self.rounds: list[Round] = []
        self._previous_exhausted = 0

    def record(
        self,
        votes: Sequence[int],
        *,
        exhausted: int,
        rounding_loss: int = 0,
        quota: int | None,
        elected: Sequence[int] = (),
        excluded: Sequence[int] = (),
        reason: str,
        tie_break: str | None = None,
        keep_values: Sequence[int] | None = None,
        keep_value_places: int = 0,
    ) -> Round:
        """Append one round and return it."""
        votes = [int(value) for value in votes]
        if sum(votes) + exhausted + rounding_loss != self.total:
            raise RuntimeError(
                f"Round {len(self.rounds) + 1} does not conserve votes: "
                f"{sum(votes)} + {exhausted} + {rounding_loss} != {self.total} (scaled)."
            )
        previous = self.history[-1] if self.history else None
        transfers: dict[str, Decimal] = {}
        if previous is not None:
            for name, now, before in zip(self.candidates, votes, previous, strict=True):
                if now != before:
                    transfers[name] = to_decimal(now - before, self.places)
        places = self.places
        result = Round(
            number=len(self.rounds) + 1,
            votes={
                name: to_decimal(value, places)
                for name, value in zip(self.candidates, votes, strict=True)
            },
            transfers=transfers,
            exhausted=to_decimal(exhausted, places),
            quota=None if quota is None else to_decimal(quota, places),
            elected=tuple(self.candidates[index] for index in elected),
            excluded=tuple(self.candidates[index] for index in excluded),
            reason=reason,
            tie_break=tie_break,
            rounding_loss=to_decimal(rounding_loss, places),
            keep_values=None
            if keep_values is None
            else {
                name: to_decimal(value, keep_value_places)
                for name, value in zip(self.candidates, keep_values, strict=True)
            },
        )
        self.history.append(votes)
        self.rounds.append(result)
        return result


def join_names(names: Sequence[str]) -> str:
    """Return names joined for a sentence: ``A``, ``A and B``, ``A, B and C``."""
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
