"""Contact moments in the audit trail, as the customer's other rows are: who recorded one, who
corrected what it said, who removed it and what it held; a correction that changes nothing and
a refused one leave no event."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from klantvriend.core.audit import AuditAction
from klantvriend.core.models import AuditEvent
from klantvriend.customers import services
from klantvriend.customers.models import ContactKind, ContactMoment
from klantvriend.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@pytest.fixture
def moment(business, staff_user):
    customer = CustomerFactory(business=business, name="Marieke de Boer")
    return services.contact_moment_create(
        customer=customer,
        kind=ContactKind.CALL,
        summary="Gebeld over de bruidstaart",
        at=AT,
        member=staff_user,
    )


def _trail(moment):
    return list(
        AuditEvent.objects.filter(object_type="contactmoment", object_id=moment.pk)
        .order_by("id")
        .values_list("action", "actor__username", "customer_id", "changes")
    )


def test_recording_one_names_who_and_what(moment):
    assert _trail(moment) == [
        (
            AuditAction.CREATED,
            "joris",
            moment.customer_id,
            {
                "kind": [None, "call"],
                "summary": [None, "Gebeld over de bruidstaart"],
                "at": [None, "2026-11-28T10:00:00+00:00"],
            },
        )
    ]


def test_a_correction_records_what_changed_and_by_whom(moment, owner):
    services.contact_moment_update(moment=moment, actor=owner, summary="Bruidstaart besteld")

    assert _trail(moment)[1:] == [
        (
            AuditAction.CHANGED,
            "sanne",
            moment.customer_id,
            {"summary": ["Gebeld over de bruidstaart", "Bruidstaart besteld"]},
        )
    ]


def test_a_correction_to_the_same_values_writes_nothing(moment, owner):
    services.contact_moment_update(
        moment=moment,
        actor=owner,
        kind=ContactKind.CALL,
        summary=" Gebeld over de bruidstaart ",
        at=AT,
    )

    assert [event[0] for event in _trail(moment)] == [AuditAction.CREATED]


def test_a_refused_correction_leaves_no_event(moment, owner):
    with pytest.raises(ValidationError):
        services.contact_moment_update(moment=moment, actor=owner, kind="telegram")

    assert [event[0] for event in _trail(moment)] == [AuditAction.CREATED]
    assert ContactMoment.objects.get(pk=moment.pk).kind == ContactKind.CALL


def test_a_removal_keeps_what_it_said(moment, owner):
    services.contact_moment_delete(moment=moment, actor=owner)

    assert not ContactMoment.objects.filter(pk=moment.pk).exists()
    assert _trail(moment)[1:] == [
        (
            AuditAction.DELETED,
            "sanne",
            moment.customer_id,
            {
                "kind": ["call", None],
                "summary": ["Gebeld over de bruidstaart", None],
                "at": ["2026-11-28T10:00:00+00:00", None],
            },
        )
    ]
