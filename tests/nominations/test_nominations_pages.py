"""Every nominations page against every role: who sees what, and who may write."""

from __future__ import annotations

from typing import Any

import pytest

from omov.contests.models import CandidateStatus
from omov.nominations.models import (
    ApplicationStatus,
    BranchMeeting,
    NominationRules,
    SupporterApplication,
)
from omov.nominations.services import SupporterDetails, supporter_application_submit

pytestmark = pytest.mark.django_db

# Order: anonymous, voter, returning_officer, scrutineer, secretary (Islington North),
# other_secretary (Walthamstow), agent (Owen Smith's), other_agent (Jeremy Corbyn's).
ROLES = (
    "anonymous",
    "voter",
    "returning_officer",
    "scrutineer",
    "secretary",
    "other_secretary",
    "agent",
    "other_agent",
)
LOGIN = 302  # anonymous visitors are sent to the sign-in page

PAGES: dict[str, tuple[int, ...]] = {
    "overview": (200, 200, 200, 200, 200, 200, 200, 200),
    "signup": (200, 200, 200, 200, 200, 200, 200, 200),
    "thanks": (200, 200, 200, 200, 200, 200, 200, 200),
    "candidate": (LOGIN, 403, 200, 200, 403, 403, 200, 403),
    "meetings": (LOGIN, 403, 200, 200, 200, 200, 403, 403),
    "meeting": (LOGIN, 403, 200, 200, 200, 403, 403, 403),
    "meeting_record": (LOGIN, 403, 200, 403, 200, 403, 403, 403),
    "parliamentary": (LOGIN, 403, 200, 200, 403, 403, 403, 403),
    "affiliates": (LOGIN, 403, 200, 200, 403, 403, 403, 403),
    "rules": (LOGIN, 403, 200, 200, 403, 403, 403, 403),
    "supporter_queue": (LOGIN, 403, 200, 200, 403, 403, 403, 403),
    "supporter_application": (LOGIN, 403, 200, 200, 403, 403, 403, 403),
}


def url(name: str, contest: Any, smith: Any, application: Any = None) -> str:
    base = f"/nominations/{contest.slug}/"
    return {
        "overview": base,
        "signup": base + "register/",
        "thanks": base + "register/thanks/",
        "candidate": base + f"candidates/{smith.pk}/",
        "meetings": base + "branches/",
        "meeting": base + "branches/islington-north/",
        "meeting_record": base + "branches/islington-north/record/",
        "parliamentary": base + "parliamentary/",
        "affiliates": base + "affiliates/",
        "rules": base + "rules/",
        "supporter_queue": base + "supporters/",
        "supporter_application": base + f"supporters/{application.pk if application else 0}/",
    }[name]


@pytest.fixture
def application(open_contest: Any) -> Any:
    return supporter_application_submit(
        contest=open_contest,
        details=SupporterDetails(
            first_name="Alice",
            last_name="Example",
            email="alice@example.org",
            phone="07700900123",
            postcode="N1 1AA",
            supports_aims=True,
            supports_no_other_party=True,
            is_adult_declared=True,
        ),
        client_ip="192.0.2.9",
    )


def sign_in_as(client: Any, personas: dict[str, Any], role: str) -> None:
    if personas[role] is not None:
        client.force_login(personas[role])


@pytest.mark.parametrize(
    ("page", "role", "expected"),
    [(page, role, statuses[i]) for page, statuses in PAGES.items() for i, role in enumerate(ROLES)],
)
def test_page_by_role(
    client: Any,
    personas: dict[str, Any],
    open_contest: Any,
    smith: Any,
    application: Any,
    page: str,
    role: str,
    expected: int,
) -> None:
    sign_in_as(client, personas, role)
    response = client.get(url(page, open_contest, smith, application))
    assert response.status_code == expected
    if expected == LOGIN:
        assert response["Location"].startswith("/accounts/login/")


def test_nominations_page_is_hidden_in_draft_from_the_public(client: Any, contest: Any) -> None:
    assert client.get(f"/nominations/{contest.slug}/").status_code == 404
    assert client.get(f"/nominations/{contest.slug}/register/").status_code == 404


def test_overview_url_name_is_the_one_the_contest_page_links_to(
    client: Any, open_contest: Any
) -> None:
    from django.urls import reverse

    link = reverse("nominations:overview", args=[open_contest.slug])
    assert link in client.get(f"/contests/{open_contest.slug}/").content.decode()


# Writes ------------------------------------------------------------------------------------------

WRITES: dict[str, tuple[int, ...]] = {
    # 302 to the page = done (or refused by the service with a message); 403 = refused by role.
    "consent": (LOGIN, 403, 302, 403, 403, 403, 302, 403),
    "validate": (LOGIN, 403, 302, 403, 403, 403, 403, 403),
    "meeting_record": (LOGIN, 403, 302, 403, 302, 403, 403, 403),
    "rules": (LOGIN, 403, 302, 403, 403, 403, 403, 403),
    "parliamentary_import": (LOGIN, 403, 302, 403, 403, 403, 403, 403),
    "affiliate": (LOGIN, 403, 302, 403, 403, 403, 403, 403),
    "approve": (LOGIN, 403, 302, 403, 403, 403, 403, 403),
    "bulk_approve": (LOGIN, 403, 302, 403, 403, 403, 403, 403),
}


def do_write(client: Any, write: str, contest: Any, smith: Any, application: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from factories import AffiliateFactory

    base = f"/nominations/{contest.slug}/"
    if write == "consent":
        return client.post(base + f"candidates/{smith.pk}/consent/")
    if write == "validate":
        return client.post(base + "validate/")
    if write == "meeting_record":
        corbyn = contest.candidates.get(name="Jeremy Corbyn")
        return client.post(
            base + "branches/islington-north/record/",
            {
                "held_on": contest.branch_nominations_open_at.date().isoformat(),
                "attendance": 370,
                f"votes_{corbyn.pk}": 266,
                f"votes_{smith.pk}": 100,
                "abstentions": 4,
            },
        )
    if write == "rules":
        return client.post(
            base + "rules/",
            {"challenger_percent": "20", "vacancy_percent": "10", "gate_affiliate_count": ""},
        )
    if write == "parliamentary_import":
        upload = SimpleUploadedFile(
            "plp.csv", b"name,kind,constituency\nDiane Abbott,mp,Hackney North\n"
        )
        return client.post(base + "parliamentary/", {"csv_file": upload})
    if write == "affiliate":
        affiliate = AffiliateFactory(name="Unison")
        return client.post(base + "affiliates/", {"affiliate": affiliate.pk, "candidate": smith.pk})
    if write == "approve":
        return client.post(
            base + f"supporters/{application.pk}/", {"action": "payment", "reference": "X1"}
        )
    if write == "bulk_approve":
        return client.post(base + "supporters/approve-clean/")
    raise AssertionError(write)


def effect(write: str, contest: Any, smith: Any, application: Any) -> bool:
    """Return True when the write's change is in the database."""
    smith.refresh_from_db()
    application.refresh_from_db()
    return {
        "consent": lambda: smith.consented_at is not None,
        "validate": lambda: contest.audit_events.filter(action="nominations.validate").exists(),
        "meeting_record": lambda: BranchMeeting.objects.filter(contest=contest).exists(),
        # The fixture saved Labour's rules (15% in a vacancy); the write asks for 10%.
        "rules": lambda: NominationRules.objects.filter(
            contest=contest, vacancy_percent=10
        ).exists(),
        "parliamentary_import": lambda: contest.parliamentary_members.exists(),
        "affiliate": lambda: contest.affiliate_nominations.exists(),
        "approve": lambda: application.is_paid,
        "bulk_approve": lambda: contest.audit_events.filter(
            action="supporters.bulk_approve"
        ).exists(),
    }[write]()


@pytest.mark.parametrize(
    ("write", "role", "expected"),
    [
        (write, role, statuses[i])
        for write, statuses in WRITES.items()
        for i, role in enumerate(ROLES)
    ],
)
def test_write_by_role(
    client: Any,
    personas: dict[str, Any],
    open_contest: Any,
    smith: Any,
    application: Any,
    write: str,
    role: str,
    expected: int,
) -> None:
    sign_in_as(client, personas, role)
    response = do_write(client, write, open_contest, smith, application)
    assert response.status_code == expected
    if expected == LOGIN and role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    assert effect(write, open_contest, smith, application) is (
        expected == 302 and role != "anonymous"
    )


def test_recorded_meeting_shows_on_the_public_page(
    client: Any, personas: dict[str, Any], open_contest: Any, smith: Any, application: Any
) -> None:
    client.force_login(personas["secretary"])
    response = do_write(client, "meeting_record", open_contest, smith, application)
    assert response["Location"] == f"/nominations/{open_contest.slug}/branches/islington-north/"
    client.logout()
    page = client.get(f"/nominations/{open_contest.slug}/").content.decode()
    assert "Islington North" in page
    # The gate's share (of all branches) beside the share of the branches that nominated.
    assert "% of all branches (100.0% of the 1 that nominated)" in page


def test_meeting_form_shows_the_eligible_members_and_the_fix(
    client: Any, personas: dict[str, Any], open_contest: Any, smith: Any
) -> None:
    client.force_login(personas["secretary"])
    base = f"/nominations/{open_contest.slug}/branches/islington-north/record/"
    assert "Eligible members in Islington North: 400" in client.get(base).content.decode()
    corbyn = open_contest.candidates.get(name="Jeremy Corbyn")
    response = client.post(
        base,
        {
            "held_on": open_contest.branch_nominations_open_at.date().isoformat(),
            "attendance": 300,
            f"votes_{corbyn.pk}": 266,
            f"votes_{smith.pk}": 100,
            "abstentions": 4,
        },
    )
    assert response.status_code == 400
    assert "enter an attendance of at least 370" in response.content.decode()
    assert not BranchMeeting.objects.exists()


def test_meeting_form_before_the_roll_is_evaluated_says_so_and_records_nothing(
    client: Any, open_contest: Any, islington: Any, returning_officer: Any, smith: Any
) -> None:
    client.force_login(returning_officer)
    base = f"/nominations/{open_contest.slug}/branches/islington-north/record/"
    page = client.get(base).content.decode()
    assert "The roll has not been evaluated yet" in page
    assert "Eligible members in Islington North" not in page
    corbyn = open_contest.candidates.get(name="Jeremy Corbyn")
    response = client.post(
        base,
        {
            "held_on": open_contest.branch_nominations_open_at.date().isoformat(),
            "attendance": 370,
            f"votes_{corbyn.pk}": 266,
            f"votes_{smith.pk}": 100,
            "abstentions": 4,
        },
    )
    assert response.status_code == 400
    assert "The returning officer must evaluate the roll first" in response.content.decode()
    assert not BranchMeeting.objects.exists()


def test_signup_form_takes_an_application(client: Any, open_contest: Any) -> None:
    response = client.post(
        f"/nominations/{open_contest.slug}/register/",
        {
            "first_name": "Alice",
            "last_name": "Example",
            "email": "alice@example.org",
            "phone": "07700 900123",
            "postcode": "N1 1AA",
            "is_adult_declared": "on",
            "supports_aims": "on",
            "supports_no_other_party": "on",
        },
    )
    assert response.status_code == 302
    assert SupporterApplication.objects.get().status == ApplicationStatus.PENDING


def test_signup_page_says_when_it_opens_and_refuses_a_post(client: Any, open_contest: Any) -> None:
    import datetime as dt

    open_contest.supporter_window_opens_at += dt.timedelta(days=5)
    open_contest.supporter_window_closes_at += dt.timedelta(days=5)
    open_contest.save()
    page = client.get(f"/nominations/{open_contest.slug}/register/").content.decode()
    assert "Registration as a supporter opens on" in page
    assert '<form method="post" novalidate>' not in page
    response = client.post(
        f"/nominations/{open_contest.slug}/register/",
        {"first_name": "Alice", "supports_aims": "on"},
    )
    assert response.status_code == 403
    assert not SupporterApplication.objects.exists()


def test_agent_sees_own_candidate_detail_and_records_consent(
    client: Any, personas: dict[str, Any], open_contest: Any, smith: Any
) -> None:
    client.force_login(personas["agent"])
    page = client.get(f"/nominations/{open_contest.slug}/candidates/{smith.pk}/").content.decode()
    assert "Record Owen Smith's consent to stand" in page
    client.post(f"/nominations/{open_contest.slug}/candidates/{smith.pk}/consent/")
    smith.refresh_from_db()
    assert smith.consented_at is not None
    assert smith.status == CandidateStatus.PROPOSED
