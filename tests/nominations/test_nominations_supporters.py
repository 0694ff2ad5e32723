"""Registered-supporter sign-up: the window, the throttle, vetting, and the office's review."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
import time_machine

from factories import PersonFactory
from omov.contests.models import Contest
from omov.core.errors import PermissionRefused, ServiceError
from omov.core.models import AuditEvent
from omov.electorate.models import Category, Person
from omov.nominations.models import ApplicationStatus, FlagKind, SupporterApplication
from omov.nominations.services import (
    SupporterDetails,
    supporter_application_approve,
    supporter_application_reject,
    supporter_application_submit,
    supporter_applications_bulk_approve,
    supporter_payment_confirm,
)

pytestmark = pytest.mark.django_db

ALICE = SupporterDetails(
    first_name="Alice",
    last_name="Example",
    email="Alice@Example.org",
    phone="+44 7700 900123",
    postcode="n1 1aa",
    supports_aims=True,
    supports_no_other_party=True,
    is_adult_declared=True,
    consent_email=True,
)


def submit(contest: Contest, details: SupporterDetails = ALICE, address: str = "192.0.2.1") -> Any:
    return supporter_application_submit(contest=contest, details=details, client_ip=address)


def kinds(application: SupporterApplication) -> set[str]:
    return set(application.flags.values_list("kind", flat=True))


def test_sign_up_is_queued_normalised_and_flagged_unpaid(open_contest: Any) -> None:
    application = submit(open_contest)
    assert application.status == ApplicationStatus.PENDING
    assert (application.email, application.phone, application.postcode) == (
        "alice@example.org",
        "07700900123",
        "N1 1AA",
    )
    assert application.fee_pence == 2500
    assert kinds(application) == {FlagKind.UNPAID}
    assert AuditEvent.objects.filter(action="supporters.apply", contest=open_contest).exists()


def test_sign_up_is_refused_outside_the_window(open_contest: Any) -> None:
    early = open_contest.supporter_window_opens_at - dt.timedelta(minutes=1)
    with (
        time_machine.travel(early),
        pytest.raises(ServiceError, match="Registration as a supporter opens on"),
    ):
        submit(open_contest)
    with (
        time_machine.travel(open_contest.supporter_window_closes_at),
        pytest.raises(ServiceError, match="Registration as a supporter closed on"),
    ):
        submit(open_contest)
    assert not SupporterApplication.objects.exists()


def test_sign_up_needs_age_and_the_declarations(open_contest: Any) -> None:
    young = dataclasses.replace(
        ALICE, is_adult_declared=False, date_of_birth=dt.date.today() - dt.timedelta(days=365 * 17)
    )
    with pytest.raises(ServiceError, match="18 or over"):
        submit(open_contest, young)
    undeclared = dataclasses.replace(ALICE, supports_no_other_party=False)
    with pytest.raises(ServiceError, match="do not support any other party"):
        submit(open_contest, undeclared)
    assert not SupporterApplication.objects.exists()


def test_sign_up_is_throttled_per_client_address(open_contest: Any) -> None:
    for number in range(10):
        submit(open_contest, dataclasses.replace(ALICE, email=f"a{number}@example.org"))
    with pytest.raises(ServiceError, match="Too many applications"):
        submit(open_contest, dataclasses.replace(ALICE, email="late@example.org"))
    submit(open_contest, dataclasses.replace(ALICE, email="other@example.org"), "192.0.2.2")


@pytest.mark.parametrize(
    ("change", "flag"),
    [
        (
            {"email": "ALICE@example.org ", "phone": "020 7946 0000", "postcode": "E1 6AN"},
            FlagKind.DUPLICATE_EMAIL,
        ),
        (
            {"email": "a2@example.org", "phone": "07700 900123", "postcode": "E1 6AN"},
            FlagKind.DUPLICATE_PHONE,
        ),
        (
            {
                "email": "a2@example.org",
                "phone": "020 7946 0000",
                "postcode": "N11AA",
                "first_name": "alice",
            },
            FlagKind.DUPLICATE_NAME_POSTCODE,
        ),
    ],
)
def test_duplicate_applications_are_flagged_both_ways(
    open_contest: Any, change: dict[str, str], flag: str
) -> None:
    first = submit(open_contest)
    second = submit(open_contest, dataclasses.replace(ALICE, **change))
    assert kinds(second) == {flag, FlagKind.UNPAID}
    assert kinds(first) == {flag, FlagKind.UNPAID}
    assert second.flags.get(kind=flag).other_application == first


def test_a_different_person_is_not_flagged(open_contest: Any) -> None:
    submit(open_contest)
    other = submit(
        open_contest,
        dataclasses.replace(
            ALICE, first_name="Bob", email="bob@example.org", phone="020 7946 0001"
        ),
    )
    assert kinds(other) == {FlagKind.UNPAID}


@pytest.mark.parametrize(
    ("person", "flag"),
    [
        ({"email": "alice@example.org"}, FlagKind.DUPLICATE_EMAIL),
        ({"phone": "07700 900 123"}, FlagKind.DUPLICATE_PHONE),
        (
            {"first_name": "ALICE", "last_name": "example", "postcode": "N11AA"},
            FlagKind.DUPLICATE_NAME_POSTCODE,
        ),
    ],
)
def test_existing_people_are_flagged(open_contest: Any, person: dict[str, str], flag: str) -> None:
    fields = {"email": "someone@example.org", "phone": "", "postcode": "SW1A 1AA", **person}
    member = PersonFactory(**fields)
    application = submit(open_contest)
    assert kinds(application) == {flag, FlagKind.UNPAID}
    found = application.flags.get(kind=flag)
    assert found.other_person == member
    assert member.external_id in found.detail


def test_approval_needs_the_fee_then_creates_the_registered_supporter(
    open_contest: Any, returning_officer: Any
) -> None:
    application = submit(open_contest)
    with pytest.raises(ServiceError, match="has not been received"):
        supporter_application_approve(application=application, actor=returning_officer)
    supporter_payment_confirm(
        application=application, reference="BACS 1234", actor=returning_officer
    )
    assert kinds(application) == set()
    approved = supporter_application_approve(application=application, actor=returning_officer)
    person = Person.objects.get(external_id=f"RS-{open_contest.pk}-{application.pk}")
    assert approved.person == person
    assert person.category == Category.REGISTERED_SUPPORTER
    assert person.registered_for == open_contest
    assert (person.email, person.postcode, person.consent_email) == (
        "alice@example.org",
        "N1 1AA",
        True,
    )
    assert AuditEvent.objects.filter(action="supporters.approve", actor=returning_officer).exists()
    with pytest.raises(ServiceError, match="already approved"):
        supporter_application_approve(application=application, actor=returning_officer)


def test_rejection_needs_a_reason_and_is_audited(open_contest: Any, returning_officer: Any) -> None:
    application = submit(open_contest)
    with pytest.raises(ServiceError, match="Give the reason"):
        supporter_application_reject(application=application, reason=" ", actor=returning_officer)
    supporter_application_reject(
        application=application, reason="Member of another party", actor=returning_officer
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.rejection_reason == "Member of another party"
    assert AuditEvent.objects.get(action="supporters.reject").reason == "Member of another party"
    assert not Person.objects.filter(category=Category.REGISTERED_SUPPORTER).exists()


def test_bulk_approval_takes_only_clean_paid_applications(
    open_contest: Any, returning_officer: Any
) -> None:
    clean = submit(open_contest)
    supporter_payment_confirm(application=clean, actor=returning_officer)
    unpaid = submit(
        open_contest,
        dataclasses.replace(ALICE, first_name="Bob", email="b@example.org", phone="02079460001"),
    )
    duplicate = submit(
        open_contest,
        dataclasses.replace(ALICE, first_name="Carol", email="c@example.org"),  # same phone
    )
    supporter_payment_confirm(application=duplicate, actor=returning_officer)
    assert supporter_applications_bulk_approve(contest=open_contest, actor=returning_officer) == 0
    # The duplicate phone flags `clean` too, so nothing is clean until the office decides;
    # rejecting the duplicate clears the flag it raised on `clean`.
    supporter_application_reject(
        application=duplicate, reason="Same phone as 1", actor=returning_officer
    )
    assert kinds(clean) == set()
    assert supporter_applications_bulk_approve(contest=open_contest, actor=returning_officer) == 1
    clean.refresh_from_db()
    unpaid.refresh_from_db()
    assert clean.status == ApplicationStatus.APPROVED
    assert unpaid.status == ApplicationStatus.PENDING


def test_only_the_returning_officer_reviews(open_contest: Any, scrutineer: Any) -> None:
    application = submit(open_contest)
    for service, extra in (
        (supporter_payment_confirm, {}),
        (supporter_application_approve, {}),
        (supporter_application_reject, {"reason": "no"}),
    ):
        with pytest.raises(PermissionRefused):
            service(application=application, actor=scrutineer, **extra)
    with pytest.raises(PermissionRefused):
        supporter_applications_bulk_approve(contest=open_contest, actor=scrutineer)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
