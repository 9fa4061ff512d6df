"""The numbers of customers per business and per tag, what each customer has bought, when they
first and last bought and their long absences, kept by triggers (migrations 0006, 0007, 0009,
0027, 0031 and 0032; those of the
match keys, 0024 to 0026, in test_match_keys.py and test_distinct_pairs.py; a merge's and an
anonymisation's in importers/tests/test_merge.py): right after every kind of write, and read by
the customer list, the API and the ambassador ranking instead of counting or summing every
row."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Max, Min, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klantvriend.core.bulk import insert_rows
from klantvriend.core.db import trigger_names
from klantvriend.core.models import Business
from klantvriend.core.money import MAX_CENTS
from klantvriend.customers import selectors, services
from klantvriend.customers.models import (
    ABSENCE_KEPT_FROM,
    PURCHASE_ROW_FIELDS,
    Customer,
    CustomerAbsence,
    CustomerCount,
    CustomerLastPurchase,
    CustomerSpend,
    Purchase,
    ReferrerTally,
    Tag,
    TagCount,
)

from .factories import CustomerFactory

TRIGGERS = {
    "customers_customer_count_insert",
    "customers_customer_count_delete",
    "customers_tag_count_insert",
    "customers_tag_count_delete",
    "customers_purchase_spend_insert",
    "customers_purchase_spend_delete",
    "customers_purchase_spend_update",
    "customers_match_count_insert",
    "customers_match_count_delete",
    "customers_match_count_update",
    "customers_distinct_pair_insert",
    "customers_distinct_pair_delete",
    "customers_match_pairs_update",
    "customers_match_newest_insert",
    "customers_match_newest_delete",
    "customers_match_newest_update",
    "customers_referrer_tally_insert",
    "customers_referrer_tally_delete",
    "customers_referrer_tally_update",
    "customers_spend_tally_insert",
    "customers_spend_tally_delete",
    "customers_spend_tally_update",
    "customers_purchase_last_insert",
    "customers_purchase_last_delete",
    "customers_purchase_last_update",
    "customers_purchase_absence_insert",
    "customers_purchase_absence_delete",
    "customers_purchase_absence_update",
}


def _kept() -> dict[int, int]:
    return dict(CustomerCount.objects.values_list("business_id", "customers"))


def _counted() -> dict[int, int]:
    rows = Customer.objects.order_by().values("business_id").annotate(n=Count("pk"))
    return {row["business_id"]: row["n"] for row in rows}


def test_the_triggers_are_in_place_after_all_migrations(db):
    assert trigger_names() >= TRIGGERS


def test_every_kind_of_write_keeps_the_count(business, other_business):
    anna = services.customer_create(business=business, name="Anna de Vries")
    CustomerFactory.create_batch(3, business=business)
    Customer.objects.bulk_create(
        [Customer(business=other_business, name=f"Klant {index}") for index in range(5)]
    )
    assert _kept() == _counted() == {business.pk: 4, other_business.pk: 5}

    anna.delete()
    Customer.objects.filter(business=other_business, name__in=["Klant 1", "Klant 2"]).delete()
    assert _kept() == _counted() == {business.pk: 3, other_business.pk: 3}

    Customer.objects.filter(business=other_business).delete()
    assert selectors.customer_count(business=other_business) == 0
    assert selectors.customer_count(business=business) == 3


def test_a_deleted_business_takes_its_count_along(business, other_business):
    CustomerFactory.create_batch(2, business=other_business)
    CustomerFactory(business=business)

    Business.objects.filter(pk=other_business.pk).delete()

    assert _kept() == {business.pk: 1}


def _tags_kept(business) -> dict[str, int]:
    return {tag.name: tag.customer_count for tag in selectors.tag_list(business=business)}


def _tags_counted() -> dict[str, int]:
    return dict(Tag.objects.annotate(n=Count("customers")).values_list("name", "n"))


def test_every_change_of_tags_keeps_their_counts(business):
    anna = services.customer_create(business=business, name="Anna", tags=["vaste klant", "buurt"])
    bram = services.customer_create(business=business, name="Bram", tags=["vaste klant"])
    assert _tags_kept(business) == _tags_counted() == {"vaste klant": 2, "buurt": 1}

    services.customer_update(customer=anna, name="Anna", tags=["catering"])
    assert _tags_kept(business) == _tags_counted() == {"vaste klant": 1, "buurt": 0, "catering": 1}

    bram.delete()
    anna.tags.clear()
    assert _tags_kept(business) == _tags_counted() == {"vaste klant": 0, "buurt": 0, "catering": 0}

    services.customer_update(customer=anna, name="Anna", tags=["buurt"])
    Tag.objects.filter(name="catering").delete()
    assert _tags_kept(business) == _tags_counted() == {"vaste klant": 0, "buurt": 1}
    assert TagCount.objects.count() == 2  # the deleted tag's count went with it


def test_a_business_without_customers_counts_none(business):
    assert selectors.customer_count(business=business) == 0


def test_the_whole_list_shows_the_kept_count_and_a_filtered_one_counts(
    owner_client, business, other_business
):
    regular = Tag.objects.create(business=business, name="vaste klant")
    for index in range(3):
        customer = CustomerFactory(business=business, name=f"Klant {index}")
    customer.tags.add(regular)
    CustomerFactory.create_batch(4, business=other_business)

    with CaptureQueriesContext(connection) as queries:
        page = owner_client.get(reverse("web:customer_list")).content.decode()
    counts = [
        q["sql"] for q in queries if 'COUNT(*) AS "__count" FROM "customers_customer"' in q["sql"]
    ]
    tagged = owner_client.get(reverse("web:customer_list"), {"tag": "vaste klant"}).content.decode()

    assert "3 klanten" in page
    assert counts == []
    # The count, then (for an owner) the list's CSV download.
    assert "1 klant · <a " in tagged


def test_the_api_gives_the_kept_count_and_counts_a_search(business, api):
    CustomerFactory.create_batch(3, business=business)
    CustomerFactory(business=business, name="Bram Visser")

    whole = api.get("/api/v1/customers").json()
    searched = api.get("/api/v1/customers", {"search": "visser"}).json()

    assert (whole["count"], len(whole["items"])) == (4, 4)
    assert (searched["count"], [item["name"] for item in searched["items"]]) == (1, ["Bram Visser"])


def _spend_kept() -> dict[int, int]:
    return dict(CustomerSpend.objects.exclude(cents=0).values_list("customer_id", "cents"))


def _spend_summed() -> dict[int, int]:
    rows = Purchase.objects.order_by().values("customer_id").annotate(cents=Sum("amount_cents"))
    return {row["customer_id"]: row["cents"] for row in rows if row["cents"]}


def test_every_kind_of_purchase_write_keeps_what_the_customer_bought(business, other_business):
    anna = CustomerFactory(business=business)
    bram = CustomerFactory(business=business)
    kees = CustomerFactory(business=other_business)
    first = services.purchase_create(customer=anna, amount_cents=1250)
    services.purchase_create(customer=anna, amount_cents=800)
    now = timezone.now()
    insert_rows(  # as the demo writes its purchases
        Purchase,
        PURCHASE_ROW_FIELDS,
        [
            (business.pk, bram.pk, now, 300, "EUR", "", "", now, now),
            (other_business.pk, kees.pk, now, 99, "EUR", "", "", now, now),
        ],
    )
    Purchase.objects.bulk_create(
        [Purchase(business=business, customer=bram, at=now, amount_cents=cents) for cents in (1, 2)]
    )
    assert _spend_kept() == _spend_summed() == {anna.pk: 2050, bram.pk: 303, kees.pk: 99}

    services.purchase_update(purchase=first, actor=None, amount_cents=1000)
    Purchase.objects.filter(customer=bram).update(amount_cents=10)
    assert _spend_kept() == _spend_summed() == {anna.pk: 1800, bram.pk: 30, kees.pk: 99}

    # A purchase booked on the wrong customer and moved to the right one.
    Purchase.objects.filter(pk=first.pk).update(customer=bram)
    assert _spend_kept() == _spend_summed() == {anna.pk: 800, bram.pk: 1030, kees.pk: 99}

    services.purchase_delete(purchase=Purchase.objects.get(pk=first.pk), actor=None)
    Purchase.objects.filter(customer=kees).delete()
    assert _spend_kept() == _spend_summed() == {anna.pk: 800, bram.pk: 30}

    bram.delete()
    assert _spend_kept() == _spend_summed() == {anna.pk: 800}
    assert set(CustomerSpend.objects.values_list("customer_id", flat=True)) == {anna.pk, kees.pk}


def test_bulk_rows_go_in_statements_of_many_rows_all_of_them(business, monkeypatch):
    monkeypatch.setattr("klantvriend.core.bulk.ROWS_PER_STATEMENT", 3)
    anna = CustomerFactory(business=business)
    at = timezone.now().replace(microsecond=0)
    rows = [(business.pk, anna.pk, at, cents, "EUR", "", "", at, at) for cents in range(1, 8)]

    with CaptureQueriesContext(connection) as queries:
        assert insert_rows(Purchase, PURCHASE_ROW_FIELDS, iter(rows)) == 7

    assert len(queries) == 3  # 3 + 3 + 1 rows
    stored = Purchase.objects.filter(customer=anna).order_by("amount_cents")
    assert [(p.amount_cents, p.at, p.created_at, p.updated_at) for p in stored] == [
        (cents, at, at, at) for cents in range(1, 8)
    ]
    assert _spend_kept() == {anna.pk: 28}


def test_the_largest_amounts_add_up_and_a_larger_one_is_refused(business):
    anna = CustomerFactory(business=business)
    for _ in range(2):
        services.purchase_create(customer=anna, amount_cents=MAX_CENTS)
    assert _spend_kept() == {anna.pk: 2 * MAX_CENTS}

    with translation.override("nl"):
        with pytest.raises(ValidationError) as refused:
            services.purchase_create(customer=anna, amount_cents=MAX_CENTS + 1)
        message = str(refused.value.error_dict["amount_cents"][0].message)

    assert message == "Dit bedrag is te groot."
    assert Purchase.objects.count() == 2
    assert _spend_kept() == {anna.pk: 2 * MAX_CENTS}


def _tally_kept() -> dict[int, tuple[int, int]]:
    """Each referrer's kept tally (how many they brought in, what those bought); a row left at
    zero by the last referred customer going is not a referrer any more."""
    rows = ReferrerTally.objects.filter(referred__gt=0)
    return {row.referrer_id: (row.referred, row.cents) for row in rows}


def _tally_counted() -> dict[int, tuple[int, int]]:
    spent = _spend_summed()
    tally: dict[int, tuple[int, int]] = {}
    for customer_id, referrer_id in Customer.objects.filter(referred_by__isnull=False).values_list(
        "pk", "referred_by_id"
    ):
        referred, cents = tally.get(referrer_id, (0, 0))
        tally[referrer_id] = (referred + 1, cents + spent.get(customer_id, 0))
    return tally


def test_every_kind_of_write_keeps_what_each_referrer_brought_in(business, other_business):
    anna = CustomerFactory(business=business)
    bram = CustomerFactory(business=business)
    kees = CustomerFactory(business=other_business)
    # Referred when added, one by one and in bulk, with purchases of every kind of write.
    carla = services.customer_create(business=business, name="Carla", referred_by=anna)
    dirk, eva = Customer.objects.bulk_create(
        [Customer(business=business, name=name, referred_by=anna) for name in ("Dirk", "Eva")]
    )
    lot = CustomerFactory(business=other_business, referred_by=kees)
    first = services.purchase_create(customer=carla, amount_cents=1250)
    services.purchase_create(customer=dirk, amount_cents=800)
    now = timezone.now()
    insert_rows(
        Purchase,
        PURCHASE_ROW_FIELDS,
        [
            (business.pk, eva.pk, now, 300, "EUR", "", "", now, now),
            (other_business.pk, lot.pk, now, 99, "EUR", "", "", now, now),
        ],
    )
    services.purchase_create(customer=anna, amount_cents=5000)  # a referrer's own: not counted
    assert _tally_kept() == _tally_counted() == {anna.pk: (3, 2350), kees.pk: (1, 99)}

    # Amounts changed and a purchase moved from a referred customer to one who was not.
    services.purchase_update(purchase=first, actor=None, amount_cents=1000)
    Purchase.objects.filter(customer=eva).update(amount_cents=10)
    Purchase.objects.filter(customer=dirk).update(customer=bram)
    assert _tally_kept() == _tally_counted() == {anna.pk: (3, 1010), kees.pk: (1, 99)}

    # Another referrer given in an edit, in bulk, and taken away.
    services.customer_update(customer=carla, referred_by=bram)
    assert (
        _tally_kept()
        == _tally_counted()
        == {anna.pk: (2, 10), bram.pk: (1, 1000), kees.pk: (1, 99)}
    )
    Customer.objects.filter(pk__in=[dirk.pk, eva.pk]).update(referred_by=bram)
    services.customer_update(customer=carla, referred_by=None)
    assert _tally_kept() == _tally_counted() == {bram.pk: (2, 10), kees.pk: (1, 99)}

    # A referred customer deleted with their purchases; a referrer deleted (SET_NULL).
    services.purchase_delete(purchase=Purchase.objects.get(customer=eva), actor=None)
    eva.delete()
    kees.delete()
    assert _tally_kept() == _tally_counted() == {bram.pk: (1, 0)}
    assert ReferrerTally.objects.get(pk=bram.pk).business_id == business.pk
    assert not ReferrerTally.objects.filter(pk=kees.pk).exists()


def last_purchases_kept() -> dict[int, tuple]:
    """Each customer's kept last purchase (CustomerLastPurchase), with the business it names."""
    return {
        row.customer_id: (row.business_id, row.at) for row in CustomerLastPurchase.objects.all()
    }


def absences_found() -> set[tuple]:
    """Each customer's absences of at least ABSENCE_KEPT_FROM, from the purchases themselves:
    (customer, business, since, until) of every two moments one after the other."""
    found = set()
    previous = None
    for row in Purchase.objects.order_by("customer_id", "at").values(
        "customer_id", "business_id", "at"
    ):
        if (
            previous is not None
            and previous["customer_id"] == row["customer_id"]
            and row["at"] - previous["at"] >= ABSENCE_KEPT_FROM
        ):
            found.add((row["customer_id"], row["business_id"], previous["at"], row["at"]))
        previous = row
    return found


def assert_purchase_moments_kept() -> None:
    """The first and last purchase (CustomerLastPurchase) and the absences (CustomerAbsence)
    the database keeps are those the purchases give."""
    found = (
        Purchase.objects.order_by()
        .values("customer_id", "business_id")
        .annotate(first=Min("at"), last=Max("at"))
    )
    assert {
        row.customer_id: (row.business_id, row.first_at, row.at)
        for row in CustomerLastPurchase.objects.all()
    } == {row["customer_id"]: (row["business_id"], row["first"], row["last"]) for row in found}
    assert (
        set(CustomerAbsence.objects.values_list("customer_id", "business_id", "since", "until"))
        == absences_found()
    )


def test_every_kind_of_purchase_write_keeps_when_the_customer_last_bought(business, other_business):
    # Given customers who bought one by one, in bulk and through the demo's and the import's
    # insert_rows, an older purchase after a newer one among them,
    anna = CustomerFactory(business=business)
    bram = CustomerFactory(business=business)
    kees = CustomerFactory(business=other_business)
    never = CustomerFactory(business=business)
    now = timezone.now().replace(microsecond=0)
    latest = services.purchase_create(customer=anna, amount_cents=1250, at=now - timedelta(days=1))
    older = services.purchase_create(customer=anna, amount_cents=800, at=now - timedelta(days=9))
    insert_rows(
        Purchase,
        PURCHASE_ROW_FIELDS,
        [
            (business.pk, bram.pk, now - timedelta(days=3), 300, "EUR", "", "", now, now),
            (business.pk, bram.pk, now - timedelta(days=5), 300, "EUR", "", "", now, now),
            (other_business.pk, kees.pk, now, 99, "EUR", "", "", now, now),
        ],
    )
    Purchase.objects.bulk_create(
        [
            Purchase(
                business=business, customer=bram, at=now - timedelta(hours=hours), amount_cents=1
            )
            for hours in (50, 70)
        ]
    )
    assert_purchase_moments_kept()
    assert last_purchases_kept() == {
        anna.pk: (business.pk, now - timedelta(days=1)),
        bram.pk: (business.pk, now - timedelta(hours=50)),
        kees.pk: (other_business.pk, now),
    }

    # when the latest is moved earlier than another, or an older one later than the latest,
    services.purchase_update(purchase=latest, actor=None, at=now - timedelta(days=10))
    assert_purchase_moments_kept()
    assert last_purchases_kept()[anna.pk] == (business.pk, now - timedelta(days=9))
    services.purchase_update(purchase=older, actor=None, at=now - timedelta(hours=1))
    Purchase.objects.filter(customer=bram).update(at=now - timedelta(days=20))
    assert_purchase_moments_kept()
    assert last_purchases_kept()[bram.pk] == (business.pk, now - timedelta(days=20))
    # an edit of what else it says (anonymisation rewrites the descriptions) changes nothing,
    Purchase.objects.filter(customer=anna).update(description="", amount_cents=5)
    assert_purchase_moments_kept()

    # booked on another customer: the latest of each worked out again,
    Purchase.objects.filter(pk=older.pk).update(customer=bram)
    assert_purchase_moments_kept()
    assert last_purchases_kept()[bram.pk] == (business.pk, now - timedelta(hours=1))
    assert last_purchases_kept()[anna.pk] == (business.pk, now - timedelta(days=10))

    # deleted one by one and in bulk, the last one taking the row along,
    services.purchase_delete(purchase=Purchase.objects.get(pk=older.pk), actor=None)
    assert last_purchases_kept()[bram.pk] == (business.pk, now - timedelta(days=20))
    Purchase.objects.filter(customer=anna).delete()
    assert_purchase_moments_kept()
    assert anna.pk not in last_purchases_kept()

    # and with the customer deleted, they are gone too; who never bought never had a row.
    bram.delete()
    assert_purchase_moments_kept()
    assert last_purchases_kept() == {kees.pk: (other_business.pk, now)}
    assert never.pk not in last_purchases_kept()


def test_customers_who_bought_at_the_same_moment_both_keep_it(business):
    anna = CustomerFactory(business=business)
    at = timezone.now().replace(microsecond=0)
    first, second = (
        services.purchase_create(customer=anna, amount_cents=cents, at=at) for cents in (1, 2)
    )
    services.purchase_create(customer=anna, amount_cents=3, at=at - timedelta(days=1))

    services.purchase_delete(purchase=first, actor=None)
    assert_purchase_moments_kept()
    assert last_purchases_kept() == {anna.pk: (business.pk, at)}
    services.purchase_delete(purchase=second, actor=None)
    assert last_purchases_kept() == {anna.pk: (business.pk, at - timedelta(days=1))}


def _absences(customer, now) -> list[tuple[int, int]]:
    """The customer's kept absences as days before `now`, the earliest first."""
    return [
        ((now - since).days, (now - until).days)
        for since, until in CustomerAbsence.objects.filter(customer=customer)
        .order_by("since")
        .values_list("since", "until")
    ]


def test_every_kind_of_purchase_write_keeps_the_long_absences(business, other_business):
    # Given customers who stayed away for months, written one by one and in one statement
    # (two purchases at one moment among them),
    anna = CustomerFactory(business=business)
    bram = CustomerFactory(business=business)
    kees = CustomerFactory(business=other_business)
    now = timezone.now().replace(microsecond=0)

    def days_ago(days):
        return now - timedelta(days=days)

    for days in (300, 200, 10):
        services.purchase_create(customer=anna, amount_cents=100, at=days_ago(days))
    insert_rows(
        Purchase,
        PURCHASE_ROW_FIELDS,
        [
            (business.pk, bram.pk, days_ago(days), 300, "EUR", "", "", now, now)
            for days in (5, 400, 250, 400)
        ]
        + [
            (other_business.pk, kees.pk, days_ago(days), 99, "EUR", "", "", now, now)
            for days in (90, 1)
        ],
    )
    assert_purchase_moments_kept()
    assert _absences(anna, now) == [(300, 200), (200, 10)]
    assert _absences(bram, now) == [(400, 250), (250, 5)]
    assert _absences(kees, now) == [(90, 1)]

    # a purchase in an absence splits it, into parts kept when still long, or none,
    services.purchase_create(customer=anna, amount_cents=100, at=days_ago(100))
    assert_purchase_moments_kept()
    assert _absences(anna, now) == [(300, 200), (200, 100), (100, 10)]
    services.purchase_create(customer=anna, amount_cents=100, at=days_ago(45))
    assert_purchase_moments_kept()
    assert _absences(anna, now) == [(300, 200), (200, 100)]
    # a second purchase at a moment changes nothing, nor its deletion; the last one at a
    # moment deleted joins the absences on either side of it,
    twin = services.purchase_create(customer=anna, amount_cents=5, at=days_ago(200))
    assert _absences(anna, now) == [(300, 200), (200, 100)]
    services.purchase_delete(purchase=twin, actor=None)
    assert_purchase_moments_kept()
    assert _absences(anna, now) == [(300, 200), (200, 100)]
    Purchase.objects.filter(customer=anna, at=days_ago(200)).delete()
    assert_purchase_moments_kept()
    assert _absences(anna, now) == [(300, 100)]

    # moved to another moment, one by one or many at once, or to another customer,
    moved = Purchase.objects.get(customer=anna, at=days_ago(45))
    services.purchase_update(purchase=moved, actor=None, at=days_ago(170))
    assert_purchase_moments_kept()
    assert _absences(anna, now) == [(300, 170), (170, 100), (100, 10)]
    Purchase.objects.filter(customer=bram, at=days_ago(400)).update(at=days_ago(330))
    assert_purchase_moments_kept()
    assert _absences(bram, now) == [(330, 250), (250, 5)]
    Purchase.objects.filter(customer=anna, at__lte=days_ago(170)).update(customer=bram)
    assert_purchase_moments_kept()
    assert _absences(anna, now) == [(100, 10)]
    assert _absences(bram, now) == [(250, 170), (170, 5)]
    # an edit of what else it says changes nothing;
    Purchase.objects.filter(customer=bram).update(description="", amount_cents=5)
    assert_purchase_moments_kept()

    # deleted in bulk, and with the customer deleted, they go.
    Purchase.objects.filter(customer=bram, at__gte=days_ago(250)).delete()
    assert_purchase_moments_kept()
    assert _absences(bram, now) == []
    anna.delete()
    bram.delete()
    assert_purchase_moments_kept()
    assert set(CustomerAbsence.objects.values_list("customer_id", flat=True)) == {kees.pk}


# Days on which the purchases of the test below fall: of any two, some are less and some more
# than ABSENCE_KEPT_FROM apart, none exactly (whether that one is kept is no rule to test).
DAYS = (0, 10, 50, 75, 130, 200, 320)
WRITE = st.one_of(
    st.tuples(
        st.just("add"),
        st.lists(st.tuples(st.integers(0, 1), st.sampled_from(DAYS)), min_size=1, max_size=4),
    ),
    st.tuples(st.just("delete"), st.integers(0, 1), st.sampled_from(DAYS)),
    st.tuples(st.just("move"), st.integers(0, 1), st.sampled_from(DAYS), st.sampled_from(DAYS)),
    st.tuples(st.just("rebook"), st.integers(0, 1), st.sampled_from(DAYS)),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writes=st.lists(WRITE, max_size=8))
def test_any_writes_keep_the_first_and_last_purchase_and_the_absences(business, writes):
    """Purchases added in one statement (several of one customer, at one moment too), deleted
    and moved in bulk by moment, booked on the other customer: after each, the kept moments are
    those the purchases give."""
    Customer.objects.filter(business=business).delete()
    customers = [CustomerFactory(business=business) for _ in range(2)]
    now = timezone.now().replace(microsecond=0)
    for write in writes:
        kind, *arguments = write
        if kind == "add":
            insert_rows(
                Purchase,
                PURCHASE_ROW_FIELDS,
                [
                    (
                        business.pk,
                        customers[who].pk,
                        now - timedelta(days=days),
                        1,
                        "EUR",
                        "",
                        "",
                        now,
                        now,
                    )
                    for who, days in arguments[0]
                ],
            )
        else:
            who, days, *other = arguments
            purchases = Purchase.objects.filter(
                customer=customers[who], at=now - timedelta(days=days)
            )
            if kind == "delete":
                purchases.delete()
            elif kind == "move":
                purchases.update(at=now - timedelta(days=other[0]))
            else:
                purchases.update(customer=customers[1 - who])
        assert_purchase_moments_kept()
