"""The files trustees hand in after the ceremony, and the server's own entries: a file's first
line checked at once, mixes and decryption shares checked by jobs, the ballots and the result
appended by the server, and the count blocker that waits for the result."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from omov.contests.models import Contest, ContestStatus
from omov.core.errors import ServiceError
from omov.core.services import audit_record
from omov.jobs.models import Job, JobStatus
from omov.jobs.services import job_start
from omov.trustees import policies, selectors
from omov.trustees.models import ElectionRecord, EntryKind, RecordEntry, Trustee
from omov.trustees.services.ceremony import trustee_key_hand_in
from omov.trustees.services.common import (
    BYTES_PER_CIPHERTEXT,
    CEREMONY_FILE_LIMIT,
    LARGE_KINDS,
    RECORD_BALLOTS_JOB,
    TRUSTEE_KINDS,
    _append,
    _append_checked,
    _json_line,
    _json_object,
    _lines,
    _record_lock,
    _require,
)
from omov.verifiable.ceremony import (
    result_entry,
)
from omov.verifiable.elgamal import Row
from omov.verifiable.record import RecordError, row_to_json, tracker
from omov.verifiable.verifier import RecordState


def file_limit(record: ElectionRecord, kind: str | None = None) -> int:
    """The largest file a trustee may hand in: of ``kind``, or of any kind when None.

    Key-ceremony files are small (``CEREMONY_FILE_LIMIT``); a mix or a decryption grows with
    the ballots in the record (``BYTES_PER_CIPHERTEXT`` each, and the ceremony limit on top).
    """
    if kind is not None and kind not in BYTES_PER_CIPHERTEXT:
        return CEREMONY_FILE_LIMIT
    ciphertexts = selectors.ballots_in_record(record) * selectors.record_width(record)
    per = (
        max(BYTES_PER_CIPHERTEXT.values())
        if kind is None
        else BYTES_PER_CIPHERTEXT[EntryKind(kind)]
    )
    return CEREMONY_FILE_LIMIT + per * ciphertexts


@dataclass(frozen=True)
class HandedIn:
    """What a trustee's file says it is: a public key file, or an entry of ``kind``."""

    kind: str
    name: str


def file_header_check(*, contest: Contest, trustee: Trustee, content: bytes) -> HandedIn:
    """Read a trustee's file's first line and check it is theirs, of a kind they hand in.

    Quick (no proof is checked): the page runs it before queueing a large file, so a file of
    the wrong kind or another trustee's is refused at once. ``record_file_accept`` runs it too.
    """
    if trustee.record.contest_id != contest.pk:
        raise ServiceError(f"Trustee {trustee.number} is not a trustee of {contest.title}.")
    first = _json_object(content.split(b"\n", 1)[0], "line 1 of the file")
    if "kind" not in first and "communication_key" in first:
        kind = "key"
    else:
        stated = first.get("kind")
        if not isinstance(stated, str) or stated not in TRUSTEE_KINDS:
            raise ServiceError(
                f"Line 1 of the file: kind {stated!r} is not a file a trustee hands in (a public "
                "key file, a dealing, a complaint or an answer, a mix or decryption shares from "
                "`omov trustee`)."
            )
        kind = stated
        author = first.get(TRUSTEE_KINDS[EntryKind(kind)])
        if type(author) is not int or author != trustee.number:  # JSON true is not trustee 1
            raise ServiceError(
                f"This {kind} is trustee {author!r}'s ({TRUSTEE_KINDS[EntryKind(kind)]} field), "
                f"not trustee {trustee.number}'s: each trustee hands in only their own files."
            )
    limit = file_limit(trustee.record, None if kind == "key" else kind)
    if len(content) > limit:
        raise ServiceError(
            f"The file is {len(content):,} bytes; a {kind} file for this record is at most "
            f"{limit:,}."
        )
    if kind == "key":
        return HandedIn(kind="key", name="")
    # Named as `omov record append` names it: the dealer (mixer, trustee), then the recipient.
    makers = [first[f] for f in ("dealer", "mixer", "trustee") if isinstance(first.get(f), int)]
    extra = first.get("recipient")
    name = f"{kind}-{makers[0] if makers else trustee.number}" + (
        f"-{extra}" if isinstance(extra, int) else ""
    )
    return HandedIn(kind=kind, name=name)


def record_file_accept(
    *,
    contest: Contest,
    trustee: Trustee,
    content: bytes,
    actor: Any,
    actor_label: str = "",
) -> RecordEntry | Trustee:
    """Check a file ``trustee`` made and add it: their public key, or a record entry.

    ``actor`` is the trustee themself, or the returning officer handing in a file that came by
    other means. An entry must be the trustee's own (its dealer, recipient, mixer or trustee
    field is their number) and must pass every check of ``omov verify`` against the whole
    record; otherwise nothing changes. A mix waits for the ballot's close and for every
    channel's ballots in the record. Once ``t`` trustees' decryption shares are in, the
    server's ``result`` entry (the shares combined, every ballot decoded) follows in the same
    transaction.
    """
    as_trustee = policies.can_act_as_trustee(actor, trustee)
    _require(actor, as_trustee or policies.can_upload_for_trustee(actor, contest))
    handed = file_header_check(contest=contest, trustee=trustee, content=content)
    if handed.kind == "key":
        return trustee_key_hand_in(
            trustee=trustee, content=content, actor=actor, actor_label=actor_label
        )
    kind = EntryKind(handed.kind)
    lines = _lines(content)
    with transaction.atomic():
        record = _record_lock(contest)
        if not record.entries.exists():
            raise ServiceError("The record has not started yet: wait for the returning officer.")
        if kind == EntryKind.MIX:
            _mix_may_start(contest)
        entry, state = _append_checked(record, trustee, kind, handed.name, lines)
        audit_record(
            action=f"record.{kind}",
            summary=f"Added trustee {trustee.number}'s {kind} to the election record",
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=entry,
            data={"file": entry.file, "hash": entry.hash, "trustee": trustee.number},
        )
        if kind == EntryKind.DECRYPTION:
            assert state is not None  # an entry was just checked against it
            _result_append_when_ready(record, contest, actor_label, state)
    return entry


def entry_already_added(*, trustee: Trustee, content: bytes) -> RecordEntry | None:
    """The record's entry made from exactly this file of ``trustee``, if it was added already.

    An entry file holds the handed-in file's non-blank lines, each ending in a line break (as
    ``record_file_accept`` appends them), so its hash says whether this file is in.
    """
    stored = "".join(line + "\n" for line in _lines(content)).encode("utf-8")
    digest = hashlib.sha256(stored).hexdigest()
    return RecordEntry.objects.filter(
        record=trustee.record, trustee=trustee, file_sha256=digest
    ).first()


def trustee_by_number(contest: Contest, number: int) -> Trustee:
    """The contest's trustee ``number``; a clear error when there is none."""
    trustee = Trustee.objects.filter(record__contest=contest, number=number).first()
    if trustee is None:
        raise ServiceError(f"{contest.title} has no trustee {number}.")
    return trustee


def record_file_queue(
    *, contest: Contest, trustee: Trustee, content: bytes, actor: Any, actor_label: str = ""
) -> Job | RecordEntry | Trustee:
    """Hand in a trustee's file from a page: a mix or decryption shares go to a job (checking
    them takes minutes at full size), anything else is checked and added at once.

    The file's first line is checked before anything is queued (whose it is, its kind, its
    size), so a wrong file is refused on the page. The job runs ``record_file_accept``.
    """
    as_trustee = policies.can_act_as_trustee(actor, trustee)
    _require(actor, as_trustee or policies.can_upload_for_trustee(actor, contest))
    handed = file_header_check(contest=contest, trustee=trustee, content=content)
    if handed.kind not in {str(kind) for kind in LARGE_KINDS}:
        return record_file_accept(
            contest=contest, trustee=trustee, content=content, actor=actor, actor_label=actor_label
        )
    if handed.kind == EntryKind.MIX:
        _mix_may_start(contest)
    return job_start(
        kind="record.file",
        summary=f"Check trustee {trustee.number}'s {handed.kind} for {contest.title}",
        contest=contest,
        actor=actor,
        actor_label=actor_label,
        arguments={"trustee": trustee.number, "kind": handed.kind},
        file_name=f"{handed.name}.jsonl",
        file_content=content,
    )


def _mix_may_start(contest: Contest) -> None:
    contest.refresh_from_db()
    if not contest.has_reached(ContestStatus.CLOSED):
        raise ServiceError(
            "The ballots are mixed after the ballot closes: it is still open, so more ballots "
            "may come."
        )
    waiting = Job.objects.filter(
        contest=contest,
        kind=RECORD_BALLOTS_JOB,
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
    ).first()
    if waiting is not None:
        raise ServiceError(
            f"The ballots are still being added to the record (job {waiting.pk}); mix once "
            "it has finished."
        )
    if not selectors.ballots_channels(contest):
        raise ServiceError("The record holds no ballots yet: the close adds them.")


def _result_append_when_ready(
    record: ElectionRecord, contest: Contest, actor_label: str, state: RecordState
) -> None:
    """Append the server's ``result`` entry once ``t`` trustees' shares are in (and once).

    ``state`` is the checked state after the decryption just added.
    """
    if state.decoded is not None or len(state.decryptions) < state.threshold:
        return
    try:
        lines = result_entry(state)
    except RecordError as error:
        raise ServiceError(f"The shares do not combine: {error}.") from error
    entry = _append_checked(record, None, EntryKind.RESULT, "result", lines, state)[0]
    audit_record(
        action="record.result",
        summary=f"Combined {record.threshold} trustees' shares: every ballot decoded",
        actor=None,
        actor_label=actor_label or "record",
        contest=contest,
        target=entry,
        data={"file": entry.file, "hash": entry.hash},
    )


def record_ballots_append(
    *,
    contest: Contest,
    channel: str,
    rows: Sequence[Row],
    actor: Any,
    actor_label: str = "",
) -> RecordEntry:
    """Add the server's ``ballots`` entry for ``channel``: the stored ciphertexts, as cast.

    ``rows`` are the ciphertext rows the booth or the paper keying stored (not re-encrypted), in
    an order that says nothing of when each was cast. The entry is checked against the whole
    record like every other; an entry for a channel already in the record is refused. ``actor``
    is None for a job or command the returning officer started.
    """
    if actor is not None:
        _require(actor, policies.can_manage_trustees(actor, contest))
    if channel not in ("online", "paper"):
        raise ServiceError(f"Unknown ballot channel {channel!r}: online or paper.")
    lines = [_json_line({"kind": "ballots", "channel": channel, "count": len(rows)})]
    lines += [
        _json_line({"tracker": tracker(row), "ciphertexts": row_to_json(row)}) for row in rows
    ]
    with transaction.atomic():
        record = _record_lock(contest)
        entries = record.entries.filter(kind=EntryKind.BALLOTS)
        if entries.filter(file__endswith=f"-{channel}.jsonl").exists():
            raise ServiceError(f"The record holds the {channel} ballots already.")
        entry = _append(record, None, EntryKind.BALLOTS, f"ballots-{channel}", lines)
        audit_record(
            action="record.ballots",
            summary=f"Added {len(rows):,} {channel} ballots to the election record",
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=entry,
            data={"file": entry.file, "hash": entry.hash, "count": len(rows)},
        )
    return entry


def count_blockers(contest: Contest) -> list[str]:
    """A contest with trustees is counted from the record's ``result`` entry: wait for it.

    Names what is missing: the ballots in the record, the mixes, the decryption shares.
    """
    record = selectors.record_of(contest)
    if record is None:
        return []
    waits = selectors.count_progress(record).waiting_for()
    if not waits:
        return []
    return ["the verified count is not finished: " + "; ".join(waits)]
