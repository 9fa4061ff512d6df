"""/insights/scorecard, /insights/advice and the insight fields of /customers/{id}."""

import pytest

from klantvriend.insights.services import insights_refresh
from klantvriend.insights.tests.factories import butcher_history


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
    assert card["next_action"]
