"""Forms of the results app."""

from __future__ import annotations

from django import forms

#: A ballot key file is a few hundred bytes; refuse anything much larger before reading it.
MAX_KEY_FILE_BYTES = 64 * 1024


class CountForm(forms.Form):
    """Upload the ballot key file written when the ballot was opened."""

    key_file = forms.FileField(
        label="Ballot key file",
        help_text="The file saved when the ballot was opened. It is used once, for this count, "
        "and never stored.",
    )

    def clean_key_file(self) -> bytes:
        upload = self.cleaned_data["key_file"]
        if upload.size > MAX_KEY_FILE_BYTES:
            raise forms.ValidationError(
                "That file is too large to be a ballot key file; choose the key file saved when "
                "the ballot was opened."
            )
        data: bytes = upload.read()
        if not data.strip():
            raise forms.ValidationError(
                "The key file is empty; choose the key file saved when the ballot was opened."
            )
        return data
