"""An empty or blank name is refused as a sentence in either language: the Dutch text was
Django's own, without its full stop, unlike every other refusal of the API."""

import json

import pytest

from klantvriend.customers import services
from klantvriend.customers.models import Customer
from klantvriend.isolation import snapshot


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "This field cannot be blank."), ("nl", "Dit veld mag niet leeg zijn.")],
)
@pytest.mark.parametrize("name", ["", "   "])
def test_a_customer_without_a_name_is_refused_on_the_name(api, business, language, message, name):
    response = api.post(
        "/api/v1/customers",
        data=json.dumps({"name": name, "city": "Zutphen"}),
        content_type="application/json",
        headers={"Accept-Language": language},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", "name"], "msg": message, "type": "blank"}]
    }
    assert Customer.objects.count() == 0


def test_a_name_emptied_by_a_patch_is_refused_and_the_name_kept(api, business):
    customer = services.customer_create(business=business, name="Anna")
    before = snapshot()

    response = api.patch(
        f"/api/v1/customers/{customer.pk}",
        data=json.dumps({"name": ""}),
        content_type="application/json",
        headers={"Accept-Language": "nl"},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["body", "name"], "msg": "Dit veld mag niet leeg zijn.", "type": "blank"}
        ]
    }
    assert snapshot() == before
