import json

import pytest

from klantvriend.customers.models import Customer, LegalBasis
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.surveys.models import SurveyInvitation, SurveyResponse
from klantvriend.surveys.services import hash_key, survey_answer
from klantvriend.surveys.tests.factories import SurveyResponseFactory


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def anna(business):
    return CustomerFactory(business=business, name="Anna de Vries", email="anna@example.nl")


def test_create_returns_the_public_url_once_and_stores_only_its_hash(api, anna):
    response = _post(api, "/api/v1/survey-invitations", {"customer": anna.pk})

    assert response.status_code == 201
    body = response.json()
    key = body["url"].rstrip("/").rsplit("/", 1)[1]
    invitation = SurveyInvitation.objects.get()
    assert invitation.token_hash == hash_key(key)
    assert body["channel"] == "link"
    got = api.get(f"/api/v1/survey-invitations/{invitation.pk}").json()
    assert "url" not in got
    assert got["customer"] == anna.pk
    listed = api.get("/api/v1/survey-invitations", {"customer": anna.pk}).json()
    assert listed["count"] == 1


def test_email_without_consent_and_a_second_invitation_are_refused(api, anna, business):
    refused = _post(api, "/api/v1/survey-invitations", {"customer": anna.pk, "channel": "email"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["type"] == "no_consent"
    assert "QR code" in refused.json()["detail"][0]["msg"]
    assert _post(api, "/api/v1/survey-invitations", {"customer": anna.pk}).status_code == 201
    again = _post(api, "/api/v1/survey-invitations", {"customer": anna.pk})
    # The customer's state, not the input: a conflict (docs/api.md).
    assert again.status_code == 409
    assert again.json()["code"] == "too_soon"
    assert SurveyInvitation.objects.count() == 1


def test_a_foreign_or_unknown_customer_does_not_exist(api, other_business):
    stranger = CustomerFactory(business=other_business)
    for customer in (stranger.pk, 10**6, "1"):
        response = _post(api, "/api/v1/survey-invitations", {"customer": customer})
        assert response.status_code == 422
    assert SurveyInvitation.objects.count() == 0


def test_responses_list_and_get_with_category(api, anna):
    promoter = SurveyResponseFactory(customer=anna, nps=10, comment="Top")
    SurveyResponseFactory(customer=anna, nps=2, comment="Slecht")

    listed = api.get("/api/v1/survey-responses", {"category": "promoter"}).json()
    assert listed["count"] == 1
    assert listed["items"][0]["category"] == "promoter"
    got = api.get(f"/api/v1/survey-responses/{promoter.pk}").json()
    assert (got["nps"], got["comment"], got["customer"]) == (10, "Top", anna.pk)


def test_nps_report(api, anna):
    # Thirty answers: a driver of fewer is not named (surveys.selectors.DRIVER_MIN_ANSWERS).
    for score in [10, 9, 9, 10, 9, 9, 7, 8, 3, 6] * 3:
        SurveyResponseFactory(customer=anna, nps=score, reliability=5 if score > 8 else 2)

    body = api.get("/api/v1/insights/nps").json()

    assert body["nps"]["score"] == pytest.approx(40.0)
    assert body["nps"]["interval_low"] == pytest.approx(40 - 1.959964 * 14.605935, abs=1e-3)
    assert len(body["trend"]) == 12
    assert body["most_separating_driver"] == "reliability"
    assert api.get("/api/v1/insights/nps", {"days": 0}).status_code == 422


def test_referrals_list_and_refused_referrers(api, business, anna):
    bram = CustomerFactory(business=business, name="Bram", referred_by=anna)
    PurchaseFactory(customer=bram, amount_cents=1234)

    body = api.get("/api/v1/referrals", {"referred_by": anna.pk}).json()
    assert body["count"] == 1
    assert body["items"][0] == {
        "customer": bram.pk,
        "customer_name": "Bram",
        "referred_by": anna.pk,
        "referred_by_name": "Anna de Vries",
        "customer_since": str(bram.customer_since),
        "spend_cents": 1234,
    }
    own = api.patch(
        f"/api/v1/customers/{anna.pk}",
        data=json.dumps({"referred_by": anna.pk}),
        content_type="application/json",
    )
    assert own.status_code == 422
    cycle = api.patch(
        f"/api/v1/customers/{anna.pk}",
        data=json.dumps({"referred_by": bram.pk}),
        content_type="application/json",
    )
    assert cycle.status_code == 422
    assert cycle.json()["detail"][0]["msg"] == (
        "Bram came in through Anna de Vries (directly or through others), so cannot have "
        "brought Anna de Vries in."
    )
    assert cycle.json()["detail"][0]["type"] == "referral_cycle"
    assert Customer.objects.get(pk=anna.pk).referred_by is None


def test_answers_are_not_writable_through_the_api(api, anna, business):
    assert _post(api, "/api/v1/survey-responses", {"nps": 10}).status_code == 405
    assert SurveyResponse.objects.count() == 0


def test_email_invitation_with_consent_through_the_api(api, business, mailoutbox):
    bram = CustomerFactory(
        business=business,
        email="bram@example.nl",
        marketing_consent=True,
        marketing_consent_basis=LegalBasis.CONSENT,
    )
    response = _post(api, "/api/v1/survey-invitations", {"customer": bram.pk, "channel": "email"})
    assert response.status_code == 201
    survey_answer(key=response.json()["url"].rstrip("/").rsplit("/", 1)[1], answers={"nps": 9})
    assert api.get("/api/v1/survey-responses").json()["count"] == 1
