"""Reads of results: the stored result, and the declaration as people read it.

The declaration is built from the stored report alone (never by recounting), so the page, the
PDF and the exports always show exactly what was counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from omov.ballots.models import RejectedReason, SpoiltReason
from omov.ballots.selectors import turnout_summary
from omov.contests.models import Contest, ContestStatus
from omov.contests.published import DeclaredFigures
from omov.core.selectors import AuditMark, audit_mark
from omov.electorate.models import Category
from omov.results.charts import Chart, chart, votes_text
from omov.results.models import Result
from omov.results.services import ordered_categories
from omov.trustees.selectors import head_hash, record_of

CATEGORY_LABELS: dict[str, str] = {
    "member": "Members",
    "registered_supporter": "Registered supporters",
    "affiliated_supporter": "Affiliated supporters",
}


def result_for(contest: Contest) -> Result | None:
    """Return the contest's stored result, or None before the count."""
    return Result.objects.select_related("contest", "counted_by").filter(contest=contest).first()


def percent(part: Decimal | int, whole: Decimal | int) -> str:
    """Return ``part`` as a percentage of ``whole`` to one decimal place (half up), e.g. 61.8."""
    if not whole:
        return "0.0"
    value = Decimal(part) * 100 / Decimal(whole)
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def category_label(name: str) -> str:
    """Return the plural label of a voter category (its own name for unknown categories)."""
    if name in CATEGORY_LABELS:
        return CATEGORY_LABELS[name]
    try:
        return f"{Category(name).label}s"
    except ValueError:
        return name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class CandidateLine:
    name: str
    votes: str
    percent: str
    transfer: str
    is_elected: bool
    is_excluded: bool
    is_gain: bool
    is_loss: bool


@dataclass(frozen=True)
class RoundView:
    number: int
    lines: tuple[CandidateLine, ...]
    exhausted: str
    continuing: str
    quota: str | None
    elected: tuple[str, ...]
    excluded: tuple[str, ...]
    reason: str
    tie_break: str | None
    votes_chart: Chart
    transfers_chart: Chart | None


@dataclass(frozen=True)
class CategoryRow:
    name: str
    votes: str
    percent: str


@dataclass(frozen=True)
class CategoryView:
    key: str
    label: str
    rows: tuple[CategoryRow, ...]
    valid: str
    exhausted: str
    issued: str | None
    chart: Chart


@dataclass(frozen=True)
class Declaration:
    """Everything the declaration page, the PDF and the exports show."""

    contest: Contest
    result: Result
    is_declared: bool
    method: str
    seats: int
    elected: tuple[str, ...]
    candidates: tuple[str, ...]
    rounds: tuple[RoundView, ...]
    categories: tuple[CategoryView, ...]
    category_basis: str
    spoilt: tuple[tuple[str, str], ...]
    rejected: tuple[tuple[str, str], ...]
    valid: str
    spoilt_total: str
    rejected_total: str
    issued: str
    returned: str
    turnout_percent: str
    seed: str
    ballots_sha256: str
    # Where the declaration sits in the contest's audit chain (``omov audit verify``): the
    # declaring event's place and hash, or the head so far while not yet declared.
    audit_sequence: int = 0
    audit_hash: str = ""
    # A contest with trustees: the head hash of its election record (every encrypted ballot,
    # both mixes, the decryption shares and the decoded ballots), for `omov verify`.
    record_head: str = ""


def declaration_for(result: Result) -> Declaration:
    """Build the declaration of a stored result (a read: nothing is recounted)."""
    contest = result.contest
    report = result.outcome
    candidates = report.candidates
    elected = report.elected
    excluded_before: set[str] = set()
    rounds: list[RoundView] = []
    for item in report.rounds:
        number = item.number
        votes = item.votes
        transfers = item.transfers
        shown = [name for name in candidates if name not in excluded_before]
        continuing = sum((votes[name] for name in shown), Decimal(0))
        lines = tuple(
            CandidateLine(
                name=name,
                votes=votes_text(votes[name]),
                percent=percent(votes[name], continuing),
                transfer=(
                    "" if number == 1 or not transfers.get(name) else _signed(transfers[name])
                ),
                is_elected=name in item.elected,
                is_excluded=name in item.excluded,
                is_gain=number > 1 and transfers.get(name, Decimal(0)) > 0,
                is_loss=number > 1 and transfers.get(name, Decimal(0)) < 0,
            )
            for name in shown
        )
        votes_chart = chart(
            f"round-{number}-votes",
            f"Votes in round {number}",
            "; ".join(f"{line.name} {line.votes} votes ({line.percent}%)" for line in lines),
            [(name, votes[name], percent(votes[name], continuing)) for name in shown],
        )
        transfers_chart = None
        if number > 1 and transfers:
            moved = [name for name in shown if transfers.get(name)]
            if moved:
                transfers_chart = chart(
                    f"round-{number}-transfers",
                    f"Votes transferred into round {number}",
                    "; ".join(f"{name} {_signed(transfers[name])}" for name in moved),
                    [(name, transfers[name], "") for name in moved],
                )
        rounds.append(
            RoundView(
                number=number,
                lines=lines,
                exhausted=votes_text(item.exhausted),
                continuing=votes_text(continuing),
                quota=None if item.quota is None else votes_text(item.quota),
                elected=item.elected,
                excluded=item.excluded,
                reason=item.reason,
                tie_break=item.tie_break,
                votes_chart=votes_chart,
                transfers_chart=transfers_chart,
            )
        )
        excluded_before.update(item.excluded)
    categories = []
    for key, data in result.categories.items():
        category_votes = {name: int(value) for name, value in data["votes"].items()}
        counted = sum(category_votes.values())
        names = [
            name
            for name in candidates
            if name in category_votes
            and (result.category_basis != "final round" or name not in excluded_before)
        ]
        label = category_label(key)
        rows = tuple(
            CategoryRow(
                name=name,
                votes=votes_text(category_votes[name]),
                percent=percent(category_votes[name], counted),
            )
            for name in names
        )
        issued = result.issued_by_category.get(key)
        categories.append(
            CategoryView(
                key=key,
                label=label,
                rows=rows,
                valid=votes_text(int(data["valid"])),
                exhausted=votes_text(int(data["exhausted"])),
                issued=None if issued is None else votes_text(int(issued)),
                chart=chart(
                    f"category-{key}",
                    f"{label}: votes by candidate ({result.category_basis})",
                    "; ".join(f"{row.name} {row.votes} ({row.percent}%)" for row in rows),
                    [
                        (
                            name,
                            Decimal(category_votes[name]),
                            percent(category_votes[name], counted),
                        )
                        for name in names
                    ],
                ),
            )
        )
    mark = _declaration_audit_mark(contest)
    return Declaration(
        contest=contest,
        result=result,
        is_declared=contest.status == "declared",
        method=result.method,
        seats=result.seats,
        elected=elected,
        candidates=candidates,
        rounds=tuple(rounds),
        categories=tuple(categories),
        category_basis=result.category_basis,
        spoilt=tuple(
            (reason_label(reason), votes_text(int(n)))
            for reason, n in sorted(result.spoilt.items())
        ),
        rejected=tuple(
            (reason_label(reason), votes_text(int(n)))
            for reason, n in sorted(result.rejected.items())
        ),
        valid=votes_text(result.valid),
        spoilt_total=votes_text(result.spoilt_total),
        rejected_total=votes_text(result.rejected_total),
        issued=votes_text(result.credentials_issued),
        returned=votes_text(result.ballots_returned),
        turnout_percent=percent(result.ballots_returned, result.credentials_issued),
        seed=report.seed,
        ballots_sha256=result.ballots_sha256,
        audit_sequence=mark.sequence if mark is not None else 0,
        audit_hash=mark.hash if mark is not None else "",
        record_head=record_head_of(contest),
    )


def record_head_of(contest: Contest) -> str:
    """The head hash of the contest's election record, or "" for a contest without trustees."""
    record = record_of(contest)
    return head_hash(record) if record is not None else ""


def reason_label(reason: str) -> str:
    """Return the words for a spoilt or rejected reason code (the code itself if unknown)."""

    for choices in (SpoiltReason, RejectedReason):
        if reason in choices.values:
            return str(choices(reason).label)
    return reason


def _signed(value: Decimal) -> str:
    return f"+{votes_text(value)}" if value > 0 else f"−{votes_text(-value)}"


def _declaration_audit_mark(contest: Contest) -> AuditMark | None:
    """Return the declaring event of the contest's audit chain (the head so far if undeclared)."""
    return audit_mark(contest, action="results.declare") or audit_mark(contest)


def results_document(result: Result) -> dict[str, Any]:
    """Return the published JSON document (format ``omov.results/1``) of a result.

    It wraps the count's own report (``count``, format ``omov.count/1``) with what the count
    alone cannot know: the categories, spoilt and rejected ballots, and turnout.
    """
    contest = result.contest
    return {
        "format": "omov.results/1",
        "contest": {"slug": contest.slug, "title": contest.title},
        "status": contest.status,
        "counted_at": result.counted_at.isoformat(),
        "declared_at": contest.declared_at.isoformat() if contest.declared_at else None,
        "method": result.method,
        "seats": result.seats,
        "elected": list(result.elected),
        "count": result.report,
        "categories": {
            "basis": result.category_basis,
            "by_category": result.categories,
        },
        "spoilt": {"total": result.spoilt_total, "by_reason": dict(result.spoilt)},
        "rejected": {"total": result.rejected_total, "by_reason": dict(result.rejected)},
        "turnout": {
            "issued": result.credentials_issued,
            "issued_by_category": dict(result.issued_by_category),
            "returned": result.ballots_returned,
            "valid": result.valid,
            "spoilt": result.spoilt_total,
            "rejected": result.rejected_total,
            "percent": percent(result.ballots_returned, result.credentials_issued),
        },
        "ballots": {"format": "blt", "sha256": result.ballots_sha256},
        "audit": _audit_document(contest),
        "record": _record_document(contest),
    }


def _record_document(contest: Contest) -> dict[str, Any] | None:
    """Where the proof of the count is: the election record's head hash (trustees only)."""
    head = record_head_of(contest)
    if not head:
        return None
    return {
        "head": head,
        "download": f"/record/{contest.slug}/record.zip",
        "verify": "omov verify DIR",
    }


def _audit_document(contest: Contest) -> dict[str, Any] | None:
    """Return where the declaration sits in the audit chain, for `omov audit verify`."""
    mark = _declaration_audit_mark(contest)
    if mark is None:
        return None
    return {"chain": "sha256", "sequence": mark.sequence, "hash": mark.hash, "event": mark.action}


@dataclass(frozen=True)
class TurnoutLine:
    label: str
    issued: str
    voted: str
    percent: str


@dataclass(frozen=True)
class Turnout:
    """Turnout so far: credentials issued and voters who have voted, overall and by category."""

    total: TurnoutLine
    by_category: tuple[TurnoutLine, ...]


def turnout_for(contest: Contest) -> Turnout:
    """Return turnout so far (aggregates only: nothing about any one voter or ballot)."""

    summary = turnout_summary(contest)

    def line(label: str, issued: int, voted: int) -> TurnoutLine:
        return TurnoutLine(label, votes_text(issued), votes_text(voted), percent(voted, issued))

    by_category = summary.get("by_category", {})

    return Turnout(
        total=line("All voters", int(summary["issued"]), int(summary["voted"])),
        by_category=tuple(
            line(
                category_label(name),
                int(by_category[name]["issued"]),
                int(by_category[name]["voted"]),
            )
            for name in ordered_categories(by_category)
        ),
    )


def published_figures(contest: Contest) -> DeclaredFigures | None:
    """The declared contest's public figures for other apps (``omov.contests.published``)."""
    if contest.status != ContestStatus.DECLARED:
        return None
    result = result_for(contest)
    if result is None:
        return None
    report = result.outcome
    if not report.rounds:
        return None
    return DeclaredFigures(
        first_round={name: float(value) for name, value in report.rounds[0].votes.items()},
        elected=tuple(result.elected),
        categories={
            name: {candidate: int(votes) for candidate, votes in item.get("votes", {}).items()}
            for name, item in result.categories.items()
        },
        category_basis=result.category_basis,
    )
