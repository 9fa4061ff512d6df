"""Which language the screens speak: a signed-in person's own choice, else the language of the
business they work in; a visitor nobody knows yet gets the language switch's cookie, else the
only business's, else their browser's language, else Dutch; API clients and the public survey
page get the language of the device that asks."""

import json
from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klantvriend.core.accounts import account_language_set
from klantvriend.core.models import Profile
from klantvriend.core.services import business_create, user_create
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.surveys.services import survey_invitation_create


def _english_business(business):
    business.language = "en"
    business.save(update_fields=["language"])


def test_a_person_who_never_chose_reads_the_language_of_the_business(owner_client, business):
    _english_business(business)
    CustomerFactory(business=business, name="Ria Mol", customer_since=date(2025, 3, 28))

    response = owner_client.get(reverse("web:customer_list"))

    page = response.content.decode()
    assert '<html lang="en">' in page
    assert ">Customers</a>" in page
    assert "28\xa0Mar\xa02025" in page  # the dates as English writes them, too (on one line)
    assert response["Content-Language"] == "en"


def test_a_person_s_own_choice_wins_over_the_language_of_the_business(
    owner_client, owner, business
):
    _english_business(business)
    account_language_set(user=owner, language="nl")
    CustomerFactory(business=business, name="Ria Mol", customer_since=date(2025, 3, 28))

    response = owner_client.get(reverse("web:customer_list"))

    page = response.content.decode()
    assert '<html lang="nl">' in page
    assert ">Klanten</a>" in page
    assert "28\xa0mrt\xa02025" in page
    assert response["Content-Language"] == "nl"


def test_the_language_a_device_chose_does_not_pass_to_the_next_person_on_it(owner, business):
    tablet = Client()
    tablet.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert tablet.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    tablet.force_login(owner)
    page = tablet.get(reverse("web:customer_list")).content.decode()

    assert '<html lang="nl">' in page
    assert ">Klanten</a>" in page


def test_a_person_who_never_chose_reads_the_language_of_the_business_they_switch_to(
    owner_client, owner, business
):
    garage = business_create(name="Garage Elders", owner=owner, language="en")

    owner_client.post(reverse("web:switch_business"), {"business": business.pk})
    before = owner_client.get(reverse("web:today")).content.decode()
    owner_client.post(reverse("web:switch_business"), {"business": garage.pk})
    after = owner_client.get(reverse("web:today")).content.decode()

    assert '<html lang="nl">' in before
    assert '<html lang="en">' in after


def test_the_switch_stores_a_signed_in_person_s_choice_for_every_device(owner_client, owner):
    response = owner_client.post(
        reverse("set_language"), {"language": "en", "next": "/customers/?q=anna"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/customers/?q=anna"
    assert Profile.objects.get(user=owner).language == "en"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies  # the device keeps no trace
    phone = Client()
    phone.force_login(owner)
    page = phone.get(reverse("web:today")).content.decode()
    assert '<html lang="en">' in page
    assert ">Customers</a>" in page


def test_the_switch_refuses_a_language_klantvriend_does_not_speak(owner_client, owner):
    account_language_set(user=owner, language="en")

    response = owner_client.post(
        reverse("set_language"), {"language": "fr", "next": "/customers/"}, follow=True
    )

    assert Profile.objects.get(user=owner).language == "en"
    assert (
        "Klantvriend does not speak “fr”: choose the language of the business or one of the "
        "languages in the list."
    ) in response.content.decode()


def test_the_switch_goes_back_only_to_a_page_of_this_site(owner_client, owner):
    response = owner_client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("web:today")
    assert Profile.objects.get(user=owner).language == "en"


def _login_page(visitor: Client) -> tuple[str, str]:
    """The log-in page's language and the words of it that the testers read in Dutch."""
    response = visitor.get(reverse("web:login"))
    page = response.content.decode()
    for english, dutch in [
        ("Know your customers. Keep your promises.", "Ken je klanten. Kom je beloften na."),
        (">Log in</button>", ">Inloggen</button>"),
    ]:
        assert (english in page) != (dutch in page)
    assert f'<html lang="{response["Content-Language"]}">' in page
    return response["Content-Language"], page


def test_a_visitor_s_choice_with_the_switch_wins_over_their_browser_and_the_shop(owner):
    business_create(name="Bike Shop", owner=owner, language="en")
    visitor = Client(headers={"Accept-Language": "en-GB,en;q=0.9"})

    switched = visitor.post(reverse("set_language"), {"language": "nl", "next": "/login/"})
    after_dutch = _login_page(visitor)[0]
    visitor.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    after_english = _login_page(visitor)[0]

    assert switched["Location"] == "/login/"
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    assert (after_dutch, after_english) == ("nl", "en")
    assert not Profile.objects.exists()  # a visitor's choice stays on their device


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [
        ("en-GB,en;q=0.9", "en"),
        ("en-US", "en"),
        ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
        ("de-DE,de;q=0.9,en;q=0.5", "en"),  # the first of Klantvriend's languages
    ],
)
def test_a_visitor_of_an_installation_of_several_shops_reads_their_browser_s_language(
    owner, accept_language, language
):
    business_create(name="Zaak", owner=owner, language="nl")
    business_create(name="Bike Shop", owner=owner, language="en")
    visitor = Client(headers={"Accept-Language": accept_language})

    assert _login_page(visitor)[0] == language
    reset = visitor.get(reverse("web:password_reset"))
    assert reset["Content-Language"] == language


@pytest.mark.parametrize(
    ("shop", "accept_language"),
    [
        ("en", None),
        ("en", "de-DE,de;q=0.9"),
        ("en", "nl-NL,nl;q=0.9"),
        # A Dutch shop's counter tablet with an English browser: the shop's Dutch.
        ("nl", "en-GB,en;q=0.9"),
    ],
)
def test_a_visitor_of_a_shop_s_own_installation_reads_the_shop_s_language(
    owner, shop, accept_language
):
    """An English bike shop's staff saw "Ken je klanten. Kom je beloften na.", "Gebruikersnaam"
    and "Inloggen" until someone found the switch."""
    business_create(name="Zaak", owner=owner, language=shop)
    visitor = Client(headers={"Accept-Language": accept_language} if accept_language else {})

    language, page = _login_page(visitor)

    assert language == shop
    if shop == "en":
        assert "Know your customers. Keep your promises." in page
        assert 'for="id_username">Username <span class="required"' in page
    assert visitor.get(reverse("web:password_reset"))["Content-Language"] == shop


@pytest.mark.parametrize("shops", [[], ["en", "en"], ["en", "nl"]])
def test_a_visitor_of_an_installation_without_one_shop_reads_dutch(owner, shops):
    for number, shop in enumerate(shops):
        business_create(name=f"Zaak {number}", owner=owner, language=shop)
    visitor = Client(headers={"Accept-Language": "de-DE,de;q=0.9"})

    language, page = _login_page(visitor)

    assert language == "nl"
    assert "Ken je klanten. Kom je beloften na." in page
    assert 'for="id_username">Gebruikersnaam <span class="required"' in page


def test_a_person_in_no_business_reads_their_own_choice(db):
    loner = user_create(username="ria", password="pw-ria-12345")
    account_language_set(user=loner, language="en")
    client = Client()
    client.force_login(loner)

    page = client.get(reverse("web:today")).content.decode()

    assert '<html lang="en">' in page
    assert "You are not a member of any business yet" in page


def test_the_api_answers_in_the_language_its_client_asks_for(owner, api, business):
    account_language_set(user=owner, language="nl")  # the token's person reads Dutch

    response = api.post(
        "/api/v1/customers",
        data=json.dumps({"name": "Anna", "email": "x@"}),
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Enter a valid email address."
    assert response["Content-Language"] == "en"
    assert Customer.objects.count() == 0


def test_the_survey_page_speaks_the_language_of_the_phone_even_to_a_signed_in_person(
    owner_client, owner, business
):
    account_language_set(user=owner, language="nl")
    customer = CustomerFactory(business=business, name="Anna de Vries")
    link = survey_invitation_create(business=business, customer=customer, channel="counter").path

    page = owner_client.get(link, headers={"Accept-Language": "en"}).content.decode()

    assert '<html lang="en">' in page
    assert "How likely are you to recommend us" in page


def test_the_account_page_offers_the_language_of_the_business_first(owner_client, business):
    _english_business(business)

    page = owner_client.get(reverse("web:account")).content.decode()

    assert '<option value="" selected>Business language (English)</option>' in page
    assert '<option value="nl">Nederlands</option>' in page
    assert '<option value="en">English</option>' in page


@pytest.mark.parametrize(
    ("chosen", "language", "notice"),
    [
        ("en", "en", "Klantvriend speaks this language to you from now on."),
        ("", "nl", "Klantvriend spreekt je vanaf nu in deze taal aan."),
    ],
)
def test_the_account_page_stores_the_choice_and_says_so_in_it(
    owner_client, owner, chosen, language, notice
):
    account_language_set(user=owner, language="en" if chosen == "" else "nl")

    response = owner_client.post(
        reverse("web:account"), {"action": "language", "language": chosen}, follow=True
    )

    page = response.content.decode()
    assert Profile.objects.get(user=owner).language == chosen
    assert f'<html lang="{language}">' in page
    assert notice in page
    assert f'<option value="{chosen}" selected>' in page


def test_the_account_page_refuses_a_language_it_does_not_offer(owner_client, owner):
    account_language_set(user=owner, language="nl")

    response = owner_client.post(reverse("web:account"), {"action": "language", "language": "fr"})

    assert response.status_code == 422
    assert (
        "Klantvriend spreekt geen “fr”: kies de taal van de zaak of een van de talen in de lijst."
    ) in response.content.decode()
    assert Profile.objects.get(user=owner).language == "nl"


def test_the_person_s_language_is_read_with_the_memberships_not_on_its_own(owner_client, owner):
    with CaptureQueriesContext(connection) as before:
        owner_client.get(reverse("web:account"))
    account_language_set(user=owner, language="en")

    with CaptureQueriesContext(connection) as after:
        page = owner_client.get(reverse("web:account")).content.decode()

    assert '<html lang="en">' in page
    assert len(after) == len(before)
    profile = Profile._meta.db_table
    assert not [q["sql"] for q in after if f'FROM "{profile}"' in q["sql"]]


def _log_in_after_choosing(language: str) -> tuple[Client, str]:
    """Logs in as sanne on a device whose log-in page was switched to `language`; the first
    page after it."""
    device = Client()
    device.post(reverse("set_language"), {"language": language, "next": "/login/"})
    landed = device.post(
        reverse("web:login"), {"username": "sanne", "password": "pw-sanne-123"}, follow=True
    )
    return device, landed.content.decode()


def test_the_language_chosen_on_the_log_in_page_is_offered_after_logging_in(owner, business):
    """A stylist switched the log-in page to English, logged in, and read Today in Dutch: her
    account had no language of its own, and the shop's is Dutch."""
    device, first = _log_in_after_choosing("en")

    assert '<html lang="nl">' in first
    offer = first[first.index('data-testid="language-offer"') :]
    assert "You chose English on the log-in page." in offer
    assert '<button type="submit" name="language" value="en"' in offer
    assert "Read Klantvriend in English</button>" in offer
    # Offered once; taken, it is hers on every device.
    assert 'data-testid="language-offer"' not in device.get(reverse("web:today")).content.decode()
    device.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert Profile.objects.get(user=owner).language == "en"


@pytest.mark.parametrize("own", ["nl", "en"])
def test_no_language_is_offered_to_whoever_reads_it_or_chose_their_own(owner, business, own):
    """A language of one's own stays (on a shared tablet the switch may have been a
    colleague's), and the shop's own language needs no offer."""
    if own == "en":
        account_language_set(user=owner, language="nl")

    _device, first = _log_in_after_choosing("nl" if own == "nl" else "en")

    assert 'data-testid="language-offer"' not in first
