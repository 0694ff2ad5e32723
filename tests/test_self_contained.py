"""Nothing omov or its tests read may sit beside the checkout (a fresh clone has nothing there)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from checkout_guard import READS_BESIDE_THE_CHECKOUT

REPOSITORY = Path(__file__).resolve().parents[1]


def test_reading_a_file_beside_the_checkout_is_refused() -> None:
    beside = REPOSITORY.parent / "shared" / "data" / "labour-contests.json"
    with pytest.raises(PermissionError, match="beside the checkout"):
        beside.open(encoding="utf-8")
    assert [beside] == READS_BESIDE_THE_CHECKOUT
    READS_BESIDE_THE_CHECKOUT.clear()


def test_a_swallowed_refusal_is_still_recorded() -> None:
    # Some callers (pathlib's glob) swallow PermissionError; the record catches it all the same.
    # The hook runs before the operating system is asked, so the folder need not exist.
    beside = REPOSITORY.parent / "shared"
    with contextlib.suppress(PermissionError):
        os.scandir(beside)
    assert [beside] == READS_BESIDE_THE_CHECKOUT
    READS_BESIDE_THE_CHECKOUT.clear()


def test_the_packaged_figures_and_test_data_are_inside_the_repository() -> None:
    from omov.demo.figures import published_figures_path

    assert published_figures_path().is_relative_to(REPOSITORY)
    edinburgh = REPOSITORY / "tests" / "data" / "edinburgh-2017"
    assert len(list(edinburgh.glob("ward_*.blt"))) == 17
    assert (edinburgh / "official-winners.json").is_file()


def test_no_source_file_names_the_hand_over_folder() -> None:
    offenders = [
        str(path.relative_to(REPOSITORY))
        for root in ("src", "tests", "bench", "scripts")
        for path in (REPOSITORY / root).rglob("*.py")
        if "shared/data" in path.read_text(encoding="utf-8") and path.name != Path(__file__).name
    ]
    assert offenders == []
