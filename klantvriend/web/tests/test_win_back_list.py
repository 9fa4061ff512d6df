"""The customer list of a segment that stayed away (the advice's "win back first" opens it)
offers the call to plan beside each customer, as Today does for those slipping away right now,
and says how the two lists differ."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from klantvriend.aftercare.models import FollowUp
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.insights.models import Segment
from klantvriend.insights.tests.factories import CustomerInsightFactory
from klantvriend.promises.tests.factories import PromiseFactory

pytestmark = pytest.mark.django_db

LIST = reverse("web:customer_list") + "?segment=cant_lose&order=-spend"


def _stayed_away(business, spend_cents, segment=Segment.CANT_LOSE, **contact):
    customer = CustomerFactory(business=business, **contact)
    CustomerInsightFactory(
        customer=customer,
        purchase_days=12,
        days_since_last=240,
        usual_interval_days=None,
        spend_cents=spend_cents,
        probability_alive=0.05,
        segment=segment,
    )
    return customer


def _cell(page: str, customer) -> str:
    return re.search(rf'<td id="call-{customer.pk}" .*?</td>', page, re.DOTALL)[0]


def test_each_customer_who_stayed_away_is_offered_the_way_to_win_them_back(owner_client, business):
    called = _stayed_away(business, 90000, phone="06 12345678")
    emailed = _stayed_away(business, 80000, email="bo@example.nl")
    unreachable = _stayed_away(business, 70000)
    spoken_to = _stayed_away(business, 60000, phone="06 87654321")
    PromiseFactory(customer=spoken_to, due_at=timezone.now() + timezone.timedelta(days=2))
    _stayed_away(business, 50000, segment=Segment.CHAMPION, phone="06 11111111")

    page = owner_client.get(LIST).content.decode()

    assert page.count('data-testid="call-cell"') == 4
    action = reverse("web:win_back_plan_call", args=[called.pk])
    back = "/customers/%3Fsegment%3Dcant_lose%26order%3D-spend"
    assert f'action="{action}?next={back}"' in _cell(page, called)
    assert ">Plan een belletje</button>" in _cell(page, called)
    assert ">Plan een mail</button>" in _cell(page, emailed)
    assert (
        f'href="{reverse("web:customer_edit", args=[unreachable.pk])}?next={back}#id_phone" '
        'data-testid="add-contact-way">Telefoon of e-mail toevoegen</a>'
    ) in _cell(page, unreachable)
    assert 'data-testid="contact-planned">contact al gepland</a>' in _cell(page, spoken_to)
    assert "<form" not in _cell(page, spoken_to)
    assert (
        "Vandaag toont alleen de waardevolle klanten die nu net wegglippen; dit zijn alle klanten "
        "van dit segment. Plan een belletje voor wie het waard is."
    ) in page


def test_a_segment_that_did_not_stay_away_offers_no_call(owner_client, business):
    _stayed_away(business, 50000, segment=Segment.CHAMPION, phone="06 11111111")

    page = owner_client.get(reverse("web:customer_list") + "?segment=champion").content.decode()

    assert 'data-testid="call-cell"' not in page
    assert "Terugwinnen" not in page


def test_a_call_is_planned_from_the_list_with_the_segment_as_its_reason(
    owner_client, owner, business
):
    called = _stayed_away(business, 90000, name="Kees van Dam", phone="06 12345678")

    response = owner_client.post(
        reverse("web:win_back_plan_call", args=[called.pk]) + "?next=/customers/%3Fsegment%3D1",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"call-{called.pk}",
    )

    assert response.status_code == 200
    follow_up = FollowUp.objects.get(customer=called)
    # The confirmation opens the call where it is done, on the profile
    assert (
        f'<a class="done-note" href="/customers/{called.pk}/#follow_up-{follow_up.pk}" '
        'data-testid="call-planned">✓ belletje gepland voor vandaag</a>'
    ) in response.content.decode()
    assert follow_up.note == (
        "Bellen en vragen hoe het gaat: “Mag je niet verliezen”, 240 dagen niet gezien."
    )
    # Planned by a person, to win them back: so Today's badge says, not "planned by hand"
    assert follow_up.reason == "win_back"
    today = owner_client.get(reverse("web:today")).content.decode()
    assert '<span class="badge">om terug te winnen</span>' in today
    assert (follow_up.due_on, follow_up.assigned_to, follow_up.created_by) == (
        business.today(),
        owner,
        owner,
    )
    # And the list says so on the next look
    page = owner_client.get(LIST).content.decode()
    assert 'data-testid="contact-planned">contact al gepland</a>' in _cell(page, called)


def test_without_htmx_the_call_returns_to_the_list_it_came_from(owner_client, business):
    called = _stayed_away(business, 90000, phone="06 12345678")

    response = owner_client.post(
        reverse("web:win_back_plan_call", args=[called.pk])
        + "?next=%2Fcustomers%2F%3Fsegment%3Dcant_lose%26page%3D2",
        follow=True,
    )

    assert response.redirect_chain == [("/customers/?segment=cant_lose&page=2", 302)]
    assert [str(m) for m in response.context["messages"]] == ["Belletje gepland voor vandaag."]
    assert FollowUp.objects.filter(customer=called).count() == 1


def test_a_call_nobody_can_make_is_refused_from_the_list(owner_client, business):
    unreachable = _stayed_away(business, 90000, name="Ruud Bakker")

    response = owner_client.post(
        reverse("web:win_back_plan_call", args=[unreachable.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"call-{unreachable.pk}",
    )

    assert response.status_code == 422
    cell = response.content.decode()
    assert 'data-testid="add-contact-way">Telefoon of e-mail toevoegen</a>' in cell
    assert "gepland" not in cell
    response = owner_client.post(
        reverse("web:win_back_plan_call", args=[unreachable.pk]) + "?next=https://evil.example/",
        follow=True,
    )
    assert response.redirect_chain == [(reverse("web:customer_list"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Van Ruud Bakker is geen telefoonnummer of e-mailadres bekend: voeg er eerst een toe."
    ]
    assert not FollowUp.objects.filter(customer=unreachable).exists()
