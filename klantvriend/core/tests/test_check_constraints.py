"""The check constraints of a business's rows refused by full_clean as Django refuses them, each
with its message, but asked of the database in one query instead of one per constraint, each in
a savepoint of its own (core.models._checks_passed): every save of a customer, a purchase or a
complaint goes through them."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from klantvriend.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _statements(queries) -> list[str]:
    """Each statement's first word: the savepoints' names differ from run to run."""
    return [query["sql"].split()[0] for query in queries]


def test_every_broken_check_is_refused_with_its_message_from_one_question(business):
    customer = CustomerFactory(business=business, name="Anna")
    customer.name = ""
    customer.special_notes = "Notenallergie"
    customer.referred_by = customer

    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as refused:
        customer.validate_constraints()

    assert refused.value.message_dict == {
        NON_FIELD_ERRORS: [
            "Een klant heeft een naam nodig.",
            "Notities over gezondheid, dieet of allergieën mogen alleen worden bewaard met "
            "uitdrukkelijke toestemming van de klant.",
            "Een klant kan zichzelf niet hebben doorverwezen.",
        ]
    }
    # The three checks in one question; then the customer number's uniqueness, as Django asks.
    assert _statements(queries) == ["SAVEPOINT", "SELECT", "RELEASE"] * 2
    assert '"check_2"' in queries[1]["sql"]
    assert '"check_3"' not in queries[1]["sql"]
    assert "EXISTS" in queries[4]["sql"]


def test_a_customer_who_passes_every_check_is_not_refused(business):
    customer = CustomerFactory(business=business, name="Anna", special_notes="")

    customer.full_clean()


def test_a_check_over_an_excluded_field_is_left_out_as_django_leaves_it(business):
    customer = CustomerFactory(business=business, name="Anna")
    customer.name = ""

    customer.validate_constraints(exclude={"name"})
