"""Today's valuable customers slipping away are got in touch with the way the shop can: a call
to those with a phone number, an email to those with only an address, and for those with
neither, a way to add one rather than a call nobody can make."""

import re

import pytest
from django.urls import reverse

from klantvriend.aftercare.models import FollowUp
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.insights.tests.factories import CustomerInsightFactory

pytestmark = pytest.mark.django_db


def _slipping(business, **contact):
    customer = CustomerFactory(business=business, **contact)
    CustomerInsightFactory(
        customer=customer,
        purchase_days=12,
        days_since_last=90,
        usual_interval_days=None,
        spend_cents=64000,
        probability_alive=0.2,
        slipping_away=True,
    )
    return customer


def _row(page: str, customer) -> str:
    return re.search(rf'<li id="slipping-{customer.pk}" .*?</li>', page, re.DOTALL)[0]


def test_each_customer_slipping_away_is_offered_the_way_to_reach_them(owner_client, business):
    called = _slipping(business, phone="06 12345678", email="an@example.nl")
    emailed = _slipping(business, email="bo@example.nl")
    unreachable = _slipping(business)

    page = owner_client.get(reverse("web:today")).content.decode()

    assert '<a class="subtle" href="tel:06 12345678">06 12345678</a>' in _row(page, called)
    assert ">Plan een belletje</button>" in _row(page, called)
    assert ">Plan een mail</button>" in _row(page, emailed)
    row = _row(page, unreachable)
    assert '<span class="subtle" data-testid="no-contact-way">geen telefoon of e-mail bekend' in row
    assert (
        f'href="{reverse("web:customer_edit", args=[unreachable.pk])}?next=/#id_phone" '
        'data-testid="add-contact-way">Telefoon of e-mail toevoegen</a>'
    ) in row
    assert "<form" not in row
    # The figure each row shows, said once above them.
    assert (
        "“Kans actief” is de kans dat ze nog bij je kopen, uit hoe vaak ze kwamen en hoe lang ze "
        "wegblijven."
    ) in page


def test_an_email_is_planned_for_a_customer_known_by_address_alone(owner_client, business):
    emailed = _slipping(business, email="bo@example.nl")

    response = owner_client.post(
        reverse("web:slipping_away_plan_call", args=[emailed.pk]), HTTP_HX_REQUEST="true"
    )

    planned = FollowUp.objects.get(customer=emailed)
    assert (
        f'<a class="done-note" href="/customers/{emailed.pk}/#follow_up-{planned.pk}" '
        'data-testid="call-planned">✓ mail gepland voor vandaag</a>'
    ) in response.content.decode()
    assert FollowUp.objects.get(customer=emailed).note == (
        "Mailen en vragen hoe het gaat: waardevolle klant, 90 dagen niet gezien."
    )


def test_a_call_nobody_can_make_is_refused_and_the_row_offers_to_add_a_way(owner_client, business):
    # A page shown before the phone number was removed still has the button.
    unreachable = _slipping(business, name="Ruud Bakker")

    response = owner_client.post(
        reverse("web:slipping_away_plan_call", args=[unreachable.pk]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 422
    row = response.content.decode()
    assert 'data-testid="add-contact-way">Telefoon of e-mail toevoegen</a>' in row
    assert "<form" not in row
    assert "gepland" not in row
    assert not FollowUp.objects.filter(customer=unreachable).exists()


def test_without_htmx_the_refused_call_is_said_on_today(owner_client, business):
    unreachable = _slipping(business, name="Ruud Bakker")

    response = owner_client.post(
        reverse("web:slipping_away_plan_call", args=[unreachable.pk]), follow=True
    )

    assert response.redirect_chain == [(reverse("web:today"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Van Ruud Bakker is geen telefoonnummer of e-mailadres bekend: voeg er eerst een toe."
    ]
    assert not FollowUp.objects.filter(customer=unreachable).exists()


def test_the_page_of_all_who_slip_away_plans_each_call_as_today_does(owner_client, business):
    called = _slipping(business, name="Anna", phone="06 12345678")
    unreachable = _slipping(business, name="Bram")
    rows = reverse("web:insights_scorecard_rows") + "?figure=slipping_away&from=today"

    page = owner_client.get(rows).content.decode()

    cell = re.search(rf'<td id="call-{called.pk}" .*?</td>', page, re.DOTALL)[0]
    action = reverse("web:slipping_away_plan_call", args=[called.pk])
    back = "/insights/scorecard/rows/%3Ffigure%3Dslipping_away%26from%3Dtoday"
    assert f'action="{action}?next={back}"' in cell
    assert ">Plan een belletje</button>" in cell
    assert (
        'data-testid="add-contact-way">Telefoon of e-mail toevoegen</a>'
        in re.search(rf'<td id="call-{unreachable.pk}" .*?</td>', page, re.DOTALL)[0]
    )
    assert "<th>Contact opnemen</th>" in page
    # The cell comes back saying so, and the call is planned as from Today
    answer = owner_client.post(
        f"{action}?next={back}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET=f"call-{called.pk}"
    )
    assert answer.status_code == 200
    planned = FollowUp.objects.get(customer=called)
    assert (
        f'<a class="done-note" href="/customers/{called.pk}/#follow_up-{planned.pk}" '
        'data-testid="call-planned">✓ belletje gepland voor vandaag</a>'
    ) in answer.content.decode()
    assert FollowUp.objects.get(customer=called).note == (
        "Bellen en vragen hoe het gaat: waardevolle klant, 90 dagen niet gezien."
    )
    # Without htmx it returns to the page it came from
    emailed = _slipping(business, email="bo@example.nl")
    plain = owner_client.post(
        reverse("web:slipping_away_plan_call", args=[emailed.pk]) + f"?next={back}"
    )
    assert plain.headers["Location"] == rows


def test_other_figures_rows_offer_no_call(owner_client, business):
    _slipping(business, phone="06 12345678")

    page = owner_client.get(
        reverse("web:insights_scorecard_rows") + "?figure=promises"
    ).content.decode()

    assert 'data-testid="call-cell"' not in page
    assert "Contact opnemen" not in page
