"""A contest file says everything about a contest: any kind of office, and who must nominate."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from omov.cli.main import main
from omov.contests.models import Contest
from omov.nominations import selectors
from omov.nominations.models import NominationRules

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

HEAD = """title = "Test Society: secretary"
slug = "test-secretary"
kind = "honorary_secretary"
method = "{method}"
seats = {seats}

[[candidates]]
name = "Ada Whitcombe"
consented = true
"""


def create(tmp_path: Path, capsys: Any, text: str) -> tuple[int, str]:
    path = tmp_path / "contest.toml"
    path.write_text(text, encoding="utf-8")
    code = main(["contest", "create", str(path)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_any_kind_of_office_is_accepted_and_labelled(tmp_path: Path, capsys: Any) -> None:
    code, _ = create(tmp_path, capsys, HEAD.format(method="plurality", seats=1))
    assert code == 0
    contest = Contest.objects.get(slug="test-secretary")
    assert contest.kind == "honorary_secretary"
    assert contest.get_kind_display() == "Honorary secretary"


def test_a_contest_without_nominations_needs_none(tmp_path: Path, capsys: Any) -> None:
    assert create(tmp_path, capsys, HEAD.format(method="plurality", seats=1))[0] == 0
    contest = Contest.objects.get(slug="test-secretary")
    assert not NominationRules.objects.filter(contest=contest).exists()
    summary = selectors.nominations_summary(contest)
    assert not summary.threshold.is_required and not summary.gate.is_enabled
    assert summary.standings[0].problems == []


def test_an_unknown_method_lists_the_methods(tmp_path: Path, capsys: Any) -> None:
    code, out = create(tmp_path, capsys, HEAD.format(method="stv", seats=1))
    assert code == 2
    assert "The method 'stv' is not one omov counts by; choose one of: irv (" in out
    for method in ("stv-scottish", "stv-meek", "plurality"):
        assert method in out
    assert not Contest.objects.exists()


def test_irv_with_several_seats_says_which_methods_fill_them(tmp_path: Path, capsys: Any) -> None:
    code, out = create(tmp_path, capsys, HEAD.format(method="irv", seats=3))
    assert code == 2
    assert "irv elects one candidate, and this contest has 3 seats" in out
    assert "stv-scottish, stv-meek or plurality" in out


def test_every_route_is_read_from_the_file(tmp_path: Path, capsys: Any) -> None:
    text = HEAD.format(method="plurality", seats=1) + (
        "[nominations]\nincumbent_exempt = false\n"
        "[nominations.parliamentary]\npercent = 12.5\n"
        "[nominations.gate]\nbranch_percent = 10\naffiliate_count = 2\nsignature_count = 40\n"
    )
    assert create(tmp_path, capsys, text)[0] == 0
    rules = NominationRules.objects.get(contest__slug="test-secretary")
    assert rules.is_parliamentary_threshold_required
    assert rules.challenger_percent == rules.vacancy_percent == Decimal("12.5")
    assert not rules.is_incumbent_exempt
    assert rules.is_gate_enabled
    assert (rules.gate_branch_percent, rules.gate_branch_count) == (Decimal(10), None)
    assert (rules.gate_affiliate_count, rules.gate_signature_count) == (2, 40)


@pytest.mark.parametrize(
    ("nominations", "message"),
    [
        (
            "[nominations]\nbranches = 3\n",
            "[nominations] has no key branches; the keys it takes are incumbent_exempt, "
            "parliamentary, gate.",
        ),
        (
            "[nominations.gate]\nbranch_number = 3\n",
            "[nominations.gate] has no key branch_number; the keys it takes are branch_percent, "
            "branch_count, affiliate_count, signature_count.",
        ),
        ("[nominations.gate]\n", "[nominations.gate] names no route"),
        (
            "[nominations.gate]\nbranch_count = 0\n",
            "nominations.gate.branch_count must be a whole number of at least 1, not 0.",
        ),
        (
            "[nominations.parliamentary]\npercent = 120\n",
            "nominations.parliamentary.percent must be between 0 and 100, not 120.",
        ),
        (
            "[nominations.parliamentary]\nvacancy_percent = 15\n",
            "[nominations.parliamentary] needs percent",
        ),
        (
            "[nominations.gate]\nbranch_percent = 5\nbranch_count = 3\n",
            "either as a share of all branches or as a number of branches, not both",
        ),
    ],
)
def test_a_mistake_in_the_nominations_table_is_one_line_naming_the_key(
    tmp_path: Path, capsys: Any, nominations: str, message: str
) -> None:
    code, out = create(tmp_path, capsys, HEAD.format(method="plurality", seats=1) + nominations)
    assert code == 2
    assert message in out
    assert len(out.strip().splitlines()) == 1
    assert not Contest.objects.exists()


def test_the_2016_example_still_asks_for_labours_parliamentary_threshold(capsys: Any) -> None:
    assert main(["contest", "create", str(EXAMPLES / "contest-2016.toml")]) == 0
    contest = Contest.objects.get(slug="labour-leader-2016")
    threshold = selectors.parliamentary_threshold(contest)
    assert threshold.is_required and threshold.percent == Decimal(20)
    assert selectors.rules_for(contest).vacancy_percent == Decimal(15)
    assert contest.get_kind_display() == "Leader"
