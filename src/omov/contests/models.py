"""Contests, their timetable and lifecycle, and the candidates on their ballot."""

from __future__ import annotations

from django.db import models


class ContestKind(models.TextChoices):
    """Kinds of contest with a label of their own; any other kind is accepted too.

    A contest's ``kind`` names the office in the organisation's own words (``general_secretary``,
    ``board``, ``chair``): the field is free text, not a fixed list (decision 0012). These are
    only the kinds whose label is not simply their words with the first one capitalised.
    """

    LEADER = "leader", "Leader"
    DEPUTY = "deputy", "Deputy leader"
    COMMITTEE = "committee", "Committee"


def kind_label(kind: str) -> str:
    """Return a kind as people read it: 'general_secretary' is 'General secretary'."""
    if kind in ContestKind.values:
        return str(ContestKind(kind).label)
    words = " ".join(kind.replace("_", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:]


class CountingMethod(models.TextChoices):
    """The methods of ``omov.count``; values are the names the count library takes."""

    IRV = "irv", "Preferential vote (AV / IRV)"
    STV_SCOTTISH = "stv-scottish", "STV (Scottish rules, SSI 2007/42)"
    STV_MEEK = "stv-meek", "STV (Meek's method)"
    PLURALITY = "plurality", "Plurality (first past the post)"


class ContestStatus(models.TextChoices):
    """The lifecycle, in order. Each step is taken only through ``contests.services``."""

    DRAFT = "draft", "Draft"
    NOMINATIONS = "nominations", "Nominations open"
    ROLL_FROZEN = "roll_frozen", "Roll frozen"
    BALLOT_OPEN = "ballot_open", "Ballot open"
    CLOSED = "closed", "Ballot closed"
    COUNTED = "counted", "Counted"
    DECLARED = "declared", "Declared"


STATUS_ORDER: tuple[str, ...] = tuple(ContestStatus.values)


class Contest(models.Model):
    """One election: who stands, who may vote, how it is counted, and where it has got to."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=80,
        default=ContestKind.LEADER,
        help_text="The office elected, in the organisation's own words: leader, "
        "general_secretary, board, chair … (any text).",
    )
    seats = models.PositiveSmallIntegerField(default=1)
    method = models.CharField(
        max_length=20, choices=CountingMethod.choices, default=CountingMethod.IRV
    )
    status = models.CharField(
        max_length=20, choices=ContestStatus.choices, default=ContestStatus.DRAFT
    )
    is_vacancy = models.BooleanField(
        default=False, help_text="A vacancy: no incumbent, and the vacancy nomination threshold."
    )
    tie_break_seed = models.CharField(
        max_length=200,
        blank=True,
        help_text="Seed for ties decided by lot; published with the result.",
    )

    # Timetable.
    freeze_date = models.DateField(
        null=True, blank=True, help_text="Members must have joined on or before this date."
    )
    arrears_deadline = models.DateField(
        null=True, blank=True, help_text="Arrears must be paid by this date."
    )
    supporter_window_opens_at = models.DateTimeField(null=True, blank=True)
    supporter_window_closes_at = models.DateTimeField(null=True, blank=True)
    supporter_fee_pence = models.PositiveIntegerField(default=0)
    parliamentary_nominations_open_at = models.DateTimeField(null=True, blank=True)
    parliamentary_nominations_close_at = models.DateTimeField(null=True, blank=True)
    branch_nominations_open_at = models.DateTimeField(null=True, blank=True)
    branch_nominations_close_at = models.DateTimeField(null=True, blank=True)
    ballot_opens_at = models.DateTimeField(null=True, blank=True)
    ballot_closes_at = models.DateTimeField(null=True, blank=True)

    # Lifecycle stamps: each set once, by the service that takes the step.
    created_at = models.DateTimeField(auto_now_add=True)
    nominations_opened_at = models.DateTimeField(null=True, blank=True)
    roll_frozen_at = models.DateTimeField(null=True, blank=True)
    ballot_opened_at = models.DateTimeField(null=True, blank=True)
    ballot_closed_at = models.DateTimeField(null=True, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="contest_seats_positive", condition=models.Q(seats__gte=1)),
            models.CheckConstraint(
                name="contest_single_seat_methods",
                condition=~models.Q(method__in=["irv"]) | models.Q(seats=1),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_kind_display(self) -> str:
        """Return the kind as people read it (the field is free text, so Django adds none)."""
        return kind_label(self.kind)

    def status_index(self) -> int:
        """Return the position of the current status in the lifecycle."""
        return STATUS_ORDER.index(self.status)

    def has_reached(self, status: str) -> bool:
        """Return True when the contest is at ``status`` or beyond."""
        return self.status_index() >= STATUS_ORDER.index(status)


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", "Seeking nominations"
    NOMINATED = "nominated", "Validly nominated"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Candidate(models.Model):
    """A person standing in a contest. Only nominated candidates appear on the ballot."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(max_length=200)
    is_incumbent = models.BooleanField(
        default=False, help_text="The incumbent stands without nominations."
    )
    statement = models.TextField(blank=True, help_text="The candidate's statement to voters.")
    status = models.CharField(
        max_length=20, choices=CandidateStatus.choices, default=CandidateStatus.PROPOSED
    )
    consented_at = models.DateTimeField(
        null=True, blank=True, help_text="When the candidate consented to stand."
    )
    ballot_position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ballot_position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "name"], name="candidate_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
