"""Imports of files as Dutch and Belgian tills and Excel write them, and of broken ones."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from klantvriend.aftercare.models import FollowUp
from klantvriend.core.care_settings import care_settings_update
from klantvriend.core.db import AsciiLower
from klantvriend.core.models import AuditEvent
from klantvriend.customers import services
from klantvriend.customers.identity import customer_number_key
from klantvriend.customers.models import ConsentRecord, Customer, LegalBasis, Purchase, Tag
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers import customer_import, results
from klantvriend.importers.results import MAX_LISTED_ERRORS, RowError
from klantvriend.importers.service import data_import


def write(tmp_path, name: str, text: str, encoding: str = "utf-8", bom: bool = False):
    path = tmp_path / name
    data = text.replace("\n", "\r\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def snapshot(business):
    return (
        list(Customer.objects.filter(business=business).values().order_by("id")),
        list(Purchase.objects.filter(business=business).values().order_by("id")),
    )


EXCEL_CUSTOMERS = """Klantnummer;Voornaam;Tussenvoegsel;Achternaam;E-mailadres;Telefoon;Adres;Postcode;Woonplaats;Geboortedatum;Nieuwsbrief;Opmerkingen
1001;José;van der;Müller;jose@example.nl;06-12345678;Dorpsstraat 1;1234 AB;Zoetermeer;03-11-1985;ja;Houdt van rundvlees, niet te vet
1002;Ans;;Bakker;;010 1234567;;;Delft;25-04-1962;nee;
1003;Kévin;;Dubois;kevin@example.be;;Grote Markt 3;9000;Gent;;;Klant uit Gent
"""


def test_an_excel_customer_file_in_windows_1252_with_semicolons_is_imported(tmp_path, business):
    path = write(tmp_path, "klanten.csv", EXCEL_CUSTOMERS, encoding="cp1252")

    result = data_import(business=business, kind="customers", path=path)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.skipped) == (3, 0, 0)
    assert result.table.encoding == "cp1252"
    assert result.table.delimiter == ";"
    jose = Customer.objects.get(business=business, external_ref="1001")
    assert jose.name == "José van der Müller"
    assert jose.email == "jose@example.nl"
    assert jose.street == "Dorpsstraat 1"
    assert jose.birthday == date(1985, 11, 3)
    assert jose.marketing_consent is True
    assert jose.marketing_consent_basis == LegalBasis.CONSENT
    assert jose.notes == "Houdt van rundvlees, niet te vet"
    assert "muller" in jose.search_text
    record = ConsentRecord.objects.get(customer=jose)
    assert (record.kind, record.given, record.basis, record.source) == (
        "marketing",
        True,
        "consent",
        "import",
    )
    assert Customer.objects.get(external_ref="1002").marketing_consent is False
    assert AuditEvent.objects.filter(business=business, action="imported").count() == 1


def test_reimporting_a_customer_file_updates_what_changed_and_adds_nobody(tmp_path, business):
    path = write(tmp_path, "klanten.csv", EXCEL_CUSTOMERS, encoding="cp1252")
    data_import(business=business, kind="customers", path=path)
    changed = EXCEL_CUSTOMERS.replace("Delft", "Rijswijk").replace(";Klant uit Gent", ";")

    result = data_import(
        business=business, kind="customers", path=write(tmp_path, "b.csv", changed)
    )

    assert (result.created, result.updated, result.skipped) == (0, 1, 2)
    assert Customer.objects.filter(business=business).count() == 3
    assert Customer.objects.get(external_ref="1002").city == "Rijswijk"
    # An empty cell keeps what is stored.
    assert Customer.objects.get(external_ref="1003").notes == "Klant uit Gent"


def test_customers_without_a_number_are_matched_on_email(tmp_path, business):
    existing = CustomerFactory(business=business, name="Anna de Vries", email="Anna@Example.nl")
    path = write(
        tmp_path,
        "c.csv",
        "name,email,phone\nAnna de Vries,anna@example.nl,0612345678\nBert,bert@example.nl,\n",
    )

    result = data_import(business=business, kind="customers", path=path)

    assert (result.created, result.updated) == (1, 1)
    existing.refresh_from_db()
    assert existing.phone == "0612345678"


TILL_EXPORT = """Bonnummer;Datum;Tijd;Klantnummer;Naam;Omschrijving;Bedrag
B-0001;02-01-2025;09:14;1001;José van der Müller;Rollade 1 kg;€ 1.234,56
B-0002;15-01-2025;16:02;1002;Ans Bakker;Gehakt;12,50
B-0003;15-01-2025;16:05;2001;Nieuwe Klant;Worst;3,95
B-0004;28-02-2025;11:30;1001;José van der Müller;Biefstuk;€ 24,00
"""


def test_a_till_export_with_bom_semicolons_and_decimal_commas_is_imported(tmp_path, business):
    CustomerFactory(business=business, name="José van der Müller", external_ref="1001")
    CustomerFactory(business=business, name="Ans Bakker", external_ref="1002")
    path = write(tmp_path, "kassa.csv", TILL_EXPORT, bom=True)

    result = data_import(business=business, kind="purchases", path=path)

    assert result.ok, result.errors
    assert result.table.encoding == "utf-8-sig"
    assert (result.created, result.skipped, result.customers_created) == (4, 0, 1)
    first = Purchase.objects.get(business=business, external_ref="B-0001")
    assert first.amount_cents == 123456
    assert first.currency == "EUR"
    assert first.description == "Rollade 1 kg"
    assert first.at == datetime(2025, 1, 2, 9, 14, tzinfo=business.tzinfo)
    assert first.customer.external_ref == "1001"
    newcomer = Customer.objects.get(business=business, external_ref="2001")
    assert newcomer.name == "Nieuwe Klant"
    assert newcomer.customer_since == date(2025, 1, 15)


def test_reimporting_the_same_till_export_creates_no_duplicates(tmp_path, business):
    path = write(tmp_path, "kassa.csv", TILL_EXPORT, bom=True)
    data_import(business=business, kind="purchases", path=path)
    before = snapshot(business)

    again = data_import(business=business, kind="purchases", path=path)

    assert (again.created, again.skipped, again.customers_created) == (0, 4, 0)
    assert snapshot(business) == before


def test_purchases_without_receipt_numbers_get_a_stable_key(tmp_path, business):
    # Two identical coffees in the same minute are two purchases, also on the second import.
    text = (
        "customer number\tdate\tamount\tdescription\n"
        "7\t2025-03-01 10:00\t2.80\tcoffee\n"
        "7\t2025-03-01 10:00\t2.80\tcoffee\n"
        "8\t2025-03-02\t1,234.50\tcatering\n"
    )
    path = write(tmp_path, "till.tsv", text)

    first = data_import(business=business, kind="purchases", path=path)
    second = data_import(business=business, kind="purchases", path=path)

    assert first.table.delimiter == "\t"
    assert (first.created, second.created, second.skipped) == (3, 0, 3)
    keys = list(Purchase.objects.filter(business=business).values_list("external_ref", flat=True))
    assert len(set(keys)) == 3
    assert all(key.startswith("kv-") for key in keys)
    assert sorted(Purchase.objects.values_list("amount_cents", flat=True)) == [280, 280, 123450]
    catering = Purchase.objects.get(amount_cents=123450)
    assert business.local(catering.at).date() == date(2025, 3, 2)


def test_customers_in_a_purchases_file_are_matched_by_email(tmp_path, business):
    anna = CustomerFactory(business=business, name="Anna", email="anna@example.nl")
    path = write(
        tmp_path,
        "p.csv",
        "e-mail;datum;bedrag\nANNA@example.nl;13-3-25;10\nnew@example.nl;14-3-25;5\n",
    )

    result = data_import(business=business, kind="purchases", path=path)

    assert (result.created, result.customers_created) == (2, 1)
    purchase = Purchase.objects.get(amount_cents=1000)
    assert purchase.customer == anna
    assert business.local(purchase.at).date() == date(2025, 3, 13)
    assert Customer.objects.get(email="new@example.nl").name == "new@example.nl"


def test_a_salons_treatment_column_is_the_purchases_description(tmp_path, business):
    """A hair salon's till heads what was done "Behandeling": it was left unread, and the
    visits came in without what was done."""
    CustomerFactory(business=business, name="Eva", external_ref="1001")
    path = write(
        tmp_path,
        "kassa.csv",
        "Klantnr;Datum;Behandeling;Bedrag;Kapper\n1001;14-3-2025;Knippen + kleuren;89,50;Lotte\n",
    )

    result = data_import(business=business, kind="purchases", path=path)

    assert result.created == 1
    assert Purchase.objects.get(business=business).description == "Knippen + kleuren"


def test_a_file_with_errors_is_refused_whole_with_line_column_value_and_reason(tmp_path, business):
    CustomerFactory(business=business, name="Bestaand", external_ref="1001")
    before = snapshot(business)
    text = (
        "Bonnummer;Datum;Klantnummer;Bedrag;E-mail\n"
        "B1;13-01-2025;1001;12,50;\n"  # fine, but the file as a whole is refused
        "B2;31-02-2025;1001;12,50;\n"  # no such date
        "B3;14-01-2025;1001;-5,00;\n"  # a return: left out, no refusal (test below)
        "B4;15-01-2025;;7,00;\n"  # a walk-in sale: left out, no refusal (test below)
        "B5;16-01-2025;1002;twaalf;\n"  # not an amount
        "B6;17-01-2025;1003;1,00;geen-mail\n"  # bad email
        "B1;18-01-2025;1001;1,00;\n"  # receipt number twice
        "B8;19-01-2099;1001;1,00;\n"  # in the future
        "B9;20-01-2025;1001;100000000000000000000000000;\n"  # more than any purchase can be
        "B10;21-01-0025;1001;1,00;\n"  # "0025" typed for "2025"
    )

    result = data_import(
        business=business, kind="purchases", path=write(tmp_path, "fout.csv", text)
    )

    assert not result.ok
    assert [(e.line, e.column, e.value, e.code) for e in result.errors] == [
        (3, "Datum", "31-02-2025", "invalid_date"),
        (6, "Bedrag", "twaalf", "invalid"),
        (7, "E-mail", "geen-mail", "invalid"),
        (8, "Bonnummer", "B1", "duplicate"),
        (9, "Datum", "19-01-2099", "future"),
        (10, "Bedrag", "100000000000000000000000000", "too_large"),
        (11, "Datum", "21-01-0025", "too_early"),
    ]
    assert all(error.message for error in result.errors)
    assert result.created == 0
    assert snapshot(business) == before


def test_a_time_zone_offset_no_clock_shows_is_refused_at_its_line(tmp_path, business):
    # Python holds no offset of a day or more: the import stopped with a server error instead
    # of naming the line.
    CustomerFactory(business=business, name="Tom", external_ref="T001")
    before = snapshot(business)
    text = (
        "Bonnummer;Datum;Klantnummer;Bedrag\n"
        "R1;2025-01-13T10:00+14:00;T001;12,50\n"  # Kiribati: the furthest ahead, taken
        "R2;2025-01-14T10:00+24:00;T001;12,50\n"
        "R3;2025-01-15T10:00-05:75;T001;12,50\n"
    )

    with translation.override("nl"):
        result = data_import(
            business=business, kind="purchases", path=write(tmp_path, "kassa.csv", text)
        )

    assert [(e.line, e.column, e.value, e.message, e.code) for e in result.errors] == [
        (
            line,
            "Datum",
            value,
            "Deze tijdzone bestaat niet: de afwijking van UTC ligt van -12:00 tot +14:00.",
            "invalid_offset",
        )
        for line, value in ((3, "2025-01-14T10:00+24:00"), (4, "2025-01-15T10:00-05:75"))
    ]
    assert snapshot(business) == before


def test_a_return_in_a_till_export_is_left_out_with_a_note_not_a_refusal(tmp_path, business):
    """A bike shop's till export holds a refund (-45.50): the whole file was refused with "The
    amount cannot be negative." and no word of what to do."""
    CustomerFactory(business=business, name="Tom", external_ref="T001")
    text = (
        "Bonnummer;Datum;Klantnummer;Bedrag\n"
        "R1;13-01-2025;T001;1.249,00\n"
        "R2;14-01-2025;T001;-45,50\n"
        "R3;15-01-2025;T001;12,50\n"
        "R4;31-02-2025;T001;-1,00\n"  # a return, but on no such day: refused as before
    )
    path = write(tmp_path, "kassa.csv", text)

    refused = data_import(business=business, kind="purchases", path=path)
    path.write_bytes(path.read_bytes().replace(b"R4;31-02-2025;T001;-1,00\r\n", b""))
    with translation.override("nl"):
        imported = data_import(business=business, kind="purchases", path=path)

    assert [(e.line, e.code) for e in refused.errors] == [(5, "invalid_date"), (5, "negative")]
    assert (imported.ok, imported.created, imported.skipped) == (True, 2, 0)
    assert [(note.line, note.column, note.value, note.message) for note in imported.notes] == [
        (
            3,
            "Bedrag",
            "-45,50",
            "Een retour (een negatief bedrag) wordt niet geïmporteerd: de aankopen zijn wat "
            "klanten uitgaven, en een retour blijft erbuiten zoals de analyse hem weglaat.",
        )
    ]
    assert sorted(Purchase.objects.values_list("amount_cents", flat=True)) == [1250, 124900]


def test_a_walk_in_sale_in_a_till_export_is_left_out_with_a_note_not_a_refusal(tmp_path, business):
    """A bike repairer's till file was refused whole for its twelve walk-in sales ("Vul het
    klantnummer, het e-mailadres of het telefoonnummer van de klant in"). A line with a name
    but no way to find the customer is still refused: it names someone the shop knows."""
    CustomerFactory(business=business, name="Tom", external_ref="T001")
    text = (
        "Bonnummer;Datum;Klantnummer;Naam;Bedrag\n"
        "K1;13-01-2025;T001;Tom;1.249,00\n"
        "K2;13-01-2025;;;7,50\n"  # a bell, sold over the counter
        "K3;14-01-2025;;;-7,50\n"  # and taken back
        "K4;15-01-2025;T001;Tom;12,50\n"
        "K5;16-01-2025;;Lisa Visser;22,50\n"  # named, but not to be found: refused
    )
    path = write(tmp_path, "kassa.csv", text)

    refused = data_import(business=business, kind="purchases", path=path)
    path.write_bytes(path.read_bytes().replace(b"K5;16-01-2025;;Lisa Visser;22,50\r\n", b""))
    with translation.override("nl"):
        imported = data_import(business=business, kind="purchases", path=path)

    assert [(e.line, e.code) for e in refused.errors] == [(6, "no_customer")]
    assert (imported.ok, imported.created, imported.customers_created) == (True, 2, 0)
    walk_in = (
        "Een verkoop zonder klant (geen klantnummer, e-mailadres of telefoonnummer: een "
        "losse verkoop) wordt niet geïmporteerd: Klantvriend volgt wat elke klant koopt."
    )
    assert [(note.line, note.column, note.message) for note in imported.notes] == [
        (3, "Klantnummer", walk_in),
        (4, "Klantnummer", walk_in),
    ]
    assert sorted(Purchase.objects.values_list("amount_cents", flat=True)) == [1250, 124900]


def test_a_till_file_of_visits_imported_as_customers_is_told_to_be_imported_as_purchases(
    tmp_path, business
):
    """A salon's till writes a line per visit with the customer on each: as a customer file,
    every repeated number was an error, 33 of them, without a word of what the file is."""
    text = (
        "Klantnr;Naam;Datum;Behandeling;Bedrag\n"
        "1001;Eva de Wit;14-3-2025;Knippen;45,50\n"
        "1002;Fleur Bakker;15-3-2025;Kleuren;89,50\n"
        "1001;Eva de Wit;28-4-2025;Knippen;45,50\n"
    )
    path = write(tmp_path, "kassa.csv", text)

    with translation.override("nl"):
        result = data_import(business=business, kind="customers", path=path)
    purchases = data_import(business=business, kind="purchases", path=path)

    assert [(e.line, e.code) for e in result.errors] == [(None, "visits_file"), (4, "duplicate")]
    assert result.errors[0].message == (
        "Dit bestand heeft een regel per bezoek (een klantnummer op meerdere regels, elk met een "
        "datum en een bedrag): importeer het als aankopen, dan worden de klanten die het noemt "
        "aangemaakt."
    )
    assert (purchases.ok, purchases.created, purchases.customers_created) == (True, 3, 2)


def test_a_customer_file_repeating_a_number_without_dates_and_amounts_is_told_only_the_lines(
    tmp_path, business
):
    path = write(tmp_path, "k.csv", "Klantnr;Naam\n1001;Eva\n1001;Eva de Wit\n")

    result = data_import(business=business, kind="customers", path=path)

    assert [(e.line, e.code) for e in result.errors] == [(3, "duplicate")]


def test_a_birthday_in_the_future_is_refused_with_its_line_and_nothing_is_imported(
    tmp_path, business
):
    """As by hand: a birthday typed in a year to come would be congratulated on a negative age."""
    before = snapshot(business)
    text = "Naam;Geboortedatum\nAnna;03-11-1985\nBram;25-04-2099\n"

    result = data_import(
        business=business, kind="customers", path=write(tmp_path, "klanten.csv", text)
    )

    assert not result.ok
    assert [(e.line, e.column, e.value, e.code, e.message) for e in result.errors] == [
        (
            3,
            "Geboortedatum",
            "25-04-2099",
            "future",
            "Een verjaardag kan niet in de toekomst liggen.",
        )
    ]
    assert result.created == 0
    assert snapshot(business) == before


def test_a_customer_since_date_after_today_is_listed_with_the_files_other_problems(
    tmp_path, business
):
    """Nobody has been a customer since a day to come. Refused at its line and column, in the
    list of the file's problems that the preview shows (not only once the others are fixed);
    today, the business's local date, is fine."""
    before = snapshot(business)
    today = business.today()
    tomorrow = today + timedelta(days=1)
    text = (
        "Naam;Klant sinds;E-mail\n"
        f"Anna;{today.isoformat()};\n"
        f"Bram;{tomorrow.isoformat()};\n"
        ";2020-01-01;\n"
        "Cees;2020-01-01;geen-mail\n"
    )

    with translation.override("en"):
        result = data_import(
            business=business, kind="customers", path=write(tmp_path, "klanten.csv", text)
        )

    assert [(e.line, e.column, e.value, e.code, e.message) for e in result.errors] == [
        (
            3,
            "Klant sinds",
            tomorrow.isoformat(),
            "future",
            "“Customer since” cannot lie in the future: today at the latest.",
        ),
        (4, "Naam", "", "required", "A customer needs a name."),
        (5, "E-mail", "geen-mail", "invalid", "Enter a valid email address."),
    ]
    assert result.created == 0
    assert snapshot(business) == before


def test_a_day_after_today_is_refused_once_the_file_decides_its_date_order(tmp_path, business):
    """01-12-2099 is the first of December or the twelfth of January until a later line
    (25-04-2020) says day-month: the writing pass judges it then, and stores nothing."""
    before = snapshot(business)
    text = (
        "Naam;Klant sinds;Geboortedatum\nAnna;01-12-2099;01-12-2098\nBram;25-04-2020;30-04-1970\n"
    )

    result = data_import(
        business=business, kind="customers", path=write(tmp_path, "klanten.csv", text)
    )

    assert [(e.line, e.column, e.value, e.code, e.message) for e in result.errors] == [
        (
            2,
            "Geboortedatum",
            "01-12-2098",
            "future",
            "Een verjaardag kan niet in de toekomst liggen.",
        ),
        (
            2,
            "Klant sinds",
            "01-12-2099",
            "future",
            "“Klant sinds” kan niet in de toekomst liggen: uiterlijk vandaag.",
        ),
    ]
    assert (result.created, result.updated) == (0, 0)
    assert snapshot(business) == before


def test_a_tag_longer_than_fifty_characters_is_refused_with_its_line_not_cut_short(
    tmp_path, business
):
    long_tag = "vaste klant sinds de opening van de winkel in de Dorpsstraat"  # 61 characters
    before = snapshot(business)
    text = f"Naam;Labels\nAnna;bbq\nBram;bbq, {long_tag}\n"

    result = data_import(
        business=business, kind="customers", path=write(tmp_path, "klanten.csv", text)
    )

    assert [(e.line, e.column, e.value, e.code, e.message) for e in result.errors] == [
        (
            3,
            "Labels",
            long_tag,
            "too_long",
            f"Een label mag hoogstens 50 tekens lang zijn: {long_tag}",
        )
    ]
    assert snapshot(business) == before


def test_a_first_and_last_name_too_long_together_are_refused_as_their_sum(tmp_path, business):
    """Each part fits, together 213 characters do not: the message said the last name alone
    was too long ("Zorg dat deze waarde hoogstens 200 tekens bevat"), which it is not."""
    first, last = "Anna-Maria" + " Maria" * 20, "van Oranje-Nassau tot " + "X" * 60
    before = snapshot(business)
    text = f"Voornaam;Achternaam\nBram;Bos\n{first};{last}\n"

    result = data_import(
        business=business, kind="customers", path=write(tmp_path, "klanten.csv", text)
    )

    assert [(e.line, e.column, e.value, e.code, e.message) for e in result.errors] == [
        (
            3,
            "Achternaam",
            f"{first} {last}",
            "max_length",
            "Voornaam en achternaam samen zijn 213 tekens lang; een naam kan er hoogstens 200"
            " bevatten.",
        )
    ]
    assert snapshot(business) == before


def test_errors_are_reported_in_the_users_language(tmp_path, business):
    from django.utils import translation

    path = write(tmp_path, "f.csv", "klantnummer;datum;bedrag\n1;gisteren;5\n")
    with translation.override("nl"):
        dutch = data_import(business=business, kind="purchases", path=path)
    with translation.override("en"):
        english = data_import(business=business, kind="purchases", path=path)

    assert english.errors[0].message.startswith("Write the date as")
    assert dutch.errors[0].message != english.errors[0].message


@pytest.mark.parametrize(
    ("language", "consent", "basis"),
    [
        (
            "en",
            "Write yes or no.",
            "Write the legal basis as consent, soft opt-in or legitimate interest.",
        ),
        (
            "nl",
            "Schrijf ja of nee.",
            "Schrijf de rechtsgrond als toestemming, soft opt-in of gerechtvaardigd belang.",
        ),
    ],
)
def test_consent_and_its_legal_basis_are_asked_for_in_words_of_the_users_language(
    tmp_path, business, language, consent, basis
):
    text = (
        "name;email;marketing consent;legal basis\n"
        "Ans Bakker;ans@example.nl;maybe;consent\n"
        "Kees Kok;kees@example.nl;yes;agreed at the counter\n"
    )
    path = write(tmp_path, "c.csv", text)

    with translation.override(language):
        result = data_import(business=business, kind="customers", path=path)

    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (2, "marketing consent", consent),
        (3, "legal basis", basis),
    ]
    assert Customer.objects.filter(business=business).count() == 0


@pytest.mark.parametrize(
    ("language", "ending"),
    [("en", "write it as 1250 or 1.25."), ("nl", "schrijf 1250 of 1,25.")],
)
def test_an_amount_that_reads_both_ways_is_asked_for_as_the_user_writes_decimals(
    tmp_path, business, language, ending
):
    path = write(tmp_path, "k.csv", "klantnummer;datum;bedrag\n1;13-01-2025;1.250\n")

    with translation.override(language):
        result = data_import(business=business, kind="purchases", path=path)

    assert [(e.line, e.code) for e in result.errors] == [(2, "ambiguous")]
    assert result.errors[0].message.endswith(ending)
    assert Purchase.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "nl",
            "Elke datum in deze kolom kan gelezen worden als dag-maand en als maand-dag; ze "
            "zijn gelezen met de dag eerst (03-04-2025 is 3 april 2025). Zet het bestand de maand "
            "vóór de dag, importeer het dan opnieuw met als volgorde van dag en maand: "
            "maand eerst.",
        ),
        (
            "en",
            "Every date in this column can be read as day-month and as month-day; they are read "
            "day first (03-04-2025 is April 3, 2025). If the file puts the month first, import it "
            "again with the order of day and month set to month first.",
        ),
    ],
)
def test_dates_that_read_both_ways_are_read_day_first_and_said_so(
    tmp_path, business, language, message
):
    for number in ("1", "2"):
        CustomerFactory(business=business, external_ref=number)
    path = write(tmp_path, "d.csv", "klantnummer;datum;bedrag\n1;03-04-2025;5\n2;05-06-2025;6\n")

    with translation.override(language):
        dry_run = data_import(business=business, kind="purchases", path=path, dry_run=True)
    read = data_import(business=business, kind="purchases", path=path)

    assert dry_run.ok, dry_run.errors
    assert dry_run.notes == [RowError(2, "datum", "03-04-2025", message, "date_order_assumed")]
    assert read.ok, read.errors
    assert [note.code for note in read.notes] == ["date_order_assumed"]
    assert sorted(
        business.local(at).date() for at in Purchase.objects.values_list("at", flat=True)
    ) == [date(2025, 4, 3), date(2025, 6, 5)]


def test_dates_that_read_both_ways_are_read_month_first_when_told(tmp_path, business):
    for number in ("1", "2"):
        CustomerFactory(business=business, external_ref=number)
    path = write(tmp_path, "d.csv", "klantnummer;datum;bedrag\n1;03-04-2025;5\n2;05-06-2025;6\n")

    chosen = data_import(business=business, kind="purchases", path=path, date_order="mdy")

    assert (chosen.ok, chosen.notes) == (True, [])
    purchase = Purchase.objects.get(amount_cents=500)
    assert business.local(purchase.at).date() == date(2025, 3, 4)


def test_the_whole_column_decides_the_date_order(tmp_path, business):
    # 03-04 alone is open; 25-04 in the same column shows the day comes first.
    text = "klantnummer;datum;bedrag\n1;03-04-2025;5\n2;25-04-2025;6\n"

    result = data_import(business=business, kind="purchases", path=write(tmp_path, "d.csv", text))

    assert result.ok
    purchase = Purchase.objects.get(amount_cents=500)
    assert business.local(purchase.at).date() == date(2025, 4, 3)


def test_a_column_left_open_reads_in_the_order_another_date_column_shows(tmp_path, business):
    # A florist's file: every birthday reads both ways, "klant sinds" 15-9-2019 shows the day
    # first, and one system writes its dates one way.
    text = (
        "klantnummer;naam;geboortedatum;klant sinds\n"
        "1;Anna de Vries;12-03-1958;15-9-2019\n"
        "2;Bram Smit;04-05-1971;02-01-2020\n"
    )

    result = data_import(business=business, kind="customers", path=write(tmp_path, "k.csv", text))

    assert result.ok, result.errors
    assert list(
        Customer.objects.filter(business=business)
        .order_by("external_ref")
        .values_list("birthday", "customer_since")
    ) == [(date(1958, 3, 12), date(2019, 9, 15)), (date(1971, 5, 4), date(2020, 1, 2))]


def test_a_column_left_open_is_read_day_first_when_the_other_shows_no_order(tmp_path, business):
    # "klant sinds" reads the same either way (01-01, 07-07): it shows no order for the
    # birthdays, which are read day first, and the note says so at the first that reads both
    # ways.
    text = (
        "klantnummer;naam;geboortedatum;klant sinds\n"
        "1;Anna de Vries;12-03-1958;01-01-2019\n"
        "2;Bram Smit;04-05-1971;07-07-2020\n"
    )

    result = data_import(business=business, kind="customers", path=write(tmp_path, "k.csv", text))

    assert result.ok, result.errors
    assert [(note.line, note.column, note.value, note.code) for note in result.notes] == [
        (2, "geboortedatum", "12-03-1958", "date_order_assumed")
    ]
    assert list(
        Customer.objects.filter(business=business)
        .order_by("external_ref")
        .values_list("birthday", "customer_since")
    ) == [(date(1958, 3, 12), date(2019, 1, 1)), (date(1971, 5, 4), date(2020, 7, 7))]


def test_a_column_mixing_day_month_and_month_day_is_refused(tmp_path, business):
    text = "klantnummer;datum;bedrag\n1;25-04-2025;5\n2;04-25-2025;6\n"

    result = data_import(business=business, kind="purchases", path=write(tmp_path, "d.csv", text))

    # Named at the first date month-day cannot read, with that date: the value to look at.
    assert [(e.line, e.column, e.value, e.code) for e in result.errors] == [
        (2, "datum", "25-04-2025", "mixed_date_order")
    ]
    assert Purchase.objects.count() == 0


def test_an_amount_with_three_decimals_is_decided_by_its_column(tmp_path, business):
    decided = "klantnummer;datum;bedrag\n1;2025-01-01;1.250\n1;2025-01-02;12,50\n"
    open_ = "klantnummer;datum;bedrag\n1;2025-01-01;1.250\n1;2025-01-02;12\n"

    refused = data_import(business=business, kind="purchases", path=write(tmp_path, "o.csv", open_))
    result = data_import(
        business=business, kind="purchases", path=write(tmp_path, "d.csv", decided)
    )

    assert [(e.line, e.value, e.code) for e in refused.errors] == [(2, "1.250", "ambiguous")]
    assert result.ok
    assert sorted(Purchase.objects.values_list("amount_cents", flat=True)) == [1250, 125000]


def test_a_dry_run_counts_but_stores_nothing(tmp_path, business):
    before = snapshot(business)

    result = data_import(
        business=business,
        kind="purchases",
        path=write(tmp_path, "kassa.csv", TILL_EXPORT),
        dry_run=True,
    )

    assert (result.created, result.customers_created) == (4, 3)
    assert snapshot(business) == before


def test_a_column_can_be_chosen_by_hand(tmp_path, business):
    text = "Relatie;Wanneer;Totaal incl.;Mailadres\n11;13-02-2025;9,99;x@example.nl\n"
    path = write(tmp_path, "k.csv", text)

    with translation.override("nl"):
        missing = data_import(business=business, kind="purchases", path=path)
    result = data_import(
        business=business,
        kind="purchases",
        path=path,
        columns={"date": "Wanneer", "customer_number": "Relatie", "email": ""},
    )

    assert {e.column for e in missing.errors} == {"datum"}
    assert result.ok
    assert result.mapping == {
        "customer_number": "Relatie",
        "date": "Wanneer",
        "amount": "Totaal incl.",
    }
    assert Purchase.objects.get().customer.external_ref == "11"


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"", "empty"), (b"\x00\x01PK\x03\x04", "binary"), (b";;;\r\n", "empty")],
)
def test_unreadable_files_are_refused_with_a_reason(tmp_path, business, content, code):
    path = tmp_path / "x.csv"
    path.write_bytes(content)

    result = data_import(business=business, kind="customers", path=path)

    assert [e.code for e in result.errors] == [code]


def test_the_command_imports_and_exits_non_zero_on_errors(tmp_path, business):
    good = write(tmp_path, "g.csv", TILL_EXPORT)
    bad = write(tmp_path, "b.csv", "klantnummer;datum;bedrag\n1;morgen;5\n")
    out, err = StringIO(), StringIO()

    call_command("import_data", "purchases", str(good), stdout=out)
    with pytest.raises(CommandError) as failed:
        call_command("import_data", "purchases", str(bad), "--business", business.slug, stderr=err)

    assert "4" in out.getvalue()
    assert failed.value.returncode == 1
    assert "morgen" in err.getvalue()
    assert Purchase.objects.count() == 4


@pytest.mark.parametrize(
    ("language", "read", "failed", "done"),
    [
        (
            "en",
            "File: UTF-8, separator ;, 1 row",
            "1 error; nothing was imported.",
            "1 created, 0 updated, 0 already present; 1 new customer",
        ),
        (
            "nl",
            "Bestand: UTF-8, scheidingsteken ;, 1 regel",
            "1 fout; er is niets geïmporteerd.",
            "1 aangemaakt, 0 bijgewerkt, 0 al aanwezig; 1 nieuwe klant",
        ),
    ],
)
def test_the_command_counts_one_row_error_and_customer_in_the_singular(
    tmp_path, business, language, read, failed, done
):
    good = write(tmp_path, "g.csv", "klantnummer;naam;datum;bedrag\n1;Ans Bakker;13-01-2025;5\n")
    bad = write(tmp_path, "b.csv", "klantnummer;datum;bedrag\n1;morgen;5\n")
    out = StringIO()

    with translation.override(language):
        call_command("import_data", "purchases", str(good), stdout=out)
        with pytest.raises(CommandError) as refused:
            call_command("import_data", "purchases", str(bad), stderr=StringIO())

    assert out.getvalue().splitlines()[0] == read
    # Followed by the note that customer number 1 was new (purchase_import) and its line.
    assert out.getvalue().splitlines()[-3] == done
    assert str(refused.value) == failed


def test_the_command_names_its_option_for_dates_that_read_both_ways(tmp_path, business):
    path = write(tmp_path, "d.csv", "klantnummer;datum;bedrag\n1;03-04-2025;5\n")
    out = StringIO()

    call_command("import_data", "purchases", str(path), stdout=out)

    assert "ze zijn gelezen met de dag eerst (03-04-2025 is 3 april 2025)" in out.getvalue()
    assert "Geef --date-order mdy op als het bestand de maand vóór de dag zet." in out.getvalue()
    purchase = Purchase.objects.get()
    assert business.local(purchase.at).date() == date(2025, 4, 3)


def test_the_command_needs_business_when_there_are_several(tmp_path, business, other_business):
    path = write(tmp_path, "g.csv", TILL_EXPORT)

    with pytest.raises(CommandError, match=business.slug):
        call_command("import_data", "purchases", str(path))

    assert Purchase.objects.count() == 0


def test_two_digit_years_and_a_purchase_rung_up_this_morning(tmp_path, business):
    today = business.today()
    # 13-2-24 reads only as day-month, so the order does not hang on today's date: on the first
    # twelve days of a month today reads both ways too, and the column was refused as ambiguous.
    text = f"klantnummer;datum;bedrag\n1;13-2-24;5\n1;{today:%d-%m-%Y};6\n"

    result = data_import(business=business, kind="purchases", path=write(tmp_path, "t.csv", text))

    assert result.ok, result.errors
    assert business.local(Purchase.objects.get(amount_cents=500).at).date() == date(2024, 2, 13)
    assert Purchase.objects.get(amount_cents=600).at <= timezone.now()


def test_a_committed_import_announces_itself_and_a_dry_run_does_not(
    tmp_path, business, django_capture_on_commit_callbacks
):
    from klantvriend.core import hooks

    seen = []

    def handler(**kwargs):
        seen.append(kwargs["kind"])

    hooks.register_hook(hooks.DATA_IMPORTED, handler)
    path = write(tmp_path, "kassa.csv", TILL_EXPORT)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            data_import(business=business, kind="purchases", path=path, dry_run=True)
        with django_capture_on_commit_callbacks(execute=True):
            data_import(business=business, kind="purchases", path=path)
    finally:
        hooks._handlers[hooks.DATA_IMPORTED].remove(handler)

    assert seen == ["purchases"]


def test_a_customer_number_in_other_capitals_is_the_same_customer_in_the_customer_import(
    tmp_path, business
):
    existing = CustomerFactory(business=business, name="Anna", external_ref="ab1")
    path = write(tmp_path, "c.csv", "klantnummer;naam;woonplaats\nAB1;Anna;Delft\n")

    result = data_import(business=business, kind="customers", path=path)

    assert (result.created, result.updated, result.skipped) == (0, 1, 0)
    assert list(Customer.objects.filter(business=business).values_list("pk", flat=True)) == [
        existing.pk
    ]
    existing.refresh_from_db()
    assert (existing.external_ref, existing.city) == ("ab1", "Delft")


def test_a_customer_number_in_other_capitals_is_the_same_customer_in_the_purchase_import(
    tmp_path, business
):
    existing = CustomerFactory(business=business, name="Anna", external_ref="ab1")
    path = write(
        tmp_path,
        "p.csv",
        "klantnummer;datum;bedrag;bonnummer\nAB1;13-3-25;10;B1\nzz9;14-3-25;5;B2\nZZ9;15-3-25;7;B3\n",
    )

    result = data_import(business=business, kind="purchases", path=path)

    assert (result.created, result.customers_created) == (3, 1)
    assert Purchase.objects.get(external_ref="B1").customer == existing
    assert list(
        Customer.objects.filter(business=business)
        .order_by("pk")
        .values_list("external_ref", flat=True)
    ) == ["ab1", "zz9"]
    newcomer = Customer.objects.get(business=business, external_ref="zz9")
    assert sorted(newcomer.purchases.values_list("external_ref", flat=True)) == ["B2", "B3"]


@pytest.mark.parametrize("kind", ["customers", "purchases"])
def test_a_number_in_a_third_spelling_finds_the_one_customer_who_has_it(tmp_path, business, kind):
    """The database holds one customer per number in any capitals (customer_unique_number_key),
    so whatever the spelling in the file, the importers have one customer to find."""
    upper = CustomerFactory(business=business, name="Groot", external_ref="AB1")
    third = write(tmp_path, "third.csv", "klantnummer;naam;datum;bedrag\nAb1;Groot;13-3-25;10\n")

    found = data_import(business=business, kind=kind, path=third)

    assert found.ok, found.errors
    assert found.customers_created == 0
    assert Customer.objects.get(business=business).external_ref == "AB1"
    if kind == "purchases":
        assert Purchase.objects.get(business=business).customer == upper


def test_the_database_folds_customer_numbers_exactly_as_the_importers_do(business):
    numbers = ["AB-1", "ÄBc-É1", "straße-ẞ"]
    for number in numbers:
        CustomerFactory(business=business, external_ref=number)

    folded = dict(
        Customer.objects.filter(business=business)
        .annotate(key=AsciiLower("external_ref"))
        .values_list("external_ref", "key")
    )

    assert folded == {number: customer_number_key(number) for number in numbers}
    assert folded["ÄBc-É1"] == "Äbc-É1"


@pytest.mark.parametrize(
    ("text", "line", "code"),
    [
        # The quote before Dirk is never closed: Eva's line would become part of Dirk's name.
        (
            'naam;telefoon\nAnna;0612345678\n"Dirk ""Quote;06-1\nEva Laatst;06-3333\n',
            3,
            "unclosed_quote",
        ),
        ('naam;telefoon\nAnna;0612345678\n"Dirk" Jansen;06-1\n', 3, "stray_quote"),
    ],
)
def test_a_broken_quote_is_refused_with_its_line_and_nothing_is_stored(
    tmp_path, business, text, line, code
):
    path = write(tmp_path, "q.csv", text)

    result = data_import(business=business, kind="customers", path=path)

    assert [(error.line, error.code) for error in result.errors] == [(line, code)]
    assert result.errors[0].message.startswith(
        "Een aanhalingsteken" if code == "unclosed_quote" else "Een waarde op deze regel"
    )
    assert Customer.objects.count() == 0


def test_quoted_values_with_line_breaks_and_doubled_quotes_still_import(tmp_path, business):
    text = 'naam;notities\n"Anna ""Ans"" de Vries";"belt graag;\nna vijven"\n'
    path = write(tmp_path, "ok.csv", text)

    result = data_import(business=business, kind="customers", path=path)

    assert result.ok
    anna = Customer.objects.get()
    assert (anna.name, anna.notes) == (
        'Anna "Ans" de Vries',
        "belt graag;\r\nna vijven",
    )  # as Excel writes it


def test_amounts_in_another_currency_than_the_business_keeps_are_refused(tmp_path, business):
    CustomerFactory(business=business, name="Bestaand", external_ref="1001")
    before = snapshot(business)
    text = "Klantnummer;Datum;Bedrag;Valuta\n1001;13-01-2025;12,50;EUR\n1001;14-01-2025;9,00;usd\n"

    result = data_import(business=business, kind="purchases", path=write(tmp_path, "v.csv", text))

    assert [(e.line, e.column, e.value, e.code) for e in result.errors] == [
        (3, "Valuta", "usd", "other_currency")
    ]
    assert result.errors[0].message == (
        "Dit bedrijf houdt zijn bedragen bij in EUR; een bedrag in USD zou als EUR worden geteld."
    )
    assert snapshot(business) == before


def test_an_import_that_races_with_a_save_of_one_of_its_numbers_writes_nothing_and_says_so(
    business, monkeypatch, tmp_path
):
    path = tmp_path / "klanten.csv"
    path.write_text("klantnummer;naam\nK-1;Kees\nK-2;Karin\n")
    real = customer_import.ErasedCustomers.look_up

    def look_up_then_the_counter_saves(self, rows):
        real(self, rows)
        Customer.objects.create(business=business, name="Aan de toonbank", external_ref="k-2")

    monkeypatch.setattr(customer_import.ErasedCustomers, "look_up", look_up_then_the_counter_saves)

    result = data_import(business=business, kind="customers", path=path)

    assert [(error.code, error.message) for error in result.errors] == [
        (
            "taken",
            "Terwijl dit bestand werd geïmporteerd, heeft iemand anders een klantnummer of "
            "bonnummer bewaard dat erin staat. Er is niets geïmporteerd; importeer het bestand "
            "opnieuw.",
        )
    ]
    assert (result.created, result.customers_created) == (0, 0)
    # The other save ran inside the import's transaction here, so it went with it.
    assert not Customer.objects.exists()


def test_a_basis_cell_naming_no_basis_for_consent_is_refused_with_its_line(tmp_path, business):
    """A "-" would empty the basis of a customer whose consent is on record."""
    CustomerFactory(
        business=business,
        external_ref="1001",
        marketing_consent=True,
        marketing_consent_basis=LegalBasis.SOFT_OPT_IN,
    )
    before = snapshot(business)
    text = "Klantnummer;Naam;Nieuwsbrief;Grondslag\n1002;Bram;ja;toestemming\n1001;Anna;ja;-\n"

    result = data_import(
        business=business, kind="customers", path=write(tmp_path, "klanten.csv", text)
    )

    assert not result.ok
    assert [(e.line, e.column, e.value, e.code, e.message) for e in result.errors] == [
        (
            3,
            "Grondslag",
            "-",
            "basis_required",
            "Nieuws en aanbiedingen hebben een grondslag nodig: toestemming, soft opt-in of "
            "gerechtvaardigd belang. Trek de toestemming in in plaats van de grondslag leeg te "
            "maken.",
        )
    ]
    assert snapshot(business) == before


def test_consent_imported_without_a_basis_is_recorded_as_the_customers_consent(tmp_path, business):
    """A till's newsletter column holds only yes or no: those files keep importing, and the
    consent they give is recorded with the basis "consent" and the source "import"."""
    CustomerFactory(
        business=business,
        external_ref="1001",
        marketing_consent=True,
        marketing_consent_basis=LegalBasis.SOFT_OPT_IN,
    )
    text = "Klantnummer;Naam;Nieuwsbrief;Grondslag\n1001;Anna;ja;\n1002;Bram;ja;\n"

    result = data_import(
        business=business, kind="customers", path=write(tmp_path, "klanten.csv", text)
    )

    assert result.ok, result.errors
    assert dict(
        Customer.objects.filter(business=business).values_list(
            "external_ref", "marketing_consent_basis"
        )
    ) == {"1001": "soft_opt_in", "1002": "consent"}


def test_a_basis_without_consent_is_not_stored_as_in_the_form_and_the_api(tmp_path, business):
    """The basis counts only with consent (services.apply_consent_timestamps)."""
    text = "Klantnummer;Naam;Nieuwsbrief;Grondslag\n1001;Anna;nee;soft opt-in\n1002;Bram;;soft opt-in\n"

    result = data_import(
        business=business, kind="customers", path=write(tmp_path, "klanten.csv", text)
    )

    assert result.ok, result.errors
    assert list(
        Customer.objects.filter(business=business)
        .order_by("external_ref")
        .values_list("external_ref", "marketing_consent", "marketing_consent_basis")
    ) == [("1001", False, ""), ("1002", False, "")]
    assert not ConsentRecord.objects.exists()


def test_errors_are_listed_in_the_files_order_a_columns_question_at_its_first_line(
    tmp_path, business
):
    """A column's open date order is found after its rows are read, yet belongs at its line."""
    before = snapshot(business)
    text = "klantnummer;datum;bedrag\n1;25-04-2025;5\n2;05-06-2025;vijf\n3;04-25-2025;-\n"

    result = data_import(business=business, kind="purchases", path=write(tmp_path, "d.csv", text))

    assert [(e.line, e.column) for e in result.errors] == [
        (2, "datum"),
        (3, "bedrag"),
        (4, "bedrag"),
    ]
    assert result.errors[0].code == "mixed_date_order"
    assert snapshot(business) == before


def test_past_the_kept_limit_the_first_problems_of_the_file_stay_kept(
    tmp_path, business, monkeypatch
):
    monkeypatch.setattr(results, "MAX_KEPT_ERRORS", MAX_LISTED_ERRORS)  # a short file to test
    # The first date reads only day-month, the others only month-day: the column mixes them.
    rows = "".join(
        f"{line};{'25-04-2025' if line == 1 else '04-25-2025'};vijf\n"
        for line in range(1, MAX_LISTED_ERRORS + 6)
    )
    path = write(tmp_path, "d.csv", "klantnummer;datum;bedrag\n" + rows)

    result = data_import(business=business, kind="purchases", path=path)

    assert result.error_count == MAX_LISTED_ERRORS + 6  # every amount, and the dates' order
    assert len(result.errors) == MAX_LISTED_ERRORS
    assert [(e.line, e.column) for e in result.errors[:3]] == [
        (2, "bedrag"),
        (2, "datum"),  # found last, listed at its line, not given way
        (3, "bedrag"),
    ]
    assert result.errors[-1].line == MAX_LISTED_ERRORS


def test_an_imported_tag_in_other_capitals_is_the_stored_tag(tmp_path, business):
    services.customer_create(business=business, name="Anna", tags=["BBQ"])
    path = tmp_path / "klanten.csv"
    path.write_text("Naam;Labels\nBram;bbq\nCor;Bbq, buurt, Buurt\n", encoding="utf-8")

    result = data_import(business=business, kind="customers", path=path)

    assert result.errors == []
    assert sorted(Tag.objects.filter(business=business).values_list("name", flat=True)) == [
        "BBQ",
        "Buurt",  # new in two spellings: the first in sorted order
    ]
    by_name = {
        customer.name: sorted(customer.tags.values_list("name", flat=True))
        for customer in Customer.objects.all()
    }
    assert by_name == {"Anna": ["BBQ"], "Bram": ["BBQ"], "Cor": ["BBQ", "Buurt"]}


def test_an_imported_till_history_plans_no_aftercare_for_its_old_purchases(
    tmp_path, business, owner, django_capture_on_commit_callbacks
):
    """As for the amount rule: a rule for a kind of purchase follows up what is bought now, not
    the colours of last year that an import brings in."""
    care_settings_update(
        business=business,
        actor=owner,
        aftercare_purchase_rules=[
            {"words": "kleur", "days": 3, "ask": "Vragen hoe de kleur houdt"}
        ],
    )
    CustomerFactory(business=business, name="Eva", external_ref="1001")
    path = write(
        tmp_path,
        "kassa.csv",
        "Klantnr;Datum;Behandeling;Bedrag\n1001;14-3-2025;Knippen + kleuren;389,50\n",
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = data_import(business=business, kind="purchases", path=path)

    assert result.created == 1
    assert FollowUp.objects.count() == 0


def test_a_name_and_company_at_their_longest_that_fold_longer_are_imported(tmp_path, business):
    """Folded for the search ("ß" as "ss", "Æ" as "ae"), they were longer than the search text
    holds: PostgreSQL refused the customer, and the whole import failed."""
    path = write(tmp_path, "k.csv", f"Naam;Bedrijf\n{'ß' * 200};{'Æ' * 200}\n")

    result = data_import(business=business, kind="customers", path=path)

    assert result.ok, result.errors
    assert (
        Customer.objects.get(business=business).search_text == ("ss" * 200 + " " + "ae" * 200)[:700]
    )


def test_a_purchase_file_with_a_name_alone_is_refused_naming_the_column_it_needs(
    tmp_path, business
):
    """A till export with who bought it by name only: the purchases cannot find their customer,
    and the refusal names the column to add by what it holds, not by the code's field name."""
    path = write(tmp_path, "kassa.csv", "Naam;Datum;Bedrag\nAns Bakker;15-01-2025;12,50\n")

    with translation.override("nl"):
        result = data_import(business=business, kind="purchases", path=path)

    assert [(error.column, error.code) for error in result.errors] == [("klantnummer", "mapping")]
    assert Purchase.objects.count() == 0


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Straat en huisnummer", "street"),
        ("Street and number", "street"),
        ("Persoonlijke notities", "notes"),
        ("Toestemming voor nieuws en aanbiedingen", "marketing_consent"),
        ("Klant sinds", "customer_since"),
    ],
)
def test_a_column_is_found_by_the_name_the_import_page_gives_its_field(
    tmp_path, business, header, field
):
    path = write(tmp_path, "k.csv", f"Klantnummer;Naam;{header}\nK1;Anna;ja\n")

    result = data_import(business=business, kind="customers", path=path, dry_run=True)

    assert result.mapping[field] == header


def test_an_offices_invoice_export_is_read_by_its_own_column_names(tmp_path, business):
    """An accountant's invoices: "Er is geen kolom voor datum gevonden" for "Factuurdatum"."""
    path = write(
        tmp_path,
        "facturen.csv",
        "Factuurnummer;Factuurdatum;Klantnr;Naam;Factuurbedrag\n"
        "F-2025-001;15-04-2025;1001;Taxi De Jong;725,00\n"
        "F-2025-002;20-07-2025;1001;Taxi De Jong;120,00\n",
    )

    result = data_import(business=business, kind="purchases", path=path)

    assert (result.created, result.customers_created, result.errors) == (2, 1, [])
    assert sorted(
        Purchase.objects.filter(business=business).values_list("external_ref", "amount_cents")
    ) == [("F-2025-001", 72500), ("F-2025-002", 12000)]


def test_a_firm_named_in_the_company_column_alone_is_a_customer_by_that_name(tmp_path, business):
    """An accountant's clients: "Een klant heeft een naam nodig" for each B.V. named only in
    the column of companies."""
    path = write(
        tmp_path,
        "klanten.csv",
        "Klantnummer;Naam;Bedrijf;E-mail\n"
        "2001;;Bakker Bouw B.V.;info@bakkerbouw.example\n"
        "2002;Linda de Jong;Taxi De Jong;linda@taxidejong.example\n"
        "2003;;;\n",
    )

    refused = data_import(business=business, kind="customers", path=path)
    path.write_bytes(path.read_bytes().replace(b"2003;;;\r\n", b""))
    imported = data_import(business=business, kind="customers", path=path)
    again = data_import(business=business, kind="customers", path=path)

    assert [(e.line, e.column, e.code) for e in refused.errors] == [(4, "Naam", "required")]
    assert (imported.ok, imported.created) == (True, 2)
    assert (again.created, again.updated, again.skipped) == (0, 0, 2)
    assert sorted(
        Customer.objects.filter(business=business).values_list("external_ref", "name", "company")
    ) == [("2001", "Bakker Bouw B.V.", ""), ("2002", "Linda de Jong", "Taxi De Jong")]
