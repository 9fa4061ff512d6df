"""An erasure blanks what the trail of a customer's contact moments quoted (customers.services
records what a contact moment said when it is recorded, corrected or removed)."""

import pytest

from klantvriend.core.models import AuditEvent
from klantvriend.customers import services
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.privacy import customer_erase

pytestmark = pytest.mark.django_db


def test_an_erasure_blanks_what_the_trail_quoted(business, owner):
    customer = CustomerFactory(business=business, name="Marieke de Boer")
    moment = services.contact_moment_create(
        customer=customer, kind="call", summary="Gebeld over de bruidstaart", member=owner
    )
    services.contact_moment_update(moment=moment, actor=owner, summary="Bruidstaart besteld")

    customer_erase(customer=customer, actor=owner)

    changes = list(
        AuditEvent.objects.filter(object_type="contactmoment")
        .order_by("id")
        .values_list("changes", flat=True)
    )
    assert [sorted(change) for change in changes] == [["at", "kind", "summary"], ["summary"]]
    assert "taart" not in str(changes).lower()


def test_an_erasure_keeps_the_kind_and_the_moment_the_trail_recorded(business, owner):
    # The trail read "kind —, at —" after an erasure, where the row itself kept both: a code
    # of the system and the moment something happened are not the person's words.
    customer = CustomerFactory(business=business, name="Marieke de Boer", birthday="1980-05-01")
    moment = services.contact_moment_create(
        customer=customer, kind="call", summary="Gebeld over de bruidstaart", member=owner
    )
    recorded = AuditEvent.objects.get(object_type="contactmoment").changes

    customer_erase(customer=customer, actor=owner)

    kept = AuditEvent.objects.get(object_type="contactmoment").changes
    assert kept["kind"] == recorded["kind"]
    assert kept["at"] == recorded["at"]
    assert kept["summary"] != recorded["summary"]
    assert "taart" not in str(kept).lower()
    moment.refresh_from_db()
    assert moment.kind == "call"
    # The customer's own day (a birthday) goes from the trail as from the row.
    assert "1980" not in str(
        list(AuditEvent.objects.filter(object_type="customer").values_list("changes", flat=True))
    )
