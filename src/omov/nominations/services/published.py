"""Load a real contest's published nomination figures (e.g. Labour 2016) into a contest.

Published results give totals, not the rows behind them, so the loader builds rows that add up
to exactly the published totals: a parliamentary party of the right size (254 MPs and MEPs in
2016, so 20% gives the published threshold of 51) with the published number of nominations per
candidate, one meeting per nominating branch (the reported meetings with their real figures, the
others with plausible figures from a seeded generator) and one nomination per affiliate. Generated
people and bodies are named neutrally ("MP 017", "Branch 042"); no real person is made to
nominate anyone the record does not show.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from omov.contests.models import Candidate, Contest
from omov.core.errors import ServiceError
from omov.core.services import audit_record
from omov.electorate.models import Affiliate, Branch
from omov.nominations.models import (
    AffiliateNomination,
    BranchMeeting,
    ParliamentaryKind,
    ParliamentaryMember,
    ParliamentaryNomination,
)
from omov.nominations.services.nominations import (
    MeetingFigures,
    _check_figures,
    _ensure_open_for_nominations,
    _write_meeting,
    nominations_validate,
)

EUROPEAN_REGIONS = (
    "East Midlands",
    "East of England",
    "London",
    "North East England",
    "North West England",
    "Scotland",
    "South East England",
    "South West England",
    "Wales",
    "West Midlands",
    "Yorkshire and the Humber",
)


@dataclass(frozen=True)
class PublishedLoad:
    """What the loader created."""

    parliamentary_members: int
    parliamentary_nominations: int
    branch_meetings: int
    affiliate_nominations: int


def nominations_load_published(
    *,
    contest: Contest,
    data: dict[str, Any],
    actor: Any = None,
    actor_label: str = "published figures loader",
    mps: int = 234,
    meps: int = 20,
    meeting_date: dt.date | None = None,
    seed: str | None = None,
) -> PublishedLoad:
    """Load one contest entry of labour-contests.json into ``contest`` (which must be empty).

    ``data`` is the contest's dict (keys ``parliamentary_nominations``,
    ``branch_supporting_nominations``, ``affiliate_supporting_nominations``,
    ``branch_meetings_reported``). The candidates it names must already be in the contest. Every
    named candidate's consent is recorded (they stood) and nominations are validated at the end.
    All or nothing, audited as one event.
    """
    _ensure_open_for_nominations(contest)
    if (
        ParliamentaryNomination.objects.filter(contest=contest).exists()
        or BranchMeeting.objects.filter(contest=contest).exists()
        or AffiliateNomination.objects.filter(contest=contest).exists()
    ):
        raise ServiceError(
            f"{contest.title} already has nominations recorded; load published figures only "
            "into a contest with none."
        )
    parliamentary = data.get("parliamentary_nominations") or {}
    branch_totals = data.get("branch_supporting_nominations") or {}
    affiliate_totals = data.get("affiliate_supporting_nominations") or {}
    reported = data.get("branch_meetings_reported") or []
    names = set(parliamentary) | set(branch_totals) | set(affiliate_totals)
    for meeting in reported:
        names |= set(meeting.get("votes", {}))
    candidates = {c.name: c for c in contest.candidates.all()}
    missing = sorted(names - set(candidates))
    if missing:
        raise ServiceError(
            f"The published figures name {', '.join(missing)}, who "
            f"{'is not a candidate' if len(missing) == 1 else 'are not candidates'} in "
            f"{contest.title}; add them first."
        )
    rng = random.Random(seed or str(data.get("id") or contest.slug))
    held_on = meeting_date or _default_meeting_date(contest)
    with transaction.atomic():
        members = _load_parliamentary(contest, parliamentary, candidates, mps, meps)
        meetings = _load_branches(contest, branch_totals, reported, candidates, rng, held_on)
        affiliates = _load_affiliates(contest, affiliate_totals, candidates)
        for name in sorted(names):
            candidate = candidates[name]
            if candidate.consented_at is None:
                candidate.consented_at = contest.nominations_opened_at or _noon(held_on)
                candidate.save(update_fields=["consented_at"])
        result = PublishedLoad(
            parliamentary_members=members[0],
            parliamentary_nominations=members[1],
            branch_meetings=meetings,
            affiliate_nominations=affiliates,
        )
        audit_record(
            action="nominations.load_published",
            summary=(
                f"Loaded published nominations: {result.parliamentary_nominations} "
                f"parliamentary of {result.parliamentary_members} MPs and MEPs, "
                f"{result.branch_meetings} branch meetings, {result.affiliate_nominations} "
                "affiliate nominations"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=contest,
            data={"source": data.get("id", ""), "seed": seed or str(data.get("id") or "")},
        )
        nominations_validate(contest=contest, actor=None)
    return result


def _default_meeting_date(contest: Contest) -> dt.date:
    if contest.branch_nominations_open_at is not None:
        return contest.branch_nominations_open_at.date()
    return dt.date(2016, 7, 30)


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def _load_parliamentary(
    contest: Contest,
    parliamentary: dict[str, dict[str, int]],
    candidates: dict[str, Candidate],
    mps: int,
    meps: int,
) -> tuple[int, int]:
    """Create the parliamentary party (unless listed already) and the published nominations."""
    if not ParliamentaryMember.objects.filter(contest=contest).exists():
        ParliamentaryMember.objects.bulk_create(
            [
                ParliamentaryMember(
                    contest=contest,
                    name=f"MP {number:03d}",
                    kind=ParliamentaryKind.MP,
                    constituency=f"Constituency {number:03d}",
                )
                for number in range(1, mps + 1)
            ]
            + [
                ParliamentaryMember(
                    contest=contest,
                    name=f"MEP {number:02d}",
                    kind=ParliamentaryKind.MEP,
                    constituency=EUROPEAN_REGIONS[(number - 1) % len(EUROPEAN_REGIONS)],
                )
                for number in range(1, meps + 1)
            ]
        )
    free = {
        kind: list(
            ParliamentaryMember.objects.filter(contest=contest, kind=kind).order_by("name", "pk")
        )
        for kind in ParliamentaryKind.values
    }
    nominations = []
    for name, counts in sorted(parliamentary.items()):
        for kind, key in ((ParliamentaryKind.MP, "mps"), (ParliamentaryKind.MEP, "meps")):
            wanted = int(counts.get(key, 0))
            if wanted > len(free[kind]):
                raise ServiceError(
                    f"{name} has {wanted} nominations from {key.upper()} but only "
                    f"{len(free[kind])} are left on the list; the list is too short."
                )
            chosen, free[kind] = free[kind][:wanted], free[kind][wanted:]
            nominations += [
                ParliamentaryNomination(
                    contest=contest,
                    member=member,
                    candidate=candidates[name],
                    recorded_at=contest.nominations_opened_at or _noon(dt.date(2016, 7, 20)),
                )
                for member in chosen
            ]
    ParliamentaryNomination.objects.bulk_create(nominations)
    total = ParliamentaryMember.objects.filter(contest=contest).count()
    return total, len(nominations)


def _plausible_votes(
    rng: random.Random, nominee: Candidate, others: list[Candidate]
) -> tuple[int, int, dict[int, int]]:
    """Return (attendance, abstentions, votes) for a meeting that the nominee clearly wins."""
    attendance = rng.randint(40, 320)
    abstentions = rng.randint(0, max(1, attendance // 40))
    cast = attendance - abstentions
    winner = math.floor(cast * rng.uniform(0.52, 0.82))
    votes = {nominee.pk: winner}
    left = cast - winner
    for index, other in enumerate(others):
        share = left if index == len(others) - 1 else rng.randint(0, left)
        votes[other.pk] = min(share, winner - 1)
        left -= votes[other.pk]
    abstentions += left  # anything not given to another candidate counts as an abstention
    return attendance, abstentions, votes


def _load_branches(
    contest: Contest,
    totals: dict[str, int],
    reported: list[dict[str, Any]],
    candidates: dict[str, Candidate],
    rng: random.Random,
    held_on: dt.date,
) -> int:
    """Record the reported meetings as published, then plausible ones up to the totals."""
    remaining = {name: int(count) for name, count in totals.items()}
    used: set[int] = set()
    nominating = list(candidates.values())
    by_id = {c.pk: c for c in nominating}
    recorded = 0
    for line, report in enumerate(reported, start=1):
        branch = _branch_named(str(report["branch"]))
        votes = {candidates[name].pk: int(count) for name, count in report["votes"].items()}
        abstentions = int(report.get("abstentions", 0))
        attendance = int(report.get("attended", sum(votes.values()) + abstentions))
        figures = MeetingFigures(
            held_on=held_on, attendance=attendance, abstentions=abstentions, votes=votes
        )
        try:
            outcome, nominee = _check_figures(
                contest, branch, figures, by_id, eligible_members=None
            )
        except ServiceError as error:
            raise ServiceError(f"branch_meetings_reported, entry {line}: {error.message}") from None
        _write_meeting(
            contest=contest,
            branch=branch,
            figures=figures,
            outcome=outcome,
            nominee=nominee,
            actor=None,
            correction_reason="",
            audit=False,
        )
        used.add(branch.pk)
        recorded += 1
        if nominee is not None:
            if remaining.get(nominee.name, 0) <= 0:
                raise ServiceError(
                    f"branch_meetings_reported, entry {line}: {branch.name} nominated "
                    f"{nominee.name}, more branches than branch_supporting_nominations gives."
                )
            remaining[nominee.name] -= 1
    needed = sum(remaining.values())
    branches = _spare_branches(contest, used, needed)
    queue = [name for name in sorted(remaining) for _ in range(remaining[name])]
    rng.shuffle(queue)
    for branch, name in zip(branches, queue, strict=True):
        nominee = candidates[name]
        others = [c for c in nominating if c.pk != nominee.pk]
        attendance, abstentions, votes = _plausible_votes(rng, nominee, others)
        figures = MeetingFigures(
            held_on=held_on, attendance=attendance, abstentions=abstentions, votes=votes
        )
        outcome, decided = _check_figures(contest, branch, figures, by_id, eligible_members=None)
        if decided != nominee:
            raise AssertionError(f"generated figures for {branch} do not nominate {name}")
        _write_meeting(
            contest=contest,
            branch=branch,
            figures=figures,
            outcome=outcome,
            nominee=decided,
            actor=None,
            correction_reason="",
            audit=False,
        )
        recorded += 1
    return recorded


def _branch_named(name: str) -> Branch:
    branch = Branch.objects.filter(name__iexact=name).first()
    if branch is not None:
        return branch
    return Branch.objects.create(code=slugify(name)[:40], name=name)


def _spare_branches(contest: Contest, used: set[int], needed: int) -> list[Branch]:
    """Return ``needed`` branches without a meeting: existing ones first, then new ones."""
    branches = list(
        Branch.objects.exclude(pk__in=used)
        .exclude(nomination_meetings__contest=contest)
        .order_by("name")[:needed]
    )
    number = 0
    while len(branches) < needed:
        number += 1
        code = f"branch-{number:03d}"
        if Branch.objects.filter(code=code).exists():
            continue
        branches.append(Branch.objects.create(code=code, name=f"Branch {number:03d}"))
    return branches


def _load_affiliates(
    contest: Contest, totals: dict[str, int], candidates: dict[str, Candidate]
) -> int:
    needed = sum(int(count) for count in totals.values())
    affiliates = list(Affiliate.objects.order_by("name")[:needed])
    number = 0
    while len(affiliates) < needed:
        number += 1
        code = f"affiliate-{number:02d}"
        if Affiliate.objects.filter(code=code).exists():
            continue
        affiliates.append(Affiliate.objects.create(code=code, name=f"Affiliate {number:02d}"))
    queue = iter(affiliates)
    rows = [
        AffiliateNomination(
            contest=contest,
            affiliate=next(queue),
            candidate=candidates[name],
            recorded_at=contest.nominations_opened_at or _noon(dt.date(2016, 8, 15)),
        )
        for name in sorted(totals)
        for _ in range(int(totals[name]))
    ]
    AffiliateNomination.objects.bulk_create(rows)
    return len(rows)
