""" "New" is measured from when someone became a customer, not from the first purchase on record:
a till export of the last three months made customers of years "new" on their cards."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.insights.charts import cohort_chart
from klantvriend.insights.models import CustomerInsight
from klantvriend.insights.monthly import cohort, month_revenue
from klantvriend.insights.selectors import insight_card
from klantvriend.insights.services import customer_insight_recompute, insights_refresh

pytestmark = pytest.mark.django_db


def _bought(customer, *days_ago):
    for days in days_ago:
        PurchaseFactory(customer=customer, at=timezone.now() - dt.timedelta(days=days))


def test_a_customer_since_years_is_not_new_for_purchases_of_the_last_months(business):
    # Given a customer since 2021 whose till history starts 60 days ago, and one who came in
    # for the first time 60 days ago
    today = business.today()
    known = CustomerFactory(business=business, customer_since=dt.date(2021, 2, 3))
    newcomer = CustomerFactory(business=business, customer_since=today - dt.timedelta(days=60))
    _bought(known, 60, 20)
    _bought(newcomer, 60, 20)
    # When refreshed
    insights_refresh(business=business)
    # Then only the newcomer is new
    segments = dict(CustomerInsight.objects.values_list("customer_id", "segment"))
    assert segments[newcomer.pk] == "new"
    assert segments[known.pk] != "new"
    # And "new" says what it is measured by, in the reader's language
    insight = CustomerInsight.objects.get(customer=newcomer)
    with translation.override("en"):
        assert insight_card(insight=insight).segment == ("a customer for less than three months")
    with translation.override("nl"):
        assert insight_card(insight=insight).segment == ("minder dan drie maanden klant")


def test_a_customer_computed_again_alone_is_measured_the_same_way(business):
    # Given a refresh that found a customer new (since 30 days, as the till said)
    customer = CustomerFactory(
        business=business, customer_since=business.today() - dt.timedelta(days=30)
    )
    _bought(customer, 30)
    insights_refresh(business=business)
    assert CustomerInsight.objects.get(customer=customer).segment == "new"
    # When the owner sets "customer since" to 2019 and the customer is computed again
    customer.customer_since = dt.date(2019, 3, 14)
    customer.save(update_fields=["customer_since"])
    insight = customer_insight_recompute(business=business, customer_id=customer.pk)
    # Then they are no longer new
    assert insight.segment != "new"


def test_a_customer_since_years_is_returning_revenue_and_in_no_cohort_in_charts_and_rows(business):
    # Given a customer since 2021 whose till history starts 60 days ago, and one who came in
    # for the first time that day
    today = business.today()
    first = today - dt.timedelta(days=60)
    known = CustomerFactory(business=business, customer_since=dt.date(2021, 2, 3))
    newcomer = CustomerFactory(business=business, customer_since=first)
    for customer, cents in ((known, 1000), (newcomer, 1500)):
        for days in (60, 20):
            PurchaseFactory(
                customer=customer, amount_cents=cents, at=timezone.now() - dt.timedelta(days=days)
            )
    # When refreshed
    run = insights_refresh(business=business)
    # Then the chart counts only the newcomer's first day as new revenue
    chart = run.figures["monthly_revenue"]
    month = chart["months"].index(first.strftime("%Y-%m"))
    assert sum(chart["new_cents"]) == chart["new_cents"][month] == 1500
    assert sum(chart["returning_cents"]) == 1000 + 1000 + 1500
    # and the advice's repeat spend is all of the known customer's
    repeat = dict(CustomerInsight.objects.values_list("customer_id", "repeat_spend_cents"))
    assert (repeat[known.pk], repeat[newcomer.pk]) == (2000, 1500)
    # and the month's cohort of first purchases holds only the newcomer
    cohorts = run.figures["cohorts"]
    assert cohorts["sizes"][cohorts["cohorts"].index(first.strftime("%Y-%m"))] == 1
    # and the chart says where the customer of years went
    with translation.override("nl"):
        assert cohort_chart(run).note.endswith(
            " 1 klant die al klant was vóór de eerste aankoop die hier staat, telt in geen "
            "cohort mee."
        )
    # And the month's rows say the same, from the kept first days and from the purchases
    month = first.replace(day=1)
    kept = month_revenue(business=business, run=run, month=month)
    kept_cohort = cohort(business=business, run=run, month=month)
    CustomerInsight.objects.filter(customer=newcomer).update(first_purchase_day=None)
    read = month_revenue(business=business, run=run, month=month)
    read_cohort = cohort(business=business, run=run, month=month)
    assert kept_cohort.customer_ids.tolist() == read_cohort.customer_ids.tolist() == [newcomer.pk]
    for rows in (kept, read):
        ids = rows.customer_ids.tolist()
        assert dict(zip(ids, rows.new_cents.tolist(), strict=True)) == {
            known.pk: 0,
            newcomer.pk: 1500,
        }
        assert dict(zip(ids, rows.returning_cents.tolist(), strict=True)) == {
            known.pk: 1000,
            newcomer.pk: 0,
        }
