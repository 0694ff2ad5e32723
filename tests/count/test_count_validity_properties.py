"""Validity rules on random messy ballots (Hypothesis): nothing lost, nothing invented."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from omov.count import BallotFile, Policy, RawBallot, ValidityRules, build_profile

CANDIDATES = ("Ada", "Ben", "Cy", "Dee")
NAMES = (*CANDIDATES, "Zed")  # Zed is not standing

marks = st.lists(st.sampled_from(NAMES), min_size=0, max_size=3).map(tuple)
messy_ballots = st.lists(
    st.builds(
        RawBallot,
        marks=st.lists(marks, max_size=6).map(tuple),
        weight=st.integers(min_value=1, max_value=50),
    ),
    max_size=25,
)
rules = st.builds(
    ValidityRules,
    skipped_rank=st.sampled_from(Policy),
    duplicate=st.sampled_from(Policy),
    overvote=st.sampled_from(Policy),
    unknown_candidate=st.sampled_from(Policy),
)


@settings(max_examples=300, deadline=None)
@given(messy_ballots, rules, st.sets(st.sampled_from(CANDIDATES), max_size=2))
def test_every_ballot_is_either_valid_or_rejected_and_rankings_are_strict(
    ballots: list[RawBallot], chosen_rules: ValidityRules, withdrawn: set[str]
) -> None:
    ballot_file = BallotFile(
        candidates=CANDIDATES, ballots=tuple(ballots), withdrawn=frozenset(withdrawn)
    )

    profile, report = build_profile(ballot_file, chosen_rules)

    assert report.valid + report.rejected == sum(ballot.weight for ballot in ballots)
    assert profile.total == report.valid
    assert sum(tally.rejected for tally in report.problems) == report.rejected
    assert set(profile.candidates) == set(CANDIDATES) - withdrawn
    seen_rankings = set()
    for ranking, weight in profile.as_tuples():
        assert weight >= 1
        assert ranking, "an empty ranking must have been rejected"
        assert len(set(ranking)) == len(ranking)
        assert all(0 <= index < len(profile.candidates) for index in ranking)
        assert ranking not in seen_rankings, "identical rankings must be grouped"
        seen_rankings.add(ranking)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.permutations(CANDIDATES).flatmap(
                lambda order: st.integers(1, len(order)).map(lambda n, o=order: o[:n])
            ),
            st.integers(min_value=1, max_value=50),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_plain_ballots_read_the_same_by_the_fast_and_the_careful_path(groups) -> None:
    # Trailing blank ranks are not a problem, but they send a ballot down the careful,
    # mark-by-mark path: both paths must give the same profile.
    plain = BallotFile(
        candidates=CANDIDATES,
        ballots=tuple(RawBallot(tuple((name,) for name in order), w) for order, w in groups),
    )
    padded = BallotFile(
        candidates=CANDIDATES,
        ballots=tuple(RawBallot((*((name,) for name in order), ()), w) for order, w in groups),
    )

    fast, fast_report = build_profile(plain)
    careful, careful_report = build_profile(padded)

    assert fast.as_tuples() == careful.as_tuples()
    assert fast_report.rejected == careful_report.rejected == 0
    assert fast_report.problems == careful_report.problems == ()


@settings(max_examples=200, deadline=None)
@given(messy_ballots)
def test_when_every_policy_skips_only_empty_ballots_are_rejected(
    ballots: list[RawBallot],
) -> None:
    lenient = ValidityRules(
        skipped_rank=Policy.SKIP,
        duplicate=Policy.SKIP,
        overvote=Policy.SKIP,
        unknown_candidate=Policy.SKIP,
    )

    _, report = build_profile(BallotFile(candidates=CANDIDATES, ballots=tuple(ballots)), lenient)

    # A rank naming one standing candidate (perhaps written twice) is a usable preference.
    expected_empty = sum(
        ballot.weight
        for ballot in ballots
        if not any(len(set(mark)) == 1 and mark[0] in CANDIDATES for mark in ballot.marks)
    )
    assert report.rejected == expected_empty
