"""The back office for contests: audited, and locked as the contest moves through its lifecycle.

Once a step is taken, the admin can no longer change what that step and the later ones rest on
(the status order is in ``models.ContestStatus``):

- nominations open: the slug (its pages are published), the kind, the seats, the method and
  whether it is a vacancy (the thresholds and the count rest on them), and the tie-break seed
  (so nobody can pick it once they can guess which ties it would break); candidates can no longer
  be deleted (withdraw them on the nominations page), and their incumbency, status and consent
  change only through the nominations services;
- the roll frozen: the nomination and supporter sign-up windows and the supporter fee (both are
  over), the freeze date and arrears deadline; no candidate can be added (as in ``candidate_add``);
- the ballot open: the title and the opening time (voters have the ballot), and the candidates'
  names and ballot positions (the ballot box fixed its candidates at opening);
- the ballot closed: the advertised close, the last field; the contest is then view-only.

The advertised close stays editable while the ballot is open: it is what voters are told (in
their emails), and voting stops only when the returning officer closes the ballot. The locks live in
``contests.locks``, shared with ``contests.services.contest_update``; other apps add locks and
checks of their own from their ``AppConfig.ready()`` (``register_field_locks``,
``register_change_check``): the electorate locks the freeze date and the arrears deadline as soon
as the eligibility rules hold their own copy.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from omov.contests.locks import candidate_locked_fields, change_problems, contest_locked_fields
from omov.contests.models import Candidate, Contest, ContestStatus
from omov.core.admin_audit import AuditedAdmin

_BALLOT_CLOSES_OPEN_HELP = (
    "The close announced to voters (in their credential and reminder emails). Voting stops only "
    "when the returning officer closes the ballot on the contest page."
)


class ContestAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """Run the other apps' checks on a change to a saved contest (the admin supplies Meta)."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.instance.pk is None:
            return cleaned
        # Before _post_clean the instance still holds the stored values.
        changes = {
            name: (self.get_initial_for_field(self.fields[name], name), cleaned.get(name))
            for name in self.changed_data
        }
        for field, message in change_problems(self.instance, changes):
            self.add_error(field if field in self.fields else None, message)
        return cleaned


class CandidateInline(admin.TabularInline):  # type: ignore[type-arg]
    """Candidates, saved (and audited) with their contest; locked as the contest moves on."""

    model = Candidate
    extra = 0
    fields = ["name", "is_incumbent", "status", "ballot_position", "consented_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += [name for name in candidate_locked_fields(obj) if name not in readonly]
        return readonly

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # As ``contests.services.candidate_add``: no candidate joins once the roll is frozen.
        if obj is not None and obj.has_reached(ContestStatus.ROLL_FROZEN):
            return False
        return super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # From nominations on, a candidate leaves by withdrawing (audited, with a reason, on the
        # nominations page); deleting them would delete the nominations made for them.
        if obj is not None and obj.has_reached(ContestStatus.NOMINATIONS):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Contest)
class ContestAdmin(AuditedAdmin):
    """Contests and their candidates: every change audited, and locked by the lifecycle.

    Lifecycle steps go through the contest page's services; ``status`` and the step stamps are
    never edited here.
    """

    form = ContestAdminForm
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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += [name for name in contest_locked_fields(obj) if name not in readonly]
        return readonly

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        help_texts: dict[str, str] = {}
        if obj is not None:
            help_texts.update(contest_locked_fields(obj))
            if obj.status == ContestStatus.BALLOT_OPEN:
                help_texts["ballot_closes_at"] = _BALLOT_CLOSES_OPEN_HELP
        kwargs["help_texts"] = {**help_texts, **kwargs.get("help_texts", {})}
        return super().get_form(request, obj, change, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and _every_field_locked(obj):
            return False  # shown read-only, candidates too
        return super().has_change_permission(request, obj)

    def delete_refusal(self, request: HttpRequest, obj: Any) -> str | None:
        if obj.has_reached(ContestStatus.NOMINATIONS):
            return (
                f"the contest is {obj.get_status_display().lower()}; only a draft contest can be "
                "deleted, since its nominations, roll and audit trail would go with it"
            )
        events = obj.audit_events.count()
        if events:
            # A contest's audit events are deleted with it, and the audit trail is kept whole.
            return (
                f"its audit trail ({events} event{'s' if events != 1 else ''}) would be deleted "
                "with it, and the audit trail is never deleted; leave the draft unused instead"
            )
        return None

    def audit_deleted_data(self, obj: Any) -> dict[str, Any]:
        data = super().audit_deleted_data(obj)
        data["candidates"] = list(obj.candidates.values_list("name", flat=True))
        return data


def _every_field_locked(contest: Contest) -> bool:
    locked = contest_locked_fields(contest)
    return all(
        field.name in locked
        for field in Contest._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in _LIFECYCLE_FIELDS
    )


_LIFECYCLE_FIELDS = frozenset(ContestAdmin.readonly_fields)
