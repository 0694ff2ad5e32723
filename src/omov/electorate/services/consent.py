"""A person's contact consent, changed on their own request (e.g. "do not call me")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from omov.core.services import audit_record
from omov.electorate.models import Person

if TYPE_CHECKING:
    from omov.contests.models import Contest


def person_phone_consent_withdraw(
    *,
    person: Person,
    contest: Contest | None = None,
    actor: Any = None,
    actor_label: str = "",
    data: dict[str, Any] | None = None,
) -> Person:
    """Record that the person no longer agrees to be phoned; audit it; return the person.

    Called by ``omov.campaigns`` when a voter asks a campaign not to call them (decision 0014):
    the audit event goes to ``contest``'s trail, which only the returning officer and scrutineers
    read, with ``data`` saying which campaign recorded it. Withdrawing consent already withdrawn
    writes nothing.
    """
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if locked.consent_phone:
            locked.consent_phone = False
            locked.save(update_fields=["consent_phone", "updated_at"])
            audit_record(
                action="person.phone_consent_withdraw",
                summary=f"{locked.external_id} asked not to be phoned: phone consent withdrawn",
                actor=actor,
                actor_label=actor_label,
                contest=contest,
                target=locked,
                data=data or {},
            )
    person.consent_phone = False
    return person
