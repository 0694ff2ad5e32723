"""`omov demo` refuses, without writing anything, to build over what it did not build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from factories import ContestFactory
from omov.contests.models import Contest
from omov.demo.build import LEADERSHIP_SLUG, DemoError, demo_build


def test_a_stale_count_key_stops_a_fresh_build(
    db: Any, tmp_path: Path, labour_contests_path: Path
) -> None:
    keys = tmp_path / "demo" / "keys"
    keys.mkdir(parents=True)
    (keys / f"{LEADERSHIP_SLUG}.key").write_text("old key")
    with pytest.raises(DemoError, match="earlier demo"):
        demo_build(
            data_dir=tmp_path / "demo",
            divisor=100,
            figures_path=labour_contests_path,
        )
    assert not Contest.objects.exists()
    assert not get_user_model().objects.exists()


def test_a_contest_in_the_way_is_reported_not_overwritten(
    db: Any, tmp_path: Path, labour_contests_path: Path
) -> None:
    ContestFactory(slug=LEADERSHIP_SLUG, title="Someone else's contest")
    with pytest.raises(DemoError, match="did not finish"):
        demo_build(
            data_dir=tmp_path / "demo",
            divisor=100,
            figures_path=labour_contests_path,
        )
    assert Contest.objects.get(slug=LEADERSHIP_SLUG).title == "Someone else's contest"
    assert Contest.objects.count() == 1
    assert not get_user_model().objects.exists()
