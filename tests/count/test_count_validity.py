"""Validity rules: what each policy does with each ballot problem, and what the report says."""

from __future__ import annotations

import pytest

from omov.count import (
    BallotFile,
    CountInputError,
    Policy,
    Problem,
    RawBallot,
    ValidityRules,
    build_profile,
    count,
)

CANDIDATES = ("Ada", "Ben", "Cy", "Dee")


def clean(*marks: tuple[str, ...], rules: ValidityRules, withdrawn: frozenset[str] = frozenset()):
    """Return the single clean ranking (names) for one ballot, or None if it is rejected."""
    ballot_file = BallotFile(
        candidates=CANDIDATES, ballots=(RawBallot(marks=marks, weight=3),), withdrawn=withdrawn
    )
    profile, report = build_profile(ballot_file, rules)
    rows = profile.as_tuples()
    if not rows:
        assert report.rejected == 3
        return None
    ((ranking, weight),) = rows
    assert weight == 3
    return tuple(profile.candidates[index] for index in ranking)


# (problem field, ballot marks, expected under exhaust, skip, reject)
CASES = [
    (
        "skipped_rank",
        (("Ada",), (), ("Ben",)),
        ("Ada",),
        ("Ada", "Ben"),
        None,
    ),
    (
        "duplicate",
        (("Ada",), ("Ben",), ("Ada",), ("Cy",)),
        ("Ada", "Ben"),
        ("Ada", "Ben", "Cy"),
        None,
    ),
    (
        "overvote",
        (("Ada",), ("Ben", "Cy"), ("Dee",)),
        ("Ada",),
        ("Ada", "Dee"),
        None,
    ),
    (
        "unknown_candidate",
        (("Ada",), ("Zed",), ("Ben",)),
        ("Ada",),
        ("Ada", "Ben"),
        None,
    ),
]


@pytest.mark.parametrize(("field", "marks", "exhaust", "skip", "reject"), CASES)
@pytest.mark.parametrize("policy", list(Policy))
def test_each_policy_for_each_problem(field, marks, exhaust, skip, reject, policy) -> None:
    rules = ValidityRules(**{field: policy})
    expected = {Policy.EXHAUST: exhaust, Policy.SKIP: skip, Policy.REJECT: reject}[policy]

    assert clean(*marks, rules=rules) == expected


def test_defaults_are_the_documented_ones() -> None:
    rules = ValidityRules()

    assert rules.as_dict() == {
        "skipped_rank": "skip",
        "duplicate": "skip",
        "overvote": "exhaust",
        "unknown_candidate": "reject",
        "max_skipped_ranks": "none",
        "max_rankings": "none",
    }


def test_overvote_at_the_first_rank_leaves_an_empty_ballot_which_is_rejected() -> None:
    assert clean(("Ada", "Ben"), ("Cy",), rules=ValidityRules()) is None


def test_a_ballot_with_no_marks_is_rejected_as_empty_whatever_the_rules() -> None:
    lenient = ValidityRules(
        skipped_rank=Policy.SKIP,
        duplicate=Policy.SKIP,
        overvote=Policy.SKIP,
        unknown_candidate=Policy.SKIP,
    )
    assert clean(rules=lenient) is None
    assert clean((), (), rules=lenient) is None
    assert clean(("Zed",), rules=lenient) is None


def test_trailing_blank_ranks_are_not_skipped_ranks() -> None:
    strict = ValidityRules(skipped_rank=Policy.REJECT)

    assert clean(("Ada",), ("Ben",), (), (), rules=strict) == ("Ada", "Ben")


def test_withdrawn_candidates_are_removed_from_ballots_and_the_candidate_list() -> None:
    ballot_file = BallotFile(
        candidates=CANDIDATES,
        ballots=(
            RawBallot(marks=(("Ben",), ("Ada",), ("Cy",)), weight=4),
            RawBallot(marks=(("Ada",), ("Cy",)), weight=1),
            RawBallot(marks=(("Ben",),), weight=2),
        ),
        withdrawn=frozenset({"Ben"}),
    )

    profile, report = build_profile(ballot_file)

    assert profile.candidates == ("Ada", "Cy", "Dee")
    assert profile.as_tuples() == [((0, 1), 5)]
    assert report.valid == 5
    assert report.rejected == 2
    assert report.withdrawn == ("Ben",)
    tallies = {tally.problem: tally for tally in report.problems}
    assert tallies[Problem.WITHDRAWN_CANDIDATE].ballots == 6
    assert tallies[Problem.EMPTY].rejected == 2


def test_report_counts_each_problem_and_attributes_each_rejection_once() -> None:
    rules = ValidityRules(unknown_candidate=Policy.REJECT, duplicate=Policy.SKIP)
    ballot_file = BallotFile(
        candidates=CANDIDATES,
        ballots=(
            RawBallot(marks=(("Ada",), ("Ada",), ("Zed",)), weight=2),  # duplicate, unknown
            RawBallot(marks=(("Ada",), ("Ben",), ("Ada",)), weight=5),  # duplicate only
            RawBallot(marks=(("Cy",),), weight=7),  # fine
        ),
    )

    _profile, report = build_profile(ballot_file, rules)

    assert report.valid == 12
    assert report.rejected == 2
    tallies = {tally.problem: tally for tally in report.problems}
    assert tallies[Problem.DUPLICATE].ballots == 7
    assert tallies[Problem.DUPLICATE].rejected == 0
    assert tallies[Problem.UNKNOWN_CANDIDATE].ballots == 2
    assert tallies[Problem.UNKNOWN_CANDIDATE].rejected == 2
    assert tallies[Problem.UNKNOWN_CANDIDATE].policy is Policy.REJECT
    assert "rejected" in tallies[Problem.UNKNOWN_CANDIDATE].reason
    assert sum(tally.rejected for tally in report.problems) == report.rejected


def test_ballots_that_become_identical_are_grouped() -> None:
    ballot_file = BallotFile(
        candidates=CANDIDATES,
        ballots=(
            RawBallot(marks=(("Ada",), (), ("Ben",)), weight=2),
            RawBallot(marks=(("Ada",), ("Ben",)), weight=3),
            RawBallot(marks=(("Ada",), ("Ben",)), weight=4),
        ),
    )

    profile, _ = build_profile(ballot_file)

    assert profile.as_tuples() == [((0, 1), 9)]


def test_rules_from_words_and_bad_words_name_the_field() -> None:
    assert ValidityRules.from_mapping({"overvote": "reject"}).overvote is Policy.REJECT
    with pytest.raises(CountInputError) as error:
        ValidityRules.from_mapping({"overvote": "ignore"})
    assert error.value.field == "overvote"
    with pytest.raises(CountInputError) as error:
        ValidityRules.from_mapping({"spoilt": "skip"})
    assert error.value.field == "spoilt"


def test_bad_candidate_lists_and_weights_are_clear_errors() -> None:
    with pytest.raises(CountInputError, match="more than once"):
        build_profile(BallotFile(candidates=("A", "A"), ballots=(), source="f.csv"))
    with pytest.raises(CountInputError, match="not in the candidate list"):
        build_profile(BallotFile(candidates=("A",), ballots=(), withdrawn=frozenset({"B"})))
    with pytest.raises(CountInputError, match="weight 0"):
        build_profile(BallotFile(candidates=("A",), ballots=(RawBallot((("A",),), 0),)))
    with pytest.raises(CountInputError, match="no standing candidate"):
        build_profile(BallotFile(candidates=("A",), ballots=(), withdrawn=frozenset({"A"})))


def test_the_count_reports_validity_in_its_json() -> None:
    ballot_file = BallotFile(
        candidates=("A", "B"),
        ballots=(RawBallot((("A",),), 3), RawBallot((("B", "A"),), 2), RawBallot((("B",),), 1)),
    )

    data = count(ballot_file, method="irv").to_json_dict()

    assert data["ballots"] == {"valid": 4, "rejected": 2}
    (problem,) = [item for item in data["validity"]["problems"] if item["problem"] == "overvote"]
    assert problem == {
        "problem": "overvote",
        "policy": "exhaust",
        "ballots": 2,
        "rejected": 0,
        "reason": problem["reason"],
    }
    assert data["validity"]["rules"]["overvote"] == "exhaust"
