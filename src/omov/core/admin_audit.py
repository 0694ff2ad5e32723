"""Audit every change made in the admin (the back office), in the transaction that makes it.

The admin is an interface like the pages and the CLI, so the house rule holds there too: every
write leaves an ``AuditEvent``. ``AuditedAdmin`` writes one event per object added, changed or
deleted (``admin.add``, ``admin.change``, ``admin.delete``), whether through the object's own
form, as an inline saved with its parent (a contest's candidates), or by the bulk delete action.
A change records each changed field with its old and new value; an addition records the values
given; a deletion records what was deleted. Values of secret fields (passwords, hashes, keys,
tokens) are never written: the event says only that they changed.

Django's admin runs a form save and a single delete in one transaction; the bulk delete action
does not, so ``delete_queryset`` opens its own. The audit event is written inside it either way.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from omov.core.models import AuditEvent
from omov.core.services import audit_record

ACTION_ADD = "admin.add"
ACTION_CHANGE = "admin.change"
ACTION_DELETE = "admin.delete"

HIDDEN = "[hidden]"
_SECRET_NAME = re.compile(r"password|secret|token|hash|digest|(^|_)key(_|$)")


def is_secret_field(name: str, hidden: Iterable[str] = ()) -> bool:
    """Return True when the audit must not hold this field's value."""
    return name in hidden or bool(_SECRET_NAME.search(name))


def audit_value(field: models.Field[Any, Any], value: Any) -> Any:
    """Return ``value`` of ``field`` as JSON the audit trail can keep.

    Related objects are kept by id and name (a form's initial value is an id, its cleaned value
    an object: both come out the same); dates and times as ISO text, in the site's time zone.
    """
    if value is None:
        return None
    if field.many_to_many:
        return sorted(str(item) for item in value)
    if field.is_relation:
        related = value
        if not isinstance(value, models.Model):
            model = field.related_model
            assert model is not None and not isinstance(model, str)
            target = getattr(field, "target_field", None)
            lookup = target.name if target is not None else "pk"
            related = model._base_manager.filter(**{lookup: value}).first()
        return {
            "id": related.pk if related is not None else value,
            "name": str(related) if related is not None else None,
        }
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool | int | float | str):
        return value
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return str(value)


def _model_field(model: type[models.Model], name: str) -> models.Field[Any, Any] | None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a form-only field (a reason, a password to confirm)
        return None
    if not isinstance(field, models.Field) or not (field.concrete or field.many_to_many):
        return None
    return field


def form_changes(form: forms.ModelForm[Any], hidden: Iterable[str] = ()) -> dict[str, Any]:
    """Return ``{field: {"old": ..., "new": ...}}`` for each model field the form changed."""
    model = form._meta.model
    changes: dict[str, Any] = {}
    for name in form.changed_data:
        field = _model_field(model, name)
        if field is None:
            continue
        if is_secret_field(name, hidden):
            changes[name] = {"old": HIDDEN, "new": HIDDEN}
            continue
        old = form.get_initial_for_field(form.fields[name], name)
        changes[name] = {
            "old": audit_value(field, old),
            "new": audit_value(field, form.cleaned_data.get(name)),
        }
    return changes


def form_values(form: forms.ModelForm[Any], hidden: Iterable[str] = ()) -> dict[str, Any]:
    """Return the value given for each model field of a form that added an object."""
    model = form._meta.model
    values: dict[str, Any] = {}
    for name in form.fields:
        field = _model_field(model, name)
        if field is None or name not in form.cleaned_data:
            continue
        values[name] = (
            HIDDEN if is_secret_field(name, hidden) else audit_value(field, form.cleaned_data[name])
        )
    return values


def instance_values(obj: models.Model, hidden: Iterable[str] = ()) -> dict[str, Any]:
    """Return the stored value of each field of ``obj`` (what a deletion removes)."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        if is_secret_field(field.name, hidden):
            values[field.name] = HIDDEN
        else:
            values[field.name] = audit_value(field, field.value_from_object(obj))
    return values


def contest_of(obj: Any) -> Any:
    """Return the contest ``obj`` belongs to: itself if it is one, else its ``contest``, or None.

    The contest model is the one audit events point at, so core needs no import of the
    contests app.
    """
    contest_model = AuditEvent._meta.get_field("contest").related_model
    if isinstance(obj, contest_model):
        return obj
    try:
        field = obj._meta.get_field("contest")
    except FieldDoesNotExist:
        return None
    if getattr(field, "related_model", None) is contest_model:
        return getattr(obj, "contest", None)
    return None


def _label(obj: models.Model) -> str:
    return f"{obj._meta.verbose_name} “{obj}”"


def _field_names(model: type[models.Model], names: Iterable[str]) -> str:
    labels = []
    for name in names:
        field = _model_field(model, name)
        labels.append(str(field.verbose_name) if field is not None else name)
    return ", ".join(labels)


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A ModelAdmin whose every add, change and delete (inlines and bulk deletes included) is
    audited in its transaction; it can also refuse to delete an object, saying why (the delete
    page lists the reason with the protected objects, and nothing is deleted).

    Subclasses may name more fields to keep out of the audit (``audit_hidden_fields``), give an
    object's contest (``audit_contest``) and refuse deletions (``delete_refusal``).
    """

    audit_hidden_fields: Sequence[str] = ()

    # --- hooks ------------------------------------------------------------------------------

    def audit_contest(self, obj: Any) -> Any:
        """Return the contest an event about ``obj`` belongs to (None: no single contest)."""
        return contest_of(obj)

    def audit_deleted_data(self, obj: Any) -> dict[str, Any]:
        """Return what the audit keeps about ``obj`` as it is deleted."""
        return {"fields": instance_values(obj, self.audit_hidden_fields)}

    def delete_refusal(self, request: HttpRequest, obj: Any) -> str | None:
        """Return why ``obj`` may not be deleted here, or None when it may."""
        return None

    # --- writing events ---------------------------------------------------------------------

    def _audit(
        self,
        request: HttpRequest,
        *,
        action: str,
        obj: Any,
        summary: str,
        data: dict[str, Any],
        parent: Any = None,
    ) -> None:
        if parent is None:
            contest = self.audit_contest(obj)
        else:  # an inline object: its own contest, else its parent's
            contest = contest_of(obj) or self.audit_contest(parent)
        if action == ACTION_DELETE and contest is obj:
            # A contest's audit events are deleted with it: this one must outlive it.
            contest = None
        if parent is not None:
            summary += f" (with {_label(parent)})"
        audit_record(
            action=action,
            summary=summary,
            actor=request.user,
            contest=contest,
            target=obj,
            data=data,
        )

    def _audit_saved(
        self,
        request: HttpRequest,
        obj: Any,
        form: forms.ModelForm[Any],
        *,
        is_change: bool,
        changes: dict[str, Any] | None,
        hidden: Sequence[str],
        parent: Any = None,
    ) -> None:
        if is_change:
            changes = changes or {}
            what = f": {_field_names(type(obj), changes)}" if changes else " with no field changed"
            self._audit(
                request,
                action=ACTION_CHANGE,
                obj=obj,
                summary=f"Changed {_label(obj)} in the admin{what}",
                data={"changes": changes},
                parent=parent,
            )
        else:
            self._audit(
                request,
                action=ACTION_ADD,
                obj=obj,
                summary=f"Added {_label(obj)} in the admin",
                data={"fields": form_values(form, hidden)},
                parent=parent,
            )

    def _audit_deleted(self, request: HttpRequest, obj: Any, parent: Any = None) -> None:
        data = (
            self.audit_deleted_data(obj)
            if parent is None
            else {"fields": instance_values(obj, self.audit_hidden_fields)}
        )
        self._audit(
            request,
            action=ACTION_DELETE,
            obj=obj,
            summary=f"Deleted {_label(obj)} in the admin",
            data=data,
            parent=parent,
        )

    # --- Django's hooks ---------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        changes = form_changes(form, self.audit_hidden_fields) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            self._audit_saved(
                request,
                obj,
                form,
                is_change=change,
                changes=changes,
                hidden=self.audit_hidden_fields,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._audit_deleted(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Delete the selected objects and audit each one, all in one transaction."""
        with transaction.atomic():
            for obj in queryset:
                self._audit_deleted(request, obj)
            super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Save an inline formset, auditing each inline object added, changed or deleted."""
        parent = form.instance
        model = formset.model
        hidden = self.audit_hidden_fields
        with transaction.atomic():
            for inline_form in formset.deleted_forms:
                if inline_form.instance.pk is not None:
                    # The form has put the posted values on its instance: audit what is stored.
                    stored = model._base_manager.get(pk=inline_form.instance.pk)
                    self._audit_deleted(request, stored, parent=parent)
            form_of = {id(inline_form.instance): inline_form for inline_form in formset.forms}
            changes = {
                id(inline_form.instance): form_changes(inline_form, hidden)
                for inline_form in formset.initial_forms
                if inline_form.has_changed()
            }
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                self._audit_saved(
                    request,
                    obj,
                    form_of[id(obj)],
                    is_change=False,
                    changes=None,
                    hidden=hidden,
                    parent=parent,
                )
            for obj, _names in formset.changed_objects:
                self._audit_saved(
                    request,
                    obj,
                    form_of[id(obj)],
                    is_change=True,
                    changes=changes.get(id(obj)),
                    hidden=hidden,
                    parent=parent,
                )

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """Add the objects this admin refuses to delete, with why, to the protected ones.

        Django then shows the reasons and deletes nothing, for one object or a bulk delete.
        """
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refused = []
        for obj in objs:
            reason = self.delete_refusal(request, obj)
            if reason is not None:
                refused.append(f"{_label(obj)}: {reason}")
        if refused:
            # Django lists missing permissions first; the refusal is the reason to show.
            perms_needed = set()
        return deleted, counts, perms_needed, [*protected, *refused]


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Show records without letting the back office add, change or delete them: they change
    only through their app's services, which check and audit (shared by every app's admin)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
