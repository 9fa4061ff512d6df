"""No one bought here before they were a customer: "customer since" changed to after the
customer's first purchase is refused at the field, naming that day, in the form and in the API,
and nothing changes; a day up to the first purchase is taken (customers.services)."""

import json
from datetime import date, datetime

import pytest
from django.urls import reverse

from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory


@pytest.fixture
def anna(business):
    customer = CustomerFactory(business=business, name="Anna", customer_since=date(2025, 1, 10))
    PurchaseFactory(customer=customer, at=datetime(2026, 2, 10, 0, 30, tzinfo=business.tzinfo))
    PurchaseFactory(customer=customer, at=datetime(2026, 4, 1, 12, tzinfo=business.tzinfo))
    return customer


def _stored(customer):
    return Customer.objects.filter(pk=customer.pk).values().get()


def test_the_form_refuses_a_customer_since_after_the_first_purchase(owner_client, anna):
    before = _stored(anna)
    form = {"name": "Anna", "acquisition_channel": "walk_in", "phone": "0612345678"}

    refused = owner_client.post(
        reverse("web:customer_edit", args=[anna.pk]), {**form, "customer_since": "2026-02-11"}
    )

    assert refused.status_code == 422
    # 00:30 on 10 February in the shop's time zone, 23:30 on the 9th in UTC: the shop's day.
    assert refused.context["form"].errors == {
        "customer_since": [
            "Deze klant kocht hier voor het eerst op 10 februari 2026: “klant sinds” is "
            "uiterlijk die dag."
        ]
    }
    assert _stored(anna) == before

    taken = owner_client.post(
        reverse("web:customer_edit", args=[anna.pk]), {**form, "customer_since": "2026-02-10"}
    )

    assert taken.status_code == 302
    anna.refresh_from_db()
    assert (anna.customer_since, anna.phone) == (date(2026, 2, 10), "0612345678")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "en",
            "This customer first bought here on 10 February 2026: “customer since” is that day "
            "at the latest.",
        ),
        (
            "nl",
            "Deze klant kocht hier voor het eerst op 10 februari 2026: “klant sinds” is "
            "uiterlijk die dag.",
        ),
    ],
)
def test_the_api_refuses_it_at_the_field_in_the_readers_language(api, anna, language, message):
    before = _stored(anna)

    refused = api.patch(
        f"/api/v1/customers/{anna.pk}",
        data=json.dumps({"phone": "06 12345678", "customer_since": "2026-03-01"}),
        content_type="application/json",
        headers={"Accept-Language": language},
    )

    assert (refused.status_code, refused.json()) == (
        422,
        {
            "detail": [
                {
                    "loc": ["body", "customer_since"],
                    "msg": message,
                    "type": "after_first_purchase",
                }
            ]
        },
    )
    assert _stored(anna) == before


def test_a_day_stored_before_the_rule_stays_while_other_fields_change(api, business):
    """A customer whose day lies after their first purchase (stored before the rule) is not
    stopped from a change that leaves the day alone."""
    bert = CustomerFactory(business=business, customer_since=date(2026, 5, 1))
    PurchaseFactory(customer=bert, at=datetime(2026, 2, 10, 12, tzinfo=business.tzinfo))
    Customer.objects.filter(pk=bert.pk).update(customer_since=date(2026, 5, 1))

    changed = api.patch(
        f"/api/v1/customers/{bert.pk}",
        data=json.dumps({"phone": "06 12345678"}),
        content_type="application/json",
    )

    assert changed.status_code == 200
    bert.refresh_from_db()
    assert (bert.customer_since, bert.phone) == (date(2026, 5, 1), "06 12345678")
