"""The demo's campaigns: both 2016 campaigns with a Nottingham phone-bank evening, Jeremy
Corbyn's rally with satellite screenings and their RSVPs, and the open deputy contest's campaigns
with a caller who can make calls at once.

Built through the campaigns' services, as a returning officer, organisers and callers would. The
generated roll carries no phone numbers, so the demo first gives some fictional people numbers
from Ofcom's drama ranges (0115 496 0xxx, 07700 900xxx: never a real person's) and their consent
to be phoned — an audited demo step, the stand-in for a roll file that had them.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from omov.campaigns import events as campaign_events
from omov.campaigns import services as campaign_services
from omov.campaigns.models import Campaign, Outcome, PhoneBankSession
from omov.contests.models import CandidateStatus, Contest
from omov.core import clock
from omov.core.models import Role
from omov.core.services import audit_record, role_grant
from omov.demo.accounts import ACTOR_LABEL, DemoAccount, new_password
from omov.electorate.models import Person

PHONE_BANK_REGION = "East Midlands"
NOTTINGHAM_CALLS = 300
NOTTINGHAM_CALLERS = 6
SCRIPT: list[dict[str, Any]] = [
    {"key": "support", "text": "How likely are you to vote for our candidate, 1 to 5?",
     "choices": ["1", "2", "3", "4", "5"]},
    {"key": "will_vote", "text": "Will you vote in this election?",
     "choices": ["yes", "no", "not sure"]},
    {"key": "volunteer", "text": "Would you volunteer for the campaign?", "choices": ["yes", "no"],
     "when": {"key": "support", "in": ["4", "5"]}},
]  # fmt: skip
DEPUTY_CALLER = "tom-watson-caller"
RALLY_ORGANISER = "jeremy-corbyn-organiser"
#: The rally and its satellite screenings: venue, city, places, replies (beyond the places:
#: the waiting list).
RALLY_VENUES = (
    ("Albert Hall", "Nottingham", 60, 70),
    ("Brudenell Social Club", "Leeds", 25, 18),
    ("Trinity Centre", "Bristol", 20, 12),
    ("Oran Mor", "Glasgow", 15, 9),
)


def _script_for(campaign: Any) -> list[dict[str, Any]]:
    """The demo script, its support question read by the forecast (decision 0018) when the
    contest has two candidates: 4–5 means ours, 1–2 the other, 3 undecided."""
    names = list(
        campaign.contest.candidates.filter(status="nominated").values_list("name", flat=True)
    )
    if len(names) != 2:
        return SCRIPT
    own = campaign.candidate.name
    other = next(name for name in names if name != own)
    means = {"5": own, "4": own, "3": "", "2": other, "1": other}
    return [
        {**question, "forecast": {"preference": "first", "means": means}}
        if question["key"] == "support"
        else question
        for question in SCRIPT
    ]


WHOLE_DAY = (dt.time(0, 0), dt.time(23, 59, 59))


def _phones_give(people: Any, *, seed: str, actor: Any, contest: Contest) -> int:
    """Give these fictional people drama-range numbers and phone consent (demo data, audited)."""
    rng = random.Random(seed)
    changed = []
    for number, person in enumerate(people.order_by("pk").only("pk")):
        person.phone = (
            f"0115 496 0{number % 1000:03d}"
            if rng.random() < 0.6
            else f"07700 900{number % 1000:03d}"
        )
        person.consent_phone = rng.random() < 0.8
        changed.append(person)
    Person.objects.bulk_update(changed, ["phone", "consent_phone"], batch_size=2000)
    audit_record(
        action="demo.phones",
        summary=f"Demo: gave {len(changed):,} fictional people drama-range phone numbers",
        actor=actor,
        contest=contest,
        data={"people": len(changed)},
    )
    return len(changed)


def _campaigns_for(contest: Contest, officer: Any) -> list[Campaign]:
    campaigns = []
    for candidate in contest.candidates.filter(status=CandidateStatus.NOMINATED).order_by(
        "ballot_position"
    ):
        campaign = Campaign.objects.filter(candidate=candidate).first()
        campaigns.append(
            campaign or campaign_services.campaign_create(candidate=candidate, actor=officer)
        )
    return campaigns


def _caller(username: str, campaign: Campaign, role: Role = Role.CAMPAIGN_CALLER) -> Any:
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.org"}
    )
    role_grant(
        user=user,
        role=role,
        contest=campaign.contest,
        candidate=campaign.candidate,
        actor_label=ACTOR_LABEL,
        reason="A demo account.",
    )
    return user


def leadership_campaigns_build(*, leadership: Contest, officer: Any) -> int:
    """While the 2016 ballot is open: both campaigns, the release, a Nottingham evening.

    Returns the number of calls recorded.
    """
    with transaction.atomic():
        entries = leadership.roll_entries.filter(is_eligible=True, branch__region=PHONE_BANK_REGION)
        _phones_give(
            Person.objects.filter(pk__in=entries.values("person_id")),
            seed="omov-demo-phones-2016",
            actor=officer,
            contest=leadership,
        )
        campaigns = _campaigns_for(leadership, officer)
        campaign_services.roll_release(contest=leadership, actor=officer)
    rng = random.Random("omov-demo-nottingham")
    recorded = 0
    for campaign, calls in zip(campaigns, (NOTTINGHAM_CALLS, NOTTINGHAM_CALLS // 3), strict=False):
        campaign_services.campaign_configure(
            campaign=campaign, calling_starts=WHOLE_DAY[0], calling_ends=WHOLE_DAY[1]
        )
        script = campaign_services.script_create(
            campaign=campaign, name="Members' phone bank", questions=_script_for(campaign)
        )
        call_list = campaign_services.call_list_create(
            campaign=campaign,
            name=f"{PHONE_BANK_REGION}: everyone who agreed to calls",
            script=script,
            region=PHONE_BANK_REGION,
        )
        now = clock.now()
        session = campaign_services.session_create(
            campaign=campaign,
            name="Nottingham phone-bank evening",
            venue="Mechanics Institute, Nottingham",
            call_list=call_list,
            starts_at=now,
            ends_at=now + dt.timedelta(hours=3),
        )
        slug = campaign.candidate.name.lower().replace(" ", "-")
        callers = [
            _caller(f"{slug}-nottingham-caller-{n}", campaign)
            for n in range(1, NOTTINGHAM_CALLERS + 1)
        ]
        recorded += _calls_record(campaign, call_list, session, callers, calls, rng)
    _rally_build(campaigns[0], entries)
    return recorded


class _Discard:
    """A mail connection that accepts the demo's RSVP emails and keeps none (no real inboxes)."""

    def send_messages(self, messages: list[Any]) -> int:
        return len(messages)


def _rally_build(campaign: Campaign, entries: Any) -> None:
    """A rally in Nottingham screened in three more cities, each with its own RSVPs."""
    starts = clock.now().replace(hour=18, minute=30, second=0, microsecond=0) + dt.timedelta(days=3)
    people = iter(entries.select_related("person").order_by("pk"))
    main = None
    number = 0
    for venue, city, places, replies in RALLY_VENUES:
        details = campaign_events.EventDetails(
            kind="rally" if main is None else "watch_party",
            title="Jeremy for Labour: rally" if main is None else "Jeremy for Labour: screening",
            venue=f"{venue}, {city}",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            capacity=places,
            description="Doors open half an hour before. Bring a friend who is a member.",
        )
        event = campaign_events.event_create(campaign=campaign, details=details, main_event=main)
        main = main or event
        for _ in range(replies):
            number += 1
            entry = next(people, None)
            campaign_events.rsvp_create(
                event=event,
                name=entry.person.full_name if entry else f"Demo supporter {number}",
                email=f"rsvp-{number}@example.org",
                client_ip=f"demo-{number}",
                mail_connection=_Discard(),
            )
    # Two people cannot come after all: the first two on the waiting list get their places.
    assert main is not None
    for rsvp in list(main.rsvps.filter(status="confirmed").order_by("pk")[:2]):
        campaign_events.rsvp_cancel(rsvp=rsvp, mail_connection=_Discard())


def rally_organiser_ensure(*, leadership: Contest) -> list[DemoAccount]:
    """Give Jeremy Corbyn's 2016 campaign an organiser who runs the rally's door; their log-in."""
    campaign = Campaign.objects.filter(contest=leadership, candidate__is_incumbent=True).first()
    if campaign is None:
        return []
    organiser = _caller(RALLY_ORGANISER, campaign, Role.CAMPAIGN_ORGANISER)
    password = new_password()
    organiser.set_password(password)
    organiser.save(update_fields=["password"])
    return [
        DemoAccount(
            username=RALLY_ORGANISER,
            password=password,
            role=str(Role.CAMPAIGN_ORGANISER.label),
            scope=f"{campaign.name}: the rally, its screenings, RSVPs and the door",
            start_url=reverse("campaigns:events", args=[campaign.pk]),
        )
    ]


def _calls_record(
    campaign: Campaign,
    call_list: Any,
    session: PhoneBankSession,
    callers: list[Any],
    calls: int,
    rng: random.Random,
) -> int:
    """Record ``calls`` calls the way callers would: claim, then save an outcome and answers."""
    outcomes = (
        [Outcome.ANSWERED] * 5
        + [Outcome.NO_ANSWER] * 3
        + [
            Outcome.VOICEMAIL,
            Outcome.BUSY,
            Outcome.WRONG_NUMBER,
            Outcome.REFUSED,
        ]
    )
    lean = 4 if campaign.candidate.is_incumbent else 2
    recorded = 0
    for index in range(calls):
        caller = callers[index % len(callers)]
        claim = campaign_services.claim_next(call_list=call_list, caller=caller, session=session)
        if claim is None:
            break
        outcome = Outcome.DO_NOT_CALL if index % 97 == 42 else rng.choice(outcomes)
        answers = {}
        if outcome == Outcome.ANSWERED:
            support = min(5, max(1, round(rng.gauss(lean, 1.2))))
            answers = {"support": str(support), "will_vote": rng.choice(["yes", "yes", "not sure"])}
            if support >= 4:
                answers["volunteer"] = rng.choice(["yes", "no", "no"])
        campaign_services.call_record(
            claim_id=claim.pk, caller=caller, outcome=outcome, answers=answers
        )
        recorded += 1
    return recorded


def deputy_campaigns_ensure(*, deputy: Contest, officer: Any) -> list[DemoAccount]:
    """Give the open deputy contest its campaigns and a caller; return the caller's log-in."""
    if not hasattr(deputy, "roll_release"):
        with transaction.atomic():
            _phones_give(
                Person.objects.filter(
                    pk__in=deputy.roll_entries.filter(is_eligible=True).values("person_id")
                ),
                seed="omov-demo-phones-deputy",
                actor=officer,
                contest=deputy,
            )
            campaigns = _campaigns_for(deputy, officer)
            campaign_services.roll_release(contest=deputy, actor=officer)
        first = campaigns[0]
        campaign_services.campaign_configure(
            campaign=first, calling_starts=WHOLE_DAY[0], calling_ends=WHOLE_DAY[1]
        )
        script = campaign_services.script_create(
            campaign=first, name="Deputy phone bank", questions=_script_for(first)
        )
        call_list = campaign_services.call_list_create(
            campaign=first, name="Every member who agreed to calls", script=script
        )
        now = clock.now()
        campaign_services.session_create(
            campaign=first,
            name="Tonight's phone bank",
            venue="Online",
            call_list=call_list,
            starts_at=now,
            ends_at=now + dt.timedelta(days=14),
        )
    campaign = Campaign.objects.filter(contest=deputy).order_by("candidate__ballot_position")[0]
    call_list = campaign.call_lists.order_by("pk")[0]
    caller = _caller(DEPUTY_CALLER, campaign)
    password = new_password()
    caller.set_password(password)
    caller.save(update_fields=["password"])
    return [
        DemoAccount(
            username=DEPUTY_CALLER,
            password=password,
            role=str(Role.CAMPAIGN_CALLER.label),
            scope=f"{campaign.name}, {deputy.title} (calling hours widened for the demo)",
            start_url=reverse("campaigns:call", args=[campaign.pk, call_list.pk]),
        )
    ]
