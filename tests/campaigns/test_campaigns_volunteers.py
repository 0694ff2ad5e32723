"""Volunteers sign up on a public page (throttled, validated) and an organiser approves them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse

from campaigns_support import Campaigns
from omov.campaigns import policies, volunteers
from omov.campaigns.models import Volunteer, VolunteerStatus
from omov.core.errors import PermissionRefused, ServiceError

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Ada  Lovelace",
    "email": "Ada@Example.org",
    "phone": "0115 496 0777",
    "area": "Nottingham East",
    "availability": "Tuesday evenings",
}


def sign_up(campaigns: Campaigns, **changes: str) -> Any:
    details = volunteers.VolunteerDetails(**{**GOOD, **changes})
    return volunteers.volunteer_sign_up(
        campaign=campaigns.corbyn, details=details, client_ip="192.0.2.1"
    )


def test_a_sign_up_is_normalised_and_queued(campaigns: Campaigns) -> None:
    volunteer = sign_up(campaigns)
    assert (volunteer.name, volunteer.email, volunteer.phone) == (
        "Ada Lovelace",
        "ada@example.org",
        "+441154960777",
    )
    assert volunteer.status == VolunteerStatus.PENDING


def test_every_bad_field_is_named(campaigns: Campaigns) -> None:
    with pytest.raises(ServiceError) as refused:
        sign_up(campaigns, name=" ", email="ada", phone="12", area="")
    assert refused.value.message == (
        "Please correct your details — name: give your name; email: give an email address such "
        "as name@example.org; phone: give a phone number with its area code, such as 0115 496 "
        "0123; area: say where you can help (a town, a branch or a postcode)."
    )
    assert not Volunteer.objects.exists()


def test_sign_ups_are_throttled_per_address(campaigns: Campaigns) -> None:
    for number in range(volunteers.SIGNUP_LIMIT):
        sign_up(campaigns, email=f"v{number}@example.org")
    with pytest.raises(ServiceError, match="Too many sign-ups"):
        sign_up(campaigns, email="one-more@example.org")


def test_signing_up_twice_is_refused_kindly(campaigns: Campaigns) -> None:
    sign_up(campaigns)
    with pytest.raises(ServiceError, match="signed up to help this campaign already"):
        sign_up(campaigns, email="ADA@example.org")


def test_an_organiser_approves_a_volunteer_as_a_caller_of_their_campaign_only(
    campaigns: Campaigns,
) -> None:
    volunteer = sign_up(campaigns)
    with pytest.raises(PermissionRefused):
        volunteers.volunteer_approve(volunteer=volunteer, actor=campaigns.people["smith_manager"])
    with pytest.raises(PermissionRefused):
        volunteers.volunteer_approve(volunteer=volunteer, actor=campaigns.people["corbyn_caller"])
    approved, password = volunteers.volunteer_approve(
        volunteer=volunteer, actor=campaigns.people["corbyn_organiser"]
    )
    user = authenticate(username=approved.user.username, password=password)
    assert user is not None
    assert policies.can_call(user, campaigns.corbyn)
    assert not policies.can_call(user, campaigns.smith)
    assert not policies.can_view_dashboard(user, campaigns.corbyn)
    with pytest.raises(ServiceError, match="approved already"):
        volunteers.volunteer_reject(volunteer=volunteer, actor=campaigns.people["corbyn_organiser"])


def test_the_public_page_takes_a_sign_up_and_names_bad_fields(campaigns: Campaigns) -> None:
    page = reverse("campaigns:volunteer", args=[campaigns.corbyn.pk])
    client = Client()
    bad = client.post(page, {**GOOD, "phone": "123"})
    assert bad.status_code == 400
    assert "phone: give a phone number with its area code" in bad.content.decode()
    good = client.post(page, GOOD)
    assert good.status_code == 302
    assert Volunteer.objects.get().area == "Nottingham East"
