"""Charts drawn for a phone as well as for a page: the labels that fit are written at their
own size, broken over two lines or left out in turn rather than overlapping, and the legend
takes the rows it needs."""

import re

import pytest

from clv.charts import NARROW, WIDTH, bar_chart, heatmap, line_chart, responsive

MONTHS = ["dec\n2025", "jan\n2026", "feb", "mrt", "apr", "mei"]
MONTHS += ["jun", "jul", "aug", "sep", "okt", "nov"]


def axis(svg: str) -> list[str]:
    """The labels under the plot (or above a heatmap), their lines joined by "|"."""
    labels = [part.split("</text>")[0] for part in svg.split('class="chart-label"')[1:]]
    return ["|".join(re.findall(r">([^<]+)", ">" + label.split(">", 1)[1])) for label in labels]


def view_box(svg: str) -> list[float]:
    return [float(number) for number in re.search(r'viewBox="([^"]+)"', svg).group(1).split()]


def months_chart(width: int) -> str:
    return bar_chart(
        labels=[f"m{index}" for index in range(12)],
        series=[("omzet", [100.0] * 12, "returning")],
        title="Omzet",
        axis_labels=MONTHS,
        width=width,
    )


def test_twelve_months_on_a_phone_name_every_second_month_and_keep_the_years():
    assert axis(months_chart(WIDTH)) == ["dec|2025", "jan|2026", *MONTHS[2:]]
    # January is left out: its year goes to February, so that the axis still says 2026.
    assert axis(months_chart(NARROW)) == ["dec|2025", "feb|2026", "apr", "jun", "aug", "okt"]
    assert view_box(months_chart(NARROW))[:3] == [0, 0, NARROW]


DUTCH_BUCKETS = ["ter plekke", "0–1 uur", "1–4 uur", "4–8 uur", "8–24 uur", "24–72 uur"]
ENGLISH_BUCKETS = ["on the spot", "0–1 hours", "1–4 hours", "4–8 hours", "8–24 hours"]


@pytest.mark.parametrize(
    ("labels", "written"),
    [
        (
            [*DUTCH_BUCKETS, "72 uur of meer"],
            [
                "ter|plekke",
                "0–1|uur",
                "1–4|uur",
                "4–8|uur",
                "8–24|uur",
                "24–72|uur",
                "72 uur|of meer",
            ],
        ),
        (
            [*ENGLISH_BUCKETS, "24–72 hours", "72 hours or more"],
            [
                "on the|spot",
                "0–1|hours",
                "1–4|hours",
                "4–8|hours",
                "8–24|hours",
                "24–72|hours",
                "72 hours|or more",
            ],
        ),
    ],
    ids=["nl", "en"],
)
def test_a_label_too_wide_for_its_bar_is_broken_at_a_space_and_none_is_left_out(labels, written):
    svg = bar_chart(
        labels=labels,
        series=[("klachten", [5, 3, 2, 1, 0, 0, 1], "complaints")],
        title="Eerste reactie",
        whole_numbers=True,
        width=NARROW,
    )

    assert axis(svg) == written
    # The counts' short ticks ("8") leave the plot more room than "€ 100.000" would: the first
    # bar starts 36 + 0.15 of its slot from the left, not 72.
    first_bar = re.search(r'class="chart-bar chart-complaints" x="([0-9.]+)"', svg).group(1)
    assert float(first_bar) == round(36 + 0.15 * (NARROW - 36 - 12) / 7, 1)


def test_the_legend_takes_a_second_row_on_a_phone():
    series = [
        (name, [0.2] * 3, name.lower())
        for name in ("Doorverwijzing", "Binnengelopen", "Online", "Advertentie", "Anders")
    ]

    wide = bar_chart(labels=["a", "b", "c"], series=series, title="t", width=WIDTH)
    narrow = bar_chart(labels=["a", "b", "c"], series=series, title="t", width=NARROW)

    legend_rows = {
        svg: sorted({y for y in re.findall(r'class="chart-legend" x="[0-9.]+" y="([0-9]+)"', svg)})
        for svg in (wide, narrow)
    }
    assert legend_rows[wide] == ["256"]
    assert legend_rows[narrow] == ["256", "274"]
    assert view_box(wide)[3] == 264
    assert view_box(narrow)[3] == 282
    # Each entry of a row ends inside the chart.
    entries = re.findall(r'class="chart-legend" x="([0-9.]+)" y="[0-9]+">([^<]+)<', narrow)
    assert all(float(x) + 6 * len(name) <= NARROW for x, name in entries)


def test_a_heatmap_on_a_phone_breaks_its_column_labels_and_keeps_every_value():
    columns = [f"+{month} mnd" for month in range(1, 7)]
    values = [[0.5] * 6, [0.4] * 5 + [None]]

    wide = heatmap(
        row_labels=["dec 2025", "jan 2026"], column_labels=columns, values=values, title="t"
    )
    narrow = heatmap(
        row_labels=["dec 2025", "jan 2026"],
        column_labels=columns,
        values=values,
        title="t",
        width=NARROW,
    )

    assert axis(wide)[:6] == columns
    assert axis(narrow)[:6] == [f"+{month}|mnd" for month in range(1, 7)]
    # The rows move down by the second line: 24 + 13 above them.
    assert (
        re.search(r'class="chart-heat chart-heat-5" x="[0-9.]+" y="([0-9]+)"', narrow).group(1)
        == "38"
    )
    assert narrow.count('class="chart-cell"') == wide.count('class="chart-cell"') == 11


def test_a_line_chart_on_a_phone_names_every_second_month():
    svg = line_chart(
        labels=[f"m{index}" for index in range(12)],
        values=[10.0] * 12,
        title="NPS",
        ticks=(-100, 0, 100),
        axis_labels=MONTHS,
        width=NARROW,
    )

    assert axis(svg) == ["dec|2025", "feb|2026", "apr", "jun", "aug", "okt"]
    assert svg.count('class="chart-point"') == 12


def test_responsive_draws_the_page_and_the_phone_width():
    drawn = responsive(lambda width: f"<svg>{width}</svg>")

    assert drawn == (
        f'<div class="chart-sizes"><div class="chart-wide"><svg>{WIDTH}</svg></div>'
        f'<div class="chart-narrow"><svg>{NARROW}</svg></div></div>'
    )


def test_an_uncertain_value_is_an_open_circle_outside_the_line_with_a_note_that_says_why():
    note = "Open circle: fewer than 30 answers, too few to read as the month's score"
    values = [-100.0, 100.0, 0.0, None, 50.0]
    drawn = {
        width: line_chart(
            labels=["a", "b", "c", "d", "e"],
            values=values,
            title="NPS",
            ticks=(-100, 0, 100),
            point_titles=["a", "b", "c", "d", "e"],
            uncertain=[False, True, False, True, False],
            uncertain_note=note,
            width=width,
        )
        for width in (WIDTH, NARROW)
    }
    wide = drawn[WIDTH]

    # x from 36 to 628 in four steps of 148; y from 12 (+100) to 200 (-100). February is
    # uncertain: the line stops before it and starts again after it, so that no jump is drawn
    # to its +100; April is unknown (an uncertain month without a value is simply a gap).
    polylines = [part.split('"')[0] for part in wide.split('class="chart-line" points="')[1:]]
    assert polylines == ["36,200", "332,106", "628,59"]
    assert wide.count('<circle class="chart-point" ') == 3
    assert '<circle class="chart-point chart-point-uncertain" cx="184" cy="12" r="3.5">' in wide
    # The note under the plot (240 high) beside an open circle: one line at a page's width
    # (the viewBox grows by 6 and a row of 18), two on a phone's, broken between words.
    assert 'viewBox="0 0 640 264"' in wide
    assert wide.count('class="chart-legend"') == 1
    assert (
        'y="256">Open circle: fewer than 30 answers, too few to read as the month&#x27;s score<'
        in wide
    )
    assert 'viewBox="0 0 350 282"' in drawn[NARROW]
    assert [
        line.split(">")[-1] for line in drawn[NARROW].split("</text>") if 'chart-legend"' in line
    ] == [
        "Open circle: fewer than 30 answers, too few to",
        "read as the month&#x27;s score",
    ]


def test_no_note_where_no_value_is_uncertain():
    svg = line_chart(
        labels=["a", "b"],
        values=[10.0, None],
        title="NPS",
        ticks=(-100, 0, 100),
        uncertain=[False, True],
        uncertain_note="Open circle: too few answers",
    )

    assert 'viewBox="0 0 640 240"' in svg
    assert "Open circle" not in svg
    assert "chart-point-uncertain" not in svg
