"""What a customer who has probably left is worth if won back: kept per customer by the refresh
(their value and purchases if still a customer), and shown on their card at the margin, with
what it assumes. A lapsed customer's expected value is near nothing, which says nothing of
whether a call to win them back pays."""

import numpy as np
import pytest
from django.utils import translation
from scipy.special import hyp2f1

from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.insights.models import CustomerInsight
from klantvriend.insights.prediction import (
    DAYS_PER_MONTH,
    DAYS_PER_WEEK,
    CustomerHistory,
    Fit,
    SpendFit,
    customer_rows,
)
from klantvriend.insights.selectors import insight_card
from klantvriend.insights.services import insights_refresh

from .factories import butcher_history, lapsed_insight

# Fader, Hardie & Lee (2005)'s BG/NBD estimates on the CDNOW data, in weeks.
CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def _if_alive(t: float, x: float, age: float) -> float:
    """The bracket of eq. (10) of Fader, Hardie & Lee (2005): expected purchases in (T, T+t]
    of a customer still active at T, written out here apart from the engine."""
    r, alpha, a, b = CDNOW["r"], CDNOW["alpha"], CDNOW["a"], CDNOW["b"]
    z = t / (alpha + age + t)
    return (
        (a + b + x - 1)
        / (a - 1)
        * (
            1
            - ((alpha + age) / (alpha + age + t)) ** (r + x)
            * hyp2f1(r + x, b + x, a + b + x - 1, z)
        )
    )


def _lapsed_history() -> CustomerHistory:
    """Eleven purchase days, one every three weeks, 25 euros on each repeat day, then away for
    thirty weeks."""
    return CustomerHistory(
        customer_id=np.array([1]),
        frequency=np.array([10.0]),
        recency=np.array([30.0]),
        age=np.array([60.0]),
        monetary_value=np.array([25.0]),
        spend_cents=np.array([27500]),
        repeat_spend_cents=np.array([25000]),
        purchase_days=np.array([11]),
        days_since_last=np.array([210]),
        days_since_first=np.array([420]),
        days_as_customer=np.array([420]),
        bought_before_records=np.array([False]),
        first_purchase_day=np.array(["2025-05-01"], dtype="datetime64[D]"),
        usual_interval_days=np.array([21.0]),
    )


def test_a_lapsed_customer_keeps_what_they_would_buy_and_be_worth_if_still_a_customer():
    # Given the CDNOW fit and a customer who came every three weeks and is away for thirty
    fit = Fit(
        rfm_cuts={
            "recency": [-300.0, -200.0, -100.0, -50.0],
            "frequency": [1.0, 2.0, 3.0, 5.0],
            "monetary": [1000.0, 2000.0, 5000.0, 10000.0],
        },
        valuable_spend_cents=10000,
    ).with_model("bgnbd", CDNOW, SpendFit(None, 20.0))
    # When their row is computed
    rows = customer_rows(history=_lapsed_history(), is_ambassador=np.array([False]), fit=fit)
    # Then they are probably gone (2.3%) and expected to be worth 3.60 euros
    assert rows["probability_alive"][0] == pytest.approx(0.0229061, abs=1e-7)
    assert rows["value_cents"][0] == 360
    # but if still a customer they buy some 6.7 times in a year (eq. 10's bracket), and their
    # twelve months, discounted by 1% a month, at their own 25 euros a purchase are worth
    # 157.06 euros: the value is P(alive) times it
    purchases = _if_alive(365 / DAYS_PER_WEEK, 10.0, 60.0)
    assert rows["expected_purchases_365_if_alive"][0] == pytest.approx(purchases, rel=1e-9)
    assert purchases == pytest.approx(6.667332, abs=1e-6)
    month = DAYS_PER_MONTH / DAYS_PER_WEEK
    cumulative = [_if_alive(m * month, 10.0, 60.0) for m in range(13)]
    value = sum((cumulative[m] - cumulative[m - 1]) / 1.01**m for m in range(1, 13)) * 25.0
    assert rows["value_if_alive_cents"][0] == round(value * 100) == 15706
    assert rows["value"][0] == pytest.approx(rows["probability_alive"][0] * value, rel=1e-9)


def test_the_refresh_keeps_each_customers_value_if_still_a_customer_as_the_advice_averages_it(
    business,
):
    # Given the butcher's regulars, some of whom stopped coming long ago
    butcher_history(business)
    # When refreshed
    run = insights_refresh(business=business)
    insights = list(CustomerInsight.objects.filter(business=business))
    # Then every customer keeps their value and purchases if still a customer, of which the
    # value and the expected purchases are the share P(alive) (to the rounding of the cents)
    for insight in insights:
        alive = insight.probability_alive
        assert insight.value_if_alive_cents >= insight.value_cents
        assert abs(insight.value_cents - alive * insight.value_if_alive_cents) <= 1
        assert insight.expected_purchases_365 == pytest.approx(
            alive * insight.expected_purchases_365_if_alive, rel=1e-9, abs=1e-12
        )
    # And the advice's mean per segment is theirs, to half a cent a customer
    for row in run.figures["advice"]["by_segment"]:
        kept = [i.value_if_alive_cents for i in insights if i.segment == row["segment"]]
        assert len(kept) == row["customers"]
        assert row["mean_value_if_active"] == pytest.approx(sum(kept) / len(kept), abs=0.5)


def _lapsed_insight(business, **fields):
    """The customer of the first test as their insight keeps them."""
    return lapsed_insight(CustomerFactory(business=business), **fields)


@pytest.mark.parametrize(
    ("language", "margin", "cents", "why"),
    [
        (
            "nl",
            30,
            4712,
            "30% marge op €\u00a0157,06 uit ongeveer 6,7 aankopen in 12 maanden, als deze klant "
            "terugkomt en koopt zoals vroeger. Een telefoontje of gebaar om deze klant terug te "
            "winnen loont als het minder kost dan de kans dat het lukt maal dit bedrag.",
        ),
        (
            "en",
            45,
            7068,
            "45% margin on €157.06 from about 6.7 purchases in 12 months, if they come back and "
            "buy as they used to. A call or gesture to win them back pays when it costs less "
            "than the chance it works times this amount.",
        ),
    ],
)
def test_the_card_of_a_lapsed_customer_says_what_winning_them_back_is_worth(
    business, language, margin, cents, why
):
    insight = _lapsed_insight(business)

    with translation.override(language):
        card = insight_card(insight=insight, margin_percent=margin, currency="EUR")

    # 30% of 157.06 euros is 47.118, 45% 70.677: whole cents
    assert (card.won_back.cents, card.won_back.why) == (cents, why)


@pytest.mark.parametrize(
    "fields",
    [
        # probably still a customer: the figure would nearly be their value
        {"probability_alive": 0.6},
        # one purchase day: no model sees them leave
        {"purchase_days": 1, "usual_interval_days": None},
        # no model
        {"probability_alive": None, "value_cents": None, "value_if_alive_cents": None},
    ],
)
def test_no_win_back_figure_where_the_customer_has_not_probably_left(business, fields):
    insight = _lapsed_insight(business, **{"expected_purchases_365_if_alive": 1.0, **fields})

    assert insight_card(insight=insight, margin_percent=30).won_back is None


@pytest.mark.parametrize(
    ("language", "why"),
    [
        (
            "nl",
            "wat terugwinnen waard is, komt erbij bij de volgende berekening (meestal 's nachts)",
        ),
        (
            "en",
            "what winning them back is worth is added by the next computation (usually overnight)",
        ),
    ],
)
def test_a_row_of_a_refresh_before_it_was_kept_says_the_next_one_adds_it(business, language, why):
    insight = _lapsed_insight(
        business, expected_purchases_365_if_alive=None, value_if_alive_cents=None
    )

    with translation.override(language):
        card = insight_card(insight=insight, margin_percent=30)

    assert (card.won_back.cents, card.won_back.why) == (None, why)
