"""Scottish STV: The Scottish Local Government Elections Order 2007 (SSI 2007/42), rules 45–52.

* Quota (rule 46): valid ballots divided by (seats + 1), ignoring decimals, plus one.
* A candidate whose votes equal or exceed the quota is deemed elected (rule 47) and receives no
  further ballots.
* Surplus transfer (rule 48): *all* the ballot papers the elected candidate holds are passed to
  their next available preference, each at the transfer value ``surplus × value / total``
  calculated to five decimal places, any remainder ignored (the weighted inclusive Gregory
  method). The Order has no "last parcel" rule: rule 48(1) sorts "the ballot papers received by
  that candidate", and a deemed-elected candidate receives nothing after election.
* Order of surpluses (rule 49): the largest surplus first; equal surpluses go by the most recent
  preceding stage at which the candidates' votes differed (most votes first), then by lot.
* Exclusion (rule 50): when no surplus remains, the candidate with the fewest votes is excluded
  and all their papers move on at the value they arrived with; ties by the most recent preceding
  stage at which the votes differed (fewest excluded), then by lot (rule 51).
* Last vacancies (rule 52): when the continuing candidates are as many as the vacancies, they are
  all deemed elected and no further transfer is made.

Every value is an integer number of 0.00001 votes (scale 10**5), so the arithmetic is exact and
the five-decimal truncation is integer floor division. All ballot papers with the same ranking
always travel together, so the state is kept per distinct ranking as numpy arrays.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from omov.count.methods.common import MethodOutcome, RoundRecorder, join_names, to_decimal
from omov.count.profile import Profile
from omov.count.ties import break_tie, fewest_votes

PLACES = 5
SCALE = 10**PLACES


def count_stv_scottish(profile: Profile, *, seats: int, seed: str) -> MethodOutcome:
    """Count ``seats`` seats under SSI 2007/42; return the elected in order and every stage."""
    return _ScottishCount(profile, seats=seats, seed=seed).run()


class _ScottishCount:
    """The state of one Scottish STV count (private: a count is one call of ``run``)."""

    def __init__(self, profile: Profile, *, seats: int, seed: str) -> None:
        self.candidates = profile.candidates
        self.seats = seats
        self.seed = seed
        count = len(self.candidates)
        self.exhausted_pile = count
        rows = profile.rankings.shape[0]
        self.rankings = np.where(profile.rankings < 0, count, profile.rankings)
        total_votes = profile.total
        # int64 holds every product below while total × 10**10 fits; beyond that use Python ints.
        dtype: npt.DTypeLike = np.int64 if total_votes * SCALE * SCALE < 2**62 else object
        self.weights = profile.weights.astype(dtype)
        self.values = np.full(rows, SCALE, dtype=dtype)
        self.positions = np.zeros(rows, dtype=np.int64)
        self.holders = self.rankings[:, 0].copy() if rows else np.zeros(0, dtype=np.int64)
        self.continuing = np.ones(count + 1, dtype=bool)
        self.continuing[count] = False
        self.votes = np.zeros(count + 1, dtype=dtype)
        if rows:
            np.add.at(self.votes, self.holders, self.weights * SCALE)
        self.quota = (total_votes // (seats + 1) + 1) * SCALE
        self.rounding_loss = 0
        self.elected: list[int] = []
        self.pending_surpluses: list[int] = []
        self.recorder = RoundRecorder(self.candidates, places=PLACES, total=total_votes * SCALE)

    def run(self) -> MethodOutcome:
        quota_text = self.quota // SCALE
        reason = f"First preferences counted; the quota is {quota_text}."
        excluded: list[int] = []
        tie_text: str | None = None
        while True:
            newly_elected, outcome = self._deem_elected()
            self._record(reason + outcome, newly_elected, excluded, tie_text)
            if len(self.elected) == self.seats:
                return MethodOutcome(tuple(self.elected), tuple(self.recorder.rounds))
            excluded = []
            tie_text = None
            if self.pending_surpluses:
                candidate, tie_text = self._largest_surplus()
                reason = self._transfer_surplus(candidate)
            else:
                candidate, tie_text = self._lowest()
                reason = self._exclude(candidate)
                excluded = [candidate]

    def _deem_elected(self) -> tuple[list[int], str]:
        """Deem elected everyone at or over the quota (rule 47), then apply rule 52."""
        votes = self.votes
        reached = [
            index
            for index in range(len(self.candidates))
            if self.continuing[index] and votes[index] >= self.quota
        ]
        reached.sort(key=lambda index: (-int(votes[index]), index))
        outcome = ""
        for index in reached:
            self.continuing[index] = False
            self.elected.append(index)
            if votes[index] > self.quota:
                self.pending_surpluses.append(index)
        if reached:
            names = join_names([self.candidates[index] for index in reached])
            outcome += f" {names} reached the quota and {'is' if len(reached) == 1 else 'are'}"
            outcome += " deemed elected."
        remaining = self.seats - len(self.elected)
        live = [index for index in range(len(self.candidates)) if self.continuing[index]]
        if remaining > 0 and len(live) == remaining:
            live.sort(key=lambda index: (-int(votes[index]), index))
            for index in live:
                self.continuing[index] = False
                self.elected.append(index)
            names = join_names([self.candidates[index] for index in live])
            outcome += (
                f" The continuing candidates ({names}) are as many as the vacancies left and are"
                " deemed elected (rule 52)."
            )
            reached.extend(live)
        return reached, outcome

    def _record(
        self, reason: str, elected: list[int], excluded: list[int], tie_text: str | None
    ) -> None:
        count = len(self.candidates)
        self.recorder.record(
            [int(value) for value in self.votes[:count]],
            exhausted=int(self.votes[count]),
            rounding_loss=self.rounding_loss,
            quota=self.quota,
            elected=elected,
            excluded=excluded,
            reason=reason,
            tie_break=tie_text,
        )

    def _largest_surplus(self) -> tuple[int, str | None]:
        """Return whose surplus to transfer next (rule 49) and any tie-break text."""
        largest = max(int(self.votes[index]) for index in self.pending_surpluses)
        tied = [index for index in self.pending_surpluses if int(self.votes[index]) == largest]
        chosen = tied[0]
        tie_text = None
        if len(tied) > 1:
            decision = break_tie(
                tied,
                choose="most",
                history=self.recorder.history,
                names=self.candidates,
                seed=self.seed,
                round_number=len(self.recorder.rounds) + 1,
                action="has their surplus transferred first",
            )
            chosen, tie_text = decision.chosen, decision.text
        self.pending_surpluses.remove(chosen)
        return chosen, tie_text

    def _lowest(self) -> tuple[int, str | None]:
        """Return the continuing candidate to exclude (rules 50–51) and any tie-break text."""
        live = [index for index in range(len(self.candidates)) if self.continuing[index]]
        return fewest_votes(
            {index: int(self.votes[index]) for index in live},
            history=self.recorder.history,
            names=self.candidates,
            seed=self.seed,
            round_number=len(self.recorder.rounds) + 1,
        )

    def _transfer_surplus(self, candidate: int) -> str:
        """Transfer all of ``candidate``'s papers at the rule 48 transfer value."""
        total = int(self.votes[candidate])
        surplus = total - self.quota
        rows = np.flatnonzero(self.holders == candidate)
        new_values = (self.values[rows] * surplus) // total
        moved = self._move(rows, new_values)
        self.votes[candidate] -= surplus
        self.rounding_loss += surplus - moved
        name = self.candidates[candidate]
        first_preference_value = surplus * SCALE // total
        return (
            f"Surplus of {name} ({to_decimal(surplus, PLACES):f} of "
            f"{to_decimal(total, PLACES):f} votes) transferred: each paper moves at "
            f"{to_decimal(surplus, PLACES):f} × its value ÷ {to_decimal(total, PLACES):f}, "
            "truncated to five decimal places "
            f"({to_decimal(first_preference_value, PLACES):f} for a first-preference paper)."
        )

    def _exclude(self, candidate: int) -> str:
        """Exclude ``candidate`` and move all their papers on at their current values."""
        self.continuing[candidate] = False
        held = int(self.votes[candidate])
        rows = np.flatnonzero(self.holders == candidate)
        moved = self._move(rows, self.values[rows])
        self.votes[candidate] -= moved
        if int(self.votes[candidate]) != 0:
            raise RuntimeError("An excluded candidate kept votes after every paper moved.")
        return (
            f"{self.candidates[candidate]} has the fewest votes ({to_decimal(held, PLACES):f}) "
            "and is excluded; their papers are transferred at their current values."
        )

    def _move(self, rows: npt.NDArray[np.int64], new_values: npt.NDArray[np.int64]) -> int:
        """Pass ``rows`` to their next continuing preference at ``new_values``; return the sum."""
        if rows.size == 0:
            return 0
        width = self.rankings.shape[1]
        sub = self.rankings[rows]
        later = np.arange(width)[None, :] > self.positions[rows][:, None]
        usable = self.continuing[sub] & later
        has_next = usable.any(axis=1)
        nxt = usable.argmax(axis=1)
        destinations = np.where(has_next, sub[np.arange(rows.size), nxt], self.exhausted_pile)
        self.positions[rows] = np.where(has_next, nxt, width)
        self.holders[rows] = destinations
        self.values[rows] = new_values
        amounts = self.weights[rows] * new_values
        np.add.at(self.votes, destinations, amounts)
        return int(amounts.sum())
