"""Writes of nominations: rules, the parliamentary party list, parliamentary, branch and affiliate
nominations, candidate consent and withdrawal, and the validation that decides who is nominated.

A service given a signed-in ``actor`` checks the policy itself (so no interface can skip it);
``actor=None`` means a trusted caller such as the demo loader or the CLI.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from omov.contests.models import Candidate, CandidateStatus, Contest, ContestStatus
from omov.core import clock
from omov.core.errors import PermissionRefused, ServiceError
from omov.core.policies import Decision, is_returning_officer
from omov.core.services import audit_record
from omov.electorate.models import Affiliate, Branch, Category, EligibilityDecision
from omov.electorate.selectors import branch_eligible_member_count, roll_is_evaluated
from omov.nominations import policies, selectors
from omov.nominations.models import (
    AffiliateNomination,
    BranchMeeting,
    BranchMeetingVote,
    MeetingOutcome,
    MemberSignature,
    NominationRules,
    ParliamentaryKind,
    ParliamentaryMember,
    ParliamentaryNomination,
)


def ensure(actor: Any, decision: Decision) -> None:
    """Raise PermissionRefused when a signed-in (or anonymous) actor is not allowed."""
    if actor is not None and not decision:
        raise PermissionRefused(decision.reason)


def _ensure_open_for_nominations(contest: Contest) -> None:
    if contest.has_reached(ContestStatus.ROLL_FROZEN):
        raise ServiceError(
            f"Nominations for {contest.title} have closed (the contest is "
            f"{contest.get_status_display().lower()}); nothing can be recorded now."
        )


def _ensure_nominations_open(contest: Contest) -> None:
    _ensure_open_for_nominations(contest)
    if contest.status != ContestStatus.NOMINATIONS:
        raise ServiceError(
            f"Nominations for {contest.title} are not open yet; the returning officer opens them "
            "from the contest page."
        )


def _ensure_candidate(contest: Contest, candidate: Candidate) -> None:
    if candidate.contest_id != contest.pk:
        raise ServiceError(f"{candidate.name} is not a candidate in {contest.title}.")
    if candidate.status == CandidateStatus.WITHDRAWN:
        raise ServiceError(f"{candidate.name} has withdrawn and cannot be nominated.")


# Rules ------------------------------------------------------------------------------------------


def nomination_rules_set(
    *,
    contest: Contest,
    actor: Any = None,
    challenger_percent: Decimal,
    vacancy_percent: Decimal,
    is_parliamentary_threshold_required: bool = False,
    is_gate_enabled: bool = False,
    gate_branch_percent: Decimal | None = None,
    gate_affiliate_count: int | None = None,
    gate_branch_count: int | None = None,
    gate_signature_count: int | None = None,
    is_incumbent_exempt: bool = True,
) -> NominationRules:
    """Set who must nominate a candidate; refuse a gate with no route, or two branch routes.

    Every route is optional (decision 0012): the parliamentary threshold when
    ``is_parliamentary_threshold_required``, and a gate passed by any one of its routes given.
    """
    ensure(actor, policies.can_manage_nominations(actor, contest))
    _ensure_open_for_nominations(contest)
    routes = (gate_branch_percent, gate_branch_count, gate_affiliate_count, gate_signature_count)
    if is_gate_enabled and all(route is None for route in routes):
        raise ServiceError(
            "The gate is enabled but has no route: give a share of branches or a number of "
            "branches, a number of affiliates, or a number of members' signatures (a candidate "
            "passes with any one of them)."
        )
    if gate_branch_percent is not None and gate_branch_count is not None:
        raise ServiceError(
            "Give the branch route of the gate either as a share of all branches or as a number "
            "of branches, not both."
        )
    with transaction.atomic():
        rules, _ = NominationRules.objects.select_for_update().get_or_create(contest=contest)
        before = _rules_data(rules)
        rules.is_parliamentary_threshold_required = is_parliamentary_threshold_required
        rules.challenger_percent = Decimal(challenger_percent)
        rules.vacancy_percent = Decimal(vacancy_percent)
        rules.is_gate_enabled = is_gate_enabled
        rules.gate_branch_percent = (
            Decimal(gate_branch_percent) if gate_branch_percent is not None else None
        )
        rules.gate_affiliate_count = gate_affiliate_count
        rules.gate_branch_count = gate_branch_count
        rules.gate_signature_count = gate_signature_count
        rules.is_incumbent_exempt = is_incumbent_exempt
        try:
            rules.full_clean()
        except ValidationError as error:
            raise ServiceError(
                "The nomination rules are not valid — "
                + "; ".join(
                    f"{name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items()
                )
            ) from error
        rules.save()
        audit_record(
            action="nominations.rules_set",
            summary=f"Set nomination rules of {contest.title}",
            actor=actor,
            contest=contest,
            target=rules,
            data={"before": before, "after": _rules_data(rules)},
        )
    contest.nomination_rules = rules
    return rules


def _rules_data(rules: NominationRules) -> dict[str, Any]:
    return {
        "is_parliamentary_threshold_required": rules.is_parliamentary_threshold_required,
        "challenger_percent": str(rules.challenger_percent),
        "vacancy_percent": str(rules.vacancy_percent),
        "is_gate_enabled": rules.is_gate_enabled,
        "gate_branch_percent": (
            str(rules.gate_branch_percent) if rules.gate_branch_percent is not None else None
        ),
        "gate_affiliate_count": rules.gate_affiliate_count,
        "gate_branch_count": rules.gate_branch_count,
        "gate_signature_count": rules.gate_signature_count,
        "is_incumbent_exempt": rules.is_incumbent_exempt,
    }


# The parliamentary party -------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    """What an import of the parliamentary party list did."""

    created: int
    unchanged: int


PARLIAMENTARY_COLUMNS = ("name", "kind", "constituency")


def parliamentary_members_import(
    *, contest: Contest, csv_text: str, actor: Any = None, source: str = "the CSV file"
) -> ImportReport:
    """Add the MPs and MEPs listed in a CSV (name, kind mp|mep, constituency) to the contest.

    All or nothing: any bad row refuses the whole file, and the message names every bad line.
    Members already listed are left as they are, so the same file can be imported twice.
    """
    ensure(actor, policies.can_manage_nominations(actor, contest))
    _ensure_open_for_nominations(contest)
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in PARLIAMENTARY_COLUMNS if column not in header]
    if missing:
        raise ServiceError(
            f"{source}, line 1: the header must name the columns name, kind, constituency; "
            f"missing: {', '.join(missing)}."
        )
    rows: list[tuple[str, str, str]] = []
    errors: list[str] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in raw.items()}
        name, kind, constituency = (
            " ".join(row.get("name", "").split()),
            row.get("kind", "").lower(),
            " ".join(row.get("constituency", "").split()),
        )
        if not name:
            errors.append(f"line {line}, field name: the name is empty")
        if kind not in ParliamentaryKind.values:
            errors.append(f"line {line}, field kind: {kind!r} is not mp or mep")
        if not constituency:
            errors.append(f"line {line}, field constituency: the constituency is empty")
        key = (name, kind, constituency)
        if name and key in seen:
            errors.append(f"line {line}: repeats line {seen[key]}")
        seen.setdefault(key, line)
        rows.append(key)
    if errors:
        shown = "; ".join(errors[:20]) + ("; …" if len(errors) > 20 else "")
        raise ServiceError(
            f"{source} was not imported ({len(errors)} problem(s)): {shown}. Correct the file "
            "and import it again; nothing was changed."
        )
    if not rows:
        raise ServiceError(f"{source} lists no MPs or MEPs; nothing was imported.")
    with transaction.atomic():
        existing = set(
            ParliamentaryMember.objects.filter(contest=contest).values_list(
                "name", "kind", "constituency"
            )
        )
        new = [row for row in rows if row not in existing]
        ParliamentaryMember.objects.bulk_create(
            ParliamentaryMember(contest=contest, name=name, kind=kind, constituency=constituency)
            for name, kind, constituency in new
        )
        report = ImportReport(created=len(new), unchanged=len(rows) - len(new))
        audit_record(
            action="nominations.parliamentary_import",
            summary=(
                f"Imported the parliamentary party list from {source}: {report.created} added, "
                f"{report.unchanged} already listed"
            ),
            actor=actor,
            contest=contest,
            data={"created": report.created, "unchanged": report.unchanged},
        )
    return report


def parliamentary_nomination_record(
    *, member: ParliamentaryMember, candidate: Candidate, actor: Any = None
) -> ParliamentaryNomination:
    """Record an MP's or MEP's nomination; each nominates at most one candidate per contest."""
    return _supporting_nomination_record(
        model=ParliamentaryNomination,
        contest=member.contest,
        nominator={"member": member},
        nominator_name=member.name,
        one_candidate_each="an MP or MEP",
        candidate=candidate,
        actor=actor,
        action="nominations.parliamentary_record",
        summary=f"{member.name} ({member.get_kind_display()}) nominated {candidate.name}",
    )


def parliamentary_nomination_withdraw(
    *, nomination: ParliamentaryNomination, reason: str, actor: Any = None
) -> None:
    """Remove a parliamentary nomination recorded in error (returning officer, with a reason)."""
    _supporting_nomination_withdraw(
        nomination=nomination,
        nominator_name=nomination.member.name,
        reason=reason,
        actor=actor,
        action="nominations.parliamentary_withdraw",
    )


# Parliamentary and affiliate nominations, recorded and withdrawn alike ---------------------------
# One candidate per nominator (refused naming the candidate already nominated); withdrawn only
# with a reason. The public services above and below say who the nominator is and the wording.

_Nomination = TypeVar("_Nomination", ParliamentaryNomination, AffiliateNomination)


def _supporting_nomination_record(
    *,
    model: type[_Nomination],
    contest: Contest,
    nominator: dict[str, Any],
    nominator_name: str,
    one_candidate_each: str,
    candidate: Candidate,
    actor: Any,
    action: str,
    summary: str,
) -> _Nomination:
    """Create a nomination by ``nominator`` (the model's field and value); audit it.

    The database's unique constraint refuses a second nomination by the same nominator, even
    when two are recorded at once; the message names the candidate already nominated.
    """
    ensure(actor, policies.can_manage_nominations(actor, contest))
    _ensure_nominations_open(contest)
    _ensure_candidate(contest, candidate)
    try:
        with transaction.atomic():
            nomination = model._default_manager.create(
                contest=contest,
                candidate=candidate,
                recorded_at=clock.now(),
                recorded_by=_user(actor),
                **nominator,
            )
            audit_record(
                action=action, summary=summary, actor=actor, contest=contest, target=nomination
            )
    except IntegrityError:
        existing = model._default_manager.select_related("candidate").get(
            contest=contest, **nominator
        )
        raise ServiceError(
            f"{nominator_name} has already nominated {existing.candidate.name}; "
            f"{one_candidate_each} nominates one candidate only. Withdraw that nomination first "
            "if it was recorded in error."
        ) from None
    return nomination


def _supporting_nomination_withdraw(
    *,
    nomination: ParliamentaryNomination | AffiliateNomination,
    nominator_name: str,
    reason: str,
    actor: Any,
    action: str,
) -> None:
    """Delete a nomination recorded in error, auditing who withdrew it and why."""
    contest = nomination.contest
    ensure(actor, policies.can_manage_nominations(actor, contest))
    _ensure_open_for_nominations(contest)
    reason = reason.strip()
    if not reason:
        raise ServiceError("Give the reason the nomination is withdrawn; it goes in the audit.")
    with transaction.atomic():
        audit_record(
            action=action,
            summary=f"Withdrew {nominator_name}'s nomination of {nomination.candidate.name}",
            actor=actor,
            contest=contest,
            target=nomination,
            reason=reason,
        )
        nomination.delete()


# Branch meetings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingFigures:
    """The figures of a branch meeting as the secretary reports them."""

    held_on: dt.date
    attendance: int
    abstentions: int
    votes: dict[int, int]
    is_no_nomination: bool = False
    chair_decided_for: Candidate | None = None


def decide_nominee(
    votes: dict[int, int], chair_decided_for: int | None
) -> tuple[int | None, list[int]]:
    """Return (nominee id or None, ids tied for the most votes).

    The candidate with the most votes is nominated. When two or more tie for the most votes the
    branch makes no nomination, unless the meeting's chair decided for one of the tied candidates.
    """
    if not votes or max(votes.values()) == 0:
        return None, []
    top = max(votes.values())
    leaders = sorted(candidate for candidate, count in votes.items() if count == top)
    if len(leaders) == 1:
        return leaders[0], leaders
    if chair_decided_for in leaders:
        return chair_decided_for, leaders
    return None, leaders


def _check_figures(
    contest: Contest,
    branch: Branch,
    figures: MeetingFigures,
    candidates: dict[int, Candidate],
    *,
    eligible_members: int | None,
) -> tuple[str, Candidate | None]:
    """Validate a meeting's figures; return (outcome, nominee). Raise with every problem.

    Attendance is checked against ``eligible_members`` unless it is None (published figures).
    """
    problems: list[str] = []
    unknown = set(figures.votes) - set(candidates)
    if unknown:
        problems.append("votes were given for someone who is not a candidate in this contest")
    if any(count < 0 for count in figures.votes.values()):
        problems.append("votes cannot be negative")
    if figures.attendance < 0 or figures.abstentions < 0:
        problems.append("attendance and abstentions cannot be negative")
    if figures.held_on > clock.now().date():
        problems.append(f"the meeting date {figures.held_on:%d/%m/%Y} is in the future")
    cast = sum(figures.votes.values())
    needed = cast + figures.abstentions
    if figures.attendance < needed:
        problems.append(
            f"attendance ({figures.attendance}) is less than the votes cast ({cast}) plus "
            f"abstentions ({figures.abstentions}), which make {needed}. Everyone who voted or "
            f"abstained attended, so enter an attendance of at least {needed}, or correct the "
            "votes and abstentions"
        )
    if eligible_members is not None and figures.attendance > eligible_members:
        problems.append(
            f"attendance ({figures.attendance}) is more than the {eligible_members} eligible "
            f"member(s) of {branch.name}. Only eligible members may be counted as attending: "
            "count only them (if members joined the roll since it was last evaluated, ask the "
            "returning officer to evaluate it again)"
        )
    chair_id = figures.chair_decided_for.pk if figures.chair_decided_for else None
    nominee_id, leaders = decide_nominee(figures.votes, chair_id)
    if figures.is_no_nomination:
        if chair_id is not None:
            problems.append("a branch that makes no nomination has no chair's decision to record")
        outcome, nominee = MeetingOutcome.NO_NOMINATION, None
    else:
        if cast == 0:
            problems.append(
                "no votes were entered: enter the votes each candidate received, or record that "
                "the branch made no nomination"
            )
        if chair_id is not None and len(leaders) < 2:
            problems.append(
                "the chair's decision applies only when candidates tie for the most votes; leave "
                "it empty"
            )
        elif chair_id is not None and chair_id not in leaders:
            problems.append(
                "the chair can decide only between the candidates tied for the most votes"
            )
        outcome = MeetingOutcome.NOMINATED if nominee_id else MeetingOutcome.NO_NOMINATION
        nominee = candidates.get(nominee_id) if nominee_id else None
    if problems:
        raise ServiceError(
            f"The meeting of {branch.name} was not recorded: " + "; ".join(problems) + "."
        )
    return outcome, nominee


def branch_meeting_record(
    *,
    contest: Contest,
    branch: Branch,
    figures: MeetingFigures,
    actor: Any = None,
    correction_reason: str = "",
) -> BranchMeeting:
    """Record a branch's supporting-nomination meeting (one per branch per contest).

    A branch secretary records only their own branch, only within the branch nomination window,
    and only once. The returning officer may record for any branch, and corrects a recorded
    meeting by giving ``correction_reason`` (audited with the figures before and after).
    """
    ensure(actor, policies.can_record_meeting(actor, contest, branch))
    _ensure_nominations_open(contest)
    is_officer = actor is None or is_returning_officer(actor, contest)
    if not is_officer:
        _ensure_branch_window(contest)
    eligible_members = _eligible_members(contest, branch)
    candidates = {c.pk: c for c in selectors.nominating_candidates(contest)}
    outcome, nominee = _check_figures(
        contest, branch, figures, candidates, eligible_members=eligible_members
    )
    return _write_meeting(
        contest=contest,
        branch=branch,
        figures=figures,
        outcome=outcome,
        nominee=nominee,
        actor=actor,
        correction_reason=correction_reason.strip(),
    )


def _eligible_members(contest: Contest, branch: Branch) -> int:
    """Return how many members of ``branch`` may be counted at its meeting; refuse if unknown.

    Only eligible members may be counted as attending, and who is eligible is the roll's
    decision (``electorate.selectors.branch_eligible_member_count``): a member the rules rule out
    (joined after the freeze date, lapsed, in arrears) or an appeal turned down is not counted;
    one an appeal let in is. Before the roll is evaluated nobody has a decision. A fallback rule
    of our own (active members who joined by the freeze date) would show the secretary a figure
    the roll may later contradict, since it knows nothing of arrears, age or appeals, and a
    meeting accepted or refused on it could not be defended to the branch. Evaluating the roll
    is one step for the returning officer, needed before the freeze anyway, so the meeting waits
    for it and the message says who does what.
    """
    eligible = branch_eligible_member_count(contest, branch)
    if eligible is None:
        raise ServiceError(
            f"The meeting of {branch.name} was not recorded: the roll of {contest.title} has not "
            f"been evaluated yet, so nobody knows which members of {branch.name} are eligible "
            "to be counted as attending. The returning officer must evaluate the roll first "
            "(“Evaluate the roll” on the contest's roll page, or `omov roll evaluate`). Branch "
            "secretaries: ask the returning officer to evaluate it, then record the meeting again."
        )
    return eligible


def _ensure_branch_window(contest: Contest) -> None:
    opens, closes = contest.branch_nominations_open_at, contest.branch_nominations_close_at
    if opens is None or closes is None:
        raise ServiceError(
            "The returning officer has not set the branch nomination window yet, so meetings "
            "cannot be recorded."
        )
    at = clock.now()
    if at < opens:
        raise ServiceError(
            f"Branch nominations open on {_when(opens)}; record the meeting from then."
        )
    if at >= closes:
        raise ServiceError(
            f"Branch nominations closed on {_when(closes)}; ask the returning officer if a "
            "meeting was held in time but not recorded."
        )


def _when(at: dt.datetime) -> str:
    from django.utils import timezone

    return timezone.localtime(at).strftime("%-d %B %Y at %H:%M")


def _write_meeting(
    *,
    contest: Contest,
    branch: Branch,
    figures: MeetingFigures,
    outcome: str,
    nominee: Candidate | None,
    actor: Any,
    correction_reason: str,
    audit: bool = True,
) -> BranchMeeting:
    with transaction.atomic():
        existing = (
            BranchMeeting.objects.select_for_update().filter(contest=contest, branch=branch).first()
        )
        if existing is not None:
            ensure(actor, policies.can_correct_meeting(actor, contest))
            if not correction_reason:
                raise ServiceError(
                    f"The meeting of {branch.name} is already recorded. To correct it, give the "
                    "reason for the correction; it is kept in the audit trail."
                )
            before = _meeting_data(existing)
            meeting = existing
            meeting.corrected_at = clock.now()
            meeting.correction_reason = correction_reason
            meeting.votes.all().delete()
        else:
            meeting = BranchMeeting(
                contest=contest, branch=branch, recorded_at=clock.now(), recorded_by=_user(actor)
            )
            before = None
        meeting.held_on = figures.held_on
        meeting.attendance = figures.attendance
        meeting.abstentions = figures.abstentions
        meeting.outcome = outcome
        meeting.nominee = nominee
        meeting.chair_decided_for = figures.chair_decided_for
        try:
            with transaction.atomic():
                meeting.save()
        except IntegrityError:
            raise ServiceError(
                f"The meeting of {branch.name} was recorded by someone else a moment ago; "
                "reload the page to see it."
            ) from None
        BranchMeetingVote.objects.bulk_create(
            BranchMeetingVote(meeting=meeting, candidate_id=candidate_id, votes=count)
            for candidate_id, count in sorted(figures.votes.items())
        )
        if audit:
            result = nominee.name if nominee else "no nomination"
            audit_record(
                action=(
                    "nominations.branch_meeting_correct"
                    if before
                    else "nominations.branch_meeting_record"
                ),
                summary=(
                    f"{'Corrected' if before else 'Recorded'} the meeting of {branch.name}: "
                    f"{result}"
                ),
                actor=actor,
                contest=contest,
                target=meeting,
                reason=correction_reason if before else "",
                data={"before": before, "after": _meeting_data(meeting, figures.votes)},
            )
    return meeting


def _meeting_data(meeting: BranchMeeting, votes: dict[int, int] | None = None) -> dict[str, Any]:
    if votes is None:
        votes = dict(meeting.votes.values_list("candidate_id", "votes"))
    return {
        "held_on": meeting.held_on.isoformat(),
        "attendance": meeting.attendance,
        "abstentions": meeting.abstentions,
        "votes": {str(candidate): count for candidate, count in votes.items()},
        "outcome": meeting.outcome,
        "nominee": meeting.nominee_id,
        "chair_decided_for": meeting.chair_decided_for_id,
    }


# Affiliates --------------------------------------------------------------------------------------


def affiliate_nomination_record(
    *, contest: Contest, affiliate: Affiliate, candidate: Candidate, actor: Any = None
) -> AffiliateNomination:
    """Record an affiliate's supporting nomination: one candidate per affiliate per contest."""
    return _supporting_nomination_record(
        model=AffiliateNomination,
        contest=contest,
        nominator={"affiliate": affiliate},
        nominator_name=affiliate.name,
        one_candidate_each="an affiliate",
        candidate=candidate,
        actor=actor,
        action="nominations.affiliate_record",
        summary=f"{affiliate.name} nominated {candidate.name}",
    )


def affiliate_nomination_withdraw(
    *, nomination: AffiliateNomination, reason: str, actor: Any = None
) -> None:
    """Remove an affiliate nomination recorded in error (returning officer, with a reason)."""
    _supporting_nomination_withdraw(
        nomination=nomination,
        nominator_name=nomination.affiliate.name,
        reason=reason,
        actor=actor,
        action="nominations.affiliate_withdraw",
    )


# Members' signatures ---------------------------------------------------------------------------


def member_signatures_record(
    *,
    contest: Contest,
    candidate: Candidate,
    external_ids: list[str],
    actor: Any = None,
    source: str = "the list",
) -> int:
    """Record members' signatures on a candidate's nomination paper; return how many were added.

    All or nothing: every signatory must be a member eligible on the contest's roll (so the roll
    must have been evaluated) and may sign for one candidate only; the message names every
    membership number refused. Signatures already recorded for this candidate are left as they
    are, so the same list can be recorded twice.
    """
    ensure(actor, policies.can_manage_nominations(actor, contest))
    _ensure_nominations_open(contest)
    _ensure_candidate(contest, candidate)
    wanted = list(dict.fromkeys(" ".join(str(i).split()) for i in external_ids if str(i).strip()))
    if not wanted:
        raise ServiceError(f"{source} names no member; nothing was recorded.")
    if not roll_is_evaluated(contest):
        raise ServiceError(
            f"The roll of {contest.title} has not been evaluated yet, so nobody knows who is an "
            "eligible member: evaluate the roll first (`omov roll evaluate`), then record the "
            "signatures again."
        )
    with transaction.atomic():
        eligible = dict(
            EligibilityDecision.objects.filter(
                contest=contest,
                is_eligible=True,
                person__category=Category.MEMBER,
                person__external_id__in=wanted,
            ).values_list("person__external_id", "person_id")
        )
        signed = dict(
            MemberSignature.objects.filter(contest=contest, person_id__in=eligible.values())
            .select_related("candidate")
            .values_list("person_id", "candidate__name")
        )
        problems = [
            f"{i} is not an eligible member on the roll" for i in wanted if i not in eligible
        ]
        problems += [
            f"{i} has already signed for {signed[eligible[i]]}"
            for i in wanted
            if i in eligible and signed.get(eligible[i], candidate.name) != candidate.name
        ]
        if problems:
            shown = "; ".join(problems[:20]) + ("; …" if len(problems) > 20 else "")
            raise ServiceError(
                f"The signatures in {source} were not recorded ({len(problems)} problem(s)): "
                f"{shown}. A member signs one nomination paper only. Correct the list and record "
                "it again; nothing was changed."
            )
        new = [eligible[i] for i in wanted if eligible[i] not in signed]
        at, user = clock.now(), _user(actor)
        MemberSignature.objects.bulk_create(
            MemberSignature(
                contest=contest,
                candidate=candidate,
                person_id=person,
                recorded_at=at,
                recorded_by=user,
            )
            for person in new
        )
        audit_record(
            action="nominations.signatures_record",
            summary=(
                f"Recorded {len(new)} members' signatures for {candidate.name} from {source} "
                f"({len(wanted) - len(new)} already recorded)"
            ),
            actor=actor,
            contest=contest,
            target=candidate,
            data={"added": len(new), "already": len(wanted) - len(new)},
        )
    return len(new)


# Candidates --------------------------------------------------------------------------------------


def candidate_consent_record(*, candidate: Candidate, actor: Any = None) -> Candidate:
    """Record that the candidate consents to stand (returning officer or the candidate's agent)."""
    contest = candidate.contest
    ensure(actor, policies.can_record_consent(actor, candidate))
    _ensure_open_for_nominations(contest)
    if candidate.status == CandidateStatus.WITHDRAWN:
        raise ServiceError(f"{candidate.name} has withdrawn; there is no consent to record.")
    if candidate.consented_at is not None:
        raise ServiceError(f"{candidate.name}'s consent is already recorded.")
    with transaction.atomic():
        candidate.consented_at = clock.now()
        candidate.save(update_fields=["consented_at"])
        audit_record(
            action="nominations.consent_record",
            summary=f"Recorded {candidate.name}'s consent to stand",
            actor=actor,
            contest=contest,
            target=candidate,
        )
    return candidate


def candidate_withdraw(*, candidate: Candidate, reason: str, actor: Any = None) -> Candidate:
    """Withdraw a candidate before the roll is frozen (returning officer, with a reason)."""
    contest = candidate.contest
    ensure(actor, policies.can_manage_nominations(actor, contest))
    _ensure_open_for_nominations(contest)
    if not reason.strip():
        raise ServiceError("Give the reason the candidate withdraws; it goes in the audit.")
    with transaction.atomic():
        candidate.status = CandidateStatus.WITHDRAWN
        candidate.save(update_fields=["status"])
        audit_record(
            action="nominations.candidate_withdraw",
            summary=f"{candidate.name} withdrew",
            actor=actor,
            contest=contest,
            target=candidate,
            reason=reason.strip(),
        )
    return candidate


def nominations_validate(
    *, contest: Contest, actor: Any = None
) -> list[selectors.CandidateStanding]:
    """Decide who is validly nominated: threshold (or incumbent), gate if enabled, and consent.

    Candidates who meet every requirement become ``nominated``; a nominated candidate who no
    longer does (a nomination was withdrawn) goes back to seeking nominations. Each change is
    audited. Returns every candidate's standing.
    """
    ensure(actor, policies.can_manage_nominations(actor, contest))
    _ensure_open_for_nominations(contest)
    with transaction.atomic():
        summary = selectors.nominations_summary(contest)
        changed = []
        for standing in summary.standings:
            candidate = standing.candidate
            wanted = (
                CandidateStatus.NOMINATED
                if standing.is_eligible_to_be_nominated
                else CandidateStatus.PROPOSED
            )
            if candidate.status != wanted:
                candidate.status = wanted
                candidate.save(update_fields=["status"])
                changed.append(candidate.name)
                audit_record(
                    action="nominations.candidate_status",
                    summary=(
                        f"{candidate.name} is "
                        + ("" if wanted == CandidateStatus.NOMINATED else "not ")
                        + "validly nominated"
                        + (f": {'; '.join(standing.problems)}" if standing.problems else "")
                    ),
                    actor=actor,
                    contest=contest,
                    target=candidate,
                    data={"status": wanted},
                )
        audit_record(
            action="nominations.validate",
            summary=(
                f"Validated nominations: {len(changed)} change(s)"
                + (f" ({', '.join(changed)})" if changed else "")
            ),
            actor=actor,
            contest=contest,
            target=contest,
        )
    return summary.standings


def freeze_roll_blockers(contest: Contest) -> list[str]:
    """List what stops the roll being frozen: the ballot's candidates settled and consenting.

    Every candidate on the ballot (validly nominated) must have consented and must still meet the
    requirements, and no candidate who now meets them may be left off: either way the returning
    officer validates nominations first. Candidates who never met the requirements are simply not
    on the ballot.
    """
    summary = selectors.nominations_summary(contest)
    blockers = []
    nominated = 0
    for standing in summary.standings:
        candidate = standing.candidate
        if candidate.status == CandidateStatus.NOMINATED:
            nominated += 1
            if not standing.has_consented:
                blockers.append(
                    f"every candidate on the ballot must have consented: record "
                    f"{candidate.name}'s consent"
                )
            elif not standing.is_eligible_to_be_nominated:
                blockers.append(
                    f"{candidate.name} no longer meets the nomination requirements "
                    f"({'; '.join(standing.problems)}): validate nominations"
                )
        elif standing.is_eligible_to_be_nominated:
            blockers.append(
                f"{candidate.name} meets the nomination requirements but is not yet validly "
                "nominated: validate nominations"
            )
    if not nominated:
        blockers.append("no candidate is validly nominated yet: validate nominations")
    return blockers


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None
