"""Nominations pages: resolve the object, check the policy, call the service, render.

Anonymous visitors asked to sign in are sent to the sign-in page; signed-in people without the
role get 403 with the policy's reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from omov.contests.models import Candidate, Contest
from omov.core.errors import ServiceError
from omov.core.http import client_ip, policy_require, sign_in_for_refused_pages
from omov.core.policies import Decision, can_read_everything, secretary_branch_ids
from omov.electorate.models import Branch
from omov.electorate.selectors import branch_eligible_member_count
from omov.nominations import forms, policies, selectors, services
from omov.nominations.models import (
    AffiliateNomination,
    ParliamentaryNomination,
    SupporterApplication,
)


def _contest(request: HttpRequest, slug: str) -> Contest:
    contest = get_object_or_404(Contest, slug=slug)
    if not policies.can_view_overview(request.user, contest):
        raise Http404("No such contest.")
    return contest


def _candidate(contest: Contest, candidate_id: int) -> Candidate:
    return get_object_or_404(Candidate, contest=contest, pk=candidate_id)


# Public ------------------------------------------------------------------------------------------


def overview(request: HttpRequest, slug: str) -> HttpResponse:
    """Show every candidate's nominations against the threshold: public once nominations open."""
    contest = _contest(request, slug)
    user = request.user
    summary = selectors.nominations_summary(contest)
    agent_ids = {
        c.pk for c in contest.candidates.all() if policies.can_view_candidate_nominations(user, c)
    }
    context = {
        "contest": contest,
        "summary": summary,
        "meetings": selectors.meetings_of(contest),
        "is_office_reader": can_read_everything(user, contest),
        "can_manage": bool(policies.can_manage_nominations(user, contest)),
        "visible_candidate_ids": agent_ids,
        "secretary_branches": Branch.objects.filter(pk__in=secretary_branch_ids(user, contest)),
        "signup_open": selectors.supporter_window_state(contest) == "open",
    }
    return render(request, "nominations/overview.html", context)


def supporter_signup(request: HttpRequest, slug: str) -> HttpResponse:
    """The public registered-supporter form, open only within the contest's window."""
    contest = _contest(request, slug)
    is_open = selectors.supporter_window_state(contest) == "open"
    form = forms.SupporterSignupForm(request.POST or None)
    status = 200
    refusal = ""
    if request.method == "POST" and not is_open:
        form = forms.SupporterSignupForm()
        refusal = selectors.supporter_window_message(contest) + " Your application was not taken."
        status = 403
    elif request.method == "POST":
        if form.is_valid():
            details = services.SupporterDetails(**form.cleaned_data)
            try:
                services.supporter_application_submit(
                    contest=contest, details=details, client_ip=client_ip(request)
                )
            except ServiceError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                return redirect("nominations:supporter_thanks", slug=contest.slug)
        else:
            status = 400
    context = {
        "contest": contest,
        "form": form,
        "is_open": is_open,
        "window_message": selectors.supporter_window_message(contest),
        "refusal": refusal,
        "fee": f"£{contest.supporter_fee_pence / 100:.2f}",
    }
    return render(request, "nominations/supporter_signup.html", context, status=status)


def supporter_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """Confirm an application was received (showing none of its details)."""
    contest = _contest(request, slug)
    return render(request, "nominations/supporter_thanks.html", {"contest": contest})


# Candidates --------------------------------------------------------------------------------------


@sign_in_for_refused_pages
def candidate_detail(request: HttpRequest, slug: str, candidate_id: int) -> HttpResponse:
    """Show who nominated one candidate (office readers, and that candidate's agent)."""
    contest = _contest(request, slug)
    candidate = _candidate(contest, candidate_id)
    policy_require(request, policies.can_view_candidate_nominations(request.user, candidate))
    context = {
        "contest": contest,
        "candidate": candidate,
        "standing": selectors.candidate_standing(candidate),
        "threshold": selectors.parliamentary_threshold(contest),
        "nominations": selectors.candidate_nominations(candidate),
        "can_consent": bool(policies.can_record_consent(request.user, candidate))
        and candidate.consented_at is None,
        "can_manage": bool(policies.can_manage_nominations(request.user, contest)),
        "withdraw_form": forms.ReasonForm(),
    }
    return render(request, "nominations/candidate.html", context)


@require_POST
@sign_in_for_refused_pages
def candidate_consent(request: HttpRequest, slug: str, candidate_id: int) -> HttpResponse:
    """Record a candidate's consent (returning officer or the candidate's agent)."""
    contest = _contest(request, slug)
    candidate = _candidate(contest, candidate_id)
    policy_require(request, policies.can_record_consent(request.user, candidate))
    try:
        services.candidate_consent_record(candidate=candidate, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{candidate.name}'s consent to stand is recorded.")
    return redirect("nominations:candidate", slug=contest.slug, candidate_id=candidate.pk)


@require_POST
@sign_in_for_refused_pages
def candidate_withdraw(request: HttpRequest, slug: str, candidate_id: int) -> HttpResponse:
    """Withdraw a candidate (returning officer, with a reason)."""
    contest = _contest(request, slug)
    candidate = _candidate(contest, candidate_id)
    policy_require(request, policies.can_manage_nominations(request.user, contest))
    form = forms.ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("Give the reason the candidate withdraws.")
        services.candidate_withdraw(
            candidate=candidate, reason=form.cleaned_data["reason"], actor=request.user
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{candidate.name} has withdrawn.")
    return redirect("nominations:overview", slug=contest.slug)


@require_POST
@sign_in_for_refused_pages
def validate(request: HttpRequest, slug: str) -> HttpResponse:
    """Decide who is validly nominated (returning officer)."""
    contest = _contest(request, slug)
    policy_require(request, policies.can_manage_nominations(request.user, contest))
    try:
        standings = services.nominations_validate(contest=contest, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        nominated = [s.candidate.name for s in standings if s.is_eligible_to_be_nominated]
        messages.success(
            request,
            "Nominations validated. Validly nominated: "
            + (", ".join(nominated) if nominated else "nobody yet")
            + ".",
        )
    return redirect("nominations:overview", slug=contest.slug)


# Branch meetings ---------------------------------------------------------------------------------


@sign_in_for_refused_pages
def meeting_list(request: HttpRequest, slug: str) -> HttpResponse:
    """List branch meetings: all for office readers, their own branches for secretaries."""
    contest = _contest(request, slug)
    own = secretary_branch_ids(request.user, contest)
    is_reader = can_read_everything(request.user, contest)
    policy_require(
        request,
        Decision(True)
        if is_reader or own
        else policies.can_view_office_pages(request.user, contest),
    )
    branches = Branch.objects.all() if is_reader else Branch.objects.filter(pk__in=own)
    meetings = {m.branch_id: m for m in selectors.meetings_of(contest)}
    rows = [(branch, meetings.get(branch.pk)) for branch in branches.order_by("name")]
    return render(request, "nominations/meeting_list.html", {"contest": contest, "rows": rows})


@sign_in_for_refused_pages
def meeting_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """Show one branch's meeting (office readers and that branch's secretary)."""
    contest = _contest(request, slug)
    branch = get_object_or_404(Branch, code=code)
    policy_require(request, policies.can_view_meeting(request.user, contest, branch))
    meeting = selectors.meeting_for(contest, branch)
    context = {
        "contest": contest,
        "branch": branch,
        "meeting": meeting,
        "can_record": bool(policies.can_record_meeting(request.user, contest, branch))
        and (meeting is None or policies.can_correct_meeting(request.user, contest)),
    }
    return render(request, "nominations/meeting_detail.html", context)


@sign_in_for_refused_pages
def meeting_record(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """Record (or, for the returning officer, correct) a branch's nomination meeting."""
    contest = _contest(request, slug)
    branch = get_object_or_404(Branch, code=code)
    policy_require(request, policies.can_record_meeting(request.user, contest, branch))
    existing = selectors.meeting_for(contest, branch)
    if existing is not None:
        policy_require(request, policies.can_correct_meeting(request.user, contest))
    candidates = list(selectors.nominating_candidates(contest))
    form = forms.MeetingForm(
        request.POST or None,
        candidates=candidates,
        is_correction=existing is not None,
        initial=_meeting_initial(existing),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            figures = services.MeetingFigures(
                held_on=data["held_on"],
                attendance=data["attendance"],
                abstentions=data["abstentions"],
                votes=form.votes(),
                is_no_nomination=data["is_no_nomination"],
                chair_decided_for=data["chair_decided_for"],
            )
            try:
                meeting = services.branch_meeting_record(
                    contest=contest,
                    branch=branch,
                    figures=figures,
                    actor=request.user,
                    correction_reason=data.get("correction_reason", ""),
                )
            except ServiceError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                result = meeting.nominee.name if meeting.nominee else "no nomination"
                messages.success(request, f"The meeting of {branch.name} is recorded: {result}.")
                return redirect("nominations:meeting", slug=contest.slug, code=branch.code)
        else:
            status = 400
    context = {
        "contest": contest,
        "branch": branch,
        "form": form,
        "existing": existing,
        "eligible_members": branch_eligible_member_count(contest, branch),
    }
    return render(request, "nominations/meeting_form.html", context, status=status)


def _meeting_initial(meeting: Any) -> dict[str, Any]:
    if meeting is None:
        return {}
    initial = {
        "held_on": meeting.held_on,
        "attendance": meeting.attendance,
        "abstentions": meeting.abstentions,
        "is_no_nomination": meeting.nominee_id is None and meeting.chair_decided_for_id is None,
        "chair_decided_for": meeting.chair_decided_for_id,
    }
    for row in meeting.votes.all():
        initial[f"votes_{row.candidate_id}"] = row.votes
    return initial


# The office: parliamentary party, affiliates, rules ---------------------------------------------


@sign_in_for_refused_pages
def parliamentary(request: HttpRequest, slug: str) -> HttpResponse:
    """The parliamentary party list and its nominations; the returning officer records them."""
    contest = _contest(request, slug)
    policy_require(request, policies.can_view_office_pages(request.user, contest))
    can_manage = bool(policies.can_manage_nominations(request.user, contest))
    candidates = selectors.nominating_candidates(contest)
    nomination_form = forms.ParliamentaryNominationForm(contest=contest, candidates=candidates)
    import_form = forms.ParliamentaryImportForm()
    status = 200
    if request.method == "POST":
        policy_require(request, policies.can_manage_nominations(request.user, contest))
        try:
            if "csv_file" in request.FILES:
                import_form = forms.ParliamentaryImportForm(request.POST, request.FILES)
                if not import_form.is_valid():
                    raise ServiceError("Choose the CSV file to import.")
                upload = import_form.cleaned_data["csv_file"]
                try:
                    text = upload.read().decode("utf-8")
                except UnicodeDecodeError:
                    raise ServiceError(
                        f"{upload.name} is not UTF-8 text; save it as CSV (UTF-8) and try again."
                    ) from None
                report = services.parliamentary_members_import(
                    contest=contest, csv_text=text, actor=request.user, source=upload.name
                )
                messages.success(
                    request,
                    f"Imported {report.created} MPs and MEPs ({report.unchanged} already listed).",
                )
            else:
                nomination_form = forms.ParliamentaryNominationForm(
                    request.POST, contest=contest, candidates=candidates
                )
                if not nomination_form.is_valid():
                    raise ServiceError("Choose the MP or MEP and the candidate they nominate.")
                nomination = services.parliamentary_nomination_record(
                    member=nomination_form.cleaned_data["member"],
                    candidate=nomination_form.cleaned_data["candidate"],
                    actor=request.user,
                )
                messages.success(request, f"Recorded: {nomination}.")
        except ServiceError as error:
            messages.error(request, error.message)
            status = 400
        else:
            return redirect("nominations:parliamentary", slug=contest.slug)
    context = {
        "contest": contest,
        "threshold": selectors.parliamentary_threshold(contest),
        "members": selectors.parliamentary_members_of(contest),
        "can_manage": can_manage,
        "nomination_form": nomination_form,
        "import_form": import_form,
        "withdraw_form": forms.ReasonForm(),
    }
    return render(request, "nominations/parliamentary.html", context, status=status)


@require_POST
@sign_in_for_refused_pages
def parliamentary_withdraw(request: HttpRequest, slug: str, nomination_id: int) -> HttpResponse:
    """Withdraw a parliamentary nomination recorded in error (returning officer)."""
    return _nomination_withdraw(
        request,
        slug,
        nomination_id,
        model=ParliamentaryNomination,
        withdraw=services.parliamentary_nomination_withdraw,
        back_to="nominations:parliamentary",
    )


def _nomination_withdraw(
    request: HttpRequest,
    slug: str,
    nomination_id: int,
    *,
    model: type[ParliamentaryNomination] | type[AffiliateNomination],
    withdraw: Callable[..., None],
    back_to: str,
) -> HttpResponse:
    """Withdraw a parliamentary or affiliate nomination with the reason posted, then go back."""
    contest = _contest(request, slug)
    nomination = get_object_or_404(model, contest=contest, pk=nomination_id)
    policy_require(request, policies.can_manage_nominations(request.user, contest))
    try:
        withdraw(nomination=nomination, reason=request.POST.get("reason", ""), actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The nomination was withdrawn.")
    return redirect(back_to, slug=contest.slug)


@sign_in_for_refused_pages
def affiliates(request: HttpRequest, slug: str) -> HttpResponse:
    """Affiliate nominations; the returning officer records them."""
    contest = _contest(request, slug)
    policy_require(request, policies.can_view_office_pages(request.user, contest))
    candidates = selectors.nominating_candidates(contest)
    form = forms.AffiliateNominationForm(
        request.POST or None, contest=contest, candidates=candidates
    )
    status = 200
    if request.method == "POST":
        policy_require(request, policies.can_manage_nominations(request.user, contest))
        try:
            if not form.is_valid():
                raise ServiceError("Choose the affiliate and the candidate it nominates.")
            nomination = services.affiliate_nomination_record(
                contest=contest,
                affiliate=form.cleaned_data["affiliate"],
                candidate=form.cleaned_data["candidate"],
                actor=request.user,
            )
        except ServiceError as error:
            messages.error(request, error.message)
            status = 400
        else:
            messages.success(request, f"Recorded: {nomination}.")
            return redirect("nominations:affiliates", slug=contest.slug)
    context = {
        "contest": contest,
        "nominations": AffiliateNomination.objects.filter(contest=contest).select_related(
            "affiliate", "candidate"
        ),
        "form": form,
        "can_manage": bool(policies.can_manage_nominations(request.user, contest)),
        "withdraw_form": forms.ReasonForm(),
    }
    return render(request, "nominations/affiliates.html", context, status=status)


@sign_in_for_refused_pages
def signatures(request: HttpRequest, slug: str) -> HttpResponse:
    """Members' signatures on the candidates' nomination papers; the returning officer records
    them from the papers, by membership number (the same service as `omov nominations
    signatures`)."""
    contest = _contest(request, slug)
    policy_require(request, policies.can_view_office_pages(request.user, contest))
    candidates = selectors.nominating_candidates(contest)
    form = forms.SignaturesForm(request.POST or None, candidates=candidates)
    status = 200
    if request.method == "POST":
        policy_require(request, policies.can_manage_nominations(request.user, contest))
        if form.is_valid():
            candidate = form.cleaned_data["candidate"]
            try:
                added = services.member_signatures_record(
                    contest=contest,
                    candidate=candidate,
                    external_ids=form.numbers(),
                    actor=request.user,
                    source="the numbers entered",
                )
            except ServiceError as error:
                form.add_error("membership_numbers", error.message)
                status = 400
            else:
                messages.success(
                    request, f"Recorded {added} new signature(s) for {candidate.name}."
                )
                return redirect("nominations:signatures", slug=contest.slug)
        else:
            status = 400
    summary = selectors.nominations_summary(contest)
    context = {
        "contest": contest,
        "form": form,
        "counts": summary.standings,
        "required": summary.gate.signature_count,
        "can_manage": bool(policies.can_manage_nominations(request.user, contest)),
    }
    return render(request, "nominations/signatures.html", context, status=status)


@require_POST
@sign_in_for_refused_pages
def affiliate_withdraw(request: HttpRequest, slug: str, nomination_id: int) -> HttpResponse:
    """Withdraw an affiliate nomination recorded in error (returning officer)."""
    return _nomination_withdraw(
        request,
        slug,
        nomination_id,
        model=AffiliateNomination,
        withdraw=services.affiliate_nomination_withdraw,
        back_to="nominations:affiliates",
    )


@sign_in_for_refused_pages
def rules(request: HttpRequest, slug: str) -> HttpResponse:
    """The contest's thresholds and gate; the returning officer changes them."""
    contest = _contest(request, slug)
    policy_require(request, policies.can_view_office_pages(request.user, contest))
    can_manage = bool(policies.can_manage_nominations(request.user, contest))
    current = selectors.rules_for(contest)
    form = forms.RulesForm(request.POST or None, instance=current)
    status = 200
    if request.method == "POST":
        policy_require(request, policies.can_manage_nominations(request.user, contest))
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in forms.RulesForm.Meta.fields}
            try:
                services.nomination_rules_set(contest=contest, actor=request.user, **fields)
            except ServiceError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, "The nomination rules are saved.")
                return redirect("nominations:rules", slug=contest.slug)
        else:
            status = 400
    context = {
        "contest": contest,
        "form": form,
        "can_manage": can_manage,
        "threshold": selectors.parliamentary_threshold(contest),
        "gate": selectors.gate_rule(contest),
    }
    return render(request, "nominations/rules.html", context, status=status)


# The registered-supporter review queue -----------------------------------------------------------


@sign_in_for_refused_pages
def supporter_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """The review queue with filters by status and flag, counts, and bulk approval."""
    contest = _contest(request, slug)
    policy_require(request, policies.can_view_office_pages(request.user, contest))
    filters = forms.QueueFilterForm(request.GET or None)
    status = flag = ""
    if filters.is_valid():
        status, flag = filters.cleaned_data["status"], filters.cleaned_data["flag"]
    applications = selectors.supporter_applications(contest, status=status, flag=flag)
    context = {
        "contest": contest,
        "filters": filters,
        "applications": applications[:500],
        "shown": min(applications.count(), 500),
        "total": applications.count(),
        "counts": selectors.supporter_queue_counts(contest),
        "can_review": bool(policies.can_review_supporters(request.user, contest)),
    }
    return render(request, "nominations/supporter_queue.html", context)


@require_POST
@sign_in_for_refused_pages
def supporter_bulk_approve(request: HttpRequest, slug: str) -> HttpResponse:
    """Approve every clean, paid application (returning officer)."""
    contest = _contest(request, slug)
    policy_require(request, policies.can_review_supporters(request.user, contest))
    try:
        approved = services.supporter_applications_bulk_approve(contest=contest, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Approved {approved} clean, paid application(s).")
    return redirect("nominations:supporter_queue", slug=contest.slug)


@sign_in_for_refused_pages
def supporter_application(request: HttpRequest, slug: str, application_id: int) -> HttpResponse:
    """One application, its flags and the office's decision (approve, reject, confirm fee)."""
    contest = _contest(request, slug)
    application = get_object_or_404(SupporterApplication, contest=contest, pk=application_id)
    policy_require(request, policies.can_view_office_pages(request.user, contest))
    if request.method == "POST":
        policy_require(request, policies.can_review_supporters(request.user, contest))
        action = request.POST.get("action", "")
        try:
            if action == "approve":
                services.supporter_application_approve(application=application, actor=request.user)
            elif action == "reject":
                services.supporter_application_reject(
                    application=application,
                    reason=request.POST.get("reason", ""),
                    actor=request.user,
                )
            elif action == "payment":
                services.supporter_payment_confirm(
                    application=application,
                    reference=request.POST.get("reference", ""),
                    actor=request.user,
                )
            else:
                raise ServiceError("Choose approve, reject or confirm the fee.")
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Application {application.pk}: done.")
        return redirect(
            "nominations:supporter_application", slug=contest.slug, application_id=application.pk
        )
    context = {
        "contest": contest,
        "application": application,
        "flags": application.flags.select_related("other_application", "other_person"),
        "can_review": bool(policies.can_review_supporters(request.user, contest)),
        "reject_form": forms.ReasonForm(),
        "payment_form": forms.PaymentForm(),
    }
    return render(request, "nominations/supporter_application.html", context)
