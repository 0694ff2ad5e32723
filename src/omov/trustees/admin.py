"""The back office's read-only view of trustees and the record: every write is a service's."""

from __future__ import annotations

from django.contrib import admin

from omov.core.admin_audit import ReadOnlyAdmin
from omov.trustees.models import ElectionRecord, RecordEntry, Trustee


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
