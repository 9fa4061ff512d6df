"""A customer a file brought in without their "customer since" (Customer.customer_since_known):
a customer by the day of the import at the latest, perhaps for years, not a new one.

A restaurant imported its list of 300 regular guests without the column: the scorecard counted
them as 300 new customers of that day, none of them through a referral, and its referral figure
fell from 40% to 1% with the advice to ask for referrals; each guest would have had a customer
anniversary on the day of the import."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from klantvriend.core.accounts import account_language_set
from klantvriend.core.shown import moment_shown
from klantvriend.customers import services
from klantvriend.customers.models import AcquisitionChannel, Customer
from klantvriend.customers.selectors import customer_list
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures.selectors import occasions_today
from klantvriend.importers.merge import customer_merge
from klantvriend.importers.service import data_import
from klantvriend.importers.tests.test_import import write
from klantvriend.insights.models import CustomerInsight, Segment
from klantvriend.insights.scorecard import referral_counts, repeat_counts
from klantvriend.insights.services import insights_refresh
from klantvriend.referrals.selectors import acquisition_report, referral_order_doubt

GUESTS = """Klantnummer;Naam;E-mail;Nieuwsbrief
1001;Anna de Vries;anna@example.nl;ja
1002;Bert Jansen;bert@example.nl;ja
"""


def _known(business) -> dict[str, tuple[date, bool]]:
    return {
        number: (since, known)
        for number, since, known in Customer.objects.filter(business=business).values_list(
            "external_ref", "customer_since", "customer_since_known"
        )
    }


@pytest.fixture
def guests(tmp_path, business):
    data_import(business=business, kind="customers", path=write(tmp_path, "k.csv", GUESTS))
    return {c.external_ref: c for c in Customer.objects.filter(business=business)}


def test_a_file_without_the_day_brings_in_customers_who_are_not_new(tmp_path, business, guests):
    today = business.today()
    walked_in = services.customer_create(business=business, name="Carla Smit")
    referred = services.customer_create(
        business=business,
        name="Daan Visser",
        acquisition_channel=AcquisitionChannel.REFERRAL,
        referred_by=walked_in,
    )
    data_import(
        business=business,
        kind="customers",
        path=write(
            tmp_path,
            "dated.csv",
            "Klantnummer;Naam;Klant sinds\n1003;Eva Bos;" + today.isoformat() + "\n",
        ),
    )
    now = timezone.now()

    assert _known(business) == {
        "1001": (today, False),
        "1002": (today, False),
        "": (today, True),  # the two made on the card
        "1003": (today, True),  # the file gave the day
    }
    assert referral_counts(business, now - timedelta(days=90), now) == {"new": 3, "referred": 1}
    (month,) = [m for m in acquisition_report(business=business, now=now) if m.total]
    assert {channel: count for channel, count in month.counts.items() if count} == {
        AcquisitionChannel.WALK_IN.value: 1,
        AcquisitionChannel.REFERRAL.value: 1,
        AcquisitionChannel.UNKNOWN.value: 1,  # the file's Eva: how she came it did not say
    }
    assert referred.customer_since_known
    assert walked_in.customer_since_known


def test_a_purchase_before_the_import_day_moves_the_day_back_and_leaves_it_unknown(
    business, guests
):
    """One visit typed in is no first one: a restaurant's regulars, imported from its guest
    list, became new customers with the first evening typed in, and the scorecard read none
    of them as returning. (A till's whole history, imported, does make the day known:
    importers/tests/test_customer_since.py.)"""
    today = business.today()
    anna, bert = guests["1001"], guests["1002"]

    services.purchase_create(
        customer=anna, amount_cents=1250, at=timezone.now() - timedelta(days=400)
    )
    services.purchase_create(customer=bert, amount_cents=1250)

    first = business.local(timezone.now() - timedelta(days=400)).date()
    assert _known(business) == {"1001": (first, False), "1002": (today, False)}
    assert (anna.customer_since, anna.customer_since_known) == (first, False)


def test_a_day_given_makes_it_known_another_change_leaves_it_unknown(business, owner, guests):
    anna, bert = guests["1001"], guests["1002"]

    services.customer_update(customer=anna, actor=owner, phone="0612345678")
    services.customer_update(customer=bert, actor=owner, customer_since=date(2019, 4, 1))

    assert _known(business) == {"1001": (business.today(), False), "1002": (date(2019, 4, 1), True)}


def test_the_card_and_the_list_say_at_the_latest(owner_client, owner, business, guests):
    account_language_set(user=owner, language="nl")
    with translation.override("nl"):
        shown = "onbekend, uiterlijk " + moment_shown(business.today(), "SHORT")

    profile = owner_client.get(reverse("web:customer_detail", args=[guests["1001"].pk]))
    listed = owner_client.get(reverse("web:customer_list"))

    assert f'<span class="fact-value" data-testid="customer-since">{shown}</span>' in (
        profile.content.decode()
    )
    assert f'<td class="hide-small hide-medium">{shown}</td>' in listed.content.decode()


def test_the_edit_form_leaves_the_day_empty_until_it_is_filled_in(
    owner_client, owner, business, guests
):
    account_language_set(user=owner, language="nl")
    anna = guests["1001"]
    url = reverse("web:customer_edit", args=[anna.pk])
    page = owner_client.get(url)
    form = page.context["form"]
    data = {
        name: "" if value is None else value
        for name, value in {
            **{f.name: form[f.name].value() for f in form},
            **{form[f.name].html_initial_name: form[f.name].value() for f in form},
        }.items()
        if not isinstance(value, list)
    }

    assert form["customer_since"].value() is None
    assert "Onbekend: het bestand waarmee ze binnenkwamen, zei het niet." in page.content.decode()

    owner_client.post(url, {**data, "phone": "0612345678"})
    assert _known(business)["1001"] == (business.today(), False)
    assert Customer.objects.get(pk=anna.pk).phone == "0612345678"

    owner_client.post(url, {**data, "phone": "0612345678", "customer_since": "2018-05-01"})
    assert _known(business)["1001"] == (date(2018, 5, 1), True)


def test_no_anniversary_falls_on_the_import_day(business, guests):
    # An import of 15 June 2025 (a fixed day: a year on from 29 February is no day).
    Customer.objects.filter(business=business).update(customer_since=date(2025, 6, 15))
    dated = CustomerFactory(
        business=business,
        customer_since=date(2025, 6, 15),
        marketing_consent=True,
        marketing_consent_basis="consent",
    )

    celebrating = occasions_today(business=business, day=date(2026, 6, 15))

    assert [o.customer.pk for o in celebrating.items] == [dated.pk]


def test_the_list_download_leaves_the_day_empty_and_reads_back_unknown(
    tmp_path, owner_client, owner, business, guests
):
    account_language_set(user=owner, language="nl")
    response = owner_client.get(reverse("web:customer_list_download"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {
        row["naam"]: row["klant sinds"] for row in csv.DictReader(io.StringIO(body), delimiter=";")
    }
    assert rows == {"Anna de Vries": "", "Bert Jansen": ""}

    Customer.objects.filter(business=business).delete()
    data_import(business=business, kind="customers", path=write(tmp_path, "back.csv", body))

    assert _known(business) == {
        "1001": (business.today(), False),
        "1002": (business.today(), False),
    }


def test_a_merge_keeps_the_earlier_day_with_whether_it_is_known(business, owner, guests):
    anna = guests["1001"]
    card = CustomerFactory(business=business, name="Anna de Vries", customer_since=date(2017, 2, 3))

    customer_merge(keep=anna, other=card, actor=owner)

    assert _known(business)["1001"] == (date(2017, 2, 3), True)


def test_a_referrer_of_unknown_day_may_have_been_one_before_the_customer_they_brought(
    business, guests
):
    anna = guests["1001"]
    brought = CustomerFactory(business=business, customer_since=date(2024, 1, 1))

    assert referral_order_doubt(referrer=anna, referred=brought) == ""
    anna.customer_since_known = True
    assert referral_order_doubt(referrer=anna, referred=brought) != ""


def test_a_customer_of_unknown_day_buying_today_is_a_returning_one_not_a_new_one(business, guests):
    anna = guests["1001"]
    newcomer = services.customer_create(business=business, name="Carla Smit")
    for customer in (anna, newcomer):
        services.purchase_create(customer=customer, amount_cents=2500)
    now = timezone.now()

    insights_refresh(business=business, now=now)

    assert repeat_counts(business, now - timedelta(days=90), now + timedelta(seconds=1)) == {
        "buyers": 2,
        "returning": 1,
    }
    segments = dict(CustomerInsight.objects.values_list("customer__name", "segment"))
    assert segments["Carla Smit"] == Segment.NEW
    assert segments["Anna de Vries"] != Segment.NEW


def test_a_regular_of_unknown_day_whose_last_evening_is_typed_in_is_returning(business, guests):
    """A restaurant imported its guest list, then typed in last night's visit of a regular the
    next morning: the scorecard read "0 of the 7 customers had bought before"."""
    anna = guests["1001"]
    last_night = timezone.now() - timedelta(days=1)
    services.purchase_create(customer=anna, amount_cents=18650, at=last_night)
    now = timezone.now()

    assert repeat_counts(business, now - timedelta(days=90), now + timedelta(seconds=1)) == {
        "buyers": 1,
        "returning": 1,
    }


def test_the_list_of_customers_since_a_day_leaves_out_those_whose_day_is_not_known(
    business, guests
):
    newcomer = services.customer_create(business=business, name="Carla Smit")
    today = business.today()

    since_today = customer_list(business=business, since_from=today)
    until_today = customer_list(business=business, since_until=today)

    assert [c.pk for c in since_today] == [newcomer.pk]
    assert sorted(c.pk for c in until_today) == sorted(
        [newcomer.pk, *(c.pk for c in guests.values())]
    )


def test_the_copy_of_their_data_says_the_day_as_what_it_is(owner_client, owner, business, guests):
    account_language_set(user=owner, language="nl")
    with translation.override("nl"):
        day = date_format(business.today(), "j F Y")

    page = owner_client.get(
        reverse("web:customer_personal_data", args=[guests["1001"].pk])
    ).content.decode()

    copy = page.split('<main class="page"')[1]  # not the header's quick add ("unknown")
    assert f"<dt>Klant sinds</dt><dd>onbekend, uiterlijk {day}</dd>" in copy
    assert "sinds bekend" not in copy
    assert "known" not in copy


def test_a_customer_an_import_brought_in_came_by_a_way_not_known(
    tmp_path, owner_client, owner, business, guests
):
    """Every imported client read "Bij ons gekomen via: binnengelopen", in the copy of their
    data too: the file said nothing of how they came."""
    data_import(
        business=business,
        kind="purchases",
        path=write(
            tmp_path,
            "kassa.csv",
            f"Datum;Klantnummer;Bedrag\n{business.today():%d-%m-%Y};1099;12,50\n",
        ),
    )
    card = services.customer_create(business=business, name="A. de Vries")
    account_language_set(user=owner, language="nl")

    channels = dict(
        Customer.objects.filter(business=business).values_list("name", "acquisition_channel")
    )
    page = owner_client.get(
        reverse("web:customer_personal_data", args=[guests["1001"].pk])
    ).content.decode()
    customer_merge(keep=guests["1001"], other=card, actor=owner)

    assert channels == {
        "A. de Vries": "walk_in",  # made on the card: walked in, as the form's default says
        "Anna de Vries": "unknown",
        "Bert Jansen": "unknown",
        "Klant 1099": "unknown",
    }
    assert "<dt>Bij ons gekomen via</dt><dd>onbekend</dd>" in page
    # The card's record says how she came, where the file's did not.
    assert Customer.objects.get(pk=guests["1001"].pk).acquisition_channel == "walk_in"


def test_the_acquisition_report_has_a_column_for_a_way_not_known_only_when_there_is_one(
    tmp_path, owner_client, owner, business
):
    account_language_set(user=owner, language="nl")
    services.customer_create(business=business, name="Carla Smit")
    header = '<th scope="col">Onbekend</th>'

    before = owner_client.get(reverse("web:acquisition")).content.decode()
    data_import(
        business=business,
        kind="customers",
        path=write(
            tmp_path,
            "k.csv",
            "Naam;Klant sinds\nEva Bos;" + business.today().strftime("%d-%m-%Y") + "\n",
        ),
    )
    after = owner_client.get(reverse("web:acquisition")).content.decode()

    assert header not in before
    assert header in after
    assert 'data-testid="unknown">1</a>' in after
