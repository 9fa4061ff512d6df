"""The days a customer came to the shop, behind the profile's visits and total spend: the days
listed are as many as the visits counted, and their purchases add up to the spend."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from klantvriend.customers import selectors
from klantvriend.customers.models import ContactKind

from .factories import ContactMomentFactory, CustomerFactory, PurchaseFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _history(business):
    """Purchases on three days (two on one), logged visits on two (one of them a day with a
    purchase), a visit late in the evening whose UTC day is another, and a call (no visit)."""
    customer = CustomerFactory(business=business)
    for moment, cents in [
        (datetime(2026, 3, 2, 10, 0), 1000),
        (datetime(2026, 3, 2, 16, 30), 2550),
        (datetime(2026, 3, 9, 11, 0), 799),
        (datetime(2026, 4, 1, 0, 30), 4000),  # 22:30 UTC on 31 March
    ]:
        PurchaseFactory(customer=customer, at=moment.replace(tzinfo=AMSTERDAM), amount_cents=cents)
    for moment, kind in [
        (datetime(2026, 3, 9, 15, 0), ContactKind.VISIT),  # the day of a purchase
        (datetime(2026, 3, 20, 23, 45), ContactKind.VISIT),
        (datetime(2026, 3, 25, 9, 0), ContactKind.CALL),
    ]:
        ContactMomentFactory(customer=customer, at=moment.replace(tzinfo=AMSTERDAM), kind=kind)
    # Another customer's purchase on a day of this one's: not theirs.
    PurchaseFactory(
        customer=CustomerFactory(business=business),
        at=datetime(2026, 3, 2, 12, 0, tzinfo=AMSTERDAM),
        amount_cents=99999,
    )
    return customer


def test_the_days_listed_are_the_visits_and_their_purchases_the_total_spend(business):
    customer = _history(business)

    briefing = selectors.customer_briefing(customer=customer)
    visits = selectors.customer_visits(customer=customer)

    assert (briefing.visit_count, briefing.total_spend_cents) == (4, 8349)
    assert [day.day for day in visits.days] == [
        date(2026, 4, 1),
        date(2026, 3, 20),
        date(2026, 3, 9),
        date(2026, 3, 2),
    ]
    assert len(visits.days) == visits.day_count == briefing.visit_count
    assert sum(day.spent_cents for day in visits.days) == briefing.total_spend_cents
    assert (visits.total_spend_cents, visits.purchase_count) == (8349, briefing.purchase_count)
    assert [(len(day.purchases), len(day.visits), day.spent_cents) for day in visits.days] == [
        (1, 0, 4000),
        (0, 1, 0),
        (1, 1, 799),
        (2, 0, 3550),
    ]


def test_the_days_come_a_page_at_a_time_and_every_page_adds_up(business):
    customer = _history(business)

    pages = [
        selectors.customer_visits(customer=customer, page=number, per_page=3) for number in (1, 2)
    ]

    assert [len(page.days) for page in pages] == [3, 1]
    assert [(page.page.number, page.page.paginator.num_pages) for page in pages] == [(1, 2), (2, 2)]
    assert {page.day_count for page in pages} == {4}
    assert sum(day.spent_cents for page in pages for day in page.days) == 8349


@pytest.mark.parametrize(("asked", "number"), [(3, 2), ("99", 2), (0, 2), ("many", 1), (None, 1)])
def test_a_page_past_the_end_is_the_last_and_no_number_the_first(business, asked, number):
    customer = _history(business)

    visits = selectors.customer_visits(customer=customer, page=asked, per_page=3)

    assert visits.page.number == number
    assert [day.day for day in visits.days] == [
        [date(2026, 4, 1), date(2026, 3, 20), date(2026, 3, 9)],
        [date(2026, 3, 2)],
    ][number - 1]
    assert list(visits.page.object_list) == visits.days


def test_a_customer_who_never_came_has_no_days(business, django_assert_num_queries):
    customer = CustomerFactory(business=business)

    # The days counted and the spend; with no day there is no page of days to read.
    with django_assert_num_queries(2):
        visits = selectors.customer_visits(customer=customer)

    assert (visits.days, visits.day_count, visits.total_spend_cents) == ([], 0, 0)


def test_a_page_of_days_reads_the_database_five_times_however_long_the_history(
    business, django_assert_num_queries
):
    customer = _history(business)
    for days in range(60):
        PurchaseFactory(
            customer=customer,
            at=datetime(2025, 1, 1, 12, tzinfo=AMSTERDAM) + timedelta(days=days),
        )

    with django_assert_num_queries(5):
        visits = selectors.customer_visits(customer=customer, per_page=50)

    assert (len(visits.days), visits.day_count) == (50, 64)
