"""A customer's `updated_at` moves with every change of what the API shows of them (their
fields, their tags), also through a bulk write, and not with what is derived from other records
(a purchase, which the profile's spend counts): docs/api.md, "Syncing"."""

from datetime import UTC, datetime

from django.utils import timezone

from klantvriend.customers import services
from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.tests.factories import CustomerFactory

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def changed_long_ago(*rows: Customer | Purchase) -> datetime:
    """Dates the rows' last change long ago (customers, or purchases: one kind at a time);
    returns the moment before the change tested."""
    type(rows[0]).objects.filter(pk__in=[row.pk for row in rows]).update(updated_at=LONG_AGO)
    return timezone.now()


def updated_at(row: Customer | Purchase) -> datetime:
    return type(row).objects.values_list("updated_at", flat=True).get(pk=row.pk)


def test_a_change_of_only_the_tags_counts_as_a_change(business):
    anna = services.customer_create(business=business, name="Anna", tags=["BBQ"])
    before = changed_long_ago(anna)

    services.customer_update(customer=anna, tags=["BBQ", "Buurt"])

    assert before <= updated_at(anna) <= timezone.now()


def test_a_change_of_a_field_counts_as_a_change(business):
    anna = services.customer_create(business=business, name="Anna")
    before = changed_long_ago(anna)

    services.customer_update(customer=anna, city="Ede")

    assert before <= updated_at(anna) <= timezone.now()


def test_a_bulk_update_of_customers_moves_their_updated_at(business):
    anna, bram, cor = (CustomerFactory(business=business, name=n) for n in ("Anna", "Bram", "Cor"))
    before = changed_long_ago(anna, bram, cor)

    Customer.objects.filter(pk=anna.pk).update(city="Ede")
    bram.city = "Delft"
    Customer.objects.bulk_update([bram], ["city"])

    assert before <= updated_at(anna) <= timezone.now()
    assert before <= updated_at(bram) <= timezone.now()
    assert Customer.objects.values_list("city", flat=True).get(pk=bram.pk) == "Delft"
    assert updated_at(cor) == LONG_AGO


def test_marking_customers_changed_moves_only_theirs(business):
    anna, bram = CustomerFactory(business=business), CustomerFactory(business=business)
    before = changed_long_ago(anna, bram)

    assert Customer.objects.filter(pk=anna.pk).mark_changed() == 1

    assert before <= updated_at(anna) <= timezone.now()
    assert updated_at(bram) == LONG_AGO


def test_a_purchase_is_no_change_of_the_customer(business):
    # The spend it adds is derived from the purchases, which an integrator reads as purchases.
    anna = services.customer_create(business=business, name="Anna")
    changed_long_ago(anna)

    services.purchase_create(customer=anna, amount_cents=1250)

    assert updated_at(anna) == LONG_AGO
