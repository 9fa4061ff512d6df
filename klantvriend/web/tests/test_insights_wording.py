"""What the insight figures say to a shopkeeper who has never seen them: each figure with what
it means where it stands, in words of the shop, and no two figures on a screen that seem to
contradict each other."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from klantvriend.aftercare.models import FollowUp
from klantvriend.core.accounts import account_language_set
from klantvriend.customers.models import Tag
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.insights.models import Segment, Stage
from klantvriend.insights.scorecard import Figure
from klantvriend.insights.services import insights_refresh
from klantvriend.insights.tests.factories import CustomerInsightFactory, butcher_history
from klantvriend.web.templatetags.insights import figure_value
from klantvriend.web.tests.dutch_days import dutch_weekday


def _shown(page: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]*)<', page)[1]


@pytest.fixture
def stayed_away(business):
    """A regular of the demo butcher's kind, tagged so by the shop: 69 purchase days, usually
    every other day, and then away for 559 days."""
    customer = CustomerFactory(business=business, name="Marieke Yılmaz")
    customer.tags.add(Tag.objects.create(business=business, name="vaste klant"))
    CustomerInsightFactory(
        customer=customer,
        stage=Stage.CUSTOMER,
        segment=Segment.CANT_LOSE,
        purchase_days=69,
        days_since_last=559,
        usual_interval_days=1.75,
        spend_cents=113650,
        probability_alive=1e-9,
        probability_alive_30_days_ago=1e-9,
        value_cents=0,
        expected_purchases_365=0.0004,
    )
    return customer


@pytest.mark.parametrize(
    ("language", "value", "alive", "stage"),
    [
        (
            "nl",
            "geen aankoop meer verwacht in de komende 12 maanden, tenzij deze klant terugkomt",
            "kans dat deze klant nog bij je koopt; 69 keer gekocht, laatst 18 maanden geleden, "
            "meestal elke 2 dagen",
            "was vaste klant, maar blijft nu meer dan twee keer zo lang weg als gewoonlijk",
        ),
        (
            "en",
            "no purchase expected in the next 12 months, unless they come back",
            "chance this customer still buys here; bought 69 times, last 18 months ago, "
            "usually every 2 days",
            "was a regular, but has stayed away for more than twice as long as usual",
        ),
    ],
)
def test_the_card_of_a_regular_who_stayed_away_explains_its_zero(
    owner_client, owner, stayed_away, language, value, alive, stage
):
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:customer_detail", args=[stayed_away.pk])).content.decode()

    # The value of nothing and the "<1%" say what they are, and the stage "customer" beside
    # the shop's own "vaste klant" tag says it was a regular
    assert _shown(page, "insight-value") == ("€\u00a00,00" if language == "nl" else "€0.00")
    assert _shown(page, "insight-value-why") == value
    assert _shown(page, "insight-alive") == "&lt;1%"
    assert _shown(page, "insight-alive-why") == alive
    assert _shown(page, "insight-stage") == ("klant" if language == "nl" else "customer")
    assert _shown(page, "insight-stage-why") == stage


@pytest.mark.parametrize(
    ("language", "alive", "stage"),
    [
        (
            "nl",
            "kans dat deze klant nog bij je koopt, geschat uit hoe al je klanten komen en gaan, "
            "niet uit het eigen ritme, waar deze klant ruim overheen is; 12 keer gekocht, laatst "
            "5 maanden geleden, meestal elke 47 dagen",
            "was vaste klant, maar blijft nu meer dan twee keer zo lang weg als gewoonlijk",
        ),
        (
            "en",
            "chance this customer still buys here, judged by how all your customers come and go, "
            "not by their own rhythm, which they are well past; bought 12 times, last 5 months "
            "ago, usually every 47 days",
            "was a regular, but has stayed away for more than twice as long as usual",
        ),
    ],
)
def test_a_high_chance_beside_a_rhythm_long_past_says_what_it_is_judged_by(
    owner_client, owner, business, language, alive, stage
):
    # Given a bike shop's regular of twelve visits, usually every 47 days, away for 163 days,
    # whom the shop's model (nearly nobody leaves there) still gives 97%
    customer = CustomerFactory(business=business, name="Femke van der Linden")
    CustomerInsightFactory(
        customer=customer,
        stage=Stage.CUSTOMER,
        segment=Segment.CANT_LOSE,
        purchase_days=12,
        days_since_last=163,
        usual_interval_days=47.0,
        spend_cents=294095,
        probability_alive=0.972,
        probability_alive_30_days_ago=0.975,
        value_cents=150000,
        expected_purchases_365=3.1,
        as_of=timezone.localdate(),
    )
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    # Then the 97% says it is the shop's whole picture, not her rhythm, which the stage beside
    # it says she is well past: "97%" beside "one of the best customers, but has not been back
    # for a long time" read as a mistake
    assert _shown(page, "insight-alive") == "97%"
    assert _shown(page, "insight-alive-why") == alive
    assert _shown(page, "insight-stage-why") == stage


@pytest.mark.parametrize(
    ("language", "alive"),
    [
        (
            "nl",
            "kans dat deze klant nog bij je koopt; 2 keer gekocht, laatst 8 maanden geleden, "
            "met 23 dagen ertussen",
        ),
        (
            "en",
            "chance this customer still buys here; bought 2 times, last 8 months ago, "
            "23 days apart",
        ),
    ],
)
def test_two_purchases_are_no_rhythm_on_the_card(owner_client, owner, business, language, alive):
    # Given an office's client of two invoices 23 days apart, eight months ago
    customer = CustomerFactory(business=business, name="Linda de Jong")
    CustomerInsightFactory(
        customer=customer,
        stage=Stage.CUSTOMER,
        segment=Segment.HIBERNATING,
        purchase_days=2,
        days_since_last=247,
        usual_interval_days=23.0,
        spend_cents=226176,
        probability_alive=0.882,
        probability_alive_30_days_ago=0.91,
        value_cents=226176,
        expected_purchases_365=2.7,
        as_of=timezone.localdate(),
    )
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    # Then the one interval is said as what it is: "usually every 23 days" read as a habit
    # beside the stage's "has come back, not yet in a rhythm"; nor is the high chance
    # explained against a rhythm she does not have
    assert _shown(page, "insight-alive-why") == alive
    assert _shown(page, "insight-stage-why") == (
        "is teruggekomen, nog zonder vast ritme"
        if language == "nl"
        else "has come back, not yet in a rhythm"
    )


@pytest.mark.parametrize(
    ("language", "shown", "note"),
    [
        (
            "nl",
            "Heeft tot nu toe €\u00a04.940,10 besteed; kwam 60 keer, meestal elke 2 dagen, nu 48 "
            "dagen niet gezien.",
            "Bellen en vragen hoe het gaat: waardevolle klant, kwam 60 keer, meestal elke 2 dagen, "
            "nu 48 dagen niet gezien.",
        ),
        (
            "en",
            "Spent €4,940.10 so far; came 60 times, usually every 2 days, not seen for 48 days.",
            # Stored for the whole shop: in its language, whoever planned it (core/language.py)
            "Bellen en vragen hoe het gaat: waardevolle klant, kwam 60 keer, meestal elke 2 dagen, "
            "nu 48 dagen niet gezien.",
        ),
    ],
)
def test_today_says_why_a_customer_away_for_seven_weeks_is_at_0_percent(
    owner_client, owner, business, language, shown, note
):
    # Given a customer who came every other day, away for 48 days: a butcher reads "48 days"
    # as nothing much, beside "probability alive 0%"
    customer = CustomerFactory(business=business, name="Ingrid Schouten", phone="06 11223344")
    CustomerInsightFactory(
        customer=customer,
        purchase_days=60,
        days_since_last=48,
        usual_interval_days=2.2,
        spend_cents=494010,
        probability_alive=0.001,
        slipping_away=True,
    )
    account_language_set(user=owner, language=language)

    # When Today is read
    page = owner_client.get(reverse("web:today")).content.decode()

    # Then the row says the rhythm the 0% comes from
    assert _shown(page, "why-slipping") == shown
    # And the call planned from it says the same
    owner_client.post(reverse("web:slipping_away_plan_call", args=[customer.pk]))
    assert FollowUp.objects.get(customer=customer).note == note


def test_today_says_how_long_away_without_a_rhythm(owner_client, business):
    CustomerInsightFactory(
        customer=CustomerFactory(business=business),
        purchase_days=3,
        days_since_last=1,
        usual_interval_days=None,
        spend_cents=9000,
        probability_alive=0.3,
        slipping_away=True,
    )

    page = owner_client.get(reverse("web:today")).content.decode()

    assert (
        _shown(page, "why-slipping") == "Heeft tot nu toe €\u00a090,00 besteed; 1 dag niet gezien."
    )


def test_the_advice_names_the_value_it_averages(owner_client, business):
    butcher_history(business)
    insights_refresh(business=business)

    page = owner_client.get(reverse("web:insights_advice")).content.decode()

    assert (
        '<th class="hide-small">gemiddelde verwachte klantwaarde (omzet, 12 maanden)</th>' in page
    )
    assert "marge per jaar als je ze terugwint" in page


def test_without_a_model_the_advice_names_the_spend_it_averages(owner_client, business):
    # Given 20 customers of whom four came back: enough for the advice, too few for a model
    now = timezone.now()
    for index in range(20):
        customer = CustomerFactory(business=business, name=f"Klant {index}")
        for years_ago in range(3 if index < 4 else 1):
            PurchaseFactory(customer=customer, at=now - dt.timedelta(days=365 * years_ago + 30))
    assert insights_refresh(business=business, now=now).figures["advice"]["based_on_model"] is False

    page = owner_client.get(reverse("web:insights_advice")).content.decode()

    # Then the column says it is the turnover of the last twelve months, not a forecast
    assert '<th class="hide-small">gemiddelde omzet, afgelopen 12 maanden</th>' in page
    assert "verwachte klantwaarde" not in page
    # And the value chart reads as what they spent, too
    charts = owner_client.get(reverse("web:insights_charts")).content.decode()
    assert (
        "Hoeveel klanten er vallen in elke klasse van wat ze tot nu toe besteedden. Wie rechts "
        "staat, bracht per klant het meeste op: ken hen bij naam."
    ) in charts


@pytest.mark.parametrize(
    ("value", "nl", "en"), [(3.66, "3,7", "3.7"), (3.64, "3,6", "3.6"), (3.65, "3,7", "3.7")]
)
def test_a_driver_score_is_rounded_as_its_parts_are(value, nl, en):
    # The weakest driver's 3.66 read "3,6" at the top of its card and "3,7" among the parts
    drivers = Figure("drivers", "drivers", value, "score", parts=[("zekerheid", value)])

    with translation.override("nl"):
        assert figure_value(drivers) == f"{nl} van de 5"
    with translation.override("en"):
        assert figure_value(drivers) == f"{en} out of 5"


@pytest.mark.parametrize(
    ("away", "language", "said"),
    [
        (40, "nl", "verwacht terug rond vr\u00a04\u00a0dec"),
        (42, "en", "expected back around Wed\u00a02\u00a0Dec"),
        (50, "nl", "verwacht terug sinds di\u00a024\u00a0nov"),
        # Past their rhythm (more than twice 42 days and a month): no day is promised.
        (115, "en", ""),
    ],
)
def test_a_customer_with_a_rhythm_is_expected_back_on_a_day(business, away, language, said):
    """A salon sees its customers every six weeks; the card said how often, not when to expect
    them, nor that they are due."""
    from datetime import date, timedelta

    from klantvriend.insights.selectors import insight_card

    today = date(2026, 12, 2)
    insight = CustomerInsightFactory(
        customer=CustomerFactory(business=business),
        as_of=today - timedelta(days=1),
        purchase_days=6,
        days_since_last=away - 1,
        usual_interval_days=41.6,
        spend_cents=30000,
    )

    with translation.override(language):
        card = insight_card(insight=insight, spend_cents=30000, today=today)

    assert card.expected_back == said
    assert card.history.endswith("42 dagen" if language == "nl" else "42 days")


@pytest.mark.parametrize(
    ("away", "said"),
    [
        # Due on Sunday 6 December; the salon is closed Sunday and Monday.
        (38, "verwacht terug rond di\u00a08\u00a0dec"),
        # Due on Monday 30 November, a closed day in the past: Tuesday 1 December.
        (44, "verwacht terug sinds di\u00a01\u00a0dec"),
        # Due on Sunday 29 November: Tuesday 1 December is already past too.
        (45, "verwacht terug sinds di\u00a01\u00a0dec"),
        # Due today, Wednesday, an open day.
        (42, "verwacht terug rond wo\u00a02\u00a0dec"),
    ],
)
def test_a_customer_is_expected_back_on_a_day_the_business_is_open(business, away, said):
    """A salon closed on Sundays and Mondays read "verwacht terug rond zo 10 jan": the day is
    the first open day from the rhythm's day on."""
    from datetime import date

    from klantvriend.insights.selectors import insight_card

    today = date(2026, 12, 2)
    insight = CustomerInsightFactory(
        customer=CustomerFactory(business=business),
        as_of=today,
        purchase_days=6,
        days_since_last=away,
        usual_interval_days=42,
        spend_cents=30000,
    )

    with translation.override("nl"):
        card = insight_card(
            insight=insight, spend_cents=30000, today=today, working_days=(1, 2, 3, 4, 5)
        )

    assert card.expected_back == said


def test_a_customer_is_not_expected_back_on_a_closed_holiday(business):
    from datetime import date

    from klantvriend.insights.selectors import insight_card

    today = date(2026, 12, 20)
    # Due on Friday 25 December; closed the 25th and 26th, Sunday and Monday every week.
    insight = CustomerInsightFactory(
        customer=CustomerFactory(business=business),
        as_of=today,
        purchase_days=6,
        days_since_last=37,
        usual_interval_days=42,
        spend_cents=30000,
    )

    with translation.override("nl"):
        card = insight_card(
            insight=insight,
            spend_cents=30000,
            today=today,
            working_days=(1, 2, 3, 4, 5),
            closed={date(2026, 12, 25), date(2026, 12, 26)},
        )

    assert card.expected_back == "verwacht terug rond di\u00a029\u00a0dec"


def test_the_profile_expects_a_customer_back_on_a_day_the_business_is_open(
    owner_client, owner, business
):
    """The profile reads the business's own opening hours for it."""
    from datetime import timedelta

    from klantvriend.core.care_settings import care_settings_update
    from klantvriend.core.working_hours import DayHours

    hours = DayHours(opens=dt.time(9), closes=dt.time(17))
    # Open on today's weekday alone: whatever day the test runs, two days on is closed.
    today = business.today()
    week = [hours if weekday == today.weekday() else None for weekday in range(7)]
    care_settings_update(business=business, actor=owner, opening_hours=tuple(week))
    eva = CustomerFactory(business=business, name="Eva de Wit")
    PurchaseFactory(customer=eva, amount_cents=8950)
    CustomerInsightFactory(
        customer=eva,
        as_of=today,
        purchase_days=6,
        days_since_last=40,
        usual_interval_days=42,
        spend_cents=8950,
        stage=Stage.REGULAR,
    )

    page = owner_client.get(reverse("web:customer_detail", args=[eva.pk])).content.decode()

    shown = re.search(r'data-testid="insight-expected-back">([^<]*)<', page)[1]
    assert shown == f"Verwacht terug rond {dutch_weekday(today + timedelta(days=7), '\u00a0')}"


@pytest.mark.parametrize(
    ("alive", "before", "arrow", "red"),
    [
        (0.96, 0.99, True, False),  # falling, but nearly certain still a customer
        (0.40, 0.70, True, True),  # falling below the slipping-away share: an alarm
        (0.40, 0.40, False, False),  # low, but not falling
    ],
)
def test_only_a_falling_figure_below_the_slipping_share_is_red(
    owner_client, business, alive, before, arrow, red
):
    customer = CustomerFactory(business=business)
    CustomerInsightFactory(
        customer=customer,
        purchase_days=12,
        probability_alive=alive,
        probability_alive_30_days_ago=before,
    )

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    shown = re.search(
        r'<span class="fact-value([^"]*)" data-testid="insight-alive">(.*?)</span><span', page
    )
    assert ("fact-falling" in shown[1]) is red
    assert shown[2].endswith(' <span aria-hidden="true">↓</span>') is arrow


@pytest.mark.parametrize(
    ("ranked", "among"), [(5, " (vergeleken met je 5 klanten met aankopen)"), (40, "")]
)
def test_the_card_says_among_how_few_a_segment_is_a_rank(owner_client, business, ranked, among):
    """Of five customers, "topklant: koopt vaak en veel" for one of two purchases read as a
    contradiction of "not enough data yet" beside it."""
    from klantvriend.insights.models import InsightRun

    customer = CustomerFactory(business=business, name="Pieter")
    CustomerInsightFactory(customer=customer, segment=Segment.CHAMPION, purchase_days=2)
    InsightRun.objects.create(business=business, as_of=business.today(), customers=ranked)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    why = re.search(
        r'data-testid="insight-segment">[^<]*</a></span><span class="fact-why">([^<]*)<', page
    )
    assert why[1] == ("koopt vaak en veel, en kocht recenter dan de meeste van je klanten" + among)


def test_a_customer_expected_back_over_half_a_year_on_is_said_with_the_year(owner_client, business):
    """ "Verwacht terug rond di 29 aug", read in December, was 2028's."""
    from klantvriend.core.shown import moment_shown

    customer = CustomerFactory(business=business, name="Jan")
    PurchaseFactory(customer=customer, amount_cents=8950)
    today = business.today()
    CustomerInsightFactory(
        customer=customer,
        as_of=today,
        purchase_days=2,
        days_since_last=10,
        usual_interval_days=451,
        spend_cents=8950,
        stage=Stage.CUSTOMER,
    )

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    shown = re.search(r'data-testid="insight-expected-back">([^<]*)<', page)[1]
    with translation.override("nl"):
        assert shown.startswith("Verwacht terug rond ")
        day = shown.removeprefix("Verwacht terug rond ")
        expected = {
            moment_shown(today + dt.timedelta(days=441 + extra), "SHORT") for extra in range(7)
        }
    assert day in expected
