"""The record's pages: public (anyone), the office's ceremony page, and each trustee's page."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from omov.contests.models import Contest
from omov.contests.policies import can_view_contest
from omov.core.errors import ServiceError
from omov.core.http import policy_require, sign_in_for_refused_pages
from omov.jobs.models import Job
from omov.trustees import forms, policies, selectors, services
from omov.trustees.models import ElectionRecord
from omov.trustees.record import record_archive

ARCHIVES = {"zip": "application/zip", "tar.gz": "application/gzip"}


def _contest(slug: str) -> Contest:
    return get_object_or_404(Contest, slug=slug)


def _record(contest: Contest) -> ElectionRecord:
    record = selectors.record_of(contest)
    if record is None:
        raise Http404("This contest has no trustees and no election record.")
    return record


def _read(upload: UploadedFile, record: ElectionRecord) -> bytes:
    # Read one byte past the limit: the service refuses a file that is too big, by its size.
    return upload.read(services.file_limit(record) + 1)


def _handed_in(request: HttpRequest, done: object, back: HttpResponse, said: str) -> HttpResponse:
    """After a file was handed in: its job's page when it was queued, else back with a word."""
    if isinstance(done, Job):
        return redirect("jobs:detail", pk=done.pk)
    messages.success(request, said)
    return back


@sign_in_for_refused_pages
def record_public(request: HttpRequest, slug: str) -> HttpResponse:
    """The public record: head hash, entries, downloads. Holds nothing secret."""
    contest = _contest(slug)
    policy_require(request, can_view_contest(request.user, contest))
    record = selectors.record_of(contest)
    if record is None:
        return render(request, "trustees/no_record.html", {"contest": contest})
    trustee = selectors.trustee_for(request.user, contest)
    context = {
        "contest": contest,
        "record": record,
        "entries": selectors.entries_of(record),
        "head": selectors.head_hash(record),
        "progress": selectors.ceremony_progress(record),
        "count": selectors.count_progress(record),
        "is_trustee": bool(policies.can_act_as_trustee(request.user, trustee)),
    }
    return render(request, "trustees/record.html", context)


@sign_in_for_refused_pages
def record_download(request: HttpRequest, slug: str, archive: str) -> HttpResponse:
    """The record as a .zip or .tar.gz of the directory layout (docs/election-record.md)."""
    contest = _contest(slug)
    policy_require(request, can_view_contest(request.user, contest))
    if archive not in ARCHIVES:
        raise Http404("The record downloads as .zip or .tar.gz.")
    content = record_archive(_record(contest), kind=archive)
    response = HttpResponse(content, content_type=ARCHIVES[archive])
    response["Content-Disposition"] = f'attachment; filename="record-{contest.slug}.{archive}"'
    return response


@sign_in_for_refused_pages
def record_entry(request: HttpRequest, slug: str, index: int) -> HttpResponse:
    """One entry file, byte for byte as the chain hashes it."""
    contest = _contest(slug)
    policy_require(request, can_view_contest(request.user, contest))
    entry = get_object_or_404(_record(contest).entries, index=index)
    response = HttpResponse(bytes(entry.content), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{entry.file.split("/")[-1]}"'
    return response


@sign_in_for_refused_pages
def record_office(request: HttpRequest, slug: str) -> HttpResponse:
    """The returning officer's ceremony page: appoint, start, hand in files, seal."""
    contest = _contest(slug)
    policy_require(request, policies.can_view_office_record(request.user, contest))
    record = selectors.record_of(contest)
    can_manage = bool(policies.can_manage_trustees(request.user, contest))
    numbers = [t.number for t in selectors.trustees_of(record)] if record else []
    appoint = forms.AppointForm(prefix="appoint")
    upload = forms.OfficeUploadForm(prefix="upload", numbers=numbers)
    status = 200
    if request.method == "POST":
        policy_require(request, policies.can_manage_trustees(request.user, contest))
        action = request.POST.get("action")
        try:
            if action == "appoint":
                appoint = forms.AppointForm(request.POST, prefix="appoint")
                if appoint.is_valid():
                    services.trustees_appoint(
                        contest=contest,
                        threshold=appoint.cleaned_data["threshold"],
                        mixes_required=appoint.cleaned_data["mixes_required"],
                        trustees=appoint.cleaned_data["trustees"],
                        actor=request.user,
                    )
                    messages.success(request, "Appointed the trustees.")
                    return redirect("trustees:office", slug=contest.slug)
                status = 400
            elif action == "start":
                services.record_start(contest=contest, actor=request.user)
                messages.success(request, "Started the election record.")
                return redirect("trustees:office", slug=contest.slug)
            elif action == "upload" and record is not None:
                upload = forms.OfficeUploadForm(
                    request.POST, request.FILES, prefix="upload", numbers=numbers
                )
                if upload.is_valid():
                    trustee = record.trustees.get(number=upload.cleaned_data["trustee"])
                    done = services.record_file_queue(
                        contest=contest,
                        trustee=trustee,
                        content=_read(upload.cleaned_data["file"], record),
                        actor=request.user,
                    )
                    said = f"Added trustee {trustee.number}'s file."
                    back = redirect("trustees:office", slug=contest.slug)
                    return _handed_in(request, done, back, said)
                status = 400
            elif action == "seal":
                seal = forms.SealForm(request.POST)
                seal.is_valid()
                services.record_key_seal(
                    contest=contest,
                    actor=request.user,
                    leave_out_missing=bool(seal.cleaned_data.get("leave_out_missing")),
                )
                messages.success(request, "Sealed the joint key.")
                return redirect("trustees:office", slug=contest.slug)
            else:
                messages.error(request, "That is not an action of this page.")
                status = 400
        except ServiceError as error:
            messages.error(request, error.message)
            status = 400
    if record is not None and not appoint.is_bound:
        trustees = selectors.trustees_of(record)
        appoint = forms.AppointForm(
            prefix="appoint",
            initial={
                "threshold": record.threshold,
                "mixes_required": record.mixes_required,
                "trustees": "\n".join(f"{t.user.get_username()}, {t.name}" for t in trustees),
            },
        )
    context = {
        "contest": contest,
        "record": record,
        "can_manage": can_manage,
        "appoint": appoint,
        "upload": upload,
        "seal": forms.SealForm(),
        "progress": selectors.ceremony_progress(record) if record else None,
        "count": selectors.count_progress(record) if record else None,
        "head": selectors.head_hash(record) if record else None,
    }
    return render(request, "trustees/office.html", context, status=status)


@sign_in_for_refused_pages
def trustee_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A trustee's page: download the record, hand in a file, see what the ceremony waits for."""
    contest = _contest(slug)
    trustee = selectors.trustee_for(request.user, contest)
    policy_require(request, policies.can_act_as_trustee(request.user, trustee))
    assert trustee is not None
    form = forms.UploadForm()
    status = 200
    if request.method == "POST":
        form = forms.UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                done = services.record_file_queue(
                    contest=contest,
                    trustee=trustee,
                    content=_read(form.cleaned_data["file"], trustee.record),
                    actor=request.user,
                )
            except ServiceError as error:
                messages.error(request, error.message)
                status = 400
            else:
                back = redirect("trustees:trustee", slug=contest.slug)
                return _handed_in(request, done, back, "Your file was checked and added.")
        else:
            status = 400
    trustee.refresh_from_db()
    record = trustee.record
    context = {
        "contest": contest,
        "trustee": trustee,
        "record": record,
        "form": form,
        "progress": selectors.ceremony_progress(record),
        "count": selectors.count_progress(record),
        "head": selectors.head_hash(record),
    }
    return render(request, "trustees/trustee.html", context, status=status)
