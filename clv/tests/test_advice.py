"""The attention advisor: a tourist restaurant is a stream business, a neighbourhood butcher a
relationship business, and the thresholds in between decide exactly as docs/advisor.md says."""

import re

import numpy as np
import pytest

from clv.advice import (
    FIRM_MIN_HISTORY_DAYS,
    RELATIONSHIP_CUSTOMER_SHARE,
    RELATIONSHIP_REVENUE_SHARE,
    STREAM_REVENUE_SHARE,
    Footing,
    advice_footing,
    attention_advice,
    footing_note,
    top_count,
    top_share,
    verdict_for,
)
from clv.money import format_cents
from clv.summary import summarise_transactions
from clv.tests.shops import neighbourhood_butcher, tourist_restaurant


def advice_for(ids, dates, amounts, **options):
    summary = summarise_transactions(customer_ids=ids, dates=dates, amounts=amounts)
    codes = np.searchsorted(summary.customer_id, ids)
    revenue = np.bincount(codes, weights=amounts)
    return attention_advice(
        transaction_days=summary.frequency + 1,
        revenue=revenue,
        repeat_revenue=summary.repeat_revenue,
        **options,
    )


def test_tourist_restaurant_is_a_stream_business():
    # Given 30,000 guests of whom 3% came back once
    ids, dates, amounts = tourist_restaurant()
    # When advised
    advice = advice_for(ids, dates, amounts)
    # Then it is a stream business: few come back and little revenue is repeat revenue
    assert advice.verdict == "stream"
    assert advice.n_customers == 30_000
    assert advice.repeat_customer_share == pytest.approx(0.03, abs=0.005)
    assert advice.repeat_revenue_share < STREAM_REVENUE_SHARE
    assert not advice.concentrated


def test_neighbourhood_butcher_is_a_relationship_business():
    # Given 300 weekly regulars and 150 passers-by
    ids, dates, amounts = neighbourhood_butcher()
    # When advised, with a 25% margin and segments
    segments = np.where(np.arange(450) < 300, "regular", "lost")
    advice = advice_for(ids, dates, amounts, margin=0.25, segments=segments)
    # Then it is a relationship business, and attention is worth most on the regulars
    assert advice.verdict == "relationship"
    assert advice.repeat_customer_share == pytest.approx(300 / 450)
    assert advice.repeat_revenue_share > 0.95
    assert [worth.segment for worth in advice.by_segment] == ["regular", "lost"]
    regular = advice.by_segment[0]
    assert regular.customers == 300
    assert regular.attention_worth_per_year == pytest.approx(0.10 * 0.25 * regular.mean_value)


@pytest.mark.parametrize(
    ("customer_share", "revenue_share", "verdict"),
    [
        (0.05, STREAM_REVENUE_SHARE - 0.001, "stream"),
        (0.05, STREAM_REVENUE_SHARE, "mixed"),
        (0.90, STREAM_REVENUE_SHARE - 0.001, "stream"),
        (0.60, RELATIONSHIP_REVENUE_SHARE - 0.001, "mixed"),
        (0.60, RELATIONSHIP_REVENUE_SHARE, "relationship"),
        (RELATIONSHIP_CUSTOMER_SHARE - 0.001, 0.80, "mixed"),
        (RELATIONSHIP_CUSTOMER_SHARE, 0.80, "relationship"),
    ],
)
def test_verdict_borders(customer_share, revenue_share, verdict):
    assert (
        verdict_for(repeat_customer_share=customer_share, repeat_revenue_share=revenue_share)
        == verdict
    )


def test_a_business_on_the_border_between_stream_and_mixed():
    # Given 10 customers of 100 each; two came back once, bringing just under 20% of revenue
    transaction_days = np.array([2, 2] + [1] * 8)
    revenue = np.array([150.0, 150.0] + [100.0] * 8)
    repeat = np.array([100.0, 100.0] + [0.0] * 8)
    # When the repeat share of revenue is 200 / 1100 (< 20%), it is a stream business
    assert (
        attention_advice(
            transaction_days=transaction_days, revenue=revenue, repeat_revenue=repeat
        ).verdict
        == "stream"
    )
    # And when a third visit of 25 each lifts it above 20%, it is mixed
    more = attention_advice(
        transaction_days=np.array([3, 3] + [1] * 8),
        revenue=np.array([175.0, 175.0] + [100.0] * 8),
        repeat_revenue=np.array([125.0, 125.0] + [0.0] * 8),
    )
    assert more.repeat_revenue_share == pytest.approx(250 / 1150)
    assert more.verdict == "mixed"


def test_revenue_concentration_and_refusals():
    assert top_share([100, 0, 0, 0, 0]) == 1.0
    assert top_share([1, 1, 1, 1, 1]) == pytest.approx(0.2)
    assert top_share([]) == 0.0
    with pytest.raises(ValueError, match="margin"):
        attention_advice(transaction_days=[1], revenue=[1.0], repeat_revenue=0.0, margin=1.5)
    with pytest.raises(ValueError, match="no customers"):
        attention_advice(transaction_days=[], revenue=[], repeat_revenue=0.0)


def test_analyse_says_stream_for_the_tourist_restaurant(tmp_path, capsys):
    from clv.cli import main
    from clv.tests.shops import write_csv

    # Given a till export of 20,000 guests, nearly all eating there once
    path = tmp_path / "restaurant.csv"
    write_csv(path, *tourist_restaurant(guests=20_000))
    report_path = tmp_path / "report.html"
    # When analysed with --json and --report
    status = main(
        [
            "analyse",
            str(path),
            "--json",
            "--quiet",
            "--penalizer",
            "0.001",
            "--report",
            str(report_path),
        ]
    )
    captured = capsys.readouterr()
    assert status == 0, captured.err
    import json

    advice = json.loads(captured.out)["advice"]
    # Then the advice is a stream business, and the report holds the charts and their tables
    assert advice["verdict"] == "stream"
    assert advice["repeat_customer_share"] == pytest.approx(0.03, abs=0.005)
    assert advice["repeat_revenue_share"] < 0.2
    html = report_path.read_text()
    # Three charts, each drawn for a page and for a phone
    assert html.count('<div class="chart-wide"><svg') == 3
    assert html.count('<div class="chart-narrow"><svg') == 3
    assert "<script" not in html
    assert "stream" in html
    # with what winning a customer back is worth, as the JSON says it
    won_back = format_cents(
        round(advice["won_back_worth_per_customer"] * 100), language="en", whole=True
    )
    assert (
        "<td>worth a year if won back, per customer (margin on the value if still a customer; "
        f"a win-back pays below the chance it works times this)</td><td>{won_back}</td>"
    ) in html


def _revenue_ticks(html: str) -> list[str]:
    """The money axis of the report's first chart (revenue per month), drawn for a page."""
    chart = html.split('<div class="chart-wide">')[1].split("</svg>")[0]
    return re.findall(r'class="chart-tick"[^>]*>([^<]*)<', chart)


def test_the_report_names_the_currency_on_its_money_axis_as_the_pages_do(tmp_path, capsys):
    """Its axis read "0, 10k, 20k": an amount, but of what. The web charts write "€20,000"."""
    from clv.cli import main
    from clv.tests.shops import write_csv

    path, report_path = tmp_path / "butcher.csv", tmp_path / "report.html"
    write_csv(path, *neighbourhood_butcher())
    arguments = ["analyse", str(path), "--quiet", "--model", "bgnbd", "--report"]

    assert main([*arguments, str(report_path)]) == 0
    euros = _revenue_ticks(report_path.read_text())
    assert main([*arguments, str(report_path), "--currency", "gbp"]) == 0
    pounds = report_path.read_text()

    assert euros[0] == "€0"
    assert all(re.fullmatch(r"€[0-9]{1,3}(,[0-9]{3})*", tick) for tick in euros), euros
    assert _revenue_ticks(pounds) == [tick.replace("€", "£") for tick in euros]
    # The value ranges and the tables are money too.
    assert "<td>£" in pounds
    assert " or more" in pounds
    capsys.readouterr()


def test_a_currency_that_is_not_a_code_is_refused_naming_the_option(tmp_path, capsys):
    from clv.cli import main
    from clv.tests.shops import write_csv

    path, report_path = tmp_path / "butcher.csv", tmp_path / "report.html"
    write_csv(path, *neighbourhood_butcher())

    with pytest.raises(SystemExit) as stopped:
        main(["analyse", str(path), "--quiet", "--report", str(report_path), "--currency", "euro"])

    assert stopped.value.code == 2
    assert "--currency: 'euro' is not a three-letter currency code such as EUR" in (
        capsys.readouterr().err
    )
    assert not report_path.exists()


def test_analyse_says_relationship_for_the_butcher_in_text_too(tmp_path, capsys):
    from clv.cli import main
    from clv.tests.shops import write_csv

    path = tmp_path / "butcher.csv"
    write_csv(path, *neighbourhood_butcher())
    status = main(
        [
            "analyse",
            str(path),
            "--quiet",
            "--margin",
            "25",
            "--model",
            "bgnbd",
            "--penalizer",
            "0.01",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "Attention advice: relationship business" in out
    assert "at a 25% margin" in out


def test_the_shares_come_with_what_they_are_made_of():
    # Given 11 customers: two came back (150 each, 50 of it on return visits), nine bought once
    # for 100, and one of them for 300
    advice = attention_advice(
        transaction_days=np.array([2, 2] + [1] * 9),
        revenue=np.array([150.0, 150.0, 300.0] + [100.0] * 8),
        repeat_revenue=np.array([50.0, 50.0] + [0.0] * 9),
    )
    # Then each share is its part of the whole, and the top fifth are the three who spent most
    assert (advice.came_back, advice.n_customers) == (2, 11)
    assert advice.repeat_customer_share == 2 / 11
    assert (advice.repeat_revenue, advice.total_revenue) == (100.0, 1400.0)
    assert advice.repeat_revenue_share == 100 / 1400
    assert (advice.top_fifth_customers, advice.top_fifth_revenue) == (3, 600.0)
    assert advice.top_fifth_revenue_share == 600 / 1400
    assert [top_count(n) for n in (1, 5, 6, 10, 11)] == [1, 1, 2, 2, 3]


@pytest.mark.parametrize(
    ("customers", "history_days", "footing"),
    [
        # Below 20 customers or 90 days of purchases: no advice.
        (0, 0, Footing("none", 0, 0, 100, 365)),
        (19, 3650, Footing("none", 19, 3650, 81, 0)),
        (5000, 89, Footing("none", 5000, 89, 0, 276)),
        # From there, but below 100 customers or a year: advice with a caveat.
        (20, 90, Footing("thin", 20, 90, 80, 275)),
        (20, 332, Footing("thin", 20, 332, 80, 33)),
        (99, 365, Footing("thin", 99, 365, 1, 0)),
        (100, 364, Footing("thin", 100, 364, 0, 1)),
        # From 100 customers and a year: as it is.
        (100, 365, Footing("firm", 100, 365, 0, 0)),
        (30000, 3650, Footing("firm", 30000, 3650, 0, 0)),
    ],
)
def test_the_advice_stands_on_its_customers_and_its_history_as_docs_advisor_says(
    customers, history_days, footing
):
    assert advice_footing(customers=customers, history_days=history_days) == footing


def _analyse(tmp_path, capsys, shop) -> tuple[str, str]:
    from clv.cli import main
    from clv.tests.shops import write_csv

    path, report = tmp_path / "shop.csv", tmp_path / "report.html"
    write_csv(path, *shop)
    arguments = ["analyse", str(path), "--quiet", "--model", "bgnbd", "--penalizer", "0.01"]
    assert main([*arguments, "--report", str(report)]) == 0
    return capsys.readouterr().out, report.read_text()


def test_analyse_gives_the_advice_of_a_small_shop_with_what_it_rests_on(tmp_path, capsys):
    # Given 40 regulars and 20 passers-by over the shops' two years: fewer than 100 customers
    ids, dates, amounts = neighbourhood_butcher(regulars=40, passers_by=20)
    days = int((dates.max() - dates.min()).astype("timedelta64[D]").astype(int))

    out, report = _analyse(tmp_path, capsys, (ids, dates, amounts))

    # Then the verdict comes with the footing the web app's advice names (advice_footing)
    note = (
        f"On 60 customers and {days:,} days of purchases: too few to be sure; firmer with 40 "
        "more customers."
    )
    assert days >= FIRM_MIN_HISTORY_DAYS
    assert f"\n  {note}\n" in out + "\n"
    assert f"<p class='caveat'>{note}</p>" in report


def test_analyse_gives_no_advice_on_a_history_too_short(tmp_path, capsys):
    # Given the butcher's first 80 days only
    ids, dates, amounts = neighbourhood_butcher(regulars=300, passers_by=150)
    keep = dates < dates.min() + np.timedelta64(80, "D")
    ids, dates, amounts = ids[keep], dates[keep], amounts[keep]
    customers = len(np.unique(ids))
    days = int((dates.max() - dates.min()).astype("timedelta64[D]").astype(int))

    out, report = _analyse(tmp_path, capsys, (ids, dates, amounts))

    note = (
        f"Not given: {customers} customers and {days} days of purchases are too few to go on "
        "(at least 20 customers and 90 days; docs/advisor.md)."
    )
    assert f"Attention advice: {note}" in out
    assert "business (" not in out
    assert f"<section><h2>Attention advice</h2><p>{note}</p></section>" in report
    assert "class='verdict'" not in report


def test_the_footing_note_names_what_is_short():
    assert footing_note(advice_footing(customers=100, history_days=365)) == ""
    assert footing_note(advice_footing(customers=50, history_days=200)) == (
        "On 50 customers and 200 days of purchases: too few to be sure; firmer with 50 more "
        "customers and 165 more days of purchases."
    )
    assert footing_note(advice_footing(customers=2000, history_days=300)) == (
        "On 2,000 customers and 300 days of purchases: too few to be sure; firmer with 65 more "
        "days of purchases."
    )


def test_per_segment_the_worth_of_winning_a_customer_back_is_the_margin_on_the_value_if_active():
    # Given two customers who slipped away (valuable if still customers, worth next to nothing
    # as expected) and two champions whose value hardly depends on it
    advice = attention_advice(
        transaction_days=[5, 8, 12, 20],
        revenue=[900, 1500, 800, 2000],
        repeat_revenue=[700, 1300, 700, 1900],
        expected_value=[0, 2, 100, 300],
        value_if_active=[400, 600, 110, 310],
        segments=["cant_lose", "cant_lose", "champion", "champion"],
        margin=0.25,
    )
    # Then attention still ranks the champions first, and winning one back is worth the margin
    # on the mean value if still a customer: 25% of 500 for the slipped, of 210 for champions
    champion, cant_lose = advice.by_segment
    assert (champion.segment, cant_lose.segment) == ("champion", "cant_lose")
    assert cant_lose.mean_value == 1.0
    assert cant_lose.attention_worth_per_year == pytest.approx(0.025, rel=1e-12)
    assert cant_lose.mean_value_if_active == 500.0
    assert cant_lose.won_back_worth_per_year == 125.0
    assert champion.attention_worth_per_year == pytest.approx(5.0, rel=1e-12)
    assert champion.mean_value_if_active == 210.0
    assert champion.won_back_worth_per_year == 52.5
    assert advice.mean_value_if_active == 355.0
    assert advice.won_back_worth_per_customer == 88.75
    assert advice.as_dict()["by_segment"][1]["won_back_worth_per_year"] == 125.0


def test_without_the_value_if_active_nothing_is_said_about_winning_back():
    advice = attention_advice(
        transaction_days=[1, 2], revenue=[10, 20], repeat_revenue=[0, 10], segments=["a", "b"]
    )
    assert advice.won_back_worth_per_customer is None
    assert [row.won_back_worth_per_year for row in advice.by_segment] == [None, None]
