"""The 2016 Labour leadership declaration, reproduced from ballots with its published structure.

Published (omov/demo/data/labour-contests.json): 654,006 ballots issued, 506,438 valid, 1,042
spoilt; Jeremy Corbyn 313,209 (61.8%), Owen Smith 193,229 (38.2%); turnout 77.6%; and the
breakdown by category. The full-size count runs in bench/bench_count_2016.py; here the same
structure, scaled down a hundredfold, goes through the real ballot box, and the full-size
figures go through the count and the category breakdown.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from results_fixtures import closed_contest

from factories import CandidateFactory, ContestFactory
from omov.count import count
from omov.demo.ballots import PUBLISHED_CATEGORY_NAMES, rankings_for_totals
from omov.results.selectors import declaration_for, percent
from omov.results.services import (
    category_breakdown,
    contest_ballot_file,
    result_count,
    result_declare,
)

CANDIDATES = ("Jeremy Corbyn", "Owen Smith")


def _scaled(by_category: dict[str, dict[str, int]], divisor: int) -> dict[str, dict[str, int]]:
    return {
        PUBLISHED_CATEGORY_NAMES[category]: {
            name: int((Decimal(votes) / divisor).to_integral_value(ROUND_HALF_UP))
            for name, votes in candidates.items()
        }
        for category, candidates in by_category.items()
    }


def test_published_figures_are_consistent(labour_2016: dict[str, Any]) -> None:
    totals = Counter[str]()
    for votes in labour_2016["by_category"].values():
        totals.update(votes)
    assert (
        dict(totals)
        == labour_2016["rounds"][0]
        == {
            "Jeremy Corbyn": 313209,
            "Owen Smith": 193229,
        }
    )
    valid = sum(totals.values())
    assert valid == 506438
    returned = valid + labour_2016["spoilt"]
    assert percent(returned, labour_2016["ballots_issued"]) == "77.6"
    assert str(labour_2016["turnout_percent"]) == "77.6"


def test_the_full_2016_count_and_category_breakdown(db: Any, labour_2016: dict[str, Any]) -> None:
    contest = ContestFactory(slug="labour-2016", title="Labour Party leadership election 2016")
    for position, name in enumerate(CANDIDATES, start=1):
        CandidateFactory(contest=contest, name=name, ballot_position=position)
    by_category = rankings_for_totals(labour_2016["by_category"], candidates=CANDIDATES)
    grouped = Counter[tuple[str, ...]]()
    for (_, ranking), weight in by_category.items():
        grouped[ranking] += weight
    ballot_file = contest_ballot_file(contest, grouped)
    outcome = count(ballot_file, method="irv", seed=contest.tie_break_seed)
    assert outcome.elected == ("Jeremy Corbyn",)
    assert outcome.validity.valid == 506438
    assert len(outcome.rounds) == 1
    votes = outcome.rounds[0].votes
    assert votes == {"Jeremy Corbyn": Decimal(313209), "Owen Smith": Decimal(193229)}
    assert percent(votes["Jeremy Corbyn"], 506438) == "61.8"
    assert percent(votes["Owen Smith"], 506438) == "38.2"
    basis, categories = category_breakdown(outcome, ballot_file, by_category)
    assert basis == "final round"
    published = {
        PUBLISHED_CATEGORY_NAMES[key]: value for key, value in labour_2016["by_category"].items()
    }
    assert {name: item.votes for name, item in categories.items()} == published
    assert list(categories) == ["member", "registered_supporter", "affiliated_supporter"]


@pytest.mark.slow
def test_a_scaled_2016_contest_declares_every_figure(db: Any, labour_2016: dict[str, Any]) -> None:
    divisor = 100
    votes = _scaled(labour_2016["by_category"], divisor)
    assert votes == {
        "member": {"Jeremy Corbyn": 1682, "Owen Smith": 1170},
        "registered_supporter": {"Jeremy Corbyn": 849, "Owen Smith": 366},
        "affiliated_supporter": {"Jeremy Corbyn": 601, "Owen Smith": 397},
    }
    valid = sum(sum(item.values()) for item in votes.values())
    spoilt = round(labour_2016["spoilt"] / divisor)
    issued = round(labour_2016["ballots_issued"] / divisor)
    assert (valid, spoilt, issued) == (5065, 10, 6540)
    closed = closed_contest(
        votes_by_category=votes,
        spoilt_by_category={"member": spoilt},
        abstaining_by_category={"member": issued - valid - spoilt},
        slug="labour-2016-scaled",
    )
    result = result_count(contest=closed.contest, private_key_bytes=closed.key_text.encode())
    assert result.elected == ["Jeremy Corbyn"]
    assert result.valid == 5065
    assert result.spoilt_total == 10
    assert result.credentials_issued == 6540
    assert result.ballots_returned == 5075
    assert result.report["rounds"][0]["votes"] == {"Jeremy Corbyn": "3132", "Owen Smith": "1933"}
    assert {key: item["votes"] for key, item in result.categories.items()} == votes

    declaration = declaration_for(result)
    assert declaration.turnout_percent == "77.6"
    lines = {line.name: line for line in declaration.rounds[0].lines}
    assert (lines["Jeremy Corbyn"].votes, lines["Jeremy Corbyn"].percent) == ("3,132", "61.8")
    assert (lines["Owen Smith"].votes, lines["Owen Smith"].percent) == ("1,933", "38.2")
    assert [
        (item.label, [(row.name, row.votes) for row in item.rows])
        for item in declaration.categories
    ] == [
        ("Members", [("Jeremy Corbyn", "1,682"), ("Owen Smith", "1,170")]),
        ("Registered supporters", [("Jeremy Corbyn", "849"), ("Owen Smith", "366")]),
        ("Affiliated supporters", [("Jeremy Corbyn", "601"), ("Owen Smith", "397")]),
    ]

    result_declare(contest=closed.contest)
    page = Client().get(reverse("results:declaration", args=[closed.contest.slug]))
    text = page.content.decode()
    for figure in (
        "6,540",
        "5,075",
        "5,065",
        "77.6%",
        "3,132",
        "61.8%",
        "1,933",
        "38.2%",
        "1,682",
        "1,170",
        "849",
        "366",
        "601",
        "397",
    ):
        assert figure in text, figure
