"""Campaign pages: resolve the campaign, check the policy, call the service, render.

Anonymous visitors are sent to sign in; signed-in people without the role get 403 with the
policy's reason. Nobody of one campaign reaches a page of another (decision 0014).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from omov.campaigns import forms, policies, selectors, services, volunteers
from omov.campaigns.models import CallList, Campaign, PhoneBankSession, Volunteer, VolunteerStatus
from omov.campaigns.phones import dialler, phone_normalise
from omov.contests.models import CandidateStatus, Contest
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.http import client_ip, policy_require, sign_in_for_refused_pages
from omov.electorate.models import Branch


def _campaign(campaign_id: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("contest", "candidate"), pk=campaign_id
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """List the campaigns the signed-in person works for."""
    return render(
        request, "campaigns/mine.html", {"campaigns": selectors.campaigns_of(request.user)}
    )


@sign_in_for_refused_pages
def office(request: HttpRequest, slug: str) -> HttpResponse:
    """The office's view of a contest's campaigns: aggregates only, creation and the release."""
    contest = get_object_or_404(Contest, slug=slug)
    policy_require(request, policies.can_view_aggregates(request.user, contest))
    can_manage = policies.can_manage_campaigns(request.user, contest)
    if request.method == "POST":
        policy_require(request, can_manage)
        try:
            if request.POST.get("action") == "release":
                services.roll_release(contest=contest, actor=request.user)
                messages.success(request, "The roll is released to every campaign.")
            else:
                candidate = get_object_or_404(
                    contest.candidates,
                    pk=request.POST.get("candidate"),
                    status=CandidateStatus.NOMINATED,
                )
                services.campaign_create(candidate=candidate, actor=request.user)
                messages.success(request, f"Created {candidate.name}'s campaign.")
        except ServiceError as error:
            messages.error(request, error.message)
        return redirect("campaigns:office", slug=contest.slug)
    at = clock.now()
    do_not_call = selectors.do_not_call_counts(contest)
    campaigns = [
        (campaign, selectors.campaign_figures(campaign, at=at), do_not_call.get(campaign.pk, 0))
        for campaign in contest.campaigns.select_related("candidate")
    ]
    context = {
        "contest": contest,
        "campaigns": campaigns,
        "without_campaign": contest.candidates.filter(
            status=CandidateStatus.NOMINATED, campaign__isnull=True
        ),
        "release": getattr(contest, "roll_release", None),
        "blockers": services.roll_release_blockers(contest),
        "can_manage": bool(can_manage),
        "contacts": selectors.contact_list(contest).count(),
    }
    return render(request, "campaigns/office.html", context)


@sign_in_for_refused_pages
def home(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A campaign's home: its call lists and sessions, for its own people only."""
    campaign = _campaign(campaign_id)
    policy_require(request, policies.can_view_campaign(request.user, campaign))
    context = {
        "campaign": campaign,
        "access": policies.access_open(campaign),
        "call_lists": campaign.call_lists.select_related("script"),
        "sessions": campaign.sessions.select_related("call_list"),
        "can_see_dashboard": bool(policies.can_view_dashboard(request.user, campaign)),
        "can_review": bool(policies.can_review_volunteers(request.user, campaign)),
    }
    return render(request, "campaigns/home.html", context)


@sign_in_for_refused_pages
def dashboard(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A campaign's figures (small cells suppressed) and why each list may be empty."""
    campaign = _campaign(campaign_id)
    policy_require(request, policies.can_view_dashboard(request.user, campaign))
    at = clock.now()
    session = None
    if request.GET.get("session"):
        session = get_object_or_404(PhoneBankSession, campaign=campaign, pk=request.GET["session"])
    context = {
        "campaign": campaign,
        "session": session,
        "figures": selectors.campaign_figures(campaign, at=at, session=session),
        "lists": [
            (call_list, selectors.empty_list_reasons(call_list, at))
            for call_list in campaign.call_lists.all()
        ],
        "suppress_below": selectors.SUPPRESS_BELOW,
    }
    return render(request, "campaigns/dashboard.html", context)


@sign_in_for_refused_pages
def forecast(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's forecast from its own canvass (decision 0018), beside the declared result."""
    campaign = _campaign(campaign_id)
    policy_require(request, policies.can_view_dashboard(request.user, campaign))
    page = selectors.forecast_for(campaign)
    categories = []
    if page.forecast is not None:
        categories = [
            (item, item.answers >= selectors.SUPPRESS_BELOW) for item in page.forecast.categories
        ]
    context = {
        "campaign": campaign,
        "page": page,
        "categories": categories,
        "suppress_below": selectors.SUPPRESS_BELOW,
        "rows": _forecast_rows(page),
    }
    return render(request, "campaigns/forecast.html", context)


def _forecast_rows(page: selectors.ForecastPage) -> list[dict[str, Any]]:
    if page.forecast is None:
        return []
    return [
        {
            "share": share,
            "chance": page.forecast.win_chance.get(share.candidate, 0.0),
            "declared": page.declared_share(share.candidate),
        }
        for share in page.forecast.shares
    ]


@sign_in_for_refused_pages
def call(request: HttpRequest, campaign_id: int, list_id: int) -> HttpResponse:
    """The caller's screen: one contact at a time, the script, and the outcome."""
    campaign = _campaign(campaign_id)
    call_list = get_object_or_404(
        CallList.objects.select_related("script"), campaign=campaign, pk=list_id
    )
    policy_require(request, policies.can_call(request.user, campaign))
    session = None
    if request.GET.get("session"):
        session = get_object_or_404(PhoneBankSession, campaign=campaign, pk=request.GET["session"])
    at = clock.now()
    claim = selectors.live_claim(request.user, campaign, at)
    status = 200
    form = None
    unsaved: dict[str, Any] | None = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "next":
                claim = services.claim_next(
                    call_list=call_list, caller=request.user, session=session
                )
                if claim is None:
                    messages.info(request, "Nobody on this list can be called now.")
                return redirect(request.get_full_path())
            if action == "skip" and claim is not None:
                services.claim_release(claim=claim, caller=request.user)
                return redirect(request.get_full_path())
            if action == "save":
                claim_id = int(request.POST.get("claim") or 0)
                held = selectors.claim_for_caller(request.user, campaign, claim_id)
                script = held.target.call_list.script if held else call_list.script
                form = forms.OutcomeForm(request.POST, script=script)
                if form.is_valid():
                    services.call_record(
                        claim_id=claim_id,
                        caller=request.user,
                        outcome=form.cleaned_data["outcome"],
                        answers=form.answers(),
                        call_back_at=form.cleaned_data.get("call_back_at"),
                    )
                    messages.success(request, "Saved. Here is your next contact.")
                    claim = services.claim_next(
                        call_list=call_list, caller=request.user, session=session
                    )
                    return redirect(request.get_full_path())
                status = 400
        except ServiceError as error:
            messages.error(request, error.message)
            status = 409 if isinstance(error, services.ClaimLost | services.AlreadySaved) else 400
            if form is not None and form.is_valid():
                # Nothing typed is lost: the caller sees what they entered, to pass it on.
                unsaved = {"outcome": form.cleaned_data["outcome"], "answers": form.answers()}
            claim = selectors.live_claim(request.user, campaign, clock.now())
    number = None
    dial = None
    if claim is not None:
        number = phone_normalise(claim.roll_entry.person.phone)
        dial = dialler().dial_action(number) if number else None
        if form is None or int(request.POST.get("claim") or 0) != claim.pk:
            form = forms.OutcomeForm(script=claim.target.call_list.script)
    context = {
        "campaign": campaign,
        "call_list": call_list,
        "session": session,
        "claim": claim,
        "dial": dial,
        "form": form,
        "reasons": selectors.empty_list_reasons(call_list, at) if claim is None else None,
        "unsaved": unsaved,
    }
    return render(request, "campaigns/call.html", context, status=status)


def volunteer_sign_up(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The public page where anyone offers to help a campaign (throttled, validated)."""
    campaign = _campaign(campaign_id)
    form = forms.VolunteerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                volunteers.volunteer_sign_up(
                    campaign=campaign,
                    details=volunteers.VolunteerDetails(**form.cleaned_data),
                    client_ip=client_ip(request),
                )
            except ServiceError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                return redirect("campaigns:volunteer_thanks", campaign_id=campaign.pk)
        else:
            status = 400
    return render(
        request, "campaigns/volunteer.html", {"campaign": campaign, "form": form}, status=status
    )


def volunteer_thanks(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Confirm a sign-up without repeating any of its details."""
    return render(request, "campaigns/volunteer_thanks.html", {"campaign": _campaign(campaign_id)})


@sign_in_for_refused_pages
def volunteer_queue(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """An organiser's queue of volunteers: approve (as a caller) or decline each."""
    campaign = _campaign(campaign_id)
    policy_require(request, policies.can_review_volunteers(request.user, campaign))
    created = None
    if request.method == "POST":
        volunteer = get_object_or_404(
            Volunteer, campaign=campaign, pk=request.POST.get("volunteer")
        )
        try:
            if request.POST.get("decision") == "approve":
                volunteer, password = volunteers.volunteer_approve(
                    volunteer=volunteer, actor=request.user
                )
                created = (volunteer, password)
            else:
                volunteers.volunteer_reject(volunteer=volunteer, actor=request.user)
                messages.success(request, f"Declined {volunteer.name}'s offer.")
        except ServiceError as error:
            messages.error(request, error.message)
    context = {
        "campaign": campaign,
        "pending": campaign.volunteers.filter(status=VolunteerStatus.PENDING),
        "decided": campaign.volunteers.exclude(status=VolunteerStatus.PENDING),
        "created": created,
    }
    return render(request, "campaigns/volunteers.html", context)


@sign_in_for_refused_pages
def phone_bank(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Organisers write scripts, build call lists from segments and plan sessions."""
    campaign = _campaign(campaign_id)
    policy_require(request, policies.can_run_phone_bank(request.user, campaign))
    scripts = campaign.scripts.order_by("name", "-version")
    call_lists = campaign.call_lists.all()
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if request.method == "POST" else None
    script_form = forms.ScriptForm(data if action == "script" else None, prefix="script")
    list_form = forms.CallListForm(
        data if action == "list" else None, prefix="list", scripts=scripts
    )
    session_form = forms.SessionForm(
        data if action == "session" else None, prefix="session", call_lists=call_lists
    )
    status = 200
    if action is not None:
        form = {"script": script_form, "list": list_form, "session": session_form}.get(action)
        if form is None:
            return redirect("campaigns:phone_bank", campaign_id=campaign.pk)
        if form.is_valid():
            cleaned = form.cleaned_data
            try:
                if action == "script":
                    made: Any = services.script_create(
                        campaign=campaign,
                        name=cleaned["name"],
                        introduction=cleaned["introduction"],
                        questions=cleaned["questions"],
                        actor=request.user,
                    )
                elif action == "list":
                    branch = None
                    if cleaned["branch"]:
                        branch = Branch.objects.filter(code=cleaned["branch"]).first()
                        if branch is None:
                            raise ServiceError(
                                f"There is no branch with the code {cleaned['branch']!r}."
                            )
                    made = services.call_list_create(
                        campaign=campaign,
                        name=cleaned["name"],
                        script=cleaned["script"],
                        branch=branch,
                        region=cleaned["region"],
                        category=cleaned["category"],
                        only_not_reached=cleaned["only_not_reached"],
                        actor=request.user,
                    )
                else:
                    made = services.session_create(
                        campaign=campaign,
                        name=cleaned["name"],
                        venue=cleaned["venue"],
                        call_list=cleaned["call_list"],
                        starts_at=cleaned["starts_at"],
                        ends_at=cleaned["ends_at"],
                        actor=request.user,
                    )
            except ServiceError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, f"Saved {made}.")
                return redirect("campaigns:phone_bank", campaign_id=campaign.pk)
        else:
            status = 400
    context = {
        "campaign": campaign,
        "scripts": scripts,
        "call_lists": call_lists,
        "script_form": script_form,
        "list_form": list_form,
        "session_form": session_form,
    }
    return render(request, "campaigns/phone_bank.html", context, status=status)
