"""Forms of the campaigns: the caller's outcome form, built from the script it answers."""

from __future__ import annotations

from typing import Any

from django import forms

from omov.campaigns.models import Outcome, Script


class OutcomeForm(forms.Form):
    """The outcome of one call and, when answered, the script's questions (all optional)."""

    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect)
    call_back_at = forms.DateTimeField(
        required=False,
        label="Call back at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
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
