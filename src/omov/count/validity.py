"""Apply the validity rules: turn ballots as marked into the clean profile the methods count.

Paper ballots (and ballots imported from other systems) can be marked in ways that need a rule.
Each problem has a named policy, chosen per contest in :class:`ValidityRules`:

``skipped_rank``
    A rank left blank before a later preference (e.g. 1, 2, -, 4).
``duplicate``
    The same candidate given two ranks.
``overvote``
    Two or more candidates given the same rank (BLT ``2=3``).
``unknown_candidate``
    A name that is not a standing candidate.

Each policy is one of ``exhaust`` (the ballot stops before the problem mark; earlier preferences
count), ``skip`` (the problem mark is ignored and reading carries on), or ``reject`` (the whole
ballot is invalid).

Two limits, as RCTab offers them (docs/decisions/0009-rctab-style-rules.md), are off by default:

``max_skipped_ranks``
    The most consecutive blank ranks passed over: when the ``skipped_rank`` policy is ``skip``,
    a longer run of blanks before a later preference exhausts the ballot there instead (Maine:
    1 — one skipped rank is passed over, two in a row exhaust).
``max_rankings``
    The most ranks read: marks past that rank are ignored, as if not made.

Two problems have fixed treatment: a ballot with no valid preference left is an
**empty** ballot and is always rejected; a preference for a **withdrawn** candidate is always
removed (skipped). The defaults are documented in docs/decisions/0001-counting-rules.md.

Validation works per distinct ballot, not per voter, with a fast path for the common case (one
known candidate per rank, no repeats), so it stays quick for a million voters.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from itertools import chain
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from omov.count.ballots import BallotFile, RankingTable, RawBallot
from omov.count.errors import CountInputError
from omov.count.limits import MAX_BALLOTS, MAX_CANDIDATES, MAX_PROFILE_CELLS, MAX_RANKS
from omov.count.profile import NO_CANDIDATE, IntArray, Profile, group_profile, pad_rows

BoolArray = npt.NDArray[np.bool_]

_NOT_PLAIN = -2


class _MarkLookup(dict[tuple[str, ...], int]):
    """Map a one-name mark to its candidate index; anything else to ``_NOT_PLAIN``."""

    def __missing__(self, key: tuple[str, ...]) -> int:
        return _NOT_PLAIN


class Policy(enum.StrEnum):
    """What to do with a ballot that shows a problem."""

    EXHAUST = "exhaust"
    SKIP = "skip"
    REJECT = "reject"


class Problem(enum.StrEnum):
    """A way a ballot can be marked that needs a validity rule."""

    SKIPPED_RANK = "skipped_rank"
    DUPLICATE = "duplicate"
    OVERVOTE = "overvote"
    UNKNOWN_CANDIDATE = "unknown_candidate"
    WITHDRAWN_CANDIDATE = "withdrawn_candidate"
    SKIPPED_RANKS_PAST_LIMIT = "skipped_ranks_past_limit"
    EMPTY = "empty"


_DESCRIPTIONS: dict[Problem, str] = {
    Problem.SKIPPED_RANK: "a rank was left blank before a later preference",
    Problem.DUPLICATE: "the same candidate was given more than one rank",
    Problem.OVERVOTE: "two or more candidates were given the same rank",
    Problem.UNKNOWN_CANDIDATE: "a preference named someone who is not a standing candidate",
    Problem.WITHDRAWN_CANDIDATE: "a preference named a withdrawn candidate",
    Problem.SKIPPED_RANKS_PAST_LIMIT: (
        "more consecutive ranks were left blank than the most allowed (max_skipped_ranks)"
    ),
    Problem.EMPTY: "no valid preference was left",
}

_ACTIONS: dict[Policy, str] = {
    Policy.EXHAUST: "the ballot stops before that mark; earlier preferences count",
    Policy.SKIP: "that mark is ignored and the later preferences count",
    Policy.REJECT: "the whole ballot is rejected",
}


@dataclass(frozen=True, slots=True)
class ValidityRules:
    """The policy for each ballot problem. Defaults: see docs/decisions/0001-counting-rules.md.

    The defaults keep as much of each voter's intention as is unambiguous: an overvote cannot
    say which of the tied candidates the voter preferred, so the ballot stops there; a blank
    rank or a repeated name leaves the order of the other preferences clear, so it is ignored;
    a name that is not on the ballot suggests a ballot from another contest, so it is rejected.
    """

    skipped_rank: Policy = Policy.SKIP
    duplicate: Policy = Policy.SKIP
    overvote: Policy = Policy.EXHAUST
    unknown_candidate: Policy = Policy.REJECT
    #: None: no limit. See the module docstring.
    max_skipped_ranks: int | None = None
    #: None: every rank is read. See the module docstring.
    max_rankings: int | None = None

    def __post_init__(self) -> None:
        for name, minimum in _LIMITS.items():
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < minimum
            ):
                raise CountInputError(
                    f"{value!r} is not a valid {name}; give a whole number of at least "
                    f"{minimum}, or none for no limit.",
                    field=name,
                )
        for item in fields(self):
            if item.name in _LIMITS:
                continue
            value = getattr(self, item.name)
            try:
                object.__setattr__(self, item.name, Policy(value))
            except ValueError:
                raise CountInputError(
                    f"{value!r} is not a validity policy; use one of "
                    f"{', '.join(policy.value for policy in Policy)}.",
                    field=item.name,
                ) from None

    @classmethod
    def from_mapping(cls, values: Mapping[str, str]) -> ValidityRules:
        """Build rules from names and policy words, e.g. ``{"overvote": "reject"}``.

        Unknown problem names or policy words raise :class:`CountInputError` naming the field.
        """
        known = {item.name for item in fields(cls)}
        for name in values:
            if name not in known:
                raise CountInputError(
                    f"{name!r} is not a ballot problem with a policy; use one of "
                    f"{', '.join(sorted(known))}.",
                    field=name,
                )
        chosen: dict[str, Policy | int | None] = {}
        for name, value in values.items():
            chosen[name] = _limit(name, value) if name in _LIMITS else _policy(name, value)
        return cls(**chosen)  # type: ignore[arg-type]  # each value checked for its field above

    def policy_for(self, problem: Problem) -> Policy:
        """Return the policy for ``problem`` (withdrawn: always skip; empty: always reject)."""
        if problem is Problem.WITHDRAWN_CANDIDATE:
            return Policy.SKIP
        if problem is Problem.SKIPPED_RANKS_PAST_LIMIT:
            return Policy.EXHAUST
        if problem is Problem.EMPTY:
            return Policy.REJECT
        policy: Policy = getattr(self, problem.value)
        return policy

    def as_dict(self) -> dict[str, str]:
        """Return the rules as plain strings, for reports (a limit not set is ``none``)."""
        return {
            item.name: "none" if getattr(self, item.name) is None else str(getattr(self, item.name))
            for item in fields(self)
        }


#: The limits among the rules, with the least value each may take.
_LIMITS = {"max_skipped_ranks": 0, "max_rankings": 1}


def _limit(name: str, value: str) -> int | None:
    text = value.strip().lower()
    if text in {"none", "unlimited", ""}:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        raise CountInputError(
            f"{value!r} is not a valid {name}; give a whole number, or none for no limit.",
            field=name,
        )
    return int(text)


def _policy(name: str, value: str) -> Policy:
    try:
        return Policy(value)
    except ValueError:
        raise CountInputError(
            f"{value!r} is not a validity policy; use one of "
            f"{', '.join(policy.value for policy in Policy)}.",
            field=name,
        ) from None


@dataclass(frozen=True, slots=True)
class ProblemTally:
    """How many ballots showed one problem, the policy applied, and how many it rejected."""

    problem: Problem
    policy: Policy
    ballots: int
    rejected: int

    @property
    def reason(self) -> str:
        """Return a sentence describing the problem and what the policy did."""
        return f"{_DESCRIPTIONS[self.problem].capitalize()}: {_ACTIONS[self.policy]}."


@dataclass(frozen=True, slots=True)
class ValidityReport:
    """What the validity rules found: valid and rejected ballots and each problem's count.

    A ballot showing several problems is counted once under each of them (``ballots``) but is
    rejected, if at all, under the first problem whose policy rejected it (``rejected``), so the
    ``rejected`` column adds up to :attr:`rejected`.
    """

    valid: int
    rejected: int
    problems: tuple[ProblemTally, ...]
    rules: ValidityRules
    withdrawn: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        """Return the number of ballots read, valid and rejected."""
        return self.valid + self.rejected


def build_profile(
    ballot_file: BallotFile, rules: ValidityRules | None = None
) -> tuple[Profile, ValidityReport]:
    """Apply ``rules`` to every ballot; return the clean profile and the validity report.

    Withdrawn candidates are dropped from the candidate list and from every ballot. Raises
    :class:`CountInputError` if the candidate list is empty or names a candidate twice.
    """
    rules = rules if rules is not None else ValidityRules()
    source = ballot_file.source or None
    if len(set(ballot_file.candidates)) != len(ballot_file.candidates):
        duplicated = sorted(
            {name for name in ballot_file.candidates if ballot_file.candidates.count(name) > 1}
        )
        raise CountInputError(
            f"The candidate list names {', '.join(duplicated)} more than once; "
            "each candidate must appear once.",
            source=source,
        )
    unknown_withdrawn = sorted(ballot_file.withdrawn - set(ballot_file.candidates))
    if unknown_withdrawn:
        raise CountInputError(
            f"Withdrawn candidate {', '.join(unknown_withdrawn)} is not in the candidate list.",
            source=source,
        )
    if len(ballot_file.candidates) > MAX_CANDIDATES:
        raise CountInputError(
            f"The file names {len(ballot_file.candidates):,} candidates; omov counts at most "
            f"{MAX_CANDIDATES:,}.",
            source=source,
        )
    standing = tuple(name for name in ballot_file.candidates if name not in ballot_file.withdrawn)
    if not standing:
        raise CountInputError("There is no standing candidate to count.", source=source)
    index = {name: position for position, name in enumerate(standing)}
    lookup = _MarkLookup({(name,): position for name, position in index.items()})

    ballots: Sequence[RawBallot] = ballot_file.ballots
    table_matrix = np.zeros((0, 0), dtype=np.int64)
    table_weights = np.zeros(0, dtype=np.int64)
    if isinstance(ballots, RankingTable):
        table_matrix, table_weights, unplain = _read_table(ballots, index, rules)
        ballots = (*ballots.rest, *unplain)
    if rules.max_rankings is not None:
        most = rules.max_rankings
        ballots = tuple(
            RawBallot(ballot.marks[:most], ballot.weight) if len(ballot.marks) > most else ballot
            for ballot in ballots
        )
    count = len(ballots)
    marks = list(map(attrgetter("marks"), ballots))
    try:
        weights = np.fromiter(map(attrgetter("weight"), ballots), dtype=np.int64, count=count)
    except (OverflowError, TypeError):
        raise CountInputError(
            "A ballot weight is not a whole number that fits in 64 bits.", source=source
        ) from None
    if count and int(weights.min()) < 1:
        raise CountInputError(
            f"A ballot has weight {int(weights.min())}; weights must be whole numbers of at "
            "least 1.",
            source=source,
        )
    if sum(weights.tolist()) + sum(table_weights.tolist()) > MAX_BALLOTS:  # exact: Python ints
        raise CountInputError(
            f"The ballots add up to more than {MAX_BALLOTS:,} voters, more than omov counts.",
            source=source,
        )
    lengths = np.fromiter(map(len, marks), dtype=np.int64, count=count)
    if count and int(lengths.max()) > MAX_RANKS:
        raise CountInputError(
            f"A ballot has {int(lengths.max()):,} ranks; omov reads at most {MAX_RANKS:,} ranks "
            "on a ballot.",
            source=source,
        )
    # A plain ballot ranks each standing candidate at most once, so the table is never wider
    # than the standing candidates; longer ballots are read one by one below. This bounds the
    # table by what the election holds, not by the longest line a file may hold.
    width = max(min(int(lengths.max()) if count else 0, len(standing)), table_matrix.shape[1])
    _check_table_size(count + table_matrix.shape[0], width, source)
    # Fast path, vectorised: every mark is one standing candidate and none repeats. A mark
    # that is anything else (blank, overvote, unknown or withdrawn name) looks up as -2.
    too_long = lengths > width
    fits = np.flatnonzero(~too_long)
    short_lengths = lengths[fits]
    flat = np.fromiter(
        map(
            lookup.__getitem__,
            chain.from_iterable(marks[position] for position in fits.tolist())
            if too_long.any()
            else chain.from_iterable(marks),
        ),
        dtype=np.int64,
        count=int(short_lengths.sum()),
    )
    if too_long.any():
        matrix = np.full((count, width), NO_CANDIDATE, dtype=np.int64)
        matrix[fits] = _fill(short_lengths, flat, width)
    else:
        matrix = _fill(lengths, flat, width)
    needs_reading = too_long | (lengths == 0) | (matrix == _NOT_PLAIN).any(axis=1)
    if width > 1:
        needs_reading |= _has_repeats(matrix, lengths, len(standing))

    rows: list[list[int]] = []
    row_weights: list[int] = []
    seen_ballots: dict[Problem, int] = {}
    rejected_by: dict[Problem, int] = {}
    rejected = 0
    for position in np.flatnonzero(needs_reading).tolist():
        ballot = ballots[position]
        clean, problems, cause = _read_ballot(ballot, index, ballot_file.withdrawn, rules)
        for problem in problems:
            seen_ballots[problem] = seen_ballots.get(problem, 0) + ballot.weight
        if cause is None:
            rows.append(clean)
            row_weights.append(ballot.weight)
        else:
            rejected += ballot.weight
            rejected_by[cause] = rejected_by.get(cause, 0) + ballot.weight
    plain = ~needs_reading
    if not plain.any() and not rows and table_matrix.shape[1] == width:
        # Only a fast reader's table: no copy of it (a million rows of 13 are 100 MB).
        profile = group_profile(standing, table_matrix, table_weights)
    else:
        padded_table = np.full((table_matrix.shape[0], width), NO_CANDIDATE, dtype=np.int64)
        padded_table[:, : table_matrix.shape[1]] = table_matrix
        profile = group_profile(
            standing,
            np.concatenate([padded_table, matrix[plain], pad_rows(rows, width)]),
            np.concatenate([table_weights, weights[plain], np.array(row_weights, dtype=np.int64)]),
        )
    tallies = tuple(
        ProblemTally(
            problem=problem,
            policy=rules.policy_for(problem),
            ballots=seen_ballots[problem],
            rejected=rejected_by.get(problem, 0),
        )
        for problem in Problem
        if problem in seen_ballots
    )
    report = ValidityReport(
        valid=profile.total,
        rejected=rejected,
        problems=tallies,
        rules=rules,
        withdrawn=tuple(name for name in ballot_file.candidates if name in ballot_file.withdrawn),
    )
    return profile, report


def _read_table(
    table: RankingTable, index: Mapping[str, int], rules: ValidityRules
) -> tuple[IntArray, IntArray, list[RawBallot]]:
    """Map a fast reader's table to standing-candidate indices, vectorised.

    Return the rows that are plain for this count (every name a standing candidate, none
    twice, at least one), their weights, and the other rows as ordinary ballots to be read one
    by one (a withdrawn or undeclared name, say).
    """
    rankings = table.rankings
    if rules.max_rankings is not None:
        rankings = rankings[:, : rules.max_rankings]
    # Index -1 (padding) takes the last entry: padding again.
    to_standing = np.array(
        [index.get(name, _NOT_PLAIN) for name in table.names] + [NO_CANDIDATE], dtype=np.int64
    )
    mapped: IntArray = to_standing[rankings]
    # The table's rows are plain by its contract (no gap, no name twice, at least one name);
    # mapping names to standing candidates keeps that unless a name does not stand.
    unplain = rankings[:, 0] < 0 if rankings.shape[1] else np.ones(rankings.shape[0], dtype=bool)
    if (to_standing == _NOT_PLAIN).any():
        unplain |= (mapped == _NOT_PLAIN).any(axis=1)
    if not unplain.any():
        return mapped, np.asarray(table.weights, dtype=np.int64), []
    kept = ~unplain
    return (
        mapped[kept],
        np.asarray(table.weights, dtype=np.int64)[kept],
        [table[position] for position in np.flatnonzero(unplain).tolist()],
    )


def _fill(lengths: IntArray, flat: IntArray, width: int) -> IntArray:
    """Return rows of ``lengths`` taken in turn from ``flat``, padded to ``width``."""
    rows = np.full((lengths.shape[0], width), NO_CANDIDATE, dtype=np.int64)
    if rows.size:
        rows[np.arange(width)[None, :] < lengths[:, None]] = flat
    return rows


def _check_table_size(rows: int, width: int, source: str | None) -> None:
    """Refuse a profile whose table of rankings would be too large to hold in memory."""
    if rows * width > MAX_PROFILE_CELLS:
        raise CountInputError(
            f"The ballots need a table of {rows:,} distinct rankings by {width:,} ranks, more "
            f"than the {MAX_PROFILE_CELLS:,} cells omov counts at once.",
            source=source,
        )


def _has_repeats(matrix: IntArray, lengths: IntArray, candidates: int) -> BoolArray:
    """Return which rows name a candidate twice (rows holding ``_NOT_PLAIN`` may say anything)."""
    if candidates <= 62:
        bits = np.where(matrix >= 0, np.left_shift(1, np.maximum(matrix, 0)), 0)
        masks = np.bitwise_or.reduce(bits, axis=1)
        result: BoolArray = np.bitwise_count(masks) != lengths
        return result
    ordered = np.sort(matrix, axis=1)
    repeats = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)
    result = repeats.any(axis=1)
    return result


def _read_ballot(
    ballot: RawBallot,
    index: Mapping[str, int],
    withdrawn: frozenset[str],
    rules: ValidityRules,
) -> tuple[list[int], list[Problem], Problem | None]:
    """Read one ballot mark by mark; return its ranking, problems seen, and rejection cause."""
    row: list[int] = []
    seen: set[int] = set()
    problems: list[Problem] = []
    blank_pending = 0

    def note(problem: Problem) -> Policy:
        if problem not in problems:
            problems.append(problem)
        return rules.policy_for(problem)

    for mark in ballot.marks:
        names: list[str] = []
        for name in mark:
            if name in withdrawn:
                note(Problem.WITHDRAWN_CANDIDATE)
            elif name not in names:
                names.append(name)
            else:
                note(Problem.DUPLICATE)
        if not names:
            if not mark:
                blank_pending += 1
            continue
        if blank_pending:
            run, blank_pending = blank_pending, 0
            policy = note(Problem.SKIPPED_RANK)
            if policy is Policy.REJECT:
                return row, problems, Problem.SKIPPED_RANK
            if policy is Policy.EXHAUST:
                break
            if rules.max_skipped_ranks is not None and run > rules.max_skipped_ranks:
                note(Problem.SKIPPED_RANKS_PAST_LIMIT)
                break
        if len(names) > 1:
            problem: Problem | None = Problem.OVERVOTE
        elif names[0] not in index:
            problem = Problem.UNKNOWN_CANDIDATE
        elif index[names[0]] in seen:
            problem = Problem.DUPLICATE
        else:
            problem = None
        if problem is not None:
            policy = note(problem)
            if policy is Policy.REJECT:
                return row, problems, problem
            if policy is Policy.EXHAUST:
                break
            continue
        row.append(index[names[0]])
        seen.add(index[names[0]])
    if not row:
        note(Problem.EMPTY)
        return row, problems, Problem.EMPTY
    return row, problems, None
