"""The insight charts: promises counted per month of the business's time zone (broken ones
too), count axes."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone, translation

from klantvriend.complaints.selectors import complaint_register
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.insights.charts import (
    COMPLAINT_PERIOD,
    cohort_chart,
    complaint_chart,
    promise_chart,
    revenue_chart,
)
from klantvriend.insights.models import InsightRun
from klantvriend.insights.rows import scorecard_rows
from klantvriend.insights.services import _share_stored
from klantvriend.promises.selectors import period_bounds, promise_outcomes, promise_reliability
from klantvriend.promises.tests.factories import PromiseFactory


def _done(customer, *, done, due):
    return PromiseFactory(
        customer=customer, made_at=min(done, due) - timedelta(days=3), due_at=due, done_at=done
    )


def test_promise_chart_counts_per_month_of_the_business_time_zone(business, other_business):
    amsterdam = business.tzinfo
    now = datetime(2026, 4, 10, 12, 0, tzinfo=amsterdam)
    customer = CustomerFactory(business=business)

    def local(*args):
        return datetime(*args, tzinfo=amsterdam)

    # The last evening of January (22:30 UTC) is January; a quarter past midnight on 1 February
    # (still 31 January in UTC) is February, and late.
    _done(customer, done=local(2026, 1, 31, 23, 30), due=local(2026, 1, 31, 23, 59, 59))
    _done(customer, done=local(2026, 2, 1, 0, 15), due=local(2026, 1, 31, 23, 59, 59))
    # Summer time: the last evening of March is March.
    _done(customer, done=local(2026, 3, 31, 23, 45), due=local(2026, 4, 1, 12))
    # The first moment of the first month counts; the last one before it and one done after
    # now do not, and neither does another business's promise.
    _done(customer, done=local(2025, 5, 1), due=local(2025, 5, 2))
    _done(customer, done=local(2025, 4, 30, 23, 59), due=local(2025, 5, 2))
    _done(customer, done=now + timedelta(hours=1), due=now + timedelta(days=1))
    _done(
        CustomerFactory(business=other_business),
        done=local(2026, 1, 15, 12),
        due=local(2026, 1, 20),
    )

    with translation.override("nl"):
        chart = promise_chart(business, now)

    assert chart.labels == [
        *(f"{m} 2025" for m in ["mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]),
        *(f"{m} 2026" for m in ["jan", "feb", "mrt", "apr"]),
    ]
    (_, on_time, _), (_, late, _), (_, broken, _) = chart.series
    assert on_time == [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0]
    assert late == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    assert broken == [0] * 12
    assert chart.table_rows[0] == ["mei 2025", "1", "0", "0", "100%"]
    assert chart.table_rows[8:] == [
        ["jan 2026", "1", "0", "0", "100%"],
        ["feb 2026", "0", "1", "0", "0%"],
        ["mrt 2026", "1", "0", "0", "100%"],
        ["apr 2026", "0", "0", "0", "—"],
    ]
    # The promise list of a month, which the month's cells open to, counts the same: the
    # quarter past midnight in February, not in January.
    for month, counts in ((date(2026, 1, 1), (1, 0, 0)), (date(2026, 2, 1), (0, 1, 0))):
        tally = promise_outcomes(business=business, month=month, now=now).tally
        assert (tally.on_time, tally.late, tally.broken) == counts


def test_month_axes_name_the_year_once_and_at_each_new_year():
    from klantvriend.insights.charts import month_axis

    labels = ["nov 2025", "dec 2025", "jan 2026", "feb 2026"]

    assert month_axis(labels) == ["nov\n2025", "dec", "jan\n2026", "feb"]


def test_a_broken_promise_counts_against_the_month_it_was_broken_in(business):
    amsterdam = business.tzinfo
    now = datetime(2026, 4, 10, 12, 0, tzinfo=amsterdam)
    customer = CustomerFactory(business=business)
    _done(
        customer,
        done=datetime(2026, 3, 2, 10, tzinfo=amsterdam),
        due=datetime(2026, 3, 3, tzinfo=amsterdam),
    )
    _done(
        customer,
        done=datetime(2026, 3, 9, 10, tzinfo=amsterdam),
        due=datetime(2026, 3, 9, 12, tzinfo=amsterdam),
    )
    # Never done: broken when the day of grace ran out, on 13 March.
    PromiseFactory(
        customer=customer,
        made_at=datetime(2026, 3, 10, tzinfo=amsterdam),
        due_at=datetime(2026, 3, 12, 9, tzinfo=amsterdam),
    )
    # Cancelled on 20 March, five days after it was due: broken then.
    PromiseFactory(
        customer=customer,
        made_at=datetime(2026, 3, 10, tzinfo=amsterdam),
        due_at=datetime(2026, 3, 15, 9, tzinfo=amsterdam),
        cancelled_at=datetime(2026, 3, 20, 9, tzinfo=amsterdam),
    )
    # Due on the last evening of March; its grace ran out on 1 April.
    PromiseFactory(
        customer=customer,
        made_at=datetime(2026, 3, 20, tzinfo=amsterdam),
        due_at=datetime(2026, 3, 31, 20, tzinfo=amsterdam),
    )

    with translation.override("nl"):
        chart = promise_chart(business, now)

    (_, on_time, _), (_, late, _), (_, broken, _) = chart.series
    assert (on_time[-2:], late[-2:], broken[-2:]) == ([2, 0], [0, 0], [2, 1])
    assert chart.table_rows[-2:] == [
        ["mrt 2026", "2", "0", "2", "50%"],
        ["apr 2026", "0", "0", "1", "0%"],
    ]
    assert promise_reliability(business=business, now=now).overall.kept_on_time_share == 2 / 5
    # Each month's cells open to the promise list of that month, which counts the same.
    tallies = [
        promise_outcomes(business=business, month=date(2026, month, 1), now=now).tally
        for month in (3, 4)
    ]
    assert [(t.on_time, t.late, t.broken, t.judged) for t in tallies] == [
        (2, 0, 2, 4),
        (0, 0, 1, 1),
    ]
    assert chart.row_keys[-2:] == ["2026-03-01", "2026-04-01"]


def test_complaints_answered_on_the_spot_have_a_bar_and_a_word_of_their_own(business):
    now = timezone.now()
    customer = CustomerFactory(business=business)
    received = now - timedelta(days=2)
    ComplaintFactory(customer=customer, received_at=received, first_response_at=received)
    ComplaintFactory(customer=customer, received_at=received, first_response_at=received)
    ComplaintFactory(
        customer=customer, received_at=received, first_response_at=received + timedelta(minutes=30)
    )
    ComplaintFactory(
        customer=customer, received_at=received, first_response_at=received + timedelta(hours=5)
    )

    with translation.override("en"):
        chart = complaint_chart(business, now)
        rows = scorecard_rows(business=business, figure="complaint_response", now=now)
    with translation.override("nl"):
        dutch = complaint_chart(business, now)

    # The hours written out, as the scorecard's sentences write them.
    assert chart.table_rows == [
        ["on the spot", "2"],
        ["0–1 hours", "1"],
        ["1–4 hours", "0"],
        ["4–8 hours", "1"],
        ["8–24 hours", "0"],
        ["24–72 hours", "0"],
        ["72 hours or more", "0"],
        ["not answered yet", "0"],
    ]
    assert dutch.labels == [
        "ter plekke",
        "0–1 uur",
        "1–4 uur",
        "4–8 uur",
        "8–24 uur",
        "24–72 uur",
        "72 uur of meer",
        "nog niet beantwoord",
    ]
    assert sorted(cells[2] for _id, _name, cells in rows.rows)[-2:] == [
        "on the spot",
        "on the spot",
    ]


def test_each_first_response_bar_opens_to_the_complaints_it_counts(business, other_business):
    now = timezone.now()
    customer = CustomerFactory(business=business)
    received = now - timedelta(days=30)

    def answered_after(span, *, at=received, who=customer):
        return ComplaintFactory(customer=who, received_at=at, first_response_at=at + span)

    answered_after(timedelta(0))
    # The edges: a second before the hour is within it, the hour itself in the next range.
    answered_after(timedelta(minutes=59, seconds=59))
    answered_after(timedelta(hours=1))
    answered_after(timedelta(hours=3, minutes=59))
    answered_after(timedelta(hours=23))
    answered_after(timedelta(hours=72))
    answered_after(timedelta(days=9))
    # Not answered yet: in the last bar, red, as Today counts it among those waiting
    ComplaintFactory(customer=customer, received_at=received)
    # Received before the 12 months, or another shop's: in no bar.
    answered_after(timedelta(hours=2), at=now - timedelta(days=366))
    answered_after(timedelta(hours=2), who=CustomerFactory(business=other_business))

    with translation.override("en"):
        chart = complaint_chart(business, now)

    assert chart.row_keys == [
        "on_the_spot",
        "0-1",
        "1-4",
        "4-8",
        "8-24",
        "24-72",
        "72-",
        "waiting",
    ]
    assert [cells[1] for cells in chart.table_rows] == ["1", "1", "2", "0", "1", "0", "2", "1"]
    assert [(css, values) for _name, values, css in chart.series] == [
        ("complaints", [1, 1, 2, 0, 1, 0, 2, 0]),
        ("waiting", [0, 0, 0, 0, 0, 0, 0, 1]),
    ]
    # The complaint list of the chart's 12 months, filtered to each bar, holds its complaints.
    since, _until = period_bounds(period=COMPLAINT_PERIOD, now=now)
    listed = [
        complaint_register(business=business, since=since, response=key).tally.total
        for key in chart.row_keys
    ]
    assert listed == [1, 1, 2, 0, 1, 0, 2, 1]


def test_a_cohort_of_thousands_keeps_one_customer_visible_in_its_shares():
    """A month of 25,000 new customers of whom all but one came back read "100%", and one of them
    "0%": the shares were stored to four decimals, 24,999 / 25,000 = 0.99996 as 1.0."""
    figures = {
        "cohorts": {
            "cohorts": ["2026-01"],
            "sizes": [25_000],
            "shares": [
                [_share_stored(v) for v in (24_999 / 25_000, 1 / 25_000, 1.0, float("nan"))]
            ],
        }
    }

    with translation.override("en"):
        chart = cohort_chart(InsightRun(figures=figures))

    assert figures["cohorts"]["shares"] == [[0.99996, 0.00004, 1.0, None]]
    assert chart.table_rows == [["Jan 2026", "25,000", ">99%", "<1%", "100%", ""]]


def _cohorts(sizes: list[int], shares: list[list]) -> InsightRun:
    months = [f"2026-{month:02d}" for month in range(9, 9 + len(sizes))]
    return InsightRun(figures={"cohorts": {"cohorts": months, "sizes": sizes, "shares": shares}})


def test_the_cohort_chart_says_why_its_newest_cells_are_empty():
    """On 1 December the cohort of October has its November share only, those of November and
    December none: months not over yet, not months without a customer coming back."""
    run = _cohorts([40, 30, 20, 5], [[0.5, 0.4, None], [0.3, None, None], [None] * 3, [None] * 3])

    with translation.override("en"):
        english = cohort_chart(run).note
    with translation.override("nl"):
        dutch = cohort_chart(run).note

    assert english == (
        "Empty cells are months not over yet: a month's share is known once it has ended, so the "
        "newest cohorts have fewer figures. The cohorts of Nov 2026, Dec 2026 have none yet."
    )
    assert dutch == (
        "Lege vakjes zijn maanden die nog niet om zijn: het aandeel van een maand is bekend als "
        "die voorbij is, dus de nieuwste cohorten hebben minder cijfers. De cohorten van "
        "nov 2026, dec 2026 hebben er nog geen."
    )


def test_the_cohort_chart_names_a_cohort_without_figures_apart_from_one_without_customers():
    # A cohort of no customers is empty because it has none, not because its months are to
    # come: its size of 0 alone left a restaurant reading it as the latter.
    one = _cohorts([40, 0, 20], [[0.5, 0.4, None], [None] * 3, [None] * 3])
    full = _cohorts([40, 0], [[0.5, 0.4], [None, None]])

    with translation.override("en"):
        assert cohort_chart(one).note.endswith(
            " The cohort of Nov 2026 has none yet. No new customer came in Oct 2026: its row "
            "stays empty."
        )
        assert cohort_chart(full).note == "No new customer came in Oct 2026: its row stays empty."


def _revenue_run(totals_cents):
    months = [f"2026-{number:02d}" for number in range(1, len(totals_cents) + 1)]
    figures = {
        "monthly_revenue": {
            "months": months,
            "new_cents": [0] * len(months),
            "returning_cents": totals_cents,
        }
    }
    return InsightRun(figures=figures)


@pytest.mark.parametrize(
    ("totals", "note"),
    [
        # No purchases on record before April; October (the last full month) against the six
        # months with revenue before it; November is still under way.
        (
            [0, 0, 0, 1000000, 1000000, 1100000, 900000, 1000000, 1000000, 650000, 300000],
            "De laatste volle maand, okt 2026: € 6.500, 35% minder dan het gemiddelde van de "
            "maanden ervoor (€ 10.000).",
        ),
        (
            [1000000, 1000000, 1000000, 1200000, 10000],
            "De laatste volle maand, apr 2026: € 12.000, 20% meer dan het gemiddelde van de "
            "maanden ervoor (€ 10.000).",
        ),
        (
            [1000000, 1000000, 1000000, 1040000, 10000],
            "De laatste volle maand, apr 2026: € 10.400, ongeveer het gemiddelde van de maanden "
            "ervoor (€ 10.000).",
        ),
        # Two months before it are too few to judge by
        ([0, 1000000, 1000000, 650000, 10000], None),
        # A month without sales after the first counts as the nothing it earned: left out,
        # March and June made July "100% more" than an average they had lowered
        (
            [0, 900000, 0, 900000, 900000, 0, 1800000, 10000],
            "De laatste volle maand, jul 2026: € 18.000, 233% meer dan het gemiddelde van de "
            "maanden ervoor (€ 5.400).",
        ),
    ],
)
def test_the_revenue_chart_says_how_the_last_full_month_compares(totals, note):
    with translation.override("nl"):
        chart = revenue_chart(_revenue_run(totals))

    # Amounts are written with a no-break space after the euro sign
    assert (chart.note is None) == (note is None)
    assert (chart.note or "").replace("\u00a0", " ") == (note or "")


def test_the_cohort_chart_names_the_months_without_new_customers():
    """A restaurant's rows of May to July were empty: no new guest started then, while the note
    said empty cells are months not over yet."""
    run = _cohorts([40, 0, 0, 5], [[0.5, 0.4, 0.3], [None] * 3, [None] * 3, [0.2, None, None]])

    with translation.override("nl"):
        note = cohort_chart(run).note

    assert note.endswith(
        "In okt 2026, nov 2026 kwamen geen nieuwe klanten: hun rijen blijven leeg."
    )
