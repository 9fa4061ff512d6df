"""Privacy requests through the API, as on the web's privacy requests page: recorded the day
they came in, listed with the day the law's month runs out, and handled; for owners only."""

from datetime import date, timedelta

import pytest

from klantvriend.core.audit import one_month_after
from klantvriend.core.models import AuditEvent
from klantvriend.customers import services
from klantvriend.customers.models import ConsentRecord, PrivacyRequest
from klantvriend.customers.privacy_requests import privacy_request_handle, privacy_request_record
from klantvriend.isolation import snapshot

from .test_every_refusal_at_once_api import refusal, send
from .test_privacy_api import staff_api


@pytest.fixture
def anna(business):
    return services.customer_create(
        business=business, name="Anna de Vries", email="anna@example.nl", marketing_consent=True
    )


def _record(customer, owner, kind, days_ago, note=""):
    return privacy_request_record(
        customer=customer,
        actor=owner,
        kind=kind,
        channel="counter",
        received_on=customer.business.today() - timedelta(days=days_ago),
        note=note,
    )


def test_an_owner_records_a_request_and_is_told_the_day_to_answer_by(api, business, owner, anna):
    received = business.today() - timedelta(days=3)
    answer_by = one_month_after(received)

    response = send(
        api,
        "post",
        "/api/v1/privacy-requests",
        {
            "customer": anna.pk,
            "kind": "access",
            "channel": "email",
            "received_on": received.isoformat(),
            "note": "Wil weten wat we van haar bewaren",
        },
        "en",
    )

    assert response.status_code == 201
    stored = PrivacyRequest.objects.get()
    body = response.json()
    assert date.fromisoformat(body.pop("recorded_at")[:10]) <= date.today()
    assert body == {
        "id": stored.pk,
        "customer": anna.pk,
        "kind": "access",
        "channel": "email",
        "received_on": received.isoformat(),
        "answer_by": answer_by.isoformat(),
        "days_left": (answer_by - business.today()).days,
        "note": "Wil weten wat we van haar bewaren",
        "recorded_by": owner.username,
        "handled_at": None,
        "handled_how": "",
        "handled_by": "",
        "handled_note": "",
    }
    event = AuditEvent.objects.get(object_type="privacyrequest")
    assert (event.action, event.actor, event.customer_id) == ("created", owner, anna.pk)


def test_a_request_without_its_day_came_in_today(api, business, anna):
    response = send(
        api,
        "post",
        "/api/v1/privacy-requests",
        {"customer": anna.pk, "kind": "correction", "channel": "phone"},
        "en",
    )

    assert response.status_code == 201
    assert response.json()["received_on"] == business.today().isoformat()
    assert (
        response.json()["days_left"] == (one_month_after(business.today()) - business.today()).days
    )


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "en",
            {
                "kind": "Choose one of: 'access', 'correction', 'erasure', 'objection', 'other'.",
                "future": "The request cannot have come in after today.",
                "customer": "This customer does not exist.",
            },
        ),
        (
            "nl",
            {
                "kind": "Kies een van: 'access', 'correction', 'erasure', 'objection', 'other'.",
                "future": "Het verzoek kan niet na vandaag zijn binnengekomen.",
                "customer": "Deze klant bestaat niet.",
            },
        ),
    ],
)
def test_a_request_with_mistakes_hears_of_all_at_once_and_stores_nothing(
    api, business, other_business, anna, language, said
):
    stranger = services.customer_create(business=other_business, name="Elders")
    before = snapshot()
    tomorrow = (business.today() + timedelta(days=1)).isoformat()

    refused_by_the_schema = send(
        api,
        "post",
        "/api/v1/privacy-requests",
        {"customer": stranger.pk, "kind": "wish", "channel": "phone", "received_on": tomorrow},
        language,
    )
    refused_by_the_domain = send(
        api,
        "post",
        "/api/v1/privacy-requests",
        {"customer": anna.pk, "kind": "access", "channel": "phone", "received_on": tomorrow},
        language,
    )

    assert refused_by_the_schema.status_code == refused_by_the_domain.status_code == 422
    assert refused_by_the_schema.json() == {
        "detail": [
            refusal("kind", said["kind"], "literal_error"),
            refusal("customer", said["customer"], "not_found"),
        ]
    }
    assert refused_by_the_domain.json() == {
        "detail": [refusal("received_on", said["future"], "future")]
    }
    assert snapshot() == before


def test_a_request_about_an_anonymised_customer_is_refused_for_its_state(api, business, anna):
    api.post(f"/api/v1/customers/{anna.pk}/erase")
    before = snapshot()

    response = send(
        api,
        "post",
        "/api/v1/privacy-requests",
        {"customer": anna.pk, "kind": "access", "channel": "phone"},
        "en",
    )

    assert (response.status_code, response.json()["code"]) == (409, "erased")
    assert snapshot() == before


def test_the_list_puts_the_open_requests_first_the_soonest_due_on_top(
    api, business, other_business, owner, anna
):
    bram = services.customer_create(business=business, name="Bram")
    late = _record(anna, owner, "access", 40)
    soon = _record(bram, owner, "correction", 10)
    handled = _record(anna, owner, "other", 20)
    privacy_request_handle(privacy_request=handled, actor=owner, note="Gebeld en uitgelegd")
    _record(services.customer_create(business=other_business, name="Elders"), None, "access", 1)

    everything = api.get("/api/v1/privacy-requests").json()
    still_open = api.get("/api/v1/privacy-requests", {"state": "open"}).json()
    of_anna = api.get("/api/v1/privacy-requests", {"customer": anna.pk}).json()
    done = api.get("/api/v1/privacy-requests", {"state": "handled"}).json()

    assert [(item["id"], item["days_left"]) for item in everything["items"]] == [
        (late.pk, (one_month_after(late.received_on) - business.today()).days),
        (soon.pk, (one_month_after(soon.received_on) - business.today()).days),
        (handled.pk, None),
    ]
    assert everything["items"][0]["days_left"] < 0  # 40 days ago: late
    assert everything["count"] == 3
    assert [item["id"] for item in still_open["items"]] == [late.pk, soon.pk]
    assert [item["id"] for item in of_anna["items"]] == [late.pk, handled.pk]
    assert [
        (item["handled_how"], item["handled_by"], item["handled_note"]) for item in done["items"]
    ] == [("by_hand", owner.username, "Gebeld en uitgelegd")]


def test_an_objection_recorded_withdraws_the_marketing_consent_at_once(api, business, owner, anna):
    response = send(
        api,
        "post",
        "/api/v1/privacy-requests",
        {"customer": anna.pk, "kind": "objection", "channel": "email", "note": "Geen nieuwsbrief"},
        "en",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["handled_how"], body["handled_by"], body["days_left"], body["note"]) == (
        "consent_withdrawn",
        owner.username,
        None,
        "Geen nieuwsbrief",
    )
    anna.refresh_from_db()
    assert anna.marketing_consent is False
    assert ConsentRecord.objects.filter(customer=anna).latest("at").source == "privacy_request"
    # Answered as it was recorded: nothing left to handle.
    handled = send(api, "post", f"/api/v1/privacy-requests/{body['id']}/handle", {}, "en")
    assert (handled.status_code, handled.json()["code"]) == (409, "handled")


def test_handling_a_correction_says_how_it_was_answered(api, business, owner, anna):
    correction = _record(anna, owner, "correction", 2)

    response = send(
        api,
        "post",
        f"/api/v1/privacy-requests/{correction.pk}/handle",
        {"note": "Adres verbeterd"},
        "en",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["handled_how"], body["handled_by"], body["handled_note"], body["days_left"]) == (
        "by_hand",
        owner.username,
        "Adres verbeterd",
        None,
    )


def test_a_request_handled_already_is_refused_and_stays_as_it_was(api, business, owner, anna):
    handled = _record(anna, owner, "other", 2)
    privacy_request_handle(privacy_request=handled, actor=owner, note="Eerste keer")
    before = snapshot()

    response = send(
        api, "post", f"/api/v1/privacy-requests/{handled.pk}/handle", {"note": "Tweede keer"}, "en"
    )

    assert (response.status_code, response.json()["code"]) == (409, "handled")
    assert snapshot() == before


def test_an_erasure_through_the_api_handles_the_customers_open_requests(api, business, owner, anna):
    erasure = _record(anna, owner, "erasure", 5)

    api.post(f"/api/v1/customers/{anna.pk}/erase")
    answer = api.get(f"/api/v1/privacy-requests/{erasure.pk}").json()

    assert (answer["handled_how"], answer["days_left"], answer["note"]) == ("erased", None, "")
    assert answer["handled_at"] is not None


def test_staff_record_privacy_requests_but_cannot_read_or_handle_them(business, owner, anna):
    request = _record(anna, owner, "access", 1, note="Vroeg om een kopie")
    client = staff_api(business)
    before = snapshot()

    answers = [
        client.get("/api/v1/privacy-requests"),
        client.get(f"/api/v1/privacy-requests/{request.pk}"),
        send(client, "post", f"/api/v1/privacy-requests/{request.pk}/handle", {}, "en"),
    ]
    assert [answer.status_code for answer in answers] == [403, 403, 403]
    assert all("Vroeg om een kopie" not in answer.content.decode() for answer in answers)
    assert snapshot() == before

    recorded = send(
        client,
        "post",
        "/api/v1/privacy-requests",
        {"customer": anna.pk, "kind": "erasure", "channel": "counter"},
        "en",
    )

    assert recorded.status_code == 201
    assert "Vroeg om een kopie" not in recorded.content.decode()
    stored = PrivacyRequest.objects.get(pk=recorded.json()["id"])
    assert (stored.customer, stored.kind, stored.handled_at) == (anna, "erasure", None)
