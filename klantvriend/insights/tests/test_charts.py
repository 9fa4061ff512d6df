"""The insight charts: promises counted per month of the business's time zone, count axes."""

from datetime import datetime, timedelta

from django.utils import translation

from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.insights.charts import promise_chart
from klantvriend.promises.tests.factories import PromiseFactory


def _done(customer, *, done, due):
    return PromiseFactory(
        customer=customer, made_at=min(done, due) - timedelta(days=3), due_at=due, done_at=done
    )


def test_promise_chart_counts_per_month_of_the_business_time_zone(business, other_business):
    amsterdam = business.tzinfo
    now = datetime(2026, 4, 10, 12, 0, tzinfo=amsterdam)
    customer = CustomerFactory(business=business)

    def local(*args):
        return datetime(*args, tzinfo=amsterdam)

    # The last evening of January (22:30 UTC) is January; a quarter past midnight on 1 February
    # (still 31 January in UTC) is February, and late.
    _done(customer, done=local(2026, 1, 31, 23, 30), due=local(2026, 1, 31, 23, 59, 59))
    _done(customer, done=local(2026, 2, 1, 0, 15), due=local(2026, 1, 31, 23, 59, 59))
    # Summer time: the last evening of March is March.
    _done(customer, done=local(2026, 3, 31, 23, 45), due=local(2026, 4, 1, 12))
    # The first moment of the first month counts; the last one before it and one done after
    # now do not, and neither does another business's promise.
    _done(customer, done=local(2025, 5, 1), due=local(2025, 5, 2))
    _done(customer, done=local(2025, 4, 30, 23, 59), due=local(2025, 5, 2))
    _done(customer, done=now + timedelta(hours=1), due=now + timedelta(days=1))
    _done(
        CustomerFactory(business=other_business),
        done=local(2026, 1, 15, 12),
        due=local(2026, 1, 20),
    )

    with translation.override("nl"):
        chart = promise_chart(business, now)

    assert chart.labels == [
        *(f"{m} 2025" for m in ["mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]),
        *(f"{m} 2026" for m in ["jan", "feb", "mrt", "apr"]),
    ]
    (_, on_time, _), (_, late, _) = chart.series
    assert on_time == [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0]
    assert late == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    assert chart.table_rows[0] == ["mei 2025", "1", "0", "100%"]
    assert chart.table_rows[8:] == [
        ["jan 2026", "1", "0", "100%"],
        ["feb 2026", "0", "1", "0%"],
        ["mrt 2026", "1", "0", "100%"],
        ["apr 2026", "0", "0", "—"],
    ]


def test_month_axes_name_the_year_once_and_at_each_new_year():
    from klantvriend.insights.charts import month_axis

    labels = ["nov 2025", "dec 2025", "jan 2026", "feb 2026"]

    assert month_axis(labels) == ["nov\n2025", "dec", "jan\n2026", "feb"]
