"""Complaints, follow-ups and gestures carry when they were recorded (and complaints and
follow-ups when they last changed), as customers, purchases and promises do: a till or booking
system that keeps a copy had no way to tell which of them it had seen in their latest state."""

import json
from datetime import UTC, datetime

from klantvriend.aftercare.models import FollowUp
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.models import Complaint
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.customers import services
from klantvriend.gestures.models import Gesture
from klantvriend.gestures.tests.factories import GestureFactory

RECORDED = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
CHANGED = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def as_answered(moment: datetime) -> datetime:
    """The API gives moments to the millisecond."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def test_a_complaint_says_when_it_was_recorded_and_last_changed(api, business):
    customer = services.customer_create(business=business, name="Anna")
    complaint = ComplaintFactory(customer=customer)
    Complaint.objects.filter(pk=complaint.pk).update(created_at=RECORDED, updated_at=CHANGED)

    read = api.get(f"/api/v1/complaints/{complaint.pk}").json()
    listed = api.get("/api/v1/complaints").json()["items"]

    assert (read["created_at"], read["updated_at"]) == (
        "2026-11-30T09:15:00Z",
        "2026-11-30T12:00:00Z",
    )
    assert [(item["id"], item["created_at"], item["updated_at"]) for item in listed] == [
        (complaint.pk, "2026-11-30T09:15:00Z", "2026-11-30T12:00:00Z")
    ]


def test_a_complaint_changed_through_the_api_answers_with_its_new_updated_at(api, business):
    customer = services.customer_create(business=business, name="Anna")
    complaint = ComplaintFactory(customer=customer, description="Vlees was taai")
    Complaint.objects.filter(pk=complaint.pk).update(created_at=RECORDED, updated_at=CHANGED)

    response = api.patch(
        f"/api/v1/complaints/{complaint.pk}",
        data=json.dumps({"description": "Rollade was taai"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.updated_at > CHANGED
    assert response.json()["created_at"] == "2026-11-30T09:15:00Z"
    assert datetime.fromisoformat(response.json()["updated_at"]) == as_answered(stored.updated_at)


def test_a_follow_up_says_when_it_was_recorded_and_last_changed(api, business):
    customer = services.customer_create(business=business, name="Anna")
    follow_up = FollowUpFactory(customer=customer)
    FollowUp.objects.filter(pk=follow_up.pk).update(created_at=RECORDED, updated_at=CHANGED)

    read = api.get(f"/api/v1/follow-ups/{follow_up.pk}").json()

    assert (read["created_at"], read["updated_at"]) == (
        "2026-11-30T09:15:00Z",
        "2026-11-30T12:00:00Z",
    )


def test_a_gesture_says_when_it_was_recorded(api, business):
    customer = services.customer_create(business=business, name="Anna")
    gesture = GestureFactory(customer=customer)
    Gesture.objects.filter(pk=gesture.pk).update(created_at=RECORDED)

    read = api.get(f"/api/v1/gestures/{gesture.pk}").json()

    assert read["created_at"] == "2026-11-30T09:15:00Z"
