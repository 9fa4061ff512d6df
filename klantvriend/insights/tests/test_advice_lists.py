"""The customers behind the advice's figures, as the customer list filters them: as many as
the advice counts, and adding up to its sums, equal spends at the border of the top fifth
included."""

import numpy as np

from clv.advice import attention_advice
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.insights.selectors import Bought, customers_with_insight, insight_totals

from .factories import CustomerInsightFactory

# (purchase days, spend, of it after the first day) of six customers; three spent 300.
CUSTOMERS = [(3, 50000, 20000), (1, 30000, 0), (2, 30000, 5000), (4, 30000, 9000), (1, 100, 0)]
CUSTOMERS += [(2, 10000, 4000)]


def _listed(business, bought: str):
    customers = customers_with_insight(
        Customer.objects.filter(business=business), business=business, bought=bought
    )
    return list(customers.order_by("pk")), insight_totals(customers)


def test_the_lists_count_and_add_up_what_the_advice_does(business):
    rows = [
        CustomerInsightFactory(
            customer=CustomerFactory(business=business),
            purchase_days=days,
            spend_cents=spend,
            repeat_spend_cents=repeat,
        )
        for days, spend, repeat in CUSTOMERS
    ]
    CustomerFactory(business=business)  # no purchase yet: in none of them
    days, spend, repeat = (np.array(column) for column in zip(*CUSTOMERS, strict=True))
    advice = attention_advice(transaction_days=days, revenue=spend, repeat_revenue=repeat)

    everyone, everyone_totals = _listed(business, Bought.ANY)
    came_back, came_back_totals = _listed(business, Bought.AGAIN)
    top, top_totals = _listed(business, Bought.TOP)

    assert len(everyone) == everyone_totals.customers == advice.n_customers == 6
    assert everyone_totals.spend_cents == advice.total_revenue == 150100
    assert len(came_back) == came_back_totals.customers == advice.came_back == 4
    assert came_back_totals.repeat_spend_cents == advice.repeat_revenue == 38000
    # The top fifth of six is two: the 500 and the first of the three who spent 300.
    assert len(top) == top_totals.customers == advice.top_fifth_customers == 2
    assert top_totals.spend_cents == advice.top_fifth_revenue == 80000
    assert [customer.pk for customer in top] == [rows[0].customer_id, rows[1].customer_id]


def test_the_top_fifth_of_a_shop_without_insights_is_nobody(business):
    CustomerFactory(business=business)

    assert _listed(business, Bought.TOP)[1].customers == 0


def test_a_lists_totals_are_kept_until_a_refresh_or_a_customer_more_or_less(
    business, django_assert_num_queries
):
    """Adding up half a large shop's insights took 75 ms on PostgreSQL; they change only with a
    refresh or with the customers counted, so a list's totals are read once until then."""
    from klantvriend.insights.models import InsightRun
    from klantvriend.insights.selectors import insight_totals_kept

    for days, spend, repeat in CUSTOMERS:
        CustomerInsightFactory(
            customer=CustomerFactory(business=business),
            purchase_days=days,
            spend_cents=spend,
            repeat_spend_cents=repeat,
        )
    came_back = customers_with_insight(
        Customer.objects.filter(business=business), business=business, bought=Bought.AGAIN
    )

    def totals():
        return insight_totals_kept(came_back, business=business)

    first = totals()
    with django_assert_num_queries(2):  # the latest refresh and the customers' count: kept
        again = totals()
    newcomer = CustomerFactory(business=business)
    CustomerInsightFactory(customer=newcomer, purchase_days=2, spend_cents=700)
    with_newcomer = totals()
    InsightRun.objects.create(
        business=business, computed_at=newcomer.created_at, as_of=newcomer.customer_since
    )
    newcomer.insight.spend_cents = 900
    newcomer.insight.save()
    refreshed = totals()

    assert (first.customers, first.spend_cents) == (4, 120000)
    assert again == first
    assert (with_newcomer.customers, with_newcomer.spend_cents) == (5, 120700)
    assert (refreshed.customers, refreshed.spend_cents) == (5, 120900)
