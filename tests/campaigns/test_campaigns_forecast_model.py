"""The forecast's model (decision 0018): post-stratified shares, intervals, chance of winning."""

from __future__ import annotations

import pytest

from omov.campaigns.forecast import forecast_compute


def share(forecast: object, name: str) -> object:
    return next(s for s in forecast.shares if s.candidate == name)  # type: ignore[attr-defined]


def test_the_roll_weighs_the_answers_not_the_canvass() -> None:
    """Most answers came from a small branch that backs A; the big branch backs B."""
    forecast = forecast_compute(
        candidates=["A", "B"],
        roll={("member", "BIG"): 9000, ("member", "SMALL"): 1000},
        answers={("member", "BIG"): [400, 600], ("member", "SMALL"): [9000, 1000]},
    )
    b = share(forecast, "B")
    raw_share_of_b = (600 + 1000) / (1000 + 10000)
    assert raw_share_of_b < 0.2
    assert b.mean == pytest.approx(0.9 * 0.6 + 0.1 * 0.1, abs=0.02)  # type: ignore[attr-defined]
    assert b.low < b.mean < b.high  # type: ignore[attr-defined]
    assert forecast.win_chance["B"] > 0.95
    assert forecast.answers == 11000 and forecast.voters == 10000


def test_more_answers_narrow_the_interval() -> None:
    def width(answers: int) -> float:
        forecast = forecast_compute(
            candidates=["A", "B"],
            roll={("member", "X"): 50000},
            answers={("member", "X"): [answers * 55 // 100, answers * 45 // 100]},
        )
        a = share(forecast, "A")
        return a.high - a.low  # type: ignore[attr-defined,no-any-return]

    assert width(10000) < width(400) < width(40)


def test_a_stratum_without_answers_follows_its_category() -> None:
    forecast = forecast_compute(
        candidates=["A", "B"],
        roll={("member", "X"): 100, ("member", "Y"): 100, ("affiliated_supporter", "X"): 100},
        answers={("member", "X"): [800, 200], ("affiliated_supporter", "X"): [100, 900]},
    )
    member = next(c for c in forecast.categories if c.category == "member")
    a = next(s for s in member.shares if s.candidate == "A")
    assert a.mean == pytest.approx(
        0.8, abs=0.05
    )  # Y borrowed X's figures, not the other category's
    assert member.answers == 1000 and member.voters == 200


def test_next_preferences_decide_an_av_contest() -> None:
    """A leads on first preferences, but C's supporters go to B."""
    common = {
        "candidates": ["A", "B", "C"],
        "roll": {("member", "X"): 100000},
        "answers": {("member", "X"): [4000, 3500, 2500]},
    }
    transfers = {"C": [50, 2400, 0, 50]}  # A, B, (C), none
    with_answers = forecast_compute(**common, next_preferences=transfers)  # type: ignore[arg-type]
    assert with_answers.transfers_from_answers
    assert with_answers.win_chance["B"] > 0.9
    proportional = forecast_compute(**common)  # type: ignore[arg-type]
    assert not proportional.transfers_from_answers
    assert proportional.win_chance["A"] > 0.9
    assert sum(proportional.win_chance.values()) == pytest.approx(1.0)


def test_the_same_inputs_give_the_same_forecast() -> None:
    inputs = {
        "candidates": ["A", "B", "C"],
        "roll": {("member", "X"): 10, ("member", "Y"): 20},
        "answers": {("member", "X"): [3, 2, 1]},
    }
    assert forecast_compute(**inputs) == forecast_compute(**inputs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"candidates": ["A"], "roll": {("m", "X"): 1}, "answers": {}}, "two candidates"),
        ({"candidates": ["A", "B"], "roll": {("m", "X"): 0}, "answers": {}}, "no eligible"),
        (
            {"candidates": ["A", "B"], "roll": {("m", "X"): 5}, "answers": {("m", "X"): [1]}},
            "name 1 candidates",
        ),
    ],
)
def test_bad_inputs_are_refused(inputs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        forecast_compute(**inputs)  # type: ignore[arg-type]
