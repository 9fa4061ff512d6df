import csv
import datetime as dt
import io
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import translation

from klantvriend.core.accounts import account_language_set
from klantvriend.customers import services
from klantvriend.insights.tests.factories import advice_run
from klantvriend.web.templatetags.klantvriend import money

NO_BREAK = "\u00a0"


def test_the_pages_round_fractional_cents_rather_than_cut_them_off():
    """The advice page's mean values are fractional cents; 1235.5 showed as € 12,35 (cut off),
    where the API gives 1236 (core.money.whole_cents)."""
    with translation.override("nl"):
        assert money(1235.5) == "€\u00a012,36"
        assert money(1234.99) == "€\u00a012,35"
        assert money(1250) == "€\u00a012,50"
        assert money(None) == ""


@pytest.mark.parametrize(
    ("language", "shown", "coded"),
    [
        ("nl", "€\u00a0995.849,90", "CHF\u00a0995.849,90"),
        ("en", "€995,849.90", "CHF\u00a0995,849.90"),
    ],
)
def test_an_amount_on_a_page_is_written_with_no_space_a_line_can_break_at(language, shown, coded):
    with translation.override(language):
        assert (money(99584990), money(99584990, "CHF")) == (shown, coded)


@pytest.mark.parametrize(
    ("language", "part"),
    [
        ("nl", "(€\u00a0995.849,90 van €\u00a01.044.715,55)"),
        ("en", "(€995,849.90 of €1,044,715.55)"),
    ],
)
def test_the_advice_page_never_ends_a_line_in_a_currency_sign(
    owner_client, owner, business, language, part
):
    """On a phone and at 1280 pixels alike the advice's revenue from return visits read
    "(€" at the end of one line and "995.849,90 van €" on the next."""
    advice_run(
        business,
        as_of=dt.date(2026, 11, 2),
        customers=2000,
        came_back=1339,
        total=104471555.0,
        repeat=99584990.0,
        top_fifth_customers=400,
        top_fifth=82169375.0,
    )
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:insights_advice")).content.decode()

    assert part in page
    assert page.count("€") == 3  # the two above and the top fifth's
    assert re.search(r"€[ \t\r\n]", page) is None


def test_the_export_writes_its_amounts_as_before(owner_client, business):
    """The pages' no-break space stays out of the files a spreadsheet or a till reads."""
    anna = services.customer_create(business=business, name="Anna de Vries", external_ref="K-1")
    services.purchase_create(
        customer=anna,
        amount_cents=99584990,
        description="Rollade",
        external_ref="B1",
        at=dt.datetime(2026, 3, 1, 11, 30, tzinfo=dt.UTC),
    )

    response = owner_client.post(reverse("web:data_export"))

    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        files = {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}
    rows = list(csv.reader(io.StringIO(files["purchases.csv"]), delimiter=";"))
    assert rows[1][3:] == ["2026-03-01T12:30:00+01:00", "995849,90", "EUR", "Rollade", "B1", ""]
    assert not any(NO_BREAK in content for content in files.values())
