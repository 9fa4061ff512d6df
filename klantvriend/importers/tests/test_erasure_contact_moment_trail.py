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
