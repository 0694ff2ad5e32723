"""Results pages for every role: the preview, the declaration, exports, count and turnout."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from results_fixtures import ClosedContest, add_agent

from omov.contests.models import ContestStatus
from omov.results.models import Result
from omov.results.policies import can_count, can_declare, can_view_result, can_view_turnout
from omov.results.services import result_count, result_declare

ROLES = [
    "anonymous",
    "voter",
    "returning_officer",
    "scrutineer",
    "branch_secretary",
    "candidate_agent",
]


def _client(people: dict[str, Any], role: str) -> Client:
    client = Client()
    if people[role] is not None:
        client.force_login(people[role])
    return client


@pytest.fixture
def everyone(small_closed: ClosedContest, people: dict[str, Any]) -> dict[str, Any]:
    add_agent(people, small_closed.candidates[1])
    return people


def _count(closed: ClosedContest) -> Result:
    return result_count(contest=closed.contest, private_key_bytes=closed.private_key)


EXPORTS = ["results:declaration", "results:json", "results:csv", "results:blt", "results:pdf"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 403),
        ("voter", 403),
        ("returning_officer", 200),
        ("scrutineer", 200),
        ("branch_secretary", 403),
        ("candidate_agent", 403),
    ],
)
@pytest.mark.parametrize("name", EXPORTS)
def test_before_the_declaration_only_the_office_sees_the_result(
    small_closed: ClosedContest, everyone: dict[str, Any], role: str, expected: int, name: str
) -> None:
    _count(small_closed)
    response = _client(everyone, role).get(reverse(name, args=[small_closed.contest.slug]))
    assert response.status_code == expected
    if expected == 403:
        assert b"Corbyn" not in response.content
        assert b"declares it" in response.content
    assert can_view_result(everyone[role], small_closed.contest).allowed == (expected == 200)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", EXPORTS)
def test_after_the_declaration_everyone_sees_the_result(
    small_closed: ClosedContest, everyone: dict[str, Any], role: str, name: str
) -> None:
    _count(small_closed)
    result_declare(contest=small_closed.contest)
    response = _client(everyone, role).get(reverse(name, args=[small_closed.contest.slug]))
    assert response.status_code == 200
    assert can_view_result(everyone[role], small_closed.contest)


@pytest.mark.parametrize("role", ROLES)
def test_nobody_sees_a_result_before_the_count(
    small_closed: ClosedContest, everyone: dict[str, Any], role: str
) -> None:
    url = reverse("results:declaration", args=[small_closed.contest.slug])
    response = _client(everyone, role).get(url)
    assert response.status_code == 403
    assert b"not been counted" in response.content


def test_the_declaration_page_shows_every_figure(
    small_closed: ClosedContest, everyone: dict[str, Any]
) -> None:
    _count(small_closed)
    result_declare(contest=small_closed.contest)
    response = Client().get(reverse("results:declaration", args=[small_closed.contest.slug]))
    page = response.content.decode()
    assert page.count("<h1") == 1
    # 11 to 7 of 18 valid: 61.1% and 38.9%.
    for text in ("Jeremy Corbyn", "61.1%", "38.9%", ">11<", ">7<", ">18<"):
        assert text in page
    # Turnout: 18 valid + 1 spoilt = 19 returned of 21 issued = 90.5%.
    assert ">21<" in page and ">19<" in page and "90.5%" in page
    assert "Spoilt: No preference marked" in page
    for label, figures in (
        ("Members", (">6<", ">4<", "60.0%", "40.0%")),
        ("Registered supporters", (">3<", ">1<", "75.0%", "25.0%")),
        ("Affiliated supporters", (">2<", "50.0%")),
    ):
        assert label in page
        for figure in figures:
            assert figure in page
    assert 'role="img"' in page and "<title id=" in page and "<desc id=" in page
    assert "Preview" not in page


def test_the_preview_offers_the_returning_officer_the_declaration(
    small_closed: ClosedContest, everyone: dict[str, Any]
) -> None:
    _count(small_closed)
    url = reverse("results:declaration", args=[small_closed.contest.slug])
    page = _client(everyone, "returning_officer").get(url).content.decode()
    assert "Preview: not yet declared" in page
    assert reverse("results:declare", args=[small_closed.contest.slug]) in page
    scrutineer_page = _client(everyone, "scrutineer").get(url).content.decode()
    assert "Preview: not yet declared" in scrutineer_page
    assert reverse("results:declare", args=[small_closed.contest.slug]) not in scrutineer_page


def test_the_json_export_wraps_the_count_report(small_closed: ClosedContest) -> None:
    result = _count(small_closed)
    result_declare(contest=small_closed.contest)
    response = Client().get(reverse("results:json", args=[small_closed.contest.slug]))
    document = json.loads(response.content)
    assert document["format"] == "omov.results/1"
    assert document["count"] == result.report
    assert document["count"]["format"] == "omov.count/1"
    assert document["elected"] == ["Jeremy Corbyn"]
    assert document["turnout"] == {
        "issued": 21,
        "issued_by_category": {"member": 12, "registered_supporter": 4, "affiliated_supporter": 5},
        "returned": 19,
        "valid": 18,
        "spoilt": 1,
        "rejected": 0,
        "percent": "90.5",
    }
    assert document["categories"]["by_category"]["member"]["votes"] == {
        "Jeremy Corbyn": 6,
        "Owen Smith": 4,
    }
    assert document["spoilt"] == {"total": 1, "by_reason": {"no_preference": 1}}
    assert document["ballots"]["sha256"] == result.ballots_sha256


def _pdf_text(pdf: bytes) -> str:
    """Return the text drawn in a reportlab PDF (its streams are ASCII85 over zlib)."""
    import base64
    import re
    import zlib

    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2], ignorechars=b" \t\n\r")
        try:
            chunks.append(zlib.decompress(data).decode("latin-1"))
        except zlib.error:
            continue
    return " ".join(re.findall(r"\((.*?)\) Tj", " ".join(chunks)))


def test_the_pdf_and_csv_exports(small_closed: ClosedContest) -> None:
    result = _count(small_closed)
    result_declare(contest=small_closed.contest)
    slug = small_closed.contest.slug
    pdf = Client().get(reverse("results:pdf", args=[slug]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = _pdf_text(pdf.content)
    for figure in ("Elected:", "Jeremy Corbyn", "61.1%", "38.9%", "90.5%", "Members", "60.0%"):
        assert figure in text, figure
    csv = Client().get(reverse("results:csv", args=[slug]))
    assert csv.content.decode() == result.rounds_csv
    assert csv.content.decode().splitlines()[1].startswith("Jeremy Corbyn,11,")
    blt = Client().get(reverse("results:blt", args=[slug]))
    assert blt.content.decode() == result.ballots_blt


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 403),
        ("voter", 403),
        ("returning_officer", 200),
        ("scrutineer", 403),
        ("branch_secretary", 403),
        ("candidate_agent", 403),
    ],
)
def test_only_the_returning_officer_may_count(
    small_closed: ClosedContest, everyone: dict[str, Any], role: str, expected: int
) -> None:
    url = reverse("results:count", args=[small_closed.contest.slug])
    assert _client(everyone, role).get(url).status_code == expected
    assert can_count(everyone[role], small_closed.contest).allowed == (expected == 200)
    response = _client(everyone, role).post(url, {"key_file": _upload(small_closed.key_text)})
    assert (response.status_code == 302) == (expected == 200)
    small_closed.contest.refresh_from_db()
    expected_status = ContestStatus.COUNTED if expected == 200 else ContestStatus.CLOSED
    assert small_closed.contest.status == expected_status


def _upload(text: str | bytes, name: str = "leader-2016.key") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_counting_with_the_wrong_key_file_shows_the_error(
    small_closed: ClosedContest, everyone: dict[str, Any]
) -> None:
    url = reverse("results:count", args=[small_closed.contest.slug])
    client = _client(everyone, "returning_officer")
    response = client.post(url, {"key_file": _upload("# omov count key\nnot-base64!\n")})
    assert response.status_code == 200
    page = response.content.decode()
    assert "does not open this contest" in page
    assert 'aria-invalid="true"' in page
    empty = client.post(url, {"key_file": _upload(b" ")})
    assert "The key file is empty" in empty.content.decode()
    assert not Result.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 403),
        ("voter", 403),
        ("returning_officer", 302),
        ("scrutineer", 403),
        ("branch_secretary", 403),
        ("candidate_agent", 403),
    ],
)
def test_only_the_returning_officer_may_declare(
    small_closed: ClosedContest, everyone: dict[str, Any], role: str, expected: int
) -> None:
    _count(small_closed)
    url = reverse("results:declare", args=[small_closed.contest.slug])
    assert can_declare(everyone[role], small_closed.contest).allowed == (expected == 302)
    response = _client(everyone, role).post(url)
    assert response.status_code == expected
    small_closed.contest.refresh_from_db()
    expected_status = ContestStatus.DECLARED if expected == 302 else ContestStatus.COUNTED
    assert small_closed.contest.status == expected_status


TURNOUT = [
    ("anonymous", False, 403),
    ("voter", False, 403),
    ("returning_officer", False, 200),
    ("scrutineer", False, 200),
    ("branch_secretary", False, 200),
    ("candidate_agent", False, 403),
    ("candidate_agent", True, 200),
    ("voter", True, 403),
]


@pytest.mark.parametrize(("role", "agents_see_turnout", "expected"), TURNOUT)
def test_turnout_while_voting_is_for_the_office(
    db: Any, people: dict[str, Any], role: str, agents_see_turnout: bool, expected: int
) -> None:
    from results_fixtures import ballot_open_with_votes

    contest = ballot_open_with_votes()
    add_agent(people, contest.candidates.first())
    url = reverse("results:turnout", args=[contest.slug])
    with override_settings(OMOV_TURNOUT_FOR_AGENTS=agents_see_turnout):
        response = _client(people, role).get(url)
        assert can_view_turnout(people[role], contest).allowed == (expected == 200)
    assert response.status_code == expected
    if expected == 200:
        page = response.content.decode()
        assert '<meta http-equiv="refresh"' in page
        assert "Members" in page and "Registered supporters" in page
        # 3 of 4 members and 1 of 2 registered supporters have voted: 4 of 6 = 66.7%.
        assert "75.0%" in page and "50.0%" in page and "66.7%" in page
        assert "Jeremy Corbyn" not in page


def test_a_declaration_with_transfers_shows_every_round(db: Any) -> None:
    from results_fixtures import closed_contest

    closed = closed_contest(
        votes_by_category={},
        rankings={
            ("member", ("Ada",)): 5,
            ("member", ("Cy", "Ben")): 2,
            ("member", ("Cy",)): 2,
            ("registered_supporter", ("Ben",)): 3,
            ("registered_supporter", ("Cy", "Ada")): 2,
            ("affiliated_supporter", ("Ben", "Ada")): 1,
            ("affiliated_supporter", ("Cy", "Ben", "Ada")): 1,
        },
        candidates=("Ada", "Ben", "Cy"),
        slug="three-way",
    )
    result_count(contest=closed.contest, private_key_bytes=closed.private_key)
    result_declare(contest=closed.contest)
    page = Client().get(reverse("results:declaration", args=["three-way"])).content.decode()
    assert "Round 1" in page and "Round 2" in page
    assert "Transfers into round 2" in page
    assert 'aria-labelledby="round-2-transfers-title"' in page
    # Round 2: Ben's 4 votes go, 1 to Ada (6 of 13 = 46.2%) and 3 exhausted; Cy 7 (53.8%).
    assert ">+1<" in page and ">−4<" in page
    assert "46.2%" in page and "53.8%" in page
    assert "Excluded" in page and "Elected" in page
    # The category breakdown leaves out the excluded candidate in the final round.
    categories = page.split('id="categories-heading"')[1]
    assert "<td>Ben</td>" not in categories
