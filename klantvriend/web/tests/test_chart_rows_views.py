"""Every figure of the charts page and the gestures page opens to the rows it is made of, and
those rows add up to it exactly: the promise list of a month, the complaint list of a response
time, and the figure rows of the revenue, cohorts, value ranges and gestures."""

import datetime as dt
import re

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.accounts import account_language_set
from klantvriend.customers.models import Purchase
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures.models import Gesture, Occasion
from klantvriend.insights.models import InsightRun
from klantvriend.insights.monthly import cohort, month_revenue
from klantvriend.insights.services import insights_refresh
from klantvriend.insights.tests.factories import butcher_history
from klantvriend.promises.tests.factories import PromiseFactory


def _links(html: str, testid: str) -> list[str]:
    section = html.split(f'data-testid="{testid}"')[1].split("</section>")[0]
    return [link.replace("&amp;", "&") for link in re.findall(r'<a href="([^"]+)"', section)]


def _buy(business, customer, at, cents=2500):
    return Purchase.objects.create(
        business=business, customer=customer, amount_cents=cents, currency="EUR", at=at
    )


def test_each_gesture_figure_opens_to_its_gestures_and_what_their_customers_bought(
    owner_client, business, owner
):
    now = timezone.now()
    anna, bert, cor, dirk = (
        CustomerFactory(business=business, name=name) for name in ("Anna", "Bert", "Cor", "Dirk")
    )
    # At midday where the shop is: the purchase an hour after the gesture stays on its day at
    # any hour the test runs (200 days before 21:40 UTC is 23:40 in summer time in Amsterdam).
    given = business.start_of(business.today() - dt.timedelta(days=200)) + dt.timedelta(hours=12)
    for customer, what in ((anna, "Taart"), (bert, "Bloemen")):
        Gesture.objects.create(
            business=business,
            customer=customer,
            what=what,
            occasion=Occasion.BIRTHDAY,
            value_cents=1000,
            given_at=given,
            given_by=owner,
        )
    # Anna bought 10 days before and twice after (€ 25 and € 15), Bert only after (€ 40);
    # the day of the gesture counts in neither window, nor does a purchase 100 days after.
    _buy(business, anna, given - dt.timedelta(days=10))
    _buy(business, anna, given + dt.timedelta(days=5))
    _buy(business, anna, given + dt.timedelta(days=6), 1500)
    _buy(business, bert, given + dt.timedelta(days=30), 4000)
    _buy(business, bert, given + dt.timedelta(hours=1), 9900)
    _buy(business, bert, given + dt.timedelta(days=100), 9900)
    # A complaint resolved without a gesture: Cor bought nothing around it.
    ComplaintFactory(
        customer=cor,
        received_at=given - dt.timedelta(days=2),
        first_response_at=given - dt.timedelta(days=2),
        resolved_at=given,
    )
    _buy(business, cor, given - dt.timedelta(days=150))
    _buy(business, dirk, now - dt.timedelta(days=3))
    insights_refresh(business=business)

    page = owner_client.get(reverse("web:insights_gestures")).content.decode()
    birthday = page.split('data-testid="effect-birthday"')[1].split("</tr>")[0]
    assert re.findall(r">([^<>]+)</a></td>", birthday)[1:] == [
        "50%",
        "100%",
        "€\u00a012,50",
        "€\u00a040,00",
    ]
    links = set(re.findall(r'href="([^"]*figure=gestures[^"]*)"', birthday))
    assert links == {
        "/insights/scorecard/rows/?figure=gestures&amp;part=birthday&amp;from=gestures"
    }
    rows = owner_client.get(links.pop().replace("&amp;", "&"))
    table = rows.context["table"]
    assert table.total == 2
    # Given at the same moment: the one logged last first.
    assert [(name, cells[1:]) for _id, name, cells in table.rows] == [
        ("Bert", ["Bloemen", "nee", "€\u00a00,00", "ja", "€\u00a040,00"]),
        ("Anna", ["Taart", "ja", "€\u00a025,00", "ja", "€\u00a040,00"]),
    ]
    assert "bij 1 ervan (50%) kocht de klant iets in de 90 dagen ervoor" in table.summary
    assert "bij 2 (100%) in de 90 dagen erna" in table.summary
    assert "Samen besteed: €\u00a025,00 ervoor, €\u00a080,00 erna" in table.summary
    assert "gemiddeld €\u00a012,50 en €\u00a040,00 per attentie" in table.summary
    assert 'href="/insights/gestures/"' in rows.content.decode()

    without = page.split('data-testid="effect-complaints-without-gesture"')[1].split("</tr>")[0]
    assert re.findall(r">([^<>]+)</a></td>", without) == [
        "1",
        "0%",
        "0%",
        "€\u00a00,00",
        "€\u00a00,00",
    ]
    compared = owner_client.get(
        reverse("web:insights_scorecard_rows"), {"figure": "gestures", "part": "without"}
    ).context["table"]
    assert compared.total == 1
    assert [(name, cells[2:]) for _id, name, cells in compared.rows] == [
        ("Cor", ["nee", "€\u00a00,00", "nee", "€\u00a00,00"])
    ]
    # A part no figure has is not found.
    missing = owner_client.get(
        reverse("web:insights_scorecard_rows"), {"figure": "gestures", "part": "nope"}
    )
    assert missing.status_code == 404


def _anna_bert_and_cor(business, month):
    """Anna's first day is the 3rd of `month` (two purchases), she comes back on the 20th; Bert
    bought the month before; Cor's first purchase is a quarter past midnight on the 1st, local
    time (still the month before in UTC)."""
    amsterdam = business.tzinfo
    anna, bert, cor = (
        CustomerFactory(business=business, name=name) for name in ("Anna", "Bert", "Cor")
    )

    def local(day, hour=12):
        return dt.datetime.combine(month + dt.timedelta(days=day), dt.time(hour), amsterdam)

    _buy(business, anna, local(2), 1000)
    _buy(business, anna, local(2, 17), 500)
    _buy(business, anna, local(19), 700)
    _buy(business, bert, local(-10), 9900)
    _buy(business, bert, local(4), 2000)
    _buy(business, cor, dt.datetime.combine(month, dt.time(0, 15), amsterdam), 300)
    return anna, bert, cor


def test_a_months_revenue_opens_to_its_customers_split_by_their_first_day(owner_client, business):
    amsterdam = business.tzinfo
    now = timezone.now()
    month = (now.astimezone(amsterdam).date().replace(day=1) - dt.timedelta(days=40)).replace(day=1)
    _anna_bert_and_cor(business, month)
    insights_refresh(business=business)

    page = owner_client.get(reverse("web:insights_charts")).content.decode()
    label = f"{month:%Y-%m}-01"
    links = [link for link in _links(page, "chart-revenue") if f"month={label}" in link]
    assert links == [
        f"/insights/scorecard/rows/?figure=revenue&month={label}&part=returning&from=charts",
        f"/insights/scorecard/rows/?figure=revenue&month={label}&part=new&from=charts",
        f"/insights/scorecard/rows/?figure=revenue&month={label}&part=&from=charts",
    ]
    row = page.split(f'href="{links[0].replace("&", "&amp;")}">')[1].split("</tr>")[0]
    assert re.findall(r">([^<>]+)</a>", ">" + row) == ["€\u00a027", "€\u00a018", "60%"]

    returning = owner_client.get(links[0]).context["table"]
    new = owner_client.get(links[1]).context["table"]
    every = owner_client.get(links[2]).context["table"]
    assert [(name, cells) for _id, name, cells in returning.rows] == [
        ("Bert", ["1", "€\u00a00,00", "€\u00a020,00"]),
        ("Anna", ["3", "€\u00a015,00", "€\u00a07,00"]),
    ]
    assert [(name, cells) for _id, name, cells in new.rows] == [
        ("Anna", ["3", "€\u00a015,00", "€\u00a07,00"]),
        ("Cor", ["1", "€\u00a03,00", "€\u00a00,00"]),
    ]
    assert (returning.total, new.total, every.total) == (2, 2, 3)
    assert every.summary == (
        f"In {date_format(month, 'F Y')} kochten 3 klanten voor €\u00a045,00: €\u00a027,00 "
        "van klanten die al op een eerdere dag kochten of in een eerdere maand al klant waren, "
        "€\u00a018,00 op de eerste dag van 2 nieuwe klanten. Aandeel terugkerend: 60%."
    )


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        ("nl", "Aandeel terugkerend: >99%."),
        ("en", "Share returning: >99%."),
    ],
)
def test_a_month_with_199_of_200_cents_from_returning_customers_does_not_read_100_percent(
    owner_client, owner, business, language, summary
):
    """Whole rounding wrote "100%" for it: a shopkeeper read "all from returning customers"
    in a month with a new customer in it."""
    amsterdam = business.tzinfo
    now = timezone.now()
    month = (now.astimezone(amsterdam).date().replace(day=1) - dt.timedelta(days=40)).replace(day=1)
    anna = CustomerFactory(business=business, name="Anna")
    _buy(business, anna, dt.datetime.combine(month - dt.timedelta(days=10), dt.time(12), amsterdam))
    _buy(
        business,
        anna,
        dt.datetime.combine(month + dt.timedelta(days=3), dt.time(12), amsterdam),
        19900,
    )
    bert = CustomerFactory(business=business, name="Bert")
    _buy(
        business,
        bert,
        dt.datetime.combine(month + dt.timedelta(days=4), dt.time(12), amsterdam),
        100,
    )
    insights_refresh(business=business)
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:insights_charts")).content.decode()
    label = f"{month:%Y-%m}-01"
    every = next(link for link in _links(page, "chart-revenue") if f"month={label}&part=&" in link)
    row = page.split(f'href="{every.replace("&", "&amp;")}">')[1].split("</tr>")[0]
    assert re.findall(r">([^<>]+)</a>", ">" + row)[-1] == "&gt;99%"
    assert "100%" not in page.split('data-testid="chart-revenue"')[1].split("</section>")[0]

    rows = owner_client.get(every).context["table"]
    assert rows.summary.endswith(summary)


def test_a_months_new_customers_are_found_by_the_first_day_their_insight_keeps(business):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from klantvriend.insights.models import CustomerInsight
    from klantvriend.insights.services import customer_insight_recompute

    amsterdam = business.tzinfo
    now = timezone.now()
    month = (now.astimezone(amsterdam).date().replace(day=1) - dt.timedelta(days=70)).replace(day=1)
    anna, bert, cor = _anna_bert_and_cor(business, month)
    # The month after: Anna came back.
    _buy(
        business,
        anna,
        dt.datetime.combine(month + dt.timedelta(days=45), dt.time(12), amsterdam),
        800,
    )
    run = insights_refresh(business=business)
    kept = dict(
        CustomerInsight.objects.filter(business=business).values_list(
            "customer_id", "first_purchase_day"
        )
    )
    assert kept == {
        anna.pk: month + dt.timedelta(days=2),
        bert.pk: month - dt.timedelta(days=10),
        cor.pk: month,
    }
    figures = run.figures
    position = figures["monthly_revenue"]["months"].index(f"{month:%Y-%m}")
    cohort_position = figures["cohorts"]["cohorts"].index(f"{month:%Y-%m}")

    def read():
        with CaptureQueriesContext(connection) as queries:
            revenue = month_revenue(business=business, run=run, month=month)
            members = cohort(business=business, run=run, month=month)
        return revenue, members, len(queries)

    revenue, members, queries = read()
    # The first days' spend as new, the rest of the month as returning: the figure's split.
    assert revenue.customer_ids.tolist() == [anna.pk, bert.pk, cor.pk]
    assert revenue.purchases.tolist() == [3, 1, 1]
    assert revenue.new_cents.tolist() == [1500, 0, 300]
    assert revenue.returning_cents.tolist() == [700, 2000, 0]
    assert figures["monthly_revenue"]["new_cents"][position] == 1800
    assert figures["monthly_revenue"]["returning_cents"][position] == 2700
    assert members.customer_ids.tolist() == [anna.pk, cor.pk]
    assert members.bought[0].tolist() == [True, False]
    assert members.shares[0] == figures["cohorts"]["shares"][cohort_position][0] == 0.5
    # Whether the first days are kept, a month's buyers and a cohort's members summed by
    # the database: as many queries whatever the number of customers.
    assert queries == 5

    # Rows of a refresh from before the first days were kept: found from the purchases, alike.
    CustomerInsight.objects.filter(business=business, customer=bert).update(first_purchase_day=None)
    before, before_members, queries = read()
    for field in ("customer_ids", "purchases", "new_cents", "returning_cents"):
        assert getattr(before, field).tolist() == getattr(revenue, field).tolist()
    assert before_members.customer_ids.tolist() == [anna.pk, cor.pk]
    assert before_members.bought[0].tolist() == [True, False]
    # Two more: the month's first-time buyers who were customers in an earlier month, for the
    # revenue and for the cohort.
    assert queries == 8

    # One customer's insight computed again (after a merge) keeps the first day as well.
    assert customer_insight_recompute(business=business, customer_id=bert.pk) is not None
    assert CustomerInsight.objects.get(customer=bert).first_purchase_day == month - dt.timedelta(
        days=10
    )


def test_every_chart_cell_opens_to_rows_that_add_up_to_it(owner_client, business):
    customers, _ids = butcher_history(business)
    now = timezone.now()
    customer = customers[0]
    # Promises and complaints of the last months, for their charts' links.
    PromiseFactory(
        customer=customer,
        made_at=now - dt.timedelta(days=40),
        due_at=now - dt.timedelta(days=35),
        done_at=now - dt.timedelta(days=36),
    )
    PromiseFactory(
        customer=customer, made_at=now - dt.timedelta(days=40), due_at=now - dt.timedelta(days=20)
    )
    received = now - dt.timedelta(days=20)
    ComplaintFactory(customer=customer, received_at=received)  # still waiting
    ComplaintFactory(customer=customer, received_at=received, first_response_at=received)
    ComplaintFactory(
        customer=customer,
        received_at=received,
        first_response_at=received + dt.timedelta(hours=5),
    )
    run = insights_refresh(business=business)
    figures = run.figures

    response = owner_client.get(reverse("web:insights_charts"))
    charts = {chart.key: (chart, table) for chart, table in response.context["charts"]}

    def opened(link):
        page = owner_client.get(link)
        assert page.status_code == 200
        return page.context

    # Revenue: each month's new and returning revenue is its customers' of that kind.
    months = figures["monthly_revenue"]
    for index, (month, row) in enumerate(zip(months["months"], charts["revenue"][1], strict=True)):
        data = month_revenue(business=business, run=run, month=dt.date.fromisoformat(f"{month}-01"))
        assert int(data.returning_cents.sum()) == months["returning_cents"][index]
        assert int(data.new_cents.sum()) == months["new_cents"][index]
        table = opened(row[1][1])["table"]
        assert table.total == int(np.count_nonzero(data.returning_cents))
    # Cohorts: each cohort's customers are its size, those who bought again its shares.
    cohorts = figures["cohorts"]
    for index, (month, row) in enumerate(
        zip(cohorts["cohorts"], charts["cohorts"][1], strict=True)
    ):
        table = opened(row[1][1])["table"]
        assert table.total == cohorts["sizes"][index]
        data = cohort(business=business, run=run, month=dt.date.fromisoformat(f"{month}-01"))
        for period, share in enumerate(cohorts["shares"][index]):
            if share is None:
                assert data.bought[period] is None
                assert row[period + 2] == ("", "")
            else:
                assert round(data.bought[period].sum() / table.total, 4) == share
    # The value chart: each range's customers are its count.
    counts = figures["value_distribution"]["counts"]
    assert sum(counts) == 60
    assert [opened(row[1][1])["table"].total for row in charts["value"][1]] == counts
    # Promises per month, and first responses: the lists filtered to each cell.
    for row in charts["promises"][1]:
        tallied = opened(row[1][1])["tally"]
        assert [tallied.on_time, tallied.late, tallied.broken] == [
            int(cell.replace(".", "")) for cell, _link in row[1:4]
        ]
        assert opened(row[4][1])["page"].paginator.count == tallied.judged
    assert [opened(row[1][1])["page"].paginator.count for row in charts["complaints"][1]] == [
        int(cell) for _label, (cell, _link) in charts["complaints"][1]
    ]
    assert [int(cell) for _label, (cell, _link) in charts["complaints"][1]] == [
        1,
        0,
        0,
        1,
        0,
        0,
        0,
        1,
    ]


def test_the_rows_the_charts_and_gestures_open_to_do_not_grow_in_queries_with_data(
    owner_client, business, owner
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    now = timezone.now()
    month = (now.astimezone(business.tzinfo).date().replace(day=1) - dt.timedelta(days=40)).replace(
        day=1
    )
    rows = reverse("web:insights_scorecard_rows")
    urls = [
        reverse("web:insights_gestures"),
        f"{rows}?figure=revenue&month={month}&part=new",
        f"{rows}?figure=revenue&month={month}",
        f"{rows}?figure=cohort&month={month}",
        "the value chart's fullest bar",
        f"{rows}?figure=gestures&part=birthday",
        f"{rows}?figure=gestures&part=without",
        f"{reverse('web:promise_list')}?month={month}&outcome=on_time",
        f"{reverse('web:complaint_list')}?period=12m&response=1-4",
    ]

    def more(regulars, passers_by, seed):
        customers, _ids = butcher_history(
            business, regulars=regulars, passers_by=passers_by, seed=seed
        )
        # A newcomer in the month at either size: whether the generated history has one there
        # depends on the day the test runs, and a page with none reads no rows of them.
        newcomer = CustomerFactory(business=business, name=f"Nieuw {seed}", customer_since=month)
        Purchase.objects.create(
            business=business,
            customer=newcomer,
            at=dt.datetime.combine(month + dt.timedelta(days=9), dt.time(11), tzinfo=dt.UTC),
            amount_cents=2500,
        )
        for customer in customers[:: max(1, len(customers) // 5)]:
            given = now - dt.timedelta(days=150)
            Gesture.objects.create(
                business=business,
                customer=customer,
                what="Taart",
                occasion=Occasion.BIRTHDAY,
                given_at=given,
                given_by=owner,
            )
            ComplaintFactory(
                customer=customer,
                received_at=given,
                first_response_at=given + dt.timedelta(hours=2),
                resolved_at=given + dt.timedelta(days=1),
            )
            PromiseFactory(
                customer=customer,
                made_at=now - dt.timedelta(days=60),
                due_at=now - dt.timedelta(days=40),
                done_at=now - dt.timedelta(days=41),
            )
        insights_refresh(business=business)

    def counted() -> list[int]:
        counts = []
        # The value chart's bars widen with the values (clv.figures.value_distribution): the
        # bar whose rows are read is one that has some, whatever the data's scale.
        value_counts = (
            InsightRun.objects.filter(business=business).latest("id").figures["value_distribution"]
        )
        fullest = max(range(len(value_counts["counts"])), key=value_counts["counts"].__getitem__)
        for url in urls:
            if url == "the value chart's fullest bar":
                url = f"{rows}?figure=value&part={fullest}"
            with CaptureQueriesContext(connection) as queries:
                assert owner_client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    more(10, 5, 2)
    small = counted()
    more(40, 30, 5)
    assert counted() == small
