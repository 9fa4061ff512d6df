"""A contact moment typed wrongly is corrected on the web pages, as through the API: any member
changes how it went, what was said and when, or removes one recorded by mistake (on the wrong
customer, twice). Another business's contact moment is not found."""

import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from klantvriend.customers.models import ContactKind, ContactMoment, ImportantDate
from klantvriend.customers.services import important_date_called
from klantvriend.customers.tests.factories import (
    ContactMomentFactory,
    CustomerFactory,
    ImportantDateFactory,
)

from .sent_forms import form_as_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def moment(business, owner):
    customer = CustomerFactory(business=business, name="Marieke de Boer")
    at = timezone.make_aware(datetime(2026, 11, 28, 11, 0, 37), business.tzinfo)
    return ContactMomentFactory(
        customer=customer,
        kind=ContactKind.CALL,
        summary="Gebeld over de bruidstaart",
        member=owner,
        at=at,
    )


def _url(moment, name="web:contact_moment_edit"):
    return reverse(name, args=[moment.customer_id, moment.pk])


def _stored(moment):
    return ContactMoment.objects.filter(pk=moment.pk).values_list("kind", "summary", "at")[0]


def _sent(client, moment) -> dict:
    return form_as_sent(client.get(_url(moment)), having="summary")


def test_the_timeline_links_a_contact_moment_to_its_correction(staff_client, moment):
    page = staff_client.get(reverse("web:customer_detail", args=[moment.customer_id]))

    assert f'href="{_url(moment)}" data-testid="contact-moment-edit-link">Wijzigen' in (
        page.content.decode()
    )


def test_staff_correct_how_it_went_and_what_was_said(staff_client, moment):
    sent = _sent(staff_client, moment)
    assert (sent["kind"], sent["summary"], sent["at"]) == (
        "call",
        "Gebeld over de bruidstaart",
        "2026-11-28T11:00",
    )

    response = staff_client.post(
        _url(moment), {**sent, "kind": "visit", "summary": "Kwam langs voor de bruidstaart"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("web:customer_detail", args=[moment.customer_id])
    # The moment left as shown keeps its seconds.
    assert _stored(moment) == ("visit", "Kwam langs voor de bruidstaart", moment.at)


def test_who_corrected_and_who_removed_it_is_on_the_profile(staff_client, moment):
    """Joris (staff) corrects what was said, then removes the moment: the profile's "who did
    what" names him for both, with what changed, not what it said."""
    sent = _sent(staff_client, moment)
    staff_client.post(_url(moment), {**sent, "summary": "Bruidstaart besteld"})
    staff_client.post(_url(moment, "web:contact_moment_delete"))

    page = staff_client.get(reverse("web:customer_detail", args=[moment.customer_id]))
    trail = page.content.decode().split('data-testid="audit-trail"')[1].split("</table>")[0]

    assert re.findall(r"<td>Joris</td><td>([^<]*)</td><td[^>]*>([^<]*)</td>", trail) == [
        ("Contactmoment: verwijderd", "soort: telefoongesprek → —, wanneer, samenvatting"),
        ("Contactmoment: gewijzigd", "samenvatting"),
    ]
    assert "Bruidstaart" not in trail


def test_a_moment_corrected_is_stored_with_its_time(owner_client, moment, business):
    sent = _sent(owner_client, moment)

    owner_client.post(_url(moment), {**sent, "at": "2026-11-27T15:30"})

    assert _stored(moment)[2] == timezone.make_aware(
        datetime(2026, 11, 27, 15, 30), business.tzinfo
    )


@pytest.mark.parametrize(
    ("typed", "field", "said"),
    [
        ({"summary": "  "}, "summary", "Schrijf een korte samenvatting."),
        ({"at": ""}, "at", "Vul in wanneer het was."),
        ({"at": "2999-01-01T10:00"}, "at", None),
        ({"kind": "fax"}, "kind", None),
    ],
)
def test_refused_input_is_shown_at_its_field_and_nothing_changes(
    owner_client, moment, typed, field, said
):
    before = _stored(moment)
    sent = _sent(owner_client, moment)

    response = owner_client.post(_url(moment), {**sent, "summary": "Iets anders", **typed})

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if said is not None:
        assert errors[field] == [said]
    assert _stored(moment) == before


def test_a_change_saved_meanwhile_is_not_overwritten_unseen(owner_client, moment):
    sent = _sent(owner_client, moment)
    ContactMoment.objects.filter(pk=moment.pk).update(summary="Gebeld: taart komt zaterdag")

    response = owner_client.post(_url(moment), {**sent, "kind": "visit"})

    assert response.status_code == 409
    assert _stored(moment)[:2] == ("call", "Gebeld: taart komt zaterdag")
    form = response.context["form"]
    assert form["kind"].value() == "visit"  # what was typed stays
    assert form.non_field_errors() == [
        "Iemand anders heeft dit contactmoment opgeslagen terwijl jij het wijzigde. Kijk na wat "
        "je typte en sla opnieuw op om het te bewaren."
    ]
    # Sent again, with the version the page now carries, it is saved.
    again = owner_client.post(_url(moment), form_as_sent(response, having="summary"))
    assert again.status_code == 302
    assert _stored(moment)[:2] == ("visit", "Gebeld over de bruidstaart")


def test_any_member_removes_a_contact_moment_recorded_by_mistake(staff_client, moment):
    assert "contact-moment-delete-form" in staff_client.get(_url(moment)).content.decode()

    response = staff_client.post(_url(moment, "web:contact_moment_delete"))

    assert response.status_code == 302
    assert response["Location"] == reverse("web:customer_detail", args=[moment.customer_id])
    assert not ContactMoment.objects.filter(pk=moment.pk).exists()


def test_removal_is_only_by_post(staff_client, moment):
    assert staff_client.get(_url(moment, "web:contact_moment_delete")).status_code == 405
    assert ContactMoment.objects.filter(pk=moment.pk).exists()


def test_a_call_about_an_important_date_removed_leaves_the_date_called(
    owner_client, business, owner
):
    customer = CustomerFactory(business=business)
    important = ImportantDateFactory(customer=customer)
    call = important_date_called(important_date=important, member=owner)

    owner_client.post(_url(call, "web:contact_moment_delete"))

    stored = ImportantDate.objects.get(pk=important.pk)
    assert (stored.called_at, stored.called_moment_id) == (important.called_at, None)


def test_another_business_contact_moment_is_not_found(
    owner_client, other_business, moment, business
):
    theirs = ContactMomentFactory(customer=CustomerFactory(business=other_business))
    before = _stored(theirs)
    own_customer = CustomerFactory(business=business)
    # Through its own customer, and through one of this business
    for customer_id in (theirs.customer_id, own_customer.pk):
        for name in ("web:contact_moment_edit", "web:contact_moment_delete"):
            url = reverse(name, args=[customer_id, theirs.pk])
            assert owner_client.post(url, {"summary": "x", "kind": "note"}).status_code == 404
    # And a moment of this business through another of its customers
    url = reverse("web:contact_moment_edit", args=[own_customer.pk, moment.pk])
    assert owner_client.get(url).status_code == 404
    assert (
        owner_client.post(
            reverse("web:contact_moment_delete", args=[own_customer.pk, moment.pk])
        ).status_code
        == 404
    )
    assert _stored(theirs) == before
    assert ContactMoment.objects.filter(pk=moment.pk).exists()


def test_an_anonymised_customer_offers_no_correction(owner_client, moment):
    moment.customer.__class__.objects.filter(pk=moment.customer_id).update(erased_at=timezone.now())

    page = owner_client.get(reverse("web:customer_detail", args=[moment.customer_id]))

    assert "contact-moment-edit-link" not in page.content.decode()
