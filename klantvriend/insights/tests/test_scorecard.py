"""The scorecard: its figures and trends cover the periods they say, and its next action about
the satisfaction drivers names the driver the survey results page names."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.customers.models import ABSENCE_KEPT_FROM, AcquisitionChannel
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.insights import rows as rows_module
from klantvriend.insights.rows import TRENDS, scorecard_rows
from klantvriend.insights.scorecard import (
    WINDOW,
    Figure,
    _driver_action,
    _drivers_detail,
    customer_scorecard,
    measure_action,
    next_action_key,
    nps_bounds,
    repeat_counts,
    share_bounds,
    share_change_margin,
    weakest_figure,
)
from klantvriend.insights.tests.factories import promises_and_late_complaints
from klantvriend.promises.models import PromiseKind
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.surveys.selectors import (
    DriverResult,
    NpsSummary,
    driver_advice,
    lowest_drivers,
    survey_results,
)
from klantvriend.surveys.tests.factories import (
    SurveyResponseFactory,
    reliability_separating_answers,
)


def test_the_scorecard_and_the_survey_results_advise_the_same_driver(business):
    """The survey results said "Reliability ... Start there", the scorecard's card named the
    lowest driver: one rule now names the driver on both (surveys.selectors.driver_advice)."""
    customer = CustomerFactory(business=business)
    # Flexibility scores lowest, but reliability is what separates detractors from promoters;
    # complaint handling scores as low, but in too few answers (24) to be named.
    reliability_separating_answers(customer, complaint_handling_low_in=24)

    with translation.override("en"):
        card = customer_scorecard(business=business)
        results = survey_results(business=business)

    drivers = next(figure for figure in card.figures if figure.key == "drivers")
    assert results.advice.separating.name == "reliability"
    assert (drivers.label, drivers.value) == ("Satisfaction driver to start with", 1.8)
    assert drivers.detail == (
        "reliability separates detractors from promoters most; answers of the last 12 months; "
        "too few answers to judge complaint handling"
    )
    assert drivers.parts == [
        ("certainty", 4.0),
        ("flexibility", 1.0),
        ("reliability", 1.8),
        ("customisation", 4.0),
        ("complaint handling", 1.0),
    ]
    assert card.weakest.key == "drivers"
    assert card.next_action == (
        "Work first on reliability: your detractors give it 1.0 and your promoters 5.0, the "
        "largest difference of any driver (see the survey results). That is where unhappy "
        "customers part from enthusiastic ones, even though flexibility scores lowest."
    )


def _driver(name, label, average, promoters=None, detractors=None):
    return DriverResult(name, label, average, 30, promoters, detractors)


@pytest.mark.parametrize(
    ("language", "detail", "action"),
    [
        (
            "nl",
            "zekerheid en maatwerk scoren even laag; antwoorden van de laatste 12 maanden",
            "Werk eerst aan zekerheid en maatwerk, de factoren die even laag scoren.",
        ),
        (
            "en",
            "certainty and customisation score equally low; answers of the last 12 months",
            "Work first on certainty and customisation, the drivers that score equally low.",
        ),
    ],
)
def test_drivers_that_read_equally_low_are_named_together(business, language, detail, action):
    """certainty 2.55 and customisation 2.60 both read 2,6 on the card: it named certainty
    alone, a choice the reader could not see."""
    customer = CustomerFactory(business=business)
    # Forty passives (no promoters and detractors to tell a driver apart): certainty 102/40,
    # customisation 104/40, the others 4.
    for index in range(40):
        SurveyResponseFactory(
            customer=customer,
            nps=8,
            certainty=3 if index < 22 else 2,
            customisation=3 if index < 24 else 2,
            reliability=4,
            flexibility=4,
            complaint_handling=4,
        )

    with translation.override(language):
        card = customer_scorecard(business=business)

    drivers = next(figure for figure in card.figures if figure.key == "drivers")
    assert (drivers.value, drivers.detail) == (2.55, detail)
    assert card.next_action == action


def test_the_lowest_drivers_are_those_that_read_lowest_to_one_decimal():
    certainty = _driver("certainty", "certainty", 3.638)
    customisation = _driver("customisation", "customisation", 3.640)
    flexibility = _driver("flexibility", "flexibility", 3.65)  # reads 3,7
    reliability = _driver("reliability", "reliability", 4.2, promoters=4.8, detractors=2.0)

    with translation.override("en"):
        assert lowest_drivers([flexibility, customisation, certainty]) == [
            certainty,
            customisation,
        ]
        assert lowest_drivers([flexibility, certainty]) == [certainty]
        assert _driver_action(
            driver_advice([certainty, customisation, flexibility, reliability])
        ) == (
            "Work first on reliability: your detractors give it 2.0 and your promoters 4.8, the "
            "largest difference of any driver (see the survey results). That is where unhappy "
            "customers part from enthusiastic ones, even though certainty and customisation "
            "share the lowest score."
        )
        assert _drivers_detail(
            driver_advice([certainty, customisation, _driver("x", "x", 3.55)])
        ) == ("x, certainty and customisation score equally low; answers of the last 12 months")
    with translation.override("nl"):
        assert _driver_action(
            driver_advice([certainty, customisation, flexibility, reliability])
        ) == (
            "Werk eerst aan reliability: je criticasters geven die 2,0 en je promotors 4,8, het "
            "grootste verschil van alle factoren (zie de enquêteresultaten). Daar haken "
            "ontevreden klanten af, ook al scoren certainty en customisation samen het laagst."
        )


def test_the_complaint_trend_compares_the_last_90_days_with_the_90_days_before(business):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    customer = CustomerFactory(business=business)
    # The last 90 days: one complaint, answered after three days (late).
    recent = now - timedelta(days=10)
    ComplaintFactory(
        customer=customer,
        received_at=recent,
        first_response_at=recent + timedelta(days=3),
        resolved_at=recent + timedelta(days=4),
    )
    # The 90 days before: one complaint, answered within the hour (in time).
    earlier = now - timedelta(days=120)
    ComplaintFactory(
        customer=customer,
        received_at=earlier,
        first_response_at=earlier + timedelta(minutes=30),
        resolved_at=earlier + timedelta(hours=2),
    )

    card = customer_scorecard(business=business, now=now)

    response = next(figure for figure in card.figures if figure.key == "complaint_response")
    resolution = next(figure for figure in card.figures if figure.key == "complaint_resolution")
    assert (response.last_90_days, response.previous_90_days) == (0.0, 1.0)
    assert (resolution.last_90_days, resolution.previous_90_days) == (0.0, 1.0)
    assert response.change == -1.0


def test_the_referral_share_counts_todays_new_customers_as_its_rows_list_them(business):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    anna = CustomerFactory(business=business, customer_since=datetime(2025, 1, 1).date())
    # Came in today through Anna, and ten days ago off the street.
    CustomerFactory(business=business, customer_since=now.date(), referred_by=anna)
    CustomerFactory(business=business, customer_since=(now - timedelta(days=10)).date())
    # New exactly 90 days ago: the 91st day back, in the window before.
    CustomerFactory(
        business=business, customer_since=(now - timedelta(days=90)).date(), referred_by=anna
    )

    card = customer_scorecard(business=business, now=now)
    rows = scorecard_rows(business=business, figure="referrals", now=now)

    referrals = next(figure for figure in card.figures if figure.key == "referrals")
    assert (referrals.last_90_days, referrals.previous_90_days) == (0.5, 1.0)
    assert len(rows.rows) == 2


def test_the_promise_rows_are_the_promises_the_figure_judged(business):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    customer = CustomerFactory(business=business)

    def promise(description, made, due, done=None):
        PromiseFactory(
            customer=customer,
            description=description,
            made_at=now - made,
            due_at=now - due,
            done_at=None if done is None else now - done,
        )

    day = timedelta(days=1)
    promise("due long ago, kept late last month", 120 * day, 100 * day, 30 * day)
    promise("due next week, kept early yesterday", 2 * day, -7 * day, day)
    promise("due two hours ago, still within the grace", 2 * day, timedelta(hours=2))
    promise("due yesterday, kept on time", 3 * day, day, 2 * day)

    with translation.override("en"):
        card = customer_scorecard(business=business, now=now)
    table = scorecard_rows(business=business, figure="promises", now=now)

    figure = next(figure for figure in card.figures if figure.key == "promises")
    assert figure.value == 2 / 3
    assert figure.detail == "3 promises judged in the last 90 days"
    assert sorted(cells[0] for _id, _name, cells in table.rows) == [
        "due long ago, kept late last month",
        "due next week, kept early yesterday",
        "due yesterday, kept on time",
    ]


def test_the_aftercare_rows_are_the_events_the_figure_judged(business):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    customer = CustomerFactory(business=business, name="Anna")
    day = timedelta(days=1)

    def delivery(days_ago):
        done = now - days_ago * day
        return PromiseFactory(
            customer=customer,
            kind=PromiseKind.DELIVERY,
            made_at=done - day,
            due_at=done,
            done_at=done,
        )

    followed_up = delivery(20)
    FollowUpFactory(
        customer=customer,
        promise=followed_up,
        due_on=followed_up.done_on + 3 * day,
        done_at=now - 16 * day,
        outcome="content",
    )
    delivery(40)  # never followed up: judged, missed
    delivery(1)  # its follow-up day has not come yet: not judged
    # A call planned by hand is no delivery, repair or complaint: not in the figure.
    FollowUpFactory(
        customer=customer,
        due_on=(now - 5 * day).date(),
        done_at=now - 5 * day,
        outcome="content",
    )

    with translation.override("en"):
        card = customer_scorecard(business=business, now=now)
        table = scorecard_rows(business=business, figure="aftercare", now=now)

    figure = next(figure for figure in card.figures if figure.key == "aftercare")
    assert figure.detail == "1 of 2 follow-ups in the last 90 days"
    # The days and moments on one line of the page's table: no-break spaces.
    assert [cells for _id, _name, cells in table.rows] == [
        ["after a delivery", "24\xa0May\xa02026", "25\xa0May\xa02026\xa012:00", "yes", "content"],
        ["after a delivery", "4\xa0May\xa02026", "—", "no", "—"],
    ]


@pytest.mark.parametrize(
    ("language", "header", "outcome"),
    [("en", "outcome", "not content"), ("nl", "uitkomst", "niet tevreden")],
)
def test_the_aftercare_rows_say_whether_the_customer_was_content_again(
    business, language, header, outcome
):
    # Done in time said "yes" whether the customer was content again or not: the point of the
    # check after a complaint could not be read from the figure's rows.
    now = timezone.now()
    customer = CustomerFactory(business=business)
    complaint = ComplaintFactory(
        customer=customer,
        received_at=now - timedelta(days=10),
        first_response_at=now - timedelta(days=10),
        resolved_at=now - timedelta(days=9),
        resolution="Excuses",
    )
    FollowUpFactory(
        customer=customer,
        reason="complaint",
        complaint=complaint,
        due_on=(now - timedelta(days=2)).date(),
        done_at=now - timedelta(days=2),
        outcome="not_content",
    )

    with translation.override(language):
        table = scorecard_rows(business=business, figure="aftercare", now=now)

    assert table.headers[-1] == header
    assert [cells[3:] for _id, _name, cells in table.rows] == [[_yes(language), outcome]]


def _yes(language):
    return {"en": "yes", "nl": "ja"}[language]


def test_the_driver_rows_are_the_answers_of_the_year_the_figure_averages(business):
    now = timezone.now()
    customer = CustomerFactory(business=business)
    SurveyResponseFactory(customer=customer, answered_at=now - timedelta(days=10), flexibility=4)
    SurveyResponseFactory(customer=customer, answered_at=now - timedelta(days=200), flexibility=2)
    SurveyResponseFactory(customer=customer, answered_at=now - timedelta(days=400), flexibility=1)

    with translation.override("en"):
        card = customer_scorecard(business=business, now=now)
        drivers = scorecard_rows(business=business, figure="drivers", now=now)
        nps = scorecard_rows(business=business, figure="nps", now=now)

    figure = next(figure for figure in card.figures if figure.key == "drivers")
    assert dict(figure.parts)["flexibility"] == 3.0
    assert (drivers.title, len(drivers.rows)) == ("Survey answers of the last 12 months", 2)
    assert (nps.title, len(nps.rows)) == ("Survey answers of the last 90 days", 1)


def test_the_figures_count_one_promise_complaint_and_answer_in_the_singular(business):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    customer = CustomerFactory(business=business)
    PromiseFactory(
        customer=customer,
        made_at=now - timedelta(days=3),
        due_at=now - timedelta(days=2),
        done_at=now - timedelta(days=2, hours=1),
    )
    ComplaintFactory(
        customer=customer,
        received_at=now - timedelta(days=5),
        first_response_at=now - timedelta(days=5) + timedelta(minutes=30),
    )
    SurveyResponseFactory(customer=customer, nps=9, answered_at=now - timedelta(days=4))

    details = {}
    for language in ("en", "nl"):
        with translation.override(language):
            card = customer_scorecard(business=business, now=now)
        details[language] = {
            figure.key: figure.detail
            for figure in card.figures
            if figure.key in ("promises", "complaint_response", "nps")
        }

    assert details == {
        "en": {
            "promises": "1 promise judged in the last 90 days",
            "complaint_response": "1 complaint in the last 90 days; first response after 30\xa0min",
            "nps": "1 answer in the last 90 days",
        },
        "nl": {
            "promises": "1 belofte beoordeeld in de afgelopen 90 dagen",
            "complaint_response": "1 klacht in de laatste 90 dagen; eerste reactie na 30\xa0min",
            "nps": "1 antwoord in de laatste 90 dagen",
        },
    }


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("en", "1 complaint in the last 90 days; not answered yet"),
        ("nl", "1 klacht in de laatste 90 dagen; nog niet beantwoord"),
    ],
)
def test_the_complaint_figure_names_no_median_response_before_any_answer(
    business, language, detail
):
    """It said "median first response — h" when no complaint had been answered yet."""
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    ComplaintFactory(
        customer=CustomerFactory(business=business), received_at=now - timedelta(days=2)
    )

    with translation.override(language):
        card = customer_scorecard(business=business, now=now)

    figure = next(figure for figure in card.figures if figure.key == "complaint_response")
    assert figure.detail == detail


def test_the_complaint_figure_of_a_shop_without_complaints_counts_none(business):
    with translation.override("en"):
        card = customer_scorecard(business=business)

    figure = next(figure for figure in card.figures if figure.key == "complaint_response")
    assert figure.detail == "0 complaints in the last 90 days"


ON_THE_SPOT = "on the spot"


@pytest.mark.parametrize(
    ("answers", "english", "dutch"),
    [
        (
            8 * [ON_THE_SPOT] + [1.0, 3.0, 4.0, 6.0],
            "12 complaints in the last 90 days; 8 answered on the spot, the other 4 got a first "
            "response (half of them within 3\xa0hours\xa030\xa0min)",
            "12 klachten in de laatste 90 dagen; 8 ter plekke beantwoord, de andere 4 kregen een "
            "eerste reactie (de helft binnen 3\xa0uur\xa030\xa0min)",
        ),
        (
            3 * [ON_THE_SPOT],
            "3 complaints in the last 90 days; all answered on the spot",
            "3 klachten in de laatste 90 dagen; alle ter plekke beantwoord",
        ),
        (
            [1.0, 2.0],
            "2 complaints in the last 90 days; all got a first response (half of them within "
            "1\xa0hour\xa030\xa0min)",
            "2 klachten in de laatste 90 dagen; alle kregen een eerste reactie (de helft binnen "
            "1\xa0uur\xa030\xa0min)",
        ),
        (
            [None, None],
            "2 complaints in the last 90 days; none answered yet",
            "2 klachten in de laatste 90 dagen; nog geen beantwoord",
        ),
        ([], "0 complaints in the last 90 days", "0 klachten in de laatste 90 dagen"),
        (
            [ON_THE_SPOT],
            "1 complaint in the last 90 days; answered on the spot",
            "1 klacht in de laatste 90 dagen; ter plekke beantwoord",
        ),
        (
            # Answered some seconds after it was noted: not "within 0 min"
            [0.005, 0.01, 2.0],
            "3 complaints in the last 90 days; all got a first response (half of them within a "
            "minute)",
            "3 klachten in de laatste 90 dagen; alle kregen een eerste reactie (de helft binnen "
            "een minuut)",
        ),
        (
            [2.0],
            "1 complaint in the last 90 days; first response after 2\xa0hours",
            "1 klacht in de laatste 90 dagen; eerste reactie na 2\xa0uur",
        ),
        (
            [82 / 60],  # to the minute, not to the tenth of an hour the API gives (1.4)
            "1 complaint in the last 90 days; first response after 1\xa0hour\xa022\xa0min",
            "1 klacht in de laatste 90 dagen; eerste reactie na 1\xa0uur\xa022\xa0min",
        ),
        (
            3 * [ON_THE_SPOT] + [2.0],
            "4 complaints in the last 90 days; 3 answered on the spot, the other one got a first "
            "response after 2\xa0hours",
            "4 klachten in de laatste 90 dagen; 3 ter plekke beantwoord, de andere kreeg een "
            "eerste reactie na 2\xa0uur",
        ),
        (
            2 * [ON_THE_SPOT] + [1.0, None],
            "4 complaints in the last 90 days; 2 answered on the spot, 1 got a first response "
            "after 1\xa0hour, 1 not answered yet",
            "4 klachten in de laatste 90 dagen; 2 ter plekke beantwoord, 1 kreeg een eerste "
            "reactie na 1\xa0uur, 1 nog niet beantwoord",
        ),
        (
            [ON_THE_SPOT, None, None],
            "3 complaints in the last 90 days; 1 answered on the spot, the other 2 not answered yet",
            "3 klachten in de laatste 90 dagen; 1 ter plekke beantwoord, de andere 2 nog niet "
            "beantwoord",
        ),
        (
            [1.0, 3.0, None],
            "3 complaints in the last 90 days; 2 got a first response (half of them within "
            "2\xa0hours), 1 not answered yet",
            "3 klachten in de laatste 90 dagen; 2 kregen een eerste reactie (de helft binnen "
            "2\xa0uur), 1 nog niet beantwoord",
        ),
    ],
)
def test_the_complaint_figure_says_which_were_answered_on_the_spot_and_how_soon_the_others(
    business, answers, english, dutch
):
    """It said "median first response 0,0 u" when most were answered at the counter."""
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    customer = CustomerFactory(business=business)
    for day, answer in enumerate(answers, start=1):
        received = now - timedelta(days=day)
        ComplaintFactory(
            customer=customer,
            received_at=received,
            first_response_at=None
            if answer is None
            else received
            if answer == ON_THE_SPOT
            else received + timedelta(hours=answer),
        )

    details = {}
    for language in ("en", "nl"):
        with translation.override(language):
            card = customer_scorecard(business=business, now=now)
        figure = next(figure for figure in card.figures if figure.key == "complaint_response")
        details[language] = figure.detail

    assert details == {"en": english, "nl": dutch}


def test_complaints_answered_on_the_spot_count_as_answered_in_time_in_the_score(business):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    customer = CustomerFactory(business=business)
    for day in (1, 2, 3):
        received = now - timedelta(days=day)
        ComplaintFactory(customer=customer, received_at=received, first_response_at=received)
    # Answered after four days: far past the target of four working hours.
    received = now - timedelta(days=10)
    ComplaintFactory(
        customer=customer, received_at=received, first_response_at=received + timedelta(days=4)
    )

    card = customer_scorecard(business=business, now=now)

    figure = next(figure for figure in card.figures if figure.key == "complaint_response")
    assert figure.value == 0.75


def _figure(card, key):
    return next(figure for figure in card.figures if figure.key == key)


def test_the_returning_customers_open_to_the_buyers_the_figure_counts(business):
    """The figure said "share of the customers who bought ... who had bought before" without
    a number, and its rows did not add it up."""
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    regular, newcomer, gone = (
        CustomerFactory(business=business, name=name) for name in ("Anna", "Bram", "Cor")
    )
    PurchaseFactory(customer=regular, at=now - timedelta(days=200))
    PurchaseFactory(customer=regular, at=now - timedelta(days=10))
    PurchaseFactory(customer=newcomer, at=now - timedelta(days=5))
    PurchaseFactory(customer=gone, at=now - timedelta(days=200))

    with translation.override("en"):
        card = customer_scorecard(business=business, now=now)
        table = scorecard_rows(business=business, figure="repeat_rate", now=now)

    figure = _figure(card, "repeat_rate")
    assert figure.value == 0.5
    assert (
        figure.detail
        == "1 of the 2 customers who bought in the last 90 days had been with you before"
    )
    assert [(name, cells) for _id, name, cells in table.rows] == [
        ("Anna", ["yes"]),
        ("Bram", ["no, new"]),
    ]
    assert (table.summary, table.total) == ("1 of these 2 customers had been with you before.", 2)


def test_the_complaint_rows_say_which_complaints_the_shares_count_in_time(business):
    """The rows listed the complaints without saying which of them the figure counted as in
    time, late or not judged yet, so "75%" could not be checked against them."""
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))  # a Wednesday
    customer = CustomerFactory(business=business, name="Anna")
    on_the_spot = now - timedelta(days=20)
    ComplaintFactory(
        customer=customer,
        description="on the spot",
        received_at=on_the_spot,
        first_response_at=on_the_spot,
        resolved_at=on_the_spot + timedelta(hours=1),
    )
    late = now - timedelta(days=30)
    ComplaintFactory(
        customer=customer,
        description="answered after four days",
        received_at=late,
        first_response_at=late + timedelta(days=4),
    )
    ComplaintFactory(
        customer=customer, description="just in", received_at=now - timedelta(minutes=5)
    )

    with translation.override("en"):
        card = customer_scorecard(business=business, now=now)
        response = scorecard_rows(business=business, figure="complaint_response", now=now)
        resolution = scorecard_rows(business=business, figure="complaint_resolution", now=now)

    assert _figure(card, "complaint_response").value == 0.5
    assert [(cells[0], cells[3]) for _id, _name, cells in response.rows] == [
        ("just in", "not yet: its time is still running"),
        ("on the spot", "yes"),
        ("answered after four days", "no"),
    ]
    assert response.summary == (
        "1 of the 2 complaints judged were answered within the target. 1 more complaint is not "
        "judged yet: its time is still running."
    )
    resolution_figure = _figure(card, "complaint_resolution")
    assert resolution_figure.value == 0.5
    assert resolution_figure.detail == "1 of 2 complaints judged in the last 90 days"
    assert [cells[3] for _id, _name, cells in resolution.rows] == [
        "not yet: its time is still running",
        "yes",
        "no",
    ]
    assert resolution.summary.startswith("1 of the 2 complaints judged were resolved within")


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        (
            "en",
            "1 of the 2 complaints judged were resolved within the target. 3 more complaints "
            "are not judged yet: their time is still running.",
        ),
        (
            "nl",
            "1 van de 2 beoordeelde klachten zijn binnen de norm opgelost. Nog 3 klachten zijn "
            "niet beoordeeld: hun tijd loopt nog.",
        ),
    ],
)
def test_the_complaints_still_running_are_counted_on_top_of_those_judged(
    business, language, summary
):
    """The rows said "16 of the 21 complaints judged were resolved within the target. The other
    3 are not judged yet", which read as if 3 of those 21 were the rest: 5 of them were late."""
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))  # a Wednesday
    customer = CustomerFactory(business=business, name="Anna")
    on_the_spot = now - timedelta(days=20)
    ComplaintFactory(
        customer=customer,
        received_at=on_the_spot,
        first_response_at=on_the_spot,
        resolved_at=on_the_spot + timedelta(hours=1),
    )
    late = now - timedelta(days=30)
    ComplaintFactory(
        customer=customer,
        received_at=late,
        first_response_at=late + timedelta(hours=1),
        resolved_at=late + timedelta(days=20),
    )
    for minutes in (5, 10, 15):
        ComplaintFactory(customer=customer, received_at=now - timedelta(minutes=minutes))

    with translation.override(language):
        table = scorecard_rows(business=business, figure="complaint_resolution", now=now)

    assert (table.summary, table.total) == (summary, 5)


def test_the_survey_rows_add_up_to_the_score_and_show_each_drivers_answers(business):
    """The driver rows showed only the recommendation, not the driver scores averaged."""
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    customer = CustomerFactory(business=business, name="Anna")
    for days, nps, handling in [(1, 10, 5), (2, 7, None), (3, 3, 2), (4, 9, None)]:
        SurveyResponseFactory(
            customer=customer,
            answered_at=now - timedelta(days=days),
            nps=nps,
            certainty=4,
            flexibility=3,
            reliability=5,
            customisation=4,
            complaint_handling=handling,
            comment="",
        )

    with translation.override("en"):
        card = customer_scorecard(business=business, now=now)
        nps = scorecard_rows(business=business, figure="nps", now=now)
        drivers = scorecard_rows(business=business, figure="drivers", now=now)

    assert _figure(card, "nps").value == 25.0
    assert [cells[1:3] for _id, _name, cells in nps.rows] == [
        ["10", "promoter"],
        ["7", "passive"],
        ["3", "detractor"],
        ["9", "promoter"],
    ]
    assert nps.summary == (
        "2 promoters (9-10) and 1 detractors (0-6) among 4 answers: the score is the share of "
        "promoters minus the share of detractors, +25. Margin of error of this score (95%): ± 81 points. Too "
        "few answers to read as the shop's score: fewer than 30."
    )  # variance 0.5 + 0.25 - 0.25^2 = 0.6875, margin 1.959964 * 100 * sqrt(0.6875 / 4) = 81.26
    assert drivers.headers[2:7] == [
        "certainty",
        "flexibility",
        "reliability",
        "customisation",
        "complaint handling",
    ]
    assert [cells[1] for _id, _name, cells in drivers.rows] == [
        "10 (promoter)",
        "7 (passive)",
        "3 (detractor)",
        "9 (promoter)",
    ]
    assert [cells[6] for _id, _name, cells in drivers.rows] == ["5", "", "2", ""]
    assert dict(_figure(card, "drivers").parts)["complaint handling"] == 3.5
    # The survey results' score of the year opens to these answers too: its counts first.
    assert drivers.summary == (
        "2 promoters (9-10) and 1 detractors (0-6) among 4 answers: the score is the share of "
        "promoters minus the share of detractors, +25. Margin of error of this score (95%): ± 81 points. Too "
        "few answers to read as the shop's score: fewer than 30. "
        "Each driver's score (1 to 5) is the average of the answers that scored it: certainty "
        "4.0 over 4 answers (promoters 4.0, detractors 4.0); flexibility 3.0 over 4 answers "
        "(promoters 3.0, detractors 3.0); reliability 5.0 over 4 answers (promoters 5.0, "
        "detractors 5.0); customisation 4.0 over 4 answers (promoters 4.0, detractors 4.0); "
        "complaint handling 3.5 over 2 answers (promoters 5.0, detractors 2.0)."
    )


def test_the_referral_rows_say_which_new_customers_count_as_referred(business):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    anna = CustomerFactory(business=business, name="Anna", customer_since=date(2025, 1, 1))
    CustomerFactory(business=business, name="Bram", customer_since=now.date(), referred_by=anna)
    CustomerFactory(
        business=business,
        name="Cor",
        customer_since=now.date() - timedelta(days=3),
        acquisition_channel=AcquisitionChannel.REFERRAL,
    )
    CustomerFactory(business=business, name="Dirk", customer_since=now.date() - timedelta(days=5))

    with translation.override("en"):
        card = customer_scorecard(business=business, now=now)
        table = scorecard_rows(business=business, figure="referrals", now=now)

    figure = _figure(card, "referrals")
    assert figure.value == 2 / 3
    assert figure.detail == "2 of 3 new customers in the last 90 days"
    assert [(name, cells[3]) for _id, name, cells in table.rows] == [
        ("Bram", "yes"),
        ("Cor", "yes"),
        ("Dirk", "no"),
    ]
    assert table.summary.startswith("2 of these 3 new customers came through a referral")


def test_the_promise_rows_count_the_promises_kept_on_time_as_the_figure(business):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    customer = CustomerFactory(business=business)
    for due_days, done_days in [(5, 6), (4, 4), (3, 2), (2, None)]:
        PromiseFactory(
            customer=customer,
            made_at=now - timedelta(days=10),
            due_at=now - timedelta(days=due_days),
            done_at=None if done_days is None else now - timedelta(days=done_days),
        )

    with translation.override("en"):
        card = customer_scorecard(business=business, now=now)
        table = scorecard_rows(business=business, figure="promises", now=now)

    assert _figure(card, "promises").value == 0.5
    assert (table.summary, table.total) == (
        "Kept on time or early: 2 of these 4 promises.",
        4,
    )
    with translation.override("nl"):
        dutch = scorecard_rows(business=business, figure="promises", now=now)
    assert dutch.summary == "Op tijd of eerder nagekomen: 2 van deze 4 beloften."


def test_the_rows_of_a_figure_come_a_page_at_a_time_and_count_them_all(business, monkeypatch):
    """Beyond ROW_LIMIT rows the rest were cut off without a word; the figure counted them."""
    monkeypatch.setattr(rows_module, "ROW_LIMIT", 2)
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    for name in ("Anna", "Bram", "Cor"):
        PurchaseFactory(
            customer=CustomerFactory(business=business, name=name), at=now - timedelta(hours=1)
        )

    first = scorecard_rows(business=business, figure="repeat_rate", now=now)
    second = scorecard_rows(business=business, figure="repeat_rate", now=now, page=2)

    assert [name for _id, name, _cells in first.rows] == ["Anna", "Bram"]
    assert [name for _id, name, _cells in second.rows] == ["Cor"]
    assert (first.total, second.total, second.offset) == (3, 3, 2)


@pytest.mark.parametrize("figure", ["promises", "nps", "drivers"])
def test_every_page_of_answers_and_promises_holds_the_next_rows_newest_first(
    business, monkeypatch, figure
):
    """Their pages are found by their ids first, a page in the second half of the answers from
    the oldest end: every page, read either way, holds the rows that follow the page before."""
    monkeypatch.setattr(rows_module, "ROW_LIMIT", 2)
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    names = ["Anna", "Bram", "Cor", "Dirk", "Eva", "Fenna", "Gijs"]
    for days, name in enumerate(names, start=1):
        customer = CustomerFactory(business=business, name=name)
        SurveyResponseFactory(customer=customer, answered_at=now - days * timedelta(days=1))
        due = now - days * timedelta(days=1)
        PromiseFactory(customer=customer, made_at=due - timedelta(days=2), due_at=due, done_at=due)
    # The same moment twice: the newer id comes first, on either side of a page's edge.
    twin = CustomerFactory(business=business, name="Hugo")
    SurveyResponseFactory(customer=twin, answered_at=now - 5 * timedelta(days=1))
    due = now - 5 * timedelta(days=1)
    PromiseFactory(customer=twin, made_at=due - timedelta(days=2), due_at=due, done_at=due)

    pages = [
        scorecard_rows(business=business, figure=figure, now=now, page=page) for page in range(1, 6)
    ]

    assert [[name for _id, name, _cells in table.rows] for table in pages] == [
        ["Anna", "Bram"],
        ["Cor", "Dirk"],
        ["Hugo", "Eva"],
        ["Fenna", "Gijs"],
        [],
    ]
    assert {table.total for table in pages} == {8}


def test_every_page_of_the_returning_customers_holds_the_next_buyers_by_name(business, monkeypatch):
    """Their pages are found by their ids first, a page in the second half from the end of the
    names: every page, read either way, holds the buyers that follow the page before, the same
    name in the order of the customers' ids, each saying whether they had bought before."""
    monkeypatch.setattr(rows_module, "ROW_LIMIT", 2)
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    for name, days in [
        ("Gijs", [200, 3]), ("Anna", [2]), ("Eva", [150, 5]), ("Cor", [4]), ("Bram", [300, 1]),
        ("Eva", [6]), ("Fenna", [7]), ("Dirk", [400]),  # Dirk bought only before the window
    ]:  # fmt: skip
        customer = CustomerFactory(business=business, name=name)
        for day in days:
            PurchaseFactory(customer=customer, at=now - timedelta(days=day))

    with translation.override("en"):
        pages = [
            scorecard_rows(business=business, figure="repeat_rate", now=now, page=page)
            for page in range(1, 6)
        ]

    assert [[(name, cells[0]) for _id, name, cells in table.rows] for table in pages] == [
        [("Anna", "no, new"), ("Bram", "yes")],
        [("Cor", "no, new"), ("Eva", "yes")],
        [("Eva", "no, new"), ("Fenna", "no, new")],
        [("Gijs", "yes")],
        [],
    ]
    first_eva, second_eva = (pages[1].rows[1][0], pages[2].rows[0][0])
    assert first_eva < second_eva


def _share_of_rows(figure: str, table) -> float | None:
    """The figure as its rows add it up, read from what each row says it counts as."""
    cells = [cells for _id, _name, cells in table.rows]
    if figure == "promises":
        outcomes = [row[3] for row in cells]
        on_time = sum(outcome in ("kept on time", "kept early") for outcome in outcomes)
        return on_time / len(outcomes) if outcomes else None
    if figure == "nps":
        kinds = [row[2] for row in cells]
        return 100 * (kinds.count("promoter") - kinds.count("detractor")) / len(kinds)
    column = {"complaint_response": 3, "complaint_resolution": 3, "repeat_rate": 0}
    said = [row[column.get(figure, 3)] for row in cells]
    judged = [answer for answer in said if answer in ("yes", "no", "no, new")]
    return judged.count("yes") / len(judged) if judged else None


def test_both_sides_of_every_trend_open_to_rows_that_add_up_to_them(business):
    """The trend "+13 pts vs. the 90 days before" opened to nothing: the 90 days before had no
    rows, so only one side of the comparison could be checked."""
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))  # a Wednesday
    day = timedelta(days=1)
    anna, bram = (CustomerFactory(business=business, name=name) for name in ("Anna", "Bram"))
    for customer, days in [(anna, 300), (anna, 150), (bram, 150), (anna, 5), (bram, 10)]:
        PurchaseFactory(customer=customer, at=now - days * day)
    for due, done in [(120, 121), (100, 99), (130, None), (10, 11), (20, 20)]:
        PromiseFactory(
            customer=anna,
            made_at=now - (due + 5) * day,
            due_at=now - due * day,
            done_at=None if done is None else now - done * day + timedelta(hours=1),
        )
    answered = now - 120 * day  # a Friday
    ComplaintFactory(
        customer=anna,
        received_at=answered,
        first_response_at=answered + timedelta(minutes=30),
        resolved_at=answered + timedelta(hours=2),
    )
    late = now - 100 * day
    ComplaintFactory(customer=bram, received_at=late, first_response_at=late + 4 * day)
    ComplaintFactory(customer=bram, received_at=now - 20 * day, first_response_at=now - 19 * day)
    for days, nps in [(100, 10), (101, 3), (102, 8), (103, 9), (10, 10)]:
        SurveyResponseFactory(customer=anna, answered_at=now - days * day, nps=nps)
    for name, days, referred_by in [("Cor", 100, anna), ("Dirk", 120, None), ("Eva", 3, None)]:
        CustomerFactory(
            business=business,
            name=name,
            customer_since=(now - days * day).date(),
            referred_by=referred_by,
        )

    with translation.override("en"):
        card = customer_scorecard(business=business, now=now)
        for key in TRENDS:
            figure = _figure(card, key)
            last = scorecard_rows(business=business, figure=key, now=now)
            before = scorecard_rows(business=business, figure=key, now=now, before=True)

            assert _share_of_rows(key, last) == figure.last_90_days, key
            assert _share_of_rows(key, before) == figure.previous_90_days, key

    previous = {key: _figure(card, key).previous_90_days for key in sorted(TRENDS)}
    assert previous == {
        "complaint_resolution": 1 / 2,
        "complaint_response": 1 / 2,
        "nps": 25.0,
        # Kept a day early, kept a day late, and one left open: broken.
        "promises": 1 / 3,
        "referrals": 1 / 2,
        "repeat_rate": 1 / 2,
    }
    # The figures without a trend have no rows of the 90 days before.
    assert {figure.key for figure in card.figures if figure.change is not None} == TRENDS


def test_the_rows_of_the_90_days_before_say_so_and_judge_complaints_at_their_end(business):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    # Received an hour before the last 90 days began, and never answered: when those 90 days
    # ended, its time to answer was still running.
    ComplaintFactory(
        customer=CustomerFactory(business=business, name="Anna"),
        description="never answered",
        received_at=now - timedelta(days=90, hours=1),
    )

    with translation.override("en"):
        table = scorecard_rows(business=business, figure="complaint_response", now=now, before=True)
        figure = _figure(customer_scorecard(business=business, now=now), "complaint_response")

    assert table.title == "Complaints received in the 90 days before the last 90"
    assert [cells[3] for _id, _name, cells in table.rows] == [
        "not judged: its time was still running when these 90 days ended"
    ]
    assert table.summary == (
        "1 complaint is not judged: its time was still running when these 90 days ended."
    )
    assert figure.previous_90_days is None


def test_the_returning_customers_are_counted_only_over_a_window_the_absences_can_tell(business):
    now = timezone.now()

    with pytest.raises(ValueError, match="shorter than the absences kept"):
        repeat_counts(business, now - ABSENCE_KEPT_FROM, now)
    assert repeat_counts(business, now - ABSENCE_KEPT_FROM - timedelta(seconds=1), now) == {
        "buyers": 0,
        "returning": 0,
    }
    assert ABSENCE_KEPT_FROM + timedelta(days=1) < WINDOW


# 20 promoters, 10 passives, 10 detractors: NPS 25, SE 100 * sqrt(0.6875 / 40) = 13.1101.
FORTY_AT_25 = [10] * 20 + [8] * 10 + [3] * 10


def _answers_on(customer, now, days, scores):
    for score in scores:
        SurveyResponseFactory(
            customer=customer, answered_at=now - timedelta(days=days), nps=score, comment=""
        )


@pytest.mark.parametrize(
    ("before", "change", "margin", "within"),
    [
        # 16 promoters, 14 passives, 10 detractors before: NPS 15, SE 12.5250. The change of
        # +10 is within 1.959964 * sqrt(13.1101^2 + 12.5250^2) = 35.5370: chance may make it.
        ([10] * 16 + [8] * 14 + [3] * 10, 10.0, 35.537017, True),
        # 10 promoters, 10 passives, 20 detractors before: NPS -25, SE 13.1101 as now. The
        # change of +50 is beyond 1.959964 * sqrt(2) * 13.1101 = 36.3387: a rise.
        ([10] * 10 + [8] * 10 + [3] * 20, 50.0, 36.338705, False),
    ],
)
def test_an_nps_change_within_its_margin_of_error_is_no_rise_or_fall(
    business, before, change, margin, within
):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    customer = CustomerFactory(business=business)
    _answers_on(customer, now, 10, FORTY_AT_25)
    _answers_on(customer, now, 100, before)

    figure = _figure(customer_scorecard(business=business, now=now), "nps")

    assert figure.value == 25.0
    assert figure.change == pytest.approx(change)
    assert figure.change_margin == pytest.approx(margin, abs=1e-6)
    assert figure.change_within_margin is within


def test_a_change_without_a_margin_is_a_change_and_other_figures_have_none(business):
    """One answer in the 90 days before has no standard error: the margin is not known, and the
    change is shown as it is. Shares of customers carry one only with customers on both sides
    (share_change_margin); the other figures none."""
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    customer = CustomerFactory(business=business)
    _answers_on(customer, now, 10, FORTY_AT_25)
    _answers_on(customer, now, 100, [3])

    card = customer_scorecard(business=business, now=now)

    assert _figure(card, "nps").change == 125.0
    assert _figure(card, "nps").change_margin is None
    assert _figure(card, "nps").change_within_margin is False
    assert all(figure.change_margin is None for figure in card.figures if figure.key != "nps")


@pytest.mark.parametrize(
    ("counts", "margin"),
    [
        # "2 of 6" new customers through a referral against "1 of 5": 37.5% (3/8 adjusted) and
        # 28.6% (2/7), 1.959964 * sqrt(0.375 * 0.625 / 8 + 2/7 * 5/7 / 7) = 0.473855.
        ((2, 6, 1, 5), 0.473855),
        # None of five on either side: the plain interval said ± 0, this one does not.
        ((0, 5, 0, 5), 0.366599),
        # A hundred on each side narrows it to 13 points.
        ((60, 100, 30, 100), 0.130464),
        ((2, 6, 0, 0), None),
        ((0, 0, 1, 5), None),
    ],
)
def test_a_shares_change_has_agresti_and_caffos_margin(counts, margin):
    found = share_change_margin(*counts)

    assert found == (None if margin is None else pytest.approx(margin, abs=1e-6))


def test_a_referral_share_moved_by_two_customers_is_no_clear_change(business):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    anna = CustomerFactory(business=business, customer_since=date(2025, 1, 2))
    for days_ago, new, referred in ((30, 6, 2), (120, 5, 1)):
        since = (now - timedelta(days=days_ago)).date()
        for number in range(new):
            CustomerFactory(
                business=business,
                customer_since=since,
                referred_by=anna if number < referred else None,
                acquisition_channel="referral" if number < referred else "walk_in",
            )

    figure = _figure(customer_scorecard(business=business, now=now), "referrals")

    assert (figure.last_90_days, figure.previous_90_days) == (pytest.approx(2 / 6), 0.2)
    assert figure.change_margin == pytest.approx(0.473855, abs=1e-6)
    assert figure.change_within_margin is True


@pytest.mark.parametrize(
    ("counts", "bounds"),
    [
        # One case, missed: the plain interval says 0% +/- 0; Wilson's reaches 79%,
        # z^2 / (1 + z^2) with z = 1.959964; one case kept reaches down to 21%.
        ((0, 1), (0.0, 0.793451)),
        ((1, 1), (0.206549, 1.0)),
        ((1, 2), (0.094531, 0.905469)),
        ((21, 35), (0.435727, 0.744493)),
        ((140, 200), (0.633209, 0.759253)),
        ((5, 5), (0.565518, 1.0)),
        ((0, 0), (None, None)),
    ],
)
def test_a_shares_bounds_are_the_ends_of_wilsons_interval(counts, bounds):
    found = share_bounds(*counts)

    assert (found["lower_bound"], found["upper_bound"]) == tuple(
        None if bound is None else pytest.approx(bound, abs=1e-6) for bound in bounds
    )


def test_the_nps_bounds_are_its_score_and_margin_and_anything_below_thirty_answers():
    # Three detractors alike: a margin of 0, yet three answers tell nothing sure.
    three = nps_bounds(NpsSummary(answers=3, promoters=0, passives=0, detractors=3))
    assert three == {"lower_bound": -100.0, "upper_bound": 100.0}
    # 30 answers, 12 promoters and 6 detractors: +20, with a margin of
    # 1.959964 * 100 * sqrt((0.4 + 0.2 - 0.2 ** 2) / 30) = 26.778206 points.
    thirty = nps_bounds(NpsSummary(answers=30, promoters=12, passives=12, detractors=6))
    assert thirty == {
        "lower_bound": pytest.approx(-6.778206, abs=1e-6),
        "upper_bound": pytest.approx(46.778206, abs=1e-6),
    }
    none = nps_bounds(NpsSummary(answers=0, promoters=0, passives=0, detractors=0))
    assert none == {"lower_bound": None, "upper_bound": None}


@pytest.mark.parametrize(
    ("key", "value", "lower_bound", "light", "label"),
    [
        # One promoter: +100, and as truly anything down to -100.
        ("nps", 100.0, -100.0, "grey", "too few cases to be sure"),
        # Ten of ten promises kept: at least 72%, below the 75% of amber.
        ("promises", 1.0, 0.722467, "grey", "too few cases to be sure"),
        # Fifteen of fifteen: at least 80%, on target whatever chance did.
        ("promises", 1.0, 0.796117, "green", "on target"),
        # An NPS of 0 against +30 is below the target, not close to it.
        ("nps", 0.0, -20.0, "amber", "below the target"),
    ],
)
def test_a_figure_on_target_by_few_cases_says_they_are_too_few(
    key, value, lower_bound, light, label
):
    figure = Figure(key, key, value, "share", upper_bound=value, lower_bound=lower_bound)

    with translation.override("en"):
        assert (figure.light, figure.light_label) == (light, label)


def test_every_figure_on_target_but_one_on_too_few_cases_says_to_keep_recording():
    on_target = Figure("promises", "promises", 1.0, "share", lower_bound=0.9)
    one_answer = Figure("nps", "nps", 100.0, "points", lower_bound=-100.0)

    assert next_action_key([on_target], None, None) == "on_target"
    assert next_action_key([on_target, one_answer], None, None) == "on_target_few_cases"


def test_the_next_action_is_for_the_figure_surely_below_target_not_one_late_complaint(
    business,
):
    """One complaint answered four days late read 0% (4.5 amber bands short of 90%) and
    outweighed 21 of 35 promises kept on time (60%, 2 bands short): the complaint may be a 79%
    business, the promises are at most 74%, so the next action is about the promises, and the
    complaint figure is said to be passed over for its few cases."""
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    promises_and_late_complaints(business, now)

    with translation.override("en"):
        card = customer_scorecard(business=business, now=now)

    promises, response = _figure(card, "promises"), _figure(card, "complaint_response")
    assert (promises.value, promises.upper_bound) == (0.6, pytest.approx(0.744493, abs=1e-6))
    assert (response.value, response.upper_bound) == (0.0, pytest.approx(0.793451, abs=1e-6))
    assert (response.shortfall, promises.shortfall) == (pytest.approx(4.5), pytest.approx(2.0))
    assert card.weakest.key == "promises"
    assert card.passed_over.key == "complaint_response"
    assert card.next_action.startswith("Promise less, deliver more")


def test_with_enough_cases_the_figure_furthest_below_target_is_the_weakest(business):
    """The same shop with 20 complaints, all answered late: surely short, it is the weakest
    again and nothing is passed over."""
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    promises_and_late_complaints(business, now, complaints=20)

    card = customer_scorecard(business=business, now=now)

    assert card.weakest.key == "complaint_response"
    assert card.passed_over is None


def test_a_figure_on_target_is_no_weakness_were_it_the_only_one_measured(business):
    """The only figure measured, returning customers at 100%, was named the weakest and framed
    in red: with nothing below its target the next action is to measure the rest."""
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    anna = CustomerFactory(business=business, customer_since=date(2025, 1, 2))
    PurchaseFactory(customer=anna, at=now - timedelta(days=200))
    PurchaseFactory(customer=anna, at=now - timedelta(days=20))

    with translation.override("en"):
        card = customer_scorecard(business=business, now=now)

    repeat = _figure(card, "repeat_rate")
    # One of one is on target by its value, and as truly 21%: too few cases to say (grey).
    assert (repeat.value, repeat.light) == (1.0, "grey")
    assert (
        repeat.detail == "1 of 1 customer who bought in the last 90 days had been with you before"
    )
    assert (card.weakest, card.passed_over) == (None, None)
    assert card.next_action == (
        "Start measuring: record promises and complaints, and send the survey after a purchase."
    )


def test_on_the_first_day_one_customer_not_back_yet_is_not_a_red_weakness(business):
    """A salon's first day, one purchase: returning customers read 0% (0 of 1), red, "well
    below the target", and headed the page as the next action, while one customer may be a
    79% business. The light is grey, the figure passed over, and the action is to measure."""
    now = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    eva = CustomerFactory(business=business, customer_since=date(2026, 6, 10))
    PurchaseFactory(customer=eva, at=now - timedelta(hours=2))

    with translation.override("en"):
        card = customer_scorecard(business=business, now=now)
        repeat = _figure(card, "repeat_rate")
        label = repeat.light_label

    assert (repeat.value, repeat.upper_bound) == (0.0, pytest.approx(0.793451, abs=1e-6))
    assert (repeat.unsure, repeat.light, label) == (True, "grey", "too few cases to be sure")
    assert (card.weakest, card.passed_over) == (None, repeat)
    assert card.next_action == (
        "Start measuring: record promises and complaints, and send the survey after a purchase."
    )


def test_a_figure_below_target_on_few_cases_is_passed_over_not_the_weakest():
    def figure(key, value, upper_bound=None):
        return Figure(key, key, value, "share", upper_bound=upper_bound)

    on_target = figure("promises", 0.95)
    # 1 of 2 complaints answered in time: 50%, at most 91% (Wilson), the target 90%.
    unsure = figure("complaint_response", 0.5, upper_bound=0.905469)
    # 0 of 1: 0%, at most 79%, the target 50%.
    unsure_lower = figure("repeat_rate", 0.0, upper_bound=0.793451)
    # 21 of 35 promises kept: 60%, at most 74%, surely below 90%.
    sure = figure("promises", 0.6, upper_bound=0.744493)

    # 37 of 161 new customers referred: 23%, at most 30.1%, the target 30%: close to it
    # (amber) on many cases, but not surely below it either.
    close = figure("referrals", 0.23, upper_bound=0.301)

    assert (unsure.unsure, unsure.light, sure.unsure, sure.light) == (True, "grey", False, "red")
    assert (close.unsure, close.surely_below, close.light) == (False, False, "amber")
    assert weakest_figure([on_target, unsure]) == (None, unsure)
    assert weakest_figure([on_target, close]) == (None, close)
    assert weakest_figure([sure, close]) == (sure, None)
    # Passed over where it reads further below its target than the weakest: 4.5 amber bands
    # short against 2, not 2 against 2.
    assert weakest_figure([sure, unsure]) == (sure, None)
    assert weakest_figure([sure, unsure_lower]) == (sure, unsure_lower)
    # With every figure measured and none surely short: keep recording, not "on target".
    assert next_action_key([on_target, unsure], None, unsure) == "more_cases"
    assert next_action_key([on_target], None, None) == "on_target"
    assert next_action_key([on_target, figure("nps", None)], None, None) == "measure"
    assert next_action_key([sure, unsure_lower], sure, unsure_lower) == "promises"


def test_with_every_figure_on_target_none_is_the_weakest():
    def figure(key, value):
        return Figure(key, key, value, "share")

    on_target = [figure("promises", 0.95), figure("repeat_rate", 0.5)]

    assert weakest_figure(on_target) == (None, None)
    assert weakest_figure([*on_target, figure("referrals", 0.29)])[0].key == "referrals"
    assert weakest_figure([figure("nps", None)]) == (None, None)


def test_with_a_few_figures_left_to_measure_the_next_action_names_them_and_how():
    """A garage that had recorded a promise (due Thursday), a complaint and a survey read
    "Begin met meten: leg beloften en klachten vast…", an order to do what it had done."""

    def figure(key, label, value):
        return Figure(key, label, value, "share")

    measured = [
        figure("complaint_response", "Klachten binnen de norm beantwoord", 1.0),
        figure("complaint_resolution", "Klachten binnen de norm opgelost", 1.0),
        figure("nps", "Net Promoter Score", -100),
        figure("repeat_rate", "Terugkerende klanten", 0.9),
        figure("referrals", "Nieuwe klanten via een aanbeveling", 0.0),
    ]
    left = [
        figure("promises", "Beloften op tijd nagekomen", None),
        figure("aftercare", "Nazorg op tijd gedaan", None),
    ]

    assert measure_action([*measured, *left]) == (
        "Nog niet gemeten: “Beloften op tijd nagekomen”, “Nazorg op tijd gedaan”. Een belofte "
        "telt mee zodra ze is nagekomen of haar moment voorbij is: vink haar af als ze is "
        "nagekomen. Nazorg telt mee zodra ze gedaan is of haar dag voorbij is; Vandaag noemt ze."
    )
    new_shop = [figure(f.key, f.label, None) for f in [*measured, *left]]
    assert measure_action(new_shop) == (
        "Begin met meten: leg beloften en klachten vast, en stuur na een aankoop de enquête."
    )


@pytest.mark.parametrize(
    ("measured", "action"),
    [
        ((), "Begin met meten: leg beloften en klachten vast, en stuur na een aankoop de enquête."),
        (("nps", "drivers"), "Begin met meten: leg beloften en klachten vast."),
        (
            ("complaint_response", "complaint_resolution"),
            "Begin met meten: leg beloften vast, en stuur na een aankoop de enquête.",
        ),
        (
            ("complaint_response", "complaint_resolution", "nps", "drivers"),
            "Begin met meten: leg beloften vast.",
        ),
        (
            ("promises", "repeat_rate"),
            "Meet ook de rest: leg klachten vast zodra ze binnenkomen, en stuur na een aankoop "
            "de enquête.",
        ),
        (
            ("promises", "nps", "drivers"),
            "Meet ook de rest: leg klachten vast zodra ze binnenkomen.",
        ),
        (
            ("promises", "complaint_response", "complaint_resolution"),
            "Meet ook de rest: stuur na een aankoop de enquête.",
        ),
        # Of a complaint answered and not resolved yet, the complaints are begun.
        (
            ("promises", "complaint_response"),
            "Meet ook de rest: stuur na een aankoop de enquête.",
        ),
    ],
)
def test_where_to_begin_measuring_names_only_what_is_not_recorded_yet(measured, action):
    """An accountant's office that kept its deadlines as promises and bills as purchases, and
    had had no complaint, read "Begin met meten: leg beloften en klachten vast": an order to do
    what it did."""
    keys = [
        "promises",
        "complaint_response",
        "complaint_resolution",
        "aftercare",
        "nps",
        "drivers",
        "repeat_rate",
        "referrals",
    ]
    figures = [Figure(key, key, 0.9 if key in measured else None, "share") for key in keys]

    assert len([f for f in figures if not f.measured]) > 3
    assert measure_action(figures) == action


def test_the_survey_figures_left_to_measure_are_asked_for_once():
    """A salon read "invite customers after a purchase" twice in its next action, once for the
    score and once for the factors."""
    keys = ["promises", "complaint_response", "complaint_resolution", "aftercare", "nps"]
    figures = [
        Figure(key, label, 0.9 if key in keys[:4] else None, "share")
        for key, label in [
            *((key, key) for key in keys[:4]),
            ("nps", "Net Promoter Score"),
            ("drivers", "Tevredenheidsfactor om mee te beginnen"),
        ]
    ]

    assert measure_action(figures) == (
        "Nog niet gemeten: “Net Promoter Score”, “Tevredenheidsfactor om mee te beginnen”. De "
        "score en de factoren tellen de antwoorden op de enquête: nodig klanten uit na een "
        "aankoop."
    )
