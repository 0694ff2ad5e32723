from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from omov.core.admin_audit import ACTION_CHANGE, HIDDEN, AuditedAdmin
from omov.core.errors import ServiceError
from omov.core.models import AuditEvent, RoleAssignment
from omov.core.policies import can_manage_roles
from omov.core.selectors import role_assignment_find
from omov.core.services import audit_record, role_grant, role_revoke, role_scope_check

User = get_user_model()


class RoleAssignmentForm(forms.ModelForm):
    """Check the role and its scope with the service's own rules, as form errors."""

    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the role is granted; kept in the audit trail.",
    )

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "contest", "branch", "candidate"]

    def clean(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if self.errors:  # a missing user or role is reported on its own field
            return data
        try:
            scope = role_scope_check(
                role=data["role"],
                contest=data.get("contest"),
                branch=data.get("branch"),
                candidate=data.get("candidate"),
            )
        except ServiceError as error:
            raise forms.ValidationError(error.message) from None
        existing = role_assignment_find(
            user=data["user"],
            role=scope.role,
            contest=scope.contest,
            branch=scope.branch,
            candidate=scope.candidate,
        )
        if existing is not None:
            raise forms.ValidationError(
                f"{existing.user} already holds this role ({existing.describe_scope()}); "
                "there is nothing to add."
            )
        data["contest"] = scope.contest
        return super().clean()


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Grant and revoke roles through the role services, so each change is checked and audited.

    An assignment is never edited in place: revoke it and grant the new one, which keeps the
    audit trail a plain list of grants and revocations.
    """

    form = RoleAssignmentForm
    list_display = ["user", "role", "contest", "branch", "candidate", "granted_at"]
    list_filter = ["role", "contest"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["branch", "candidate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and bool(can_manage_roles(request.user))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and bool(can_manage_roles(request.user))

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool
    ) -> None:
        assignment = role_grant(
            user=obj.user,
            role=obj.role,
            contest=obj.contest,
            branch=obj.branch,
            candidate=obj.candidate,
            actor=request.user,
            reason=form.cleaned_data.get("reason", ""),
        )
        obj.pk = assignment.pk
        obj.granted_at = assignment.granted_at

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        try:
            role_revoke(assignment=obj, actor=request.user)
        except ServiceError as error:
            self.message_user(request, error.message, messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        """Revoke the selected assignments one by one (all or none), each audited."""
        try:
            with transaction.atomic():
                for assignment in queryset.select_related("user", "contest", "branch", "candidate"):
                    role_revoke(assignment=assignment, actor=request.user)
        except ServiceError as error:
            self.message_user(request, f"{error.message} Nothing was revoked.", messages.ERROR)


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


# Staff accounts and groups: Django's own admin pages, audited (who became staff or superuser,
# whose password was reset). Password hashes never reach the audit trail.
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):  # type: ignore[type-arg]
    """Django's user admin, with every add, change, delete and password change audited."""

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Change or disable a user's password, and audit it when the stored password changed."""
        with transaction.atomic():
            before = User._base_manager.filter(pk=unquote(id)).values_list("password").first()
            response = super().user_change_password(request, id, form_url)
            user = User._base_manager.filter(pk=unquote(id)).first()
            if user is not None and before is not None and user.password != before[0]:
                what = (
                    "Set a new password for"
                    if user.has_usable_password()
                    else "Disabled password sign-in for"
                )
                audit_record(
                    action=ACTION_CHANGE,
                    summary=f"{what} user “{user}” in the admin",
                    actor=request.user,
                    target=user,
                    data={"changes": {"password": {"old": HIDDEN, "new": HIDDEN}}},
                )
        return response


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):  # type: ignore[type-arg]
    """Django's group admin, with every add, change and delete audited."""
