from django.contrib import admin

from omov.core.models import AuditEvent, RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "contest", "branch", "candidate", "granted_at"]
    list_filter = ["role", "contest"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["branch", "candidate"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail is read-only, even for superusers."""

    list_display = ["at", "action", "actor_label", "contest", "summary"]
    list_filter = ["action", "contest"]
    search_fields = ["summary", "reason", "actor_label", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
