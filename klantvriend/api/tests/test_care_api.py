"""API v1 of promises, complaints, follow-ups, gestures and Today."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from klantvriend.aftercare.models import FollowUp
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.models import Complaint
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.models import AuditEvent
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures.models import Gesture
from klantvriend.isolation import snapshot
from klantvriend.promises.models import Promise, due_moment_for_day
from klantvriend.promises.tests.factories import PromiseFactory


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def iso(moment):
    return moment.isoformat()


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Anna de Vries")


def test_a_promise_made_earlier_is_recorded_and_kept_late(api, customer, owner):
    now = timezone.now()
    made = now - timedelta(days=2)
    due = now - timedelta(hours=20)

    created = post(
        api,
        "/api/v1/promises",
        {
            "customer": customer.pk,
            "description": "Offerte sturen",
            "kind": "quote",
            "made_at": iso(made),
            "due_at": iso(due),
        },
    )
    body = created.json()
    kept = patch(api, f"/api/v1/promises/{body['id']}", {"done_at": iso(now - timedelta(hours=1))})

    assert created.status_code == 201
    assert (body["status"], body["made_by"], body["kind"]) == ("overdue", "sanne", "quote")
    assert kept.status_code == 200
    assert kept.json()["status"] == "kept_late"
    reliability = api.get("/api/v1/promises/reliability").json()
    assert (reliability["judged"], reliability["kept_on_time_share"]) == (1, 0.0)
    assert reliability["by_kind"][0]["name"] == "quote"


def test_made_at_defaults_to_now_and_a_due_day_is_open(api, customer, business):
    response = post(
        api,
        "/api/v1/promises",
        {
            "customer": customer.pk,
            "description": "Bezorgen",
            "kind": "delivery",
            "due_date": (business.today() + timedelta(days=3)).isoformat(),
        },
    )

    body = response.json()
    assert response.status_code == 201
    assert body["status"] == "open"
    assert body["due_all_day"] is True
    assert abs(timezone.now() - Promise.objects.get().made_at) < timedelta(seconds=10)


def test_list_filters_on_customer_and_derived_status(api, customer, business):
    now = timezone.now()
    overdue = PromiseFactory(
        customer=customer, made_at=now - timedelta(days=2), due_at=now - timedelta(hours=2)
    )
    PromiseFactory(
        customer=customer, made_at=now - timedelta(days=2), due_at=now + timedelta(days=2)
    )
    PromiseFactory(
        customer=CustomerFactory(business=business),
        made_at=now - timedelta(days=2),
        due_at=now - timedelta(hours=2),
    )

    by_status = api.get("/api/v1/promises", {"status": "overdue", "customer": customer.pk}).json()
    everything = api.get("/api/v1/promises").json()
    unknown = api.get("/api/v1/promises", {"status": "due_today"})

    assert [item["id"] for item in by_status["items"]] == [overdue.pk]
    assert by_status["count"] == 1
    assert everything["count"] == 3
    assert {item["status"] for item in everything["items"]} <= {
        "open",
        "overdue",
        "kept",
        "kept_early",
        "kept_late",
        "broken",
        "cancelled",
    }
    assert unknown.status_code == 422


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"due_at_hours": -1}, "due_at", "due_before_made"),
        ({"description": ""}, "description", "blank"),
    ],
)
def test_bad_promises_are_refused_with_422_and_nothing_stored(api, customer, payload, field, code):
    made = timezone.now() - timedelta(hours=3)
    data = {
        "customer": customer.pk,
        "description": payload.get("description", "Terugbellen"),
        "made_at": iso(made),
        "due_at": iso(made + timedelta(hours=payload.get("due_at_hours", 2))),
    }

    response = post(api, "/api/v1/promises", data)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert response.json()["detail"][0]["type"] == code
    assert Promise.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_done_moment_in_the_future_is_refused_and_other_changes_are_undone(api, customer):
    promise = PromiseFactory(customer=customer, description="Taart")

    response = patch(
        api,
        f"/api/v1/promises/{promise.pk}",
        {"description": "Grote taart", "done_at": iso(timezone.now() + timedelta(days=1))},
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "done_at"],
            "msg": "A promise cannot be kept in the future.",
            "type": "future",
        }
    ]
    stored = Promise.objects.get()
    assert (stored.description, stored.done_at) == ("Taart", None)
    assert AuditEvent.objects.count() == 0


def test_a_moment_as_a_number_is_refused(api, customer):
    response = post(
        api,
        "/api/v1/promises",
        {"customer": customer.pk, "description": "Bellen", "due_at": 1767225600},
    )

    assert response.status_code == 422
    assert Promise.objects.count() == 0


def test_another_business_rows_are_not_found(api, other_business):
    stranger = CustomerFactory(business=other_business)
    promise = PromiseFactory(customer=stranger)
    complaint = ComplaintFactory(customer=stranger)
    follow_up = FollowUpFactory(customer=stranger)

    assert api.get(f"/api/v1/promises/{promise.pk}").status_code == 404
    assert api.get(f"/api/v1/complaints/{complaint.pk}").status_code == 404
    assert api.get(f"/api/v1/follow-ups/{follow_up.pk}").status_code == 404
    assert patch(api, f"/api/v1/promises/{promise.pk}", {"description": "x"}).status_code == 404
    assert api.get("/api/v1/promises").json()["count"] == 0


def test_a_follow_up_for_another_business_customer_is_refused(api, other_business):
    stranger = CustomerFactory(business=other_business)

    response = post(
        api,
        "/api/v1/follow-ups",
        {
            "customer": stranger.pk,
            "note": "Even bellen",
            "due_on": timezone.localdate().isoformat(),
        },
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "customer"], "msg": "This customer does not exist.", "type": "not_found"}
    ]
    assert FollowUp.objects.count() == 0


def test_a_complaint_is_answered_and_resolved_but_not_before_it_was_received(api, customer):
    received = timezone.now() - timedelta(hours=5)
    created = post(
        api,
        "/api/v1/complaints",
        {
            "customer": customer.pk,
            "description": "Boze tweet",
            "channel": "social_media",
            "received_at": iso(received),
        },
    ).json()
    url = f"/api/v1/complaints/{created['id']}"

    too_early = patch(
        api, url, {"resolved_at": iso(received - timedelta(minutes=5)), "resolution": "Excuses"}
    )
    answered = patch(api, url, {"first_response_at": iso(received + timedelta(minutes=30))})
    resolved = patch(api, url, {"resolved_at": iso(timezone.now()), "resolution": "Excuses en bon"})

    assert (created["public"], created["status"], created["breached"]) == (True, "open", True)
    assert too_early.status_code == 422
    assert too_early.json()["detail"][0]["type"] == "resolved_before_received"
    assert answered.json()["status"] == "responded"
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolution"] == "Excuses en bon"
    assert api.get("/api/v1/complaints", {"status": "resolved"}).json()["count"] == 1


def test_a_complaint_answered_on_the_spot_is_answered_when_received_and_on_no_waiting_list(
    api, customer, owner
):
    received = timezone.now() - timedelta(hours=1)

    response = post(
        api,
        "/api/v1/complaints",
        {
            "customer": customer.pk,
            "description": "Gehakt was grijs",
            "received_at": iso(received),
            "answered_on_the_spot": True,
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["channel"], body["status"], body["breached"]) == ("counter", "responded", False)
    assert body["first_response_at"] == body["received_at"]
    complaint = Complaint.objects.get()
    assert complaint.first_response_at == received
    assert list(AuditEvent.objects.order_by("id").values_list("action", "actor", "object_id")) == [
        ("created", owner.pk, complaint.pk),
        ("responded", owner.pk, complaint.pk),
    ]
    # On Today until resolved, answered; the scorecard counts it as answered in time.
    today = api.get("/api/v1/today").json()
    assert [(item["id"], item["status"]) for item in today["complaints"]] == [
        (complaint.pk, "responded")
    ]
    scorecard = api.get("/api/v1/insights/scorecard").json()
    response_figure = next(f for f in scorecard["figures"] if f["key"] == "complaint_response")
    assert response_figure["last_90_days"] == 1.0
    assert response_figure["detail"] == "1 complaint in the last 90 days; answered on the spot"


def test_a_complaint_is_open_unless_said_to_be_answered_on_the_spot(api, customer):
    body = post(
        api, "/api/v1/complaints", {"customer": customer.pk, "description": "Te lang gewacht"}
    ).json()

    assert (body["channel"], body["status"], body["first_response_at"]) == ("counter", "open", None)
    assert AuditEvent.objects.filter(action="responded").count() == 0


def test_a_complaint_by_message_is_logged_as_one_not_public_and_still_to_be_answered(api, customer):
    response = post(
        api,
        "/api/v1/complaints",
        {"customer": customer.pk, "description": "Bos was verwelkt", "channel": "message"},
    )

    body = response.json()
    assert (response.status_code, body["channel"], body["public"], body["status"]) == (
        201,
        "message",
        False,
        "open",
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"channel": "review_site", "answered_on_the_spot": True},
            {
                "loc": ["body", "answered_on_the_spot"],
                "msg": "Only a complaint made in person or by phone can have been answered "
                "on the spot; this one came in via review site.",
                "type": "not_in_person",
            },
        ),
        (
            {"answered_on_the_spot": "yes"},
            {
                "loc": ["body", "answered_on_the_spot"],
                "msg": "Enter true or false.",
                "type": "bool_type",
            },
        ),
    ],
)
def test_a_refused_answer_on_the_spot_stores_nothing(api, customer, extra, expected):
    response = post(
        api,
        "/api/v1/complaints",
        {"customer": customer.pk, "description": "Boze review", **extra},
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [expected]
    assert Complaint.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_complaint_is_logged_with_the_gesture_offered_and_a_too_long_one_stores_nothing(
    api, customer
):
    body = post(
        api,
        "/api/v1/complaints",
        {
            "customer": customer.pk,
            "description": "Catering te laat",
            "channel": "phone",
            "recovery_gesture": "Gratis dessert",
        },
    ).json()
    refused = post(
        api,
        "/api/v1/complaints",
        {"customer": customer.pk, "description": "Koud", "recovery_gesture": "x" * 301},
    )

    assert (body["recovery_gesture"], body["status"]) == ("Gratis dessert", "open")
    assert refused.status_code == 422
    assert [error["loc"] for error in refused.json()["detail"]] == [["body", "recovery_gesture"]]
    assert list(Complaint.objects.values_list("description", flat=True)) == ["Catering te laat"]


def test_the_schema_documents_answered_on_the_spot(api):
    schemas = api.get("/api/v1/openapi.json").json()["components"]["schemas"]

    field = schemas["ComplaintCreate"]["properties"]["answered_on_the_spot"]
    assert (field["type"], field["default"]) == ("boolean", False)
    assert field["description"].startswith("The customer was answered there and then")
    assert "answered_on_the_spot" not in schemas["ComplaintUpdate"]["properties"]


def test_a_follow_up_outcome_not_content_opens_a_complaint(api, customer):
    follow_up = FollowUpFactory(customer=customer)

    response = patch(
        api,
        f"/api/v1/follow-ups/{follow_up.pk}",
        {"outcome": "not_content", "outcome_note": "Te zout"},
    )

    body = response.json()
    assert (body["status"], body["outcome"]) == ("done", "not_content")
    assert body["raised_complaint"] == Complaint.objects.get().pk


def test_a_quotes_follow_up_records_the_decision_or_asks_again(api, customer, business):
    accepted = FollowUpFactory(customer=customer, reason="quote")
    deciding = FollowUpFactory(customer=customer, reason="quote")

    done = patch(
        api,
        f"/api/v1/follow-ups/{accepted.pk}",
        {"outcome": "accepted", "outcome_note": "Volgende week inplannen"},
    ).json()
    later = patch(api, f"/api/v1/follow-ups/{deciding.pk}", {"outcome": "still_deciding"}).json()

    assert (done["reason"], done["status"], done["outcome"], done["outcome_note"]) == (
        "quote",
        "done",
        "accepted",
        "Volgende week inplannen",
    )
    assert done["raised_complaint"] is None
    assert (later["status"], later["outcome"], later["attempts"]) == ("planned", "", 0)
    assert later["due_on"] > business.today().isoformat()
    assert Complaint.objects.count() == 0


def test_a_repeated_gesture_is_recorded_and_flagged(api, customer):
    first = post(
        api, "/api/v1/gestures", {"customer": customer.pk, "what": "Worstje", "value_cents": 150}
    )
    second = post(api, "/api/v1/gestures", {"customer": customer.pk, "what": "worstje"})

    assert first.json()["repeated_recently"] is False
    assert second.json()["repeated_recently"] is True
    assert Gesture.objects.count() == 2
    assert api.get("/api/v1/gestures", {"customer": customer.pk}).json()["count"] == 2


def test_a_gesture_worth_more_than_any_amount_is_refused_and_nothing_is_stored(api, customer):
    response = post(
        api, "/api/v1/gestures", {"customer": customer.pk, "what": "Worst", "value_cents": 10**12}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "value_cents"
    assert Gesture.objects.count() == 0


def test_today_returns_the_lists(api, customer, business):
    now = timezone.now()
    promise = PromiseFactory(
        customer=customer, made_at=now - timedelta(days=2), due_at=now - timedelta(days=1)
    )
    # Today's: one due at its first moment (passed, whatever the hour), one for the whole day.
    # A grace longer than a day keeps the passed one "overdue" at every hour, also on the day
    # the clocks go back (25 hours).
    business.settings = {"care": {"promise_grace_hours": 48}}
    business.save(update_fields=["settings"])
    midnight = business.start_of(business.today())
    passed = PromiseFactory(
        customer=customer, made_at=midnight - timedelta(days=1), due_at=midnight
    )
    whole_day = PromiseFactory(
        customer=customer,
        made_at=midnight - timedelta(days=1),
        due_at=due_moment_for_day(business=business, day=business.today()),
        due_all_day=True,
    )
    complaint = ComplaintFactory(customer=customer)
    follow_up = FollowUpFactory(customer=customer, due_on=business.today())

    body = api.get("/api/v1/today").json()

    assert [item["id"] for item in body["overdue"]] == [promise.pk]
    assert [item["id"] for item in body["due_today"]] == [passed.pk, whole_day.pk]
    assert [item["status"] for item in body["due_today"]] == ["overdue", "open"]
    assert (body["totals"]["overdue"], body["totals"]["due_today"]) == (1, 2)
    assert [item["id"] for item in body["complaints"]] == [complaint.pk]
    assert [item["id"] for item in body["follow_ups"]] == [follow_up.pk]
    assert body["day"] == business.today().isoformat()


def test_out_of_range_ids_are_refused_or_not_found_never_a_server_error(api):
    huge = 2**70

    assert api.get("/api/v1/promises", {"customer": huge}).status_code == 422
    assert api.get("/api/v1/complaints", {"customer": huge}).status_code == 422
    assert api.get(f"/api/v1/promises/{huge}").status_code == 404
    assert api.get(f"/api/v1/follow-ups/{huge}").status_code == 404


def test_moments_leave_the_api_in_utc(api, customer):
    long_ago = timezone.datetime(1850, 3, 1, 12, 0, tzinfo=customer.business.tzinfo)
    complaint = ComplaintFactory(customer=customer, received_at=long_ago)

    body = api.get(f"/api/v1/complaints/{complaint.pk}").json()

    assert body["response_deadline"].endswith("Z")
    # Friday 1 March 1850 had opened: Saturday, Monday and Tuesday, to 18:00 in Amsterdam's
    # mean time then (19 min 32 s ahead of UTC).
    assert body["resolution_deadline"] == "1850-03-05T17:40:28Z"


def test_the_passed_day_of_a_follow_up_after_a_complaint_is_not_moved(api, customer, business):
    late = FollowUpFactory(
        customer=customer, reason="complaint", due_on=business.today() - timedelta(days=4)
    )
    before = snapshot()

    response = patch(
        api,
        f"/api/v1/follow-ups/{late.pk}",
        {"due_on": (business.today() + timedelta(days=2)).isoformat()},
    )

    assert (response.status_code, response.json()["code"]) == (409, "overdue")
    assert response.json()["detail"].startswith("The day this follow-up was planned for has")
    assert snapshot() == before


def test_an_answered_complaint_keeps_when_it_came_in(api, customer):
    received = timezone.now() - timedelta(hours=5)
    answered = ComplaintFactory(
        customer=customer, received_at=received, first_response_at=received + timedelta(hours=3)
    )
    before = snapshot()

    response = patch(
        api,
        f"/api/v1/complaints/{answered.pk}",
        {"received_at": (received + timedelta(hours=2)).isoformat()},
    )

    assert (response.status_code, response.json()["code"]) == (409, "judged")
    assert snapshot() == before
