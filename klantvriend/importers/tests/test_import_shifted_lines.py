"""A line with more cells than the header (a separator inside an unquoted value) shifts its
values into the wrong columns: both importers refuse it, naming the line; trailing empty cells
(separators a till puts at the end of each line) are no shift."""

import pytest
from django.utils import translation

from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.results import RowError
from klantvriend.importers.service import data_import

from .test_import import snapshot, write

pytestmark = pytest.mark.django_db

CUSTOMERS = (
    "Klantnummer;Naam;E-mail;Woonplaats;Opmerkingen\n"
    "T001;Anna de Vries;anna@example.nl;Delft;\n"
    "T002;Bert Jansen;bert@example.nl;Gouda;belt terug;liefst 's avonds\n"
)
PURCHASES = (
    "Klantnummer;Datum;Bedrag;Omschrijving\n"
    "T001;25-03-2026;12,50;band\n"
    "T002;25-03-2026;12;50;ketting\n"
)


def _message(count: int, width: int) -> str:
    return (
        f"This line has {count} cells where the header has {width}: a separator inside a "
        "value? Put that value in quotes."
    )


@pytest.mark.parametrize(
    ("kind", "text", "error"),
    [
        (
            "customers",
            CUSTOMERS,
            RowError(3, "", "liefst 's avonds", _message(6, 5), "too_many_cells"),
        ),
        ("purchases", PURCHASES, RowError(3, "", "ketting", _message(5, 4), "too_many_cells")),
    ],
)
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_line_with_more_cells_than_the_header_is_refused(
    tmp_path, business, kind, text, error, dry_run
):
    CustomerFactory(business=business, external_ref="T001", name="Anna de Vries")
    before = snapshot(business)

    with translation.override("en"):
        result = data_import(
            business=business, kind=kind, path=write(tmp_path, "f.csv", text), dry_run=dry_run
        )

    assert (result.error_count, result.errors) == (1, [error])
    assert snapshot(business) == before


def test_the_refusal_is_in_dutch_for_a_dutch_owner(tmp_path, business):
    result = data_import(
        business=business, kind="purchases", path=write(tmp_path, "f.csv", PURCHASES)
    )

    assert [error.message for error in result.errors] == [
        "Deze regel heeft 5 cellen waar de kopregel er 4 heeft: een scheidingsteken in een "
        "waarde? Zet die waarde tussen aanhalingstekens."
    ]


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("customers", CUSTOMERS.replace(";liefst 's avonds", "")),
        ("purchases", PURCHASES.replace("12;50", "12,50")),
    ],
)
def test_trailing_empty_cells_are_no_shift(tmp_path, business, kind, text):
    trailing = text.replace("\n", ";;\n")

    result = data_import(business=business, kind=kind, path=write(tmp_path, "f.csv", trailing))

    assert (result.ok, result.rows, result.created) == (True, 2, 2)


def test_a_quoted_value_with_a_separator_is_one_cell(tmp_path, business):
    quoted = CUSTOMERS.replace("belt terug;liefst 's avonds", '"belt terug;liefst \'s avonds"')

    result = data_import(business=business, kind="customers", path=write(tmp_path, "f.csv", quoted))

    assert (result.ok, result.created) == (True, 2)
