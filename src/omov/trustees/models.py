"""A contest's trustees and its public election record, kept in the database (decision 0017).

The record's entries are rows with the same hash chain as ``docs/election-record.md``: every app
server reads and appends the same record, and `omov record export` writes the directory layout
byte for byte. No row holds a private key or a share: trustees keep those on their own computers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from omov.contests.models import Contest


class ElectionRecord(models.Model):
    """The contest's record settings; its row is locked by every append so the chain cannot fork.

    ``n`` is the number of trustees appointed; ``threshold`` of them decrypt together.
    """

    contest = models.OneToOneField(
        Contest, on_delete=models.PROTECT, related_name="election_record"
    )
    threshold = models.PositiveSmallIntegerField(help_text="Trustees needed to decrypt (t).")
    mixes_required = models.PositiveSmallIntegerField(
        default=2, help_text="Mixes (shuffles by different trustees) before decryption."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="record_threshold_positive", condition=models.Q(threshold__gte=1)
            ),
            models.CheckConstraint(
                name="record_mixes_positive", condition=models.Q(mixes_required__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"Election record of {self.contest.slug}"


class Trustee(models.Model):
    """One of the contest's ``n`` trustees: their number, name, account and communication key.

    The communication key is the X25519 public key from ``omov trustee init`` (its private half
    never leaves the trustee's computer); it enters the record's parameters.
    """

    record = models.ForeignKey(ElectionRecord, on_delete=models.CASCADE, related_name="trustees")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trusteeships"
    )
    communication_key = models.CharField(max_length=64, blank=True)
    key_handed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["record", "number"]
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="trustee_number_unique"),
            models.UniqueConstraint(fields=["record", "user"], name="trustee_user_unique"),
            models.CheckConstraint(
                name="trustee_number_positive", condition=models.Q(number__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"Trustee {self.number}, {self.name}"


class EntryKind(models.TextChoices):
    """The kinds of entry of ``docs/election-record.md``."""

    PARAMETERS = "parameters", "Parameters"
    DEALING = "dealing", "Dealing"
    COMPLAINT = "complaint", "Complaint"
    ANSWER = "answer", "Answer"
    KEY = "key", "Joint key"
    BALLOTS = "ballots", "Ballots"
    MIX = "mix", "Mix"
    DECRYPTION = "decryption", "Decryption shares"
    RESULT = "result", "Result"


class RecordEntry(models.Model):
    """One entry of the record and its chain line; only ever appended (``services.entry_append``).

    ``content`` is the entry file's bytes, ``file`` its name in the directory layout
    (``entries/NNNN-NAME.json``); ``hash`` chains it to ``previous`` as the format says.
    """

    record = models.ForeignKey(ElectionRecord, on_delete=models.PROTECT, related_name="entries")
    index = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    file = models.CharField(max_length=200)
    content = models.BinaryField()
    file_sha256 = models.CharField(max_length=64)
    previous = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    trustee = models.ForeignKey(
        Trustee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        help_text="The trustee who handed the entry in; empty for the office's entries.",
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["record", "index"]
        constraints = [
            # One entry per place in the chain: two appends racing past the lock cannot fork it.
            models.UniqueConstraint(fields=["record", "index"], name="record_entry_index_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.record.contest.slug} {self.file}"
