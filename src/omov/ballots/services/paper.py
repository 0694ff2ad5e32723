"""Postal ballots in two stages, as in the two-envelope practice of postal voting.

1. **Declarations.** Returned envelopes are put in a numbered batch (one voter category per
   batch). Each envelope's declaration carries the voter's ballot reference; it is checked (a
   voter of this contest and of the batch's category, not voted yet) and its voter is marked as
   voted, and the batch counts one more accepted declaration. The small ballot envelope inside
   stays sealed. A declaration from a voter who had already voted (online, or an earlier paper)
   is rejected as "already voted", once per voter however often it is scanned.
2. **Ballot papers.** When every declaration of the batch is checked, the declarations are put
   away and the ballot envelopes are opened together; the papers are mixed, counted and numbered
   1, 2, 3 … in the mixed order. Their number must equal the accepted declarations (a difference
   goes to a supervisor). Each paper is keyed twice, blind, by two different operators, by its
   number in the batch; a supervisor settles papers whose keyings differ. A settled paper becomes
   a sealed ballot (channel ``paper``, the batch's category) or a spoilt-paper record.

A ballot paper carries no reference, so nothing the keying stores can name a voter: a pending
keying holds a fingerprint under the batch's own secret, destroyed once the batch is settled.
Rule for a voter who votes twice: whichever is recorded first stands (the online vote, or the
paper's accepted declaration). See docs/decisions/0010-postal-voting.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max

from omov.ballots import crypto
from omov.ballots.models import (
    BallotBox,
    BatchStage,
    Credential,
    KeyingStatus,
    PaperKeying,
    PaperOutcome,
    PaperRecord,
    PostalBatch,
    RejectedReason,
    SpoiltReason,
)
from omov.ballots.services.encrypted import encrypted_ballot_make
from omov.ballots.services.voting import (
    _ballot_insert,
    _mark_voted,
    _random_uuid,
    _seal,
    ranking_validate,
)
from omov.contests.models import Contest, ContestStatus
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.services import audit_record
from omov.electorate.models import Category

#: Fewest declarations a batch must hold before its ballot papers are opened (see 0010).
DEFAULT_BATCH_MINIMUM = 20


@dataclass(frozen=True)
class PaperResult:
    """What happened to a declaration or a keyed paper, in words for the operator."""

    status: str  # accepted | rejected | awaiting_second | mismatch | ballot | spoilt
    message: str


def batch_minimum() -> int:
    """Return the fewest declarations a batch needs before it is opened (a setting)."""
    return int(getattr(settings, "OMOV_POSTAL_BATCH_MINIMUM", DEFAULT_BATCH_MINIMUM))


def _require_open(contest: Contest) -> None:
    if contest.status != ContestStatus.BALLOT_OPEN:
        raise ServiceError("Returned papers are handled while the ballot is open.")


def _clean_reference(reference: str) -> str:
    cleaned = crypto.normalise(reference)
    if not crypto.is_well_formed_reference(cleaned):
        raise ServiceError(
            "A ballot reference is 10 letters and numbers, as printed on the declaration "
            "(for example ABCDE-12345)."
        )
    return cleaned


def _locked_batch(contest: Contest, number: int) -> PostalBatch:
    batch = PostalBatch.objects.select_for_update().filter(contest=contest, number=number).first()
    if batch is None:
        raise ServiceError(f"There is no batch {number} in this contest; check the batch number.")
    return batch


def _category_label(category: str) -> str:
    return str(dict(Category.choices).get(category, category))


# -- Batches and declarations ----------------------------------------------------------------


def postal_batch_create(*, contest: Contest, actor: Any, category: str) -> PostalBatch:
    """Start a new batch of returned envelopes of one voter category; return it."""
    _require_open(contest)
    if category not in Category.values:
        raise ServiceError("Choose the category of the voters whose envelopes are in this batch.")
    with transaction.atomic():
        # Numbering under a lock on the contest row, so two operators never get the same number.
        Contest.objects.select_for_update().filter(pk=contest.pk).first()
        highest = PostalBatch.objects.filter(contest=contest).aggregate(n=Max("number"))["n"]
        batch = PostalBatch.objects.create(
            contest=contest,
            number=(highest or 0) + 1,
            category=category,
            created_by=actor,
            created_at=clock.now(),
        )
        audit_record(
            action="postal.batch_create",
            summary=f"Started postal batch {batch.number} ({_category_label(category)})",
            actor=actor,
            contest=contest,
            data={"batch": batch.number, "category": category},
        )
    return batch


def postal_declaration_accept(
    *, contest: Contest, actor: Any, batch_number: int, reference: str
) -> PaperResult:
    """Check one returned declaration and mark its voter as voted; the batch counts it.

    The ballot envelope that came with it stays sealed in the batch's tray until the whole
    batch is opened (``postal_batch_separate``).
    """
    _require_open(contest)
    reference = _clean_reference(reference)
    display = f"{reference[:5]}-{reference[5:]}"
    with transaction.atomic():
        batch = _locked_batch(contest, batch_number)
        if batch.stage != BatchStage.DECLARATIONS:
            raise ServiceError(
                f"The ballot envelopes of batch {batch.number} have been opened; put this "
                "envelope in a new batch."
            )
        credential = Credential.objects.filter(
            contest=contest, reference_hash=crypto.reference_hash(reference)
        ).first()
        if credential is None:
            raise ServiceError(
                f"No voter in this contest has the ballot reference {display}. Check the "
                "reference on the declaration; if it is right, record the envelope as rejected "
                "(reference not recognised)."
            )
        if credential.category != batch.category:
            raise ServiceError(
                f"This voter is a {_category_label(credential.category).lower()}; batch "
                f"{batch.number} holds {_category_label(batch.category).lower()} envelopes only. "
                "Put the envelope in a batch for its category."
            )
        if credential.has_voted or not _mark_voted(credential.pk):
            return _reject_already_voted(contest=contest, credential=credential, actor=actor)
        PostalBatch.objects.filter(pk=batch.pk).update(
            declarations_accepted=F("declarations_accepted") + 1
        )
        audit_record(
            action="postal.declaration",
            summary=f"Accepted a declaration into postal batch {batch.number}",
            actor=actor,
            contest=contest,
            target=credential,
            data={"batch": batch.number},
        )
    return PaperResult(
        "accepted",
        f"Declaration {display} accepted and its voter marked as voted. Put the sealed ballot "
        f"envelope in the tray of batch {batch.number} and the declaration with the checked "
        "declarations.",
    )


def _reject_already_voted(*, contest: Contest, credential: Credential, actor: Any) -> PaperResult:
    """Record one "already voted" rejection per voter, however often their paper is scanned.

    The flag is set by a conditional update, so two operators scanning the same declaration at
    once still record it once; the rejected count published with the result counts papers, not
    scans (issue 8, item 12).
    """
    is_first = Credential.objects.filter(pk=credential.pk, has_rejected_paper=False).update(
        has_rejected_paper=True
    )
    if not is_first:
        return PaperResult(
            "rejected",
            "This voter has already voted and their paper is already recorded as rejected; "
            "it is not counted again. Put the envelope, unopened, with the rejected papers.",
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
        "rejected",
        "This voter has already voted, so the paper is rejected (already voted). Put the "
        "envelope, unopened, with the rejected papers.",
    )


def postal_batch_separate(
    *,
    contest: Contest,
    actor: Any,
    batch_number: int,
    papers_found: int,
    small_batch_note: str = "",
) -> PostalBatch:
    """Close a batch's declarations and record how many ballot papers its envelopes held.

    Called once the declarations are put away and the ballot envelopes opened and the papers
    mixed. Equal numbers start the keying (papers numbered 1 … N); a difference stops the batch
    for a supervisor (``postal_batch_reconcile``). A batch smaller than the minimum is opened
    only with a supervisor's note (the caller checks the role), since its few papers would be
    traceable to its few voters.
    """
    _require_open(contest)
    if papers_found < 0:
        raise ServiceError("Give the number of ballot papers found, 0 or more.")
    note = " ".join(small_batch_note.split())
    with transaction.atomic():
        batch = _locked_batch(contest, batch_number)
        if batch.stage != BatchStage.DECLARATIONS:
            raise ServiceError(f"The ballot envelopes of batch {batch.number} are already open.")
        accepted = batch.declarations_accepted
        if accepted == 0:
            raise ServiceError(
                f"Batch {batch.number} has no accepted declaration, so it has no ballot envelope "
                "to open. Check the declarations first."
            )
        if accepted < batch_minimum() and not note:
            raise ServiceError(
                f"Batch {batch.number} has only {accepted} accepted declarations; open a batch "
                f"once it has at least {batch_minimum()}, so its papers cannot be traced to a "
                "few voters. If no more envelopes will come, a supervisor can open it with a "
                "note."
            )
        batch.papers_found = papers_found
        batch.separated_at = clock.now()
        if papers_found == accepted:
            _start_keying(batch, papers_found)
        else:
            batch.stage = BatchStage.COUNT_MISMATCH
        batch.save()
        audit_record(
            action="postal.batch_separate",
            summary=(
                f"Opened the ballot envelopes of postal batch {batch.number}: {papers_found} "
                f"ballot papers for {accepted} declarations"
            ),
            actor=actor,
            contest=contest,
            reason=note,
            data={"batch": batch.number, "declarations": accepted, "papers": papers_found},
        )
    return batch


def _start_keying(batch: PostalBatch, papers: int) -> None:
    batch.papers_to_key = papers
    if papers == 0:
        _settle_batch_fields(batch)
        return
    batch.stage = BatchStage.KEYING
    batch.keying_secret = crypto.keying_secret_generate()


def _settle_batch_fields(batch: PostalBatch) -> None:
    batch.stage = BatchStage.SETTLED
    batch.keying_secret = None
    batch.settled_at = clock.now()


def postal_batch_reconcile(
    *, contest: Contest, supervisor: Any, batch_number: int, papers_counted: int, note: str
) -> PostalBatch:
    """Settle a batch whose ballot papers and declarations differ in number, after a recount.

    Fewer papers than declarations: the missing ones are recorded as spoilt (no ballot paper in
    the envelope; their voters are already marked). More papers: the supervisor draws the surplus
    face down, unread, and they are recorded as rejected (no declaration). Either way the batch
    then keys as many papers as it has declarations, or fewer.
    """
    _require_open(contest)
    note = " ".join(note.split())
    if not note:
        raise ServiceError("Say how the numbers were checked and what was found (a note).")
    if papers_counted < 0:
        raise ServiceError("Give the number of ballot papers counted, 0 or more.")
    with transaction.atomic():
        batch = _locked_batch(contest, batch_number)
        if batch.stage != BatchStage.COUNT_MISMATCH:
            raise ServiceError(f"Batch {batch.number} has no difference to reconcile.")
        accepted = batch.declarations_accepted
        missing = max(accepted - papers_counted, 0)
        surplus = max(papers_counted - accepted, 0)
        PaperRecord.objects.bulk_create(
            [
                PaperRecord(
                    id=_random_uuid(),
                    contest=contest,
                    outcome=PaperOutcome.SPOILT,
                    reason=SpoiltReason.NO_BALLOT_PAPER,
                )
                for _ in range(missing)
            ]
            + [
                PaperRecord(
                    id=_random_uuid(),
                    contest=contest,
                    outcome=PaperOutcome.REJECTED,
                    reason=RejectedReason.NO_DECLARATION,
                )
                for _ in range(surplus)
            ]
        )
        _start_keying(batch, min(accepted, papers_counted))
        batch.save()
        audit_record(
            action="postal.batch_reconcile",
            summary=(
                f"Reconciled postal batch {batch.number}: {papers_counted} ballot papers counted "
                f"for {accepted} declarations ({missing} missing, {surplus} set aside)"
            ),
            actor=supervisor,
            contest=contest,
            reason=note,
            data={
                "batch": batch.number,
                "declarations": accepted,
                "papers_found": batch.papers_found,
                "papers_counted": papers_counted,
                "missing": missing,
                "surplus": surplus,
            },
        )
    return batch


# -- Keying the ballot papers ----------------------------------------------------------------


def _paper_detail(contest: Contest, outcome: str, ranking: Sequence[int], reason: str) -> str:
    if outcome == PaperOutcome.BALLOT:
        return ",".join(str(pk) for pk in ranking_validate(contest.pk, ranking))
    if outcome == PaperOutcome.SPOILT:
        if reason not in SpoiltReason.values or reason == SpoiltReason.NO_BALLOT_PAPER:
            raise ServiceError("Choose why the paper is spoilt.")
        return reason
    raise ServiceError("A keyed paper is either a valid ballot paper or a spoilt paper.")


def _keying_batch(contest: Contest, batch_number: int, paper_number: int) -> PostalBatch:
    batch = _locked_batch(contest, batch_number)
    if batch.stage == BatchStage.SETTLED:
        raise ServiceError(f"Every paper of batch {batch.number} is settled already.")
    if batch.stage != BatchStage.KEYING:
        raise ServiceError(
            f"The ballot papers of batch {batch.number} are not ready for keying: "
            f"{batch.get_stage_display().lower()}."
        )
    if not 1 <= paper_number <= (batch.papers_to_key or 0):
        raise ServiceError(
            f"Batch {batch.number} has papers numbered 1 to {batch.papers_to_key}; check the "
            "number written on the paper."
        )
    return batch


def _settle_paper(
    *, contest: Contest, batch: PostalBatch, outcome: str, ranking: Sequence[int], reason: str
) -> PaperResult:
    """Store a settled paper as a sealed ballot or a spoilt record; settle the batch if last."""
    if outcome == PaperOutcome.BALLOT:
        box = BallotBox.objects.get(contest=contest)
        if box.has_trustees:  # encrypted to the trustees' joint key, like an online ballot
            checked = ranking_validate(contest.pk, ranking)
            _ballot_insert(encrypted_ballot_make(box, checked, batch.category, "paper"))
        else:
            shape = (bytes(box.public_key), tuple(box.candidate_ids), box.payload_length)
            _ballot_insert(_seal(contest.pk, list(ranking), batch.category, "paper", shape))
        # On PostgreSQL the insert waits while a close holds the ballot table; re-read the status.
        if not Contest.objects.filter(pk=contest.pk, status=ContestStatus.BALLOT_OPEN).exists():
            raise ServiceError("The ballot has closed; this paper can no longer be counted.")
        result = PaperResult("ballot", "The paper is settled and stored for the count.")
    else:
        PaperRecord.objects.create(
            id=_random_uuid(), contest=contest, outcome=PaperOutcome.SPOILT, reason=reason
        )
        result = PaperResult("spoilt", "The paper is settled and recorded as spoilt.")
    batch.papers_settled += 1
    if batch.papers_settled == batch.papers_to_key:
        _settle_batch_fields(batch)
        PaperKeying.objects.filter(batch=batch).delete()
        audit_record(
            action="postal.batch_settled",
            summary=f"Every ballot paper of postal batch {batch.number} is settled",
            contest=contest,
            data={"batch": batch.number, "papers": batch.papers_to_key},
        )
        result = PaperResult(
            result.status, result.message + f" That was the last paper of batch {batch.number}."
        )
    batch.save()
    return result


def paper_key(
    *,
    contest: Contest,
    operator: Any,
    batch_number: int,
    paper_number: int,
    outcome: str,
    ranking: Sequence[int] = (),
    reason: str = "",
) -> PaperResult:
    """Key one ballot paper of a batch: the first keying waits; a matching second settles it.

    The second operator is not shown the first keying, and must be a different person. Neither
    keying stores the preferences: only a fingerprint under the batch's secret.
    """
    _require_open(contest)
    detail = _paper_detail(contest, outcome, ranking, reason)
    with transaction.atomic():
        batch = _keying_batch(contest, batch_number, paper_number)
        fingerprint = crypto.keying_fingerprint(
            bytes(batch.keying_secret or b""), paper_number, outcome, detail
        )
        paper = f"paper {paper_number} of batch {batch.number}"
        keying = PaperKeying.objects.filter(batch=batch, paper_number=paper_number).first()
        if keying is None:
            PaperKeying.objects.create(
                id=_random_uuid(),
                batch=batch,
                paper_number=paper_number,
                first_operator=operator,
                first_fingerprint=fingerprint,
            )
            audit_record(
                action="paper.key_first",
                summary=f"First keying of {paper}",
                actor=operator,
                contest=contest,
                data={"batch": batch.number, "paper": paper_number},
            )
            return PaperResult(
                "awaiting_second",
                f"First keying of {paper} saved. A different operator must now key it.",
            )
        if keying.status == KeyingStatus.SETTLED:
            raise ServiceError(f"The {paper} is settled already; take the next paper.")
        if keying.status == KeyingStatus.MISMATCH:
            raise ServiceError(
                f"The two keyings of {paper} differ; it waits for a supervisor. Put it in the "
                "supervisor's tray."
            )
        if keying.first_operator_id == operator.pk:
            raise ServiceError(
                "You keyed this paper first; a different operator must key the second entry."
            )
        keying.second_operator = operator
        if keying.first_fingerprint != fingerprint:
            keying.status = KeyingStatus.MISMATCH
            keying.second_fingerprint = fingerprint
            keying.save(update_fields=["status", "second_operator", "second_fingerprint"])
            audit_record(
                action="paper.mismatch",
                summary=f"The two keyings of {paper} differ",
                actor=operator,
                contest=contest,
                data={"batch": batch.number, "paper": paper_number},
            )
            return PaperResult(
                "mismatch",
                "The two keyings differ. The paper goes to a supervisor, who will key it again.",
            )
        keying.status = KeyingStatus.SETTLED
        keying.first_fingerprint = keying.second_fingerprint = ""
        keying.save(
            update_fields=["status", "second_operator", "first_fingerprint", "second_fingerprint"]
        )
        result = _settle_paper(
            contest=contest, batch=batch, outcome=outcome, ranking=ranking, reason=reason
        )
        audit_record(
            action="paper.settle",
            summary=f"Settled {paper} after two matching keyings",
            actor=operator,
            contest=contest,
            data={"batch": batch.number, "paper": paper_number},
        )
        return result


def paper_resolve(
    *,
    contest: Contest,
    supervisor: Any,
    batch_number: int,
    paper_number: int,
    outcome: str,
    ranking: Sequence[int] = (),
    reason: str = "",
    note: str = "",
) -> PaperResult:
    """Settle a paper whose keyings differ, from the supervisor's own keying of the paper."""
    _require_open(contest)
    _paper_detail(contest, outcome, ranking, reason)
    with transaction.atomic():
        batch = _keying_batch(contest, batch_number, paper_number)
        keying = PaperKeying.objects.filter(
            batch=batch, paper_number=paper_number, status=KeyingStatus.MISMATCH
        ).first()
        if keying is None:
            raise ServiceError(
                "This paper has no differing keyings to resolve; key it as an operator instead."
            )
        keying.status = KeyingStatus.SETTLED
        keying.first_fingerprint = keying.second_fingerprint = ""
        keying.save(update_fields=["status", "first_fingerprint", "second_fingerprint"])
        result = _settle_paper(
            contest=contest, batch=batch, outcome=outcome, ranking=ranking, reason=reason
        )
        audit_record(
            action="paper.resolve",
            summary=(
                f"A supervisor resolved paper {paper_number} of batch {batch.number}: "
                f"{result.status}"
            ),
            actor=supervisor,
            contest=contest,
            reason=note,
            data={"batch": batch.number, "paper": paper_number},
        )
        return result


def paper_reject(*, contest: Contest, actor: Any, reason: str) -> PaperRecord:
    """Record a returned envelope that cannot be accepted (late, no declaration, unknown reference).

    A rejected envelope is not opened, is not a ballot and marks nobody as voted.
    """
    _require_open(contest)
    if reason not in RejectedReason.values:
        raise ServiceError("Choose why the paper is rejected.")
    with transaction.atomic():
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
