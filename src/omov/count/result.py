"""The outcome of a count: every round, exactly, and who was elected in which order."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from omov.count.validity import ValidityReport


@dataclass(frozen=True, slots=True)
class Round:
    """One round (stage) of a count: the action taken and the votes it left.

    Round 1 counts first preferences. Every later round takes one action – excludes candidates or
    transfers a surplus – and ``votes`` are the totals after it. ``transfers`` are the changes
    from the previous round (negative for the candidate whose ballots moved). ``exhausted`` is the
    running total of votes on ballots with no further usable preference; ``rounding_loss`` is the
    running total lost to the rounding the method prescribes. For every round::

        sum(votes.values()) + exhausted + rounding_loss == valid ballots

    ``elected`` are the candidates elected in this round; ``excluded`` those excluded (whose
    ballots moved) in this round. ``quota`` is the quota (STV) or the winning threshold (IRV).
    """

    number: int
    votes: dict[str, Decimal]
    transfers: dict[str, Decimal]
    exhausted: Decimal
    quota: Decimal | None
    elected: tuple[str, ...]
    excluded: tuple[str, ...]
    reason: str
    tie_break: str | None = None
    rounding_loss: Decimal = Decimal(0)
    keep_values: dict[str, Decimal] | None = None


@dataclass(frozen=True, slots=True)
class CountResult:
    """Everything a count decided and why, round by round, with exact vote values."""

    method: str
    seats: int
    candidates: tuple[str, ...]
    elected: tuple[str, ...]
    validity: ValidityReport
    rounds: tuple[Round, ...]
    seed: str = ""
    title: str | None = None
    source: str = ""
    options: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def tie_breaks(self) -> tuple[tuple[int, str], ...]:
        """Return (round number, explanation) for every tie that had to be broken."""
        return tuple(
            (item.number, item.tie_break) for item in self.rounds if item.tie_break is not None
        )

    def to_table(self) -> str:
        """Return a readable round-by-round table (plain text, fixed-width columns)."""
        from omov.count.report import render_table

        return render_table(self)

    def to_csv(self) -> str:
        """Return the round-by-round table as CSV: one row per candidate, one column per round."""
        from omov.count.report import render_csv

        return render_csv(self)

    @classmethod
    def from_json(cls, data: Any) -> CountResult:
        """Read back :meth:`to_json_dict`'s data (``omov.count/1``): the same result, exactly."""
        from omov.count.report import result_from_json_dict

        return result_from_json_dict(data)

    def to_json_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data (format ``omov.count/1``, exact decimal strings)."""
        from omov.count.report import render_json_dict

        return render_json_dict(self)
