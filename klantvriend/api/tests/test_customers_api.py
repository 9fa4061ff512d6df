import json
from datetime import date, timedelta

import pytest

from klantvriend.core.services import apitoken_revoke
from klantvriend.customers.models import ContactMoment, Customer, Purchase
from klantvriend.customers.services import customer_create
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def snapshot(customer: Customer) -> dict:
    return {
        field.name: getattr(customer, field.attname) for field in Customer._meta.concrete_fields
    }


def test_requests_without_a_valid_token_are_refused(db, client, business):
    assert client.get("/api/v1/customers").status_code == 401
    bad = client.get(
        "/api/v1/customers",
        headers={"Authorization": "Bearer kv_nonsense", "Accept-Language": "en"},
    )
    assert bad.status_code == 401
    assert bad.json() == {
        "detail": "A valid API token is needed, sent as 'Authorization: Bearer <token>'."
    }
    dutch = client.get("/api/v1/customers")  # Dutch unless another language is asked for
    assert dutch.json() == {
        "detail": "Een geldig API-token is nodig, meegestuurd als 'Authorization: Bearer <token>'."
    }
    assert bad["WWW-Authenticate"] == dutch["WWW-Authenticate"] == 'Bearer realm="Klantvriend API"'


def test_revoked_token_is_refused(api, membership):
    assert api.get("/api/v1/customers").status_code == 200
    apitoken_revoke(token=membership.api_tokens.get())
    refused = api.get("/api/v1/customers")
    assert refused.status_code == 401
    assert refused.json() == {
        "detail": "A valid API token is needed, sent as 'Authorization: Bearer <token>'."
    }


def test_list_is_paginated_and_searchable(api, business, other_business):
    for name in ["Anna de Vries", "José Öztürk", "Kees Bakker"]:
        CustomerFactory(business=business, name=name)
    CustomerFactory(business=other_business, name="José Elders")

    page = api.get("/api/v1/customers?limit=2&offset=0").json()
    found = api.get("/api/v1/customers?search=jose").json()

    assert page["count"] == 3
    assert [c["name"] for c in page["items"]] == ["Anna de Vries", "José Öztürk"]
    assert found == {"count": 1, "items": [found["items"][0]]}
    assert found["items"][0]["name"] == "José Öztürk"


def test_a_page_of_customers_carries_each_ones_tags_at_a_constant_cost(
    api, business, django_assert_num_queries
):
    customer_create(business=business, name="Anna", tags=["vaste klant", "buurt", "BBQ"])
    customer_create(business=business, name="Bram")
    customer_create(business=business, name="Cor", tags=["catering"])
    api.get("/api/v1/customers")  # the token's last use is written at most once a minute

    with django_assert_num_queries(4):  # token, page, tag links, kept count
        page = api.get("/api/v1/customers").json()
    for index in range(10):
        customer_create(business=business, name=f"Klant {index}", tags=["buurt", "catering"])
    with django_assert_num_queries(4):
        api.get("/api/v1/customers")

    anna = page["items"][0]
    assert api.get(f"/api/v1/customers/{anna['id']}").json()["tags"] == anna["tags"]
    assert [(c["name"], c["tags"]) for c in page["items"]] == [
        ("Anna", ["BBQ", "buurt", "vaste klant"]),  # as a single customer's: by code point
        ("Bram", []),
        ("Cor", ["catering"]),
    ]


def test_create_get_patch_and_delete_a_customer(api, business):
    created = post(
        api, "/api/v1/customers", {"name": "Anna", "phone": "06-12345678", "tags": ["buurt"]}
    )
    assert created.status_code == 201, created.content
    customer_id = created.json()["id"]
    assert created.json()["tags"] == ["buurt"]

    changed = patch(api, f"/api/v1/customers/{customer_id}", {"email": "anna@example.nl"})
    assert changed.status_code == 200
    assert changed.json()["email"] == "anna@example.nl"
    assert changed.json()["phone"] == "06-12345678"
    assert api.get(f"/api/v1/customers/{customer_id}").json()["email"] == "anna@example.nl"

    assert api.delete(f"/api/v1/customers/{customer_id}").status_code == 204
    assert not Customer.objects.filter(pk=customer_id).exists()


def test_a_customer_an_import_brought_in_without_the_day_says_so_until_it_is_sent(api, business):
    imported = CustomerFactory(business=business, customer_since_known=False)
    read = api.get(f"/api/v1/customers/{imported.pk}").json()

    kept = patch(api, f"/api/v1/customers/{imported.pk}", {"email": "anna@example.nl"}).json()
    dated = patch(api, f"/api/v1/customers/{imported.pk}", {"customer_since": "2015-09-01"}).json()

    assert read["customer_since_known"] is False
    assert read["customer_since"] == imported.customer_since.isoformat()
    assert kept["customer_since_known"] is False
    assert (dated["customer_since"], dated["customer_since_known"]) == ("2015-09-01", True)
    assert Customer.objects.get(pk=imported.pk).customer_since_known


@pytest.mark.parametrize(
    ("payload", "location", "message"),
    [
        ({"name": ""}, ["body", "name"], "This field cannot be blank."),
        ({"name": "Anna", "email": "anna@"}, ["body", "email"], "Enter a valid email address."),
        (
            {"name": "Anna", "phone": "bel me"},
            ["body", "phone"],
            "Enter a phone number of at least 8 digits, optionally starting with +, such as 06 "
            "12345678.",
        ),
        (
            {"name": "Anna", "special_notes": "Notenallergie"},
            ["body", "special_notes"],
            "Health, diet or allergy notes may only be stored with the customer's explicit consent.",
        ),
        (
            {"name": "Anna", "referred_by": 999999},
            ["body", "referred_by"],
            "This customer does not exist.",
        ),
    ],
)
def test_wrong_customer_input_gets_field_messages_and_stores_nothing(
    api, business, payload, location, message
):
    response = post(api, "/api/v1/customers", payload)

    assert response.status_code == 422
    assert {"loc": location, "msg": message} in [
        {"loc": error["loc"], "msg": error["msg"]} for error in response.json()["detail"]
    ]
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "“Customer since” cannot lie in the future: today at the latest."),
        ("nl", "“Klant sinds” kan niet in de toekomst liggen: uiterlijk vandaag."),
    ],
)
def test_a_customer_since_date_after_today_is_refused_on_create_and_change(
    api, business, language, message
):
    """In the business's time zone: today there is fine, tomorrow is refused and changes
    nothing, whether the customer is created or changed."""
    today = business.today()
    anna = customer_create(business=business, name="Anna", customer_since=date(2020, 5, 1))
    before = snapshot(anna)
    tomorrow = (today + timedelta(days=1)).isoformat()
    language_header = {"Accept-Language": language}

    created = api.post(
        "/api/v1/customers",
        data=json.dumps({"name": "Bram", "customer_since": tomorrow}),
        content_type="application/json",
        headers=language_header,
    )
    changed = api.patch(
        f"/api/v1/customers/{anna.pk}",
        data=json.dumps({"phone": "06 12345678", "customer_since": tomorrow}),
        content_type="application/json",
        headers=language_header,
    )
    kept = post(api, "/api/v1/customers", {"name": "Cees", "customer_since": today.isoformat()})

    refusal = {"loc": ["body", "customer_since"], "msg": message, "type": "future"}
    assert (created.status_code, created.json()) == (422, {"detail": [refusal]})
    assert (changed.status_code, changed.json()) == (422, {"detail": [refusal]})
    assert (kept.status_code, kept.json()["customer_since"]) == (201, today.isoformat())
    anna.refresh_from_db()
    assert snapshot(anna) == before
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["Anna", "Cees"]


def test_wrong_types_are_refused_not_coerced(api, business):
    response = post(api, "/api/v1/customers", {"name": "Anna", "marketing_consent": "yes"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "marketing_consent"
    assert Customer.objects.count() == 0


def test_messages_follow_the_requested_language(api, business):
    response = api.post(
        "/api/v1/customers",
        data=json.dumps({"name": "Anna", "email": "x@"}),
        content_type="application/json",
        headers={"Accept-Language": "nl"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Voer een geldig e-mailadres in."


@pytest.mark.parametrize(
    ("payload", "language", "expected"),
    [
        ({}, "en", {"loc": ["body", "name"], "msg": "This field is required.", "type": "missing"}),
        ({}, "nl", {"loc": ["body", "name"], "msg": "Dit veld is verplicht.", "type": "missing"}),
        (
            {"name": "A" * 201},
            "nl",
            {
                "loc": ["body", "name"],
                "msg": "Zorg dat deze waarde niet meer dan 200 tekens bevat (het zijn er nu 201).",
                "type": "string_too_long",
            },
        ),
        (
            {"name": "Anna", "birthday": "2020-02-30"},
            "nl",
            {
                "loc": ["body", "birthday"],
                "msg": "Voer een geldige datum in als JJJJ-MM-DD, bijvoorbeeld 2026-03-01.",
                "type": "date_from_datetime_parsing",
            },
        ),
        (
            {"name": "Anna", "acquisition_channel": "radio"},
            "nl",
            {
                "loc": ["body", "acquisition_channel"],
                "msg": (
                    "Kies een van: 'walk_in', 'referral', 'online', 'advertisement', 'other', "
                    "'unknown'."
                ),
                "type": "literal_error",
            },
        ),
    ],
)
def test_schema_refusals_name_the_field_as_other_refusals_do_in_the_requested_language(
    api, business, payload, language, expected
):
    """An integration maps every refusal to its field the same way, whichever check refused it
    (the schema here, the domain for a bad e-mail address): no "payload" in between."""
    response = api.post(
        "/api/v1/customers",
        data=json.dumps(payload),
        content_type="application/json",
        headers={"Accept-Language": language},
    )

    assert response.status_code == 422
    assert response.json() == {"detail": [expected]}
    assert Customer.objects.count() == 0


def test_another_business_customer_is_not_found_and_untouched(api, other_business):
    stranger = CustomerFactory(business=other_business, name="Geheim", email="geheim@example.nl")
    before = snapshot(stranger)
    url = f"/api/v1/customers/{stranger.pk}"

    responses = [api.get(url), patch(api, url, {"name": "Overgenomen"}), api.delete(url)]

    assert [r.status_code for r in responses] == [404, 404, 404]
    said = f"No customer with id {stranger.pk} in this business."
    assert all(r.json() == {"detail": said} for r in responses)
    stranger.refresh_from_db()
    assert snapshot(stranger) == before


def test_purchases_are_created_listed_and_filtered(api, business):
    anna = CustomerFactory(business=business)
    bea = CustomerFactory(business=business)
    PurchaseFactory(customer=bea, amount_cents=500)

    created = post(
        api,
        "/api/v1/purchases",
        {
            "customer": anna.pk,
            "amount_cents": 1250,
            "description": "Rollade",
            "at": "2026-03-01T14:30:00+01:00",
            "external_ref": "BON-1",
        },
    )
    listed = api.get(f"/api/v1/purchases?customer={anna.pk}").json()

    assert created.status_code == 201, created.content
    assert created.json()["currency"] == "EUR"
    assert listed["count"] == 1
    assert listed["items"][0]["amount_cents"] == 1250
    assert listed["items"][0]["at"] == "2026-03-01T13:30:00Z"
    assert api.get(f"/api/v1/purchases/{created.json()['id']}").json()["description"] == "Rollade"


def test_a_till_finds_the_sale_of_a_receipt_number(api, business, other_business):
    anna = CustomerFactory(business=business)
    sold = PurchaseFactory(customer=anna, amount_cents=1250, external_ref="BON-7")
    PurchaseFactory(customer=anna, amount_cents=500, external_ref="BON-70")
    PurchaseFactory(customer=CustomerFactory(business=other_business), external_ref="BON-8")

    found = api.get("/api/v1/purchases?external_ref=BON-7").json()
    elsewhere = api.get("/api/v1/purchases?external_ref=BON-8").json()
    mixed = api.get("/api/v1/purchases?external_ref=BON-7&changed_since=2026-01-01T00:00:00Z")

    assert (found["count"], [item["id"] for item in found["items"]]) == (1, [sold.pk])
    assert elsewhere == {"items": [], "count": 0}  # another business's receipt is not seen
    assert mixed.status_code == 422
    assert [error["loc"] for error in mixed.json()["detail"]] == [["query", "external_ref"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_cents": -1}, "amount_cents"),
        ({"amount_cents": "12,50"}, "amount_cents"),
        ({"amount_cents": 12.5}, "amount_cents"),
        ({"amount_cents": 10**12}, "amount_cents"),  # more than MAX_CENTS
        ({"currency": "USD"}, "currency"),  # the business keeps its amounts in EUR
        ({"at": "01-03-2026"}, "at"),
        ({"at": "2026-03-01T14:30:00"}, "at"),
        ({"at": 1767225600}, "at"),
        ({"at": "2099-01-01T00:00:00+00:00"}, "at"),
    ],
)
def test_wrong_purchases_are_refused_and_nothing_is_stored(api, business, change, field):
    customer = CustomerFactory(business=business)

    response = post(
        api, "/api/v1/purchases", {"customer": customer.pk, "amount_cents": 100, **change}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    assert Purchase.objects.count() == 0


def test_records_for_another_business_customer_are_refused(api, other_business):
    stranger = CustomerFactory(business=other_business)

    purchase = post(api, "/api/v1/purchases", {"customer": stranger.pk, "amount_cents": 100})
    moment = post(
        api, "/api/v1/contact-moments", {"customer": stranger.pk, "kind": "call", "summary": "x"}
    )

    assert purchase.status_code == moment.status_code == 422
    assert purchase.json()["detail"] == [
        {"loc": ["body", "customer"], "msg": "This customer does not exist.", "type": "not_found"}
    ]
    assert Purchase.objects.count() == ContactMoment.objects.count() == 0


def test_another_business_records_are_not_found(api, other_business):
    purchase = PurchaseFactory(customer=CustomerFactory(business=other_business))

    assert api.get(f"/api/v1/purchases/{purchase.pk}").status_code == 404
    assert api.get(f"/api/v1/purchases?customer={purchase.customer_id}").json() == {
        "items": [],
        "count": 0,
    }


def test_contact_moments_record_who_made_them(api, business, owner):
    customer = CustomerFactory(business=business)

    created = post(
        api,
        "/api/v1/contact-moments",
        {"customer": customer.pk, "kind": "call", "summary": "Gebeld"},
    )
    refused = post(
        api,
        "/api/v1/contact-moments",
        {"customer": customer.pk, "kind": "telegram", "summary": "x"},
    )

    assert created.status_code == 201
    assert created.json()["member"] == owner.username
    assert refused.status_code == 422
    assert ContactMoment.objects.count() == 1
    listed = api.get(f"/api/v1/contact-moments?customer={customer.pk}").json()
    assert [m["summary"] for m in listed["items"]] == ["Gebeld"]


def test_schema_declares_every_response(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "401" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in {"post", "patch"} or operation.get("parameters"):
                assert "422" in codes, (method, path)


def test_docs_page_uses_no_cdn(client, db):
    page = client.get("/api/v1/docs").content.decode()

    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def test_emptying_the_basis_of_consent_on_record_is_refused_on_that_field(api, business):
    customer = customer_create(
        business=business, name="Anna", marketing_consent=True, marketing_consent_basis="consent"
    )
    before = snapshot(customer)

    response = patch(api, f"/api/v1/customers/{customer.pk}", {"marketing_consent_basis": None})

    assert response.status_code == 422
    assert [(error["loc"], error["msg"]) for error in response.json()["detail"]] == [
        (
            ["body", "marketing_consent_basis"],
            "News and offers need a legal basis: consent, soft opt-in or legitimate interest. "
            "Withdraw the consent instead of emptying its basis.",
        )
    ]
    customer.refresh_from_db()
    assert snapshot(customer) == before
    assert customer.consent_records.count() == 1


def test_withdrawing_consent_and_its_basis_together_is_accepted(api, business):
    customer = customer_create(
        business=business, name="Anna", marketing_consent=True, marketing_consent_basis="consent"
    )

    response = patch(
        api,
        f"/api/v1/customers/{customer.pk}",
        {"marketing_consent": False, "marketing_consent_basis": None},
    )

    assert response.status_code == 200
    assert (response.json()["marketing_consent"], response.json()["marketing_consent_basis"]) == (
        False,
        "",
    )


def test_a_basis_sent_without_consent_is_not_stored_as_in_the_web_form_and_the_import(
    api, business
):
    """The basis counts only with consent: a customer who may not receive news and offers
    has none on record, whichever way they were entered."""
    response = post(
        api,
        "/api/v1/customers",
        {"name": "Anna", "marketing_consent": False, "marketing_consent_basis": "soft_opt_in"},
    )

    assert response.status_code == 201
    assert (response.json()["marketing_consent"], response.json()["marketing_consent_basis"]) == (
        False,
        "",
    )
    customer = Customer.objects.get()
    assert (customer.marketing_consent, customer.marketing_consent_basis) == (False, "")
    assert customer.consent_records.count() == 0


def test_a_basis_patched_onto_a_customer_without_consent_is_not_stored(api, business):
    customer = customer_create(business=business, name="Anna")

    response = patch(
        api, f"/api/v1/customers/{customer.pk}", {"marketing_consent_basis": "soft_opt_in"}
    )

    assert response.status_code == 200
    assert response.json()["marketing_consent_basis"] == ""
    customer.refresh_from_db()
    assert (customer.marketing_consent, customer.marketing_consent_basis) == (False, "")
    assert customer.consent_records.count() == 0

    # Consent given later without a stated basis is the customer's own, not the basis sent before.
    patch(api, f"/api/v1/customers/{customer.pk}", {"marketing_consent": True})

    customer.refresh_from_db()
    assert (customer.marketing_consent, customer.marketing_consent_basis) == (True, "consent")
    assert list(customer.consent_records.values_list("given", "basis", "source")) == [
        (True, "consent", "api")
    ]


def test_contact_details_are_stored_without_surrounding_spaces(api, business):
    """A till sent "anna@example.nl " (refused as no address) and " 0612345678 " (stored with
    its spaces), where the web form strips them."""
    from klantvriend.customers.models import Customer

    made = api.post(
        "/api/v1/customers",
        {"name": "Anna", "email": "anna@example.nl ", "phone": " 0612345678 ", "city": " Delft"},
        content_type="application/json",
    )

    assert made.status_code == 201, made.json()
    anna = Customer.objects.get(pk=made.json()["id"])
    assert (anna.email, anna.phone, anna.city) == ("anna@example.nl", "0612345678", "Delft")
    changed = api.patch(
        f"/api/v1/customers/{anna.pk}",
        {"phone": "06 9876 5432  "},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.json()
    anna.refresh_from_db()
    assert anna.phone == "06 9876 5432"
