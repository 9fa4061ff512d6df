"""The last visit as staff say it: days for two months, then whole months, then whole years."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from klantvriend.web.templatetags.klantvriend import days_ago

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Wednesday 2 December 2026, mid-morning in Amsterdam.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("then", "dutch", "english"),
    [
        (datetime(2026, 12, 2, 0, 30), "vandaag", "today"),
        (datetime(2026, 12, 1, 23, 59), "gisteren", "yesterday"),
        (datetime(2026, 10, 3, 12, 0), "60 dagen geleden", "60 days ago"),
        # 61 days: 2 October to 2 December is two whole months.
        (datetime(2026, 10, 2, 12, 0), "2 maanden geleden", "2 months ago"),
        # 3 September to 2 December: not yet three months.
        (datetime(2026, 9, 3, 12, 0), "2 maanden geleden", "2 months ago"),
        # "688 days ago" (the walk-through's) is 22 months.
        (datetime(2025, 1, 13, 12, 0), "22 maanden geleden", "22 months ago"),
        (datetime(2024, 12, 3, 12, 0), "23 maanden geleden", "23 months ago"),
        (datetime(2024, 12, 2, 12, 0), "2 jaar geleden", "2 years ago"),
        (datetime(2021, 6, 1, 12, 0), "5 jaar geleden", "5 years ago"),
    ],
)
def test_a_last_visit_is_said_in_days_then_months_then_years(monkeypatch, then, dutch, english):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    moment = then.replace(tzinfo=AMSTERDAM)

    with timezone.override(AMSTERDAM):
        with translation.override("nl"):
            assert days_ago(moment) == dutch
        with translation.override("en"):
            assert days_ago(moment) == english
