"""Roll pages: short views that resolve the contest, check the policy, call the service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from omov.contests.models import Contest
from omov.core.errors import ServiceError
from omov.core.policies import Decision
from omov.electorate import policies, selectors, services
from omov.electorate.forms import (
    OverrideForm,
    RollFilterForm,
    RollImportForm,
    RulesConfirmForm,
    RulesForm,
)
from omov.electorate.importing import parse_mapping_options
from omov.electorate.jobs import ROLL_IMPORT
from omov.electorate.models import Person
from omov.jobs.services import job_start


def _check(decision: Decision) -> None:
    if not decision:
        raise PermissionDenied(decision.reason)


def _contest(slug: str) -> Contest:
    return get_object_or_404(Contest, slug=slug)


def _change_of(form: RulesForm) -> services.RuleChange:
    data = form.cleaned_data
    return services.RuleChange(
        freeze_date=data["freeze_date"],
        arrears_deadline=data["arrears_deadline"],
        minimum_age=data["minimum_age"],
        age_on=data["age_on"],
        eligible_categories=tuple(data["eligible_categories"]),
        affiliated_supporters_must_register=data["affiliated_supporters_must_register"],
    )


class _CountedPaginator(Paginator):
    """A paginator told its count (cached by the caller) instead of counting the rows again."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@login_required
def roll(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the roll: a summary by category, the staleness warning, and the filtered decisions."""
    contest = _contest(slug)
    _check(policies.can_view_roll(request.user, contest))
    scope = policies.roll_branch_scope(request.user, contest)
    form = RollFilterForm(request.GET or None, branch_ids=scope)
    filters = selectors.RollFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.RollFilters(
            category=data["category"],
            branch_id=data["branch"].pk if data["branch"] else None,
            eligibility=data["eligibility"],
            search=data["q"],
        )
    decisions = selectors.roll_decisions(contest, filters, scope)
    version = selectors.roll_version(contest)  # read once for the page's cached figures
    total = selectors.roll_figure(
        contest, f"count:{scope and sorted(scope)}:{filters}", decisions.count, version=version
    )
    page = _CountedPaginator(decisions, 50, count=total).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rules = selectors.contest_rules(contest)
    context = {
        "contest": contest,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "summary": selectors.roll_summary(contest, scope, version=version),
        "staleness": (
            selectors.roll_staleness_shown(contest, version=version) if scope is None else []
        ),
        "rules_rows": selectors.rules_summary(rules),
        "imports": selectors.recent_imports(contest) if scope is None else [],
        "can_manage": bool(policies.can_manage_roll(request.user, contest)),
        "can_preview": bool(policies.can_preview_rules(request.user, contest)),
        "is_branch_view": scope is not None,
    }
    return render(request, "electorate/roll.html", context)


@login_required
def person_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Show one person's decision, each rule's explanation, and the override form."""
    contest = _contest(slug)
    person = get_object_or_404(Person.objects.select_related("branch", "affiliate"), pk=pk)
    _check(policies.can_view_person(request.user, contest, person))
    can_manage = bool(policies.can_manage_roll(request.user, contest))
    context = {
        "contest": contest,
        "person": person,
        "decision": selectors.decision_of(contest, person),
        "reasons": selectors.person_reasons(contest, person),
        "entry": selectors.roll_entry_of(contest, person),
        "can_manage": can_manage,
        "form": OverrideForm() if can_manage else None,
    }
    return render(request, "electorate/person.html", context)


@login_required
@require_POST
def person_override(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Record the returning officer's decision on an appeal (reason required, audited)."""
    contest = _contest(slug)
    person = get_object_or_404(Person, pk=pk)
    _check(policies.can_manage_roll(request.user, contest))
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a decision and give its reason.")
        return redirect("electorate:person", slug=contest.slug, pk=person.pk)
    try:
        services.decision_override(
            contest=contest,
            person=person,
            is_eligible=form.decision_value(),
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Recorded the decision on {person.full_name}.")
    return redirect("electorate:person", slug=contest.slug, pk=person.pk)


@login_required
def roll_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a roll file: a worker imports it as a job, whose page shows progress and report."""
    contest = _contest(slug)
    _check(policies.can_manage_roll(request.user, contest))
    form = RollImportForm(request.POST or None, request.FILES or None)
    report: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        mapping = form.cleaned_data["mapping"].splitlines()
        try:
            services.roll_import_allowed(contest)  # said on the form, not by a job
            parse_mapping_options(mapping)  # a wrong mapping is said now, not by the job
            job = job_start(
                kind=ROLL_IMPORT,
                summary=f"Import {upload.name} into the roll of {contest.title}",
                contest=contest,
                actor=request.user,
                arguments={"mapping": mapping, "accept_valid": form.cleaned_data["accept_valid"]},
                file_name=upload.name,
                file_content=upload.read(),
            )
        except ServiceError as error:
            report = {"message": error.message, "errors": []}
        else:
            return redirect("jobs:detail", pk=job.pk)
    context = {"contest": contest, "form": form, "report": report}
    return render(request, "electorate/import.html", context, status=200)


@login_required
@require_POST
def roll_evaluate(request: HttpRequest, slug: str) -> HttpResponse:
    """Evaluate everyone against the contest's rules (returning officer)."""
    contest = _contest(slug)
    _check(policies.can_manage_roll(request.user, contest))
    try:
        summary = services.roll_evaluate(contest=contest, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Evaluated the roll: {summary.eligible} eligible, {summary.ineligible} not eligible; "
            f"{summary.changed} decisions changed.",
        )
    return redirect("electorate:roll", slug=contest.slug)


@login_required
def rules_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the rules form; submitting it previews the change."""
    contest = _contest(slug)
    _check(policies.can_preview_rules(request.user, contest))
    rules = selectors.rules_of(contest)
    form = RulesForm(initial=RulesForm.initial_from(rules))
    return render(request, "electorate/rules.html", {"contest": contest, "form": form})


@login_required
@require_POST
def rules_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """Show who would gain and who would lose a vote under the proposed rules (writes nothing)."""
    contest = _contest(slug)
    _check(policies.can_preview_rules(request.user, contest))
    form = RulesForm(request.POST)
    if not form.is_valid():
        return render(request, "electorate/rules.html", {"contest": contest, "form": form})
    try:
        change = _change_of(form)
        preview = services.rules_preview_change(contest=contest, change=change)
    except ServiceError as error:
        form.add_error(None, error.message)
        return render(request, "electorate/rules.html", {"contest": contest, "form": form})
    confirm = RulesConfirmForm(initial={**form.cleaned_data, "expected_version": preview.version})
    context = {
        "contest": contest,
        "preview": preview,
        "confirm": confirm,
        "can_manage": bool(policies.can_manage_roll(request.user, contest)),
    }
    return render(request, "electorate/preview.html", context)


@login_required
@require_POST
def rules_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """Apply a previewed rule change and re-evaluate everyone (returning officer, audited)."""
    contest = _contest(slug)
    _check(policies.can_manage_roll(request.user, contest))
    form = RulesConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "The change was not applied: "
            + " ".join(
                f"{name}: {' '.join(str(e) for e in errors)}"
                for name, errors in form.errors.items()
            ),
        )
        return redirect("electorate:rules", slug=contest.slug)
    try:
        summary = services.rules_change(
            contest=contest,
            change=_change_of(form),
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["expected_version"],
            actor=request.user,
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("electorate:rules", slug=contest.slug)
    messages.success(
        request,
        f"The rules changed: {summary.gained} gained a vote and {summary.lost} lost one.",
    )
    return redirect("electorate:roll", slug=contest.slug)
