"""After a merge the kept customer's insight is computed again at once from the purchases of
both records, with the latest refresh's fit: the figures a refresh gives them, without waiting
for the night."""

import datetime as dt
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.selectors import customer_version
from klantvriend.customers.services import customer_create
from klantvriend.customers.tests.factories import PurchaseFactory
from klantvriend.importers.merge import customer_merge
from klantvriend.insights import services
from klantvriend.insights.models import CustomerInsight, InsightSnapshot
from klantvriend.insights.prediction import Fit, customer_rows
from klantvriend.insights.services import insights_refresh
from klantvriend.insights.tests.factories import butcher_history, insight_figures


def de_vries_twice(business, now):
    """ "J. de Vries" with 5 purchases and "Jan de Vries", the same person, with 3."""
    kept = customer_create(business=business, name="J. de Vries")
    other = customer_create(business=business, name="Jan de Vries")
    for days_ago in (200, 160, 120, 80, 40):
        PurchaseFactory(customer=kept, amount_cents=2500, at=now - dt.timedelta(days=days_ago))
    for days_ago in (180, 100, 20):
        PurchaseFactory(customer=other, amount_cents=3000, at=now - dt.timedelta(days=days_ago))
    return kept, other


@pytest.fixture
def now(business):
    # Noon in the shop, so that the day of the refresh is the day of every purchase count.
    return timezone.now().astimezone(business.tzinfo).replace(hour=12, minute=0)


def test_the_kept_customer_has_the_figures_a_refresh_with_the_same_models_gives(
    business, now, monkeypatch, django_capture_on_commit_callbacks
):
    # Given a butcher whose insights were refreshed, with one person on two records
    butcher_history(business)
    kept, other = de_vries_twice(business, now)
    first = insights_refresh(business=business, now=now)
    assert first.model_name in {"bgnbd", "mbgnbd"}
    before = insight_figures(kept)
    assert (before["purchase_days"], before["spend_cents"]) == (5, 12500)
    assert before["repeat_spend_cents"] == 10000  # all but the first day's 2500

    # When the records are merged
    with django_capture_on_commit_callbacks(execute=True):
        customer_merge(keep=kept, other=other)

    # Then the kept customer's figures are those of all eight purchases, as of the refresh's day
    merged = insight_figures(kept)
    assert merged["as_of"] == first.as_of
    assert (merged["purchase_days"], merged["days_since_last"], merged["spend_cents"]) == (
        8,
        20,
        21500,
    )
    assert merged["usual_interval_days"] == pytest.approx(180 / 7)
    assert merged["repeat_spend_cents"] == 21500 - 2500
    assert merged["probability_alive"] != before["probability_alive"]
    assert merged["value_cents"] > before["value_cents"]
    assert not CustomerInsight.objects.filter(customer_id=other.pk).exists()
    snapshot = InsightSnapshot.objects.get(customer=kept, as_of=first.as_of)
    assert (snapshot.probability_alive, snapshot.value_cents, snapshot.segment, snapshot.stage) == (
        merged["probability_alive"],
        merged["value_cents"],
        merged["segment"],
        merged["stage"],
    )

    # And a whole refresh afterwards, with what the first one learned (the models it fitted,
    # the quintile borders, the spend that counts as valuable), gives them the same figures
    kept_fit = Fit.from_figures(first.figures)

    def what_the_first_refresh_learned(summary, history, is_ambassador, fit):
        rows = customer_rows(history=history, is_ambassador=is_ambassador, fit=kept_fit)
        return kept_fit, rows, ""

    monkeypatch.setattr(services, "_fit_models", what_the_first_refresh_learned)
    insights_refresh(business=business, now=now)
    assert insight_figures(kept) == merged


def test_without_a_fitted_model_the_kept_customer_gets_what_a_refresh_gives(
    business, now, django_capture_on_commit_callbacks
):
    # Given a shop too small for a model: three other customers and one person on two records
    for name, days_ago, cents in (("Anna", 10, 1000), ("Bram", 50, 4000), ("Cor", 300, 500)):
        PurchaseFactory(
            customer=customer_create(business=business, name=name),
            amount_cents=cents,
            at=now - dt.timedelta(days=days_ago),
        )
    kept, other = de_vries_twice(business, now)
    run = insights_refresh(business=business, now=now)
    assert run.not_enough_data.startswith("Not enough data yet")
    # (borders among 5 customers: days since last 10, 20, 40, 50, 300; purchase days
    # 1, 1, 1, 3, 5; spend 500, 1000, 4000, 9000, 12500)
    assert run.figures["prediction"]["rfm_cuts"] == {
        "recency": [-300.0, -50.0, -40.0, -20.0],
        "frequency": [1.0, 1.0, 1.0, 3.0],
        "monetary": [500.0, 1000.0, 4000.0, 9000.0],
    }
    assert run.figures["valuable_spend_cents"] == 10750

    # When the records are merged
    with django_capture_on_commit_callbacks(execute=True):
        customer_merge(keep=kept, other=other)

    # Then: eight purchase days over 180 days, last 20 days ago (R 4: above -40), spend 215 euros
    # (FM 5), valuable, no prediction, so not slipping away
    assert insight_figures(kept) == {
        "as_of": run.as_of,
        "purchase_days": 8,
        "days_since_last": 20,
        "usual_interval_days": pytest.approx(180 / 7),
        "spend_cents": 21500,
        "repeat_spend_cents": 19000,
        "first_purchase_day": run.as_of - dt.timedelta(days=200),
        "probability_alive": None,
        "probability_alive_30_days_ago": None,
        "expected_purchases_90": None,
        "expected_purchases_365": None,
        "value_cents": None,
        "expected_purchases_365_if_alive": None,
        "value_if_alive_cents": None,
        "segment": "champion",
        "stage": "regular",
        "slipping_away": False,
    }


def test_a_merge_before_any_refresh_computes_nothing(business, django_capture_on_commit_callbacks):
    kept, other = de_vries_twice(business, timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        customer_merge(keep=kept, other=other)

    assert not CustomerInsight.objects.filter(business=business).exists()
    assert Purchase.objects.filter(customer=kept).count() == 8


def test_when_the_recompute_fails_the_merge_stands_and_the_failure_is_logged(
    business, now, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    kept, other = de_vries_twice(business, now)
    insights_refresh(business=business, now=now)
    before = insight_figures(kept)

    def broken(**_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "customer_insight_recompute", broken)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        customer_merge(keep=kept, other=other)

    assert not Customer.objects.filter(pk=other.pk).exists()
    assert Purchase.objects.filter(customer=kept).count() == 8
    assert insight_figures(kept) == before
    assert "customers_merged failed" in caplog.text
    assert "disk full" in caplog.text


@pytest.mark.django_db(transaction=True)  # the insight is computed after the merge commits
def test_the_api_and_the_briefing_card_show_the_new_figures_right_after_the_merge(
    business, now, api, owner_client
):
    butcher_history(business)
    kept, other = de_vries_twice(business, now)
    insights_refresh(business=business, now=now)

    response = api.post(
        f"/api/v1/customers/{kept.pk}/merge/{other.pk}", data={}, content_type="application/json"
    )

    assert response.status_code == 200
    insight = api.get(f"/api/v1/customers/{kept.pk}").json()["insight"]
    assert (insight["purchase_days"], insight["days_since_last"], insight["spend_cents"]) == (
        8,
        20,
        21500,
    )
    assert insight["value_cents"] == insight_figures(kept)["value_cents"]
    page = owner_client.get(reverse("web:customer_detail", args=[kept.pk])).content.decode()
    assert "8 keer gekocht, laatst 20 dagen geleden" in page


def test_the_web_merge_shows_the_new_figures_on_the_kept_profile(
    business, now, owner_client, django_capture_on_commit_callbacks
):
    kept, other = de_vries_twice(business, now)
    insights_refresh(business=business, now=now)
    versions = {
        "keep_version": customer_version(customer=kept),
        "other_version": customer_version(customer=other),
    }

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            reverse("web:customer_merge", args=[kept.pk]), {"other": other.pk, **versions}
        )
    page = owner_client.get(reverse("web:customer_detail", args=[kept.pk])).content.decode()

    assert "8 keer gekocht, laatst 20 dagen geleden" in page
    assert "5 keer gekocht" not in page


def test_a_customer_the_other_record_brought_in_makes_the_kept_one_an_ambassador(
    business, now, django_capture_on_commit_callbacks
):
    # Given "Jan de Vries" brought in his neighbour, who bought once; a promoter elsewhere
    kept, other = de_vries_twice(business, now)
    neighbour = customer_create(
        business=business, name="Buurman", referred_by=other, acquisition_channel="referral"
    )
    PurchaseFactory(customer=neighbour, at=now - dt.timedelta(days=5))
    insights_refresh(business=business, now=now)
    assert insight_figures(kept)["stage"] == "regular"
    assert CustomerInsight.objects.get(customer=other).stage == "ambassador"

    # When the records are merged
    with django_capture_on_commit_callbacks(execute=True):
        customer_merge(keep=kept, other=other)

    # Then the kept customer is the ambassador now
    assert insight_figures(kept)["stage"] == "ambassador"
