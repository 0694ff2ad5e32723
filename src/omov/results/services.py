"""Writes of the results app: count a closed contest, and declare its result.

Both are the lifecycle's step services (``count`` and ``declare``, registered in ``apps.py``): the
returning officer takes the step from the contest page, the count page (which asks for the ballot
key file) or the command line, and each service does its work and the transition in one
transaction, so a failed count leaves nothing behind.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from omov.ballots.services import ballots_for_count
from omov.contests.models import Candidate, CandidateStatus, Contest
from omov.contests.services import contest_blockers, contest_transition
from omov.core import clock
from omov.core.errors import Blocked, PermissionRefused, ServiceError
from omov.core.services import audit_record
from omov.count import CountResult, count
from omov.count.ballots import BallotFile, RawBallot
from omov.count.errors import CountInputError
from omov.count.formats.blt import write_blt
from omov.count.validity import ValidityRules, build_profile
from omov.results import policies
from omov.results.models import Result

#: The order categories are shown in; others (if any) follow alphabetically.
CATEGORY_ORDER: tuple[str, ...] = ("member", "registered_supporter", "affiliated_supporter")

BASIS_FINAL_ROUND = "final round"
BASIS_FIRST_PREFERENCES = "first preferences"


@dataclass(frozen=True)
class CategoryBreakdown:
    """How one category's ballots stand: votes per candidate, exhausted, valid and rejected."""

    votes: dict[str, int]
    exhausted: int
    valid: int
    rejected: int

    def as_json(self) -> dict[str, Any]:
        return {
            "votes": dict(self.votes),
            "exhausted": self.exhausted,
            "valid": self.valid,
            "rejected": self.rejected,
        }


def result_count(
    *,
    contest: Contest,
    actor: Any = None,
    private_key_bytes: bytes | None = None,
    actor_label: str = "",
) -> Result:
    """Decrypt the closed contest's ballots, count them, store the result and mark it counted.

    Needs the ballot key written when the ballot was opened, unless the contest has trustees:
    then it counts the ballots the trustees decrypted, with proofs, in the election record (the
    ``count`` blocker waits for them). A wrong key, a contest that is not closed, or ballots the
    count cannot read raise :class:`ServiceError` and write nothing.
    """
    if actor is not None:  # None: the command line or the system; anyone else is checked
        decision = policies.can_count(actor, contest)
        if not decision:
            raise PermissionRefused(decision.reason)

    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        blockers = contest_blockers(locked, "count")
        if blockers:
            raise Blocked("count the votes", blockers)
        if Result.objects.filter(contest=locked).exists():
            raise ServiceError(f"{locked.title} has already been counted.")
        count_input = ballots_for_count(contest=locked, private_key_bytes=private_key_bytes)
        by_category: Counter[tuple[str, tuple[str, ...]]] = Counter()
        for ballot, number in count_input.ballots.items():
            by_category[(ballot.category, ballot.ranking)] += number
        grouped: Counter[tuple[str, ...]] = Counter()
        for (_, ranking), weight in by_category.items():
            grouped[ranking] += weight
        ballot_file = contest_ballot_file(locked, grouped)
        try:
            outcome = count(
                ballot_file,
                method=locked.method,
                seats=locked.seats,
                seed=locked.tie_break_seed,
            )
            ballots_blt = write_blt(ballot_file)
            basis, categories = category_breakdown(outcome, ballot_file, by_category)
        except CountInputError as error:
            raise ServiceError(f"The ballots could not be counted: {error.describe()}") from error
        rejected = dict(count_input.rejected)
        for tally in outcome.validity.problems:
            if tally.rejected:
                reason = f"{tally.reason} ({tally.problem.value})"
                rejected[reason] = rejected.get(reason, 0) + tally.rejected
        result = Result.objects.create(
            contest=locked,
            method=outcome.method,
            seats=outcome.seats,
            elected=list(outcome.elected),
            report=outcome.to_json_dict(),
            rounds_csv=outcome.to_csv(),
            rounds_table=outcome.to_table(),
            categories={name: item.as_json() for name, item in categories.items()},
            category_basis=basis,
            valid=outcome.validity.valid,
            spoilt={str(key): int(value) for key, value in count_input.spoilt.items()},
            rejected={str(key): int(value) for key, value in rejected.items()},
            credentials_issued=count_input.credentials_issued,
            issued_by_category=dict(count_input.issued_by_category),
            ballots_blt=ballots_blt,
            ballots_sha256=hashlib.sha256(ballots_blt.encode("utf-8")).hexdigest(),
            counted_at=clock.now(),
            counted_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            action="results.count",
            summary=f"Counted {locked.title}: elected {', '.join(outcome.elected)}",
            actor=actor,
            actor_label=actor_label,
            contest=locked,
            target=result,
            data={
                "valid": result.valid,
                "spoilt": result.spoilt_total,
                "rejected": result.rejected_total,
                "elected": list(outcome.elected),
                "ballots_sha256": result.ballots_sha256,
            },
        )
        contest_transition(contest=locked, step="count", actor=actor, actor_label=actor_label)
    contest.refresh_from_db()
    return result


def result_declare(*, contest: Contest, actor: Any = None, actor_label: str = "") -> Result:
    """Publish a counted contest's result: from now on everyone sees the declaration."""
    if actor is not None:  # None: the command line or the system; anyone else is checked
        decision = policies.can_declare(actor, contest)
        if not decision:
            raise PermissionRefused(decision.reason)
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        result = Result.objects.filter(contest=locked).first()
        if result is None:
            raise ServiceError(
                f"{locked.title} has not been counted yet; count it before declaring the result."
            )
        audit_record(
            action="results.declare",
            summary=f"Declared {locked.title}: elected {', '.join(result.elected)}",
            actor=actor,
            actor_label=actor_label,
            contest=locked,
            target=result,
            data={"elected": list(result.elected), "ballots_sha256": result.ballots_sha256},
        )
        contest_transition(contest=locked, step="declare", actor=actor, actor_label=actor_label)
    contest.refresh_from_db()
    return result


def contest_ballot_file(contest: Contest, grouped: Mapping[tuple[str, ...], int]) -> BallotFile:
    """Return the anonymous ballot file for the count: each ranking once, with its weight.

    ``grouped`` says how many voters cast each ranking (candidate names, first preference
    first). Ballots are sorted by their rankings (in ballot-paper order), so the file depends
    only on those numbers, never on the order ballots were cast or stored.
    """
    on_ballot = list(
        contest.candidates.filter(
            status__in=[CandidateStatus.NOMINATED, CandidateStatus.WITHDRAWN]
        ).order_by("ballot_position", "name")
    )
    named = {name for ranking in grouped for name in ranking}
    candidates: list[Candidate] = [
        candidate
        for candidate in on_ballot
        if candidate.status == CandidateStatus.NOMINATED or candidate.name in named
    ]
    names = tuple(candidate.name for candidate in candidates)
    position = {name: index for index, name in enumerate(names)}

    def order(ranking: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
        return tuple((position.get(name, len(names)), name) for name in ranking)

    ballots = tuple(
        RawBallot(marks=tuple((name,) for name in ranking), weight=weight)
        for ranking, weight in sorted(grouped.items(), key=lambda item: order(item[0]))
    )
    return BallotFile(
        candidates=names,
        ballots=ballots,
        seats=contest.seats,
        title=contest.title.replace('"', "'"),
        withdrawn=frozenset(
            candidate.name
            for candidate in candidates
            if candidate.status == CandidateStatus.WITHDRAWN
        ),
        source=f"{contest.slug}.blt",
    )


def category_breakdown(
    outcome: CountResult,
    ballot_file: BallotFile,
    by_category: Mapping[tuple[str, tuple[str, ...]], int],
) -> tuple[str, dict[str, CategoryBreakdown]]:
    """Return how each category's ballots stand, and on what basis.

    ``by_category`` says how many voters of each category cast each ranking.
    For IRV and plurality the full count's exclusions are applied to each category's ballots, so
    each ballot counts for its highest-ranked candidate still standing in the final round: the
    categories then add up to the final round exactly. STV moves fractions of ballots, which
    belong to no category, so for STV the breakdown is of first preferences.
    """
    if outcome.method in ("irv", "plurality"):
        basis = BASIS_FINAL_ROUND
        excluded = {name for item in outcome.rounds for name in item.excluded}
        standing = [name for name in outcome.candidates if name not in excluded]
    else:
        basis = BASIS_FIRST_PREFERENCES
        standing = list(outcome.candidates)
    split: dict[str, Counter[tuple[str, ...]]] = {}
    for (category, ranking), weight in by_category.items():
        split.setdefault(category, Counter())[ranking] += weight
    rules = outcome.validity.rules
    breakdown: dict[str, CategoryBreakdown] = {}
    for category in ordered_categories(split):
        breakdown[category] = _stand_in(
            split[category], ballot_file, rules, outcome.candidates, standing
        )
    return basis, breakdown


def _stand_in(
    grouped: Mapping[tuple[str, ...], int],
    ballot_file: BallotFile,
    rules: ValidityRules,
    candidates: Sequence[str],
    standing: Sequence[str],
) -> CategoryBreakdown:
    category_file = BallotFile(
        candidates=ballot_file.candidates,
        ballots=tuple(
            RawBallot(marks=tuple((name,) for name in ranking), weight=weight)
            for ranking, weight in grouped.items()
        ),
        seats=ballot_file.seats,
        withdrawn=ballot_file.withdrawn,
    )
    profile, report = build_profile(category_file, rules)
    is_standing = {profile.candidates.index(name) for name in standing}
    votes = dict.fromkeys(candidates, 0)
    exhausted = 0
    for ranking, weight in profile.as_tuples():
        first = next((index for index in ranking if index in is_standing), None)
        if first is None:
            exhausted += weight
        else:
            votes[profile.candidates[first]] += weight
    return CategoryBreakdown(
        votes=votes, exhausted=exhausted, valid=report.valid, rejected=report.rejected
    )


def ordered_categories(categories: Iterable[str]) -> list[str]:
    """Return category names in display order: members, registered, affiliated, then others."""
    present = set(categories)
    known = [name for name in CATEGORY_ORDER if name in present]
    return known + sorted(present - set(CATEGORY_ORDER))
