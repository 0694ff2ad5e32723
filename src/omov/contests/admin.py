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
their emails), and voting stops only when the returning officer closes the ballot. Other apps add
locks and checks of their own from their admin module (``register_field_locks``,
``register_change_check``): the electorate locks the freeze date and the arrears deadline as soon
as the eligibility rules hold their own copy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from omov.contests.models import Candidate, Contest, ContestStatus
from omov.core.admin_audit import AuditedAdmin

# field -> (the status from which it is locked, why: shown as its help text)
_STAGE_LOCKS: dict[str, tuple[str, str]] = {
    "slug": (
        ContestStatus.NOMINATIONS,
        "Fixed since nominations opened: the contest's pages are published at this address.",
    ),
    "kind": (
        ContestStatus.NOMINATIONS,
        "Fixed since nominations opened: candidates were nominated for this office.",
    ),
    "seats": (
        ContestStatus.NOMINATIONS,
        "Fixed since nominations opened: candidates stand for these seats and the count fills "
        "them.",
    ),
    "method": (
        ContestStatus.NOMINATIONS,
        "Fixed since nominations opened: the count uses the method announced.",
    ),
    "is_vacancy": (
        ContestStatus.NOMINATIONS,
        "Fixed since nominations opened: it decides the nomination threshold.",
    ),
    "tie_break_seed": (
        ContestStatus.NOMINATIONS,
        "Fixed since nominations opened, so nobody can choose it knowing which ties it would "
        "break.",
    ),
    **{
        name: (
            ContestStatus.ROLL_FROZEN,
            "Fixed since the roll was frozen: the nominations are over.",
        )
        for name in (
            "parliamentary_nominations_open_at",
            "parliamentary_nominations_close_at",
            "branch_nominations_open_at",
            "branch_nominations_close_at",
        )
    },
    **{
        name: (
            ContestStatus.ROLL_FROZEN,
            "Fixed since the roll was frozen: registered-supporter sign-up is over.",
        )
        for name in (
            "supporter_window_opens_at",
            "supporter_window_closes_at",
            "supporter_fee_pence",
        )
    },
    **{
        name: (
            ContestStatus.ROLL_FROZEN,
            "Fixed since the roll was frozen: the roll was decided with it.",
        )
        for name in ("freeze_date", "arrears_deadline")
    },
    "title": (
        ContestStatus.BALLOT_OPEN,
        "Fixed since the ballot opened: voters were sent the ballot under this title.",
    ),
    "ballot_opens_at": (ContestStatus.BALLOT_OPEN, "Fixed since the ballot opened."),
    "ballot_closes_at": (ContestStatus.CLOSED, "Fixed since the ballot closed."),
}

_BALLOT_CLOSES_OPEN_HELP = (
    "The close announced to voters (in their credential and reminder emails). Voting stops only "
    "when the returning officer closes the ballot on the contest page."
)

# Candidate field -> the status from which it is locked.
_CANDIDATE_LOCKS: dict[str, str] = {
    "is_incumbent": ContestStatus.NOMINATIONS,
    "status": ContestStatus.NOMINATIONS,
    "consented_at": ContestStatus.NOMINATIONS,
    "name": ContestStatus.BALLOT_OPEN,
    "ballot_position": ContestStatus.BALLOT_OPEN,
}

FieldLocks = Callable[[Contest], dict[str, str]]
"""Return the contest fields another app locks now, each with the reason shown as help text."""

ChangeCheck = Callable[[Contest, dict[str, tuple[Any, Any]]], list[tuple[str | None, str]]]
"""Given a saved contest and its changes ``{field: (old, new)}``, return ``(field, error)``s."""

_field_locks: list[FieldLocks] = []
_change_checks: list[ChangeCheck] = []


def register_field_locks(provider: FieldLocks) -> None:
    """Let another app lock contest fields in the admin (called from its admin module)."""
    if provider not in _field_locks:
        _field_locks.append(provider)


def register_change_check(check: ChangeCheck) -> None:
    """Let another app refuse a change made to a contest in the admin, as a form error."""
    if check not in _change_checks:
        _change_checks.append(check)


def contest_locked_fields(contest: Contest) -> dict[str, str]:
    """Return the contest's fields the admin must show read-only now, each with the reason."""
    locked = {
        name: reason
        for name, (status, reason) in _STAGE_LOCKS.items()
        if contest.has_reached(status)
    }
    for provider in _field_locks:
        locked.update(provider(contest))
    return locked


def candidate_locked_fields(contest: Contest) -> list[str]:
    """Return the candidate fields the admin must show read-only for this contest now."""
    return [name for name, status in _CANDIDATE_LOCKS.items() if contest.has_reached(status)]


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
        for check in _change_checks:
            for field, message in check(self.instance, changes):
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
