"""The clean profile the methods count: candidate indices per rank, grouped, with weights.

A :class:`Profile` is what is left after the validity rules (:mod:`omov.count.validity`) have
read every ballot: only valid ballots, each a strict ranking of standing candidates. It is held
as numpy arrays so that large counts stay fast: ``rankings`` is a matrix with one row per distinct
ranking, candidate indices left-aligned and padded with ``-1``; ``weights`` says how many voters
cast each row. Rows are distinct and sorted, so the order ballots were listed in never matters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

#: Padding for ranks past a ballot's last preference.
NO_CANDIDATE = -1


@dataclass(frozen=True, slots=True, eq=False)
class Profile:
    """Valid ballots as distinct rankings of candidate indices with how many voters cast each."""

    candidates: tuple[str, ...]
    rankings: IntArray
    weights: IntArray

    @property
    def total(self) -> int:
        """Return the number of valid ballots (voters), as an exact integer."""
        return int(sum(int(weight) for weight in self.weights)) if self.weights.size else 0

    def as_tuples(self) -> list[tuple[tuple[int, ...], int]]:
        """Return each distinct ranking as a tuple of candidate indices with its weight."""
        result = []
        for row, weight in zip(self.rankings.tolist(), self.weights.tolist(), strict=True):
            result.append((tuple(index for index in row if index != NO_CANDIDATE), int(weight)))
        return result


def profile_from_rows(
    candidates: tuple[str, ...], rows: list[list[int]], weights: list[int]
) -> Profile:
    """Build a grouped, sorted :class:`Profile` from rankings that may repeat.

    Precondition: every row is a strict ranking (no repeated index) of indices into
    ``candidates``, with at least one preference, and every weight is positive.
    """
    count = len(rows)
    width = max((len(row) for row in rows), default=0)
    flat = np.fromiter((index for row in rows for index in row), dtype=np.int64)
    lengths = np.fromiter((len(row) for row in rows), dtype=np.int64, count=count)
    matrix = np.full((count, width), NO_CANDIDATE, dtype=np.int64)
    if count and width:
        matrix[np.arange(width)[None, :] < lengths[:, None]] = flat
    weight_array = np.fromiter(weights, dtype=np.int64, count=count)
    return group_profile(candidates, matrix, weight_array)


def group_profile(candidates: tuple[str, ...], matrix: IntArray, weights: IntArray) -> Profile:
    """Merge identical rows (summing weights) and sort rows, so input order cannot matter."""
    if matrix.shape[0] == 0:
        return Profile(candidates, matrix.reshape(0, 0), weights.reshape(0))
    order = np.lexsort(matrix.T[::-1])
    matrix = matrix[order]
    weights = weights[order]
    is_new = np.ones(matrix.shape[0], dtype=bool)
    if matrix.shape[0] > 1:
        is_new[1:] = np.any(matrix[1:] != matrix[:-1], axis=1)
    starts = np.flatnonzero(is_new)
    grouped_weights = np.add.reduceat(weights, starts) if starts.size else weights
    grouped = np.ascontiguousarray(matrix[starts])
    grouped.setflags(write=False)
    grouped_weights = np.ascontiguousarray(grouped_weights.astype(np.int64))
    grouped_weights.setflags(write=False)
    return Profile(candidates, grouped, grouped_weights)
