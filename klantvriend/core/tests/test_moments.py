"""A moment given for what happened is checked alike by every kind of record (core.moments)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from klantvriend.complaints.models import Complaint
from klantvriend.complaints.services import complaint_create
from klantvriend.core.errors import ValidationError
from klantvriend.core.models import AuditEvent
from klantvriend.customers.models import ContactKind, ContactMoment, Purchase
from klantvriend.customers.services import contact_moment_create, purchase_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures.models import Gesture
from klantvriend.gestures.services import gesture_create
from klantvriend.promises.models import Promise
from klantvriend.promises.services import promise_create

YEAR_25 = datetime(25, 3, 14, 10, 0, tzinfo=UTC)  # "0025" typed for "2025"
RECORDS = [
    (lambda c, at: purchase_create(customer=c, amount_cents=500, at=at), Purchase, "at"),
    (
        lambda c, at: contact_moment_create(
            customer=c, kind=ContactKind.VISIT, summary="Langs geweest", at=at
        ),
        ContactMoment,
        "at",
    ),
    (
        lambda c, at: complaint_create(customer=c, description="Taai", received_at=at),
        Complaint,
        "received_at",
    ),
    (lambda c, at: gesture_create(customer=c, what="Taart", given_at=at), Gesture, "given_at"),
    (
        lambda c, at: promise_create(
            customer=c, description="Bellen", made_at=at, due_at=at + timedelta(days=1)
        ),
        Promise,
        "made_at",
    ),
]


@pytest.mark.parametrize(("record", "model", "field"), RECORDS)
def test_a_moment_before_1900_is_refused_as_a_typo_of_the_year(business, record, model, field):
    customer = CustomerFactory(business=business)

    with pytest.raises(ValidationError) as refused:
        record(customer, YEAR_25)

    assert [(error.code, error.message) for error in refused.value.error_dict[field]] == [
        ("too_early", "Kijk het jaar na: dit moment ligt voor 1900.")
    ]
    assert model.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(("record", "model", "field"), RECORDS)
def test_a_moment_in_the_future_is_refused_and_1900_itself_is_taken(business, record, model, field):
    customer = CustomerFactory(business=business)

    with pytest.raises(ValidationError) as refused:
        record(customer, timezone.now() + timedelta(minutes=10))
    record(customer, datetime(1900, 1, 1, tzinfo=UTC))

    assert refused.value.error_dict[field][0].code == "future"
    assert model.objects.count() == 1
