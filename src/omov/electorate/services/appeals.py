"""Appeals: the returning officer's overrides of a decision, with their reason."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from omov.contests.models import Contest, ContestStatus
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.services import audit_record
from omov.electorate import rules as eligibility
from omov.electorate.models import (
    EligibilityDecision,
    Person,
)
from omov.electorate.selectors import rule_parameters
from omov.electorate.services.common import (
    refreeze_entries,
    rules_for,
)

# --- Overrides and appeals ----------------------------------------------------------------------


def decision_override(
    *,
    contest: Contest,
    person: Person,
    is_eligible: bool | None,
    reason: str,
    actor: Any = None,
    actor_label: str = "",
) -> EligibilityDecision:
    """Decide an appeal: make a person eligible or not whatever the rules say (None: undo).

    Needs a reason; audited. Works before and after the freeze, until the ballot opens; after the
    freeze it updates the person's roll entry (adding one if they were not on the frozen roll).
    """
    reason = reason.strip()
    if not reason:
        raise ServiceError("Give the reason for this decision (e.g. the appeal it settles).")
    if contest.has_reached(ContestStatus.BALLOT_OPEN):
        raise ServiceError("The ballot has opened: decisions on the roll can no longer change.")
    now = clock.now()
    with transaction.atomic():
        decision = (
            EligibilityDecision.objects.select_for_update()
            .filter(contest=contest, person=person)
            .first()
        )
        if decision is None:
            params = rule_parameters(rules_for(contest))
            mask = eligibility.failed_mask(eligibility.Facts.of(person), params)
            decision = EligibilityDecision(
                contest=contest,
                person=person,
                failed_rules=mask,
                rules_eligible=mask == 0,
                evaluated_at=now,
            )
        before = decision.is_eligible
        decision.override = is_eligible
        decision.override_reason = reason if is_eligible is not None else ""
        decision.override_at = now if is_eligible is not None else None
        decision.override_by = actor if getattr(actor, "is_authenticated", False) else None
        decision.is_eligible = decision.rules_eligible if is_eligible is None else is_eligible
        decision.save()
        if contest.status == ContestStatus.ROLL_FROZEN:
            refreeze_entries(contest, [person.pk])
        if is_eligible is None:
            what = "Removed the override; the rules decide again"
        else:
            what = "Ruled eligible" if is_eligible else "Ruled not eligible"
        audit_record(
            action="roll.override",
            summary=f"{what}: {person.full_name} ({person.external_id})",
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=person,
            reason=reason,
            data={"before": before, "after": decision.is_eligible},
        )
    return decision
