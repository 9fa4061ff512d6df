"""Deep pages of the customer list sorted on a figure are found from the figures alone
(core.rows.ByFigure), those in the second half of a list whose size is known from its end
(core.rows.IdsFirst): every page must hold the rows that one plain ORDER BY of the whole list
puts there, ties on the figure and on the name included, and the customers without the figure
(without an insight, who never bought) last. The plain order of the list by last purchase
reads each customer's purchases, not the moment the database keeps."""

import random
import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klantvriend.core import rows as core_rows
from klantvriend.core.rows import IdsFirst
from klantvriend.core.services import business_create, user_create
from klantvriend.customers import selectors
from klantvriend.customers.models import (
    AcquisitionChannel,
    Customer,
    CustomerLastPurchase,
    Purchase,
    Tag,
)
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.insights.models import CustomerInsight, Segment, Stage
from klantvriend.insights.selectors import (
    customer_order_parts,
    customers_with_insight,
    figures_among,
    insight_choice,
    insights_among,
)
from klantvriend.insights.tests.factories import CustomerInsightFactory
from klantvriend.web import views

CUSTOMERS = 64
ORDERS = [
    "-value",
    "value",
    "-alive",
    "alive",
    "-spend",
    "-customer_since",
    "-last_purchase",
    "name",
]
FILTERS = [
    {},
    {"segment": Segment.CHAMPION},
    {"bought": "again"},
    {"channel": AcquisitionChannel.WALK_IN},
    {"segment": Segment.LOST, "channel": AcquisitionChannel.REFERRAL},
    {"stage": Stage.REGULAR},
    {"bought": "any"},
    {"bought": "top"},
    {"tag": "vast"},
    {"since_from": "2025-02-01", "since_until": "2025-03-31"},
    {"bought": "any", "channel": AcquisitionChannel.REFERRAL},
    {"q": "Cor"},
]


# Every test reads or pages through the one shop made for the module (a test that changes it,
# as `complete_shop` does, does so in its own savepoint)
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shop(module_db):
    """Few names and few figures, so that most rows tie on the figure and many on the name too;
    some customers have an insight without a model's figures, some none, some never bought
    (not the same ones: the insights here are made up, not refreshed from the purchases)."""
    business = business_create(
        name="Slagerij Diep", owner=user_create(username="diep", password="pw-diep-123")
    )
    other_business = business_create(
        name="Garage Elders", owner=user_create(username="elders", password="pw-elders-123")
    )
    chance = random.Random(7)
    hours = timezone.now().replace(microsecond=0) - timedelta(days=30)
    regular = Tag.objects.create(business=business, name="vast")
    for index in range(CUSTOMERS):
        customer = CustomerFactory(
            business=business,
            name=chance.choice(["Anna", "Bram", "Cor de Vries"]),
            customer_since=f"2025-0{chance.randint(1, 3)}-01",
            acquisition_channel=chance.choice(
                [AcquisitionChannel.WALK_IN, AcquisitionChannel.REFERRAL]
            ),
        )
        if index % 3:
            customer.tags.add(regular)
        for _ in range(index % 4):
            PurchaseFactory(
                customer=customer, at=hours + timedelta(hours=chance.choice([1, 2, 3, 5, 8, 13]))
            )
        if index % 9 == 0:
            continue  # no insight: no refresh since they came
        modelled = index % 11 != 0
        CustomerInsightFactory(
            customer=customer,
            purchase_days=chance.choice([1, 1, 2, 3]),
            days_since_last=chance.choice([10, 40]),
            spend_cents=chance.choice([500, 900, 900, 2000]),
            probability_alive=chance.choice([0.2, 0.5, 0.9]) if modelled else None,
            value_cents=chance.choice([0, 0, 1500, 3000]) if modelled else None,
            segment=chance.choice([Segment.CHAMPION, Segment.LOST]),
            stage=(Stage.REGULAR, Stage.PASSER_BY)[index % 2],
        )
    # Another business's customers, at both ends of every order, are never listed
    for value in (0, 10**9):
        stranger = CustomerFactory(business=other_business, name="Aaron")
        PurchaseFactory(customer=stranger, at=timezone.now() - timedelta(days=60 * (not value)))
        CustomerInsightFactory(
            customer=stranger,
            purchase_days=2,
            probability_alive=value and 1.0,
            value_cents=value,
            spend_cents=value,
        )
    return business


@pytest.fixture
def owner_client(shop) -> Client:
    client = Client()
    client.force_login(shop.memberships.get().user)
    return client


def plain_order(order: str) -> list:
    """The list's order as one ORDER BY over every customer, which no index serves."""
    if order == "-customer_since":
        return ["-customer_since", "name", "id"]
    if order == "name":
        return ["name", "id"]
    if order == "-last_purchase":
        newest = Purchase.objects.filter(customer=OuterRef("pk")).order_by("-at").values("at")
        bought = Subquery(newest[:1])
        never = Case(When(Exists(newest), then=Value(0)), default=Value(1))
        return [never, bought.desc(), "name", "id"]
    if order in ("alive", "-alive"):
        sign = 1 if order == "alive" else -1
        has = Q(insight__probability_alive__isnull=False)
        came_back, one_off = (
            has & Q(insight__purchase_days__gt=1),
            has & Q(insight__purchase_days=1),
        )
        part = Case(
            When(came_back, then=Value(0)),
            When(one_off, then=Value(1)),
            When(insight__isnull=False, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
        # The one-off customers longest away first (ascending), most recent first (descending)
        figure = Case(
            When(came_back, then=F("insight__probability_alive") * sign),
            When(one_off, then=F("insight__days_since_last") * -sign),
            default=Value(0.0),
            output_field=FloatField(),
        )
        return [part, figure, "name", "id"]
    name, sign = {"-value": ("value_cents", -1), "value": ("value_cents", 1)}.get(
        order, ("spend_cents", -1)
    )
    part = Case(
        When(**{f"insight__{name}__isnull": False}, then=Value(0)),
        When(insight__isnull=False, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return [part, F(f"insight__{name}") * sign, "name", "id"]


def on_customers(business, filters: dict, order: str = "name"):
    """The customer list filtered on the customers' own fields."""
    return selectors.customer_list(
        business=business,
        query=filters.get("q", ""),
        order=order,
        channel=filters.get("channel", ""),
        tag=filters.get("tag", ""),
        since_from=date.fromisoformat(filters["since_from"]) if "since_from" in filters else None,
        since_until=date.fromisoformat(filters["since_until"])
        if "since_until" in filters
        else None,
    )


def listed(business, order: str, filters: dict) -> list[int]:
    """The ids of the whole list in one plain ordered query."""
    customers = customers_with_insight(
        on_customers(business, filters),
        business=business,
        segment=filters.get("segment", ""),
        stage=filters.get("stage", ""),
        bought=filters.get("bought", ""),
    )
    return list(customers.order_by(*plain_order(order)).values_list("pk", flat=True))


def pages_ids(business, order: str, filters: dict) -> list[list[int]]:
    """The ids on every page of the list as the customer list pages it: the rows its view puts on
    each page (views.customer_listing, then the page of the address), without the HTML around
    them, which these hundreds of pages would render for nothing. The view itself, the page
    asked for by its address and rendered, is requested in the tests of the last page below."""
    pages, number, last = [], 1, 1
    owner = business.memberships.get()  # who may see the list's figures (member_sees_amounts)
    while number <= last:
        request = RequestFactory().get(
            reverse("web:customer_list"), {"order": order, "page": number, **filters}
        )
        request.business, request.membership = business, owner
        page = views.customer_listing(request).paginator.get_page(request.GET["page"])
        pages.append([customer.pk for customer in page.object_list])
        number, last = number + 1, page.paginator.num_pages
    return pages


def pages_of(rows: IdsFirst, count: int, size: int) -> list[int]:
    """The ids of every page of `size` of the `count` rows, one after the other."""
    return [
        customer.pk for start in range(0, count, size) for customer in rows[start : start + size]
    ]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda filters: "&".join(filters) or "all")
@pytest.mark.parametrize("order", ORDERS)
def test_every_page_holds_the_rows_of_one_plain_ordered_query(shop, monkeypatch, order, filters):
    # Pages of 5: most begin inside a run of customers sharing a figure
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    expected = listed(shop, order, filters)

    pages = pages_ids(shop, order, filters)

    assert len(expected) > 10, "the filter leaves customers to page through"
    assert [len(page) for page in pages[:-1]] == [5] * (len(pages) - 1)
    assert [pk for page in pages for pk in page] == expected


@pytest.mark.parametrize("filters", [{}, {"bought": "again"}, {"channel": "walk_in"}], ids=str)
@pytest.mark.parametrize("order", ["-value", "alive", "-last_purchase", "-customer_since"])
def test_pages_inside_long_runs_of_ties_count_those_before_them(shop, monkeypatch, order, filters):
    """The figures read just before a page tell how many of its first figure's rows come
    before it; when they all share it, those before it are counted instead."""
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    monkeypatch.setattr(core_rows, "LOOK_BACK", 1)

    pages = pages_ids(shop, order, filters)

    assert [pk for page in pages for pk in page] == listed(shop, order, filters)


FILTERED = [
    {"segment": Segment.CHAMPION},
    {"bought": "again"},
    {"bought": "any"},
    {"channel": AcquisitionChannel.WALK_IN},
    {"stage": Stage.REGULAR, "tag": "vast"},
]


@pytest.mark.parametrize("everyone", [0, 10**6], ids=["walking-the-index", "sorting-the-listed"])
@pytest.mark.parametrize("filters", FILTERED, ids=lambda filters: "&".join(filters))
@pytest.mark.parametrize("order", ["-value", "-alive", "-last_purchase", "-customer_since"])
def test_a_filtered_list_finds_the_same_pages_walking_the_figures_or_sorting_those_listed(
    shop, order, filters, everyone
):
    """Either way of reading a filtered list's figures (core.rows.Listed): walking the
    figure's index and asking of each row whether it is listed, which the list takes where
    that steps over fewer rows than the list has (as if the business had no other customers),
    or the listed rows' figures read and sorted (as if it had a million)."""
    expected = listed(shop, order, filters)
    choice = insight_choice(
        business=shop,
        segment=filters.get("segment", ""),
        stage=filters.get("stage", ""),
        bought=filters.get("bought", ""),
    )
    customers = customers_with_insight(
        selectors.with_last_purchase(on_customers(shop, filters, order)),
        business=shop,
        choice=choice,
    )
    by_customer = any(key in filters for key in ("channel", "tag"))
    among = figures_among(
        choice=choice, customers=on_customers(shop, filters) if by_customer else None
    )
    parts = customer_order_parts(
        customers, business=shop, order=order, among=among, everyone=everyone
    ) or selectors.customer_list_parts(
        customers, business=shop, order=order, among=among, everyone=everyone
    )
    rows = IdsFirst(customers, parts=parts, count=len(expected))

    for size in (1, 6):
        assert pages_of(rows, len(expected), size) == expected, size


def rows_in_order(business, order: str, *, alone: bool) -> IdsFirst:
    customers = customers_with_insight(
        selectors.customer_list(business=business, order=order), business=business
    )
    among = insights_among if alone else None
    parts = customer_order_parts(customers, business=business, order=order, among=among)
    return IdsFirst(
        customers,
        parts=parts
        or selectors.customer_list_parts(customers, business=business, order=order, among=among),
    )


@pytest.mark.parametrize("counted", [False, True], ids=["size-unknown", "size-known"])
@pytest.mark.parametrize("alone", [True, False], ids=["from-the-insights", "from-the-customers"])
@pytest.mark.parametrize("order", ORDERS)
def test_a_page_of_any_size_at_any_place_follows_the_plain_order(shop, order, alone, counted):
    """Told the list's size, a page in its second half is read from the end (IdsFirst)."""
    expected = listed(shop, order, {})
    rows = rows_in_order(shop, order, alone=alone)
    rows.counted = len(expected) if counted else None

    for size in (1, 7):
        assert pages_of(rows, len(expected), size) == expected, size
    assert rows[len(expected) : len(expected) + 5] == []


@pytest.mark.parametrize("start", [20, 45], ids=["first-half", "second-half"])
def test_a_deep_page_steps_over_its_ties_only(shop, start):
    """The customers' query of a deep page starts at the page's figure (in the second half
    counted from the end): its offset is less than the number of customers who share a figure,
    however deep the page."""
    expected = listed(shop, "-value", {})
    rows = rows_in_order(shop, "-value", alone=True)
    sharing = max(
        Customer.objects.filter(business=shop, insight__value_cents__isnull=False)
        .values("insight__value_cents")
        .annotate(customers=Count("id"))
        .values_list("customers", flat=True)
    )

    with CaptureQueriesContext(connection) as captured:
        page = [customer.pk for customer in rows[start : start + 5]]

    assert page == expected[start : start + 5]
    customers_query = next(
        query["sql"] for query in captured if "ORDER BY" in query["sql"] and "name" in query["sql"]
    )
    offset = int(re.search(r"OFFSET (\d+)", customers_query).group(1))
    assert offset < sharing
    assert offset < start
    # The part's size, the figures at the page's places (with those just before them, which
    # tell how many of its first figure's customers come before it), the page's ids, its rows
    assert len(captured) == 4


@pytest.mark.parametrize("start", [20, 30], ids=["first-half", "second-half"])
def test_a_deep_page_by_last_purchase_steps_over_its_ties_only(shop, start):
    """As by a figure of the insights: the customers' query of a deep page starts at the moment
    of its first customer's last purchase, found from the kept moments alone."""
    expected = listed(shop, "-last_purchase", {})
    rows = rows_in_order(shop, "-last_purchase", alone=True)

    with CaptureQueriesContext(connection) as captured:
        page = [customer.pk for customer in rows[start : start + 5]]

    assert page == expected[start : start + 5]
    customers_query = next(
        query["sql"] for query in captured if "ORDER BY" in query["sql"] and "name" in query["sql"]
    )
    # Only the page's rows, built last, read their purchases (to show the last one)
    assert "customers_purchase" not in " ".join(query["sql"] for query in captured[:-1])
    last = (
        Purchase.objects.filter(customer__business=shop).values("customer").annotate(at=Max("at"))
    )
    sharing = max(Counter(row["at"] for row in last).values())
    offset = re.search(r"OFFSET (\d+)", customers_query)
    assert len(expected) == 64
    assert len(last) == 48, "the page is among those who bought, half of them before it"
    assert int(offset.group(1)) < min(sharing, start)
    assert len(captured) == 4


@pytest.fixture
def complete_shop(shop):
    """The same shop with every customer bought and refreshed: each has an insight with the
    model's figures and a kept last purchase, so that the parts of the lists without them are
    told empty without counting them (core.rows.ByOffset's `told`)."""
    Customer.objects.filter(business=shop).filter(
        Q(insight__isnull=True) | Q(purchases__isnull=True)
    ).delete()
    CustomerInsight.objects.filter(business=shop, value_cents__isnull=True).update(
        value_cents=1500, probability_alive=0.5
    )
    return shop


COMPLETE_FILTERS = [
    {},
    {"bought": "again"},
    {"bought": "top"},
    {"channel": AcquisitionChannel.WALK_IN},
    {"tag": "vast"},
    {"segment": Segment.CHAMPION, "channel": AcquisitionChannel.REFERRAL},
]


@pytest.mark.parametrize("look_back", [1, 50], ids=["looking-back-1", "looking-back-50"])
@pytest.mark.parametrize(
    "filters", COMPLETE_FILTERS, ids=lambda filters: "&".join(filters) or "all"
)
@pytest.mark.parametrize("order", ORDERS)
def test_every_page_of_a_shop_whose_customers_all_bought_holds_the_plain_order(
    complete_shop, monkeypatch, order, filters, look_back
):
    """Pages in the second half read from the end pass the parts after them as empty (told,
    not counted), and find how many of their first figure's rows come after them from the
    figures read beyond them, or by counting those (looking back one)."""
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    monkeypatch.setattr(core_rows, "LOOK_BACK", look_back)
    expected = listed(complete_shop, order, filters)

    pages = pages_ids(complete_shop, order, filters)

    assert len(expected) > 5, "the filter leaves pages to read from the end"
    assert [len(page) for page in pages[:-1]] == [5] * (len(pages) - 1)
    assert [pk for page in pages for pk in page] == expected


@pytest.mark.parametrize(
    ("order", "filters"),
    [
        (order, filters)
        for order in ["-value", "-alive", "-spend", "-last_purchase"]
        for filters in [{"bought": "again"}, {"channel": AcquisitionChannel.WALK_IN}]
        # By probability alive a list filtered on the insight is read from the start: its
        # one-off part may hold none of the listed (ByFigure's passed_from_end)
        if not (order == "-alive" and "bought" in filters)
    ],
)
def test_the_last_page_is_read_from_the_end_counting_no_part(
    complete_shop, owner_client, monkeypatch, order, filters
):
    """The last page of a filtered list in a figure's order: read from the end, where the
    customers without the figure, without an insight or who never bought are none (told by a
    count of the business's insights or kept moments, and whether any insight lacks the
    figure), so that the figures' part is neither counted nor stepped through to its end."""
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    # Read from the start, the page's figures would be cut at an offset (those before it but
    # the one looked back at)
    monkeypatch.setattr(core_rows, "LOOK_BACK", 1)
    expected = listed(complete_shop, order, filters)
    last = (len(expected) + 2) // 3

    with CaptureQueriesContext(connection) as captured:
        response = owner_client.get(
            reverse("web:customer_list"), {"order": order, "page": last, **filters}
        )

    assert [c.pk for c in response.context["page"].object_list] == expected[(last - 1) * 3 :]
    assert last > 3, "a page deep enough to be read from the end"
    queries = [query["sql"] for query in captured]
    assert not [sql for sql in queries if "OFFSET" in sql]
    # The list's own count (the walk-ins; the totals of those who came back), and what tells
    # the parts after the figures' empty: no part is counted
    counts = [sql for sql in queries if "COUNT(" in sql]
    assert not [sql for sql in counts if "IS NULL" in sql or " IN (SELECT" in sql], counts


@pytest.mark.parametrize("filters", [{"bought": "again"}, {"channel": AcquisitionChannel.WALK_IN}])
def test_the_kept_moments_ask_the_set_of_listed_customers_as_their_index_is_walked(shop, filters):
    """On SQLite the customer of each kept last purchase is compared with the listed set as a
    value (core.db.Probed), so that the moments' index, which holds the customer, is walked
    in the list's order instead of each listed customer's moment read and sorted; the same
    moments either way."""
    choice = insight_choice(business=shop, bought=filters.get("bought", ""))
    among = figures_among(
        choice=choice, customers=on_customers(shop, filters) if "channel" in filters else None
    )
    moments = CustomerLastPurchase.objects.filter(business=shop)

    probed = among(moments, as_set=True, probed=True)
    joined = among(moments, as_set=True)

    sql = str(probed.query)
    if connection.vendor == "sqlite":
        assert '"customer_id" + 0) IN (SELECT' in sql
    else:
        assert '"customer_id" IN (SELECT' in sql
    assert "+ 0" not in str(joined.query)
    listed_moments = sorted(probed.values_list("customer_id", "at"))
    assert listed_moments == sorted(joined.values_list("customer_id", "at"))
    assert len(listed_moments) > 10


@pytest.mark.parametrize("order", ["-value", "-last_purchase"])
def test_the_listed_figures_read_as_a_set_from_the_end_are_sorted_on_postgresql(
    complete_shop, order
):
    """Read as a set (core.rows.Listed) from the end, the listed figures are ordered by what no
    index serves on PostgreSQL (core.db.SortedAsSet), whose planner would otherwise walk the
    figure's index for a few rows, whatever the filter leaves at that end; by the figure itself
    on SQLite."""
    shop, filters = complete_shop, {"stage": Stage.REGULAR}
    expected = listed(shop, order, filters)
    choice = insight_choice(business=shop, stage=Stage.REGULAR)
    customers = customers_with_insight(
        selectors.with_last_purchase(on_customers(shop, filters, order)),
        business=shop,
        choice=choice,
    )
    among = figures_among(choice=choice, customers=None)
    parts = customer_order_parts(
        customers, business=shop, order=order, among=among, everyone=10**6, chosen=True
    ) or selectors.customer_list_parts(
        customers, business=shop, order=order, among=among, everyone=10**6
    )
    rows = IdsFirst(customers, parts=parts, count=len(expected))
    # The last page of the figures' part, in the second half: read from the end
    figure = "last_purchase" if order == "-last_purchase" else "insight__value_cents"
    end = Customer.objects.filter(pk__in=expected, **{f"{figure}__isnull": False}).count()
    assert end - 3 > len(expected) - end

    with CaptureQueriesContext(connection) as captured:
        page = [customer.pk for customer in rows[end - 3 : end]]

    assert page == expected[end - 3 : end]
    sorted_by = [
        query["sql"].split("ORDER BY")[1] for query in captured if "IN (SELECT" in query["sql"]
    ]
    assert sorted_by
    coalesced = [sql for sql in sorted_by if sql.lstrip().startswith("COALESCE(")]
    assert len(coalesced) == (len(sorted_by) if connection.vendor == "postgresql" else 0)


def test_by_probability_alive_a_list_filtered_on_the_insight_is_read_from_the_start(
    complete_shop, owner_client, monkeypatch
):
    """Read from the end, the one-off part comes first, and finding that it holds none of the
    listed (no one-off among those who came back) made PostgreSQL sort the part's listed
    figures (77 ms at 100,000 customers): the last page is read from the start, through the
    first part's index, as the plain order has it."""
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    filters = {"bought": "again", "order": "-alive"}
    expected = listed(complete_shop, "-alive", {"bought": "again"})
    last = (len(expected) + 2) // 3

    with CaptureQueriesContext(connection) as captured:
        response = owner_client.get(reverse("web:customer_list"), {**filters, "page": last})

    assert [c.pk for c in response.context["page"].object_list] == expected[(last - 1) * 3 :]
    # From the start, the figures of the first part are read highest first, as the list is
    # sorted; from the end they were read lowest first
    figures = [query["sql"] for query in captured if '"probability_alive"' in query["sql"]]
    assert [sql for sql in figures if '"probability_alive" DESC' in sql]
    assert not [sql for sql in figures if '"probability_alive" ASC' in sql], figures
