"""The declaration's charts never clip a label or figure, at the 2016 contest's full size.

The chart is laid out by `results.charts.chart` and drawn by `results/_chart.html`; here the
real template is rendered with the published 2016 figures (313,209 and 193,229 votes; the longest
category and candidate names) and Chromium measures every text box against the SVG's view box.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string

from omov.results.charts import chart as _chart

FULL_SIZE = [
    ("Jeremy Corbyn", Decimal(313209), "61.8"),
    ("Owen Smith", Decimal(193229), "38.2"),
]
LONG_NAMES = [
    ("Registered supporters", Decimal(121517), "24.0"),
    ("A candidate with a very long name indeed", Decimal(-99999), ""),
    ("Affiliated supporters", Decimal(99745), "19.7"),
]


def _clipped(browser: Any, chart: Any) -> list[str]:
    page = browser.new_page()
    try:
        page.set_content(
            "<!doctype html><html><body>"
            + render_to_string("results/_chart.html", {"chart": chart})
            + "</body></html>"
        )
        return list(
            page.evaluate(
                """() => {
                const svg = document.querySelector('svg');
                const box = svg.viewBox.baseVal;
                const out = [];
                for (const text of svg.querySelectorAll('text')) {
                    const b = text.getBBox();
                    if (b.x < box.x || b.y < box.y || b.x + b.width > box.x + box.width
                        || b.y + b.height > box.y + box.height) {
                        out.push(text.textContent + ' ' + JSON.stringify(
                            [b.x, b.y, b.width, b.height, box.width, box.height]));
                    }
                }
                return out;
            }"""
            )
        )
    finally:
        page.close()


def test_no_text_leaves_the_view_box_at_full_size(browser: Any, db: Any) -> None:
    chart = _chart("votes", "Votes", "The 2016 result at full size.", FULL_SIZE)
    assert _clipped(browser, chart) == []


def test_no_text_leaves_the_view_box_with_long_names_and_losses(browser: Any, db: Any) -> None:
    chart = _chart("categories", "By category", "Long labels and a loss.", LONG_NAMES)
    assert _clipped(browser, chart) == []
