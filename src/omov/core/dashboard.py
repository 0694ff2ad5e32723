"""What each signed-in person can do, per contest and role: the links of their home page.

Every link is offered only when the policy of the page it opens allows the person in, so nobody
is shown a link that answers "403 Forbidden" (issue 15, item 7). The contest page shows the same
links, flattened, so the two never disagree. Each app's policies stay the only judge: this module
only asks them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse

from omov.ballots import policies as ballot_policies
from omov.campaigns import policies as campaign_policies
from omov.campaigns.models import Campaign
from omov.contests import policies as contest_policies
from omov.contests.models import Candidate, Contest, ContestStatus
from omov.contests.selectors import contests_visible_to
from omov.core.models import CAMPAIGN_ROLES, Role, RoleAssignment
from omov.core.policies import Decision
from omov.electorate import policies as roll_policies
from omov.electorate.models import Branch
from omov.nominations import policies as nomination_policies
from omov.results import policies as result_policies
from omov.trustees import policies as trustee_policies
from omov.trustees.models import ElectionRecord, Trustee


@dataclass(frozen=True)
class Link:
    """One thing a person can do: what it is, in words, and the page that does it."""

    label: str
    url: str


@dataclass(frozen=True)
class RoleLinks:
    """A role held in a contest (with its branch or candidate) and what it lets one do."""

    role: str
    scope: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class ContestLinks:
    """A contest and, per role the person holds in it, the links to their work."""

    contest: Contest
    roles: tuple[RoleLinks, ...] = field(default=())


#: A candidate link: its label, how to make its address, and the policy that lets a person in.
_Offer = tuple[str, Callable[[], str], Callable[[], Decision]]


def _allowed(offers: Iterable[_Offer]) -> tuple[Link, ...]:
    return tuple(Link(label, url()) for label, url, decision in offers if decision())


def _url(name: str, *args: Any) -> Callable[[], str]:
    return lambda: reverse(name, args=args)


def _always() -> Decision:
    return Decision(True)


def _office_reader_offers(user: Any, contest: Contest) -> list[_Offer]:
    """The pages the returning officer and scrutineers read (and the officer also changes)."""
    slug = contest.slug
    return [
        (
            "The contest: timetable, progress and the next step",
            _url("contests:detail", slug),
            _always,
        ),
        (
            "The roll",
            _url("electorate:roll", slug),
            lambda: roll_policies.can_view_roll(user, contest),
        ),
        (
            "Import the roll",
            _url("electorate:import", slug),
            lambda: roll_policies.can_manage_roll(user, contest),
        ),
        (
            "Eligibility rules",
            _url("electorate:rules", slug),
            lambda: roll_policies.can_preview_rules(user, contest),
        ),
        (
            "Nominations",
            _url("nominations:overview", slug),
            lambda: nomination_policies.can_view_overview(user, contest),
        ),
        (
            "Branch nominating meetings",
            _url("nominations:meetings", slug),
            lambda: nomination_policies.can_view_office_pages(user, contest),
        ),
        (
            "Parliamentary nominations",
            _url("nominations:parliamentary", slug),
            lambda: nomination_policies.can_view_office_pages(user, contest),
        ),
        (
            "Affiliate nominations",
            _url("nominations:affiliates", slug),
            lambda: nomination_policies.can_view_office_pages(user, contest),
        ),
        (
            "Nomination rules",
            _url("nominations:rules", slug),
            lambda: nomination_policies.can_view_office_pages(user, contest),
        ),
        (
            "Registered supporters' applications",
            _url("nominations:supporter_queue", slug),
            lambda: nomination_policies.can_view_office_pages(user, contest),
        ),
        (
            "Campaigns",
            _url("campaigns:office", slug),
            lambda: campaign_policies.can_view_aggregates(user, contest),
        ),
        (
            "Ballot office: delivery, opening the ballot, reissuing credentials",
            _url("ballots:office", slug),
            lambda: ballot_policies.can_view_office(user, contest),
        ),
        (
            "Trustees and the key ceremony",
            _url("trustees:office", slug),
            lambda: trustee_policies.can_view_office_record(user, contest),
        ),
        (
            "Turnout",
            _url("results:turnout", slug),
            lambda: result_policies.can_view_turnout(user, contest),
        ),
        (
            "Count the votes",
            _url("results:count", slug),
            lambda: result_policies.can_count(user, contest),
        ),
        (
            "The result",
            _url("results:declaration", slug),
            lambda: result_policies.can_view_result(user, contest),
        ),
        (
            "Audit trail",
            _url("contests:audit", slug),
            lambda: contest_policies.can_view_audit(user, contest),
        ),
    ]


def _secretary_offers(user: Any, contest: Contest, branch: Branch) -> list[_Offer]:
    slug = contest.slug
    return [
        (
            f"{branch.name}: the branch's nominating meeting",
            _url("nominations:meeting", slug, branch.code),
            lambda: nomination_policies.can_view_meeting(user, contest, branch),
        ),
        (
            f"{branch.name}: the branch's part of the roll",
            _url("electorate:roll", slug),
            lambda: roll_policies.can_view_roll(user, contest),
        ),
        (
            "Turnout",
            _url("results:turnout", slug),
            lambda: result_policies.can_view_turnout(user, contest),
        ),
    ]


def _agent_offers(user: Any, contest: Contest, candidate: Candidate) -> list[_Offer]:
    return [
        (
            f"{candidate.name}: nominations and consent",
            _url("nominations:candidate", contest.slug, candidate.pk),
            lambda: nomination_policies.can_view_candidate_nominations(user, candidate),
        ),
        (
            "Turnout",
            _url("results:turnout", contest.slug),
            lambda: result_policies.can_view_turnout(user, contest),
        ),
    ]


def _paper_offers(user: Any, contest: Contest, role: str) -> list[_Offer]:
    slug = contest.slug
    offers: list[_Offer] = [
        (
            "Postal batches: check declarations, open and number the ballot papers",
            _url("ballots:postal_batches", slug),
            lambda: ballot_policies.can_handle_postal_batch(user, contest),
        )
    ]
    if role == Role.PAPER_OPERATOR:
        offers.append(
            (
                "Key returned paper ballots",
                _url("ballots:paper_key", slug),
                lambda: ballot_policies.can_key_paper(user, contest),
            )
        )
    if role == Role.PAPER_SUPERVISOR:
        offers.append(
            (
                "Resolve papers whose two keyings differ",
                _url("ballots:paper_mismatches", slug),
                lambda: ballot_policies.can_resolve_paper(user, contest),
            )
        )
    offers.append(
        (
            "Reject a paper that cannot be accepted",
            _url("ballots:paper_reject", slug),
            lambda: ballot_policies.can_reject_paper(user, contest),
        )
    )
    return offers


def _campaign_offers(user: Any, contest: Contest, candidate: Candidate) -> list[_Offer]:
    campaign = Campaign.objects.filter(contest=contest, candidate=candidate).first()
    if campaign is None:
        return []
    return [
        (
            f"{candidate.name}'s campaign",
            _url("campaigns:home", campaign.pk),
            lambda: campaign_policies.can_view_campaign(user, campaign),
        )
    ]


def _role_links(user: Any, contest: Contest, assignment: RoleAssignment) -> RoleLinks | None:
    role = assignment.role
    offers: list[_Offer]
    if role in (Role.RETURNING_OFFICER, Role.SCRUTINEER):
        offers = _office_reader_offers(user, contest)
    elif role == Role.BRANCH_SECRETARY and assignment.branch is not None:
        offers = _secretary_offers(user, contest, assignment.branch)
    elif role == Role.CANDIDATE_AGENT and assignment.candidate is not None:
        if assignment.candidate.contest_id != contest.pk:
            return None
        offers = _agent_offers(user, contest, assignment.candidate)
    elif role in (Role.PAPER_OPERATOR, Role.PAPER_SUPERVISOR):
        offers = _paper_offers(user, contest, role)
    elif role in CAMPAIGN_ROLES and assignment.candidate is not None:
        if assignment.candidate.contest_id != contest.pk:
            return None
        offers = _campaign_offers(user, contest, assignment.candidate)
    elif role == Role.TRUSTEE:
        offers = [
            (
                "Your part of the key ceremony",
                _url("trustees:trustee", contest.slug),
                lambda: trustee_policies.can_act_as_trustee(
                    user, Trustee.objects.filter(record__contest=contest, user=user).first()
                ),
            )
        ]
    else:
        offers = []
    scope = ""
    if assignment.branch is not None:
        scope = f"branch {assignment.branch.name}"
    elif assignment.candidate is not None:
        scope = f"candidate {assignment.candidate.name}"
    return RoleLinks(role=Role(role).label, scope=scope, links=_allowed(offers))


def contest_work(user: Any, contest: Contest) -> ContestLinks:
    """Return, per role the user holds in ``contest``, the pages that role lets them use."""
    if not getattr(user, "is_authenticated", False):
        return ContestLinks(contest=contest)
    order = list(Role)
    assignments = (
        RoleAssignment.objects.filter(user=user)
        .filter(Q(contest__isnull=True) | Q(contest=contest))
        .select_related("branch", "candidate")
    )
    roles: list[RoleLinks] = []
    for assignment in sorted(assignments, key=lambda a: (order.index(Role(a.role)), a.pk)):
        links = _role_links(user, contest, assignment)
        if links is not None and links not in roles:
            roles.append(links)
    return ContestLinks(contest=contest, roles=tuple(roles))


def dashboard(user: Any) -> list[ContestLinks]:
    """Return the contests the user holds a role in, each with what each role lets them do."""
    if not getattr(user, "is_authenticated", False):
        return []
    contests = contests_visible_to(user).order_by("-pk")
    work = (
        contest_work(user, contest)
        for contest in contests
        if contest_policies.can_view_contest(user, contest)
    )
    return [item for item in work if item.roles]


def contest_links(user: Any, contest: Contest) -> tuple[Link, ...]:
    """Return every page of ``contest`` the user may open, once each, for the contest's page.

    Public pages (nominations once open, the booth while the ballot is open, a declared result)
    come first, then the pages of the user's roles.
    """
    public: list[_Offer] = [
        (
            "Nominations",
            _url("nominations:overview", contest.slug),
            lambda: nomination_policies.can_view_overview(user, contest),
        ),
        (
            "Vote",
            _url("ballots:start"),
            lambda: Decision(contest.status == ContestStatus.BALLOT_OPEN),
        ),
        (
            "The declaration",
            _url("results:declaration", contest.slug),
            lambda: Decision(contest.status == ContestStatus.DECLARED),
        ),
        (
            "Election record",
            _url("trustees:record", contest.slug),
            lambda: Decision(
                contest.status != ContestStatus.DRAFT
                and ElectionRecord.objects.filter(contest=contest).exists()
            ),
        ),
    ]
    seen: set[str] = {reverse("contests:detail", args=[contest.slug])}
    links: list[Link] = []
    role_links = [link for role in contest_work(user, contest).roles for link in role.links]
    for link in (*_allowed(public), *role_links):
        if link.url not in seen:
            seen.add(link.url)
            links.append(link)
    return tuple(links)
