"""The members' signatures page: the returning officer records a nomination paper's signatures
by membership number (the co-operative example, whose gate is three members' signatures)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from factories import UserFactory, grant
from omov.cli.main import main
from omov.contests.models import Contest
from omov.core.models import AuditEvent, Role
from omov.nominations.models import MemberSignature

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SLUG = "riverside-coop-board-2027"


@pytest.fixture
def coop(capsys: Any) -> Any:
    with time_machine.travel(dt.datetime(2027, 2, 10, 10, tzinfo=dt.UTC), tick=False):
        assert main(["contest", "create", str(EXAMPLES / "contest-coop-board.toml")]) == 0
        roll = str(EXAMPLES / "roll-coop.csv")
        assert main(["roll", "import", roll, "--contest", SLUG, "--accept-valid"]) == 0
        assert main(["roll", "evaluate", "--contest", SLUG, "--quiet"]) == 0
        assert main(["nominations", "open", "--contest", SLUG]) == 0
        capsys.readouterr()
        yield Contest.objects.get(slug=SLUG)


def _client(role: Role, contest: Contest, name: str) -> Client:
    user = UserFactory(username=name)
    grant(user, role, contest)
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, contest: Contest, candidate: str, numbers: str) -> Any:
    pk = contest.candidates.get(name=candidate).pk
    return client.post(
        f"/nominations/{contest.slug}/signatures/",
        {"candidate": pk, "membership_numbers": numbers},
    )


def test_a_paper_recorded_by_number_passes_the_gate(coop: Contest) -> None:
    office = _client(Role.RETURNING_OFFICER, coop, "ro")
    overview = office.get(f"/nominations/{coop.slug}/").content.decode()
    assert f"/nominations/{coop.slug}/signatures/" in overview
    response = _post(office, coop, "Ada Whitcombe", "RC-2001\nRC-2002, RC-2003")
    assert response.status_code == 302
    page = office.get(f"/nominations/{coop.slug}/signatures/").content.decode()
    assert "Recorded 3 new signature(s) for Ada Whitcombe." in page
    assert "Passed" in page and "0 of 3" in page  # Ada passes; the others have none yet
    assert MemberSignature.objects.filter(contest=coop).count() == 3
    event = AuditEvent.objects.get(action="nominations.signatures_record")
    assert event.data == {"added": 3, "already": 0} and event.actor.username == "ro"
    # The same paper again adds nothing and says so.
    _post(office, coop, "Ada Whitcombe", "RC-2001 RC-2002 RC-2003")
    assert MemberSignature.objects.filter(contest=coop).count() == 3


def test_bad_numbers_and_a_second_signature_are_refused_with_nothing_recorded(
    coop: Contest,
) -> None:
    office = _client(Role.RETURNING_OFFICER, coop, "ro")
    _post(office, coop, "Ada Whitcombe", "RC-2001")
    response = _post(office, coop, "Esme Thornbury", "RC-2001\nRC-2013\nNOBODY-1")
    assert response.status_code == 400
    page = response.content.decode()
    assert "RC-2001 has already signed for Ada Whitcombe" in page
    assert "RC-2013 is not an eligible member on the roll" in page
    assert "NOBODY-1 is not an eligible member on the roll" in page
    assert 'aria-invalid="true"' in page
    assert not MemberSignature.objects.filter(candidate__name="Esme Thornbury").exists()
    empty = _post(office, coop, "Esme Thornbury", "  ")
    assert empty.status_code == 400 and "This field is required" in empty.content.decode()


def test_only_the_returning_officer_records_and_scrutineers_only_read(coop: Contest) -> None:
    scrutineer = _client(Role.SCRUTINEER, coop, "scrutineer")
    assert scrutineer.get(f"/nominations/{coop.slug}/signatures/").status_code == 200
    assert (
        "Record the signatures"
        not in scrutineer.get(f"/nominations/{coop.slug}/signatures/").content.decode()
    )
    assert _post(scrutineer, coop, "Ada Whitcombe", "RC-2001").status_code == 403
    operator = _client(Role.PAPER_OPERATOR, coop, "operator")
    assert operator.get(f"/nominations/{coop.slug}/signatures/").status_code == 403
    anonymous = Client().get(f"/nominations/{coop.slug}/signatures/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert not MemberSignature.objects.exists()
