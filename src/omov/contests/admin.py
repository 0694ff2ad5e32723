from django.contrib import admin

from omov.contests.models import Candidate, Contest


class CandidateInline(admin.TabularInline):
    model = Candidate
    extra = 0
    fields = ["name", "is_incumbent", "status", "ballot_position", "consented_at"]


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    """Contests are edited here; lifecycle steps go through the contest page's services."""

    list_display = ["title", "slug", "kind", "method", "seats", "status"]
    list_filter = ["status", "kind", "method"]
    search_fields = ["title", "slug"]
    readonly_fields = [
        "status",
        "created_at",
        "nominations_opened_at",
        "roll_frozen_at",
        "ballot_opened_at",
        "ballot_closed_at",
        "counted_at",
        "declared_at",
    ]
    inlines = [CandidateInline]
