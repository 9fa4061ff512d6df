"""The Idempotency-Key header: a write retried with the same key gets the first answer and is
not done twice; the same key with another request is refused; keys expire after a day."""

import io
import json
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from klantvriend.core.idempotency import KEY_LIFETIME, idempotent_requests_forget_expired
from klantvriend.core.models import IdempotentRequest
from klantvriend.core.services import apitoken_create
from klantvriend.customers import services
from klantvriend.customers.models import ContactMoment, Customer
from klantvriend.importers.privacy import customer_erase
from klantvriend.isolation import snapshot

KEY = "3f2c9a1e-7b1d-4c55-9a7e-0d1f6c2b8e41"


def post(client, url, data, key=KEY, **headers):
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(url, data=json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def anna(business):
    return services.customer_create(business=business, name="Anna")


def test_a_retried_create_returns_the_first_answer_and_creates_once(api, anna):
    body = {"customer": anna.pk, "kind": "call", "summary": "Gebeld"}

    first = post(api, "/api/v1/contact-moments", body)
    # Another key order, the same request: a client may serialise its fields differently.
    again = api.post(
        "/api/v1/contact-moments",
        data=f'{{"summary": "Gebeld", "kind": "call", "customer": {anna.pk}}}',
        content_type="application/json",
        headers={"Idempotency-Key": KEY},
    )

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert list(ContactMoment.objects.values_list("pk", flat=True)) == [first.json()["id"]]


def test_without_a_key_a_retry_creates_again(api, anna):
    body = {"customer": anna.pk, "kind": "call", "summary": "Gebeld"}

    post(api, "/api/v1/contact-moments", body, key=None)
    post(api, "/api/v1/contact-moments", body, key=None)

    assert ContactMoment.objects.count() == 2
    assert IdempotentRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "en",
            "This Idempotency-Key was used for another request in the last 24 hours; send a "
            "new key with a new request.",
        ),
        (
            "nl",
            "Deze Idempotency-Key is de afgelopen 24 uur voor een ander verzoek gebruikt; stuur "
            "een nieuwe sleutel mee met een nieuw verzoek.",
        ),
    ],
)
def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    api, anna, language, message
):
    post(api, "/api/v1/contact-moments", {"customer": anna.pk, "kind": "call", "summary": "A"})
    before = snapshot()

    response = post(
        api,
        "/api/v1/contact-moments",
        {"customer": anna.pk, "kind": "call", "summary": "B"},
        **{"Accept-Language": language},
    )

    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": [
                {
                    "loc": ["header", "Idempotency-Key"],
                    "msg": message,
                    "type": "idempotency_key_reused",
                }
            ]
        },
    )
    assert snapshot() == before


def test_the_same_key_on_another_route_is_refused(api, anna):
    post(api, "/api/v1/contact-moments", {"customer": anna.pk, "kind": "call", "summary": "A"})
    before = snapshot()

    response = post(api, "/api/v1/gestures", {"customer": anna.pk, "what": "Koffie"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "idempotency_key_reused"
    assert snapshot() == before


@pytest.mark.parametrize("key", ["", "met spatie", "x" * 256, "sleutel-\u00e9"])
def test_a_key_that_is_not_short_visible_ascii_is_refused(api, anna, key):
    before = snapshot()

    response = api.post(
        "/api/v1/contact-moments",
        data=json.dumps({"customer": anna.pk, "kind": "call", "summary": "A"}),
        content_type="application/json",
        headers={"Idempotency-Key": key.encode().decode("latin-1")},
    )

    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": [
                {
                    "loc": ["header", "Idempotency-Key"],
                    "msg": "Send at most 255 visible ASCII characters without spaces in the "
                    "Idempotency-Key header, such as a UUID.",
                    "type": "invalid",
                }
            ]
        },
    )
    assert snapshot() == before


def test_a_key_of_255_characters_is_taken(api, anna):
    response = post(
        api,
        "/api/v1/contact-moments",
        {"customer": anna.pk, "kind": "call", "summary": "A"},
        "k" * 255,
    )

    assert response.status_code == 201
    assert IdempotentRequest.objects.get().key == "k" * 255


def test_a_refused_request_keeps_no_key_so_its_correction_may_use_it(api, anna):
    refused = post(api, "/api/v1/contact-moments", {"customer": anna.pk, "kind": "call"})
    corrected = post(
        api, "/api/v1/contact-moments", {"customer": anna.pk, "kind": "call", "summary": "A"}
    )

    assert refused.status_code == 422
    assert corrected.status_code == 201
    assert ContactMoment.objects.count() == 1


def test_a_conflict_keeps_no_key_and_the_record_is_unchanged(api, business):
    customer = services.customer_create(business=business, name="Bea")
    customer_erase(customer=customer)
    before = snapshot()

    response = post(
        api, "/api/v1/contact-moments", {"customer": customer.pk, "kind": "call", "summary": "A"}
    )

    assert response.status_code == 409
    assert snapshot() == before


def test_keys_belong_to_their_token(api, anna, membership):
    other_key = apitoken_create(membership=membership, name="kassa")[1]
    other = Client(headers={"Authorization": f"Bearer {other_key}", "Accept-Language": "en"})
    body = {"customer": anna.pk, "kind": "call", "summary": "A"}

    first = post(api, "/api/v1/contact-moments", body)
    second = post(other, "/api/v1/contact-moments", body)

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert ContactMoment.objects.count() == 2


def test_without_a_valid_token_the_key_changes_nothing(client, anna):
    response = post(
        client,
        "/api/v1/contact-moments",
        {"customer": anna.pk, "kind": "call", "summary": "A"},
        Authorization="Bearer kv_nonsense",
    )

    assert response.status_code == 401
    assert IdempotentRequest.objects.count() == 0


def test_an_expired_key_is_a_new_key(api, anna):
    body = {"customer": anna.pk, "kind": "call", "summary": "A"}
    post(api, "/api/v1/contact-moments", body)
    IdempotentRequest.objects.update(created_at=timezone.now() - KEY_LIFETIME - timedelta(1))

    again = post(api, "/api/v1/contact-moments", body)

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert ContactMoment.objects.count() == 2
    assert IdempotentRequest.objects.count() == 1


def test_a_patch_and_a_delete_are_replayed_too(api, anna):
    moment = services.contact_moment_create(customer=anna, kind="call", summary="A")

    changed = [
        api.patch(
            f"/api/v1/contact-moments/{moment.pk}",
            data=json.dumps({"summary": "B"}),
            content_type="application/json",
            headers={"Idempotency-Key": "wijzig-1"},
        )
        for _ in range(2)
    ]
    deleted = [
        api.delete(f"/api/v1/contact-moments/{moment.pk}", headers={"Idempotency-Key": "weg-1"})
        for _ in range(2)
    ]

    assert [response.status_code for response in changed] == [200, 200]
    assert changed[1].json() == changed[0].json()
    assert [response.status_code for response in deleted] == [204, 204]
    assert deleted[1].headers["Idempotent-Replayed"] == "true"


def test_the_nightly_refresh_forgets_expired_keys(api, anna):
    post(api, "/api/v1/contact-moments", {"customer": anna.pk, "kind": "call", "summary": "A"})
    post(api, "/api/v1/contact-moments", {"customer": anna.pk, "kind": "call", "summary": "B"}, "b")
    IdempotentRequest.objects.filter(key=KEY).update(
        created_at=timezone.now() - KEY_LIFETIME - timedelta(seconds=1)
    )

    call_command("refresh_insights", stdout=io.StringIO())

    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["b"]
    assert idempotent_requests_forget_expired() == 0


def test_an_erasure_drops_the_stored_answers_that_may_quote_the_person(api, business):
    created = post(api, "/api/v1/customers", {"name": "Carla Jansen", "email": "carla@example.nl"})
    customer = Customer.objects.get(pk=created.json()["id"])

    customer_erase(customer=customer)

    assert not IdempotentRequest.objects.filter(body__contains="Carla").exists()
    assert IdempotentRequest.objects.count() == 0


def test_every_write_declares_the_header_in_the_openapi_schema(api):
    schema = api.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = [parameter["name"] for parameter in operation.get("parameters", [])]
            assert ("Idempotency-Key" in names) == (method != "get"), f"{method} {path}"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_with_one_key_create_once(api_key, business):
    customer = services.customer_create(business=business, name="Anna")
    body = {"customer": customer.pk, "kind": "call", "summary": "Gebeld"}
    entered, release = threading.Event(), threading.Event()
    original = services.contact_moment_create
    answers = {}

    def slow_create(**kwargs):
        # The first request holds its transaction open here while the second one arrives.
        entered.set()
        release.wait(timeout=30)
        return original(**kwargs)

    def send(name):
        try:
            client = Client(headers={"Authorization": f"Bearer {api_key}"})
            answers[name] = post(client, "/api/v1/contact-moments", body)
        finally:
            connection.close()

    services.contact_moment_create = slow_create
    try:
        first = threading.Thread(target=send, args=("first",))
        first.start()
        assert entered.wait(timeout=30)
        second = threading.Thread(target=send, args=("second",))
        second.start()
        # Give the second request time to reach the database and wait there; the outcome is
        # the same if it arrives only after the first has finished.
        time.sleep(0.3)
        release.set()
        first.join(timeout=60)
        second.join(timeout=60)
    finally:
        services.contact_moment_create = original

    assert answers["first"].status_code == answers["second"].status_code == 201
    assert answers["second"].json() == answers["first"].json()
    assert ContactMoment.objects.count() == 1


def test_an_erasure_sent_with_a_key_is_done_once_and_its_answer_replayed(api, business):
    # The erasure drops the business's kept answers, its own key's among them: it was a 500.
    created = post(api, "/api/v1/customers", {"name": "Carla Jansen"}, key="create-carla")
    erase = f"/api/v1/customers/{created.json()['id']}/erase"

    first = post(api, erase, {})
    after_first = snapshot()
    again = post(api, erase, {})

    assert first.status_code == 200
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert snapshot() == after_first
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == [KEY]
    assert not IdempotentRequest.objects.filter(body__contains="Carla").exists()


def test_a_deletion_sent_with_a_key_is_done_once_and_its_answer_replayed(api, anna):
    url = f"/api/v1/customers/{anna.pk}"
    headers = {"Idempotency-Key": KEY}

    first = api.delete(url, headers=headers)
    again = api.delete(url, headers=headers)

    assert (first.status_code, again.status_code) == (204, 204)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert not Customer.objects.filter(pk=anna.pk).exists()


def test_a_write_with_a_key_reads_its_token_once(api, anna):
    """The Idempotency-Key reads the token before the authentication, which takes it from the
    request instead of asking the database again."""
    body = {"customer": anna.pk, "kind": "call", "summary": "Gebeld"}

    with CaptureQueriesContext(connection) as queries:
        answer = post(api, "/api/v1/contact-moments", body)

    assert answer.status_code == 201
    token_reads = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and '"key_hash"' in query["sql"]
    ]
    assert len(token_reads) == 1, token_reads
