"""The back office for the electorate. Decisions, roll entries and imports are read-only here:
they change only through the services (import, evaluation, audited appeals). Branches,
affiliates and people may be edited, and every edit is audited with its old and new values.

The electorate also locks two contest fields in the contest admin: once a contest's eligibility
rules exist they hold their own freeze date and arrears deadline, and the roll is decided by
those, so the contest's copies change only with the rules, through the rule-change preview.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse

from omov.contests.models import Contest, ContestStatus
from omov.core.admin_audit import AuditedAdmin, ReadOnlyAdmin
from omov.electorate.models import (
    Affiliate,
    Branch,
    ContestRules,
    EligibilityDecision,
    ImportBatch,
    Person,
    RollEntry,
)
from omov.electorate.rules import FACT_FIELDS


@admin.register(Branch)
class BranchAdmin(AuditedAdmin):
    list_display = ["name", "code", "region"]
    search_fields = ["name", "code"]


@admin.register(Affiliate)
class AffiliateAdmin(AuditedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    """People: each edit audited with its old and new values.

    An edit makes every unfrozen roll's decisions stale (the roll must be evaluated again before
    it is frozen). A frozen roll does not follow on its own: after saving, the admin says so.
    """

    list_display = ["external_id", "first_name", "last_name", "category", "branch", "status"]
    list_filter = ["category", "status"]
    search_fields = ["external_id", "first_name", "last_name", "email", "postcode"]
    raw_id_fields = ["branch", "affiliate", "registered_for"]

    def audit_contest(self, obj: Any) -> Any:
        return None  # a person is decided on in every contest's roll, not one

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        # A hand edit makes the next import of this person count as an update, not "unchanged".
        obj.import_digest = ""
        super().save_model(request, obj, form, change)
        if change and not set(form.changed_data) & _ROLL_FIELDS:
            return  # e.g. a new email address: no roll holds it
        for message in frozen_roll_warnings(obj):
            self.message_user(request, message, messages.WARNING)


# The person's fields a roll rests on: the rules' facts, and the category and branch it keeps.
_ROLL_FIELDS = frozenset(name.removesuffix("_id") for name in FACT_FIELDS) - {"id"}


def frozen_roll_warnings(person: Person) -> list[str]:
    """Say, for each contest whose roll is frozen, what an edit of ``person`` does to it.

    Nothing, at once: the roll entry changes only when the returning officer evaluates the roll
    again (which rewrites the entries of people whose decision changed, until the ballot opens)
    or decides an appeal. Once the ballot has opened, nothing changes the roll at all.
    """
    warnings = []
    entries = set(RollEntry.objects.filter(person=person).values_list("contest_id", flat=True))
    contests = Contest.objects.filter(
        status__in=[ContestStatus.ROLL_FROZEN, ContestStatus.BALLOT_OPEN]
    ).order_by("title")
    for contest in contests:
        name = person.full_name or person.external_id
        person_url = reverse("electorate:person", kwargs={"slug": contest.slug, "pk": person.pk})
        if contest.status == ContestStatus.BALLOT_OPEN:
            if contest.pk in entries:
                warnings.append(
                    f"The ballot of {contest.title} has opened, so its roll can no longer change: "
                    f"this edit does not change whether {name} may vote in it."
                )
        elif contest.pk in entries:
            roll_url = reverse("electorate:roll", kwargs={"slug": contest.slug})
            warnings.append(
                f"The roll of {contest.title} is frozen, and this edit does not change {name}'s "
                "entry on it. The entry is brought into line only when the returning officer "
                f"evaluates the roll again ({roll_url}), and then only if the edit changes which "
                f"eligibility rules {name} meets, or decides an appeal ({person_url}); either "
                "must happen before the ballot opens."
            )
        else:
            warnings.append(
                f"The roll of {contest.title} is frozen and {name} is not on it; evaluating the "
                f"roll again will not add them. Only an appeal decided by the returning officer "
                f"({person_url}) before the ballot opens can."
            )
    return warnings


@admin.register(RollEntry)
class RollEntryAdmin(ReadOnlyAdmin):
    """The frozen roll: appeals go through the roll pages and are audited."""

    list_display = ["person", "contest", "category", "branch", "is_eligible", "frozen_at"]
    list_filter = ["contest", "category", "is_eligible"]
    raw_id_fields = ["person", "branch"]


@admin.register(EligibilityDecision)
class EligibilityDecisionAdmin(ReadOnlyAdmin):
    list_display = ["person", "contest", "is_eligible", "rules_eligible", "override"]
    list_filter = ["contest", "is_eligible"]
    raw_id_fields = ["person"]


@admin.register(ContestRules)
class ContestRulesAdmin(ReadOnlyAdmin):
    list_display = ["contest", "freeze_date", "arrears_deadline", "minimum_age", "version"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "contest", "at", "actor_label", "created", "updated", "rejected"]
    list_filter = ["contest"]
