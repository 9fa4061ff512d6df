"""The advice says what it rests on: none below 20 customers or 90 days of purchases, a caveat
naming the customers and the months below 100 customers or a year, nothing from there on
(clv.advice.advice_footing, docs/advisor.md "How sure the advice is"); in both languages, on
the page (the API's in klantvriend/api/tests/test_insights_api.py)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from klantvriend.core.accounts import account_language_set
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.insights.messages import advice_caveat, history_shown
from klantvriend.insights.services import insights_refresh
from klantvriend.insights.tests.factories import advice_run

THIN_SMALL_SHOP = (
    "Based on 20 customers and 10 months of purchases: too little to be sure. The advice "
    "becomes more reliable with 80 more customers and after 2 more months of purchases.",
    "Op 20 klanten en 10 maanden aankopen: te weinig om zeker te zijn. Het advies wordt "
    "betrouwbaarder met 80 klanten meer en na nog 2 maanden aankopen.",
)


@pytest.mark.parametrize(
    ("customers", "history_days", "english", "dutch"),
    [
        (20, 332, *THIN_SMALL_SHOP),
        (
            20,
            90,
            "Based on 20 customers and 2 months of purchases: too little to be sure. The advice "
            "becomes more reliable with 80 more customers and after 10 more months of purchases.",
            "Op 20 klanten en 2 maanden aankopen: te weinig om zeker te zijn. Het advies wordt "
            "betrouwbaarder met 80 klanten meer en na nog 10 maanden aankopen.",
        ),
        (
            99,
            800,
            "Based on 99 customers and 2 years of purchases: too little to be sure. The advice "
            "becomes more reliable with 1 more customer.",
            "Op 99 klanten en 2 jaar aankopen: te weinig om zeker te zijn. Het advies wordt "
            "betrouwbaarder met 1 klant meer.",
        ),
        (
            100,
            364,
            "Based on 100 customers and 11 months of purchases: too little to be sure. The "
            "advice becomes more reliable after 1 more month of purchases.",
            "Op 100 klanten en 11 maanden aankopen: te weinig om zeker te zijn. Het advies wordt "
            "betrouwbaarder na nog 1 maand aankopen.",
        ),
        # Firm, and no advice at all: no caveat.
        (100, 365, "", ""),
        (19, 365, "", ""),
        (5000, 89, "", ""),
    ],
)
def test_the_caveat_names_what_the_advice_rests_on_and_what_makes_it_surer(
    customers, history_days, english, dutch
):
    for language, text in (("en", english), ("nl", dutch)):
        with translation.override(language):
            assert advice_caveat(customers=customers, history_days=history_days) == text


@pytest.mark.parametrize(
    ("history_days", "english", "dutch"),
    [
        (30, "0 months", "0 maanden"),
        (31, "1 month", "1 maand"),
        (364, "11 months", "11 maanden"),
        (365, "11 months", "11 maanden"),
        (366, "12 months", "12 maanden"),
        (730, "23 months", "23 maanden"),
        (731, "2 years", "2 jaar"),
        (1095, "2 years", "2 jaar"),
        (1096, "3 years", "3 jaar"),
    ],
)
def test_a_history_is_said_in_whole_months_then_whole_years_never_rounded_up(
    history_days, english, dutch
):
    for language, text in (("en", english), ("nl", dutch)):
        with translation.override(language):
            assert history_shown(history_days) == text


def _shop(business, *, customers, now):
    """`customers` customers whose first purchase lies 100 days back at most, five of whom came
    back."""
    for index in range(customers):
        customer = CustomerFactory(business=business, name=f"Klant {index}")
        PurchaseFactory(
            customer=customer, amount_cents=2500, at=now - dt.timedelta(days=100 - index)
        )
        if index < 5:
            PurchaseFactory(customer=customer, amount_cents=2500, at=now - dt.timedelta(days=10))


def test_below_twenty_customers_the_refresh_gives_no_advice(business):
    now = dt.datetime(2026, 6, 15, 12, tzinfo=business.tzinfo)
    _shop(business, customers=19, now=now)

    run = insights_refresh(business=business, now=now)

    assert "advice" not in run.figures
    assert run.not_enough_data == "Not enough data yet: 1 more customer needed."
    assert run.advice_caveat_text() == ""


def test_from_twenty_customers_the_refresh_gives_advice_with_its_caveat(business):
    now = dt.datetime(2026, 6, 15, 12, tzinfo=business.tzinfo)
    _shop(business, customers=20, now=now)

    run = insights_refresh(business=business, now=now)

    assert run.figures["advice"]["n_customers"] == 20
    assert run.figures["advice"]["history_days"] == 100
    with translation.override("en"):
        assert run.advice_caveat_text() == (
            "Based on 20 customers and 3 months of purchases: too little to be sure. The advice "
            "becomes more reliable with 80 more customers and after 9 more months of purchases."
        )


def thin_or_firm_run(business, *, customers, history_days):
    """A relationship advice on `customers` customers and `history_days` days of purchases."""
    return advice_run(
        business,
        as_of=dt.date(2026, 12, 1),
        customers=customers,
        came_back=customers // 2,
        total=100_000,
        repeat=70_000,
        top_fifth_customers=customers // 5,
        top_fifth=40_000,
        history_days=history_days,
    )


@pytest.mark.parametrize(
    ("language", "text"), [("en", THIN_SMALL_SHOP[0]), ("nl", THIN_SMALL_SHOP[1])]
)
def test_the_advice_page_says_under_its_verdict_what_it_rests_on(
    owner_client, owner, business, language, text
):
    thin_or_firm_run(business, customers=20, history_days=332)
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:insights_advice")).content.decode()

    assert f'<p class="notice" data-testid="advice-caveat">{text}</p>' in page
    assert 'data-testid="advice-verdict"' in page


@pytest.mark.parametrize("history_days", [365, None])
def test_a_firm_advice_and_one_from_before_the_history_was_kept_have_no_caveat(
    owner_client, business, history_days
):
    thin_or_firm_run(business, customers=100, history_days=history_days)

    page = owner_client.get(reverse("web:insights_advice")).content.decode()

    assert 'data-testid="advice-verdict"' in page
    assert "advice-caveat" not in page


def test_without_advice_the_page_says_what_is_missing_and_gives_no_verdict(owner_client, business):
    now = dt.datetime(2026, 6, 15, 12, tzinfo=business.tzinfo)
    _shop(business, customers=19, now=now)
    insights_refresh(business=business, now=now)

    page = owner_client.get(reverse("web:insights_advice")).content.decode()

    assert (
        '<p class="notice" data-testid="not-enough-data">'
        "Nog niet genoeg gegevens: nog 1 klant nodig.</p>"
    ) in page
    assert "advice-verdict" not in page
    assert "advice-caveat" not in page


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "Below 20 customers or 90 days of purchases there is no advice yet. Below 100 "
            "customers or a year of purchases the advice says what it rests on: with few "
            "customers chance moves the shares, and in less than a year the customers who come "
            "once a year or in one season cannot have come back yet.",
        ),
        (
            "nl",
            "Onder 20 klanten of 90 dagen aankopen is er nog geen advies. Onder 100 klanten of "
            "een jaar aankopen zegt het advies waarop het rust: bij weinig klanten verschuift "
            "het toeval de aandelen, en in minder dan een jaar kunnen klanten die eens per jaar "
            "of in één seizoen komen nog niet teruggekomen zijn.",
        ),
    ],
)
def test_the_why_page_gives_the_borders_of_the_advice(owner_client, owner, language, text):
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:insights_advice_why")).content.decode()

    assert f'<p data-testid="advice-why-footing">{text}</p>' in page
