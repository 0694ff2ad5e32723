"""Postal ballots: every returned paper is keyed twice, blind, by two different operators.

Two matching keyings settle the paper: a valid paper becomes a sealed ballot (channel ``paper``)
and marks its voter as voted; a spoilt paper is recorded with its reason and also marks the voter
(their paper came back). Keyings that differ wait for a supervisor, who keys the paper once more
from the physical paper, and that keying settles it. Only keyed fingerprints are stored while a
paper waits; the preferences themselves never are.

Rule for a voter who votes twice: whichever vote is recorded first stands. A paper from a voter
who had already voted (online or on paper) is rejected as "already voted"; a voter whose paper
was accepted can no longer vote online.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from omov.ballots import crypto
from omov.ballots.models import (
    Credential,
    KeyingStatus,
    PaperKeying,
    PaperOutcome,
    PaperRecord,
    RejectedReason,
    SpoiltReason,
)
from omov.ballots.services.voting import (
    _mark_voted,
    _random_uuid,
    _seal,
    ranking_validate,
)
from omov.contests.models import Contest, ContestStatus
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.services import audit_record


@dataclass(frozen=True)
class PaperResult:
    """What happened to a keyed paper, in words for the operator."""

    status: str  # awaiting_second | ballot | spoilt | rejected | mismatch
    message: str


def _paper_detail(contest: Contest, outcome: str, ranking: Sequence[int], reason: str) -> str:
    if outcome == PaperOutcome.BALLOT:
        return ",".join(str(pk) for pk in ranking_validate(contest.pk, ranking))
    if outcome == PaperOutcome.SPOILT:
        if reason not in SpoiltReason.values:
            raise ServiceError("Choose why the paper is spoilt.")
        return reason
    raise ServiceError("A keyed paper is either a valid ballot paper or a spoilt paper.")


def _credential_for(contest: Contest, reference: str) -> Credential:
    credential = Credential.objects.filter(
        contest=contest, reference_hash=crypto.reference_hash(reference)
    ).first()
    if credential is None:
        raise ServiceError(
            f"No voter in this contest has the ballot reference {reference[:5]}-{reference[5:]}. "
            "Check the reference on the paper; if it is right, record the paper as rejected "
            "(reference not recognised)."
        )
    return credential


def _clean_reference(reference: str) -> str:
    cleaned = crypto.normalise(reference)
    if not crypto.is_well_formed_reference(cleaned):
        raise ServiceError(
            "A ballot reference is 10 letters and numbers, as printed on the paper "
            "(for example ABCDE-12345)."
        )
    return cleaned


def _require_open(contest: Contest) -> None:
    if contest.status != ContestStatus.BALLOT_OPEN:
        raise ServiceError("Returned papers are keyed while the ballot is open.")


def _settle(
    *, contest: Contest, credential: Credential, outcome: str, ranking: Sequence[int], reason: str
) -> PaperResult:
    """Turn a confirmed keying into a ballot or a spoilt record, or reject it (already voted)."""
    if outcome == PaperOutcome.BALLOT:
        ballot = _seal(contest.pk, list(ranking), credential.category, "paper")
        ballot.save(force_insert=True)
    else:
        PaperRecord.objects.create(
            id=_random_uuid(), contest=contest, outcome=PaperOutcome.SPOILT, reason=reason
        )
    if not _mark_voted(credential.pk):
        raise _AlreadyVoted()  # rolls back the ballot or record inserted above
    if outcome == PaperOutcome.BALLOT:
        return PaperResult("ballot", "The paper is now a ballot.")
    return PaperResult("spoilt", "The paper is recorded as spoilt.")


class _AlreadyVoted(Exception):
    pass


def _settle_or_reject(
    *, contest: Contest, credential: Credential, outcome: str, ranking: Sequence[int], reason: str
) -> PaperResult:
    try:
        with transaction.atomic():
            return _settle(
                contest=contest,
                credential=credential,
                outcome=outcome,
                ranking=ranking,
                reason=reason,
            )
    except _AlreadyVoted:
        return _reject_already_voted(contest=contest, credential=credential, actor=None)


def _reject_already_voted(*, contest: Contest, credential: Credential, actor: Any) -> PaperResult:
    """Record one "already voted" rejection per voter, however often their paper is keyed.

    The flag is set by a conditional update, so two operators keying the same paper at once
    still record it once; the rejected count published with the result counts papers, not
    keyings (issue 8, item 12).
    """
    is_first = Credential.objects.filter(pk=credential.pk, has_rejected_paper=False).update(
        has_rejected_paper=True
    )
    if not is_first:
        return PaperResult(
            "rejected",
            "This voter has already voted and their paper is already recorded as rejected; "
            "it is not counted again. Put the paper with the rejected papers.",
        )
    PaperRecord.objects.create(
        id=_random_uuid(),
        contest=contest,
        outcome=PaperOutcome.REJECTED,
        reason=RejectedReason.ALREADY_VOTED,
    )
    audit_record(
        action="paper.reject",
        summary="Rejected a returned paper: the voter had already voted",
        actor=actor,
        contest=contest,
        data={"reason": RejectedReason.ALREADY_VOTED},
    )
    return PaperResult(
        "rejected", "This voter has already voted, so the paper is rejected (already voted)."
    )


def paper_key(
    *,
    contest: Contest,
    operator: Any,
    reference: str,
    outcome: str,
    ranking: Sequence[int] = (),
    reason: str = "",
) -> PaperResult:
    """Key one returned paper: the first keying waits; a matching second keying settles it.

    The second operator is not shown the first keying, and must be a different person.
    """
    _require_open(contest)
    reference = _clean_reference(reference)
    detail = _paper_detail(contest, outcome, ranking, reason)
    credential = _credential_for(contest, reference)
    fingerprint = crypto.paper_fingerprint(contest.pk, reference, outcome, detail)
    with transaction.atomic():
        keying = (
            PaperKeying.objects.select_for_update()
            .filter(contest=contest, reference=reference)
            .first()
        )
        if keying is None:
            if credential.has_voted:
                return _reject_already_voted(contest=contest, credential=credential, actor=operator)
            PaperKeying.objects.create(
                contest=contest,
                reference=reference,
                first_operator=operator,
                first_fingerprint=fingerprint,
                keyed_at=clock.now(),
            )
            audit_record(
                action="paper.key_first",
                summary=f"First keying of paper {reference}",
                actor=operator,
                contest=contest,
            )
            return PaperResult(
                "awaiting_second",
                "First keying saved. A different operator must now key the same paper.",
            )
        if keying.status == KeyingStatus.MISMATCH:
            raise ServiceError(
                "The two keyings of this paper differ; it waits for a supervisor. Put it in the "
                "supervisor's tray."
            )
        if keying.first_operator_id == operator.pk:
            raise ServiceError(
                "You keyed this paper first; a different operator must key the second entry."
            )
        if keying.first_fingerprint != fingerprint:
            keying.status = KeyingStatus.MISMATCH
            keying.second_operator = operator
            keying.second_fingerprint = fingerprint
            keying.save(update_fields=["status", "second_operator", "second_fingerprint"])
            audit_record(
                action="paper.mismatch",
                summary=f"The two keyings of paper {reference} differ",
                actor=operator,
                contest=contest,
            )
            return PaperResult(
                "mismatch",
                "The two keyings differ. The paper goes to a supervisor, who will key it again.",
            )
        keying.delete()
        result = _settle_or_reject(
            contest=contest, credential=credential, outcome=outcome, ranking=ranking, reason=reason
        )
        audit_record(
            action=f"paper.{result.status}",
            summary="Settled a returned paper after two matching keyings",
            actor=operator,
            contest=contest,
        )
        return result


def paper_resolve(
    *,
    contest: Contest,
    supervisor: Any,
    reference: str,
    outcome: str,
    ranking: Sequence[int] = (),
    reason: str = "",
    note: str = "",
) -> PaperResult:
    """Settle a paper whose keyings differ, from the supervisor's own keying of the paper."""
    _require_open(contest)
    reference = _clean_reference(reference)
    _paper_detail(contest, outcome, ranking, reason)
    credential = _credential_for(contest, reference)
    with transaction.atomic():
        keying = (
            PaperKeying.objects.select_for_update()
            .filter(contest=contest, reference=reference, status=KeyingStatus.MISMATCH)
            .first()
        )
        if keying is None:
            raise ServiceError(
                "This paper has no differing keyings to resolve; key it as an operator instead."
            )
        keying.delete()
        result = _settle_or_reject(
            contest=contest, credential=credential, outcome=outcome, ranking=ranking, reason=reason
        )
        audit_record(
            action="paper.resolve",
            summary=f"A supervisor resolved paper {reference}: {result.status}",
            actor=supervisor,
            contest=contest,
            reason=note,
        )
        return result


def paper_reject(*, contest: Contest, actor: Any, reason: str, reference: str = "") -> PaperRecord:
    """Record a returned paper that cannot be accepted (late, no declaration, unknown reference).

    A rejected paper is not a ballot and does not mark anyone as voted. A keying in progress for
    the same reference is discarded.
    """
    _require_open(contest)
    if reason not in RejectedReason.values:
        raise ServiceError("Choose why the paper is rejected.")
    with transaction.atomic():
        if reference:
            PaperKeying.objects.filter(
                contest=contest, reference=crypto.normalise(reference)
            ).delete()
        record = PaperRecord.objects.create(
            id=_random_uuid(), contest=contest, outcome=PaperOutcome.REJECTED, reason=reason
        )
        audit_record(
            action="paper.reject",
            summary=f"Rejected a returned paper: {RejectedReason(reason).label.lower()}",
            actor=actor,
            contest=contest,
            data={"reason": reason},
        )
    return record
