"""Properties every method must keep, on random small elections (Hypothesis)."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from omov.count import BallotFile, CountResult, RawBallot, count

NAMES = ("Ada", "Ben", "Cy", "Dee", "Eve", "Fay")
METHODS = ("plurality", "irv", "stv-scottish", "stv-meek")


@st.composite
def elections(draw: st.DrawFn, *, method: str | None = None) -> tuple[BallotFile, str, int]:
    """Draw (ballot file, method, seats) with 2–6 candidates and up to 40 ballot groups."""
    size = draw(st.integers(min_value=2, max_value=len(NAMES)))
    candidates = NAMES[:size]
    chosen = method or draw(st.sampled_from(METHODS))
    seats = 1 if chosen == "irv" else draw(st.integers(min_value=1, max_value=min(3, size)))
    groups = draw(
        st.lists(
            st.tuples(
                st.permutations(candidates).flatmap(
                    lambda order: st.integers(min_value=1, max_value=len(order)).map(
                        lambda length, order=order: tuple(order[:length])
                    )
                ),
                st.integers(min_value=1, max_value=30),
            ),
            min_size=1,
            max_size=40,
        )
    )
    ballots = tuple(
        RawBallot(marks=tuple((name,) for name in ranking), weight=weight)
        for ranking, weight in groups
    )
    return BallotFile(candidates=candidates, ballots=ballots, seats=seats), chosen, seats


def run(ballot_file: BallotFile, method: str, seats: int, seed: str = "p") -> CountResult:
    return count(ballot_file, method=method, seats=seats, seed=seed)


@settings(max_examples=150, deadline=None)
@given(elections())
def test_votes_are_conserved_exactly_in_every_round(election) -> None:
    ballot_file, method, seats = election
    result = run(ballot_file, method, seats)
    valid = Decimal(sum(ballot.weight for ballot in ballot_file.ballots))

    assert result.validity.valid == valid
    for item in result.rounds:
        assert sum(item.votes.values()) + item.exhausted + item.rounding_loss == valid
        assert item.exhausted >= 0
        assert item.rounding_loss >= 0
        assert all(value >= 0 for value in item.votes.values())


@settings(max_examples=150, deadline=None)
@given(elections())
def test_exactly_the_seats_are_filled_by_distinct_candidates(election) -> None:
    ballot_file, method, seats = election
    result = run(ballot_file, method, seats)

    assert len(result.elected) == seats
    assert len(set(result.elected)) == seats
    assert set(result.elected) <= set(ballot_file.candidates)
    announced = [name for item in result.rounds for name in item.elected]
    assert announced == list(result.elected)
    excluded = {name for item in result.rounds for name in item.excluded}
    assert not excluded & set(result.elected)


@settings(max_examples=100, deadline=None)
@given(elections(), st.randoms(use_true_random=False))
def test_the_order_of_ballots_does_not_matter(election, shuffler: random.Random) -> None:
    ballot_file, method, seats = election
    ballots = list(ballot_file.ballots)
    shuffler.shuffle(ballots)
    # Split one group in two: grouping must not matter either.
    first = ballots[0]
    if first.weight > 1:
        ballots[0:1] = [RawBallot(first.marks, 1), RawBallot(first.marks, first.weight - 1)]
    shuffled = BallotFile(
        candidates=ballot_file.candidates, ballots=tuple(ballots), seats=ballot_file.seats
    )

    assert (
        run(shuffled, method, seats).to_json_dict()
        == run(ballot_file, method, seats).to_json_dict()
    )


@settings(max_examples=100, deadline=None)
@given(elections(), st.randoms(use_true_random=False))
def test_renaming_and_reordering_candidates_does_not_change_who_wins(
    election, shuffler: random.Random
) -> None:
    ballot_file, method, seats = election
    new_names = [f"Candidate {index}" for index in range(len(ballot_file.candidates))]
    shuffler.shuffle(new_names)
    rename = dict(zip(ballot_file.candidates, new_names, strict=True))
    listed = list(new_names)
    shuffler.shuffle(listed)
    renamed = BallotFile(
        candidates=tuple(listed),
        ballots=tuple(
            RawBallot(tuple(tuple(rename[name] for name in mark) for mark in ballot.marks), w)
            for ballot in ballot_file.ballots
            for w in [ballot.weight]
        ),
        seats=ballot_file.seats,
    )

    original = run(ballot_file, method, seats)
    relabelled = run(renamed, method, seats)

    drew_lots = any("lot" in (item.tie_break or "") for item in original.rounds)
    assert drew_lots == any("lot" in (item.tie_break or "") for item in relabelled.rounds)
    if not drew_lots:
        assert {rename[name] for name in original.elected} == set(relabelled.elected)
        for before, after in zip(original.rounds, relabelled.rounds, strict=True):
            assert {rename[name]: value for name, value in before.votes.items()} == after.votes


@settings(max_examples=150, deadline=None)
@given(elections(method="irv"))
def test_a_majority_first_preference_winner_wins_irv_and_plurality(election) -> None:
    ballot_file, _, _ = election
    first: dict[str, int] = {}
    for ballot in ballot_file.ballots:
        first[ballot.marks[0][0]] = first.get(ballot.marks[0][0], 0) + ballot.weight
    total = sum(first.values())
    leader = max(first, key=lambda name: first[name])

    if 2 * first[leader] > total:
        assert run(ballot_file, "irv", 1).elected == (leader,)
        assert run(ballot_file, "plurality", 1).elected == (leader,)
        assert run(ballot_file, "stv-scottish", 1).elected == (leader,)
        assert run(ballot_file, "stv-meek", 1).elected == (leader,)


@settings(max_examples=100, deadline=None)
@given(elections(), st.text(max_size=12))
def test_the_same_seed_gives_the_same_result(election, seed: str) -> None:
    ballot_file, method, seats = election

    assert (
        run(ballot_file, method, seats, seed).to_json_dict()
        == run(ballot_file, method, seats, seed).to_json_dict()
    )


@settings(max_examples=100, deadline=None)
@given(elections(method="irv"))
def test_bulk_exclusion_never_changes_the_irv_winner_when_no_lot_is_drawn(election) -> None:
    ballot_file, _, _ = election
    single = count(ballot_file, method="irv", seed="s")
    bulk = count(ballot_file, method="irv", seed="s", exclude_hopeless=True)

    if not single.tie_breaks and not bulk.tie_breaks:
        assert bulk.elected == single.elected
    assert len(bulk.rounds) <= len(single.rounds)


@settings(max_examples=100, deadline=None)
@given(elections())
def test_a_report_reads_back_as_the_same_result(election) -> None:
    """CountResult.from_json undoes to_json_dict exactly (the results app reads reports so)."""
    ballot_file, method, seats = election
    result = count(ballot_file, method=method, seats=seats)
    again = CountResult.from_json(result.to_json_dict())
    assert again == result
    assert again.to_json_dict() == result.to_json_dict()
