"""A gesture typed wrongly is corrected on the web pages, as through the API: any member changes
what it was, its value, the occasion and the day, from the profile or the gestures' log; one
logged by mistake is taken back from there too, by the rule of the profile's Undo. A
complaint's recovery gesture is changed on its complaint; another business's is not found."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.models import AuditEvent, Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures.models import Gesture, Occasion
from klantvriend.gestures.services import gesture_create
from klantvriend.gestures.tests.factories import GestureFactory

from .sent_forms import form_as_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def gesture(business, staff_user):
    customer = CustomerFactory(business=business, name="Marieke de Boer")
    given = gesture_create(
        customer=customer,
        what="Bos tulpen",
        value_cents=1250,
        occasion=Occasion.JUST_BECAUSE,
        given_at=timezone.make_aware(datetime(2026, 11, 28, 11, 0, 37), business.tzinfo),
        given_by=staff_user,
    )
    return given


def _url(gesture):
    return reverse("web:gesture_edit", args=[gesture.pk])


def _stored(gesture):
    return Gesture.objects.filter(pk=gesture.pk).values_list(
        "what", "value_cents", "occasion", "given_at"
    )[0]


def _sent(client, gesture) -> dict:
    return form_as_sent(client.get(_url(gesture)), having="what")


def test_the_profile_and_the_log_link_a_gesture_to_its_correction(staff_client, gesture):
    recovery = GestureFactory(
        customer=gesture.customer, complaint=ComplaintFactory(customer=gesture.customer)
    )

    profile = staff_client.get(reverse("web:customer_detail", args=[gesture.customer_id]))
    log = staff_client.get(reverse("web:insights_gestures"))

    assert f'href="{_url(gesture)}" data-testid="gesture-edit-link">Wijzigen' in (
        profile.content.decode()
    )
    assert f'href="{_url(recovery)}"' not in profile.content.decode()
    assert f'href="{_url(gesture)}" data-testid="gesture-log-edit">Bos tulpen' in (
        log.content.decode()
    )
    assert f'href="{_url(recovery)}"' not in log.content.decode()


def test_the_edit_page_names_the_occasion_as_the_log_does(staff_client, gesture):
    page = staff_client.get(_url(gesture)).content.decode()
    log = staff_client.get(reverse("web:insights_gestures")).content.decode()

    assert '<label for="gesture-edit-occasion">Aanleiding <span class="required"' in page
    assert '<th scope="col">Aanleiding</th>' in log
    # The customer received it: "Voor", not "Van Marieke de Boer".
    assert '<p class="subtle">Voor Marieke de Boer</p>' in page


def test_staff_correct_the_value_and_the_occasion(staff_client, gesture, staff_user):
    sent = _sent(staff_client, gesture)
    assert (sent["what"], sent["value"], sent["occasion"], sent["given_at"]) == (
        "Bos tulpen",
        "12,50",
        "just_because",
        "2026-11-28T11:00",
    )

    response = staff_client.post(_url(gesture), {**sent, "value": "21,50", "occasion": "birthday"})

    assert response.status_code == 302
    assert response["Location"] == reverse("web:customer_detail", args=[gesture.customer_id])
    # The day left as shown keeps its seconds.
    assert _stored(gesture) == ("Bos tulpen", 2150, "birthday", gesture.given_at)
    event = AuditEvent.objects.filter(object_type="gesture", object_id=gesture.pk).latest("id")
    assert (event.action, event.actor, event.changes) == (
        "changed",
        staff_user,
        {"value_cents": [1250, 2150], "occasion": ["just_because", "birthday"]},
    )


def test_no_value_takes_the_value_off(owner_client, gesture):
    owner_client.post(_url(gesture), {**_sent(owner_client, gesture), "value": ""})

    assert _stored(gesture)[1] is None


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"what": " "}, "what"),
        ({"value": "veel"}, "value"),
        ({"given_at": "2999-01-01T10:00"}, "given_at"),
        ({"given_at": ""}, "given_at"),
        ({"occasion": "kerst"}, "occasion"),
    ],
)
def test_refused_input_is_shown_at_its_field_and_nothing_changes(
    owner_client, gesture, typed, field
):
    before = _stored(gesture)
    events = AuditEvent.objects.count()

    response = owner_client.post(
        _url(gesture), {**_sent(owner_client, gesture), "value": "5,00", **typed}
    )

    assert response.status_code == 422
    assert list(response.context["form"].errors) == [field]
    assert _stored(gesture) == before
    assert AuditEvent.objects.count() == events


def test_a_change_saved_meanwhile_is_not_overwritten_unseen(owner_client, gesture):
    sent = _sent(owner_client, gesture)
    Gesture.objects.filter(pk=gesture.pk).update(what="Bos rozen")

    response = owner_client.post(_url(gesture), {**sent, "value": "15,00"})

    assert response.status_code == 409
    assert _stored(gesture)[:2] == ("Bos rozen", 1250)
    form = response.context["form"]
    assert form["value"].value() == "15,00"  # what was typed stays
    assert form.non_field_errors() == [
        "Iemand anders heeft deze attentie opgeslagen terwijl jij haar wijzigde. Kijk na wat je "
        "typte en sla opnieuw op om het te bewaren."
    ]


def test_a_recovery_gesture_is_changed_on_its_complaint(owner_client, business):
    customer = CustomerFactory(business=business)
    recovery = GestureFactory(customer=customer, complaint=ComplaintFactory(customer=customer))
    before = _stored(recovery)

    response = owner_client.post(_url(recovery), {"what": "Iets anders"}, follow=True)

    assert response.redirect_chain == [(reverse("web:customer_detail", args=[customer.pk]), 302)]
    assert (
        "Deze attentie hoort bij een klacht: wijzig haar bij die klacht."
        in response.content.decode()
    )
    assert _stored(recovery) == before


def test_whoever_logged_it_takes_it_back_from_its_page(staff_client, gesture, business):
    other = user_create(username="lotte", password="pw-lotte-123", first_name="Lotte")
    membership_create(business=business, user=other, role=Role.STAFF)
    staff_client_of_lotte = type(staff_client)()
    staff_client_of_lotte.force_login(other)
    assert "gesture-undo-form" not in staff_client_of_lotte.get(_url(gesture)).content.decode()
    page = staff_client.get(_url(gesture)).content.decode()
    assert "gesture-undo-form" in page

    response = staff_client.post(reverse("web:gesture_undo", args=[gesture.pk]))

    assert response.status_code == 302
    assert not Gesture.objects.filter(pk=gesture.pk).exists()


def test_another_business_gesture_is_not_found(owner_client, other_business, gesture):
    theirs = GestureFactory(customer=CustomerFactory(business=other_business))
    before = _stored(theirs)

    assert owner_client.get(_url(theirs)).status_code == 404
    assert owner_client.post(_url(theirs), {"what": "x", "occasion": "birthday"}).status_code == (
        404
    )
    assert _stored(theirs) == before
