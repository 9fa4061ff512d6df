"""Who brought a customer in, from a customer file: a column "Aangebracht door" naming the
referrer by number, email address or name, linked once the whole file is written; how they
came ("Herkomst"); and both read back from the export's customers.csv."""

import pytest
from django.utils import translation

from klantvriend.aftercare.models import FollowUp
from klantvriend.customers import services
from klantvriend.customers.models import AcquisitionChannel, Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.service import data_import

from .test_export_reimport import exported
from .test_import import snapshot, write

pytestmark = pytest.mark.django_db


def _referrals(business) -> dict[str, tuple[str | None, str]]:
    return {
        name: (referrer, channel)
        for name, referrer, channel in Customer.objects.filter(business=business).values_list(
            "name", "referred_by__name", "acquisition_channel"
        )
    }


def test_the_referrer_is_found_by_number_address_or_name_also_later_in_the_file(tmp_path, business):
    # Given Gerda, a customer already, and a file whose Piet is brought in by Anna, a line
    # below him; Anna by Gerda's address; Cor by Gerda's name in other capitals and accents
    CustomerFactory(business=business, name="Gérda Bos", email="gerda@bos.nl")
    path = write(
        tmp_path,
        "klanten.csv",
        "Klantnummer;Naam;Aangebracht door\n"
        "K1;Piet Jansen;k2\n"
        "K2;Anna de Vries;GERDA@bos.nl\n"
        "K3;Cor Smit;gerda bos\n"
        "K4;Dirk Mol;\n",
    )

    result = data_import(business=business, kind="customers", path=path)

    # Then each is linked and came through a referral; Dirk, with an empty cell, came in a
    # way the file does not say
    assert (result.ok, result.created, result.notes) == (True, 4, [])
    assert result.mapping["referred_by"] == "Aangebracht door"
    assert _referrals(business) == {
        "Gérda Bos": (None, AcquisitionChannel.WALK_IN),
        "Piet Jansen": ("Anna de Vries", AcquisitionChannel.REFERRAL),
        "Anna de Vries": ("Gérda Bos", AcquisitionChannel.REFERRAL),
        "Cor Smit": ("Gérda Bos", AcquisitionChannel.REFERRAL),
        "Dirk Mol": (None, AcquisitionChannel.UNKNOWN),
    }
    # And no thank-you call is planned for a referral of long ago
    assert FollowUp.objects.count() == 0


def test_a_referrer_not_known_or_known_twice_leaves_the_line_without_one_with_a_note(
    tmp_path, business
):
    CustomerFactory(business=business, name="Jan de Boer")
    CustomerFactory(business=business, name="Jan de Boer")
    path = write(
        tmp_path,
        "klanten.csv",
        "Naam;Aangebracht door\nPiet;Tante Gerda\nAnna;Jan de Boer\nCor;Cor\nDirk;Anna\n",
    )

    with translation.override("nl"):
        result = data_import(business=business, kind="customers", path=path)

    # Then the file is imported, and each line left without its referrer says why
    assert (result.ok, result.created) == (True, 4)
    assert [(note.line, note.column, note.value, note.message) for note in result.notes] == [
        (
            2,
            "Aangebracht door",
            "Tante Gerda",
            "Geen klant is bekend als “Tante Gerda”, dus wie deze klant aanbracht wordt niet "
            "uit deze regel overgenomen. Schrijf het klantnummer, e-mailadres of de naam van de "
            "aanbrenger zoals de klantenlijst die heeft.",
        ),
        (
            3,
            "Aangebracht door",
            "Jan de Boer",
            "Meer dan één klant past bij “Jan de Boer”, dus wie deze klant aanbracht wordt niet "
            "uit deze regel overgenomen. Schrijf in plaats daarvan het klantnummer van de "
            "aanbrenger.",
        ),
        (
            4,
            "Aangebracht door",
            "Cor",
            "Een klant kan zichzelf niet hebben doorverwezen, dus wie deze klant aanbracht "
            "wordt niet uit deze regel overgenomen.",
        ),
    ]
    assert _referrals(business)["Dirk"] == ("Anna", AcquisitionChannel.REFERRAL)
    assert {name: pair[0] for name, pair in _referrals(business).items()} == {
        "Jan de Boer": None,
        "Piet": None,
        "Anna": None,
        "Cor": None,
        "Dirk": "Anna",
    }


def test_a_referral_in_a_circle_is_left_out_and_the_rest_linked(tmp_path, business):
    # Given Anna, whom Bert brought in
    bert = CustomerFactory(business=business, name="Bert", external_ref="K2")
    CustomerFactory(
        business=business,
        name="Anna",
        external_ref="K1",
        referred_by=bert,
        acquisition_channel=AcquisitionChannel.REFERRAL,
    )
    # When a file says Anna brought Bert in, and Cor Bert
    path = write(
        tmp_path, "klanten.csv", "Klantnummer;Naam;Aangebracht door\nK2;Bert;K1\nK3;Cor;K2\n"
    )

    with translation.override("en"):
        result = data_import(business=business, kind="customers", path=path)

    assert [(note.line, note.message) for note in result.notes] == [
        (
            2,
            "Anna came in through Bert (directly or through others), so cannot have brought Bert "
            "in: who brought this customer in is not taken from this line.",
        )
    ]
    assert {name: pair[0] for name, pair in _referrals(business).items()} == {
        "Bert": None,
        "Anna": "Bert",
        "Cor": "Bert",
    }
    # Bert was not changed: counted as such
    assert (result.created, result.updated, result.skipped) == (1, 0, 1)


def test_a_customer_changed_only_by_their_referrer_counts_as_updated(tmp_path, business):
    CustomerFactory(business=business, name="Anna", external_ref="K1")
    CustomerFactory(business=business, name="Bert", external_ref="K2")
    path = write(
        tmp_path, "klanten.csv", "Klantnummer;Naam;Aangebracht door\nK1;Anna;\nK2;Bert;K1\n"
    )

    result = data_import(business=business, kind="customers", path=path)

    assert (result.created, result.updated, result.skipped) == (0, 1, 1)
    assert _referrals(business)["Bert"] == ("Anna", AcquisitionChannel.REFERRAL)

    # And read again, nothing changes
    again = data_import(business=business, kind="customers", path=path)
    assert (again.created, again.updated, again.skipped) == (0, 0, 2)


@pytest.mark.parametrize(
    ("cell", "channel"),
    [
        ("Advertentie", AcquisitionChannel.ADVERTISEMENT),
        ("walk_in", AcquisitionChannel.WALK_IN),
        ("Walk-in", AcquisitionChannel.WALK_IN),
        ("binnengelopen", AcquisitionChannel.WALK_IN),
        ("ONLINE", AcquisitionChannel.ONLINE),
        ("", AcquisitionChannel.UNKNOWN),
        # The words a shop's own file writes for them
        ("Facebook", AcquisitionChannel.ONLINE),
        ("Via via", AcquisitionChannel.REFERRAL),
        ("mond-tot-mond", AcquisitionChannel.REFERRAL),
        ("Krant", AcquisitionChannel.ADVERTISEMENT),
        ("weet niet", AcquisitionChannel.UNKNOWN),
    ],
)
def test_how_a_customer_came_is_read_by_its_name_code_or_word(tmp_path, business, cell, channel):
    path = write(tmp_path, "klanten.csv", f"Naam;Herkomst\nPiet;{cell}\n")

    result = data_import(business=business, kind="customers", path=path)

    assert (result.ok, result.notes, Customer.objects.get().acquisition_channel) == (
        True,
        [],
        channel,
    )


def test_a_channel_no_word_names_is_recorded_as_other_with_a_note(tmp_path, business):
    """ "Facebook" refused a whole client file; a word still unknown ("Beurs", a trade fair)
    keeps the rest of its line, and says so."""
    CustomerFactory(
        business=business, name="Anna", external_ref="K1", acquisition_channel="walk_in"
    )
    path = write(
        tmp_path,
        "klanten.csv",
        "Klantnummer;Naam;Herkomst\nK1;Anna;online\nK2;Piet;Beurs\nK3;Cor;Beurs\n",
    )

    with translation.override("nl"):
        result = data_import(business=business, kind="customers", path=path)

    said = (
        "“Beurs” is geen van de manieren waarop een klant bij ons komt (binnengelopen, "
        "doorverwijzing, online, advertentie, anders, onbekend), dus wordt het vastgelegd als "
        "“anders”."
    )
    assert (result.ok, result.created, result.updated) == (True, 2, 1)
    assert [(n.line, n.column, n.value, n.message, n.code) for n in result.notes] == [
        (3, "Herkomst", "Beurs", said, "channel_other"),
        (4, "Herkomst", "Beurs", said, "channel_other"),
    ]
    assert _referrals(business) == {
        "Anna": (None, AcquisitionChannel.ONLINE),
        "Piet": (None, AcquisitionChannel.OTHER),
        "Cor": (None, AcquisitionChannel.OTHER),
    }


def test_a_line_naming_a_referrer_came_through_a_referral_whatever_its_channel_says(
    tmp_path, business
):
    """A row with "online" and a referrer was stored as a referral without a word."""
    CustomerFactory(business=business, name="Gerda", external_ref="K9")
    path = write(
        tmp_path,
        "klanten.csv",
        "Klantnummer;Naam;Herkomst;Aangebracht door\n"
        "K1;Anna;online;K9\n"
        "K2;Piet;Beurs;K9\n"
        "K3;Cor;Beurs;Tante Gerda\n"
        "K4;Dirk;doorverwijzing;K9\n"
        "K5;Eva;onbekend;K9\n",
    )

    with translation.override("en"):
        result = data_import(business=business, kind="customers", path=path)

    assert [(n.line, n.column, n.code) for n in result.notes] == [
        (2, "Herkomst", "channel_referral"),
        (3, "Herkomst", "channel_referral"),
        (4, "Aangebracht door", "referrer_left_out"),
        (4, "Herkomst", "channel_other"),
    ]
    assert result.notes[0].message == (
        "The line says this customer came by “online”, and names who brought them in: they are "
        "recorded as having come through a referral."
    )
    assert _referrals(business) == {
        "Gerda": (None, AcquisitionChannel.WALK_IN),
        "Anna": ("Gerda", AcquisitionChannel.REFERRAL),
        "Piet": ("Gerda", AcquisitionChannel.REFERRAL),
        "Cor": (None, AcquisitionChannel.OTHER),
        "Dirk": ("Gerda", AcquisitionChannel.REFERRAL),
        "Eva": ("Gerda", AcquisitionChannel.REFERRAL),
    }


def test_a_referrer_cell_too_long_refuses_the_file_and_changes_nothing(tmp_path, business):
    CustomerFactory(business=business, name="Anna", external_ref="K1")
    before = snapshot(business)
    path = write(
        tmp_path, "klanten.csv", f"Klantnummer;Naam;Aangebracht door\nK2;Piet;{'x' * 201}\n"
    )

    with translation.override("nl"):
        result = data_import(business=business, kind="customers", path=path)

    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (2, "Aangebracht door", "Gebruik hoogstens 200 tekens.")
    ]
    assert snapshot(business) == before


def test_not_known_in_the_file_keeps_a_channel_that_is_known(tmp_path, business):
    CustomerFactory(
        business=business, name="Anna", external_ref="K1", acquisition_channel="advertisement"
    )
    path = write(tmp_path, "klanten.csv", "Klantnummer;Naam;Herkomst\nK1;Anna;onbekend\n")

    result = data_import(business=business, kind="customers", path=path)

    assert (result.skipped, Customer.objects.get().acquisition_channel) == (1, "advertisement")


def test_the_export_carries_referrers_and_channels_into_another_business(
    business, other_business, tmp_path
):
    # Given a referrer with a number and one without, and a customer of an advertisement
    anna = services.customer_create(business=business, name="Anna", external_ref="K-1")
    bert = services.customer_create(business=business, name="Bert")
    services.customer_create(
        business=business, name="Cor", referred_by=anna, acquisition_channel="referral"
    )
    services.customer_create(
        business=business, name="Dirk", referred_by=bert, acquisition_channel="referral"
    )
    services.customer_create(business=business, name="Eva", acquisition_channel="advertisement")
    customers_csv, _purchases_csv = exported(business, tmp_path)

    result = data_import(business=other_business, kind="customers", path=customers_csv)

    # Then the other business has the same referrals and channels
    assert (result.ok, result.notes) == (True, [])
    assert _referrals(other_business) == _referrals(business)
    # And read into the business it came from, nothing changes
    again = data_import(business=business, kind="customers", path=customers_csv)
    assert (again.ok, again.created, again.updated, again.notes) == (True, 0, 0, [])
