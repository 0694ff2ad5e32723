"""Forms of the campaigns: the caller's outcome form, built from the script it answers."""

from __future__ import annotations

from typing import Any

from django import forms

from omov.campaigns.models import CallList, Event, EventKind, Outcome, Script
from omov.core.form_fields import DateTimeField
from omov.electorate.models import Category


class OutcomeForm(forms.Form):
    """The outcome of one call and, when answered, the script's questions (all optional)."""

    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect)
    call_back_at = DateTimeField(
        required=False,
        label="Call back at",
        help_text="Only for “call back at a time”.",
    )

    def __init__(self, *args: Any, script: Script, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.script = script
        for question in script.questions:
            self.fields[f"q_{question['key']}"] = forms.ChoiceField(
                label=question["text"],
                required=False,
                choices=[("", "—"), *[(c, c) for c in question["choices"]]],
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[str, str]:
        """Return the answers given, keyed by the script's question keys."""
        return {
            question["key"]: self.cleaned_data.get(f"q_{question['key']}") or ""
            for question in self.script.questions
            if self.cleaned_data.get(f"q_{question['key']}")
        }

    def question_fields(self) -> list[Any]:
        return [self[f"q_{question['key']}"] for question in self.script.questions]


class VolunteerForm(forms.Form):
    """The public volunteer sign-up form (the service validates again and normalises)."""

    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254)
    phone = forms.CharField(max_length=40, help_text="With its area code, e.g. 0115 496 0123.")
    area = forms.CharField(
        max_length=200, help_text="Where you can help: a town, a branch or a postcode."
    )
    availability = forms.CharField(
        max_length=500, required=False, help_text="e.g. weekday evenings, Saturday mornings."
    )


def questions_parse(text: str) -> list[dict[str, Any]]:
    """Read a script's questions, one a line: ``key | question | choice, choice | if key = a, b``.

    Raises ``forms.ValidationError`` naming the line that is wrong.
    """
    questions: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (3, 4):
            raise forms.ValidationError(
                f"Line {number}: write key | question | choice, choice (and optionally "
                "| if key = a, b)."
            )
        question: dict[str, Any] = {
            "key": parts[0],
            "text": parts[1],
            "choices": [choice.strip() for choice in parts[2].split(",") if choice.strip()],
        }
        if len(parts) == 4:
            condition = parts[3].removeprefix("if").strip()
            key, equals, values = condition.partition("=")
            if not equals:
                raise forms.ValidationError(f"Line {number}: write the condition as if key = a, b.")
            question["when"] = {
                "key": key.strip(),
                "in": [value.strip() for value in values.split(",") if value.strip()],
            }
        questions.append(question)
    return questions


class ScriptForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="Saving an existing name makes a new version.")
    introduction = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One question a line: key | question | choice, choice | if key = a, b",
    )

    def clean_questions(self) -> list[dict[str, Any]]:
        return questions_parse(self.cleaned_data["questions"])


class CallListForm(forms.Form):
    name = forms.CharField(max_length=120)
    script = forms.ModelChoiceField(queryset=Script.objects.none())
    branch = forms.CharField(max_length=40, required=False, help_text="A branch code, or empty.")
    region = forms.CharField(max_length=120, required=False)
    category = forms.ChoiceField(required=False)
    only_not_reached = forms.BooleanField(
        required=False, initial=True, label="Only people not reached yet"
    )

    def __init__(self, *args: Any, scripts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["script"].queryset = scripts  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", "Every category"), *Category.choices]  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    name = forms.CharField(max_length=200)
    venue = forms.CharField(max_length=200, required=False)
    call_list = forms.ModelChoiceField(queryset=CallList.objects.none())
    starts_at = DateTimeField()
    ends_at = DateTimeField()

    def __init__(self, *args: Any, call_lists: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["call_list"].queryset = call_lists  # type: ignore[attr-defined]


class EventForm(forms.Form):
    """An event's details; ``main_event`` offers the campaign's main events (not satellites)."""

    kind = forms.ChoiceField(choices=EventKind.choices)
    title = forms.CharField(max_length=200)
    venue = forms.CharField(max_length=200)
    address = forms.CharField(max_length=300, required=False)
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    capacity = forms.IntegerField(min_value=1, max_value=1_000_000)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    is_public = forms.BooleanField(
        required=False, initial=True, label="Public: an RSVP page and the calendar feed"
    )
    main_event = forms.ModelChoiceField(
        queryset=Event.objects.none(),
        required=False,
        label="Satellite of",
        help_text="For a screening of a main event elsewhere: choose the main event.",
    )

    def __init__(self, *args: Any, main_events: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if main_events is None:
            del self.fields["main_event"]
        else:
            self.fields["main_event"].queryset = main_events  # type: ignore[attr-defined]


class RsvpForm(forms.Form):
    """The public RSVP form (the service validates again)."""

    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254, help_text="We email your confirmation here.")


class CodeForm(forms.Form):
    """The door's code field: typed, or filled in by the QR code's link."""

    code = forms.CharField(max_length=20, label="RSVP code", help_text="e.g. ABCD-1234")


class InviteForm(forms.Form):
    """Which voters of the email contact list to invite: a branch, a region, or everyone."""

    branch = forms.CharField(max_length=40, required=False, help_text="A branch code, or empty.")
    region = forms.CharField(max_length=120, required=False, help_text="A region, or empty.")
