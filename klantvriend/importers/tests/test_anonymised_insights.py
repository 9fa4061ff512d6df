"""An anonymised customer keeps no insight: their purchases count in the model's fit and in the
turnover, but not in the figures that list customers, which still add up to their lists."""

from collections import Counter

from django.utils import timezone

from klantvriend.customers.models import Customer, Purchase
from klantvriend.importers.privacy import customer_erase
from klantvriend.insights.models import CustomerInsight, InsightSnapshot
from klantvriend.insights.selectors import Bought, customers_with_insight
from klantvriend.insights.services import customer_insight_recompute, insights_refresh
from klantvriend.insights.tests.factories import butcher_history


def _listed(business, **filters) -> int:
    return customers_with_insight(
        Customer.objects.filter(business=business), business=business, **filters
    ).count()


def test_the_refresh_leaves_the_anonymised_out_of_what_lists_customers(business):
    customers, _ids = butcher_history(business)
    now = timezone.now()
    before = insights_refresh(business=business, now=now)
    erased = customers[3]
    assert CustomerInsight.objects.filter(customer=erased).exists()

    customer_erase(customer=erased)
    assert not CustomerInsight.objects.filter(customer=erased).exists()
    assert not InsightSnapshot.objects.filter(customer=erased).exists()
    after = insights_refresh(business=business, now=now)

    # No insight and no snapshot of them; everyone else keeps theirs
    assert not CustomerInsight.objects.filter(customer=erased).exists()
    assert not InsightSnapshot.objects.filter(customer=erased).exists()
    assert CustomerInsight.objects.filter(business=business).count() == 59
    # The model is fitted on the same purchases, theirs included, and so are the turnover's
    assert after.figures["model"] == before.figures["model"]
    assert after.figures["monthly_revenue"] == before.figures["monthly_revenue"]
    assert after.purchases == before.purchases == Purchase.objects.count()
    # The figures that count customers count those with an insight, as their lists do
    advice = after.figures["advice"]
    assert after.customers == advice["n_customers"] == _listed(business, bought=Bought.ANY) == 59
    assert before.customers == before.figures["advice"]["n_customers"] == 60
    assert advice["came_back"] == _listed(business, bought=Bought.AGAIN)
    assert advice["top_fifth_customers"] == _listed(business, bought=Bought.TOP) == 12
    segments = Counter(
        CustomerInsight.objects.filter(business=business).values_list("segment", flat=True)
    )
    assert {row["segment"]: row["customers"] for row in advice["by_segment"]} == segments
    assert sum(after.figures["value_distribution"]["counts"]) == 59


def test_an_anonymised_customer_is_not_computed_again(business):
    customers, _ids = butcher_history(business)
    insights_refresh(business=business)
    erased = customers[3]
    Customer.objects.filter(pk=erased.pk).update(erased_at=timezone.now())

    assert customer_insight_recompute(business=business, customer_id=erased.pk) is None

    assert not CustomerInsight.objects.filter(customer=erased).exists()
    assert not InsightSnapshot.objects.filter(customer=erased).exists()
    # Another customer is computed again as before
    kept = customer_insight_recompute(business=business, customer_id=customers[4].pk)
    assert kept.customer_id == customers[4].pk
