"""The booth (/vote/), the ballot office, the paper-ballot pages and the published receipts.

The booth keeps the signed-in credential in a signed cookie (``booth_pass``), never in the
session; the preferences travel in the form between the ballot, review and confirm pages and never
reach the server's storage in plain text. Confirming or leaving ends the pass.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from omov.ballots import booth_pass, forms, padding, policies, selectors, services
from omov.ballots.models import Credential, Delivery
from omov.ballots.services.voting import ballot_candidates
from omov.contests.models import Candidate, Contest, ContestStatus
from omov.core.errors import ServiceError
from omov.core.http import client_ip
from omov.core.policies import Decision


def _require(decision: Decision) -> None:
    if not decision:
        raise PermissionDenied(decision.reason)


# -- The booth --------------------------------------------------------------------------------


@never_cache
def booth_start(request: HttpRequest) -> HttpResponse:
    """Sign in to the booth with a ballot reference (filled in from the emailed link) and code."""
    if request.method == "POST":
        form = forms.SignInForm(request.POST)
        if form.is_valid():
            try:
                credential = services.credential_sign_in(
                    reference=form.cleaned_data["reference"],
                    code=form.cleaned_data["code"],
                    client_ip=client_ip(request),
                )
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                response = redirect("ballots:ballot")
                booth_pass.pass_give(
                    response,
                    credential_id=credential.pk,
                    generation=credential.generation,
                    reference=form.cleaned_data["reference"],
                    code=form.cleaned_data["code"],
                )
                return response
    elif "ref" in request.GET:
        # An old link with the reference in the query: move it to the fragment at once, so it
        # leaves the address bar, the history and later Referer headers (the access log drops
        # /vote/ query strings anyway, see omov.config.access_log).
        reference = "".join(ch for ch in request.GET["ref"] if ch.isalnum())[:30]
        return redirect(reverse("ballots:start") + (f"#ref={reference}" if reference else ""))
    else:
        form = forms.SignInForm()
    page = render(request, "ballots/booth_start.html", {"form": form})
    return padding.pad(page, padding.START_LENGTH)


def _booth_render(
    request: HttpRequest,
    credential: Credential,
    candidates: list[Candidate],
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """Render a booth page padded to the contest's one booth length (``padding``)."""
    length = padding.booth_length(request, credential.contest, candidates)
    return padding.pad(render(request, template, context), length)


def _booth_credential(request: HttpRequest) -> Credential | None:
    """Return the credential the browser signed in with, if its pass is good and current.

    Good means signed and in date (the site's key) *and* carrying the proof of the current
    security code (checked against the stored code hash): a pass forged with the site's key alone
    is refused here.
    """
    signed_in = booth_pass.pass_read(request)
    if signed_in is None:
        return None
    credential = (
        Credential.objects.select_related("contest__ballot_box")
        .filter(pk=signed_in.credential_id)
        .first()
    )
    if credential is None or not booth_pass.pass_matches(
        signed_in, generation=credential.generation, code_hash=credential.code_hash
    ):
        return None
    return credential


def _back_to_start(request: HttpRequest, level: int, message: str) -> HttpResponse:
    messages.add_message(request, level, message)
    response = redirect("ballots:start")
    booth_pass.pass_end(response)
    return response


def _booth_context(
    credential: Credential, candidates: list[Candidate], result: forms.RankingResult | None
) -> dict[str, Any]:
    rows = []
    for candidate in candidates:
        name = forms.preference_field_name(candidate.pk)
        rows.append(
            {
                "candidate": candidate,
                "name": name,
                "value": result.values.get(name, "") if result else "",
                "error": result.field_errors.get(name, "") if result else "",
            }
        )
    return {
        "contest": credential.contest,
        "rows": rows,
        "numbers": range(1, len(candidates) + 1),
        "errors": result.errors if result else [],
        # The same for every voter of the contest, so the page's size still says nothing.
        "has_statements": any(candidate.statement for candidate in candidates),
    }


@never_cache
def booth_ballot(request: HttpRequest) -> HttpResponse:
    """Show the candidates and their statements; check the numbered preferences; review them."""
    credential = _booth_credential(request)
    if credential is None:
        return _back_to_start(
            request, messages.INFO, "Enter your ballot reference and security code to vote."
        )
    if credential.has_voted or credential.contest.status != ContestStatus.BALLOT_OPEN:
        return _back_to_start(request, messages.ERROR, "This ballot can no longer be used to vote.")
    candidates = ballot_candidates(credential.contest)
    if request.method == "POST":
        result = forms.parse_ranking(request.POST, candidates)
        if result.is_valid and "edit" not in request.POST:
            by_id = {c.pk: c for c in candidates}
            context = {
                "contest": credential.contest,
                "ranked": [by_id[pk] for pk in result.ranking],
                "values": result.values,
            }
            return _booth_render(
                request, credential, candidates, "ballots/booth_review.html", context
            )
        if "edit" in request.POST:
            result.errors, result.field_errors = [], {}
        return _booth_render(
            request,
            credential,
            candidates,
            "ballots/booth_ballot.html",
            _booth_context(credential, candidates, result),
        )
    return _booth_render(
        request,
        credential,
        candidates,
        "ballots/booth_ballot.html",
        _booth_context(credential, candidates, None),
    )


@never_cache
@require_POST
def booth_confirm(request: HttpRequest) -> HttpResponse:
    """Cast the reviewed ballot, end the booth pass, and show the receipt."""
    credential = _booth_credential(request)
    if credential is None:
        return _back_to_start(
            request, messages.INFO, "Enter your ballot reference and security code to vote."
        )
    candidates = ballot_candidates(credential.contest)
    result = forms.parse_ranking(request.POST, candidates)
    if not result.is_valid:
        return _booth_render(
            request,
            credential,
            candidates,
            "ballots/booth_ballot.html",
            _booth_context(credential, candidates, result),
        )
    try:
        receipt = services.ballot_cast(
            credential_id=credential.pk, ranking=result.ranking, credential=credential
        )
    except ServiceError as error:
        return _back_to_start(request, messages.ERROR, error.message)
    response = _booth_render(
        request,
        credential,
        candidates,
        "ballots/booth_receipt.html",
        {"contest": credential.contest, "receipt": receipt},
    )
    booth_pass.pass_end(response)
    return response


@require_POST
def booth_leave(request: HttpRequest) -> HttpResponse:
    """Leave the booth without voting."""
    return _back_to_start(
        request, messages.INFO, "You have left the booth without voting. You can come back later."
    )


# -- Published receipts ----------------------------------------------------------------------


def receipts(request: HttpRequest, slug: str) -> HttpResponse:
    """Let a voter check their receipt in the published list (after the close).

    The receipt is sent in a POST body, never in the URL, so no access log holds it next to the
    voter's address and time (issue 8, item 4).
    """
    contest = get_object_or_404(Contest, slug=slug)
    if not contest.has_reached(ContestStatus.CLOSED):
        raise Http404("Receipts are published when the ballot closes.")
    typed = request.POST.get("receipt", "") if request.method == "POST" else ""
    query = "".join(ch for ch in typed.upper() if ch.isalnum())[:16]
    found = selectors.receipt_is_published(contest, query) if query else None
    context = {"contest": contest, "query": query, "found": found}
    return render(request, "ballots/receipts.html", context)


def receipts_text(request: HttpRequest, slug: str) -> HttpResponse:
    """Download every receipt of a closed contest, sorted, one a line."""
    contest = get_object_or_404(Contest, slug=slug)
    if not contest.has_reached(ContestStatus.CLOSED):
        raise Http404("Receipts are published when the ballot closes.")
    body = "\n".join(selectors.published_receipts(contest)) + "\n"
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-receipts.txt"'
    return response


# -- The ballot office -----------------------------------------------------------------------


def office(request: HttpRequest, slug: str) -> HttpResponse:
    """Show turnout (aggregates), delivery progress and paper counts to the office."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_view_office(request.user, contest))
    context = {
        "contest": contest,
        "turnout": selectors.turnout_summary(contest),
        "progress": selectors.delivery_progress(contest),
        "papers": selectors.paper_summary(contest),
        "can_run": bool(policies.can_run_ballot(request.user, contest)),
    }
    return render(request, "ballots/office.html", context)


@never_cache
@require_POST
def office_open(request: HttpRequest, slug: str) -> HttpResponse:
    """Open the ballot and show the count key once; it is not kept anywhere."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_run_ballot(request.user, contest))
    try:
        opening = services.ballot_open(contest=contest, actor=request.user, hand_over_key=True)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("ballots:office", slug=slug)
    download = base64.b64encode(opening.key_text.encode()).decode()
    response = render(
        request,
        "ballots/key_once.html",
        {"contest": contest, "opening": opening, "download": download},
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def office_reissue(request: HttpRequest, slug: str) -> HttpResponse:
    """Reissue a voter's credential after checking who they are (returning officer)."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_run_ballot(request.user, contest))
    form = forms.ReissueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credential = (
            Credential.objects.select_related("roll_entry__person")
            .filter(
                contest=contest, roll_entry__person__external_id=form.cleaned_data["external_id"]
            )
            .first()
        )
        if credential is None:
            form.add_error("external_id", "Nobody with this membership number has a credential.")
        else:
            delivery = form.cleaned_data["delivery"]
            try:
                issued = services.credential_reissue(
                    credential=credential,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    delivery=delivery,
                )
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                if delivery == Delivery.LETTER:
                    pdf = services.letter_pdf_for(contest, credential.roll_entry.person, issued)
                    response = HttpResponse(pdf, content_type="application/pdf")
                    response["Content-Disposition"] = 'attachment; filename="reissued-letter.pdf"'
                    response["Cache-Control"] = "no-store"
                    return response
                messages.success(
                    request, "A new credential has been emailed; the old one no longer works."
                )
                return redirect("ballots:office", slug=slug)
    return render(request, "ballots/reissue.html", {"contest": contest, "form": form})


# -- Paper ballots ---------------------------------------------------------------------------


def _paper_rows(
    contest: Contest, data: Any, result: forms.RankingResult | None
) -> list[dict[str, Any]]:
    rows = []
    for candidate in ballot_candidates(contest):
        name = forms.preference_field_name(candidate.pk)
        rows.append(
            {
                "candidate": candidate,
                "name": name,
                "value": (data or {}).get(name, "") if result else "",
                "error": result.field_errors.get(name, "") if result else "",
            }
        )
    return rows


def _paper_submit(request: HttpRequest, contest: Contest, action: Any, **extra: Any) -> Any:
    """Parse the paper form and call ``action``; return (form, result, ranking-result)."""
    form = forms.PaperHeaderForm(request.POST)
    candidates = ballot_candidates(contest)
    ranking = forms.parse_ranking(request.POST, candidates)
    if not form.is_valid():
        return form, None, ranking
    outcome = form.cleaned_data["outcome"]
    if outcome == "ballot" and not ranking.is_valid:
        return form, None, ranking
    if outcome == "spoilt" and not form.cleaned_data["reason"]:
        form.add_error("reason", "Choose why the paper is spoilt.")
        return form, None, ranking
    try:
        result = action(
            contest=contest,
            reference=form.cleaned_data["reference"],
            outcome=outcome,
            ranking=ranking.ranking if outcome == "ballot" else (),
            reason=form.cleaned_data["reason"],
            **extra,
        )
    except ServiceError as error:
        form.add_error(None, error.message)
        return form, None, ranking
    return form, result, ranking


def _paper_page(
    request: HttpRequest,
    contest: Contest,
    *,
    service: Any,
    done: str,
    title: str,
    initial: dict[str, str] | None = None,
    action: str | None = None,
    **who: Any,
) -> HttpResponse:
    """Show the paper form; on a good POST call ``service`` and go to ``done``."""
    ranking = None
    if request.method == "POST":
        form, result, ranking = _paper_submit(request, contest, service, **who)
        if result is not None:
            messages.success(request, result.message)
            return redirect(done)
    else:
        form = forms.PaperHeaderForm(initial=initial)
    context = {
        "contest": contest,
        "form": form,
        "rows": _paper_rows(contest, request.POST, ranking),
        "numbers": range(1, len(ballot_candidates(contest)) + 1),
        "errors": ranking.errors if ranking and form.data.get("outcome") == "ballot" else [],
        "title": title,
        "action": action,
    }
    return render(request, "ballots/paper_key.html", context)


@never_cache
def paper_key(request: HttpRequest, slug: str) -> HttpResponse:
    """Key one returned paper (first or blind second keying)."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_key_paper(request.user, contest))
    return _paper_page(
        request,
        contest,
        service=services.paper_key,
        done=reverse("ballots:paper_key", args=[slug]),
        title="Key a returned paper",
        operator=request.user,
    )


@never_cache
def paper_reject(request: HttpRequest, slug: str) -> HttpResponse:
    """Record a returned paper that cannot be accepted."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_reject_paper(request.user, contest))
    form = forms.PaperRejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.paper_reject(
                contest=contest,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                reference=form.cleaned_data["reference"],
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "The paper is recorded as rejected.")
            return redirect("ballots:paper_reject", slug=slug)
    return render(request, "ballots/paper_reject.html", {"contest": contest, "form": form})


def paper_mismatches(request: HttpRequest, slug: str) -> HttpResponse:
    """List papers whose keyings differ, for a supervisor."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_resolve_paper(request.user, contest))
    context = {"contest": contest, "keyings": selectors.mismatched_papers(contest)}
    return render(request, "ballots/paper_mismatches.html", context)


@never_cache
def paper_resolve(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """Key a paper with differing keyings once more, as the supervisor; that settles it."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_resolve_paper(request.user, contest))
    return _paper_page(
        request,
        contest,
        service=services.paper_resolve,
        done=reverse("ballots:paper_mismatches", args=[slug]),
        title=f"Resolve paper {reference}",
        initial={"reference": reference},
        action=reverse("ballots:paper_resolve", args=[slug, reference]),
        supervisor=request.user,
    )
