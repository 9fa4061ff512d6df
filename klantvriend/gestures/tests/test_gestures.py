from datetime import date, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from klantvriend.core.audit import save_changed_customer_row, save_new_customer_row
from klantvriend.core.models import AuditEvent
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures import services
from klantvriend.gestures.models import Gesture, Occasion
from klantvriend.gestures.selectors import gesture_recent_repeats, occasions_today


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Dirk Bakker")


def test_a_gesture_is_recorded_with_its_value_and_giver(customer, staff_user):
    gesture = services.gesture_create(
        customer=customer,
        what=" Bakje huisgemaakte paté ",
        value_cents=450,
        occasion=Occasion.JUST_BECAUSE,
        given_by=staff_user,
    )

    assert (gesture.what, gesture.value_cents, gesture.given_by) == (
        "Bakje huisgemaakte paté",
        450,
        staff_user,
    )


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"what": ""}, "what", "blank"),
        ({"value_cents": -1}, "value_cents", "min_value"),
        ({"value_cents": 4.5}, "value_cents", "invalid"),
        ({"given_at": timezone.now() + timedelta(days=1)}, "given_at", "future"),
        ({"occasion": "wedding"}, "occasion", "invalid_choice"),
    ],
)
def test_bad_gestures_are_refused_and_nothing_is_stored(customer, fields, field, code):
    with pytest.raises(services.ValidationError) as refused:
        services.gesture_create(customer=customer, **{"what": "Bloemetje", **fields})

    assert refused.value.error_dict[field][0].code == code
    assert Gesture.objects.count() == 0


def test_the_same_gesture_to_the_same_customer_recently_is_found(customer, business):
    services.gesture_create(
        customer=customer,
        what="Worstje voor de kleine",
        given_at=timezone.now() - timedelta(days=20),
    )
    services.gesture_create(
        customer=customer, what="Bloemetje", given_at=timezone.now() - timedelta(days=200)
    )
    other = CustomerFactory(business=business)
    services.gesture_create(customer=other, what="Worstje voor de kleine")

    repeats = gesture_recent_repeats(customer=customer, what="worstje voor de KLEINE ")

    assert [gesture.what for gesture in repeats] == ["Worstje voor de kleine"]
    assert gesture_recent_repeats(customer=customer, what="Bloemetje") == []
    assert gesture_recent_repeats(customer=other, what="Bloemetje") == []


# The occasion tests ask about a fixed day: on 29 February, "the same day in 1970" or "three
# years ago" does not exist. Gestures given now were given after it began.
ORDINARY_DAY = date(2026, 6, 10)


def _on(business, day: date):
    """`business.today()` is `day`."""
    return mock.patch.object(type(business), "today", return_value=day)


def test_occasions_today_are_birthdays_and_anniversaries_of_consenting_customers(
    business, django_assert_max_num_queries
):
    today = ORDINARY_DAY
    birthday = CustomerFactory(
        business=business,
        name="Anna",
        birthday=today.replace(year=1980),
        marketing_consent=True,
    )
    anniversary = CustomerFactory(
        business=business,
        name="Bea",
        customer_since=today.replace(year=today.year - 3),
        marketing_consent=True,
    )
    CustomerFactory(business=business, name="Cor", birthday=today.replace(year=1970))  # no consent
    CustomerFactory(business=business, name="Dani", customer_since=today, marketing_consent=True)
    services.gesture_create(customer=birthday, what="Kaartje", occasion=Occasion.BIRTHDAY)

    with django_assert_max_num_queries(1), _on(business, today):
        occasions = occasions_today(business=business)

    assert [(o.customer, o.occasion, o.years, o.congratulated) for o in occasions.items] == [
        (birthday, Occasion.BIRTHDAY, today.year - 1980, True),
        (anniversary, Occasion.ANNIVERSARY, 3, False),
    ]


def test_occasions_past_the_limit_are_counted_each(business, django_assert_max_num_queries):
    today = ORDINARY_DAY
    both = CustomerFactory(
        business=business,
        name="Anna",
        birthday=today.replace(year=1980),
        customer_since=today.replace(year=today.year - 2),
        marketing_consent=True,
    )
    bea = CustomerFactory(
        business=business, name="Bea", birthday=today.replace(year=1990), marketing_consent=True
    )

    with django_assert_max_num_queries(3), _on(business, today):
        occasions = occasions_today(business=business, limit=1)

    assert [(o.customer, o.occasion) for o in occasions.items] == [
        (both, Occasion.BIRTHDAY),
        (both, Occasion.ANNIVERSARY),
    ]
    assert (occasions.total, occasions.hidden) == (3, 1)
    with _on(business, today):
        only_bea = occasions_today(business=business, customer_id=bea.pk)
    assert [o.customer.name for o in only_bea.items] == ["Bea"]


def test_a_29_february_birthday_is_celebrated_on_28_february_in_other_years(business):
    leapling = CustomerFactory(
        business=business, birthday=date(1996, 2, 29), marketing_consent=True
    )

    with _on(business, date(2027, 2, 28)):
        occasions = occasions_today(business=business)

    assert [(o.customer, o.years) for o in occasions.items] == [(leapling, 31)]


def _what_and_value(gesture):
    return {"what": gesture.what, "value_cents": gesture.value_cents}


def _gesture(customer, **fields):
    return Gesture(
        business=customer.business,
        customer=customer,
        occasion=Occasion.JUST_BECAUSE,
        given_at=timezone.now(),
        **fields,
    )


def test_a_new_row_is_stored_with_its_audit_event_or_not_at_all(customer, owner):
    failing_audit = mock.patch.object(AuditEvent.objects, "create", side_effect=RuntimeError)
    with failing_audit, pytest.raises(RuntimeError):
        save_new_customer_row(
            _gesture(customer, what="Bloemen", value_cents=1200),
            actor=owner,
            snapshot=_what_and_value,
        )
    assert not Gesture.objects.exists()

    gesture = _gesture(customer, what="Bloemen", value_cents=1200)
    save_new_customer_row(gesture, actor=owner, snapshot=_what_and_value)

    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.customer_id, event.actor, event.changes) == (
        "created",
        gesture.pk,
        customer.pk,
        owner,
        {"what": [None, "Bloemen"], "value_cents": [None, 1200]},
    )


def test_a_changed_row_is_stored_with_what_changed_and_an_unchanged_one_not_at_all(customer, owner):
    gesture = _gesture(customer, what="Bloemen", value_cents=1200)
    save_new_customer_row(gesture, actor=owner, snapshot=_what_and_value)
    before = _what_and_value(gesture)

    with mock.patch.object(Gesture, "save") as save:
        changed = save_changed_customer_row(
            gesture, actor=owner, before=before, snapshot=_what_and_value
        )
    assert (changed, save.called, AuditEvent.objects.count()) == (False, False, 1)

    gesture.value_cents = 1500
    failing_audit = mock.patch.object(AuditEvent.objects, "create", side_effect=RuntimeError)
    with failing_audit, pytest.raises(RuntimeError):
        save_changed_customer_row(gesture, actor=owner, before=before, snapshot=_what_and_value)
    assert Gesture.objects.get().value_cents == 1200

    assert save_changed_customer_row(gesture, actor=owner, before=before, snapshot=_what_and_value)
    assert Gesture.objects.get().value_cents == 1500
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.changes) == ("changed", {"value_cents": [1200, 1500]})


# --- recovery gestures written on complaints ---------------------------------------------------


def test_the_recovery_gesture_of_a_resolved_complaint_is_logged_as_a_gesture(
    customer, staff_user, django_capture_on_commit_callbacks
):
    from klantvriend.complaints import services as complaint_services
    from klantvriend.complaints.tests.factories import ComplaintFactory

    complaint = ComplaintFactory(customer=customer, received_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        resolved = complaint_services.complaint_resolve(
            complaint=complaint,
            actor=staff_user,
            resolution="Nieuw stuk vlees meegegeven",
            recovery_gesture=" Gratis rollade ",
        )

    gesture = Gesture.objects.get()
    assert (
        gesture.customer,
        gesture.what,
        gesture.occasion,
        gesture.given_at,
        gesture.given_by,
        gesture.complaint,
    ) == (
        customer,
        "Gratis rollade",
        Occasion.COMPLAINT_RECOVERY,
        resolved.resolved_at,
        staff_user,
        resolved,
    )
    assert AuditEvent.objects.filter(object_type="gesture", action="created").count() == 1


def test_rewording_the_recovery_gesture_rewords_the_logged_one_and_logs_no_second(
    customer, staff_user, owner, django_capture_on_commit_callbacks
):
    from klantvriend.complaints import services as complaint_services
    from klantvriend.complaints.tests.factories import ComplaintFactory

    complaint = ComplaintFactory(customer=customer, received_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        complaint = complaint_services.complaint_resolve(
            complaint=complaint, actor=staff_user, resolution="Excuses", recovery_gesture="Bloemen"
        )
    with django_capture_on_commit_callbacks(execute=True):
        complaint = complaint_services.complaint_update(
            complaint=complaint, actor=owner, recovery_gesture="Bos bloemen en een taart"
        )
    with django_capture_on_commit_callbacks(execute=True):
        complaint_services.complaint_update(complaint=complaint, actor=owner, description="Taai")

    assert list(Gesture.objects.values_list("what", "complaint_id")) == [
        ("Bos bloemen en een taart", complaint.pk)
    ]
    change = AuditEvent.objects.get(object_type="gesture", action="changed")
    assert change.actor == owner


def test_a_gesture_written_later_on_a_resolved_complaint_is_logged(
    customer, owner, django_capture_on_commit_callbacks
):
    from klantvriend.complaints import services as complaint_services
    from klantvriend.complaints.tests.factories import ComplaintFactory

    complaint = ComplaintFactory(customer=customer, received_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        complaint = complaint_services.complaint_resolve(
            complaint=complaint, actor=owner, resolution="Excuses"
        )
    assert Gesture.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        complaint_services.complaint_update(
            complaint=complaint, actor=owner, recovery_gesture="Kaart met excuses"
        )

    gesture = Gesture.objects.get()
    assert (gesture.what, gesture.given_at, gesture.given_by) == (
        "Kaart met excuses",
        complaint.resolved_at,
        owner,
    )


def test_an_open_complaints_gesture_or_an_anonymised_customers_is_not_logged(
    customer, owner, django_capture_on_commit_callbacks
):
    from klantvriend.complaints import services as complaint_services
    from klantvriend.complaints.tests.factories import ComplaintFactory

    open_complaint = ComplaintFactory(customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_services.complaint_update(
            complaint=open_complaint, actor=owner, recovery_gesture="Gratis koffie"
        )
    erased = CustomerFactory(business=customer.business, erased_at=timezone.now())
    complaint = ComplaintFactory(customer=erased, received_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        complaint_services.complaint_resolve(
            complaint=complaint, actor=owner, resolution="Excuses", recovery_gesture="Taart"
        )

    assert Gesture.objects.count() == 0


def test_the_upgrade_logs_recovery_gestures_written_before_once(customer):
    from importlib import import_module

    from django.apps import apps

    from klantvriend.complaints.tests.factories import ComplaintFactory

    upgrade = import_module("klantvriend.gestures.migrations.0004_recovery_gestures_logged")
    resolved_at = timezone.now() - timedelta(days=3)
    earlier = {
        "received_at": resolved_at - timedelta(days=1),
        "first_response_at": resolved_at,
        "resolution": "Excuses",
    }
    with_gesture = ComplaintFactory(
        customer=customer, resolved_at=resolved_at, recovery_gesture="Taart", **earlier
    )
    already_logged = Gesture.objects.create(
        business=customer.business,
        customer=customer,
        what="Taart",
        occasion=Occasion.COMPLAINT_RECOVERY,
        given_at=resolved_at,
        value_cents=1250,
    )
    not_logged = ComplaintFactory(
        customer=customer, resolved_at=resolved_at, recovery_gesture="Bloemen", **earlier
    )
    ComplaintFactory(customer=customer, resolved_at=resolved_at, **earlier)  # no gesture
    ComplaintFactory(customer=customer, recovery_gesture="Koffie")  # still open
    erased = CustomerFactory(business=customer.business, erased_at=timezone.now())
    ComplaintFactory(customer=erased, resolved_at=resolved_at, recovery_gesture="Wijn", **earlier)

    upgrade.log_recovery_gestures(apps, None)
    upgrade.log_recovery_gestures(apps, None)

    assert sorted(
        Gesture.objects.values_list("id", "what", "complaint_id", "given_at", "value_cents")
    ) == [
        (already_logged.pk, "Taart", with_gesture.pk, resolved_at, 1250),
        (already_logged.pk + 1, "Bloemen", not_logged.pk, resolved_at, None),
    ]
