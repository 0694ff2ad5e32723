"""Nominations and registered-supporter sign-ups of a contest.

The parliamentary party list (where a contest asks for parliamentary nominations) is kept per
contest: the threshold is a share of the MPs and MEPs
*at the time of the contest* (254 in 2016), and a per-contest list keeps that figure fixed and
reproducible however the party changes later. Each list is imported from CSV by the returning
officer when nominations open.

Every row here is written only by ``omov.nominations.services``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class NominationRules(models.Model):
    """Who must nominate a candidate in one contest, and how many of them (decision 0012).

    Every route is optional and off by default: with no rules saved (``selectors.rules_for``
    supplies these defaults) a candidate who consents to stand is nominated. A contest file's
    ``[nominations]`` table, or the rules page, switches routes on:

    - the parliamentary threshold: ``challenger_percent`` of the parliamentary group
      (``vacancy_percent`` when the contest fills a vacancy), when
      ``is_parliamentary_threshold_required``;
    - the gate, when ``is_gate_enabled``: nominations from ``gate_branch_percent`` of all
      branches, or ``gate_branch_count`` branches, OR ``gate_affiliate_count`` affiliates, OR
      ``gate_signature_count`` members' signatures; any one route given is enough.

    A candidate needs every part switched on. The incumbent stands without nominations unless
    ``is_incumbent_exempt`` is off.
    """

    contest = models.OneToOneField(
        "contests.Contest", on_delete=models.CASCADE, related_name="nomination_rules"
    )
    is_parliamentary_threshold_required = models.BooleanField(
        default=False,
        help_text="Candidates need nominations from a share of the parliamentary group (its "
        "list is imported per contest). Off unless the contest says so.",
    )
    challenger_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("20"), validators=PERCENT_VALIDATORS
    )
    vacancy_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("15"), validators=PERCENT_VALIDATORS
    )
    is_incumbent_exempt = models.BooleanField(
        default=True,
        help_text="The incumbent stands without nominations (not in a vacancy).",
    )
    is_gate_enabled = models.BooleanField(default=False)
    gate_branch_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
        help_text="Share of all branches that must nominate the candidate (empty: no branch "
        "route by share).",
    )
    gate_branch_count = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Number of branches that must nominate the candidate (empty: no branch route "
        "by number).",
    )
    gate_affiliate_count = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Number of affiliates that must nominate the candidate (empty: no affiliate "
        "route).",
    )
    gate_signature_count = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Number of members' signatures the candidate's nomination paper needs "
        "(empty: no signature route).",
    )

    class Meta:
        verbose_name_plural = "nomination rules"
        constraints = [
            models.CheckConstraint(
                name="nomination_rules_one_branch_route",
                condition=models.Q(gate_branch_percent__isnull=True)
                | models.Q(gate_branch_count__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"Nomination rules of {self.contest}"


class ParliamentaryKind(models.TextChoices):
    MP = "mp", "MP"
    MEP = "mep", "MEP"


class ParliamentaryMember(models.Model):
    """One MP or MEP of the parliamentary party, as listed for one contest."""

    contest = models.ForeignKey(
        "contests.Contest", on_delete=models.CASCADE, related_name="parliamentary_members"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=3, choices=ParliamentaryKind.choices)
    constituency = models.CharField(max_length=200)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "kind", "name", "constituency"],
                name="parliamentary_member_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}, {self.constituency})"


class ParliamentaryNomination(models.Model):
    """An MP's or MEP's nomination of a candidate: at most one per member per contest."""

    contest = models.ForeignKey(
        "contests.Contest", on_delete=models.CASCADE, related_name="parliamentary_nominations"
    )
    member = models.OneToOneField(
        ParliamentaryMember, on_delete=models.CASCADE, related_name="nomination"
    )
    candidate = models.ForeignKey(
        "contests.Candidate", on_delete=models.CASCADE, related_name="parliamentary_nominations"
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["member__name"]

    def __str__(self) -> str:
        return f"{self.member.name} nominates {self.candidate}"


class MemberSignature(models.Model):
    """A member's signature on a candidate's nomination paper: one candidate per member.

    Only a member eligible on the contest's roll may sign (checked by the service); the signature
    names the person, so the count of signatures can be checked against the roll by anyone who
    holds it.
    """

    contest = models.ForeignKey(
        "contests.Contest", on_delete=models.CASCADE, related_name="member_signatures"
    )
    person = models.ForeignKey(
        "electorate.Person", on_delete=models.PROTECT, related_name="nomination_signatures"
    )
    candidate = models.ForeignKey(
        "contests.Candidate", on_delete=models.CASCADE, related_name="member_signatures"
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "person"], name="one_signature_per_member_per_contest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} signs for {self.candidate}"


class MeetingOutcome(models.TextChoices):
    NOMINATED = "nominated", "Nominated a candidate"
    NO_NOMINATION = "no_nomination", "Made no nomination"


class BranchMeeting(models.Model):
    """A branch's supporting-nomination meeting: one per branch per contest.

    The nominee is the candidate with the most votes. A tie for the most votes makes no
    nomination unless the meeting's chair decided between the tied candidates (recorded in
    ``chair_decided_for``). A branch may also meet and decide to make no nomination at all.
    """

    contest = models.ForeignKey(
        "contests.Contest", on_delete=models.CASCADE, related_name="branch_meetings"
    )
    branch = models.ForeignKey(
        "electorate.Branch", on_delete=models.PROTECT, related_name="nomination_meetings"
    )
    held_on = models.DateField()
    attendance = models.PositiveIntegerField()
    abstentions = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=MeetingOutcome.choices)
    nominee = models.ForeignKey(
        "contests.Candidate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branch_nominations",
    )
    chair_decided_for = models.ForeignKey(
        "contests.Candidate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="In a tie for the most votes: the candidate the chair decided for.",
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    correction_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["branch__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "branch"], name="one_branch_meeting_per_contest"
            ),
            models.CheckConstraint(
                name="branch_meeting_nominee_matches_outcome",
                condition=(
                    models.Q(outcome="nominated", nominee__isnull=False)
                    | models.Q(outcome="no_nomination", nominee__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch} meeting for {self.contest}"

    @property
    def votes_cast(self) -> int:
        return sum(row.votes for row in self.votes.all())


class BranchMeetingVote(models.Model):
    """The votes one candidate received at a branch meeting."""

    meeting = models.ForeignKey(BranchMeeting, on_delete=models.CASCADE, related_name="votes")
    candidate = models.ForeignKey(
        "contests.Candidate", on_delete=models.PROTECT, related_name="branch_meeting_votes"
    )
    votes = models.PositiveIntegerField()

    class Meta:
        ordering = ["candidate__ballot_position", "candidate__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "candidate"], name="one_vote_count_per_candidate"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate}: {self.votes}"


class AffiliateNomination(models.Model):
    """An affiliate's supporting nomination: one candidate per affiliate per contest."""

    contest = models.ForeignKey(
        "contests.Contest", on_delete=models.CASCADE, related_name="affiliate_nominations"
    )
    affiliate = models.ForeignKey(
        "electorate.Affiliate", on_delete=models.PROTECT, related_name="nominations"
    )
    candidate = models.ForeignKey(
        "contests.Candidate", on_delete=models.CASCADE, related_name="affiliate_nominations"
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["affiliate__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "affiliate"], name="one_affiliate_nomination_per_contest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.affiliate} nominates {self.candidate}"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class SupporterApplication(models.Model):
    """A registered-supporter application made through the public sign-up form.

    Vetted automatically on submission (see ``SupporterFlag``) and then reviewed by the returning
    officer; approval creates the ``electorate.Person`` who will be on the roll.
    """

    contest = models.ForeignKey(
        "contests.Contest", on_delete=models.CASCADE, related_name="supporter_applications"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = models.CharField(max_length=40)
    postcode = models.CharField(max_length=12)
    date_of_birth = models.DateField(null=True, blank=True)
    is_adult_declared = models.BooleanField(default=False)
    supports_aims = models.BooleanField()
    supports_no_other_party = models.BooleanField()
    consent_email = models.BooleanField(default=False)
    consent_phone = models.BooleanField(default=False)
    fee_pence = models.PositiveIntegerField()
    payment_reference = models.CharField(max_length=100, blank=True)
    is_paid = models.BooleanField(default=False)
    paid_confirmed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
        db_index=True,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    person = models.ForeignKey(
        "electorate.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supporter_applications",
    )

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [
            models.Index(fields=["contest", "email"]),
            models.Index(fields=["contest", "phone"]),
            models.Index(fields=["contest", "postcode"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="supporter_is_adult",
                condition=models.Q(date_of_birth__isnull=False) | models.Q(is_adult_declared=True),
            ),
            models.CheckConstraint(
                name="supporter_made_declarations",
                condition=models.Q(supports_aims=True, supports_no_other_party=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.get_status_display()})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def fee_text(self) -> str:
        return f"£{self.fee_pence // 100}.{self.fee_pence % 100:02d}"

    @property
    def external_id(self) -> str:
        """The roll's id for the person this application creates."""
        return f"RS-{self.contest_id}-{self.pk}"


class FlagKind(models.TextChoices):
    DUPLICATE_EMAIL = "duplicate_email", "Same email as another application or person"
    DUPLICATE_PHONE = "duplicate_phone", "Same phone as another application or person"
    DUPLICATE_NAME_POSTCODE = (
        "duplicate_name_postcode",
        "Same name and postcode as another application or person",
    )
    UNPAID = "unpaid", "Fee not yet received"


class SupporterFlag(models.Model):
    """A reason the office must look at an application before approving it."""

    application = models.ForeignKey(
        SupporterApplication, on_delete=models.CASCADE, related_name="flags"
    )
    kind = models.CharField(max_length=32, choices=FlagKind.choices, db_index=True)
    detail = models.CharField(max_length=300, blank=True)
    other_application = models.ForeignKey(
        SupporterApplication, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    other_person = models.ForeignKey(
        "electorate.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.detail}"
