"""A purchase recorded, corrected or deleted computes its customer's figures again once the
write is committed, with the latest refresh's fit: a customer who just came back is no longer
listed as lost until the night."""

import datetime as dt
import logging
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from klantvriend.customers.models import Purchase
from klantvriend.customers.services import (
    customer_create,
    purchase_create,
    purchase_delete,
    purchase_update,
)
from klantvriend.customers.tests.factories import PurchaseFactory
from klantvriend.insights import services
from klantvriend.insights.models import CustomerInsight, InsightSnapshot
from klantvriend.insights.prediction import Fit, customer_rows
from klantvriend.insights.services import insights_refresh
from klantvriend.insights.tests.factories import butcher_history, insight_figures


@pytest.fixture
def now():
    return timezone.now()


def this_morning(business, now):
    """A moment of today a minute ago, or today's start in the first minute after midnight."""
    return max(now - dt.timedelta(minutes=1), business.start_of(business.today()))


@pytest.fixture
def lapsed(business, now):
    """A butcher's customer who came every month for half a year, and not for ten months,
    among the butcher's regulars, with the insights refreshed today."""
    butcher_history(business)
    customer = customer_create(business=business, name="Ria Bakker")
    # At noon of their days: "now - 300 days" fell on the next day, locally, within an hour of
    # midnight across a change to summer time, and she had not come for 299 days.
    for days_ago in (480, 450, 420, 390, 360, 330, 300):
        day = business.local(now).date() - dt.timedelta(days=days_ago)
        at = dt.datetime.combine(day, dt.time(12), tzinfo=business.tzinfo)
        PurchaseFactory(customer=customer, amount_cents=4000, at=at)
    run = insights_refresh(business=business, now=now)
    assert run.model_name in {"bgnbd", "mbgnbd"}
    return customer, run


def test_a_lapsed_customer_who_buys_again_gets_the_figures_a_refresh_gives_at_once(
    business, owner, now, lapsed, monkeypatch, django_capture_on_commit_callbacks
):
    customer, run = lapsed
    before = insight_figures(customer)
    assert (before["purchase_days"], before["days_since_last"]) == (7, 300)
    assert before["segment"] == "hibernating"
    assert before["probability_alive"] < 0.05

    # When she buys again this morning
    with django_capture_on_commit_callbacks(execute=True):
        purchase = purchase_create(
            customer=customer, amount_cents=5200, at=this_morning(business, now)
        )

    # Then her figures are those of eight purchase days, the last today, as of the refresh's day
    after = insight_figures(customer)
    assert after["as_of"] == run.as_of
    assert (after["purchase_days"], after["days_since_last"], after["spend_cents"]) == (
        8,
        0,
        28000 + 5200,
    )
    assert after["probability_alive"] > 0.99
    assert after["segment"] not in {"hibernating", "lost"}
    snapshot = InsightSnapshot.objects.get(customer=customer, as_of=run.as_of)
    assert (snapshot.probability_alive, snapshot.segment) == (
        after["probability_alive"],
        after["segment"],
    )

    # And a whole refresh with what the first one learned gives her the same figures
    kept_fit = Fit.from_figures(run.figures)

    def what_the_first_refresh_learned(summary, history, is_ambassador, fit):
        return (
            kept_fit,
            customer_rows(history=history, is_ambassador=is_ambassador, fit=kept_fit),
            "",
        )

    with monkeypatch.context() as patched:
        patched.setattr(services, "_fit_models", what_the_first_refresh_learned)
        insights_refresh(business=business, now=now)
    assert insight_figures(customer) == after

    # When the purchase is corrected to 12 euros, its spend follows
    with django_capture_on_commit_callbacks(execute=True):
        purchase_update(purchase=purchase, actor=owner, amount_cents=1200)
    assert insight_figures(customer)["spend_cents"] == 28000 + 1200

    # And when it is deleted as recorded by mistake, she is the lost customer she was
    with django_capture_on_commit_callbacks(execute=True):
        purchase_delete(purchase=Purchase.objects.get(pk=purchase.pk), actor=owner)
    assert insight_figures(customer) == before


def test_a_first_purchase_gives_a_new_customer_figures_at_once(
    business, now, lapsed, django_capture_on_commit_callbacks
):
    _lapsed, run = lapsed
    newcomer = customer_create(business=business, name="Noor de Jong")
    assert not CustomerInsight.objects.filter(customer=newcomer).exists()

    with django_capture_on_commit_callbacks(execute=True):
        purchase_create(customer=newcomer, amount_cents=1850, at=this_morning(business, now))

    new = insight_figures(newcomer)
    assert (new["as_of"], new["purchase_days"], new["days_since_last"], new["spend_cents"]) == (
        run.as_of,
        1,
        0,
        1850,
    )
    assert new["segment"] == "new"


def test_a_purchase_after_the_refreshs_day_waits_for_the_next_refresh(
    business, now, django_capture_on_commit_callbacks
):
    # Given a customer of a butcher whose latest refresh ran yesterday
    butcher_history(business)
    customer = customer_create(business=business, name="Ria Bakker")
    PurchaseFactory(customer=customer, amount_cents=4000, at=now - dt.timedelta(days=300))
    insights_refresh(business=business, now=now - dt.timedelta(days=1))
    before = insight_figures(customer)

    # When she buys today, a day that refresh did not reach
    with django_capture_on_commit_callbacks(execute=True):
        purchase_create(customer=customer, amount_cents=900, at=this_morning(business, now))

    # Then her figures stay as of yesterday until the next refresh
    assert insight_figures(customer) == before
    assert before["as_of"] == business.today() - dt.timedelta(days=1)


def test_a_failing_computation_leaves_the_correction_saved_and_is_logged(
    business, owner, now, lapsed, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    customer, _run = lapsed
    purchase = customer.purchases.latest("at")
    before = insight_figures(customer)

    def broken(**_kwargs):
        raise RuntimeError("the fit cannot be read")

    monkeypatch.setattr(services, "customer_insight_recompute", broken)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        purchase_update(purchase=purchase, actor=owner, amount_cents=4500)

    purchase.refresh_from_db()
    assert purchase.amount_cents == 4500
    assert insight_figures(customer) == before
    assert "the fit cannot be read" in caplog.text


def listed(client, **filters) -> list[str]:
    """The names in the rows of the customer list so filtered (none: no table)."""
    page = client.get(reverse("web:customer_list"), filters).content.decode()
    rows = page.partition("<tbody>")[2].partition("</tbody>")[0]
    return re.findall(r'<td><a href="/customers/\d+/">([^<]+)</a>', rows)


@pytest.mark.django_db(transaction=True)
def test_a_purchase_added_on_the_profile_moves_the_customer_out_of_the_segment_of_the_lapsed(
    business, owner_client, now, lapsed
):
    customer, _run = lapsed
    assert listed(owner_client, segment="hibernating", q="Ria") == ["Ria Bakker"]

    response = owner_client.post(
        reverse("web:purchase_add", args=[customer.pk]), {"amount": "52,00"}
    )

    assert response.status_code == 302
    after = insight_figures(customer)
    assert (after["purchase_days"], after["days_since_last"]) == (8, 0)
    assert listed(owner_client, segment="hibernating", q="Ria") == []
    assert listed(owner_client, segment=after["segment"], q="Ria") == ["Ria Bakker"]
