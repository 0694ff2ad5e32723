"""Invitations to an event, emailed by omov to the voters who agreed to hear from campaigns.

The campaign chooses an event and a segment (a branch, a region, or everyone); omov sends the
emails. The campaign never sees an address, only how many were invited (fewer than 10 is not
shown exactly). The recipients are the **email contact list** — the frozen roll's eligible
entries whose person consents to email and has an address (decision 0014, 2) — while the
campaign's access is open, each person at most once per event (the ``Invitation`` row, unique).
Sent like the reminders: batches whose rows commit only once the mail server accepted them,
paced at ``OMOV_EMAIL_RATE``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from omov.campaigns import policies, selectors
from omov.campaigns.events import public_base
from omov.campaigns.models import Event, Invitation
from omov.core import clock
from omov.core.errors import PermissionRefused, ServiceError
from omov.core.mail import paced_send
from omov.core.services import audit_record
from omov.electorate.models import Branch, RollEntry

BATCH = 200


def invitation_targets(event: Event, *, branch: Branch | None = None, region: str = "") -> Any:
    """Return the email contact list's entries of the segment not yet invited to ``event``."""
    entries = selectors.email_contact_list(event.campaign.contest)
    if branch is not None:
        entries = entries.filter(branch=branch)
    if region:
        entries = entries.filter(branch__region=region)
    return entries.exclude(
        Exists(Invitation.objects.filter(event=event, person_id=OuterRef("person_id")))
    )


def _check(event: Event, actor: Any) -> None:
    campaign = event.campaign
    if actor is not None:
        decision = policies.can_run_events(actor, campaign)
        if not decision:
            raise PermissionRefused(decision.reason)
    access = policies.access_open(campaign)
    if not access:
        raise ServiceError(access.reason)
    if not event.is_public:
        raise ServiceError(f"{event.title} is not public: invite people only to public events.")
    if clock.now() >= event.starts_at:
        raise ServiceError(f"{event.title} has started: it is too late to invite anyone.")


def _message(event: Event, entry: RollEntry, base: str) -> EmailMultiAlternatives:
    context = {
        "event": event,
        "campaign": event.campaign,
        "name": entry.person.full_name,
        "starts_at": timezone.localtime(event.starts_at),
        "ends_at": timezone.localtime(event.ends_at),
        "event_url": base + reverse("campaigns:rsvp", args=[event.campaign_id, event.pk]),
    }
    message = EmailMultiAlternatives(
        subject=f"You are invited: {event.title}",
        body=get_template("campaigns/email/invitation.txt").render(context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[entry.person.email],
    )
    message.attach_alternative(
        get_template("campaigns/email/invitation.html").render(context), "text/html"
    )
    return message


def invitations_send_batch(
    *,
    event: Event,
    branch: Branch | None = None,
    region: str = "",
    batch_size: int = BATCH,
    mail_connection: Any = None,
) -> int:
    """Invite the next batch of the segment; the rows commit only if the mail server took all."""
    base = public_base()
    with transaction.atomic():
        pending = invitation_targets(event, branch=branch, region=region).values_list(
            "pk", flat=True
        )
        if db_connection.vendor == "postgresql":
            pending = pending.select_for_update(skip_locked=True, of=("self",))
        ids = list(pending.order_by()[:batch_size])
        if not ids:
            return 0
        batch = list(RollEntry.objects.filter(pk__in=ids).select_related("person").order_by("pk"))
        now = clock.now()
        Invitation.objects.bulk_create(
            [Invitation(event=event, person_id=entry.person_id, sent_at=now) for entry in batch],
            ignore_conflicts=True,
        )
        messages = [_message(event, entry, base) for entry in batch]
        mail = mail_connection or get_connection(fail_silently=False)
        sent = mail.send_messages(messages)
        if sent != len(messages):
            raise ServiceError(
                f"The mail server accepted {sent} of {len(messages)} invitations; the batch was "
                "not recorded and will be sent again."
            )
    return len(batch)


def invitations_send(
    *,
    event: Event,
    actor: Any = None,
    actor_label: str = "",
    branch: Branch | None = None,
    region: str = "",
    limit: int | None = None,
    rate: float | None = None,
) -> int:
    """Invite the segment's consenting voters to ``event`` (each once), paced; return how many.

    Safe to run again: people invited already are skipped. Audited with the count only.
    """
    _check(event, actor)
    total = paced_send(
        lambda mail, size: invitations_send_batch(
            event=event, branch=branch, region=region, batch_size=size, mail_connection=mail
        ),
        batch_size=BATCH,
        rate=rate,
        limit=limit,
    )
    if total:
        segment = branch.code if branch is not None else region or "everyone"
        audit_record(
            action="campaign.event_invite",
            summary=f"{event.campaign.name}: invited {total} voters to {event.title} ({segment})",
            actor=actor,
            actor_label=actor_label,
            contest=event.campaign.contest,
            target=event,
            data={"invited": total, "segment": segment},
        )
    return total
