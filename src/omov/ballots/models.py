"""Credentials, sealed ballots and paper-ballot records: what the secret ballot stores.

Secrecy rests on what is *not* here: a ballot row has a random primary key, no timestamp, no
foreign key to a voter or credential, and its content is sealed to the contest's count key; a
credential's voted mark is a bare boolean. See docs/decisions/0003-ballot-secrecy.md.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from omov.electorate.models import Category


class BallotBox(models.Model):
    """The public half of a contest's count key and the fixed shape of its sealed ballots.

    Created when the ballot opens. The private key is handed to the returning officer once and
    never stored; only this public key is kept, to seal ballots and to recognise the right key at
    the count.
    """

    contest = models.OneToOneField(
        "contests.Contest", on_delete=models.CASCADE, related_name="ballot_box"
    )
    public_key = models.BinaryField(max_length=32)
    candidate_ids = models.JSONField(help_text="The candidates on the ballot, in ballot order.")
    payload_length = models.PositiveIntegerField(
        help_text="Every sealed ballot's plaintext is padded to this many bytes."
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    #: The contest has trustees (decision 0017): ``public_key`` is then the trustees' joint key
    #: (32 bytes, edwards25519), no count key exists, and ballots are ``EncryptedBallot`` rows.
    has_trustees = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name_plural = "ballot boxes"

    def __str__(self) -> str:
        return f"Ballot box of {self.contest}"


class Delivery(models.TextChoices):
    EMAIL = "email", "Email"
    LETTER = "letter", "Printed letter"


class Credential(models.Model):
    """One voter's right to vote once in one contest: a ballot reference and a security code.

    Both secrets are stored only as keyed hashes (HMAC-SHA256 with ``settings.CREDENTIAL_KEY``);
    ``reference_hash`` is empty until the credential has been handed to its delivery (an email
    batch or a printed letter), which is the outbox state that makes delivery resumable.
    ``has_voted`` is deliberately a boolean without a time.
    """

    contest = models.ForeignKey(
        "contests.Contest", on_delete=models.CASCADE, related_name="credentials"
    )
    roll_entry = models.OneToOneField(
        "electorate.RollEntry", on_delete=models.PROTECT, related_name="credential"
    )
    category = models.CharField(max_length=24)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    reference_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    code_hash = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current secret was handed to its delivery."
    )
    generation = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a secret has been issued (more than 1: reissued)."
    )
    reminder_round = models.PositiveSmallIntegerField(default=0)
    has_voted = models.BooleanField(default=False)
    #: A returned paper from this voter was rejected because they had already voted. Recorded so
    #: that keying the same paper again does not count a second rejection. It says nothing about
    #: any vote: a rejected paper is never opened for the count.
    has_rejected_paper = models.BooleanField(default=False, db_default=False)

    class Meta:
        indexes = [
            models.Index(fields=["contest", "has_voted", "category"]),
            models.Index(fields=["contest", "delivery", "issued_at"]),
        ]

    def __str__(self) -> str:
        return f"Credential {self.pk} in contest {self.contest_id}"


class Ballot(models.Model):
    """One cast ballot, sealed to the count key. Shares nothing with the voter who cast it.

    The primary key is random; there is no timestamp and no link to a credential. On SQLite the
    table is created WITHOUT ROWID so no hidden insertion counter exists (see migration 0001).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contest = models.ForeignKey("contests.Contest", on_delete=models.CASCADE, related_name="+")
    sealed = models.BinaryField()
    receipt = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contest", "receipt"], name="ballot_receipt_unique")
        ]

    def __str__(self) -> str:
        return f"Ballot {self.receipt}"


class Channel(models.TextChoices):
    ONLINE = "online", "Online"
    PAPER = "paper", "Paper"


class EncryptedBallot(models.Model):
    """One cast ballot of a contest with trustees: its ciphertext row under the joint key.

    ``ciphertexts`` is the row as cast (``width`` ElGamal pairs of 64 bytes: alpha then beta),
    ``tracker`` its SHA-256 tracker (``docs/election-record.md``), which the voter is shown and
    finds in the record. Like ``Ballot`` it shares nothing with the voter: a random key, no
    time, no link to a credential, WITHOUT ROWID on SQLite (migration 0004). The channel is
    public anyway: the record holds one ballots entry per channel.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contest = models.ForeignKey("contests.Contest", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=6, choices=Channel.choices)
    ciphertexts = models.BinaryField()
    tracker = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "tracker"], name="encrypted_ballot_tracker_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Ballot {self.tracker}"


class PaperOutcome(models.TextChoices):
    BALLOT = "ballot", "Valid ballot paper"
    SPOILT = "spoilt", "Spoilt paper"
    REJECTED = "rejected", "Rejected paper"


class SpoiltReason(models.TextChoices):
    NO_PREFERENCE = "no_preference", "No preference marked"
    UNCLEAR = "unclear", "The voter's intention is unclear"
    IDENTIFIES_VOTER = "identifies_voter", "Writing or a mark identifies the voter"
    NO_BALLOT_PAPER = "no_ballot_paper", "No ballot paper was in the envelope"
    OTHER = "other", "Other reason"


class RejectedReason(models.TextChoices):
    ALREADY_VOTED = "already_voted", "The voter had already voted"
    UNKNOWN_REFERENCE = "unknown_reference", "The ballot reference is not recognised"
    LATE = "late", "Arrived after the ballot closed"
    NO_DECLARATION = "no_declaration", "The voter's declaration is missing or unsigned"
    OTHER = "other", "Other reason"


class PaperRecord(models.Model):
    """A returned paper that is not a ballot for the count: spoilt or rejected, with the reason.

    Like a ballot it has a random key, no time and no link to the voter.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contest = models.ForeignKey("contests.Contest", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(
        max_length=10, choices=[c for c in PaperOutcome.choices if c[0] != "ballot"]
    )
    reason = models.CharField(max_length=24)

    class Meta:
        indexes = [models.Index(fields=["contest", "outcome", "reason"])]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.reason}"


class BatchStage(models.TextChoices):
    DECLARATIONS = "declarations", "Checking declarations"
    COUNT_MISMATCH = (
        "count_mismatch",
        "Ballot papers and declarations differ: a supervisor must reconcile them",
    )
    KEYING = "keying", "Keying ballot papers"
    SETTLED = "settled", "Settled"


class PostalBatch(models.Model):
    """A tray of returned postal envelopes, handled in two stages (the two-envelope practice).

    Stage one checks each envelope's declaration (its ballot reference) and marks its voter as
    voted; the ballot envelopes, unopened, stay in the tray. Stage two opens them all at once,
    mixes the ballot papers, numbers them 1, 2, 3 … in the mixed order and keys each twice.
    Nothing here records which voter's paper is which: the batch knows how many declarations
    it accepted, not whose. ``keying_secret`` compares the blind keyings and is destroyed when
    the batch is settled. See docs/decisions/0010-postal-voting.md.
    """

    contest = models.ForeignKey(
        "contests.Contest", on_delete=models.CASCADE, related_name="postal_batches"
    )
    number = models.PositiveIntegerField()
    category = models.CharField(
        max_length=24, help_text="Every voter in a batch is of this category (its ballot papers)."
    )
    stage = models.CharField(
        max_length=20, choices=BatchStage.choices, default=BatchStage.DECLARATIONS
    )
    declarations_accepted = models.PositiveIntegerField(default=0)
    papers_found = models.PositiveIntegerField(
        null=True, blank=True, help_text="Ballot papers found when the envelopes were opened."
    )
    papers_to_key = models.PositiveIntegerField(null=True, blank=True)
    papers_settled = models.PositiveIntegerField(default=0)
    keying_secret = models.BinaryField(max_length=32, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    separated_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "postal batches"
        constraints = [
            models.UniqueConstraint(fields=["contest", "number"], name="postal_batch_number")
        ]

    def __str__(self) -> str:
        return f"Batch {self.number}"

    @property
    def category_label(self) -> str:
        """Return the batch's voter category in words."""

        return str(dict(Category.choices).get(self.category, self.category))


class KeyingStatus(models.TextChoices):
    AWAITING_SECOND = "awaiting_second", "Awaiting the second keying"
    MISMATCH = "mismatch", "The two keyings differ: a supervisor must resolve it"
    SETTLED = "settled", "Settled"


class PaperKeying(models.Model):
    """One ballot paper of a batch, by its number in the mixed batch, while the batch is keyed.

    Holds keyed fingerprints (under the batch's own secret) of what was keyed, never the
    preferences, and no reference, credential or time: the paper names no voter. The rows of a
    batch are deleted, and its secret destroyed, once every paper in it is settled.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    batch = models.ForeignKey(PostalBatch, on_delete=models.CASCADE, related_name="keyings")
    paper_number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=KeyingStatus.choices, default=KeyingStatus.AWAITING_SECOND
    )
    first_operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    first_fingerprint = models.CharField(max_length=64, blank=True)
    second_operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    second_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "paper_number"], name="one_keying_per_paper")
        ]

    def __str__(self) -> str:
        return f"Paper {self.paper_number} of batch {self.batch_id}: {self.get_status_display()}"
