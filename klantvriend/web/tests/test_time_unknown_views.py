"""A purchase imported with its date alone shows its date alone (the web's `when` filter), in the
business's time zone: "Aankoop · 7 okt 2026 12:00" read in a salon as an appointment nobody
made. A purchase recorded at the counter keeps its time."""

import re
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from klantvriend.customers import services
from klantvriend.customers.models import Purchase
from klantvriend.importers.service import data_import
from klantvriend.importers.tests.test_import import write
from klantvriend.web.templatetags.klantvriend import when

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("known", "length", "shown"),
    [
        (True, "short", "7 okt 2026 14:30"),
        (False, "short", "7 okt 2026"),
        (True, "weekday", "wo 7 okt 14:30"),
        (False, "weekday", "wo 7 okt"),
        (True, "time", "14:30"),
        (False, "time", ""),
        (True, "iso", "2026-10-07T14:30:00+02:00"),
        (False, "iso", "2026-10-07"),
    ],
)
def test_the_when_filter_writes_the_date_alone_when_the_time_is_not_known(known, length, shown):
    record = SimpleNamespace(at=datetime(2026, 10, 7, 14, 30, tzinfo=AMSTERDAM), time_known=known)

    with timezone.override(AMSTERDAM), translation.override("nl"):
        assert when(record, length).replace(NBSP, " ") == shown


def test_the_date_alone_is_the_day_in_the_active_time_zone():
    # Noon in Curaçao is 16:00 UTC; 23:30 UTC would be the next day in Amsterdam.
    curacao = ZoneInfo("America/Curacao")
    record = SimpleNamespace(at=datetime(2026, 10, 7, 23, 30, tzinfo=curacao), time_known=False)

    with translation.override("nl"):
        with timezone.override(curacao):
            assert when(record).replace(NBSP, " ") == "7 okt 2026"
        with timezone.override(AMSTERDAM):
            assert when(record).replace(NBSP, " ") == "8 okt 2026"


def test_a_record_without_time_known_shows_its_moment_as_before():
    entry = SimpleNamespace(at=datetime(2026, 10, 7, 14, 30, tzinfo=AMSTERDAM))

    with timezone.override(AMSTERDAM), translation.override("nl"):
        assert when(entry).replace(NBSP, " ") == "7 okt 2026 14:30"
        assert when(None) == ""


@pytest.fixture
def salon(tmp_path, business):
    """A salon in Curaçao (its noon far from UTC's): one visit imported with its date alone and
    one rung up at the counter at 14:30 the next day."""
    business.time_zone = "America/Curacao"
    business.save(update_fields=["time_zone"])
    path = write(
        tmp_path,
        "v.csv",
        "klantnummer;naam;datum;bedrag;omschrijving\nS-1;Sanne Kapper;2026-10-07;45,00;Knippen\n",
    )
    result = data_import(business=business, kind="purchases", path=path)
    assert result.ok, result.errors
    imported = Purchase.objects.get(business=business)
    services.purchase_create(
        customer=imported.customer,
        amount_cents=6000,
        at=datetime(2026, 10, 8, 14, 30, tzinfo=ZoneInfo("America/Curacao")),
        description="Kleuren",
    )
    return imported.customer


def text_of(response) -> str:
    return " ".join(response.content.decode().replace(NBSP, " ").split())


def test_the_profiles_timeline_shows_the_imported_visit_by_its_date_alone(owner_client, salon):
    response = owner_client.get(reverse("web:customer_detail", args=[salon.pk]))

    times = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', text_of(response))
    assert times == [
        ("2026-10-08T14:30:00-04:00", "8 okt 2026 14:30"),
        ("2026-10-07", "7 okt 2026"),
    ]
    assert "12:00" not in text_of(response)


def test_the_visits_page_gives_no_time_for_the_imported_visit(owner_client, salon):
    response = owner_client.get(reverse("web:customer_visits", args=[salon.pk]))

    rows = re.findall(
        r"<tr> <td class=\"nowrap\">(.*?)</td> <td><div>(.*?)</div>", text_of(response)
    )
    assert rows == [
        ("do 8 okt 2026", '14:30 Kleuren · <span class="nowrap">€ 60,00</span>'),
        ("wo 7 okt 2026", ' Knippen · <span class="nowrap">€ 45,00</span>'),
    ]


def test_the_personal_data_page_gives_the_imported_visits_date_alone(owner_client, salon):
    response = owner_client.get(reverse("web:customer_personal_data", args=[salon.pk]))

    text = text_of(response)
    assert "<td>7 oktober 2026</td>" in text
    assert "<td>8 oktober 2026, 14:30</td>" in text
    assert "7 oktober 2026, 12:00" not in text
    assert "Tijdstip bekend" not in text  # the date alone says so
