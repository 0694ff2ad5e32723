"""Forms of the nominations pages: they parse input; the services decide."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from omov.contests.models import Candidate
from omov.core.form_fields import DateField
from omov.electorate.models import Affiliate
from omov.nominations.models import (
    ApplicationStatus,
    FlagKind,
    NominationRules,
    ParliamentaryMember,
)


class AccessibleForm(forms.Form):
    """Mark fields with errors as invalid and point them at their error message."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                described = f"id_{name}_error"
                if self.fields[name].help_text:
                    described += f" id_{name}_hint"
                widget.attrs["aria-describedby"] = described

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs.setdefault("aria-describedby", f"id_{name}_hint")

    def _set_choices(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset


class SupporterSignupForm(AccessibleForm):
    first_name = forms.CharField(max_length=100, label="First name")
    last_name = forms.CharField(max_length=100, label="Last name")
    email = forms.EmailField(label="Email address")
    phone = forms.CharField(
        max_length=40, label="Phone number", help_text="With the area code, e.g. 020 7946 0000."
    )
    postcode = forms.CharField(max_length=12, label="Postcode")
    date_of_birth = DateField(
        required=False,
        label="Date of birth",
        help_text="Or leave this empty and tick the box below to declare you are 18 or over.",
    )
    is_adult_declared = forms.BooleanField(required=False, label="I am 18 or over")
    supports_aims = forms.BooleanField(
        label="I support the aims and values of the party",
        error_messages={"required": "Tick this box to register: supporters must support them."},
    )
    supports_no_other_party = forms.BooleanField(
        label="I am not a member or supporter of any other political party",
        error_messages={
            "required": "Tick this box to register: supporters may not support another party."
        },
    )
    consent_email = forms.BooleanField(
        required=False, label="The party may email me about the election and its work"
    )
    consent_phone = forms.BooleanField(
        required=False, label="The party may phone me about the election and its work"
    )
    payment_reference = forms.CharField(
        max_length=100,
        required=False,
        label="Payment reference",
        help_text="If you have already paid the fee, the reference of your payment. The office "
        "confirms it before approving your application.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("date_of_birth") and not data.get("is_adult_declared"):
            self.add_error(
                "date_of_birth", "Give your date of birth, or tick the box declaring you are 18+."
            )
        return data


class MeetingForm(AccessibleForm):
    """A branch meeting: date, attendance, each candidate's votes, abstentions, outcome."""

    held_on = DateField(label="Date of the meeting")
    attendance = forms.IntegerField(
        min_value=0,
        label="Members attending",
        help_text="Eligible members only; everyone who voted or abstained counts.",
    )
    abstentions = forms.IntegerField(min_value=0, initial=0, label="Abstentions")
    is_no_nomination = forms.BooleanField(
        required=False, label="The branch decided to make no nomination"
    )
    chair_decided_for = forms.ModelChoiceField(
        queryset=Candidate.objects.none(),
        required=False,
        label="In a tie for the most votes, the chair decided for",
        help_text="Only when candidates tied for the most votes; a tie without a decision by "
        "the chair means the branch makes no nomination.",
    )

    def __init__(
        self,
        *args: Any,
        candidates: list[Candidate],
        is_correction: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for candidate in candidates:
            self.fields[f"votes_{candidate.pk}"] = forms.IntegerField(
                min_value=0, initial=0, label=f"Votes for {candidate.name}"
            )
        self._set_choices(
            "chair_decided_for", Candidate.objects.filter(pk__in=[c.pk for c in candidates])
        )
        if is_correction:
            self.fields["correction_reason"] = forms.CharField(
                label="Reason for the correction",
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="This meeting is already recorded; the reason is kept in the audit "
                "trail.",
            )
        self.order_fields(
            ["held_on", "attendance", *[f"votes_{c.pk}" for c in candidates], "abstentions"]
        )

    def vote_fields(self) -> list[Any]:
        return [self[f"votes_{c.pk}"] for c in self.candidates]

    def votes(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"votes_{c.pk}"] for c in self.candidates}


class ParliamentaryImportForm(AccessibleForm):
    csv_file = forms.FileField(
        label="Parliamentary party list (CSV)",
        help_text="Columns: name, kind (mp or mep), constituency; one MP or MEP per line.",
    )


class ParliamentaryNominationForm(AccessibleForm):
    member = forms.ModelChoiceField(queryset=ParliamentaryMember.objects.none(), label="MP or MEP")
    candidate = forms.ModelChoiceField(queryset=Candidate.objects.none(), label="Nominates")

    def __init__(self, *args: Any, contest: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices(
            "member",
            ParliamentaryMember.objects.filter(contest=contest, nomination__isnull=True),
        )
        self._set_choices("candidate", candidates)


class AffiliateNominationForm(AccessibleForm):
    affiliate = forms.ModelChoiceField(queryset=Affiliate.objects.none(), label="Affiliate")
    candidate = forms.ModelChoiceField(queryset=Candidate.objects.none(), label="Nominates")

    def __init__(self, *args: Any, contest: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("affiliate", Affiliate.objects.exclude(nominations__contest=contest))
        self._set_choices("candidate", candidates)


class SignaturesForm(AccessibleForm):
    """Members' signatures on one candidate's nomination paper, as membership numbers."""

    candidate = forms.ModelChoiceField(queryset=Candidate.objects.none(), label="Signed for")
    membership_numbers = forms.CharField(
        label="Membership numbers of the members who signed",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        max_length=200_000,
        help_text="One per line, or separated by commas or spaces, as printed on the roll. "
        "Every one must be an eligible member; a member signs for one candidate only. "
        "Numbers already recorded for this candidate are kept as they are.",
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("candidate", candidates)

    def numbers(self) -> list[str]:
        text = self.cleaned_data["membership_numbers"]
        return [part for part in re.split(r"[\s,;]+", text) if part]


class ReasonForm(AccessibleForm):
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class PaymentForm(AccessibleForm):
    reference = forms.CharField(
        max_length=100, required=False, label="Payment reference the office checked"
    )


class RulesForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = NominationRules
        fields = [
            "is_parliamentary_threshold_required",
            "challenger_percent",
            "vacancy_percent",
            "is_incumbent_exempt",
            "is_gate_enabled",
            "gate_branch_percent",
            "gate_branch_count",
            "gate_affiliate_count",
            "gate_signature_count",
        ]
        labels = {
            "is_parliamentary_threshold_required": "Candidates need nominations from the "
            "parliamentary group (MPs and MEPs)",
            "challenger_percent": "Challengers need this % of the parliamentary group",
            "vacancy_percent": "In a vacancy, candidates need this % of the parliamentary group",
            "is_incumbent_exempt": "The incumbent stands without nominations",
            "is_gate_enabled": "Candidates must pass the gate (any one route below)",
            "gate_branch_percent": "Gate: % of all branches",
            "gate_branch_count": "Gate: number of branches",
            "gate_affiliate_count": "Gate: number of affiliates",
            "gate_signature_count": "Gate: number of members' signatures",
        }


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *ApplicationStatus.choices],
        label="Status",
    )
    flag = forms.ChoiceField(
        required=False,
        choices=[("", "Any flags"), ("clean", "No flags"), *FlagKind.choices],
        label="Flag",
    )
