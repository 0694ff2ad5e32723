"""Plurality (first past the post): the candidates with the most first preferences win.

With several seats the top ``seats`` candidates win. A tie across the last seat is broken by lot
(there is no earlier round to look back to); see docs/decisions/0002-tie-breaks.md.
"""

from __future__ import annotations

import numpy as np

from omov.count.methods.common import MethodOutcome, RoundRecorder, join_names
from omov.count.profile import Profile
from omov.count.ties import break_tie


def count_plurality(profile: Profile, *, seats: int, seed: str) -> MethodOutcome:
    """Elect the ``seats`` candidates with the most first preferences, in one round."""
    candidates = profile.candidates
    tally = np.zeros(len(candidates), dtype=np.int64)
    if profile.rankings.shape[0]:
        np.add.at(tally, profile.rankings[:, 0], profile.weights)
    votes = [int(value) for value in tally]
    order = sorted(range(len(candidates)), key=lambda index: (-votes[index], index))
    cutoff = votes[order[seats - 1]]
    sure = [index for index in order if votes[index] > cutoff]
    tied = [index for index in order if votes[index] == cutoff]
    elected = list(sure)
    tie_texts: list[str] = []
    if len(sure) + len(tied) > seats:
        remaining = list(tied)
        while len(elected) < seats:
            decision = break_tie(
                remaining,
                choose="most",
                history=[],
                names=candidates,
                seed=seed,
                round_number=1,
                action="is elected",
            )
            tie_texts.append(decision.text)
            elected.append(decision.chosen)
            remaining.remove(decision.chosen)
    else:
        elected.extend(tied)
    names = [candidates[index] for index in elected]
    recorder = RoundRecorder(candidates, places=0, total=profile.total)
    recorder.record(
        votes,
        exhausted=0,
        quota=None,
        elected=elected,
        reason=(
            f"First preferences counted; {join_names(names)} "
            f"{'has' if len(names) == 1 else 'have'} the most votes and "
            f"{'is' if len(names) == 1 else 'are'} elected."
        ),
        tie_break=" ".join(tie_texts) or None,
    )
    return MethodOutcome(elected=tuple(elected), rounds=tuple(recorder.rounds))
