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
from omov.ballots.models import BatchStage, Credential, Delivery
from omov.ballots.services.voting import ballot_candidates
from omov.contests.models import Candidate, Contest, ContestStatus
from omov.contests.timetable import TimetableConflict
from omov.contests.views import step_confirm
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
    context = {
        "contest": credential.contest,
        "receipt": receipt,
        "is_tracker": credential.contest.ballot_box.has_trustees,
    }
    response = _booth_render(request, credential, candidates, "ballots/booth_receipt.html", context)
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
    if selectors.contest_has_trustees(contest):  # its voters were given trackers instead
        return redirect("ballots:trackers", slug=slug)
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
    if selectors.contest_has_trustees(contest):
        raise Http404("This contest's ballots have trackers, in its election record.")
    body = "\n".join(selectors.published_receipts(contest)) + "\n"
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-receipts.txt"'
    return response


@never_cache
def trackers(request: HttpRequest, slug: str) -> HttpResponse:
    """Let anyone find a ballot's tracker: stored while the ballot is open, in the record after.

    For a contest with trustees only. The tracker is sent in a POST body, never in the URL, so
    no access log holds it next to the voter's address and time (as receipts, issue 8 item 4);
    look-ups are limited per client address like the booth's sign-in.
    """
    contest = get_object_or_404(Contest, slug=slug)
    if not contest.has_reached(ContestStatus.BALLOT_OPEN) or not selectors.contest_has_trustees(
        contest
    ):
        raise Http404("Trackers are for a contest with trustees, once its ballot is open.")
    query, status, problem = "", "", ""
    if request.method == "POST":
        query = "".join(ch for ch in request.POST.get("tracker", "").lower() if not ch.isspace())
        if not services.tracker_lookup_allowed(client_ip(request)):
            problem = "Too many look-ups from this connection; try again in a few minutes."
        elif len(query) != 64 or any(ch not in "0123456789abcdef" for ch in query):
            problem = (
                "A tracker is 64 letters and digits (0–9 and a–f), as the page shown after "
                "voting gave it. Check what you typed."
            )
        else:
            status = selectors.tracker_status(contest, query)
    context = {
        "contest": contest,
        "query": query if not problem else "",
        "status": status,
        "problem": problem,
    }
    return render(request, "ballots/trackers.html", context)


# -- The ballot office -----------------------------------------------------------------------


def office(request: HttpRequest, slug: str) -> HttpResponse:
    """Show turnout (aggregates), delivery progress and paper counts to the office."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_view_office(request.user, contest))
    can_run = bool(policies.can_run_ballot(request.user, contest))
    preview, preview_problem = None, ""
    if can_run and not contest.has_reached(ContestStatus.CLOSED):
        try:
            preview = services.credentials_preview(contest=contest, with_letter=False)
        except ServiceError as error:
            preview_problem = error.message
    context = {
        "contest": contest,
        "turnout": selectors.turnout_summary(contest),
        "progress": selectors.delivery_progress(contest),
        "papers": selectors.paper_summary(contest),
        "can_run": can_run,
        "preview": preview,
        "preview_problem": preview_problem,
        "has_trustees": selectors.contest_has_trustees(contest),
        "emails_waiting": services.credentials_pending(contest) if can_run else 0,
        "reminder_round": services.reminder_round_next(contest) if can_run else 1,
        "jobs": selectors.delivery_jobs(contest) if can_run else [],
    }
    return render(request, "ballots/office.html", context)


@never_cache
def office_preview_letter(request: HttpRequest, slug: str) -> HttpResponse:
    """Download one sample letter (a made-up voter, never a real code) as voters will get it."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_run_ballot(request.user, contest))
    try:
        preview = services.credentials_preview(contest=contest)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("ballots:office", slug=slug)
    response = HttpResponse(preview.letter_pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="sample-letter.pdf"'
    return response


@never_cache
@require_POST
def office_send(request: HttpRequest, slug: str) -> HttpResponse:
    """Queue the job that emails every credential not sent yet; show its page."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_run_ballot(request.user, contest))
    try:
        job = services.credentials_send_start(contest=contest, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("ballots:office", slug=slug)
    return redirect("jobs:detail", pk=job.pk)


@never_cache
@require_POST
def office_remind(request: HttpRequest, slug: str) -> HttpResponse:
    """Queue the job that sends a reminder round to the emailed voters who have not voted."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_run_ballot(request.user, contest))
    form = forms.ReminderForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Reminder round: " + " ".join(str(e) for e in form.errors["round"]))
        return redirect("ballots:office", slug=slug)
    try:
        job = services.reminders_start(
            contest=contest, round_number=form.cleaned_data["round"], actor=request.user
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("ballots:office", slug=slug)
    return redirect("jobs:detail", pk=job.pk)


@never_cache
def office_resend(request: HttpRequest, slug: str) -> HttpResponse:
    """Replace every unused credential after a mistake, once the officer has confirmed it."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_run_ballot(request.user, contest))
    form = forms.ResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            counts = services.credentials_resend(
                contest=contest, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"Replaced {counts.total} credentials: the old ones no longer work. "
                f"{counts.emails} fresh emails go out with `omov credentials send --contest "
                f"{slug}`; print {counts.letters} fresh letters with `omov credentials letters "
                f"--contest {slug} --out FILE.pdf`.",
            )
            return redirect("ballots:office", slug=slug)
    context = {
        "contest": contest,
        "form": form,
        "scope": services.credentials_resend_scope(contest),
        "waiting": services.credentials_waiting(contest),
    }
    return render(request, "ballots/resend.html", context)


@never_cache
@require_POST
def office_open(request: HttpRequest, slug: str) -> HttpResponse:
    """Open the ballot and show the count key once; it is not kept anywhere."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_run_ballot(request.user, contest))
    try:
        opening = services.ballot_open(
            contest=contest,
            actor=request.user,
            hand_over_key=True,
            reason=request.POST.get("reason", ""),
        )
    except TimetableConflict as conflict:
        return step_confirm(request, contest, conflict, request.path)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("ballots:office", slug=slug)
    if opening.private_key is None:  # trustees: ballots go to their joint key, no count key
        messages.success(
            request,
            f"The ballot is open: {opening.credentials_created:,} credentials created. Ballots "
            "are encrypted to the trustees' joint key; there is no count key to keep.",
        )
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
                    pdf = services.letter_pdf_for(
                        contest, credential.roll_entry.person, issued, credential.category
                    )
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
#
# Two stages (decision 0010): the declarations of a batch are checked and their voters marked
# (``postal_batches``, ``postal_declarations``); then the batch's ballot papers, which carry no
# reference, are keyed twice by their number in the mixed batch (``paper_key``) and differing
# keyings resolved by a supervisor (``paper_mismatches``, ``paper_resolve``). No keying page
# shows or asks for anything that leads to a voter.


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


def _paper_submit(
    request: HttpRequest, contest: Contest, form: forms.PaperHeaderForm, action: Any, **extra: Any
) -> Any:
    """Parse the keying form and call ``action``; return (result, ranking-result)."""
    candidates = ballot_candidates(contest)
    ranking = forms.parse_ranking(request.POST, candidates)
    if not form.is_valid():
        return None, ranking
    outcome = form.cleaned_data["outcome"]
    if outcome == "ballot" and not ranking.is_valid:
        return None, ranking
    if outcome == "spoilt" and not form.cleaned_data["reason"]:
        form.add_error("reason", "Choose why the paper is spoilt.")
        return None, ranking
    try:
        result = action(
            contest=contest,
            batch_number=form.cleaned_data["batch_number"],
            paper_number=form.cleaned_data["paper_number"],
            outcome=outcome,
            ranking=ranking.ranking if outcome == "ballot" else (),
            reason=form.cleaned_data["reason"],
            **extra,
        )
    except ServiceError as error:
        form.add_error(None, error.message)
        return None, ranking
    return result, ranking


def _paper_page(
    request: HttpRequest,
    contest: Contest,
    *,
    form_class: type[forms.PaperHeaderForm],
    service: Any,
    done: str,
    title: str,
    initial: dict[str, Any] | None = None,
    action: str | None = None,
    extra: dict[str, Any] | None = None,
    **who: Any,
) -> HttpResponse:
    """Show the keying form; on a good POST call ``service`` and go to ``done``."""
    ranking = None
    if request.method == "POST":
        form = form_class(request.POST)
        if "note" in form.fields:
            who = {**who, "note": request.POST.get("note", "")}
        result, ranking = _paper_submit(request, contest, form, service, **who)
        if result is not None:
            messages.success(request, result.message)
            return redirect(done)
    else:
        form = form_class(initial=initial)
    context = {
        "contest": contest,
        "form": form,
        "rows": _paper_rows(contest, request.POST, ranking),
        "numbers": range(1, len(ballot_candidates(contest)) + 1),
        "errors": ranking.errors if ranking and form.data.get("outcome") == "ballot" else [],
        "title": title,
        "action": action,
        **(extra or {}),
    }
    return render(request, "ballots/paper_key.html", context)


@never_cache
def paper_key(request: HttpRequest, slug: str) -> HttpResponse:
    """Key one ballot paper of a batch by its number (first or blind second keying)."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_key_paper(request.user, contest))
    keying = [b for b in selectors.postal_batches(contest) if b.stage == BatchStage.KEYING]
    return _paper_page(
        request,
        contest,
        form_class=forms.PaperHeaderForm,
        service=services.paper_key,
        done=reverse("ballots:paper_key", args=[slug]),
        title="Key a ballot paper",
        extra={"keying_batches": keying},
        operator=request.user,
    )


@never_cache
def paper_reject(request: HttpRequest, slug: str) -> HttpResponse:
    """Record a returned envelope that cannot be accepted (it is not opened)."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_reject_paper(request.user, contest))
    form = forms.PaperRejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.paper_reject(
                contest=contest, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "The envelope is recorded as rejected.")
            return redirect("ballots:paper_reject", slug=slug)
    return render(request, "ballots/paper_reject.html", {"contest": contest, "form": form})


def paper_mismatches(request: HttpRequest, slug: str) -> HttpResponse:
    """List papers whose keyings differ and batches whose numbers differ, for a supervisor."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_resolve_paper(request.user, contest))
    context = {
        "contest": contest,
        "keyings": selectors.mismatched_papers(contest),
        "batches": selectors.batches_to_reconcile(contest),
    }
    return render(request, "ballots/paper_mismatches.html", context)


@never_cache
def paper_resolve(request: HttpRequest, slug: str, batch: int, paper: int) -> HttpResponse:
    """Key a paper with differing keyings once more, as the supervisor; that settles it."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_resolve_paper(request.user, contest))
    return _paper_page(
        request,
        contest,
        form_class=forms.PaperResolveForm,
        service=services.paper_resolve,
        done=reverse("ballots:paper_mismatches", args=[slug]),
        title=f"Resolve paper {paper} of batch {batch}",
        initial={"batch_number": batch, "paper_number": paper},
        action=reverse("ballots:paper_resolve", args=[slug, batch, paper]),
        supervisor=request.user,
    )


@never_cache
def postal_batches(request: HttpRequest, slug: str) -> HttpResponse:
    """List the postal batches and start a new one (a tray of returned envelopes)."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_handle_postal_batch(request.user, contest))
    form = forms.BatchCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.postal_batch_create(
                contest=contest, actor=request.user, category=form.cleaned_data["category"]
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Batch {batch.number} started: check its declarations.")
            return redirect("ballots:postal_declarations", slug=slug, number=batch.number)
    context = {
        "contest": contest,
        "form": form,
        "batches": selectors.postal_batches(contest),
        "minimum": services.batch_minimum(),
    }
    return render(request, "ballots/postal_batches.html", context)


@never_cache
def postal_declarations(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Check a batch's declarations one by one; then record the ballot papers found in it."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_handle_postal_batch(request.user, contest))
    batch = selectors.postal_batch(contest, number)
    if batch is None:
        raise Http404("There is no such batch.")
    is_supervisor = bool(policies.can_resolve_paper(request.user, contest))
    declaration = forms.DeclarationForm(request.POST if "reference" in request.POST else None)
    separate = forms.SeparateForm(request.POST if "papers_found" in request.POST else None)
    if declaration.is_bound and declaration.is_valid():
        try:
            result = services.postal_declaration_accept(
                contest=contest,
                actor=request.user,
                batch_number=number,
                reference=declaration.cleaned_data["reference"],
            )
        except ServiceError as error:
            declaration.add_error(None, error.message)
        else:
            level = messages.SUCCESS if result.status == "accepted" else messages.WARNING
            messages.add_message(request, level, result.message)
            return redirect("ballots:postal_declarations", slug=slug, number=number)
    if separate.is_bound and separate.is_valid():
        note = separate.cleaned_data["small_batch_note"] if is_supervisor else ""
        try:
            batch = services.postal_batch_separate(
                contest=contest,
                actor=request.user,
                batch_number=number,
                papers_found=separate.cleaned_data["papers_found"],
                small_batch_note=note,
            )
        except ServiceError as error:
            separate.add_error(None, error.message)
        else:
            if batch.stage == BatchStage.COUNT_MISMATCH:
                messages.warning(
                    request,
                    f"Batch {number} has {batch.papers_found} ballot papers for "
                    f"{batch.declarations_accepted} declarations. Keep its papers together and "
                    "call a supervisor to reconcile them.",
                )
            else:
                messages.success(
                    request,
                    f"Batch {number} is ready for keying: write 1 to {batch.papers_to_key} on "
                    "the mixed ballot papers.",
                )
            return redirect("ballots:postal_batches", slug=slug)
    if not is_supervisor:
        separate.fields.pop("small_batch_note")
    context = {
        "contest": contest,
        "batch": batch,
        "declaration": declaration,
        "separate": separate,
        "minimum": services.batch_minimum(),
    }
    return render(request, "ballots/postal_declarations.html", context)


@never_cache
def postal_reconcile(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Reconcile a batch whose ballot papers and declarations differ in number (supervisor)."""
    contest = get_object_or_404(Contest, slug=slug)
    _require(policies.can_resolve_paper(request.user, contest))
    batch = selectors.postal_batch(contest, number)
    if batch is None:
        raise Http404("There is no such batch.")
    form = forms.ReconcileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.postal_batch_reconcile(
                contest=contest,
                supervisor=request.user,
                batch_number=number,
                papers_counted=form.cleaned_data["papers_counted"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Batch {number} is reconciled.")
            return redirect("ballots:paper_mismatches", slug=slug)
    context = {"contest": contest, "batch": batch, "form": form}
    return render(request, "ballots/postal_reconcile.html", context)
