"""The office pages do their work: queue filters and counts, CSV import messages, validation."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from omov.contests.models import CandidateStatus
from omov.nominations.models import ApplicationStatus, ParliamentaryMember
from omov.nominations.services import (
    SupporterDetails,
    candidate_consent_record,
    supporter_application_submit,
    supporter_payment_confirm,
)

pytestmark = pytest.mark.django_db

ALICE = SupporterDetails(
    first_name="Alice",
    last_name="Example",
    email="alice@example.org",
    phone="07700900123",
    postcode="N1 1AA",
    supports_aims=True,
    supports_no_other_party=True,
    is_adult_declared=True,
)


def submit(contest: Any, **change: Any) -> Any:
    return supporter_application_submit(
        contest=contest, details=dataclasses.replace(ALICE, **change), client_ip="192.0.2.3"
    )


def test_queue_filters_by_flag_and_status_and_counts(
    client: Any, open_contest: Any, returning_officer: Any
) -> None:
    alice = submit(open_contest)
    twin = submit(open_contest, first_name="Bea", phone="02079460000")  # same email as Alice
    carol = submit(open_contest, first_name="Carol", email="c@example.org", phone="02079460001")
    supporter_payment_confirm(application=carol, actor=returning_officer)
    client.force_login(returning_officer)
    base = f"/nominations/{open_contest.slug}/supporters/"

    page = client.get(base, {"flag": "duplicate_email"}).content.decode()
    assert f">{alice.pk}</a>" in page and f">{twin.pk}</a>" in page
    assert f">{carol.pk}</a>" not in page
    page = client.get(base, {"flag": "clean"}).content.decode()
    assert f">{carol.pk}</a>" in page and f">{alice.pk}</a>" not in page
    assert "No flags (ready to approve): 1" in page
    assert "Same email as another application or person: 2" in page

    response = client.post(base + "approve-clean/")
    assert response.status_code == 302
    carol.refresh_from_db()
    assert carol.status == ApplicationStatus.APPROVED
    page = client.get(base, {"status": "approved"}).content.decode()
    assert f">{carol.pk}</a>" in page and f">{alice.pk}</a>" not in page


def test_application_page_rejects_with_a_reason(
    client: Any, open_contest: Any, returning_officer: Any
) -> None:
    alice = submit(open_contest)
    client.force_login(returning_officer)
    url = f"/nominations/{open_contest.slug}/supporters/{alice.pk}/"
    client.post(url, {"action": "reject", "reason": ""})
    alice.refresh_from_db()
    assert alice.status == ApplicationStatus.PENDING
    response = client.post(
        url, {"action": "reject", "reason": "Supports another party"}, follow=True
    )
    alice.refresh_from_db()
    assert alice.status == ApplicationStatus.REJECTED
    assert "Supports another party" in response.content.decode()


def test_csv_import_error_names_the_file_and_line(
    client: Any, open_contest: Any, returning_officer: Any
) -> None:
    client.force_login(returning_officer)
    upload = SimpleUploadedFile("plp.csv", b"name,kind,constituency\nDiane Abbott,mla,Hackney\n")
    response = client.post(f"/nominations/{open_contest.slug}/parliamentary/", {"csv_file": upload})
    assert response.status_code == 400
    assert "plp.csv was not imported" in response.content.decode()
    assert "line 2, field kind" in response.content.decode()
    assert not ParliamentaryMember.objects.exists()


def test_recording_parliamentary_nominations_and_validating_through_the_pages(
    client: Any, open_contest: Any, returning_officer: Any, smith: Any
) -> None:
    client.force_login(returning_officer)
    base = f"/nominations/{open_contest.slug}/"
    rows = "".join(f"MP {n},mp,Seat {n}\n" for n in range(5))
    client.post(
        base + "parliamentary/",
        {"csv_file": SimpleUploadedFile("plp.csv", f"name,kind,constituency\n{rows}".encode())},
    )
    for member in ParliamentaryMember.objects.filter(contest=open_contest)[:1]:
        client.post(base + "parliamentary/", {"member": member.pk, "candidate": smith.pk})
    candidate_consent_record(candidate=smith, actor=returning_officer)
    response = client.post(base + "validate/", follow=True)
    smith.refresh_from_db()
    assert smith.status == CandidateStatus.NOMINATED  # 1 of 5 is 20%: the threshold is 1
    assert "Validly nominated: Owen Smith" in response.content.decode()
    page = client.get(base).content.decode()
    assert "1 (20.0%) — threshold of 1 met" in page


def test_returning_officer_corrects_a_meeting_through_the_page(
    client: Any, personas: dict[str, Any], open_contest: Any, corbyn: Any, smith: Any
) -> None:
    from omov.nominations.models import BranchMeeting

    url = f"/nominations/{open_contest.slug}/branches/islington-north/record/"
    figures = {
        "held_on": open_contest.branch_nominations_open_at.date().isoformat(),
        "attendance": 370,
        f"votes_{corbyn.pk}": 266,
        f"votes_{smith.pk}": 100,
        "abstentions": 4,
    }
    client.force_login(personas["secretary"])
    assert client.post(url, figures).status_code == 302
    assert client.get(url).status_code == 403  # recorded: only the office corrects it now

    client.force_login(personas["returning_officer"])
    page = client.get(url).content.decode()
    assert "Reason for the correction" in page and 'value="370"' in page
    swapped = {**figures, f"votes_{corbyn.pk}": 100, f"votes_{smith.pk}": 266}
    response = client.post(url, swapped)
    assert response.status_code == 400
    assert BranchMeeting.objects.get().nominee == corbyn
    response = client.post(url, {**swapped, "correction_reason": "Columns swapped."})
    assert response.status_code == 302
    meeting = BranchMeeting.objects.get()
    assert meeting.nominee == smith and meeting.correction_reason == "Columns swapped."


def test_withdrawals_through_the_pages_need_a_reason(
    client: Any, open_contest: Any, returning_officer: Any, smith: Any
) -> None:
    from factories import AffiliateFactory
    from omov.core.models import AuditEvent
    from omov.nominations.models import AffiliateNomination, ParliamentaryNomination
    from omov.nominations.services import (
        affiliate_nomination_record,
        parliamentary_members_import,
        parliamentary_nomination_record,
    )

    parliamentary_members_import(
        contest=open_contest, csv_text="name,kind,constituency\nA Member,mp,Seat\n"
    )
    member = ParliamentaryMember.objects.get()
    nomination = parliamentary_nomination_record(member=member, candidate=smith)
    affiliate = affiliate_nomination_record(
        contest=open_contest, affiliate=AffiliateFactory(), candidate=smith
    )
    client.force_login(returning_officer)
    base = f"/nominations/{open_contest.slug}/"
    client.post(base + f"parliamentary/{nomination.pk}/withdraw/", {"reason": ""})
    assert ParliamentaryNomination.objects.exists()
    client.post(base + f"parliamentary/{nomination.pk}/withdraw/", {"reason": "Wrong MP"})
    assert not ParliamentaryNomination.objects.exists()
    client.post(base + f"affiliates/{affiliate.pk}/withdraw/", {"reason": "Wrong union"})
    assert not AffiliateNomination.objects.exists()
    client.post(base + f"candidates/{smith.pk}/withdraw/", {"reason": "Stood down"})
    smith.refresh_from_db()
    assert smith.status == CandidateStatus.WITHDRAWN
    assert set(
        AuditEvent.objects.filter(reason__in=["Wrong MP", "Wrong union", "Stood down"]).values_list(
            "action", flat=True
        )
    ) == {
        "nominations.parliamentary_withdraw",
        "nominations.affiliate_withdraw",
        "nominations.candidate_withdraw",
    }
