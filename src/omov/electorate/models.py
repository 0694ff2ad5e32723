"""The electorate: branches, affiliates, people on the roll, and the frozen roll of a contest."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from omov.contests import categories


class Branch(models.Model):
    """A local branch (e.g. a constituency Labour party, CLP)."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200, unique=True)
    region = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "branches"

    def __str__(self) -> str:
        return self.name


class Affiliate(models.Model):
    """An affiliated organisation (e.g. a trade union) whose supporters may vote."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    """The voter categories as form choices; their names live in ``omov.contests.categories``."""

    MEMBER = categories.MEMBER, categories.LABELS[categories.MEMBER]
    REGISTERED_SUPPORTER = (
        categories.REGISTERED_SUPPORTER,
        categories.LABELS[categories.REGISTERED_SUPPORTER],
    )
    AFFILIATED_SUPPORTER = (
        categories.AFFILIATED_SUPPORTER,
        categories.LABELS[categories.AFFILIATED_SUPPORTER],
    )


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    LAPSED = "lapsed", "Lapsed"
    SUSPENDED = "suspended", "Suspended"


class Person(models.Model):
    """Someone who may be on a roll: a member, registered supporter or affiliated supporter.

    Imported from the organisation's records (``external_id`` is theirs) or created by a
    registered-supporter sign-up. Re-importing updates the row in place.
    """

    external_id = models.CharField(max_length=64, unique=True)
    category = models.CharField(max_length=24, choices=Category.choices, db_index=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    # The postal address, for letters (window envelopes) and postal ballots.
    address_line1 = models.CharField(max_length=200, blank=True, db_default="")
    address_line2 = models.CharField(max_length=200, blank=True, db_default="")
    town = models.CharField(max_length=100, blank=True, db_default="")
    postcode = models.CharField(max_length=12, blank=True)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    affiliate = models.ForeignKey(
        Affiliate, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    joined_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    arrears_paid_on = models.DateField(
        null=True, blank=True, help_text="When arrears were paid; empty when none were owed."
    )
    date_of_birth = models.DateField(null=True, blank=True)
    is_adult_declared = models.BooleanField(
        null=True, blank=True, help_text="An 18+ declaration where the date of birth is unknown."
    )
    consent_email = models.BooleanField(default=False)
    consent_phone = models.BooleanField(default=False)
    # Set by the vetting of registered supporters (``omov.nominations``) or by the import.
    supporter_fee_paid = models.BooleanField(
        default=False, help_text="Registered supporters: the supporter fee has been paid."
    )
    is_on_electoral_register = models.BooleanField(
        null=True,
        blank=True,
        help_text="Matched to the electoral register by vetting; empty while vetting is pending.",
    )
    is_duplicate = models.BooleanField(
        default=False, help_text="Vetting found this person already on the roll."
    )
    supports_another_party = models.BooleanField(
        default=False, help_text="Vetting found support for another party."
    )
    import_digest = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text="Fingerprint of the last imported row, to tell unchanged rows on re-import.",
    )
    registered_for = models.ForeignKey(
        "contests.Contest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registered_supporters",
        help_text="For registered supporters: the contest they registered to vote in.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "external_id"]
        # Serves the roll page and the admin, which list people in this order 50 at a time: with
        # it a page of a 654,006-person roll reads 50 rows instead of sorting them all.
        indexes = [
            models.Index(fields=["last_name", "first_name", "external_id"], name="person_by_name")
        ]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.external_id})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class RollEntry(models.Model):
    """One person on a contest's frozen roll, with the decision that put them there.

    Written only when the roll is frozen (``electorate.services.roll_freeze``); never changes after,
    except through an audited appeal. Credentials are issued from eligible entries.
    """

    # The (contest, person) unique constraint serves look-ups by contest.
    contest = models.ForeignKey(
        "contests.Contest", on_delete=models.CASCADE, related_name="roll_entries", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="roll_entries")
    category = models.CharField(max_length=24, choices=Category.choices)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="roll_entries"
    )
    is_eligible = models.BooleanField()
    reasons = models.JSONField(default=list, blank=True)
    frozen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contest", "person"], name="one_roll_entry_per_person")
        ]
        indexes = [models.Index(fields=["contest", "is_eligible", "category"])]
        verbose_name_plural = "roll entries"

    def __str__(self) -> str:
        return f"{self.person} in {self.contest_id}: {'eligible' if self.is_eligible else 'not'}"


class ImportBatch(models.Model):
    """One import of a roll file: who, when, which file, and what it did to the roll."""

    contest = models.ForeignKey(
        "contests.Contest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_batches",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(db_index=True)
    file_name = models.CharField(max_length=255)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="The first rejected rows: line, column, message."
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.file_name} at {self.at:%Y-%m-%d %H:%M}"


class ContestRules(models.Model):
    """The eligibility rules of one contest and their parameters.

    ``version`` goes up on every change, so decisions made under older rules show as stale.
    """

    contest = models.OneToOneField(
        "contests.Contest", on_delete=models.CASCADE, related_name="eligibility_rules"
    )
    freeze_date = models.DateField(
        null=True, blank=True, help_text="Members must have joined on or before this date."
    )
    arrears_deadline = models.DateField(
        null=True, blank=True, help_text="Arrears must have been paid on or before this date."
    )
    minimum_age = models.PositiveSmallIntegerField(default=18)
    age_on = models.DateField(
        null=True,
        blank=True,
        help_text="The date on which age is reckoned; empty means the day the ballot closes.",
    )
    eligible_categories = models.JSONField(
        default=list, help_text="The categories that may vote: member, registered_supporter, …"
    )
    affiliated_supporters_must_register = models.BooleanField(
        default=True, help_text="Affiliated supporters must have registered for this contest."
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    evaluated_at = models.DateTimeField(null=True, blank=True)
    evaluated_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "contest rules"

    def __str__(self) -> str:
        return f"Rules of {self.contest} (version {self.version})"


class EligibilityDecision(models.Model):
    """Whether one person may vote in one contest, and why.

    ``failed_rules`` is a bit mask of the rules the person fails (see ``electorate.rules``); the
    reasons are rendered from it, so 654,000 decisions stay small. An override (an appeal
    decided by the returning officer) wins over the rules and survives re-evaluation.
    """

    # No index of its own: the (contest, person) unique constraint serves contest look-ups.
    contest = models.ForeignKey(
        "contests.Contest",
        on_delete=models.CASCADE,
        related_name="eligibility_decisions",
        db_index=False,
    )
    # No index of its own either: look-ups go through (contest, person); only deleting a person
    # (rare, and refused once they are on a frozen roll) scans by person.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="decisions", db_index=False
    )
    failed_rules = models.BigIntegerField(default=0)
    rules_eligible = models.BooleanField()
    override = models.BooleanField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    override_at = models.DateTimeField(null=True, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="eligibility_overrides",
        db_index=False,
    )
    is_eligible = models.BooleanField()
    evaluated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contest", "person"], name="one_decision_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.contest_id}: {'eligible' if self.is_eligible else 'not'}"

    @property
    def failed_codes(self) -> list[str]:
        """Return the codes of the rules this person fails."""
        from omov.electorate.rules import codes_of

        return codes_of(self.failed_rules)

    @property
    def failed_titles(self) -> list[str]:
        """Return the titles of the rules this person fails, for tables."""
        from omov.electorate.rules import short_reasons

        return short_reasons(self.failed_rules)
