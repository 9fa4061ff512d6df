import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.accounts import account_language_set
from klantvriend.core.services import membership_create
from klantvriend.customers import services as customer_services
from klantvriend.customers.models import AcquisitionChannel, ContactMoment, Customer, Purchase
from klantvriend.customers.tests.factories import (
    ContactMomentFactory,
    CustomerFactory,
    PurchaseFactory,
)
from klantvriend.gestures.tests.factories import GestureFactory
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.surveys.tests.factories import SurveyResponseFactory
from klantvriend.web.views import TIMELINE_SHORT

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_pages_need_a_login(db):
    response = Client().get(reverse("web:customer_list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


def test_login_page_is_dutch_by_default_and_logs_in(owner, business):
    client = Client()
    page = client.get(reverse("web:login"))
    assert "Inloggen" in page.content.decode()

    response = client.post(reverse("web:login"), {"username": "sanne", "password": "pw-sanne-123"})

    assert response.status_code == 302
    assert client.get(reverse("web:today")).status_code == 200


def test_wrong_password_is_refused_with_a_message(owner, business):
    response = Client().post(reverse("web:login"), {"username": "sanne", "password": "wrong"})

    assert response.status_code == 200
    assert "Voer een juiste gebruikersnaam en wachtwoord in" in response.content.decode()


def test_every_page_sends_a_strict_content_security_policy(owner_client):
    response = owner_client.get(reverse("web:today"))

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_customer_search_finds_by_name_without_accents(owner_client, business, other_business):
    CustomerFactory(business=business, name="José Öztürk")
    CustomerFactory(business=business, name="Anna de Vries")
    CustomerFactory(business=other_business, name="José Elders")

    page = owner_client.get(reverse("web:customer_list"), {"q": "jose"}).content.decode()

    assert "José Öztürk" in page
    assert "Anna de Vries" not in page
    assert "José Elders" not in page


def test_live_search_answers_with_the_results_fragment_only(owner_client, business):
    CustomerFactory(business=business, name="José Öztürk")

    response = owner_client.get(
        reverse("web:customer_list"),
        {"q": "oztu"},
        headers={"HX-Request": "true", "HX-Target": "customer-results"},
    )

    body = response.content.decode()
    assert "José Öztürk" in body
    assert "<html" not in body


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_benchmarked_pages_cost_a_constant_number_of_queries(owner_client, api, business):
    """The pages of bench/web_bench.py: the same queries with one customer as with forty."""
    customer = CustomerFactory(business=business)
    PurchaseFactory(customer=customer)
    pages = [
        (owner_client, reverse("web:customer_list")),
        (owner_client, reverse("web:customer_list") + "?q=klant"),
        (owner_client, reverse("web:customer_detail", args=[customer.pk])),
        (owner_client, reverse("web:insights_scorecard")),
        (api, "/api/v1/customers?limit=50"),
    ]

    def counts():
        for client, url in pages:  # once first: an API token notes when it was last used
            client.get(url)
        cache.clear()  # the scorecard keeps its figures for a minute
        return [_queries(client, url) for client, url in pages]

    small = counts()
    for index in range(40):
        other = CustomerFactory(business=business)
        PurchaseFactory(customer=other, amount_cents=index + 1)
        PurchaseFactory(customer=customer, amount_cents=index + 1)
        ContactMomentFactory(customer=customer)
    large = counts()

    assert large == small
    assert small[0] <= 12


def test_the_profile_skips_the_queries_of_kinds_the_customer_has_none_of(owner_client, business):
    plain = CustomerFactory(business=business, name="Alleen Aankopen")
    PurchaseFactory(customer=plain)
    busy = CustomerFactory(business=business, name="Van Alles")
    PurchaseFactory(customer=busy)  # as "plain": its last purchase is read for both
    PromiseFactory(customer=busy, description="Rollade klaarzetten")
    ComplaintFactory(customer=busy, description="Vlees was taai")
    FollowUpFactory(customer=busy, note="Smaakte het?")
    GestureFactory(customer=busy, what="Gratis worst")
    SurveyResponseFactory(customer=busy, nps=7)
    owner_client.get(reverse("web:customer_detail", args=[plain.pk]))

    with CaptureQueriesContext(connection) as for_plain:
        plain_page = owner_client.get(reverse("web:customer_detail", args=[plain.pk]))
    with CaptureQueriesContext(connection) as for_busy:
        busy_page = owner_client.get(reverse("web:customer_detail", args=[busy.pk])).content
    busy_page = busy_page.decode()

    # Promises, complaints and follow-ups: timeline, open items, card; gestures and survey
    # answers: timeline and card; survey invitations: card; the steps of promises, complaints
    # and follow-ups the reader may undo: one; the gestures they may take back: one; each
    # skipped for "plain".
    assert len(for_busy) - len(for_plain) == 3 * 3 + 2 * 2 + 1 + 1 + 1
    assert plain_page.status_code == 200
    for text in ["Rollade klaarzetten", "Vlees was taai", "Smaakte het?", "Gratis worst", "7/10"]:
        assert text in busy_page


def test_quick_add_creates_a_walk_in_and_opens_the_profile(owner_client, business):
    response = owner_client.post(
        reverse("web:customer_quick_add"), {"name": "Wandelaar", "phone": ""}
    )

    customer = Customer.objects.get(business=business)
    assert customer.name == "Wandelaar"
    assert response.status_code == 302
    assert response.url == reverse("web:customer_detail", args=[customer.pk])
    # How they came is not said: not "walk-in", as a customer on the phone read on their card
    assert customer.acquisition_channel == AcquisitionChannel.UNKNOWN


def test_quick_add_records_how_the_customer_came_when_said(owner_client, business):
    page = owner_client.get(reverse("web:today")).content.decode()

    owner_client.post(
        reverse("web:customer_quick_add"),
        {"name": "Websurfer", "phone": "", "acquisition_channel": "online"},
    )

    assert '<option value="unknown" selected>onbekend</option>' in page
    assert Customer.objects.get(business=business).acquisition_channel == "online"


def test_quick_add_with_htmx_redirects_the_page(owner_client, business):
    response = owner_client.post(
        reverse("web:customer_quick_add"), {"name": "Wandelaar"}, headers={"HX-Request": "true"}
    )

    customer = Customer.objects.get(business=business)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == reverse("web:customer_detail", args=[customer.pk])


def test_quick_add_records_who_sent_the_walk_in(owner_client, business):
    """ "My neighbour sent me" is said at the counter, where the walk-in panel is: the referrer is
    picked there (the panel's own picker), and the new customer came through a referral."""
    vera = CustomerFactory(business=business, name="Vera Meijer")

    panel = owner_client.get(reverse("web:today")).content.decode()
    found = owner_client.get(
        reverse("web:referrer_search"),
        {"referred_by_query": "meijer", "field": "quick-add-referred_by", "exclude": ""},
    ).content.decode()
    response = owner_client.post(
        reverse("web:customer_quick_add"),
        {"name": "Wim Wandelaar", "referred_by": vera.pk},
        headers={"HX-Request": "true"},
    )

    assert 'id="quick-add-referred_by_picker"' in panel
    assert "field=quick-add-referred_by" in panel
    assert 'hx-target="#quick-add-referred_by_picker"' in found
    assert f"?customer={vera.pk}&amp;exclude=&amp;field=quick-add-referred_by" in found
    wim = Customer.objects.get(business=business, name="Wim Wandelaar")
    assert response.status_code == 204
    assert wim.referred_by == vera
    assert wim.acquisition_channel == AcquisitionChannel.REFERRAL


def test_quick_add_refuses_a_referrer_beside_another_channel_as_the_full_form_does(
    owner_client, business
):
    """A referrer picked, then "online" chosen: saved as a referral without a word."""
    vera = CustomerFactory(business=business, name="Vera Meijer")
    before = Customer.objects.count()

    response = owner_client.post(
        reverse("web:customer_quick_add"),
        {"name": "Wim Wandelaar", "referred_by": vera.pk, "acquisition_channel": "online"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert (
        "Iemand heeft deze klant doorverwezen: kies “doorverwijzing”, of laat “Doorverwezen "
        "door” leeg."
    ) in response.content.decode()
    assert Customer.objects.count() == before


def test_the_full_form_asks_how_a_new_customer_came_not_known_by_default(owner_client):
    page = owner_client.get(reverse("web:customer_create")).content.decode()
    main = page.split('<main class="page"')[1]

    assert '<option value="unknown" selected>onbekend</option>' in main
    assert '<option value="walk_in" selected>' not in main


def test_a_referrers_full_name_typed_but_not_chosen_is_taken_when_it_names_one_customer(
    owner_client, business, other_business
):
    """At the counter the referrer's name was typed in full and the list's suggestion not
    tapped: the customer was saved without a referrer and without a word."""
    vera = CustomerFactory(business=business, name="Vera Meijer")
    CustomerFactory(business=other_business, name="Vera Meijer")

    response = owner_client.post(
        reverse("web:customer_quick_add"),
        {"name": "Wim Wandelaar", "referred_by": "", "referred_by_query": " vera  meijer "},
        headers={"HX-Request": "true"},
    )

    wim = Customer.objects.get(business=business, name="Wim Wandelaar")
    assert response.status_code == 204
    assert (wim.referred_by, wim.acquisition_channel) == (vera, AcquisitionChannel.REFERRAL)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "Vera",
            "Kies de klant uit de lijst die verschijnt terwijl je typt, of maak het veld leeg: "
            "een getypte naam zonder keuze (“Vera”) wordt niet vastgelegd.",
        ),
        (
            "Jan de Boer",
            "Er zijn meerdere klanten die “Jan de Boer” heten: kies de juiste uit de lijst die "
            "verschijnt terwijl je typt.",
        ),
    ],
)
def test_a_referrer_typed_but_not_chosen_is_refused_with_the_text_kept_and_nothing_stored(
    owner_client, business, typed, message
):
    CustomerFactory(business=business, name="Vera Meijer")
    CustomerFactory(business=business, name="Jan de Boer")
    CustomerFactory(business=business, name="Jan de Boer")

    response = owner_client.post(
        reverse("web:customer_quick_add"),
        {"name": "Wim Wandelaar", "referred_by": "", "referred_by_query": typed},
        headers={"HX-Request": "true"},
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert message in page
    assert f'name="referred_by_query" value="{typed}"' in page
    assert not Customer.objects.filter(business=business, name="Wim Wandelaar").exists()


def test_the_customer_form_and_brought_in_refuse_a_name_typed_but_not_chosen(
    owner_client, business
):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    CustomerFactory(business=business, name="Vera Meijer")

    edit = owner_client.post(
        reverse("web:customer_edit", args=[anna.pk]),
        {"name": "Anna de Vries", "referred_by": "", "referred_by_query": "Vera M"},
    )
    brought = owner_client.post(
        reverse("web:referral_add", args=[anna.pk]),
        {"referred": "", "referred_by_query": "Vera M"},
    )

    assert (
        "een getypte naam zonder keuze (“Vera M”) wordt niet vastgelegd." in edit.content.decode()
    )
    assert (
        "een getypte naam zonder keuze (“Vera M”) wordt niet vastgelegd."
        in brought.content.decode()
    )
    anna.refresh_from_db()
    assert anna.referred_by is None
    assert not Customer.objects.filter(business=business, referred_by__isnull=False).exists()


def test_quick_add_refuses_a_referrer_of_another_business_and_stores_nothing(
    owner_client, business, other_business
):
    stranger = CustomerFactory(business=other_business, name="Vera Meijer")

    response = owner_client.post(
        reverse("web:customer_quick_add"),
        {"name": "Wim Wandelaar", "referred_by": stranger.pk},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert "Deze klant bestaat niet." in response.content.decode()
    assert not Customer.objects.filter(business=business).exists()


def test_a_picker_asked_for_a_field_it_does_not_know_answers_for_the_customer_form(owner_client):
    page = owner_client.get(
        reverse("web:referrer_pick"), {"field": 'x" onclick="alert(1)', "exclude": ""}
    ).content.decode()

    assert 'id="id_referred_by_picker"' in page
    assert "alert" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "  "}, "Een klant heeft een naam nodig."),
        ({"name": "Anna", "phone": "bel me"}, "Vul een telefoonnummer van minstens 8 cijfers in"),
        # Six digits: a local number without its area code, which nobody can call.
        ({"name": "Anna", "phone": "123456"}, "Vul een telefoonnummer van minstens 8 cijfers in"),
        (
            {"name": "Anna", "phone": "020-1234"},
            "Vul een telefoonnummer van minstens 8 cijfers in",
        ),
    ],
)
def test_quick_add_refuses_bad_input_in_dutch_and_stores_nothing(
    owner_client, business, data, message
):
    response = owner_client.post(
        reverse("web:customer_quick_add"), data, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert message in response.content.decode()
    assert Customer.objects.count() == 0


def test_the_quick_add_leads_to_the_form_of_every_detail(owner_client, business):
    """A garage owner with the customer's email address to hand looked for where to type it:
    the quick add asks a name and a phone only."""
    page = owner_client.get(reverse("web:today")).content.decode()

    link = re.search(r'<a href="([^"]+)" data-testid="quick-add-full-form">([^<]+)</a>', page)
    assert link.groups() == (
        reverse("web:customer_create"),
        "Alles tegelijk (e-mail, adres, verjaardag)",
    )


def test_full_customer_form_creates_with_tags_and_consent(owner_client, business):
    response = owner_client.post(
        reverse("web:customer_create"),
        {
            "name": "Anna de Vries",
            "email": "anna@example.nl",
            "tags": "buurt, vaste klant",
            "acquisition_channel": "walk_in",
            "marketing_consent": "on",
        },
    )

    customer = Customer.objects.get(business=business)
    assert response.status_code == 302
    assert sorted(tag.name for tag in customer.tags.all()) == ["buurt", "vaste klant"]
    assert customer.marketing_consent_at is not None


def test_customer_form_refuses_allergy_notes_without_consent(owner_client, business):
    response = owner_client.post(
        reverse("web:customer_create"),
        {
            "name": "Anna",
            "acquisition_channel": "walk_in",
            "special_notes": "Notenallergie",
        },
    )

    assert response.status_code == 422
    assert "uitdrukkelijke toestemming" in response.content.decode()
    assert Customer.objects.count() == 0


def test_a_refused_customer_form_names_the_fields_to_fix_at_its_top(staff_client, business):
    """On a phone the form is four screens long: a message beside the allergy notes at its
    bottom went unseen, and the page, drawn again at its top, looked as if nothing had happened."""
    anna = CustomerFactory(business=business, name="Anna", email="anna@example.nl")
    before = Customer.objects.filter(pk=anna.pk).values().get()

    response = staff_client.post(
        reverse("web:customer_edit", args=[anna.pk]),
        {
            "name": "Anna",
            "email": "anna@@example",
            "acquisition_channel": "walk_in",
            "special_notes": "Notenallergie",
        },
    )

    assert response.status_code == 422
    page = response.content.decode()
    summary = page[page.index('data-testid="form-error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert "Niet opgeslagen. Kijk bij:" in summary
    assert re.findall(r'<a href="#(\w+)">([^<]+)</a>', summary) == [
        ("id_email", "E-mail"),
        ("id_special_notes", "Gezondheid, dieet en allergieën"),
    ]
    # Above the first field, where the page opens.
    assert page.index('data-testid="form-error-summary"') < page.index('id="id_name"')
    assert Customer.objects.filter(pk=anna.pk).values().get() == before


def test_a_customer_form_without_errors_shows_no_summary(staff_client, business):
    page = staff_client.get(reverse("web:customer_create")).content.decode()

    assert "form-error-summary" not in page


def test_referrer_of_another_business_cannot_be_chosen(owner_client, business, other_business):
    stranger = CustomerFactory(business=other_business)

    response = owner_client.post(
        reverse("web:customer_create"),
        {
            "name": "Anna",
            "acquisition_channel": "referral",
            "referred_by": stranger.pk,
        },
    )

    assert "Deze klant bestaat niet." in response.content.decode()
    assert Customer.objects.filter(business=business).count() == 0


def test_purchase_typed_with_a_decimal_comma_lands_on_the_timeline(owner_client, business):
    customer = CustomerFactory(business=business)

    response = owner_client.post(
        reverse("web:purchase_add", args=[customer.pk]),
        {"amount": "€ 12,50", "description": "Rollade"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    purchase = Purchase.objects.get()
    assert (purchase.amount_cents, purchase.description) == (1250, "Rollade")
    assert "€\u00a012,50" in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "data", "form", "message"),
    [
        ("web:purchase_add", {"amount": "12,50"}, "purchase-form", "Aankoop opgeslagen."),
        (
            "web:contact_moment_add",
            {"kind": "call", "summary": "Gebeld"},
            "contact-form",
            "Contactmoment opgeslagen.",
        ),
        (
            "web:important_date_add",
            {"label": "Trouwdag", "date": "2020-06-12"},
            "important-date-form",
            "Datum opgeslagen.",
        ),
    ],
)
def test_a_record_saved_on_the_profile_says_so_next_to_its_form(
    owner_client, business, url_name, data, form, message
):
    # On a phone the timeline, where the record shows, is a screen further down.
    customer = CustomerFactory(business=business)
    url = reverse(url_name, args=[customer.pk])

    fragment = owner_client.post(url, data, headers={"HX-Request": "true"}).content.decode()
    refused = owner_client.post(url, {}, headers={"HX-Request": "true"}).content.decode()
    # Another customer's: the same important date twice is refused.
    second = reverse(url_name, args=[CustomerFactory(business=business).pk])
    page = owner_client.post(second, data, follow=True).content.decode()

    saved = fragment.index(f'data-testid="record-saved">{message}</p>')
    # Inside the form just used, not at the top of the card, a screen above it on a phone.
    forms = [
        (match.start(), match[1]) for match in re.finditer(r'data-testid="([\w-]+-form)"', fragment)
    ]
    assert [name for start, name in forms if start < saved][-1] == form
    assert "record-saved" not in refused
    assert f'<p class="message message-success">{message}</p>' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "-5"}, "Het bedrag kan niet negatief zijn."),
        ({"amount": "twaalf"}, "Vul het bedrag in als getal, zoals 12,50."),
        (
            {"amount": "1.250"},
            "Is 1.250 bedoeld met een scheidingsteken voor duizendtallen of met decimalen?",
        ),
        (
            {"amount": "1,250"},
            "Is 1,250 bedoeld met een scheidingsteken voor duizendtallen of met decimalen?",
        ),
        (
            {"amount": "5", "at": "05-03-2026 14:00"},
            "Vul een datum en tijd in, zoals 2026-03-01 14:30.",
        ),
        ({"amount": "5", "at": "2099-01-01T10:00"}, "Dit moment ligt in de toekomst."),
        ({"amount": "100000000000000000000000000"}, "Dit bedrag is te groot."),
    ],
)
def test_bad_purchase_input_is_refused_in_dutch_and_nothing_is_stored(
    owner_client, business, data, message
):
    customer = CustomerFactory(business=business)

    response = owner_client.post(
        reverse("web:purchase_add", args=[customer.pk]), data, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert message in response.content.decode()
    assert Purchase.objects.count() == 0


def test_contact_moment_is_recorded_with_the_member(owner_client, business, owner):
    customer = CustomerFactory(business=business)

    owner_client.post(
        reverse("web:contact_moment_add", args=[customer.pk]),
        {"kind": "call", "summary": "Teruggebeld"},
    )

    moment = ContactMoment.objects.get()
    assert (moment.kind, moment.summary, moment.member) == ("call", "Teruggebeld", owner)


def test_another_business_customer_is_a_404_everywhere(owner_client, other_business):
    stranger = CustomerFactory(business=other_business, name="Geheim")
    urls = [
        reverse(name, args=[stranger.pk])
        for name in [
            "web:customer_detail",
            "web:customer_edit",
            "web:customer_delete",
            "web:customer_visits",
        ]
    ]

    assert [owner_client.get(url).status_code for url in urls] == [404, 404, 404, 404]
    assert (
        owner_client.post(
            reverse("web:purchase_add", args=[stranger.pk]), {"amount": "5"}
        ).status_code
        == 404
    )
    assert owner_client.post(reverse("web:customer_delete", args=[stranger.pk])).status_code == 404
    assert Purchase.objects.count() == 0
    assert Customer.objects.filter(pk=stranger.pk, name="Geheim").exists()


def test_staff_cannot_delete_customers(staff_client, business):
    customer = CustomerFactory(business=business)

    response = staff_client.post(reverse("web:customer_delete", args=[customer.pk]))

    assert response.status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_owner_deletes_after_confirmation(owner_client, business):
    customer = CustomerFactory(business=business)

    assert owner_client.get(reverse("web:customer_delete", args=[customer.pk])).status_code == 200
    assert Customer.objects.filter(pk=customer.pk).exists()
    owner_client.post(reverse("web:customer_delete", args=[customer.pk]))
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_a_customer_with_purchases_cannot_be_deleted_only_anonymised(owner_client, business):
    customer = CustomerFactory(business=business, name="Anna Hendriks")
    PurchaseFactory(customer=customer, amount_cents=1250)
    url = reverse("web:customer_delete", args=[customer.pk])

    page = owner_client.get(url)
    refused = owner_client.post(url)

    assert page.status_code == 200
    assert "Anna Hendriks kan niet worden verwijderd</h1>" in page.text
    assert "kan de klant niet worden verwijderd" in page.text
    assert reverse("web:customer_erase", args=[customer.pk]) in page.text
    assert "Ja, verwijderen" not in page.text
    assert refused.status_code == 409
    assert Customer.objects.filter(pk=customer.pk, name="Anna Hendriks").exists()
    assert Purchase.objects.filter(customer=customer).count() == 1


def test_a_member_of_two_businesses_can_switch(owner_client, owner, business, other_business):
    membership_create(business=other_business, user=owner)
    CustomerFactory(business=other_business, name="Klant van de garage")

    owner_client.post(reverse("web:switch_business"), {"business": other_business.pk})
    page = owner_client.get(reverse("web:customer_list")).content.decode()

    assert "Klant van de garage" in page


def test_switching_to_a_business_one_is_not_in_is_refused(owner_client, business, other_business):
    CustomerFactory(business=other_business, name="Klant van de garage")

    owner_client.post(reverse("web:switch_business"), {"business": other_business.pk})
    page = owner_client.get(reverse("web:customer_list")).content.decode()

    assert "Klant van de garage" not in page


def test_language_switches_to_english(owner_client):
    owner_client.post(reverse("set_language"), {"language": "en", "next": "/"})

    page = owner_client.get(reverse("web:customer_list")).content.decode()

    assert "Customers" in page
    assert 'lang="en"' in page


def test_important_dates_are_added_and_removed_on_the_profile(owner_client, business):
    customer = CustomerFactory(business=business)

    response = owner_client.post(
        reverse("web:important_date_add", args=[customer.pk]),
        {"label": "Trouwdag", "date": "2011-06-18", "yearly": "on"},
        headers={"HX-Request": "true"},
    )

    important = customer.important_dates.get()
    assert (important.label, str(important.date), important.yearly) == (
        "Trouwdag",
        "2011-06-18",
        True,
    )
    page = response.content.decode()
    assert "Trouwdag: 18 juni" in page
    # Removing it asks first: one tap under "Called" took the date without a word.
    assert re.search(
        r'<details class="inline-form">\s*<summary class="link" aria-label="Trouwdag verwijderen">'
        r'verwijderen</summary>.*?data-testid="important-date-remove">Ja, “Trouwdag” verwijderen'
        r"</button>",
        page,
        re.S,
    )
    owner_client.post(reverse("web:important_date_delete", args=[customer.pk, important.pk]))
    assert not customer.important_dates.exists()


def test_important_date_needs_a_real_date_and_stores_nothing_otherwise(owner_client, business):
    customer = CustomerFactory(business=business)

    response = owner_client.post(
        reverse("web:important_date_add", args=[customer.pk]),
        {"label": "Trouwdag", "date": "31-02-2011"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert "Voer een geldige datum in." in response.content.decode()
    assert not customer.important_dates.exists()


def test_the_same_important_date_twice_is_refused_on_the_date_and_stores_nothing(
    owner_client, business
):
    customer = CustomerFactory(business=business)
    url = reverse("web:important_date_add", args=[customer.pk])
    data = {"label": "Trouwdag", "date": "2011-06-18", "yearly": "on"}
    owner_client.post(url, data, headers={"HX-Request": "true"})

    response = owner_client.post(url, {**data, "yearly": ""}, headers={"HX-Request": "true"})

    assert response.status_code == 422
    form = response.context["important_date_form"]
    assert form.errors == {"date": ["Deze klant heeft “Trouwdag” al op deze datum."]}
    assert "Deze klant heeft “Trouwdag” al op deze datum." in response.content.decode()
    assert list(customer.important_dates.values_list("label", "date", "yearly")) == [
        ("Trouwdag", date(2011, 6, 18), True)
    ]


def test_another_business_important_date_cannot_be_removed(owner_client, business, other_business):
    from klantvriend.customers.services import important_date_add

    stranger = CustomerFactory(business=other_business)
    important = important_date_add(customer=stranger, label="Geheim", date="2011-06-18")
    own = CustomerFactory(business=business)

    response = owner_client.post(reverse("web:important_date_delete", args=[own.pk, important.pk]))

    assert response.status_code == 404
    assert stranger.important_dates.count() == 1


def test_health_answers_without_login_or_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("web:health"))

    assert (response.status_code, response.content) == (200, b"ok")


def test_search_counts_matches_only_up_to_a_cap(owner_client, business, monkeypatch):
    from klantvriend.web.views import SearchPaginator

    monkeypatch.setattr(SearchPaginator, "cap", 3)
    for index in range(5):
        CustomerFactory(business=business, name=f"Jansen {index}")
    CustomerFactory(business=business, name="Pietersen")

    many = owner_client.get(reverse("web:customer_list"), {"q": "jansen"}).content.decode()
    few = owner_client.get(reverse("web:customer_list"), {"q": "pieter"}).content.decode()

    assert "Meer dan 3 klanten gevonden; typ verder om ze te beperken." in many
    assert many.count(">Jansen ") >= 3
    assert "1 klant" in few


def test_the_profile_opens_with_recent_history_and_shows_all_on_request(owner_client, business):
    customer = CustomerFactory(business=business)
    PurchaseFactory.create_batch(TIMELINE_SHORT + 5, customer=customer)
    url = reverse("web:customer_detail", args=[customer.pk])

    page = owner_client.get(url).content.decode()
    assert page.count('class="timeline-entry') == TIMELINE_SHORT
    assert 'data-testid="timeline-all"' in page

    page = owner_client.get(url, {"timeline": "all"}).content.decode()
    assert page.count('class="timeline-entry') == TIMELINE_SHORT + 5
    assert 'data-testid="timeline-all"' not in page
    assert 'data-testid="timeline-cut"' not in page


def test_the_long_timeline_says_where_it_ends_and_where_the_rest_is(
    owner_client, staff_client, business, monkeypatch
):
    monkeypatch.setattr("klantvriend.web.views.TIMELINE_LONG", TIMELINE_SHORT + 2)
    customer = CustomerFactory(business=business)
    PurchaseFactory.create_batch(TIMELINE_SHORT + 3, customer=customer)
    url = reverse("web:customer_detail", args=[customer.pk])
    export = reverse("web:customer_personal_data", args=[customer.pk])

    page = owner_client.get(url, {"timeline": "all"}).content.decode()
    assert page.count('class="timeline-entry') == TIMELINE_SHORT + 2
    assert f"Alleen de nieuwste {TIMELINE_SHORT + 2} gebeurtenissen staan hier." in page
    assert f'<a href="{export}">' in page

    page = staff_client.get(url, {"timeline": "all"}).content.decode()
    assert f"Alleen de nieuwste {TIMELINE_SHORT + 2} gebeurtenissen staan hier." in page
    assert f'<a href="{export}">' not in page


def test_error_pages_speak_the_users_language_and_lead_back(staff_client, client, db):
    missing = staff_client.get("/customers/999999/")
    owners_only = staff_client.get(reverse("web:privacy_settings"))
    anonymous = client.get("/no-such-page/")

    assert missing.status_code == 404
    assert "Deze pagina bestaat niet" in missing.text
    assert reverse("web:today") in missing.text
    assert owners_only.status_code == 403
    assert "Dit is voor de eigenaar van de zaak" in owners_only.text
    assert anonymous.status_code == 404
    assert reverse("web:login") in anonymous.text


def test_an_address_that_only_saves_opened_as_a_page_says_so_and_leads_on(owner_client, api):
    """After a refused margin the address bar shows the form's own address: reloading it gave
    a blank page (405, no body). The API keeps its bare 405."""
    advice = "http://testserver" + reverse("web:insights_advice")

    refused = owner_client.post(
        reverse("web:insights_margin"), {"margin_percent": "abc"}, headers={"Referer": advice}
    )
    reloaded = owner_client.get(reverse("web:insights_margin"), headers={"Referer": advice})
    elsewhere = owner_client.get(
        reverse("web:insights_margin"), headers={"Referer": "https://example.com/insights/"}
    )
    api_get = api.get("/api/v1/promises/reliability", REQUEST_METHOD="DELETE")

    assert refused.status_code == 422
    # The language switch on the refused page leads back to the page the form was on.
    assert f'name="next" value="{advice}"' in refused.text
    assert reloaded.status_code == 405
    assert reloaded["Allow"] == "POST"
    assert "Dit adres bewaart alleen een formulier" in reloaded.text
    assert reverse("web:today") in reloaded.text
    # Back to the advice page, where the form is; never to another site.
    assert f'href="{reverse("web:insights_advice")}" data-testid="back-to-form-page"' in (
        reloaded.text
    )
    assert 'data-testid="back-to-form-page"' not in elsewhere.text
    assert api_get.status_code == 405
    assert "Dit adres" not in api_get.text


def test_a_server_error_page_stands_on_its_own(client):
    from django.template.loader import render_to_string

    page = render_to_string("500.html")

    assert "Er ging aan onze kant iets mis" in page
    assert reverse("web:today") in page


def test_a_form_sent_after_the_session_ran_out_takes_the_whole_page_to_the_login(client, business):
    customer = CustomerFactory(business=business)
    profile = f"http://testserver/customers/{customer.pk}/"

    answer = client.post(
        f"/customers/{customer.pk}/purchases/",
        {"amount": "12,50"},
        headers={"HX-Request": "true", "HX-Current-URL": profile},
    )
    plain = client.get(f"/customers/{customer.pk}/")

    # htmx would otherwise put the login page inside the profile's form.
    assert answer.status_code == 200
    assert answer["HX-Redirect"] == f"/login/?next=/customers/{customer.pk}/"
    assert answer.content == b""
    assert plain.status_code == 302
    assert plain["Location"] == f"/login/?next=/customers/{customer.pk}/"
    assert Purchase.objects.count() == 0


def test_a_round_amount_written_as_on_a_price_tag_is_recorded(owner_client, business):
    """A Dutch shop writes a round amount as "€ 35,-" on its price tags and receipts."""
    customer = CustomerFactory(business=business)

    response = owner_client.post(
        f"/customers/{customer.pk}/purchases/", {"amount": "€ 35,-", "description": "Boeket"}
    )

    assert response.status_code == 302
    assert list(Purchase.objects.values_list("amount_cents", flat=True)) == [3500]


def _locked(**kwargs):
    raise OperationalError("database is locked")


def test_a_save_refused_while_sqlite_is_busy_says_so_and_stores_nothing(
    owner_client, api, business, monkeypatch
):
    """SQLite refuses a second writer after its busy timeout, while a large import is written."""
    customer = CustomerFactory(business=business)
    monkeypatch.setattr(customer_services, "purchase_create", _locked)

    page = owner_client.post(
        f"/customers/{customer.pk}/purchases/",
        {"amount": "12,50", "description": "Rollade", "at": "2026-11-20T10:00"},
    )
    answer = api.post(
        "/api/v1/purchases",
        {"customer": customer.pk, "amount_cents": 1250, "at": "2026-11-20T10:00:00+01:00"},
        content_type="application/json",
    )

    assert page.status_code == 503
    assert page["Retry-After"] == "60"
    assert "Klantvriend is bezig iets groots op te slaan" in page.text
    assert answer.status_code == 503
    assert answer.json() == {
        "detail": "The database is busy storing something large; nothing was stored. "
        "Try again in a minute."
    }
    assert Purchase.objects.count() == 0


def test_the_profile_shows_the_customer_number_the_shop_gave_not_the_database_id(
    owner_client, business
):
    numbered = CustomerFactory(business=business, name="Anna", external_ref="K-17")
    unnumbered = CustomerFactory(business=business, name="Bram")

    with_number = owner_client.get(reverse("web:customer_detail", args=[numbered.pk])).text
    without = owner_client.get(reverse("web:customer_detail", args=[unnumbered.pk])).text

    assert "klantnummer K-17" in with_number
    assert f"klantnummer {numbered.pk}" not in with_number
    assert "klantnummer" not in without.split("<h1>")[1].split("</p>")[0]


@pytest.mark.parametrize(
    ("street", "postal_code", "city", "shown"),
    [
        ("Julianastraat 46", "7201 YT", "", "Julianastraat 46, 7201 YT"),
        ("Julianastraat 46", "7201 YT", "Zutphen", "Julianastraat 46, 7201 YT Zutphen"),
        ("Julianastraat 46", "", "Zutphen", "Julianastraat 46, Zutphen"),
        ("", "7201 YT", "", "7201 YT"),
        ("", "", "Zutphen", "Zutphen"),
    ],
)
def test_the_profile_writes_the_address_with_its_separators(
    owner_client, business, street, postal_code, city, shown
):
    customer = CustomerFactory(business=business, street=street, postal_code=postal_code, city=city)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    assert f'<li data-testid="address">{shown}</li>' in page


def test_quick_add_of_a_name_already_known_shows_the_customer_instead_of_adding_twice(
    owner_client, business, other_business
):
    known = CustomerFactory(business=business, name="Lieke Groot", phone="06-12345678")
    CustomerFactory(business=other_business, name="Lieke Groot")

    response = owner_client.post(
        reverse("web:customer_quick_add"),
        {"name": "lieke groot", "phone": ""},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert f'<li><a href="/customers/{known.pk}/">Lieke Groot</a> · 06-12345678</li>' in page
    assert page.count("<li><a href=") == 1  # not the other business's Lieke
    assert 'value="lieke groot"' in page
    assert 'name="confirm_new"' in page
    assert Customer.objects.filter(business=business).count() == 1


def test_quick_add_of_a_known_phone_number_under_another_name_shows_its_customer(
    owner_client, business
):
    known = CustomerFactory(business=business, name="Ahmed Bos", phone="06-86871078")
    CustomerFactory(business=business, name="Lieke Groot", phone="06-11112222")

    response = owner_client.post(
        reverse("web:customer_quick_add"),
        {"name": "A. Bos", "phone": "+31 6 8687 1078"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert f'<li><a href="/customers/{known.pk}/">Ahmed Bos</a> · 06-86871078</li>' in page
    assert page.count("<li><a href=") == 1
    assert Customer.objects.filter(business=business).count() == 2


def test_quick_add_of_a_namesake_goes_ahead_once_confirmed(owner_client, business):
    CustomerFactory(business=business, name="Lieke Groot")

    response = owner_client.post(
        reverse("web:customer_quick_add"), {"name": "Lieke Groot", "confirm_new": "on"}
    )

    assert response.status_code == 302
    assert Customer.objects.filter(business=business, name="Lieke Groot").count() == 2


def test_a_namesake_confirmed_keeps_the_tick_when_the_phone_is_refused(owner_client, business):
    # The tick vanished with the phone's message: after fixing the number the shopkeeper was
    # asked again whether this was someone else.
    CustomerFactory(business=business, name="Lieke Groot")

    response = owner_client.post(
        reverse("web:customer_quick_add"),
        {"name": "Lieke Groot", "phone": "abc", "confirm_new": "on"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "Vul een telefoonnummer van minstens 8 cijfers in" in page
    assert '<input type="checkbox" name="confirm_new" id="quick-add-confirm_new" checked>' in page
    assert Customer.objects.filter(business=business).count() == 1


def test_consent_ticked_in_the_shop_is_recorded_as_consent_and_its_basis_kept_on_later_edits(
    owner_client, business
):
    owner_client.post(
        reverse("web:customer_create"),
        {"name": "Anna", "acquisition_channel": "walk_in", "marketing_consent": "on"},
    )
    anna = Customer.objects.get(business=business)
    Customer.objects.filter(pk=anna.pk).update(marketing_consent_basis="soft_opt_in")
    page = owner_client.get(reverse("web:customer_edit", args=[anna.pk]))

    response = owner_client.post(
        reverse("web:customer_edit", args=[anna.pk]),
        {
            "name": "Anna",
            "phone": "0612345678",
            "acquisition_channel": "walk_in",
            "marketing_consent": "on",
            "marketing_consent_basis": page.context["form"]["marketing_consent_basis"].value(),
        },
    )

    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.phone, anna.marketing_consent, anna.marketing_consent_basis) == (
        "0612345678",
        True,
        "soft_opt_in",
    )
    assert list(anna.consent_records.values_list("given", "basis")) == [(True, "consent")]


def test_consent_on_record_without_a_basis_is_refused_on_the_basis_field_and_nothing_is_saved(
    owner_client, business
):
    """Rows the API emptied before the model refused it: the basis field names the problem,
    and choosing a basis or unticking the consent is the way out."""
    anna = CustomerFactory(business=business, name="Anna", marketing_consent=True)
    Customer.objects.filter(pk=anna.pk).update(marketing_consent_basis="")
    before = Customer.objects.filter(pk=anna.pk).values().get()
    form = {"name": "Anna", "phone": "0612345678", "acquisition_channel": "walk_in"}

    refused = owner_client.post(
        reverse("web:customer_edit", args=[anna.pk]),
        {**form, "marketing_consent": "on", "marketing_consent_basis": ""},
    )

    assert refused.status_code == 422
    assert refused.context["form"].errors == {
        "marketing_consent_basis": [
            "Er is geen grondslag vastgelegd voor deze toestemming. Kies de grondslag die je "
            "kunt aantonen, of vink “Mag nieuws en aanbiedingen ontvangen” uit."
        ]
    }
    assert Customer.objects.filter(pk=anna.pk).values().get() == before
    assert not anna.consent_records.exists()
    withdrawn = owner_client.post(reverse("web:customer_edit", args=[anna.pk]), form)
    assert withdrawn.status_code == 302
    anna.refresh_from_db()
    assert (anna.phone, anna.marketing_consent) == ("0612345678", False)


@pytest.mark.parametrize(
    ("language", "hint"),
    [
        ("en", "Only with the customer&#x27;s explicit consent (GDPR art. 9)."),
        ("nl", "Alleen met uitdrukkelijke toestemming van de klant (AVG art. 9)."),
    ],
)
def test_the_customer_form_names_the_privacy_law_as_the_reader_knows_it(
    owner_client, owner, language, hint
):
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:customer_create")).content.decode()

    assert hint in page
    # Followed by a space: the page's random CSRF token may hold the three letters.
    assert ("AVG " in page) == (language == "nl")


def test_the_list_names_the_segment_apart_from_the_stage(owner_client, business):
    # A loyal customer (the RFM segment) who is a regular (the stage) read "vaste klant · vaste
    # klant": two figures with one name.
    from klantvriend.insights.models import Segment, Stage
    from klantvriend.insights.tests.factories import CustomerInsightFactory

    anna = CustomerFactory(business=business, name="Anna")
    CustomerInsightFactory(customer=anna, segment=Segment.REGULAR, stage=Stage.REGULAR)

    page = owner_client.get(reverse("web:customer_list")).content.decode()

    assert (
        '<span class="segment segment-regular">trouw</span> '
        '<span class="subtle">· vaste klant</span>' in page
    )


def test_the_token_page_says_what_a_token_is_for(staff_client):
    # Staff find "API tokens" in their menu: a word a butcher's assistant does not know, on a
    # page that did not say what it is for or that they can leave it alone.
    page = staff_client.get(reverse("web:members")).content.decode()

    assert (
        '<p class="help" data-testid="tokens-what">Met een token kan een ander programma, '
        "zoals een kassasysteem, namens jou met Klantvriend werken. Zonder zo'n programma hoef "
        "je hier niets te doen.</p>"
    ) in page
    assert (
        '<p class="help" data-testid="tokens-staff">Met jouw token zoekt zo\'n programma klanten '
        "op en legt het verkopen, bezoeken en beloften vast. Een kopie van alle klanten is een "
        "export: die maakt alleen het token van een eigenaar.</p>"
    ) in page


def test_an_owner_is_not_told_what_a_staff_token_may_not_do(owner_client):
    page = owner_client.get(reverse("web:members")).content.decode()

    assert 'data-testid="tokens-what"' in page
    assert 'data-testid="tokens-staff"' not in page


@pytest.mark.parametrize(
    ("language", "line"),
    [
        (
            "nl",
            '<p class="help" data-testid="api-docs">Wat zo\'n programma met een token kan, en '
            'hoe: <a href="/api/v1/docs">de documentatie van de API</a>.</p>',
        ),
        (
            "en",
            '<p class="help" data-testid="api-docs">What such a program can do with a token, and '
            'how: <a href="/api/v1/docs">the API\'s documentation</a>.</p>',
        ),
    ],
)
def test_the_token_page_links_to_the_api_s_documentation(owner_client, owner, language, line):
    """Whoever made a token was told to copy it, and not where to read what to do with it."""
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:members")).content.decode()

    assert line in page
    assert Client().get("/api/v1/docs").status_code == 200


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        (
            "nl",
            "3 bezoeken: de dagen met een aankoop of een vastgelegd bezoek, elke dag één keer "
            "(een aankoop en een bezoek op één dag zijn één bezoek). 3 aankopen, samen € 43,49: "
            "het totaal besteed.",
        ),
        (
            "en",
            "3 visits: the days with a purchase or a logged visit, each day once (a purchase and "
            "a visit on one day are one visit). 3 purchases, together €43.49: the total spend.",
        ),
    ],
)
def test_the_profiles_visits_and_spend_open_to_the_days_that_add_up_to_them(
    owner_client, owner, business, language, summary
):
    """ "Visits 3" and "Total spend € 43,49" on the profile were plain figures."""
    from datetime import timedelta

    from django.utils import timezone

    from klantvriend.customers.models import ContactKind

    customer = CustomerFactory(business=business, name="Anna de Vries")
    noon = timezone.now().replace(hour=11, minute=0) - timedelta(days=20)
    for days, cents in [(0, 1000), (0, 2550), (7, 799)]:
        PurchaseFactory(customer=customer, at=noon + timedelta(days=days), amount_cents=cents)
    ContactMomentFactory(customer=customer, kind=ContactKind.VISIT, at=noon + timedelta(days=7))
    ContactMomentFactory(customer=customer, kind=ContactKind.VISIT, at=noon + timedelta(days=9))
    account_language_set(user=owner, language=language)

    profile = owner_client.get(reverse("web:customer_detail", args=[customer.pk]))
    html = profile.content.decode()
    links = dict(
        (testid, (href, text))
        for href, testid, text in re.findall(
            r'href="([^"]+)"[^>]*data-testid="(visit-count|total-spend)">([^<]+)</a>', html
        )
    )
    opened = owner_client.get(links["visit-count"][0])
    visits = opened.context["visits"]
    rows = re.findall(r"<tr>\s*<td class=\"nowrap\">", opened.content.decode())

    assert links["visit-count"][0] == links["total-spend"][0]
    assert int(links["visit-count"][1]) == len(rows) == len(visits.days) == 3
    assert profile.context["briefing"].total_spend_cents == 4349
    assert sum(day.spent_cents for day in visits.days) == 4349
    assert (
        " ".join(
            re.search(r'data-testid="visits-summary">(.*?)</p>', opened.content.decode(), re.S)[
                1
            ].split()
        )
        == summary
    )


def test_opening_the_visits_is_in_the_audit_trail(staff_client, business, staff_user):
    from klantvriend.core.models import AuditEvent

    customer = CustomerFactory(business=business)

    assert staff_client.get(reverse("web:customer_visits", args=[customer.pk])).status_code == 200
    event = AuditEvent.objects.get(customer_id=customer.pk, actor=staff_user)
    assert (event.action, event.changes) == ("viewed", {"via": "visits"})


def _came_on_days(customer, days, *, after=0):
    """One purchase a day on `days` days, the newest `after` days before yesterday, at noon."""
    from datetime import timedelta

    from django.utils import timezone

    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    for day in range(after + 1, after + days + 1):
        PurchaseFactory(customer=customer, at=noon - timedelta(days=day), amount_cents=100)


@pytest.mark.parametrize(
    ("asked", "number", "days"),
    [("2", 2, 10), ("99", 2, 10), ("0", 2, 10), ("-3", 2, 10), ("x", 1, 50), ("", 1, 50)],
)
def test_a_page_of_visits_past_the_end_or_no_number_shows_a_page_as_every_list_does(
    owner_client, business, asked, number, days
):
    """Page 99 of two showed no days under a pager saying "page 2 of 2": as on every other
    list, a page past the end (or before the start) is the last one, and no number the first."""
    customer = CustomerFactory(business=business)
    _came_on_days(customer, 60)

    response = owner_client.get(reverse("web:customer_visits", args=[customer.pk]), {"page": asked})

    page = response.context["page"]
    html = response.content.decode()
    assert (page.number, page.paginator.num_pages) == (number, 2)
    assert len(re.findall(r'<tr>\s*<td class="nowrap">', html)) == days
    assert len(response.context["visits"].days) == days
    assert f"Pagina {number} van 2" in html


def test_the_visits_page_costs_the_same_queries_however_long_the_history(
    owner_client, business, django_assert_max_num_queries
):
    customer = CustomerFactory(business=business)
    _came_on_days(customer, 60)
    url = reverse("web:customer_visits", args=[customer.pk])
    with django_assert_max_num_queries(30) as few:
        owner_client.get(url, {"page": "99"})
    _came_on_days(customer, 100, after=60)
    _came_on_days(CustomerFactory(business=business), 10)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_client.get(url, {"page": "99"})

    assert (response.context["page"].number, len(response.context["visits"].days)) == (4, 10)


def test_the_briefing_says_what_was_done_and_noted_last_time(staff_client, business, staff_user):
    """A salon's staff read what was done last time before the customer sits down; it was in
    the timeline, three screens down on a phone."""
    eva = CustomerFactory(business=business, name="Eva de Wit")
    PurchaseFactory(
        customer=eva,
        amount_cents=8950,
        description="Knippen + uitgroei kleuren",
        at=datetime(2026, 10, 14, 11, 0, tzinfo=AMSTERDAM),
    )
    customer_services.contact_moment_create(
        customer=eva,
        kind="visit",
        summary="Kleur 7.43, volgende keer iets korter",
        at=datetime(2026, 10, 14, 11, 30, tzinfo=AMSTERDAM),
        member=staff_user,
    )
    bare = CustomerFactory(business=business, name="Nieuw")
    # A visit noted long before the last purchase is no "last time".
    april = CustomerFactory(business=business, name="April")
    customer_services.contact_moment_create(
        customer=april,
        kind="visit",
        summary="Over de vakantie gesproken",
        at=datetime(2026, 4, 30, 10, 0, tzinfo=AMSTERDAM),
    )
    PurchaseFactory(customer=april, at=datetime(2026, 12, 1, 10, 0, tzinfo=AMSTERDAM))

    page = staff_client.get(reverse("web:customer_detail", args=[eva.pk])).content.decode()
    empty = staff_client.get(reverse("web:customer_detail", args=[bare.pk])).content.decode()

    listed = page.split('data-testid="last-time">', 1)[1].split("</ul>", 1)[0]
    assert [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in listed.split("</li>")][
        :2
    ] == [
        "14 okt 2026: Knippen + uitgroei kleuren · € 89,50",
        f"14 okt 2026 · {staff_user.first_name}: Kleur 7.43, volgende keer iets korter",
    ]
    assert 'data-testid="last-time"' not in empty
    april_page = staff_client.get(reverse("web:customer_detail", args=[april.pk])).content
    assert (
        "Over de vakantie gesproken"
        not in april_page.decode().split('data-testid="last-time"')[1].split("</ul>")[0]
    )


def test_a_note_that_reads_as_health_information_is_asked_about_first(staff_client, business):
    """A salon's staff, refused a dye allergy in "Health, diet and allergies" without consent,
    typed it in the personal notes, where it was kept without a word."""
    url = reverse("web:customer_create")
    data = {
        "name": "Eva de Wit",
        "notes": "Allergisch voor PPD, zwanger (14 weken) dus geen kleuring",
        "customer_since": "2026-11-01",
        "acquisition_channel": "walk_in",
    }

    refused = staff_client.post(url, data)
    saved = staff_client.post(url, {**data, "confirm_not_health": "on"})

    assert refused.status_code == 422
    assert (
        "“allergisch”, “zwanger” leest als gezondheidsinformatie, die alleen met uitdrukkelijke "
        "toestemming van de klant bewaard mag worden, onder “Gezondheid, dieet en allergieën”. "
        "Zet het daar, of vink “Het gaat niet over hun gezondheid: opslaan” aan als het niet "
        "over hun gezondheid gaat."
    ) in refused.content.decode()
    assert saved.status_code == 302
    eva = Customer.objects.get(business=business, name="Eva de Wit")
    assert eva.notes.startswith("Allergisch voor PPD")
    # A later edit of another field does not ask again about the note kept.
    edit = reverse("web:customer_edit", args=[eva.pk])
    form = staff_client.get(edit).context["form"]
    again = staff_client.post(
        edit,
        {
            **{name: value for name, value in form.initial.items() if value is not None},
            **{
                f"initial-{name}": value
                for name, value in form.initial.items()
                if value is not None
            },
            "phone": "0612345678",
            "tags": "",
        },
    )
    assert again.status_code == 302
