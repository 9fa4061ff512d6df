"""Recording a privacy request from the profile, and the open ones with their days left on the
requests page and on Today: owners only, the business's own, refusals that store nothing, a
constant number of queries."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from klantvriend.core.models import AuditEvent, Business
from klantvriend.customers.models import LegalBasis, PrivacyRequest, PrivacyRequestAnswer
from klantvriend.customers.privacy_requests import privacy_request_record
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.privacy import customer_erase
from klantvriend.web.templatetags.klantvriend import moment

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(Business, "today", lambda self: TODAY)


def _request(customer, owner, kind, received_on, note=""):
    return privacy_request_record(
        customer=customer,
        actor=owner,
        kind=kind,
        received_on=received_on,
        channel="phone",
        note=note,
    )


def test_the_profile_offers_the_form_to_owners_and_staff(owner_client, staff_client, business):
    # A request made at the counter starts the law's month that day, owner there or not.
    anna = CustomerFactory(business=business)
    form_url = reverse("web:privacy_request_create", args=[anna.pk])

    for client in (owner_client, staff_client):
        page = client.get(reverse("web:customer_detail", args=[anna.pk])).content.decode()
        assert form_url in page


def test_the_owner_records_a_request_and_it_is_open_with_its_due_day(
    owner_client, business, owner, fixed_today
):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    url = reverse("web:privacy_request_create", args=[anna.pk])

    shown = owner_client.get(url)
    response = owner_client.post(
        url,
        {"kind": "correction", "received_on": "2026-11-30", "channel": "phone", "note": "belde"},
        follow=True,
    )

    assert shown.status_code == 200
    assert shown.context["form"]["received_on"].value() == TODAY
    assert response.redirect_chain == [(reverse("web:privacy_requests"), 302)]
    request = PrivacyRequest.objects.get()
    assert (
        request.customer_id,
        request.kind,
        request.received_on,
        request.channel,
        request.note,
    ) == (
        anna.pk,
        "correction",
        date(2026, 11, 30),
        "phone",
        "belde",
    )
    page = response.content.decode()
    assert "Verzoek vastgelegd: beantwoord het uiterlijk 30\xa0dec\xa02026." in page
    assert "nog 29 dagen" in page


@pytest.mark.parametrize(
    ("posted", "field"),
    [
        ({"received_on": "2026-12-02"}, "received_on"),
        ({"received_on": "31-02-2026"}, "received_on"),
        ({"kind": "complaint"}, "kind"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_refused_input_records_nothing_and_says_why(
    owner_client, business, fixed_today, posted, field
):
    anna = CustomerFactory(business=business)
    events = AuditEvent.objects.count()
    values = {"kind": "access", "received_on": "2026-11-30", "channel": "counter", "note": ""}

    response = owner_client.post(
        reverse("web:privacy_request_create", args=[anna.pk]), values | posted
    )

    assert response.status_code == 422
    assert list(response.context["form"].errors) == [field]
    assert PrivacyRequest.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_request_without_its_kind_or_day_says_which_is_missing_in_words(
    owner_client, business, fixed_today
):
    # Django's own "Dit veld is verplicht." said nothing of what to choose.
    anna = CustomerFactory(business=business)

    response = owner_client.post(
        reverse("web:privacy_request_create", args=[anna.pk]),
        {"received_on": "", "channel": "counter", "note": ""},
    )

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert (errors["kind"], errors["received_on"]) == (
        ["Kies wat de klant vraagt."],
        ["Vul de dag in waarop het verzoek binnenkwam."],
    )
    assert PrivacyRequest.objects.count() == 0


def test_a_future_day_is_refused_in_dutch(owner_client, business, fixed_today):
    anna = CustomerFactory(business=business)

    response = owner_client.post(
        reverse("web:privacy_request_create", args=[anna.pk]),
        {"kind": "access", "received_on": "2026-12-02", "channel": "counter"},
    )

    assert "Het verzoek kan niet na vandaag zijn binnengekomen." in response.content.decode()


def test_a_day_in_the_year_one_is_refused_at_its_field_and_stores_nothing(
    owner_client, business, fixed_today
):
    anna = CustomerFactory(business=business)

    response = owner_client.post(
        reverse("web:privacy_request_create", args=[anna.pk]),
        {"kind": "access", "received_on": "0001-11-30", "channel": "counter"},
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {
        "received_on": ["Kijk het jaar na: deze dag ligt voor 1900."]
    }
    assert PrivacyRequest.objects.count() == 0


def test_a_request_thousands_of_days_late_groups_its_days(
    owner_client, business, owner, fixed_today
):
    # "46327 dagen te laat", where every other count on the pages is grouped.
    _request(CustomerFactory(business=business), owner, "other", date(2022, 12, 1))

    page = owner_client.get(reverse("web:privacy_requests")).content.decode()

    # Due 1 January 2023 (a month after it came in), 1,430 days before 1 December 2026.
    assert '<strong class="late-text" data-testid="deadline">1.430 dagen te laat</strong>' in page


def test_the_requests_page_lists_the_open_ones_soonest_due_first_with_their_days(
    owner_client, business, owner, fixed_today
):
    late = _request(
        CustomerFactory(business=business, name="Cor Smit"), owner, "erasure", date(2026, 10, 28)
    )
    last_day = _request(
        CustomerFactory(business=business, name="Dina Bos"), owner, "access", date(2026, 11, 1)
    )
    twelve = _request(
        CustomerFactory(business=business, name="Eva Kok"), owner, "other", date(2026, 11, 13)
    )

    response = owner_client.get(reverse("web:privacy_requests"))
    page = response.content.decode()

    assert [
        (row.request.pk, row.deadline.due, row.deadline.days_left)
        for row in response.context["open_requests"].items
    ] == [
        (late.pk, date(2026, 11, 28), -3),
        (last_day.pk, date(2026, 12, 1), 0),
        (twelve.pk, date(2026, 12, 13), 12),
    ]
    assert '<strong class="late-text" data-testid="deadline">3 dagen te laat</strong>' in page
    assert '<strong data-testid="deadline">vandaag de laatste dag</strong>' in page
    assert '<span data-testid="deadline">nog 12 dagen</span>' in page
    assert page.index("Cor Smit") < page.index("Dina Bos") < page.index("Eva Kok")
    assert page.index("Nog te beantwoorden") < page.index("Afgehandelde privacyverzoeken")


def test_the_requests_page_says_the_days_in_english_too(owner_client, owner, business, fixed_today):
    from klantvriend.core.accounts import account_language_set

    account_language_set(user=owner, language="en")
    _request(CustomerFactory(business=business), owner, "erasure", date(2026, 10, 28))
    _request(CustomerFactory(business=business), owner, "access", date(2026, 11, 1))
    _request(CustomerFactory(business=business), owner, "other", date(2026, 11, 13))

    page = owner_client.get(reverse("web:privacy_requests")).content.decode()

    assert "3 days late" in page
    assert "today is the last day" in page
    assert "12 days left" in page


def test_the_profile_shows_the_owner_the_customers_open_requests_with_their_days(
    owner_client, staff_client, business, owner, fixed_today
):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    copy = _request(anna, owner, "access", date(2026, 11, 1))
    correction = _request(anna, owner, "correction", date(2026, 11, 13))
    handled = _request(anna, owner, "other", date(2026, 11, 20))
    owner_client.post(reverse("web:privacy_request_handle", args=[handled.pk]), {"note": "gedaan"})
    _request(CustomerFactory(business=business, name="Bram"), owner, "erasure", date(2026, 11, 2))
    url = reverse("web:customer_detail", args=[anna.pk])

    response = owner_client.get(url)
    page = response.content.decode()
    staff_response = staff_client.get(url)

    assert [
        (row.request.pk, row.deadline.due, row.deadline.days_left)
        for row in response.context["open_privacy_requests"]
    ] == [(copy.pk, date(2026, 12, 1), 0), (correction.pk, date(2026, 12, 13), 12)]
    section = page[page.index('data-testid="profile-privacy-requests"') :]
    section = " ".join(section[: section.index("</section>")].split())
    detail = reverse("web:customer_personal_data", args=[anna.pk])
    assert (
        f'<li data-testid="profile-privacy-request-{copy.pk}">Kopie van de eigen gegevens (artikel 15)'
        ' · <span class="nowrap">ontvangen 1 nov 2026</span> · '
        '<span class="nowrap">uiterlijk di 1 dec</span> · '
        '<strong data-testid="deadline">vandaag de laatste dag</strong> · '
        f'<a href="{detail}#access-given">Kopie geven</a></li>'
    ) in section
    assert (
        f'<li data-testid="profile-privacy-request-{correction.pk}">Correctie (artikel 16)'
        ' · <span class="nowrap">ontvangen 13 nov 2026</span> · '
        '<span class="nowrap">uiterlijk zo 13 dec</span> · '
        '<span data-testid="deadline">nog 12 dagen</span> </li>'
    ) in section
    assert "Handel ze af op de pagina Privacyverzoeken" in section
    assert "Bram" not in section
    assert staff_response.context["open_privacy_requests"] == []
    assert 'data-testid="profile-privacy-requests"' not in staff_response.content.decode()


def test_a_request_handled_by_hand_moves_to_the_handled_ones(owner_client, business, owner):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    request = _request(anna, owner, "correction", business.today() - timedelta(days=4))

    response = owner_client.post(
        reverse("web:privacy_request_handle", args=[request.pk]),
        {"note": "Adres verbeterd"},
        follow=True,
    )

    request.refresh_from_db()
    assert (request.handled_how, request.handled_note) == (
        PrivacyRequestAnswer.BY_HAND,
        "Adres verbeterd",
    )
    assert response.context["open_requests"].total == 0
    rows = [(handled.days, kind) for _event, handled, kind in response.context["rows"]]
    assert rows == [(4, "correctie (artikel 16) · als afgehandeld gemarkeerd")]


@pytest.mark.parametrize(
    ("note", "said"),
    [
        ("x" * 2001, "Zorg dat deze waarde niet meer dan 2000 tekens bevat (het zijn er nu 2001)."),
        ("bel\x00de", "Null-tekens zijn niet toegestaan."),
    ],
)
def test_a_refused_note_on_the_page_says_what_is_wrong_and_handles_nothing(
    owner_client, business, owner, note, said
):
    request = _request(CustomerFactory(business=business), owner, "other", business.today())
    events = AuditEvent.objects.count()

    response = owner_client.post(
        reverse("web:privacy_request_handle", args=[request.pk]), {"note": note}, follow=True
    )

    assert [str(message) for message in response.context["messages"]] == [said]
    request.refresh_from_db()
    assert (request.handled_at, request.handled_how) == (None, "")
    assert AuditEvent.objects.count() == events


def test_an_objection_recorded_withdraws_the_marketing_consent_at_once(
    owner_client, business, owner, fixed_today
):
    """No news, offer or survey e-mail may go out while the objection waits on a page."""
    anna = CustomerFactory(
        business=business, marketing_consent=True, marketing_consent_basis=LegalBasis.CONSENT
    )

    response = owner_client.post(
        reverse("web:privacy_request_create", args=[anna.pk]),
        {"kind": "objection", "received_on": "2026-11-28", "channel": "phone", "note": ""},
        follow=True,
    )

    anna.refresh_from_db()
    request = PrivacyRequest.objects.get()
    assert (anna.marketing_consent, request.handled_how, request.handled_by) == (
        False,
        PrivacyRequestAnswer.CONSENT_WITHDRAWN,
        owner,
    )
    page = response.content.decode()
    assert (
        "Bezwaar vastgelegd: de toestemming voor nieuws en aanbiedingen is ingetrokken; deze "
        "klant krijgt geen nieuws, aanbiedingen of enquêtes per e-mail meer."
    ) in page
    # Answered, not waiting: not among the open requests.
    assert 'data-testid="open-privacy-requests"' not in page


def test_the_copy_given_on_the_personal_data_page_takes_the_open_request_day(
    owner_client, business, owner
):
    anna = CustomerFactory(business=business)
    received = business.today() - timedelta(days=6)
    request = _request(anna, owner, "access", received)
    url = reverse("web:customer_personal_data", args=[anna.pk])

    shown = owner_client.get(url)
    owner_client.post(url, {"requested_on": received.isoformat()})

    assert shown.context["handed_over"]["requested_on"].value() == received
    assert 'data-testid="open-access-request"' in shown.content.decode()
    request.refresh_from_db()
    assert request.handled_how == PrivacyRequestAnswer.COPY_GIVEN


def test_an_erasure_keeps_the_days_of_the_copy_given_before_in_the_register(
    owner_client, business, owner
):
    # The register of requests answered read "copy of their data | (empty) | (empty)" once
    # the customer was anonymised: the erasure blanked the day received with their words.
    anna = CustomerFactory(business=business, name="Anna de Vries")
    received = business.today() - timedelta(days=6)
    _request(anna, owner, "access", received, note="Belde over haar gegevens")
    owner_client.post(
        reverse("web:customer_personal_data", args=[anna.pk]),
        {"requested_on": received.isoformat()},
    )
    before = owner_client.get(reverse("web:privacy_requests")).context["rows"]

    customer_erase(customer=anna, actor=owner)
    after = owner_client.get(reverse("web:privacy_requests")).context["rows"]

    copies = [
        (handled.received, handled.days)
        for event, handled, _kind in after
        if event.changes.get("format") == "handed_over"
    ]
    assert copies == [(handled.received, handled.days) for _event, handled, _kind in before]
    assert copies == [(received, 6)]
    assert not AuditEvent.objects.filter(changes__icontains="Anna").exists()


def test_the_erase_page_takes_the_open_erasure_request_day(owner_client, business, owner):
    anna = CustomerFactory(business=business)
    received = business.today() - timedelta(days=9)
    _request(anna, owner, "erasure", received)

    shown = owner_client.get(reverse("web:customer_erase", args=[anna.pk]))

    assert shown.context["form"]["requested_on"].value() == received
    assert 'data-testid="open-erasure-request"' in shown.content.decode()


def test_today_names_the_open_requests_to_owners_soonest_first(
    owner_client, staff_client, business, owner
):
    today = business.today()
    _request(CustomerFactory(business=business, name="Later Klant"), owner, "access", today)
    _request(
        CustomerFactory(business=business, name="Eerder Klant"),
        owner,
        "erasure",
        today - timedelta(days=20),
    )

    owner_page = owner_client.get(reverse("web:today")).content.decode()
    staff_page = staff_client.get(reverse("web:today")).content.decode()

    assert 'data-testid="today-privacy-requests"' in owner_page
    assert "Privacyverzoeken te beantwoorden" in owner_page
    assert owner_page.index("Eerder Klant") < owner_page.index("Later Klant")
    assert 'data-testid="today-privacy-requests"' not in staff_page
    assert "Later Klant" not in staff_page


def test_today_shows_no_privacy_section_without_open_requests(owner_client, business, owner):
    request = _request(CustomerFactory(business=business), owner, "other", business.today())
    owner_client.post(reverse("web:privacy_request_handle", args=[request.pk]), {"note": ""})

    page = owner_client.get(reverse("web:today")).content.decode()

    assert 'data-testid="today-privacy-requests"' not in page


def test_staff_record_a_request_but_neither_list_nor_handle_them(
    staff_client, staff_user, business, owner, fixed_today
):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    request = _request(anna, owner, "other", business.today())

    form = staff_client.get(reverse("web:privacy_request_create", args=[anna.pk]))
    posted = staff_client.post(
        reverse("web:privacy_request_create", args=[anna.pk]),
        {"kind": "access", "received_on": business.today().isoformat(), "channel": "counter"},
        follow=True,
    )
    listed = staff_client.get(reverse("web:privacy_requests"))
    handled = staff_client.post(reverse("web:privacy_request_handle", args=[request.pk]))

    assert "Een eigenaar beantwoordt het, en ziet het tot dan op Vandaag." in form.content.decode()
    assert posted.redirect_chain == [(reverse("web:customer_detail", args=[anna.pk]), 302)]
    assert "Verzoek vastgelegd: een eigenaar beantwoordt het uiterlijk " in posted.content.decode()
    recorded = PrivacyRequest.objects.get(kind="access")
    assert (recorded.customer, recorded.recorded_by, recorded.handled_at) == (
        anna,
        staff_user,
        None,
    )
    assert (listed.status_code, handled.status_code) == (403, 403)
    assert PrivacyRequest.objects.count() == 2
    request.refresh_from_db()
    assert request.handled_at is None


def test_another_business_requests_are_never_shown_nor_handled(
    owner_client, business, owner, other_business, other_owner
):
    stranger = CustomerFactory(business=other_business, name="Vreemde Klant")
    theirs = _request(stranger, other_owner, "access", other_business.today())

    requests_page = owner_client.get(reverse("web:privacy_requests")).content.decode()
    today_page = owner_client.get(reverse("web:today")).content.decode()
    handled = owner_client.post(reverse("web:privacy_request_handle", args=[theirs.pk]))
    form = owner_client.get(reverse("web:privacy_request_create", args=[stranger.pk]))

    assert "Vreemde Klant" not in requests_page
    assert "Vreemde Klant" not in today_page
    assert (handled.status_code, form.status_code) == (404, 404)
    theirs.refresh_from_db()
    assert theirs.handled_at is None


def test_the_pages_cost_the_same_queries_for_more_open_requests(
    owner_client, business, owner, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            _request(CustomerFactory(business=business), owner, "access", business.today())

    add(1)
    with django_assert_max_num_queries(40) as requests_few:
        owner_client.get(reverse("web:privacy_requests"))
    with django_assert_max_num_queries(80) as today_few:
        owner_client.get(reverse("web:today"))
    add(12)
    with django_assert_max_num_queries(len(requests_few.captured_queries)):
        requests_page = owner_client.get(reverse("web:privacy_requests"))
    with django_assert_max_num_queries(len(today_few.captured_queries)):
        today_page = owner_client.get(reverse("web:today"))

    assert requests_page.context["open_requests"].total == 13
    assert len(requests_page.context["open_requests"].items) == 13
    assert today_page.context["privacy_requests"].total == 13
    assert len(today_page.context["privacy_requests"].items) == 3


def test_every_refusal_of_one_submission_is_shown_at_once(owner_client, business, fixed_today):
    anna = CustomerFactory(business=business)

    response = owner_client.post(
        reverse("web:privacy_request_create", args=[anna.pk]),
        {"received_on": "2026-12-25", "channel": "counter"},
    )

    assert response.status_code == 422
    assert sorted(response.context["form"].errors) == ["kind", "received_on"]
    assert response.context["form"].errors["received_on"] == [
        "Het verzoek kan niet na vandaag zijn binnengekomen."
    ]
    assert PrivacyRequest.objects.count() == 0


def test_the_personal_data_page_says_when_a_copy_was_given_and_by_whom(
    owner_client, business, owner
):
    # The form stayed as it was after "Record: copy given", which invited recording it twice.
    anna = CustomerFactory(business=business)
    url = reverse("web:customer_personal_data", args=[anna.pk])
    before = owner_client.get(url).content.decode()

    owner_client.post(url, {"requested_on": business.today().isoformat()})
    after = owner_client.get(url)

    assert 'data-testid="copy-last-given"' not in before
    assert "Kopie aan de klant gegeven?" in before
    given = AuditEvent.objects.get(customer=anna, changes__format="handed_over")
    assert after.context["last_given"] == given
    page = after.content.decode()
    assert "Nog een kopie aan de klant gegeven?" in page
    assert (
        f'<p data-testid="copy-last-given">Er is een kopie gegeven op '
        f"{_shown_moment(given.at, business)}, vastgelegd door Sanne.</p>"
    ) in page


def _shown_moment(at, business) -> str:
    with translation.override("nl"):
        return moment(timezone.localtime(at, business.tzinfo))
