"""Open and close the ballot, sign voters in to the booth, cast, and hand the ballots to the count.

One vote per voter is enforced by the database: a cast inserts its sealed ballot and then flips
the voter's credential with ``UPDATE ... SET has_voted = TRUE WHERE id = %s AND has_voted = FALSE``
in the same transaction; a row count other than 1 rolls the ballot back. Concurrent casts with the
same credential block on the row lock and then see ``has_voted`` already true.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from omov.ballots import crypto
from omov.ballots.models import (
    Ballot,
    BallotBox,
    BatchStage,
    Credential,
    Delivery,
    EncryptedBallot,
    PaperOutcome,
    PaperRecord,
    PostalBatch,
    SpoiltReason,
)
from omov.ballots.public_url import public_url_require
from omov.ballots.services import encrypted
from omov.contests.models import Candidate, CandidateStatus, Contest, ContestStatus
from omov.contests.services import contest_transition
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.services import audit_record, throttle_hit, throttle_key, throttle_retry_at
from omov.electorate.bulk import insert_rows
from omov.electorate.models import Person, RollEntry
from omov.jobs.services import job_start
from omov.trustees.selectors import ballot_shape, decoded_ballots, record_of
from omov.trustees.services import RECORD_BALLOTS_JOB

WRONG_KEY_MESSAGE = (
    "This key does not open this contest's ballots; use the key file given when the ballot opened."
)
INSERT_BATCH = 5000
#: Sealed ballots opened at a time at the count (their plaintexts are tallied, then dropped).
OPEN_BATCH = 10_000
#: The category of a ballot counted from a record whose options carry none (one ciphertext per
#: rank, beyond the options bound): the declaration then shows no breakdown by category.
RECORD_WITHOUT_CATEGORY = "all voters"


class AlreadyVoted(ServiceError):
    """The credential has already been used: a second vote is refused."""


class Throttled(ServiceError):
    """Too many attempts at a credential: the message says when to try again."""

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


@dataclass(frozen=True)
class BallotOpening:
    """What opening the ballot hands back: the private count key, shown or written once."""

    contest: Contest
    private_key: bytes | None  # None: the contest has trustees, and no count key exists
    key_text: str
    credentials_created: int
    key_path: Path | None = None


@dataclass(frozen=True)
class DecryptedBallot:
    """One ballot as the count reads it: candidate names in preference order."""

    ranking: tuple[str, ...]
    category: str
    channel: str


@dataclass(frozen=True)
class CountInput:
    """Everything the count needs from the ballot box: how many voters cast each distinct ballot.

    The ballots are grouped (as the count groups them anyway) so that the 2016 electorate's
    half a million ballots take a few entries, not one object each.
    """

    ballots: Counter[DecryptedBallot]
    spoilt: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    credentials_issued: int = 0
    issued_by_category: dict[str, int] = field(default_factory=dict)


# -- Blockers --------------------------------------------------------------------------------


def open_ballot_blockers(contest: Contest) -> list[str]:
    """List what stops the ballot opening: no candidates on the ballot, nobody eligible."""
    blockers = []
    if not contest.candidates.filter(status=CandidateStatus.NOMINATED).exists():
        blockers.append("no candidate is validly nominated, so the ballot would be empty")
    if not contest.roll_entries.filter(is_eligible=True).exists():
        blockers.append("nobody on the frozen roll is eligible to vote")
    return blockers


def close_ballot_blockers(contest: Contest) -> list[str]:
    """List what stops the ballot closing: postal batches whose papers are not all settled.

    A batch's voters are marked as voted when their declarations are accepted; its ballots are
    stored only as its papers are keyed, so the ballot cannot close in between.
    """
    waiting = (
        PostalBatch.objects.filter(contest=contest)
        .exclude(stage=BatchStage.SETTLED)
        .exclude(stage=BatchStage.DECLARATIONS, declarations_accepted=0)  # empty: nothing to key
        .values_list("number", flat=True)
    )
    numbers = [str(n) for n in waiting]
    if numbers:
        return [
            f"postal batch{'es' if len(numbers) != 1 else ''} {', '.join(numbers)} "
            f"{'are' if len(numbers) != 1 else 'is'} not settled: open, key and settle every "
            "ballot paper first"
        ]
    return []


# -- Opening and closing ---------------------------------------------------------------------


def ballot_candidates(contest: Contest) -> list[Candidate]:
    """Return the candidates on the ballot, in ballot order."""
    try:
        box: BallotBox | None = contest.ballot_box
    except BallotBox.DoesNotExist:
        box = None
    if box is not None:
        by_id = {c.pk: c for c in Candidate.objects.filter(pk__in=box.candidate_ids)}
        return [by_id[pk] for pk in box.candidate_ids if pk in by_id]
    return list(contest.candidates.filter(status=CandidateStatus.NOMINATED))


def ballot_open(
    *,
    contest: Contest,
    actor: Any = None,
    actor_label: str = "",
    key_out: str | Path | None = None,
    hand_over_key: bool = False,
    reason: str = "",
    **_options: Any,
) -> BallotOpening:
    """Open the ballot: create the count key and a credential for every eligible voter.

    ``reason`` is needed when opening now goes against the timetable (a nomination window still
    open, before the advertised opening); ``contest_transition`` refuses without it.

    The private count key exists only in the returned object (and in ``key_out``, written with
    mode 0600 when given); it is never stored. A caller that cannot hand it over (neither
    ``key_out`` nor ``hand_over_key``) is refused, so the key is never lost by accident.

    A contest with trustees (decision 0017) makes no count key: its ballots are encrypted to
    the trustees' joint key, sealed before the ballot may open (the trustees' blocker), so
    nothing is handed over and ``key_out`` is not written.
    """
    if record_of(contest) is not None:
        return _ballot_open_for_trustees(contest, actor, actor_label, reason)
    if key_out is None and not hand_over_key:
        raise ServiceError(
            "Opening the ballot creates the count key, which is shown only once. Open the ballot "
            "from the ballot office page, or with `omov ballot open --contest "
            f"{contest.slug} --key-out FILE`."
        )
    # Every credential email and letter will carry the booth's address: refuse a wrong one now,
    # before a single credential exists.
    public_url_require()
    key_path = Path(key_out) if key_out is not None else None
    if key_path is not None:
        if key_path.exists():
            raise ServiceError(
                f"{key_path} already exists; give a new file name for the count key."
            )
        if not key_path.parent.is_dir():
            raise ServiceError(f"The folder {key_path.parent} does not exist; create it first.")
    private_key, public_key = crypto.count_key_generate()
    key_text = crypto.count_key_text(private_key, contest.slug)
    try:
        with transaction.atomic():
            contest_transition(
                contest=contest,
                step="open_ballot",
                actor=actor,
                actor_label=actor_label,
                reason=reason,
            )
            candidate_ids = list(
                contest.candidates.filter(status=CandidateStatus.NOMINATED).values_list(
                    "pk", flat=True
                )
            )
            BallotBox.objects.create(
                contest=contest,
                public_key=public_key,
                candidate_ids=candidate_ids,
                payload_length=crypto.payload_length_for(candidate_ids),
                opened_at=clock.now(),
            )
            created = _credentials_create(contest)
            audit_record(
                action="ballot.open",
                summary=f"Opened the ballot: {created} credentials created",
                actor=actor,
                actor_label=actor_label,
                contest=contest,
                target=contest,
                data={"credentials": created, "public_key": public_key.hex()},
            )
            if key_path is not None:
                descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "w") as handle:
                    handle.write(key_text)
    except BaseException:
        if key_path is not None and key_path.exists() and not _box_exists(contest):
            key_path.unlink()
        raise
    return BallotOpening(contest, private_key, key_text, created, key_path)


def _ballot_open_for_trustees(
    contest: Contest, actor: Any, actor_label: str, reason: str
) -> BallotOpening:
    public_url_require()
    with transaction.atomic():
        contest_transition(
            contest=contest, step="open_ballot", actor=actor, actor_label=actor_label, reason=reason
        )
        shape = ballot_shape(contest)
        if shape is None or shape.public_key is None:  # the trustees' blocker said so already
            raise ServiceError("The trustees' joint key is not sealed: the ballot cannot open.")
        candidate_ids = list(
            contest.candidates.filter(status=CandidateStatus.NOMINATED).values_list("pk", flat=True)
        )
        box = BallotBox.objects.create(
            contest=contest,
            public_key=shape.public_key.data,
            candidate_ids=candidate_ids,
            payload_length=0,
            opened_at=clock.now(),
            has_trustees=True,
        )
        encrypted.joint_key_ballot(box)  # the record's options name every candidate, or refuse
        created = _credentials_create(contest)
        audit_record(
            action="ballot.open",
            summary=(
                f"Opened the ballot: {created} credentials created; ballots are encrypted to "
                "the trustees' joint key"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=contest,
            data={"credentials": created, "joint_key": shape.public_key.hex()},
        )
    return BallotOpening(contest, None, "", created, None)


def _box_exists(contest: Contest) -> bool:
    return BallotBox.objects.filter(contest=contest).exists()


def _credentials_create(contest: Contest) -> int:
    """Create one credential (secret not yet drawn) per eligible voter on the frozen roll.

    One INSERT ... SELECT on the database server: the 2016 electorate's 654,006 rows never pass
    through Python. Voters with an email address who agreed to email get theirs by email, the
    rest by letter.
    """
    credentials = Credential._meta.db_table
    entries = RollEntry._meta.db_table
    people = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {credentials} (contest_id, roll_entry_id, category, delivery, "
            "reference_hash, code_hash, issued_at, generation, reminder_round, has_voted) "
            f"SELECT e.contest_id, e.id, e.category, "
            "CASE WHEN p.email <> '' AND p.consent_email = %s THEN %s ELSE %s END, "
            "NULL, '', NULL, 0, 0, %s "
            f"FROM {entries} e JOIN {people} p ON p.id = e.person_id "
            "WHERE e.contest_id = %s AND e.is_eligible = %s ORDER BY e.id",
            [True, Delivery.EMAIL.value, Delivery.LETTER.value, False, contest.pk, True],
        )
        created = cursor.rowcount
        if connection.vendor == "postgresql":  # fresh statistics, so delivery claims use the index
            cursor.execute(f"ANALYZE {credentials}")
    return int(created)


def ballot_close(
    *, contest: Contest, actor: Any = None, actor_label: str = "", reason: str = "", **_: Any
) -> Contest:
    """Close the ballot: no cast can commit after this, and physical traces of order are scrubbed.

    ``reason`` is needed when closing before the advertised close (``contest_transition``).

    On PostgreSQL the ballot table is locked in SHARE mode first, which waits for every cast in
    flight and holds new ones until the close commits (they then see the contest closed). Then the
    contest's ballot and voted-credential rows are rewritten in one transaction (so no row keeps
    the transaction id of its cast) and both tables are clustered on their keys (random for
    ballots), which discards the physical order in which votes arrived.

    A contest with trustees also queues the job that adds its encrypted ballots to the
    election record (``ballots.jobs``, kind ``record.ballots``), in the close's transaction.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {Ballot._meta.db_table}, {EncryptedBallot._meta.db_table} "
                    "IN SHARE MODE"
                )
        contest_transition(
            contest=contest,
            step="close_ballot",
            actor=actor,
            actor_label=actor_label,
            reason=reason,
        )
        BallotBox.objects.filter(contest=contest).update(closed_at=clock.now())
        ballots = Ballot.objects.filter(contest=contest).count()
        ballots += EncryptedBallot.objects.filter(contest=contest).count()
        voted = Credential.objects.filter(contest=contest, has_voted=True).count()
        # A spoilt paper marks its voter as voted but is not a ballot for the count: say so, or
        # "ballots received" and "voters voted" disagree without a reason on the page.
        spoilt = PaperRecord.objects.filter(contest=contest, outcome=PaperOutcome.SPOILT).count()
        _scrub_physical_order(contest)
        audit_record(
            action="ballot.close",
            summary=(
                f"Closed the ballot: {voted:,} voters voted; {ballots:,} ballots for the count "
                f"and {spoilt:,} spoilt papers"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=contest,
            data={"ballots": ballots, "voted": voted, "spoilt": spoilt},
        )
        if BallotBox.objects.filter(contest=contest, has_trustees=True).exists():
            job_start(
                kind=RECORD_BALLOTS_JOB,
                summary=f"Add the ballots of {contest.title} to the election record",
                contest=contest,
                actor=actor,
                actor_label=actor_label,
            )
    return contest


def _scrub_physical_order(contest: Contest) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: the ballot table has no rowid; pages follow the random key.
    ballot_table = Ballot._meta.db_table
    encrypted_table = EncryptedBallot._meta.db_table
    credential_table = Credential._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ballot_table} SET receipt = receipt WHERE contest_id = %s", [contest.pk]
        )
        cursor.execute(
            f"UPDATE {encrypted_table} SET tracker = tracker WHERE contest_id = %s", [contest.pk]
        )
        cursor.execute(
            f"UPDATE {credential_table} SET has_voted = has_voted "
            "WHERE contest_id = %s AND has_voted",
            [contest.pk],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # CLUSTER refuses pending FK checks
        cursor.execute(f"CLUSTER {ballot_table} USING {ballot_table}_pkey")
        cursor.execute(f"CLUSTER {encrypted_table} USING {encrypted_table}_pkey")
        cursor.execute(f"CLUSTER {credential_table} USING {credential_table}_pkey")


# -- The booth ------------------------------------------------------------------------------


def _throttle_window() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "OMOV_BOOTH_THROTTLE_WINDOW", 900)))


def credential_sign_in(*, reference: str, code: str, client_ip: str) -> Credential:
    """Check a ballot reference and security code typed at the booth; return the credential.

    Every attempt counts against two limits: per reference (guessing one voter's code) and per
    client address (guessing across voters). When either is used up the voter is told when to
    try again.
    """
    reference = crypto.normalise(reference)
    code = crypto.normalise(code)
    window = _throttle_window()
    per_reference = int(getattr(settings, "OMOV_BOOTH_ATTEMPTS_PER_REFERENCE", 5))
    per_address = int(getattr(settings, "OMOV_BOOTH_ATTEMPTS_PER_ADDRESS", 60))
    # Throttle keys are keyed hashes under the site's key, never the credential key: a throttle
    # row cannot be matched with a credential's stored reference hash (issue 8, item 5).
    allowed_address = throttle_hit(
        key=throttle_key("booth-address", client_ip), limit=per_address, window=window
    )
    allowed_reference = throttle_hit(
        key=throttle_key("booth-reference", reference), limit=per_reference, window=window
    )
    if not (allowed_address and allowed_reference):
        retry_at = throttle_retry_at(window)
        local = timezone.localtime(retry_at)
        raise Throttled(
            "Too many attempts have been made with this ballot reference or from this "
            f"connection. For your security, try again after {local:%H:%M} ({local:%d %B}).",
            retry_at,
        )
    if not crypto.is_well_formed_reference(reference):
        raise ServiceError(
            "A ballot reference is 10 letters and numbers (for example ABCDE-12345). "
            "Check it against your email or letter."
        )
    if not crypto.is_well_formed_code(code):
        raise ServiceError(
            "A security code is 8 letters and numbers (for example WXYZ-1234). "
            "Check it against your email or letter."
        )
    credential = (
        Credential.objects.select_related("contest")
        .filter(reference_hash=crypto.reference_hash(reference))
        .first()
    )
    if credential is not None and crypto.code_hash_is_legacy(credential.code_hash, reference, code):
        _code_hash_upgrade(credential, reference, code)
    if credential is None or not crypto.code_matches(credential.code_hash, reference, code):
        raise ServiceError(
            "The ballot reference and security code do not match. Check both against your "
            "email or letter and try again."
        )
    if credential.contest.status != ContestStatus.BALLOT_OPEN:
        raise ServiceError(_not_open_message(credential.contest))
    if credential.has_voted:
        raise AlreadyVoted(
            "This ballot reference has already been used to vote, and your vote has been "
            "recorded. Each voter votes once."
        )
    return credential


def _code_hash_upgrade(credential: Credential, reference: str, code: str) -> None:
    """Store a credential issued before booth passes proved the code in today's form.

    Older versions stored the code proof itself as the code hash; a booth pass can only be
    checked against its SHA-256 (docs/decisions/0003 §3a). The voter has just typed the right
    code, so the stored value is replaced (only if unchanged meanwhile) and their credential goes
    on working after an upgrade during a ballot.
    """
    upgraded = crypto.code_hash(reference, code)
    Credential.objects.filter(pk=credential.pk, code_hash=credential.code_hash).update(
        code_hash=upgraded
    )
    credential.code_hash = upgraded


def _not_open_message(contest: Contest) -> str:
    if contest.has_reached(ContestStatus.CLOSED):
        return f"The ballot for {contest.title} has closed; votes can no longer be cast."
    return f"The ballot for {contest.title} has not opened yet."


def _box_shape(contest_id: int) -> tuple[bytes, tuple[int, ...], int]:
    """Return (public key, candidate ids, payload length): fixed once the ballot is open."""
    row = (
        BallotBox.objects.filter(contest_id=contest_id)
        .values_list("public_key", "candidate_ids", "payload_length")
        .first()
    )
    if row is None:
        raise ServiceError("The ballot for this contest has not opened yet.")
    return bytes(row[0]), tuple(row[1]), row[2]


def ranking_validate(
    contest_id: int, ranking: Sequence[int], shape: tuple[bytes, tuple[int, ...], int] | None = None
) -> list[int]:
    """Check a ranking of candidate ids: at least one, each on the ballot, none twice."""
    _, candidate_ids, _ = shape or _box_shape(contest_id)
    ranking = [int(pk) for pk in ranking]
    if not ranking:
        raise ServiceError("Number at least one candidate: put 1 next to your first choice.")
    if len(set(ranking)) != len(ranking):
        raise ServiceError("Each candidate can be numbered only once.")
    unknown = [pk for pk in ranking if pk not in candidate_ids]
    if unknown:
        raise ServiceError("The ballot lists a candidate who is not standing; start again.")
    return ranking


def _seal(
    contest_id: int,
    ranking: Sequence[int],
    category: str,
    channel: str,
    shape: tuple[bytes, tuple[int, ...], int] | None = None,
) -> Ballot:
    public_key, _, payload_length = shape or _box_shape(contest_id)
    plaintext = crypto.payload_encode(ranking, category, channel, pad_to=payload_length)
    sealed = crypto.seal(public_key, plaintext)
    return Ballot(
        id=_random_uuid(), contest_id=contest_id, sealed=sealed, receipt=crypto.receipt_of(sealed)
    )


def _random_uuid() -> uuid.UUID:
    """Return a random (version 4) id: 122 bits from the operating system's random source."""
    return uuid.uuid4()


def _ballot_values(ballot: Ballot | EncryptedBallot) -> tuple[Any, ...]:
    """Return the values of the ballot's columns (its concrete fields) as the driver takes them."""
    return tuple(
        field.get_db_prep_save(getattr(ballot, field.attname), connection)
        for field in type(ballot)._meta.concrete_fields
    )


def _ballot_insert(ballot: Ballot | EncryptedBallot) -> None:
    """Insert one ballot with a plain INSERT (the hot path skips the ORM's query building).

    On PostgreSQL the INSERT waits while a close holds the ballot tables in SHARE mode.
    """
    fields = type(ballot)._meta.concrete_fields
    values = _ballot_values(ballot)
    columns = ", ".join(str(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {type(ballot)._meta.db_table} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(values))})",
            values,
        )


def _mark_voted(credential_id: int) -> bool:
    """Flip one credential to voted, only while unvoted and while its contest's ballot is open."""
    credentials = Credential._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {credentials} SET has_voted = %s "
            f"WHERE id = %s AND has_voted = %s AND EXISTS (SELECT 1 FROM "
            f"{Contest._meta.db_table} c WHERE c.id = {credentials}.contest_id AND c.status = %s)",
            [True, credential_id, False, ContestStatus.BALLOT_OPEN.value],
        )
        return cursor.rowcount == 1


def ballot_cast(
    *,
    credential_id: int,
    ranking: Sequence[int],
    channel: str = "online",
    credential: Credential | None = None,
) -> str:
    """Cast one ballot with a signed-in credential; return its receipt (or its tracker).

    In a contest with trustees the ballot is encrypted to their joint key and the voter gets
    its tracker, to find in the election record; otherwise it is sealed to the count key and
    the voter gets its receipt. The ballot is inserted first (on PostgreSQL this waits while a
    close holds the table), then the credential is flipped; if the flip does not touch exactly
    one row the whole transaction is rolled back. No audit event is written: a timed record of a
    cast would link voter and ballot. ``credential`` may be passed (loaded with
    ``contest__ballot_box``) to save the look-ups; the database still decides, by the
    conditional update, whether the vote counts.
    """
    if credential is None or credential.pk != credential_id:
        credential = (
            Credential.objects.select_related("contest__ballot_box")
            .filter(pk=credential_id)
            .first()
        )
    if credential is None:
        raise ServiceError("This credential does not exist; sign in again with your reference.")
    if credential.has_voted:
        raise AlreadyVoted(
            "This ballot reference has already been used to vote. Each voter votes once."
        )
    contest_id = credential.contest_id
    try:
        box = credential.contest.ballot_box
    except BallotBox.DoesNotExist as error:
        raise ServiceError("The ballot for this contest has not opened yet.") from error
    shape = (bytes(box.public_key), tuple(box.candidate_ids), box.payload_length)
    ranking = ranking_validate(contest_id, ranking, shape)
    ballot: Ballot | EncryptedBallot
    if box.has_trustees:
        ballot = encrypted.encrypted_ballot_make(box, ranking, credential.category, channel)
        token = ballot.tracker
    else:
        ballot = _seal(contest_id, ranking, credential.category, channel, shape)
        token = ballot.receipt
    with transaction.atomic():
        _ballot_insert(ballot)
        if not _mark_voted(credential_id):
            contest = Contest.objects.get(pk=contest_id)
            if contest.status != ContestStatus.BALLOT_OPEN:
                raise ServiceError(_not_open_message(contest))
            raise AlreadyVoted(
                "This ballot reference has already been used to vote. Each voter votes once."
            )
    return token


# -- The count ------------------------------------------------------------------------------


def ballots_for_count(*, contest: Contest, private_key_bytes: bytes | str | None) -> CountInput:
    """The closed contest's ballots, grouped for the count, with the box's other figures.

    A contest with trustees is counted from the trustees' proven decryption: the ``result``
    entry of its election record (no key; ``private_key_bytes`` is ignored). Otherwise every
    sealed ballot is opened with the count key, in random order (see ``_sealed_ballots``).
    """
    box = BallotBox.objects.filter(contest=contest).first()
    if box is None:
        raise ServiceError("The ballot of this contest never opened, so there is nothing to count.")
    if not contest.has_reached(ContestStatus.CLOSED):
        raise ServiceError("The ballot is still open; close it before the count.")
    if box.has_trustees:
        ballots = _record_ballots(contest)
    else:
        if not private_key_bytes:
            raise ServiceError(
                "Counting needs the ballot key file written when the ballot was opened. Upload "
                f"it on the count page (/results/{contest.slug}/count/) or run `omov ballot "
                f"count --contest {contest.slug} --key FILE`."
            )
        ballots = _sealed_ballots(contest, box, private_key_bytes)
    records = (
        PaperRecord.objects.filter(contest=contest)
        .values_list("outcome", "reason")
        .annotate(number=Count("id"))
    )
    spoilt: dict[str, int] = {}
    rejected: dict[str, int] = {}
    for outcome, reason, number in records:
        (spoilt if outcome == PaperOutcome.SPOILT else rejected)[reason] = number
    issued = dict(
        Credential.objects.filter(contest=contest)
        .values_list("category")
        .annotate(number=Count("id"))
        .values_list("category", "number")
    )
    return CountInput(
        ballots=ballots,
        spoilt=spoilt,
        rejected=rejected,
        credentials_issued=sum(issued.values()),
        issued_by_category=issued,
    )


def _record_ballots(contest: Contest) -> Counter[DecryptedBallot]:
    """The decoded ballots of the record's ``result`` entry (mixed twice, decrypted by ``t``
    trustees with proofs), grouped. A ballot whose options carried no category (one
    ciphertext per rank) is counted under ``RECORD_WITHOUT_CATEGORY``."""
    decoded = decoded_ballots(contest)
    if decoded is None:
        raise ServiceError(
            f"{contest.title} is counted from its election record, and the record has no "
            "result yet: the trustees mix the ballots, then decrypt them."
        )
    ballots = Counter[DecryptedBallot]()
    for category, ranking in decoded:
        ballots[
            DecryptedBallot(
                ranking=ranking, category=category or RECORD_WITHOUT_CATEGORY, channel="record"
            )
        ] += 1
    return ballots


def _sealed_ballots(
    contest: Contest, box: BallotBox, private_key_bytes: bytes | str
) -> Counter[DecryptedBallot]:
    """Open every sealed ballot with the count key, in random order, and group them.

    ``private_key_bytes`` is the raw 32-byte key or the key file's contents. The sealed ballots
    are shuffled with the system's random source before any is opened, then opened
    ``OPEN_BATCH`` at a time and tallied at once, so neither the order of storage nor one object
    per ballot survives: the result says only how many voters cast each distinct ballot.
    """
    try:
        private_key = crypto.count_key_parse(private_key_bytes)
    except ValueError as error:
        raise ServiceError(WRONG_KEY_MESSAGE) from error
    if crypto.public_key_of(private_key) != bytes(box.public_key):
        raise ServiceError(WRONG_KEY_MESSAGE)
    names = dict(Candidate.objects.filter(pk__in=box.candidate_ids).values_list("pk", "name"))
    sealed = [
        bytes(s)
        for s in Ballot.objects.filter(contest=contest)
        .values_list("sealed", flat=True)
        .iterator(chunk_size=OPEN_BATCH)
    ]
    secrets.SystemRandom().shuffle(sealed)
    # Identical ballots have identical plaintexts (same JSON, same padding): count those, and
    # read each distinct one once.
    plaintexts = Counter[bytes]()
    for start in range(0, len(sealed), OPEN_BATCH):
        try:
            plaintexts.update(crypto.unseal_many(private_key, sealed[start : start + OPEN_BATCH]))
        except ValueError as error:
            raise ServiceError(WRONG_KEY_MESSAGE) from error
    ballots = Counter[DecryptedBallot]()
    for plaintext, number in plaintexts.items():
        ballots[_decrypted_ballot(plaintext, names)] += number
    return ballots


def _decrypted_ballot(plaintext: bytes, names: dict[int, str]) -> DecryptedBallot:
    """Read one opened ballot's plaintext, with candidate names for ids."""
    try:
        payload = crypto.payload_decode(plaintext)
    except ValueError as error:
        raise ServiceError(WRONG_KEY_MESSAGE) from error
    ranking = payload["ranking"]
    assert isinstance(ranking, list)
    return DecryptedBallot(
        ranking=tuple(names[int(pk)] for pk in ranking),
        category=str(payload["category"]),
        channel=str(payload["channel"]),
    )


# -- Demo seeding -----------------------------------------------------------------------------


def ballots_seed_demo(
    *,
    contest: Contest,
    votes: Iterable[tuple[Any, Sequence[Any] | None]],
    batch_size: int = INSERT_BATCH,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Cast many ballots at once for a demonstration: (roll entry, ranking or None for spoilt).

    A ranking lists candidate names or ids in preference order. Each batch marks its voters as
    voted with one conditional UPDATE (refusing anyone who already voted) and inserts its sealed
    ballots, shuffled, in bulk (COPY on PostgreSQL; rows, not model-built SQL, so Django's debug
    log keeps one line per batch rather than every sealed ballot written out); everything runs in
    one transaction.
    """
    if contest.status != ContestStatus.BALLOT_OPEN:
        raise ServiceError("Seed ballots only while the ballot is open.")
    shape = _box_shape(contest.pk)
    candidate_ids = shape[1]
    box = BallotBox.objects.get(contest=contest)
    by_name = dict(Candidate.objects.filter(pk__in=candidate_ids).values_list("name", "pk"))
    totals = Counter[str]()
    rng = secrets.SystemRandom()
    model: type[Ballot] | type[EncryptedBallot] = EncryptedBallot if box.has_trustees else Ballot
    ballot_fields = [field.name for field in model._meta.concrete_fields]

    def candidate_id(value: Any) -> int:
        if isinstance(value, int) and value in candidate_ids:
            return value
        if isinstance(value, str) and value in by_name:
            return by_name[value]
        raise ServiceError(f"{value!r} is not a candidate on this contest's ballot.")

    def flush(batch: list[tuple[int, Sequence[Any] | None]]) -> None:
        entry_ids = [entry_id for entry_id, _ in batch]
        credentials = dict(
            Credential.objects.filter(contest=contest, roll_entry_id__in=entry_ids).values_list(
                "roll_entry_id", "category"
            )
        )
        missing = [entry_id for entry_id in entry_ids if entry_id not in credentials]
        if missing:
            raise ServiceError(f"Roll entry {missing[0]} has no credential in this contest.")
        updated = Credential.objects.filter(
            contest=contest, roll_entry_id__in=entry_ids, has_voted=False
        ).update(has_voted=True)
        if updated != len(set(entry_ids)) or len(set(entry_ids)) != len(entry_ids):
            raise ServiceError("Some of these voters have already voted; each votes once.")
        ballots: list[Ballot | EncryptedBallot] = []
        spoilt = []
        for entry_id, ranking in batch:
            if ranking is None:
                spoilt.append(
                    PaperRecord(
                        id=_random_uuid(),
                        contest=contest,
                        outcome=PaperOutcome.SPOILT,
                        reason=SpoiltReason.NO_PREFERENCE,
                    )
                )
                continue
            ids = ranking_validate(contest.pk, [candidate_id(v) for v in ranking], shape)
            if box.has_trustees:
                category = credentials[entry_id]
                ballots.append(encrypted.encrypted_ballot_make(box, ids, category, "online"))
            else:
                ballots.append(_seal(contest.pk, ids, credentials[entry_id], "online", shape))
        rng.shuffle(ballots)
        insert_rows(model, ballot_fields, [_ballot_values(ballot) for ballot in ballots])
        PaperRecord.objects.bulk_create(spoilt)
        totals["ballots"] += len(ballots)
        totals["spoilt"] += len(spoilt)
        if progress is not None:
            progress(len(batch))

    with transaction.atomic():
        batch: list[tuple[int, Sequence[Any] | None]] = []
        for entry, ranking in votes:
            batch.append((entry if isinstance(entry, int) else entry.pk, ranking))
            if len(batch) >= batch_size:
                flush(batch)
                batch = []
        if batch:
            flush(batch)
        audit_record(
            action="ballot.seed_demo",
            summary=f"Seeded {totals['ballots']} demonstration ballots and {totals['spoilt']} "
            "spoilt papers",
            actor_label="demo",
            contest=contest,
            data=dict(totals),
        )
    return dict(totals)
