"""A job's page: its progress while it runs (refreshing itself, no JavaScript), then its outcome."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from omov.core.http import policy_require
from omov.jobs import policies, selectors

#: Seconds between refreshes of a running job's page.
REFRESH_SECONDS = 2


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.job_view(pk)
    if view is None:
        raise Http404("No such job.")
    policy_require(request, policies.can_view_job(request.user, view.job))
    context = {"view": view, "job": view.job, "refresh": REFRESH_SECONDS}
    return render(request, "jobs/job.html", context)
