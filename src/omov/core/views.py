"""Pages that belong to no single app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from omov.contests.selectors import contests_visible_to


def home(request: HttpRequest) -> HttpResponse:
    """Show the contests a visitor may see and the way to the voting booth."""
    return render(request, "home.html", {"contests": contests_visible_to(request.user)})
