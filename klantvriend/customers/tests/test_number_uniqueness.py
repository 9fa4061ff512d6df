"""K-1001 and k-1001 are one customer number, kept so by the database itself: a unique constraint
on the number in any capitals (customer_unique_number_key), a migration that renumbers the pairs
a shop has from before, and saves that race refused as "taken" rather than failing."""

import importlib
import json

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from klantvriend.core.errors import ValidationError
from klantvriend.core.models import AuditEvent
from klantvriend.customers import services
from klantvriend.customers.identity import renumbering
from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.tests.factories import CustomerFactory

migration = importlib.import_module(
    "klantvriend.customers.migrations.0016_renumber_customer_numbers_taken_in_other_capitals"
)
CONSTRAINT = next(
    constraint
    for constraint in Customer._meta.constraints
    if constraint.name == "customer_unique_number_key"
)


def test_the_database_refuses_a_second_customer_with_the_number_in_other_capitals(
    business, other_business
):
    CustomerFactory(business=business, external_ref="K-1001")

    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(business=business, name="Kees", external_ref="k-1001")

    # Customers without a number do not collide, nor one number in two businesses.
    Customer.objects.create(business=business, name="Zonder", external_ref="")
    Customer.objects.create(business=business, name="Ook zonder", external_ref="")
    Customer.objects.create(business=other_business, name="Elders", external_ref="k-1001")
    assert sorted(Customer.objects.values_list("business__name", "external_ref")) == [
        ("Garage Elders", "k-1001"),
        ("Slagerij Test", ""),
        ("Slagerij Test", ""),
        ("Slagerij Test", "K-1001"),
    ]


def test_the_number_is_stored_without_surrounding_spaces_so_the_database_compares_it_whole(
    business,
):
    services.customer_create(business=business, name="Anna", external_ref="K-1")

    with pytest.raises(ValidationError) as refused:
        services.customer_create(business=business, name="Kees", external_ref=" k-1 ")

    assert refused.value.error_dict["external_ref"][0].code == "unique"
    bram = services.customer_create(business=business, name="Bram", external_ref=" B-7 ")
    assert bram.external_ref == "B-7"


def test_renumbering_keeps_the_first_and_gives_each_later_one_a_free_suffix():
    numbers = [(1, "K-1"), (2, "k-1"), (3, "K-1-2"), (4, "k-1"), (5, "ab"), (6, "x" * 100)]
    numbers.append((7, "X" * 100))

    assert renumbering(numbers) == {2: "k-1-3", 4: "k-1-4", 7: "X" * 98 + "-2"}
    assert renumbering([(1, "K-1"), (2, "B-2")]) == {}


@pytest.fixture
def without_the_constraint():
    """The database as it was before migration 0017, for this test's transaction only: both
    databases roll the dropped index back with the rest of the test."""
    editor = connection.schema_editor(collect_sql=True)
    with connection.cursor() as cursor:
        cursor.execute(str(CONSTRAINT.remove_sql(Customer, editor)))
    return editor


def test_the_migration_renumbers_the_later_customer_of_a_pair_and_records_why(
    business, other_business, without_the_constraint
):
    first = CustomerFactory(business=business, name="Anna", external_ref="K-1001")
    later = CustomerFactory(business=business, name="Kees", external_ref="k-1001")
    other = CustomerFactory(business=other_business, name="Elders", external_ref="k-1001")
    lines: list[str] = []

    migration.renumber_numbers_taken_in_other_capitals(
        apps, without_the_constraint, out=lines.append
    )

    assert dict(Customer.objects.values_list("pk", "external_ref")) == {
        first.pk: "K-1001",
        later.pk: "k-1001-2",
        other.pk: "k-1001",
    }
    event = AuditEvent.objects.get()
    assert (event.business, event.customer, event.action, event.actor) == (
        business,
        later,
        "changed",
        None,
    )
    assert event.changes == {"external_ref": ["k-1001", "k-1001-2"]}
    assert lines == [
        f"Business {business.pk}: customer {later.pk}'s number 'k-1001' was another "
        "customer's in other capitals; it is now 'k-1001-2'."
    ]
    # Nothing is left that the constraint of migration 0017 would refuse.
    numbers = Customer.objects.filter(business=business).order_by("pk")
    assert renumbering(list(numbers.values_list("pk", "external_ref"))) == {}
    # Run again (or on a shop without pairs), it changes nothing.
    migration.renumber_numbers_taken_in_other_capitals(
        apps, without_the_constraint, out=lines.append
    )
    assert AuditEvent.objects.count() == 1


def _racing(monkeypatch, business, number):
    """Another request saves a customer with `number` just after this one's checks passed."""
    real = Customer.full_clean

    def full_clean_then_the_other_request_saves(self, *args, **kwargs):
        real(self, *args, **kwargs)
        Customer.objects.create(business=business, name="Gelijktijdig", external_ref=number)

    monkeypatch.setattr(Customer, "full_clean", full_clean_then_the_other_request_saves)


def test_two_creates_that_race_end_with_one_refused_as_taken(business, monkeypatch):
    _racing(monkeypatch, business, "K-1")

    with pytest.raises(ValidationError) as refused:
        services.customer_create(business=business, name="Kees", external_ref="k-1")

    error = refused.value.error_dict["external_ref"][0]
    assert (error.code, error.messages) == (
        "unique",
        ["Een andere klant heeft dit klantnummer al."],
    )
    assert list(Customer.objects.values_list("name", "external_ref")) == [("Gelijktijdig", "K-1")]
    assert not AuditEvent.objects.exists()


def test_a_change_that_races_is_refused_as_taken_and_the_customer_keeps_their_number(
    business, monkeypatch
):
    """The other request commits a customer with the number between this change's check and its
    write: on PostgreSQL the check, inside the transaction, cannot see it yet (on SQLite the
    write lock taken at BEGIN keeps the two apart). Its row is there before, but the check of
    this change passes as if it were not."""
    bram = services.customer_create(business=business, name="Bram", external_ref="B-7")
    Customer.objects.create(business=business, name="Gelijktijdig", external_ref="K-1")
    real = Customer.validate_constraints
    checks = []

    def not_seen_by_the_first_check(self, *args, **kwargs):
        checks.append(self.pk)
        if len(checks) > 1:
            real(self, *args, **kwargs)

    monkeypatch.setattr(Customer, "validate_constraints", not_seen_by_the_first_check)

    with pytest.raises(ValidationError) as refused:
        services.customer_update(customer=bram, name="Bram B.", external_ref="k-1")

    assert refused.value.error_dict["external_ref"][0].code == "unique"
    assert checks == [bram.pk, bram.pk]  # the check that passed, and the refusal's after it
    assert (bram.name, bram.external_ref) == ("Bram", "B-7")
    bram.refresh_from_db()
    assert (bram.name, bram.external_ref) == ("Bram", "B-7")


def test_a_race_through_the_api_is_a_422_on_the_number_in_the_language_asked(
    api, business, monkeypatch
):
    _racing(monkeypatch, business, "K-1")

    response = api.post(
        "/api/v1/customers",
        json.dumps({"name": "Kees", "external_ref": "k-1"}),
        content_type="application/json",
        headers={"Accept-Language": "nl"},
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "external_ref"],
            "msg": "Een andere klant heeft dit klantnummer al.",
            "type": "unique",
            # The customer saved meanwhile: the till carries on with the one that won.
            "existing_id": Customer.objects.get(name="Gelijktijdig").pk,
        }
    ]
    assert list(Customer.objects.values_list("name", "external_ref")) == [("Gelijktijdig", "K-1")]


def test_a_purchase_whose_receipt_number_is_saved_meanwhile_is_refused_as_taken(
    business, monkeypatch
):
    customer = CustomerFactory(business=business)
    real = Purchase.full_clean

    def full_clean_then_the_till_saves(self, *args, **kwargs):
        real(self, *args, **kwargs)
        Purchase.objects.create(
            business=business, customer=customer, amount_cents=100, external_ref="BON-7"
        )

    monkeypatch.setattr(Purchase, "full_clean", full_clean_then_the_till_saves)

    with pytest.raises(ValidationError) as refused:
        services.purchase_create(customer=customer, amount_cents=250, external_ref="BON-7")

    assert refused.value.error_dict["external_ref"][0].code == "unique"
    assert list(Purchase.objects.values_list("external_ref", "amount_cents")) == [("BON-7", 100)]
