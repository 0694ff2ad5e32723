"""The back office for the electorate. Decisions, roll entries and imports are read-only here:
they change only through the services (import, evaluation, audited appeals)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from omov.electorate.models import (
    Affiliate,
    Branch,
    ContestRules,
    EligibilityDecision,
    ImportBatch,
    Person,
    RollEntry,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Show records without letting the back office add, change or delete them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "code", "region"]
    search_fields = ["name", "code"]


@admin.register(Affiliate)
class AffiliateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["external_id", "first_name", "last_name", "category", "branch", "status"]
    list_filter = ["category", "status"]
    search_fields = ["external_id", "first_name", "last_name", "email", "postcode"]
    raw_id_fields = ["branch", "affiliate", "registered_for"]

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        # A hand edit makes the next import of this person count as an update, not "unchanged".
        obj.import_digest = ""
        super().save_model(request, obj, form, change)


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
