"""Server-rendered, accessible charts: geometry computed here, SVG written by templates.

Every series has its own line pattern and marker shape and a text label at its end, so no
information is carried by colour alone; colours are dark enough for 3:1 against white. The
templates give the SVG role="img" with a <title> and <desc>, and always show the data as a table
next to it. Only presentation attributes are used (the Content-Security-Policy forbids style="").
Numbers follow the chosen language (insyn.core.templatetags.insyn_format.format_number):
"1 234,5" in Swedish, "1,234.5" in English.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import get_language, gettext, gettext_noop

from insyn.core.templatetags.insyn_format import MINUS, NBSP, format_number

__all__ = ["MINUS", "NBSP", "format_number"]


def with_unit(value: float | Decimal | None, unit: str, decimals: int | None = None) -> str:
    text = format_number(value, decimals)
    if value is None or not unit:
        return text
    if unit.strip().lower() in ("antal", "st"):
        # A count: "27 st" in Swedish, "27" in English (never "27 antal").
        return f"{text}{NBSP}st" if (get_language() or "sv").startswith("sv") else text
    if unit == "mnkr":
        unit = gettext("mnkr")  # millions of kronor: "SEK m" in English
    if unit == "%" and (get_language() or "sv").startswith("en"):
        return f"{text}%"
    return f"{text}{NBSP}{unit}"


def format_change_percent(current: float | Decimal, previous: float | Decimal) -> str | None:
    """Year-over-year change as "+3,2 %" / "−1,0 %" ("+3.2%" in English); None when the
    previous value is 0."""
    if not previous:
        return None
    change = (float(current) - float(previous)) / abs(float(previous)) * 100
    sign = "+" if change > 0 else ""
    return sign + with_unit(round(change, 1), "%", 1)


@dataclass(frozen=True)
class SeriesStyle:
    stroke: str
    dash: str  # SVG stroke-dasharray, "" for solid
    marker: str  # circle, square, triangle, diamond
    width: float
    name: str  # the pattern in words, for the legend text ("heldragen linje, cirklar")

    @property
    def pattern(self) -> str:
        """The pattern in words in the chosen language."""
        return gettext(self.name)

    @property
    def sample_marker(self) -> str:
        """The marker for a legend sample 44×16 (line from x=2 to x=42 at y=8)."""
        return marker_path(self.marker, 22, 8, 4)


STYLES = [
    SeriesStyle("#1f4e79", "", "circle", 3, gettext_noop("heldragen linje, cirklar")),
    SeriesStyle("#8a3b12", "7 4", "square", 2, gettext_noop("streckad linje, kvadrater")),
    SeriesStyle("#4a4a4a", "2 3", "triangle", 2, gettext_noop("prickad linje, trianglar")),
    SeriesStyle("#5b2a86", "10 3 2 3", "diamond", 2, gettext_noop("streck-prickad linje, romber")),
    SeriesStyle("#0f5132", "4 2", "circle", 2, gettext_noop("kortstreckad linje, cirklar")),
]
MARKER_BOX = (
    14  # the <marker>'s box: a marker (radius 4.5, 1 px white edge) drawn around its middle
)
TARGET_STYLE = SeriesStyle("#0f5132", "", "cross", 2, gettext_noop("kryss"))


def n(value: float) -> str:
    """A coordinate with at most one decimal and no trailing ".0" (a tenth of a pixel is
    enough; every extra character is sent to every visitor)."""
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def px(value: float) -> str:
    """A place in a chart, to the whole pixel (the charts are 640 wide: half a pixel is finer
    than anyone sees, and every digit is sent to every visitor)."""
    return str(round(value) + 0)


def marker_path(shape: str, x: float, y: float, r: float = 4.5) -> str:
    if shape == "square":
        return f"M{n(x - r)} {n(y - r)}h{n(2 * r)}v{n(2 * r)}h{n(-2 * r)}Z"
    if shape == "triangle":
        return f"M{n(x)} {n(y - r - 1)}L{n(x + r + 1)} {n(y + r)}L{n(x - r - 1)} {n(y + r)}Z"
    if shape == "diamond":
        return (
            f"M{n(x)} {n(y - r - 1)}L{n(x + r + 1)} {n(y)}L{n(x)} {n(y + r + 1)}"
            f"L{n(x - r - 1)} {n(y)}Z"
        )
    if shape == "cross":
        return (
            f"M{n(x - r)} {n(y - r)}L{n(x + r)} {n(y + r)}"
            f"M{n(x - r)} {n(y + r)}L{n(x + r)} {n(y - r)}"
        )
    return f"M{n(x - r)} {n(y)}a{n(r)} {n(r)} 0 1 0 {n(2 * r)} 0a{n(r)} {n(r)} 0 1 0 {n(-2 * r)} 0Z"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if low == high:
        low, high = (
            (low - 1, high + 1) if low == 0 else (low - abs(low) * 0.1, high + abs(high) * 0.1)
        )
    raw_step = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 0.001 or len(ticks) < 2:
        ticks.append(round(value, 10))
        value += step
        if len(ticks) > 20:
            break
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


@dataclass
class Series:
    label: str
    points: dict[int, float | None]
    style: SeriesStyle
    short_label: str = ""


@dataclass
class DrawnSeries:
    """A series as drawn: `path` is the line (a new subpath after each gap, a lone point as a
    zero-length line), `marker` the series' marker shape around (0, 0), which the template
    defines once as an SVG <marker> and puts on every point of the line — the points' places
    are written once, in the line, not again for each marker."""

    label: str
    style: SeriesStyle
    path: str
    marker: str
    end_label: tuple[float, float, str] | None
    marker_id: str = ""


@dataclass
class LineChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    x_ticks: list[tuple[str, str]]  # (coordinate as written, label)
    y_ticks: list[tuple[str, str]]
    series: list[DrawnSeries]
    targets: list[str] = field(default_factory=list)
    has_targets: bool = False
    empty: bool = False

    @property
    def grid_path(self) -> str:
        """The horizontal grid lines, one path."""
        return "".join(f"M{n(self.left)} {y}H{n(self.right)}" for y, _label in self.y_ticks)

    @property
    def axis_path(self) -> str:
        """The x axis and its tick marks, one path."""
        bottom = n(self.bottom)
        ticks = "".join(f"M{x} {bottom}v5" for x, _label in self.x_ticks)
        return f"M{n(self.left)} {bottom}H{n(self.right)}{ticks}"


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: list[Series],
    unit: str = "",
    targets: dict[int, float] | None = None,
    width: int = 640,
    height: int = 280,
) -> LineChart:
    """Lines over years, one pattern and marker per series, optional target crosses."""
    targets = targets or {}
    years = sorted(
        {year for s in series for year, v in s.points.items() if v is not None} | set(targets)
    )
    values = [v for s in series for v in s.points.values() if v is not None]
    values += list(targets.values())
    left, right_margin, top, bottom_margin = 64.0, 120.0, 16.0, 34.0
    right, bottom = width - right_margin, height - bottom_margin
    if not years or not values:
        return LineChart(
            chart_id,
            title,
            description,
            width,
            height,
            left,
            top,
            right,
            bottom,
            [],
            [],
            [],
            empty=True,
        )
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    first, last = years[0], years[-1]

    def x_of(year: int) -> float:
        if first == last:
            return (left + right) / 2
        return left + (year - first) / (last - first) * (right - left)

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    step = max(1, math.ceil(len(range(first, last + 1)) / 10))
    x_ticks = [(px(x_of(year)), str(year)) for year in range(first, last + 1, step)]
    y_ticks = [(px(y_of(tick)), format_number(tick)) for tick in ticks]
    drawn: list[DrawnSeries] = []
    for index, s in enumerate(series, 1):
        points = sorted((year, v) for year, v in s.points.items())
        segments: list[list[tuple[float, float]]] = []
        pen_down = False
        last_point: tuple[float, float] | None = None
        for year, value in points:
            if value is None:
                pen_down = False
                continue
            x, y = x_of(year), y_of(value)
            if not pen_down:
                segments.append([])
            segments[-1].append((x, y))
            pen_down = True
            last_point = (x, y)
        commands = []
        for segment in segments:
            (x, y), rest = segment[0], segment[1:]
            commands.append(f"M{px(x)} {px(y)}")
            commands.extend(f"L{px(x)} {px(y)}" for x, y in rest)
            if not rest:  # a lone point: a zero-length line, a vertex to carry its marker
                commands.append("h0")
        end_label = None
        if last_point is not None:
            end_label = (
                round(last_point[0] + 8),
                round(last_point[1] + 4),
                s.short_label or s.label,
            )
        drawn.append(
            DrawnSeries(
                s.label,
                s.style,
                "".join(commands),
                marker_path(s.style.marker, MARKER_BOX / 2, MARKER_BOX / 2),
                end_label,
                f"{chart_id}-m{index}",
            )
        )
    _spread_labels(drawn, top + 8, bottom)
    target_paths = [
        marker_path("cross", round(x_of(year)), round(y_of(value)), 5)
        for year, value in sorted(targets.items())
    ]
    return LineChart(
        chart_id,
        title,
        description,
        width,
        height,
        left,
        top,
        right,
        bottom,
        x_ticks,
        y_ticks,
        drawn,
        target_paths,
        bool(target_paths),
    )


def _spread_labels(drawn: list[DrawnSeries], top: float, bottom: float, gap: float = 14) -> None:
    """Move end labels apart vertically so that they do not overlap."""
    labelled = sorted((d for d in drawn if d.end_label), key=lambda d: d.end_label[1])
    previous = None
    for d in labelled:
        x, y, text = d.end_label
        if previous is not None and y - previous < gap:
            y = previous + gap
        y = min(max(y, top), bottom + 10)
        d.end_label = (x, round(y), text[:18] + ("…" if len(text) > 18 else ""))
        previous = y


@dataclass
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    value_label: str
    label_y: float
    value_x: float


@dataclass
class BarChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    zero_x: float
    bars: list[Bar]
    ticks: list[tuple[float, str]]
    top: float
    bottom: float


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: list[tuple[str, float]],
    unit: str = "",
    width: int = 720,
) -> BarChart:
    """Horizontal bars, the label on the left and the value written at the end of each bar."""
    label_width, value_room, row_height, top = 230.0, 110.0, 30.0, 8.0
    plot_left, plot_right = label_width, width - value_room
    values = [v for _, v in rows] or [0.0]
    low, high = min(0.0, min(values)), max(0.0, max(values))
    if low == high:
        high = low + 1
    ticks = nice_ticks(low, high, 5)
    low, high = min(low, ticks[0]), max(high, ticks[-1])

    def x_of(value: float) -> float:
        return plot_left + (value - low) / (high - low) * (plot_right - plot_left)

    bars = []
    for index, (label, value) in enumerate(rows):
        y = top + index * row_height
        x0, x1 = sorted((x_of(0.0), x_of(value)))
        bars.append(
            Bar(
                label=label[:32] + ("…" if len(label) > 32 else ""),
                value=value,
                x=x0,
                y=y + 5,
                width=max(x1 - x0, 1.0),
                height=row_height - 10,
                value_label=with_unit(value, unit),
                label_y=y + row_height / 2 + 4,
                value_x=max(x1, x_of(0.0)) + 6,
            )
        )
    height = int(top + len(rows) * row_height + 28)
    bottom = top + len(rows) * row_height
    tick_marks = [(x_of(t), format_number(t)) for t in ticks if low <= t <= high]
    return BarChart(
        chart_id, title, description, width, height, x_of(0.0), bars, tick_marks, top, bottom
    )
