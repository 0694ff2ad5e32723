"""The clean profile the methods count: candidate indices per rank, grouped, with weights.

A :class:`Profile` is what is left after the validity rules (:mod:`omov.count.validity`) have
read every ballot: only valid ballots, each a strict ranking of standing candidates. It is held
as numpy arrays so that large counts stay fast: ``rankings`` is a matrix with one row per distinct
ranking, candidate indices left-aligned and padded with ``-1``; ``weights`` says how many voters
cast each row. Rows are distinct and sorted, so the order ballots were listed in never matters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    _total: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Computed once: the methods ask for the total several times per round. int64 sums are
        # exact far beyond any electorate (overflow would need 9.2e18 voters), and checked here.
        total = int(self.weights.sum(dtype=np.int64)) if self.weights.size else 0
        if self.weights.size and (self.weights < 0).any():
            raise ValueError("A profile's weights must not be negative.")
        object.__setattr__(self, "_total", total)

    @property
    def total(self) -> int:
        """Return the number of valid ballots (voters), as an exact integer."""
        return self._total

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
    return group_profile(candidates, pad_rows(rows), np.array(weights, dtype=np.int64))


def pad_rows(rows: list[list[int]], width: int = 0) -> IntArray:
    """Return ``rows`` as a matrix at least ``width`` wide, padded with ``NO_CANDIDATE``."""
    count = len(rows)
    width = max(width, max((len(row) for row in rows), default=0))
    lengths = np.fromiter((len(row) for row in rows), dtype=np.int64, count=count)
    flat = np.fromiter(
        (index for row in rows for index in row), dtype=np.int64, count=int(lengths.sum())
    )
    matrix = np.full((count, width), NO_CANDIDATE, dtype=np.int64)
    if count and width:
        matrix[np.arange(width)[None, :] < lengths[:, None]] = flat
    return matrix


def group_profile(candidates: tuple[str, ...], matrix: IntArray, weights: IntArray) -> Profile:
    """Merge identical rows (summing weights) and sort rows, so input order cannot matter.

    Rows sort lexicographically by candidate index, padding first. When a whole row fits in
    one int64 as a number in base ``len(candidates) + 1`` the sort is on that number, which is
    the same order and much faster; otherwise ``numpy.lexsort`` sorts on every column.
    """
    count = matrix.shape[0]
    used = np.flatnonzero((matrix != NO_CANDIDATE).any(axis=0)) if count else np.zeros(0)
    width = int(used.max()) + 1 if used.size else 0
    matrix = matrix[:, :width]
    if count == 0 or width == 0:
        empty = np.zeros((0, 0), dtype=np.int64)
        return Profile(candidates, empty, np.zeros(0, dtype=np.int64))
    base = len(candidates) + 1
    if base**width < 2**62:
        # The row as a number in base ``base`` (padding -1 as digit 0): one matrix-vector
        # product, a single pass over the rows (ten times faster than a pass per column).
        powers = base ** np.arange(width - 1, -1, -1, dtype=np.int64)
        keys = np.asarray(matrix, dtype=np.int64) @ powers + int(powers.sum())
        if (keys[1:] > keys[:-1]).all():  # already distinct and sorted (a fast reader's table)
            weights = np.ascontiguousarray(weights, dtype=np.int64)
            matrix = np.ascontiguousarray(matrix)
            matrix.setflags(write=False)
            weights.setflags(write=False)
            return Profile(candidates, matrix, weights)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        is_new = np.ones(count, dtype=bool)
        is_new[1:] = sorted_keys[1:] != sorted_keys[:-1]
        matrix = matrix[order]
    else:
        order = np.lexsort(matrix.T[::-1])
        matrix = matrix[order]
        is_new = np.ones(count, dtype=bool)
        is_new[1:] = np.any(matrix[1:] != matrix[:-1], axis=1)
    weights = weights[order]
    starts = np.flatnonzero(is_new)
    grouped_weights = np.ascontiguousarray(np.add.reduceat(weights, starts), dtype=np.int64)
    grouped = np.ascontiguousarray(matrix[starts])
    grouped.setflags(write=False)
    grouped_weights.setflags(write=False)
    return Profile(candidates, grouped, grouped_weights)
