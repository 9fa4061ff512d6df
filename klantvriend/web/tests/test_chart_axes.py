"""Chart axes: counts step in whole numbers, written the reader's way."""

from datetime import date

from django.utils import translation

from clv.charts import bar_chart, line_chart
from klantvriend.insights.charts import ChartData
from klantvriend.referrals.selectors import AcquisitionMonth
from klantvriend.surveys.selectors import MonthNps, NpsSummary
from klantvriend.web.referral_views import acquisition_chart
from klantvriend.web.survey_views import trend_chart
from klantvriend.web.templatetags.insights import svg_chart


def _ticks(svg: str) -> list[str]:
    return [part.split(">")[1].split("<")[0] for part in svg.split('class="chart-tick"')[1:]]


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

    # The plot runs from y=12 (+100) to y=200 (-100), x from 72 to 628 in three steps; March is
    # unknown, so April starts a line of its own.
    polylines = [part.split('"')[0] for part in svg.split('class="chart-line" points="')[1:]]
    assert polylines == ["72,200 257.3,12", "628,106"]
    assert _ticks(svg) == ["-100", "0", "100"]
    assert svg.count('class="chart-axis"') == 1  # the zero line
    assert "<title>b &amp; c</title>" in svg
    assert "NPS &lt;per&gt; maand" in svg
    assert svg.count('class="chart-point"') == 3


def test_the_nps_trend_names_each_month_its_score_and_answers_in_the_readers_language():
    trend = [
        MonthNps(date(2026, 1, 1), NpsSummary(answers=2, promoters=0, passives=1, detractors=1)),
        MonthNps(date(2026, 2, 1), NpsSummary(answers=0, promoters=0, passives=0, detractors=0)),
    ]
    with translation.override("nl"):
        dutch = trend_chart(trend)
    with translation.override("en"):
        english = trend_chart(trend)

    assert "<title>jan 2026: NPS -50 (2 antwoorden)</title>" in dutch
    assert "<title>Jan 2026: NPS -50 (2 answers)</title>" in english
    assert dutch.count('class="chart-point"') == 1  # February had no answers: no point


def test_the_acquisition_chart_stacks_the_shares_with_referrals_at_the_bottom():
    month = AcquisitionMonth(date(2026, 3, 1), {"referral": 1, "walk_in": 3})
    with translation.override("nl"):
        svg = acquisition_chart([month])

    bars = svg.split('class="chart-bar chart-')[1:]
    assert [bar.split('"')[0] for bar in bars[:2]] == ["referral", "walk-in"]
    assert "<title>mrt 2026 · Doorverwijzing: 25%</title>" in svg
    assert "<title>mrt 2026 · Binnengelopen: 75%</title>" in svg
    assert _ticks(svg) == ["0%", "25%", "50%", "75%", "100%"]
