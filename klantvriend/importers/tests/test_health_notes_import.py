"""A customer file's column of allergies, diet or health (GDPR art. 9): read into the customer's
health notes only with the customer's explicit consent, from the line's consent column or on
record; otherwise the notes are left out, said at the line, and the rest imported. A restaurant
could only import its "Allergieën" as preferences, where a nut allergy read as a taste."""

import pytest
from django.utils import translation

from klantvriend.customers.models import ConsentKind, ConsentRecord, ConsentSource, Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.mapping import detect_mapping
from klantvriend.importers.reading import detect_format
from klantvriend.importers.service import data_import


def _file(tmp_path, text: str):
    path = tmp_path / "gasten.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_allergy_column_is_found_and_stored_with_consent_and_left_out_without(
    tmp_path, business
):
    path = _file(
        tmp_path,
        "Naam;Telefoon;Allergieën;Toestemming allergie\n"
        "Jan de Wit;0612345678;Noten;ja\n"
        "Piet Bos;0687654321;Gluten;\n"
        "Klaas Vos;0611111111;;\n"
        "Bram Kok;0622222222;Schaaldieren;nee\n",
    )
    mapping = detect_mapping("customers", detect_format(path))
    assert (mapping["special_notes"], mapping["special_category_consent"]) == (
        "Allergieën",
        "Toestemming allergie",
    )

    with translation.override("nl"):
        result = data_import(business=business, kind="customers", path=path)

    assert result.ok, result.errors
    assert result.created == 4
    stored = {
        c.name: (c.special_notes, c.special_category_consent, c.special_category_consent_at)
        for c in Customer.objects.filter(business=business)
    }
    jan = Customer.objects.get(name="Jan de Wit")
    assert stored["Jan de Wit"][:2] == ("Noten", True)
    assert stored["Jan de Wit"][2] is not None
    assert stored["Piet Bos"] == ("", False, None)
    assert stored["Klaas Vos"] == ("", False, None)
    assert stored["Bram Kok"] == ("", False, None)
    assert list(ConsentRecord.objects.values_list("customer", "kind", "given", "source")) == [
        (jan.pk, ConsentKind.SPECIAL_CATEGORY, True, ConsentSource.IMPORT)
    ]
    assert [(n.line, n.column, n.value, n.message, n.code) for n in result.notes] == [
        (
            3,
            "Allergieën",
            "Gluten",
            "Niet opgeslagen: gegevens over gezondheid, dieet en allergieën vragen "
            "uitdrukkelijke toestemming van de klant (AVG art. 9). Gaf de klant die, zet dan "
            "“ja” in een kolom met die toestemming, of leg de gegevens vast op de kaart van de "
            "klant.",
            "special_notes_without_consent",
        ),
        # Its "nee" is the customer's answer: no advice to write "ja".
        (
            5,
            "Allergieën",
            "Schaaldieren",
            "Niet opgeslagen: volgens het bestand gaf de klant geen uitdrukkelijke toestemming "
            "voor gegevens over gezondheid, dieet en allergieën (AVG art. 9).",
            "special_notes_refused",
        ),
    ]


def test_a_dry_run_says_the_same_and_stores_nothing(tmp_path, business):
    path = _file(tmp_path, "Naam;Allergieën\nPiet Bos;Gluten\n")

    result = data_import(business=business, kind="customers", path=path, dry_run=True)

    assert result.ok
    assert [note.code for note in result.notes] == ["special_notes_without_consent"]
    assert not Customer.objects.exists()


def test_consent_on_record_lets_the_notes_in_and_a_no_in_the_file_does_not_withdraw_it(
    tmp_path, business
):
    anna = CustomerFactory(
        business=business,
        name="Anna Smit",
        external_ref="K7",
        special_category_consent=True,
        special_notes="Lactose",
    )
    path = _file(
        tmp_path,
        "Klantnummer;Naam;Dieet;Toestemming dieet\nK7;Anna Smit;Lactose, geen schaaldieren;nee\n",
    )

    with translation.override("en"):
        result = data_import(business=business, kind="customers", path=path)

    assert result.ok, result.errors
    anna.refresh_from_db()
    assert (anna.special_notes, anna.special_category_consent) == (
        "Lactose, geen schaaldieren",
        True,
    )
    assert not ConsentRecord.objects.exists()
    assert [(n.line, n.column, n.value, n.message) for n in result.notes] == [
        (
            2,
            "Toestemming dieet",
            "nee",
            "This customer's consent for health, diet or allergy notes is on record; a file "
            "does not withdraw it. Withdraw it on the customer's card, which also removes the "
            "notes.",
        )
    ]


@pytest.mark.parametrize("consent", ["misschien", "2"])
def test_a_consent_cell_that_is_no_yes_or_no_refuses_the_file(tmp_path, business, consent):
    path = _file(tmp_path, f"Naam;Allergieën;Toestemming allergie\nJan;Noten;{consent}\n")

    result = data_import(business=business, kind="customers", path=path)

    assert not result.ok
    assert [(e.line, e.column, e.value) for e in result.errors] == [
        (2, "Toestemming allergie", consent)
    ]
    assert not Customer.objects.exists()
