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
# A phone's width: a chart drawn this wide is shown there at about its own size, so that its
# 11px labels stay 11px instead of shrinking to half (responsive draws both widths).
NARROW = 350
HEIGHT = 240
LEFT = 72  # room for "€ 100.000" beside the axis, the most a tick needs
RIGHT = 12
TOP = 12
BOTTOM = 40
# The width of a character of the 11px labels, on average (digits, letters, a space; rather
# more than less), and the least room between two labels under the axis: what decides which
# labels fit.
CHARACTER = 6
GAP = 4
# Heatmap cells touch: a column label keeps clear of its neighbour's by this on either side.
CELL_MARGIN = 6
LEGEND_ROW = 18


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


def responsive(draw: Callable[[int], str]) -> str:
    """The chart drawn twice, as wide as a page (``chart-wide``) and as narrow as a phone
    (``chart-narrow``), in a box (``chart-sizes``) by whose width the stylesheet shows the one
    that fits, so that a chart never needs scrolling sideways and its labels keep their size:
    by the box's and not the screen's, as a chart in one of two cards side by side on a tablet
    is as narrow as on a phone. ``draw`` takes the width."""
    return (
        f'<div class="chart-sizes"><div class="chart-wide">{draw(WIDTH)}</div>'
        f'<div class="chart-narrow">{draw(NARROW)}</div></div>'
    )


def _text_width(text: str) -> float:
    return CHARACTER * max(len(line) for line in text.split("\n"))


def _left(ticks: Sequence[str]) -> float:
    """Room beside the axis for its longest tick ("52" needs less than "€ 100.000")."""
    return min(LEFT, max(36, 12 + _text_width(max(ticks, key=len, default=""))))


def _wrapped(text: str, room: float) -> str:
    """A label wider than its room broken at the space nearest its middle ("72 uur\nof meer");
    one that has its lines already, or no space, is kept."""
    if "\n" in text or " " not in text or _text_width(text) + GAP <= room:
        return text
    middle = len(text) / 2
    space = min(
        (index for index, character in enumerate(text) if character == " "),
        key=lambda index: abs(index - middle),
    )
    return f"{text[:space]}\n{text[space + 1 :]}"


def _label_every(labels: Sequence[str], step: float) -> int:
    """Every how many labels one is written under the axis, ``step`` apart, so that none
    overlaps its neighbour: all of them when they fit, every second month on a phone."""
    widths = [_text_width(label) for label in labels]
    every = 1
    while every < len(labels) and any(
        (widths[index] + widths[index + every]) / 2 + GAP > every * step
        for index in range(0, len(labels) - every, every)
    ):
        every += 1
    return every


def _shown_labels(labels: Sequence[str], every: int) -> dict[int, str]:
    """The labels written under the axis by their place, every ``every``-th; the second line
    of one left out (a new year under its January) goes to the next one written that has
    none, so that the years still read along the axis."""
    shown, carried = {}, ""
    for index, label in enumerate(labels):
        first, _, second = label.partition("\n")
        if index % every:
            carried = second or carried
            continue
        shown[index] = label if second or not carried else f"{first}\n{carried}"
        carried = ""
    return shown


def _legend(
    series: Sequence[tuple[str, object, str]], left: float, width: float
) -> tuple[list[str], int]:
    """A square and a name per series from the left of the plot, in as many rows as needed;
    the parts and the number of rows."""
    parts, x, y, rows = [], left, HEIGHT + 6, 1
    for name, _, css in series:
        entry = 16 + CHARACTER * len(name) + 12
        if x > left and x + entry > width - RIGHT:
            x, y, rows = left, y + LEGEND_ROW, rows + 1
        parts.append(
            f'<rect class="chart-bar chart-{escape(css)}" x="{_number(x)}" y="{y}" width="12" height="12"/>'
            f'<text class="chart-legend" x="{_number(x + 16)}" y="{y + 10}">{escape(name)}</text>'
        )
        x += entry
    return parts, rows


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
    width: int = WIDTH,
) -> str:
    """Vertical bars, one group per label; ``series`` holds (name, values, css class suffix).

    With ``stacked`` the series are drawn on top of each other, otherwise side by side. With
    ``whole_numbers`` (counts) the axis is divided into whole steps: 7, 14, 21, 28 rather than
    6.25, 12.5, 18.75, 25. ``axis_labels`` (default ``labels``) are written under the bars, a
    line break starting a second line ("dec\n2025"), a label too wide for its bar broken at a
    space, and as many left out as needed for the rest not to overlap; ``labels`` name the bars
    when pointed at. ``description`` (default ``title``) is what a screen reader reads for the
    whole chart. ``width`` in the units of the viewBox, whose height stays the same."""
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
    ticks = [value_format(top * step / 4) for step in range(5)]
    left = _left(ticks)
    plot_width = width - left - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(count, 1)
    bar_width = slot * 0.7 / (1 if stacked else max(len(series), 1))
    legend, legend_rows = _legend(series, left, width)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {HEIGHT + 6 + LEGEND_ROW * legend_rows}" role="img" '
        f'aria-label="{escape(description or title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for step, tick in enumerate(ticks):
        y = TOP + plot_height - plot_height * step / 4
        parts.append(
            f'<line class="chart-grid" x1="{_number(left)}" x2="{width - RIGHT}" y1="{_number(y)}" y2="{_number(y)}"/>'
            f'<text class="chart-tick" x="{_number(left - 6)}" y="{_number(y + 4)}" text-anchor="end">'
            f"{escape(tick)}</text>"
        )
    under = [_wrapped(label, slot) for label in (axis_labels or labels)]
    shown = _shown_labels(under, _label_every(under, slot))
    for index in range(count):
        x0 = left + slot * index + slot * 0.15
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
                f"<title>{escape(labels[index])} · {escape(name)}: {escape(value_format(value))}</title></rect>"
            )
            if stacked:
                base += value
        if index in shown:
            parts.append(_axis_label(left + slot * index + slot / 2, shown[index]))
    parts.extend(legend)
    parts.append(
        f'<line class="chart-axis" x1="{_number(left)}" x2="{width - RIGHT}" '
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
    width: int = WIDTH,
) -> str:
    """A grid of cells shaded in six steps by their value between 0 and 1; None or NaN is left
    empty (not known yet). A column label wider than its cell is broken at a space onto a
    second line ("+1\nmnd"), and those that would still overlap are left out in turn, as
    under the bars; every cell keeps its value."""
    rows, columns = len(row_labels), len(column_labels)
    cell_width = (width - 80) / max(columns, 1)
    cell_height = 20
    headers = [_wrapped(label, cell_width - 2 * CELL_MARGIN) for label in column_labels]
    top = 24 + 13 * max((label.count("\n") for label in headers), default=0)
    height = top + rows * cell_height + 8
    parts = [
        f'<svg class="chart chart-heatmap" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for column, label in _shown_labels(headers, _label_every(headers, cell_width)).items():
        x = _number(80 + cell_width * column + cell_width / 2)
        first, *more = label.split("\n")
        below = "".join(f'<tspan x="{x}" dy="13">{escape(line)}</tspan>' for line in more)
        parts.append(
            f'<text class="chart-label" x="{x}" y="16" text-anchor="middle">'
            f"{escape(first)}{below}</text>"
        )
    for row, label in enumerate(row_labels):
        y = top + row * cell_height
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
    width: int = WIDTH,
    uncertain: Sequence[bool] | None = None,
    uncertain_note: str = "",
) -> str:
    """One line through a value per label, on an axis from the lowest to the highest of
    ``ticks`` (which may be negative: an NPS runs from -100 to 100; the line at zero is drawn as
    the axis). A None value leaves a gap in the line: a month without answers is not a zero.
    A value marked ``uncertain`` (a month of too few answers) is an open circle outside the
    line, so that neither it nor a jump to it reads as a fact; where there is one,
    ``uncertain_note`` says so under the chart beside an open circle.
    ``point_titles`` (default "label: value") name the points when pointed at; ``axis_labels``
    and ``width`` as in ``bar_chart``."""
    count = len(labels)
    low, high = min(ticks), max(ticks)
    shown = [value_format(tick) for tick in ticks]
    left = _left(shown)
    plot_width = width - left - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    step = plot_width / max(count - 1, 1)

    def y_of(value: float) -> float:
        return TOP + plot_height * (high - min(max(value, low), high)) / (high - low)

    uncertain = uncertain or [False] * count
    drawn_uncertain = any(
        flag and value is not None for flag, value in zip(uncertain, values, strict=True)
    )
    note_lines = (
        _note_lines(uncertain_note, width - RIGHT - left - 16)
        if uncertain_note and drawn_uncertain
        else []
    )
    height = HEIGHT + (6 + LEGEND_ROW * len(note_lines) if note_lines else 0)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick, text in zip(ticks, shown, strict=True):
        y = _number(y_of(tick))
        line = "chart-axis" if tick == 0 else "chart-grid"
        parts.append(
            f'<line class="{line}" x1="{_number(left)}" x2="{width - RIGHT}" y1="{y}" y2="{y}"/>'
            f'<text class="chart-tick" x="{_number(left - 6)}" y="{_number(y_of(tick) + 4)}" '
            f'text-anchor="end">{escape(text)}</text>'
        )
    segments: list[list[str]] = [[]]
    points = []
    for index, value in enumerate(values):
        if value is None or uncertain[index]:
            segments.append([])
        if value is None:
            continue
        x, y = _number(left + step * index), _number(y_of(value))
        if not uncertain[index]:
            segments[-1].append(f"{x},{y}")
        name = point_titles[index] if point_titles else f"{labels[index]}: {value_format(value)}"
        css = "chart-point chart-point-uncertain" if uncertain[index] else "chart-point"
        points.append(
            f'<circle class="{css}" cx="{x}" cy="{y}" r="3.5">'
            f"<title>{escape(name)}</title></circle>"
        )
    parts.extend(
        f'<polyline class="chart-line" points="{" ".join(segment)}"/>'
        for segment in segments
        if segment
    )
    parts.extend(points)
    under = [_wrapped(label, step) for label in (axis_labels or labels)]
    shown = _shown_labels(under, _label_every(under, step))
    parts.extend(_axis_label(left + step * index, label) for index, label in shown.items())
    if note_lines:
        y = HEIGHT + 6
        parts.append(
            f'<circle class="chart-point chart-point-uncertain" cx="{_number(left + 6)}" '
            f'cy="{y + 6}" r="3.5"/>'
        )
        parts.extend(
            f'<text class="chart-legend" x="{_number(left + 16)}" '
            f'y="{y + 10 + LEGEND_ROW * row}">{escape(line)}</text>'
            for row, line in enumerate(note_lines)
        )
    parts.append("</svg>")
    return "".join(parts)


def _note_lines(text: str, room: float) -> list[str]:
    """A legend's note broken between words into lines that fit ``room``."""
    lines = [""]
    for word in text.split():
        joined = f"{lines[-1]} {word}".strip()
        if lines[-1] and _text_width(joined) > room:
            lines.append(word)
        else:
            lines[-1] = joined
    return lines
