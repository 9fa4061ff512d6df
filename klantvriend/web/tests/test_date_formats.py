"""Dates in the language of the page: Dutch month abbreviations in lower case ("28 mrt 2025",
"di 25 nov 14:30"), English ones capitalised; the named formats live in config/formats."""

from datetime import date, datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from config.formats.en import formats as en_formats
from config.formats.nl import formats as nl_formats
from klantvriend.core.accounts import account_language_set
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.tests.factories import PromiseFactory


def _names(module):
    return {name for name in vars(module) if name.isupper()}


def test_every_named_format_is_defined_for_every_language():
    # A name missing for the active language would be printed as a format string of letters.
    assert _names(nl_formats) == _names(en_formats)
    assert {code for code, _name in settings.LANGUAGES} == {"nl", "en"}


@pytest.mark.parametrize(
    ("language", "since", "due"),
    # On one line on the pages: no-break spaces. The promise's moment, more than half a year
    # ago, with its year (a weekday alone read as this year's).
    [
        ("nl", "28\xa0mrt\xa02025", "25\xa0nov\xa02025\xa014:30"),
        ("en", "28\xa0Mar\xa02025", "25\xa0Nov\xa02025\xa014:30"),
    ],
)
def test_the_customer_list_and_profile_write_dates_the_language_s_way(
    owner_client, owner, business, language, since, due
):
    customer = CustomerFactory(business=business, name="Ria Mol", customer_since=date(2025, 3, 28))
    made = datetime(2025, 11, 20, 10, 0, tzinfo=business.tzinfo)
    PromiseFactory(
        customer=customer,
        made_at=made,
        due_at=datetime(2025, 11, 25, 14, 30, tzinfo=business.tzinfo),
        done_at=None,
    )
    # As the account page or the language switch stores it.
    account_language_set(user=owner, language=language)

    listing = owner_client.get(reverse("web:customer_list")).content.decode()
    profile = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    assert since in listing
    assert since in profile
    assert due in profile


def test_month_names_stay_capitalised_in_english_only():
    moment = date(2025, 3, 28)
    with translation.override("nl"):
        assert date_format(moment, "SHORT_DATE_FORMAT") == "28 mrt 2025"
        assert date_format(moment, "YEAR_MONTH_FORMAT") == "mrt 2025"
        assert date_format(moment, "MONTH_DAY_FORMAT") == "28 mrt"
    with translation.override("en"):
        assert date_format(moment, "SHORT_DATE_FORMAT") == "28 Mar 2025"
        assert date_format(moment, "YEAR_MONTH_FORMAT") == "Mar 2025"
        assert date_format(moment, "WEEKDAY_DATE_FORMAT") == "Fri 28 Mar"
