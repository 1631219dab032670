"""Charts drawn on the server as SVG: the geometry is computed here, the templates only place it.

No script and no style attribute (the pages keep a strict Content Security Policy possible):
colours and fonts come from classes in static/css/reports.css. Every chart is shown with the
table of its numbers (accessibility, printing); the charts are pictures of those tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field


def nice_step(top: float, ticks: int = 4, smallest: float = 1) -> float:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ, at least ``smallest``) that divides 0…top into about
    ``ticks`` parts: counts and days are not cut into tenths."""
    if top <= 0:
        return smallest
    rough = max(top / ticks, smallest)
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= rough:
            return factor * power
    return 10 * power  # pragma: no cover — the loop always returns


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


@dataclass(frozen=True)
class HBar:
    """One horizontal bar with its label and value."""

    label: str
    value: float
    text: str
    y: float
    width: float
    label_y: float
    value_x: float


@dataclass
class HorizontalBars:
    """Bars from a common left edge, one per row (long Japanese labels read well on the left)."""

    bars: list[HBar]
    width: int
    height: int
    left: int
    bar_height: int

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def horizontal_bars(
    items: Sequence[tuple[str, float]],
    *,
    width: int = 560,
    left: int = 190,
    bar_height: int = 20,
    gap: int = 10,
    unit: str = "",
) -> HorizontalBars:
    """Bars for (label, value) pairs, scaled to the largest value."""
    top = max((value for _label, value in items), default=0) or 1
    room = width - left - 70  # space for the value after the longest bar
    bars = []
    for index, (label, value) in enumerate(items):
        y = gap + index * (bar_height + gap)
        length = room * value / top
        bars.append(
            HBar(
                label=label,
                value=value,
                text=_number(value) + unit,
                y=y,
                width=round(length, 1),
                label_y=y + bar_height * 0.72,
                value_x=round(left + length + 6, 1),
            )
        )
    height = gap + len(items) * (bar_height + gap)
    return HorizontalBars(bars, width, max(height, 2 * gap), left, bar_height)


@dataclass(frozen=True)
class Column:
    """One column of a series in one group."""

    series: int
    x: float
    y: float
    height: float
    title: str


@dataclass(frozen=True)
class Tick:
    """A grid line of the value axis with its label."""

    y: float
    text: str


@dataclass(frozen=True)
class GroupLabel:
    """The label under one group of columns."""

    x: float
    text: str


@dataclass
class Columns:
    """Vertical columns: groups (months) of one column per series, with a value axis."""

    columns: list[Column]
    ticks: list[Tick]
    labels: list[GroupLabel]
    width: int
    height: int
    left: int
    bottom: float
    column_width: float
    series: list[str] = field(default_factory=list)
    legend: list[tuple[int, float, str]] = field(default_factory=list)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def right(self) -> int:
        return self.width - 10


def columns(
    groups: list[tuple[str, list[float]]],
    *,
    series: list[str],
    width: int = 720,
    height: int = 280,
    left: int = 70,
    divisor: int = 1,
    unit: str = "",
) -> Columns:
    """Grouped columns; values are divided by ``divisor`` for the axis (e.g. 10,000 for 万円)."""
    top_value = max((v for _label, values in groups for v in values), default=0) / divisor
    step = nice_step(top_value)
    top = step * max(1, math.ceil(top_value / step)) if top_value else step * 4
    plot_top, bottom = 30.0, float(height - 30)
    plot_height = bottom - plot_top
    slot = (width - left - 10) / max(1, len(groups))
    column_width = max(2.0, slot * 0.8 / max(1, len(series)))
    result: list[Column] = []
    labels = []
    for index, (label, values) in enumerate(groups):
        start = left + index * slot + slot * 0.1
        for number, value in enumerate(values):
            size = plot_height * (value / divisor) / top
            result.append(
                Column(
                    series=number,
                    x=round(start + number * column_width, 1),
                    y=round(bottom - size, 1),
                    height=round(size, 1),
                    title=f"{label} {series[number]}: {_number(value / divisor)}{unit}",
                )
            )
        labels.append(GroupLabel(round(left + index * slot + slot / 2, 1), label))
    ticks = []
    value = 0.0
    while value <= top + step / 2:
        ticks.append(Tick(round(bottom - plot_height * value / top, 1), _number(value)))
        value += step
    legend: list[tuple[int, float, str]] = [
        (number, left + number * 150, name) for number, name in enumerate(series)
    ]
    return Columns(
        result, ticks, labels, width, height, left, bottom, round(column_width, 1), series, legend
    )


@dataclass(frozen=True)
class Point:
    """One point of a line, with its label and value."""

    x: float
    y: float
    text: str
    title: str


@dataclass
class Line:
    """A line over groups (months); missing values break nothing, they are simply not drawn."""

    points: list[Point]
    ticks: list[Tick]
    labels: list[GroupLabel]
    width: int
    height: int
    left: int
    bottom: float

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def path(self) -> str:
        """The polyline's points attribute."""
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    @property
    def right(self) -> int:
        return self.width - 10


def line(
    values: list[tuple[str, float | None]],
    *,
    width: int = 720,
    height: int = 220,
    left: int = 70,
    unit: str = "",
) -> Line:
    """A line through the values that exist, on a value axis from zero."""
    present = [v for _label, v in values if v is not None]
    top_value = max(present, default=0)
    step = nice_step(top_value)
    top = step * max(1, math.ceil(top_value / step)) if top_value else step * 4
    plot_top, bottom = 20.0, float(height - 30)
    plot_height = bottom - plot_top
    slot = (width - left - 10) / max(1, len(values))
    points, labels = [], []
    for index, (label, value) in enumerate(values):
        x = round(left + index * slot + slot / 2, 1)
        labels.append(GroupLabel(x, label))
        if value is None:
            continue
        y = round(bottom - plot_height * value / top, 1)
        points.append(Point(x, y, _number(value), f"{label}: {_number(value)}{unit}"))
    ticks = []
    value = 0.0
    while value <= top + step / 2:
        ticks.append(Tick(round(bottom - plot_height * value / top, 1), _number(value)))
        value += step
    return Line(points, ticks, labels, width, height, left, bottom)
