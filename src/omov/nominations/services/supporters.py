"""Registered-supporter applications: sign-up, automatic vetting, and the office's review.

Sign-up is public, so it is open only within the contest's supporter window and throttled per
client address. Each application is vetted on arrival: the same email, phone, or name and
postcode as another application for the contest or an existing person raises a flag, and so
does a fee not yet received. The returning officer approves (creating the ``electorate.Person``
who will be on the roll) or rejects each one; every decision is audited.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Replace

from omov.contests.models import Contest, ContestStatus
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.services import audit_record, throttle_hit, throttle_key
from omov.electorate.models import Category, Person, PersonStatus
from omov.nominations import policies
from omov.nominations.models import (
    ApplicationStatus,
    FlagKind,
    SupporterApplication,
    SupporterFlag,
)
from omov.nominations.selectors import (
    clean_pending_applications,
    supporter_window_message,
    supporter_window_state,
)
from omov.nominations.services.nominations import ensure

SIGNUP_LIMIT = 10
SIGNUP_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class SupporterDetails:
    """What an applicant gives on the sign-up form."""

    first_name: str
    last_name: str
    email: str
    phone: str
    postcode: str
    supports_aims: bool
    supports_no_other_party: bool
    date_of_birth: dt.date | None = None
    is_adult_declared: bool = False
    consent_email: bool = False
    consent_phone: bool = False
    payment_reference: str = ""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_phone(phone: str) -> str:
    """Return the phone number's digits in national form: '+44 7700 900123' → '07700900123'."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+44") or (digits.startswith("44") and len(digits) == 12):
        digits = "0" + digits[2:]
    return digits


def normalise_postcode(postcode: str) -> str:
    """Return a UK postcode upper-cased with one space before the inward code: 'N1 1AA'."""
    compact = re.sub(r"\s", "", postcode).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def normalise_name(name: str) -> str:
    return " ".join(name.split())


def supporter_application_submit(
    *, contest: Contest, details: SupporterDetails, client_ip: str
) -> SupporterApplication:
    """Take a sign-up: check the window and the throttle, validate, vet, and queue it."""
    if not throttle_hit(
        key=throttle_key("supporter-signup", client_ip),
        limit=SIGNUP_LIMIT,
        window=SIGNUP_WINDOW,
    ):
        raise ServiceError(
            "Too many applications have come from your connection in the last hour. Please try "
            "again later."
        )
    if supporter_window_state(contest) != "open":
        raise ServiceError(supporter_window_message(contest) + " Your application was not taken.")
    first_name, last_name = normalise_name(details.first_name), normalise_name(details.last_name)
    email = normalise_email(details.email)
    phone = normalise_phone(details.phone)
    postcode = normalise_postcode(details.postcode)
    problems = []
    if not first_name or not last_name:
        problems.append("give your first and last names")
    if not email or "@" not in email:
        problems.append("give an email address")
    if len(phone) < 10:
        problems.append("give a phone number with its area code")
    if len(postcode.replace(" ", "")) < 5:
        problems.append("give your full postcode")
    if details.date_of_birth is not None:
        if _age_on(details.date_of_birth, clock.now().date()) < 18:
            problems.append("you must be 18 or over to register as a supporter")
    elif not details.is_adult_declared:
        problems.append("give your date of birth or declare that you are 18 or over")
    if not details.supports_aims or not details.supports_no_other_party:
        problems.append(
            "registered supporters must declare that they support the party's aims and values "
            "and do not support any other party"
        )
    if problems:
        raise ServiceError("Your application was not taken: " + "; ".join(problems) + ".")
    with transaction.atomic():
        application = SupporterApplication.objects.create(
            contest=contest,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            postcode=postcode,
            date_of_birth=details.date_of_birth,
            is_adult_declared=details.is_adult_declared,
            supports_aims=True,
            supports_no_other_party=True,
            consent_email=details.consent_email,
            consent_phone=details.consent_phone,
            fee_pence=contest.supporter_fee_pence,
            payment_reference=details.payment_reference.strip()[:100],
            is_paid=contest.supporter_fee_pence == 0,
            submitted_at=clock.now(),
        )
        flags = _vet(application)
        audit_record(
            action="supporters.apply",
            summary=(
                f"Registered-supporter application {application.pk} received"
                + (f" with flags: {', '.join(sorted({f.kind for f in flags}))}" if flags else "")
            ),
            actor_label="public sign-up",
            contest=contest,
            target=application,
        )
    return application


def _age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _vet(application: SupporterApplication) -> list[SupporterFlag]:
    """Flag duplicates (against the contest's other applications and existing people) and unpaid."""
    flags: list[SupporterFlag] = []
    others = SupporterApplication.objects.filter(contest=application.contest).exclude(
        pk=application.pk
    )
    checks = [
        (FlagKind.DUPLICATE_EMAIL, Q(email=application.email), "email"),
        (FlagKind.DUPLICATE_PHONE, Q(phone=application.phone), "phone"),
        (
            FlagKind.DUPLICATE_NAME_POSTCODE,
            Q(
                first_name__iexact=application.first_name,
                last_name__iexact=application.last_name,
                postcode=application.postcode,
            ),
            "name and postcode",
        ),
    ]
    for kind, match, words in checks:
        for other in others.filter(match).order_by("pk")[:5]:
            flags.append(
                SupporterFlag(
                    application=application,
                    kind=kind,
                    detail=f"same {words} as application {other.pk}",
                    other_application=other,
                )
            )
            if other.status == ApplicationStatus.PENDING:
                flags.append(
                    SupporterFlag(
                        application=other,
                        kind=kind,
                        detail=f"same {words} as application {application.pk}",
                        other_application=application,
                    )
                )
        for person in _matching_people(application, kind)[:5]:
            flags.append(
                SupporterFlag(
                    application=application,
                    kind=kind,
                    detail=(
                        f"same {words} as {person.get_category_display().lower()} "
                        f"{person.external_id}"
                    ),
                    other_person=person,
                )
            )
    if not application.is_paid:
        flags.append(
            SupporterFlag(
                application=application,
                kind=FlagKind.UNPAID,
                detail=f"£{application.fee_pence / 100:.2f} not yet received",
            )
        )
    SupporterFlag.objects.bulk_create(flags)
    return [flag for flag in flags if flag.application_id == application.pk]


def _matching_people(application: SupporterApplication, kind: str) -> list[Person]:
    """Return existing people who share the application's email, phone, or name and postcode."""
    people = Person.objects.exclude(external_id=application.external_id)
    if kind == FlagKind.DUPLICATE_EMAIL:
        return list(people.filter(email__iexact=application.email))
    if kind == FlagKind.DUPLICATE_PHONE:
        # People's phone numbers come from imports in many formats ('07700 900 123',
        # '+44 7700-900123'): strip the separators in the database, narrow by the last nine
        # digits, then compare the normalised numbers. This scans the people table; it runs once
        # per application, which is far below the rate of a form.
        digits: Any = F("phone")
        for separator in (" ", "-", "(", ")", ".", "+"):
            digits = Replace(digits, Value(separator), Value(""))
        found = people.exclude(phone="").annotate(phone_digits=digits)
        found = found.filter(phone_digits__endswith=application.phone[-9:])
        return [p for p in found if normalise_phone(p.phone) == application.phone]
    compact = application.postcode.replace(" ", "")
    return list(
        people.filter(
            Q(postcode__iexact=application.postcode) | Q(postcode__iexact=compact),
            first_name__iexact=application.first_name,
            last_name__iexact=application.last_name,
        )
    )


def _pending(application: SupporterApplication) -> SupporterApplication:
    locked = SupporterApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.PENDING:
        raise ServiceError(
            f"Application {locked.pk} was already {locked.get_status_display().lower()}."
        )
    return locked


def supporter_payment_confirm(
    *, application: SupporterApplication, reference: str = "", actor: Any = None
) -> SupporterApplication:
    """Mark the fee received (the office checked it); clears the application's unpaid flag."""
    ensure(actor, policies.can_review_supporters(actor, application.contest))
    with transaction.atomic():
        locked = _pending(application)
        if locked.is_paid:
            raise ServiceError(f"The fee of application {locked.pk} is already marked received.")
        locked.is_paid = True
        locked.paid_confirmed_at = clock.now()
        if reference.strip():
            locked.payment_reference = reference.strip()[:100]
        locked.save(update_fields=["is_paid", "paid_confirmed_at", "payment_reference"])
        locked.flags.filter(kind=FlagKind.UNPAID).delete()
        audit_record(
            action="supporters.payment_confirm",
            summary=f"Fee received for application {locked.pk} ({locked.payment_reference})",
            actor=actor,
            contest=locked.contest,
            target=locked,
        )
    return locked


def supporter_application_approve(
    *, application: SupporterApplication, actor: Any = None, note: str = ""
) -> SupporterApplication:
    """Approve an application: create or update the registered supporter on the electorate."""
    contest = application.contest
    ensure(actor, policies.can_review_supporters(actor, contest))
    if contest.has_reached(ContestStatus.ROLL_FROZEN):
        raise ServiceError(
            "The roll is frozen, so an approved supporter would not be on it; the application "
            "can only be rejected now."
        )
    with transaction.atomic():
        locked = _pending(application)
        if not locked.is_paid:
            raise ServiceError(
                f"The fee for application {locked.pk} has not been received: confirm the "
                "payment first, or reject the application."
            )
        person, created = Person.objects.update_or_create(
            external_id=locked.external_id,
            defaults={
                "category": Category.REGISTERED_SUPPORTER,
                "first_name": locked.first_name,
                "last_name": locked.last_name,
                "email": locked.email,
                "phone": locked.phone,
                "postcode": locked.postcode,
                "status": PersonStatus.ACTIVE,
                "date_of_birth": locked.date_of_birth,
                "is_adult_declared": locked.is_adult_declared or None,
                "consent_email": locked.consent_email,
                "consent_phone": locked.consent_phone,
                "registered_for": contest,
            },
        )
        locked.status = ApplicationStatus.APPROVED
        locked.reviewed_at = clock.now()
        locked.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.person = person
        locked.save(update_fields=["status", "reviewed_at", "reviewed_by", "person"])
        flags = sorted(set(locked.flags.values_list("kind", flat=True)))
        audit_record(
            action="supporters.approve",
            summary=(
                f"Approved application {locked.pk}: registered supporter {person.external_id} "
                f"{'created' if created else 'updated'}"
            ),
            actor=actor,
            contest=contest,
            target=locked,
            reason=note,
            data={"person": person.external_id, "flags": flags},
        )
    return locked


def supporter_application_reject(
    *, application: SupporterApplication, reason: str, actor: Any = None
) -> SupporterApplication:
    """Reject an application with the reason (kept in the audit trail and on the application)."""
    ensure(actor, policies.can_review_supporters(actor, application.contest))
    reason = reason.strip()
    if not reason:
        raise ServiceError("Give the reason the application is rejected.")
    with transaction.atomic():
        locked = _pending(application)
        locked.status = ApplicationStatus.REJECTED
        locked.rejection_reason = reason
        locked.reviewed_at = clock.now()
        locked.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.save(update_fields=["status", "rejection_reason", "reviewed_at", "reviewed_by"])
        # A rejected application no longer makes others duplicates: clear the flags it raised.
        cleared, _ = SupporterFlag.objects.filter(
            other_application=locked, application__status=ApplicationStatus.PENDING
        ).delete()
        audit_record(
            action="supporters.reject",
            summary=f"Rejected application {locked.pk}"
            + (f"; cleared {cleared} duplicate flag(s) it raised on others" if cleared else ""),
            actor=actor,
            contest=locked.contest,
            target=locked,
            reason=reason,
        )
    return locked


def supporter_applications_bulk_approve(*, contest: Contest, actor: Any = None) -> int:
    """Approve every pending application with no flag (paid, no duplicate); return how many."""
    ensure(actor, policies.can_review_supporters(actor, contest))
    approved = 0
    with transaction.atomic():
        for application in clean_pending_applications(contest).select_related("contest"):
            supporter_application_approve(application=application, actor=actor, note="bulk")
            approved += 1
        audit_record(
            action="supporters.bulk_approve",
            summary=f"Bulk-approved {approved} clean, paid application(s)",
            actor=actor,
            contest=contest,
        )
    return approved
