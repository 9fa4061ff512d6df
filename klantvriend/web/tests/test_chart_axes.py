"""Chart axes: counts step in whole numbers, written the reader's way."""

import re
from datetime import date

import pytest
from django.utils import translation

from clv.charts import bar_chart, line_chart
from klantvriend.insights.charts import ChartData, revenue_chart, value_chart
from klantvriend.insights.models import InsightRun
from klantvriend.referrals.selectors import AcquisitionMonth
from klantvriend.surveys.selectors import MonthNps, NpsSummary
from klantvriend.web.referral_views import acquisition_chart
from klantvriend.web.survey_views import trend_chart
from klantvriend.web.templatetags.insights import svg_chart


def _ticks(svg: str) -> list[str]:
    return [part.split(">")[1].split("<")[0] for part in svg.split('class="chart-tick"')[1:]]


def _wide(drawn: str) -> str:
    """The chart drawn for a page, of the two that clv.charts.responsive draws."""
    return drawn.split('<div class="chart-wide">')[1].split("</div>")[0]


def _narrow(drawn: str) -> str:
    """The chart drawn for a phone."""
    return drawn.split('<div class="chart-narrow">')[1].split("</div>")[0]


def test_count_charts_step_in_whole_numbers_written_the_readers_way():
    plain = bar_chart(labels=["a"], series=[("n", [25], "")], title="t", whole_numbers=True)
    chart = ChartData("c", "t", ["a"], [("n", [2500], "")], "count", [], [])
    with translation.override("nl"):
        dutch = svg_chart(chart)
    with translation.override("en"):
        english = svg_chart(chart)

    assert _ticks(plain)[:5] == ["0", "7", "14", "21", "28"]
    assert _ticks(dutch)[:5] == ["0", "625", "1.250", "1.875", "2.500"]
    assert _ticks(english)[:5] == ["0", "625", "1,250", "1,875", "2,500"]


def test_the_money_axis_is_written_the_readers_way():
    chart = ChartData("r", "t", ["a"], [("n", [10_000_000], "")], "money", [], [])
    with translation.override("nl"):
        dutch = svg_chart(chart)
    with translation.override("en"):
        english = svg_chart(chart)

    assert _ticks(dutch)[-1] == "€\u00a0100.000"
    assert _ticks(english)[-1] == "€100,000"


def test_a_line_chart_runs_below_zero_and_leaves_a_gap_where_nothing_is_known():
    svg = line_chart(
        labels=["jan", "feb", "mrt", "apr"],
        values=[-100, 100, None, 0],
        title="NPS <per> maand",
        ticks=(-100, 0, 100),
        value_format=lambda value: f"{value:.0f}",
        point_titles=["a", "b & c", "", "d"],
    )

    # The plot runs from y=12 (+100) to y=200 (-100), x from 36 (room for "-100" beside the
    # axis) to 628 in three steps; March is unknown, so April starts a line of its own.
    polylines = [part.split('"')[0] for part in svg.split('class="chart-line" points="')[1:]]
    assert polylines == ["36,200 233.3,12", "628,106"]
    assert _ticks(svg) == ["-100", "0", "100"]
    assert svg.count('class="chart-axis"') == 1  # the zero line
    assert "<title>b &amp; c</title>" in svg
    assert "NPS &lt;per&gt; maand" in svg
    assert svg.count('class="chart-point"') == 3


def test_the_nps_trend_names_each_month_its_score_and_answers_in_the_readers_language():
    """March's 40 answers (20 promoters, 10 passives, 10 detractors: NPS 25, SE 13.1101,
    margin 1.959964 * 13.1101 = 25.70) are a point of the line; January's 2 are too few
    (NPS_MIN_ANSWERS): an open circle outside it, which the note under the chart explains."""
    trend = [
        MonthNps(date(2026, 1, 1), NpsSummary(answers=2, promoters=0, passives=1, detractors=1)),
        MonthNps(date(2026, 2, 1), NpsSummary(answers=0, promoters=0, passives=0, detractors=0)),
        MonthNps(
            date(2026, 3, 1), NpsSummary(answers=40, promoters=20, passives=10, detractors=10)
        ),
    ]
    with translation.override("nl"):
        dutch = _wide(trend_chart(trend))
    with translation.override("en"):
        english = _wide(trend_chart(trend))

    assert "<title>jan 2026: NPS −50 (2 antwoorden: te weinig)</title>" in dutch
    assert "<title>mrt 2026: NPS +25 ± 26 (40 antwoorden)</title>" in dutch
    assert "<title>Jan 2026: NPS −50 (2 answers: too few)</title>" in english
    assert "<title>Mar 2026: NPS +25 ± 26 (40 answers)</title>" in english
    # February had no answers: no point; January's is open, March's the line's.
    assert dutch.count('<circle class="chart-point" ') == 1
    assert dutch.count('<circle class="chart-point chart-point-uncertain" cx="36"') == 1
    assert (
        ">Open rondje: minder dan 30 antwoorden, te weinig om als score van de maand te lezen<"
        in dutch
    )
    assert (
        ">Open circle: fewer than 30 answers, too few to read as the month&#x27;s score<" in english
    )


def test_the_acquisition_chart_stacks_the_shares_with_referrals_at_the_bottom():
    month = AcquisitionMonth(date(2026, 3, 1), {"referral": 1, "walk_in": 3})
    with translation.override("nl"):
        svg = _wide(acquisition_chart([month]))

    bars = svg.split('class="chart-bar chart-')[1:]
    assert [bar.split('"')[0] for bar in bars[:2]] == ["referral", "walk-in"]
    assert "<title>mrt 2026 · Doorverwijzing: 25%</title>" in svg
    assert "<title>mrt 2026 · Binnengelopen: 75%</title>" in svg
    assert _ticks(svg) == ["0%", "25%", "50%", "75%", "100%"]


def _value_run(edges, counts, based_on_model=True):
    return InsightRun(
        figures={
            "value_distribution": {"edges": edges, "counts": counts},
            "advice": {"based_on_model": based_on_model},
        }
    )


def _axis(svg: str) -> list[str]:
    """The labels under the bars, their two lines joined by "|"."""
    labels = [part.split("</text>")[0] for part in svg.split('class="chart-label"')[1:]]
    return ["|".join(re.findall(r">([^<]+)", ">" + label.split(">", 1)[1])) for label in labels]


@pytest.mark.parametrize(
    ("language", "ranges", "axis", "headers", "description"),
    [
        (
            "nl",
            ["€\u00a00–250", "€\u00a0250–500", "€\u00a0500 of meer"],
            ["€\u00a00–|250", "€\u00a0250–|500", "€\u00a0500|of meer"],
            ["Verwachte klantwaarde (12 maanden)", "klanten"],
            "Verdeling van de verwachte klantwaarde over 12 maanden. Aantal klanten per bedrag: "
            "€\u00a00–250: 1.650 klanten; €\u00a0250–500: 1 klant; €\u00a0500 of meer: 20 klanten.",
        ),
        (
            "en",
            ["€0–250", "€250–500", "€500 or more"],
            ["€0–|250", "€250–|500", "€500|or more"],
            ["Expected customer value (12 months)", "customers"],
            "Distribution of predicted 12-month customer value. Customers per range of value: "
            "€0–250: 1,650 customers; €250–500: 1 customer; €500 or more: 20 customers.",
        ),
    ],
)
def test_the_value_chart_says_each_bar_is_a_range_of_money(
    language, ranges, axis, headers, description
):
    """The axis read "0, 250 … 2.250+", so the first bar read as 1,650 customers worth € 0."""
    run = _value_run([0.0, 250.0, 500.0, 750.0], [1650, 1, 20])
    with translation.override(language):
        chart = value_chart(run, "EUR")
        svg = _wide(svg_chart(chart))

    assert (chart.labels, chart.table_headers, chart.description) == (ranges, headers, description)
    assert chart.table_rows == [
        [ranges[0], "1.650" if language == "nl" else "1,650"],
        [ranges[1], "1"],
        [ranges[2], "20"],
    ]
    assert _axis(svg) == axis
    assert f'aria-label="{description}"' in svg
    assert f"<title>{ranges[0]} · {headers[1]}: " in svg


def test_the_value_chart_of_small_spend_keeps_its_cents():
    """Spend so far of a few euros has steps of 50 cents: whole euros read "0, 0, 1, 1"."""
    run = _value_run([0.0, 0.5, 1.0, 1.5], [3, 2, 1], based_on_model=False)
    with translation.override("nl"):
        chart = value_chart(run, "EUR")

    assert chart.labels == ["€\u00a00,00–0,50", "€\u00a00,50–1,00", "€\u00a01,00 of meer"]
    assert chart.table_headers == ["Besteed tot nu toe", "klanten"]
    assert chart.title == "Verdeling van de besteding tot nu toe"


@pytest.mark.parametrize(
    ("language", "returning", "new"),
    [("nl", "€\u00a051.234", "€\u00a0766"), ("en", "€51,234", "€766")],
)
def test_the_revenue_table_names_its_currency(language, returning, new):
    """Its columns read "51.234" and "766": amounts, but of what."""
    run = InsightRun(
        figures={
            "monthly_revenue": {
                "months": ["2026-10"],
                "returning_cents": [5_123_400],
                "new_cents": [76_600],
            }
        }
    )
    with translation.override(language):
        chart = revenue_chart(run, "EUR")

    assert chart.table_rows[0][1:] == [returning, new, "99%"]
