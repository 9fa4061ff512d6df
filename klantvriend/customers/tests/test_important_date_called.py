""" "Called" about an important date coming up: a call on the customer's timeline in the shop's
language, and the moment on the date; refused for an anonymised customer, changing nothing."""

from datetime import date

import pytest
from django.utils import timezone, translation

from klantvriend.core.errors import ValidationError
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
