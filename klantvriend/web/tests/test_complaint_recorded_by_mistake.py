"""A complaint recorded by mistake. Staff at a butcher typed a received day years back (1-1-2020
for a customer since April): it was saved without a question, stood on top of Today as years
late, could not be corrected once its deadlines had judged it, and could not be removed. Now
a day more than 30 days back is asked about, an owner removes a complaint recorded by mistake
(the trail keeps it), and what is written about a complaint has a length a page can show."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from klantvriend.aftercare.models import FollowUp
from klantvriend.aftercare.services import follow_up_complete
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.models import Complaint
from klantvriend.complaints.services import complaint_create, complaint_resolve
from klantvriend.core.errors import ValidationError
from klantvriend.core.models import WRITTEN_MAX_LENGTH, AuditEvent, Membership
from klantvriend.core.services import apitoken_create
from klantvriend.customers.models import ContactMoment, Customer
from klantvriend.customers.services import contact_moment_create, customer_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures.models import Gesture

from .sent_forms import form_as_sent

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Marieke de Boer")


def _add(client, customer, **fields):
    return client.post(
        reverse("web:complaint_add", args=[customer.pk]),
        {
            "description": "Rollade was taai",
            "channel": "phone",
            "severity": "medium",
            "driver": "other",
            **fields,
        },
        headers=HTMX,
    )


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_complaint_received_years_ago_is_asked_about_and_saved_once_confirmed(
    staff_client, customer
):
    response = _add(staff_client, customer, received_at="2020-01-01T10:00")

    assert response.status_code == 422
    assert not Complaint.objects.exists()
    days = (timezone.now() - timezone.make_aware(timezone.datetime(2020, 1, 1, 10))).days
    page = response.content.decode()
    shown = f"{days:,}".replace(",", ".")  # grouped as Dutch groups thousands
    assert (
        f"Dat is {shown} dagen geleden, op 1 januari 2020. Controleer de datum: een klacht "
        "telt te laat vanaf het moment dat ze binnenkwam. Klopt het, vink dan "
        "“Toch vastleggen” aan."
    ) in page
    assert 'name="confirm_long_ago"' in page  # the question, shown only now

    response = _add(staff_client, customer, received_at="2020-01-01T10:00", confirm_long_ago="on")

    assert response.status_code == 200
    assert _local(Complaint.objects.get().received_at) == "2020-01-01T10:00"


def test_a_complaint_received_within_thirty_days_is_not_asked_about(staff_client, customer):
    received = timezone.now() - timedelta(days=29)

    response = _add(staff_client, customer, received_at=_local(received))

    assert response.status_code == 200
    assert _local(Complaint.objects.get().received_at) == _local(received)
    assert 'name="confirm_long_ago"' not in response.content.decode()


def test_the_form_without_the_question_asked_does_not_show_it(staff_client, customer):
    page = staff_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    assert 'name="confirm_long_ago"' not in page


def test_moving_when_a_complaint_came_in_years_back_is_asked_keeping_it_is_not(
    owner_client, customer, owner
):
    complaint = complaint_create(
        customer=customer,
        description="Rollade was taai",
        channel="phone",
        received_at=timezone.now() - timedelta(minutes=20),
        received_by=owner,
    )
    url = reverse("web:complaint_edit", args=[complaint.pk])
    sent = form_as_sent(owner_client.get(url), having="description")

    response = owner_client.post(url, {**sent, "received_at": "2019-06-01T09:00"})

    assert response.status_code == 422
    assert "dagen geleden, op 1 juni 2019" in response.content.decode()
    assert Complaint.objects.get().received_at == complaint.received_at

    response = owner_client.post(
        url, {**sent, "received_at": "2019-06-01T09:00", "confirm_long_ago": "on"}
    )
    assert response.status_code == 302
    assert _local(Complaint.objects.get().received_at) == "2019-06-01T09:00"

    # Logged long ago, corrected later in something else: not asked again.
    sent = form_as_sent(owner_client.get(url), having="description")
    response = owner_client.post(url, {**sent, "severity": "high"})
    assert response.status_code == 302
    assert Complaint.objects.get().severity == "high"


def test_a_complaint_longer_than_a_page_can_show_is_refused(staff_client, customer):
    response = _add(staff_client, customer, description="x" * (WRITTEN_MAX_LENGTH + 1))

    assert response.status_code == 422
    assert (
        "Zorg dat deze waarde niet meer dan 5000 tekens bevat (het zijn er nu 5001)."
    ) in response.content.decode()
    assert not Complaint.objects.exists()

    assert _add(staff_client, customer, description="x" * WRITTEN_MAX_LENGTH).status_code == 200
    assert len(Complaint.objects.get().description) == WRITTEN_MAX_LENGTH


def test_the_services_refuse_longer_texts_whoever_sends_them(customer, owner):
    with pytest.raises(ValidationError) as refused:
        contact_moment_create(
            customer=customer, kind="call", summary="x" * (WRITTEN_MAX_LENGTH + 1), member=owner
        )
    assert list(refused.value.message_dict) == ["summary"]
    assert not ContactMoment.objects.exists()

    with pytest.raises(ValidationError) as refused:
        customer_create(
            business=customer.business, name="Kees", preferences="x" * (WRITTEN_MAX_LENGTH + 1)
        )
    assert list(refused.value.message_dict) == ["preferences"]
    assert Customer.objects.count() == 1

    follow_up = FollowUpFactory(customer=customer)
    with pytest.raises(ValidationError) as refused:
        follow_up_complete(
            follow_up=follow_up, actor=owner, outcome="content", note="x" * WRITTEN_MAX_LENGTH + "y"
        )
    assert list(refused.value.message_dict) == ["outcome_note"]
    follow_up.refresh_from_db()
    assert (follow_up.done_at, follow_up.outcome_note) == (None, "")


@pytest.fixture
def resolved(customer, owner, django_capture_on_commit_callbacks):
    """A complaint resolved with a gesture, and the check the aftercare rules planned after it."""
    complaint = complaint_create(
        customer=customer,
        description="Rollade was taai",
        channel="phone",
        answered_on_the_spot=True,
        received_at=timezone.now() - timedelta(hours=2),
        received_by=owner,
    )
    with django_capture_on_commit_callbacks(execute=True):
        complaint_resolve(
            complaint=complaint,
            actor=owner,
            resolution="Nieuwe rollade",
            recovery_gesture="Zak gehakt erbij",
        )
    return complaint


def test_an_owner_removes_a_complaint_recorded_by_mistake(owner_client, resolved, owner):
    planned = FollowUp.objects.get(complaint=resolved)
    done = FollowUpFactory(
        customer=resolved.customer, done_at=timezone.now(), outcome="not_content"
    )
    FollowUp.objects.filter(pk=done.pk).update(raised_complaint=resolved)
    page = owner_client.get(reverse("web:complaint_edit", args=[resolved.pk])).content.decode()
    assert "Klacht verwijderen" in page

    response = owner_client.post(reverse("web:complaint_delete", args=[resolved.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("web:customer_detail", args=[resolved.customer_id])
    assert not Complaint.objects.exists()
    # The check still planned after it goes with it; a follow-up done stays, without it.
    assert list(FollowUp.objects.values_list("pk", "raised_complaint")) == [(done.pk, None)]
    # The gesture given stays among the gestures.
    assert list(Gesture.objects.values_list("what", "complaint")) == [("Zak gehakt erbij", None)]
    events = AuditEvent.objects.filter(action="deleted").order_by("id")
    assert [(event.object_type, event.object_id, event.actor) for event in events] == [
        ("followup", planned.pk, owner),
        ("complaint", resolved.pk, owner),
    ]
    assert events.last().changes["description"] == ["Rollade was taai", None]
    followed = owner_client.get(response["Location"]).content.decode()
    assert "Klacht verwijderd." in followed
    assert "Rollade was taai" not in followed


def test_staff_are_told_an_owner_removes_it_and_cannot_themselves(staff_client, resolved):
    page = staff_client.get(reverse("web:complaint_edit", args=[resolved.pk])).content.decode()
    assert "Klacht verwijderen" not in page
    assert "Per vergissing vastgelegd? Een eigenaar kan haar op deze pagina verwijderen." in page

    response = staff_client.post(reverse("web:complaint_delete", args=[resolved.pk]))

    assert response.status_code == 403
    assert Complaint.objects.filter(pk=resolved.pk).exists()
    assert FollowUp.objects.filter(complaint=resolved).exists()


def test_the_api_deletes_a_complaint_for_owners_only(api, business, resolved, staff_user):
    membership = Membership.objects.get(business=business, user=staff_user)
    key = apitoken_create(membership=membership)[1]
    staff = Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})

    refused = staff.delete(f"/api/v1/complaints/{resolved.pk}")

    assert refused.status_code == 403
    assert json.loads(refused.content) == {"detail": "Only an owner of the business may do this."}
    assert Complaint.objects.filter(pk=resolved.pk).exists()

    assert api.delete(f"/api/v1/complaints/{resolved.pk}").status_code == 204
    assert not Complaint.objects.exists()
    assert not FollowUp.objects.exists()
    assert api.get(f"/api/v1/complaints/{resolved.pk}").status_code == 404


def test_the_briefing_gives_a_long_summary_of_last_time_to_its_first_lines(
    staff_client, customer, staff_user
):
    said = "Lang gesprek over de bruiloft. " * 150  # 4,650 characters
    contact_moment_create(customer=customer, kind="visit", summary=said, member=staff_user)

    page = staff_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    briefing = page.split('data-testid="last-time"')[1].split("</ul>")[0]
    assert said[:299] + "…" in briefing
    assert said[:300] not in briefing
    assert said.strip() in page  # whole in the timeline
