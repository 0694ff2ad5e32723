"""The example contest files run to a declaration with the commands a returning officer uses.

A trade union's general secretary (branch nominations, IRV), a co-operative's board (members'
signatures, STV, three seats) and a small society's chair (no nominations, plurality): each is
created from its file in examples/, its roll imported and evaluated, nominations opened and
recorded, the roll frozen, the ballot opened, a few votes cast, and the ballot closed, counted and
declared, all through `omov`. The clock travels along each contest's own timetable, and a step
taken against the timetable is refused until it is given a reason, which the audit keeps.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine

from omov.ballots.models import Credential
from omov.ballots.services import ballot_cast
from omov.cli.main import main
from omov.contests.models import Contest, ContestStatus
from omov.core.models import AuditEvent
from omov.nominations import selectors

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
UTC = dt.UTC


def omov(capsys: Any, *args: str, code: int = 0) -> str:
    """Run `omov ARGS`, check its exit code, and return what it printed (stdout and stderr)."""
    assert main(list(args)) == code, capsys.readouterr()
    captured = capsys.readouterr()
    return captured.out + captured.err


def cast(contest: Contest, votes: list[tuple[list[str], int]]) -> None:
    """Cast ``count`` ballots for each ranking (by name), each with another voter's credential."""
    by_name = {c.name: c.pk for c in contest.candidates.all()}
    credentials = iter(Credential.objects.filter(contest=contest).order_by("pk"))
    for ranking, count in votes:
        for _ in range(count):
            credential = next(credentials)
            ballot_cast(credential_id=credential.pk, ranking=[by_name[n] for n in ranking])


def test_the_union_general_secretary_from_branch_nominations_to_the_declaration(
    capsys: Any, tmp_path: Path
) -> None:
    slug = "awu-general-secretary-2027"
    with time_machine.travel(dt.datetime(2027, 1, 20, 10, tzinfo=UTC), tick=False):
        assert (
            omov(
                capsys, "contest", "create", str(EXAMPLES / "contest-union-general-secretary.toml")
            ).strip()
            == slug
        )
        contest = Contest.objects.get(slug=slug)
        assert contest.kind == "general_secretary"
        assert contest.get_kind_display() == "General secretary"
        out = omov(capsys, "roll", "import", str(EXAMPLES / "roll-union.csv"), "--contest", slug)
        assert "60 created" in out and "0 rejected" in out
        out = omov(capsys, "roll", "evaluate", "--contest", slug, "--quiet")
        assert "Total" in out and "57" in out  # two lapsed, one joined after the freeze date
        omov(capsys, "nominations", "open", "--contest", slug)
    with time_machine.travel(dt.datetime(2027, 2, 10, 19, tzinfo=UTC), tick=False):
        meetings = {
            "AWU-NE": ("Maria Okafor", "Daniel Reyes"),
            "AWU-NW": ("Maria Okafor", "Priya Natarajan"),
            "AWU-MID": ("Daniel Reyes", "Maria Okafor"),
            "AWU-LDN": ("Daniel Reyes", "Priya Natarajan"),
            "AWU-SW": ("Priya Natarajan", "Daniel Reyes"),
        }
        for branch, (first, second) in meetings.items():
            out = omov(
                capsys,
                "nominations",
                "meeting",
                "--contest",
                slug,
                "--branch",
                branch,
                "--held-on",
                "2027-02-09",
                "--attendance",
                "9",
                "--votes",
                f"{first}=6",
                "--votes",
                f"{second}=3",
            )
            assert f"nominated {first}" in out
        out = omov(capsys, "nominations", "validate", "--contest", slug)
        assert "Branches (of 5)" in out
        assert "has not passed the gate (2 of the 5 branches)" in out  # Priya Natarajan: 1
        nominated = set(
            contest.candidates.filter(status="nominated").values_list("name", flat=True)
        )
        assert nominated == {"Maria Okafor", "Daniel Reyes"}
        # The branch window is still open: freezing now would cut it short.
        out = omov(capsys, "roll", "freeze", "--contest", slug, code=2)
        assert "branch nominations window is scheduled to close on 1 March 2027" in out
        assert "--reason" in out and len(out.strip().splitlines()) == 1
    with time_machine.travel(dt.datetime(2027, 3, 2, 9, tzinfo=UTC), tick=False):
        assert "57 eligible of 60" in omov(capsys, "roll", "freeze", "--contest", slug)
    key = tmp_path / "awu.key"
    with time_machine.travel(dt.datetime(2027, 3, 12, 9, tzinfo=UTC), tick=False):
        out = omov(capsys, "ballot", "open", "--contest", slug, "--key-out", str(key), code=2)
        assert "the ballot is scheduled to open on 15 March 2027 at 09:00" in out
        assert not key.exists()
        reason = "The executive brought the ballot forward to allow for the postal strike."
        out = omov(
            capsys, "ballot", "open", "--contest", slug, "--key-out", str(key), "--reason", reason
        )
        assert "57 credentials created" in out
        event = AuditEvent.objects.get(contest=contest, action="contest.open_ballot")
        assert event.reason == reason
        assert event.data == {
            "timetable_conflicts": ["the ballot is scheduled to open on 15 March 2027 at 09:00"]
        }
        contest.refresh_from_db()
        cast(
            contest,
            [
                (["Maria Okafor"], 20),
                (["Daniel Reyes", "Maria Okafor"], 14),
                (["Daniel Reyes"], 3),
            ],
        )
    with time_machine.travel(dt.datetime(2027, 4, 12, 12, 30, tzinfo=UTC), tick=False):
        omov(capsys, "ballot", "close", "--contest", slug)
        omov(capsys, "ballot", "count", "--contest", slug, "--key", str(key))
        out = omov(capsys, "ballot", "declare", "--contest", slug)
    assert "elected Maria Okafor." in out
    contest.refresh_from_db()
    assert contest.status == ContestStatus.DECLARED


def test_the_coop_board_by_members_signatures_and_stv(capsys: Any, tmp_path: Path) -> None:
    slug = "riverside-coop-board-2027"
    with time_machine.travel(dt.datetime(2027, 2, 10, 10, tzinfo=UTC), tick=False):
        omov(capsys, "contest", "create", str(EXAMPLES / "contest-coop-board.toml"))
        contest = Contest.objects.get(slug=slug)
        assert (contest.kind, contest.seats, contest.method) == ("board", 3, "stv-scottish")
        roll = str(EXAMPLES / "roll-coop.csv")
        # Three bad rows: refused whole by default, imported without them on request.
        out = omov(capsys, "roll", "import", roll, "--contest", slug, code=1)
        assert "3 of 43 rows have errors, so nothing was imported" in out
        assert "line 12, column joined_on: '2019-02-30' is not a real date" in out
        out = omov(capsys, "roll", "import", roll, "--contest", slug, "--accept-valid")
        assert "40 created" in out and "3 rejected" in out
        assert "joined_on" in out and "category" in out and "last_name" in out
        omov(capsys, "roll", "evaluate", "--contest", slug, "--quiet")
        omov(capsys, "nominations", "open", "--contest", slug)
        papers = {
            "Ada Whitcombe": ["RC-2001", "RC-2002", "RC-2003"],
            "Benedict Oyelowo": ["RC-2004", "RC-2005", "RC-2006", "RC-2007"],
            "Chiara Bellucci": ["RC-2008", "RC-2009", "RC-2010"],
            "Dev Malhotra": ["RC-2011", "RC-2012", "RC-2014", "RC-2015"],
            "Esme Thornbury": ["RC-2016", "RC-2017"],
        }
        for candidate, signatories in papers.items():
            paper = tmp_path / f"{candidate}.csv"
            paper.write_text("external_id\n" + "\n".join(signatories) + "\n", encoding="utf-8")
            out = omov(
                capsys,
                "nominations",
                "signatures",
                str(paper),
                "--contest",
                slug,
                "--candidate",
                candidate,
            )
            assert f"Recorded {len(signatories)} members' signatures for {candidate}." in out
        # A member signs one paper only, and a suspended member (RC-2013) cannot sign.
        paper = tmp_path / "late.csv"
        paper.write_text("RC-2001\nRC-2013\n", encoding="utf-8")
        out = omov(
            capsys,
            "nominations",
            "signatures",
            str(paper),
            "--contest",
            slug,
            "--candidate",
            "Esme Thornbury",
            code=2,
        )
        assert "RC-2001 has already signed for Ada Whitcombe" in out
        assert "RC-2013 is not an eligible member on the roll" in out
        out = omov(capsys, "nominations", "validate", "--contest", slug)
        assert "has not passed the gate (3 members' signatures)" in out
        assert contest.candidates.filter(status="nominated").count() == 4
    key = tmp_path / "coop.key"
    with time_machine.travel(dt.datetime(2027, 5, 3, 10, tzinfo=UTC), tick=False):
        omov(capsys, "roll", "freeze", "--contest", slug)
        assert "credentials created" in omov(
            capsys, "ballot", "open", "--contest", slug, "--key-out", str(key)
        )
        contest.refresh_from_db()
        cast(
            contest,
            [
                (["Ada Whitcombe", "Benedict Oyelowo"], 9),
                (["Benedict Oyelowo", "Ada Whitcombe"], 8),
                (["Chiara Bellucci", "Dev Malhotra"], 7),
                (["Dev Malhotra", "Chiara Bellucci"], 4),
                (["Chiara Bellucci"], 3),
            ],
        )
        # Closing before the advertised close is refused without a reason.
        out = omov(capsys, "ballot", "close", "--contest", slug, code=2)
        assert "scheduled to close on 24 May 2027 at 17:00" in out
    with time_machine.travel(dt.datetime(2027, 5, 24, 17, 5, tzinfo=UTC), tick=False):
        omov(capsys, "ballot", "close", "--contest", slug)
        omov(capsys, "ballot", "count", "--contest", slug, "--key", str(key))
        out = omov(capsys, "ballot", "declare", "--contest", slug)
    elected = out.split("elected ", 1)[1].rstrip(".\n").split(", ")
    assert sorted(elected) == ["Ada Whitcombe", "Benedict Oyelowo", "Chiara Bellucci"]


def test_the_society_chair_needs_only_consent_and_is_won_by_plurality(
    capsys: Any, tmp_path: Path
) -> None:
    slug = "millbrook-chair-2027"
    with time_machine.travel(dt.datetime(2027, 3, 2, 10, tzinfo=UTC), tick=False):
        omov(capsys, "contest", "create", str(EXAMPLES / "contest-society-chair.toml"))
        contest = Contest.objects.get(slug=slug)
        out = omov(capsys, "roll", "import", str(EXAMPLES / "roll-society.csv"), "--contest", slug)
        assert "15 created" in out
        omov(capsys, "roll", "evaluate", "--contest", slug, "--quiet")
        omov(capsys, "nominations", "open", "--contest", slug)
        # No route is required by default: no parliamentary group, no branches, no gate.
        summary = selectors.nominations_summary(contest)
        assert not summary.threshold.is_required and not summary.gate.is_enabled
        out = omov(capsys, "nominations", "validate", "--contest", slug)
        assert "parliamentary" not in out.lower()
        assert contest.candidates.filter(status="nominated").count() == 2
        omov(capsys, "roll", "freeze", "--contest", slug)
    key = tmp_path / "chair.key"
    with time_machine.travel(dt.datetime(2027, 3, 20, 11, tzinfo=UTC), tick=False):
        omov(capsys, "ballot", "open", "--contest", slug, "--key-out", str(key))
        contest.refresh_from_db()
        cast(contest, [(["Harriet Ashdown"], 5), (["Kofi Mensah"], 7)])
    with time_machine.travel(dt.datetime(2027, 3, 28, 9, tzinfo=UTC), tick=False):
        omov(capsys, "ballot", "close", "--contest", slug)
        out = omov(capsys, "ballot", "count", "--contest", slug, "--key", str(key))
        out = omov(capsys, "ballot", "declare", "--contest", slug)
    assert "elected Kofi Mensah." in out
