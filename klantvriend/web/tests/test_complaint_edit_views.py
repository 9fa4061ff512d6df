"""A complaint's details typed wrongly are corrected on the web pages, as through the API's
PATCH and by its rules: what it is about, how serious, the channel, the gesture offered, and,
once resolved, how it was resolved. When it came in stays once its deadlines have judged it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from klantvriend.complaints.models import Complaint
from klantvriend.complaints.services import complaint_create, complaint_resolve
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.models import AuditEvent
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures.models import Gesture

from .sent_forms import form_as_sent

pytestmark = pytest.mark.django_db

FIELDS = ("description", "channel", "public", "severity", "driver", "received_at")


@pytest.fixture
def complaint(business, owner):
    return complaint_create(
        customer=CustomerFactory(business=business, name="Marieke de Boer"),
        description="Bruidsboeket verwelkt",
        channel="phone",
        received_at=timezone.now() - timedelta(minutes=30),
        received_by=owner,
    )


def _url(complaint):
    return reverse("web:complaint_edit", args=[complaint.pk])


def _stored(complaint):
    return Complaint.objects.filter(pk=complaint.pk).values_list(*FIELDS)[0]


def _sent(client, complaint) -> dict:
    return form_as_sent(client.get(_url(complaint)), having="description")


def test_the_profile_links_a_complaint_to_its_correction(staff_client, complaint):
    page = staff_client.get(reverse("web:customer_detail", args=[complaint.customer_id]))

    assert f'href="{_url(complaint)}" data-testid="complaint-edit-link">Wijzigen' in (
        page.content.decode()
    )


def test_staff_correct_what_it_is_about_and_how_serious(staff_client, complaint, staff_user):
    sent = _sent(staff_client, complaint)
    assert "resolution" not in sent  # said by resolving it

    response = staff_client.post(
        _url(complaint),
        {**sent, "description": "Bruidsboeket verwelkt bij aankomst", "severity": "high"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("web:customer_detail", args=[complaint.customer_id])
    stored = Complaint.objects.get(pk=complaint.pk)
    assert (stored.description, stored.severity, stored.received_at) == (
        "Bruidsboeket verwelkt bij aankomst",
        "high",
        complaint.received_at,  # left as shown: its seconds stay
    )
    event = AuditEvent.objects.filter(object_type="complaint").latest("id")
    assert (event.action, event.actor, event.changes) == (
        "changed",
        staff_user,
        {
            "description": ["Bruidsboeket verwelkt", "Bruidsboeket verwelkt bij aankomst"],
            "severity": ["medium", "high"],
        },
    )


def test_a_resolved_complaint_has_its_resolution_reworded_and_its_gesture_logged_anew(
    owner_client, complaint, owner, django_capture_on_commit_callbacks
):
    complaint_resolve(
        complaint=complaint, actor=owner, resolution="Nieuw boeket", recovery_gesture=""
    )
    sent = _sent(owner_client, complaint)
    assert (sent["resolution"], sent["satisfaction_after"]) == ("Nieuw boeket", "")

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            _url(complaint),
            {
                **sent,
                "resolution": "Nieuw boeket gebracht",
                "satisfaction_after": "4",
                "recovery_gesture": "Bos tulpen erbij",
            },
        )

    assert response.status_code == 302
    stored = Complaint.objects.get(pk=complaint.pk)
    assert (stored.resolution, stored.satisfaction_after, stored.recovery_gesture) == (
        "Nieuw boeket gebracht",
        4,
        "Bos tulpen erbij",
    )
    assert list(Gesture.objects.filter(complaint=complaint).values_list("what", flat=True)) == [
        "Bos tulpen erbij"
    ]


def test_a_judged_complaint_shows_when_it_came_in_as_fixed_and_saves_the_rest(
    owner_client, business
):
    answered = ComplaintFactory(
        customer=CustomerFactory(business=business),
        received_at=timezone.now() - timedelta(days=2),
        first_response_at=timezone.now() - timedelta(days=1),
        public=True,
        channel="review_site",
    )
    page = owner_client.get(_url(answered))
    form = page.context["form"]
    assert [name for name, field in form.fields.items() if field.disabled] == [
        "public",
        "received_at",
    ]
    assert form["received_at"].help_text == (
        "Blijft zoals het is: de klacht is beantwoord, opgelost of over een termijn heen, en "
        "haar cijfers mogen achteraf niet veranderen."
    )
    sent = form_as_sent(page, having="description")
    assert {"received_at", "public"}.isdisjoint(sent)  # disabled inputs are not sent

    response = owner_client.post(_url(answered), {**sent, "severity": "high"})

    assert response.status_code == 302
    stored = Complaint.objects.get(pk=answered.pk)
    assert (stored.severity, stored.public, stored.received_at) == (
        "high",
        True,
        answered.received_at,
    )


def test_an_unjudged_complaint_offers_when_it_came_in(owner_client, complaint):
    form = owner_client.get(_url(complaint)).context["form"]

    assert not any(field.disabled for field in form.fields.values())


def test_when_a_complaint_judged_meanwhile_came_in_stays_and_nothing_changes(
    owner_client, business, owner
):
    # The page was opened before its first deadline passed: it sends when it came in.
    answered = ComplaintFactory(
        customer=CustomerFactory(business=business),
        received_at=timezone.now() - timedelta(days=2),
        first_response_at=timezone.now() - timedelta(days=1),
    )
    before = _stored(answered)
    sent = _sent(owner_client, answered)

    response = owner_client.post(
        _url(answered), {**sent, "received_at": "2026-01-05T10:00", "severity": "high"}
    )

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["received_at"]
    assert _stored(answered) == before


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"description": " "}, "description"),
        ({"channel": "fax"}, "channel"),
        ({"received_at": ""}, "received_at"),
        ({"received_at": "2999-01-01T10:00"}, "received_at"),
    ],
)
def test_refused_input_is_shown_at_its_field_and_nothing_changes(
    owner_client, complaint, typed, field
):
    before = _stored(complaint)
    events = AuditEvent.objects.count()

    response = owner_client.post(
        _url(complaint), {**_sent(owner_client, complaint), "severity": "low", **typed}
    )

    assert response.status_code == 422
    assert list(response.context["form"].errors) == [field]
    assert _stored(complaint) == before
    assert AuditEvent.objects.count() == events


def test_a_change_saved_meanwhile_is_not_overwritten_unseen(owner_client, complaint):
    sent = _sent(owner_client, complaint)
    Complaint.objects.filter(pk=complaint.pk).update(severity="high")

    response = owner_client.post(_url(complaint), {**sent, "driver": "reliability"})

    assert response.status_code == 409
    assert Complaint.objects.get(pk=complaint.pk).driver == "other"
    form = response.context["form"]
    assert form["driver"].value() == "reliability"  # what was typed stays
    assert form.non_field_errors() == [
        "Iemand anders heeft deze klacht opgeslagen terwijl jij haar wijzigde. Kijk na wat je "
        "typte en sla opnieuw op om het te bewaren."
    ]


def test_another_business_complaint_is_not_found(owner_client, other_business):
    theirs = ComplaintFactory(customer=CustomerFactory(business=other_business))
    before = _stored(theirs)

    assert owner_client.get(_url(theirs)).status_code == 404
    assert owner_client.post(_url(theirs), {"description": "x"}).status_code == 404
    assert _stored(theirs) == before
