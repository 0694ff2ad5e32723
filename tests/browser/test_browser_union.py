"""Journeys of the union example (examples/contest-union-general-secretary.toml): branch
nominations only, then credentials previewed with the configured public address and sent by a
job from the ballot office."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail

from factories import UserFactory, grant
from jobs_support import run_jobs
from omov.cli.main import main
from omov.contests.models import Contest, ContestStatus
from omov.core.models import Role
from omov.electorate.models import Branch
from omov.nominations.models import BranchMeeting
from omov.nominations.services import MeetingFigures, branch_meeting_record

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SLUG = "awu-general-secretary-2027"
PUBLIC = "https://vote.awu.example"


def _union(capsys: Any) -> Contest:
    assert main(["contest", "create", str(EXAMPLES / "contest-union-general-secretary.toml")]) == 0
    assert main(["roll", "import", str(EXAMPLES / "roll-union.csv"), "--contest", SLUG]) == 0
    assert main(["roll", "evaluate", "--contest", SLUG, "--quiet"]) == 0
    capsys.readouterr()
    return Contest.objects.get(slug=SLUG)


def test_branches_alone_nominate_in_the_union_election(
    page: Any, sign_in: Any, capsys: Any
) -> None:
    with time_machine.travel(dt.datetime(2027, 2, 10, 19, tzinfo=dt.UTC), tick=True):
        contest = _union(capsys)
        officer = UserFactory(username="awu-officer")
        grant(officer, Role.RETURNING_OFFICER, contest)
        assert main(["nominations", "open", "--contest", SLUG]) == 0
        contest.refresh_from_db()
        north_east = Branch.objects.get(code="AWU-NE")
        secretary = UserFactory(username="awu-ne-secretary")
        grant(secretary, Role.BRANCH_SECRETARY, contest, branch=north_east)
        # Another branch has nominated Maria Okafor already (recorded by the office).
        maria = contest.candidates.get(name="Maria Okafor")
        daniel = contest.candidates.get(name="Daniel Reyes")
        branch_meeting_record(
            contest=contest,
            branch=Branch.objects.get(code="AWU-NW"),
            figures=MeetingFigures(
                held_on=dt.date(2027, 2, 9),
                attendance=9,
                abstentions=0,
                votes={maria.pk: 6, daniel.pk: 3},
            ),
        )

        sign_in(page, "awu-ne-secretary")
        page.goto(f"/nominations/{SLUG}/")
        main_text = page.inner_text("main")
        # Branches alone: no parliamentary list to import, the gate counted in branches.
        assert "supporting nominations from 2 of the 5 branches" in main_text
        assert "import it first" not in main_text
        page.get_by_role("link", name=f"{north_east.name}: the branch's nomination meeting").click()
        page.get_by_role("link", name="Record the meeting").click()
        page.get_by_label("Date of the meeting").fill("2027-02-09")
        page.get_by_label("Members attending").fill("9")
        page.get_by_label("Votes for Maria Okafor").fill("5")
        page.get_by_label("Votes for Daniel Reyes").fill("3")
        page.get_by_label("Votes for Priya Natarajan").fill("1")
        page.get_by_label("Abstentions").fill("0")
        page.get_by_role("button", name="Record the meeting").click()
        assert f"The meeting of {north_east.name} is recorded: Maria Okafor." in page.inner_text(
            "main"
        )
        assert BranchMeeting.objects.filter(contest=contest).count() == 2

        sign_in(page, "awu-officer")
        page.goto(f"/nominations/{SLUG}/")
        row = page.get_by_role("row").filter(has_text="Maria Okafor").first.inner_text()
        assert "2 of 5" in row
        page.get_by_role("button", name="Validate nominations").click()
        maria.refresh_from_db()
        daniel.refresh_from_db()
        assert (maria.status, daniel.status) == ("nominated", "proposed")  # Daniel: 1 branch
        assert "import it first" not in page.inner_text("main")


def test_credentials_are_previewed_with_the_public_address_and_sent_by_a_job(
    page: Any, sign_in: Any, capsys: Any, settings: Any, tmp_path: Path
) -> None:
    settings.OMOV_PUBLIC_URL = PUBLIC
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OMOV_EMAIL_RATE = 0
    with time_machine.travel(dt.datetime(2027, 2, 10, 19, tzinfo=dt.UTC), tick=True):
        contest = _union(capsys)
        assert main(["nominations", "open", "--contest", SLUG]) == 0
        contest.refresh_from_db()
        by_name = {c.name: c.pk for c in contest.candidates.all()}
        for code, (first, second) in {
            "AWU-NE": ("Maria Okafor", "Daniel Reyes"),
            "AWU-NW": ("Maria Okafor", "Daniel Reyes"),
            "AWU-MID": ("Daniel Reyes", "Maria Okafor"),
            "AWU-LDN": ("Daniel Reyes", "Maria Okafor"),
        }.items():
            branch_meeting_record(
                contest=contest,
                branch=Branch.objects.get(code=code),
                figures=MeetingFigures(
                    held_on=dt.date(2027, 2, 9),
                    attendance=9,
                    abstentions=0,
                    votes={by_name[first]: 6, by_name[second]: 3},
                ),
            )
        assert main(["nominations", "validate", "--contest", SLUG]) == 0
    with time_machine.travel(dt.datetime(2027, 3, 15, 10, tzinfo=dt.UTC), tick=True):
        assert main(["roll", "freeze", "--contest", SLUG]) == 0
        key = tmp_path / "awu.key"
        assert main(["ballot", "open", "--contest", SLUG, "--key-out", str(key)]) == 0, (
            capsys.readouterr().err
        )
        contest.refresh_from_db()
        assert contest.status == ContestStatus.BALLOT_OPEN
        officer = UserFactory(username="awu-officer")
        grant(officer, Role.RETURNING_OFFICER, contest)
        sign_in(page, "awu-officer")
        page.goto(f"/vote/office/{SLUG}/")
        preview = page.inner_text("main")
        assert f"Every voter’s link starts {PUBLIC}/vote/" in preview
        assert "127.0.0.1" not in preview
        page.get_by_role("button", name="Send the credential emails").click()
        assert "/jobs/" in page.url
        run_jobs()
        page.reload()
        assert "Finished" in page.inner_text("main")
        assert mail.outbox, "no credential email was sent"
        assert all(f"{PUBLIC}/vote/" in message.body for message in mail.outbox)
        page.goto(f"/vote/office/{SLUG}/")
        assert "0 credential emails waiting" in page.inner_text("main")
