"""The keys by which the list of possible duplicates compares customers (identity.match_keys),
stored with every write of a customer, and how many customers share each key (MatchCount),
kept by the triggers of migration 0024 after every kind of write."""

import pytest
from django.db.models import Count, Max

from klantvriend.customers import services
from klantvriend.customers.identity import match_keys, name_key, phone_key
from klantvriend.customers.models import Customer, MatchCount

from .factories import CustomerFactory


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("06-12345678", "0612345678"),
        ("0612345678", "0612345678"),
        (" 06 1234 5678 ", "0612345678"),
        ("+31 6 1234 5678", "0612345678"),
        ("+31 (0)6 12345678", "0612345678"),
        ("0031 6 12345678", "0612345678"),
        ("+31612345678", "0612345678"),
        ("(020) 123.45/67", "0201234567"),
        # Belgium is at home too (customers/text.py); another country keeps its code.
        ("+32 470 12 34 56", "0470123456"),
        ("0032 470 12 34 56", "0470123456"),
        ("+49 30 1234567", "+49301234567"),
        ("0049 30 1234567", "+49301234567"),
        ("32470123456", "32470123456"),
        ("", ""),
        ("+", ""),
    ],
)
def test_a_phone_number_is_compared_as_dialled_at_home(written, key):
    assert phone_key(written) == key


def test_a_name_is_compared_without_accents_capitals_or_extra_spaces():
    assert name_key("  José  de VRIES ") == name_key("jose de vries") == "jose de vries"
    assert name_key("Yılmaz Ørsted") == "yilmaz orsted"
    assert name_key("J. de Vries") == "j. de vries"


def test_an_anonymised_customer_has_no_keys():
    keys = dict(name="Anna", email="anna@example.nl", phone="06-1")

    assert match_keys(**keys, anonymised=False) == {
        "match_name": "anna",
        "match_email": "anna@example.nl",
        "match_phone": "061",
    }
    assert match_keys(**keys, anonymised=True) == {
        "match_name": "",
        "match_email": "",
        "match_phone": "",
    }


def _kept(business, figure: str = "customers") -> set[tuple[str, str, int]]:
    """(kind, key, figure) of every key the database keeps: how many customers have it, or
    the latest of them (`newest`)."""
    return set(MatchCount.objects.filter(business=business).values_list("kind", "key", figure))


def _counted(business, figure=None) -> set[tuple[str, str, int]]:
    """The same, computed from the customers: `figure` their count, or Max("pk")."""
    counted = set()
    for kind in ("email", "phone", "name"):
        column = f"match_{kind}"
        rows = (
            Customer.objects.filter(business=business)
            .exclude(**{column: ""})
            .order_by()
            .values(column)
            .annotate(n=figure or Count("pk"))
        )
        counted |= {(kind, row[column], row["n"]) for row in rows}
    return counted


def test_every_kind_of_write_keeps_the_shared_keys(business, other_business):
    anna = services.customer_create(
        business=business, name="Anna de Vries", email="Anna@Example.nl", phone="06-12345678"
    )
    services.customer_create(business=business, name="ANNA DE VRIES", phone="+31 6 1234 5678")
    CustomerFactory(business=other_business, name="Anna de Vries", email="anna@example.nl")
    Customer.objects.bulk_create(  # as the importers and the demo write them
        [
            _with_keys(Customer(business=business, name="Bram", email=" anna@example.nl")),
            _with_keys(Customer(business=business, name="Bram")),
        ]
    )
    assert (
        _kept(business)
        == _counted(business)
        == {
            ("name", "anna de vries", 2),
            ("name", "bram", 2),
            ("email", "anna@example.nl", 2),
            ("phone", "0612345678", 2),
        }
    )
    assert _kept(other_business) == {
        ("name", "anna de vries", 1),
        ("email", "anna@example.nl", 1),
    }

    services.customer_update(customer=anna, name="Anna Bakker", email="", phone="06-12345678")
    Customer.objects.filter(business=business, name="Bram").update(match_name="b")
    assert (
        _kept(business)
        == _counted(business)
        == {
            ("name", "anna bakker", 1),
            ("name", "anna de vries", 1),
            ("name", "b", 2),
            ("email", "anna@example.nl", 1),
            ("phone", "0612345678", 2),
        }
    )

    anna.delete()
    Customer.objects.filter(business=business, name="Bram").delete()
    assert (
        _kept(business)
        == _counted(business)
        == {
            ("name", "anna de vries", 1),
            ("phone", "0612345678", 1),
        }
    )
    assert _kept(other_business) == {("name", "anna de vries", 1), ("email", "anna@example.nl", 1)}


def _with_keys(customer: Customer) -> Customer:
    customer.refresh_derived_fields()
    return customer


def _newest_kept(business) -> set[tuple[str, str, int]]:
    return _kept(business, "newest")


def _newest_counted(business) -> set[tuple[str, str, int]]:
    return _counted(business, Max("pk"))


def test_every_kind_of_write_keeps_each_key_s_latest_customer(business, other_business):
    # Given customers written one by one and in bulk (as the importers write them),
    anna = services.customer_create(business=business, name="Anna", phone="06-12345678")
    bram = services.customer_create(business=business, name="Bram", phone="0612345678")
    CustomerFactory(business=other_business, name="Anna")
    Customer.objects.bulk_create(
        [_with_keys(Customer(business=business, name=name)) for name in ("Anna", "Bram", "Anna")]
    )
    latest_anna = Customer.objects.filter(business=business, name="Anna").latest("pk")
    assert (
        _newest_kept(business)
        == _newest_counted(business)
        == {
            ("name", "anna", latest_anna.pk),
            ("name", "bram", latest_anna.pk - 1),
            ("phone", "0612345678", bram.pk),
        }
    )

    # when a key's latest customer leaves it (a new name; several in one statement), its
    # latest is the one before, and the key they join gets them if they are later;
    services.customer_update(customer=latest_anna, name="Cor")
    assert _newest_kept(business) == _newest_counted(business)
    assert ("name", "anna", latest_anna.pk - 2) in _newest_kept(business)
    Customer.objects.filter(business=business, name="Bram").update(match_name="anna")
    assert _newest_kept(business) == _newest_counted(business)
    assert ("name", "anna", latest_anna.pk - 1) in _newest_kept(business)

    # and when the latest is deleted, alone or with others.
    Customer.objects.filter(pk=latest_anna.pk - 1).delete()
    assert _newest_kept(business) == _newest_counted(business)
    bram.delete()
    Customer.objects.filter(pk__in=[anna.pk, latest_anna.pk]).delete()
    assert (
        _newest_kept(business)
        == _newest_counted(business)
        == {("name", "anna", latest_anna.pk - 2)}
    )
    assert _newest_kept(other_business) == _newest_counted(other_business)
