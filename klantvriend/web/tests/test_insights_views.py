"""Insight pages: the profile card, the list filters, Today's slipping-away list with its
one-click call, advice, scorecard (with its rows), charts; query counts do not grow with data."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from klantvriend.aftercare.models import FollowUp
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.accounts import account_language_set
from klantvriend.core.services import business_create, user_create
from klantvriend.customers.models import Purchase
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.insights.models import STAYED_AWAY, CustomerInsight, InsightRun
from klantvriend.insights.selectors import SLIPPING_AWAY_LIMIT
from klantvriend.insights.services import insights_refresh
from klantvriend.insights.tests.factories import (
    CustomerInsightFactory,
    advice_run,
    butcher_history,
    promises_and_late_complaints,
)
from klantvriend.promises.tests.factories import PromiseFactory

NBSP = "\xa0"


@pytest.fixture
def butcher(business):
    customers, _ids = butcher_history(business)
    # Regulars 0-9 stopped coming 70 days ago: valuable customers slipping away.
    Purchase.objects.filter(
        customer__in=customers[:10], at__gte=timezone.now() - dt.timedelta(days=70)
    ).delete()
    insights_refresh(business=business)
    return customers


def test_profile_card_shows_value_alive_segment_and_stage(owner_client, butcher):
    regular = butcher[20]
    insight = CustomerInsight.objects.get(customer=regular)
    response = owner_client.get(reverse("web:customer_detail", args=[regular.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="insight-card"' in html
    assert f"{insight.purchase_days} keer gekocht" in html or "bought" in html
    assert insight.get_segment_display() in html


def test_profile_card_says_its_figures_predate_a_purchase_just_recorded(staff_client, business):
    # The insight was computed when the customer had bought once, for 16,25.
    customer = CustomerFactory(business=business, name="Koen Kuipers")
    PurchaseFactory(customer=customer, amount_cents=1625)
    CustomerInsightFactory(
        customer=customer,
        as_of=dt.date(2026, 11, 28),
        purchase_days=1,
        days_since_last=382,
        spend_cents=1625,
    )
    profile = reverse("web:customer_detail", args=[customer.pk])
    note = (
        "Berekend op 28\u00a0nov\u00a02026, vóór de laatste aankoop: "
        "dit wordt bij de volgende berekening (meestal 's nachts) bijgewerkt."
    )
    assert "bijgewerkt" not in staff_client.get(profile).content.decode()

    # At the counter the staff member records today's purchase: the card still says
    # "bought once, 12 months ago" (382 days) next to "last visit: today", and now says why.
    staff_client.post(
        reverse("web:purchase_add", args=[customer.pk]),
        {"amount": "23,40", "description": "Rollade"},
    )
    html = staff_client.get(profile).content.decode()
    assert "één keer gekocht, 12 maanden geleden" in html
    assert note in html


@pytest.mark.parametrize(
    ("language", "computed_days_ago", "days_since_last", "purchase_days", "history"),
    [
        # Computed three days ago, five days after the last purchase: eight days now, as the
        # "last visit" above it counts.
        ("nl", 3, 5, 22, "22 keer gekocht, laatst 8 dagen geleden"),
        ("en", 3, 5, 22, "bought 22 times, last 8 days ago"),
        # Bought on the day of a refresh that ran today: "today", not "0 days ago".
        ("nl", 0, 0, 22, "22 keer gekocht, laatst vandaag"),
        ("en", 0, 0, 1, "bought once, today"),
        ("nl", 1, 0, 1, "één keer gekocht, gisteren"),
    ],
)
def test_the_card_counts_the_days_since_the_last_purchase_to_today(
    owner_client,
    owner,
    business,
    language,
    computed_days_ago,
    days_since_last,
    purchase_days,
    history,
):
    """The days were counted to the day of the computation: a purchase on the day of the
    refresh read "0 days ago" for as long as no refresh ran, beside a "last visit" counted to
    today."""
    customer = CustomerFactory(business=business)
    PurchaseFactory(customer=customer, amount_cents=1625)
    CustomerInsightFactory(
        customer=customer,
        as_of=business.today() - dt.timedelta(days=computed_days_ago),
        purchase_days=purchase_days,
        days_since_last=days_since_last,
        spend_cents=1625,
    )
    account_language_set(user=owner, language=language)

    html = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    assert history in html


@pytest.mark.parametrize(
    ("language", "purchase_days", "alive", "alive_before", "shown", "before"),
    [
        # A regular away for seven weeks: the model's near-nothing stands, falling since a month
        # ago; it reads "<1%" as every share does that is not none (core.numbers.share_shown).
        # The arrow says what it was: "↓" alone left a restaurant's owner guessing.
        (
            "nl",
            146,
            9.8e-07,
            0.03,
            '&lt;1% <span aria-hidden="true">↓</span>',
            "een maand geleden 3%",
        ),
        (
            "en",
            146,
            9.8e-07,
            0.03,
            '&lt;1% <span aria-hidden="true">↓</span>',
            "a month ago 3%",
        ),
        ("nl", 146, 0.996, 0.99, "&gt;99%", None),
        ("nl", 2, 0.4, 0.41, "40%", None),
        # A one-off customer gets MBG/NBD's 92% whether they came last week or two years ago
        # (and 100% from BG/NBD): words instead of a figure that outranks the regular's.
        ("nl", 1, 0.88, 0.92, "tot nu toe eenmalig", None),
        ("en", 1, 0.88, 0.92, "one-off so far", None),
    ],
)
def test_the_card_shows_a_probability_alive_only_where_it_says_something(
    owner_client, owner, business, language, purchase_days, alive, alive_before, shown, before
):
    customer = CustomerFactory(business=business)
    CustomerInsightFactory(
        customer=customer,
        purchase_days=purchase_days,
        days_since_last=53,
        probability_alive=alive,
        probability_alive_30_days_ago=alive_before,
        value_cents=1000,
        expected_purchases_365=1.0,
    )
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    assert f'data-testid="insight-alive">{shown}</span>' in page
    said = re.findall(r'data-testid="insight-alive-before">([^<]*)</span>', page)
    assert said == ([before] if before else [])


def test_a_new_customer_card_says_when_its_insight_comes_without_jargon(owner_client, business):
    customer = CustomerFactory(business=business)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    assert (
        "Nog geen inzicht: dat verschijnt na de eerste aankoop, zodra de cijfers opnieuw zijn "
        "berekend."
    ) in page


@pytest.mark.parametrize(
    ("language", "pending"),
    [
        (
            "nl",
            "Nog geen inzicht: dat verschijnt bij de volgende berekening van de cijfers (meestal "
            "'s nachts).",
        ),
        (
            "en",
            "No insight yet: it appears at the next computation of the figures (usually "
            "overnight).",
        ),
    ],
)
def test_a_first_purchase_counts_on_the_card_until_the_figures_are_computed(
    owner_client, owner, business, language, pending
):
    # Given a customer whose first purchase was just recorded, before any computation
    customer = CustomerFactory(business=business)
    PurchaseFactory(customer=customer, at=timezone.now())
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    # Then the card says the figures come at the next computation, not "after the first
    # purchase", which read as if this one did not count
    assert f'<p class="empty" data-testid="insight-pending">{pending}</p>' in page
    assert "after the first purchase" not in page
    assert "na de eerste aankoop" not in page


def test_an_anonymised_customers_card_says_why_it_has_no_figures(owner_client, business):
    # Given an anonymised customer whose purchases are kept for the tax authorities
    customer = CustomerFactory(business=business, erased_at=timezone.now())
    PurchaseFactory(customer=customer, at=timezone.now())

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    # Then the card does not promise figures that never come
    assert (
        '<p class="empty" data-testid="insight-anonymised">Geen cijfers voor een '
        "geanonimiseerde klant: de aankopen tellen nog mee in de totalen van de zaak, maar er is "
        "niemand meer om aandacht aan te geven.</p>"
    ) in page
    assert 'data-testid="insight-pending"' not in page


def test_today_says_what_a_customer_slipping_away_spent_in_plain_dutch(owner_client, butcher):
    page = owner_client.get(reverse("web:today")).content.decode()

    assert re.search(
        r"Heeft tot nu toe €\u00a0[\d.]+,\d\d besteed; kwam \d+ keer, meestal elke \d+ dagen, nu \d+ "
        r"dagen niet gezien\.",
        page,
    )
    assert "Besteedde" not in page


def test_customer_list_filters_and_sorts_by_insight(owner_client, butcher):
    at_risk = set(
        CustomerInsight.objects.filter(segment="at_risk").values_list("customer__name", flat=True)
    )
    response = owner_client.get(reverse("web:customer_list"), {"segment": "at_risk"})
    names = {c.name for c in response.context["page"].object_list}
    assert names == at_risk
    assert names
    response = owner_client.get(reverse("web:customer_list"), {"order": "-value"})
    values = [c.insight.value_cents for c in response.context["page"].object_list]
    assert values == sorted(values, reverse=True)
    response = owner_client.get(reverse("web:customer_list"), {"stage": "passer_by"})
    assert {c.insight.stage for c in response.context["page"].object_list} == {"passer_by"}


def test_today_lists_slipping_away_and_plans_a_call_in_one_click(owner_client, business, butcher):
    response = owner_client.get(reverse("web:today"))
    slipping = response.context["slipping_away"].items
    assert slipping
    first = slipping[0].customer
    first.phone = "06 11223344"  # the butcher's history knows names alone
    first.save(update_fields=["phone"])
    response = owner_client.post(
        reverse("web:slipping_away_plan_call", args=[first.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    follow_up = FollowUp.objects.get(customer=first)
    assert follow_up.due_on == business.today()
    assert "not seen for" in follow_up.note or "niet gezien" in follow_up.note
    response = owner_client.get(reverse("web:today"))
    assert first not in [i.customer for i in response.context["slipping_away"].items]


def test_advice_scorecard_rows_and_charts_render(owner_client, butcher):
    # A promise kept and a complaint answered: every chart has something to draw (one with
    # nothing says what fills it instead: test_newcomer_texts).
    now = timezone.now()
    PromiseFactory(customer=butcher[0], done_at=now - dt.timedelta(hours=30))
    ComplaintFactory(
        customer=butcher[0],
        received_at=now - dt.timedelta(hours=3),
        first_response_at=now - dt.timedelta(hours=2),
    )
    response = owner_client.get(reverse("web:insights_advice"))
    assert response.status_code == 200
    assert 'data-verdict="relationship"' in response.content.decode()
    assert owner_client.get(reverse("web:insights_advice_why")).status_code == 200
    response = owner_client.get(reverse("web:insights_scorecard"))
    assert response.status_code == 200
    scorecard = response.context["scorecard"]
    assert scorecard.next_action
    assert {f.key for f in scorecard.figures} >= {"promises", "nps", "repeat_rate", "referrals"}
    # Each light's target is on its card: a lower figure in green beside a higher one in amber
    # looked wrong without it.
    page = response.content.decode()
    targets = dict(re.findall(r'data-testid="target-(\w+)">([^<]+)<', page))
    assert (targets["promises"], targets["aftercare"], targets["nps"], targets["drivers"]) == (
        "doel 90%",
        "doel 80%",
        "doel +30",
        "doel 4,0",
    )
    for figure in scorecard.figures:
        rows = owner_client.get(reverse("web:insights_scorecard_rows"), {"figure": figure.key})
        assert rows.status_code == 200
    rows = owner_client.get(reverse("web:insights_scorecard_rows"), {"figure": "nope"})
    assert rows.status_code == 404
    response = owner_client.get(reverse("web:insights_charts"))
    html = response.content.decode()
    assert [c.key for c, _table in response.context["charts"]] == [
        "revenue",
        "cohorts",
        "value",
        "promises",
        "complaints",
    ]
    # Five charts, each drawn for a page and for a phone.
    assert html.count('<div class="chart-wide"><svg') == 5
    assert html.count('<div class="chart-narrow"><svg') == 5
    # Under the two charts per month (revenue, promises): their last month is not over yet.
    assert html.count("De laatste maand is nog niet om.") == 2
    assert 'style="' not in html.split("<main", 1)[-1]
    # Each chart says, above it, how to read it and what to look for.
    readings = re.findall(r'<p class="subtle" data-testid="chart-reading">([^<]*)</p>', html)
    assert [reading.split(":")[0].split(";")[0] for reading in readings] == [
        "Elke staaf is de omzet van een maand",
        "Elke rij zijn de klanten van wie de eerste aankoop in die maand viel",
        "Hoeveel klanten er vallen in elke klasse van wat ze naar verwachting de komende 12 "
        "maanden besteden. Wie rechts staat, brengt per klant het meeste op",
        "De beloften die elke maand afliepen",
        "Hoe lang de klachten van de laatste 12 maanden wachtten op een eerste reactie, en "
        "hoeveel er nog wachten (de rode staaf). Hoe meer links, hoe beter",
    ]


def test_margin_is_owner_only_and_recomputes(owner_client, staff_client, business, butcher):
    url = reverse("web:insights_margin")
    assert staff_client.post(url, {"margin_percent": 40}).status_code == 403
    response = owner_client.post(url, {"margin_percent": 140})
    assert response.status_code == 422
    business.refresh_from_db()
    assert "insights" not in business.settings
    assert owner_client.post(url, {"margin_percent": 40}).status_code == 302
    business.refresh_from_db()
    assert business.settings["insights"]["margin_percent"] == 40


@pytest.mark.parametrize(
    ("typed", "stored", "refused"),
    [
        ("35", 35, None),
        (" 35 % ", 35, None),
        ("32,5", None, "Vul een heel percentage in, zoals 30."),
        ("32.5", None, "Vul een heel percentage in, zoals 30."),
        ("dertig", None, "Vul een heel percentage in, zoals 30."),
    ],
)
def test_the_margin_is_a_whole_percentage_typed_as_text(
    owner_client, business, typed, stored, refused
):
    response = owner_client.post(reverse("web:insights_margin"), {"margin_percent": typed})

    business.refresh_from_db()
    if refused:
        assert response.status_code == 422
        assert refused in response.content.decode()
        assert "insights" not in business.settings
    else:
        assert response.status_code == 302
        assert business.settings["insights"]["margin_percent"] == stored


def test_pages_without_any_data_say_so(owner_client):
    for name in ("insights_advice", "insights_charts", "insights_scorecard"):
        response = owner_client.get(reverse(name.join(["web:", ""])))
        assert response.status_code == 200
    html = owner_client.get(reverse("web:insights_advice")).content.decode()
    assert 'data-testid="not-enough-data"' in html


def test_today_counts_every_customer_slipping_away_not_only_those_shown(owner_client, business):
    for index in range(SLIPPING_AWAY_LIMIT + 3):
        CustomerInsightFactory(
            customer=CustomerFactory(business=business, name=f"Klant {index}"),
            slipping_away=True,
            probability_alive=0.4,
        )

    response = owner_client.get(reverse("web:today"))

    html = response.content.decode()
    heading = html[html.index('id="slipping-heading"') :]
    assert heading[: heading.index("</h2>")].endswith(
        f'<span class="count">{SLIPPING_AWAY_LIMIT + 3}</span>'
    )
    assert html.count('id="slipping-') == SLIPPING_AWAY_LIMIT + 1  # the rows and the heading


def test_the_gestures_page_shows_their_effect_and_the_log_in_a_few_queries(
    owner_client, business, owner, django_assert_max_num_queries
):
    from klantvriend.gestures.models import Gesture, Occasion

    now = timezone.now()
    customers = [CustomerFactory(business=business, name=f"Klant {i}") for i in range(3)]
    for index, customer in enumerate(customers):
        Purchase.objects.create(
            business=business,
            customer=customer,
            amount_cents=2500,
            currency="EUR",
            at=now - dt.timedelta(days=150),
        )
        Gesture.objects.create(
            business=business,
            customer=customer,
            what=f"Taart {index}",
            occasion=Occasion.BIRTHDAY if index else Occasion.REFERRAL_THANKS,
            value_cents=1000,
            given_at=now - dt.timedelta(days=200),
            given_by=owner,
        )
    insights_refresh(business=business)

    with django_assert_max_num_queries(8):
        page = owner_client.get(reverse("web:insights_gestures")).content.decode()
    filtered = owner_client.get(reverse("web:insights_gestures") + "?occasion=birthday")
    Gesture.objects.create(  # given after the year the figures count
        business=business,
        customer=customers[1],
        what="Taart 3",
        occasion=Occasion.BIRTHDAY,
        given_at=now - dt.timedelta(days=10),
    )

    birthday = page.split('data-testid="effect-birthday"')[1].split("</tr>")[0]
    # Each cell's figure, the effects' inside the link to their rows.
    assert [
        re.sub(r"<[^>]*>", "", cell.split(">", 1)[1]) for cell in birthday.split("<td")[2:]
    ] == [
        "2",
        "€\u00a020,00",
        "0%",
        "100%",
        "€\u00a00,00",
        "€\u00a025,00",
    ]
    assert 'data-testid="effect-referral_thanks"' in page
    # Each occasion opens the gestures it counts: of that occasion, given in the year counted.
    link = birthday.split('<a href="')[1].split('"')[0].replace("&amp;", "&")
    counted = owner_client.get(link).content.decode()
    assert counted.count("Taart ") == 2
    assert 'data-testid="gesture-log-days"' in counted
    assert page.count("Taart ") == 3
    assert filtered.content.decode().count("Taart ") == 2


def test_the_gestures_page_reads_a_mistyped_filter_as_no_filter(owner_client, business):
    from klantvriend.gestures.models import Gesture, Occasion

    customer = CustomerFactory(business=business, name="Anna")
    for what, occasion in (("Taart", Occasion.BIRTHDAY), ("Koffie", Occasion.JUST_BECAUSE)):
        Gesture.objects.create(business=business, customer=customer, what=what, occasion=occasion)

    response = owner_client.get(
        reverse("web:insights_gestures"),
        {"occasion": "bogus", "since": "2025-13-45", "until": "gisteren", "page": "zz"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert (page.count("Taart"), page.count("Koffie")) == (1, 1)
    assert 'data-testid="gesture-log-days"' not in page
    assert Gesture.objects.count() == 2


def test_the_gestures_page_from_the_first_day_of_the_calendar_shows_every_gesture(
    owner_client, business
):
    # That day began, in Amsterdam, before the first moment Python holds in UTC: a server error.
    from klantvriend.gestures.models import Gesture

    customer = CustomerFactory(business=business, name="Anna")
    Gesture.objects.create(business=business, customer=customer, what="Taart")

    response = owner_client.get(
        reverse("web:insights_gestures"), {"since": "0001-01-01", "until": "9999-12-31"}
    )

    assert response.status_code == 200
    assert response.content.decode().count("Taart") == 1


@pytest.mark.parametrize(
    ("language", "customers", "text"),
    [
        # The moment on one line (no-break spaces).
        (
            "en",
            1,
            "Computed 3\u00a0Nov\u00a02026\u00a006:00 from {link}1 customer with purchases</a>.",
        ),
        (
            "en",
            2,
            "Computed 3\u00a0Nov\u00a02026\u00a006:00 from {link}2 customers with purchases</a>.",
        ),
        ("nl", 1, "Berekend 3\u00a0nov\u00a02026\u00a006:00 uit {link}1 klant met aankopen</a>."),
    ],
)
def test_the_advice_counts_the_customers_it_was_computed_from_in_good_grammar(
    owner_client, owner, business, language, customers, text
):
    InsightRun.objects.create(
        business=business,
        computed_at=dt.datetime(2026, 11, 3, 5, 0, tzinfo=dt.UTC),
        as_of=dt.date(2026, 11, 3),
        customers=customers,
    )
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:insights_advice")).content.decode()

    # The customers open to their list.
    link = '<a href="/customers/?bought=any&amp;order=-spend" data-testid="advice-customers">'
    assert f'<p class="subtle">{text.format(link=link)}</p>' in page


def _gesture_effects(made_up: int, without: int) -> dict:
    figures = {"spend_before_cents": 2000, "spend_after_cents": 2500}
    return {
        "since": "2025-09-05",
        "until": "2026-09-05",
        "window_days": 90,
        "occasions": [
            {
                "occasion": "birthday",
                "gestures": 13,
                "value_cents": 7150,
                "bought_before": 0.6,
                "bought_after": 0.6,
                **figures,
            },
            {
                "occasion": "complaint_recovery",
                "gestures": made_up,
                "value_cents": 29000,
                "bought_before": 0.5385,
                "bought_after": 0.5385,
                **figures,
            },
        ],
        "complaints_without_gesture": {
            "gestures": without,
            "bought_before": 0.3,
            "bought_after": 0.1,
            **figures,
        },
    }


@pytest.mark.parametrize(
    ("language", "made_up", "kind", "text"),
    [
        (
            "nl",
            26,
            "helps",
            "Een aanwijzing dat goedmaken loont: na de 26 klachten die met een attentie werden "
            "goedgemaakt, kocht 54% van de klanten in de 90 dagen erna (54% in de 90 dagen "
            "ervoor); na de 10 die zonder attentie werden opgelost 10% (ervoor 30%).",
        ),
        (
            "en",
            26,
            "helps",
            "A sign that making up for a complaint pays: after the 26 complaints made up with a "
            "gesture, 54% of the customers bought in the 90 days after it (54% in the 90 days "
            "before); after the 10 resolved without one, 10% (30% before).",
        ),
        (
            "nl",
            9,
            "too_few",
            "Nog te weinig klachten om te zien of goedmaken loont: 9 goedgemaakt met een "
            "attentie en 12 opgelost zonder. Vanaf 10 van elk vergelijkt deze pagina ze.",
        ),
    ],
)
def test_the_gestures_page_says_whether_making_up_for_a_complaint_shows(
    owner_client, owner, business, language, made_up, kind, text
):
    InsightRun.objects.create(
        business=business,
        computed_at=dt.datetime(2026, 12, 4, 5, 0, tzinfo=dt.UTC),
        as_of=dt.date(2026, 12, 4),
        customers=200,
        figures={"gesture_effects": _gesture_effects(made_up, 12 if kind == "too_few" else 10)},
    )
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:insights_gestures")).content.decode()

    assert f'<p class="notice recovery-{kind}" data-testid="recovery-verdict">{text}</p>' in page


def test_the_gestures_page_explains_its_figures_in_plain_english(owner_client, business, owner):
    from klantvriend.gestures.models import Gesture, Occasion

    account_language_set(user=owner, language="en")
    customer = CustomerFactory(business=business)
    PurchaseFactory(customer=customer, at=timezone.now() - dt.timedelta(days=150))
    gesture = Gesture.objects.create(
        business=business, customer=customer, what="Cake", occasion=Occasion.BIRTHDAY
    )
    insights_refresh(business=business)
    too_recent = owner_client.get(reverse("web:insights_gestures")).content.decode()
    Gesture.objects.filter(pk=gesture.pk).update(given_at=timezone.now() - dt.timedelta(days=200))
    insights_refresh(business=business)

    page = owner_client.get(reverse("web:insights_gestures")).content.decode()

    assert (
        "No gestures old enough yet: the figures need the three months after a gesture. "
        "Log a gesture on the customer's profile."
    ) in too_recent
    assert ", so that the 90 days after each have passed: the share of their customers" in page
    assert "(not counting the day itself)" in page
    assert (
        "a difference is a sign, not proof. A gesture to make up for a complaint follows a bad "
        "moment; compare it with the complaints resolved without one."
    ) in page


def test_the_rows_of_a_figure_say_how_they_add_up_and_page_through_all_of_them(
    owner_client, business, monkeypatch
):
    from klantvriend.insights import rows as figure_rows

    monkeypatch.setattr(figure_rows, "ROW_LIMIT", 2)
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    for name in ("Anna", "Bram", "Cor"):
        PurchaseFactory(customer=CustomerFactory(business=business, name=name), at=an_hour_ago)
    url = reverse("web:insights_scorecard_rows")

    first = owner_client.get(url, {"figure": "repeat_rate"}).content.decode()
    second = owner_client.get(url, {"figure": "repeat_rate", "page": "2"}).content.decode()
    beyond = owner_client.get(url, {"figure": "repeat_rate", "page": "99999999999999999999"})

    assert "0 van deze 3 klanten waren al eerder klant." in first
    assert ("Anna" in first, "Cor" in first, "Anna" in second, "Cor" in second) == (
        True,
        False,
        False,
        True,
    )
    assert "Pagina 1 van 2" in first
    assert "?figure=repeat_rate&amp;page=2" in first
    assert beyond.status_code == 200


@pytest.mark.parametrize(
    ("language", "trend", "title", "periods"),
    [
        (
            "nl",
            # 2 of 4 against 1 of 3: +17 points, within the margin of so few customers.
            "kan toeval zijn t.o.v. de 90 dagen ervoor (33%): het verschil valt "
            "binnen zijn foutmarge (± 59 punten)",
            "Klanten die in de 90 dagen vóór de laatste 90 kochten",
            ["Laatste 90 dagen", "De 90 dagen ervoor"],
        ),
        (
            "en",
            "may be chance vs. the 90 days before (33%): the difference is within its margin "
            "of error (± 59 points)",
            "Customers who bought in the 90 days before the last 90",
            ["Last 90 days", "The 90 days before"],
        ),
    ],
)
def test_the_scorecards_trend_opens_to_the_rows_of_the_90_days_before(
    owner_client, owner, business, language, trend, title, periods
):
    """The trend was plain text inside the figure's link: the 90 days it compared with could
    not be opened, so "+17 pts" could not be checked. It now shows the figure before and opens
    to its rows, and the change is the difference of the two figures as shown (50% - 33%)."""
    now, day = timezone.now(), dt.timedelta(days=1)
    customers = [CustomerFactory(business=business, name=name) for name in "ABCDE"]
    # The 90 days before: A came back, B and C were new (1 of 3); the last 90: A and B came
    # back, D and E are new (2 of 4).
    for customer, days in [
        (customers[0], 300),
        (customers[0], 100),
        (customers[1], 100),
        (customers[2], 100),
        (customers[0], 10),
        (customers[1], 10),
        (customers[3], 10),
        (customers[4], 10),
    ]:
        PurchaseFactory(customer=customer, at=now - days * day)
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:insights_scorecard")).content.decode()
    link = re.search(r'href="([^"]+)" data-testid="trend-repeat_rate">([^<]+)</a>', page)
    rows = owner_client.get(link[1].replace("&amp;", "&"))
    html = rows.content.decode()

    assert '<span class="score-value">50%</span>' in page
    assert link[2] == trend
    assert rows.context["table"].title == title
    assert [name for _id, name, _cells in rows.context["table"].rows] == ["A", "B", "C"]
    assert re.findall(r'<a href="\?figure=repeat_rate[^"]*"[^>]*>([^<]+)</a>', html) == periods
    assert 'aria-current="page">' + periods[1] in html


def test_a_figure_without_a_trend_shows_its_rows_whatever_period_is_asked(owner_client):
    url = reverse("web:insights_scorecard_rows")

    rows = owner_client.get(url, {"figure": "aftercare", "period": "before"})

    assert rows.status_code == 200
    assert rows.context["before"] is False
    assert 'data-testid="rows-periods"' not in rows.content.decode()


def test_a_trend_is_the_difference_of_the_two_figures_as_shown():
    """62.6% is shown as 63% and 37.4% as 37%, but the change was rounded on its own: "+25 pts"
    between 63% and 37%, which the rows of the two periods could not bear out."""
    from django.utils import translation

    from klantvriend.insights.scorecard import Figure
    from klantvriend.promises.selectors import Trend
    from klantvriend.web.templatetags.care import trend_change
    from klantvriend.web.templatetags.insights import figure_change, figure_value

    promises = Figure("promises", "kept", 0.626, "share", 0.626, 0.374)
    nps = Figure("nps", "NPS", 12.5, "points", 12.5, -12.5)

    with translation.override("en"):
        assert (figure_value(promises), figure_change(promises)) == (
            "63%",
            "+26 points vs. the 90 days before (37%)",
        )
        # NPS is rounded half away from zero, as on every page: +13 against -13.
        assert (figure_value(nps), figure_change(nps)) == (
            "+13",
            "+26 points vs. the 90 days before (−13)",
        )
        assert trend_change(Trend(last_90_days=0.626, previous_90_days=0.374)) == (
            "+26 points vs. the 90 days before"
        )
        assert trend_change(Trend(last_90_days=0.374, previous_90_days=0.626)) == (
            "−26 points vs. the 90 days before"
        )
    assert trend_change(Trend(last_90_days=None, previous_90_days=5 / 8)) == ""


@pytest.mark.parametrize(
    ("last", "previous", "shown", "change"),
    [
        # 199 of 200 against 97 of 100: ">99%" counts as the 100 it rounds to.
        (199 / 200, 0.97, ">99%", "+3 points vs. the 90 days before (97%)"),
        # Not all any more, but by less than half a point: no change in whole points.
        (199 / 200, 1.0, ">99%", "0 points vs. the 90 days before (100%)"),
        (1.0, 199 / 200, "100%", "0 points vs. the 90 days before (>99%)"),
        # 1 of 250 against none, and against 1 of 50.
        (1 / 250, 0.0, "<1%", "0 points vs. the 90 days before (0%)"),
        (1 / 250, 1 / 50, "<1%", "−2 points vs. the 90 days before (2%)"),
    ],
)
def test_a_trend_beside_a_share_near_all_or_none_counts_it_as_the_whole_percent_it_rounds_to(
    last, previous, shown, change
):
    """A share shown as ">99%" or "<1%" is within a point of the 100 or 0 it rounds to; the
    change is counted from those, as from every other share's whole percent."""
    from django.utils import translation

    from klantvriend.insights.scorecard import Figure
    from klantvriend.promises.selectors import Trend
    from klantvriend.web.templatetags.care import trend_change
    from klantvriend.web.templatetags.insights import figure_change, figure_value

    figure = Figure("promises", "kept", last, "share", last, previous)

    with translation.override("en"):
        assert (figure_value(figure), figure_change(figure)) == (shown, change)
        assert (
            trend_change(Trend(last_90_days=last, previous_90_days=previous))
            == (change.split(" (")[0])
        )


def _opened(client, html: str, testid: str):
    """The customer list a figure of the advice opens to: its context."""
    href = re.search(rf'href="([^"]+)" data-testid="{testid}"', html)[1]
    response = client.get(href.replace("&amp;", "&"))
    assert response.status_code == 200
    return response.context


def test_every_count_and_sum_of_the_advice_opens_to_the_customers_that_add_up_to_it(
    owner_client, business, butcher
):
    """The advice's figures were plain text: how many customers came back, how much of the
    revenue was theirs, the top fifth, the customers per segment and their average value."""
    from klantvriend.web.templatetags.klantvriend import money

    page = owner_client.get(reverse("web:insights_advice"))
    html = page.content.decode()
    advice = page.context["advice"]

    everyone = _opened(owner_client, html, "advice-customers")
    came_back = _opened(owner_client, html, "open-came-back")
    returns = _opened(owner_client, html, "open-repeat-revenue")
    top = _opened(owner_client, html, "open-top-fifth")
    expected = _opened(owner_client, html, "open-expected-purchases")

    # Counts of customers: as many listed as counted.
    assert everyone["page"].paginator.count == advice["n_customers"] == 60
    assert came_back["page"].paginator.count == advice["came_back"] == 40
    assert advice["repeat_customer_share"] == 40 / 60
    # Sums over customers: the lists' totals are the parts of the shares, to the cent.
    assert everyone["totals"].spend_cents == advice["total_revenue"]
    assert returns["totals"].repeat_spend_cents == advice["repeat_revenue"]
    assert advice["repeat_revenue_share"] == advice["repeat_revenue"] / advice["total_revenue"]
    assert top["page"].paginator.count == advice["top_fifth_customers"] == 12
    assert top["totals"].spend_cents == advice["top_fifth_revenue"]
    assert (
        advice["top_fifth_revenue_share"] == advice["top_fifth_revenue"] / advice["total_revenue"]
    )
    assert expected["totals"].expected_purchases_each == pytest.approx(
        advice["expected_purchases_per_customer"], rel=1e-12
    )
    # What the page says the parts are is what the lists say.
    currency = business.currency
    assert (
        f"({money(advice['repeat_revenue'], currency)} van {money(advice['total_revenue'], currency)})"
    ) in html
    listed = owner_client.get(
        reverse("web:customer_list") + "?bought=again&order=-spend"
    ).content.decode()
    assert money(advice["repeat_revenue"], currency) in listed
    # Per segment: its customers, and with a model their average value.
    assert advice["based_on_model"]
    segments = page.context["by_segment"]
    counts = re.findall(r'data-testid="segment-customers">(\d+)</a>', html)
    assert [int(count) for count in counts] == [row["customers"] for row in segments]
    # Those who stayed away open biggest spenders first: by name, a restaurant's regular of 13
    # visits came below a guest of two.
    links = dict(
        re.findall(
            r'<a href="/customers/\?segment=(\w+)([^"]*)" data-testid="segment-customers">', html
        )
    )
    assert {"&amp;order=-spend", ""} <= set(links.values())
    assert links == {
        row["segment"]: "&amp;order=-spend" if row["segment"] in STAYED_AWAY else ""
        for row in segments
    }
    for row in segments:
        listed = owner_client.get(reverse("web:customer_list"), {"segment": row["segment"]})
        totals = listed.context["totals"]
        assert listed.context["page"].paginator.count == totals.customers == row["customers"]
        assert totals.mean_value_cents == row["mean_value"]
        assert money(totals.mean_value_cents, currency) == money(row["mean_value"], currency)


@pytest.mark.parametrize(
    ("language", "parts", "totals"),
    [
        (
            "nl",
            ["(2 van 3)", "(€\u00a070,00 van €\u00a0100,00)", "(1 klant: €\u00a050,00)"],
            "Zoals berekend op 2\u00a0nov\u00a02026: 2 klanten, die tot nu toe samen €\u00a075,00 besteedden, "
            "waarvan €\u00a030,00 op de dagen na hun eerste aankoop.",
        ),
        (
            "en",
            ["(2 of 3)", "(€70.00 of €100.00)", "(1 customer: €50.00)"],
            "As computed on 2\u00a0Nov\u00a02026: 2 customers, who spent €75.00 so far, €30.00 of it on "
            "the days after their first purchase.",
        ),
    ],
)
def test_the_advices_parts_and_the_lists_totals_read_in_either_language(
    owner_client, owner, business, language, parts, totals
):
    day = dt.date(2026, 11, 2)
    for spend, repeat, days in [(5000, 2000, 3), (2500, 1000, 2), (2500, 0, 1)]:
        CustomerInsightFactory(
            customer=CustomerFactory(business=business),
            as_of=day,
            purchase_days=days,
            spend_cents=spend,
            repeat_spend_cents=repeat,
        )
    advice_run(
        business,
        as_of=day,
        customers=3,
        came_back=2,
        total=10000.0,
        repeat=7000.0,
        top_fifth_customers=1,
        top_fifth=5000.0,
    )
    account_language_set(user=owner, language=language)

    advice = owner_client.get(reverse("web:insights_advice")).content.decode()
    listed = owner_client.get(reverse("web:customer_list"), {"bought": "again"}).content.decode()

    assert [part for part in parts if part in advice] == parts
    shown = re.search(r'data-testid="list-totals">(.*?)</p>', listed, re.S)[1]
    # The template's line breaks folded, the amounts' no-break spaces kept (str.split would
    # fold those too).
    assert re.sub(r"[ \n]+", " ", shown).strip() == totals


@pytest.mark.parametrize(
    ("language", "today", "scorecard"),
    [
        (
            "nl",
            "+17 punten t.o.v. de 90 dagen ervoor",
            "+17 punten t.o.v. de 90 dagen ervoor (50%)",
        ),
        (
            "en",
            "+17 points vs. the 90 days before",
            "+17 points vs. the 90 days before (50%)",
        ),
    ],
)
def test_today_and_the_scorecard_write_a_change_in_points_alike(
    owner_client, owner, business, language, today, scorecard
):
    """The scorecard read "+9 ptn t.o.v. de 90 dagen ervoor" where Today read "+9 punten t.o.v.
    de 90 dagen ervoor" for the same promises."""
    from klantvriend.promises.tests.factories import PromiseFactory

    now, day = timezone.now(), dt.timedelta(days=1)
    customer = CustomerFactory(business=business)
    # The 90 days before: 1 of 2 kept on time; the last 90: 2 of 3.
    for due, late in [(120, False), (110, True), (30, False), (20, False), (10, True)]:
        due_at = now - due * day
        PromiseFactory(
            customer=customer,
            made_at=due_at - day,
            due_at=due_at,
            done_at=due_at + (day if late else -day / 2),
        )
    account_language_set(user=owner, language=language)

    shown_today = owner_client.get(reverse("web:today")).content.decode()
    shown_scorecard = owner_client.get(reverse("web:insights_scorecard")).content.decode()

    assert re.findall(r'<span class="trend">([^<]+)</span>', shown_today) == [today]
    assert re.findall(r'data-testid="trend-promises">([^<]+)</a>', shown_scorecard) == [scorecard]


@pytest.mark.parametrize(
    ("language", "points", "shown"),
    [
        ("nl", 1, "+1 punt t.o.v. de 90 dagen ervoor"),
        ("nl", -1, "−1 punt t.o.v. de 90 dagen ervoor"),
        ("nl", 0, "0 punten t.o.v. de 90 dagen ervoor"),
        ("en", 1, "+1 point vs. the 90 days before"),
        ("en", -12, "−12 points vs. the 90 days before"),
    ],
)
def test_one_point_is_written_as_one(language, points, shown):
    from django.utils import translation

    from klantvriend.web.templatetags.care import points_change

    with translation.override(language):
        assert points_change(points) == shown


@pytest.mark.parametrize(
    ("language", "within", "rise"),
    [
        (
            "nl",
            "kan toeval zijn t.o.v. de 90 dagen ervoor (+15): het verschil valt "
            "binnen zijn foutmarge (± 36 punten)",
            "+50 punten t.o.v. de 90 dagen ervoor (−25)",
        ),
        (
            "en",
            "may be chance vs. the 90 days before (+15): the difference is within its margin "
            "of error (± 36 points)",
            "+50 points vs. the 90 days before (−25)",
        ),
    ],
)
def test_the_nps_change_within_its_margin_of_error_says_so_instead_of_a_rise(
    owner_client, owner, business, language, within, rise
):
    """40 answers of the last 90 days at NPS 25 (20 promoters, 10 passives, 10 detractors: SE
    13.1101). Against 40 at NPS 15 before (16, 14, 10: SE 12.5250) the +10 is within the
    margin 1.959964 * sqrt(13.1101^2 + 12.5250^2) = 35.54, shown as 36; against 40 at NPS -25
    (10, 10, 20: SE 13.1101) the +50 is beyond 36.34, a rise."""
    from klantvriend.insights.scorecard import customer_scorecard_forget
    from klantvriend.surveys.models import SurveyResponse
    from klantvriend.surveys.tests.factories import SurveyResponseFactory

    now = timezone.now()
    customer = CustomerFactory(business=business)

    def answers(days, scores):
        for score in scores:
            SurveyResponseFactory(
                customer=customer, answered_at=now - dt.timedelta(days=days), nps=score
            )

    account_language_set(user=owner, language=language)
    answers(10, [10] * 20 + [8] * 10 + [3] * 10)
    answers(100, [10] * 16 + [8] * 14 + [3] * 10)
    shown_within = owner_client.get(reverse("web:insights_scorecard")).content.decode()
    SurveyResponse.objects.filter(answered_at__lt=now - dt.timedelta(days=90)).delete()
    answers(100, [10] * 10 + [8] * 10 + [3] * 20)
    customer_scorecard_forget(business=business)
    shown_rise = owner_client.get(reverse("web:insights_scorecard")).content.decode()

    trend = r'data-testid="trend-nps">([^<]+)</a>'
    assert re.findall(trend, shown_within) == [within]
    assert re.findall(trend, shown_rise) == [rise]


@pytest.mark.parametrize(
    ("language", "action", "place"),
    [
        (
            "en",
            "Promise less, deliver more: use the suggested due moment when you make a promise, "
            "and mark promises done the moment they are kept.",
            '<a href="/promises/reliability/" data-testid="next-action-place">'
            "To the promises kept</a>",
        ),
        (
            "nl",
            "Beloof minder, lever meer: neem bij een belofte het voorgestelde moment over, en "
            "vink een belofte af zodra die is nagekomen.",
            '<a href="/promises/reliability/" data-testid="next-action-place">'
            "Naar de nagekomen beloften</a>",
        ),
    ],
)
def test_the_next_action_leads_to_the_page_where_it_is_done(
    owner_client, owner, business, language, action, place
):
    """The next action said what to do ("see the survey results", "they are on Today") and
    left the owner to find the page where it is done."""
    # Given a promise due three days ago, never kept: broken, the weakest figure
    PromiseFactory(
        customer=CustomerFactory(business=business),
        made_at=timezone.now() - dt.timedelta(days=5),
        due_at=timezone.now() - dt.timedelta(days=3),
    )
    account_language_set(user=owner, language=language)

    # When the owner opens the scorecard
    page = owner_client.get(reverse("web:insights_scorecard")).content.decode()

    # Then the next action is about promises and leads to the promises kept
    assert f"<p>{action}</p>" in page
    assert place in page


def test_the_next_action_says_which_lower_figure_it_passed_over_and_why(owner_client, business):
    """One complaint answered late reads 0% but rests on one case: the next action is about the
    promises (60% of 35), and the page says why not about the complaint."""
    promises_and_late_complaints(business, timezone.now())

    page = owner_client.get(reverse("web:insights_scorecard")).content.decode()

    assert "Beloof minder, lever meer" in page
    assert re.search(r'data-testid="next-action-passed-over">([^<]*)<', page)[1] == (
        "“Klachten binnen de norm beantwoord” staat verder onder het doel, maar rust op te "
        "weinig gevallen om zeker te zijn (1 klacht in de laatste 90 dagen; eerste reactie na "
        "4\u00a0dagen)."
    )


def test_on_the_first_day_the_one_customer_not_back_yet_is_grey_and_passed_over(
    owner_client, business
):
    """After the first purchase "Terugkerende klanten 0%" was red, "ver onder het doel", and
    headed the page as the next action: on one customer it is grey, and the page says why."""
    PurchaseFactory(
        customer=CustomerFactory(business=business), at=timezone.now() - dt.timedelta(hours=1)
    )

    page = owner_client.get(reverse("web:insights_scorecard")).content.decode()

    card = re.search(
        r'<div class="score card-link ([^"]*)">\s*<span class="light"[^>]*></span>'
        r'\s*<a class="open-rows" href="[^"]*figure=repeat_rate"',
        page,
    )
    assert card[1] == "light-grey"
    assert '<span class="visually-hidden">te weinig gevallen om zeker te zijn</span>' in page
    assert "score-weakest" not in page
    assert "<h2>Volgende stap</h2>" in page
    assert re.search(r'data-testid="next-action-passed-over">([^<]*)<', page)[1] == (
        "“Terugkerende klanten” staat onder het doel, maar rust op te weinig gevallen om zeker "
        "te zijn (0 van 1 klant die de laatste 90 dagen kocht, was al eerder klant)."
    )


def test_every_figure_the_next_action_can_be_about_has_its_place():
    from klantvriend.insights.scorecard import NEXT_ACTIONS
    from klantvriend.web.insights_views import NEXT_ACTION_PLACES

    places = {key: reverse(name) for key, (name, _label) in NEXT_ACTION_PLACES.items()}

    # Every figure (the drivers' action is worded apart) but "start measuring", "on target"
    # and the two "keep recording", which have no page of their own.
    assert places == {
        "promises": "/promises/reliability/",
        "complaint_response": "/complaints/",
        "complaint_resolution": "/complaints/",
        "aftercare": "/aftercare/",
        "nps": "/surveys/",
        "drivers": "/surveys/",
        "repeat_rate": "/",
        "referrals": "/ambassadors/",
    }
    no_place = {"measure", "on_target", "on_target_few_cases", "more_cases"}
    assert set(places) == set(NEXT_ACTIONS) - no_place | {"drivers"}


@pytest.mark.parametrize(
    ("language", "header", "cells", "how"),
    [
        (
            "nl",
            "marge per jaar als je ze terugwint",
            ["€\u00a0198,00", "€\u00a0750,00"],
            "De laatste kolom is wat een klant van het segment per jaar oplevert bij een marge "
            "van 30% als die nog, of weer, klant bij je is. Een telefoontje of gebaar om er een "
            "terug te winnen loont als het minder kost dan de kans dat het lukt maal dat bedrag.",
        ),
        (
            "en",
            "margin a year if won back",
            ["€198.00", "€750.00"],
            "The last column is what a customer of the segment brings in a year at a margin of "
            "30% if they are still, or again, your customer. A call or gesture to win one back "
            "pays when it costs less than the chance it works times that amount.",
        ),
    ],
)
def test_the_advice_says_per_segment_what_winning_a_customer_back_is_worth(
    owner_client, owner, business, language, header, cells, how
):
    # Given a refresh whose champions are worth 600 euros a year as expected (660 if still
    # customers) and whose customers one can't lose 25.19 euros (2,500 if still customers)
    run = advice_run(
        business,
        as_of=dt.date(2026, 11, 2),
        customers=30,
        came_back=20,
        total=100000.0,
        repeat=70000.0,
        top_fifth_customers=6,
        top_fifth=50000.0,
    )
    run.figures["advice"]["by_segment"] = [
        {
            "segment": segment,
            "customers": customers,
            "mean_value": value,
            "attention_worth_per_year": 0.03 * value,
            "mean_value_if_active": if_active,
            "won_back_worth_per_year": 0.3 * if_active,
        }
        for segment, customers, value, if_active in [
            ("champion", 10, 60000.0, 66000.0),
            ("cant_lose", 20, 2519.0, 250000.0),
        ]
    ]
    run.save()
    account_language_set(user=owner, language=language)
    # When the advice is shown
    html = owner_client.get(reverse("web:insights_advice")).content.decode()
    # Then beside each attention worth stands the margin on the value if won back, and a
    # sentence says how to weigh a win-back against it
    assert f"<th>{header}</th>" in html
    # and the attention worth beside it says it is the worth of keeping them
    keep = {
        "nl": "aandacht waard per jaar om ze te houden",
        "en": "attention worth a year to keep them",
    }
    assert f"<th>{keep[language]}</th>" in html
    assert re.findall(r'data-testid="segment-won-back">([^<]*)</td>', html) == cells
    assert f'<p class="subtle" data-testid="won-back-how">{how}</p>' in html
    # on a phone in place of the count, whose segment's link opens the same customers
    hidden_counts = r'<td class="hide-small"><a [^>]*data-testid="segment-customers">'
    assert len(re.findall(hidden_counts, html)) == 2
    # And a refresh of before it was kept shows no such column
    for row in run.figures["advice"]["by_segment"]:
        del row["mean_value_if_active"], row["won_back_worth_per_year"]
    run.save()
    html = owner_client.get(reverse("web:insights_advice")).content.decode()
    assert header not in html
    assert keep[language] not in html
    assert "segment-won-back" not in html
    assert "won-back-how" not in html
    assert not re.findall(hidden_counts, html)


def test_a_referral_share_change_within_its_margin_says_so_in_points(owner_client, business):
    """2 of 6 new customers through a referral against 1 of 5 before: the +13 points are within
    the margin of 0.473855 (insights.tests.test_scorecard), shown as ± 47 points."""
    now = timezone.now()
    anna = CustomerFactory(business=business, customer_since=dt.date(2020, 1, 2))
    for days_ago, new, referred in ((30, 6, 2), (120, 5, 1)):
        for number in range(new):
            CustomerFactory(
                business=business,
                customer_since=(now - dt.timedelta(days=days_ago)).date(),
                referred_by=anna if number < referred else None,
                acquisition_channel="referral" if number < referred else "walk_in",
            )

    page = owner_client.get(reverse("web:insights_scorecard")).content.decode()

    assert re.findall(r'data-testid="trend-referrals">([^<]+)</a>', page) == [
        "kan toeval zijn t.o.v. de 90 dagen ervoor (20%): het verschil valt binnen "
        "zijn foutmarge (± 47 punten)"
    ]


# Last in the module: the shop below stays in its transaction until the module's end, where no
# test after these would see it.
QUERY_COUNTED_PAGES = [
    "insights_advice",
    "insights_scorecard",
    "insights_charts",
    "customer_list",
    "today",
]
# The customer lists the advice opens to, each with its totals.
ADVICE_LISTS = ["?bought=any&order=-spend", "?bought=again", "?bought=top", "?segment=lost"]


@pytest.fixture(scope="module")
def query_counts(module_db):
    """Each page's status and number of queries with a small shop and then a larger one, and
    each list the advice opens to with its number of customers and of queries. The two shops are
    made and refreshed once for all of them instead of once per test (about 3 s of CPU each
    time). The lists come first, each asked once, as their own test did; then each page, asked
    twice and the second answer counted, as Today caches its figures for a minute."""
    cache.clear()
    owner = user_create(username="telling", password="pw-telling-123")
    business = business_create(name="Slagerij Telling", owner=owner)
    client = Client()
    client.force_login(owner)
    found = {name: [] for name in QUERY_COUNTED_PAGES + ADVICE_LISTS}
    for shop in ({"regulars": 10, "passers_by": 5}, {"regulars": 40, "passers_by": 30, "seed": 5}):
        butcher_history(business, **shop)
        insights_refresh(business=business)
        for query in ADVICE_LISTS:
            with CaptureQueriesContext(connection) as queries:
                totals = client.get(reverse("web:customer_list") + query).context["totals"]
            found[query].append((totals.customers, len(queries)))
        for name in QUERY_COUNTED_PAGES:
            client.get(reverse(f"web:{name}"))
            with CaptureQueriesContext(connection) as queries:
                status = client.get(reverse(f"web:{name}")).status_code
            found[name].append((status, len(queries)))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("name", QUERY_COUNTED_PAGES)
def test_query_counts_do_not_grow_with_data(query_counts, name):
    (small_status, small), (large_status, large) = query_counts[name]
    assert small_status == large_status == 200
    assert large == small


@pytest.mark.django_db
def test_the_lists_the_advice_opens_to_do_not_grow_in_queries_with_data(query_counts):
    small = [query_counts[query][0] for query in ADVICE_LISTS]
    large = [query_counts[query][1] for query in ADVICE_LISTS]
    assert all(customers > 0 for customers, _queries in small + large)
    assert [queries for _customers, queries in large] == [queries for _c, queries in small]


def test_working_on_reliability_first_leads_to_the_promises_then_the_survey_results(
    owner_client, business
):
    """ "Work first on reliability" linked to the survey results alone, which gave the same
    advice again: the promises kept are where reliability is worked on."""
    from klantvriend.surveys.tests.factories import reliability_separating_answers

    # Flexibility scores lowest, but reliability separates detractors from promoters.
    reliability_separating_answers(CustomerFactory(business=business))

    page = owner_client.get(reverse("web:insights_scorecard")).content.decode()

    assert (
        "Werk eerst aan betrouwbaarheid: je criticasters geven die 1,0 en je promotors 5,0, het "
        "grootste verschil van alle factoren (zie de enquêteresultaten). Daar haken ontevreden "
        "klanten af, ook al scoort flexibiliteit het laagst."
    ) in page
    assert re.findall(r'<a href="([^"]+)" data-testid="next-action-place">([^<]+)</a>', page) == [
        (reverse("web:promise_reliability"), "Naar de nagekomen beloften"),
        (reverse("web:survey_results"), "Naar de enquêteresultaten"),
    ]


@pytest.mark.parametrize("margin", [None, 0.55])
def test_a_figure_as_it_was_says_it_is_the_same_not_that_a_difference_may_be_chance(margin):
    """Two of two customers returning, as in the 90 days before, read "may be chance vs. the 90
    days before (100%): the difference is within its margin of error (± 55 points)"."""
    from django.utils import translation

    from klantvriend.insights.scorecard import Figure
    from klantvriend.web.templatetags.insights import figure_change

    figure = Figure("returning", "returning", 1.0, "share", 1.0, 1.0, change_margin=margin)

    with translation.override("nl"):
        assert figure_change(figure) == "gelijk aan de 90 dagen ervoor (100%)"


def test_purchases_recorded_after_the_refresh_are_said_and_the_owner_computes_now(
    owner_client, staff_client, business
):
    """A restaurant imported its guests, then typed in a night's visits: the advice read
    "computed from 0 customers with purchases … no purchases have been recorded" until the
    night's refresh."""
    computed = insights_refresh(business=business)
    advice = reverse("web:insights_advice")
    html = owner_client.get(advice).content.decode()
    assert "Nog niet genoeg gegevens: bij deze berekening waren er nog geen aankopen." in html
    assert 'data-testid="insights-stale"' not in html

    customer = CustomerFactory(business=business)
    PurchaseFactory(customer=customer, amount_cents=18650)

    with translation.override("nl"):
        at = date_format(timezone.localtime(computed.computed_at), "SHORT_DATETIME_FORMAT")
    # On the charts page too, where no "Berekend …" line stands above it.
    stale = (
        f"Na de berekening van deze cijfers ({at.replace(' ', NBSP)}) zijn er aankopen "
        "vastgelegd of gewijzigd: ze worden vannacht opnieuw berekend."
    )
    for page in (advice, reverse("web:insights_charts")):
        html = owner_client.get(page).content.decode()
        assert stale in html
        assert 'data-testid="insights-recompute"' in html
    # Staff read that the figures are of before, and may not have them computed (owner's).
    html = staff_client.get(advice).content.decode()
    assert stale in html
    assert 'data-testid="insights-recompute"' not in html
    recompute = reverse("web:insights_recompute") + "?next=" + reverse("web:insights_charts")
    assert staff_client.post(recompute).status_code == 403
    assert InsightRun.objects.filter(business=business).count() == 1

    response = owner_client.post(recompute)

    assert response.status_code == 302
    assert response["Location"] == reverse("web:insights_charts")
    latest = InsightRun.objects.filter(business=business).latest("computed_at", "id")
    assert latest.pk != computed.pk
    assert latest.customers == 1
    html = owner_client.get(advice).content.decode()
    assert 'data-testid="insights-stale"' not in html
    assert "De inzichten zijn opnieuw berekend." in html
    assert "bij deze berekening waren er nog geen aankopen" not in html


def test_an_import_forgets_the_scorecard_kept_for_a_minute(
    business, owner_client, tmp_path, django_capture_on_commit_callbacks
):
    """Straight after 189 purchases were imported the scorecard still said none of the
    customers had bought before, for up to a minute, beside the advice computed from them."""
    from klantvriend.importers.service import data_import

    customer = CustomerFactory(business=business, external_ref="K1")
    PurchaseFactory(customer=customer, at=timezone.now() - dt.timedelta(days=20))
    scorecard = reverse("web:insights_scorecard")
    before = "0 van 1 klant die de laatste 90 dagen kocht, was al eerder klant"
    assert before in owner_client.get(scorecard).content.decode()
    bought_earlier = (timezone.localdate() - dt.timedelta(days=200)).strftime("%d-%m-%Y")
    path = tmp_path / "kassa.csv"
    path.write_text(f"klantnummer;datum;bedrag\nK1;{bought_earlier};12,50\n", encoding="utf-8")

    with django_capture_on_commit_callbacks(execute=True):
        result = data_import(business=business, kind="purchases", path=path)

    assert result.ok, result.errors
    html = owner_client.get(scorecard).content.decode()
    assert before not in html
    assert "1 van 1 klant die de laatste 90 dagen kocht, was al eerder klant" in html
