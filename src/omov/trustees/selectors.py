"""Reads of a contest's trustees and record: who has done what in the key ceremony, what is next.

Progress is read from the entries' own fields (who dealt, who complained, which complaint is
answered); every entry was checked in full when it was appended, so nothing here re-checks proofs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BinaryField
from django.db.models.functions import Substr

from omov.contests.models import Contest
from omov.trustees.models import ElectionRecord, EntryKind, RecordEntry, Trustee
from omov.trustees.options import option_parts
from omov.verifiable.record import GENESIS, point_from_json


def record_of(contest: Contest) -> ElectionRecord | None:
    """The contest's record settings, or None when it has no trustees (the sealed-box count)."""
    return ElectionRecord.objects.filter(contest=contest).first()


def trustees_of(record: ElectionRecord) -> list[Trustee]:
    """The record's trustees in number order, with their accounts."""
    return list(record.trustees.select_related("user").order_by("number"))


def trustee_for(user: Any, contest: Contest) -> Trustee | None:
    """The trustee ``user`` acts as in ``contest``, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Trustee.objects.select_related("record", "record__contest")
        .filter(record__contest=contest, user=user)
        .first()
    )


def entries_of(record: ElectionRecord) -> list[RecordEntry]:
    """The record's entries in chain order, without their bytes (for listing)."""
    return list(record.entries.defer("content").select_related("trustee").order_by("index"))


def head_hash(record: ElectionRecord) -> str:
    """The hash of the record's last entry (64 zeros while it is empty)."""
    last = record.entries.order_by("-index").values_list("hash", flat=True).first()
    return last or GENESIS


@dataclass
class CeremonyProgress:
    """Where the key ceremony has got to, and what it waits for, in words a person can act on."""

    trustees: list[Trustee]
    threshold: int
    started: bool = False
    sealed: bool = False
    dealt: set[int] = field(default_factory=set)
    complaints: list[tuple[int, int]] = field(default_factory=list)
    answered: set[tuple[int, int]] = field(default_factory=set)
    qualified: list[int] = field(default_factory=list)
    public_key: str = ""

    @property
    def keys_missing(self) -> list[Trustee]:
        return [t for t in self.trustees if not t.communication_key]

    @property
    def not_dealt(self) -> list[Trustee]:
        return [t for t in self.trustees if t.number not in self.dealt]

    @property
    def unanswered(self) -> list[tuple[int, int]]:
        return [c for c in self.complaints if c not in self.answered]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """One row per trustee for the progress table: key, dealing, complaints, qualified."""
        return [
            {
                "trustee": t,
                "has_key": bool(t.communication_key),
                "dealt": t.number in self.dealt,
                "complaints": [
                    f"from trustee {recipient}"
                    + (", answered" if (dealer, recipient) in self.answered else ", unanswered")
                    for dealer, recipient in self.complaints
                    if dealer == t.number
                ],
                "qualified": t.number in self.qualified,
            }
            for t in self.trustees
        ]

    def waiting_for(self) -> list[str]:
        """Every step the ceremony still waits for, in order (empty once the key is sealed)."""
        if self.sealed:
            return []
        waits = []
        if self.keys_missing:
            waits.append(
                f"{_names(self.keys_missing)} must hand in their public key "
                "(the file `omov trustee init` writes)"
            )
        if not self.started:
            waits.append("the returning officer must start the record once every key is in")
            return waits
        if self.not_dealt:
            waits.append(f"{_names(self.not_dealt)} must hand in their dealing")
        for dealer, recipient in self.unanswered:
            waits.append(
                f"trustee {dealer} must answer trustee {recipient}'s complaint about their share"
            )
        waits.append("the returning officer must seal the joint key")
        return waits


def _names(trustees: list[Trustee]) -> str:
    named = [f"trustee {t.number} ({t.name})" for t in trustees]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def ceremony_progress(record: ElectionRecord) -> CeremonyProgress:
    """Read who has dealt, complained and answered, and whether the joint key is sealed."""
    progress = CeremonyProgress(trustees=trustees_of(record), threshold=record.threshold)
    ceremony_kinds = [
        EntryKind.PARAMETERS,
        EntryKind.DEALING,
        EntryKind.COMPLAINT,
        EntryKind.ANSWER,
        EntryKind.KEY,
    ]
    for kind, content in (
        record.entries.filter(kind__in=ceremony_kinds)
        .order_by("index")
        .values_list("kind", "content")
    ):
        value = _first_object(bytes(content))
        if kind == EntryKind.PARAMETERS:
            progress.started = True
        elif kind == EntryKind.DEALING:
            progress.dealt.add(int(value["dealer"]))
        elif kind == EntryKind.COMPLAINT:
            progress.complaints.append((int(value["dealer"]), int(value["recipient"])))
        elif kind == EntryKind.ANSWER:
            progress.answered.add((int(value["dealer"]), int(value["recipient"])))
        elif kind == EntryKind.KEY:
            progress.sealed = True
            progress.qualified = [int(j) for j in value["qualified"]]
            progress.public_key = str(value["public_key"])
    return progress


def _first_object(content: bytes) -> dict[str, Any]:
    value = json.loads(content.split(b"\n", 1)[0])
    assert isinstance(value, dict)  # every stored entry was checked when it was appended
    return value


@dataclass(frozen=True)
class BallotShape:
    """What the ballots app needs to encrypt to the record: the joint key and the options.

    ``public_key`` is ``None`` until the key entry is in; ``options`` and ``width`` are the
    parameters entry's (``omov.trustees.options`` reads them: ``option_parts``,
    ``option_lookup``).
    """

    public_key: Any
    options: list[Any]
    width: int


def ballot_shape(contest: Contest) -> BallotShape | None:
    """The joint key and options of ``contest``'s record, or None without a started record."""
    record = record_of(contest)
    if record is None:
        return None
    parameters = (
        record.entries.filter(kind=EntryKind.PARAMETERS).values_list("content", flat=True).first()
    )
    if parameters is None:
        return None
    value = _first_object(bytes(parameters))
    key = record.entries.filter(kind=EntryKind.KEY).values_list("content", flat=True).first()
    public_key = None
    if key is not None:
        public_key = point_from_json(_first_object(bytes(key))["public_key"])
    return BallotShape(public_key=public_key, options=list(value["options"]), width=value["width"])


def ballots_channels(contest: Contest) -> set[str]:
    """The channels (online, paper) whose ``ballots`` entry is in ``contest``'s record already.

    Read from the entries' file names (``entries/NNNN-ballots-CHANNEL.jsonl``, the only name
    ``services.record_ballots_append`` writes), so a large entry's bytes are never loaded.
    """
    files = RecordEntry.objects.filter(record__contest=contest, kind=EntryKind.BALLOTS).values_list(
        "file", flat=True
    )
    return {
        channel
        for file in files
        for channel in ("online", "paper")
        if file.endswith(f"-ballots-{channel}.jsonl")
    }


#: Bytes of an entry read to find its first line: every header fits (the largest, a mix's, holds
#: one scalar per ciphertext of a row); the lines after it (one per ballot) are never loaded.
_HEADER_BYTES = 64 * 1024


def _entry_header(record: ElectionRecord, kind: str) -> list[dict[str, Any]]:
    """The first line of every entry of ``kind``, in chain order, read from the entry's first
    ``_HEADER_BYTES`` in the database: a mix of 500,000 ballots is not loaded to learn its mixer.
    """
    prefixes = (
        record.entries.filter(kind=kind)
        .order_by("index")
        .annotate(head=Substr("content", 1, _HEADER_BYTES, output_field=BinaryField()))
        .values_list("pk", "head")
    )
    headers = []
    for pk, head in prefixes:
        prefix = bytes(head)
        if b"\n" not in prefix and len(prefix) == _HEADER_BYTES:  # a longer first line: read it
            prefix = bytes(RecordEntry.objects.values_list("content", flat=True).get(pk=pk))
        headers.append(_first_object(prefix))
    return headers


def ballots_in_record(record: ElectionRecord) -> int:
    """How many ballots the record's ``ballots`` entries hold together."""
    return sum(int(header.get("count", 0)) for header in _entry_header(record, EntryKind.BALLOTS))


def record_width(record: ElectionRecord) -> int:
    """Ciphertexts a ballot (the parameters' ``width``; 1 before the record starts)."""
    parameters = _entry_header(record, EntryKind.PARAMETERS)
    return int(parameters[0]["width"]) if parameters else 1


@dataclass(frozen=True)
class CountProgress:
    """Where the verified count has got to after the close: mixes, decryptions, the result."""

    ballots: int
    mixers: list[int]
    mixes_required: int
    decrypted_by: list[int]
    threshold: int
    qualified: list[int]
    has_result: bool

    @property
    def mixes_done(self) -> bool:
        return len(self.mixers) >= self.mixes_required

    def waiting_for(self) -> list[str]:
        """What the count still waits for, in words (empty once the result is in)."""
        if self.has_result:
            return []
        if not self.ballots:
            return ["the ballots are not in the record yet (the close adds them)"]
        if not self.mixes_done:
            left = self.mixes_required - len(self.mixers)
            return [
                f"{left} more mix{'es' if left > 1 else ''} by trustees who have not mixed "
                f"(done: {', '.join(map(str, self.mixers)) or 'none'})"
            ]
        return [
            f"decryption shares from {self.threshold - len(self.decrypted_by)} more trustee(s) "
            f"(in: {', '.join(map(str, self.decrypted_by)) or 'none'}; {self.threshold} needed)"
        ]


def count_progress(record: ElectionRecord) -> CountProgress:
    """Read the count's progress from the entries' first lines (every entry was checked)."""
    key = _entry_header(record, EntryKind.KEY)
    parameters = _entry_header(record, EntryKind.PARAMETERS)
    return CountProgress(
        ballots=ballots_in_record(record),
        mixers=[int(h["mixer"]) for h in _entry_header(record, EntryKind.MIX)],
        mixes_required=int(parameters[0]["mixes_required"]) if parameters else 0,
        decrypted_by=[int(h["trustee"]) for h in _entry_header(record, EntryKind.DECRYPTION)],
        threshold=record.threshold,
        qualified=[int(n) for n in key[0]["qualified"]] if key else [],
        has_result=record.entries.filter(kind=EntryKind.RESULT).exists(),
    )


def decoded_ballots(contest: Contest) -> list[tuple[str | None, tuple[str, ...]]] | None:
    """Every ballot of the record's ``result`` entry: its category (None when the options carry
    none) and its ranking of candidate names, in the mixed order; None before the result."""
    record = record_of(contest)
    if record is None:
        return None
    result = record.entries.filter(kind=EntryKind.RESULT).first()
    parameters = record.entries.filter(kind=EntryKind.PARAMETERS).first()
    if result is None or parameters is None:
        return None
    value = _first_object(bytes(parameters.content))
    options, width = list(value["options"]), int(value["width"])
    decoded = _first_object(bytes(result.content))["decoded"]
    parts = [option_parts(option) for option in options]
    ballots: list[tuple[str | None, tuple[str, ...]]] = []
    for row in decoded:
        if width == 1:
            category, ranking = parts[row[0]]
            ballots.append((category, tuple(ranking)))
        else:  # one option a rank: a candidate, or nobody at that rank
            ballots.append((None, tuple(name for index in row for name in parts[index][1])))
    return ballots
