"""Every form shows and accepts dates in one format, ISO 8601 (YYYY-MM-DD, HH:MM)."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from typing import Any

import pytest
from django import forms

from omov.core.form_fields import DateField, DateTimeField
from omov.electorate.forms import RulesForm

FORM_MODULES = [
    "omov.ballots.forms",
    "omov.campaigns.forms",
    "omov.core.forms",
    "omov.electorate.forms",
    "omov.nominations.forms",
    "omov.results.forms",
]


def _forms() -> list[type[forms.BaseForm]]:
    found = []
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__ == name:
                found.append(value)
    return found


def test_every_date_field_of_every_form_is_an_iso_field() -> None:
    seen = 0
    for form in _forms():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.DateTimeField):
                assert isinstance(field, DateTimeField), f"{form.__name__}.{name}"
                seen += 1
            elif isinstance(field, forms.DateField):
                assert isinstance(field, DateField), f"{form.__name__}.{name}"
                seen += 1
    assert seen >= 8  # the rules' three dates, birth, meeting, call-back and session times


def test_the_rules_form_prefills_the_date_in_the_format_its_hint_names() -> None:
    form = RulesForm(initial={"freeze_date": dt.date(2026, 11, 1)})
    html = str(form["freeze_date"])
    assert 'type="date"' in html
    assert 'value="2026-11-01"' in html
    assert "(YYYY-MM-DD)" in form.fields["freeze_date"].help_text


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [("2026-11-01", True), ("01/11/2026", False), ("1 November 2026", False)],
)
def test_a_date_is_accepted_as_iso_only_and_refused_with_the_format(
    typed: str, accepted: bool
) -> None:
    field = DateField()
    if accepted:
        assert field.clean(typed) == dt.date(2026, 11, 1)
    else:
        with pytest.raises(forms.ValidationError) as refused:
            field.clean(typed)
        assert refused.value.messages == ["Enter the date as YYYY-MM-DD, for example 2026-11-01."]


@pytest.mark.parametrize("typed", ["2026-11-01T18:30", "2026-11-01 18:30"])
def test_a_date_and_time_is_accepted_from_the_picker_and_typed(typed: str, settings: Any) -> None:
    value = DateTimeField().clean(typed)
    assert (value.date(), value.hour, value.minute) == (dt.date(2026, 11, 1), 18, 30)


def test_a_date_and_time_picker_is_prefilled_in_its_own_format() -> None:
    class Form(forms.Form):
        at = DateTimeField()

    html = str(Form(initial={"at": dt.datetime(2026, 11, 1, 18, 30)})["at"])
    assert 'type="datetime-local"' in html and 'value="2026-11-01T18:30"' in html


def test_a_date_and_time_in_another_format_is_refused_with_the_format() -> None:
    with pytest.raises(forms.ValidationError) as refused:
        DateTimeField().clean("01/11/2026 18:30")
    assert "YYYY-MM-DD HH:MM" in refused.value.messages[0]


@pytest.mark.django_db
def test_the_admin_shows_dates_as_iso(admin_client: Any, contest: Any) -> None:
    page = admin_client.get(f"/admin/contests/contest/{contest.pk}/change/").content.decode()
    assert 'value="2016-01-12"' in page  # the freeze date
    assert "12/01/2016" not in page
