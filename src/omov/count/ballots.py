"""Ballots as marked, before any validity rule is applied.

This is the boundary between the format readers (``omov.count.formats``) and the counting code:
every reader returns a :class:`BallotFile`; validity rules turn it into a clean profile for the
methods. Identical ballots are grouped with a ``weight`` so large real elections stay fast.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np
import numpy.typing as npt

from omov.count.errors import CountInputError


@dataclass(frozen=True, slots=True)
class RawBallot:
    """One distinct ballot as marked, and how many voters marked it exactly so.

    ``marks[i]`` holds the candidate names written against preference ``i + 1``: one name is a
    normal mark, an empty tuple is a skipped rank, two or more names are an overvote (several
    candidates given the same rank). Names not among the contest's candidates are unknown
    candidates; a name appearing at two ranks is a duplicate. The validity policies decide what
    each of these means.
    """

    marks: tuple[tuple[str, ...], ...]
    weight: int = 1


class RankingTable(Sequence[RawBallot]):
    """Distinct ballots held as a table of name indices, read as :class:`RawBallot` on demand.

    A fast reader (``omov.count.formats.csv_fast``) produces this instead of a tuple, so a
    million-row file never becomes a million Python objects: ``rankings`` has one row per
    distinct ballot, indices into ``names`` left-aligned and padded with ``-1``, and ``weights``
    says how many voters cast each. Every row is *plain*: one name per rank, no blank rank, no
    name twice. ``rest`` holds the ballots the fast reader left to the ordinary one. As a
    sequence it is ``rest`` after the table's rows, so every consumer of
    :attr:`BallotFile.ballots` sees ordinary ballots; :func:`~omov.count.validity.build_profile`
    reads the table directly.
    """

    __slots__ = ("names", "rankings", "rest", "weights")

    def __init__(
        self,
        names: tuple[str, ...],
        rankings: npt.NDArray[np.integer],
        weights: npt.NDArray[np.int64],
        rest: tuple[RawBallot, ...] = (),
    ) -> None:
        self.names = names
        self.rankings = rankings
        self.weights = weights
        self.rest = rest

    def __len__(self) -> int:
        return int(self.rankings.shape[0]) + len(self.rest)

    @overload
    def __getitem__(self, index: int) -> RawBallot: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[RawBallot, ...]: ...

    def __getitem__(self, index: int | slice) -> RawBallot | tuple[RawBallot, ...]:
        if isinstance(index, slice):
            return tuple(self[position] for position in range(*index.indices(len(self))))
        size = int(self.rankings.shape[0])
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("ballot index out of range")
        if index >= size:
            return self.rest[index - size]
        names = self.names
        row = self.rankings[index].tolist()
        marks = tuple((names[name],) for name in row if name >= 0)
        return RawBallot(marks, int(self.weights[index]))

    def __iter__(self) -> Iterator[RawBallot]:
        names = self.names
        singles = [(name,) for name in names]
        for row, weight in zip(self.rankings.tolist(), self.weights.tolist(), strict=True):
            yield RawBallot(tuple(singles[name] for name in row if name >= 0), weight)
        yield from self.rest

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # mutable arrays inside: not hashable

    def __repr__(self) -> str:
        return f"RankingTable({int(self.rankings.shape[0])} rows, {len(self.rest)} more)"


@dataclass(frozen=True, slots=True)
class BallotFile:
    """Everything a ballot file says: candidates, grouped ballots, and the election's details."""

    candidates: tuple[str, ...]
    #: A tuple, or a :class:`RankingTable` from a fast reader; either way a sequence of ballots.
    ballots: Sequence[RawBallot]
    seats: int | None = None
    title: str | None = None
    withdrawn: frozenset[str] = field(default_factory=frozenset)
    source: str = ""
    #: What the reader had to assume to read the file (e.g. names read without quotes), shown
    #: on the report so a person can check it.
    notes: tuple[str, ...] = ()


def combine_ballot_files(files: Sequence[BallotFile]) -> BallotFile:
    """Return one contest's ballots from several files (each polling place or batch a file).

    Every file must describe the same contest: the same candidates in the same order, the same
    withdrawn candidates, and the same seats and title where a file gives them. Identical
    ballots across files are grouped. Raises :class:`CountInputError` naming the first file
    that disagrees with the first one, and what differs.
    """
    if not files:
        raise CountInputError("There is no ballot file to count; give at least one.")
    first = files[0]
    if len(files) == 1:
        return first
    seats, title = first.seats, first.title
    grouped: dict[tuple[tuple[str, ...], ...], int] = {}
    notes: list[str] = []
    for ballot_file in files:
        what = _difference(first, ballot_file)
        if what:
            raise CountInputError(
                f"This file does not describe the same contest as {first.source or 'the first'}: "
                f"{what}. Count files of one contest together.",
                source=ballot_file.source or None,
            )
        seats = seats if seats is not None else ballot_file.seats
        title = title if title is not None else ballot_file.title
        for ballot in ballot_file.ballots:
            grouped[ballot.marks] = grouped.get(ballot.marks, 0) + ballot.weight
        notes.extend(note for note in ballot_file.notes if note not in notes)
    sources = [ballot_file.source for ballot_file in files]
    return BallotFile(
        candidates=first.candidates,
        ballots=tuple(RawBallot(marks, weight) for marks, weight in grouped.items()),
        seats=seats,
        title=title,
        withdrawn=first.withdrawn,
        source=" + ".join(sources),
        notes=(f"The ballots of {len(files)} files were counted as one contest.", *notes),
    )


def _difference(first: BallotFile, other: BallotFile) -> str:
    if other.candidates != first.candidates:
        return (
            f"its candidates are {', '.join(other.candidates)}, not {', '.join(first.candidates)}"
        )
    if other.withdrawn != first.withdrawn:
        return "its withdrawn candidates differ"
    if None not in (first.seats, other.seats) and other.seats != first.seats:
        return f"it fills {other.seats} seats, not {first.seats}"
    if None not in (first.title, other.title) and other.title != first.title:
        return f"its title is {other.title!r}, not {first.title!r}"
    return ""
