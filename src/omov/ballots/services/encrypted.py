"""Ballots encrypted to the trustees' joint key, and their place in the election record.

A contest with trustees (decision 0017) has no count key: each ballot, cast at the booth or
keyed from a paper, becomes a row of ElGamal ciphertexts under the joint key the trustees made
(``omov.verifiable.elgamal.encrypt`` of the option index the record's parameters give the
ranking and the voter's category), stored with its tracker and nothing else
(``EncryptedBallot``: random key, no time, no credential). At the close a job adds the stored
rows, sorted by tracker, to the record as one ``ballots`` entry per channel; from there the
trustees mix and decrypt, and anyone checks the whole chain with ``omov verify``.

The server still sees the plain ranking while it encrypts it (until issue 12 moves encryption
into the voter's browser); it keeps no key that could decrypt a stored row.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, overload

from django.conf import settings

from omov.ballots.models import BallotBox, Channel, EncryptedBallot
from omov.contests.models import Candidate, Contest, ContestStatus
from omov.core.errors import ServiceError
from omov.core.services import throttle_hit, throttle_key
from omov.trustees.options import option_lookup, option_parts
from omov.trustees.selectors import ballot_shape, ballots_channels
from omov.trustees.services import record_ballots_append
from omov.verifiable.elgamal import Ciphertext, Row, encrypt
from omov.verifiable.group import Point
from omov.verifiable.record import tracker

#: Stored rows read from the database at a time when the record's entry is built.
READ_BATCH = 5_000
#: Bytes of one ciphertext in a stored row: alpha then beta, 32 bytes each.
CIPHERTEXT_BYTES = 64


@dataclass(frozen=True)
class JointKeyBallot:
    """What encrypting needs, read once per contest from the record's parameters and key."""

    public_key: Point
    width: int
    #: (category or None, ranking as candidate names) -> option index.
    lookup: dict[tuple[str | None, tuple[str, ...]], int]
    has_categories: bool
    names: dict[int, str]


_SHAPES: dict[tuple[int, bytes], JointKeyBallot] = {}
_SHAPES_LOCK = threading.Lock()


def joint_key_ballot(box: BallotBox) -> JointKeyBallot:
    """Read (once per process) the options and joint key of ``box``'s contest's record.

    Cached under the contest and its joint key: both the parameters and the key entry are
    fixed once the key is sealed (the record only ever grows), and a new record has a new key.
    Refuses a record whose key is not the one the ballot opened with, or whose options do not
    name every candidate on the ballot.
    """
    public_key = bytes(box.public_key)
    key = (box.contest_id, public_key)
    cached = _SHAPES.get(key)
    if cached is not None:
        return cached
    shape = ballot_shape(Contest.objects.get(pk=box.contest_id))
    if shape is None or shape.public_key is None or shape.public_key.data != public_key:
        raise ServiceError(
            "The election record's joint key is not the one this ballot opened with; no ballot "
            "can be stored. Tell the returning officer."
        )
    lookup = option_lookup(shape.options)
    has_categories = bool(shape.options) and option_parts(shape.options[0])[0] is not None
    names = dict(Candidate.objects.filter(pk__in=box.candidate_ids).values_list("pk", "name"))
    ballot = JointKeyBallot(shape.public_key, shape.width, lookup, has_categories, names)
    missing = [name for name in names.values() if not _names_one(ballot, name)]
    if missing:
        raise ServiceError(
            "The election record's options do not name every candidate on the ballot (missing: "
            f"{', '.join(sorted(missing))}); the record was started for other candidates."
        )
    with _SHAPES_LOCK:
        _SHAPES[key] = ballot
    return ballot


def _names_one(ballot: JointKeyBallot, name: str) -> bool:
    if ballot.width > 1:
        return (None, (name,)) in ballot.lookup
    return any(
        (category, (name,)) in ballot.lookup
        for category in {category for category, _ in ballot.lookup}
    )


def ranking_encrypt(ballot: JointKeyBallot, ranking: Sequence[int], category: str) -> Row:
    """Encrypt a checked ranking of candidate ids (and the voter's category) as one row.

    With ``width`` 1 the row is one ciphertext of the option that is this ranking (in this
    category when the options carry categories); with a larger width, one ciphertext per rank,
    the candidate at that rank or nobody (``[]``) for the ranks left empty.
    """
    names = tuple(ballot.names[pk] for pk in ranking)
    if ballot.width == 1:
        index = ballot.lookup.get((category if ballot.has_categories else None, names))
        if index is None:
            raise ServiceError(
                "This ballot is not one of the election record's options (a ranking of the "
                "candidates on the ballot, in a voter category); nothing was stored."
            )
        return (encrypt(ballot.public_key, index),)
    if len(names) > ballot.width:
        raise ServiceError("The ballot ranks more candidates than it has places.")
    nobody = ballot.lookup[(None, ())]
    indices = [ballot.lookup[(None, (name,))] for name in names]
    indices += [nobody] * (ballot.width - len(names))
    return tuple(encrypt(ballot.public_key, index) for index in indices)


def encrypted_ballot_make(
    box: BallotBox, ranking: Sequence[int], category: str, channel: str
) -> EncryptedBallot:
    """Build (not save) the stored ballot of a checked ranking: its ciphertext row and tracker."""
    if channel not in Channel.values:
        raise ServiceError(f"Unknown ballot channel {channel!r}: online or paper.")
    row = ranking_encrypt(joint_key_ballot(box), ranking, category)
    return EncryptedBallot(
        id=uuid.uuid4(),
        contest_id=box.contest_id,
        channel=channel,
        ciphertexts=b"".join(ciphertext.to_bytes() for ciphertext in row),
        tracker=tracker(row),
    )


def row_from_stored(data: bytes) -> Row:
    """Read a stored row back into ciphertexts (the record's check validates every point)."""
    if not data or len(data) % CIPHERTEXT_BYTES:
        raise ServiceError("A stored ballot's ciphertexts are not whole ElGamal pairs.")
    return tuple(
        Ciphertext(Point(data[at : at + 32]), Point(data[at + 32 : at + CIPHERTEXT_BYTES]))
        for at in range(0, len(data), CIPHERTEXT_BYTES)
    )


def tracker_lookup_allowed(client_ip: str) -> bool:
    """Count one tracker look-up from ``client_ip``; False once its limit is used up.

    A tracker is a 256-bit hash, so guessing finds nothing; the limit (the booth's per-address
    limit and window) keeps the page from being used to load the database.
    """
    window = timedelta(seconds=int(getattr(settings, "OMOV_BOOTH_THROTTLE_WINDOW", 900)))
    limit = int(getattr(settings, "OMOV_BOOTH_ATTEMPTS_PER_ADDRESS", 60))
    return throttle_hit(key=throttle_key("tracker-address", client_ip), limit=limit, window=window)


@dataclass(frozen=True)
class RecordBallots:
    """What adding the stored ballots to the record did: per channel, how many, or skipped."""

    added: dict[str, int]
    already: list[str]


def record_ballots_add(
    *,
    contest: Contest,
    actor_label: str = "",
    progress: Callable[[int, int | None, str], None] | None = None,
) -> RecordBallots:
    """Append the closed contest's stored ballots to its record: one ``ballots`` entry a channel.

    The online entry is always written (with no online ballot it says so: 0), the paper entry
    when any paper was keyed. Rows are read sorted by tracker — a hash, so the order says
    nothing of when a ballot was cast — and go in as stored, not re-encrypted. A channel the
    record holds already is skipped, so running this again (a retried job, ``omov record
    ballots``) adds nothing twice. Each entry is checked against the whole record by
    ``record_ballots_append`` in its own transaction.
    """
    box = BallotBox.objects.filter(contest=contest).first()
    if box is None or not box.has_trustees:
        raise ServiceError(
            f"{contest.title} has no trustees: its ballots are sealed to the count key and have "
            "no election record."
        )
    contest.refresh_from_db()
    if not contest.has_reached(ContestStatus.CLOSED):
        raise ServiceError("The ballots go into the election record once the ballot has closed.")
    report = progress or (lambda done, total, stage: None)
    held = ballots_channels(contest)
    added: dict[str, int] = {}
    already: list[str] = []
    for channel in Channel.values:
        if channel in held:
            already.append(channel)
            continue
        stored = EncryptedBallot.objects.filter(contest=contest, channel=channel)
        total = stored.count()
        if channel == Channel.PAPER and total == 0:
            continue
        rows = _rows_sorted(stored, total, channel, report)
        report(total, total, f"Checking the {total:,} {channel} ballots and adding them")
        record_ballots_append(
            contest=contest, channel=channel, rows=rows, actor=None, actor_label=actor_label
        )
        added[channel] = total
    return RecordBallots(added=added, already=already)


def _rows_sorted(
    stored: Any, total: int, channel: str, report: Callable[[int, int | None, str], None]
) -> StoredRows:
    data: list[bytes] = []
    values = stored.order_by("tracker").values_list("tracker", "ciphertexts")
    for stored_tracker, raw in values.iterator(chunk_size=READ_BATCH):
        row_bytes = bytes(raw)
        # A row changed in the database no longer matches the tracker its voter was shown.
        if tracker(row_from_stored(row_bytes)) != stored_tracker:
            raise ServiceError(
                f"A stored {channel} ballot does not match its tracker {stored_tracker}: the "
                "ballot table was changed outside omov. Nothing was added to the record."
            )
        data.append(row_bytes)
        if len(data) % READ_BATCH == 0:
            report(len(data), total, f"Reading the {channel} ballots")
    return StoredRows(data)


class StoredRows(Sequence[Row]):
    """Stored rows kept as their bytes, made into ciphertexts only as they are read.

    Half a million rows as ciphertext objects would hold about 300 bytes a ballot more while
    the entry is checked; as bytes they hold about 100.
    """

    def __init__(self, data: list[bytes]) -> None:
        self._data = data

    def __len__(self) -> int:
        return len(self._data)

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> StoredRows: ...

    def __getitem__(self, index: int | slice) -> Row | StoredRows:
        if isinstance(index, slice):
            return StoredRows(self._data[index])
        return row_from_stored(self._data[index])

    def __iter__(self) -> Iterator[Row]:
        return (row_from_stored(data) for data in self._data)
