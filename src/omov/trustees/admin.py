"""The back office's read-only view of trustees and the record: every write is a service's."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from omov.trustees.models import ElectionRecord, RecordEntry, Trustee


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Show, never change: the record is append-only and checked; trustees change by appointment."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ElectionRecord)
class ElectionRecordAdmin(ReadOnlyAdmin):
    list_display = ["contest", "threshold", "mixes_required", "created_at"]


@admin.register(Trustee)
class TrusteeAdmin(ReadOnlyAdmin):
    list_display = ["record", "number", "name", "user", "key_handed_in_at"]
    list_filter = ["record"]


@admin.register(RecordEntry)
class RecordEntryAdmin(ReadOnlyAdmin):
    list_display = ["record", "index", "kind", "file", "hash", "added_at"]
    list_filter = ["record", "kind"]
    exclude = ["content"]
