"""The care setting "staff see amounts and customer value": off, members who are not owners see
no customer's spend, value, probability alive or segment, and no insight pages; owners always
do; on (the default) everyone sees them as before."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klantvriend.core.audit import AuditAction
from klantvriend.core.care_settings import care_settings, care_settings_update
from klantvriend.core.models import AuditEvent
from klantvriend.core.working_hours import next_working_day
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.insights.models import InsightRun, Segment, Stage
from klantvriend.insights.tests.factories import CustomerInsightFactory
from klantvriend.web.care_forms import CareSettingsForm
from klantvriend.web.tests.dutch_days import dutch_weekday

SPENT = "Heeft tot nu toe €\u00a0213,50 besteed; kwam 60 keer, meestal elke 2 dagen, nu 51 dagen niet gezien."
AWAY = "Kwam 60 keer, meestal elke 2 dagen, nu 51 dagen niet gezien."
INSIGHT_PAGES = [
    ("web:insights_scorecard", {}),
    ("web:insights_advice", {}),
    ("web:insights_advice_why", {}),
    ("web:insights_charts", {}),
    ("web:insights_gestures", {}),
    ("web:insights_scorecard_rows", {"figure": "slipping_away"}),
    ("web:insights_scorecard_rows", {"figure": "revenue", "part": ""}),
]


def _shown(page: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]*)<', page)[1]


@pytest.fixture
def petra(business):
    """A regular who came every other day and has stayed away 51 days: slipping away, 213.50
    euros spent, 38.64 euros expected in 12 months, 18% alive."""
    customer = CustomerFactory(business=business, name="Petra Maas", phone="06 98765432")
    PurchaseFactory(customer=customer, amount_cents=21350)
    CustomerInsightFactory(
        customer=customer,
        as_of=business.today() - dt.timedelta(days=3),
        purchase_days=60,
        days_since_last=48,
        usual_interval_days=2.2,
        spend_cents=21350,
        value_cents=3864,
        probability_alive=0.18,
        probability_alive_30_days_ago=0.6,
        segment=Segment.CANT_LOSE,
        stage=Stage.REGULAR,
        slipping_away=True,
    )
    return customer


@pytest.fixture
def amounts_off(business, owner):
    care_settings_update(business=business, actor=owner, staff_see_amounts=False)
    business.refresh_from_db()


def _slipping_card(page: str) -> str:
    return page.split('id="slipping-heading"')[1].split("</section>")[0]


def test_staff_see_the_amounts_by_default(staff_client, business, petra):
    today = staff_client.get(reverse("web:today")).content.decode()
    profile = staff_client.get(reverse("web:customer_detail", args=[petra.pk])).content.decode()

    assert care_settings(business).staff_see_amounts is True
    assert _shown(today, "why-slipping") == SPENT
    assert '<span class="badge badge-risk">kans actief 18%</span>' in today
    assert 'href="/insights/scorecard/"' in today
    assert _shown(profile, "total-spend") == "€\u00a0213,50"
    assert _shown(profile, "insight-value") == "€\u00a038,64"
    assert _shown(profile, "insight-alive").startswith("18%")
    assert staff_client.get(reverse("web:insights_scorecard")).status_code == 200


def test_with_the_setting_off_today_keeps_the_names_and_the_call_but_no_amounts(
    staff_client, owner_client, amounts_off, petra
):
    page = staff_client.get(reverse("web:today")).content.decode()
    owners = owner_client.get(reverse("web:today")).content.decode()

    # Then staff see who to call, how long they stayed away, and the button; no spend, no
    # probability, and no link to the insights
    card = _slipping_card(page)
    assert "Petra Maas" in card
    assert _shown(page, "why-slipping") == AWAY
    assert "Plan een belletje" in card
    assert "€" not in card
    assert "kans actief" not in card.lower()
    assert 'href="/insights/scorecard/"' not in page
    assert ">Inzichten</a>" not in page
    # And the owner sees everything
    assert _shown(owners, "why-slipping") == SPENT
    assert '<span class="badge badge-risk">kans actief 18%</span>' in owners
    assert 'href="/insights/scorecard/"' in owners


def test_with_the_setting_off_the_profile_shows_no_spend_value_or_probability(
    staff_client, owner_client, amounts_off, petra
):
    page = staff_client.get(reverse("web:customer_detail", args=[petra.pk])).content.decode()
    visits = staff_client.get(reverse("web:customer_visits", args=[petra.pk])).content.decode()
    owners = owner_client.get(reverse("web:customer_detail", args=[petra.pk])).content.decode()

    for hidden in (
        "Totaal besteed",
        'data-testid="total-spend"',
        "Verwachte klantwaarde (12 maanden)",
        "€\u00a038,64",
        "Kans actief",
        'data-testid="insight-segment"',
    ):
        assert hidden not in page, hidden
    # The stage helps serving: a regular is greeted as one
    assert _shown(page, "insight-stage") == "vaste klant"
    # The visits page keeps each purchase (the customer's history), not the sums
    assert "213,50: het totaal besteed" not in visits
    assert _shown(visits, "visits-summary").endswith("1 aankoop.")
    assert "Besteed die dag" not in visits
    assert "€\u00a0213,50" in visits
    # And the owner sees them all
    assert _shown(owners, "total-spend") == "€\u00a0213,50"
    assert _shown(owners, "insight-value") == "€\u00a038,64"
    assert 'data-testid="insight-segment"' in owners


def test_with_the_setting_off_the_customer_list_neither_shows_nor_sorts_by_amounts(
    staff_client, owner_client, business, amounts_off, petra
):
    cheap = CustomerFactory(business=business, name="Anna Aarts")
    CustomerInsightFactory(customer=cheap, value_cents=100, spend_cents=100, stage=Stage.REGULAR)

    listed = staff_client.get(reverse("web:customer_list"), {"order": "-value"})
    by_stage = staff_client.get(reverse("web:customer_list"), {"stage": "regular"})
    owners = owner_client.get(reverse("web:customer_list"), {"order": "-value"})

    page = listed.content.decode()
    assert [c.name for c in listed.context["page"].object_list] == ["Anna Aarts", "Petra Maas"]
    assert "€" not in page.split("<table")[1]
    assert "Verwachte klantwaarde (12 maanden)" not in page
    assert 'value="-value"' not in page
    assert 'name="segment"' not in page
    assert 'data-testid="list-totals"' not in by_stage.content.decode()
    assert [c.name for c in owners.context["page"].object_list] == ["Petra Maas", "Anna Aarts"]
    assert "€\u00a038,64" in owners.content.decode()


@pytest.mark.parametrize(("name", "query"), INSIGHT_PAGES, ids=[n for n, q in INSIGHT_PAGES])
def test_with_the_setting_off_the_insight_pages_are_for_owners(
    staff_client, owner_client, amounts_off, petra, name, query
):
    assert staff_client.get(reverse(name), query).status_code == 403
    assert owner_client.get(reverse(name), query).status_code == 200


def test_with_the_setting_off_staff_still_open_rows_without_amounts_and_plan_the_call(
    staff_client, amounts_off, petra
):
    # The figures Today opens (complaints, aftercare) hold no amounts
    rows = staff_client.get(reverse("web:insights_scorecard_rows"), {"figure": "aftercare"})
    called = staff_client.post(
        reverse("web:slipping_away_plan_call", args=[petra.pk]), HTTP_HX_REQUEST="true"
    )

    assert rows.status_code == 200
    assert called.status_code == 200
    assert "€" not in called.content.decode()
    assert "kans actief" not in called.content.decode()


def test_the_owner_switches_it_on_the_settings_page_and_the_change_is_recorded(
    owner_client, staff_client, business
):
    data = {
        name: value
        for name, value in CareSettingsForm.initial_from(care_settings(business)).items()
        if value is not None and name != "staff_see_amounts"
    }

    refused = staff_client.post(reverse("web:care_settings"), data)
    business.refresh_from_db()
    assert refused.status_code == 403
    assert business.settings == {}

    saved = owner_client.post(reverse("web:care_settings"), data)  # the box left unticked

    assert saved.status_code == 302
    business.refresh_from_db()
    assert care_settings(business).staff_see_amounts is False
    event = AuditEvent.objects.get(business=business, action=AuditAction.SETTINGS)
    assert event.changes == {"staff_see_amounts": [True, False]}
    page = owner_client.get(reverse("web:care_settings")).content.decode()
    assert "Medewerkers zien bedragen en klantwaarde: ja → nee" in page
    assert 'name="staff_see_amounts"' in page
    assert 'id="id_staff_see_amounts" checked' not in page


def test_the_setting_costs_today_and_the_profile_no_query(staff_client, business, owner, petra):
    urls = [reverse("web:today"), reverse("web:customer_detail", args=[petra.pk])]

    def counted() -> list[int]:
        counts = []
        for url in urls:
            staff_client.get(url)  # once before, so that nothing cached on the way counts
            with CaptureQueriesContext(connection) as context:
                staff_client.get(url)
            counts.append(len(context.captured_queries))
        return counts

    shown = counted()
    care_settings_update(business=business, actor=owner, staff_see_amounts=False)
    hidden = counted()

    assert all(off <= on for off, on in zip(hidden, shown, strict=True)), (hidden, shown)


def test_staff_kept_from_amounts_still_read_when_a_customer_is_expected_back(
    staff_client, business, amounts_off
):
    """When to expect a customer is for whoever serves them: it stands beside the stage, not
    among the figures the owner may keep to themselves."""
    eva = CustomerFactory(business=business, name="Eva de Wit")
    PurchaseFactory(customer=eva, amount_cents=8950)
    CustomerInsightFactory(
        customer=eva,
        as_of=business.today(),
        purchase_days=6,
        days_since_last=40,
        usual_interval_days=42,
        spend_cents=8950,
        stage=Stage.REGULAR,
    )

    page = staff_client.get(reverse("web:customer_detail", args=[eva.pk])).content.decode()

    # On the first day the business is open from then on (the card's rule, tested in
    # test_insights_wording): two days from a Friday is a closed Sunday.
    expected = next_working_day(
        business.today() + dt.timedelta(days=2),
        working_days=care_settings(business).working_days,
    )
    assert _shown(page, "insight-expected-back") == (
        f"Verwacht terug rond {dutch_weekday(expected, '\u00a0')}"
    )
    assert 'data-testid="insight-value"' not in page


def test_with_nobody_slipping_away_today_points_to_the_advice_for_who_stayed_away_longer(
    owner_client, staff_client, business, amounts_off
):
    """A restaurant's lapsed regulars, just imported, were away for months: Today said "Geen
    waardevolle klant glipt weg" and nothing more, as its list is of those slipping away now."""
    link = (
        '<a href="/insights/advice/" data-testid="stayed-away-advice">Wie al langer wegblijft, '
        "en wat terugwinnen waard is: het aandachtsadvies</a>"
    )
    InsightRun.objects.create(business=business, as_of=business.today(), model_name="bgnbd")

    owners = _slipping_card(owner_client.get(reverse("web:today")).content.decode())
    staffs = _slipping_card(staff_client.get(reverse("web:today")).content.decode())

    assert "Geen waardevolle klant glipt weg." in owners
    assert link in owners
    # Staff who may not see amounts have no advice page to go to.
    assert "Geen waardevolle klant glipt weg." in staffs
    assert 'data-testid="stayed-away-advice"' not in staffs


@pytest.mark.parametrize("run", [None, "not enough data"])
def test_without_a_model_today_says_when_slipping_away_shows_not_that_none_is(
    owner_client, staff_client, business, amounts_off, run
):
    """A new office with a month of invoices read "Geen waardevolle klant glipt weg", where no
    model had looked."""
    if run:
        InsightRun.objects.create(
            business=business,
            as_of=business.today(),
            not_enough_data="Not enough data yet: 3 more months needed.",
        )

    owners = _slipping_card(owner_client.get(reverse("web:today")).content.decode())
    staffs = _slipping_card(staff_client.get(reverse("web:today")).content.decode())

    said = (
        "Welke waardevolle klanten wegglippen, zie je hier zodra er genoeg aankopen zijn om het "
        "te voorspellen."
    )
    assert "glipt weg" not in owners + staffs
    assert (
        f'<p class="empty" data-testid="slipping-not-predicted">{said} <a href="/insights/advice/">Wat er nog nodig is</a></p>'
        in owners
    )
    assert f'<p class="empty" data-testid="slipping-not-predicted">{said}</p>' in staffs


def test_staff_without_amounts_see_whom_a_customer_referred_not_what_they_bought(
    staff_client, owner_client, business, petra, amounts_off
):
    """The referrals on a card said what the referred customers bought and were expected to,
    to staff from whom the card's total spend was kept."""
    referred = CustomerFactory(business=business, name="Bram Maas", referred_by=petra)
    PurchaseFactory(customer=referred, amount_cents=4500)
    profile = reverse("web:customer_detail", args=[petra.pk])

    staffs = staff_client.get(profile).content.decode()
    owners = owner_client.get(profile).content.decode()

    assert _shown(staffs, "referral-value") == "Bracht 1 klant aan."
    assert "€\u00a045,00" not in staffs
    assert "Bram Maas" in staffs
    assert _shown(owners, "referral-value") == "Bracht 1 klant aan, die voor €\u00a045,00 kocht."
