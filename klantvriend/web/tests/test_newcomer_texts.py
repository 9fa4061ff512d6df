"""What a shopkeeper who has never used Klantvriend reads where they get stuck: each text says
what the thing is for and what to do next, names what a button does, and never invites a step
that the page does not allow, in Dutch and in English."""

import re

import pytest
from django.urls import reverse

from klantvriend.core.accounts import account_language_set
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.privacy import customer_erase


def _testid(page: str, testid: str) -> str | None:
    """The text of the element with this data-testid, tags left out, or None when absent."""
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</(p|button|a|li|span)>', page, re.S)
    return None if found is None else re.sub(r"<[^>]+>", "", found[1]).strip()


@pytest.mark.parametrize(
    ("language", "empty"),
    [("nl", "Niets vastgelegd."), ("en", "Nothing recorded.")],
)
def test_an_anonymised_customer_is_not_offered_steps_that_cannot_be_taken(
    owner_client, owner, business, language, empty
):
    # Given a customer anonymised at their request, with nothing on their timeline
    customer = CustomerFactory(business=business, name="Piet Jansen")
    customer_erase(customer=customer, actor=owner)
    account_language_set(user=owner, language=language)

    # When the owner opens the profile
    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    # Then the timeline says there is nothing, rather than asking to record a purchase or a
    # contact moment (the profile records nothing new of an erased customer), and no hint
    # explains how to record who came through them
    assert _testid(page, "timeline-empty") == empty
    assert 'data-testid="referral-how"' not in page


@pytest.mark.parametrize(
    ("language", "empty"),
    [
        ("nl", "Er is nog niets gebeurd. Leg een aankoop of een contactmoment vast."),
        ("en", "Nothing has happened yet. Record a purchase or a contact moment."),
    ],
)
def test_a_new_customer_is_offered_the_first_steps(
    owner_client, owner, business, language, empty
):
    customer = CustomerFactory(business=business, name="Kees")
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    assert _testid(page, "timeline-empty") == empty
    assert 'data-testid="referral-how"' in page
