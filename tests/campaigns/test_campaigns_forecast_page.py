"""A campaign's forecast page (decision 0018): its own canvass only, small figures suppressed,
the declared result beside it, and only for the campaign's runners."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campaigns_support import QUESTIONS, Campaigns
from omov.campaigns import services
from omov.campaigns.models import Outcome
from omov.contests.published import DeclaredFigures
from omov.core.errors import ServiceError

pytestmark = pytest.mark.django_db


def tagged(means: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {**question, "forecast": {"preference": "first", "means": means}}
        if question["key"] == "support"
        else question
        for question in QUESTIONS
    ]


CORBYN_MEANS = {
    "5": "Jeremy Corbyn",
    "4": "Jeremy Corbyn",
    "3": "",
    "2": "Owen Smith",
    "1": "Owen Smith",
}


def canvass(setup: Campaigns, answers: list[str]) -> None:
    """The Corbyn campaign calls len(answers) voters with a forecast script; each says a level."""
    script = services.script_create(
        campaign=setup.corbyn, name="Forecast", questions=tagged(CORBYN_MEANS)
    )
    call_list = services.call_list_create(campaign=setup.corbyn, name="Everyone", script=script)
    caller = setup.people["corbyn_caller"]
    for level in answers:
        claim = services.claim_next(call_list=call_list, caller=caller)
        assert claim is not None
        services.call_record(
            claim_id=claim.pk, caller=caller, outcome=Outcome.ANSWERED, answers={"support": level}
        )


def page(user: Any, campaign: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(reverse("campaigns:forecast", args=[campaign.pk]))


def test_the_forecast_reads_this_campaigns_answers_only(campaigns: Campaigns) -> None:
    canvass(campaigns, ["5"] * 14 + ["1"] * 6 + ["3"] * 4)
    content = page(campaigns.people["corbyn_manager"], campaigns.corbyn).content.decode()
    assert "From 20 voters' answers" in content  # the 4 undecided are left out
    assert "weighted to the 30 eligible voters" in content
    assert 'id="forecast-shares"' in content and "Chance of winning" in content
    assert "Declared" not in content
    other = page(campaigns.people["smith_manager"], campaigns.smith).content.decode()
    assert "scripts asks a first-preference question" in other
    assert "forecast-shares" not in other


def test_a_category_with_fewer_than_ten_answers_shows_no_figures(campaigns: Campaigns) -> None:
    canvass(campaigns, ["5"] * 6 + ["1"] * 2)
    content = page(campaigns.people["corbyn_manager"], campaigns.corbyn).content.decode()
    table = content[content.index('id="forecast-categories"') :]
    assert "fewer than 10" in table


def test_only_the_campaigns_runners_and_the_office_see_it(
    campaigns: Campaigns, returning_officer: Any
) -> None:
    people = campaigns.people
    statuses = {
        name: page(people[name], campaigns.corbyn).status_code
        for name in ("corbyn_manager", "corbyn_organiser", "corbyn_caller", "smith_manager")
    }
    assert statuses == {
        "corbyn_manager": 200,
        "corbyn_organiser": 200,
        "corbyn_caller": 403,
        "smith_manager": 403,
    }
    assert (
        Client().get(reverse("campaigns:forecast", args=[campaigns.corbyn.pk])).status_code == 302
    )


def test_after_the_declaration_the_result_stands_beside_it(
    campaigns: Campaigns, monkeypatch: Any
) -> None:
    canvass(campaigns, ["5"] * 12 + ["1"] * 8)
    figures = DeclaredFigures(
        first_round={"Jeremy Corbyn": 313209.0, "Owen Smith": 193229.0},
        elected=("Jeremy Corbyn",),
        categories={},
        category_basis="final round",
    )
    monkeypatch.setattr("omov.campaigns.selectors.declared_figures", lambda contest: figures)
    content = page(campaigns.people["corbyn_manager"], campaigns.corbyn).content.decode()
    assert "Declared (first round)" in content
    assert "62%" in content and "38%" in content  # 61.8% and 38.2%, as the page rounds


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ({"preference": "first", "means": {"5": "Tom Watson"}}, "not a nominated candidate"),
        ({"preference": "first", "means": {"9": "Jeremy Corbyn"}}, "not one of the question's"),
        ({"preference": "best", "means": {}}, "says its preference"),
    ],
)
def test_a_wrong_forecast_question_is_refused(
    campaigns: Campaigns, tag: dict[str, Any], message: str
) -> None:
    questions = [{**QUESTIONS[0], "forecast": tag}]
    with pytest.raises(ServiceError, match=message):
        services.script_create(campaign=campaigns.corbyn, name="Bad", questions=questions)
