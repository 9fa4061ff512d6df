""" "Called" about an important date coming up: a call on the customer's timeline in the shop's
language, and the moment on the date; refused for an anonymised customer, changing nothing.
Taken back by whoever tapped it, or an owner, within a day (core/undo.py), with its call."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from klantvriend.core.errors import ValidationError
from klantvriend.core.models import AuditEvent
from klantvriend.customers import services
from klantvriend.customers.models import ContactMoment, ImportantDate
from klantvriend.isolation import snapshot

from .factories import CustomerFactory


def test_the_call_is_on_the_timeline_in_the_shops_language(business, staff_user):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    apk = services.important_date_add(customer=anna, label="APK", date=date(2020, 12, 10))
    at = timezone.now()

    with translation.override("en"):  # a member who reads English
        moment = services.important_date_called(important_date=apk, member=staff_user, at=at)

    assert (moment.kind, moment.summary, moment.member, moment.at) == (
        "call",
        "Gebeld over: APK",
        staff_user,
        at,
    )
    assert ImportantDate.objects.get(pk=apk.pk).called_at == at
    assert list(ContactMoment.objects.values_list("customer_id", flat=True)) == [anna.pk]


def test_a_call_about_an_anonymised_customer_is_refused_and_changes_nothing(business, staff_user):
    anna = CustomerFactory(business=business)
    apk = services.important_date_add(customer=anna, label="APK", date=date(2020, 12, 10))
    anna.erased_at = timezone.now()
    anna.save(update_fields=["erased_at"])
    apk.customer = anna
    before = snapshot()

    with pytest.raises(ValidationError):
        services.important_date_called(important_date=apk, member=staff_user)

    assert snapshot() == before


def _called(apk):
    stored = ImportantDate.objects.get(pk=apk.pk)
    return stored.called_at, stored.called_moment_id


def _trail(apk):
    return list(
        AuditEvent.objects.filter(object_type="importantdate", object_id=apk.pk)
        .order_by("id")
        .values_list("action", "actor_id")
    )


def test_a_call_tapped_by_mistake_is_taken_back_with_its_call_on_the_timeline(business, staff_user):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    apk = services.important_date_add(customer=anna, label="APK", date=date(2020, 12, 10))
    before = snapshot()
    moment = services.important_date_called(important_date=apk, member=staff_user)
    assert _called(apk) == (moment.at, moment.pk)

    undone = services.important_date_called_undo(important_date=apk, actor=staff_user)

    assert (undone.called_at, undone.called_moment_id) == (None, None)
    assert _called(apk) == (None, None)
    assert not ContactMoment.objects.exists()
    assert _trail(apk) == [("called", staff_user.pk), ("undone", staff_user.pk)]
    # All else as before the call. The trail keeps both steps, and the customer's latest
    # activity is the undo's: a change by a person, which the retention rule counts.
    after = snapshot()
    for kept in ("core.AuditEvent", "importers.CustomerActivity"):
        del before[kept], after[kept]
    assert after == before


def test_undoing_a_second_call_brings_back_the_first(business, staff_user, owner):
    anna = CustomerFactory(business=business)
    apk = services.important_date_add(customer=anna, label="APK", date=date(2020, 12, 10))
    first = services.important_date_called(important_date=apk, member=staff_user)
    services.important_date_called(important_date=apk, member=owner)

    services.important_date_called_undo(important_date=apk, actor=owner)

    assert _called(apk) == (first.at, first.pk)
    assert list(ContactMoment.objects.values_list("pk", flat=True)) == [first.pk]


def test_undoing_a_second_call_whose_first_was_removed_from_the_timeline_keeps_its_day(
    business, staff_user
):
    anna = CustomerFactory(business=business)
    apk = services.important_date_add(customer=anna, label="APK", date=date(2020, 12, 10))
    first = services.important_date_called(important_date=apk, member=staff_user)
    services.important_date_called(important_date=apk, member=staff_user)
    services.contact_moment_delete(moment=first, actor=staff_user)

    services.important_date_called_undo(important_date=apk, actor=staff_user)

    assert _called(apk) == (first.at, None)
    assert not ContactMoment.objects.exists()


def test_an_owner_takes_back_a_colleagues_call_and_the_colleague_not_the_owners(
    business, staff_user, owner
):
    anna = CustomerFactory(business=business)
    apk = services.important_date_add(customer=anna, label="APK", date=date(2020, 12, 10))
    services.important_date_called(important_date=apk, member=owner)
    called = _called(apk)

    with pytest.raises(ValidationError) as refused:
        services.important_date_called_undo(important_date=apk, actor=staff_user)

    assert refused.value.error_dict["called_at"][0].code == "not_yours"
    assert _called(apk) == called
    assert ContactMoment.objects.count() == 1

    services.important_date_called(important_date=apk, member=staff_user)
    services.important_date_called_undo(important_date=apk, actor=owner)
    assert _called(apk) == called


@pytest.mark.parametrize(
    ("what_happened", "code"),
    [
        ("never called", "unrecorded"),
        ("undone already", "undone"),
        ("a day and a minute ago", "too_late"),
        ("the call's note changed", "changed"),
        ("the call's moment deleted, then called again", "changed"),
    ],
)
def test_an_undo_that_may_not_be_is_refused_and_changes_nothing(
    business, staff_user, what_happened, code
):
    anna = CustomerFactory(business=business)
    apk = services.important_date_add(customer=anna, label="APK", date=date(2020, 12, 10))
    now = timezone.now()
    if what_happened != "never called":
        moment = services.important_date_called(important_date=apk, member=staff_user)
    if what_happened == "undone already":
        services.important_date_called_undo(important_date=apk, actor=staff_user)
    elif what_happened == "a day and a minute ago":
        now += timedelta(days=1, minutes=1)
    elif what_happened == "the call's note changed":
        services.contact_moment_update(
            moment=moment, actor=staff_user, summary="Gebeld over: APK; komt dinsdag"
        )
    elif what_happened == "the call's moment deleted, then called again":
        services.contact_moment_delete(moment=moment, actor=staff_user)
        services.important_date_called(important_date=apk, member=staff_user)
        ContactMoment.objects.update(kind="visit")
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        services.important_date_called_undo(important_date=apk, actor=staff_user, now=now)

    assert refused.value.error_dict["called_at"][0].code == code
    assert snapshot() == before
