"""The purchase form asks who served the customer where there is a choice, and the profile names
them: on the timeline, under "Last time", and who usually serves the customer."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from klantvriend.core.models import Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.models import Purchase
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory


@pytest.fixture
def lotte(business):
    user = user_create(username="lotte", password="pw-lotte-123", first_name="Lotte")
    membership_create(business=business, user=user, role=Role.STAFF)
    return user


def _profile(client, customer) -> str:
    return client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()


def test_alone_in_the_business_there_is_no_one_to_choose_and_the_purchase_is_yours(
    owner_client, business, owner
):
    customer = CustomerFactory(business=business)

    assert 'name="member"' not in _profile(owner_client, customer)
    owner_client.post(reverse("web:purchase_add", args=[customer.pk]), {"amount": "12,50"})

    assert Purchase.objects.get().member == owner


def test_with_colleagues_the_form_offers_them_and_starts_at_the_one_signed_in(
    owner_client, business, owner, lotte
):
    customer = CustomerFactory(business=business)

    page = _profile(owner_client, customer)

    assert '<select name="member" id="purchase-member">' in page
    assert f'<option value="{lotte.pk}">Lotte</option>' in page
    assert f'<option value="{owner.pk}" selected>Sanne</option>' in page
    assert "Geholpen door" in page


def test_a_purchase_recorded_for_a_colleague_names_them_on_the_timeline(
    owner_client, business, lotte
):
    customer = CustomerFactory(business=business)

    response = owner_client.post(
        reverse("web:purchase_add", args=[customer.pk]),
        {"amount": "89,50", "description": "Knippen + uitgroei kleuren", "member": lotte.pk},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert Purchase.objects.get().member == lotte
    page = _profile(owner_client, customer)
    timeline = page[page.index('data-testid="timeline"') :]
    assert " · Lotte</div>" in timeline
    last_time = page[page.index('data-testid="last-time"') :]
    assert "Knippen + uitgroei kleuren · €\u00a089,50 · Lotte</li>" in last_time


@pytest.mark.parametrize("who", ["other_business", "nobody"])
def test_someone_who_does_not_work_here_is_refused_and_nothing_stored(
    owner_client, business, lotte, other_owner, who
):
    customer = CustomerFactory(business=business)
    member = other_owner.pk if who == "other_business" else other_owner.pk + 1000

    response = owner_client.post(
        reverse("web:purchase_add", args=[customer.pk]),
        {"amount": "89,50", "member": member},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert "Deze persoon werkt hier niet." in response.content.decode()
    assert not Purchase.objects.exists()


def test_the_briefing_says_who_usually_serves_the_customer(owner_client, business, owner, lotte):
    customer = CustomerFactory(business=business)
    now = timezone.now()
    for days_ago, member in [(30, lotte), (20, lotte), (10, owner)]:
        PurchaseFactory(customer=customer, member=member, at=now - timedelta(days=days_ago))

    page = _profile(owner_client, customer)

    assert 'data-testid="usually-served-by">Meestal geholpen door Lotte</li>' in page


def test_the_visits_page_names_who_served_each_purchase(owner_client, business, lotte):
    customer = CustomerFactory(business=business)
    PurchaseFactory(customer=customer, member=lotte, description="Knippen")

    page = owner_client.get(reverse("web:customer_visits", args=[customer.pk])).content.decode()

    assert "Knippen · <span" in page
    assert "</span> · Lotte</div>" in page
