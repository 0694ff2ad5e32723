"""Count ballots: plurality, instant-runoff, Scottish STV and Meek STV, exactly and reproducibly.

``omov.count`` is a pure library: it imports neither Django nor any other omov package, so
anyone can re-run a published count offline from the published files. The one entry point is
:func:`count`; readers for ballot files live in :mod:`omov.count.formats`.

>>> from omov.count import BallotFile, RawBallot, count
>>> ballots = BallotFile(
...     candidates=("Ada", "Ben", "Cy"),
...     ballots=(RawBallot((("Ada",),), 4), RawBallot((("Cy",), ("Ben",)), 2),
...              RawBallot((("Ben",),), 3)),
... )
>>> count(ballots, method="irv").elected
('Ben',)
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from omov.count.ballots import BallotFile, RawBallot, combine_ballot_files
from omov.count.errors import CountInputError
from omov.count.methods.common import MethodOutcome
from omov.count.methods.irv import count_irv
from omov.count.methods.plurality import count_plurality
from omov.count.methods.stv_meek import DEFAULT_TOLERANCE, count_stv_meek
from omov.count.methods.stv_scottish import count_stv_scottish
from omov.count.profile import Profile
from omov.count.result import CountResult, Round
from omov.count.validity import (
    Policy,
    Problem,
    ProblemTally,
    ValidityReport,
    ValidityRules,
    build_profile,
)

__all__ = [
    "DEFAULT_MEEK_TOLERANCE",
    "DEFAULT_VALIDITY_RULES",
    "METHODS",
    "BallotFile",
    "CountInputError",
    "CountResult",
    "Policy",
    "Problem",
    "ProblemTally",
    "Profile",
    "RawBallot",
    "Round",
    "ValidityReport",
    "ValidityRules",
    "build_profile",
    "combine_ballot_files",
    "count",
]

#: The counting methods :func:`count` accepts, by name.
METHODS: tuple[str, ...] = ("plurality", "irv", "stv-scottish", "stv-meek")

#: The default validity rules (docs/decisions/0001-counting-rules.md); immutable.
DEFAULT_VALIDITY_RULES: ValidityRules = ValidityRules()

#: Meek iterations stop when the elected candidates' total surplus is below this many votes.
DEFAULT_MEEK_TOLERANCE: Decimal = DEFAULT_TOLERANCE


def count(
    ballots: BallotFile,
    *,
    method: str = "irv",
    seats: int | None = None,
    seed: str = "",
    rules: ValidityRules = DEFAULT_VALIDITY_RULES,
    exclude_hopeless: bool = False,
    continue_until_two: bool = False,
    meek_tolerance: Decimal | str = DEFAULT_TOLERANCE,
) -> CountResult:
    """Apply the validity ``rules`` to ``ballots`` and count them by ``method``.

    ``seats`` defaults to the ballot file's seats, else 1. ``seed`` is recorded in the result
    and feeds any lot needed to break a tie, so the same seed always gives the same result.
    ``exclude_hopeless`` (IRV only) excludes at once every group of lowest candidates who cannot
    win. ``continue_until_two`` (IRV only) goes on excluding after a majority until two
    candidates remain, for the report; the winner is the same. ``meek_tolerance`` (Meek only)
    is the total surplus below which iteration stops.
    Raises :class:`CountInputError` for an unknown method, impossible seats, or no valid ballot.
    """
    source = ballots.source or None
    if method not in METHODS:
        raise CountInputError(
            f"{method!r} is not a counting method; use one of {', '.join(METHODS)}.",
            source=source,
            field="method",
        )
    if exclude_hopeless and method != "irv":
        raise CountInputError(
            "Excluding hopeless candidates together applies only to IRV.",
            source=source,
            field="exclude_hopeless",
        )
    if continue_until_two and method != "irv":
        raise CountInputError(
            "Continuing until two candidates remain applies only to IRV.",
            source=source,
            field="continue_until_two",
        )
    tolerance = _tolerance(meek_tolerance, source)
    profile, report = build_profile(ballots, rules)
    seat_count = seats if seats is not None else (ballots.seats or 1)
    _check_seats(seat_count, method, profile, source)
    if profile.total == 0:
        raise CountInputError(
            f"There is no valid ballot to count ({report.rejected} rejected).", source=source
        )
    outcome: MethodOutcome
    if method == "plurality":
        outcome = count_plurality(profile, seats=seat_count, seed=seed)
    elif method == "irv":
        outcome = count_irv(
            profile,
            seed=seed,
            exclude_hopeless=exclude_hopeless,
            continue_until_two=continue_until_two,
        )
    elif method == "stv-scottish":
        outcome = count_stv_scottish(profile, seats=seat_count, seed=seed)
    else:
        outcome = count_stv_meek(profile, seats=seat_count, seed=seed, tolerance=tolerance)
    options = {"rules": ", ".join(f"{key}={value}" for key, value in rules.as_dict().items())}
    if method == "irv":
        options["exclude_hopeless"] = "yes" if exclude_hopeless else "no"
        options["continue_until_two"] = "yes" if continue_until_two else "no"
    if method == "stv-meek":
        options["meek_tolerance"] = str(tolerance)
    return CountResult(
        method=method,
        seats=seat_count,
        candidates=profile.candidates,
        elected=tuple(profile.candidates[index] for index in outcome.elected),
        validity=report,
        rounds=outcome.rounds,
        seed=seed,
        title=ballots.title,
        source=ballots.source,
        options=options,
        notes=ballots.notes,
    )


def _tolerance(value: Decimal | str, source: str | None) -> Decimal:
    try:
        tolerance = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        tolerance = Decimal(-1)
    if not tolerance.is_finite() or tolerance <= 0:
        raise CountInputError(
            f"The Meek tolerance {value!r} must be a positive decimal number, e.g. 0.00001.",
            source=source,
            field="meek_tolerance",
        )
    return tolerance


def _check_seats(seats: int, method: str, profile: Profile, source: str | None) -> None:
    standing = len(profile.candidates)
    if seats < 1:
        raise CountInputError(
            f"The number of seats must be at least 1, not {seats}.", source=source, field="seats"
        )
    if method == "irv" and seats != 1:
        raise CountInputError(
            f"IRV fills one seat, not {seats}; use stv-scottish or stv-meek for more seats.",
            source=source,
            field="seats",
        )
    if seats > standing:
        raise CountInputError(
            f"There are {seats} seats but only {standing} standing candidates; "
            "a count needs at least as many candidates as seats.",
            source=source,
            field="seats",
        )
