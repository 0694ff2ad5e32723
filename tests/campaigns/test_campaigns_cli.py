"""`omov campaign create|list|release-roll|erase` and `omov phonebank export`."""

from __future__ import annotations

import csv
import datetime as dt
import stat
from pathlib import Path
from typing import Any

import pytest

from campaigns_support import EVENING, Campaigns, open_contest_with_roll
from omov.campaigns import services
from omov.campaigns.models import Call, CampaignSummary, RollRelease
from omov.cli.actor import cli_actor_label
from omov.cli.main import main
from omov.contests.models import CandidateStatus, ContestStatus
from omov.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_create_list_and_release_from_the_command_line(
    capsys: Any, contest: Any, evening: Any
) -> None:
    contest.candidates.update(status=CandidateStatus.NOMINATED)
    open_contest_with_roll(contest, 4)
    code, out, err = run(capsys, "campaign", "release-roll", "--contest", contest.slug)
    assert code == 2
    assert err == (
        "omov: Cannot release the roll to the campaigns yet: create Jeremy Corbyn's campaign "
        "(every nominated candidate has one); create Owen Smith's campaign (every nominated "
        "candidate has one)\n"
    )
    for name in ("Jeremy Corbyn", "Owen Smith"):
        code, out, err = run(
            capsys, "campaign", "create", "--contest", contest.slug, "--candidate", name
        )
        assert code == 0 and out.endswith(f"\t{name}'s campaign\n")
    code, out, _ = run(capsys, "campaign", "release-roll", "--contest", contest.slug)
    assert (code, out) == (
        0,
        f"Released the roll of {contest.slug} to every campaign: 4 phone contacts.\n",
    )
    code, out, _ = run(capsys, "campaign", "list")
    assert code == 0 and out.count("2016-08-23 18:30") == 2
    assert AuditEvent.objects.get(action="campaign.release_roll").actor_label == cli_actor_label()


def test_bad_names_get_a_message_not_a_traceback(capsys: Any, contest: Any) -> None:
    code, _, err = run(capsys, "campaign", "create", "--contest", "nope", "--candidate", "X")
    assert (code, err) == (
        2,
        "omov: There is no contest with the slug 'nope'; see `omov campaign list`.\n",
    )
    code, _, err = run(capsys, "campaign", "create", "--contest", contest.slug, "--candidate", "X")
    assert code == 2 and "has no candidate named 'X' (Jeremy Corbyn, Owen Smith)" in err


def record_calls(campaigns: Campaigns, number: int) -> None:
    caller = campaigns.people["corbyn_caller"]
    for index in range(number):
        claim = services.claim_next(call_list=campaigns.corbyn_list, caller=caller)
        services.call_record(
            claim_id=claim.pk,
            caller=caller,
            outcome="answered",
            answers={"support": str(1 + index % 5)},
        )


def test_the_export_streams_the_campaigns_own_calls_to_a_private_file(
    capsys: Any, campaigns: Campaigns, tmp_path: Path
) -> None:
    record_calls(campaigns, 3)
    out = tmp_path / "calls.csv"
    code, _, err = run(
        capsys, "phonebank", "export", "--campaign", str(campaigns.corbyn.pk), "--out", str(out)
    )
    assert code == 0 and err.startswith("Wrote 3 calls")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [row["outcome"] for row in rows] == ["answered"] * 3
    assert [row["support"] for row in rows] == ["1", "2", "3"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert AuditEvent.objects.get(action="campaign.export").data == {"rows": 3}


def test_the_export_is_refused_once_the_ballot_has_closed(
    capsys: Any, campaigns: Campaigns, tmp_path: Path
) -> None:
    campaigns.contest.status = ContestStatus.CLOSED
    campaigns.contest.save()
    out = tmp_path / "calls.csv"
    code, _, err = run(
        capsys, "phonebank", "export", "--campaign", str(campaigns.corbyn.pk), "--out", str(out)
    )
    assert code == 2 and "The ballot has closed" in err
    assert not out.exists() and not list(tmp_path.iterdir())


def test_erase_waits_for_the_retention_period_then_keeps_only_figures(
    capsys: Any, campaigns: Campaigns, evening: Any
) -> None:
    record_calls(campaigns, 12)
    contest = campaigns.contest
    code, _, err = run(capsys, "campaign", "erase", "--contest", contest.slug)
    assert code == 2 and "is not declared yet" in err
    contest.status, contest.declared_at = ContestStatus.DECLARED, EVENING
    contest.save()
    evening.move_to(EVENING + dt.timedelta(days=29))
    code, _, err = run(capsys, "campaign", "erase", "--contest", contest.slug)
    assert code == 2 and "is kept until 2016-09-22 18:30" in err
    assert Call.objects.count() == 12
    assert run(capsys, "campaign", "erase", "--due")[1] == "Nothing is due.\n"
    evening.move_to(EVENING + dt.timedelta(days=30))
    code, out, _ = run(capsys, "campaign", "erase", "--contest", contest.slug)
    assert code == 0 and out.startswith("Erased 12 calls, 12 claims and 60 call-list entries")
    assert run(capsys, "campaign", "erase", "--due")[1] == "Nothing is due.\n"
    assert not Call.objects.exists()
    summary = CampaignSummary.objects.get(campaign=campaigns.corbyn)
    assert (summary.calls, summary.answered) == (12, 12)
    # Support levels of 2 or 3 people each: every cell is under 10, so none is kept.
    assert set(summary.by_support.values()) == {None}
    assert RollRelease.objects.get(contest=contest).erased_at is not None
