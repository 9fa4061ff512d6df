"""A customer's privacy request recorded the day it came in and handled: the month of the law
counted by the one rule of core.audit, refusals that store nothing, a trail without the notes."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from klantvriend.core.audit import AuditAction, one_month_after
from klantvriend.core.errors import Conflict
from klantvriend.core.models import AuditEvent, Business
from klantvriend.customers.models import (
    ConsentKind,
    ConsentRecord,
    ConsentSource,
    LegalBasis,
    PrivacyRequest,
    PrivacyRequestAnswer,
)
from klantvriend.customers.privacy_requests import (
    RequestAlreadyHandled,
    privacy_request_deadline,
    privacy_request_handle,
    privacy_request_record,
    privacy_requests_due,
)
from klantvriend.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(Business, "today", lambda self: TODAY)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 15), date(2027, 1, 15)),
        (date(2026, 11, 1), date(2026, 12, 1)),
    ],
)
def test_the_due_day_is_the_month_of_the_handled_requests(received, due):
    deadline = privacy_request_deadline(received_on=received, today=received)

    assert deadline.due == due == one_month_after(received)


@pytest.mark.parametrize(
    ("received", "days_left", "late", "days_late"),
    [
        (date(2026, 11, 13), 12, False, -12),
        (date(2026, 11, 1), 0, False, 0),
        (date(2026, 10, 28), -3, True, 3),
    ],
)
def test_the_days_left_count_from_today_to_the_due_day(received, days_left, late, days_late):
    deadline = privacy_request_deadline(received_on=received, today=TODAY)

    assert (deadline.days_left, deadline.late, deadline.days_late) == (days_left, late, days_late)


def test_a_request_is_recorded_and_audited_without_its_note(business, owner):
    anna = CustomerFactory(business=business, name="Anna de Vries")

    request = privacy_request_record(
        customer=anna,
        actor=owner,
        kind="access",
        received_on=date(2026, 11, 30),
        channel="phone",
        note="  Belde over haar bonnen van Anna's verjaardag  ",
    )

    stored = PrivacyRequest.objects.get()
    assert (
        stored.pk,
        stored.business_id,
        stored.customer_id,
        stored.kind,
        stored.received_on,
        stored.channel,
        stored.note,
        stored.recorded_by_id,
        stored.handled_at,
        stored.handled_how,
    ) == (
        request.pk,
        business.pk,
        anna.pk,
        "access",
        date(2026, 11, 30),
        "phone",
        "Belde over haar bonnen van Anna's verjaardag",
        owner.pk,
        None,
        "",
    )
    event = AuditEvent.objects.get(object_type="privacyrequest")
    assert (event.action, event.customer_id, event.actor_id, event.changes) == (
        AuditAction.CREATED,
        anna.pk,
        owner.pk,
        {"kind": "access", "channel": "phone", "received_on": "2026-11-30"},
    )


@pytest.mark.parametrize(
    ("given", "refused"),
    [
        ({"received_on": date(2026, 12, 2)}, {"received_on": ["future"]}),
        ({"received_on": date(1, 1, 1)}, {"received_on": ["too_early"]}),
        ({"received_on": date(1899, 12, 31)}, {"received_on": ["too_early"]}),
        ({"received_on": None}, {"received_on": ["required"]}),
        ({"kind": "complaint"}, {"kind": ["invalid"]}),
        ({"channel": "fax", "note": "x" * 2001}, {"channel": ["invalid"], "note": ["max_length"]}),
        ({"note": "bel\x00de"}, {"note": ["null_characters_not_allowed"]}),
    ],
)
def test_refused_input_stores_nothing(business, owner, given, refused):
    anna = CustomerFactory(business=business)
    events = AuditEvent.objects.count()
    values = {"kind": "erasure", "received_on": TODAY, "channel": "counter", "note": ""} | given

    with pytest.raises(ValidationError) as error:
        privacy_request_record(customer=anna, actor=owner, **values)

    assert {
        field: [item.code for item in items] for field, items in error.value.error_dict.items()
    } == refused
    assert PrivacyRequest.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_today_itself_is_a_day_a_request_may_come_in(business, owner):
    anna = CustomerFactory(business=business)

    request = privacy_request_record(
        customer=anna, actor=owner, kind="other", received_on=TODAY, channel="letter"
    )

    assert request.received_on == TODAY


def test_an_anonymised_customer_cannot_be_given_a_request(business, owner):
    anna = CustomerFactory(business=business, erased_at=business.start_of(TODAY))

    with pytest.raises(Conflict):
        privacy_request_record(
            customer=anna, actor=owner, kind="access", received_on=TODAY, channel="phone"
        )

    assert PrivacyRequest.objects.count() == 0


def test_a_correction_is_handled_by_hand_with_its_day_in_the_trail(business, owner):
    anna = CustomerFactory(business=business)
    request = privacy_request_record(
        customer=anna,
        actor=owner,
        kind="correction",
        received_on=date(2026, 11, 20),
        channel="email",
    )

    privacy_request_handle(privacy_request=request, actor=owner, note="Adres verbeterd")

    request.refresh_from_db()
    assert (request.handled_how, request.handled_by_id, request.handled_note) == (
        PrivacyRequestAnswer.BY_HAND,
        owner.pk,
        "Adres verbeterd",
    )
    assert request.handled_at is not None
    event = AuditEvent.objects.get(object_type="privacyrequest", action=AuditAction.COMPLETED)
    assert event.changes == {
        "kind": "correction",
        "handled_how": "by_hand",
        "requested_on": "2026-11-20",
    }


def test_a_request_handled_already_is_refused_and_nothing_changes(business, owner):
    anna = CustomerFactory(business=business)
    request = privacy_request_record(
        customer=anna, actor=owner, kind="other", received_on=TODAY, channel="counter"
    )
    privacy_request_handle(privacy_request=request, actor=owner, note="eerste")
    request.refresh_from_db()
    first = (request.handled_at, request.handled_note)
    events = AuditEvent.objects.count()

    with pytest.raises(RequestAlreadyHandled):
        privacy_request_handle(privacy_request=request, actor=owner, note="tweede")

    request.refresh_from_db()
    assert (request.handled_at, request.handled_note) == first
    assert AuditEvent.objects.count() == events


def test_an_objection_withdraws_the_marketing_consent_as_it_is_recorded(business, owner):
    anna = CustomerFactory(
        business=business, marketing_consent=True, marketing_consent_basis=LegalBasis.CONSENT
    )

    request = privacy_request_record(
        customer=anna,
        actor=owner,
        kind="objection",
        received_on=date(2026, 11, 28),
        channel="phone",
    )

    anna.refresh_from_db()
    request.refresh_from_db()
    assert (anna.marketing_consent, anna.marketing_consent_basis) == (False, "")
    record = ConsentRecord.objects.get(customer=anna)
    assert (record.kind, record.given, record.source) == (
        ConsentKind.MARKETING,
        False,
        ConsentSource.PRIVACY_REQUEST,
    )
    assert (request.handled_how, request.handled_by) == (
        PrivacyRequestAnswer.CONSENT_WITHDRAWN,
        owner,
    )
    assert request.handled_at is not None
    event = AuditEvent.objects.get(object_type="privacyrequest", action=AuditAction.COMPLETED)
    assert event.changes["requested_on"] == "2026-11-28"
    # Answered: nothing left to handle.
    with pytest.raises(RequestAlreadyHandled):
        privacy_request_handle(privacy_request=request, actor=owner)


def test_an_objection_recorded_before_it_withdrew_at_once_is_handled_by_withdrawing(
    business, owner
):
    """One recorded open, as objections were until they were answered as they are recorded."""
    anna = CustomerFactory(
        business=business, marketing_consent=True, marketing_consent_basis=LegalBasis.CONSENT
    )
    request = PrivacyRequest.objects.create(
        business=business,
        customer=anna,
        kind="objection",
        received_on=date(2026, 11, 28),
        channel="phone",
        recorded_by=owner,
    )

    privacy_request_handle(privacy_request=request, actor=owner)

    anna.refresh_from_db()
    request.refresh_from_db()
    assert (anna.marketing_consent, request.handled_how) == (
        False,
        PrivacyRequestAnswer.CONSENT_WITHDRAWN,
    )
    assert ConsentRecord.objects.get(customer=anna).source == ConsentSource.PRIVACY_REQUEST


def test_an_objection_without_consent_is_answered_without_a_consent_record(business, owner):
    anna = CustomerFactory(business=business, marketing_consent=False)

    request = privacy_request_record(
        customer=anna, actor=owner, kind="objection", received_on=TODAY, channel="counter"
    )

    request.refresh_from_db()
    assert request.handled_how == PrivacyRequestAnswer.CONSENT_WITHDRAWN
    assert ConsentRecord.objects.filter(customer=anna).count() == 0


def test_the_open_requests_come_soonest_due_first_of_the_business_only(
    business, owner, other_business, other_owner, django_assert_num_queries
):
    anna, bram = CustomerFactory(business=business), CustomerFactory(business=business)
    stranger = CustomerFactory(business=other_business)
    later = privacy_request_record(
        customer=anna, actor=owner, kind="access", received_on=date(2026, 11, 20), channel="phone"
    )
    sooner = privacy_request_record(
        customer=bram, actor=owner, kind="erasure", received_on=date(2026, 10, 28), channel="letter"
    )
    handled = privacy_request_record(
        customer=bram, actor=owner, kind="other", received_on=date(2026, 10, 1), channel="email"
    )
    privacy_request_handle(privacy_request=handled, actor=owner)
    privacy_request_record(
        customer=stranger,
        actor=other_owner,
        kind="access",
        received_on=date(2026, 10, 1),
        channel="email",
    )

    with django_assert_num_queries(2):
        rows = privacy_requests_due(business=business, limit=3)

    assert [(row.request.pk, row.deadline.due, row.deadline.days_left) for row in rows.items] == [
        (sooner.pk, date(2026, 11, 28), -3),
        (later.pk, date(2026, 12, 20), 19),
    ]
    assert rows.total == 2


def test_a_refused_note_handles_nothing(business, owner):
    anna = CustomerFactory(business=business)
    request = privacy_request_record(
        customer=anna, actor=owner, kind="other", received_on=TODAY, channel="counter"
    )
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as error:
        privacy_request_handle(privacy_request=request, actor=owner, note="x" * 2001)

    assert error.value.message_dict == {"note": ["Gebruik hoogstens 2000 tekens."]}
    request.refresh_from_db()
    assert (request.handled_at, request.handled_how) == (None, "")
    assert AuditEvent.objects.count() == events


def test_a_business_without_open_requests_costs_one_query(business, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = privacy_requests_due(business=business, limit=3)

    assert (rows.items, rows.total) == ([], 0)
