"""A campaign's live forecast from its own canvass answers (decision 0018). Pure: numpy only.

The model, in short (the decision record says why):

* **Strata** are the roll's (category, branch) cells; each weighs its share of the frozen roll's
  eligible voters (post-stratification: the canvass reaches some branches and categories far
  more than others, the forecast must not).
* **First preferences.** In each category, the share for each candidate has a uniform Dirichlet
  prior, updated by the category's answers. In each stratum, the shares are drawn from a
  Dirichlet centred on a draw of the category's shares with strength ``POOLING`` (as if it were
  that many answers), updated by the stratum's own answers: a branch with many answers follows
  them, a branch with none follows its category (partial pooling).
* **Undecided** answers, and voters who would not say, are left out: they are assumed to split
  as the decided voters of their stratum do.
* **Draws.** ``DRAWS`` joint draws of every stratum give the whole roll's and each category's
  shares; the forecast is their mean with a 90% credible interval (5th to 95th percentile).
* **Winning.** With two candidates, a candidate wins a draw when their share is over half.
  With more (AV), each draw is counted as an instant run-off on shares: the lowest is excluded
  and their share moves by the next preferences canvassed from that candidate's supporters
  (a Dirichlet over the other candidates and "no further preference", uniform prior) or, with no
  such answers, in proportion to the continuing candidates' shares. A candidate's chance of
  winning is the share of draws they win.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: How many joint draws of every stratum make the forecast.
DRAWS = 2000
#: The prior strength pulling a stratum towards its category, in answers.
POOLING = 20.0
#: The credible interval's lower and upper percentiles.
INTERVAL = (5.0, 95.0)
#: Draws made at once (memory: strata × candidates × this many numbers).
_CHUNK = 100

Stratum = tuple[str, str]  # (category, branch code or "")


@dataclass(frozen=True)
class Share:
    """A candidate's expected share (0–1) with its 90% credible interval."""

    candidate: str
    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class CategoryForecast:
    category: str
    answers: int
    voters: int
    shares: tuple[Share, ...]


@dataclass(frozen=True)
class Forecast:
    candidates: tuple[str, ...]
    answers: int
    voters: int
    shares: tuple[Share, ...]
    win_chance: dict[str, float]
    categories: tuple[CategoryForecast, ...]
    transfers_from_answers: bool


def forecast_compute(
    *,
    candidates: Sequence[str],
    roll: Mapping[Stratum, int],
    answers: Mapping[Stratum, Sequence[int]],
    next_preferences: Mapping[str, Sequence[int]] | None = None,
    draws: int = DRAWS,
    seed: int = 2016,
) -> Forecast:
    """Forecast the shares and the chance of winning of ``candidates``.

    ``roll`` counts the eligible voters of each stratum; ``answers`` counts, per stratum, the
    first preferences canvassed for each candidate (in the order of ``candidates``; strata not
    on the roll are ignored). ``next_preferences`` counts, for each candidate, the next
    preferences of their supporters: one figure per candidate (their own ignored) and a last
    one for "no further preference".
    """
    names = tuple(candidates)
    count = len(names)
    if count < 2:
        raise ValueError("A forecast needs at least two candidates.")
    strata = [stratum for stratum, voters in roll.items() if voters > 0]
    if not strata:
        raise ValueError("The roll has no eligible voters to weigh the forecast by.")
    rng = np.random.default_rng(seed)
    categories = sorted({category for category, _ in strata})
    category_of = np.array([categories.index(category) for category, _ in strata])
    weights = np.array([roll[stratum] for stratum in strata], dtype=np.float64)
    counts = np.zeros((len(strata), count), dtype=np.float64)
    for row, stratum in enumerate(strata):
        given = answers.get(stratum)
        if given is not None:
            if len(given) != count:
                raise ValueError(f"The answers of {stratum} name {len(given)} candidates.")
            counts[row] = given
    per_category = np.zeros((len(categories), count))
    np.add.at(per_category, category_of, counts)
    total = weights.sum()
    category_voters = np.zeros(len(categories))
    np.add.at(category_voters, category_of, weights)
    # Each stratum's weight within the whole roll and within its category.
    within_roll = weights / total
    within_category = weights / category_voters[category_of]
    overall = np.empty((draws, count))
    by_category = np.empty((draws, len(categories), count))
    for start in range(0, draws, _CHUNK):
        size = min(_CHUNK, draws - start)
        # Category shares: Dirichlet(1 + answers), shape (size, categories, candidates).
        category_draws = _dirichlet(rng, 1.0 + per_category, size)
        # Stratum shares: Dirichlet(POOLING × the category's draw + the stratum's answers).
        alpha = POOLING * category_draws[:, category_of, :] + counts[None, :, :]
        stratum_draws = _dirichlet_batch(rng, alpha)
        overall[start : start + size] = np.einsum("dsk,s->dk", stratum_draws, within_roll)
        weighted = stratum_draws * within_category[None, :, None]
        chunk = np.zeros((size, len(categories), count))
        for index in range(len(categories)):
            chunk[:, index, :] = weighted[:, category_of == index, :].sum(axis=1)
        by_category[start : start + size] = chunk
    category_forecasts = [
        CategoryForecast(
            category,
            int(per_category[index].sum()),
            int(category_voters[index]),
            _shares(names, by_category[:, index, :]),
        )
        for index, category in enumerate(categories)
    ]
    transfers = _transfer_draws(rng, names, next_preferences, draws)
    winners = _winners(overall, transfers)
    chance = {name: float(np.mean(winners == index)) for index, name in enumerate(names)}
    return Forecast(
        candidates=names,
        answers=int(counts.sum()),
        voters=int(total),
        shares=_shares(names, overall),
        win_chance=chance,
        categories=tuple(category_forecasts),
        transfers_from_answers=transfers is not None,
    )


def _shares(names: tuple[str, ...], draws: npt.NDArray[np.float64]) -> tuple[Share, ...]:
    low, high = np.percentile(draws, INTERVAL, axis=0)
    mean = draws.mean(axis=0)
    return tuple(
        Share(name, float(mean[i]), float(low[i]), float(high[i])) for i, name in enumerate(names)
    )


def _dirichlet(
    rng: np.random.Generator, alpha: npt.NDArray[np.float64], draws: int
) -> npt.NDArray[np.float64]:
    """Return ``draws`` Dirichlet draws for each row of ``alpha``: (draws, rows, k)."""
    return _dirichlet_batch(rng, np.broadcast_to(alpha, (draws, *alpha.shape)))


def _dirichlet_batch(
    rng: np.random.Generator, alpha: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """One Dirichlet draw per last-axis vector of ``alpha`` (normalised gamma draws)."""
    gammas = rng.standard_gamma(alpha)
    sums = gammas.sum(axis=-1, keepdims=True)
    # A vector of tiny alphas can underflow to all zeros: it then has no information; split it.
    sums[sums == 0] = 1.0
    result = gammas / sums
    empty = (gammas.sum(axis=-1) == 0)[..., None]
    return np.where(empty, 1.0 / alpha.shape[-1], result)


def _transfer_draws(
    rng: np.random.Generator,
    names: tuple[str, ...],
    next_preferences: Mapping[str, Sequence[int]] | None,
    draws: int,
) -> npt.NDArray[np.float64] | None:
    """Return (draws, from, to + 1) next-preference shares (the last: no further preference)."""
    count = len(names)
    if count < 3 or not next_preferences:
        return None
    alpha = np.ones((count, count + 1))
    for index, name in enumerate(names):
        given = next_preferences.get(name)
        if given is not None:
            if len(given) != count + 1:
                raise ValueError(f"The next preferences of {name} need {count + 1} figures.")
            alpha[index] += np.asarray(given, dtype=np.float64)
        alpha[index, index] = 0.0  # nobody's next preference is the candidate themselves
    gammas = rng.standard_gamma(np.broadcast_to(alpha, (draws, count, count + 1)))
    return gammas / gammas.sum(axis=-1, keepdims=True)


def _winners(
    shares: npt.NDArray[np.float64], transfers: npt.NDArray[np.float64] | None
) -> npt.NDArray[np.int64]:
    """Return each draw's winner: over half, else an instant run-off on shares."""
    draws, count = shares.shape
    if count == 2:
        return np.argmax(shares, axis=1)
    standing = np.ones((draws, count), dtype=bool)
    current = shares.copy()
    rows = np.arange(draws)
    for _ in range(count - 1):
        live = np.where(standing, current, np.inf)
        loser = np.argmin(live, axis=1)
        moving = current[rows, loser]
        standing[rows, loser] = False
        current[rows, loser] = 0.0
        if transfers is not None:
            split = transfers[rows, loser, :count] * standing  # to continuing candidates only
        else:
            split = np.where(standing, current, 0.0)
        totals = split.sum(axis=1, keepdims=True)
        if transfers is not None:
            # Preferences for excluded candidates pass on as the rest do; "none" exhausts.
            exhausting = transfers[rows, loser, count][:, None]
            kept = 1.0 - exhausting
            split = np.divide(split, totals, out=np.zeros_like(split), where=totals > 0) * kept
        else:
            split = np.divide(split, totals, out=np.zeros_like(split), where=totals > 0)
        current += moving[:, None] * split
    return np.argmax(np.where(standing, current, -np.inf), axis=1)
