"""What the record's services share: the limits, the row lock, and the one way an entry is
appended (checked against the whole record, or against the state kept after its last entry)."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path
from typing import Any

from django.db import transaction

from omov.contests.models import Contest
from omov.core import clock
from omov.core.errors import PermissionRefused, ServiceError
from omov.trustees.models import ElectionRecord, EntryKind, RecordEntry, Trustee
from omov.trustees.record import record_chain_write, record_checked
from omov.verifiable.ceremony import (
    entry_check_and_append,
)
from omov.verifiable.record import GENESIS, RecordError, link_hash
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
