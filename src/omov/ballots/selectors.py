"""Reads of the ballot: aggregates only while voting, receipts after the close, trackers."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from omov.ballots.models import (
    Ballot,
    BallotBox,
    BatchStage,
    Credential,
    Delivery,
    EncryptedBallot,
    KeyingStatus,
    PaperKeying,
    PaperOutcome,
    PaperRecord,
    PostalBatch,
    RejectedReason,
    SpoiltReason,
)
from omov.ballots.services.sending import REMIND_JOB, SEND_JOB
from omov.contests.models import Contest, ContestStatus
from omov.electorate.models import Category
from omov.jobs.models import Job
from omov.trustees.selectors import ballots_channels, record_of

#: The words a page shows for a stored paper reason (spoilt and rejected reasons share a column).
_REASON_LABELS = {**dict(SpoiltReason.choices), **dict(RejectedReason.choices)}


def turnout_summary(contest: Contest) -> dict[str, Any]:
    """Return {issued, voted, by_category: {category: {issued, voted, label}}}: aggregates only."""
    rows = (
        Credential.objects.filter(contest=contest)
        .values("category")
        .annotate(issued=Count("id"), voted=Count("id", filter=Q(has_voted=True)))
        .order_by("category")
    )
    labels = dict(Category.choices)
    by_category = {
        row["category"]: {
            "issued": row["issued"],
            "voted": row["voted"],
            "label": labels.get(row["category"], row["category"]),
        }
        for row in rows
    }
    return {
        "issued": sum(row["issued"] for row in by_category.values()),
        "voted": sum(row["voted"] for row in by_category.values()),
        "by_category": by_category,
    }


def delivery_progress(contest: Contest) -> dict[str, dict[str, Any]]:
    """Return, per delivery (email, letter), how many credentials exist and how many went out."""
    rows = (
        Credential.objects.filter(contest=contest)
        .values("delivery")
        .annotate(total=Count("id"), done=Count("id", filter=Q(issued_at__isnull=False)))
    )
    labels = dict(Delivery.choices)
    progress: dict[str, dict[str, Any]] = {
        value: {"total": 0, "done": 0, "percent": 0, "label": labels[value]}
        for value in Delivery.values
    }
    for row in rows:
        total, done = row["total"], row["done"]
        progress[row["delivery"]] = {
            "total": total,
            "done": done,
            "percent": (100 * done // total) if total else 0,
            "label": labels.get(row["delivery"], row["delivery"]),
        }
    return progress


def published_receipts(contest: Contest) -> list[str]:
    """Return every receipt of a closed contest, sorted, so each voter can find theirs."""
    if not contest.has_reached(ContestStatus.CLOSED):
        return []
    return list(
        Ballot.objects.filter(contest=contest).order_by("receipt").values_list("receipt", flat=True)
    )


def receipt_is_published(contest: Contest, receipt: str) -> bool:
    """Return True when ``receipt`` is among a closed contest's published receipts."""
    if not contest.has_reached(ContestStatus.CLOSED):
        return False
    return Ballot.objects.filter(contest=contest, receipt=receipt).exists()


def paper_summary(contest: Contest) -> dict[str, Any]:
    """Return counts of spoilt and rejected papers by reason, and keyings in progress."""
    records = (
        PaperRecord.objects.filter(contest=contest)
        .values("outcome", "reason")
        .annotate(number=Count("id"))
        .order_by("outcome", "reason")
    )
    keyings = (
        PaperKeying.objects.filter(batch__contest=contest)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    outcomes = dict(PaperOutcome.choices)
    return {
        "records": [
            {
                **row,
                "outcome_label": outcomes.get(row["outcome"], row["outcome"]),
                "reason_label": _REASON_LABELS.get(row["reason"], row["reason"]),
            }
            for row in records
        ],
        "keyings": {row["status"]: row["n"] for row in keyings},
    }


def mismatched_papers(contest: Contest) -> list[PaperKeying]:
    """Return the ballot papers whose two keyings differ, by batch and paper, for a supervisor."""
    return list(
        PaperKeying.objects.filter(batch__contest=contest, status=KeyingStatus.MISMATCH)
        .select_related("batch", "first_operator", "second_operator")
        .order_by("batch__number", "paper_number")
    )


def postal_batches(contest: Contest) -> list[PostalBatch]:
    """Return every postal batch of a contest, by number, with who started it."""
    return list(
        PostalBatch.objects.filter(contest=contest).select_related("created_by").order_by("number")
    )


def postal_batch(contest: Contest, number: int) -> PostalBatch | None:
    return PostalBatch.objects.filter(contest=contest, number=number).first()


def batches_to_reconcile(contest: Contest) -> list[PostalBatch]:
    """Return the batches whose ballot papers and declarations differ in number."""
    return list(
        PostalBatch.objects.filter(contest=contest, stage=BatchStage.COUNT_MISMATCH).order_by(
            "number"
        )
    )


def ballot_box(contest: Contest) -> BallotBox | None:
    return BallotBox.objects.filter(contest=contest).first()


def contest_has_trustees(contest: Contest) -> bool:
    """Whether the contest's ballots are encrypted to trustees' joint key (decision 0017)."""
    return record_of(contest) is not None


def tracker_status(contest: Contest, tracker: str) -> str:
    """Where a ballot with this tracker is: ``record`` (in the election record's ballots entry
    for its channel), ``stored`` (cast, waiting for the close's job), or ``""`` (not found)."""
    channel = (
        EncryptedBallot.objects.filter(contest=contest, tracker=tracker)
        .values_list("channel", flat=True)
        .first()
    )
    if channel is None:
        return ""
    return "record" if channel in ballots_channels(contest) else "stored"


def delivery_jobs(contest: Contest, *, most: int = 5) -> list[Job]:
    """The contest's latest credential-email and reminder jobs, newest first, for the office."""
    kinds = (SEND_JOB, REMIND_JOB)
    return list(Job.objects.filter(contest=contest, kind__in=kinds).order_by("-pk")[:most])
