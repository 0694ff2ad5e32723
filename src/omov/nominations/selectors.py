"""Reads of nominations: thresholds, each candidate's standing, meetings, and the review queue.

Every share and threshold is computed with exact fractions; only the text shown to people is
rounded (half up, one decimal place).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from omov.contests.models import Candidate, CandidateStatus, Contest, ContestStatus
from omov.core import clock
from omov.electorate.models import Branch
from omov.nominations.models import (
    AffiliateNomination,
    ApplicationStatus,
    BranchMeeting,
    BranchMeetingVote,
    FlagKind,
    MeetingOutcome,
    MemberSignature,
    NominationRules,
    ParliamentaryKind,
    ParliamentaryMember,
    ParliamentaryNomination,
    SupporterApplication,
    SupporterFlag,
)


def percent_text(share: Fraction | None) -> str:
    """Return a share as a percentage with one decimal place, rounded half up: '84.3%'."""
    if share is None:
        return "—"
    value = Decimal(share.numerator * 100) / Decimal(share.denominator)
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def threshold_of(percent: Decimal, total: int) -> int:
    """Return the smallest whole number that is at least ``percent`` % of ``total``."""
    return math.ceil(Fraction(percent) / 100 * total)


def rules_for(contest: Contest) -> NominationRules:
    """Return the contest's nomination rules, or the defaults (unsaved) when none were set.

    The defaults switch every route off, whatever the contest's kind: a candidate who consents
    is nominated until the contest says who must nominate (decision 0012).
    """
    try:
        return contest.nomination_rules
    except NominationRules.DoesNotExist:
        return NominationRules(contest=contest)


@dataclass(frozen=True)
class ParliamentaryThreshold:
    """How many MPs and MEPs a challenger needs, and why."""

    percent: Decimal
    total: int
    mps: int
    meps: int
    threshold: int
    is_vacancy: bool
    is_required: bool


def parliamentary_threshold(contest: Contest) -> ParliamentaryThreshold:
    """Return the parliamentary threshold: ceil(percent × number of MPs and MEPs)."""
    rules = rules_for(contest)
    percent = rules.vacancy_percent if contest.is_vacancy else rules.challenger_percent
    counts = Counter(
        ParliamentaryMember.objects.filter(contest=contest).values_list("kind", flat=True)
    )
    mps, meps = counts[ParliamentaryKind.MP], counts[ParliamentaryKind.MEP]
    return ParliamentaryThreshold(
        percent=percent,
        total=mps + meps,
        mps=mps,
        meps=meps,
        threshold=threshold_of(percent, mps + meps),
        is_vacancy=contest.is_vacancy,
        is_required=rules.is_parliamentary_threshold_required,
    )


@dataclass(frozen=True)
class GateRule:
    """The optional gate: branches (a share of all of them, or a number), OR affiliates, OR
    members' signatures; any one route given is enough."""

    is_enabled: bool
    branch_percent: Decimal | None
    branch_threshold: int | None
    total_branches: int
    affiliate_count: int | None
    signature_count: int | None = None
    branch_count: int | None = None

    def describe(self) -> str:
        """Return the gate in words, e.g. '5% of all branches (32 of 632) or 3 affiliates'."""
        if not self.is_enabled:
            return "No gate."
        routes = []
        if self.branch_percent is not None:
            routes.append(
                f"{self.branch_percent.normalize():f}% of all branches ({self.branch_threshold} "
                f"of {self.total_branches})"
            )
        elif self.branch_count is not None:
            routes.append(f"{self.branch_count} of the {self.total_branches} branches")
        if self.affiliate_count is not None:
            routes.append(f"{self.affiliate_count} affiliates")
        if self.signature_count is not None:
            routes.append(f"{self.signature_count} members' signatures")
        return " or ".join(routes) + "."


def gate_rule(contest: Contest) -> GateRule:
    """Return the contest's gate with the branch threshold worked out from all branches."""
    rules = rules_for(contest)
    total = Branch.objects.count()
    if rules.gate_branch_percent is not None:
        branch_threshold: int | None = threshold_of(rules.gate_branch_percent, total)
    else:
        branch_threshold = rules.gate_branch_count
    return GateRule(
        is_enabled=rules.is_gate_enabled,
        branch_percent=rules.gate_branch_percent,
        branch_threshold=branch_threshold,
        total_branches=total,
        affiliate_count=rules.gate_affiliate_count,
        signature_count=rules.gate_signature_count,
        branch_count=rules.gate_branch_count,
    )


@dataclass(frozen=True)
class CandidateStanding:
    """Where one candidate stands: nominations of each kind and whether they are enough."""

    candidate: Candidate
    is_exempt: bool
    mps: int
    meps: int
    parliamentary_share: Fraction | None
    meets_threshold: bool
    branches: int
    branch_share: Fraction | None
    affiliates: int
    passes_gate: bool | None
    has_consented: bool
    problems: list[str] = field(default_factory=list)
    signatures: int = 0
    nominating_share: Fraction | None = None

    @property
    def parliamentary(self) -> int:
        return self.mps + self.meps

    @property
    def parliamentary_percent(self) -> str:
        return percent_text(self.parliamentary_share)

    @property
    def branch_percent(self) -> str:
        """The candidate's branches as a share of all branches, as the gate counts them."""
        return percent_text(self.branch_share)

    @property
    def nominating_percent(self) -> str:
        """The candidate's branches as a share of the branches that nominated anyone.

        The figure parties publish (Labour 2016: 285 of the 338 nominating CLPs, 84.3%); the
        pages show it beside the gate's share of all branches and say which is which.
        """
        return percent_text(self.nominating_share)

    @property
    def is_eligible_to_be_nominated(self) -> bool:
        """True when every requirement is met: threshold (or incumbent), gate, consent."""
        return not self.problems


@dataclass(frozen=True)
class NominationsSummary:
    """Everything the nominations page shows."""

    threshold: ParliamentaryThreshold
    gate: GateRule
    standings: list[CandidateStanding]
    meetings_recorded: int
    nominating_branches: int
    no_nomination_branches: int
    total_branches: int
    affiliates_nominating: int
    signatures: int = 0
    is_incumbent_exempt: bool = True


def nominations_summary(contest: Contest) -> NominationsSummary:
    """Work out every candidate's standing from the recorded nominations (a few queries)."""
    threshold = parliamentary_threshold(contest)
    gate = gate_rule(contest)
    parliamentary = Counter(
        ParliamentaryNomination.objects.filter(contest=contest).values_list(
            "candidate_id", "member__kind"
        )
    )
    meetings = BranchMeeting.objects.filter(contest=contest)
    outcomes = Counter(meetings.values_list("outcome", flat=True))
    nominating = outcomes[MeetingOutcome.NOMINATED]
    branch_counts = Counter(
        meetings.filter(outcome=MeetingOutcome.NOMINATED).values_list("nominee_id", flat=True)
    )
    affiliate_counts = Counter(
        AffiliateNomination.objects.filter(contest=contest).values_list("candidate_id", flat=True)
    )
    signature_counts = Counter(
        MemberSignature.objects.filter(contest=contest).values_list("candidate_id", flat=True)
    )
    is_incumbent_exempt = rules_for(contest).is_incumbent_exempt
    standings = []
    for candidate in contest.candidates.exclude(status=CandidateStatus.WITHDRAWN):
        standings.append(
            _standing(
                contest,
                candidate,
                threshold,
                gate,
                mps=parliamentary[(candidate.pk, ParliamentaryKind.MP)],
                meps=parliamentary[(candidate.pk, ParliamentaryKind.MEP)],
                branches=branch_counts[candidate.pk],
                nominating=nominating,
                affiliates=affiliate_counts[candidate.pk],
                signatures=signature_counts[candidate.pk],
                is_incumbent_exempt=is_incumbent_exempt,
            )
        )
    return NominationsSummary(
        threshold=threshold,
        gate=gate,
        standings=standings,
        meetings_recorded=sum(outcomes.values()),
        nominating_branches=nominating,
        no_nomination_branches=outcomes[MeetingOutcome.NO_NOMINATION],
        total_branches=gate.total_branches,
        affiliates_nominating=sum(affiliate_counts.values()),
        signatures=sum(signature_counts.values()),
        is_incumbent_exempt=is_incumbent_exempt,
    )


def _standing(
    contest: Contest,
    candidate: Candidate,
    threshold: ParliamentaryThreshold,
    gate: GateRule,
    *,
    mps: int,
    meps: int,
    branches: int,
    nominating: int,
    affiliates: int,
    signatures: int,
    is_incumbent_exempt: bool,
) -> CandidateStanding:
    is_exempt = candidate.is_incumbent and not contest.is_vacancy and is_incumbent_exempt
    meets_threshold = (
        is_exempt
        or not threshold.is_required
        or (threshold.total > 0 and mps + meps >= threshold.threshold)
    )
    passes_gate: bool | None = None
    if gate.is_enabled:
        by_branches = gate.branch_threshold is not None and branches >= gate.branch_threshold
        by_affiliates = gate.affiliate_count is not None and affiliates >= gate.affiliate_count
        by_signatures = gate.signature_count is not None and signatures >= gate.signature_count
        passes_gate = is_exempt or by_branches or by_affiliates or by_signatures
    problems = []
    if not meets_threshold:
        if threshold.total == 0:
            problems.append("the parliamentary party list is empty: import it first")
        else:
            problems.append(
                f"has {mps + meps} of the {threshold.threshold} parliamentary nominations needed"
            )
    if passes_gate is False:
        problems.append(f"has not passed the gate ({gate.describe().rstrip('.')})")
    if candidate.consented_at is None:
        problems.append("has not consented to stand")
    return CandidateStanding(
        candidate=candidate,
        is_exempt=is_exempt,
        mps=mps,
        meps=meps,
        parliamentary_share=Fraction(mps + meps, threshold.total) if threshold.total else None,
        meets_threshold=meets_threshold,
        branches=branches,
        # The share the gate counts: of all branches, not only those that nominated someone.
        branch_share=Fraction(branches, gate.total_branches) if gate.total_branches else None,
        affiliates=affiliates,
        passes_gate=passes_gate,
        has_consented=candidate.consented_at is not None,
        problems=problems,
        signatures=signatures,
        nominating_share=Fraction(branches, nominating) if nominating else None,
    )


def candidate_standing(candidate: Candidate) -> CandidateStanding:
    """Return one candidate's standing."""
    summary = nominations_summary(candidate.contest)
    for standing in summary.standings:
        if standing.candidate.pk == candidate.pk:
            return standing
    raise LookupError(f"{candidate} has withdrawn.")


def meetings_of(contest: Contest) -> QuerySet[BranchMeeting]:
    """Return the contest's branch meetings with their votes, branch and nominee."""
    return (
        BranchMeeting.objects.filter(contest=contest)
        .select_related("branch", "nominee", "chair_decided_for", "recorded_by")
        .prefetch_related(
            Prefetch("votes", queryset=BranchMeetingVote.objects.select_related("candidate"))
        )
    )


def meeting_for(contest: Contest, branch: Branch) -> BranchMeeting | None:
    """Return the branch's meeting in the contest, or None when none is recorded."""
    return meetings_of(contest).filter(branch=branch).first()


def nominating_candidates(contest: Contest) -> QuerySet[Candidate]:
    """Return the candidates who may receive nominations (not withdrawn), in ballot order."""
    return contest.candidates.exclude(status=CandidateStatus.WITHDRAWN).order_by(
        "ballot_position", "name"
    )


def candidate_nominations(candidate: Candidate) -> dict[str, Any]:
    """Return who nominated a candidate: parliamentarians, branches and affiliates.

    Members' signatures are counted in the candidate's standing, not listed: a member's name is
    not published for signing.
    """
    return {
        "parliamentary": ParliamentaryNomination.objects.filter(candidate=candidate)
        .select_related("member")
        .order_by("member__kind", "member__name"),
        "branches": BranchMeeting.objects.filter(
            contest=candidate.contest, nominee=candidate
        ).select_related("branch"),
        "affiliates": AffiliateNomination.objects.filter(candidate=candidate).select_related(
            "affiliate"
        ),
    }


def parliamentary_members_of(contest: Contest) -> QuerySet[ParliamentaryMember]:
    """Return the parliamentary party list with each member's nomination, if any."""
    return ParliamentaryMember.objects.filter(contest=contest).select_related(
        "nomination__candidate"
    )


def supporter_applications(
    contest: Contest, *, status: str = "", flag: str = ""
) -> QuerySet[SupporterApplication]:
    """Return the contest's applications, filtered by status and flag kind ('clean': none)."""
    applications = SupporterApplication.objects.filter(contest=contest)
    if status:
        applications = applications.filter(status=status)
    if flag == "clean":
        applications = applications.filter(flags__isnull=True)
    elif flag:
        applications = applications.filter(flags__kind=flag)
    return applications.distinct().prefetch_related("flags").order_by("submitted_at", "id")


def supporter_queue_counts(contest: Contest) -> dict[str, Any]:
    """Return counts for the review queue: by status, by flag kind, and clean pending ones."""
    applications = SupporterApplication.objects.filter(contest=contest)
    by_status = dict(
        applications.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    flags = SupporterFlag.objects.filter(
        application__contest=contest, application__status=ApplicationStatus.PENDING
    )
    by_flag = dict(
        flags.values_list("kind")
        .annotate(n=Count("application_id", distinct=True))
        .values_list("kind", "n")
    )
    return {
        "by_status": [(s.value, s.label, by_status.get(s.value, 0)) for s in ApplicationStatus],
        "by_flag": [(k.value, k.label, by_flag.get(k.value, 0)) for k in FlagKind],
        "clean_pending": clean_pending_applications(contest).count(),
    }


def clean_pending_applications(contest: Contest) -> QuerySet[SupporterApplication]:
    """Return pending applications with no flag at all (so also paid): safe to bulk-approve."""
    return SupporterApplication.objects.filter(
        contest=contest, status=ApplicationStatus.PENDING, flags__isnull=True
    ).order_by("submitted_at", "id")


def supporter_window_state(contest: Contest) -> str:
    """Return 'unset', 'not_yet', 'open' or 'closed' for the sign-up window now."""
    opens, closes = contest.supporter_window_opens_at, contest.supporter_window_closes_at
    if opens is None or closes is None:
        return "unset"
    if contest.has_reached(ContestStatus.ROLL_FROZEN):
        return "closed"
    at = clock.now()
    if at < opens:
        return "not_yet"
    if at >= closes:
        return "closed"
    return "open"


def _when(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%-d %B %Y at %H:%M")


def supporter_window_message(contest: Contest) -> str:
    """Return the sentence telling a visitor when sign-up opens or closed, or is open until."""
    opens, closes = contest.supporter_window_opens_at, contest.supporter_window_closes_at
    if opens is None or closes is None:
        return "Registration as a supporter is not available for this contest."
    state = supporter_window_state(contest)
    if state == "not_yet":
        return f"Registration as a supporter opens on {_when(opens)}. Come back then."
    if state == "closed" and clock.now() < closes:
        return "Registration as a supporter has closed: the roll of voters is frozen."
    if state == "closed":
        return f"Registration as a supporter closed on {_when(closes)}."
    return f"Registration is open until {_when(closes)}."
