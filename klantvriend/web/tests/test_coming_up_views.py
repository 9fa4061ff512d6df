"""Today's "Coming up" section, its page of them all, "Called" and its undo, and the briefing's
mention of a date in the coming days."""

import re
from datetime import timedelta

from django.urls import reverse

from klantvriend.core.accounts import account_language_set
from klantvriend.core.care_settings import care_settings_update
from klantvriend.customers import services
from klantvriend.customers.models import ContactMoment, ImportantDate
from klantvriend.customers.selectors import coming_date
from klantvriend.customers.tests.factories import CustomerFactory, ImportantDateFactory
from klantvriend.today.selectors import LIMIT, SHOWN
from klantvriend.web.tests.dutch_days import dutch_weekday


def _years_ago(day, years):
    # 29 February has no such day most years: the 28th then (what it is remembered on)
    return day.replace(
        year=day.year - years, day=28 if (day.month, day.day) == (2, 29) else day.day
    )


def _rows(page: str, testid: str) -> list[str]:
    """The text of each row of the list, its tags and spacing left out."""
    listed = page.split(f'data-testid="{testid}"', 1)[1].split("</ul>", 1)[0]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r'data-testid="coming-date">(.*?)</li>', listed, re.DOTALL)
    ]


def test_today_shows_the_coming_dates_the_soonest_first_with_day_and_years(staff_client, business):
    today = business.today()
    anna = CustomerFactory(business=business, name="Anna de Vries", phone="0612345678")
    bram = CustomerFactory(business=business, name="Bram Jansen", marketing_consent=True)
    ImportantDateFactory(customer=bram, label="APK", date=_years_ago(today + timedelta(5), 4))
    ImportantDateFactory(customer=anna, label="Trouwdag", date=_years_ago(today, 25))
    ImportantDateFactory(
        customer=anna, label="Auto ophalen", date=today + timedelta(1), yearly=False
    )
    ImportantDateFactory(customer=bram, label="Te ver", date=_years_ago(today + timedelta(15), 1))

    page = staff_client.get(reverse("web:today")).content.decode()

    assert _rows(page, "today-coming-up") == [
        "Anna de Vries vandaag Trouwdag 25 jaar 0612345678 Gebeld",
        "Anna de Vries morgen Auto ophalen 0612345678 Gebeld",
        f"Bram Jansen {dutch_weekday(today + timedelta(5))} APK 4 jaar Gebeld",
    ]
    assert f'href="/customers/{anna.pk}/"' in page
    assert "Een herinnering voor jou, dus zonder hun toestemming getoond" in page
    assert 'data-testid="show-all-coming_up"' not in page  # all three are shown


def test_today_shows_ten_and_the_page_shows_them_all_fifty_a_page(
    staff_client, business, other_business, django_assert_max_num_queries
):
    today = business.today()
    for number in range(LIMIT + 5):
        customer = CustomerFactory(business=business, name=f"Klant {number:02}")
        ImportantDateFactory(customer=customer, label="APK", date=today, yearly=False)
    ImportantDateFactory(
        customer=CustomerFactory(business=other_business, name="Elders"), label="APK", date=today
    )

    page = staff_client.get(reverse("web:today")).content.decode()

    assert len(_rows(page, "today-coming-up")) == SHOWN
    assert 'href="/coming-up/" data-testid="show-all-coming_up">Toon alle 55</a>' in page
    first = staff_client.get(reverse("web:coming_up")).content.decode()
    with django_assert_max_num_queries(30) as counted:
        second = staff_client.get(reverse("web:coming_up"), {"page": 2}).content.decode()
    rows = _rows(first, "coming-up")
    assert len(rows) == LIMIT
    assert rows[0] == "Klant 00 vandaag APK Gebeld"
    assert _rows(second, "coming-up")[-1] == "Klant 54 vandaag APK Gebeld"
    assert len(_rows(second, "coming-up")) == 5
    assert "Pagina 2 van 2" in second
    assert "Elders" not in first + second + page
    # Twice as many dates: the same number of queries.
    for number in range(LIMIT + 5, 2 * LIMIT + 10):
        customer = CustomerFactory(business=business, name=f"Klant {number:03}")
        ImportantDateFactory(customer=customer, label="APK", date=today, yearly=False)
    with django_assert_max_num_queries(len(counted.captured_queries)):
        assert staff_client.get(reverse("web:coming_up"), {"page": 2}).status_code == 200


def test_the_page_says_when_nothing_is_coming_in_dutch_and_english(
    staff_client, staff_user, business
):
    today = business.today()
    ImportantDateFactory(
        customer=CustomerFactory(business=business), label="APK", date=today - timedelta(1)
    )
    page = staff_client.get(reverse("web:coming_up")).content.decode()
    assert "Geen belangrijke datums in de komende 14 dagen." in page
    assert 'data-testid="coming-date"' not in page

    account_language_set(user=staff_user, language="en")
    page = staff_client.get(reverse("web:today")).content.decode()
    assert "No important dates in the coming 14 days." in page
    care_settings_update(business=business, actor=None, coming_up_days=1)
    page = staff_client.get(reverse("web:today")).content.decode()
    assert "No important dates today or tomorrow." in page
    assert (
        "A reminder for you, so shown without their consent; a card or an offer needs it." in page
    )


def test_the_briefing_mentions_a_date_in_the_coming_days(staff_client, business):
    today = business.today()
    anna = CustomerFactory(business=business, name="Anna de Vries")
    ImportantDateFactory(customer=anna, label="APK", date=_years_ago(today + timedelta(1), 3))
    ImportantDateFactory(customer=anna, label="Trouwdag", date=_years_ago(today + timedelta(20), 3))

    page = staff_client.get(reverse("web:customer_detail", args=[anna.pk])).content.decode()

    mentioned = re.findall(r'data-testid="important-date-coming">([^<]*)<', page)
    assert mentioned == ["morgen · 3 jaar"]


def test_called_records_the_call_and_the_row_says_so_until_the_date_comes_again(
    staff_client, staff_user, business
):
    today = business.today()
    bram = CustomerFactory(business=business, name="Bram Jansen", phone="0612345678")
    apk = ImportantDateFactory(customer=bram, label="APK", date=_years_ago(today + timedelta(5), 4))
    url = reverse("web:important_date_called", args=[apk.pk])

    row = staff_client.post(url, headers={"HX-Request": "true"}).content.decode()
    page = staff_client.get(reverse("web:today")).content.decode()

    moment = ContactMoment.objects.get(customer=bram)
    assert (moment.kind, moment.summary, moment.member) == ("call", "Gebeld over: APK", staff_user)
    # The day on one line (no-break spaces), as every day on the page.
    called = "✓ gebeld " + dutch_weekday(today).replace(" ", "\xa0")
    assert (
        f'<span class="done-note" data-testid="coming-date-called" role="status">{called}</span>'
        in row
    )
    assert 'data-testid="coming-date-call"' not in row
    # Today and the briefing card say it too, so that a colleague does not call again.
    profile = staff_client.get(reverse("web:customer_detail", args=[bram.pk])).content.decode()
    assert f'<span class="subtle" data-testid="important-date-called">{called}</span>' in profile
    assert _rows(page, "today-coming-up") == [
        f"Bram Jansen {dutch_weekday(today + timedelta(5))} APK 4 jaar 0612345678 "
        f"{called.replace(chr(160), ' ')}"
    ]
    # Next year the date comes up to be called about again: last year's call is of then.
    next_time = coming_date(important_date=apk, business=business, day=today + timedelta(days=366))
    assert next_time is not None
    assert next_time.called_on is None


def test_today_jumps_to_the_dates_still_to_call_about_and_both_lists_say_how_many(
    staff_client, staff_user, business
):
    today = business.today()
    dates = [
        ImportantDateFactory(
            customer=CustomerFactory(business=business, name=f"Klant {number:02}"),
            label="APK",
            date=today,
            yearly=False,
        )
        for number in range(SHOWN + 2)
    ]
    jump = re.compile(
        r'<a href="#coming-up-heading"( class="nothing")?>Binnenkort <span[^>]*>(\d+)<'
    )

    before = staff_client.get(reverse("web:today")).content.decode()
    for called in (dates[0], dates[-1]):  # one shown on Today, one only on the page
        staff_client.post(reverse("web:important_date_called", args=[called.pk]))
    after = staff_client.get(reverse("web:today")).content.decode()
    listed = staff_client.get(reverse("web:coming_up")).content.decode()

    assert jump.findall(before) == [("", "12")]
    assert 'data-testid="coming-up-called"' not in before
    assert jump.findall(after) == [("", "10")]
    assert '<h2 id="coming-up-heading">Binnenkort <span class="count">12</span></h2>' in after
    said = '<p data-testid="coming-up-called">Nog te bellen: 10 van de 12; 2 al gebeld.</p>'
    assert said in after
    assert said in listed
    for rest in dates[1:-1]:
        staff_client.post(reverse("web:important_date_called", args=[rest.pk]))
    assert jump.findall(staff_client.get(reverse("web:today")).content.decode()) == [
        (' class="nothing"', "0")
    ]
    account_language_set(user=staff_user, language="en")
    english = staff_client.get(reverse("web:coming_up")).content.decode()
    assert '<p data-testid="coming-up-called">All 12 have been called about.</p>' in english


def test_a_call_from_another_business_or_by_a_visitor_changes_nothing(
    staff_client, client, business, other_business
):
    elders = ImportantDateFactory(
        customer=CustomerFactory(business=other_business), label="APK", date=business.today()
    )
    own = ImportantDateFactory(
        customer=CustomerFactory(business=business), label="APK", date=business.today()
    )

    foreign = staff_client.post(reverse("web:important_date_called", args=[elders.pk]))
    anonymous = client.post(reverse("web:important_date_called", args=[own.pk]))
    read = staff_client.get(reverse("web:important_date_called", args=[own.pk]))

    assert (foreign.status_code, read.status_code) == (404, 405)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]
    assert ContactMoment.objects.count() == 0
    assert set(ImportantDate.objects.values_list("called_at", flat=True)) == {None}


def test_called_without_javascript_goes_back_to_the_list_it_came_from(staff_client, business):
    apk = ImportantDateFactory(
        customer=CustomerFactory(business=business), label="APK", date=business.today()
    )
    url = reverse("web:important_date_called", args=[apk.pk])

    from_today = staff_client.post(url)
    from_the_page = staff_client.post(url, {"from": "coming-up"})

    assert from_today["Location"] == reverse("web:today")
    assert from_the_page["Location"] == reverse("web:coming_up")
    assert 'data-testid="coming-date-called"' in (
        staff_client.get(reverse("web:coming_up")).content.decode()
    )


def test_undo_right_after_called_takes_the_call_back_and_offers_called_again(
    staff_client, business
):
    bram = CustomerFactory(business=business, name="Bram Jansen")
    apk = ImportantDateFactory(customer=bram, label="APK", date=business.today())
    htmx = {"HX-Request": "true"}

    called = staff_client.post(
        reverse("web:important_date_called", args=[apk.pk]), {"from": "coming-up"}, headers=htmx
    ).content.decode()
    undo = reverse("web:important_date_called_undo", args=[apk.pk])
    assert re.findall(r'<form [^>]*action="([^"]+)"', called) == [undo]
    assert '<input type="hidden" name="from" value="coming-up">' in called

    undone = staff_client.post(undo, {"from": "coming-up"}, headers=htmx)

    row = undone.content.decode()
    assert undone.status_code == 200
    assert '<span class="done-note" role="status">Ongedaan gemaakt: nog niet gebeld.</span>' in row
    assert re.findall(r'<form [^>]*action="([^"]+)"', row) == [
        reverse("web:important_date_called", args=[apk.pk])
    ]
    assert 'data-testid="coming-date-called"' not in row
    assert ImportantDate.objects.get(pk=apk.pk).called_at is None
    assert not ContactMoment.objects.exists()


def test_an_undo_refused_says_why_on_the_row_and_without_javascript_on_the_list(
    staff_client, owner_client, business
):
    apk = ImportantDateFactory(
        customer=CustomerFactory(business=business), label="APK", date=business.today()
    )
    owner_client.post(reverse("web:important_date_called", args=[apk.pk]))
    called = ImportantDate.objects.values_list("called_at", "called_moment_id").get()
    undo = reverse("web:important_date_called_undo", args=[apk.pk])
    why = "Alleen wie dit vastlegde, of een eigenaar, kan het ongedaan maken."

    on_the_row = staff_client.post(undo, headers={"HX-Request": "true"})
    without_javascript = staff_client.post(undo, {"from": "coming-up"}, follow=True)

    assert on_the_row.status_code == 422
    assert f'<p class="error" role="alert">{why}</p>' in on_the_row.content.decode()
    assert without_javascript.redirect_chain == [(reverse("web:coming_up"), 302)]
    assert f'<p class="message message-error">{why}</p>' in without_javascript.content.decode()
    assert ImportantDate.objects.values_list("called_at", "called_moment_id").get() == called
    assert ContactMoment.objects.count() == 1


def test_an_undo_of_another_businesss_call_is_not_found_and_changes_nothing(
    staff_client, other_business, other_owner
):
    elders = ImportantDateFactory(
        customer=CustomerFactory(business=other_business), label="APK", date=other_business.today()
    )
    services.important_date_called(important_date=elders, member=other_owner)
    called = ImportantDate.objects.values_list("called_at", "called_moment_id").get()

    foreign = staff_client.post(reverse("web:important_date_called_undo", args=[elders.pk]))

    assert foreign.status_code == 404
    assert ImportantDate.objects.values_list("called_at", "called_moment_id").get() == called
    assert ContactMoment.objects.count() == 1


def test_called_on_the_profile_records_the_call_and_offers_its_undo_there(staff_client, business):
    today = business.today()
    bram = CustomerFactory(business=business, name="Bram Jansen")
    apk = ImportantDateFactory(customer=bram, label="APK", date=_years_ago(today + timedelta(5), 4))
    profile = reverse("web:customer_detail", args=[bram.pk])
    htmx = {"HX-Request": "true"}
    form = {"from": "profile"}

    before = staff_client.get(profile).content.decode()
    called = staff_client.post(
        reverse("web:important_date_called", args=[apk.pk]), form, headers=htmx
    ).content.decode()
    moment = ContactMoment.objects.get()
    undone = staff_client.post(
        reverse("web:important_date_called_undo", args=[apk.pk]), form, headers=htmx
    ).content.decode()
    without_javascript = staff_client.post(
        reverse("web:important_date_called", args=[apk.pk]), form
    )

    assert 'data-testid="important-date-call">Gebeld</button>' in before
    assert 'id="profile-live"' in called
    assert (
        '<span class="subtle" data-testid="important-date-called">✓ gebeld '
        f"{dutch_weekday(today).replace(' ', chr(160))}</span>"
    ) in called
    assert 'data-testid="important-date-call-undo">ongedaan maken</button>' in called
    assert moment.summary in called  # on the timeline
    assert 'data-testid="important-date-call">Gebeld</button>' in undone
    assert moment.summary not in undone
    assert without_javascript["Location"] == profile
    assert ContactMoment.objects.count() == 1


def test_a_colleagues_call_offers_no_undo_on_the_profile_and_a_sent_one_is_refused_there(
    staff_client, owner_client, business
):
    bram = CustomerFactory(business=business, name="Bram Jansen")
    apk = ImportantDateFactory(customer=bram, label="APK", date=business.today())
    owner_client.post(reverse("web:important_date_called", args=[apk.pk]))
    called = ImportantDate.objects.values_list("called_at", "called_moment_id").get()

    profile = staff_client.get(reverse("web:customer_detail", args=[bram.pk])).content.decode()
    refused = staff_client.post(
        reverse("web:important_date_called_undo", args=[apk.pk]),
        {"from": "profile"},
        headers={"HX-Request": "true"},
    )

    assert 'data-testid="important-date-called"' in profile
    assert "important-date-call-undo" not in profile
    assert refused.status_code == 422
    assert (
        '<p class="error" role="alert">Alleen wie dit vastlegde, of een eigenaar, kan het '
        "ongedaan maken.</p>"
    ) in refused.content.decode()
    assert ImportantDate.objects.values_list("called_at", "called_moment_id").get() == called


def test_a_shop_that_looks_four_weeks_ahead_sees_and_calls_about_a_date_three_weeks_on(
    staff_client, owner, business
):
    today = business.today()
    bram = CustomerFactory(business=business, name="Bram Jansen")
    apk = ImportantDateFactory(
        customer=bram, label="APK", date=_years_ago(today + timedelta(21), 3)
    )
    profile = reverse("web:customer_detail", args=[bram.pk])

    before = staff_client.get(reverse("web:today")).content.decode()
    care_settings_update(business=business, actor=owner, coming_up_days=28)
    today_page = staff_client.get(reverse("web:today")).content.decode()
    listed = staff_client.get(reverse("web:coming_up")).content.decode()
    staff_client.post(reverse("web:important_date_called", args=[apk.pk]), {"from": "profile"})

    assert "Geen belangrijke datums in de komende 14 dagen." in before
    assert _rows(today_page, "today-coming-up") == [
        f"Bram Jansen {dutch_weekday(today + timedelta(21))} APK 3 jaar Gebeld"
    ]
    assert dutch_weekday(today + timedelta(28)).replace(" ", "\xa0") in listed  # "to …"
    # A call three weeks ahead is of this time: the profile says so.
    assert 'data-testid="important-date-called"' in staff_client.get(profile).content.decode()


def test_only_birthdays_without_consent_are_said_to_be_left_out(staff_client, business):
    """With none of the birthdays coming up of a customer who agreed, Today said nothing: a
    salon that had typed in two regulars' birthdays looked for them in vain."""
    today = business.today()
    for number in range(2):
        CustomerFactory(
            business=business,
            birthday=_years_ago(today + timedelta(days=number + 1), 30),
            marketing_consent=False,
        )
    # Today's own birthday is not coming up: it is on "To celebrate" (with consent).
    CustomerFactory(business=business, birthday=_years_ago(today, 30), marketing_consent=False)

    page = staff_client.get(reverse("web:today")).content.decode()

    assert 'data-testid="coming-birthdays"' not in page
    assert (
        '<p class="subtle" data-testid="birthdays-without-consent">2 klanten die nog geen '
        "toestemming gaven voor berichten, zijn in deze dagen jarig: niet in deze lijst."
    ) in page


def test_birthdays_coming_up_show_under_the_dates_on_today_and_whole_on_their_page(
    staff_client, business
):
    today = business.today()
    for number in range(7):
        CustomerFactory(
            business=business,
            name=f"Jarige {number}",
            birthday=_years_ago(today + timedelta(days=number + 1), 30 + number),
            marketing_consent=True,
        )
    CustomerFactory(
        business=business,
        name="Zonder toestemming",
        birthday=_years_ago(today + timedelta(days=2), 40),
        marketing_consent=False,
    )

    page = staff_client.get(reverse("web:today")).content.decode()
    whole = staff_client.get(reverse("web:coming_up")).content.decode()

    def birthdays(html):
        listed = html.split('data-testid="coming-birthdays"', 1)[1].split("</ul>", 1)[0]
        return [
            " ".join(re.sub(r"<[^>]+>", " ", row).split())
            for row in re.findall(r'data-testid="coming-birthday">(.*?)</li>', listed, re.DOTALL)
        ]

    assert birthdays(page) == [
        "Jarige 0 morgen 30 jaar",
        *(
            f"Jarige {number} {dutch_weekday(today + timedelta(days=number + 1))} {30 + number} jaar"
            for number in range(1, 5)
        ),
    ]
    assert "Verjaardagen binnenkort" in page
    # The card's count holds them: "Binnenkort 0" stood above a birthday listed.
    assert '<h2 id="coming-up-heading">Binnenkort <span class="count">7</span></h2>' in page
    assert 'href="/coming-up/#birthdays-heading" data-testid="show-all-birthdays">Toon alle 7' in (
        page
    )
    assert len(birthdays(whole)) == 7
    assert "Zonder toestemming" not in page + whole
    # But both say that one birthday is left out, and why.
    left_out = (
        '<p class="subtle" data-testid="birthdays-without-consent">1 klant die nog geen '
        "toestemming gaf voor berichten, is in deze dagen jarig: niet in deze lijst. Vraag bij "
        "het volgende bezoek of die berichten wil, en leg dat vast op de kaart.</p>"
    )
    assert left_out in page
    assert left_out in whole
    # Birthdays are no dates to call about: Today's jump counts the important dates alone.
    assert 'data-testid="show-all-birthdays"' not in whole
