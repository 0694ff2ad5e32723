from django.contrib import admin

from omov.electorate.models import Affiliate, Branch, Person, RollEntry


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region"]
    search_fields = ["name", "code"]


@admin.register(Affiliate)
class AffiliateAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["external_id", "first_name", "last_name", "category", "branch", "status"]
    list_filter = ["category", "status"]
    search_fields = ["external_id", "first_name", "last_name", "email", "postcode"]
    raw_id_fields = ["branch", "affiliate", "registered_for"]


@admin.register(RollEntry)
class RollEntryAdmin(admin.ModelAdmin):
    """The frozen roll is read-only here: appeals go through the roll pages and are audited."""

    list_display = ["person", "contest", "category", "branch", "is_eligible", "frozen_at"]
    list_filter = ["contest", "category", "is_eligible"]
    raw_id_fields = ["person", "branch"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
