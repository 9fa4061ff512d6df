"""Chart axes: counts step in whole numbers, written the reader's way."""

from django.utils import translation

from clv.charts import bar_chart
from klantvriend.insights.charts import ChartData
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

    assert _ticks(dutch)[-1] == "€ 100.000"
    assert _ticks(english)[-1] == "€100,000"
