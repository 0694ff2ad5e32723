"""Ballots as marked, before any validity rule is applied.

This is the boundary between the format readers (``omov.count.formats``) and the counting code:
every reader returns a :class:`BallotFile`; validity rules turn it into a clean profile for the
methods. Identical ballots are grouped with a ``weight`` so large real elections stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass(frozen=True, slots=True)
class BallotFile:
    """Everything a ballot file says: candidates, grouped ballots, and the election's details."""

    candidates: tuple[str, ...]
    ballots: tuple[RawBallot, ...]
    seats: int | None = None
    title: str | None = None
    withdrawn: frozenset[str] = field(default_factory=frozenset)
    source: str = ""
    #: What the reader had to assume to read the file (e.g. names read without quotes), shown
    #: on the report so a person can check it.
    notes: tuple[str, ...] = ()
