"""Forms of the booth and the paper-ballot pages; the ranking parser both share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms

from omov.ballots.models import Delivery, RejectedReason, SpoiltReason
from omov.electorate.models import Category


class SignInForm(forms.Form):
    reference = forms.CharField(
        label="Ballot reference",
        max_length=30,
        help_text="10 letters and numbers, from your email or letter, for example ABCDE-12345.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    code = forms.CharField(
        label="Security code",
        max_length=30,
        help_text="8 letters and numbers, for example WXYZ-1234.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class ReminderForm(forms.Form):
    round = forms.IntegerField(
        label="Reminder round",
        min_value=1,
        max_value=50,
        help_text="Each voter who has not voted gets one reminder per round.",
    )


def preference_field_name(candidate_id: int) -> str:
    return f"pref_{candidate_id}"


@dataclass
class RankingResult:
    """A parsed set of numbered preferences: the ranking, or what is wrong and where."""

    ranking: list[int] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    field_errors: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field name or "", message)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def parse_ranking(data: Mapping[str, Any], candidates: Sequence[Any]) -> RankingResult:
    """Read one number (or blank) per candidate and check it makes a ranking 1, 2, 3 ...

    Accepts typed numbers as well as the select's values; refuses numbers out of range,
    a number given twice, gaps, and a ballot with no number at all, each with what to do.
    """
    result = RankingResult()
    count = len(candidates)
    numbers: dict[int, list[Any]] = {}
    for candidate in candidates:
        name = preference_field_name(candidate.pk)
        raw = str(data.get(name, "") or "").strip()
        result.values[name] = raw
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= count:
            message = (
                f"The preference for {candidate.name} must be a number from 1 to {count}, "
                "or left blank."
            )
            result.field_errors[name] = message
            result.errors.append((name, message))
            continue
        numbers.setdefault(int(raw), []).append(candidate)
    if result.errors:
        return result
    if not numbers:
        message = "Number at least one candidate: put 1 next to your first choice."
        first = preference_field_name(candidates[0].pk) if candidates else ""
        result.field_errors[first] = message
        result.errors.append((first, message))
        return result
    for number, given in sorted(numbers.items()):
        if len(given) > 1:
            names = " and ".join(c.name for c in given)
            message = f"You gave {number} to {names}; give each number to one candidate only."
            for candidate in given:
                result.field_errors[preference_field_name(candidate.pk)] = message
            result.errors.append((preference_field_name(given[1].pk), message))
    highest = max(numbers)
    missing = [n for n in range(1, highest + 1) if n not in numbers]
    if missing:
        after = min(n for n in numbers if n > missing[0])
        field_name = preference_field_name(numbers[after][0].pk)
        message = (
            f"No candidate has {missing[0]}: number your choices 1, 2, 3 and so on without "
            f"gaps (change {after} to {missing[0]}, or leave later choices blank)."
        )
        result.field_errors.setdefault(field_name, message)
        result.errors.append((field_name, message))
    if not result.errors:
        result.ranking = [numbers[n][0].pk for n in sorted(numbers)]
    return result


class PaperHeaderForm(forms.Form):
    """Which ballot paper is keyed: its batch and its number in the mixed batch, no reference."""

    batch_number = forms.IntegerField(
        label="Batch number", min_value=1, help_text="On the batch's tray, for example 3."
    )
    paper_number = forms.IntegerField(
        label="Paper number in the batch",
        min_value=1,
        help_text="Written on the ballot paper when the batch was opened and mixed.",
    )
    outcome = forms.ChoiceField(
        label="What is on the paper?",
        choices=[("ballot", "Valid preferences"), ("spoilt", "The paper is spoilt")],
        widget=forms.RadioSelect,
        initial="ballot",
    )
    reason = forms.ChoiceField(
        label="Why is it spoilt? (only for a spoilt paper)",
        choices=[("", "—")]
        + [c for c in SpoiltReason.choices if c[0] != SpoiltReason.NO_BALLOT_PAPER],
        required=False,
    )


class PaperResolveForm(PaperHeaderForm):
    note = forms.CharField(
        label="Note (what the paper shows, and why the keyings differed)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PaperRejectForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the envelope rejected?",
        choices=[c for c in RejectedReason.choices if c[0] != RejectedReason.ALREADY_VOTED],
        help_text="A voter who had already voted is found by checking the declaration.",
    )


class BatchCreateForm(forms.Form):
    category = forms.ChoiceField(
        label="Category of the voters whose envelopes are in this batch",
        choices=Category.choices,
        help_text="Each category's ballot papers are counted in their own batches.",
    )


class DeclarationForm(forms.Form):
    reference = forms.CharField(
        label="Ballot reference on the declaration",
        max_length=30,
        help_text="10 letters and numbers, for example ABCDE-12345.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class SeparateForm(forms.Form):
    papers_found = forms.IntegerField(
        label="Ballot papers found in the opened envelopes", min_value=0
    )
    small_batch_note = forms.CharField(
        label="Supervisor's note to open a small batch (why no more envelopes will come)",
        required=False,
        max_length=500,
    )


class ReconcileForm(forms.Form):
    papers_counted = forms.IntegerField(label="Ballot papers counted again", min_value=0)
    note = forms.CharField(
        label="How you checked, and what you found",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReissueForm(forms.Form):
    external_id = forms.CharField(
        label="Membership number", max_length=64, help_text="As on the roll, for example M0000123."
    )
    reason = forms.CharField(
        label="Reason for the reissue, and how you checked who the voter is",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    delivery = forms.ChoiceField(
        label="Send the new credential by", choices=Delivery.choices, widget=forms.RadioSelect
    )


class ResendForm(forms.Form):
    reason = forms.CharField(
        label="Why must every voter who has not voted get a new credential?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label="I understand that every credential not yet used stops working now, and that "
        "fresh ones must then be sent to those voters.",
        required=True,
    )
