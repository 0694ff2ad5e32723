"""The tie-break rule of docs/decisions/0002-tie-breaks.md, through ``omov.count.ties``."""

from __future__ import annotations

import hashlib

import pytest

from omov.count.ties import break_tie, fewest_votes, lot_digest, lot_order

NAMES = ("Ada", "Ben", "Cy", "Dee")


def test_three_way_tie_narrows_round_by_round_going_back() -> None:
    # Now Ada, Ben and Cy tie. Round 3: Ada 5, Ben 5, Cy 6 -> Ada and Ben had fewer.
    # Round 2: Ada 4, Ben 4 -> still tied. Round 1: Ada 3, Ben 2 -> Ben had fewer.
    history = [[3, 2, 1, 9], [4, 4, 2, 9], [5, 5, 6, 9], [7, 7, 7, 9]]

    decision = break_tie(
        [0, 1, 2],
        choose="fewest",
        history=history,
        names=NAMES,
        seed="s",
        round_number=5,
        action="is excluded",
    )

    assert decision.chosen == 1
    assert decision.rule == "earlier-rounds"
    assert "round 1" in decision.text


def test_choosing_the_most_looks_for_the_higher_value() -> None:
    history = [[3, 2, 1, 9], [8, 8, 8, 9]]

    decision = break_tie(
        [0, 1, 2],
        choose="most",
        history=history,
        names=NAMES,
        seed="s",
        round_number=3,
        action="goes first",
    )

    assert decision.chosen == 0


def test_the_lot_is_the_documented_sha256_draw() -> None:
    expected = {
        name: hashlib.sha256(f"seed 1|4|Ben|Dee|{name}".encode()).hexdigest()
        for name in ("Ben", "Dee")
    }

    assert lot_digest("seed 1", 4, ["Dee", "Ben"], "Dee") == expected["Dee"]
    assert lot_order("seed 1", 4, ["Dee", "Ben"]) == sorted(expected, key=expected.__getitem__)
    decision = break_tie(
        [3, 1],
        choose="fewest",
        history=[[1, 2, 3, 2]],  # equal at the only earlier round too
        names=NAMES,
        seed="seed 1",
        round_number=4,
        action="is excluded",
    )
    assert decision.rule == "lot"
    assert NAMES[decision.chosen] == min(expected, key=expected.__getitem__)
    assert "seed 1" in decision.text


def test_a_tie_needs_two_candidates() -> None:
    with pytest.raises(ValueError, match="at least two"):
        break_tie(
            [1], choose="fewest", history=[], names=NAMES, seed="", round_number=1, action="x"
        )


def test_fewest_votes_excludes_the_lowest_and_breaks_only_a_real_tie() -> None:
    history = [[3, 2, 1, 9], [4, 4, 2, 9]]
    common = {"history": history, "names": NAMES, "seed": "s", "round_number": 3}

    assert fewest_votes({0: 4, 1: 5, 3: 9}, **common) == (0, None)

    chosen, text = fewest_votes({0: 4, 1: 4, 3: 9}, **common)
    # Ada and Ben tie at 4 now and at round 2; at round 1 Ben had fewer, so Ben is excluded.
    assert chosen == 1
    assert text == (
        "Ada and Ben were tied; Ben had fewer votes at the end of round 1, the most recent "
        "earlier round at which they differed, so Ben is excluded."
    )
