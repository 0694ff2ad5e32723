"""RCTab-style rules: skipped-rank and ranking limits, several files, continue until two remain.

Hand-worked examples first (docs/decisions/0009-rctab-style-rules.md), then Hypothesis
properties: votes are conserved every round under any rules, and a rule that exhausts ballots
never increases any candidate's total.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omov.cli.main import main
from omov.count import (
    BallotFile,
    CountInputError,
    Policy,
    Problem,
    RawBallot,
    ValidityRules,
    build_profile,
    combine_ballot_files,
    count,
)
from omov.count.profile import Profile

CANDIDATES = ("Ada", "Ben", "Cy", "Dee")
A, B, C, D, SKIP = ("Ada",), ("Ben",), ("Cy",), ("Dee",), ()


def clean(*marks: tuple[str, ...], rules: ValidityRules) -> tuple[str, ...] | None:
    """Return the clean ranking of one ballot under ``rules``, or None if it is rejected."""
    profile, _report = build_profile(
        BallotFile(candidates=CANDIDATES, ballots=(RawBallot(marks, 1),)), rules
    )
    rows = profile.as_tuples()
    return tuple(profile.candidates[i] for i in rows[0][0]) if rows else None


MAINE = ValidityRules(max_skipped_ranks=1)


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        ((A, SKIP, B), ("Ada", "Ben")),  # one skipped rank is passed over
        ((A, SKIP, SKIP, B), ("Ada",)),  # two in a row exhaust the ballot there
        ((A, SKIP, B, SKIP, C), ("Ada", "Ben", "Cy")),  # two separate single skips: both passed
        ((A, SKIP, B, SKIP, SKIP, C), ("Ada", "Ben")),
        ((SKIP, A, B), ("Ada", "Ben")),  # a skipped first rank is a skipped rank too
        ((SKIP, SKIP, A), None),  # exhausted before any preference: no valid preference, rejected
        ((A, B, SKIP, SKIP), ("Ada", "Ben")),  # blank ranks at the end are no skip at all
        ((A, ("Zed",), SKIP, B), ("Ada",)),  # an unknown name is not a blank: default rejects
    ],
)
def test_maine_one_skipped_rank_is_passed_over_two_in_a_row_exhaust(
    marks: tuple[tuple[str, ...], ...], expected: tuple[str, ...] | None
) -> None:
    rules = (
        MAINE
        if ("Zed",) not in marks
        else ValidityRules(max_skipped_ranks=1, unknown_candidate=Policy.EXHAUST)
    )
    assert clean(*marks, rules=rules) == expected


def test_no_skipped_rank_allowed_exhausts_at_the_first_blank() -> None:
    rules = ValidityRules(max_skipped_ranks=0)
    assert clean(A, SKIP, B, rules=rules) == ("Ada",)
    assert clean(SKIP, A, rules=rules) is None


def test_the_skipped_rank_policy_comes_first() -> None:
    # Exhaust at any blank, whatever the limit; reject the whole ballot, whatever the limit.
    assert clean(
        A, SKIP, B, rules=ValidityRules(skipped_rank=Policy.EXHAUST, max_skipped_ranks=3)
    ) == ("Ada",)
    assert (
        clean(A, SKIP, B, rules=ValidityRules(skipped_rank=Policy.REJECT, max_skipped_ranks=3))
        is None
    )


def test_the_report_counts_ballots_exhausted_by_the_limit() -> None:
    ballots = BallotFile(
        candidates=CANDIDATES,
        ballots=(
            RawBallot((A, SKIP, SKIP, B), 4),
            RawBallot((A, SKIP, B), 2),
            RawBallot((B,), 1),
        ),
    )
    _profile, report = build_profile(ballots, MAINE)
    tallies = {tally.problem: tally for tally in report.problems}
    assert tallies[Problem.SKIPPED_RANK].ballots == 6
    limit = tallies[Problem.SKIPPED_RANKS_PAST_LIMIT]
    assert (limit.ballots, limit.rejected, limit.policy) == (4, 0, Policy.EXHAUST)
    assert "max_skipped_ranks" in limit.reason


def test_a_skipped_rank_limit_decides_an_irv_count_worked_by_hand() -> None:
    # 6 Ada; 4 Ben; 1 Cy,-,Ben; 2 Cy,-,-,Ben. Round 1: Ada 6, Ben 4, Cy 3; Cy is excluded.
    # No limit: all 3 of Cy's ballots skip to Ben, who wins 7 to 6.
    # Maine (max 1): 1 goes to Ben, 2 exhaust; Ada has 6 of 11 continuing votes and wins.
    ballots = BallotFile(
        candidates=("Ada", "Ben", "Cy"),
        ballots=(
            RawBallot((A,), 6),
            RawBallot((B,), 4),
            RawBallot((C, SKIP, B), 1),
            RawBallot((C, SKIP, SKIP, B), 2),
        ),
    )
    assert count(ballots).elected == ("Ben",)
    maine = count(ballots, rules=MAINE)
    assert maine.elected == ("Ada",)
    last = maine.rounds[-1]
    assert (last.votes["Ada"], last.votes["Ben"], last.exhausted) == (6, 5, 2)
    assert "max_skipped_ranks=1" in maine.options["rules"]


@pytest.mark.parametrize(
    ("marks", "most", "expected"),
    [
        ((A, B, C, D), 2, ("Ada", "Ben")),
        ((A, B), 2, ("Ada", "Ben")),
        ((A, SKIP, B), 2, ("Ada",)),  # the skip is read, the rank past it is not
        ((SKIP, SKIP, A), 2, None),  # nothing read but blanks: rejected as empty
        ((A, ("Ben", "Cy"), D), 1, ("Ada",)),  # the overvote past the limit is never seen
    ],
)
def test_ranks_past_the_most_read_are_ignored(
    marks: tuple[tuple[str, ...], ...], most: int, expected: tuple[str, ...] | None
) -> None:
    assert clean(*marks, rules=ValidityRules(max_rankings=most)) == expected


def test_limits_are_checked_and_read_from_words() -> None:
    assert ValidityRules.from_mapping({"max_skipped_ranks": "1"}).max_skipped_ranks == 1
    assert ValidityRules.from_mapping({"max_rankings": "none"}).max_rankings is None
    with pytest.raises(CountInputError) as error:
        ValidityRules(max_rankings=0)
    assert error.value.field == "max_rankings"
    with pytest.raises(CountInputError):
        ValidityRules.from_mapping({"max_skipped_ranks": "two"})


def test_continue_until_two_remain_reports_the_final_pair_and_keeps_the_winner() -> None:
    # Ada 7 of 13 is a majority in round 1. Continuing: Dee (1) goes, her ballot to Ben (4);
    # then Cy (2) goes, both to Ben (6). Ada 7, Ben 6: two remain and Ada is elected.
    ballots = BallotFile(
        candidates=("Ada", "Ben", "Cy", "Dee"),
        ballots=(
            RawBallot((A,), 7),
            RawBallot((B,), 3),
            RawBallot((C, B), 2),
            RawBallot((D, B), 1),
        ),
    )
    plain = count(ballots)
    assert (plain.elected, len(plain.rounds)) == (("Ada",), 1)
    result = count(ballots, continue_until_two=True)
    assert result.elected == ("Ada",)
    assert [item.excluded for item in result.rounds] == [(), ("Dee",), ("Cy",)]
    assert [item.elected for item in result.rounds] == [(), (), ("Ada",)]
    final = result.rounds[-1]
    assert (final.votes["Ada"], final.votes["Ben"]) == (7, 6)
    assert "continues until two candidates remain" in result.rounds[0].reason
    assert "since round 1" in final.reason
    with pytest.raises(CountInputError, match="only to IRV"):
        count(ballots, method="stv-scottish", continue_until_two=True)


def test_several_files_are_one_contest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = "# candidates: Ada, Ben, Cy\n"
    # Ada 1, Ben 2, Cy 3; Ada's ballot goes to Ben (3 each); Ben was behind in round 1 and goes.
    (tmp_path / "a.csv").write_text(header + "Ada,Ben\nBen\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text(header + "Ben\nCy\nCy\nCy\n", encoding="utf-8")
    (tmp_path / "all.csv").write_text(header + "Ada,Ben\nBen\nBen\nCy\nCy\nCy\n", encoding="utf-8")
    assert main(["count", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]) == 0
    together = capsys.readouterr().out
    assert main(["count", str(tmp_path / "all.csv")]) == 0
    single = capsys.readouterr().out
    assert together.splitlines()[-1] == single.splitlines()[-1] == "Elected: Cy"
    table = lambda out: [line for line in out.splitlines() if line.startswith(("Ada", "Ben", "Cy"))]  # noqa: E731
    assert table(together) == table(single)
    assert "Note: The ballots of 2 files were counted as one contest." in together


def test_files_of_different_contests_are_refused_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.csv").write_text("# candidates: Ada, Ben\nAda\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("# candidates: Ada, Cy\nCy\n", encoding="utf-8")
    assert main(["count", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"omov: {tmp_path / 'b.csv'}: This file does not describe the same")
    assert "its candidates are Ada, Cy, not Ada, Ben" in err


def test_combining_groups_identical_ballots_across_files() -> None:
    first = BallotFile(
        candidates=("Ada", "Ben"), ballots=(RawBallot((A,), 2),), seats=1, source="1"
    )
    second = BallotFile(
        candidates=("Ada", "Ben"), ballots=(RawBallot((A,), 3), RawBallot((B,), 1)), source="2"
    )
    combined = combine_ballot_files([first, second])
    assert dict((ballot.marks, ballot.weight) for ballot in combined.ballots) == {(A,): 5, (B,): 1}
    assert (combined.seats, combined.source) == (1, "1 + 2")
    with pytest.raises(CountInputError, match="seats"):
        combine_ballot_files([first, BallotFile(candidates=("Ada", "Ben"), ballots=(), seats=2)])


def test_the_command_takes_the_rctab_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "maine.csv"
    path.write_text(
        "# candidates: Ada, Ben, Cy\n" + "Ada\n" * 6 + "Ben\n" * 4 + "Cy,,Ben\n" + "Cy,,,Ben\n" * 2,
        encoding="utf-8",
    )
    assert main(["count", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Elected: Ben"
    assert main(["count", str(path), "--max-skipped-ranks", "1"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "Elected: Ada"
    assert "skipped_ranks_past_limit: 2 ballots" in out
    assert main(["count", str(path), "--max-rankings", "1", "--continue-until-two"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Elected: Ada"


# -- properties -------------------------------------------------------------------------------

NAMES = (*CANDIDATES, "Zed")
marks = st.one_of(
    st.just(()),
    st.sampled_from(NAMES).map(lambda name: (name,)),
    st.lists(st.sampled_from(NAMES), min_size=2, max_size=2).map(tuple),
)
messy_ballots = st.lists(
    st.builds(RawBallot, marks=st.lists(marks, max_size=7).map(tuple), weight=st.integers(1, 30)),
    min_size=1,
    max_size=20,
)
not_rejecting = st.sampled_from([Policy.SKIP, Policy.EXHAUST])
lenient_rules = st.builds(
    ValidityRules,
    skipped_rank=not_rejecting,
    duplicate=not_rejecting,
    overvote=not_rejecting,
    unknown_candidate=not_rejecting,
)
any_rules = st.builds(
    ValidityRules,
    skipped_rank=st.sampled_from(Policy),
    duplicate=st.sampled_from(Policy),
    overvote=st.sampled_from(Policy),
    unknown_candidate=st.sampled_from(Policy),
    max_skipped_ranks=st.none() | st.integers(0, 3),
    max_rankings=st.none() | st.integers(1, 5),
)


def tallies(profile: Profile, continuing: frozenset[str]) -> dict[str, int]:
    """Return each continuing candidate's votes: ballots whose first continuing choice they are."""
    votes = dict.fromkeys(continuing, 0)
    for ranking, weight in profile.as_tuples():
        names = [profile.candidates[index] for index in ranking]
        first = next((name for name in names if name in continuing), None)
        if first is not None:
            votes[first] += weight
    return votes


@settings(max_examples=200, deadline=None)
@given(
    messy_ballots,
    lenient_rules,
    st.integers(0, 3),
    st.integers(1, 5),
    st.sets(st.sampled_from(CANDIDATES), min_size=1),
)
def test_a_rule_that_exhausts_never_increases_a_candidates_total(
    ballots: list[RawBallot],
    rules: ValidityRules,
    most_skipped: int,
    most_read: int,
    continuing: set[str],
) -> None:
    # Without a rejecting policy, each limit only cuts each ballot's ranking short, so for
    # any set of continuing candidates (any round of any count) no total can grow.
    ballot_file = BallotFile(candidates=CANDIDATES, ballots=tuple(ballots))
    base = tallies(build_profile(ballot_file, rules)[0], frozenset(continuing))
    for limited in (
        ValidityRules(**{**_policies(rules), "max_skipped_ranks": most_skipped}),
        ValidityRules(**{**_policies(rules), "max_rankings": most_read}),
    ):
        cut = tallies(build_profile(ballot_file, limited)[0], frozenset(continuing))
        assert all(cut[name] <= base[name] for name in continuing), (limited, cut, base)


def _policies(rules: ValidityRules) -> dict[str, Policy]:
    return {
        "skipped_rank": rules.skipped_rank,
        "duplicate": rules.duplicate,
        "overvote": rules.overvote,
        "unknown_candidate": rules.unknown_candidate,
    }


@settings(max_examples=150, deadline=None)
@given(
    messy_ballots,
    any_rules,
    st.sampled_from(["irv", "stv-scottish", "stv-meek", "plurality"]),
    st.booleans(),
)
def test_votes_are_conserved_in_every_round_under_any_rules(
    ballots: list[RawBallot], rules: ValidityRules, method: str, until_two: bool
) -> None:
    ballot_file = BallotFile(candidates=CANDIDATES, ballots=tuple(ballots), seats=2)
    profile, report = build_profile(ballot_file, rules)
    assert report.valid + report.rejected == sum(ballot.weight for ballot in ballots)
    if profile.total == 0:
        return
    seats = 1 if method == "irv" else 2
    result = count(
        ballot_file,
        method=method,
        seats=seats,
        rules=rules,
        continue_until_two=until_two and method == "irv",
    )
    for item in result.rounds:
        assert sum(item.votes.values()) + item.exhausted + item.rounding_loss == report.valid
