"""Back office: results are read-only here; they are written only by the count service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from omov.results.models import Result


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("contest", "method", "valid", "counted_at", "ballots_sha256")
    readonly_fields = (
        "contest",
        "method",
        "seats",
        "elected",
        "valid",
        "spoilt",
        "rejected",
        "credentials_issued",
        "issued_by_category",
        "categories",
        "category_basis",
        "ballots_sha256",
        "counted_at",
        "counted_by",
        "rounds_table",
    )
    exclude = ("report", "rounds_csv", "ballots_blt")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
