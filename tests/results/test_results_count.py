"""The count service: decrypt, count, store the result; the BLT export recounts the same."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from results_fixtures import ClosedContest, closed_contest

from factories import ContestFactory
from omov.contests.models import ContestStatus
from omov.contests.services import contest_take_step
from omov.core.errors import Blocked, PermissionRefused, ServiceError
from omov.core.models import AuditEvent
from omov.count import count
from omov.count.formats.blt import read_blt
from omov.results.models import Result
from omov.results.services import result_count, result_declare


def test_count_stores_the_result_and_moves_the_contest_on(small_closed: ClosedContest) -> None:
    contest = small_closed.contest
    result = result_count(contest=contest, private_key_bytes=small_closed.key_text.encode())
    contest.refresh_from_db()
    assert contest.status == ContestStatus.COUNTED
    assert contest.counted_at is not None
    assert result.elected == ["Jeremy Corbyn"]
    assert result.valid == 18
    assert result.report["format"] == "omov.count/1"
    assert result.report["rounds"][0]["votes"] == {"Jeremy Corbyn": "11", "Owen Smith": "7"}
    assert result.spoilt == {"no_preference": 1}
    assert result.rejected == {}
    assert result.credentials_issued == 21
    assert result.issued_by_category == {
        "member": 12,
        "registered_supporter": 4,
        "affiliated_supporter": 5,
    }
    assert result.ballots_returned == 19
    assert result.categories["member"]["votes"] == {"Jeremy Corbyn": 6, "Owen Smith": 4}
    assert result.categories["registered_supporter"]["votes"] == {
        "Jeremy Corbyn": 3,
        "Owen Smith": 1,
    }
    assert result.categories["affiliated_supporter"]["votes"] == {
        "Jeremy Corbyn": 2,
        "Owen Smith": 2,
    }
    assert result.ballots_sha256 == hashlib.sha256(result.ballots_blt.encode()).hexdigest()
    event = AuditEvent.objects.get(action="results.count")
    assert event.data["ballots_sha256"] == result.ballots_sha256


def test_recounting_the_exported_ballots_gives_the_stored_result(
    small_closed: ClosedContest,
) -> None:
    contest = small_closed.contest
    result = result_count(contest=contest, private_key_bytes=small_closed.private_key)
    recount = count(
        read_blt(result.ballots_blt, source=f"{contest.slug}.blt"),
        method=result.method,
        seed=contest.tie_break_seed,
    )
    assert recount.to_json_dict() == result.report
    assert recount.to_csv() == result.rounds_csv


def test_exported_ballots_are_grouped_without_identifiers(small_closed: ClosedContest) -> None:
    result = result_count(
        contest=small_closed.contest, private_key_bytes=small_closed.key_text.encode()
    )
    ballot_lines = result.ballots_blt.splitlines()[1:-4]
    # Every third voter of each category and candidate also ranks the other candidate.
    assert ballot_lines == ["8 1 0", "3 1 2 0", "6 2 0", "1 2 1 0"]
    assert "receipt" not in result.ballots_blt.lower()


def _three_way_rankings() -> dict[tuple[str, tuple[str, ...]], int]:
    return {
        ("member", ("Ada",)): 5,
        ("member", ("Cy", "Ben")): 2,
        ("member", ("Cy",)): 2,
        ("registered_supporter", ("Ben",)): 3,
        ("registered_supporter", ("Cy", "Ada")): 2,
        ("affiliated_supporter", ("Ben", "Ada")): 1,
        ("affiliated_supporter", ("Cy", "Ben", "Ada")): 1,
    }


def test_category_breakdown_follows_the_exclusions_to_the_final_round(db: Any) -> None:
    closed = closed_contest(
        votes_by_category={},
        rankings=_three_way_rankings(),
        candidates=("Ada", "Ben", "Cy"),
        slug="three-way",
    )
    result = result_count(contest=closed.contest, private_key_bytes=closed.private_key)
    rounds = result.report["rounds"]
    assert rounds[0]["votes"] == {"Ada": "5", "Ben": "4", "Cy": "7"}
    assert rounds[1]["excluded"] == ["Ben"]
    assert rounds[1]["votes"] == {"Ada": "6", "Ben": "0", "Cy": "7"}
    assert result.elected == ["Cy"]
    assert result.category_basis == "final round"
    assert result.categories == {
        "member": {
            "votes": {"Ada": 5, "Ben": 0, "Cy": 4},
            "exhausted": 0,
            "valid": 9,
            "rejected": 0,
        },
        "registered_supporter": {
            "votes": {"Ada": 0, "Ben": 0, "Cy": 2},
            "exhausted": 3,
            "valid": 5,
            "rejected": 0,
        },
        "affiliated_supporter": {
            "votes": {"Ada": 1, "Ben": 0, "Cy": 1},
            "exhausted": 0,
            "valid": 2,
            "rejected": 0,
        },
    }
    final = rounds[-1]
    for name in ("Ada", "Ben", "Cy"):
        assert sum(item["votes"][name] for item in result.categories.values()) == int(
            Decimal(final["votes"][name])
        )
    assert sum(item["exhausted"] for item in result.categories.values()) == int(
        Decimal(final["exhausted"])
    )


def test_a_wrong_key_is_refused_and_nothing_is_written(small_closed: ClosedContest) -> None:
    from omov.ballots import crypto

    other_key, _ = crypto.count_key_generate()
    contest = small_closed.contest
    for wrong in (other_key, crypto.count_key_text(other_key, contest.slug).encode(), b"junk"):
        with pytest.raises(ServiceError, match="does not open this contest's ballots"):
            result_count(contest=contest, private_key_bytes=wrong)
    with pytest.raises(ServiceError, match="needs the ballot key file"):
        result_count(contest=contest, private_key_bytes=None)
    contest.refresh_from_db()
    assert contest.status == ContestStatus.CLOSED
    assert contest.counted_at is None
    assert not Result.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="results.").exists()


def test_count_is_refused_before_close_and_after_count(small_closed: ClosedContest) -> None:
    contest = small_closed.contest
    result_count(contest=contest, private_key_bytes=small_closed.private_key)
    with pytest.raises(Blocked, match="count the votes"):
        result_count(contest=contest, private_key_bytes=small_closed.private_key)
    assert Result.objects.count() == 1


def test_only_the_returning_officer_counts_and_declares(
    small_closed: ClosedContest, people: dict[str, Any]
) -> None:
    contest = small_closed.contest
    with pytest.raises(PermissionRefused):
        result_count(
            contest=contest,
            actor=people["scrutineer"],
            private_key_bytes=small_closed.private_key,
        )
    result_count(
        contest=contest,
        actor=people["returning_officer"],
        private_key_bytes=small_closed.private_key,
    )
    with pytest.raises(PermissionRefused):
        result_declare(contest=contest, actor=people["scrutineer"])
    result_declare(contest=contest, actor=people["returning_officer"])
    contest.refresh_from_db()
    assert contest.status == ContestStatus.DECLARED
    assert AuditEvent.objects.filter(action="results.declare").count() == 1


def test_declare_needs_a_count(small_closed: ClosedContest) -> None:
    with pytest.raises(ServiceError):
        result_declare(contest=small_closed.contest)
    small_closed.contest.refresh_from_db()
    assert small_closed.contest.status == ContestStatus.CLOSED


def test_count_and_declare_are_the_lifecycle_step_services(small_closed: ClosedContest) -> None:
    contest = small_closed.contest
    with pytest.raises(ServiceError, match="count page"):
        contest_take_step(contest=contest, step="count")
    contest_take_step(contest=contest, step="count", private_key_bytes=small_closed.private_key)
    contest_take_step(contest=contest, step="declare")
    contest.refresh_from_db()
    assert contest.status == ContestStatus.DECLARED
    assert Result.objects.get(contest=contest).elected == ["Jeremy Corbyn"]


def test_an_stv_breakdown_is_of_first_preferences(db: Any) -> None:
    closed = closed_contest(
        votes_by_category={},
        rankings=_three_way_rankings(),
        candidates=("Ada", "Ben", "Cy"),
        slug="three-way-stv",
        method="stv-scottish",
        seats=2,
    )
    result = result_count(contest=closed.contest, private_key_bytes=closed.private_key)
    assert result.category_basis == "first preferences"
    first = result.report["rounds"][0]["votes"]
    for name in ("Ada", "Ben", "Cy"):
        assert sum(item["votes"][name] for item in result.categories.values()) == int(
            Decimal(first[name])
        )
    assert result.categories["member"]["votes"] == {"Ada": 5, "Ben": 0, "Cy": 4}
    assert len(result.elected) == 2


def test_demo_votes_need_enough_voters_on_the_roll(db: Any) -> None:
    from results_fixtures import roll_create

    from factories import CandidateFactory, ContestFactory
    from omov.demo.ballots import votes_for_roll

    contest = ContestFactory(slug="tiny")
    CandidateFactory(contest=contest, name="Ada", ballot_position=1)
    CandidateFactory(contest=contest, name="Ben", ballot_position=2)
    roll_create(contest, {"member": 3})
    votes = votes_for_roll(
        contest, {"members": {"Ada": 1, "Ben": 1}}, spoilt_by_category={"members": 1}
    )
    assert sorted(ranking or () for _, ranking in votes) == [(), ("Ada",), ("Ben",)]
    assert len({entry for entry, _ in votes}) == 3
    with pytest.raises(ValueError, match="3 eligible member voters but 4 ballots"):
        votes_for_roll(contest, {"members": {"Ada": 3}}, spoilt_by_category={"members": 1})


def test_an_anonymous_actor_may_neither_count_nor_declare(db: Any) -> None:
    contest = ContestFactory(slug="anonymous-count", status=ContestStatus.CLOSED)
    with pytest.raises(PermissionRefused):
        result_count(contest=contest, actor=AnonymousUser(), private_key_bytes=b"x")
    with pytest.raises(PermissionRefused):
        result_declare(contest=contest, actor=AnonymousUser())
