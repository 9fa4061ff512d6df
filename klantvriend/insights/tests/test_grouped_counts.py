"""The scorecard's sentences group their counts in thousands as the pages write amounts:
"33.154 van de 36.427 klanten" in Dutch, "33,154 of the 36,427 customers" in English. The
counts are given directly rather than built from thousands of rows."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from klantvriend.complaints.selectors import ComplaintFigures
from klantvriend.insights import rows as rows_module
from klantvriend.insights import scorecard as scorecard_module
from klantvriend.insights.rows import scorecard_rows
from klantvriend.insights.scorecard import _complaints_detail, customer_scorecard

REPEAT = {"buyers": 36427, "returning": 33154}


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        (
            "nl",
            "33.154 van de 36.427 klanten die de laatste 90 dagen kochten, waren al eerder klant",
        ),
        (
            "en",
            "33,154 of the 36,427 customers who bought in the last 90 days had been with you "
            "before",
        ),
    ],
)
def test_the_returning_customers_figure_groups_its_counts(business, monkeypatch, language, detail):
    monkeypatch.setattr(scorecard_module, "repeat_counts", lambda *args: dict(REPEAT))

    with translation.override(language):
        card = customer_scorecard(business=business)

    figure = next(figure for figure in card.figures if figure.key == "repeat_rate")
    assert figure.detail == detail


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        ("nl", "33.154 van deze 36.427 klanten waren al eerder klant."),
        ("en", "33,154 of these 36,427 customers had been with you before."),
    ],
)
def test_the_rows_of_the_returning_customers_group_their_counts(
    business, monkeypatch, language, summary
):
    monkeypatch.setattr(rows_module, "repeat_counts", lambda *args: dict(REPEAT))

    with translation.override(language):
        table = scorecard_rows(business=business, figure="repeat_rate", now=timezone.now())

    assert table.summary == summary
    assert table.total == 36427  # the pager counts with the number itself


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        (
            "nl",
            "1.500 klachten in de laatste 90 dagen; 1.200 ter plekke beantwoord, 250 kregen een "
            "eerste reactie (de helft binnen 2\u00a0uur), 50 nog niet beantwoord",
        ),
        (
            "en",
            "1,500 complaints in the last 90 days; 1,200 answered on the spot, 250 got a first "
            "response (half of them within 2\u00a0hours), 50 not answered yet",
        ),
    ],
)
def test_the_complaint_figure_groups_its_counts(language, detail):
    figures = ComplaintFigures(
        received=1500,
        answered_on_the_spot=1200,
        answered_later=250,
        responded_in_time_share=0.9,
        resolved_in_time_share=0.8,
        responses_judged=1450,
        responded_in_time=1305,
        resolutions_judged=1400,
        resolved_in_time=1120,
        median_response=timedelta(hours=2),
        median_response_hours=2.0,
        open_breached=3,
    )

    with translation.override(language):
        assert _complaints_detail(figures) == detail
