"""The electorate's locks on a contest's edits (registered from ``ElectorateConfig.ready()``).

Once a contest's eligibility rules hold their own copy of the freeze date and the arrears
deadline, the contest's own fields may no longer change them (the rule-change preview does); and
the ballot's close may not move to another day while the roll reckons age on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.html import format_html

from omov.contests.models import Contest, ContestStatus
from omov.electorate.models import ContestRules


def _rules_url(contest: Contest) -> str:
    return reverse("electorate:rules", kwargs={"slug": contest.slug})


def rules_locks(contest: Contest) -> dict[str, str]:
    """Lock the contest's freeze date and arrears deadline once its rules hold their own."""
    if not ContestRules.objects.filter(contest=contest).exists():
        return {}  # the rules, when first made, copy the contest's dates (``rules_for``)
    if contest.has_reached(ContestStatus.BALLOT_OPEN):
        reason = (
            "Fixed: the eligibility rules hold this date, and the ballot has opened, so they can "
            "no longer change."
        )
    else:
        url = _rules_url(contest)
        reason = format_html(
            "The eligibility rules of this contest hold their own copy of this date and decide "
            'the roll by it. Change it through the rule-change preview, <a href="{}">{}</a>, '
            "which shows who gains and who loses a vote before the change applies and "
            "re-evaluates the roll.",
            url,
            url,
        )
    return {"freeze_date": reason, "arrears_deadline": reason}


def _utc_day(value: dt.datetime | None) -> dt.date | None:
    # As ``selectors.rule_parameters``: the day of the stored (UTC) close.
    return value.astimezone(dt.UTC).date() if value is not None else None


def age_reckoning_check(
    contest: Contest, changes: dict[str, tuple[Any, Any]]
) -> list[tuple[str | None, str]]:
    """Refuse to move the ballot's close to another day when the roll reckons age on that day.

    Rules with no day of their own reckon age on the day the ballot closes. Once the roll has
    been decided, moving the close to another day would change who is old enough to vote without
    anything marking the decisions stale; so the day must first be set through the rules.
    """
    if "ballot_closes_at" not in changes or contest.has_reached(ContestStatus.BALLOT_OPEN):
        return []
    rules = ContestRules.objects.filter(contest=contest).first()
    if rules is None or rules.age_on is not None or rules.evaluated_at is None:
        return []
    old, new = changes["ballot_closes_at"]
    if _utc_day(old) == _utc_day(new):
        return []
    url = _rules_url(contest)
    return [
        (
            "ballot_closes_at",
            "The eligibility rules reckon age on the day the ballot closes (they name no day of "
            "their own), and the roll was decided with this close: moving it to another day "
            "would change who is old enough to vote without the roll being decided again. First "
            f"set the day age is reckoned on through the rule-change preview ({url}), then "
            "move the close.",
        )
    ]
