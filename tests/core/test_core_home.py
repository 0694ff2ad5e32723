"""Each person's home page lists what their roles let them do; no link they see is refused."""

from __future__ import annotations

import logging
import re
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from factories import BranchFactory, CandidateFactory, ContestFactory, UserFactory, grant
from omov.campaigns.models import Campaign
from omov.campaigns.services import campaign_create
from omov.contests.models import Contest, ContestStatus
from omov.core.models import Role

pytestmark = pytest.mark.django_db

ROLES = [
    "returning_officer",
    "scrutineer",
    "branch_secretary",
    "candidate_agent",
    "paper_operator",
    "paper_supervisor",
    "campaign_manager",
    "campaign_caller",
]
STATUSES = [
    ContestStatus.DRAFT,
    ContestStatus.NOMINATIONS,
    ContestStatus.ROLL_FROZEN,
    ContestStatus.BALLOT_OPEN,
    ContestStatus.CLOSED,
]


def make_contest(status: str) -> Any:
    contest = ContestFactory(slug="leader", title="Leadership election", status=status)
    CandidateFactory(contest=contest, name="Jeremy Corbyn")
    return contest


def make_user(role: str, contest: Any) -> Any:
    user = UserFactory(username=f"user-{role}")
    if role == "branch_secretary":
        grant(user, Role.BRANCH_SECRETARY, contest=contest, branch=BranchFactory(name="Islington"))
    elif role == "candidate_agent":
        grant(user, Role.CANDIDATE_AGENT, contest=contest, candidate=contest.candidates.first())
    elif role.startswith("campaign_"):
        candidate = contest.candidates.first()
        if not Campaign.objects.filter(candidate=candidate).exists():
            # Campaigns are made before the close; the contest then moves on to the stage tested.
            status = contest.status
            Contest.objects.filter(pk=contest.pk).update(status=ContestStatus.NOMINATIONS)
            contest.refresh_from_db()
            campaign_create(candidate=candidate, actor_label="test")
            Contest.objects.filter(pk=contest.pk).update(status=status)
            contest.refresh_from_db()
        grant(user, Role(role), contest=contest, candidate=candidate)
    else:
        grant(user, Role(role), contest=contest)
    return user


def links_in(html: str, section: str) -> list[tuple[str, str]]:
    """Return (address, text) of each link inside the element with ``section``'s marker."""
    start = html.index(section)
    end = html.index("</section>" if section.startswith("<section") else "</nav>", start)
    found = re.findall(r'<a href="([^"]+)">([^<]+)</a>', html[start:end])
    return [(unescape(url), unescape(text)) for url, text in found]


def work_links(client: Any) -> list[tuple[str, str]]:
    return links_in(client.get("/").content.decode(), '<section aria-labelledby="your-work">')


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_every_link_a_role_is_shown_opens(client: Any, role: str, status: str) -> None:
    contest = make_contest(status)
    client.force_login(make_user(role, contest))
    response = client.get(reverse("contests:detail", args=[contest.slug]))
    detail = response.content.decode() if response.status_code == 200 else ""
    shown = work_links(client)
    if detail:
        shown += links_in(detail, '<nav aria-label="Contest sections">')
    if role.startswith("campaign_") and status == ContestStatus.DRAFT:
        assert shown == [], "a campaign sees nothing of a draft contest"
    else:
        assert shown, "every role has at least one page"
    for url, label in shown:
        response = client.get(url)
        assert response.status_code == 200, (role, status, label, url, response.status_code)


def test_an_operator_sees_the_paper_pages_and_not_the_ballot_office(client: Any) -> None:
    contest = make_contest(ContestStatus.BALLOT_OPEN)
    client.force_login(make_user("paper_operator", contest))
    links = work_links(client)
    assert (reverse("ballots:paper_key", args=["leader"]), "Key returned paper ballots") in links
    assert (
        reverse("ballots:paper_reject", args=["leader"]),
        "Reject a paper that cannot be accepted",
    ) in links
    urls = {url for url, _ in links}
    assert reverse("ballots:office", args=["leader"]) not in urls
    assert reverse("ballots:paper_mismatches", args=["leader"]) not in urls
    assert "As paper ballot operator" in client.get("/").content.decode()
    detail = client.get(reverse("contests:detail", args=["leader"])).content.decode()
    assert "Ballot office" not in detail
    assert "Key returned paper ballots" in detail


def test_a_supervisor_is_shown_the_keyings_to_resolve(client: Any) -> None:
    contest = make_contest(ContestStatus.BALLOT_OPEN)
    client.force_login(make_user("paper_supervisor", contest))
    urls = {url for url, _ in work_links(client)}
    assert reverse("ballots:paper_mismatches", args=["leader"]) in urls
    assert reverse("ballots:paper_key", args=["leader"]) not in urls


def test_a_branch_secretary_is_shown_their_branch_and_no_ballot_office(client: Any) -> None:
    contest = make_contest(ContestStatus.NOMINATIONS)
    user = make_user("branch_secretary", contest)
    client.force_login(user)
    branch = user.role_assignments.get().branch
    links = dict(work_links(client))
    assert links[reverse("nominations:meeting", args=["leader", branch.code])] == (
        "Islington: the branch's nominating meeting"
    )
    assert reverse("ballots:office", args=["leader"]) not in links
    assert "As branch secretary (branch Islington)" in client.get("/").content.decode()


def test_the_returning_officer_is_shown_the_ballot_office_and_the_count(client: Any) -> None:
    contest = make_contest(ContestStatus.CLOSED)
    client.force_login(make_user("returning_officer", contest))
    urls = {url for url, _ in work_links(client)}
    assert reverse("ballots:office", args=["leader"]) in urls
    assert reverse("results:count", args=["leader"]) in urls
    assert reverse("contests:audit", args=["leader"]) in urls


def test_a_person_without_roles_is_told_whom_to_ask(client: Any) -> None:
    make_contest(ContestStatus.NOMINATIONS)
    client.force_login(UserFactory(username="nobody"))
    page = client.get("/").content.decode()
    assert "You hold no role in any contest yet" in page
    assert work_links(client) == []


def test_a_visitor_sees_no_work_section(client: Any) -> None:
    make_contest(ContestStatus.NOMINATIONS)
    assert "your-work" not in client.get("/").content.decode()


def test_a_refusal_is_a_styled_page_with_the_reason_and_whom_to_ask(client: Any) -> None:
    contest = make_contest(ContestStatus.BALLOT_OPEN)
    client.force_login(make_user("paper_operator", contest))
    response = client.get(reverse("ballots:office", args=["leader"]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "omov.css" in page, "the refusal page has the site's look"
    assert "Only the returning officer and scrutineers can see the ballot office." in page
    assert "ask the returning officer to grant you the role" in page
    assert "signed in as <strong>user-paper_operator</strong>" in page


def test_a_refusal_is_logged_in_one_line_without_a_traceback(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    contest = make_contest(ContestStatus.BALLOT_OPEN)
    client.force_login(make_user("paper_operator", contest))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("ballots:paper_resolve", args=["leader", 1, 2]))
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    assert records[0].exc_info is None
    assert (
        records[0]
        .getMessage()
        .startswith("Forbidden (Permission denied): /vote/paper/leader/supervisor/")
    )
    assert "Traceback" not in caplog.text


def test_a_server_error_still_logs_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    from omov.config.log_filters import RefusalWithoutTraceback

    try:
        raise ValueError("broken")
    except ValueError as error:
        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/x/",),
            (ValueError, error, error.__traceback__),
        )
    assert RefusalWithoutTraceback().filter(record)
    assert record.exc_info is not None


def test_counts_on_the_office_pages_have_thousands_separators(client: Any) -> None:
    import datetime as dt

    from omov.electorate.models import ImportBatch

    contest = make_contest(ContestStatus.NOMINATIONS)
    ImportBatch.objects.create(
        contest=contest,
        actor_label="command line (ro@office)",
        at=dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC),
        file_name="roll.csv",
        created=552123,
        updated=1200,
        unchanged=0,
        rejected=17,
    )
    client.force_login(make_user("returning_officer", contest))
    roll = client.get(reverse("electorate:roll", args=[contest.slug])).content.decode()
    assert "552,123 created, 1,200 updated, 0 unchanged, 17 rejected" in roll


def test_a_form_sent_without_its_token_gets_a_styled_page_that_says_what_to_do() -> None:
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "x", "password": "y"}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "omov.css" in page
    assert "Go back, reload the page and send the form again." in page
