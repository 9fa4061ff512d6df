"""A PATCH with null takes back a step recorded by mistake, by the rule of the web's Undo
(core/undo.py): a promise kept (`done_at`), a complaint answered (`first_response_at`), a
follow-up's outcome (`outcome`); 24 hours, by whoever recorded it or an owner."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from klantvriend.aftercare.models import FollowUp
from klantvriend.complaints import services as complaint_services
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.models import AuditEvent
from klantvriend.core.services import apitoken_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot
from klantvriend.promises.models import PromiseKind
from klantvriend.promises.tests.factories import PromiseFactory


def patch(client, url, data, **headers):
    return client.patch(
        url, data=json.dumps(data), content_type="application/json", headers=headers
    )


@pytest.fixture
def staff_api(business, staff_user) -> Client:
    key = apitoken_create(membership=business.memberships.get(user=staff_user), name="till")[1]
    return Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})


@pytest.fixture
def delivery(business):
    now = timezone.now()
    return PromiseFactory(
        customer=CustomerFactory(business=business),
        kind=PromiseKind.DELIVERY,
        made_at=now - timedelta(days=1),
        due_at=now + timedelta(days=2),
    )


def test_a_kept_promise_is_reopened_with_null_and_its_planned_follow_up_goes(
    staff_api, delivery, django_capture_on_commit_callbacks
):
    url = f"/api/v1/promises/{delivery.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        kept = patch(staff_api, url, {"done_at": timezone.now().isoformat()})
    assert FollowUp.objects.filter(promise=delivery).count() == 1

    response = patch(staff_api, url, {"done_at": None}, **{"If-Match": kept["ETag"]})

    assert response.status_code == 200
    assert (response.json()["done_at"], response.json()["status"]) == (None, "open")
    assert response["ETag"] != kept["ETag"]
    assert FollowUp.objects.filter(promise=delivery).count() == 0
    assert list(
        AuditEvent.objects.filter(object_type="promise")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["completed", "undone"]


def test_a_reopening_sent_with_an_older_version_is_refused(staff_api, delivery):
    url = f"/api/v1/promises/{delivery.pk}"
    read = staff_api.get(url)
    patch(staff_api, url, {"done_at": timezone.now().isoformat()})
    before = snapshot()

    response = patch(staff_api, url, {"done_at": None}, **{"If-Match": read["ETag"]})

    assert (response.status_code, response.json()["code"]) == (412, "changed_meanwhile")
    assert snapshot() == before


def test_staff_cannot_reopen_what_an_owner_kept(api, staff_api, delivery):
    url = f"/api/v1/promises/{delivery.pk}"
    patch(api, url, {"done_at": timezone.now().isoformat()})
    before = snapshot()

    response = patch(staff_api, url, {"done_at": None})

    assert (response.status_code, response.json()) == (
        409,
        {"detail": "Only whoever recorded this, or an owner, can undo it.", "code": "not_yours"},
    )
    assert snapshot() == before


def test_a_reopening_a_day_later_is_refused_in_the_readers_language(api, delivery):
    url = f"/api/v1/promises/{delivery.pk}"
    patch(api, url, {"done_at": timezone.now().isoformat()})
    AuditEvent.objects.update(at=timezone.now() - timedelta(hours=25))
    before = snapshot()

    response = patch(api, url, {"done_at": None}, **{"Accept-Language": "nl"})

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "Dit is meer dan 24 uur geleden vastgelegd en kan niet meer ongedaan "
            "gemaakt worden.",
            "code": "too_late",
        },
    )
    assert snapshot() == before


def test_the_answer_of_a_resolved_complaint_is_not_taken_back(api, business, owner):
    complaint = ComplaintFactory(
        customer=CustomerFactory(business=business),
        received_at=timezone.now() - timedelta(hours=1),
    )
    complaint_services.complaint_respond(complaint=complaint, actor=owner)
    complaint_services.complaint_resolve(
        complaint=complaint, actor=owner, resolution="Excuses gemaakt"
    )
    before = snapshot()

    response = patch(api, f"/api/v1/complaints/{complaint.pk}", {"first_response_at": None})

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "This complaint is resolved, and its resolution answered the customer.",
            "code": "resolved",
        },
    )
    assert snapshot() == before
    # The resolution itself stays final, as before.
    response = patch(api, f"/api/v1/complaints/{complaint.pk}", {"resolved_at": None})
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "A complaint's resolution cannot be undone.", "code": "reopen"},
    )
    assert snapshot() == before


def test_reopening_a_kept_delivery_withdraws_the_survey_invitation_it_caused(
    staff_api, business, django_capture_on_commit_callbacks, mailoutbox
):
    delivery = PromiseFactory(
        customer=CustomerFactory(business=business, email="bram@example.nl", emailable=True),
        kind=PromiseKind.DELIVERY,
        made_at=timezone.now() - timedelta(days=1),
        due_at=timezone.now() + timedelta(days=2),
    )
    url = f"/api/v1/promises/{delivery.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        patch(staff_api, url, {"done_at": timezone.now().isoformat()})
    [invited] = staff_api.get("/api/v1/survey-invitations").json()["items"]
    assert (invited["promise"], invited["trigger"], invited["withdrawn_at"]) == (
        delivery.pk,
        "delivery",
        None,
    )

    response = patch(staff_api, url, {"done_at": None})

    assert response.status_code == 200
    [withdrawn] = staff_api.get("/api/v1/survey-invitations").json()["items"]
    assert withdrawn["id"] == invited["id"]
    assert withdrawn["withdrawn_at"] is not None
    assert withdrawn["answered_at"] is None
    assert len(mailoutbox) == 1
    assert list(
        AuditEvent.objects.filter(object_type="surveyinvitation")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["planned", "withdrawn"]
