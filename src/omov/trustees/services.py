"""Every write of the trustees and the record: appoint, hand in a key, start, accept a file, seal.

Each service checks who acts, runs in one transaction, audits, and locks the contest's
``ElectionRecord`` row first, so two uploads at once append one after the other and the chain
cannot fork (the unique (record, index) constraint is the second line). A file is checked with
``omov.verifiable``'s own rules against the whole record before its row is written; refused, it
leaves the record as it was and the message names the check and the place (decision 0017).

Nothing here makes, receives or keeps a private key or share: trustees run ``omov trustee`` on
their own computers and hand in public files only.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from omov.contests import categories
from omov.contests.models import Contest, ContestStatus
from omov.contests.selectors import ballot_candidates
from omov.core import clock
from omov.core.errors import PermissionRefused, ServiceError
from omov.core.models import Role, RoleAssignment
from omov.core.services import audit_record, role_grant
from omov.jobs.models import Job, JobStatus
from omov.jobs.services import job_start
from omov.trustees import policies, selectors
from omov.trustees.models import ElectionRecord, EntryKind, RecordEntry, Trustee
from omov.trustees.options import ballot_options
from omov.trustees.record import record_chain_write, record_checked
from omov.verifiable.ceremony import (
    entry_check_and_append,
    key_entry,
    parameters_entry,
    result_entry,
)
from omov.verifiable.dkg import qualified_dealers
from omov.verifiable.elgamal import Row
from omov.verifiable.record import GENESIS, RecordError, link_hash, row_to_json, tracker
from omov.verifiable.verifier import RecordState

#: The largest key-ceremony file a trustee hands in (a dealing for 50 trustees is ~10 kB).
CEREMONY_FILE_LIMIT = 1 << 20
#: Bytes a mix or a decryption file may take per ciphertext of the record's ballots, with slack
#: (docs/election-record.md measures about 454 a ballot in a mix, 216 in a decryption).
BYTES_PER_CIPHERTEXT = {EntryKind.MIX: 700, EntryKind.DECRYPTION: 400}
#: The job that adds a closed contest's ballots to its record (run by the ballots app).
RECORD_BALLOTS_JOB = "record.ballots"
#: Kinds whose check takes minutes at full size: the trustee page hands them to a job.
LARGE_KINDS = frozenset(BYTES_PER_CIPHERTEXT)
#: The entry kinds a trustee hands in, and the field that names the trustee who made each.
TRUSTEE_KINDS = {
    EntryKind.DEALING: "dealer",
    EntryKind.COMPLAINT: "recipient",
    EntryKind.ANSWER: "dealer",
    EntryKind.MIX: "mixer",
    EntryKind.DECRYPTION: "trustee",
}


@dataclass(frozen=True)
class Appointment:
    """One trustee to appoint: the name the record shows and the account that acts for them."""

    name: str
    user: Any


def _require(actor: Any, decision: Any) -> None:
    """Refuse an actor the policy refuses; no actor is the command line (the server's shell)."""
    if actor is not None and not decision:
        raise PermissionRefused(decision.reason)


def _record_lock(contest: Contest) -> ElectionRecord:
    record = ElectionRecord.objects.select_for_update().filter(contest=contest).first()
    if record is None:
        raise ServiceError(
            f"{contest.title} has no trustees: the returning officer appoints them first."
        )
    return record


def trustees_appoint(
    *,
    contest: Contest,
    threshold: int,
    trustees: Sequence[Appointment],
    mixes_required: int = 2,
    actor: Any = None,
    actor_label: str = "",
) -> ElectionRecord:
    """Appoint the contest's ``n`` trustees (numbered 1…n in order) and set ``t``; audit it.

    Allowed until the record starts (its parameters fix the trustees), and only before the
    ballot opens. Appointing again replaces the list: a trustee kept at the same number with the
    same account keeps the key they handed in; anyone dropped loses the trustee role.
    """
    _require(actor, policies.can_manage_trustees(actor, contest))
    names = [appointment.name.strip() for appointment in trustees]
    if not trustees:
        raise ServiceError("Appoint at least one trustee.")
    if any(not name for name in names):
        raise ServiceError("Every trustee needs a name, as the record will show it.")
    if any(len(name) > 200 for name in names):
        raise ServiceError("A trustee's name is at most 200 characters.")
    users = [appointment.user for appointment in trustees]
    if len({user.pk for user in users}) != len(users):
        raise ServiceError("Each trustee acts through their own account: an account appears twice.")
    if not 1 <= threshold <= len(trustees):
        raise ServiceError(
            f"The threshold (trustees needed to decrypt) must be between 1 and {len(trustees)}, "
            f"the number of trustees; it was {threshold}."
        )
    if not 1 <= mixes_required <= len(trustees):
        raise ServiceError(
            f"The mixes required must be between 1 and {len(trustees)} (each trustee mixes at "
            f"most once); it was {mixes_required}."
        )
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.has_reached(ContestStatus.BALLOT_OPEN):
            raise ServiceError("The ballot is open: trustees are appointed before it opens.")
        record, _ = ElectionRecord.objects.select_for_update().get_or_create(
            contest=locked, defaults={"threshold": threshold, "mixes_required": mixes_required}
        )
        if record.entries.exists():
            raise ServiceError(
                "The record has started and its parameters name the trustees: they can no "
                "longer change."
            )
        record.threshold, record.mixes_required = threshold, mixes_required
        record.save(update_fields=["threshold", "mixes_required"])
        kept = {(t.number, t.user_id): t for t in record.trustees.all()}
        wanted = {(number, user.pk) for number, user in enumerate(users, start=1)}
        dropped = [t for key, t in kept.items() if key not in wanted]
        for trustee in dropped:
            trustee.delete()
        for number, (name, user) in enumerate(zip(names, users, strict=True), start=1):
            existing = kept.get((number, user.pk))
            if existing is None:
                Trustee.objects.create(record=record, number=number, name=name, user=user)
            elif existing.name != name:
                existing.name = name
                existing.save(update_fields=["name"])
        # The trustee role is part of the appointment, so the contest's returning officer grants
        # it here (role_grant alone is for the returning officer of every contest).
        label = actor_label or (actor.get_username() if actor is not None else "cli")
        for user in users:
            role_grant(user=user, role=Role.TRUSTEE, contest=locked, actor_label=label)
        remaining = {user.pk for user in users}
        for trustee in dropped:
            if trustee.user_id not in remaining:
                RoleAssignment.objects.filter(
                    user_id=trustee.user_id, role=Role.TRUSTEE, contest=locked
                ).delete()
        audit_record(
            action="trustees.appoint",
            summary=(
                f"Appointed {len(users)} trustees, {threshold} needed to decrypt, "
                f"{mixes_required} mixes: {', '.join(names)}"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=locked,
            target=record,
            data={
                "threshold": threshold,
                "mixes_required": mixes_required,
                "trustees": [
                    {"number": n, "name": name, "user": user.get_username()}
                    for n, (name, user) in enumerate(zip(names, users, strict=True), start=1)
                ],
                "dropped": [t.number for t in dropped],
            },
        )
    return record


def trustee_key_hand_in(
    *, trustee: Trustee, content: bytes, actor: Any, actor_label: str = ""
) -> Trustee:
    """Take the public file ``omov trustee init`` wrote for ``trustee``; allowed until the start."""
    _require(
        actor,
        policies.can_act_as_trustee(actor, trustee)
        or policies.can_upload_for_trustee(actor, trustee.record.contest),
    )
    value = _json_object(content, "the public file")
    number, key = value.get("number"), value.get("communication_key")
    if number != trustee.number:
        raise ServiceError(
            f"This public file is for trustee {number!r}, not trustee {trustee.number}: run "
            f"`omov trustee init --number {trustee.number}` and hand in its public file."
        )
    if not isinstance(key, str) or len(key) != 64 or not _is_hex(key) or key == "0" * 64:
        raise ServiceError(
            "The public file's communication_key must be 64 hex digits (an X25519 public key)."
        )
    with transaction.atomic():
        record = _record_lock(trustee.record.contest)
        if record.entries.exists():
            raise ServiceError(
                "The record has started with the keys handed in then: yours can no longer change."
            )
        # Two trustees sharing a key would each open the other's shares: with t = 2 one person
        # could then decrypt alone. Each trustee makes their own with `omov trustee init`.
        if record.trustees.exclude(pk=trustee.pk).filter(communication_key=key).exists():
            raise ServiceError(
                "Another trustee handed in this same public key: each trustee runs "
                "`omov trustee init` on their own computer and hands in their own."
            )
        locked = Trustee.objects.select_for_update().get(pk=trustee.pk)
        replaced = bool(locked.communication_key)
        locked.communication_key = key
        locked.key_handed_in_at = clock.now()
        locked.save(update_fields=["communication_key", "key_handed_in_at"])
        audit_record(
            action="trustees.key",
            summary=(
                f"Trustee {locked.number} ({locked.name}) "
                f"{'replaced' if replaced else 'handed in'} their public key"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=record.contest,
            target=locked,
            data={"number": locked.number, "communication_key": key},
        )
    return locked


def record_start(*, contest: Contest, actor: Any, actor_label: str = "") -> RecordEntry:
    """Write the parameters entry: trustees and their keys, t, the mixes, the ballot's options.

    Needs the roll frozen (the candidates on the ballot are settled) and every trustee's key.
    """
    _require(actor, policies.can_manage_trustees(actor, contest))
    with transaction.atomic():
        record = _record_lock(contest)
        contest.refresh_from_db()
        if contest.status != ContestStatus.ROLL_FROZEN:
            raise ServiceError(
                "The record starts once the roll is frozen (the candidates on the ballot are "
                "settled) and before the ballot opens."
            )
        if record.entries.exists():
            raise ServiceError("The record has started already.")
        trustees = list(record.trustees.order_by("number"))
        missing = [t for t in trustees if not t.communication_key]
        if missing:
            raise ServiceError(
                "Every trustee's public key must be in first; still missing: "
                + ", ".join(f"trustee {t.number} ({t.name})" for t in missing)
                + "."
            )
        # Every category, whichever the contest's rules admit: the trustees cannot read the
        # rules (they belong to the electorate), a category nobody votes in is an option nobody
        # chooses, and the declaration can break every result down by category (decision 0017).
        options, width = ballot_options(
            [c.name for c in ballot_candidates(contest)], categories.CATEGORIES
        )
        lines = parameters_entry(
            election=contest.title,
            threshold=record.threshold,
            trustees=[
                {"number": t.number, "name": t.name, "communication_key": t.communication_key}
                for t in trustees
            ],
            options=options,
            width=width,
            mixes_required=record.mixes_required,
        )
        entry = _append(record, None, EntryKind.PARAMETERS, "parameters", lines)
        audit_record(
            action="record.start",
            summary=(
                f"Started the election record: {len(trustees)} trustees, {len(options)} options"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=entry,
            data={"file": entry.file, "hash": entry.hash},
        )
    return entry


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
            _result_append_when_ready(record, contest, actor_label, state)
    return entry


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
    if not record_of_contest_has_ballots(contest):
        raise ServiceError("The record holds no ballots yet: the close adds them.")


def record_of_contest_has_ballots(contest: Contest) -> bool:
    """Whether a ``ballots`` entry is in the contest's record."""
    return RecordEntry.objects.filter(record__contest=contest, kind=EntryKind.BALLOTS).exists()


def _result_append_when_ready(
    record: ElectionRecord, contest: Contest, actor_label: str, state: RecordState | None
) -> None:
    """Append the server's ``result`` entry once ``t`` trustees' shares are in (and once).

    ``state`` is the checked state after the decryption just added (None: check everything).
    """
    if state is None:
        with record_checked(record) as (_, state):
            pass
    if state is None or state.decoded is not None:
        return
    if len(state.decryptions) < state.threshold:
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


def record_key_seal(
    *, contest: Contest, actor: Any, actor_label: str = "", leave_out_missing: bool = False
) -> RecordEntry:
    """Close the key ceremony: the qualified dealers, the joint key, each verification key.

    Waits for every trustee's dealing and every complaint's answer, unless ``leave_out_missing``:
    then a trustee who has not dealt is left out and a dealer with an unanswered complaint is
    disqualified, as the protocol says. At least ``t`` qualified dealers are needed either way.
    """
    _require(actor, policies.can_manage_trustees(actor, contest))
    with transaction.atomic():
        record = _record_lock(contest)
        contest.refresh_from_db()
        if contest.has_reached(ContestStatus.BALLOT_OPEN):
            raise ServiceError("The ballot is open: the key ceremony closed before it.")
        with record_checked(record) as (_, state):
            if state is None:
                raise ServiceError("The record has not started yet.")
            if state.public_key is not None:
                raise ServiceError("The joint key is sealed already.")
            waits = _seal_waits(state)
            if waits and not leave_out_missing:
                raise ServiceError(
                    "The ceremony is not finished: "
                    + "; ".join(waits)
                    + ". Wait for them, or seal leaving them out."
                )
            qualified = qualified_dealers(
                dealings=state.dealings, complaints=state.complaints, answers=state.answers
            )
            if len(qualified) < state.threshold:
                raise ServiceError(
                    f"Only {len(qualified)} trustees qualified as dealers "
                    f"({', '.join(map(str, sorted(qualified))) or 'none'}); the threshold is "
                    f"{state.threshold}, so no joint key can be made yet."
                )
            lines = key_entry(state)
        entry = _append(record, None, EntryKind.KEY, "key", lines)
        audit_record(
            action="record.key",
            summary=(
                f"Sealed the joint key: qualified dealers {', '.join(map(str, sorted(qualified)))}"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=entry,
            data={"file": entry.file, "hash": entry.hash, "qualified": sorted(qualified)},
        )
    return entry


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


def _seal_waits(state: RecordState) -> list[str]:
    waits = [
        f"trustee {number} has not dealt"
        for number in sorted(set(state.trustees) - set(state.dealings))
    ]
    waits += [
        f"trustee {dealer} has not answered trustee {recipient}'s complaint"
        for dealer, recipient in state.complaints
        if (dealer, recipient) not in state.answers
    ]
    return waits


#: Per process: the checked state after each record's last entry, under that entry's hash, so
#: the next append checks only the new entry (decision 0017). A state is stored only once its
#: entry's transaction commits, and taken out before it is used, so a refused entry (which may
#: leave a state half-applied) never leaves one behind.
_CHECKED: dict[int, tuple[str, RecordState]] = {}


def _state_kept(record: ElectionRecord) -> RecordState | None:
    """The kept state when it is for the record's current last entry and the chain still holds."""
    kept = _CHECKED.pop(record.pk, None)
    if kept is None:
        return None
    head, state = kept
    previous = GENESIS
    for index, kind, file, digest, before, line_hash in record.entries.order_by(
        "index"
    ).values_list("index", "kind", "file", "file_sha256", "previous", "hash"):
        if before != previous or link_hash(index, kind, file, digest, before) != line_hash:
            return None  # a row changed behind the app's back: check everything again
        previous = line_hash
    return state if previous == head else None


def _append(
    record: ElectionRecord,
    trustee: Trustee | None,
    kind: EntryKind,
    name: str,
    lines: list[str],
) -> RecordEntry:
    """Check one entry against the whole record (locked by the caller) and add its row."""
    return _append_checked(record, trustee, kind, name, lines)[0]


def _append_checked(
    record: ElectionRecord,
    trustee: Trustee | None,
    kind: EntryKind,
    name: str,
    lines: list[str],
    state: RecordState | None = None,
) -> tuple[RecordEntry, RecordState | None]:
    """``_append``, returning the checked state after the new entry too.

    The record so far is checked from the state kept after its last entry when there is one (or
    ``state``, the caller's, in the same transaction), else from all its rows; the new entry is
    then checked against that state with the verifier's rules.
    """
    state = state or _state_kept(record)
    with contextlib.ExitStack() as stack:
        if state is None:
            try:
                directory, state = stack.enter_context(record_checked(record))
            except RecordError as error:
                raise ServiceError(
                    f"Refused, nothing was added: the record in the database no longer holds "
                    f"({error}). Its rows were changed outside omov; compare them with an export "
                    "taken before, and tell the trustees and scrutineers."
                ) from error
        else:  # only the chain's lines: the kept state stands for the entries' contents
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "record"
            record_chain_write(record, directory)
        try:
            link = entry_check_and_append(directory, state, str(kind), name, lines)
        except RecordError as error:
            raise ServiceError(f"Refused, nothing was added to the record: {error}.") from error
        content = (directory / link.file).read_bytes()
    row = RecordEntry.objects.create(
        record=record,
        index=link.index,
        kind=kind,
        file=link.file,
        content=content,
        file_sha256=link.file_sha256,
        previous=link.previous,
        hash=link.hash,
        trustee=trustee,
        added_at=clock.now(),
    )
    if state is not None:
        kept = (row.hash, state)
        transaction.on_commit(lambda: _CHECKED.__setitem__(record.pk, kept))
    return row, state


def _json_line(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _json_object(content: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise ServiceError(f"{what.capitalize()} is not UTF-8 text.") from None
    except ValueError as error:
        raise ServiceError(f"{what.capitalize()} is not JSON ({error}).") from None
    if not isinstance(value, dict):
        raise ServiceError(f"{what.capitalize()} must be one JSON object.")
    return value


def _lines(content: bytes) -> list[str]:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise ServiceError("The file is not UTF-8 text.") from None
    return [line for line in text.splitlines() if line.strip()]


def _is_hex(text: str) -> bool:
    return all(character in "0123456789abcdef" for character in text)


def open_ballot_blockers(contest: Contest) -> list[str]:
    """A contest with trustees opens its ballot only once the joint key is sealed.

    Says what is still missing (keys, the record's start, dealings, answers, the seal). A
    contest without trustees is not affected: its ballots are sealed to the count key
    (decision 0003) as before.
    """
    record = selectors.record_of(contest)
    if record is None:
        return []
    progress = selectors.ceremony_progress(record)
    if progress.sealed:
        return []
    return ["the trustees' key ceremony is not finished: " + "; ".join(progress.waiting_for())]


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
