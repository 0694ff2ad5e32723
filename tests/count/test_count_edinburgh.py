"""The 17 wards of the City of Edinburgh Council election, 4 May 2017, counted from the published
preference profiles: Scottish STV must elect exactly the councillors officially declared."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from count_formats_support import edinburgh_official_winners, edinburgh_wards

from omov.count import CountResult, count
from omov.count.formats.blt import read_blt

WARDS = edinburgh_wards()


def _assert_conserved(result: CountResult) -> None:
    valid = Decimal(result.validity.valid)
    for item in result.rounds:
        assert sum(item.votes.values()) + item.exhausted + item.rounding_loss == valid, item.number


@pytest.mark.parametrize("path", WARDS, ids=[path.name.split("_-_")[1] for path in WARDS])
def test_scottish_stv_elects_the_official_councillors(path: Path) -> None:
    official = edinburgh_official_winners()[path.name]
    ballots = read_blt(path)

    result = count(ballots, method="stv-scottish")

    assert set(result.elected) == set(official)
    assert len(result.elected) == ballots.seats
    _assert_conserved(result)
    quota = result.rounds[0].quota
    assert quota == Decimal(result.validity.valid // (result.seats + 1) + 1)
    for item in result.rounds:
        for name, value in item.votes.items():
            assert value == value.quantize(Decimal("0.00001")), (name, value)


@pytest.mark.parametrize("path", WARDS, ids=[path.name.split("_-_")[1] for path in WARDS])
def test_meek_fills_every_seat_and_conserves_votes(path: Path) -> None:
    ballots = read_blt(path)

    result = count(ballots, method="stv-meek")

    assert len(result.elected) == ballots.seats
    assert len(set(result.elected)) == ballots.seats
    _assert_conserved(result)
    last = result.rounds[-1]
    assert last.keep_values is not None
    for name in result.elected:
        assert Decimal(0) < last.keep_values[name] <= Decimal(1)


def test_ward_1_names_keep_their_double_spaces() -> None:
    ballots = read_blt(next(path for path in WARDS if path.name.startswith("ward_1_-")))

    assert "Kevin  LANG" in ballots.candidates
    assert "Iain  MCKINNON-WADDELL" in ballots.candidates
    assert ballots.title == "Ward 1 - Almond"
    assert ballots.seats == 4


def test_the_official_winners_cover_all_17_wards() -> None:
    assert set(edinburgh_official_winners()) == {path.name for path in WARDS}
