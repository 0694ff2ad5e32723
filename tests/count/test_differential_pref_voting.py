"""omov's IRV and Scottish STV agree with independent implementations: pref_voting, pyrankvote.

pref_voting (Holliday and Pacuit) and pyrankvote are installed only for tests and benchmarks.
pref_voting's IRV removes every tied-lowest candidate at once, and both libraries break remaining
ties at random, while omov breaks ties by documented rules and then by lot from a seed. So
profiles are only compared when omov's count needed no tie-break at all
(``CountResult.tie_breaks`` is empty); Hypothesis discards the others. Profiles hold strict
partial rankings with no empty ballot, so the validity rules change nothing and both sides count
the same ballots.
"""

from __future__ import annotations

import random

import pyrankvote
import pytest
from count_formats_support import edinburgh_official_winners, edinburgh_wards
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pref_voting.iterative_methods import instant_runoff
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.proportional_methods import stv_scottish

from omov.count import BallotFile, RawBallot, build_profile, count
from omov.count.formats import read_ballot_file


def to_pref_voting(ballot_file: BallotFile) -> ProfileWithTies:
    """Build pref_voting's profile (candidates 0..n-1) from clean omov ballots."""
    index = {name: i for i, name in enumerate(ballot_file.candidates)}
    rankings = [
        {index[names[0]]: rank for rank, names in enumerate(ballot.marks, start=1)}
        for ballot in ballot_file.ballots
    ]
    return ProfileWithTies(
        rankings,
        rcounts=[ballot.weight for ballot in ballot_file.ballots],
        candidates=list(range(len(ballot_file.candidates))),
    )


@st.composite
def profiles(draw: st.DrawFn, max_candidates: int = 6) -> BallotFile:
    """Random strict partial rankings with weights large enough that ties are rare."""
    size = draw(st.integers(min_value=2, max_value=max_candidates))
    candidates = tuple(f"C{i}" for i in range(size))
    ballots = []
    for _ in range(draw(st.integers(min_value=1, max_value=14))):
        order = draw(st.permutations(candidates))
        length = draw(st.integers(min_value=1, max_value=size))
        weight = draw(st.integers(min_value=1, max_value=500))
        ballots.append(RawBallot(tuple((name,) for name in order[:length]), weight))
    return BallotFile(candidates=candidates, ballots=tuple(ballots))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(profiles())
def test_irv_winner_agrees_with_pref_voting_when_no_tie_arises(ballot_file: BallotFile) -> None:
    result = count(ballot_file, method="irv")
    assume(not result.tie_breaks)
    theirs = instant_runoff(to_pref_voting(ballot_file))
    assert [ballot_file.candidates[i] for i in theirs] == list(result.elected)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(profiles(max_candidates=7), st.integers(min_value=1, max_value=3))
def test_scottish_stv_winners_agree_with_pref_voting_when_no_tie_arises(
    ballot_file: BallotFile, seats: int
) -> None:
    assume(seats < len(ballot_file.candidates))
    result = count(ballot_file, method="stv-scottish", seats=seats)
    assume(not result.tie_breaks)
    theirs = stv_scottish(to_pref_voting(ballot_file), num_seats=seats, rng=random.Random(0))
    assert sorted(ballot_file.candidates[i] for i in theirs) == sorted(result.elected)


def test_the_random_profiles_are_mostly_tie_free() -> None:
    """Guard the filter above: most generated profiles must really be compared."""
    generator = random.Random(7)
    compared = 0
    for _ in range(200):
        size = generator.randint(2, 6)
        candidates = tuple(f"C{i}" for i in range(size))
        ballots = tuple(
            RawBallot(
                tuple((name,) for name in generator.sample(candidates, generator.randint(1, size))),
                generator.randint(1, 500),
            )
            for _ in range(generator.randint(1, 14))
        )
        result = count(BallotFile(candidates=candidates, ballots=ballots), method="irv")
        compared += not result.tie_breaks
    assert compared >= 150


@pytest.mark.parametrize("ward", edinburgh_wards(), ids=lambda path: path.name.split("_-_")[1])
def test_edinburgh_wards_agree_with_pref_voting_and_the_official_result(ward: object) -> None:
    assert hasattr(ward, "name")
    ballot_file = read_ballot_file(ward)  # type: ignore[arg-type]
    result = count(ballot_file, method="stv-scottish")
    profile, _report = build_profile(ballot_file)
    clean = BallotFile(
        candidates=profile.candidates,
        ballots=tuple(
            RawBallot(tuple((profile.candidates[i],) for i in ranking), weight)
            for ranking, weight in profile.as_tuples()
        ),
    )
    theirs = stv_scottish(to_pref_voting(clean), num_seats=result.seats, rng=random.Random(0))
    assert sorted(clean.candidates[i] for i in theirs) == sorted(result.elected)
    assert sorted(result.elected) == sorted(edinburgh_official_winners()[ward.name])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(profiles())
def test_irv_winner_agrees_with_pyrankvote_when_no_tie_arises(ballot_file: BallotFile) -> None:
    """A second, independent IRV: pyrankvote (ties there are broken at random; see above)."""
    result = count(ballot_file, method="irv")
    assume(not result.tie_breaks)
    people = {name: pyrankvote.Candidate(name) for name in ballot_file.candidates}
    ballots = [
        pyrankvote.Ballot(ranked_candidates=[people[names[0]] for names in ballot.marks])
        for ballot in ballot_file.ballots
        for _ in range(ballot.weight)
    ]
    theirs = pyrankvote.instant_runoff_voting(list(people.values()), ballots)
    assert [candidate.name for candidate in theirs.get_winners()] == list(result.elected)
