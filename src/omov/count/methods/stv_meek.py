"""Meek STV (Hill, Wichmann and Woodall, Algorithm 123, 1987; as used by the ERS and New Zealand).

Every candidate has a keep value: 1 while hopeful, 0 once excluded, and for an elected candidate
the share of each vote reaching them that they keep. A ballot gives each candidate in its order
``keep value × what is left of the ballot``, and passes the rest on; what is left after the last
preference is excess (exhausted). After each distribution:

* quota = (valid votes − excess) ÷ (seats + 1), truncated to 9 decimal places, plus 0.000000001;
* any hopeful with votes at or over the quota is elected at once;
* each elected candidate's keep value becomes ``keep value × quota ÷ votes``, rounded up to
  9 decimal places, and the votes are distributed again;
* the iteration stops when the total surplus of the elected candidates is below the tolerance
  (default 0.00001, Algorithm 123's limit), or stops falling, or a hopeful reaches the quota.

When the surpluses have converged and no one reached the quota, the hopeful with the fewest votes
is excluded (ties: docs/decisions/0002-tie-breaks.md). When the hopefuls left are no more than the
vacancies, they are all elected.

Arithmetic is exact fixed-point: every amount is an integer number of 10**-9 votes. Each amount
a candidate receives from a ballot is rounded up to 9 places and the ballot's remainder is what
is left, so the votes of all candidates plus the excess always equal the valid votes exactly.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import numpy.typing as npt

from omov.count.methods.common import MethodOutcome, RoundRecorder, join_names, to_decimal
from omov.count.profile import Profile
from omov.count.ties import fewest_votes

PLACES = 9
SCALE = 10**PLACES
DEFAULT_TOLERANCE = Decimal("0.00001")

HOPEFUL, ELECTED, EXCLUDED = 0, 1, 2


def count_stv_meek(
    profile: Profile, *, seats: int, seed: str, tolerance: Decimal = DEFAULT_TOLERANCE
) -> MethodOutcome:
    """Count ``seats`` seats by Meek's method; return the elected in order and every round."""
    return _MeekCount(profile, seats=seats, seed=seed, tolerance=tolerance).run()


class _MeekCount:
    """The state of one Meek count (private: a count is one call of ``run``)."""

    def __init__(self, profile: Profile, *, seats: int, seed: str, tolerance: Decimal) -> None:
        self.candidates = profile.candidates
        self.seats = seats
        self.seed = seed
        scaled_tolerance = tolerance.scaleb(PLACES)
        self.tolerance = int(scaled_tolerance.to_integral_value(rounding="ROUND_CEILING"))
        count = len(self.candidates)
        self.count = count
        self.rankings = np.where(profile.rankings < 0, count, profile.rankings)
        total_votes = profile.total
        # int64 holds SCALE × SCALE products; weighted sums need total × SCALE to fit as well.
        self.dtype: npt.DTypeLike = np.int64 if total_votes * SCALE < 2**62 else object
        self.weights = profile.weights.astype(self.dtype)
        self.total = total_votes * SCALE
        self.state = [HOPEFUL] * count
        self.keep = np.full(count + 1, SCALE, dtype=np.int64)
        self.keep[count] = 0
        self.elected: list[int] = []
        self.recorder = RoundRecorder(self.candidates, places=PLACES, total=self.total)
        self.votes: list[int] = [0] * count
        self.excess = 0
        self.quota = 0
        self.settled = True

    def distribute(self) -> None:
        """Share every ballot among its candidates by keep value; set votes, excess, quota."""
        rows = self.rankings.shape[0]
        left = np.full(rows, SCALE, dtype=np.int64)
        received = np.zeros(self.count + 1, dtype=self.dtype)
        for column in range(self.rankings.shape[1]):
            candidates = self.rankings[:, column]
            keep = self.keep[candidates]
            # Ceiling of left × keep ÷ SCALE; both factors are at most SCALE, so no overflow.
            share = -((-left * keep) // SCALE)
            left = left - share
            np.add.at(received, candidates, self.weights * share.astype(self.dtype))
        self.votes = [int(value) for value in received[: self.count]]
        self.excess = self.total - sum(self.votes)
        self.quota = (self.total - self.excess) // (self.seats + 1) + 1

    def total_surplus(self) -> int:
        return sum(
            max(0, self.votes[index] - self.quota)
            for index in range(self.count)
            if self.state[index] == ELECTED
        )

    def update_keep_values(self) -> None:
        for index in range(self.count):
            if self.state[index] == ELECTED and self.votes[index] > 0:
                product = int(self.keep[index]) * self.quota
                self.keep[index] = min(SCALE, -(-product // self.votes[index]))

    def converge(self, *, update_first: bool) -> int:
        """Iterate keep values until surpluses settle or a hopeful reaches the quota.

        Sets ``self.settled`` when the iteration stopped because the total surplus fell below
        the tolerance or stopped falling (then the next step is an exclusion), and returns the
        number of distributions made.
        """
        previous: int | None = None
        iterations = 0
        while True:
            if update_first or iterations:
                self.update_keep_values()
            self.distribute()
            iterations += 1
            if any(
                self.state[index] == HOPEFUL and self.votes[index] >= self.quota
                for index in range(self.count)
            ):
                self.settled = False
                return iterations
            surplus = self.total_surplus()
            if surplus < self.tolerance or (previous is not None and surplus >= previous):
                self.settled = True
                return iterations
            previous = surplus

    def run(self) -> MethodOutcome:
        self.distribute()
        self.settled = True
        reason = "First preferences counted."
        excluded: list[int] = []
        tie_text: str | None = None
        while True:
            newly = self.elect_reached()
            outcome = ""
            if newly:
                names = join_names([self.candidates[index] for index in newly])
                verb = "has reached the quota and is" if len(newly) == 1 else "have reached"
                if len(newly) > 1:
                    verb += " the quota and are"
                outcome = f" {names} {verb} elected."
            hopeful = [index for index in range(self.count) if self.state[index] == HOPEFUL]
            remaining = self.seats - len(self.elected)
            if remaining > 0 and len(hopeful) <= remaining:
                hopeful.sort(key=lambda index: (-self.votes[index], index))
                for index in hopeful:
                    self.state[index] = ELECTED
                    self.elected.append(index)
                newly = newly + hopeful
                left = join_names([self.candidates[index] for index in hopeful])
                outcome += (
                    f" The hopeful candidates left ({left}) are no more than the vacancies and"
                    " are elected."
                )
            self.recorder.record(
                self.votes,
                exhausted=self.excess,
                quota=self.quota,
                elected=newly,
                excluded=excluded,
                reason=reason + outcome,
                tie_break=tie_text,
                keep_values=[int(value) for value in self.keep[: self.count]],
                keep_value_places=PLACES,
            )
            if len(self.elected) >= self.seats:
                return MethodOutcome(tuple(self.elected), tuple(self.recorder.rounds))
            excluded = []
            tie_text = None
            if newly or not self.settled:
                iterations = self.converge(update_first=True)
                reason = (
                    f"Surpluses distributed: keep values recalculated over {iterations} "
                    f"iteration{'s' if iterations != 1 else ''} (total surplus now "
                    f"{to_decimal(self.total_surplus(), PLACES):f})."
                )
                continue
            candidate, tie_text = self.lowest()
            self.state[candidate] = EXCLUDED
            self.keep[candidate] = 0
            excluded = [candidate]
            lowest = to_decimal(self.votes[candidate], PLACES)
            iterations = self.converge(update_first=False)
            reason = (
                f"{self.candidates[candidate]} has the fewest votes ({lowest:f}) and is excluded; "
                f"keep values recalculated over {iterations} iteration"
                f"{'s' if iterations != 1 else ''}."
            )

    def elect_reached(self) -> list[int]:
        reached = [
            index
            for index in range(self.count)
            if self.state[index] == HOPEFUL and self.votes[index] >= self.quota
        ]
        reached.sort(key=lambda index: (-self.votes[index], index))
        for index in reached:
            self.state[index] = ELECTED
            self.elected.append(index)
        return reached

    def lowest(self) -> tuple[int, str | None]:
        """Return the hopeful candidate to exclude and any tie-break text."""
        hopeful = [index for index in range(self.count) if self.state[index] == HOPEFUL]
        return fewest_votes(
            {index: self.votes[index] for index in hopeful},
            history=self.recorder.history,
            names=self.candidates,
            seed=self.seed,
            round_number=len(self.recorder.rounds) + 1,
        )
