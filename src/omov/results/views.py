"""Results pages: short views that resolve the contest, check the policy, and render or export."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from omov.contests.models import Contest
from omov.contests.policies import can_view_contest
from omov.contests.services import contest_blockers
from omov.core.csv_safety import csv_text_neutralise
from omov.core.errors import ServiceError
from omov.core.policies import Decision
from omov.results import exports, policies, selectors, services
from omov.results.forms import CountForm
from omov.results.models import Result
from omov.trustees.selectors import record_of


def _contest(request: HttpRequest, slug: str) -> Contest:
    contest = get_object_or_404(Contest, slug=slug)
    if not can_view_contest(request.user, contest):
        raise Http404("No such contest.")
    return contest


def _refused(request: HttpRequest, contest: Contest, decision: Decision) -> HttpResponse:
    return render(
        request,
        "results/refused.html",
        {"contest": contest, "reason": decision.reason},
        status=403,
    )


def _visible_result(request: HttpRequest, slug: str) -> tuple[Contest, Result | HttpResponse]:
    contest = _contest(request, slug)
    decision = policies.can_view_result(request.user, contest)
    if not decision:
        return contest, _refused(request, contest, decision)
    result = selectors.result_for(contest)
    if result is None:
        raise Http404("This contest has not been counted.")
    return contest, result


def declaration(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the declaration: elected, every round with charts, categories, spoilt, turnout."""
    contest, result = _visible_result(request, slug)
    if isinstance(result, HttpResponse):
        return result
    context = {
        "declaration": selectors.declaration_for(result),
        "can_declare": bool(policies.can_declare(request.user, contest)),
    }
    return render(request, "results/declaration.html", context)


def _download(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def declaration_json(request: HttpRequest, slug: str) -> HttpResponse:
    """Export the result as JSON (format omov.results/1, with the count's omov.count/1 report)."""
    contest, result = _visible_result(request, slug)
    if isinstance(result, HttpResponse):
        return result
    document = json.dumps(selectors.results_document(result), indent=2, ensure_ascii=False)
    return _download(document + "\n", "application/json", f"{contest.slug}-results.json")


def declaration_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """Export the rounds as CSV."""
    contest, result = _visible_result(request, slug)
    if isinstance(result, HttpResponse):
        return result
    rounds = csv_text_neutralise(result.rounds_csv)  # no cell runs as a spreadsheet formula
    return _download(rounds, "text/csv; charset=utf-8", f"{contest.slug}-rounds.csv")


def declaration_blt(request: HttpRequest, slug: str) -> HttpResponse:
    """Export the anonymised ballots as BLT, so anyone can recount with `omov count`."""
    contest, result = _visible_result(request, slug)
    if isinstance(result, HttpResponse):
        return result
    return _download(result.ballots_blt, "text/plain; charset=utf-8", f"{contest.slug}.blt")


def declaration_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """Export the printable declaration as PDF."""
    contest, result = _visible_result(request, slug)
    if isinstance(result, HttpResponse):
        return result
    pdf = exports.declaration_pdf(selectors.declaration_for(result))
    return _download(pdf, "application/pdf", f"{contest.slug}-declaration.pdf")


def count(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask the returning officer for the ballot key file, then count the closed ballot."""
    contest = _contest(request, slug)
    decision = policies.can_count(request.user, contest)
    if not decision:
        return _refused(request, contest, decision)
    from_record = record_of(contest) is not None
    # With trustees the ballots were decrypted in the record: there is no key file to ask for.
    form = CountForm() if from_record else CountForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and (from_record or form.is_valid()):
        try:
            services.result_count(
                contest=contest,
                actor=request.user,
                private_key_bytes=None if from_record else form.cleaned_data["key_file"],
            )
        except ServiceError as error:
            if from_record:
                messages.error(request, error.message)
                return redirect("results:count", slug=contest.slug)
            form.add_error("key_file", error.message)
        else:
            messages.success(
                request,
                "The votes are counted. Check the preview, then declare the result.",
            )
            return redirect("results:declaration", slug=contest.slug)
    context = {"contest": contest, "form": form, "from_record": from_record}
    if from_record:
        context["blockers"] = contest_blockers(contest, "count")
    return render(request, "results/count.html", context)


@require_POST
def declare(request: HttpRequest, slug: str) -> HttpResponse:
    """Declare a counted result (returning officer only)."""
    contest = _contest(request, slug)
    decision = policies.can_declare(request.user, contest)
    if not decision:
        return _refused(request, contest, decision)
    try:
        services.result_declare(contest=contest, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The result is declared and now public.")
    return redirect("results:declaration", slug=contest.slug)


def turnout(request: HttpRequest, slug: str) -> HttpResponse:
    """Show turnout so far (aggregates only) to the election office while voting is open."""
    contest = _contest(request, slug)
    decision = policies.can_view_turnout(request.user, contest)
    if not decision:
        return _refused(request, contest, decision)
    context = {"contest": contest, "turnout": selectors.turnout_for(contest)}
    return render(request, "results/turnout.html", context)
