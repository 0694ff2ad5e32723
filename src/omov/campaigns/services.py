"""Every write of the campaigns: campaigns, the roll's release, scripts, call lists, claims, calls.

Each service runs in one transaction, checks its policy when given an actor (``actor=None`` is a
trusted caller with shell access: the CLI, the demo), and audits what it did. Decision 0014 is the
threat model: the comments below name the rule each check protects.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.db.models import F

from omov.campaigns import policies, selectors
from omov.campaigns.bulk import targets_insert_select
from omov.campaigns.models import (
    RETRY_OUTCOMES,
    Call,
    CallList,
    CallTarget,
    Campaign,
    Claim,
    DoNotCall,
    Outcome,
    PhoneBankSession,
    RollRelease,
    Script,
)
from omov.contests.models import Candidate, CandidateStatus, Contest, ContestStatus
from omov.core import clock
from omov.core.errors import Blocked, PermissionRefused, ServiceError
from omov.core.policies import Decision
from omov.core.services import audit_record
from omov.electorate.models import Category, Person
from omov.electorate.services import person_phone_consent_withdraw

#: Outcomes after which the voter is not called again from this list.
FINAL_OUTCOMES = frozenset(set(Outcome) - RETRY_OUTCOMES - {Outcome.CALL_BACK})


class ClaimLost(ServiceError):
    """The caller's hold on a contact lapsed and someone else has it now; nothing was saved."""


class AlreadySaved(ServiceError):
    """This claim's call was saved already (a second press of the button); nothing changed."""


def _ensure(decision: Decision, actor: Any) -> None:
    if actor is not None and not decision:
        raise PermissionRefused(decision.reason)


# -- Campaigns and the roll's release ------------------------------------------------------------


def campaign_create(
    *, candidate: Candidate, actor: Any = None, actor_label: str = "", name: str = ""
) -> Campaign:
    """Create the campaign of a nominated candidate (one per candidate); audit it."""
    contest = candidate.contest
    _ensure(policies.can_manage_campaigns(actor, contest), actor)
    if candidate.status != CandidateStatus.NOMINATED:
        raise ServiceError(
            f"{candidate.name} is not a nominated candidate: only nominated candidates have "
            "campaigns. Validate the nominations first."
        )
    if contest.has_reached(ContestStatus.CLOSED):
        raise ServiceError("The ballot has closed: it is too late to create a campaign.")
    with transaction.atomic():
        if Campaign.objects.select_for_update().filter(candidate=candidate).exists():
            raise ServiceError(f"{candidate.name} has a campaign already.")
        campaign = Campaign.objects.create(
            contest=contest,
            candidate=candidate,
            name=name.strip() or f"{candidate.name}'s campaign",
            created_at=clock.now(),
        )
        audit_record(
            action="campaign.create",
            summary=f"Created the campaign {campaign.name}",
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=campaign,
        )
    return campaign


def campaign_configure(
    *,
    campaign: Campaign,
    actor: Any = None,
    actor_label: str = "",
    calling_starts: dt.time | None = None,
    calling_ends: dt.time | None = None,
    time_zone: str | None = None,
    cooldown_minutes: int | None = None,
    max_attempts: int | None = None,
    claim_minutes: int | None = None,
) -> Campaign:
    """Change a campaign's calling rules (hours, cooldown, attempts, claim length); audit it."""
    _ensure(policies.can_run_phone_bank(actor, campaign), actor)
    changes: dict[str, Any] = {
        name: value
        for name, value in (
            ("calling_starts", calling_starts),
            ("calling_ends", calling_ends),
            ("time_zone", time_zone),
            ("cooldown_minutes", cooldown_minutes),
            ("max_attempts", max_attempts),
            ("claim_minutes", claim_minutes),
        )
        if value is not None
    }
    starts = changes.get("calling_starts", campaign.calling_starts)
    ends = changes.get("calling_ends", campaign.calling_ends)
    if starts >= ends:
        raise ServiceError("Calling hours must end after they start (e.g. 09:00 to 21:00).")
    if "time_zone" in changes:
        try:
            ZoneInfo(changes["time_zone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise ServiceError(f"There is no time zone {changes['time_zone']!r}.") from None
    for name in ("max_attempts", "claim_minutes"):
        if name in changes and changes[name] < 1:
            raise ServiceError(f"{name.replace('_', ' ').capitalize()} must be at least 1.")
    if changes.get("cooldown_minutes", 0) < 0:
        raise ServiceError("The cooldown is a number of minutes, zero or more.")
    with transaction.atomic():
        old = {name: str(getattr(campaign, name)) for name in changes}
        for name, value in changes.items():
            setattr(campaign, name, value)
        campaign.save(update_fields=list(changes))
        audit_record(
            action="campaign.configure",
            summary=f"{campaign.name}: changed its calling rules",
            actor=actor,
            actor_label=actor_label,
            contest=campaign.contest,
            target=campaign,
            data={name: [old[name], str(value)] for name, value in changes.items()},
        )
    return campaign


def roll_release_blockers(contest: Contest) -> list[str]:
    """List every reason the roll cannot be released to the campaigns now (empty: it can)."""
    blockers = []
    if not contest.has_reached(ContestStatus.ROLL_FROZEN):
        blockers.append("freeze the roll first: campaigns see only the frozen roll")
    if contest.has_reached(ContestStatus.CLOSED):
        blockers.append("the ballot has closed, so campaigns have no access any more")
    if RollRelease.objects.filter(contest=contest).exists():
        blockers.append("the roll has been released to the campaigns already")
    nominated = contest.candidates.filter(status=CandidateStatus.NOMINATED)
    # Equal access from one moment (decision 0014, 2): no campaign may start before another.
    for candidate in nominated.filter(campaign__isnull=True).order_by("ballot_position"):
        blockers.append(f"create {candidate.name}'s campaign (every nominated candidate has one)")
    if not nominated.exists():
        blockers.append("no candidate is nominated yet")
    return blockers


def roll_release(
    *,
    contest: Contest,
    actor: Any = None,
    actor_label: str = "",
    retention_days: int = 30,
) -> RollRelease:
    """Release the frozen roll's contact list to every campaign at once; stamp and audit it."""
    _ensure(policies.can_manage_campaigns(actor, contest), actor)
    if retention_days < 0:
        raise ServiceError("The retention period is a number of days, zero or more.")
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        blockers = roll_release_blockers(locked)
        if blockers:
            raise Blocked("release the roll to the campaigns", blockers)
        release = RollRelease.objects.create(
            contest=locked, roll_released_at=clock.now(), retention_days=retention_days
        )
        contacts = selectors.contact_list(locked).count()
        audit_record(
            action="campaign.release_roll",
            summary=f"Released the roll of {locked.title} to the campaigns ({contacts:,} "
            "voters agree to be phoned)",
            actor=actor,
            actor_label=actor_label,
            contest=locked,
            target=release,
            data={
                "campaigns": sorted(locked.campaigns.values_list("name", flat=True)),
                "phone_contacts": contacts,
                "retention_days": retention_days,
            },
        )
    return release


# -- Scripts, call lists and sessions ------------------------------------------------------------


def _questions_check(questions: Any, candidates: list[str]) -> list[dict[str, Any]]:
    """Validate a script's questions; return them in their stored shape."""
    if not isinstance(questions, list) or not questions:
        raise ServiceError("A script needs at least one question.")
    checked: list[dict[str, Any]] = []
    keys: set[str] = set()
    roles: set[str] = set()
    for number, question in enumerate(questions, start=1):
        where = f"question {number}"
        if not isinstance(question, dict):
            raise ServiceError(f"{where} must have a key, a text and its choices.")
        key = str(question.get("key", "")).strip()
        text = str(question.get("text", "")).strip()
        choices = question.get("choices")
        if not key.isidentifier():
            raise ServiceError(f"{where}: give a key of letters, digits and underscores.")
        if key in keys:
            raise ServiceError(f"{where}: the key {key!r} is used twice.")
        if not text:
            raise ServiceError(f"{where} ({key}): give the question's text.")
        if not isinstance(choices, list) or len(choices) < 2:
            raise ServiceError(f"{where} ({key}): give at least two choices.")
        shaped: dict[str, Any] = {"key": key, "text": text, "choices": [str(c) for c in choices]}
        when = question.get("when")
        if when:
            if not isinstance(when, dict) or when.get("key") not in keys:
                raise ServiceError(
                    f"{where} ({key}): a condition must name an earlier question's key."
                )
            shaped["when"] = {"key": when["key"], "in": [str(v) for v in when.get("in", [])]}
        if question.get("forecast") is not None:
            shaped["forecast"] = _forecast_tag_check(
                question["forecast"], shaped["choices"], candidates, roles, f"{where} ({key})"
            )
        keys.add(key)
        checked.append(shaped)
    return checked


def _forecast_tag_check(
    tag: Any, choices: list[str], candidates: list[str], roles: set[str], where: str
) -> dict[str, Any]:
    """Check what a question tells the forecast (decision 0018): which preference it asks, and
    which candidate each choice means ("" for undecided or none)."""
    if not isinstance(tag, dict) or tag.get("preference") not in ("first", "next"):
        raise ServiceError(
            f'{where}: a forecast question says its preference ("first" or "next") and '
            "what each choice means."
        )
    preference = tag["preference"]
    if preference in roles:
        raise ServiceError(f"{where}: the script already has a {preference}-preference question.")
    means = tag.get("means")
    if not isinstance(means, dict):
        raise ServiceError(f"{where}: say which candidate each choice means.")
    cleaned: dict[str, str] = {}
    for choice, candidate in means.items():
        if str(choice) not in choices:
            raise ServiceError(f"{where}: {choice!r} is not one of the question's choices.")
        name = str(candidate or "")
        if name and name not in candidates:
            raise ServiceError(
                f"{where}: {name!r} is not a nominated candidate; choose one of "
                f"{', '.join(candidates)} (or leave it empty for undecided)."
            )
        cleaned[str(choice)] = name
    roles.add(preference)
    return {"preference": preference, "means": cleaned}


def script_create(
    *,
    campaign: Campaign,
    name: str,
    questions: Any,
    introduction: str = "",
    actor: Any = None,
    actor_label: str = "",
) -> Script:
    """Save a script; an existing name gets its next version (calls keep the one they used)."""
    _ensure(policies.can_run_phone_bank(actor, campaign), actor)
    name = " ".join(name.split())
    if not name:
        raise ServiceError("A script needs a name.")
    candidates = list(
        Candidate.objects.filter(contest=campaign.contest, status=CandidateStatus.NOMINATED)
        .order_by("ballot_position", "name")
        .values_list("name", flat=True)
    )
    checked = _questions_check(questions, candidates)
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        latest = (
            Script.objects.filter(campaign=campaign, name=name)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        script = Script.objects.create(
            campaign=campaign,
            name=name,
            version=(latest or 0) + 1,
            introduction=introduction.strip(),
            questions=checked,
            created_at=clock.now(),
        )
        audit_record(
            action="campaign.script_create",
            summary=f"{campaign.name}: saved the script {script}",
            actor=actor,
            actor_label=actor_label,
            contest=campaign.contest,
            target=script,
        )
    return script


def call_list_create(
    *,
    campaign: Campaign,
    name: str,
    script: Script,
    branch: Any = None,
    region: str = "",
    category: str = "",
    only_not_reached: bool = True,
    actor: Any = None,
    actor_label: str = "",
) -> CallList:
    """Build a call list from a segment of the contact list, in one ``INSERT … SELECT``."""
    _ensure(policies.can_run_phone_bank(actor, campaign), actor)
    if actor is None and not policies.access_open(campaign):
        raise ServiceError(policies.access_open(campaign).reason)
    if script.campaign_id != campaign.pk:
        raise ServiceError("The script belongs to another campaign; choose one of this campaign's.")
    if category and category not in Category.values:
        raise ServiceError(
            f"There is no category {category!r}; choose one of {', '.join(Category.values)}."
        )
    name = " ".join(name.split())
    if not name:
        raise ServiceError("A call list needs a name.")
    segment = selectors.contact_list(campaign.contest)
    if branch is not None:
        segment = segment.filter(branch=branch)
    if region:
        segment = segment.filter(branch__region=region)
    if category:
        segment = segment.filter(category=category)
    if only_not_reached:
        reached = Call.objects.filter(campaign=campaign, outcome=Outcome.ANSWERED)
        segment = segment.exclude(pk__in=reached.values("roll_entry_id"))
    with transaction.atomic():
        call_list = CallList.objects.create(
            campaign=campaign,
            name=name,
            script=script,
            branch=branch,
            region=region,
            category=category,
            only_not_reached=only_not_reached,
            created_at=clock.now(),
        )
        size = targets_insert_select(call_list=call_list, entries=segment)
        call_list.size = size
        call_list.save(update_fields=["size"])
        audit_record(
            action="campaign.call_list_create",
            summary=f"{campaign.name}: built the call list {name} ({size:,} contacts)",
            actor=actor,
            actor_label=actor_label,
            contest=campaign.contest,
            target=call_list,
            data={
                "branch": getattr(branch, "code", None),
                "region": region,
                "category": category,
                "only_not_reached": only_not_reached,
                "size": size,
            },
        )
    return call_list


def session_create(
    *,
    campaign: Campaign,
    name: str,
    call_list: CallList,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: str = "",
    actor: Any = None,
    actor_label: str = "",
) -> PhoneBankSession:
    """Plan a phone-bank session (an evening at a venue) on one of the campaign's lists."""
    _ensure(policies.can_run_phone_bank(actor, campaign), actor)
    if call_list.campaign_id != campaign.pk:
        raise ServiceError("The call list belongs to another campaign.")
    if starts_at >= ends_at:
        raise ServiceError("A session must end after it starts.")
    with transaction.atomic():
        session = PhoneBankSession.objects.create(
            campaign=campaign,
            name=" ".join(name.split()) or "Phone bank",
            venue=venue.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            call_list=call_list,
        )
        audit_record(
            action="campaign.session_create",
            summary=f"{campaign.name}: planned the phone-bank session {session.name}",
            actor=actor,
            actor_label=actor_label,
            contest=campaign.contest,
            target=session,
        )
    return session


# -- Claims and calls ----------------------------------------------------------------------------


def _person_still_callable(person_id: int, *, skip_locked: bool = False) -> bool:
    """Lock the person's row, then re-read their consent and the register (decision 0014, 4).

    The lock orders this against a do-not-call being saved for them (which locks the row for
    update): whichever comes second sees the other's committed result. A claim passes
    ``skip_locked`` and treats a locked person as not callable now, so it never waits (and so
    never deadlocks with a save, which takes the person before the claim and the target).
    """
    locked = list(
        Person.objects.select_for_update(no_key=True, skip_locked=skip_locked)
        .filter(pk=person_id)
        .values_list("pk", flat=True)
    )
    if not locked:
        return False
    return (
        Person.objects.filter(pk=person_id, consent_phone=True).exists()
        and not DoNotCall.objects.filter(person_id=person_id).exists()
    )


def _ensure_calling_hours(campaign: Campaign, at: dt.datetime) -> None:
    if not selectors.calling_hours_open(campaign, at):
        raise ServiceError(
            f"Calls happen only in calling hours, {campaign.calling_starts:%H:%M} to "
            f"{campaign.calling_ends:%H:%M} ({campaign.time_zone}). Come back then."
        )


def claim_next(
    *, call_list: CallList, caller: Any, session: PhoneBankSession | None = None
) -> Claim | None:
    """Give the caller the next contact of the list to call, held for them; None when empty.

    A caller holds one contact at a time: a live claim is returned as it is. On PostgreSQL the
    target is picked with ``FOR UPDATE SKIP LOCKED``, so callers never queue behind each other;
    the partial unique index on live claims refuses a voter held through another list (then the
    next target is tried). No audit event: a claim is a short hold, recorded by the call it
    leads to.
    """
    campaign = call_list.campaign
    decision = policies.can_call(caller, campaign)
    if not decision:
        raise PermissionRefused(decision.reason)
    at = clock.now()
    _ensure_calling_hours(campaign, at)
    if session is not None and session.campaign_id != campaign.pk:
        raise ServiceError("The session belongs to another campaign.")
    with transaction.atomic():
        held = selectors.live_claim(caller, campaign, at)
        if held is not None:
            if _person_still_callable(held.roll_entry.person_id, skip_locked=True):
                return held
            Claim.objects.filter(pk=held.pk).update(is_active=False)  # withdrawn meanwhile
        passed_over: list[int] = []
        for _ in range(20):
            target = (
                selectors.targets_available(call_list, at)
                .exclude(pk__in=passed_over)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("roll_entry")
                .first()
            )
            if target is None:
                return None
            if not _person_still_callable(target.roll_entry.person_id, skip_locked=True):
                passed_over.append(target.pk)  # withdrawn, or being saved by someone: skip
                continue
            Claim.objects.filter(
                campaign=campaign, roll_entry_id=target.roll_entry_id, is_active=True
            ).filter(expires_at__lte=at).update(is_active=False)
            try:
                with transaction.atomic():
                    claim = Claim.objects.create(
                        campaign=campaign,
                        target=target,
                        roll_entry_id=target.roll_entry_id,
                        caller=caller,
                        session=session,
                        claimed_at=at,
                        expires_at=at + dt.timedelta(minutes=campaign.claim_minutes),
                    )
            except IntegrityError:
                passed_over.append(target.pk)  # held by another caller through another list
                continue
            return selectors.live_claim(caller, campaign, at) or claim
    raise ServiceError("Every contact offered was taken by another caller; try again.")


def claim_release(*, claim: Claim, caller: Any) -> None:
    """Give a held contact back to the list without calling them (e.g. the caller skips)."""
    if claim.caller_id != getattr(caller, "pk", None):
        raise PermissionRefused("This contact is held by another caller.")
    Claim.objects.filter(pk=claim.pk, is_active=True).update(is_active=False)


def _answers_check(script: Script, answers: dict[str, Any]) -> dict[str, str]:
    """Keep the answers to the script's questions, each one of its choices; refuse others."""
    cleaned: dict[str, str] = {}
    for question in script.questions:
        key = question["key"]
        value = answers.get(key)
        if value in (None, ""):
            continue
        when = question.get("when")
        if when and cleaned.get(when["key"]) not in when["in"]:
            continue  # the question was not asked
        if str(value) not in question["choices"]:
            raise ServiceError(
                f"“{question['text']}”: {value!r} is not one of its answers "
                f"({', '.join(question['choices'])})."
            )
        cleaned[key] = str(value)
    unknown = set(answers) - {q["key"] for q in script.questions}
    if unknown:
        raise ServiceError(f"The script has no question {sorted(unknown)[0]!r}.")
    return cleaned


def call_record(
    *,
    claim_id: int,
    caller: Any,
    outcome: str,
    answers: dict[str, Any] | None = None,
    call_back_at: dt.datetime | None = None,
) -> Call:
    """Save the outcome of a held contact's call: once, by its caller, re-checking do-not-call.

    A claim that lapsed is still saved if nobody has claimed the voter since (nothing lost);
    otherwise :class:`ClaimLost` is raised and nothing is written (nothing double-counted). A
    "do not call" withdraws the voter from every campaign (decision 0014, 4).
    """
    try:
        outcome = Outcome(outcome)
    except ValueError:
        raise ServiceError(
            f"{outcome!r} is not an outcome; choose one of {', '.join(Outcome.values)}."
        ) from None
    # Lock order, the same in every write that touches a voter: person, claim, target.
    person_id = (
        Claim.objects.filter(pk=claim_id).values_list("roll_entry__person_id", flat=True).first()
    )
    if person_id is None:
        raise ServiceError("This contact is no longer held; take the next contact.")
    with transaction.atomic():
        is_callable = _person_still_callable(person_id)
        # The time is read once the voter is locked, so saves of one voter are stamped in the
        # order they commit: a call can never look later than a "do not call" it preceded.
        at = clock.now()
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("campaign__contest", "campaign__candidate", "roll_entry", "target")
            .filter(pk=claim_id)
            .first()
        )
        if claim is None:
            raise ServiceError("This contact is no longer held; take the next contact.")
        if claim.caller_id != getattr(caller, "pk", None):
            raise PermissionRefused("This contact is held by another caller.")
        campaign = claim.campaign
        decision = policies.can_call(caller, campaign)
        if not decision:
            raise PermissionRefused(decision.reason)
        if Call.objects.filter(claim=claim).exists():
            raise AlreadySaved("This call was saved already; it is counted once.")
        if not claim.is_active or claim.expires_at <= at:
            taken = Claim.objects.filter(
                campaign=campaign,
                roll_entry_id=claim.roll_entry_id,
                claimed_at__gt=claim.claimed_at,
            ).exists()
            if taken:
                raise ClaimLost(
                    f"Your hold on this contact lapsed at {claim.expires_at:%H:%M} and another "
                    "caller has them now, so this call was not saved (they will record it). "
                    "Take the next contact."
                )
        if not is_callable:
            # Withdrawn meanwhile, by any campaign: keep nothing (the next claim ends the hold).
            raise ServiceError(
                "This voter has asked not to be called, so nothing about this call is kept. "
                "Take the next contact."
            )
        script = claim.target.call_list.script
        cleaned = _answers_check(script, answers or {}) if outcome == Outcome.ANSWERED else {}
        if outcome == Outcome.CALL_BACK:
            if call_back_at is None or call_back_at <= at:
                raise ServiceError("Give the time to call back, later than now.")
        else:
            call_back_at = None
        target = CallTarget.objects.select_for_update().get(pk=claim.target_id)
        call = Call.objects.create(
            campaign=campaign,
            claim=claim,
            target=target,
            roll_entry_id=claim.roll_entry_id,
            caller=caller,
            session=claim.session,
            script=script,
            outcome=outcome,
            answers=cleaned,
            call_back_at=call_back_at,
            called_at=at,
        )
        attempts = target.attempts + 1
        CallTarget.objects.filter(pk=target.pk).update(
            attempts=F("attempts") + 1,
            last_attempt_at=at,
            call_back_at=call_back_at,
            is_finished=outcome in FINAL_OUTCOMES or attempts >= campaign.max_attempts,
        )
        Claim.objects.filter(pk=claim.pk).update(is_active=False)
        if outcome == Outcome.DO_NOT_CALL:
            _do_not_call(person_id=person_id, campaign=campaign, caller=caller, at=at)
        # The audit names the caller and outcome, never the voter nor the answers.
        audit_record(
            action="campaign.call",
            summary=f"{campaign.name}: a call recorded ({outcome.label.lower()})",
            actor=caller,
            contest=campaign.contest,
            target=call,
            data={"campaign": campaign.pk, "outcome": str(outcome)},
        )
    return call


def _do_not_call(*, person_id: int, campaign: Campaign, caller: Any, at: dt.datetime) -> None:
    """Withdraw the voter from every campaign: register, roll consent, live claims."""
    person = Person.objects.get(pk=person_id)
    DoNotCall.objects.get_or_create(person=person, defaults={"recorded_at": at})
    # The register names no campaign; the audit (read by the office only) does.
    person_phone_consent_withdraw(
        person=person,
        contest=campaign.contest,
        actor=caller,
        data={"recorded_by_campaign": campaign.name},
    )
    Claim.objects.filter(roll_entry__person_id=person_id, is_active=True).update(is_active=False)
