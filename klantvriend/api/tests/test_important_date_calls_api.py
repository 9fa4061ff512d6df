"""POST and DELETE /api/v1/important-dates/{id}/called: a call about a date coming up, recorded
and taken back as the web's "Called" and its undo do (customers.services)."""

import pytest
from django.test import Client
from django.utils import timezone

from klantvriend.core.services import apitoken_create
from klantvriend.customers import services
from klantvriend.customers.models import ContactMoment, Customer, ImportantDate
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot


@pytest.fixture
def apk(business):
    customer = CustomerFactory(business=business, name="Bram Jansen")
    return services.important_date_add(customer=customer, label="APK", date=business.today())


@pytest.fixture
def staff_api(staff_user, business) -> Client:
    _token, key = apitoken_create(membership=staff_user.memberships.get(business=business))
    return Client(headers={"Authorization": f"Bearer {key}"})


def _called(apk):
    return ImportantDate.objects.values_list("called_at", "called_moment_id").get(pk=apk.pk)


def test_a_call_is_recorded_on_the_timeline_and_taken_back_with_it(api, apk, owner):
    url = f"/api/v1/important-dates/{apk.pk}/called"

    called = api.post(url)
    moment = ContactMoment.objects.get()
    taken_back = api.delete(url)

    assert called.status_code == 200
    assert (moment.kind, moment.summary, moment.member) == ("call", "Gebeld over: APK", owner)
    assert called.json()["called_at"] == moment.at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    assert called["ETag"] != taken_back["ETag"]
    assert taken_back.status_code == 200
    assert taken_back.json()["called_at"] is None
    assert _called(apk) == (None, None)
    assert not ContactMoment.objects.exists()


def test_a_call_that_may_not_be_taken_back_is_409_with_its_code_and_changes_nothing(
    api, staff_api, apk
):
    url = f"/api/v1/important-dates/{apk.pk}/called"
    never = api.delete(url)
    api.post(url)
    called, before = _called(apk), snapshot()

    not_theirs = staff_api.delete(url)

    assert (never.status_code, never.json()["code"]) == (409, "unrecorded")
    assert (not_theirs.status_code, not_theirs.json()["code"]) == (409, "not_yours")
    assert _called(apk) == called
    assert snapshot() == before


def test_a_call_about_an_anonymised_customer_is_409_and_stores_nothing(api, apk):
    Customer.objects.filter(pk=apk.customer_id).update(erased_at=timezone.now())
    before = snapshot()

    refused = api.post(f"/api/v1/important-dates/{apk.pk}/called")

    assert (refused.status_code, refused.json()["code"]) == (409, "anonymised")
    assert snapshot() == before


def test_a_call_taken_back_against_an_old_etag_is_412_and_changes_nothing(api, apk):
    url = f"/api/v1/important-dates/{apk.pk}/called"
    read = api.post(url)
    api.post(url)  # called again since
    called, before = _called(apk), snapshot()

    refused = api.delete(url, headers={"If-Match": read["ETag"]})

    assert (refused.status_code, refused.json()["code"]) == (412, "changed_meanwhile")
    assert _called(apk) == called
    assert snapshot() == before
