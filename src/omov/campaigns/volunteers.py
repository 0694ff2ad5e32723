"""Volunteers: the public sign-up page's writes and an organiser's decision on each.

Sign-up is public, so it is throttled per client address (in the database, shared by every app
server) and validated field by field. Approving makes the volunteer a caller of that campaign
only: a user account (password shown once to the organiser) and the campaign caller role.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from omov.campaigns import policies
from omov.campaigns.models import Campaign, Volunteer, VolunteerStatus
from omov.campaigns.phones import phone_normalise
from omov.contests.models import ContestStatus
from omov.core import clock
from omov.core.errors import PermissionRefused, ServiceError
from omov.core.models import Role
from omov.core.services import audit_record, role_grant, throttle_hit, throttle_key, user_create

SIGNUP_LIMIT = 10
SIGNUP_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class VolunteerDetails:
    """What a volunteer gives on the sign-up form."""

    name: str
    email: str
    phone: str
    area: str
    availability: str = ""


def volunteer_details_clean(details: VolunteerDetails) -> tuple[VolunteerDetails, list[str]]:
    """Return the details normalised (phone in E.164) and every problem, one per field."""
    name = " ".join(details.name.split())
    email = details.email.strip().lower()
    phone = phone_normalise(details.phone)
    area = " ".join(details.area.split())
    problems = []
    if not name:
        problems.append("name: give your name")
    elif len(name) > 200:
        problems.append("name: give at most 200 characters")
    try:
        validate_email(email)
    except ValidationError:
        problems.append("email: give an email address such as name@example.org")
    if phone is None:
        problems.append("phone: give a phone number with its area code, such as 0115 496 0123")
    if not area:
        problems.append("area: say where you can help (a town, a branch or a postcode)")
    elif len(area) > 200:
        problems.append("area: give at most 200 characters")
    cleaned = VolunteerDetails(
        name=name,
        email=email,
        phone=phone or "",
        area=area,
        availability=" ".join(details.availability.split())[:500],
    )
    return cleaned, problems


def volunteer_sign_up(
    *, campaign: Campaign, details: VolunteerDetails, client_ip: str
) -> Volunteer:
    """Take a sign-up: throttle, validate every field (naming each problem), queue it, audit."""
    if not throttle_hit(
        key=throttle_key("volunteer-signup", client_ip),
        limit=SIGNUP_LIMIT,
        window=SIGNUP_WINDOW,
    ):
        raise ServiceError(
            "Too many sign-ups have come from your connection in the last hour. Please try again "
            "later."
        )
    if campaign.contest.has_reached(ContestStatus.CLOSED):
        raise ServiceError("The ballot has closed: this campaign is no longer taking volunteers.")
    cleaned, problems = volunteer_details_clean(details)
    if problems:
        raise ServiceError("Please correct your details — " + "; ".join(problems) + ".")
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                campaign=campaign,
                name=cleaned.name,
                email=cleaned.email,
                phone=cleaned.phone,
                area=cleaned.area,
                availability=cleaned.availability,
                signed_up_at=clock.now(),
            )
            audit_record(
                action="campaign.volunteer_sign_up",
                summary=f"{campaign.name}: a volunteer signed up",
                actor_label="public sign-up",
                contest=campaign.contest,
                target=volunteer,
            )
    except IntegrityError:
        raise ServiceError(
            "You have signed up to help this campaign already; an organiser will be in touch."
        ) from None
    return volunteer


def _decide(volunteer: Volunteer, actor: Any) -> Volunteer:
    decision = policies.can_review_volunteers(actor, volunteer.campaign)
    if not decision:
        raise PermissionRefused(decision.reason)
    locked = Volunteer.objects.select_for_update().select_related("campaign").get(pk=volunteer.pk)
    if locked.status != VolunteerStatus.PENDING:
        raise ServiceError(f"{locked.name} was {locked.get_status_display().lower()} already.")
    return locked


def volunteer_approve(*, volunteer: Volunteer, actor: Any) -> tuple[Volunteer, str]:
    """Make the volunteer a caller of this campaign; return them and their one-time password.

    The campaign's policy is checked here; the role is then granted as a trusted caller
    (``actor=None``, labelled with the organiser), since an organiser may hand out only this
    one role of their own campaign, never the office's roles.
    """
    with transaction.atomic():
        locked = _decide(volunteer, actor)
        campaign = locked.campaign
        base = locked.email.split("@")[0][:100] or "volunteer"
        username = f"{base}-{locked.pk}"
        if get_user_model().objects.filter(username=username).exists():
            raise ServiceError(f"The user name {username} is taken; ask the returning officer.")
        label = f"{actor.get_username()} (organiser of {campaign.name})"
        user, password = user_create(username=username, actor_label=label)
        user.email = locked.email
        user.save(update_fields=["email"])
        role_grant(
            user=user,
            role=Role.CAMPAIGN_CALLER,
            contest=campaign.contest,
            candidate=campaign.candidate,
            actor_label=label,
            reason="Volunteer approved",
        )
        locked.status = VolunteerStatus.APPROVED
        locked.user = user
        locked.decided_at = clock.now()
        locked.save(update_fields=["status", "user", "decided_at"])
        audit_record(
            action="campaign.volunteer_approve",
            summary=f"{campaign.name}: approved a volunteer as the caller {username}",
            actor=actor,
            contest=campaign.contest,
            target=locked,
        )
    return locked, password


def volunteer_reject(*, volunteer: Volunteer, actor: Any) -> Volunteer:
    """Decline a volunteer's offer; audit it."""
    with transaction.atomic():
        locked = _decide(volunteer, actor)
        locked.status = VolunteerStatus.REJECTED
        locked.decided_at = clock.now()
        locked.save(update_fields=["status", "decided_at"])
        audit_record(
            action="campaign.volunteer_reject",
            summary=f"{locked.campaign.name}: declined a volunteer",
            actor=actor,
            contest=locked.campaign.contest,
            target=locked,
        )
    return locked


# -- Importing a file of volunteers --------------------------------------------------------------

IMPORT_COLUMNS = ("name", "email", "phone", "area")
IMPORT_MAX_ROWS = 50_000


@dataclass(frozen=True)
class ImportReport:
    """What an import found: the problems line by line, and how many rows it stored."""

    valid: int
    problems: list[tuple[int, str]]
    imported: int


def volunteers_import(
    *, campaign: Campaign, text: str, accept_valid: bool = False, actor_label: str = ""
) -> ImportReport:
    """Import a CSV of volunteers (name, email, phone, area, and optionally availability).

    Every row is checked as the sign-up form checks it, plus emails repeated in the file or
    already a volunteer of this campaign. With any bad row nothing is imported unless
    ``accept_valid`` asks to store the valid rows. Imported volunteers wait for an organiser's
    decision like any sign-up. One transaction; one audit event.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in IMPORT_COLUMNS if column not in headers]
    if missing:
        raise ServiceError(
            f"Line 1: the file has no column {', '.join(missing)}. The first line must name the "
            "columns name, email, phone, area (and optionally availability)."
        )
    reader.fieldnames = headers
    existing = set(campaign.volunteers.values_list("email", flat=True))
    seen: dict[str, int] = {}
    valid: list[VolunteerDetails] = []
    problems: list[tuple[int, str]] = []
    for row in reader:
        line = reader.line_num
        if len(valid) + len(problems) >= IMPORT_MAX_ROWS:
            raise ServiceError(f"Line {line}: the file has more than {IMPORT_MAX_ROWS:,} rows.")
        if None in row:
            problems.append((line, "more cells than the first line has columns"))
            continue
        details, found = volunteer_details_clean(
            VolunteerDetails(
                name=row.get("name") or "",
                email=row.get("email") or "",
                phone=row.get("phone") or "",
                area=row.get("area") or "",
                availability=row.get("availability") or "",
            )
        )
        if not found and details.email in seen:
            found.append(f"email: {details.email} is on line {seen[details.email]} already")
        if not found and details.email in existing:
            found.append(f"email: {details.email} is a volunteer of this campaign already")
        if found:
            problems.append((line, "; ".join(found)))
            continue
        seen[details.email] = line
        valid.append(details)
    if problems and not accept_valid:
        return ImportReport(valid=len(valid), problems=problems, imported=0)
    now = clock.now()
    try:
        with transaction.atomic():
            Volunteer.objects.bulk_create(
                [
                    Volunteer(
                        campaign=campaign,
                        name=details.name,
                        email=details.email,
                        phone=details.phone,
                        area=details.area,
                        availability=details.availability,
                        signed_up_at=now,
                    )
                    for details in valid
                ]
            )
            audit_record(
                action="campaign.volunteers_import",
                summary=f"{campaign.name}: imported {len(valid)} volunteers"
                + (f" ({len(problems)} bad rows left out)" if problems else ""),
                actor_label=actor_label,
                contest=campaign.contest,
                target=campaign,
                data={"imported": len(valid), "rejected_lines": [line for line, _ in problems]},
            )
    except IntegrityError:
        raise ServiceError(
            "Someone signed up with an email of this file while it was imported; nothing was "
            "imported. Run the import again."
        ) from None
    return ImportReport(valid=len(valid), problems=problems, imported=len(valid))
