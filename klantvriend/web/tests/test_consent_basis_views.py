"""The legal basis of marketing consent on the customer form, and the privacy page's list of
customers whose consent has none on record."""

import html
import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klantvriend.core.accounts import account_language_set
from klantvriend.customers.models import ConsentRecord, Customer, LegalBasis
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.web import privacy_views

BASES = [LegalBasis.CONSENT, LegalBasis.SOFT_OPT_IN, LegalBasis.LEGITIMATE_INTEREST]
MISSING_NL = (
    "Er is geen grondslag vastgelegd voor deze toestemming. Kies de grondslag die je kunt "
    "aantonen, of vink “Mag nieuws en aanbiedingen ontvangen” uit."
)
MISSING_EN = (
    "No legal basis is on record for this consent. Choose the basis you can show, or untick "
    "“May receive news and offers”."
)
HELP_NL = (
    "Telt alleen als “Mag nieuws en aanbiedingen ontvangen” is aangevinkt. Soft opt-in: een "
    "bestaande klant, over soortgelijke producten, met in elk bericht een manier om zich af te "
    "melden."
)
HELP_EN = (
    "Only counts when “May receive news and offers” is ticked. Soft opt-in: an existing "
    "customer, about similar products, with a way to opt out in every message."
)
FORM = {"name": "Anna", "phone": "0612345678", "acquisition_channel": "walk_in"}


def _with_consent(business, basis, **fields) -> Customer:
    return CustomerFactory(
        business=business,
        name=fields.pop("name", "Anna"),
        marketing_consent=True,
        marketing_consent_basis=basis,
        marketing_consent_at=datetime(2025, 3, 1, 10, 0, tzinfo=UTC),
        **fields,
    )


def _marketing_records(customer) -> list[tuple[bool, str]]:
    return list(
        ConsentRecord.objects.filter(customer=customer, kind="marketing")
        .order_by("id")
        .values_list("given", "basis")
    )


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_new_customer_form_offers_the_three_bases_with_the_default_chosen(owner_client):
    page = owner_client.get(reverse("web:customer_create"))

    field = page.context["form"]["marketing_consent_basis"]
    assert field.field.choices == [
        ("consent", "toestemming"),
        ("soft_opt_in", "soft opt-in (bestaande klant)"),
        ("legitimate_interest", "gerechtvaardigd belang"),
    ]
    assert field.value() == "consent"
    assert field.label == "Grondslag"
    assert field.help_text == HELP_NL
    rendered = str(field)
    assert 'data-shown-with="id_marketing_consent"' in rendered
    assert 'aria-describedby="id_marketing_consent_basis_helptext"' in rendered


@pytest.mark.parametrize("basis", BASES)
def test_a_new_customer_is_recorded_with_the_basis_chosen(owner_client, business, basis):
    response = owner_client.post(
        reverse("web:customer_create"),
        {**FORM, "marketing_consent": "on", "marketing_consent_basis": basis},
    )

    assert response.status_code == 302
    anna = Customer.objects.get(business=business)
    assert (anna.marketing_consent, anna.marketing_consent_basis) == (True, basis)
    assert anna.marketing_consent_at is not None
    assert _marketing_records(anna) == [(True, basis)]


def test_a_fresh_tick_from_a_page_without_the_basis_gets_the_default_basis(owner_client, business):
    """A page opened before the form had the field sends no basis: the service's default."""
    response = owner_client.post(
        reverse("web:customer_create"), {**FORM, "marketing_consent": "on"}
    )

    assert response.status_code == 302
    anna = Customer.objects.get(business=business)
    assert (anna.marketing_consent, anna.marketing_consent_basis) == (True, "consent")
    assert _marketing_records(anna) == [(True, "consent")]


def test_a_basis_chosen_without_consent_is_not_stored(owner_client, business):
    """Without JavaScript the basis is shown even when consent is not ticked; it counts only
    with consent, so a customer who may not receive news and offers has none on record."""
    response = owner_client.post(
        reverse("web:customer_create"), {**FORM, "marketing_consent_basis": "soft_opt_in"}
    )

    assert response.status_code == 302
    anna = Customer.objects.get(business=business)
    assert (anna.marketing_consent, anna.marketing_consent_basis) == (False, "")
    assert _marketing_records(anna) == []


def test_the_edit_form_shows_the_basis_on_record(owner_client, business):
    anna = _with_consent(business, LegalBasis.LEGITIMATE_INTEREST)

    page = owner_client.get(reverse("web:customer_edit", args=[anna.pk]))

    field = page.context["form"]["marketing_consent_basis"]
    assert field.value() == "legitimate_interest"
    assert [value for value, _label in field.field.choices] == [
        "consent",
        "soft_opt_in",
        "legitimate_interest",
    ]
    assert page.context["form"].basis_notice == ""
    assert '<option value="legitimate_interest" selected>' in str(field)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (LegalBasis.CONSENT, LegalBasis.SOFT_OPT_IN),
        (LegalBasis.SOFT_OPT_IN, LegalBasis.LEGITIMATE_INTEREST),
        (LegalBasis.LEGITIMATE_INTEREST, LegalBasis.CONSENT),
    ],
)
def test_changing_only_the_basis_is_recorded_as_a_consent_change(
    owner_client, business, before, after
):
    anna = _with_consent(business, before, phone="0612345678")
    response = owner_client.post(
        reverse("web:customer_edit", args=[anna.pk]),
        {**FORM, "marketing_consent": "on", "marketing_consent_basis": after},
    )

    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.marketing_consent, anna.marketing_consent_basis) == (True, after)
    assert anna.marketing_consent_at == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    assert _marketing_records(anna) == [(True, after)]


def test_saving_the_same_basis_again_records_no_consent_change(owner_client, business):
    anna = _with_consent(business, LegalBasis.SOFT_OPT_IN)

    response = owner_client.post(
        reverse("web:customer_edit", args=[anna.pk]),
        {**FORM, "marketing_consent": "on", "marketing_consent_basis": "soft_opt_in"},
    )

    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.phone, anna.marketing_consent_basis) == ("0612345678", "soft_opt_in")
    assert _marketing_records(anna) == []


def test_unticking_consent_withdraws_it_and_its_basis(owner_client, business):
    anna = _with_consent(business, LegalBasis.SOFT_OPT_IN)

    response = owner_client.post(
        reverse("web:customer_edit", args=[anna.pk]),
        {**FORM, "marketing_consent_basis": "soft_opt_in"},
    )

    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.marketing_consent, anna.marketing_consent_basis) == (False, "")
    assert _marketing_records(anna) == [(False, "")]


@pytest.mark.parametrize(
    ("basis", "message"),
    [
        (
            "",
            "Nieuws en aanbiedingen hebben een grondslag nodig: toestemming, soft opt-in of "
            "gerechtvaardigd belang. Trek de toestemming in in plaats van de grondslag leeg te "
            "maken.",
        ),
        (
            "opt_out",
            "Selecteer een geldige keuze. opt_out is geen beschikbare keuze.",
        ),
    ],
)
def test_a_refused_basis_is_named_on_its_field_and_nothing_is_saved(
    owner_client, business, basis, message
):
    anna = _with_consent(business, LegalBasis.SOFT_OPT_IN)
    before = Customer.objects.filter(pk=anna.pk).values().get()

    response = owner_client.post(
        reverse("web:customer_edit", args=[anna.pk]),
        {**FORM, "marketing_consent": "on", "marketing_consent_basis": basis},
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {"marketing_consent_basis": [message]}
    assert Customer.objects.filter(pk=anna.pk).values().get() == before
    assert _marketing_records(anna) == []
    assert 'id="id_marketing_consent_basis_error"' in response.content.decode()


def test_consent_without_a_basis_shows_the_problem_on_the_basis_field(owner_client, business):
    anna = _with_consent(business, LegalBasis.NONE)

    page = owner_client.get(reverse("web:customer_edit", args=[anna.pk]))

    form = page.context["form"]
    field = form["marketing_consent_basis"]
    assert field.value() == ""
    assert field.field.choices[0] == ("", "niet vastgelegd")
    assert form.basis_notice == MISSING_NL
    content = html.unescape(page.content.decode())
    assert f'<p class="error" id="id_marketing_consent_basis_notice">{MISSING_NL}</p>' in content
    assert (
        'aria-describedby="id_marketing_consent_basis_helptext '
        'id_marketing_consent_basis_notice"' in content
    )
    assert 'class="form-errors"' not in content


@pytest.mark.parametrize("basis", BASES)
def test_consent_without_a_basis_is_fixed_by_choosing_one(owner_client, business, basis):
    anna = _with_consent(business, LegalBasis.NONE)

    response = owner_client.post(
        reverse("web:customer_edit", args=[anna.pk]),
        {**FORM, "marketing_consent": "on", "marketing_consent_basis": basis},
    )

    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.marketing_consent, anna.marketing_consent_basis) == (True, basis)
    assert _marketing_records(anna) == [(True, basis)]


def test_the_basis_field_speaks_english_when_asked(owner_client, owner, business):
    anna = _with_consent(business, LegalBasis.NONE)
    account_language_set(user=owner, language="en")

    page = owner_client.get(reverse("web:customer_edit", args=[anna.pk]))
    refused = owner_client.post(
        reverse("web:customer_edit", args=[anna.pk]),
        {**FORM, "marketing_consent": "on", "marketing_consent_basis": ""},
    )

    field = page.context["form"]["marketing_consent_basis"]
    assert field.label == "Legal basis"
    assert field.help_text == HELP_EN
    assert field.field.choices == [
        ("", "none recorded"),
        ("consent", "consent"),
        ("soft_opt_in", "soft opt-in (existing customer)"),
        ("legitimate_interest", "legitimate interest"),
    ]
    assert page.context["form"].basis_notice == MISSING_EN
    assert refused.context["form"].errors == {"marketing_consent_basis": [MISSING_EN]}


# The privacy page


def test_the_privacy_page_lists_the_customers_with_consent_but_no_basis(
    owner_client, business, other_business, django_assert_max_num_queries
):
    for name in ("Cor", "Anna", "Bram"):
        _with_consent(business, LegalBasis.NONE, name=name)
    _with_consent(business, LegalBasis.SOFT_OPT_IN, name="Dirk Heeft Grondslag")
    CustomerFactory(business=business, name="Eva Zonder Toestemming")
    _with_consent(other_business, LegalBasis.NONE, name="Frits Andere Zaak")

    with django_assert_max_num_queries(12):
        page = owner_client.get(reverse("web:privacy_settings"))

    text = _text(page)
    assert (
        "3 klanten mogen nieuws en aanbiedingen ontvangen, maar er is geen grondslag voor "
        "vastgelegd:" in text
    )
    section = page.content.decode().split('data-testid="consent-without-basis"')[1]
    section = section.split("</section>")[0]
    # Each edit form returns here after saving (links.safe_next), to fix the next one.
    links = re.findall(
        r'<a href="/customers/(\d+)/edit/\?next=/privacy/settings/#id_marketing_consent">'
        r"([^<]+)</a>",
        section,
    )
    assert [name for _pk, name in links] == ["Anna", "Bram", "Cor"]
    assert {int(pk) for pk, _name in links} == set(
        Customer.objects.filter(name__in=["Anna", "Bram", "Cor"]).values_list("pk", flat=True)
    )
    for name in ("Dirk Heeft Grondslag", "Eva Zonder Toestemming", "Frits Andere Zaak"):
        assert name not in text
    assert "Open elke klant en kies de grondslag die je kunt aantonen" in text
    assert "en nog" not in section


def test_the_edit_form_opened_from_the_privacy_page_cancels_back_to_it(owner_client, business):
    anna = _with_consent(business, LegalBasis.NONE)
    edit = reverse("web:customer_edit", args=[anna.pk])

    from_privacy = owner_client.get(edit, {"next": reverse("web:privacy_settings")})
    from_elsewhere = owner_client.get(edit, {"next": "https://evil.example/"})

    cancel = r'<a class="button" href="([^"]*)">Annuleren</a>'
    assert re.findall(cancel, from_privacy.content.decode()) == ["/privacy/settings/"]
    assert re.findall(cancel, from_elsewhere.content.decode()) == [f"/customers/{anna.pk}/"]
    assert re.findall(cancel, owner_client.get(edit).content.decode()) == [f"/customers/{anna.pk}/"]


def test_the_privacy_page_costs_the_same_queries_for_one_or_many_without_a_basis(
    owner_client, business
):
    _with_consent(business, LegalBasis.NONE, name="Anna")
    with CaptureQueriesContext(connection) as one:
        owner_client.get(reverse("web:privacy_settings"))
    for number in range(20):
        _with_consent(business, LegalBasis.NONE, name=f"Klant {number}")
    with CaptureQueriesContext(connection) as many:
        owner_client.get(reverse("web:privacy_settings"))

    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_privacy_page_shows_the_first_ones_and_how_many_more(
    owner_client, business, monkeypatch
):
    monkeypatch.setattr(privacy_views, "CONSENT_WITHOUT_BASIS_SHOWN", 2)
    for name in ("Anna", "Bram", "Cor", "Dirk"):
        _with_consent(business, LegalBasis.NONE, name=name)

    text = _text(owner_client.get(reverse("web:privacy_settings")))

    assert "4 klanten mogen nieuws en aanbiedingen ontvangen" in text
    assert "Anna Bram en nog 2" in text
    assert "Cor" not in text


def test_the_privacy_page_says_when_every_consent_has_its_basis(owner_client, business):
    _with_consent(business, LegalBasis.CONSENT)

    text = _text(owner_client.get(reverse("web:privacy_settings")))

    assert "Toestemming voor nieuws en aanbiedingen" in text
    assert (
        "Elke klant die nieuws en aanbiedingen mag ontvangen, heeft een vastgelegde grondslag."
        in text
    )
    assert "geen grondslag voor vastgelegd" not in text


def test_the_privacy_page_names_consent_without_a_basis_in_english(owner_client, owner, business):
    _with_consent(business, LegalBasis.NONE, name="Anna")
    account_language_set(user=owner, language="en")

    text = _text(owner_client.get(reverse("web:privacy_settings")))

    assert "Consent for news and offers" in text
    assert (
        "1 customer may receive news and offers, but no legal basis is on record for it: Anna"
        in text
    )
    assert (
        "This consent was stored before Klantvriend asked for its basis. Open each customer and "
        "choose the basis you can show (consent, soft opt-in or legitimate interest), or untick "
        "the consent if you cannot. Until then they are not invited to surveys by email." in text
    )


def test_staff_do_not_see_the_privacy_page(staff_client, business):
    _with_consent(business, LegalBasis.NONE, name="Anna")

    assert staff_client.get(reverse("web:privacy_settings")).status_code == 403


def test_saving_the_basis_from_the_privacy_page_returns_to_it(owner_client, business):
    anna = _with_consent(business, LegalBasis.NONE)
    edit = reverse("web:customer_edit", args=[anna.pk])

    saved = owner_client.post(
        f"{edit}?next=/privacy/settings/",
        {**FORM, "marketing_consent": "on", "marketing_consent_basis": "soft_opt_in"},
    )
    elsewhere = owner_client.post(
        f"{edit}?next=https://evil.example/",
        {**FORM, "marketing_consent": "on", "marketing_consent_basis": "consent"},
    )

    assert (saved.status_code, saved["Location"]) == (302, "/privacy/settings/")
    assert (elsewhere.status_code, elsewhere["Location"]) == (302, f"/customers/{anna.pk}/")
    assert list(anna.consent_records.order_by("pk").values_list("basis", "source")) == [
        ("soft_opt_in", "web"),
        ("consent", "web"),
    ]
