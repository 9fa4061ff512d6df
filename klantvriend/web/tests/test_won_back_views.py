"""A customer who has probably left, as the owner meets them: their profile says what winning
them back is worth, the advice says what adds the column a refresh of before it lacks, and
Today counts their days away to today, leaving out whoever came back since the refresh."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from klantvriend.aftercare.models import FollowUp
from klantvriend.core.accounts import account_language_set
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.insights.services import insight_settings_update
from klantvriend.insights.tests.factories import (
    CustomerInsightFactory,
    advice_run,
    lapsed_insight,
)


def _shown(page: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]*)<', page)[1]


def _lapsed(business, **fields):
    """Eleven purchase days, one every three weeks, then away for thirty weeks: 2.3% alive,
    157.06 euros in some 6.7 purchases a year if still a customer (factories.lapsed_insight)."""
    customer = CustomerFactory(business=business, name="Joke Bakker")
    PurchaseFactory(customer=customer, amount_cents=27500)
    lapsed_insight(customer, **fields)
    return customer


@pytest.mark.parametrize(
    ("language", "label", "figure", "why"),
    [
        (
            "nl",
            "Marge als je ze terugwint (12 maanden)",
            "€\u00a070,68",
            "45% marge op €\u00a0157,06 uit ongeveer 6,7 aankopen in 12 maanden, als deze klant "
            "terugkomt en koopt zoals vroeger. Een telefoontje of gebaar om deze klant terug te "
            "winnen loont als het minder kost dan de kans dat het lukt maal dit bedrag.",
        ),
        (
            "en",
            "Margin if won back (12 months)",
            "€70.68",
            "45% margin on €157.06 from about 6.7 purchases in 12 months, if they come back and "
            "buy as they used to. A call or gesture to win them back pays when it costs less "
            "than the chance it works times this amount.",
        ),
    ],
)
def test_the_profile_of_a_lapsed_customer_says_what_winning_them_back_is_worth(
    staff_client, staff_user, business, language, label, figure, why
):
    # Given the owner's margin of 45% and a customer who has probably left
    insight_settings_update(business=business, margin_percent=45)
    customer = _lapsed(business)
    account_language_set(user=staff_user, language=language)

    page = staff_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    # Then beside the value of 3.60 euros stands 45% of 157.06 euros, and what it assumes
    assert _shown(page, "insight-value") == ("€\u00a03,60" if language == "nl" else "€3.60")
    assert f'<span class="fact-label">{label}</span>' in page
    assert _shown(page, "insight-won-back") == figure
    assert _shown(page, "insight-won-back-why") == why


def test_a_customer_still_there_shows_no_win_back_figure(owner_client, business):
    customer = _lapsed(business, probability_alive=0.95)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    assert 'data-testid="insight-value"' in page
    assert "insight-won-back" not in page


def test_the_win_back_figure_costs_the_profile_no_query(
    owner_client, business, django_assert_max_num_queries
):
    still_there = _lapsed(business, probability_alive=0.95)
    lapsed = _lapsed(business)
    with django_assert_max_num_queries(60) as plain:
        owner_client.get(reverse("web:customer_detail", args=[still_there.pk]))

    with django_assert_max_num_queries(len(plain.captured_queries)):
        page = owner_client.get(reverse("web:customer_detail", args=[lapsed.pk])).content
    assert b'data-testid="insight-won-back">' in page


def _older_run(business):
    """A refresh with a model from before the worth if won back was kept per segment."""
    run = advice_run(
        business,
        as_of=dt.date(2026, 11, 2),
        customers=30,
        came_back=20,
        total=100000.0,
        repeat=70000.0,
        top_fifth_customers=6,
        top_fifth=50000.0,
    )
    run.figures["advice"]["based_on_model"] = True
    run.figures["advice"]["by_segment"] = [
        {
            "segment": "champion",
            "customers": 10,
            "mean_value": 60000.0,
            "attention_worth_per_year": 1800.0,
        }
    ]
    run.save()
    return run


@pytest.mark.parametrize(
    ("language", "missing", "now"),
    [
        (
            "nl",
            "De kolom “marge per jaar als je ze terugwint” ontbreekt: deze berekening is van "
            "voordat die erbij kwam. Hij verschijnt na de volgende berekening (elke nacht en na "
            "elke import).",
            " Of nu: “Bewaren en opnieuw berekenen” onder “Jouw marge” hieronder.",
        ),
        (
            "en",
            "The column “margin a year if won back” is missing: this computation is from before "
            "it was added. It appears after the next computation (every night and after every "
            "import).",
            " Or now: “Save and recompute” under “Your margin” below.",
        ),
    ],
)
def test_the_advice_of_an_older_refresh_says_what_adds_the_worth_if_won_back(
    owner_client, owner, staff_client, staff_user, business, language, missing, now
):
    run = _older_run(business)
    account_language_set(user=owner, language=language)
    account_language_set(user=staff_user, language=language)

    page = owner_client.get(reverse("web:insights_advice")).content.decode()
    staff_page = staff_client.get(reverse("web:insights_advice")).content.decode()

    # The owner is told the button that recomputes now; staff, who cannot, only when it comes
    assert f'<p class="notice" data-testid="won-back-missing">{missing}{now}</p>' in page
    assert f'<p class="notice" data-testid="won-back-missing">{missing}</p>' in staff_page
    # And a refresh that kept it, or one without a model (which never has it), says nothing
    run.figures["advice"]["by_segment"][0] |= {
        "mean_value_if_active": 66000.0,
        "won_back_worth_per_year": 19800.0,
    }
    run.save()
    assert (
        "won-back-missing" not in owner_client.get(reverse("web:insights_advice")).content.decode()
    )
    run.figures["advice"]["based_on_model"] = False
    del run.figures["advice"]["by_segment"][0]["won_back_worth_per_year"]
    run.save()
    assert (
        "won-back-missing" not in owner_client.get(reverse("web:insights_advice")).content.decode()
    )


def _slipping(business, name, *, spend_cents, bought_cents, computed_days_ago=3):
    """A customer slipping away in a refresh `computed_days_ago`, then 48 days away after
    coming every other day; `bought_cents` is what their purchases add up to now."""
    customer = CustomerFactory(business=business, name=name, phone="06 11223344")
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
        "Heeft tot nu toe €\u00a04.940,10 besteed; kwam 60 keer, meestal elke 2 dagen, nu 51 "
        "dagen niet gezien."
    )
    assert "<td>kwam 60 keer, meestal elke 2 dagen, nu 51 dagen niet gezien</td>" in rows
    assert FollowUp.objects.get(customer=customer).note == (
        "Bellen en vragen hoe het gaat: waardevolle klant, kwam 60 keer, meestal elke 2 dagen, "
        "nu 51 dagen niet gezien."
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


def test_the_advice_names_the_segment_to_win_back_first(owner_client, business):
    run = _older_run(business)
    rows = {
        "champion": (10, 60000.0, 1800.0, 70000.0),  # still here: not one to win back
        "cant_lose": (12, 0.0, 0.0, 31699.0),
        "lost": (25, 314.0, 9.0, 119.0),
    }
    run.figures["advice"]["by_segment"] = [
        {
            "segment": segment,
            "customers": customers,
            "mean_value": mean,
            "attention_worth_per_year": attention,
            "won_back_worth_per_year": won_back,
            "mean_value_if_active": won_back / 0.3,
        }
        for segment, (customers, mean, attention, won_back) in rows.items()
    ]
    run.save()

    page = owner_client.get(reverse("web:insights_advice")).content.decode()

    first = re.search(r'<p data-testid="win-back-first">(.*?)</p>', page, re.S)[1]
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", first)).strip() == (
        "Eerst terugwinnen: de 12 klanten “Mag je niet verliezen”, elk € 316,99 marge per jaar "
        "als ze terugkomen. De meesten zijn waarschijnlijk weg; daarom is hun verwachte waarde "
        "nu laag, niet omdat ze terug weinig waard zouden zijn. Bekijk wie het zijn, wie het "
        "meest besteedde bovenaan"
    )
    # Their value now is near nothing for all of them: by spend, not by name.
    assert 'href="/customers/?segment=cant_lose&amp;order=-spend"' in first


def test_no_segment_is_to_be_won_back_whom_the_model_mostly_keeps(owner_client, business):
    # Given an office whose hibernating clients are worth € 431 a year if they come back, and
    # whom the model gives 88% on average (their value now € 1.250 of € 1.437), beside lost
    # ones worth € 120 back of whom most have left (€ 40 of € 400)
    run = _older_run(business)
    rows = {
        "hibernating": (5, 125000.0, 431.0, 143700.0),
        "lost": (2, 4000.0, 120.0, 40000.0),
    }
    run.figures["advice"]["by_segment"] = [
        {
            "segment": segment,
            "customers": customers,
            "mean_value": mean,
            "attention_worth_per_year": attention,
            "won_back_worth_per_year": won_back,
            "mean_value_if_active": if_active,
        }
        for segment, (customers, mean, won_back, if_active) in rows.items()
        for attention in [0.0]
    ]
    run.save()

    page = owner_client.get(reverse("web:insights_advice")).content.decode()

    # Then the lost are the ones to win back first, though the hibernating are worth more
    # back: "most of them have probably left" was said of clients the model gave 88%
    first = re.search(r'<p data-testid="win-back-first">(.*?)</p>', page, re.S)[1]
    assert "de 2 klanten “Verloren”" in first
    assert 'href="/customers/?segment=lost&amp;order=-spend"' in first

    # And with only the hibernating there is no one to win back first
    run.figures["advice"]["by_segment"] = run.figures["advice"]["by_segment"][:1]
    run.save()
    page = owner_client.get(reverse("web:insights_advice")).content.decode()
    assert 'data-testid="win-back-first"' not in page
