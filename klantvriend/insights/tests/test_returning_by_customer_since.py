"""The scorecard's returning customers count who was a customer before the last 90 days, by
their "customer since" as well as their purchases: a salon that imported the till's last three
months was told that none of its regulars of years had come before."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from klantvriend.customers import services
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.insights.rows import scorecard_rows
from klantvriend.insights.scorecard import customer_scorecard, repeat_counts, trend_window

from .test_scorecard import _figure

pytestmark = pytest.mark.django_db


def test_a_customer_since_years_who_bought_only_lately_is_returning(business):
    now = timezone.now().replace(microsecond=0)
    # Given Eva, a customer since 2021 whose purchases on record are of the last 60 days, and
    # Noah, who came for the first time 20 days ago
    eva = CustomerFactory(business=business, name="Eva", customer_since=dt.date(2021, 2, 3))
    noah = CustomerFactory(business=business, name="Noah")
    for customer, days in ((eva, 60), (eva, 20), (noah, 20)):
        services.purchase_create(
            customer=customer, amount_cents=4250, at=now - dt.timedelta(days=days)
        )
    # When the scorecard counts the last 90 days
    counts = repeat_counts(business, *trend_window(now))
    # Then Eva had come before, Noah had not
    assert counts == {"buyers": 2, "returning": 1}
    with translation.override("en"):
        figure = _figure(customer_scorecard(business=business, now=now), "repeat_rate")
        table = scorecard_rows(business=business, figure="repeat_rate", now=now)
    assert figure.last_90_days == 0.5
    assert (
        figure.detail
        == "1 of the 2 customers who bought in the last 90 days had been with you before"
    )
    assert [(pk, cells) for pk, _name, cells in table.rows] == [
        (eva.pk, ["yes"]),
        (noah.pk, ["no, new"]),
    ]
