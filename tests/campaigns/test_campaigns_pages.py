"""Every campaign page against every persona: nobody of campaign A reaches campaign B (403),
callers see only the contact they hold, the office sees only aggregates."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campaigns_support import Campaigns, event_details
from factories import UserFactory
from omov.campaigns import events, services
from omov.campaigns.models import Call, Claim

pytestmark = pytest.mark.django_db

PERSONAS = (
    "anonymous",
    "voter",
    "returning_officer",
    "scrutineer",
    "corbyn_manager",
    "corbyn_organiser",
    "corbyn_caller",
    "smith_manager",
    "smith_caller",
)
# 200: shown; 302: sent to sign in; 403: refused. Pages are Corbyn's campaign's.
TABLE: dict[str, tuple[int, ...]] = {
    "office": (302, 403, 200, 200, 403, 403, 403, 403, 403),
    "home": (302, 403, 403, 403, 200, 200, 200, 403, 403),
    "dashboard": (302, 403, 200, 200, 200, 200, 403, 403, 403),
    "call": (302, 403, 403, 403, 200, 200, 200, 403, 403),
    "volunteers": (302, 403, 403, 403, 200, 200, 403, 403, 403),
    "phone_bank": (302, 403, 403, 403, 200, 200, 403, 403, 403),
    "volunteer": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    # Events (decision 0015): RSVPs are the campaign's runners' only; the office sees none.
    "events": (302, 403, 403, 403, 200, 200, 403, 403, 403),
    "event": (302, 403, 403, 403, 200, 200, 403, 403, 403),
    "event_check_in": (302, 403, 403, 403, 200, 200, 403, 403, 403),
    "rsvp": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "event_feed": (200, 200, 200, 200, 200, 200, 200, 200, 200),
}
EVENT_PAGES = ("event", "event_check_in", "rsvp")


def url(page: str, campaigns: Campaigns) -> str:
    if page == "office":
        return reverse("campaigns:office", args=[campaigns.contest.slug])
    if page == "call":
        return reverse("campaigns:call", args=[campaigns.corbyn.pk, campaigns.corbyn_list.pk])
    if page in EVENT_PAGES:
        event = events.event_create(campaign=campaigns.corbyn, details=event_details())
        return reverse(f"campaigns:{page}", args=[campaigns.corbyn.pk, event.pk])
    return reverse(f"campaigns:{page}", args=[campaigns.corbyn.pk])


def persona(name: str, campaigns: Campaigns, request: Any) -> Any:
    if name == "anonymous":
        return None
    if name == "voter":
        return UserFactory(username="voter")
    if name in ("returning_officer", "scrutineer"):
        return request.getfixturevalue(name)
    return campaigns.people[name]


@pytest.mark.parametrize(
    ("page", "who", "expected"),
    [(page, who, row[i]) for page, row in TABLE.items() for i, who in enumerate(PERSONAS)],
)
def test_role_page_table(
    campaigns: Campaigns, request: Any, page: str, who: str, expected: int
) -> None:
    client = Client()
    user = persona(who, campaigns, request)
    if user is not None:
        client.force_login(user)
    response = client.get(url(page, campaigns))
    assert response.status_code == expected


def test_a_caller_sees_only_the_contact_they_hold(campaigns: Campaigns) -> None:
    caller = campaigns.people["corbyn_caller"]
    client = Client()
    client.force_login(caller)
    page = url("call", campaigns)
    response = client.post(page, {"action": "next"})
    assert response.status_code == 302
    held = Claim.objects.get(caller=caller, is_active=True)
    body = client.get(page).content.decode()
    names = [entry.person.full_name for entry in campaigns.entries]
    shown = [name for name in names if f">{name}<" in body]
    assert shown == [held.roll_entry.person.full_name]
    assert 'href="tel:+44115496' in body


def test_the_office_page_shows_figures_and_no_contact(
    campaigns: Campaigns, returning_officer: Any
) -> None:
    caller = campaigns.people["corbyn_caller"]
    claim = services.claim_next(call_list=campaigns.corbyn_list, caller=caller)
    services.call_record(
        claim_id=claim.pk, caller=caller, outcome="answered", answers={"support": "5"}
    )
    client = Client()
    client.force_login(returning_officer)
    for page in ("office", "dashboard"):
        body = client.get(url(page, campaigns)).content.decode()
        assert not any(entry.person.full_name in body for entry in campaigns.entries)
        assert not any(entry.person.last_name in body for entry in campaigns.entries)
    assert "fewer than 10" in client.get(url("dashboard", campaigns)).content.decode()


def test_the_office_sees_how_many_do_not_calls_each_campaign_recorded(
    campaigns: Campaigns, returning_officer: Any
) -> None:
    caller = campaigns.people["smith_caller"]
    for _ in range(2):
        claim = services.claim_next(call_list=campaigns.smith_list, caller=caller)
        services.call_record(claim_id=claim.pk, caller=caller, outcome="do_not_call")
    client = Client()
    client.force_login(returning_officer)
    body = client.get(url("office", campaigns)).content.decode()
    row = body.split("Owen Smith&#x27;s campaign</th>")[1].split("</tr>")[0]
    assert row.endswith('<td class="num">2</td>')


def test_a_caller_records_a_call_and_gets_the_next_contact(campaigns: Campaigns) -> None:
    caller = campaigns.people["corbyn_caller"]
    client = Client()
    client.force_login(caller)
    page = url("call", campaigns)
    client.post(page, {"action": "next"})
    first = Claim.objects.get(caller=caller, is_active=True)
    response = client.post(
        page,
        {
            "action": "save",
            "claim": first.pk,
            "outcome": "answered",
            "q_support": "4",
            "q_volunteer": "yes",
        },
    )
    assert response.status_code == 302
    call = Call.objects.get()
    assert call.answers == {"support": "4", "volunteer": "yes"}
    following = Claim.objects.get(caller=caller, is_active=True)
    assert following.roll_entry_id != first.roll_entry_id
    again = client.post(page, {"action": "save", "claim": first.pk, "outcome": "answered"})
    assert again.status_code == 409
    assert "saved already" in again.content.decode()
    assert Call.objects.count() == 1


def test_an_organiser_writes_a_script_builds_a_list_and_plans_a_session(
    campaigns: Campaigns,
) -> None:
    client = Client()
    client.force_login(campaigns.people["corbyn_organiser"])
    page = url("phone_bank", campaigns)
    bad = client.post(
        page,
        {"action": "script", "script-name": "Doorstep", "script-questions": "support | 1 to 5?"},
    )
    assert bad.status_code == 400
    assert "Line 1: write key | question | choice, choice" in bad.content.decode()
    made = client.post(
        page,
        {
            "action": "script",
            "script-name": "Doorstep",
            "script-questions": "support | 1 to 5? | 1,2,3,4,5\n"
            "help | Help? | yes, no | if support = 4, 5",
        },
    )
    assert made.status_code == 302
    script = campaigns.corbyn.scripts.get(name="Doorstep")
    assert script.questions[1]["when"] == {"key": "support", "in": ["4", "5"]}
    built = client.post(
        page,
        {
            "action": "list",
            "list-name": "Nottingham East again",
            "list-script": script.pk,
            "list-branch": "NOTTS-E",
            "list-only_not_reached": "on",
        },
    )
    assert built.status_code == 302
    assert campaigns.corbyn.call_lists.get(name="Nottingham East again").size == 30
    unknown = client.post(
        page,
        {"action": "list", "list-name": "X", "list-script": script.pk, "list-branch": "NOPE"},
    )
    assert "There is no branch with the code &#x27;NOPE&#x27;." in unknown.content.decode()
    planned = client.post(
        page,
        {
            "action": "session",
            "session-name": "Thursday",
            "session-call_list": campaigns.corbyn_list.pk,
            "session-starts_at": "2016-08-25T18:00",
            "session-ends_at": "2016-08-25T21:00",
        },
    )
    assert planned.status_code == 302
    assert campaigns.corbyn.sessions.get().name == "Thursday"
