"""Forms of the roll pages: filters, import, rules and their confirmation, overrides."""

from __future__ import annotations

from typing import Any

from django import forms

from omov.core.form_fields import DateField
from omov.electorate.models import Branch, Category, ContestRules

ELIGIBILITY_CHOICES = [
    ("", "Everyone"),
    ("eligible", "Eligible"),
    ("ineligible", "Not eligible"),
    ("overridden", "Decided on appeal (override)"),
]


class RollFilterForm(forms.Form):
    category = forms.ChoiceField(
        choices=[("", "All categories"), *Category.choices], required=False
    )
    branch = forms.ModelChoiceField(
        queryset=Branch.objects.none(), required=False, empty_label="All branches"
    )
    eligibility = forms.ChoiceField(choices=ELIGIBILITY_CHOICES, required=False)
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Membership number, surname or email.",
    )

    def __init__(self, *args: Any, branch_ids: set[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        branches = Branch.objects.all()
        if branch_ids is not None:
            branches = branches.filter(pk__in=branch_ids)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]


class RollImportForm(forms.Form):
    file = forms.FileField(label="Roll file (CSV, UTF-8)")
    mapping = forms.CharField(
        label="Column mapping",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only when your columns have other names: one their_column=our_field per line; "
        "their_column= ignores a column.",
    )
    accept_valid = forms.BooleanField(
        label="Import the valid rows even if some rows have errors",
        required=False,
        help_text="Leave unticked to import nothing unless every row is valid.",
    )


class RulesForm(forms.Form):
    freeze_date = DateField(
        required=False, help_text="Members must have joined on or before this date (YYYY-MM-DD)."
    )
    arrears_deadline = DateField(
        required=False, help_text="Arrears must be paid on or before this date (YYYY-MM-DD)."
    )
    minimum_age = forms.IntegerField(min_value=1, max_value=120)
    age_on = DateField(
        label="Age reckoned on",
        required=False,
        help_text="As YYYY-MM-DD; leave empty to reckon age on the day the ballot closes.",
    )
    eligible_categories = forms.MultipleChoiceField(
        label="Categories that may vote",
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    affiliated_supporters_must_register = forms.BooleanField(
        label="Affiliated supporters must register for this contest", required=False
    )

    @classmethod
    def initial_from(cls, rules: ContestRules) -> dict[str, Any]:
        return {
            "freeze_date": rules.freeze_date,
            "arrears_deadline": rules.arrears_deadline,
            "minimum_age": rules.minimum_age,
            "age_on": rules.age_on,
            "eligible_categories": list(rules.eligible_categories),
            "affiliated_supporters_must_register": rules.affiliated_supporters_must_register,
        }


class RulesConfirmForm(RulesForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Recorded in the audit trail, e.g. the ruling that moved the freeze date.",
    )


class OverrideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            ("eligible", "Eligible to vote"),
            ("ineligible", "Not eligible to vote"),
            ("rules", "Let the rules decide (remove the override)"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def decision_value(self) -> bool | None:
        return {"eligible": True, "ineligible": False}.get(self.cleaned_data["decision"])
