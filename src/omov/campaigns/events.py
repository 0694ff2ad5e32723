"""Every write of a campaign's events: events, RSVPs, the waiting list, check-in, reminders.

Decision 0015 is the design. RSVPs are public (no sign-in), so taking one is throttled per
client address and validated; the page answers the same whether or not the address had replied
before (the email says which), so the form does not tell a stranger who is coming. Each event's
row is locked while its places are counted, so two RSVPs never take the last place twice, and a
cancellation hands its place to the first on the waiting list in the same transaction. Emails
go out after the commit: a mail server that is down delays a confirmation, never a place.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.mime.image import MIMEImage
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import Q
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from omov.campaigns import policies, rsvp_codes
from omov.campaigns.models import Campaign, Event, EventKind, Rsvp, RsvpStatus
from omov.core import clock
from omov.core.errors import PermissionRefused, ServiceError
from omov.core.mail import paced_send
from omov.core.services import audit_record, throttle_hit, throttle_key

logger = logging.getLogger(__name__)

RSVP_LIMIT = 10
RSVP_WINDOW = dt.timedelta(hours=1)
REMIND_WITHIN = dt.timedelta(hours=24)
REMIND_BATCH = 100


def _ensure(actor: Any, campaign: Campaign) -> None:
    if actor is None:
        return
    decision = policies.can_run_events(actor, campaign)
    if not decision:
        raise PermissionRefused(decision.reason)


def public_base() -> str:
    """Return the public address links in emails start with, or refuse naming the setting."""
    base = str(getattr(settings, "OMOV_PUBLIC_URL", "") or "").rstrip("/")
    if not base:
        raise ServiceError(
            "OMOV_PUBLIC_URL is not set: set it to the address people open, such as "
            "https://vote.example.org, so event emails carry working links."
        )
    return base


# -- Events --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventDetails:
    """What an organiser gives for an event."""

    kind: str
    title: str
    venue: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    description: str = ""
    address: str = ""
    is_public: bool = True


def _details_check(details: EventDetails) -> list[str]:
    problems = []
    if details.kind not in EventKind.values:
        problems.append(f"kind: choose one of {', '.join(EventKind.values)}")
    if not details.title.strip():
        problems.append("title: give the event a title")
    if not details.venue.strip():
        problems.append("venue: say where it happens")
    if details.starts_at >= details.ends_at:
        problems.append("ends at: the event must end after it starts")
    if details.capacity < 1:
        problems.append("capacity: give the number of places, at least 1")
    return problems


def _main_check(campaign: Campaign, main_event: Event | None) -> None:
    if main_event is None:
        return
    if main_event.campaign_id != campaign.pk:
        raise ServiceError("A satellite event must belong to the same campaign as its main event.")
    if main_event.main_event_id is not None:
        raise ServiceError(
            f"{main_event.title} is itself a satellite: link the new event to its main event."
        )


def event_create(
    *,
    campaign: Campaign,
    details: EventDetails,
    main_event: Event | None = None,
    actor: Any = None,
    actor_label: str = "",
) -> Event:
    """Create an event (a satellite when ``main_event`` is given); audit it."""
    _ensure(actor, campaign)
    problems = _details_check(details)
    if problems:
        raise ServiceError("Please correct the event — " + "; ".join(problems) + ".")
    _main_check(campaign, main_event)
    now = clock.now()
    with transaction.atomic():
        event = Event.objects.create(
            campaign=campaign,
            main_event=main_event,
            kind=details.kind,
            title=" ".join(details.title.split()),
            description=details.description.strip(),
            venue=" ".join(details.venue.split()),
            address=" ".join(details.address.split()),
            starts_at=details.starts_at,
            ends_at=details.ends_at,
            capacity=details.capacity,
            is_public=details.is_public,
            uid=uuid.uuid4(),
            created_at=now,
            updated_at=now,
        )
        audit_record(
            action="campaign.event_create",
            summary=f"{campaign.name}: created the event {event.title}",
            actor=actor,
            actor_label=actor_label,
            contest=campaign.contest,
            target=event,
            data={"kind": event.kind, "capacity": event.capacity, "main": main_event is not None},
        )
    return event


def event_update(
    *, event: Event, details: EventDetails, actor: Any = None, actor_label: str = ""
) -> tuple[Event, list[Rsvp]]:
    """Change an event; a larger capacity gives places to the waiting list, in order.

    Refuses a capacity below the places already given (cancel RSVPs first). Returns the event
    and the RSVPs promoted from the waiting list (the caller emails them with
    ``rsvp_emails_send``). Bumps the calendar ``sequence``.
    """
    _ensure(actor, event.campaign)
    problems = _details_check(details)
    if problems:
        raise ServiceError("Please correct the event — " + "; ".join(problems) + ".")
    with transaction.atomic():
        locked = (
            Event.objects.select_for_update().select_related("campaign__contest").get(pk=event.pk)
        )
        confirmed = locked.rsvps.filter(status=RsvpStatus.CONFIRMED).count()
        if details.capacity < confirmed:
            raise ServiceError(
                f"{confirmed} people already have a place at {locked.title}: the capacity cannot "
                f"be less than {confirmed}."
            )
        before = {"capacity": locked.capacity, "starts_at": str(locked.starts_at)}
        locked.kind = details.kind
        locked.title = " ".join(details.title.split())
        locked.description = details.description.strip()
        locked.venue = " ".join(details.venue.split())
        locked.address = " ".join(details.address.split())
        locked.starts_at = details.starts_at
        locked.ends_at = details.ends_at
        locked.capacity = details.capacity
        locked.is_public = details.is_public
        locked.sequence += 1
        locked.updated_at = clock.now()
        locked.save()
        promoted = _promote(locked)
        audit_record(
            action="campaign.event_update",
            summary=f"{locked.campaign.name}: changed the event {locked.title}",
            actor=actor,
            actor_label=actor_label,
            contest=locked.campaign.contest,
            target=locked,
            data={
                "before": before,
                "after": {"capacity": locked.capacity, "starts_at": str(locked.starts_at)},
                "promoted": len(promoted),
            },
        )
    return locked, promoted


def _promote(event: Event) -> list[Rsvp]:
    """Give free places to the waiting list, first come first served (event row locked)."""
    free = event.capacity - event.rsvps.filter(status=RsvpStatus.CONFIRMED).count()
    if free <= 0:
        return []
    now = clock.now()
    waiting = list(
        event.rsvps.filter(status=RsvpStatus.WAITING)
        .select_for_update()
        .order_by("waiting_since", "id")[:free]
    )
    for rsvp in waiting:
        rsvp.status = RsvpStatus.CONFIRMED
        rsvp.confirmed_at = now
        rsvp.save(update_fields=["status", "confirmed_at"])
    return waiting


# -- RSVPs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RsvpTaken:
    """An RSVP taken (or found again: ``is_new`` false) and whether its email went out."""

    rsvp: Rsvp
    is_new: bool
    is_emailed: bool


def _rsvp_open(event: Event) -> None:
    if not event.is_public:
        raise ServiceError("This event takes no RSVPs online; ask the campaign.")
    if clock.now() >= event.starts_at:
        raise ServiceError(f"{event.title} has started: RSVPs are closed.")


def rsvp_create(
    *, event: Event, name: str, email: str, client_ip: str, mail_connection: Any = None
) -> RsvpTaken:
    """Take an RSVP: a place while there is one, else the waiting list; email a confirmation.

    An address that has replied already gets its confirmation again and nothing changes, so
    the public page says the same thing either way.
    """
    # A keyed hash of the address, so the throttle table names nobody's address.
    key = throttle_key("event-rsvp", client_ip)
    if not throttle_hit(key=key, limit=RSVP_LIMIT, window=RSVP_WINDOW):
        raise ServiceError(
            "Too many replies have come from your connection in the last hour. Please try again "
            "later."
        )
    _rsvp_open(event)
    name = " ".join(name.split())
    email = email.strip().lower()
    problems = []
    if not name:
        problems.append("name: give your name")
    elif len(name) > 200:
        problems.append("name: give at most 200 characters")
    try:
        validate_email(email)
    except ValidationError:
        problems.append("email: give an email address such as name@example.org")
    if problems:
        raise ServiceError("Please correct your details — " + "; ".join(problems) + ".")
    base = public_base()
    is_new = False
    with transaction.atomic():
        locked = (
            Event.objects.select_for_update().select_related("campaign__contest").get(pk=event.pk)
        )
        rsvp = locked.rsvps.exclude(status=RsvpStatus.CANCELLED).filter(email=email).first()
        if rsvp is None:
            rsvp = _rsvp_insert(locked, name, email)
            is_new = True
    is_emailed = rsvp_emails_send(
        [rsvp], kind="confirmation", base=base, mail_connection=mail_connection
    )
    return RsvpTaken(rsvp=rsvp, is_new=is_new, is_emailed=is_emailed)


def _rsvp_insert(event: Event, name: str, email: str) -> Rsvp:
    """Insert an RSVP under the event's lock: a place if one is free, else the waiting list."""
    now = clock.now()
    confirmed = event.rsvps.filter(status=RsvpStatus.CONFIRMED).count()
    has_place = confirmed < event.capacity
    # Codes are unique over every RSVP (40 bits: two of n codes collide with a chance of about
    # n² / 2⁴¹, 0.5 % at 100,000 RSVPs); on a collision draw a new nonce, under the same lock.
    for _attempt in range(5):
        nonce = rsvp_codes.nonce_new()
        try:
            with transaction.atomic():
                rsvp = Rsvp.objects.create(
                    event=event,
                    name=name,
                    email=email,
                    status=RsvpStatus.CONFIRMED if has_place else RsvpStatus.WAITING,
                    nonce=nonce,
                    code_hash=rsvp_codes.code_hash_of(nonce),
                    cancel_hash=rsvp_codes.cancel_hash_of(nonce),
                    created_at=now,
                    confirmed_at=now if has_place else None,
                    waiting_since=None if has_place else now,
                )
            break
        except IntegrityError:
            continue
    else:
        raise ServiceError("Something went wrong taking your reply; please send it again.")
    # No name or email in the audit: RSVPs belong to the campaign, the audit page to the office.
    audit_record(
        action="campaign.rsvp",
        summary=f"{event.campaign.name}: an RSVP to {event.title} ({rsvp.get_status_display()})",
        actor_label="public RSVP",
        contest=event.campaign.contest,
        target=rsvp,
    )
    return rsvp


def rsvp_by_cancel_token(token: str) -> Rsvp | None:
    """Return the RSVP a cancel link names, or None."""
    token = "".join(token.split()).upper()
    if not token.isalnum() or len(token) > 64:
        return None
    return (
        Rsvp.objects.select_related("event__campaign")
        .filter(cancel_hash=rsvp_codes.lookup_hash("cancel", token))
        .first()
    )


def rsvp_cancel(*, rsvp: Rsvp, mail_connection: Any = None) -> tuple[Rsvp, list[Rsvp]]:
    """Cancel an RSVP (from its emailed link); its place goes to the waiting list's first.

    Cancelling twice changes nothing. Returns the RSVP and whoever was given its place (they are
    emailed after the commit).
    """
    with transaction.atomic():
        event = (
            Event.objects.select_for_update()
            .select_related("campaign__contest")
            .get(pk=rsvp.event_id)
        )
        locked = Rsvp.objects.select_for_update().get(pk=rsvp.pk)
        if locked.status == RsvpStatus.CANCELLED:
            return locked, []
        if locked.checked_in_at is not None:
            raise ServiceError(
                "You were checked in at the door already; there is nothing to cancel."
            )
        locked.status = RsvpStatus.CANCELLED
        locked.cancelled_at = clock.now()
        locked.save(update_fields=["status", "cancelled_at"])
        promoted = _promote(event)
        audit_record(
            action="campaign.rsvp_cancel",
            summary=f"{event.campaign.name}: an RSVP to {event.title} was cancelled"
            + (f"; {len(promoted)} given a place from the waiting list" if promoted else ""),
            actor_label="public RSVP",
            contest=event.campaign.contest,
            target=locked,
        )
    if promoted:
        rsvp_emails_send(promoted, kind="promoted", mail_connection=mail_connection)
    return locked, promoted


# -- Check-in at the door ------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    """The result of a check-in: the RSVP and whether it was checked in before this."""

    rsvp: Rsvp
    was_already: bool


def rsvp_find_by_code(event: Event, code: str) -> Rsvp | None:
    """Return the RSVP of ``event`` whose code was typed or scanned, or None."""
    normalised = rsvp_codes.code_normalise(code)
    if len(normalised) != rsvp_codes.CODE_LENGTH:
        return None
    return event.rsvps.filter(code_hash=rsvp_codes.lookup_hash("code", normalised)).first()


def rsvp_check_in(*, event: Event, rsvp: Rsvp, actor: Any = None, actor_label: str = "") -> CheckIn:
    """Check someone in at the door; doing it again (a second door, a second tap) is harmless.

    One conditional UPDATE stamps the arrival only if nobody has, so two door staff checking the
    same person at once record one arrival; the second is told who did it first.
    """
    _ensure(actor, event.campaign)
    if rsvp.event_id != event.pk:
        raise ServiceError("That RSVP is for another event.")
    if rsvp.status != RsvpStatus.CONFIRMED:
        raise ServiceError(
            f"{rsvp.name} is {rsvp.get_status_display().lower()}, not confirmed: they have no "
            "place at this event."
        )
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        stamped = Rsvp.objects.filter(
            pk=rsvp.pk, status=RsvpStatus.CONFIRMED, checked_in_at__isnull=True
        ).update(checked_in_at=clock.now(), checked_in_by=user)
        fresh = Rsvp.objects.select_related("checked_in_by").get(pk=rsvp.pk)
        if stamped:
            audit_record(
                action="campaign.check_in",
                summary=f"{event.campaign.name}: checked someone in at {event.title}",
                actor=actor,
                actor_label=actor_label,
                contest=event.campaign.contest,
                target=fresh,
            )
    if not stamped and fresh.checked_in_at is None:
        raise ServiceError(f"{fresh.name}'s RSVP was cancelled a moment ago; they have no place.")
    return CheckIn(rsvp=fresh, was_already=not stamped)


# -- Emails --------------------------------------------------------------------------------------

SUBJECTS = {
    "confirmation": "Your RSVP: {title}",
    "promoted": "A place has opened for you: {title}",
    "reminder": "Reminder: {title}, {when}",
}


def _message(rsvp: Rsvp, kind: str, base: str) -> EmailMultiAlternatives:
    """Render one RSVP email; a confirmed RSVP's carries its code as text and as a QR image."""
    event = rsvp.event
    code = rsvp_codes.code_of(rsvp.nonce)
    starts = timezone.localtime(event.starts_at)
    check_in = base + reverse("campaigns:event_check_in", args=[event.campaign_id, event.pk])
    context = {
        "rsvp": rsvp,
        "event": event,
        "campaign": event.campaign,
        "starts_at": starts,
        "ends_at": timezone.localtime(event.ends_at),
        "code": code,
        "has_place": rsvp.status == RsvpStatus.CONFIRMED,
        "waiting_position": _waiting_position(rsvp),
        "event_url": base + reverse("campaigns:rsvp", args=[event.campaign_id, event.pk]),
        "cancel_url": base
        + reverse("campaigns:rsvp_cancel", args=[rsvp_codes.cancel_token_of(rsvp.nonce)]),
        "kind": kind,
    }
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind].format(title=event.title, when=f"{starts:%-d %B, %H:%M}"),
        body=get_template("campaigns/email/rsvp.txt").render(context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[rsvp.email],
    )
    message.attach_alternative(
        get_template("campaigns/email/rsvp.html").render(context), "text/html"
    )
    if context["has_place"]:
        # The QR carries the check-in page with the code in the fragment: a door phone's camera
        # opens it and the page fills the code in; the fragment reaches no server log.
        image = MIMEImage(rsvp_codes.code_qr_png(f"{check_in}#code={code}"), "png")
        image.add_header("Content-ID", "<rsvp-code>")
        image.add_header("Content-Disposition", "inline", filename="rsvp-code.png")
        message.attach(image)
        message.mixed_subtype = "related"  # type: ignore[attr-defined]  # missing in stubs
    return message


def _waiting_position(rsvp: Rsvp) -> int | None:
    if rsvp.status != RsvpStatus.WAITING or rsvp.waiting_since is None:
        return None
    ahead = (
        Rsvp.objects.filter(event_id=rsvp.event_id, status=RsvpStatus.WAITING)
        .filter(
            Q(waiting_since__lt=rsvp.waiting_since)
            | Q(waiting_since=rsvp.waiting_since, pk__lt=rsvp.pk)
        )
        .count()
    )
    return ahead + 1


def rsvp_emails_send(
    rsvps: list[Rsvp], *, kind: str, base: str | None = None, mail_connection: Any = None
) -> bool:
    """Email each RSVP one message of ``kind``; return False (and log) if the server refused.

    Used after a commit: a failure leaves the RSVP as it is; the person can ask again (the
    public form re-sends the confirmation) and the reminder carries the code too.
    """
    try:
        base = base or public_base()
        messages = [_message(rsvp, kind, base) for rsvp in rsvps]
        mail = mail_connection or get_connection(fail_silently=False)
        return bool(mail.send_messages(messages) == len(messages))
    except Exception:  # a mail server's failure must not undo a taken place
        logger.exception("Could not send %s email(s) of %d RSVP(s)", kind, len(rsvps))
        return False


def _remind_due(*, campaign: Campaign | None, now: dt.datetime, within: dt.timedelta) -> Any:
    due = Rsvp.objects.filter(
        status=RsvpStatus.CONFIRMED,
        reminded_at__isnull=True,
        event__starts_at__gt=now,
        event__starts_at__lte=now + within,
    )
    if campaign is not None:
        due = due.filter(event__campaign=campaign)
    return due


def reminders_send_batch(
    *,
    campaign: Campaign | None = None,
    within: dt.timedelta = REMIND_WITHIN,
    batch_size: int = REMIND_BATCH,
    mail_connection: Any = None,
) -> int:
    """Email the next batch of due reminders and stamp them; return how many.

    The stamps commit only after the mail server accepted the whole batch, so an interrupted
    run resumes where it stopped and nobody gets two reminders for one RSVP (as the credential
    batches do). On PostgreSQL batches are claimed with SKIP LOCKED, so senders can run side by
    side.
    """
    base = public_base()
    now = clock.now()
    with transaction.atomic():
        claim = _remind_due(campaign=campaign, now=now, within=within).values_list("pk", flat=True)
        if db_connection.vendor == "postgresql":
            # Lock the RSVP rows only: locking the joined event would hold up its replies.
            claim = claim.select_for_update(skip_locked=True, of=("self",))
        ids = list(claim.order_by()[:batch_size])
        if not ids:
            return 0
        batch = list(
            Rsvp.objects.filter(pk__in=ids).select_related("event__campaign").order_by("pk")
        )
        messages = [_message(rsvp, "reminder", base) for rsvp in batch]
        Rsvp.objects.filter(pk__in=ids).update(reminded_at=now)
        mail = mail_connection or get_connection(fail_silently=False)
        sent = mail.send_messages(messages)
        if sent != len(messages):
            raise ServiceError(
                f"The mail server accepted {sent} of {len(messages)} reminders; the batch was "
                "not recorded and will be sent again."
            )
    return len(batch)


def reminders_send(
    *,
    campaign: Campaign | None = None,
    within: dt.timedelta = REMIND_WITHIN,
    rate: float | None = None,
    batch_size: int = REMIND_BATCH,
    actor_label: str = "",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Remind everyone with a place at an event starting within ``within``, once each.

    Paced at ``OMOV_EMAIL_RATE`` messages a second, the limit every bulk email of omov keeps.
    Safe to run again (from cron, hourly): only RSVPs not reminded yet are sent. Returns how many.
    """
    total = paced_send(
        lambda mail, size: reminders_send_batch(
            campaign=campaign, within=within, batch_size=size, mail_connection=mail
        ),
        batch_size=batch_size,
        rate=rate,
        progress=progress,
    )
    if total:
        audit_record(
            action="campaign.event_reminders",
            summary=f"Emailed {total} event reminders"
            + (f" for {campaign.name}" if campaign is not None else ""),
            actor_label=actor_label,
            contest=campaign.contest if campaign is not None else None,
            data={"sent": total},
        )
    return total
