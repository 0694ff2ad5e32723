"""Contest pages: short views that resolve the object, check the policy, call the service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from omov.contests import lifecycle, policies, services
from omov.contests.dashboard import contest_links, dashboard
from omov.contests.models import Contest
from omov.contests.selectors import contests_visible_to
from omov.contests.timetable import TimetableConflict, timetable_conflicts
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.selectors import audit_chain_verify, audit_mark


def contest_list(request: HttpRequest) -> HttpResponse:
    """List the contests the visitor may see."""
    return render(request, "contests/list.html", {"contests": contests_visible_to(request.user)})


def _get_visible(request: HttpRequest, slug: str) -> Contest:
    contest = get_object_or_404(Contest, slug=slug)
    if not policies.can_view_contest(request.user, contest):
        raise Http404("No such contest.")
    return contest


def contest_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Show a contest: timetable, candidates, lifecycle and the next step's blockers."""
    contest = _get_visible(request, slug)
    step = lifecycle.next_step(contest)
    can_step = policies.can_take_step(request.user, contest)
    context = {
        "contest": contest,
        "candidates": contest.candidates.all(),
        "progress": [
            {"step": s, "at": getattr(contest, s.stamp_field)} for s in lifecycle.STEPS.values()
        ],
        "next_step": step,
        "blockers": services.contest_blockers(contest, step.name) if step and can_step else [],
        "conflicts": (
            timetable_conflicts(contest, step.name, clock.now()) if step and can_step else []
        ),
        "can_take_step": bool(can_step),
        "can_view_audit": bool(policies.can_view_audit(request.user, contest)),
        "links": contest_links(request.user, contest),
        "audit_head": audit_mark(contest),
    }
    return render(request, "contests/detail.html", context)


@require_POST
def contest_step(request: HttpRequest, slug: str, step: str) -> HttpResponse:
    """Take a lifecycle step (returning officer only); show blockers when it cannot be taken."""
    contest = _get_visible(request, slug)
    decision = policies.can_take_step(request.user, contest)
    if not decision:
        raise PermissionDenied(decision.reason)
    if step not in lifecycle.STEPS:
        raise Http404("No such step.")
    reason = request.POST.get("reason", "")
    try:
        services.contest_take_step(contest=contest, step=step, actor=request.user, reason=reason)
    except TimetableConflict as conflict:
        return step_confirm(request, contest, conflict, request.path)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Done: {lifecycle.STEPS[step].label.lower()}.")
    return redirect("contests:detail", slug=contest.slug)


def step_confirm(
    request: HttpRequest, contest: Contest, conflict: TimetableConflict, action: str
) -> HttpResponse:
    """Ask for the reason a step goes against the timetable, posting back to ``action``.

    Shared by every page that takes a step (the ballot office opens the ballot through it too).
    """
    context = {"contest": contest, "conflict": conflict, "action": action}
    return render(request, "contests/step_confirm.html", context)


#: Events per page of the audit trail (a full-size contest has thousands).
AUDIT_PAGE_SIZE = 100


def contest_audit(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the audit trail of a contest to the returning officer and scrutineers."""
    contest = _get_visible(request, slug)
    decision = policies.can_view_audit(request.user, contest)
    if not decision:
        raise PermissionDenied(decision.reason)
    events = contest.audit_events.select_related("actor")  # newest first
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"contest": contest, "page": page, "chain": audit_chain_verify(contest)}
    return render(request, "contests/audit.html", context)


def home(request: HttpRequest) -> HttpResponse:
    """Show the contests a visitor may see, the way to the voting booth, and one's own work.

    A signed-in person sees, per contest and per role they hold, the pages that role lets them
    use (``omov.contests.dashboard``): nobody has to read a page's address from the code.
    """
    context = {
        "contests": contests_visible_to(request.user),
        "work": dashboard(request.user),
    }
    return render(request, "home.html", context)
