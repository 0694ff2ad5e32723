"""The declaration's bar charts: their geometry, drawn as SVG by ``results/_chart.html``.

Kept apart from the declaration's figures (``selectors``): a chart only lays out bars for
labels and values it is given, sized so that no label or figure is clipped at any scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

#: Geometry of the server-rendered bar charts (SVG user units).
CHART_WIDTH = 640
CHART_LABEL_WIDTH = 190
CHART_BAR_AREA = 330
CHART_ROW_HEIGHT = 34
CHART_BAR_HEIGHT = 22
#: Room allowed per character of chart text (font-size 15): wider than any digit or most letters
#: of a sans-serif font, so estimated text boxes are never smaller than drawn ones.
CHART_CHARACTER = 9


def votes_text(value: Decimal | int) -> str:
    """Return a vote total with thousands separators, keeping any decimal places exactly."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    whole, _, fraction = f"{number:f}".partition(".")
    return f"{int(whole):,}.{fraction}"


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, value text and geometry."""

    label: str
    value: str
    percent: str
    y: int
    width: int
    text_y: int
    value_x: int
    is_loss: bool = False
    x: int = CHART_LABEL_WIDTH


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart, drawn as SVG by the template, with its accessible title."""

    chart_id: str
    title: str
    description: str
    bars: tuple[Bar, ...]
    height: int
    width: int = CHART_WIDTH


def chart(
    chart_id: str, title: str, description: str, items: list[tuple[str, Decimal, str]]
) -> Chart:
    """Lay out bars for (label, value, percent) items; negative values are drawn as losses.

    The label column and the room right of the longest bar are sized from the longest texts
    (at a generous width per character), so no label or figure is clipped by the view box at
    any scale ("313,209 (61.8%)" at full size); the view box grows rather than the text.
    """
    largest = max((abs(value) for _, value, _ in items), default=Decimal(0)) or Decimal(1)
    texts = []
    for label, value, share in items:
        sign = "+" if value > 0 and share == "" else ""
        value_text = f"{sign}{votes_text(value)}" + (f" ({share}%)" if share else "")
        texts.append((chart_label(label), f"{sign}{votes_text(value)}", value_text))
    label_width = max(
        [CHART_LABEL_WIDTH, *(len(label) * CHART_CHARACTER + 16 for label, _, _ in texts)]
    )
    value_width = max([0, *(len(text) * CHART_CHARACTER for _, _, text in texts)])
    bars = []
    for row, ((_label, value, share), (shown, value_shown, _)) in enumerate(
        zip(items, texts, strict=True)
    ):
        width = int((abs(value) * CHART_BAR_AREA / largest).to_integral_value(ROUND_HALF_UP))
        y = 8 + row * CHART_ROW_HEIGHT
        bars.append(
            Bar(
                label=shown,
                value=value_shown,
                percent=share,
                y=y,
                width=max(width, 1) if value else 0,
                text_y=y + CHART_BAR_HEIGHT - 6,
                value_x=label_width + width + 8,
                is_loss=value < 0,
                x=label_width,
            )
        )
    return Chart(
        chart_id=chart_id,
        title=title,
        description=description,
        bars=tuple(bars),
        height=16 + len(items) * CHART_ROW_HEIGHT,
        width=max(CHART_WIDTH, label_width + CHART_BAR_AREA + 8 + value_width + 8),
    )


def chart_label(label: str) -> str:
    """Return a bar's label as the chart shows it: at most 24 characters, with an ellipsis."""
    return label if len(label) <= 24 else label[:23] + "…"
