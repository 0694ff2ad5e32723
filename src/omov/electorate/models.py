"""The electorate: branches, affiliates, people on the roll, and the frozen roll of a contest."""

from __future__ import annotations

from django.db import models


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
    MEMBER = "member", "Member"
    REGISTERED_SUPPORTER = "registered_supporter", "Registered supporter"
    AFFILIATED_SUPPORTER = "affiliated_supporter", "Affiliated supporter"


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

    contest = models.ForeignKey(
        "contests.Contest", on_delete=models.CASCADE, related_name="roll_entries"
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
