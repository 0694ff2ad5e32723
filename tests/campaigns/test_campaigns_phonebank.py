"""The phone bank through its services: release, claims, outcomes, do-not-call, lapsed claims."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from campaigns_support import EVENING, QUESTIONS, Campaigns, open_contest_with_roll
from omov.campaigns import selectors, services
from omov.campaigns.models import Call, CallTarget, Claim, DoNotCall, Outcome
from omov.contests.models import CandidateStatus, ContestStatus
from omov.core.errors import Blocked, PermissionRefused, ServiceError
from omov.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_roll_is_released_only_when_every_nominated_candidate_has_a_campaign(
    contest: Any, evening: Any
) -> None:
    contest.candidates.update(status=CandidateStatus.NOMINATED)
    with pytest.raises(Blocked) as refused:
        services.roll_release(contest=contest)
    assert "freeze the roll first" in refused.value.message
    open_contest_with_roll(contest, 3)
    services.campaign_create(candidate=contest.candidates.get(name="Jeremy Corbyn"))
    with pytest.raises(Blocked) as refused:
        services.roll_release(contest=contest)
    assert refused.value.blockers == [
        "create Owen Smith's campaign (every nominated candidate has one)"
    ]
    services.campaign_create(candidate=contest.candidates.get(name="Owen Smith"))
    release = services.roll_release(contest=contest)
    assert release.roll_released_at == EVENING
    event = AuditEvent.objects.get(action="campaign.release_roll")
    assert event.data["phone_contacts"] == 3
    with pytest.raises(Blocked, match="released to the campaigns already"):
        services.roll_release(contest=contest)


def test_a_campaign_needs_a_nominated_candidate(contest: Any) -> None:
    with pytest.raises(ServiceError, match="Owen Smith is not a nominated candidate"):
        services.campaign_create(candidate=contest.candidates.get(name="Owen Smith"))


def test_both_campaigns_see_the_same_contact_list(campaigns: Campaigns) -> None:
    assert campaigns.corbyn_list.size == campaigns.smith_list.size == 30
    assert set(
        CallTarget.objects.filter(call_list=campaigns.corbyn_list).values_list("roll_entry", flat=1)
    ) == set(
        CallTarget.objects.filter(call_list=campaigns.smith_list).values_list("roll_entry", flat=1)
    )


def test_a_caller_holds_one_contact_at_a_time_and_two_callers_never_share_one(
    campaigns: Campaigns,
) -> None:
    caller, other = campaigns.people["corbyn_caller"], campaigns.people["corbyn_caller2"]
    first = services.claim_next(call_list=campaigns.corbyn_list, caller=caller)
    again = services.claim_next(call_list=campaigns.corbyn_list, caller=caller)
    theirs = services.claim_next(call_list=campaigns.corbyn_list, caller=other)
    assert first is not None and again is not None and theirs is not None
    assert first.pk == again.pk
    assert theirs.roll_entry_id != first.roll_entry_id


def test_a_caller_of_another_campaign_cannot_claim_from_this_list(campaigns: Campaigns) -> None:
    with pytest.raises(PermissionRefused, match="only for the campaign you work for"):
        services.claim_next(
            call_list=campaigns.corbyn_list, caller=campaigns.people["smith_caller"]
        )


def test_answers_are_saved_once_with_the_script_version(campaigns: Campaigns) -> None:
    caller = campaigns.people["corbyn_caller"]
    claim = services.claim_next(call_list=campaigns.corbyn_list, caller=caller)
    assert claim is not None
    call = services.call_record(
        claim_id=claim.pk,
        caller=caller,
        outcome="answered",
        answers={"support": "5", "will_vote": "yes", "volunteer": "yes"},
    )
    assert call.script.version == 1 and call.answers["volunteer"] == "yes"
    with pytest.raises(services.AlreadySaved):
        services.call_record(claim_id=claim.pk, caller=caller, outcome="answered")
    assert Call.objects.count() == 1
    assert CallTarget.objects.get(pk=claim.target_id).is_finished


def test_a_question_whose_condition_fails_is_not_kept(campaigns: Campaigns) -> None:
    caller = campaigns.people["corbyn_caller"]
    claim = services.claim_next(call_list=campaigns.corbyn_list, caller=caller)
    call = services.call_record(
        claim_id=claim.pk,
        caller=caller,
        outcome="answered",
        answers={"support": "2", "volunteer": "yes"},
    )
    assert call.answers == {"support": "2"}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"support": "9"}, "'9' is not one of its answers"),
        ({"mood": "happy"}, "The script has no question 'mood'"),
    ],
)
def test_a_bad_answer_is_refused_and_nothing_is_saved(
    campaigns: Campaigns, answers: dict[str, str], message: str
) -> None:
    caller = campaigns.people["corbyn_caller"]
    claim = services.claim_next(call_list=campaigns.corbyn_list, caller=caller)
    with pytest.raises(ServiceError, match=message):
        services.call_record(claim_id=claim.pk, caller=caller, outcome="answered", answers=answers)
    assert not Call.objects.exists()


def test_no_answer_comes_back_after_the_cooldown_until_the_maximum(
    campaigns: Campaigns, evening: Any
) -> None:
    caller = campaigns.people["corbyn_caller"]
    campaigns.corbyn.max_attempts = 2
    campaigns.corbyn.save()
    claim = services.claim_next(call_list=campaigns.corbyn_list, caller=caller)
    entry = claim.roll_entry_id
    services.call_record(claim_id=claim.pk, caller=caller, outcome="no_answer")
    available = selectors.targets_available(campaigns.corbyn_list, EVENING)
    assert entry not in available.values_list("roll_entry_id", flat=True)
    later = EVENING + dt.timedelta(minutes=campaigns.corbyn.cooldown_minutes)
    available = selectors.targets_available(campaigns.corbyn_list, later)
    assert entry in available.values_list("roll_entry_id", flat=True)
    target = CallTarget.objects.get(pk=claim.target_id)
    assert target.attempts == 1 and not target.is_finished


def test_calls_happen_only_in_calling_hours(campaigns: Campaigns, evening: Any) -> None:
    evening.move_to(dt.datetime(2016, 8, 23, 20, 30, tzinfo=dt.UTC))  # 21:30 in London
    with pytest.raises(ServiceError, match="only in calling hours, 09:00 to 21:00"):
        services.claim_next(
            call_list=campaigns.corbyn_list, caller=campaigns.people["corbyn_caller"]
        )


def test_access_ends_when_the_ballot_closes(campaigns: Campaigns) -> None:
    campaigns.contest.status = ContestStatus.CLOSED
    campaigns.contest.save()
    with pytest.raises(PermissionRefused, match="The ballot has closed"):
        services.claim_next(
            call_list=campaigns.corbyn_list, caller=campaigns.people["corbyn_caller"]
        )


def test_a_do_not_call_withdraws_the_voter_from_the_other_campaign(campaigns: Campaigns) -> None:
    corbyn_caller, smith_caller = (
        campaigns.people["corbyn_caller"],
        campaigns.people["smith_caller"],
    )
    smith_claim = services.claim_next(call_list=campaigns.smith_list, caller=smith_caller)
    voter = smith_claim.roll_entry
    # The Corbyn caller reaches the same voter (held by Smith's side in their own campaign).
    target = CallTarget.objects.get(call_list=campaigns.corbyn_list, roll_entry=voter)
    corbyn_claim = Claim.objects.create(
        campaign=campaigns.corbyn,
        target=target,
        roll_entry=voter,
        caller=corbyn_caller,
        claimed_at=EVENING,
        expires_at=EVENING + dt.timedelta(minutes=10),
    )
    services.call_record(claim_id=corbyn_claim.pk, caller=corbyn_caller, outcome="do_not_call")
    voter.person.refresh_from_db()
    assert not voter.person.consent_phone
    assert DoNotCall.objects.filter(person=voter.person).exists()
    assert not selectors.contact_list(campaigns.contest).filter(pk=voter.pk).exists()
    smith_open = selectors.targets_available(campaigns.smith_list, EVENING)
    assert voter.pk not in smith_open.values_list("roll_entry_id", flat=True)
    # Smith's caller, mid-call, cannot save anything about them.
    with pytest.raises(ServiceError, match="asked not to be called"):
        services.call_record(claim_id=smith_claim.pk, caller=smith_caller, outcome="answered")
    assert not Call.objects.filter(campaign=campaigns.smith).exists()
    # The register names no campaign; only the office's audit trail does.
    assert {f.name for f in DoNotCall._meta.get_fields()} == {"id", "person", "recorded_at"}
    event = AuditEvent.objects.get(action="person.phone_consent_withdraw")
    assert event.contest == campaigns.contest
    assert event.data == {"recorded_by_campaign": campaigns.corbyn.name}


def test_a_lapsed_claim_is_saved_when_nobody_took_the_voter(
    campaigns: Campaigns, evening: Any
) -> None:
    caller = campaigns.people["corbyn_caller"]
    claim = services.claim_next(call_list=campaigns.corbyn_list, caller=caller)
    evening.shift(dt.timedelta(minutes=30))
    call = services.call_record(claim_id=claim.pk, caller=caller, outcome="busy")
    assert call.outcome == Outcome.BUSY


def test_a_lapsed_claim_taken_by_another_caller_saves_nothing(
    campaigns: Campaigns, evening: Any
) -> None:
    caller, other = campaigns.people["corbyn_caller"], campaigns.people["corbyn_caller2"]
    campaigns.corbyn.cooldown_minutes = 0
    campaigns.corbyn.save()
    campaigns.corbyn_list.targets.exclude(
        roll_entry=services.claim_next(call_list=campaigns.corbyn_list, caller=caller).roll_entry
    ).update(is_finished=True)
    claim = Claim.objects.get(caller=caller)
    evening.shift(dt.timedelta(minutes=11))
    theirs = services.claim_next(call_list=campaigns.corbyn_list, caller=other)
    assert theirs is not None and theirs.roll_entry_id == claim.roll_entry_id
    with pytest.raises(services.ClaimLost, match="another caller has them now"):
        services.call_record(claim_id=claim.pk, caller=caller, outcome="answered")
    services.call_record(claim_id=theirs.pk, caller=other, outcome="answered")
    assert Call.objects.count() == 1


def test_a_script_gets_a_new_version_and_bad_questions_are_refused(campaigns: Campaigns) -> None:
    second = services.script_create(campaign=campaigns.corbyn, name="Evening", questions=QUESTIONS)
    assert second.version == 2
    with pytest.raises(ServiceError, match="question 1 \\(x\\): give at least two choices"):
        services.script_create(
            campaign=campaigns.corbyn,
            name="Bad",
            questions=[{"key": "x", "text": "?", "choices": ["only"]}],
        )


def test_the_empty_list_panel_says_why(campaigns: Campaigns) -> None:
    caller = campaigns.people["corbyn_caller"]
    claim = services.claim_next(call_list=campaigns.corbyn_list, caller=caller)
    services.call_record(claim_id=claim.pk, caller=caller, outcome="no_answer")
    reasons = selectors.empty_list_reasons(campaigns.corbyn_list, EVENING)
    assert reasons.open_targets == 30 and reasons.cooldown == 1 and reasons.available == 29
    assert reasons.is_calling_hours


def test_a_caller_holding_a_voter_who_opted_out_gets_the_next_contact(
    campaigns: Campaigns,
) -> None:
    caller = campaigns.people["smith_caller"]
    claim = services.claim_next(call_list=campaigns.smith_list, caller=caller)
    DoNotCall.objects.create(person=claim.roll_entry.person, recorded_at=EVENING)
    with pytest.raises(ServiceError, match="asked not to be called"):
        services.call_record(claim_id=claim.pk, caller=caller, outcome="answered")
    following = services.claim_next(call_list=campaigns.smith_list, caller=caller)
    assert following is not None and following.roll_entry_id != claim.roll_entry_id
