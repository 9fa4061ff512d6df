"""The step a request asks for handles it: the copy given handles the open requests for a copy,
the erasure every open request of the customer (none is left dangling on Today)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from klantvriend.core.audit import AuditAction
from klantvriend.core.models import AuditEvent
from klantvriend.customers.models import PrivacyRequest, PrivacyRequestAnswer
from klantvriend.customers.privacy_requests import privacy_request_record
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.privacy import customer_access_given, customer_erase
from klantvriend.importers.scrubbing import ERASED_TEXT

pytestmark = pytest.mark.django_db


def _request(customer, owner, kind, days_ago=2, note=""):
    return privacy_request_record(
        customer=customer,
        actor=owner,
        kind=kind,
        received_on=customer.business.today() - timedelta(days=days_ago),
        channel="phone",
        note=note,
    )


def test_the_copy_given_handles_the_open_request_for_a_copy_only(business, owner):
    anna = CustomerFactory(business=business)
    copy = _request(anna, owner, "access")
    correction = _request(anna, owner, "correction")

    customer_access_given(customer=anna, actor=owner, requested_on=copy.received_on)

    copy.refresh_from_db()
    correction.refresh_from_db()
    assert (copy.handled_how, copy.handled_by_id) == (PrivacyRequestAnswer.COPY_GIVEN, owner.pk)
    assert correction.handled_at is None
    handled = AuditEvent.objects.get(object_type="privacyrequest", action=AuditAction.COMPLETED)
    # The export event carries the day received; the handling does not repeat it.
    assert handled.changes == {"kind": "access", "handled_how": "copy_given"}
    assert AuditEvent.objects.filter(changes__has_key="requested_on", customer=anna).count() == 1


def test_a_refused_copy_handles_nothing(business, owner):
    anna = CustomerFactory(business=business)
    copy = _request(anna, owner, "access")
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError):
        customer_access_given(
            customer=anna, actor=owner, requested_on=business.today() + timedelta(days=1)
        )

    copy.refresh_from_db()
    assert copy.handled_at is None
    assert AuditEvent.objects.count() == events


def test_the_erasure_handles_every_open_request_and_erases_their_notes(business, owner):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    erasure = _request(anna, owner, "erasure", days_ago=5, note="Anna belde zelf")
    correction = _request(anna, owner, "correction", note="nieuw adres")
    other = CustomerFactory(business=business)
    untouched = _request(other, owner, "access")

    customer_erase(customer=anna, actor=owner, requested_on=erasure.received_on)

    rows = {row.pk: row for row in PrivacyRequest.objects.all()}
    assert [
        (rows[request.pk].handled_how, rows[request.pk].note) for request in (erasure, correction)
    ] == [
        (PrivacyRequestAnswer.ERASED, ERASED_TEXT),
        (PrivacyRequestAnswer.ERASED, ERASED_TEXT),
    ]
    assert rows[untouched.pk].handled_at is None
    erased = AuditEvent.objects.get(customer=anna, action=AuditAction.ERASED)
    assert erased.changes["privacy_requests_handled"] == 2
    assert erased.changes["requested_on"] == erasure.received_on.isoformat()
