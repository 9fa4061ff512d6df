"""The card says how the customer came to the business: a till's customer file names it now
("Herkomst"), and staff saw it only in the edit form."""

import re

import pytest
from django.urls import reverse

from klantvriend.customers.models import AcquisitionChannel
from klantvriend.customers.tests.factories import CustomerFactory


def _came_through(client, customer) -> str | None:
    page = client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    found = re.search(r'<li data-testid="came-through">(.*?)</li>', page, re.S)
    return found[1] if found else None


@pytest.mark.parametrize(
    ("channel", "said"),
    [
        (AcquisitionChannel.WALK_IN, "Kwam zelf binnen"),
        (AcquisitionChannel.REFERRAL, "Kwam via een doorverwijzing"),
        (AcquisitionChannel.ONLINE, "Vond ons online"),
        (AcquisitionChannel.ADVERTISEMENT, "Kwam via een advertentie"),
        (AcquisitionChannel.OTHER, "Kwam op een andere manier bij ons"),
        (AcquisitionChannel.UNKNOWN, None),
    ],
)
def test_the_card_says_how_the_customer_came(staff_client, business, channel, said):
    customer = CustomerFactory(business=business, acquisition_channel=channel)

    assert _came_through(staff_client, customer) == said


def test_a_known_referrer_is_said_instead(staff_client, business):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    piet = CustomerFactory(
        business=business, referred_by=anna, acquisition_channel=AcquisitionChannel.REFERRAL
    )

    page = staff_client.get(reverse("web:customer_detail", args=[piet.pk])).content.decode()

    assert 'data-testid="came-through"' not in page
    assert f'<li>Doorverwezen door <a href="/customers/{anna.pk}/">Anna de Vries</a></li>' in page
