"""What "Who did what" lists for a record just created: the fields filled in, not the empty ones
(a new complaint listed "public, resolution, recovery gesture" that nobody had touched)."""

import re
from datetime import datetime, time, timedelta

from django.urls import reverse

from klantvriend.aftercare.services import follow_up_create
from klantvriend.complaints.services import complaint_create
from klantvriend.core.models import AuditEvent
from klantvriend.customers import services as customer_services
from klantvriend.gestures.services import gesture_create
from klantvriend.promises.services import promise_create

HTMX = {"HX-Request": "true"}


def _created(object_type: str) -> list[str]:
    # Sorted: PostgreSQL's jsonb keeps the keys in an order of its own.
    return sorted(AuditEvent.objects.get(object_type=object_type, action="created").changes)


def test_each_new_record_lists_what_was_filled_in_and_no_empty_field(business, owner):
    customer = customer_services.customer_create(
        business=business,
        name="Anna de Vries",
        email="",
        phone="06 12345678",
        notes="",
        marketing_consent=False,
        actor=owner,
    )
    tomorrow = datetime.combine(business.today() + timedelta(days=1), time(10))
    complaint_create(customer=customer, description="Gehakt niet vers", received_by=owner)
    promise_create(
        customer=customer,
        description="Rollade klaarzetten",
        due_at=tomorrow.replace(tzinfo=business.tzinfo),
        made_by=owner,
    )
    follow_up_create(
        business=business,
        customer=customer,
        note="Smaakte de rollade?",
        due_on=business.today() + timedelta(days=2),
        created_by=owner,
    )
    gesture_create(customer=customer, what="Worstje voor de hond", given_by=owner)

    assert _created("customer") == ["name", "phone"]
    assert _created("complaint") == ["channel", "description", "driver", "received_at", "severity"]
    assert _created("promise") == ["description", "due_at", "kind", "made_at"]
    assert _created("followup") == ["due_on", "note", "reason"]
    assert _created("gesture") == ["given_at", "occasion", "what"]


def test_a_box_ticked_and_a_nought_typed_are_filled_in(business, owner):
    customer = customer_services.customer_create(
        business=business, name="Bert", marketing_consent=True, actor=owner
    )
    complaint_create(
        customer=customer,
        description="Te laat geleverd",
        public=True,
        answered_on_the_spot=True,
        received_by=owner,
    )
    gesture_create(customer=customer, what="Koffie", value_cents=0, given_by=owner)

    assert "marketing_consent" in _created("customer")
    # Answered on the spot: its first response is an event of its own.
    assert _created("complaint") == [
        "channel",
        "description",
        "driver",
        "public",
        "received_at",
        "severity",
    ]
    assert _created("gesture") == ["given_at", "occasion", "value_cents", "what"]


def test_the_profile_lists_a_new_complaint_by_what_was_filled_in(owner_client, business):
    customer = customer_services.customer_create(business=business, name="Anna de Vries")

    response = owner_client.post(
        reverse("web:complaint_add", args=[customer.pk]),
        {
            "description": "Gehakt niet vers",
            "channel": "counter",
            "severity": "medium",
            "driver": "reliability",
        },
        headers=HTMX,
    )

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    rows = re.findall(r"<td>Klacht: aangemaakt</td><td class=\"subtle\">([^<]*)</td>", page)
    assert response.status_code == 200
    # A choice is said with its value; the complaint's words, the customer's, are not repeated.
    assert [sorted(row.split(", ")) for row in rows] == [
        [
            "binnengekomen op",
            "ernst: gemiddeld",
            "gaat over: betrouwbaarheid",
            "kanaal: in de zaak",
            "wat is de klacht",
        ]
    ]
