"""Small counts worked out by hand; each comment shows the arithmetic the test checks."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from omov.count import BallotFile, CountInputError, RawBallot, count


def ballots(*groups: tuple[int, str], candidates: str, seats: int | None = None) -> BallotFile:
    """Build a ballot file from ``(weight, "A>B>C")`` groups; ``candidates`` like ``"ABCD"``."""
    return BallotFile(
        candidates=tuple(candidates),
        ballots=tuple(
            RawBallot(marks=tuple((name,) for name in ranking.split(">")), weight=weight)
            for weight, ranking in groups
        ),
        seats=seats,
    )


def votes(result_round: object) -> dict[str, Decimal]:
    return dict(result_round.votes)  # type: ignore[attr-defined]


def test_irv_majority_of_continuing_votes_after_exhaustion() -> None:
    # Round 1: A 8, B 7, C 6 of 21; more than half is 11, so nobody. C is excluded.
    # Round 2: 2 C>A ballots go to A (10); 4 C-only ballots exhaust. Continuing votes 17,
    # more than half is 9, and A has 10: A wins without a majority of all 21 ballots.
    result = count(
        ballots((8, "A"), (7, "B"), (2, "C>A"), (4, "C"), candidates="ABC"), method="irv"
    )

    assert result.elected == ("A",)
    first, second = result.rounds
    assert votes(first) == {"A": 8, "B": 7, "C": 6}
    assert first.quota == 11
    assert second.excluded == ("C",)
    assert votes(second) == {"A": 10, "B": 7, "C": 0}
    assert second.exhausted == 4
    assert second.quota == 9
    assert second.transfers == {"A": 2, "C": -6}
    assert second.elected == ("A",)


def test_irv_excludes_hopeless_candidates_together() -> None:
    # First preferences A 30, B 25, C 10, D 6, E 3 (74). From the bottom: 3 < 6, 3+6 < 10,
    # 3+6+10 = 19 < 25, but 44 is not < 30: C, D and E cannot win and go at once.
    # Round 2: C and D transfer to B (41), E to A (33); more than half of 74 is 38: B wins.
    profile = ballots((30, "A"), (25, "B"), (10, "C>B"), (6, "D>B"), (3, "E>A"), candidates="ABCDE")

    bulk = count(profile, method="irv", exclude_hopeless=True)
    one_by_one = count(profile, method="irv")

    assert bulk.elected == one_by_one.elected == ("B",)
    assert len(bulk.rounds) == 2
    assert set(bulk.rounds[1].excluded) == {"C", "D", "E"}
    assert votes(bulk.rounds[1]) == {"A": 33, "B": 41, "C": 0, "D": 0, "E": 0}
    assert [item.excluded for item in one_by_one.rounds[1:]] == [("E",), ("D",), ("C",)]


def test_irv_tie_broken_by_the_earlier_round() -> None:
    # Round 1: A 12, B 7, C 5, D 2. D is excluded; D's 2 ballots go to C.
    # Round 2: A 12, B 7, C 7: B and C tie for fewest. At round 1 C had fewer (5 < 7), so C
    # is excluded. Round 3: C's 7 ballots go to B: B 14 of 26, more than half (14), wins.
    result = count(
        ballots((12, "A"), (7, "B"), (5, "C>B"), (2, "D>C>B"), candidates="ABCD"),
        method="irv",
        seed="not needed",
    )

    assert result.elected == ("B",)
    assert result.rounds[2].excluded == ("C",)
    tie = result.rounds[2].tie_break
    assert tie is not None
    assert "round 1" in tie
    assert "lot" not in tie
    assert result.tie_breaks == ((3, tie),)


def _lot_loser(seed: str, round_number: int, tied: list[str]) -> str:
    # docs/decisions/0002-tie-breaks.md: digest of "seed|round|sorted tied names|name",
    # smallest digest drawn.
    def digest(name: str) -> str:
        text = "|".join([seed, str(round_number), *sorted(tied), name])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    return min(tied, key=digest)


@pytest.mark.parametrize("seed", ["2016-leadership", "", "x", "y", "another seed"])
def test_irv_tie_with_no_earlier_round_is_broken_by_the_documented_lot(seed: str) -> None:
    # Round 1: A 5, B 3, C 3. B and C tie for fewest with no earlier round, so the lot drawn
    # for round 2 chooses whom to exclude. Round 2: A 5 of 8 continuing votes wins.
    profile = ballots((5, "A"), (3, "B"), (3, "C"), candidates="ABC")

    result = count(profile, method="irv", seed=seed)

    assert result.rounds[1].excluded == (_lot_loser(seed, 2, ["B", "C"]),)
    assert "lot" in (result.rounds[1].tie_break or "")
    assert result.elected == ("A",)
    assert count(profile, method="irv", seed=seed).to_json_dict() == result.to_json_dict()


def test_different_seeds_can_draw_differently() -> None:
    profile = ballots((3, "A"), (3, "B"), candidates="AB")
    winners = {count(profile, method="irv", seed=str(seed)).elected for seed in range(20)}

    assert winners == {("A",), ("B",)}


def test_plurality_fills_several_seats_with_the_most_first_preferences() -> None:
    # First preferences: A 10, B 8, C 6, D 5, E 1. Three seats: A, B, C. Later preferences
    # never count.
    result = count(
        ballots((10, "A"), (8, "B>D"), (6, "C"), (5, "D>A"), (1, "E>D"), candidates="ABCDE"),
        method="plurality",
        seats=3,
    )

    assert result.elected == ("A", "B", "C")
    assert len(result.rounds) == 1
    assert votes(result.rounds[0]) == {"A": 10, "B": 8, "C": 6, "D": 5, "E": 1}
    assert result.rounds[0].tie_break is None


def test_plurality_tie_across_the_last_seat_goes_to_the_lot() -> None:
    # A 10, B 8, C 6, D 6 with three seats: A and B are in; C and D tie for the last seat.
    profile = ballots((10, "A"), (8, "B"), (6, "C"), (6, "D"), candidates="ABCD", seats=3)

    result = count(profile, method="plurality", seed="draw")

    digest = {
        name: hashlib.sha256(f"draw|1|C|D|{name}".encode()).hexdigest() for name in ("C", "D")
    }
    drawn = min(digest, key=lambda name: digest[name])
    assert result.elected == ("A", "B", drawn)
    assert "lot" in (result.rounds[0].tie_break or "")


def test_scottish_stv_transfers_surpluses_at_five_decimal_transfer_values() -> None:
    # 152 valid ballots, 3 seats: quota = floor(152 / 4) + 1 = 39.
    # Stage 1: A 97, B 10, C 20, D 25. A is elected with a surplus of 58.
    # Stage 2: transfer value 58 × 1 / 97 = 0.597938… → 0.59793 (remainder ignored).
    #   60 A>B>D papers give B 35.87580; 26 A>C give C 15.54618; 11 A-only papers carry
    #   6.57723 to the non-transferable pile; 58 − 57.99921 = 0.00079 is lost to truncation.
    #   B 45.87580 reaches the quota.
    # Stage 3: B's surplus 6.87580 is transferred from *all* B's papers (no last parcel):
    #   first-preference papers: 6.87580 × 1 / 45.87580 = 0.149878… → 0.14987, ×10 = 1.49870;
    #   papers from A at 0.59793: 6.87580 × 0.59793 / 45.87580 = 0.089616… → 0.08961,
    #   ×60 = 5.37660. D gets 6.87530; 0.00050 more is lost to truncation.
    # Stage 4: D (31.87530) is excluded; 25 D>C papers give C 60.54618: C is elected.
    result = count(
        ballots(
            (60, "A>B>D"),
            (26, "A>C"),
            (11, "A"),
            (10, "B>D"),
            (20, "C"),
            (25, "D>C"),
            candidates="ABCD",
            seats=3,
        ),
        method="stv-scottish",
    )

    assert result.elected == ("A", "B", "C")
    stages = result.rounds
    assert [stage.quota for stage in stages] == [Decimal(39)] * 4
    assert votes(stages[0]) == {"A": 97, "B": 10, "C": 20, "D": 25}
    assert votes(stages[1]) == {
        "A": Decimal("39"),
        "B": Decimal("45.87580"),
        "C": Decimal("35.54618"),
        "D": Decimal("25"),
    }
    assert stages[1].exhausted == Decimal("6.57723")
    assert stages[1].rounding_loss == Decimal("0.00079")
    assert stages[1].elected == ("B",)
    assert votes(stages[2]) == {
        "A": Decimal("39"),
        "B": Decimal("39"),
        "C": Decimal("35.54618"),
        "D": Decimal("31.87530"),
    }
    assert stages[2].rounding_loss == Decimal("0.00129")
    assert stages[3].excluded == ("D",)
    assert votes(stages[3])["C"] == Decimal("60.54618")
    assert stages[3].exhausted == Decimal("13.45253")
    assert stages[3].elected == ("C",)


def test_scottish_stv_fills_last_vacancies_when_candidates_equal_vacancies() -> None:
    # 2 seats, 9 ballots: quota = floor(9 / 3) + 1 = 4. Stage 1: A 5 is elected.
    # Stage 2: A's surplus 1 at 1 × 1 / 5 = 0.2 per paper; A's 5 papers name nobody else, so
    # 1.00000 goes to the non-transferable pile. Stage 3: B 2 and C 2 were equal at every
    # stage, so the lot for stage 3 chooses whom to exclude; the other is then the only
    # continuing candidate for the one vacancy left and is deemed elected (rule 52).
    result = count(
        ballots((5, "A"), (2, "B"), (2, "C"), candidates="ABC", seats=2),
        method="stv-scottish",
        seed="s",
    )

    loser = _lot_loser("s", 3, ["B", "C"])
    winner = "B" if loser == "C" else "C"
    assert result.elected == ("A", winner)
    assert result.rounds[1].exhausted == Decimal(1)
    assert result.rounds[2].excluded == (loser,)
    assert "rule 52" in result.rounds[2].reason


def test_meek_recomputes_the_quota_as_votes_exhaust() -> None:
    # 100 ballots, 2 seats: first quota 100 / 3 + 0.000000001. A (60) is elected and keeps
    # about 33.33, passing the rest to B (about 26.67); C 25 and D 15 cannot reach it.
    # D is excluded; D's 15 ballots exhaust, the quota falls to about 85 / 3 = 28.33, so A
    # keeps less and B passes the quota.
    result = count(
        ballots((60, "A>B"), (25, "C"), (15, "D"), candidates="ABCD", seats=2),
        method="stv-meek",
    )

    assert result.elected == ("A", "B")
    assert result.rounds[0].quota == Decimal("33.333333334")
    excluded_round = next(item for item in result.rounds if item.excluded)
    assert excluded_round.excluded == ("D",)
    final = result.rounds[-1]
    assert final.quota is not None
    assert Decimal("28.3333") < final.quota < Decimal("28.3334")
    assert final.exhausted == Decimal(15)
    assert abs(final.votes["A"] - final.quota) < Decimal("0.0001")


def test_unknown_method_and_impossible_seats_are_clear_errors() -> None:
    profile = ballots((1, "A"), candidates="AB")
    with pytest.raises(CountInputError, match="not a counting method"):
        count(profile, method="borda")
    with pytest.raises(CountInputError, match="IRV fills one seat"):
        count(profile, method="irv", seats=2)
    with pytest.raises(CountInputError, match="only 2 standing candidates"):
        count(profile, method="stv-scottish", seats=3)
    with pytest.raises(CountInputError, match="only to IRV"):
        count(profile, method="stv-meek", exclude_hopeless=True)
    with pytest.raises(CountInputError, match="positive decimal"):
        count(profile, method="stv-meek", meek_tolerance="-1")


def test_no_valid_ballot_is_a_clear_error() -> None:
    empty = BallotFile(candidates=("A", "B"), ballots=(RawBallot(marks=((),), weight=3),))
    with pytest.raises(CountInputError, match="no valid ballot"):
        count(empty, method="irv")


@pytest.mark.parametrize("method", ["irv", "stv-scottish", "stv-meek"])
def test_every_method_breaks_an_exclusion_tie_by_the_most_recent_differing_round(
    method: str,
) -> None:
    # One seat. Round 1: A 12, B 7, C 5, D 2; D is excluded and D's ballots go to C.
    # Round 2: B 7, C 7 tie for fewest; at round 1 C had fewer, so C is excluded.
    # Round 3: C's 7 ballots go to B: B 14 of 26 (IRV threshold 14; Scottish quota
    # floor(26 / 2) + 1 = 14; Meek quota 13.000000001): B is elected.
    result = count(
        ballots((12, "A"), (7, "B"), (5, "C>B"), (2, "D>C>B"), candidates="ABCD", seats=1),
        method=method,
    )

    assert result.elected == ("B",)
    excluded = [item.excluded for item in result.rounds if item.excluded]
    assert excluded == [("D",), ("C",)]
    (tie_round,) = [item for item in result.rounds if item.tie_break]
    assert tie_round.excluded == ("C",)
    assert "round 1" in (tie_round.tie_break or "")


def test_scottish_equal_surpluses_go_in_lot_order_when_never_different() -> None:
    # 3 seats, 27 ballots: quota floor(27 / 4) + 1 = 7. A and B both have 10: equal surpluses of
    # 3 at stage 1, and no earlier stage, so a lot (for stage 2) says whose surplus goes first.
    # A's papers go on to C, B's to D, at 3 × 1 / 10 = 0.3 each: 10 papers carry 3.00000, and
    # the receiver has 2 + 3 = 5.00000.
    result = count(
        ballots(
            (10, "A>C"), (10, "B>D"), (2, "C"), (2, "D"), (3, "E"), candidates="ABCDE", seats=3
        ),
        method="stv-scottish",
        seed="order",
    )

    first = _lot_loser("order", 2, ["A", "B"])
    second = "B" if first == "A" else "A"
    assert result.elected[:2] == ("A", "B")
    stage_two = result.rounds[1]
    assert stage_two.tie_break is not None
    assert "transferred first" in stage_two.tie_break
    assert "lot" in stage_two.tie_break
    assert stage_two.reason.startswith(f"Surplus of {first} (3.00000 of 10.00000 votes)")
    receiver = {"A": "C", "B": "D"}
    assert stage_two.votes[receiver[first]] == Decimal("5.00000")
    assert stage_two.votes[receiver[second]] == Decimal("2.00000")
    assert result.rounds[2].reason.startswith(f"Surplus of {second} (3.00000 of 10.00000")
