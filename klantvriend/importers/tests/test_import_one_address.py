"""One person twice in one customer file, once with a customer number and once without, found
by the e-mail address in other capitals: the file is refused, naming both lines, instead of
making two customers (and refusing the same file ever after as ambiguous)."""

import pytest
from django.utils import translation

from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers import customer_import
from klantvriend.importers.common import Columns
from klantvriend.importers.mapping import build_mapping
from klantvriend.importers.reading import detect_format
from klantvriend.importers.results import ImportResult, RowError
from klantvriend.importers.service import data_import

from .test_import import snapshot, write

pytestmark = pytest.mark.django_db

HEADER = "Klantnummer;Naam;E-mail;Woonplaats\n"
NUMBERED = "T002;Pieter Jansen;P.Jansen@Example.nl;Delft\n"
UNNUMBERED = ";Pieter Jansen;p.jansen@example.nl;Delft\n"
OTHERS = ["T001;Anna de Vries;anna@example.nl;Gouda\n", "T003;Cor Smit;;Leiden\n"]


def _message(line: int) -> str:
    return (
        f"This email address is also on line {line} (customer number T002): give this line the "
        "same customer number, or remove it."
    )


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_row_without_number_with_the_address_of_a_numbered_row_is_refused(
    tmp_path, business, dry_run
):
    CustomerFactory(business=business, external_ref="T001", name="Anna de Vries")
    before = snapshot(business)
    path = write(tmp_path, "k.csv", HEADER + NUMBERED + "".join(OTHERS) + UNNUMBERED)

    with translation.override("en"):
        result = data_import(business=business, kind="customers", path=path, dry_run=dry_run)

    assert (result.error_count, result.errors) == (
        1,
        [RowError(5, "E-mail", "p.jansen@example.nl", _message(2), "duplicate")],
    )
    assert (result.created, result.updated, result.note_count) == (0, 0, 0)
    assert snapshot(business) == before


def test_the_row_without_number_is_named_also_when_it_comes_first(tmp_path, business):
    path = write(
        tmp_path,
        "k.csv",
        HEADER + UNNUMBERED + OTHERS[0] + NUMBERED + NUMBERED.replace("T002", "T004"),
    )

    with translation.override("en"):
        result = data_import(business=business, kind="customers", path=path)

    assert result.errors == [RowError(2, "E-mail", "p.jansen@example.nl", _message(4), "duplicate")]
    assert not Customer.objects.filter(business=business).exists()


def test_the_refusal_is_in_dutch_for_a_dutch_owner(tmp_path, business):
    path = write(tmp_path, "k.csv", HEADER + NUMBERED + UNNUMBERED)

    result = data_import(business=business, kind="customers", path=path)

    assert [error.message for error in result.errors] == [
        "Dit e-mailadres staat ook op regel 2 (klantnummer T002): geef deze regel hetzelfde "
        "klantnummer, of haal hem weg."
    ]


def test_numbered_rows_may_share_an_address(tmp_path, business):
    """A couple with one address, each a customer of the till."""
    path = write(tmp_path, "k.csv", HEADER + NUMBERED + NUMBERED.replace("T002", "T004"))

    result = data_import(business=business, kind="customers", path=path)

    assert (result.ok, result.created) == (True, 2)


def test_writing_such_a_file_all_the_same_makes_one_customer(tmp_path, business):
    """What validate refuses, write could not double either (a batch writes what it read)."""
    path = write(tmp_path, "k.csv", HEADER + NUMBERED + UNNUMBERED)
    table = detect_format(path)
    columns = Columns(table=table, mapping=build_mapping("customers", table, None))
    result = ImportResult(kind="customers", dry_run=False)

    customer_import.write(path, columns, business, result)

    assert list(
        Customer.objects.filter(business=business).values_list("external_ref", "email")
    ) == [("T002", "p.jansen@example.nl")]
    assert (result.created, result.updated, result.skipped) == (1, 1, 0)
