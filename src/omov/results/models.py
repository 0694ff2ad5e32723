"""The result of a contest's count: the full report, the breakdowns and the published exports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property

from omov.count import CountResult


class Result(models.Model):
    """What the count of one contest found, stored once when the returning officer counts.

    Written only by ``results.services.result_count``. ``report`` is the count library's own
    JSON report (format ``omov.count/1``), exact to the digit; ``ballots_blt`` holds the
    anonymised ballots (identical rankings grouped, sorted, no identifiers) from which anyone
    can recount and get ``report`` again; ``ballots_sha256`` fingerprints that file. Nothing here
    links a ballot to a voter.
    """

    contest = models.OneToOneField(
        "contests.Contest", on_delete=models.CASCADE, related_name="result"
    )
    method = models.CharField(max_length=20)
    seats = models.PositiveSmallIntegerField()
    elected = models.JSONField(default=list, help_text="The elected, in the order elected.")
    report = models.JSONField(help_text="The count's report, format omov.count/1.")
    rounds_csv = models.TextField(help_text="The round-by-round table as CSV.")
    rounds_table = models.TextField(help_text="The round-by-round table as plain text.")
    categories = models.JSONField(
        default=dict, help_text="For each category of voter, its votes per candidate."
    )
    category_basis = models.CharField(
        max_length=40, help_text="What the category breakdown counts: final round or first."
    )
    valid = models.PositiveIntegerField()
    spoilt = models.JSONField(default=dict, help_text="Spoilt ballots by reason.")
    rejected = models.JSONField(default=dict, help_text="Rejected ballots by reason.")
    credentials_issued = models.PositiveIntegerField()
    issued_by_category = models.JSONField(default=dict)
    ballots_blt = models.TextField(help_text="The anonymised ballots as BLT, for any recount.")
    ballots_sha256 = models.CharField(max_length=64)
    counted_at = models.DateTimeField()
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="result_sha256_is_hex",
                condition=models.Q(ballots_sha256__regex=r"^[0-9a-f]{64}$"),
            )
        ]

    def __str__(self) -> str:
        return f"Result of {self.contest}"

    @cached_property
    def outcome(self) -> CountResult:
        """The stored count report, read back as the count's own result (exact decimals)."""
        return CountResult.from_json(self.report)

    @property
    def spoilt_total(self) -> int:
        return sum(int(value) for value in self.spoilt.values())

    @property
    def rejected_total(self) -> int:
        return sum(int(value) for value in self.rejected.values())

    @property
    def ballots_returned(self) -> int:
        """Return every ballot that came back: valid, spoilt and rejected."""
        return self.valid + self.spoilt_total + self.rejected_total
