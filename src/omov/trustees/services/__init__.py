"""Every write of the trustees and the record: appoint, hand in a key, start, accept a file, seal.

Each service checks who acts, runs in one transaction, audits, and locks the contest's
``ElectionRecord`` row first, so two uploads at once append one after the other and the chain
cannot fork (the unique (record, index) constraint is the second line). A file is checked with
``omov.verifiable``'s own rules against the whole record before its row is written; refused, it
leaves the record as it was and the message names the check and the place (decision 0017).

Nothing here makes, receives or keeps a private key or share: trustees run ``omov trustee`` on
their own computers and hand in public files only.

Split by topic: ``common`` (limits, the row lock, appending an entry), ``ceremony`` (trustees,
their keys, the record's start, the seal) and ``entries`` (the files handed in after the
ceremony, the server's ballots and result entries, the count blocker). Import from here.
"""

from omov.trustees.services.ceremony import (
    Appointment,
    _seal_waits,
    open_ballot_blockers,
    record_key_seal,
    record_start,
    trustee_key_hand_in,
    trustees_appoint,
)
from omov.trustees.services.common import (
    _CHECKED,
    BYTES_PER_CIPHERTEXT,
    CEREMONY_FILE_LIMIT,
    LARGE_KINDS,
    RECORD_BALLOTS_JOB,
    TRUSTEE_KINDS,
    _append,
    _append_checked,
    _is_hex,
    _json_line,
    _json_object,
    _lines,
    _record_lock,
    _require,
    _state_kept,
)
from omov.trustees.services.entries import (
    HandedIn,
    _mix_may_start,
    _result_append_when_ready,
    count_blockers,
    entry_already_added,
    file_header_check,
    file_limit,
    record_ballots_append,
    record_file_accept,
    record_file_queue,
    trustee_by_number,
)

__all__ = [
    "BYTES_PER_CIPHERTEXT",
    "CEREMONY_FILE_LIMIT",
    "LARGE_KINDS",
    "RECORD_BALLOTS_JOB",
    "TRUSTEE_KINDS",
    "_CHECKED",
    "Appointment",
    "HandedIn",
    "_append",
    "_append_checked",
    "_is_hex",
    "_json_line",
    "_json_object",
    "_lines",
    "_mix_may_start",
    "_record_lock",
    "_require",
    "_result_append_when_ready",
    "_seal_waits",
    "_state_kept",
    "count_blockers",
    "entry_already_added",
    "file_header_check",
    "file_limit",
    "open_ballot_blockers",
    "record_ballots_append",
    "record_file_accept",
    "record_file_queue",
    "record_key_seal",
    "record_start",
    "trustee_by_number",
    "trustee_key_hand_in",
    "trustees_appoint",
]
