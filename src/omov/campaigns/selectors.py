"""Reads of campaigns: the contact list, what a caller may take next, and the figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import TruncHour

from omov.campaigns.forecast import Forecast, forecast_compute
from omov.campaigns.models import (
    Call,
    CallList,
    CallTarget,
    Campaign,
    Claim,
    DoNotCall,
    Event,
    Outcome,
    Rsvp,
    RsvpStatus,
)
from omov.contests.models import Candidate, CandidateStatus, Contest
from omov.contests.published import DeclaredFigures, declared_figures
from omov.core.models import CAMPAIGN_ROLES
from omov.core.policies import campaign_candidate_ids
from omov.electorate.models import RollEntry

#: Breakdowns show no figure for fewer people than this (decision 0014).
SUPPRESS_BELOW = 10


def contact_list(contest: Contest) -> QuerySet[RollEntry]:
    """Return the eligible entries of the frozen roll whose person may be phoned.

    The same query for every campaign (decision 0014, 2): consent to phone calls, a number on
    file, and not on the do-not-call register.
    """
    return (
        RollEntry.objects.filter(contest=contest, is_eligible=True, person__consent_phone=True)
        .exclude(person__phone="")
        .exclude(Exists(DoNotCall.objects.filter(person_id=OuterRef("person_id"))))
    )


def email_contact_list(contest: Contest) -> QuerySet[RollEntry]:
    """Return the eligible entries of the frozen roll whose person agreed to campaign emails.

    The same for every campaign (decision 0014, 2): consent to email and an address on file.
    Campaigns never see these addresses: omov sends their invitations (decision 0015).
    """
    return RollEntry.objects.filter(
        contest=contest, is_eligible=True, person__consent_email=True
    ).exclude(person__email="")


def campaigns_of(user: Any) -> QuerySet[Campaign]:
    """Return the campaigns the user works for (any campaign role)."""
    ids = campaign_candidate_ids(user, None, *CAMPAIGN_ROLES)
    return Campaign.objects.filter(candidate_id__in=ids).select_related("contest", "candidate")


def calling_hours_open(campaign: Campaign, at: dt.datetime) -> bool:
    """Return True when ``at`` falls within the campaign's calling hours, in its time zone."""
    local = at.astimezone(ZoneInfo(campaign.time_zone)).time()
    return campaign.calling_starts <= local < campaign.calling_ends


def targets_available(call_list: CallList, at: dt.datetime) -> QuerySet[CallTarget]:
    """Return the targets a caller may be given now, best first (fewest attempts, then oldest).

    Open, under the maximum attempts, past the cooldown and any call-back time, still consenting,
    not on the do-not-call register, and not held by a live claim of the campaign.
    """
    campaign = call_list.campaign
    cooled = at - dt.timedelta(minutes=campaign.cooldown_minutes)
    return (
        CallTarget.objects.filter(
            call_list=call_list,
            is_finished=False,
            attempts__lt=campaign.max_attempts,
            roll_entry__person__consent_phone=True,
        )
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=cooled))
        .filter(Q(call_back_at__isnull=True) | Q(call_back_at__lte=at))
        .exclude(Exists(DoNotCall.objects.filter(person_id=OuterRef("roll_entry__person_id"))))
        .exclude(
            Exists(
                Claim.objects.filter(
                    campaign=campaign,
                    roll_entry_id=OuterRef("roll_entry_id"),
                    is_active=True,
                    expires_at__gt=at,
                )
            )
        )
        .order_by("attempts", "id")
    )


def live_claim(caller: Any, campaign: Campaign, at: dt.datetime) -> Claim | None:
    """Return the caller's live claim in the campaign, with its contact, or None."""
    return (
        Claim.objects.filter(campaign=campaign, caller=caller, is_active=True, expires_at__gt=at)
        .select_related("roll_entry__person", "roll_entry__branch", "target__call_list__script")
        .first()
    )


@dataclass(frozen=True)
class EmptyListReasons:
    """Why a call list offers nobody now: how many open targets each rule holds back."""

    open_targets: int
    available: int
    do_not_call: int
    no_consent: int
    max_attempts: int
    cooldown: int
    call_back_later: int
    claimed_by_others: int
    is_calling_hours: bool


def empty_list_reasons(call_list: CallList, at: dt.datetime) -> EmptyListReasons:
    """Count the open targets held back by each rule (a target may count under several)."""
    campaign = call_list.campaign
    cooled = at - dt.timedelta(minutes=campaign.cooldown_minutes)
    open_targets = CallTarget.objects.filter(call_list=call_list, is_finished=False)
    dnc = Exists(DoNotCall.objects.filter(person_id=OuterRef("roll_entry__person_id")))
    claimed = Exists(
        Claim.objects.filter(
            campaign=campaign,
            roll_entry_id=OuterRef("roll_entry_id"),
            is_active=True,
            expires_at__gt=at,
        )
    )
    figures = open_targets.aggregate(
        total=Count("id"),
        do_not_call=Count("id", filter=Q(dnc)),
        no_consent=Count("id", filter=Q(roll_entry__person__consent_phone=False)),
        max_attempts=Count("id", filter=Q(attempts__gte=campaign.max_attempts)),
        cooldown=Count("id", filter=Q(last_attempt_at__gt=cooled)),
        call_back_later=Count("id", filter=Q(call_back_at__gt=at)),
        claimed=Count("id", filter=Q(claimed)),
    )
    return EmptyListReasons(
        open_targets=figures["total"],
        available=targets_available(call_list, at).count(),
        do_not_call=figures["do_not_call"],
        no_consent=figures["no_consent"],
        max_attempts=figures["max_attempts"],
        cooldown=figures["cooldown"],
        call_back_later=figures["call_back_later"],
        claimed_by_others=figures["claimed"],
        is_calling_hours=calling_hours_open(campaign, at),
    )


def suppressed(count: int) -> int | None:
    """Return the count, or None when it is too small to show (fewer than 10 people)."""
    return count if count >= SUPPRESS_BELOW else None


@dataclass(frozen=True)
class CampaignFigures:
    """A campaign's phone-bank figures: totals, and breakdowns with small cells suppressed."""

    calls: int
    answered: int
    contact_rate: float | None
    calls_per_hour: list[tuple[dt.datetime, int]]
    by_outcome: list[tuple[str, int | None]]
    by_support: list[tuple[str, int | None]]
    by_branch: list[tuple[str, int | None]]
    by_category: list[tuple[str, int | None]]
    callers_active: int


def campaign_figures(
    campaign: Campaign, *, at: dt.datetime, session: Any = None
) -> CampaignFigures:
    """Return the dashboard figures of a campaign (or of one of its sessions).

    Every figure is counted by the database, grouped, so the page costs a handful of queries
    whatever the number of calls (200,000 calls: bench/bench_phonebank.py).
    """
    calls = Call.objects.filter(campaign=campaign)
    if session is not None:
        calls = calls.filter(session=session)
    labels = dict(Outcome.choices)
    outcome_counts = {
        row["outcome"]: row["n"]
        for row in calls.values("outcome").annotate(n=Count("id")).order_by("outcome")
    }
    total = sum(outcome_counts.values())
    answered = outcome_counts.get(Outcome.ANSWERED, 0)
    by_outcome = [
        (labels.get(outcome, outcome), suppressed(n)) for outcome, n in outcome_counts.items()
    ]
    answered_calls = calls.filter(outcome=Outcome.ANSWERED)
    support: dict[str, int] = {}
    for level_row in (
        answered_calls.annotate(level=KT("answers__support"))
        .filter(level__isnull=False)
        .values("level")
        .annotate(n=Count("id"))
    ):
        level = str(level_row["level"])
        support[level] = support.get(level, 0) + level_row["n"]
    # Branch and category in one grouped pass over the answered calls and their roll entries.
    branch_counts: dict[str, int] = {}
    category_counts: dict[str, int] = {}
    for row in answered_calls.values("roll_entry__branch__name", "roll_entry__category").annotate(
        n=Count("id")
    ):
        branch = row["roll_entry__branch__name"] or "No branch"
        branch_counts[branch] = branch_counts.get(branch, 0) + row["n"]
        category = row["roll_entry__category"]
        category_counts[category] = category_counts.get(category, 0) + row["n"]
    by_branch = [(name, suppressed(n)) for name, n in sorted(branch_counts.items())]
    by_category = [(name, suppressed(n)) for name, n in sorted(category_counts.items())]
    hours = {
        row["hour"]: row["n"]
        for row in calls.filter(called_at__gte=at - dt.timedelta(hours=12))
        .annotate(hour=TruncHour("called_at", tzinfo=dt.UTC))
        .values("hour")
        .annotate(n=Count("id"))
    }
    callers_active = (
        Claim.objects.filter(campaign=campaign, claimed_at__gte=at - dt.timedelta(minutes=30))
        .values("caller")
        .distinct()
        .count()
    )
    return CampaignFigures(
        calls=total,
        answered=answered,
        contact_rate=(answered / total) if total else None,
        calls_per_hour=sorted(hours.items()),
        by_outcome=by_outcome,
        by_support=[(level, suppressed(n)) for level, n in sorted(support.items())],
        by_branch=by_branch,
        by_category=by_category,
        callers_active=callers_active,
    )


def claim_for_caller(caller: Any, campaign: Campaign, claim_id: int) -> Claim | None:
    """Return the caller's own claim by id (live or not), with its script, or None."""
    return (
        Claim.objects.filter(campaign=campaign, caller=caller, pk=claim_id)
        .select_related("target__call_list__script")
        .first()
    )


def do_not_call_counts(contest: Contest) -> dict[int, int]:
    """Return how many do-not-calls each campaign of the contest recorded (the office's view).

    Shown to the returning officer and scrutineers only, unsuppressed: it names no voter, and it
    is how a campaign marking its opponent's supporters would be noticed (decision 0014, 4).
    """
    rows = (
        Call.objects.filter(campaign__contest=contest, outcome=Outcome.DO_NOT_CALL)
        .values("campaign_id")
        .annotate(n=Count("id"))
    )
    return {row["campaign_id"]: row["n"] for row in rows}


@dataclass(frozen=True)
class ForecastPage:
    """A campaign's forecast (decision 0018), or why there is none, and the declared figures."""

    forecast: Forecast | None
    why_none: str
    declared: DeclaredFigures | None

    def declared_share(self, candidate: str) -> float | None:
        if self.declared is None:
            return None
        total = sum(self.declared.first_round.values())
        return self.declared.first_round.get(candidate, 0.0) / total if total else None


def forecast_for(campaign: Campaign) -> ForecastPage:
    """Forecast the contest from this campaign's own canvass answers (never another's)."""
    contest = campaign.contest
    declared = declared_figures(contest)
    candidates = list(
        Candidate.objects.filter(contest=contest, status=CandidateStatus.NOMINATED)
        .order_by("ballot_position", "name")
        .values_list("name", flat=True)
    )
    tags = _forecast_tags(campaign)
    if not any(first for first, _ in tags.values()):
        why = "None of this campaign's scripts asks a first-preference question for the forecast."
        return ForecastPage(None, why, declared)
    roll = {
        (row["category"], row["branch__code"] or ""): row["voters"]
        for row in RollEntry.objects.filter(contest=contest, is_eligible=True)
        .values("category", "branch__code")
        .annotate(voters=Count("pk"))
        .order_by()
    }
    if len(candidates) < 2 or not roll:
        why = "The forecast needs the frozen roll and at least two nominated candidates."
        return ForecastPage(None, why, declared)
    answers, following = _forecast_answers(campaign, tags, candidates)
    if not answers:
        return ForecastPage(None, "No call has recorded a first preference yet.", declared)
    forecast = forecast_compute(
        candidates=candidates, roll=roll, answers=answers, next_preferences=following
    )
    return ForecastPage(forecast, "", declared)


_Tag = tuple[str, dict[str, str]]


def _forecast_tags(campaign: Campaign) -> dict[int, tuple[_Tag | None, _Tag | None]]:
    """Each script's first- and next-preference questions: (key, what each choice means)."""
    tags: dict[int, tuple[_Tag | None, _Tag | None]] = {}
    for script_id, questions in campaign.scripts.values_list("pk", "questions"):
        first = next_ = None
        for question in questions:
            tag = question.get("forecast")
            if tag and tag.get("preference") == "first":
                first = (question["key"], tag["means"])
            elif tag and tag.get("preference") == "next":
                next_ = (question["key"], tag["means"])
        tags[script_id] = (first, next_)
    return tags


def _forecast_answers(
    campaign: Campaign,
    tags: dict[int, tuple[_Tag | None, _Tag | None]],
    candidates: list[str],
) -> tuple[dict[tuple[str, str], list[int]], dict[str, list[int]]]:
    """Count first preferences per stratum and next preferences per first choice, from each
    voter's latest answered call."""
    position = {name: index for index, name in enumerate(candidates)}
    latest: dict[int, tuple[str, str, int | None, int | None]] = {}
    calls = (
        Call.objects.filter(
            campaign=campaign,
            outcome=Outcome.ANSWERED,
            script_id__in=[pk for pk, (first, _) in tags.items() if first],
        )
        .order_by("called_at", "pk")
        .values_list(
            "roll_entry_id",
            "script_id",
            "answers",
            "roll_entry__category",
            "roll_entry__branch__code",
        )
    )
    for roll_entry_id, script_id, answers, category, branch in calls.iterator(chunk_size=5000):
        first_tag, next_tag = tags[script_id]
        assert first_tag is not None
        first = position.get(first_tag[1].get(str(answers.get(first_tag[0], "")), ""))
        if first is None:
            latest.pop(roll_entry_id, None)  # undecided now: an earlier answer no longer holds
            continue
        following = None
        if next_tag is not None and next_tag[0] in answers:
            name = next_tag[1].get(str(answers[next_tag[0]]), "")
            following = position.get(name, len(candidates))  # "" means no further preference
        latest[roll_entry_id] = (category, branch or "", first, following)
    strata: dict[tuple[str, str], list[int]] = {}
    transfers: dict[str, list[int]] = {}
    for category, branch, first, following in latest.values():
        assert first is not None
        strata.setdefault((category, branch), [0] * len(candidates))[first] += 1
        if following is not None and following != first:
            row = transfers.setdefault(candidates[first], [0] * (len(candidates) + 1))
            row[following] += 1
    return strata, transfers


# -- Events (decision 0015) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    """One event's figures: places, replies by status, and arrivals at the door."""

    event: Event
    capacity: int
    confirmed: int
    waiting: int
    cancelled: int
    checked_in: int

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.confirmed, 0)

    @property
    def turnout_percent(self) -> int | None:
        """Return the share of people with a place who came, rounded (None: nobody has one)."""
        if not self.confirmed:
            return None
        return round(100 * self.checked_in / self.confirmed)


def _attendance_of(events: list[Event]) -> list[Attendance]:
    counts = (
        Rsvp.objects.filter(event__in=events)
        .values("event_id")
        .annotate(
            confirmed=Count("id", filter=Q(status=RsvpStatus.CONFIRMED)),
            waiting=Count("id", filter=Q(status=RsvpStatus.WAITING)),
            cancelled=Count("id", filter=Q(status=RsvpStatus.CANCELLED)),
            checked_in=Count("id", filter=Q(checked_in_at__isnull=False)),
        )
    )
    keys = ("confirmed", "waiting", "cancelled", "checked_in")
    by_event: dict[int, dict[str, int]] = {
        row["event_id"]: {key: row[key] for key in keys}  # type: ignore[literal-required]
        for row in counts
    }
    empty = dict.fromkeys(keys, 0)
    return [
        Attendance(event=event, capacity=event.capacity, **by_event.get(event.pk, empty))
        for event in events
    ]


def event_attendance(event: Event) -> Attendance:
    """Return one event's figures."""
    return _attendance_of([event])[0]


@dataclass(frozen=True)
class LinkedAttendance:
    """A main event's figures, each satellite's, and their total."""

    rows: list[Attendance]
    total: Attendance


def linked_attendance(main_event: Event) -> LinkedAttendance:
    """Return the figures of a main event and its satellites, and the sum over all of them."""
    events = [main_event, *main_event.satellites.order_by("starts_at", "id")]
    rows = _attendance_of(events)
    total = Attendance(
        event=main_event,
        capacity=sum(row.capacity for row in rows),
        confirmed=sum(row.confirmed for row in rows),
        waiting=sum(row.waiting for row in rows),
        cancelled=sum(row.cancelled for row in rows),
        checked_in=sum(row.checked_in for row in rows),
    )
    return LinkedAttendance(rows=rows, total=total)


def campaign_attendance(campaign: Campaign) -> list[Attendance]:
    """Return the figures of every event of the campaign, by start time."""
    return _attendance_of(list(campaign.events.order_by("starts_at", "id")))


def rsvps_search(event: Event, query: str, limit: int = 30) -> QuerySet[Rsvp]:
    """Return the event's live RSVPs whose name holds every word of ``query`` (door search)."""
    rsvps = event.rsvps.exclude(status=RsvpStatus.CANCELLED).select_related("checked_in_by")
    for word in query.split()[:5]:
        rsvps = rsvps.filter(name__icontains=word)
    return rsvps.order_by("name", "id")[:limit]


def public_events(campaign: Campaign) -> QuerySet[Event]:
    """Return the campaign's public events (the calendar feed's), by start time."""
    return campaign.events.filter(is_public=True).order_by("starts_at", "id")
