"""One refused request answers every refusal it has at once, in the request's language: the
schema's (a wrong type, a date written otherwise) with the domain's (an empty name, an email
address without a domain, a tag too long, a referrer not there), rather than one pass after the
other, each found only once the client had fixed the one before. Nothing is stored."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from klantvriend.customers import services
from klantvriend.gestures.services import gesture_create
from klantvriend.isolation import snapshot

LONG_TAG = "x" * 51

MESSAGES = {
    "en": {
        "date": "Enter a valid date as YYYY-MM-DD, e.g. 2026-03-01.",
        "list": "Enter a list of values.",
        "bool": "Enter true or false.",
        "blank": "This field cannot be blank.",
        "email": "Enter a valid email address.",
        "long_tag": f"A tag can be at most 50 characters long: {LONG_TAG}",
        "not_found": "This customer does not exist.",
        "null": "This field cannot be emptied; leave it out to keep its value.",
        "self": "A customer cannot have referred themselves.",
        "nul_character": "Null characters are not allowed.",
    },
    "nl": {
        "date": "Voer een geldige datum in als JJJJ-MM-DD, bijvoorbeeld 2026-03-01.",
        "list": "Voer een lijst met waarden in.",
        "bool": "Geef true of false.",
        "blank": "Dit veld mag niet leeg zijn.",
        "email": "Voer een geldig e-mailadres in.",
        "long_tag": f"Een label mag hoogstens 50 tekens lang zijn: {LONG_TAG}",
        "not_found": "Deze klant bestaat niet.",
        "null": "Dit veld kan niet leeg gemaakt worden; laat het weg om de waarde te houden.",
        "self": "Een klant kan zichzelf niet hebben doorverwezen.",
        "nul_character": "Null-tekens zijn niet toegestaan.",
    },
}

LANGUAGES = pytest.mark.parametrize("language", ["en", "nl"])


def send(api, method, url, body, language):
    return getattr(api, method)(
        url,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Accept-Language": language},
    )


def refusal(field, message, kind):
    return {"loc": ["body", field], "msg": message, "type": kind}


@LANGUAGES
def test_a_new_customer_refused_by_the_schema_and_the_domain_hears_of_both_at_once(
    api, business, language
):
    before = snapshot()
    body = {"name": "", "tags": "vip", "email": "anna@", "birthday": "12-03-1980"}

    response = send(api, "post", "/api/v1/customers", body, language)

    said = MESSAGES[language]
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("birthday", said["date"], "date_from_datetime_parsing"),
            refusal("tags", said["list"], "list_type"),
            refusal("name", said["blank"], "blank"),
            refusal("email", said["email"], "invalid"),
        ]
    }
    assert snapshot() == before


@LANGUAGES
def test_a_new_customer_with_several_refusals_of_the_domain_hears_of_all_at_once(
    api, business, language
):
    before = snapshot()
    body = {"name": " ", "email": "anna@", "tags": ["vip", LONG_TAG], "referred_by": 999999}

    response = send(api, "post", "/api/v1/customers", body, language)

    said = MESSAGES[language]
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("name", said["blank"], "blank"),
            refusal("email", said["email"], "invalid"),
            refusal("tags", said["long_tag"], "too_long"),
            refusal("referred_by", said["not_found"], "not_found"),
        ]
    }
    assert snapshot() == before  # no customer, and no tag "vip" either


def test_a_field_the_schema_refused_is_answered_once(api, business):
    """A name of the wrong type is the schema's refusal only: the domain, which did not see
    it, does not add that it is blank."""
    response = send(api, "post", "/api/v1/customers", {"name": 5, "email": "anna@"}, "en")

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("name", "Enter text.", "string_type"),
            refusal("email", "Enter a valid email address.", "invalid"),
        ]
    }


@LANGUAGES
def test_a_change_refused_by_the_schema_and_the_domain_hears_of_all_at_once(
    api, business, language
):
    customer = services.customer_create(
        business=business, name="Anna", email="anna@example.nl", tags=["vaste klant"]
    )
    before = snapshot()
    body = {"name": "", "marketing_consent": "yes", "email": "anna@", "tags": [LONG_TAG]}

    response = send(api, "patch", f"/api/v1/customers/{customer.pk}", body, language)

    said = MESSAGES[language]
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("marketing_consent", said["bool"], "bool_type"),
            refusal("name", said["blank"], "blank"),
            refusal("email", said["email"], "invalid"),
            refusal("tags", said["long_tag"], "too_long"),
        ]
    }
    assert snapshot() == before
    customer.refresh_from_db()
    assert (customer.name, customer.email) == ("Anna", "anna@example.nl")
    assert list(customer.tags.values_list("name", flat=True)) == ["vaste klant"]


@LANGUAGES
def test_a_change_with_refused_tags_hears_of_the_other_fields_too(api, business, language):
    """Tags are refused before they reach a query (PostgreSQL refuses a NUL character itself)
    and answered with the customer's own refusals, found on the customer as stored."""
    customer = services.customer_create(business=business, name="Anna")
    before = snapshot()
    body = {"email": "anna@", "tags": ["a\x00b"], "referred_by": customer.pk}

    response = send(api, "patch", f"/api/v1/customers/{customer.pk}", body, language)

    said = MESSAGES[language]
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("email", said["email"], "invalid"),
            refusal("referred_by", said["self"], "self_referral"),
            refusal("tags", said["nul_character"], "null_characters_not_allowed"),
        ]
    }
    assert snapshot() == before


def test_a_name_that_cannot_be_emptied_is_answered_with_the_domains_refusals(api, business):
    customer = services.customer_create(business=business, name="Anna")
    before = snapshot()
    body = {"name": None, "email": "anna@", "referred_by": 999999}

    response = send(api, "patch", f"/api/v1/customers/{customer.pk}", body, "en")

    said = MESSAGES["en"]
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("name", said["null"], "null"),
            refusal("email", said["email"], "invalid"),
            refusal("referred_by", said["not_found"], "not_found"),
        ]
    }
    assert snapshot() == before


def test_another_business_customer_is_still_not_found(api, business, other_business):
    """The domain is asked only about a customer of the token's business: another's answers
    the schema's refusal alone, and 404 once the body passes."""
    other = services.customer_create(business=other_business, name="Bert")

    refused = send(api, "patch", f"/api/v1/customers/{other.pk}", {"name": 5, "email": "x"}, "en")
    passed = send(api, "patch", f"/api/v1/customers/{other.pk}", {"email": "x"}, "en")

    assert refused.status_code == 422
    assert refused.json() == {"detail": [refusal("name", "Enter text.", "string_type")]}
    assert passed.status_code == 404


RECORD_MESSAGES = {
    "en": {
        "cents": "Give the amount in whole cents, as a number: 1250 for 12.50.",
        "future": "This moment lies in the future.",
        "currency": "This business keeps its amounts in EUR; an amount in USD would be counted "
        "as EUR.",
        "receipt": "A purchase with this receipt number already exists.",
        "not_found": "This customer does not exist.",
        "negative": "A purchase cannot be negative: leave a return or refund out, as the "
        "analysis does, or correct or delete the sale it takes back.",
        "blank": "This field cannot be blank.",
        "kind": "Choose one of: 'visit', 'call', 'email', 'message', 'note'.",
    },
    "nl": {
        "cents": "Geef het bedrag in hele centen, als getal: 1250 voor 12,50.",
        "future": "Dit moment ligt in de toekomst.",
        "currency": "Dit bedrijf houdt zijn bedragen bij in EUR; een bedrag in USD zou als EUR "
        "worden geteld.",
        "receipt": "Er bestaat al een aankoop met dit bonnummer.",
        "not_found": "Deze klant bestaat niet.",
        "negative": "Een aankoop kan niet negatief zijn: laat een retour of terugbetaling weg, "
        "zoals de analyse doet, of corrigeer of verwijder de verkoop die ze terugdraait.",
        "blank": "Dit veld mag niet leeg zijn.",
        "kind": "Kies een van: 'visit', 'call', 'email', 'message', 'note'.",
    },
}


@pytest.fixture
def anna(business):
    return services.customer_create(business=business, name="Anna")


@pytest.fixture
def next_week():
    return (timezone.now() + timedelta(days=7)).isoformat()


@LANGUAGES
def test_a_purchase_hears_of_its_amount_moment_currency_and_receipt_number_at_once(
    api, anna, next_week, language
):
    sold = services.purchase_create(customer=anna, amount_cents=1250, external_ref="BON-1")
    before = snapshot()
    body = {
        "customer": anna.pk,
        "amount_cents": "12.50",
        "at": next_week,
        "currency": "USD",
        "external_ref": "BON-1",
    }

    response = send(api, "post", "/api/v1/purchases", body, language)

    said = RECORD_MESSAGES[language]
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("amount_cents", said["cents"], "int_type"),
            refusal("at", said["future"], "future"),
            refusal("currency", said["currency"], "other_currency"),
            refusal("external_ref", said["receipt"], "unique") | {"existing_id": sold.pk},
        ]
    }
    assert snapshot() == before


def test_a_purchase_for_a_customer_not_there_hears_of_its_amount_too(api, anna):
    before = snapshot()
    body = {"customer": 999999, "amount_cents": "x"}

    response = send(api, "post", "/api/v1/purchases", body, "en")

    said = RECORD_MESSAGES["en"]
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("amount_cents", said["cents"], "int_type"),
            refusal("customer", said["not_found"], "not_found"),
        ]
    }
    assert snapshot() == before


@LANGUAGES
def test_a_purchase_corrected_with_mistakes_hears_of_all_at_once(api, anna, next_week, language):
    purchase = services.purchase_create(customer=anna, amount_cents=1250, description="Taart")
    other = services.purchase_create(customer=anna, amount_cents=500, external_ref="BON-2")
    before = snapshot()
    body = {"amount_cents": -1, "at": next_week, "external_ref": "BON-2"}

    response = send(api, "patch", f"/api/v1/purchases/{purchase.pk}", body, language)

    said = RECORD_MESSAGES[language]
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("amount_cents", said["negative"], "greater_than_equal"),
            refusal("at", said["future"], "future"),
            refusal("external_ref", said["receipt"], "unique") | {"existing_id": other.pk},
        ]
    }
    assert snapshot() == before
    purchase.refresh_from_db()
    assert (purchase.amount_cents, purchase.external_ref) == (1250, "")


@LANGUAGES
def test_a_contact_moment_hears_of_its_kind_summary_and_moment_at_once(
    api, anna, next_week, language
):
    moment = services.contact_moment_create(customer=anna, kind="call", summary="Belde terug")
    before = snapshot()
    said = RECORD_MESSAGES[language]
    expected = {
        "detail": [
            refusal("kind", said["kind"], "literal_error"),
            refusal("at", said["future"], "future"),
            refusal("summary", said["blank"], "blank"),
        ]
    }
    body = {"kind": "fax", "summary": " ", "at": next_week}

    created = send(api, "post", "/api/v1/contact-moments", {"customer": anna.pk, **body}, language)
    changed = send(api, "patch", f"/api/v1/contact-moments/{moment.pk}", body, language)

    assert (created.status_code, created.json()) == (422, expected)
    assert (changed.status_code, changed.json()) == (422, expected)
    assert snapshot() == before


def test_a_contact_moment_refused_by_the_domain_alone_hears_of_every_refusal(api, anna, next_week):
    moment = services.contact_moment_create(customer=anna, kind="call", summary="Belde terug")
    before = snapshot()

    response = send(
        api,
        "patch",
        f"/api/v1/contact-moments/{moment.pk}",
        {"summary": " ", "at": next_week},
        "en",
    )

    said = RECORD_MESSAGES["en"]
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("at", said["future"], "future"),
            refusal("summary", said["blank"], "blank"),
        ]
    }
    assert snapshot() == before


@LANGUAGES
def test_a_gesture_hears_of_its_value_occasion_moment_and_description_at_once(
    api, anna, next_week, language
):
    gesture = gesture_create(customer=anna, what="Koffie", value_cents=250)
    before = snapshot()
    said = RECORD_MESSAGES[language]
    body = {"what": " ", "value_cents": 12.5, "given_at": next_week}
    occasions = "'birthday', 'anniversary', 'complaint_recovery', 'referral_thanks', "
    occasions += "'just_because', 'other'"
    choose = {"en": "Choose one of: ", "nl": "Kies een van: "}[language] + occasions + "."

    created = send(
        api, "post", "/api/v1/gestures", {"customer": anna.pk, "occasion": "x", **body}, language
    )
    changed = send(api, "patch", f"/api/v1/gestures/{gesture.pk}", body, language)

    assert created.status_code == changed.status_code == 422
    assert created.json() == {
        "detail": [
            refusal("value_cents", said["cents"], "int_type"),
            refusal("occasion", choose, "literal_error"),
            refusal("given_at", said["future"], "future"),
            refusal("what", said["blank"], "blank"),
        ]
    }
    assert changed.json() == {
        "detail": [
            refusal("value_cents", said["cents"], "int_type"),
            refusal("given_at", said["future"], "future"),
            refusal("what", said["blank"], "blank"),
        ]
    }
    assert snapshot() == before


@LANGUAGES
def test_a_complaint_hears_of_its_severity_answer_moment_and_description_at_once(
    api, anna, next_week, language
):
    before = snapshot()
    said = RECORD_MESSAGES[language]
    body = {
        "customer": anna.pk,
        "description": " ",
        "channel": "email",
        "answered_on_the_spot": True,
        "received_at": next_week,
        "severity": "huge",
    }
    choose, via = {
        "en": (
            "Choose one of: 'low', 'medium', 'high'.",
            "Only a complaint made in person or "
            "by phone can have been answered on the spot; this one came in via email.",
        ),
        "nl": (
            "Kies een van: 'low', 'medium', 'high'.",
            "Alleen een klacht die persoonlijk of "
            "telefonisch binnenkwam, kan ter plekke beantwoord zijn; deze kwam via e-mail.",
        ),
    }[language]

    response = send(api, "post", "/api/v1/complaints", body, language)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("severity", choose, "literal_error"),
            refusal("answered_on_the_spot", via, "not_in_person"),
            refusal("received_at", said["future"], "future"),
            refusal("description", said["blank"], "blank"),
        ]
    }
    assert snapshot() == before
