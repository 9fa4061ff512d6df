"""The customer list as filtered, downloaded as CSV: the customers the filters and order select,
every page, for an owner to take along and call; recorded in the audit trail."""

import csv
import re
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from klantvriend.core.accounts import account_language_set
from klantvriend.core.models import AuditEvent
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory, TagFactory
from klantvriend.importers.export import CUSTOMER_LIST_CSV_COLUMNS
from klantvriend.importers.mapping import detect_mapping
from klantvriend.importers.service import data_import
from klantvriend.insights.models import CustomerInsight, Segment, Stage
from klantvriend.insights.tests.factories import CustomerInsightFactory
from klantvriend.web import views

HEADER = (
    "klantnummer;naam;bedrijf;telefoon;e-mail;postcode;plaats;klant sinds;laatste aankoop;"
    "klantsegment;fase;waarde;kans actief (%);vaste medewerker;bij ons gekomen via;doorverwezen door;"
    "labels;toestemming marketing"
)


def downloaded(client, query: str = "") -> tuple[int, str]:
    response = client.get(reverse("web:customer_list_download") + query)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response.status_code, body


def customer(business, name, *, segment, tags=(), alive=None, value=None, **fields):
    person = CustomerFactory(business=business, name=name, **fields)
    person.tags.set(tags)
    CustomerInsightFactory(
        customer=person,
        segment=segment,
        stage=Stage.REGULAR,
        purchase_days=3,
        probability_alive=alive,
        value_cents=value,
    )
    return person


@pytest.fixture
def cant_lose_vips(business):
    """Three customers who cannot be lost and carry the tag VIP, two who lack one of both."""
    vip, call = (
        TagFactory(business=business, name="VIP"),
        TagFactory(business=business, name="Bellen"),
    )
    bram = customer(
        business,
        "Bram de Vries",
        segment=Segment.CANT_LOSE,
        tags=[vip, call],
        alive=0.4,
        value=123456,
        external_ref="K-7",
        phone="0612345678",
        email="bram@example.nl",
        postal_code="1234 AB",
        city="Utrecht",
        customer_since=date(2024, 5, 2),
        marketing_consent=True,
    )
    # Late on 31 March in UTC is 1 April in Amsterdam, the business's day.
    PurchaseFactory(customer=bram, at=datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    PurchaseFactory(customer=bram, at=datetime(2025, 1, 1, 12, tzinfo=UTC))
    customer(
        business,
        "Anna Jansen",
        segment=Segment.CANT_LOSE,
        tags=[vip],
        alive=0.15,
        company="=HYPERLINK(1)",
        customer_since=date(2023, 1, 9),
    )
    customer(
        business,
        "Cees Bakker",
        segment=Segment.CANT_LOSE,
        tags=[vip],
        alive=0.7,
        value=500,
        customer_since=date(2025, 6, 30),
    )
    customer(business, "Dirk", segment=Segment.CANT_LOSE, alive=0.1)
    customer(business, "Eva", segment=Segment.AT_RISK, tags=[vip], alive=0.1)


def test_the_download_holds_the_filtered_list_in_its_order(owner_client, owner, cant_lose_vips):
    query = "?segment=cant_lose&tag=vip&order=alive&page=1"
    Customer.objects.filter(name="Bram de Vries").update(
        regular_member=owner,
        referred_by=Customer.objects.get(name="Anna Jansen"),
        acquisition_channel="referral",
    )
    Customer.objects.filter(name="Cees Bakker").update(acquisition_channel="unknown")

    status, body = downloaded(owner_client, query)

    assert status == 200
    # As customers.csv of the export: a byte order mark and semicolons for a Dutch Excel, a cell
    # that would start a formula guarded.
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.decode("utf-8-sig").split("\r\n") == [
        HEADER,
        ";Anna Jansen;'=HYPERLINK(1);;;;;2023-01-09;;mag je niet verliezen;vaste klant;;15,0;;"
        "binnengelopen;;VIP;nee",
        "K-7;Bram de Vries;;0612345678;bram@example.nl;1234 AB;Utrecht;2024-05-02;2026-04-01;"
        "mag je niet verliezen;vaste klant;1234,56;40,0;Sanne;doorverwijzing;Anna Jansen;"
        '"Bellen;VIP";ja',
        ";Cees Bakker;;;;;;2025-06-30;;mag je niet verliezen;vaste klant;5,00;70,0;;onbekend;;"
        "VIP;nee",
        "",
    ]


def test_the_download_speaks_the_readers_language(owner_client, owner, cant_lose_vips):
    """A segment and a stage share the code "regular": each is named as its own."""
    account_language_set(user=owner, language="en")
    Customer.objects.filter(name="Cees Bakker").update(marketing_consent=True)
    CustomerInsight.objects.filter(customer__name="Cees Bakker").update(
        segment=Segment.REGULAR, stage=Stage.AMBASSADOR
    )

    _, body = downloaded(owner_client, "?tag=VIP&order=name")

    # Commas and a decimal point for an English spreadsheet, which opened the Dutch file's
    # semicolons as one column.
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[0] == (
        "customer number,name,company,phone,email,postal code,city,customer since,"
        "last purchase,segment,stage,value,probability alive (%),regular staff member,"
        "came to us through,referred by,tags,marketing consent"
    )
    rows = list(csv.reader(lines[1:-1]))
    assert [row[9:13] + row[-1:] for row in rows] == [
        ["can't lose", "regular", "", "15.0", "no"],
        ["can't lose", "regular", "1234.56", "40.0", "yes"],
        ["loyal", "ambassador", "5.00", "70.0", "yes"],
        ["at risk", "regular", "", "10.0", "no"],
    ]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_download_reads_back_through_the_customer_import(
    owner_client, owner, other_business, cant_lose_vips, tmp_path, language
):
    """Its headers are words the importer knows, in either language: another business takes
    the customers in with their numbers, contact details, tags and consent."""
    account_language_set(user=owner, language=language)
    _, body = downloaded(owner_client, "?segment=cant_lose&tag=VIP")
    path = tmp_path / "klanten.csv"
    path.write_bytes(body)

    result = data_import(business=other_business, kind="customers", path=path)

    assert result.ok, result.errors
    assert detect_mapping("customers", result.table) == {
        field: str(label) for field, label in _headers(language) if field is not None
    }
    assert sorted(
        (c.external_ref, c.name, c.phone, c.city, c.customer_since, c.marketing_consent)
        for c in Customer.objects.filter(business=other_business)
    ) == [
        ("", "Anna Jansen", "", "", date(2023, 1, 9), False),
        ("", "Cees Bakker", "", "", date(2025, 6, 30), False),
        ("K-7", "Bram de Vries", "0612345678", "Utrecht", date(2024, 5, 2), True),
    ]
    bram = Customer.objects.get(business=other_business, external_ref="K-7")
    assert sorted(bram.tags.values_list("name", flat=True)) == ["Bellen", "VIP"]


def _headers(language):
    with translation.override(language):
        return [(field, str(label)) for field, label in CUSTOMER_LIST_CSV_COLUMNS]


def test_the_download_counts_as_the_list_does(owner_client, cant_lose_vips):
    query = "?segment=cant_lose&tag=VIP&order=alive"

    page = owner_client.get(reverse("web:customer_list") + query).content.decode()
    _, body = downloaded(owner_client, query)

    assert "3 klanten" in page
    assert len(body.decode("utf-8-sig").splitlines()) - 1 == 3


def test_the_download_holds_every_page(owner_client, business, monkeypatch):
    # Pages of two, read three at a time: the download is not the page shown.
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "CSV_PAGE_SIZE", 3)
    for name in ["Femke", "Bas", "Gijs", "Anouk", "Daan", "Eline", "Cor"]:
        CustomerFactory(business=business, name=name)

    _, body = downloaded(owner_client, "?page=2")

    names = [line.split(";")[1] for line in body.decode("utf-8-sig").splitlines()[1:]]
    assert names == ["Anouk", "Bas", "Cor", "Daan", "Eline", "Femke", "Gijs"]


def test_the_download_is_recorded_with_its_count_and_filters(
    owner_client, owner, business, cant_lose_vips
):
    # A value the list ignores (an unknown stage or order) is ignored here and not recorded.
    downloaded(owner_client, "?segment=cant_lose&stage=nonsense&tag=VIP&order=sideways&q=")

    event = AuditEvent.objects.get(business=business, action="exported")
    assert (event.actor, event.object_type, event.object_id, event.customer_id) == (
        owner,
        "business",
        business.pk,
        None,
    )
    assert event.changes == {
        "customer_list": {
            "customers": 3,
            "filters": {"tag": "VIP", "segment": "cant_lose", "order": "name"},
        }
    }


def test_the_list_links_to_its_download_with_its_filters(owner_client, cant_lose_vips):
    page = owner_client.get(
        reverse("web:customer_list") + "?segment=cant_lose&tag=VIP&order=alive&page=1"
    ).content.decode()

    link = re.search(
        r'<a href="([^"]*)" download data-testid="customer-list-csv">([^<]*)</a>', page
    )
    assert link.groups() == (
        "/customers/download/?segment=cant_lose&amp;tag=VIP&amp;order=alive",
        "Download als CSV",
    )


def test_staff_have_no_download(staff_client, business, cant_lose_vips):
    page = staff_client.get(reverse("web:customer_list")).content.decode()
    status, body = downloaded(staff_client, "?segment=cant_lose")

    assert "customer-list-csv" not in page
    assert "Bram de Vries" in page
    assert (status, body) == (403, b"")
    assert not AuditEvent.objects.filter(business=business, action="exported").exists()


def test_a_page_of_the_download_costs_the_same_queries_whatever_its_size(owner_client, business):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            downloaded(owner_client, "?order=-value")
        return len(captured.captured_queries)

    tag = TagFactory(business=business, name="VIP")
    customer(business, "Anna", segment=Segment.NEW, tags=[tag], alive=0.5, value=100)
    few = queries()
    for number in range(20):
        customer(business, f"Klant {number}", segment=Segment.NEW, tags=[tag], value=number)

    assert queries() == few


def test_a_one_off_customer_has_no_probability_alive_as_on_their_card(owner_client, business):
    # The models' 91% after one purchase day read, beside "lost", as likely to come back.
    once = customer(business, "Femke Mol", segment=Segment.LOST, alive=0.913)
    CustomerInsight.objects.filter(customer=once).update(purchase_days=1)
    customer(business, "Gert Mol", segment=Segment.LOST, alive=0.913)

    _, body = downloaded(owner_client, "?order=name")

    rows = [row.split(";") for row in body.decode("utf-8-sig").split("\r\n")[1:3]]
    assert [(row[1], row[12]) for row in rows] == [("Femke Mol", ""), ("Gert Mol", "91,3")]
