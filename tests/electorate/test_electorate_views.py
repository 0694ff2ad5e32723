"""The roll pages: every page against every role, and the journeys through them."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from electorate_csv import csv_bytes

from factories import BranchFactory, CandidateFactory, PersonFactory, UserFactory, grant
from jobs_support import run_jobs
from omov.core.models import AuditEvent, Role
from omov.electorate.importing import RollFileReader, RollFileRejected
from omov.electorate.models import EligibilityDecision, Person
from omov.electorate.services import roll_evaluate

pytestmark = pytest.mark.django_db

RULES_POST = {
    "freeze_date": "2016-06-01",
    "arrears_deadline": "2016-08-08",
    "minimum_age": "18",
    "age_on": "",
    "eligible_categories": ["member", "registered_supporter", "affiliated_supporter"],
    "affiliated_supporters_must_register": "on",
}


@pytest.fixture
def world(open_contest: Any) -> dict[str, Any]:
    own, other = BranchFactory(name="Islington North"), BranchFactory(name="Hackney South")
    people = {
        "own": PersonFactory(branch=own, last_name="Owen", joined_on=dt.date(2016, 3, 1)),
        "other": PersonFactory(branch=other, last_name="Other"),
    }
    roll_evaluate(contest=open_contest)
    users: dict[str, Any] = {"anonymous": None}
    users["no_role"] = UserFactory(username="voter")
    for role in (Role.RETURNING_OFFICER, Role.SCRUTINEER):
        users[role.value] = UserFactory(username=role.value)
        grant(users[role.value], role, open_contest)
    users["branch_secretary"] = UserFactory(username="secretary")
    grant(users["branch_secretary"], Role.BRANCH_SECRETARY, open_contest, branch=own)
    users["candidate_agent"] = UserFactory(username="agent")
    grant(
        users["candidate_agent"],
        Role.CANDIDATE_AGENT,
        open_contest,
        candidate=CandidateFactory(contest=open_contest, name="Agent's candidate"),
    )
    return {"contest": open_contest, "people": people, "users": users}


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def request(world: dict[str, Any], role: str, page: str) -> Any:
    contest, people = world["contest"], world["people"]
    slug = contest.slug
    client = client_for(world["users"][role])
    if page == "roll":
        return client.get(reverse("electorate:roll", args=[slug]))
    if page == "person_own":
        return client.get(reverse("electorate:person", args=[slug, people["own"].pk]))
    if page == "person_other":
        return client.get(reverse("electorate:person", args=[slug, people["other"].pk]))
    if page == "import_form":
        return client.get(reverse("electorate:import", args=[slug]))
    if page == "import":
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("roll.csv", csv_bytes("N1,member,New,Person,,,,,,,,,,,"))
        return client.post(reverse("electorate:import", args=[slug]), {"file": upload})
    if page == "evaluate":
        return client.post(reverse("electorate:evaluate", args=[slug]))
    if page == "rules":
        return client.get(reverse("electorate:rules", args=[slug]))
    if page == "preview":
        return client.post(reverse("electorate:rules_preview", args=[slug]), RULES_POST)
    if page == "confirm":
        data = {**RULES_POST, "expected_version": "1", "reason": "Court of Appeal ruling."}
        return client.post(reverse("electorate:rules_confirm", args=[slug]), data)
    if page == "override":
        url = reverse("electorate:override", args=[slug, people["own"].pk])
        return client.post(url, {"decision": "eligible", "reason": "Appeal upheld."})
    raise AssertionError(page)


PAGES = [
    "roll",
    "person_own",
    "person_other",
    "import_form",
    "import",
    "evaluate",
    "rules",
    "preview",
    "confirm",
    "override",
]
EXPECTED = {
    "anonymous": dict.fromkeys(PAGES, 302),
    "no_role": dict.fromkeys(PAGES, 403),
    "returning_officer": {
        "roll": 200,
        "person_own": 200,
        "person_other": 200,
        "import_form": 200,
        "import": 302,
        "evaluate": 302,
        "rules": 200,
        "preview": 200,
        "confirm": 302,
        "override": 302,
    },
    "scrutineer": {
        **dict.fromkeys(PAGES, 403),
        "roll": 200,
        "person_own": 200,
        "person_other": 200,
        "rules": 200,
        "preview": 200,
    },
    "branch_secretary": {**dict.fromkeys(PAGES, 403), "roll": 200, "person_own": 200},
    "candidate_agent": dict.fromkeys(PAGES, 403),
}
TABLE = [(role, page, status) for role, pages in EXPECTED.items() for page, status in pages.items()]


@pytest.mark.parametrize(("role", "page", "status"), TABLE)
def test_page_access_by_role(world: Any, role: str, page: str, status: int) -> None:
    audits = AuditEvent.objects.count()
    people = Person.objects.count()
    response = request(world, role, page)

    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    if status != 302 or role == "anonymous":
        # Refusals and read-only pages change nothing.
        assert AuditEvent.objects.count() == audits
        assert Person.objects.count() == people


def test_branch_secretary_sees_only_their_branch(world: Any) -> None:
    response = request(world, "branch_secretary", "roll")
    content = response.content.decode()
    assert "Owen" in content and "Other" not in content
    assert "Import a roll file" not in content and "Evaluate the roll" not in content


def test_roll_filters(world: Any) -> None:
    client = client_for(world["users"]["scrutineer"])
    url = reverse("electorate:roll", args=[world["contest"].slug])
    content = client.get(url, {"eligibility": "ineligible"}).content.decode()
    assert "Owen" in content and "Other" not in content
    other_branch = world["people"]["other"].branch_id
    content = client.get(url, {"branch": other_branch}).content.decode()
    assert "Other" in content and "Owen" not in content
    content = client.get(url, {"q": "owe"}).content.decode()
    assert "Owen" in content and "Other" not in content


def test_person_page_explains_each_rule(world: Any) -> None:
    response = request(world, "scrutineer", "person_own")
    content = response.content.decode()
    assert "Not eligible to vote" in content
    assert "Joined on 1 March 2016, after the freeze date 12 January 2016." in content
    assert "Record the decision" not in content


def test_preview_then_confirm_changes_the_decisions(world: Any) -> None:
    contest, own = world["contest"], world["people"]["own"]
    response = request(world, "returning_officer", "preview")
    content = response.content.decode()
    assert "1 would gain a vote" in content and "Islington North" in content
    assert "Confirm the change" in content
    assert not EligibilityDecision.objects.get(contest=contest, person=own).is_eligible

    scrutineer_view = request(world, "scrutineer", "preview").content.decode()
    assert "Only the returning officer can confirm" in scrutineer_view

    response = request(world, "returning_officer", "confirm")
    assert response["Location"] == reverse("electorate:roll", args=[contest.slug])
    assert EligibilityDecision.objects.get(contest=contest, person=own).is_eligible


def test_import_with_errors_shows_the_report_and_imports_nothing(world: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world["users"]["returning_officer"])
    url = reverse("electorate:import", args=[world["contest"].slug])
    data = csv_bytes("N1,member,New,Person,,,,,2016-02-31,,,,,,", "N2,member,Also,New,,,,,,,,,,,")
    response = client.post(url, {"file": SimpleUploadedFile("roll.csv", data)})
    job_page = response["Location"]
    assert job_page.startswith("/jobs/")
    assert "Waiting for a worker" in client.get(job_page).content.decode()
    assert run_jobs() == 1
    content = client.get(job_page).content.decode()
    assert "Failed." in content
    assert "not a real date" in content and "joined_on" in content
    assert not Person.objects.filter(external_id__in=["N1", "N2"]).exists()

    response = client.post(
        url, {"file": SimpleUploadedFile("roll.csv", data), "accept_valid": "on"}
    )
    run_jobs()
    content = client.get(response["Location"]).content.decode()
    assert "The rows below were not imported" in content and "not a real date" in content
    assert reverse("electorate:roll", args=[world["contest"].slug]) in content
    assert list(
        Person.objects.filter(external_id__in=["N1", "N2"]).values_list("external_id", flat=True)
    ) == ["N2"]


def test_override_through_the_page(world: Any) -> None:
    contest, own = world["contest"], world["people"]["own"]
    client = client_for(world["users"]["returning_officer"])
    url = reverse("electorate:override", args=[contest.slug, own.pk])
    client.post(url, {"decision": "eligible", "reason": ""})
    assert not EligibilityDecision.objects.get(contest=contest, person=own).is_eligible
    client.post(url, {"decision": "eligible", "reason": "Appeal upheld."})
    decision = EligibilityDecision.objects.get(contest=contest, person=own)
    assert decision.is_eligible and decision.override_reason == "Appeal upheld."
    page = client.get(reverse("electorate:person", args=[contest.slug, own.pk])).content.decode()
    assert "decided on appeal" in page


BAD_ENCODINGS = {
    "latin-1 header": "external_id,category,first_name,last_name,pr\xe9nom\n".encode("latin-1"),
    "utf-16": csv_bytes("N1,member,New,Person,,,,,,,,,,,").decode().encode("utf-16"),
    "binary": bytes(range(256)) * 4,
    "latin-1 row": csv_bytes("N1,member,Ren\xe9e,Person,,,,,,,,,,,").decode().encode("latin-1"),
}


@pytest.mark.parametrize("name", sorted(BAD_ENCODINGS))
def test_an_upload_that_is_not_utf8_gets_the_cli_message_not_a_server_error(
    world: Any, name: str
) -> None:
    """Issue 8 item 9: these uploads answered HTTP 500; the page must say what the CLI says."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils.html import escape
    from django.utils.text import capfirst

    data = BAD_ENCODINGS[name]
    expected: list[str] = []
    try:
        for _row in RollFileReader(io.BytesIO(data)):
            pass
    except RollFileRejected as error:
        expected = [error.message, *(row_error.message for row_error in error.errors)]
    client = client_for(world["users"]["returning_officer"])
    url = reverse("electorate:import", args=[world["contest"].slug])
    response = client.post(url, {"file": SimpleUploadedFile("roll.csv", data)})
    run_jobs()
    content = client.get(response["Location"]).content.decode()
    assert "Failed." in content
    if not expected:  # the header is fine: the row's error names the encoding
        assert "UTF-8" in content
    for message in expected:
        assert escape(capfirst(message)) in content
    assert not Person.objects.filter(external_id="N1").exists()


def test_an_upload_after_the_ballot_opened_is_refused_on_the_form_and_queues_nothing(
    world: Any,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from omov.contests.models import ContestStatus
    from omov.jobs.models import Job

    contest = world["contest"]
    contest.status = ContestStatus.BALLOT_OPEN
    contest.save(update_fields=["status"])
    client = client_for(world["users"]["returning_officer"])
    data = csv_bytes("N1,member,New,Person,,,,,,,,,,,")
    response = client.post(
        reverse("electorate:import", args=[contest.slug]),
        {"file": SimpleUploadedFile("roll.csv", data)},
    )
    assert response.status_code == 200
    assert "The ballot has opened: the roll can no longer be imported into." in (
        response.content.decode()
    )
    assert not Job.objects.exists()
