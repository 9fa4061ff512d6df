"""/insights/scorecard, /insights/advice and the insight fields of /customers/{id}."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from klantvriend.core.money import whole_cents
from klantvriend.customers.selectors import customer_briefing
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.insights.models import InsightRun
from klantvriend.insights.services import insights_refresh
from klantvriend.insights.tests.factories import butcher_history, promises_and_late_complaints
from klantvriend.insights.tests.test_advice_footing import THIN_SMALL_SHOP, thin_or_firm_run
from klantvriend.surveys.tests.factories import SurveyResponseFactory


@pytest.fixture
def api(membership):
    from django.test import Client

    from klantvriend.core.services import apitoken_create

    _token, secret = apitoken_create(membership=membership, name="test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_advice_and_customer_insight_after_a_refresh(api, business):
    customers, _ids = butcher_history(business)
    insights_refresh(business=business)
    advice = api.get("/api/v1/insights/advice").json()
    assert advice["verdict"] == "relationship"
    assert advice["not_enough_data"] == ""
    assert 0.6 < advice["repeat_customer_share"] <= 1
    assert advice["by_segment"]
    stored = InsightRun.objects.get(business=business).figures["advice"]["by_segment"]
    assert [row["won_back_worth_per_year_cents"] for row in advice["by_segment"]] == [
        whole_cents(row["won_back_worth_per_year"]) for row in stored
    ]
    customer = api.get(f"/api/v1/customers/{customers[1].pk}").json()
    assert customer["insight"]["segment"] in {"champion", "regular", "at_risk", "cant_lose"}
    assert customer["insight"]["value_cents"] > 0
    assert 0 <= customer["insight"]["probability_alive"] <= 1


def test_advice_without_data_is_honest(api):
    advice = api.get("/api/v1/insights/advice").json()
    assert advice["verdict"] is None
    assert advice["not_enough_data"]


def test_scorecard_lists_every_figure_with_a_light(api):
    card = api.get("/api/v1/insights/scorecard").json()
    keys = [figure["key"] for figure in card["figures"]]
    assert keys == [
        "promises",
        "complaint_response",
        "complaint_resolution",
        "aftercare",
        "nps",
        "drivers",
        "repeat_rate",
        "referrals",
    ]
    nps = card["figures"][4]
    assert (nps["value"], nps["light"]) == (None, "grey")
    assert (nps["change_margin"], nps["change_within_margin"]) == (None, False)
    assert card["next_action"]
    assert (card["weakest"], card["passed_over"]) == (None, None)


def test_the_scorecard_names_the_figure_passed_over_for_its_few_cases(api, business):
    promises_and_late_complaints(business, timezone.now())

    card = api.get("/api/v1/insights/scorecard").json()

    assert (card["weakest"], card["passed_over"]) == ("promises", "complaint_response")


def test_a_figure_below_target_on_one_case_is_grey_and_passed_over(api, business):
    PurchaseFactory(
        customer=CustomerFactory(business=business), at=timezone.now() - timedelta(hours=1)
    )

    card = api.get("/api/v1/insights/scorecard").json()

    repeat = next(figure for figure in card["figures"] if figure["key"] == "repeat_rate")
    assert (repeat["value"], repeat["light"]) == (0.0, "grey")
    assert (card["weakest"], card["passed_over"]) == (None, "repeat_rate")


def test_the_nps_change_carries_its_margin_of_error(api, business):
    """40 answers at NPS 25 (SE 13.1101) against 40 at NPS 15 before (SE 12.5250): the change
    of +10 is within 1.959964 * sqrt(13.1101^2 + 12.5250^2) = 35.5370."""
    customer = CustomerFactory(business=business)
    for days, scores in [
        (10, [10] * 20 + [8] * 10 + [3] * 10),
        (100, [10] * 16 + [8] * 14 + [3] * 10),
    ]:
        for score in scores:
            SurveyResponseFactory(
                customer=customer, answered_at=timezone.now() - timedelta(days=days), nps=score
            )

    nps = api.get("/api/v1/insights/scorecard").json()["figures"][4]

    assert nps["change"] == pytest.approx(10.0)
    assert nps["change_margin"] == pytest.approx(35.537017, abs=1e-6)
    assert nps["change_within_margin"] is True


def test_a_customer_carries_the_total_spend_the_profile_shows_not_only_the_last_refresh(
    api, business
):
    """The insight's spend is as of its refresh (nightly); the profile's "Total spend" counts
    every purchase now. The API gives both, so an integration shows what the counter sees."""
    anna = CustomerFactory(business=business)
    PurchaseFactory(customer=anna, amount_cents=1250, at=timezone.now() - timedelta(days=40))
    PurchaseFactory(customer=anna, amount_cents=800, at=timezone.now() - timedelta(days=20))
    insights_refresh(business=business)
    PurchaseFactory(customer=anna, amount_cents=499)

    body = api.get(f"/api/v1/customers/{anna.pk}").json()

    assert body["total_spend_cents"] == customer_briefing(customer=anna).total_spend_cents == 2549
    assert body["insight"]["spend_cents"] == 2050
    assert (
        api.get(f"/api/v1/customers/{CustomerFactory(business=business).pk}").json()[
            "total_spend_cents"
        ]
        == 0
    )


def test_advice_amounts_are_whole_cents_rounded_half_to_even(api, business):
    """The advisor computes means (fractional cents); an amount in cents is a whole number, as
    purchases and customer values are. Ties go to the even cent, as np.rint stores a customer's
    value and the advice page shows it."""
    InsightRun.objects.create(
        business=business,
        as_of=date(2026, 3, 1),
        figures={
            "advice": {
                "verdict": "relationship",
                "attention_worth_per_customer": 1234.5,
                "by_segment": [
                    {
                        "segment": "champion",
                        "customers": 3,
                        "mean_value": 98765.4321,
                        "attention_worth_per_year": 1235.5,
                        "mean_value_if_active": 108765.4321,
                        "won_back_worth_per_year": 32629.5,
                    },
                    {
                        "segment": "regular",
                        "customers": 7,
                        "mean_value": 0.5,
                        "attention_worth_per_year": 2.5000001,
                    },
                ],
            }
        },
    )

    advice = api.get("/api/v1/insights/advice").json()

    assert advice["attention_worth_per_customer_cents"] == 1234
    assert advice["by_segment"] == [
        {
            "segment": "champion",
            "customers": 3,
            "mean_value_cents": 98765,
            "attention_worth_per_year_cents": 1236,
            "won_back_worth_per_year_cents": 32630,
        },
        {
            "segment": "regular",
            "customers": 7,
            "mean_value_cents": 0,
            "attention_worth_per_year_cents": 3,
            "won_back_worth_per_year_cents": None,
        },
    ]
    assert isinstance(advice["attention_worth_per_customer_cents"], int)
    schema = api.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schema["SegmentWorthOut"]["properties"]["mean_value_cents"]["type"] == "integer"


def test_advice_without_an_amount_gives_null(api, business):
    InsightRun.objects.create(
        business=business, as_of=date(2026, 3, 1), figures={"advice": {"verdict": None}}
    )

    assert api.get("/api/v1/insights/advice").json()["attention_worth_per_customer_cents"] is None


@pytest.mark.parametrize(
    ("language", "start"),
    [("en", "Not enough data yet: the insights"), ("nl", "Nog niet genoeg gegevens")],
)
def test_why_there_is_no_advice_is_said_in_the_language_asked_for(api, business, language, start):
    before = api.get("/api/v1/insights/advice", headers={"Accept-Language": language}).json()
    PurchaseFactory(customer=CustomerFactory(business=business))
    insights_refresh(business=business)
    after = api.get("/api/v1/insights/advice", headers={"Accept-Language": language}).json()

    assert before["not_enough_data"].startswith(start)
    assert after["not_enough_data"].startswith(start.split(":")[0])


@pytest.mark.parametrize(
    ("language", "text"), [("en", THIN_SMALL_SHOP[0]), ("nl", THIN_SMALL_SHOP[1])]
)
def test_the_api_gives_the_caveat_in_the_language_asked_for(api, business, language, text):
    thin_or_firm_run(business, customers=20, history_days=332)

    advice = api.get("/api/v1/insights/advice", headers={"Accept-Language": language}).json()

    assert advice["verdict"] == "relationship"
    assert advice["caveat"] == text


def test_the_api_gives_no_caveat_for_a_firm_advice_nor_without_one(api, business):
    assert api.get("/api/v1/insights/advice").json()["caveat"] == ""
    thin_or_firm_run(business, customers=100, history_days=365)
    assert api.get("/api/v1/insights/advice").json()["caveat"] == ""


def test_staff_see_no_amounts_through_the_api_when_the_owner_keeps_them(
    api, business, owner, staff_user
):
    """The owner's "staff see amounts" held on the pages and not in the API: a till's staff
    token read every customer's total spend and value, and the advice and scorecard."""
    from django.test import Client

    from klantvriend.core.care_settings import care_settings_update
    from klantvriend.core.services import apitoken_create
    from klantvriend.customers.models import Customer

    customers, _ids = butcher_history(business)
    Customer.objects.filter(pk=customers[2].pk).update(referred_by=customers[1])
    insights_refresh(business=business)
    _token, secret = apitoken_create(membership=staff_user.memberships.get(), name="kassa")
    staff = Client(headers={"Authorization": f"Bearer {secret}"})
    regular = f"/api/v1/customers/{customers[1].pk}"
    seen = staff.get(regular).json()
    assert seen["total_spend_cents"] > 0
    assert seen["insight"] is not None

    care_settings_update(business=business, actor=owner, staff_see_amounts=False)

    hidden = staff.get(regular)
    assert hidden.status_code == 200
    assert (hidden.json()["total_spend_cents"], hidden.json()["insight"]) == (None, None)
    assert hidden.json()["name"] == seen["name"]
    for route in ("/api/v1/insights/advice", "/api/v1/insights/scorecard"):
        refused = staff.get(route, headers={"Accept-Language": "nl"})
        assert refused.status_code == 403
        assert refused.json()["detail"] == (
            "De eigenaar van de zaak heeft gekozen dat medewerkers de bedragen en de "
            "klantwaarde van klanten niet zien."
        )
    # Nor what a referred customer spent (the referrals list gave it to staff regardless).
    assert [item["spend_cents"] for item in staff.get("/api/v1/referrals").json()["items"]] == [
        None
    ]
    # The owner sees them as ever.
    assert api.get(regular).json()["total_spend_cents"] == seen["total_spend_cents"]
    spent = api.get("/api/v1/referrals").json()["items"][0]["spend_cents"]
    assert spent == sum(purchase.amount_cents for purchase in customers[2].purchases.all())
    assert api.get("/api/v1/insights/advice").status_code == 200
