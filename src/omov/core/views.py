"""Pages that belong to no single app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from omov.contests.selectors import contests_visible_to
from omov.core.dashboard import dashboard


def home(request: HttpRequest) -> HttpResponse:
    """Show the contests a visitor may see, the way to the voting booth, and one's own work.

    A signed-in person sees, per contest and per role they hold, the pages that role lets them
    use (omov.core.dashboard): nobody has to read a page's address from the code.
    """
    context = {
        "contests": contests_visible_to(request.user),
        "work": dashboard(request.user),
    }
    return render(request, "home.html", context)
