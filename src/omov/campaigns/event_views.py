"""Event pages: the organisers' list and editor, the door's check-in, the public RSVP pages,
and the campaign's calendar feed.

Organiser pages check ``can_run_events`` (nobody of another campaign, not even the office, sees
an RSVP: decision 0015). The RSVP, cancel and feed pages are public and show no attendee.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from omov.campaigns import events, forms, ical, invitations, policies, selectors
from omov.campaigns.models import Campaign, Event, Rsvp, RsvpStatus
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.http import client_ip, policy_require, sign_in_for_refused_pages
from omov.electorate.models import Branch


def _campaign(campaign_id: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("contest", "candidate"), pk=campaign_id
    )


def _event(campaign: Campaign, event_id: int) -> Event:
    return get_object_or_404(
        Event.objects.select_related("main_event"), campaign=campaign, pk=event_id
    )


def _details(cleaned: dict[str, Any]) -> events.EventDetails:
    return events.EventDetails(
        kind=cleaned["kind"],
        title=cleaned["title"],
        venue=cleaned["venue"],
        address=cleaned["address"],
        starts_at=cleaned["starts_at"],
        ends_at=cleaned["ends_at"],
        capacity=cleaned["capacity"],
        description=cleaned["description"],
        is_public=cleaned["is_public"],
    )


@sign_in_for_refused_pages
def event_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A campaign's events with their figures, and the form for a new one."""
    campaign = _campaign(campaign_id)
    policy_require(request, policies.can_run_events(request.user, campaign))
    main_events = campaign.events.filter(main_event__isnull=True)
    form = forms.EventForm(request.POST or None, main_events=main_events)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                event = events.event_create(
                    campaign=campaign,
                    details=_details(form.cleaned_data),
                    main_event=form.cleaned_data.get("main_event"),
                    actor=request.user,
                )
            except ServiceError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, f"Created {event.title}.")
                return redirect("campaigns:event", campaign_id=campaign.pk, event_id=event.pk)
        else:
            status = 400
    context = {
        "campaign": campaign,
        "attendance": selectors.campaign_attendance(campaign),
        "form": form,
        "feed_url": request.build_absolute_uri(reverse("campaigns:event_feed", args=[campaign.pk])),
    }
    return render(request, "campaigns/events.html", context, status=status)


@sign_in_for_refused_pages
def event_detail(request: HttpRequest, campaign_id: int, event_id: int) -> HttpResponse:
    """One event: its figures (with its satellites'), its RSVPs, and its details to edit."""
    campaign = _campaign(campaign_id)
    event = _event(campaign, event_id)
    policy_require(request, policies.can_run_events(request.user, campaign))
    initial = {
        name: getattr(event, name)
        for name in (
            "kind",
            "title",
            "venue",
            "address",
            "starts_at",
            "ends_at",
            "capacity",
            "description",
            "is_public",
        )
    }
    is_invite = request.POST.get("action") == "invite"
    form = forms.EventForm(None if is_invite else request.POST or None, initial=initial)
    invite_form = forms.InviteForm(request.POST if is_invite else None)
    status = 200
    if is_invite:
        status = _invite(request, event, invite_form)
        if status == 302:
            return redirect("campaigns:event", campaign_id=campaign.pk, event_id=event.pk)
    elif request.method == "POST":
        if form.is_valid():
            try:
                event, promoted = events.event_update(
                    event=event, details=_details(form.cleaned_data), actor=request.user
                )
            except ServiceError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                if promoted:
                    events.rsvp_emails_send(promoted, kind="promoted")
                messages.success(
                    request,
                    f"Saved {event.title}."
                    + (
                        f" {len(promoted)} on the waiting list now have a place."
                        if promoted
                        else ""
                    ),
                )
                return redirect("campaigns:event", campaign_id=campaign.pk, event_id=event.pk)
        else:
            status = 400
    main = event.main_event or event
    can_invite = bool(policies.access_open(campaign)) and event.is_public
    context = {
        "campaign": campaign,
        "event": event,
        "linked": selectors.linked_attendance(main),
        "attendance": selectors.event_attendance(event),
        "rsvps": event.rsvps.exclude(status=RsvpStatus.CANCELLED).order_by("status", "name"),
        "form": form,
        "rsvp_url": request.build_absolute_uri(
            reverse("campaigns:rsvp", args=[campaign.pk, event.pk])
        ),
        "invite_form": invite_form,
        "can_invite": can_invite,
        "invitable": (
            selectors.suppressed(invitations.invitation_targets(event).count())
            if can_invite
            else None
        ),
        "invite_limit": INVITE_PAGE_LIMIT,
        "suppress_below": selectors.SUPPRESS_BELOW,
    }
    return render(request, "campaigns/event.html", context, status=status)


#: Invitations one press of the page sends (a few seconds at the mail rate); more: the CLI.
INVITE_PAGE_LIMIT = 200


def _invite(request: HttpRequest, event: Event, form: forms.InviteForm) -> int:
    """Send the next invitations of the chosen segment; return the status to answer with."""
    if not form.is_valid():
        return 400
    branch = None
    code = form.cleaned_data["branch"]
    if code:
        branch = Branch.objects.filter(code=code).first()
        if branch is None:
            form.add_error("branch", f"There is no branch with the code {code!r}.")
            return 400
    try:
        sent = invitations.invitations_send(
            event=event,
            actor=request.user,
            branch=branch,
            region=form.cleaned_data["region"],
            limit=INVITE_PAGE_LIMIT,
        )
    except ServiceError as error:
        form.add_error(None, error.message)
        return 400
    messages.success(
        request,
        f"Invited {sent} voters to {event.title}."
        if sent
        else "Nobody in that segment is left "
        "to invite: everyone who agreed to emails has been invited already.",
    )
    return 302


@sign_in_for_refused_pages
def event_check_in(request: HttpRequest, campaign_id: int, event_id: int) -> HttpResponse:
    """The door: find someone by name or by their RSVP code and check them in."""
    campaign = _campaign(campaign_id)
    event = _event(campaign, event_id)
    policy_require(request, policies.can_run_events(request.user, campaign))
    query = request.GET.get("q", "").strip()[:100]
    code_form = forms.CodeForm(request.POST if request.POST.get("code") is not None else None)
    status = 200
    if request.method == "POST":
        rsvp: Rsvp | None = None
        chosen = request.POST.get("rsvp", "")
        if chosen:
            rsvp = event.rsvps.filter(pk=int(chosen)).first() if chosen.isdigit() else None
            if rsvp is None:
                messages.error(request, "That RSVP is not for this event; search again.")
        elif code_form.is_valid():
            rsvp = events.rsvp_find_by_code(event, code_form.cleaned_data["code"])
            if rsvp is None:
                messages.error(
                    request,
                    f"No RSVP to {event.title} has the code "
                    f"{code_form.cleaned_data['code'].strip()!r}. Check it, or search by name.",
                )
        if rsvp is not None:
            try:
                done = events.rsvp_check_in(event=event, rsvp=rsvp, actor=request.user)
            except ServiceError as error:
                messages.error(request, error.message)
            else:
                if done.was_already:
                    who = done.rsvp.checked_in_by
                    messages.warning(
                        request,
                        f"{done.rsvp.name} was checked in already at "
                        f"{done.rsvp.checked_in_at:%H:%M}" + (f" by {who}" if who else "") + ".",
                    )
                else:
                    messages.success(request, f"Checked in {done.rsvp.name}. Welcome them in!")
            return redirect(request.get_full_path())
        status = 400
    context = {
        "campaign": campaign,
        "event": event,
        "query": query,
        "found": selectors.rsvps_search(event, query) if query else None,
        "code_form": code_form,
        "attendance": selectors.event_attendance(event),
    }
    return render(request, "campaigns/check_in.html", context, status=status)


def rsvp(request: HttpRequest, campaign_id: int, event_id: int) -> HttpResponse:
    """The public RSVP page of an event (no sign-in; throttled; shows no attendee)."""
    campaign = _campaign(campaign_id)
    event = _event(campaign, event_id)
    if not event.is_public:
        raise Http404("No such event.")
    form = forms.RsvpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                taken = events.rsvp_create(
                    event=event,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    client_ip=client_ip(request),
                )
            except ServiceError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                # The same page whether the address had replied before or not (decision 0015).
                url = reverse("campaigns:rsvp_sent", args=[campaign.pk, event.pk])
                return redirect(url + ("" if taken.is_emailed else "?mail=later"))
        else:
            status = 400
    main = event.main_event or event
    context = {
        "campaign": campaign,
        "event": event,
        "main": main,
        "linked": [e for e in [main, *main.satellites.all()] if e.is_public and e.pk != event.pk],
        "places_left": selectors.event_attendance(event).places_left,
        "is_open": clock.now() < event.starts_at,
        "form": form,
    }
    return render(request, "campaigns/rsvp.html", context, status=status)


def rsvp_sent(request: HttpRequest, campaign_id: int, event_id: int) -> HttpResponse:
    """Say the confirmation is on its way, repeating nothing the visitor typed."""
    campaign = _campaign(campaign_id)
    event = _event(campaign, event_id)
    if not event.is_public:
        raise Http404("No such event.")
    context = {"campaign": campaign, "event": event, "mail_later": "mail" in request.GET}
    return render(request, "campaigns/rsvp_sent.html", context)


def rsvp_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed cancel link: GET asks (link scanners follow links), POST cancels."""
    found = events.rsvp_by_cancel_token(token)
    if found is None:
        return render(request, "campaigns/rsvp_cancel.html", {"rsvp": None}, status=404)
    is_done = False
    if request.method == "POST":
        try:
            found, _promoted = events.rsvp_cancel(rsvp=found)
            is_done = True
        except ServiceError as error:
            messages.error(request, error.message)
    context = {"rsvp": found, "event": found.event, "is_done": is_done}
    return render(request, "campaigns/rsvp_cancel.html", context)


def event_feed(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's public events as an iCalendar feed (no attendee, no private event)."""
    campaign = _campaign(campaign_id)
    entries = [
        ical.CalendarEvent(
            uid=f"{event.uid}@omov",
            title=event.title,
            description=event.description,
            location=", ".join(part for part in (event.venue, event.address) if part),
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            updated_at=event.updated_at,
            sequence=event.sequence,
            url=request.build_absolute_uri(reverse("campaigns:rsvp", args=[campaign.pk, event.pk])),
            category=event.get_kind_display(),
        )
        for event in selectors.public_events(campaign)
    ]
    body = ical.calendar_render(name=f"{campaign.name}: events", events=entries)
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="campaign-{campaign.pk}-events.ics"'
    return response
