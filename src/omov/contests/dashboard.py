"""What each signed-in person can do, per contest and role: the links of their home page.

Every link is offered only when the policy of the page it opens allows the person in, so nobody
is shown a link that answers "403 Forbidden" (issue 15, item 7). The contest page shows the same
links, flattened, so the two never disagree. Each app offers its own pages from its
``AppConfig.ready()`` (``register_links``, ``register_public_links``: a ``links.py`` in the app),
each link with its policy and its place; this module knows no app above ``contests`` (decision
0019: the layers of docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse

from omov.contests import policies as contest_policies
from omov.contests.models import Contest
from omov.contests.selectors import contests_visible_to
from omov.core.models import Role, RoleAssignment
from omov.core.policies import Decision


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


#: A link an app offers, with its place among a role's links (lower first).
PlacedOffer = tuple[int, _Offer]
#: An app's links for one role held in one contest (its assignment), each with its place.
LinkProvider = Callable[[Any, Contest, RoleAssignment], list[PlacedOffer]]
#: An app's public links of a contest (for anyone who may see the contest), with their places.
PublicProvider = Callable[[Any, Contest], list[PlacedOffer]]

_PROVIDERS: list[LinkProvider] = []
_PUBLIC: list[PublicProvider] = []


def register_links(provider: LinkProvider) -> None:
    """Add an app's links (from its ``AppConfig.ready()``): asked for every role held.

    The provider returns the pages that role lets the user open in that contest, each with its
    place, and leaves out roles it has nothing for. Each page is still shown only when its own
    policy lets the user in (``Decision`` of the offer).
    """
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def register_public_links(provider: PublicProvider) -> None:
    """Add an app's public links of a contest (nominations, the booth, the declaration...)."""
    if provider not in _PUBLIC:
        _PUBLIC.append(provider)


def url_of(name: str, *args: Any) -> Callable[[], str]:
    """An offer's address, made only when the offer is shown."""
    return _url(name, *args)


def always() -> Decision:
    """The decision of a link everyone who sees the list may follow."""
    return _always()


def _placed(offers: Iterable[PlacedOffer]) -> list[_Offer]:
    return [offer for _, offer in sorted(offers, key=lambda placed: placed[0])]


def _contest_links(user: Any, contest: Contest, assignment: RoleAssignment) -> list[PlacedOffer]:
    """The contest app's own links: the contest page and its audit trail, for the office."""
    if assignment.role not in (Role.RETURNING_OFFICER, Role.SCRUTINEER):
        return []
    slug = contest.slug
    return [
        (
            100,
            (
                "The contest: timetable, progress and the next step",
                _url("contests:detail", slug),
                _always,
            ),
        ),
        (
            900,
            (
                "Audit trail",
                _url("contests:audit", slug),
                lambda: contest_policies.can_view_audit(user, contest),
            ),
        ),
    ]


def _role_links(user: Any, contest: Contest, assignment: RoleAssignment) -> RoleLinks | None:
    if assignment.candidate is not None and assignment.candidate.contest_id != contest.pk:
        return None  # an agent's or a campaign's role is for its own contest only
    offers: list[PlacedOffer] = _contest_links(user, contest, assignment)
    for provider in _PROVIDERS:
        offers.extend(provider(user, contest, assignment))
    scope = ""
    if assignment.branch is not None:
        scope = f"branch {assignment.branch.name}"
    elif assignment.candidate is not None:
        scope = f"candidate {assignment.candidate.name}"
    return RoleLinks(role=Role(assignment.role).label, scope=scope, links=_allowed(_placed(offers)))


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
    public = _placed(offer for provider in _PUBLIC for offer in provider(user, contest))
    seen: set[str] = {reverse("contests:detail", args=[contest.slug])}
    links: list[Link] = []
    role_links = [link for role in contest_work(user, contest).roles for link in role.links]
    for link in (*_allowed(public), *role_links):
        if link.url not in seen:
            seen.add(link.url)
            links.append(link)
    return tuple(links)
