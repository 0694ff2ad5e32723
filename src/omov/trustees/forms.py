"""The returning officer's appointment form and the trustee's upload form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from omov.trustees.services import Appointment

TRUSTEES_HELP = (
    "One trustee per line, numbered in this order: the account they sign in with, a comma, and "
    "their name as the record shows it. For example: alice, Alice Example (independent)."
)


class AppointForm(forms.Form):
    """Appoint the trustees (t of n) of a contest."""

    trustees = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), help_text=TRUSTEES_HELP)
    threshold = forms.IntegerField(
        min_value=1, help_text="How many trustees together can decrypt (t)."
    )
    mixes_required = forms.IntegerField(
        min_value=1,
        initial=2,
        help_text="How many trustees shuffle the ballots, one after another.",
    )

    def clean_trustees(self) -> list[Appointment]:
        users = get_user_model().objects
        appointments = []
        errors = []
        for number, line in enumerate(self.cleaned_data["trustees"].splitlines(), start=1):
            if not line.strip():
                continue
            username, comma, name = line.partition(",")
            if not comma or not name.strip():
                errors.append(f"Line {number}: write the account, a comma, then the name.")
                continue
            user = users.filter(username=username.strip()).first()
            if user is None:
                errors.append(f"Line {number}: there is no account called {username.strip()!r}.")
                continue
            appointments.append(Appointment(name=name.strip(), user=user))
        if errors:
            raise forms.ValidationError(errors)
        if not appointments:
            raise forms.ValidationError("Name at least one trustee.")
        return appointments


class UploadForm(forms.Form):
    """A file from `omov trustee`: the public key file, a dealing, a complaint or an answer."""

    file = forms.FileField(help_text="The file `omov trustee` wrote for you to hand in.")


class OfficeUploadForm(UploadForm):
    """The office hands in a trustee's file that came by other means; it names the trustee."""

    trustee = forms.TypedChoiceField(coerce=int, help_text="The trustee who made the file.")

    def __init__(self, *args: Any, numbers: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["trustee"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(n, f"Trustee {n}") for n in numbers]


class SealForm(forms.Form):
    """Seal the joint key, optionally leaving out trustees who have not dealt or answered."""

    leave_out_missing = forms.BooleanField(
        required=False,
        label="Seal now, leaving out trustees who have not dealt or answered a complaint",
    )
