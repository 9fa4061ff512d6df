"""The closed days page: an owner adds the shop's holidays a period at a time and removes them
one by one; a period that makes no sense is refused beside its field and nothing is stored;
the settings page's history says what was added; the promise form names the holiday."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.core.care_settings import ClosedPeriod, care_settings
from klantvriend.core.models import AuditEvent, Business
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.tests.factories import PromiseFactory

HTMX = {"HX-Request": "true"}


def _periods(business) -> tuple[ClosedPeriod, ...]:
    return care_settings(Business.objects.get(pk=business.pk)).closed_periods


@pytest.fixture
def now(business, monkeypatch):
    """Friday 4 December 2026, ten in the morning."""
    moment = datetime(2026, 12, 4, 10, 0, tzinfo=business.tzinfo)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def test_an_owner_adds_christmas_and_a_single_day_and_sees_them_listed(owner_client, business, now):
    url = reverse("web:closed_days")

    added = owner_client.post(
        url, {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst", "action": "add"}
    )
    owner_client.post(url, {"first": "2027-04-27", "last": "", "reason": "Koningsdag"})
    page = owner_client.get(url).content.decode()

    assert added.status_code == 302
    assert _periods(business) == (
        ClosedPeriod(date(2026, 12, 25), date(2026, 12, 26), "Kerst"),
        ClosedPeriod(date(2027, 4, 27), date(2027, 4, 27), "Koningsdag"),
    )
    assert "<strong>vr\xa025\xa0dec – za\xa026\xa0dec\xa02026</strong> · Kerst" in page
    assert "<strong>di\xa027\xa0apr\xa02027</strong> · Koningsdag" in page
    assert 'data-testid="closed-past"' not in page


def test_a_period_that_makes_no_sense_is_refused_beside_its_field(owner_client, business, now):
    response = owner_client.post(
        reverse("web:closed_days"),
        {"first": "2026-12-26", "last": "2026-12-25", "reason": "Kerst", "action": "add"},
    )
    missing = owner_client.post(reverse("web:closed_days"), {"first": "", "action": "add"})

    assert response.status_code == 422
    page = response.content.decode()
    assert "De laatste gesloten dag kan niet vóór de eerste liggen." in page
    assert missing.status_code == 422
    assert "Vul de eerste dag in dat de zaak dicht is." in missing.content.decode()
    assert _periods(business) == ()
    assert not AuditEvent.objects.filter(action="settings").exists()


def test_a_period_is_removed_by_its_own_button_and_a_past_one_is_listed_apart(
    owner_client, owner, business, now
):
    url = reverse("web:closed_days")
    for first, last, reason in (
        ("2026-07-20", "2026-08-07", "Zomervakantie"),
        ("2026-12-25", "2026-12-26", "Kerst"),
    ):
        owner_client.post(url, {"first": first, "last": last, "reason": reason, "action": "add"})
    page = owner_client.get(url).content.decode()
    assert "1 periode voorbij" in page

    removed = owner_client.post(
        url, {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst", "action": "remove"}
    )
    again = owner_client.post(
        url, {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst", "action": "remove"}
    )

    assert (removed.status_code, again.status_code) == (302, 302)
    assert _periods(business) == (
        ClosedPeriod(date(2026, 7, 20), date(2026, 8, 7), "Zomervakantie"),
    )
    settings_page = owner_client.get(reverse("web:care_settings")).content.decode()
    assert "vr\xa025\xa0dec – za\xa026\xa0dec\xa02026 · Kerst" in settings_page
    assert 'data-testid="closed-days-link"' in settings_page


def test_staff_see_the_closed_days_but_cannot_change_them(
    owner_client, staff_client, business, now
):
    url = reverse("web:closed_days")
    owner_client.post(
        url, {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst", "action": "add"}
    )
    before = _periods(business)
    events = AuditEvent.objects.count()

    page = staff_client.get(url)
    refused = [
        staff_client.post(url, {"first": "2026-12-31", "action": "add"}).status_code,
        staff_client.post(
            url,
            {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst", "action": "remove"},
        ).status_code,
        staff_client.post(url, {"action": "holidays", "year": "2027"}).status_code,
    ]

    assert page.status_code == 200
    text = page.content.decode()
    assert "<strong>vr\xa025\xa0dec – za\xa026\xa0dec\xa02026</strong> · Kerst" in text
    assert "Een eigenaar voegt ze toe en haalt ze weg." in text
    for owners_only in (
        "closed-period-form",
        "closed-holidays-form",
        "closed-period-remove",
        "closed-period-change",
    ):
        assert f'data-testid="{owners_only}' not in text
    assert 'href="/settings/closed-days/"' in text  # in the menu
    assert refused == [403, 403, 403]
    assert _periods(business) == before
    assert AuditEvent.objects.count() == events


def test_days_already_closed_are_refused_beside_the_first_day_and_nothing_changes(
    owner_client, business, now
):
    url = reverse("web:closed_days")
    owner_client.post(
        url,
        {"first": "2026-12-21", "last": "2027-01-03", "reason": "Kerstvakantie", "action": "add"},
    )
    before = _periods(business)
    events = AuditEvent.objects.count()

    overlapping = owner_client.post(
        url, {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst", "action": "add"}
    )
    twice = owner_client.post(
        url,
        {"first": "2026-12-21", "last": "2027-01-03", "reason": "Kerstvakantie", "action": "add"},
        follow=True,
    )

    assert overlapping.status_code == 422
    assert (
        "Deze dagen overlappen met Kerstvakantie (ma\xa021\xa0dec\xa02026 – "
        "zo\xa03\xa0jan\xa02027); wijzig die, of kies andere dagen."
    ) in overlapping.content.decode()
    assert (
        "Stond er al: gesloten ma\xa021\xa0dec\xa02026 – zo\xa03\xa0jan\xa02027."
        in twice.content.decode()
    )
    assert _periods(business) == before
    assert AuditEvent.objects.count() == events


def test_a_single_day_with_a_wrong_year_is_refused_once_and_a_past_one_is_said_so(
    owner_client, business, now
):
    url = reverse("web:closed_days")

    wrong = owner_client.post(url, {"first": "0026-12-25", "last": "", "action": "add"})
    past = owner_client.post(
        url, {"first": "2026-07-20", "last": "2026-08-07", "action": "add"}, follow=True
    )

    page = wrong.content.decode()
    assert wrong.status_code == 422
    assert page.count("Vul een dag in uit de jaren 2000 tot 2200.") == 1
    assert (
        "Toegevoegd aan de voorbije gesloten dagen: ma\xa020\xa0jul – vr\xa07\xa0aug\xa02026."
        in past.content.decode()
    )
    assert _periods(business) == (ClosedPeriod(date(2026, 7, 20), date(2026, 8, 7), ""),)


def test_the_promise_form_names_the_holiday_its_day_falls_on(owner_client, business, now):
    owner_client.post(
        reverse("web:closed_days"),
        {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst", "action": "add"},
    )

    advice = owner_client.get(
        reverse("web:promise_advice"),
        {"kind": "delivery", "due_date": "2026-12-25", "due_time": time(11).strftime("%H:%M")},
        headers=HTMX,
    ).content.decode()

    assert "De zaak is dicht op vr\xa025\xa0dec (Kerst): bedoel je die dag?" in advice


def test_the_dutch_public_holidays_of_next_year_are_added_with_one_button(
    owner_client, business, now
):
    url = reverse("web:closed_days")
    page = owner_client.get(url).content.decode()
    assert "Feestdagen van 2027 toevoegen" in page

    added = owner_client.post(url, {"action": "holidays", "year": "2027"}, follow=True)
    again = owner_client.post(url, {"action": "holidays", "year": "2027"}, follow=True)
    # A year the page does not offer is read as this year.
    owner_client.post(url, {"action": "holidays", "year": "1999"})

    assert (
        "6 feestdagen van 2027 toegevoegd: Nieuwjaarsdag, Pasen, Koningsdag, Hemelvaartsdag, "
        "Pinksteren, Kerst. Verwijder die waarop je open bent."
    ) in added.content.decode()
    assert "De dagen van de feestdagen van 2027 waren al gesloten." in again.content.decode()
    reasons = [(period.first.year, period.reason) for period in _periods(business)]
    assert reasons[-6:] == [
        (2027, "Nieuwjaarsdag"),
        (2027, "Pasen"),
        (2027, "Koningsdag"),
        (2027, "Hemelvaartsdag"),
        (2027, "Pinksteren"),
        (2027, "Kerst"),
    ]
    assert [year for year, _reason in reasons].count(2026) == 6


def test_what_still_falls_on_the_closed_days_is_listed_under_them(
    owner_client, owner, business, now
):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    bas = CustomerFactory(business=business, name="Bas Jansen")
    christmas_day = datetime(2026, 12, 25, 11, 0, tzinfo=business.tzinfo)
    PromiseFactory(customer=anna, description="Rollade", made_at=now, due_at=christmas_day)
    PromiseFactory(  # kept already: nothing to move
        customer=anna, description="Worst", made_at=now, due_at=christmas_day, done_at=now
    )
    PromiseFactory(
        customer=anna,
        description="Pasteitjes",
        made_at=now,
        due_at=christmas_day - timedelta(days=1),
    )  # Christmas Eve: open
    FollowUpFactory(customer=bas, note="Smaakte het vlees?", due_on=date(2026, 12, 26))
    owner_client.post(
        reverse("web:closed_days"),
        {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst", "action": "add"},
    )

    page = owner_client.get(reverse("web:closed_days")).content.decode()

    listed = page.split('data-testid="closed-falling">')[1].split("</div>")[0]
    assert "Nog gepland op deze dagen; verzet ze of laat het de klanten weten:" in listed
    assert re.findall(r'<li><a href="[^"]+">([^<]+)</a>: ([^<]+)<', listed) == [
        ("Anna de Vries", "Rollade "),
        ("Bas Jansen", "Smaakte het vlees? "),
    ]


def test_today_says_ahead_that_the_shop_closes_and_what_still_falls_on_it(
    owner_client, staff_client, owner, business, now
):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    PromiseFactory(
        customer=anna,
        description="Rollade",
        made_at=now,
        due_at=datetime(2026, 12, 12, 11, 0, tzinfo=business.tzinfo),
    )
    before = owner_client.get(reverse("web:today")).content.decode()
    # Further off than Today looks ahead (14 days): not yet said.
    owner_client.post(
        reverse("web:closed_days"),
        {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst", "action": "add"},
    )
    far = owner_client.get(reverse("web:today")).content.decode()
    owner_client.post(
        reverse("web:closed_days"),
        {"first": "2026-12-12", "last": "2026-12-12", "reason": "Verbouwing", "action": "add"},
    )

    owners = owner_client.get(reverse("web:today")).content.decode()
    staffs = staff_client.get(reverse("web:today")).content.decode()

    assert 'data-testid="closure-coming"' not in before
    assert 'data-testid="closure-coming"' not in far
    said = owners.split('data-testid="closure-coming">')[1].split("</p>")[0]
    assert " ".join(re.sub(r"<[^>]+>", "", said).split()) == (
        "Gesloten za 12 dec 2026 (Verbouwing). Er staat op die dagen nog 1 belofte: verzet "
        "die of laat het de klant weten. Bekijk welke"
    )
    assert 'data-testid="closure-coming-link"' in staffs  # staff see the closed days too
    assert "Gesloten za\xa012\xa0dec\xa02026 (Verbouwing)." in staffs


def test_today_names_every_closed_period_ahead_with_its_promises_and_follow_ups_apart(
    owner_client, business, now
):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    for day in (11, 12, 13):
        PromiseFactory(
            customer=anna,
            description="Rollade",
            made_at=now,
            due_at=datetime(2026, 12, day, 11, 0, tzinfo=business.tzinfo),
        )
    FollowUpFactory(customer=anna, note="Smaakte het?", due_on=date(2026, 12, 13))
    FollowUpFactory(customer=anna, note="Bevallen?", due_on=date(2026, 12, 5))
    url = reverse("web:closed_days")
    for first, last, reason in (("2026-12-05", "", ""), ("2026-12-12", "2026-12-13", "Verbouwing")):
        owner_client.post(url, {"first": first, "last": last, "reason": reason, "action": "add"})
    # Past the days Today looks ahead (14): not said yet.
    owner_client.post(url, {"first": "2026-12-25", "reason": "Kerst", "action": "add"})

    page = owner_client.get(reverse("web:today")).content.decode()

    said = [
        " ".join(re.sub(r"<[^>]+>", "", notice.split("</p>")[0]).split())
        for notice in page.split('data-testid="closure-coming">')[1:]
    ]
    assert said == [
        "Gesloten za 5 dec 2026. Er staat op die dagen nog 1 nazorgcontact: verzet dat of laat "
        "het de klant weten. Bekijk welke",
        "Gesloten za 12 dec – zo 13 dec 2026 (Verbouwing). Nog gepland op die dagen: 2 beloften en "
        "1 nazorgcontact; verzet ze of laat het de klanten weten. Bekijk welke",
    ]


def test_orders_on_open_days_between_closed_periods_do_not_crowd_out_a_later_one(
    owner_client, business, now, monkeypatch
):
    # The list read the whole span from the first closed day to the last, open days between
    # included: 105 orders in mid-December filled it, and Christmas Day's showed nothing.
    from klantvriend.today import selectors

    anna = CustomerFactory(business=business, name="Anna de Vries")
    for day, what in ((9, "Op een dichte dag"), (15, "Op een open dag"), (25, "Kerstpakket")):
        PromiseFactory(
            customer=anna,
            description=what,
            made_at=now,
            due_at=datetime(2026, 12, day, 11, 0, tzinfo=business.tzinfo),
        )
    periods = (
        ClosedPeriod(date(2026, 12, 8), date(2026, 12, 9), "Verbouwing"),
        ClosedPeriod(date(2026, 12, 25), date(2026, 12, 26), "Kerst"),
    )
    # Room for two: the open day's order must not take the second place.
    monkeypatch.setattr(selectors, "ON_CLOSED_DAYS_SHOWN", 2)

    found = selectors.open_on_closed_days(business=business, periods=periods)

    assert [[item.record.description for item in found[period]] for period in periods] == [
        ["Op een dichte dag"],
        ["Kerstpakket"],
    ]


def test_today_counts_all_that_falls_on_a_closed_day_beyond_what_a_list_shows(
    owner_client, business, now, monkeypatch
):
    from klantvriend.today import selectors

    anna = CustomerFactory(business=business, name="Anna de Vries")
    for hour in (9, 10, 11):
        PromiseFactory(
            customer=anna,
            description="Rollade",
            made_at=now,
            due_at=datetime(2026, 12, 12, hour, 0, tzinfo=business.tzinfo),
        )
    owner_client.post(
        reverse("web:closed_days"), {"first": "2026-12-12", "reason": "Verbouwing", "action": "add"}
    )
    # The closed days page lists two; Today counts the three.
    monkeypatch.setattr(selectors, "ON_CLOSED_DAYS_SHOWN", 2)

    page = owner_client.get(reverse("web:today")).content.decode()

    said = page.split('data-testid="closure-coming">')[1].split("</p>")[0]
    assert "Er staan op die dagen nog 3 beloften: verzet ze" in " ".join(
        re.sub(r"<[^>]+>", "", said).split()
    )


def test_an_owner_makes_the_summer_break_a_week_longer_with_its_change_button(
    owner_client, business, now
):
    url = reverse("web:closed_days")
    for first, last, reason in (
        ("2027-07-19", "2027-07-31", "Zomer"),
        ("2027-08-09", "2027-08-09", "Inventaris"),
    ):
        owner_client.post(url, {"first": first, "last": last, "reason": reason, "action": "add"})
    listed = owner_client.get(url).content.decode()
    change = re.search(
        r'href="(\?change=2027-07-19[^"]*)" data-testid="closed-period-change"', listed
    )

    form = owner_client.get(url + change[1].split("#")[0]).content.decode()
    posted = {
        "changing_first": "2027-07-19",
        "changing_last": "2027-07-31",
        "changing_reason": "Zomer",
        "first": "2027-07-19",
        "last": "2027-08-07",
        "reason": "Zomervakantie",
        "action": "add",
    }
    changed = owner_client.post(url, posted, follow=True)

    assert "Gesloten dagen ma\xa019\xa0jul – za\xa031\xa0jul\xa02027 wijzigen" in form
    assert 'name="last" value="2027-07-31"' in form
    assert 'name="reason" value="Zomer"' in form
    assert "Gewijzigd: nu gesloten ma\xa019\xa0jul – za\xa07\xa0aug\xa02027." in (
        changed.content.decode()
    )
    assert _periods(business) == (
        ClosedPeriod(date(2027, 7, 19), date(2027, 8, 7), "Zomervakantie"),
        ClosedPeriod(date(2027, 8, 9), date(2027, 8, 9), "Inventaris"),
    )
    before = _periods(business)

    # Into the next period: refused beside the first day, and nothing changes.
    overlapping = owner_client.post(
        url,
        {
            **posted,
            "changing_last": "2027-08-07",
            "changing_reason": "Zomervakantie",
            "last": "2027-08-10",
        },
    )
    # A period changed meanwhile (the form still names the old summer break): refused whole.
    stale = owner_client.post(url, {**posted, "last": "2027-08-08"})

    assert overlapping.status_code == 422
    assert "Deze dagen overlappen met Inventaris" in overlapping.content.decode()
    assert stale.status_code == 422
    assert "Deze gesloten dagen zijn intussen gewijzigd of verwijderd; bekijk ze opnieuw." in (
        stale.content.decode()
    )
    assert _periods(business) == before
