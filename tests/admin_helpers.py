"""Helpers for tests that drive the Django admin through the test client."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.messages import get_messages
from django.db.models import Model


def admin_form_data(response: Any) -> dict[str, Any]:
    """Return the POST data that saves an admin change page as shown (its inlines included).

    Read-only fields are not in the form, so they are not in the data: a test adds them itself
    to prove that a crafted POST cannot change them.
    """
    data: dict[str, Any] = {}
    all_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        all_forms.extend(formset.forms)
    for form in all_forms:
        data.update(_form_data(form))
    return data


def _form_data(form: forms.BaseForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for bound in form:
        if bound.field.disabled:
            continue
        data.update(_widget_data(bound.html_name, bound.field.widget, bound.value()))
        if bound.field.show_hidden_initial:  # as a browser posts it: a hidden copy of the initial
            hidden = bound.field.hidden_widget()
            data.update(_widget_data(bound.html_initial_name, hidden, bound.initial))
    return data


def _widget_data(name: str, widget: Any, value: Any) -> dict[str, Any]:
    while isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, list) else widget.decompress(value)
        data = {}
        for index, (sub, part) in enumerate(zip(widget.widgets, parts, strict=True)):
            formatted = sub.format_value(part)
            data[f"{name}_{index}"] = "" if formatted is None else formatted
        return data
    if isinstance(widget, forms.CheckboxInput):
        return {name: "on"} if widget.check_test(value) else {}
    if isinstance(widget, forms.SelectMultiple):
        return {name: [str(item.pk if isinstance(item, Model) else item) for item in value or []]}
    formatted = widget.format_value(value)
    return {name: "" if formatted is None else formatted}


def messages_of(response: Any) -> list[str]:
    """Return the texts of the messages the request of ``response`` added."""
    return [str(message) for message in get_messages(response.wsgi_request)]
