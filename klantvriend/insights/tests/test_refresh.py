"""Refreshing insights: honest "not enough data" for tiny businesses, fitted figures for a real
one, snapshots per day, the import hook and the command."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from klantvriend.core import hooks
from klantvriend.customers.models import Purchase
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.insights.models import CustomerInsight, InsightRun, InsightSnapshot, Stage
from klantvriend.insights.selectors import insight_card, not_seen_for, slipping_away
from klantvriend.insights.services import insights_refresh

from .factories import CustomerInsightFactory, butcher_history


def test_no_purchases_gives_an_honest_message(business):
    # Given a business without purchases; when refreshed
    run = insights_refresh(business=business)
    # Then there is no figure, only the honest reason
    assert (
        run.not_enough_data
        == "Not enough data yet: there were no purchases when this was computed."
    )
    assert run.customers == 0
    assert CustomerInsight.objects.count() == 0


def test_one_customer_gets_segment_and_stage_but_no_predicted_value(business):
    # Given one customer who bought once, ten days ago
    customer = CustomerFactory(business=business)
    PurchaseFactory(customer=customer, at=timezone.now() - dt.timedelta(days=10))
    # When refreshed
    run = insights_refresh(business=business)
    # Then the reason names what is missing, and no value is made up
    assert run.not_enough_data == (
        "Not enough data yet: 3 more months and 19 more customers and "
        "5 more returning customers needed."
    )
    insight = CustomerInsight.objects.get(customer=customer)
    assert (insight.purchase_days, insight.days_since_last) == (1, 10)
    assert insight.value_cents is None
    assert insight.probability_alive is None
    assert (insight.segment, insight.stage) == ("new", "passer_by")
    with translation.override("en"):
        assert insight_card(insight=insight).value == "not enough data yet to predict"
    # And the pages say it in the reader's language
    with translation.override("nl"):
        assert run.not_enough_data_text().startswith("Nog niet genoeg gegevens: nog 3 maanden")


def test_one_purchase_on_record_of_a_customer_from_before_it_is_no_passer_by(business):
    """An office's client since 2019, with this year's one invoice in the file, read "Fase:
    passant". A day not known, or a customer since the month they bought, says nothing of
    purchases before."""
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    bought = business.local(ten_days_ago).date()
    since = {
        "since 2019": {"customer_since": dt.date(2019, 3, 1)},
        "not known": {"customer_since": bought, "customer_since_known": False},
        "that month": {"customer_since": bought.replace(day=1)},
    }
    customers = {
        name: CustomerFactory(business=business, name=name, **fields)
        for name, fields in since.items()
    }
    for customer in customers.values():
        PurchaseFactory(customer=customer, at=ten_days_ago)

    insights_refresh(business=business)

    insights = {i.customer.name: i for i in CustomerInsight.objects.select_related("customer")}
    assert {name: insight.stage for name, insight in insights.items()} == {
        "since 2019": Stage.CUSTOMER,
        "not known": Stage.PASSER_BY,
        "that month": Stage.PASSER_BY,
    }
    with translation.override("nl"):
        assert insight_card(insight=insights["since 2019"]).stage == (
            "al klant vóór de aankopen die hier staan, met één aankoop sindsdien"
        )


def test_butcher_gets_fitted_values_segments_stages_and_snapshots(business, other_business):
    # Given a butcher with 40 regulars and 20 passers-by over two years, one regular referred
    customers, _ids = butcher_history(business)
    customers[5].referred_by = customers[0]
    customers[5].save(update_fields=["referred_by"])
    CustomerFactory(business=other_business)
    # When refreshed
    run = insights_refresh(business=business)
    # Then the model is fitted and every customer has figures
    assert run.not_enough_data == ""
    assert run.model_name in {"bgnbd", "mbgnbd", "pnbd"}
    assert run.customers == 60
    assert run.figures["advice"]["verdict"] == "relationship"
    insights = {i.customer_id: i for i in CustomerInsight.objects.filter(business=business)}
    assert len(insights) == 60
    for insight in insights.values():
        assert 0 <= insight.probability_alive <= 1
        assert insight.value_cents >= 0
        assert insight.expected_purchases_365 >= insight.expected_purchases_90 >= 0
    # Regulars buying weekly are worth more than passers-by, and have a weekly rhythm
    regular, passer_by = insights[customers[1].pk], insights[customers[50].pk]
    assert regular.value_cents > passer_by.value_cents
    assert 5 <= regular.usual_interval_days <= 10
    assert passer_by.stage == Stage.PASSER_BY
    assert insights[customers[0].pk].stage == Stage.AMBASSADOR
    assert {i.stage for i in insights.values()} >= {"regular", "passer_by", "ambassador"}
    with translation.override("en"):
        card = insight_card(insight=regular)
    assert card.history.startswith(f"bought {regular.purchase_days} times, last ")
    assert "usually every" in card.history
    # And a second refresh the same day keeps one snapshot per customer and day
    insights_refresh(business=business)
    assert InsightSnapshot.objects.filter(business=business).count() == 60
    assert InsightRun.objects.filter(business=business).count() == 2
    assert not CustomerInsight.objects.filter(business=other_business).exists()


@pytest.mark.parametrize(
    ("purchase_days", "days_since_last", "explained"),
    [
        (3, 20, "is teruggekomen, nog zonder vast ritme"),
        # Bought often enough to be a regular, but away for far longer than their rhythm.
        # The shop's own "vaste klant" tag beside the stage "klant" now reads as one story.
        (44, 597, "was vaste klant, maar blijft nu meer dan twee keer zo lang weg als gewoonlijk"),
    ],
)
def test_the_card_says_why_a_customer_is_no_regular(
    business, purchase_days, days_since_last, explained
):
    insight = CustomerInsightFactory(
        customer=CustomerFactory(business=business),
        stage=Stage.CUSTOMER,
        purchase_days=purchase_days,
        days_since_last=days_since_last,
        usual_interval_days=3.0,
    )

    with translation.override("nl"):
        assert insight_card(insight=insight).stage == explained


@pytest.mark.parametrize(
    ("expected", "value"),
    [
        (0.06, "verwacht in de komende 12 maanden, uit ongeveer 0,1 aankopen"),
        (0.049, "geen aankoop meer verwacht in de komende 12 maanden, tenzij deze klant terugkomt"),
    ],
)
def test_no_purchase_expected_only_where_the_figure_rounds_to_none(business, expected, value):
    insight = CustomerInsightFactory(
        customer=CustomerFactory(business=business),
        purchase_days=3,
        value_cents=12,
        expected_purchases_365=expected,
    )

    with translation.override("nl"):
        assert insight_card(insight=insight).value == value


@pytest.mark.parametrize(
    ("language", "days_since_last", "value"),
    [
        (
            "nl",
            0,
            "wat een nieuwe klant hier gemiddeld in 12 maanden brengt, uit ongeveer 16 "
            "aankopen: van deze klant zelf is nog niets meer bekend",
        ),
        (
            "en",
            0,
            "what a new customer brings here on average in 12 months, from about 16 "
            "purchases: of this customer nothing more is known yet",
        ),
        (
            "nl",
            78,
            "verwacht in de komende 12 maanden, uit ongeveer 16 aankopen: het gemiddelde van "
            "klanten die één keer kochten en daarna 78 dagen wegbleven",
        ),
        (
            "en",
            78,
            "expected over the next 12 months, from about 16 purchases: the average of "
            "customers who bought once and then stayed away 78 days",
        ),
    ],
)
def test_a_one_off_customers_value_says_it_is_the_average_of_customers_like_them(
    business, language, days_since_last, value
):
    # The figure is the one the models give everyone who bought once that long before the
    # computation, however many days have passed since (it is counted then, not today).
    insight = CustomerInsightFactory(
        customer=CustomerFactory(business=business),
        purchase_days=1,
        days_since_last=days_since_last,
        as_of=dt.date(2026, 11, 20),
        value_cents=38477,
        expected_purchases_365=15.62,
    )

    with translation.override(language):
        card = insight_card(insight=insight, today=dt.date(2026, 11, 23))

    assert card.value == value


@pytest.mark.parametrize(
    ("language", "alive"),
    [
        (
            "nl",
            "na één aankoop valt nog niet te zeggen of deze klant terugkomt; "
            "één keer gekocht, 9 maanden geleden",
        ),
        (
            "en",
            "after one purchase it cannot be told yet whether they come back; "
            "bought once, 9 months ago",
        ),
    ],
)
def test_the_card_says_why_a_one_off_customer_has_no_figure(business, language, alive):
    insight = CustomerInsightFactory(
        customer=CustomerFactory(business=business),
        purchase_days=1,
        days_since_last=300,
        probability_alive=0.92,
        value_cents=300,
        expected_purchases_365=0.1,
    )

    with translation.override(language):
        card = insight_card(insight=insight)
        shown = card.alive_figure

    assert (shown, card.alive) == (
        "tot nu toe eenmalig" if language == "nl" else "one-off so far",
        alive,
    )


def test_refresh_cost_does_not_grow_with_customers(
    business, other_business, django_assert_max_num_queries
):
    butcher_history(business, regulars=10, passers_by=10)
    butcher_history(other_business, regulars=60, passers_by=40, seed=3)
    # Bulk writes are batched: a small business and a five times larger one cost the same
    # (two of the queries read the gestures and complaints weighed against the buying, one the
    # anonymised, who keep no insight).
    with django_assert_max_num_queries(17):
        insights_refresh(business=business)
    with django_assert_max_num_queries(17):
        insights_refresh(business=other_business)


def test_slipping_away_lists_valuable_customers_without_planned_contact(business):
    # Given a butcher whose regulars 0-9 stopped coming 70 days ago
    customers, _ids = butcher_history(business)
    from klantvriend.customers.models import Purchase

    cut = timezone.now() - dt.timedelta(days=70)
    Purchase.objects.filter(customer__in=customers[:10], at__gte=cut).delete()
    insights_refresh(business=business)
    # When the slipping-away list is read
    names = {insight.customer.name for insight in slipping_away(business=business).items}
    # Then it holds some of them, and nobody who still comes every week
    assert names
    assert names <= {f"Klant {index}" for index in range(10)}
    # And they are at risk (or can't be lost) now, not regulars
    assert set(
        CustomerInsight.objects.filter(customer__in=customers[:10]).values_list(
            "segment", flat=True
        )
    ) <= {"at_risk", "cant_lose"}
    # And planning a follow-up for one takes them off the list
    from klantvriend.aftercare.services import follow_up_create

    first = slipping_away(business=business).items[0]
    follow_up_create(
        business=business, customer=first.customer, note="Bellen", due_on=business.today()
    )
    assert first.customer.name not in {
        i.customer.name for i in slipping_away(business=business).items
    }


def _fortnightly_customer(business, name: str, *, away_days: int) -> None:
    """A valuable customer who bought for € 1.000 on four days, every fourteen days, the last
    `away_days` days ago (at noon where the business is)."""
    customer = CustomerFactory(business=business, name=name)
    last = business.today() - dt.timedelta(days=away_days)
    for visit in range(4):
        day = last - dt.timedelta(days=14 * visit)
        PurchaseFactory(
            customer=customer,
            at=dt.datetime.combine(day, dt.time(12), tzinfo=business.tzinfo),
            amount_cents=100000,
        )


def test_a_valuable_customer_slips_away_only_once_past_their_own_rhythm(business):
    # Given a butcher's weekly regulars, and two valuable customers who came every 14 days:
    # one away 58 days (twice their interval plus a month: still in their rhythm), one 59
    butcher_history(business)
    _fortnightly_customer(business, "Fatima Kok", away_days=58)
    _fortnightly_customer(business, "Bep de Jong", away_days=59)

    # When refreshed
    insights_refresh(business=business)

    # Then the model alone would list both (probability alive below 60%, fallen 2 points or
    # more in 30 days, spend in the top half), with their rhythm on the card
    rows = {
        insight.customer.name: insight
        for insight in CustomerInsight.objects.filter(
            customer__name__in=["Fatima Kok", "Bep de Jong"]
        ).select_related("customer")
    }
    assert {
        name: (
            insight.days_since_last,
            insight.usual_interval_days,
            round(insight.probability_alive, 2),
            round(insight.probability_alive_30_days_ago, 2),
        )
        for name, insight in rows.items()
    } == {"Fatima Kok": (58, 14.0, 0.28, 0.81), "Bep de Jong": (59, 14.0, 0.26, 0.79)}
    # But only who is past their rhythm slips away, and only she is no longer a regular
    assert {name: insight.slipping_away for name, insight in rows.items()} == {
        "Fatima Kok": False,
        "Bep de Jong": True,
    }
    assert {name: insight.stage for name, insight in rows.items()} == {
        "Fatima Kok": Stage.REGULAR,
        "Bep de Jong": Stage.CUSTOMER,
    }
    # And Today lists her, and a regular of the butcher's who stopped coming
    assert [insight.customer.name for insight in slipping_away(business=business).items] == [
        "Bep de Jong",
        "Klant 31",
    ]


def _bought(business, name: str, *, days_ago: list[int], cents: int) -> None:
    customer = CustomerFactory(business=business, name=name)
    for away in days_ago:
        PurchaseFactory(
            customer=customer,
            at=dt.datetime.combine(
                business.today() - dt.timedelta(days=away), dt.time(12), tzinfo=business.tzinfo
            ),
            amount_cents=cents,
        )


def test_a_small_shop_calls_no_one_recent_past_their_rhythm_or_a_year(business):
    # Given a small bike shop, too small for a model, whose customers mostly came long ago:
    # by rank among them Bep (536 days ago, usually every 131) and Karin (once, 628 days ago)
    # came recently, as does Henk (30 days ago, usually every 60)
    _bought(business, "Henk", days_ago=[150, 90, 30], cents=50000)
    _bought(business, "Bep", days_ago=[667, 536], cents=40000)
    _bought(business, "Karin", days_ago=[628], cents=6000)
    # 690 days rather than 700: the card says it in whole calendar months, and 700 days are
    # 22 or 23 of them depending on today's date; 690 are 22 on any.
    for index, away in enumerate([690, 800, 900]):
        _bought(business, f"Klant {index}", days_ago=[away], cents=3000)

    # When refreshed
    run = insights_refresh(business=business)

    # Then only Henk is called recent: Bep was a "champion: came recently", Karin "needs
    # attention: came recently", and those of two years ago "needs attention" too
    assert run.model_name == ""
    insights = CustomerInsight.objects.filter(business=business).select_related("customer")
    with translation.override("nl"):
        cards = {
            insight.customer.name: (
                insight.segment,
                insight_card(insight=insight).history,
                insight_card(insight=insight).segment,
            )
            for insight in insights
        }
    assert cards == {
        "Henk": (
            "champion",
            "3 keer gekocht, laatst 30 dagen geleden, meestal elke 60 dagen",
            "koopt vaak en veel, en kocht recenter dan de meeste van je klanten",
        ),
        "Bep": (
            "at_risk",
            "2 keer gekocht, laatst 17 maanden geleden, met 131 dagen ertussen",
            "kocht vroeger vaak, maar de laatste tijd niet",
        ),
        "Karin": (
            "hibernating",
            "één keer gekocht, 20 maanden geleden",
            "kocht minder vaak of voor minder dan de meeste van je klanten, en de laatste tijd "
            "niet",
        ),
        "Klant 0": (
            "hibernating",
            "één keer gekocht, 22 maanden geleden",
            "kocht minder vaak of voor minder dan de meeste van je klanten, en de laatste tijd "
            "niet",
        ),
        "Klant 1": (
            "lost",
            "één keer gekocht, 2 jaar geleden",
            "kocht minder vaak of voor minder dan de meeste van je klanten, en lang geleden",
        ),
        "Klant 2": (
            "lost",
            "één keer gekocht, 2 jaar geleden",
            "kocht minder vaak of voor minder dan de meeste van je klanten, en lang geleden",
        ),
    }


def test_import_hook_refreshes(business, django_capture_on_commit_callbacks):
    PurchaseFactory(customer=CustomerFactory(business=business))
    with django_capture_on_commit_callbacks(execute=True):
        hooks.run_after_commit(hooks.DATA_IMPORTED, business=business, kind="purchases")
    assert InsightRun.objects.filter(business=business).count() == 1


def test_command_refreshes_one_or_all_businesses(business, other_business, capsys):
    PurchaseFactory(customer=CustomerFactory(business=business))
    CustomerFactory(business=business)
    call_command("refresh_insights", "--business", business.slug)
    # Of the two customers, the one with purchases is counted, and said to be
    assert capsys.readouterr().out.startswith(
        f"{business.slug}: 1 klanten met aankopen, 1 aankopen in "
    )
    assert InsightRun.objects.filter(business=business).count() == 1
    assert not InsightRun.objects.filter(business=other_business).exists()
    call_command("refresh_insights")
    assert InsightRun.objects.count() == 3
    with pytest.raises(CommandError, match="Er is geen bedrijf met de korte naam “nope”"):
        call_command("refresh_insights", "--business", "nope")


@pytest.mark.parametrize(
    ("language", "expected", "text"),
    [
        # Whole from ten on: "about 98,9 purchases" read as a count gone wrong.
        ("nl", 106.94, "ongeveer 107 aankopen"),
        ("nl", 9.94, "ongeveer 9,9 aankopen"),
        ("nl", 2.46, "ongeveer 2,5 aankopen"),
        ("nl", 3.02, "ongeveer 3 aankopen"),
        # Rounded, not cut off to "2"
        ("nl", 2.96, "ongeveer 3 aankopen"),
        ("nl", 106.97, "ongeveer 107 aankopen"),
        ("en", 106.94, "about 107 purchases"),
    ],
)
def test_the_card_writes_expected_purchases_the_readers_way(business, language, expected, text):
    insight = CustomerInsightFactory(
        customer__business=business, value_cents=12000, expected_purchases_365=expected
    )

    with translation.override(language):
        card = insight_card(insight=insight)

    assert text in card.value


def test_an_anonymised_customer_is_not_offered_as_slipping_away(business):
    kept = CustomerInsightFactory(
        customer=CustomerFactory(business=business, name="Bea"), slipping_away=True
    )
    erased = CustomerInsightFactory(
        customer=CustomerFactory(business=business, name="Anoniem", erased_at=timezone.now()),
        slipping_away=True,
        spend_cents=90000,
    )

    listed = [insight.customer_id for insight in slipping_away(business=business).items]

    assert listed == [kept.customer_id]
    assert erased.customer_id not in listed


def test_without_a_model_attention_is_worth_a_share_of_a_years_spend_not_of_all_years(business):
    # Given 20 customers of whom four came back (too few for a model, enough for the advice):
    # the four spent 100 euros a year for three years, the others 100 euros once, this year
    now = timezone.now()
    for index in range(20):
        customer = CustomerFactory(business=business, name=f"Klant {index}")
        for years_ago in range(3 if index < 4 else 1):
            PurchaseFactory(
                customer=customer,
                amount_cents=10000,
                at=now - dt.timedelta(days=365 * years_ago + 30 + index),
            )
    # When refreshed (margin 30%, uplift 10%)
    run = insights_refresh(business=business, now=now)
    advice = run.figures["advice"]
    # Then a year's attention is worth 10% of 30% of a year's spend: 3 euros, not 9 for those
    # who came back
    assert run.not_enough_data == "Not enough data yet: 1 more returning customer needed."
    assert advice["based_on_model"] is False
    assert advice["mean_value"] == 10000
    assert advice["attention_worth_per_customer"] == pytest.approx(300)


def test_the_refresh_weighs_gestures_against_the_buying_around_them(business):
    from klantvriend.complaints.tests.factories import ComplaintFactory
    from klantvriend.gestures.models import Gesture, Occasion

    # Given, at noon in the shop, gestures of 200 days ago (their quarter afterwards is over)
    now = dt.datetime(2026, 6, 15, 12, tzinfo=business.tzinfo)
    given = now - dt.timedelta(days=200)
    anna, bram, cor, dirk = (
        CustomerFactory(business=business, name=name) for name in ("Anna", "Bram", "Cor", "Dirk")
    )
    for customer, days, cents in [
        (anna, -30, 2000),  # a month before her birthday gesture
        (anna, 0, 9900),  # on its day: in neither quarter
        (anna, 40, 3000),
        (anna, 80, 1000),  # twice in the quarter after
        (bram, 60, 4500),  # only after
        (cor, -10, 1200),  # only before
        (dirk, 100, 700),  # after the quarter after
    ]:
        PurchaseFactory(customer=customer, amount_cents=cents, at=given + dt.timedelta(days=days))
    Gesture.objects.create(
        business=business,
        customer=anna,
        what="Taart",
        occasion=Occasion.BIRTHDAY,
        given_at=given,
        value_cents=1500,
    )
    Gesture.objects.create(
        business=business,
        customer=bram,
        what="Bloemen",
        occasion=Occasion.BIRTHDAY,
        given_at=given,
        value_cents=None,
    )
    Gesture.objects.create(
        business=business,
        customer=cor,
        what="Koffie",
        occasion=Occasion.JUST_BECAUSE,
        given_at=given,
    )
    Gesture.objects.create(  # too recent: its quarter afterwards is not over
        business=business,
        customer=dirk,
        what="Wijn",
        occasion=Occasion.JUST_BECAUSE,
        given_at=now - dt.timedelta(days=30),
    )
    ComplaintFactory(  # resolved without a gesture, Dirk came back after 100 days: not within 90
        customer=dirk,
        received_at=given - dt.timedelta(days=1),
        first_response_at=given,
        resolved_at=given,
        resolution="Excuses",
    )

    # When refreshed
    effects = insights_refresh(business=business, now=now).figures["gesture_effects"]

    # Then per occasion: how many bought in the 90 days before and after, and spent on average
    assert effects == {
        "since": "2025-03-17",
        "until": "2026-03-17",
        "window_days": 90,
        "occasions": [
            {
                "occasion": "birthday",
                "value_cents": 1500,
                "gestures": 2,
                "bought_before": 0.5,
                "bought_after": 1.0,
                "spend_before_cents": 1000,
                "spend_after_cents": 4250,
            },
            {
                "occasion": "just_because",
                "value_cents": 0,
                "gestures": 1,
                "bought_before": 1.0,
                "bought_after": 0.0,
                "spend_before_cents": 1200,
                "spend_after_cents": 0,
            },
        ],
        "complaints_without_gesture": {
            "gestures": 1,
            "bought_before": 0.0,
            "bought_after": 0.0,
            "spend_before_cents": 0,
            "spend_after_cents": 0,
        },
    }


def test_ambassadors_among_some_customers_are_those_of_all_among_them(business):
    from klantvriend.insights.selectors import ambassador_customer_ids
    from klantvriend.surveys.tests.factories import SurveyResponseFactory

    referrer, promoter, plain = (
        CustomerFactory(business=business, name=name) for name in ("Ria", "Piet", "Gewoon")
    )
    CustomerFactory(business=business, referred_by=referrer)
    SurveyResponseFactory(customer=promoter, nps=10)

    assert ambassador_customer_ids(business) == {referrer.pk, promoter.pk}
    assert ambassador_customer_ids(business, among=[referrer.pk, plain.pk]) == {referrer.pk}
    assert ambassador_customer_ids(business, among=[promoter.pk]) == {promoter.pk}
    assert ambassador_customer_ids(business, among=[plain.pk]) == set()


def test_the_advice_keeps_per_segment_what_winning_a_customer_back_is_worth(business):
    # Given the butcher's regulars, some of whom stopped coming long ago
    butcher_history(business)
    # When refreshed (margin 30%)
    run = insights_refresh(business=business)
    advice = run.figures["advice"]
    segments = {row["segment"]: row for row in advice["by_segment"]}
    # Then each segment keeps the margin on its mean value if still a customer
    for row in segments.values():
        assert row["won_back_worth_per_year"] == 0.3 * row["mean_value_if_active"]
        assert row["mean_value_if_active"] >= row["mean_value"]
    assert advice["won_back_worth_per_customer"] == 0.3 * advice["mean_value_if_active"]
    # which for customers surely still there is their value divided by P(alive) (to the
    # rounding of the kept cents), and nearly their value
    champions = CustomerInsight.objects.filter(business=business, segment="champion")
    assert min(insight.probability_alive for insight in champions) > 0.99
    assert segments["champion"]["mean_value_if_active"] == pytest.approx(
        sum(insight.value_cents / insight.probability_alive for insight in champions)
        / len(champions),
        rel=1e-5,
    )
    # while the lost, whose P(alive) is of the order of 1e-14 and expected value nothing, would
    # be worth more a year won back than attention on a champion is
    assert segments["lost"]["mean_value"] == 0
    assert segments["lost"]["won_back_worth_per_year"] > 1000
    assert (
        segments["lost"]["won_back_worth_per_year"]
        > segments["champion"]["attention_worth_per_year"]
    )


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        (None, "Nog niet genoeg gegevens: nog 3 maanden"),
        ("en", "Not enough data yet: 3 more months"),
    ],
)
def test_command_says_what_is_missing_in_its_own_language(business, language, reason):
    # Given one customer who bought once, ten days ago
    PurchaseFactory(
        customer=CustomerFactory(business=business),
        at=timezone.now() - dt.timedelta(days=10),
    )
    out = io.StringIO()
    # When the nightly refresh runs, in Dutch (the installation's language) or in English
    options = {"language": language} if language else {}
    call_command("refresh_insights", "--business", business.slug, stdout=out, **options)
    # Then its line names what is missing in that language, not in the stored English
    line = out.getvalue().splitlines()[0]
    assert line.split("; ", 1)[1].startswith(reason)


@pytest.mark.parametrize(
    ("language", "usual", "history", "away"),
    [
        ("nl", 1.2, "meestal elke dag", "kwam 12 keer, meestal elke dag, nu 9 dagen niet gezien"),
        ("en", 0.6, "usually every day", "came 12 times, usually every day, not seen for 9 days"),
        (
            "nl",
            1.6,
            "meestal elke 2 dagen",
            "kwam 12 keer, meestal elke 2 dagen, nu 9 dagen niet gezien",
        ),
    ],
)
def test_a_daily_customer_comes_every_day_not_every_1_day(business, language, usual, history, away):
    insight = CustomerInsightFactory(
        customer__business=business, usual_interval_days=usual, days_since_last=9, purchase_days=12
    )

    with translation.override(language):
        card = insight_card(insight=insight, today=insight.as_of)
        gone = not_seen_for(insight, today=insight.as_of)

    assert card.history.endswith(", " + history)
    assert gone == away


@pytest.mark.parametrize(
    ("days_since_last", "explained"),
    [
        (3, "komt terug in een vast ritme"),
        # Later than usual, not yet past their rhythm: still a regular, and the card says since
        # when they are expected back, which "komt terug in een vast ritme" contradicted.
        (23, "kwam tot nu toe terug in een vast ritme"),
    ],
)
def test_a_regular_later_than_usual_is_not_said_to_come_in_a_steady_rhythm(
    business, days_since_last, explained
):
    insight = CustomerInsightFactory(
        customer=CustomerFactory(business=business),
        stage=Stage.REGULAR,
        purchase_days=40,
        days_since_last=days_since_last,
        usual_interval_days=4.0,
    )

    with translation.override("nl"):
        card = insight_card(insight=insight, today=insight.as_of)
    assert card.stage == explained


def test_a_shop_where_no_one_is_seen_leaving_gets_no_model_and_is_told_why(business):
    """A garage's 27 customers fitted a BG/NBD in which nobody ever leaves: every card said
    "Kans actief >99%", one away for 21 months beside "verloren" and a value of € 416."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    customers = CustomerFactory.create_batch(30, business=business)
    purchases = []
    for index, customer in enumerate(customers):
        gap = 60 + 5 * index  # each in a steady rhythm of their own, until yesterday
        days = range((1000 - (index * 37) % 200) // gap * gap, -1, -gap)
        purchases += [
            PurchaseFactory.build(
                customer=customer,
                business=business,
                at=dt.datetime.combine(yesterday - dt.timedelta(days=ago), dt.time(11), dt.UTC),
            )
            for ago in days
        ]
    Purchase.objects.bulk_create(purchases)

    run = insights_refresh(business=business)

    assert (run.model_name, run.figures["not_enough"]["no_dropout"]) == ("", True)
    assert run.not_enough_data_text() == (
        "Nog niet genoeg gegevens om te voorspellen: de aankopen tot nu toe passen in geen "
        "model waarin klanten weggaan, dus kunnen de modellen niet zeggen wie nog klant is. Tot "
        "dan wordt elke klant beoordeeld op zijn eigen ritme en hoe lang geleden hij kocht."
    )
    insights = CustomerInsight.objects.filter(business=business)
    assert insights.count() == 30
    assert set(insights.values_list("probability_alive", "value_cents")) == {(None, None)}
