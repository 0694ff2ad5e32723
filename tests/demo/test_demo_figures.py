"""The figures the demo reproduces: the published 2016 declaration, whole or scaled down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omov.demo.figures import FiguresError, demo_figures, load_published


def test_full_size_is_the_published_declaration(labour_2016: dict[str, Any]) -> None:
    figures = demo_figures(labour_2016, divisor=1)
    assert figures.is_full_size
    assert figures.issued_total == 654006
    assert figures.valid == 506438
    assert figures.spoilt_total == 1042
    assert figures.votes_by_candidate == {"Jeremy Corbyn": 313209, "Owen Smith": 193229}
    assert figures.votes == {
        "member": {"Jeremy Corbyn": 168216, "Owen Smith": 116960},
        "registered_supporter": {"Jeremy Corbyn": 84918, "Owen Smith": 36599},
        "affiliated_supporter": {"Jeremy Corbyn": 60075, "Owen Smith": 39670},
    }
    for category in figures.votes:
        assert figures.non_voters(category) >= 0
        assert figures.voted(category) + figures.non_voters(category) == (figures.issued[category])


def test_one_hundredth_rounds_each_figure_half_up(labour_2016: dict[str, Any]) -> None:
    figures = demo_figures(labour_2016, divisor=100)
    assert figures.votes == {
        "member": {"Jeremy Corbyn": 1682, "Owen Smith": 1170},
        "registered_supporter": {"Jeremy Corbyn": 849, "Owen Smith": 366},
        "affiliated_supporter": {"Jeremy Corbyn": 601, "Owen Smith": 397},
    }
    assert figures.issued_total == 6540
    assert figures.spoilt_total == 10
    assert figures.valid == 5065
    assert "1/100" in figures.describe_scale()


@pytest.mark.parametrize("divisor", [0, -1, 1001])
def test_a_scale_out_of_range_is_refused(labour_2016: dict[str, Any], divisor: int) -> None:
    with pytest.raises(FiguresError, match="scale"):
        demo_figures(labour_2016, divisor=divisor)


def test_a_broken_figures_file_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "labour-contests.json"
    path.write_text('{"contests": [\n  {"id": }\n]}')
    with pytest.raises(FiguresError, match=r"labour-contests.json, line 2"):
        load_published(path)


def test_a_figures_file_without_2016_says_so(tmp_path: Path) -> None:
    path = tmp_path / "labour-contests.json"
    path.write_text('{"contests": [{"id": "labour-leader-2015"}]}')
    with pytest.raises(FiguresError, match="labour-leader-2016"):
        load_published(path)


def test_a_missing_figures_file_says_which(tmp_path: Path) -> None:
    with pytest.raises(FiguresError, match=r"Cannot read .*nowhere\.json"):
        load_published(tmp_path / "nowhere.json")
