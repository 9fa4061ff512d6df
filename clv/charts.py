"""Charts as SVG text, drawn on the server: no JavaScript, no chart library, no inline styles.

Colours and fonts come from CSS classes (``chart-*``), styled by the web app's stylesheet and by
the standalone report of ``klantvriend analyse --report``. Every label is escaped here, so the
result can be put into a page as it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

WIDTH = 640
HEIGHT = 240
LEFT = 72  # room for "€ 100.000" beside the axis
RIGHT = 12
TOP = 12
BOTTOM = 40


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def default_format(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= value:
            return factor * power
    return 10 * power


def _axis_label(x: float, text: str) -> str:
    """A label under the plot, centred on x; a line break starts a second line ("dec\n2025")."""
    first, *more = text.split("\n")
    below = "".join(f'<tspan x="{_number(x)}" dy="13">{escape(line)}</tspan>' for line in more)
    return (
        f'<text class="chart-label" x="{_number(x)}" y="{HEIGHT - BOTTOM + 16}" '
        f'text-anchor="middle">{escape(first)}{below}</text>'
    )


def bar_chart(
    *,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    title: str,
    stacked: bool = True,
    value_format: Callable[[float], str] = default_format,
    y_max: float | None = None,
    whole_numbers: bool = False,
    axis_labels: Sequence[str] | None = None,
    description: str | None = None,
) -> str:
    """Vertical bars, one group per label; ``series`` holds (name, values, css class suffix).

    With ``stacked`` the series are drawn on top of each other, otherwise side by side. With
    ``whole_numbers`` (counts) the axis is divided into whole steps: 7, 14, 21, 28 rather than
    6.25, 12.5, 18.75, 25. ``axis_labels`` (default ``labels``) are written under the bars, a
    line break starting a second line ("dec\n2025"); ``labels`` name the bars when pointed at.
    ``description`` (default ``title``) is what a screen reader reads for the whole chart."""
    count = len(labels)
    totals = [
        sum(values[index] or 0 for _, values, _ in series)
        if stacked
        else max((values[index] or 0 for _, values, _ in series), default=0)
        for index in range(count)
    ]
    top = y_max if y_max is not None else _nice_max(max(totals, default=0))
    if whole_numbers:
        top = max(4, math.ceil(top / 4) * 4)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(count, 1)
    bar_width = slot * 0.7 / (1 if stacked else max(len(series), 1))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 24}" role="img" '
        f'aria-label="{escape(description or title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for step in range(5):
        value = top * step / 4
        y = TOP + plot_height - plot_height * step / 4
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_number(y)}" y2="{_number(y)}"/>'
            f'<text class="chart-tick" x="{LEFT - 6}" y="{_number(y + 4)}" text-anchor="end">'
            f"{escape(value_format(value))}</text>"
        )
    label_every = max(1, math.ceil(count / 12))
    for index, label in enumerate(labels):
        x0 = LEFT + slot * index + slot * 0.15
        base = 0.0
        for number, (name, values, css) in enumerate(series):
            value = values[index]
            if value is None or value <= 0:
                continue
            height = plot_height * min(value, top) / top
            x = x0 if stacked else x0 + bar_width * number
            y = TOP + plot_height - height - (plot_height * min(base, top) / top if stacked else 0)
            parts.append(
                f'<rect class="chart-bar chart-{escape(css)}" x="{_number(x)}" y="{_number(y)}" '
                f'width="{_number(bar_width)}" height="{_number(height)}">'
                f"<title>{escape(label)} · {escape(name)}: {escape(value_format(value))}</title></rect>"
            )
            if stacked:
                base += value
        if index % label_every == 0:
            x = LEFT + slot * index + slot / 2
            parts.append(_axis_label(x, axis_labels[index] if axis_labels else label))
    legend_x = LEFT
    for name, _, css in series:
        parts.append(
            f'<rect class="chart-bar chart-{escape(css)}" x="{legend_x}" y="{HEIGHT + 6}" width="12" height="12"/>'
            f'<text class="chart-legend" x="{legend_x + 16}" y="{HEIGHT + 16}">{escape(name)}</text>'
        )
        legend_x += 24 + 8 * len(name)
    parts.append(
        f'<line class="chart-axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
        f'y1="{TOP + plot_height}" y2="{TOP + plot_height}"/></svg>'
    )
    return "".join(parts)


def heatmap(
    *,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[float | None]],
    title: str,
    value_format: Callable[[float], str] = lambda value: f"{value:.0%}",
) -> str:
    """A grid of cells shaded in six steps by their value between 0 and 1; None or NaN is left
    empty (not known yet)."""
    rows, columns = len(row_labels), len(column_labels)
    cell_width = (WIDTH - 80) / max(columns, 1)
    cell_height = 20
    height = 24 + rows * cell_height + 8
    parts = [
        f'<svg class="chart chart-heatmap" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for column, label in enumerate(column_labels):
        parts.append(
            f'<text class="chart-label" x="{_number(80 + cell_width * column + cell_width / 2)}" '
            f'y="16" text-anchor="middle">{escape(label)}</text>'
        )
    for row, label in enumerate(row_labels):
        y = 24 + row * cell_height
        parts.append(
            f'<text class="chart-label" x="74" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
        )
        for column in range(columns):
            value = values[row][column]
            if value is None or value != value:  # NaN
                continue
            level = min(5, max(0, math.ceil(value * 10))) if value > 0 else 0
            x = 80 + cell_width * column
            parts.append(
                f'<rect class="chart-heat chart-heat-{level}" x="{_number(x + 1)}" y="{y + 1}" '
                f'width="{_number(cell_width - 2)}" height="{cell_height - 2}"/>'
                f'<text class="chart-cell" x="{_number(x + cell_width / 2)}" y="{y + 14}" '
                f'text-anchor="middle">{escape(value_format(value))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    *,
    labels: Sequence[str],
    values: Sequence[float | None],
    title: str,
    ticks: Sequence[float],
    value_format: Callable[[float], str] = default_format,
    point_titles: Sequence[str] | None = None,
    axis_labels: Sequence[str] | None = None,
) -> str:
    """One line through a value per label, on an axis from the lowest to the highest of
    ``ticks`` (which may be negative: an NPS runs from -100 to 100; the line at zero is drawn as
    the axis). A None value leaves a gap in the line: a month without answers is not a zero.
    ``point_titles`` (default "label: value") name the points when pointed at; ``axis_labels``
    as in ``bar_chart``."""
    count = len(labels)
    low, high = min(ticks), max(ticks)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    step = plot_width / max(count - 1, 1)

    def y_of(value: float) -> float:
        return TOP + plot_height * (high - min(max(value, low), high)) / (high - low)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in ticks:
        y = _number(y_of(tick))
        line = "chart-axis" if tick == 0 else "chart-grid"
        parts.append(
            f'<line class="{line}" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>'
            f'<text class="chart-tick" x="{LEFT - 6}" y="{_number(y_of(tick) + 4)}" '
            f'text-anchor="end">{escape(value_format(tick))}</text>'
        )
    segments: list[list[str]] = [[]]
    points = []
    for index, value in enumerate(values):
        if value is None:
            segments.append([])
            continue
        x, y = _number(LEFT + step * index), _number(y_of(value))
        segments[-1].append(f"{x},{y}")
        name = point_titles[index] if point_titles else f"{labels[index]}: {value_format(value)}"
        points.append(
            f'<circle class="chart-point" cx="{x}" cy="{y}" r="3.5">'
            f"<title>{escape(name)}</title></circle>"
        )
    parts.extend(
        f'<polyline class="chart-line" points="{" ".join(segment)}"/>'
        for segment in segments
        if segment
    )
    parts.extend(points)
    label_every = max(1, math.ceil(count / 12))
    parts.extend(
        _axis_label(LEFT + step * index, axis_labels[index] if axis_labels else label)
        for index, label in enumerate(labels)
        if index % label_every == 0
    )
    parts.append("</svg>")
    return "".join(parts)
