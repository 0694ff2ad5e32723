"""Form fields every app shares: dates and times in ISO 8601, with the browser's own pickers.

One format everywhere (issue 15, item 9): a date is shown, prefilled and accepted as YYYY-MM-DD
and a date and time as YYYY-MM-DD HH:MM (the browser's picker sends YYYY-MM-DDTHH:MM, also
accepted). The site-wide input formats (omov.config.formats) say the same for the admin.
"""

from __future__ import annotations

from django import forms

DATE_FORMAT = "%Y-%m-%d"
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    """A date picker whose value is always ISO 8601, whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATE_FORMAT)


class DateTimeInput(forms.DateTimeInput):
    """A date-and-time picker (``datetime-local``), its value YYYY-MM-DDTHH:MM."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_LOCAL_FORMAT)


class DateField(forms.DateField):
    """A date, typed or picked, as YYYY-MM-DD."""

    widget = DateInput
    input_formats = [DATE_FORMAT]
    default_error_messages = {"invalid": "Enter the date as YYYY-MM-DD, for example 2026-11-01."}


class DateTimeField(forms.DateTimeField):
    """A date and time, typed or picked, as YYYY-MM-DD HH:MM (in the site's time zone)."""

    widget = DateTimeInput
    input_formats = [
        DATETIME_LOCAL_FORMAT,
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ]
    default_error_messages = {
        "invalid": "Enter the date and time as YYYY-MM-DD HH:MM, for example 2026-11-01 18:30."
    }
