"""Instant-runoff voting (the alternative vote): one seat, a majority of continuing votes.

Each round every ballot counts for its highest-ranked continuing candidate. A candidate with more
than half of the continuing votes (votes on ballots not exhausted) is elected. Otherwise the
candidate with the fewest votes is excluded (ties: docs/decisions/0002-tie-breaks.md) and the next
round begins. With ``exclude_hopeless`` the count excludes at once the largest group of lowest
candidates whose combined votes are fewer than the votes of the next candidate up: none of them
can win, because even all their votes together could not lift any of them past that candidate.

With ``continue_until_two`` (RCTab's "continue until two candidates remain", for reporting the
final pairing) the count goes on excluding after a candidate has a majority until only two
candidates continue. It never changes the winner: a candidate with more than half of the
continuing votes is never the one with the fewest while two or more continue, and exclusions
only move votes to continuing candidates or to exhausted. The winner is declared in the last
round (docs/decisions/0009-rctab-style-rules.md).

All arithmetic is on whole votes (int64), vectorised over the distinct rankings.
"""

from __future__ import annotations

import numpy as np

from omov.count.methods.common import MethodOutcome, RoundRecorder, join_names
from omov.count.profile import Profile
from omov.count.ties import fewest_votes


def count_irv(
    profile: Profile,
    *,
    seed: str,
    exclude_hopeless: bool = False,
    continue_until_two: bool = False,
) -> MethodOutcome:
    """Count one seat by instant-runoff voting; return the winner and every round."""
    candidates = profile.candidates
    count = len(candidates)
    rows = profile.rankings.shape[0]
    # Column ``count`` is a sentinel: padding and exhausted ballots point at it.
    # int16 is enough (at most 1,000 candidates: omov.count.limits) and a quarter of the memory.
    rankings = profile.rankings.astype(np.int16)
    rankings[rankings < 0] = count
    if rankings.shape[1] == 0:
        rankings = np.full((rows, 1), count, dtype=np.int16)
    weights = profile.weights
    continuing = np.ones(count + 1, dtype=bool)
    continuing[count] = False
    total = profile.total
    recorder = RoundRecorder(candidates, places=0, total=total)
    excluded_now: list[int] = []
    reason = "First preferences counted."
    tie_text: str | None = None
    majority_round: int | None = None

    # Each ranking's current preference: its column (``pointer``) and candidate (``top``, the
    # sentinel once exhausted). Only rankings whose candidate was just excluded move on, so a
    # round costs what the exclusion moves, not the whole table (795,818 distinct rankings of
    # 13 candidates: bench/bench_irv_1m.py).
    width = rankings.shape[1]
    pointer = np.zeros(rows, dtype=np.intp)
    top = rankings[:, 0].copy()
    while True:
        tally = np.zeros(count + 1, dtype=np.int64)
        np.add.at(tally, top, weights)
        votes = [int(value) for value in tally[:count]]
        exhausted = int(tally[count])
        live = [index for index in range(count) if continuing[index]]
        continuing_votes = total - exhausted
        threshold = continuing_votes // 2 + 1
        leader = max(live, key=lambda index: votes[index])
        winner: int | None = None
        if votes[leader] >= threshold and continue_until_two and len(live) > 2:
            majority_round = majority_round or len(recorder.rounds) + 1
            outcome = (
                f" {candidates[leader]} has {votes[leader]} of {continuing_votes} continuing "
                "votes, more than half; the count continues until two candidates remain."
            )
        elif votes[leader] >= threshold:
            winner = leader
            outcome = (
                f" {candidates[leader]} has {votes[leader]} of {continuing_votes} continuing "
                f"votes, more than half, and is elected."
            )
            if majority_round is not None:
                outcome += f" (They have had more than half since round {majority_round}.)"
        elif len(live) == 1:
            winner = leader
            outcome = f" {candidates[leader]} is the last continuing candidate and is elected."
        else:
            outcome = " No candidate has more than half of the continuing votes."
        recorder.record(
            votes,
            exhausted=exhausted,
            quota=threshold,
            elected=[] if winner is None else [winner],
            excluded=excluded_now,
            reason=reason + outcome,
            tie_break=tie_text,
        )
        if winner is not None:
            return MethodOutcome(elected=(winner,), rounds=tuple(recorder.rounds))
        excluded_now, reason, tie_text = _choose_exclusion(
            live,
            votes,
            recorder,
            seed=seed,
            # Excluding a group at once could skip past the last two; one at a time then.
            exclude_hopeless=exclude_hopeless and majority_round is None,
        )
        just_excluded = np.zeros(count + 1, dtype=bool)
        for index in excluded_now:
            continuing[index] = False
            just_excluded[index] = True
        moving = np.flatnonzero(just_excluded[top])
        while moving.size:
            pointer[moving] += 1
            at_end = pointer[moving] >= width
            following = rankings[moving, np.minimum(pointer[moving], width - 1)]
            following = np.where(at_end, count, following)
            settled = continuing[following] | (following == count)
            top[moving[settled]] = following[settled]
            moving = moving[~settled]


def _choose_exclusion(
    live: list[int],
    votes: list[int],
    recorder: RoundRecorder,
    *,
    seed: str,
    exclude_hopeless: bool,
) -> tuple[list[int], str, str | None]:
    """Return the candidates to exclude next, the reason, and any tie-break text."""
    candidates = recorder.candidates
    ascending = sorted(live, key=lambda index: (votes[index], index))
    if exclude_hopeless:
        group = 0
        running = 0
        for size in range(1, len(ascending)):
            running += votes[ascending[size - 1]]
            if running < votes[ascending[size]]:
                group = size
        if group >= 2:
            chosen = sorted(ascending[:group])
            names = [candidates[index] for index in chosen]
            combined = sum(votes[index] for index in chosen)
            return (
                chosen,
                (
                    f"{join_names(names)} are excluded together: their combined "
                    f"{combined} votes are fewer than the {votes[ascending[group]]} of "
                    f"{candidates[ascending[group]]}, so none of them can win."
                ),
                None,
            )
    chosen_one, tie_text = fewest_votes(
        {index: votes[index] for index in live},
        history=recorder.history[:-1],
        names=candidates,
        seed=seed,
        round_number=len(recorder.rounds) + 1,
    )
    return (
        [chosen_one],
        f"{candidates[chosen_one]} has the fewest votes ({votes[chosen_one]}) and is excluded.",
        tie_text,
    )
