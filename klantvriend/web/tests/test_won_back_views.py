"""A customer who has probably left, as the owner meets them: Today counts their days away to
today, leaving out whoever came back since the refresh."""

import datetime as dt
import re

from django.urls import reverse

from klantvriend.aftercare.models import FollowUp
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.insights.tests.factories import CustomerInsightFactory


def _shown(page: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]*)<', page)[1]


def _slipping(business, name, *, spend_cents, bought_cents, computed_days_ago=3):
    """A customer slipping away in a refresh `computed_days_ago`, then 48 days away after
    coming every other day; `bought_cents` is what their purchases add up to now."""
    customer = CustomerFactory(business=business, name=name)
    PurchaseFactory(customer=customer, amount_cents=bought_cents)
    CustomerInsightFactory(
        customer=customer,
        as_of=business.today() - dt.timedelta(days=computed_days_ago),
        purchase_days=60,
        days_since_last=48,
        usual_interval_days=2.2,
        spend_cents=spend_cents,
        probability_alive=0.001,
        probability_alive_30_days_ago=0.2,
        slipping_away=True,
    )
    return customer


def test_today_counts_the_days_away_to_today(owner_client, business):
    """Counted to the refresh's day, a customer read "not seen for 48 days" for as long as no
    refresh ran, beside a profile that counted on."""
    customer = _slipping(business, "Ingrid Schouten", spend_cents=494010, bought_cents=494010)

    page = owner_client.get(reverse("web:today")).content.decode()
    rows = owner_client.get(
        reverse("web:insights_scorecard_rows"), {"figure": "slipping_away"}
    ).content.decode()
    owner_client.post(reverse("web:slipping_away_plan_call", args=[customer.pk]))

    assert _shown(page, "why-slipping") == (
        "Heeft tot nu toe €\u00a04.940,10 besteed; kwam meestal elke 2 dagen, nu 51 dagen niet "
        "gezien."
    )
    assert "<td>kwam meestal elke 2 dagen, nu 51 dagen niet gezien</td>" in rows
    assert FollowUp.objects.get(customer=customer).note == (
        "Bellen: waardevolle klant, kwam meestal elke 2 dagen, nu 51 dagen niet gezien. "
        "Vraag hoe het gaat."
    )


def test_a_customer_who_bought_since_the_refresh_is_not_slipping_away(owner_client, business):
    # Given two customers slipping away at the refresh: one bought 12.50 euros since, the
    # other's purchase was corrected down (nothing says they came)
    _slipping(business, "Kwam terug", spend_cents=494010, bought_cents=495260)
    _slipping(business, "Gecorrigeerd", spend_cents=494010, bought_cents=490000)

    page = owner_client.get(reverse("web:today")).content.decode()
    rows = owner_client.get(
        reverse("web:insights_scorecard_rows"), {"figure": "slipping_away"}
    ).content.decode()

    # Then Today and its list hold only the second, counted as one
    assert "Gecorrigeerd" in page
    assert "Gecorrigeerd" in rows
    assert "Kwam terug" not in page
    assert "Kwam terug" not in rows
    assert re.search(r'id="slipping-heading">[^<]*<span class="count">1</span>', page)
