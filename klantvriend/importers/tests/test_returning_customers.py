"""The scorecard's returning customers are read from each customer's first and last purchase
and long absences, which the database keeps (customers 0032): after every kind of write to the
purchases, through the services, the import, a merge and an anonymisation, the figure and its
rows say what asking the purchases themselves says. Here, beside the importers, because those
writes are theirs."""

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone, translation

from klantvriend.customers import services
from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.merge import customer_merge
from klantvriend.importers.privacy import customer_erase
from klantvriend.importers.service import data_import
from klantvriend.insights.rows import scorecard_rows
from klantvriend.insights.scorecard import customer_scorecard, repeat_counts, trend_window
from klantvriend.insights.tests.test_scorecard import _figure


def _bought_in(business, start, end) -> list[tuple[int, bool]]:
    """The customers who bought in [start, end), by name, each with whether they had bought
    before (or were customers before the window's day): asked of every customer's purchases,
    as the scorecard did before the database kept each customer's first and last purchase and
    long absences. The reference for those."""
    in_window = Purchase.objects.filter(customer=OuterRef("pk"), at__gte=start, at__lt=end)
    before = Purchase.objects.filter(customer=OuterRef("pk"), at__lt=start)
    return [
        (pk, bought_before or since < business.local(start).date())
        for pk, bought_before, since in Customer.objects.filter(business=business)
        .filter(Exists(in_window))
        .annotate(returning=Exists(before))
        .order_by("name", "id")
        .values_list("pk", "returning", "customer_since")
    ]


def _assert_returning_as_bought(business, now) -> None:
    """The returning-customers figure, both sides of its trend, and their rows, as the
    purchases give them at `now` and at moments before it (windows that fall elsewhere)."""
    for moment in (now, now - timedelta(days=40), now - timedelta(days=100)):
        with translation.override("en"):
            figure = _figure(customer_scorecard(business=business, now=moment), "repeat_rate")
            for before, share in ((False, figure.last_90_days), (True, figure.previous_90_days)):
                start, end = trend_window(moment, before=before)
                bought = _bought_in(business, start, end)
                returning = sum(came_back for _pk, came_back in bought)
                assert repeat_counts(business, start, end) == {
                    "buyers": len(bought),
                    "returning": returning,
                }
                assert share == (returning / len(bought) if bought else None)
                table = scorecard_rows(
                    business=business, figure="repeat_rate", now=moment, before=before
                )
                assert [(pk, cells) for pk, _name, cells in table.rows] == [
                    (pk, ["yes" if came_back else "no, new"]) for pk, came_back in bought
                ]
                assert table.total == len(bought)


def test_the_returning_customers_are_those_the_purchases_give_after_every_kind_of_write(
    business, other_business, tmp_path
):
    """The figure and its rows are read from each customer's first and last purchase and their
    long absences, which the database keeps; after every kind of write to the purchases they
    say what asking the purchases themselves says."""
    now = timezone.now().replace(microsecond=0)

    def days_ago(days):
        return now - timedelta(days=days)

    anna, cor, dirk, eva = (
        CustomerFactory(business=business, name=name) for name in ("Anna", "Cor", "Dirk", "Eva")
    )
    bram = CustomerFactory(business=business, name="Bram", external_ref="2")
    # Bram stayed away throughout the 90 days before the last 90; Eva bought before those
    # and in both; a customer of another business bought too.
    for customer, days in [
        (anna, 300), (anna, 150), (anna, 5), (bram, 400), (bram, 10), (cor, 120), (dirk, 20),
        (eva, 250), (eva, 100), (eva, 85), (CustomerFactory(business=other_business), 10),
    ]:  # fmt: skip
        services.purchase_create(customer=customer, amount_cents=100, at=days_ago(days))
    _assert_returning_as_bought(business, now)

    # One by one, and through the purchase import (a customer it makes among them),
    services.purchase_create(customer=dirk, amount_cents=100, at=days_ago(170))
    _assert_returning_as_bought(business, now)
    path = tmp_path / "till.tsv"
    path.write_text(
        "customer number\tname\tdate\tamount\n"
        + "".join(
            f"{number}\t{name}\t{business.local(days_ago(days)):%Y-%m-%d %H:%M}\t2.50\n"
            for number, name, days in [(2, "Bram", 120), (6, "Frits", 200), (6, "Frits", 30)]
        ),
        encoding="utf-8",
    )
    result = data_import(business=business, kind="purchases", path=path)
    assert (result.ok, result.created, result.customers_created) == (True, 3, 1)
    _assert_returning_as_bought(business, now)

    # moved to another moment, merged into another customer, deleted one by one and in bulk,
    services.purchase_update(
        purchase=Purchase.objects.get(customer=anna, at=days_ago(5)), actor=None, at=days_ago(95)
    )
    _assert_returning_as_bought(business, now)
    customer_merge(keep=cor, other=eva)
    _assert_returning_as_bought(business, now)
    services.purchase_delete(
        purchase=Purchase.objects.get(customer=bram, at__range=(days_ago(121), days_ago(119))),
        actor=None,
    )
    _assert_returning_as_bought(business, now)
    Purchase.objects.filter(customer=dirk, at__lt=days_ago(100)).delete()
    _assert_returning_as_bought(business, now)
    # booked on another customer, anonymised, deleted with the customer.
    frits = Customer.objects.get(business=business, external_ref="6")
    Purchase.objects.filter(customer=frits).update(customer=anna)
    _assert_returning_as_bought(business, now)
    customer_erase(customer=anna)
    _assert_returning_as_bought(business, now)
    cor.delete()
    _assert_returning_as_bought(business, now)
    # Dirk keeps the "customer since" of his purchase of 170 days ago, deleted since: he was a
    # customer before the window, as the reference counts him too.
    assert repeat_counts(business, *trend_window(now)) == {"buyers": 3, "returning": 3}
