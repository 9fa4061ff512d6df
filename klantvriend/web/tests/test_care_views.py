"""The care pages: Today, the profile sections, one-click actions, settings and calendar."""

import re
from datetime import UTC, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from klantvriend.aftercare.models import FollowUp, Reason
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.clocks import Clock
from klantvriend.complaints.clocks import Stage as ClockStage
from klantvriend.complaints.models import Complaint
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.accounts import account_language_set
from klantvriend.core.calendar import calendar_token_create
from klantvriend.core.care_settings import WEEKDAY_KEYS, care_settings, care_settings_update
from klantvriend.core.members import staff_name
from klantvriend.core.models import AuditEvent, Business, Membership, Role, listed_time_zones
from klantvriend.core.services import business_create, membership_create
from klantvriend.core.shown import moment_shown
from klantvriend.core.tests.days import SALON, open_on
from klantvriend.core.working_hours import DayHours, add_working_days, next_working_day
from klantvriend.customers.tests.factories import (
    CustomerFactory,
    ImportantDateFactory,
    PurchaseFactory,
)
from klantvriend.gestures.models import Gesture
from klantvriend.gestures.services import gesture_create
from klantvriend.insights.models import InsightRun
from klantvriend.insights.selectors import SLIPPING_AWAY_LIMIT
from klantvriend.insights.tests.factories import CustomerInsightFactory
from klantvriend.isolation import snapshot
from klantvriend.promises.models import Promise, PromiseKind
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.surveys.models import Survey
from klantvriend.surveys.services import survey_invitation_create
from klantvriend.today.selectors import SHOWN
from klantvriend.today.tests.steps import take_step
from klantvriend.web import care_responses
from klantvriend.web.care_forms import CareSettingsForm, FollowUpForm
from klantvriend.web.templatetags.care import clock_due
from klantvriend.web.tests.dutch_days import dutch_weekday
from klantvriend.web.tests.sent_forms import form_as_sent

HTMX = {"HX-Request": "true"}


def _busy_customer(business, owner, index):
    now = timezone.now()
    customer = CustomerFactory(
        business=business, marketing_consent=True, birthday=business.today().replace(year=1980)
    )
    PurchaseFactory(customer=customer)
    PromiseFactory(
        customer=customer,
        made_by=owner,
        made_at=now - timedelta(days=3),
        due_at=now - timedelta(hours=index + 1),
    )
    PromiseFactory(
        customer=customer,
        made_by=owner,
        made_at=now - timedelta(days=3),
        due_at=now + timedelta(minutes=index + 1),
    )
    ComplaintFactory(
        customer=customer, received_at=now - timedelta(hours=index), public=index % 2 == 0
    )
    FollowUpFactory(
        customer=customer, due_on=business.today() - timedelta(days=index % 3), assigned_to=owner
    )
    gesture_create(customer=customer, what=f"Worstje {index}", given_by=owner)
    ImportantDateFactory(
        customer=customer, label="APK", date=business.today().replace(year=2020) + timedelta(1)
    )
    return customer


def _at_midday_now(business):
    """The business moved to a zone where it is about noon now, so that promises due "in a few
    minutes" fall on today whatever the hour the suite runs: run near local midnight, some fell
    on tomorrow and the list of today's promises came up short."""
    hours = 12 - timezone.now().hour  # UTC+hours has its noon now
    Business.objects.filter(pk=business.pk).update(
        time_zone=f"Etc/GMT{-hours:+d}" if hours else "UTC"  # Etc/GMT-2 is UTC+2
    )
    return Business.objects.get(pk=business.pk)


def test_today_costs_a_constant_number_of_queries(
    owner_client, business, owner, django_assert_max_num_queries
):
    business = _at_midday_now(business)
    # Past the rows shown, each list is also counted: compare two sizes that are both past it.
    for index in range(SHOWN + 1):
        _busy_customer(business, owner, index)
    with django_assert_max_num_queries(40) as few:
        owner_client.get(reverse("web:today"))
    for index in range(SHOWN + 1, 25):
        _busy_customer(business, owner, index)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_client.get(reverse("web:today"))

    page = response.content.decode()
    assert response.status_code == 200
    for row in ("complaint", "follow-up"):
        assert page.count(f'id="{row}-') == SHOWN
    assert 'href="?show=complaints#' in page
    # Lists with a page of their own open it, filtered to the rows Today counts.
    assert 'href="/aftercare/?state=due" data-testid="show-all-follow_ups"' in page
    assert 'href="/promises/?agenda=overdue&amp;order=due" data-testid="show-all-overdue"' in page
    assert page.count('id="occasion-') == SHOWN
    assert page.count('data-testid="coming-date"') == SHOWN
    assert 'href="/coming-up/" data-testid="show-all-coming_up"' in page
    assert page.count('data-testid="show-all-') == 6
    assert "Toon alle 25" in page


def test_today_shows_one_list_whole_on_request(owner_client, business, owner):
    for index in range(SHOWN + 2):
        _busy_customer(business, owner, index)

    page = owner_client.get(reverse("web:today"), {"show": "complaints"}).content.decode()

    assert page.count('id="complaint-') == SHOWN + 2
    assert page.count('id="follow-up-') == SHOWN
    assert 'data-testid="show-all-complaints"' not in page
    assert 'data-testid="show-all-follow_ups"' in page
    # An unknown list name shows the page as usual.
    page = owner_client.get(reverse("web:today"), {"show": "everything"}).content.decode()
    assert page.count('id="complaint-') == SHOWN


def test_the_profile_costs_a_constant_number_of_queries(
    owner_client, business, owner, django_assert_max_num_queries
):
    customer = _busy_customer(business, owner, 0)
    url = reverse("web:customer_detail", args=[customer.pk])
    with django_assert_max_num_queries(60) as few:
        owner_client.get(url)
    now = timezone.now()
    for index in range(30):
        PromiseFactory(
            customer=customer, made_at=now - timedelta(days=3), due_at=now + timedelta(days=index)
        )
        ComplaintFactory(customer=customer, received_at=now - timedelta(days=index))
        FollowUpFactory(customer=customer, due_on=business.today() + timedelta(days=index))
        gesture_create(customer=customer, what=f"Bloemetje {index}", given_by=owner)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert owner_client.get(url).status_code == 200


def test_today_lists_breached_complaints_first_and_overdue_promises(
    owner_client, business, other_business
):
    now = timezone.now()
    customer = CustomerFactory(business=business, name="Anna de Vries")
    ComplaintFactory(customer=customer, description="Rustig aan", received_at=now)
    ComplaintFactory(
        customer=customer,
        description="Boze review",
        public=True,
        received_at=now - timedelta(hours=2),
    )
    PromiseFactory(
        customer=customer,
        description="Terugbellen over taart",
        made_at=now - timedelta(days=1),
        due_at=now - timedelta(hours=2),
    )
    stranger = CustomerFactory(business=other_business, name="Elders")
    PromiseFactory(
        customer=stranger,
        description="Niet van ons",
        made_at=now - timedelta(days=1),
        due_at=now - timedelta(hours=2),
    )

    page = owner_client.get(reverse("web:today")).content.decode()

    assert page.index("Boze review") < page.index("Rustig aan")
    assert "Terugbellen over taart" in page
    assert "Niet van ons" not in page


def test_keeping_a_promise_from_today_answers_with_its_row_and_the_figures(
    owner_client, business, owner
):
    now = timezone.now()
    promise = PromiseFactory(
        customer=CustomerFactory(business=business),
        made_at=now - timedelta(days=1),
        due_at=now - timedelta(hours=1),
    )

    response = owner_client.post(
        reverse("web:promise_keep", args=[promise.pk]), {"from": "today"}, headers=HTMX
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="promise-{promise.pk}"' in page
    assert '<section id="today-figures" class="stats" hx-swap-oob="true"' in page
    assert "0%" in page  # one promise, kept late
    promise.refresh_from_db()
    assert promise.done_at is not None
    assert AuditEvent.objects.get(action="completed").actor == owner


def test_a_step_on_today_computes_afresh_only_the_figure_it_changes(business, monkeypatch):
    computed = []

    def counted(name, compute):
        def figure(business, now):
            computed.append(name)
            return compute(business, now)

        return figure

    monkeypatch.setattr(
        care_responses,
        "TODAY_FIGURES",
        {name: counted(name, compute) for name, compute in care_responses.TODAY_FIGURES.items()},
    )
    first = care_responses.today_figures(business)
    assert computed == ["promise_trend", "complaint_figures", "coverage"]

    computed.clear()
    assert care_responses.today_figures(business) == first
    assert computed == []

    care_responses.today_figures(business, fresh=care_responses.ROW_FIGURES["promise-row"])
    care_responses.today_figures(business, fresh=care_responses.ROW_FIGURES["occasion-row"])
    assert computed == ["promise_trend"]

    # Refreshed by steps, the figure kept the moment it was computed: a minute later it is
    # computed afresh with the one the step changes.
    computed.clear()
    later = timezone.now() + timedelta(seconds=61)
    monkeypatch.setattr(care_responses.timezone, "now", lambda: later)
    care_responses.today_figures(business, fresh=care_responses.ROW_FIGURES["follow-up-row"])
    assert computed == ["promise_trend", "complaint_figures", "coverage"]


def test_today_opens_every_open_promise_the_later_ones_too(owner_client, business):
    """A butcher's Christmas orders for the 24th were on no page but each customer's card
    until the week before: the promises card had no link to them all."""
    now = timezone.now()
    PromiseFactory(
        customer=CustomerFactory(business=business),
        description="Rollade 1,5 kg",
        made_at=now - timedelta(days=1),
        due_at=now + timedelta(days=18),
    )

    today = owner_client.get(reverse("web:today")).content.decode()

    link = re.search(r'<a href="([^"]+)" data-testid="all-open-promises">([^<]+)</a>', today)
    assert link[2] == "Alle open beloften, ook die van later"
    listed = owner_client.get(link[1].replace("&amp;", "&")).content.decode()
    assert "Rollade 1,5 kg" in listed


def test_a_promise_kept_on_the_card_is_counted_on_today_at_once(owner_client, business):
    """A salon kept a promise on the customer's card: Today still said "100%" for up to a
    minute, beside the reliability page's 50%."""
    now = timezone.now()
    customer = CustomerFactory(business=business)
    on_time = PromiseFactory(customer=customer, made_at=now - timedelta(days=3))
    on_time.done_at = on_time.due_at - timedelta(minutes=5)
    on_time.done_on = business.local(on_time.done_at).date()
    on_time.save(update_fields=["done_at", "done_on"])
    late = PromiseFactory(
        customer=customer, made_at=now - timedelta(days=1), due_at=now - timedelta(hours=1)
    )

    def kept_share() -> str:
        page = owner_client.get(reverse("web:today")).content.decode()
        figures = page[page.index('id="today-figures"') :]
        return re.search(r'<span class="stat-value">([^<]*)</span>', figures)[1]

    assert kept_share() == "100%"

    owner_client.post(reverse("web:promise_keep", args=[late.pk]), headers=HTMX)

    assert kept_share() == "50%"


def test_a_promise_of_another_business_is_not_found(owner_client, other_business):
    promise = PromiseFactory(customer=CustomerFactory(business=other_business))

    response = owner_client.post(reverse("web:promise_keep", args=[promise.pk]), {"from": "today"})

    assert response.status_code == 404
    assert Promise.objects.get().done_at is None


def test_making_a_promise_on_the_profile(staff_client, business, staff_user):
    customer = CustomerFactory(business=business)
    day = open_on(business.today() + timedelta(days=2))

    response = staff_client.post(
        reverse("web:promise_add", args=[customer.pk]),
        {
            "description": "Taart bezorgen",
            "kind": "delivery",
            "due_date": day.isoformat(),
            "due_time": "14:30",
        },
        headers=HTMX,
    )

    assert response.status_code == 200
    promise = Promise.objects.get()
    assert (promise.kind, promise.made_by, promise.due_all_day) == ("delivery", staff_user, False)
    assert business.local(promise.due_at).strftime("%Y-%m-%d %H:%M") == f"{day.isoformat()} 14:30"
    assert "Taart bezorgen" in response.content.decode()


def _clocks_go_forward(after):
    """The last Sunday of March of the year after `after`: in Amsterdam 02:00-03:00 is skipped."""
    end_of_march = after.replace(year=after.year + 1, month=3, day=31)
    return end_of_march - timedelta(days=(end_of_march.weekday() - 6) % 7)


def test_a_promise_due_at_a_time_the_clocks_skip_is_refused_on_the_form(staff_client, business):
    # 02:30 on the night summer time starts never shows on a clock in Amsterdam: it was stored
    # as 03:30 without a word. The moment field ("promised at") refuses such a time already.
    customer = CustomerFactory(business=business)
    day = _clocks_go_forward(business.today())

    response = staff_client.post(
        reverse("web:promise_add", args=[customer.pk]),
        {"description": "Taart bezorgen", "kind": "delivery", "due_date": day, "due_time": "02:30"},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert (
        f"02:30 bestaat niet op {formats.date_format(day, 'DATE_FORMAT')}: die nacht gaat de klok "
        "vooruit. Kies een andere tijd."
    ) in unescape(response.content.decode())
    assert not Promise.objects.exists()


@pytest.mark.parametrize(
    ("zone", "typed"),
    [
        # Made at the first minute of the calendar: before the first moment UTC holds there.
        ("Europe/Amsterdam", {"due_date": "2026-01-01", "made_at": "0001-01-01T00:10"}),
        # Due at the end of the calendar's last day: after the last moment UTC holds there.
        ("America/New_York", {"due_date": "9999-12-31"}),
    ],
)
def test_a_promise_at_the_ends_of_the_calendar_is_refused_not_a_server_error(
    staff_client, business, zone, typed
):
    Business.objects.filter(pk=business.pk).update(time_zone=zone)
    customer = CustomerFactory(business=business)

    response = staff_client.post(
        reverse("web:promise_add", args=[customer.pk]),
        {"description": "Taart bezorgen", "kind": "delivery", **typed},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert not Promise.objects.exists()


def test_the_promise_form_asks_by_when_in_plain_dutch(staff_client, business):
    # "Klaar op" (ready on) read oddly for a callback; the lists say "uiterlijk" (at the latest).
    customer = CustomerFactory(business=business)

    page = staff_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    assert '<label for="promise-due_date">Uiterlijk op <span class="required"' in page
    assert "Klaar op" not in page


def test_a_promise_due_before_it_was_made_is_refused_on_the_form(owner_client, business):
    customer = CustomerFactory(business=business)
    yesterday = business.today() - timedelta(days=1)

    response = owner_client.post(
        reverse("web:promise_add", args=[customer.pk]),
        {"description": "Offerte sturen", "kind": "quote", "due_date": yesterday.isoformat()},
        headers=HTMX,
    )

    assert response.status_code == 422
    # Made now (the moment left empty): the day typed has passed, not "before it was made";
    # and a promise written down afterwards says when it was made
    with translation.override("nl"):
        day = moment_shown(yesterday, "SHORT")
    assert response.context["promise_form"].errors["due_date"] == [
        f"Het afgesproken moment, {day}, is al voorbij: kies een moment dat nog komt. Achteraf "
        "opgeschreven? Vul dan ook in wanneer het beloofd is."
    ]
    assert 'name="confirm_due"' not in response.content.decode()
    assert Promise.objects.count() == 0


def test_a_promise_written_down_after_its_moment_is_asked_about_then_saved(owner_client, business):
    """A callback promised on Monday for Monday afternoon, written down on Wednesday: saved
    without a word it stood "over tijd", then "gebroken", where a date typed wrong was never
    noticed. The form asks first, saying what saving it does; ticked, it is saved."""
    customer = CustomerFactory(business=business)
    two_days_ago = business.today() - timedelta(days=2)
    typed = {
        "description": "Terugbellen over de offerte",
        "kind": "callback",
        "due_date": two_days_ago.isoformat(),
        "due_time": "16:00",
        "made_at": f"{two_days_ago.isoformat()}T10:00",
    }
    url = reverse("web:promise_add", args=[customer.pk])
    before = snapshot()

    asked = owner_client.post(url, typed, headers=HTMX)

    due = datetime.combine(two_days_ago, time(16, 0), tzinfo=business.tzinfo)
    with translation.override("nl"):
        shown = moment_shown(due, "SHORT", zone=business.tzinfo)
    assert asked.status_code == 422
    assert asked.context["promise_form"].errors["due_date"] == [
        f"Het afgesproken moment, {shown}, is al voorbij: zo opgeslagen is de belofte meteen "
        "over tijd. Verkeerd getypt? Kies het moment dat nog komt. Achteraf opgeschreven? Vink "
        "“Toch vastleggen” aan, of “Al op tijd nagekomen” als de belofte op tijd is nagekomen."
    ]
    page = asked.content.decode()
    assert 'name="confirm_due"' in page
    assert 'name="kept_on_time"' in page
    # Said once, by the field: not again in the advice under the form
    assert 'data-testid="promise-gone-by"' not in page
    assert snapshot() == before

    saved = owner_client.post(url, {**typed, "confirm_due": "on"}, headers=HTMX)

    assert saved.status_code == 200
    promise = Promise.objects.get()
    assert (promise.due_at, promise.made_at) == (
        due,
        datetime.combine(two_days_ago, time(10, 0), tzinfo=business.tzinfo),
    )


def test_a_promise_written_down_afterwards_is_saved_kept_on_time(owner_client, business):
    """Kept on time, and written down two days later: "Done" then counted it kept late."""
    customer = CustomerFactory(business=business)
    two_days_ago = business.today() - timedelta(days=2)

    saved = owner_client.post(
        reverse("web:promise_add", args=[customer.pk]),
        {
            "description": "Terugbellen over de offerte",
            "kind": "callback",
            "due_date": two_days_ago.isoformat(),
            "due_time": "16:00",
            "made_at": f"{two_days_ago.isoformat()}T10:00",
            "kept_on_time": "on",
        },
        headers=HTMX,
    )

    assert saved.status_code == 200
    promise = Promise.objects.get()
    due = datetime.combine(two_days_ago, time(16, 0), tzinfo=business.tzinfo)
    assert (promise.due_at, promise.done_at, promise.done_on) == (due, due, two_days_ago)
    assert AuditEvent.objects.filter(action="completed", object_id=promise.pk).count() == 1


def test_a_repair_kept_long_ago_and_written_down_afterwards_plans_no_call_gone_by(
    owner_client, business, django_capture_on_commit_callbacks
):
    """Kept on time a month ago and written down now: its call a week after was planned for a
    day gone by, and listed as missed at once. One whose call's day went by within a week is
    planned for today (the next open day) instead: a garage typing in last week's repairs
    found no call planned for any of them."""
    customer = CustomerFactory(business=business)
    day = business.today() - timedelta(days=30)
    sent = {
        "kind": "repair",
        "due_date": day.isoformat(),
        "made_at": f"{(day - timedelta(days=1)).isoformat()}T10:00",
        "kept_on_time": "on",
    }
    url = reverse("web:promise_add", args=[customer.pk])

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url, {**sent, "description": "Remblokken vervangen"}, headers=HTMX)
        # Kept three days ago, its call in four days' time is planned as ever
        owner_client.post(
            url,
            {
                **sent,
                "description": "Koppeling nakijken",
                "due_date": (business.today() - timedelta(days=3)).isoformat(),
            },
            headers=HTMX,
        )
        # Kept ten days ago, its call's day went by three days ago: today's
        owner_client.post(
            url,
            {
                **sent,
                "description": "Uitlaat vervangen",
                "due_date": (business.today() - timedelta(days=10)).isoformat(),
            },
            headers=HTMX,
        )

    assert sorted(FollowUp.objects.values_list("promise__description", "due_on")) == [
        ("Koppeling nakijken", open_on(business.today() + timedelta(days=4))),
        ("Uitlaat vervangen", open_on(business.today())),
    ]


def test_a_promise_for_the_day_kept_on_time_afterwards_shows_its_day_not_a_time(
    owner_client, business
):
    """Kept on time on its day, a promise for the day is set kept at that day's end: the card
    read "gedaan za 5 dec 23:59", a time nobody kept it at."""
    customer = CustomerFactory(business=business)
    day = business.today() - timedelta(days=3)

    owner_client.post(
        reverse("web:promise_add", args=[customer.pk]),
        {
            "description": "Jaarstukken opsturen",
            "kind": "delivery",
            "due_date": day.isoformat(),
            "made_at": f"{(day - timedelta(days=1)).isoformat()}T10:00",
            "kept_on_time": "on",
        },
        headers=HTMX,
    )

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    listed = owner_client.get(reverse("web:promise_list") + "?status=kept").content.decode()
    with translation.override("nl"):
        shown = moment_shown(day, "SHORT")
    assert Promise.objects.get().done_on == day
    assert "23:59" not in page + listed
    assert f'<td class="hide-small hide-medium">{shown}</td>' in listed


def test_a_promise_for_today_or_to_come_is_not_asked_about_the_moment(owner_client, business):
    customer = CustomerFactory(business=business)
    yesterday = business.today() - timedelta(days=1)
    tomorrow = open_on(business.today() + timedelta(days=1))

    for due_date in (business.today(), tomorrow):
        response = owner_client.post(
            reverse("web:promise_add", args=[customer.pk]),
            {
                "description": "Bestelling klaarzetten",
                "kind": "order_ready",
                "due_date": due_date.isoformat(),
                "made_at": f"{yesterday.isoformat()}T09:00",
            },
            headers=HTMX,
        )
        assert response.status_code == 200

    assert sorted(promise.due_on for promise in Promise.objects.all()) == [
        business.today(),
        tomorrow,
    ]


@pytest.mark.parametrize("made_at", ["", "T08:00"])
def test_the_advice_says_when_the_moment_has_gone_by(owner_client, business, made_at):
    yesterday = business.today() - timedelta(days=1)

    response = owner_client.get(
        reverse("web:promise_advice"),
        {
            "kind": "repair",
            "due_date": yesterday.isoformat(),
            "due_time": "17:00",
            "made_at": made_at and f"{yesterday.isoformat()}{made_at}",
        },
        headers=HTMX,
    )

    with translation.override("nl"):
        due = formats.date_format(
            datetime.combine(yesterday, time(17, 0)), "WEEKDAY_DATETIME_FORMAT"
        )
    said = " ".join(re.sub(r"<[^>]+>", "", response.content.decode()).split())
    assert response.status_code == 200
    assert said == (
        f"Het afgesproken moment, {due}, is al voorbij: is dat het moment dat je bedoelt?"
        if made_at
        else f"Het afgesproken moment, {due}, is al voorbij. Achteraf opgeschreven? Vul dan ook "
        "in wanneer het beloofd is."
    )


def test_the_advice_stays_under_a_promise_form_sent_back_with_an_error(owner_client, business):
    """The advice came only when a field changed: a form sent back refused lost it, while the
    due moment it speaks of was still filled in."""
    customer = CustomerFactory(business=business)
    # The next day the shop is open: on a Saturday, tomorrow is the closed Sunday, which the
    # advice says first.
    tomorrow = next_working_day(
        business.today() + timedelta(days=1), working_days=care_settings(business).working_days
    ).isoformat()

    response = owner_client.post(
        reverse("web:promise_add", args=[customer.pk]),
        {"description": "", "kind": "repair", "due_date": tomorrow},
        headers=HTMX,
    )

    page = response.content.decode()
    advice = re.search(r'<div id="promise-advice" aria-live="polite">(.*?)</div>', page, re.S)
    assert response.status_code == 422
    assert " ".join(re.sub(r"<[^>]+>", "", advice[1]).split()) == (
        "Nog te weinig geschiedenis voor advies over “reparatie”: 0 eerdere beloften. "
        "Advies vanaf 10."
    )
    assert Promise.objects.count() == 0


def test_no_advice_under_a_promise_form_sent_back_without_a_due_date(owner_client, business):
    customer = CustomerFactory(business=business)

    response = owner_client.post(
        reverse("web:promise_add", args=[customer.pk]),
        {"description": "Offerte sturen", "kind": "quote", "due_date": ""},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert '<div id="promise-advice" aria-live="polite"></div>' in response.content.decode()
    assert Promise.objects.count() == 0


def test_the_advice_says_when_history_is_too_short(owner_client, business):
    response = owner_client.get(
        reverse("web:promise_advice"),
        {"kind": "repair", "due_date": (business.today() + timedelta(days=2)).isoformat()},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert (
        "Nog te weinig geschiedenis voor advies over “reparatie”: 0 eerdere beloften."
        in response.content.decode()
    )


@pytest.mark.parametrize("closed_weekday", [6, 0])
def test_the_advice_says_when_the_due_day_is_a_closed_day(
    owner_client, business, owner, closed_weekday
):
    """A salon's staff planned a call for the closed Sunday, saved without a word; a salon
    closed on Monday (its own hours for each day) is warned of Monday."""
    if closed_weekday == 0:
        care_settings_update(business=business, actor=owner, opening_hours=SALON)
    today = business.today()
    closed_day = today + timedelta(days=(closed_weekday - today.weekday()) % 7 or 7)
    # The day after: Monday after the closed Sunday; Tuesday after the salon's closed Monday.
    next_open = closed_day + timedelta(days=1)

    def advice(day):
        return owner_client.get(
            reverse("web:promise_advice"),
            {"kind": "callback", "due_date": day.isoformat()},
            headers=HTMX,
        ).content.decode()

    closed, open_day = advice(closed_day), advice(next_open)

    shown = dutch_weekday(closed_day, "\xa0")
    assert (f"Volgens de openingstijden is de zaak dicht op {shown}: bedoel je die dag?") in closed
    assert 'data-testid="promise-closed-day"' not in open_day


def test_the_advice_asks_about_a_time_the_shop_is_closed_on_an_open_day(
    owner_client, business, owner
):
    """A garage open 8:00 to 17:30 with a lunch hour: "ready Friday 19:00" was advised on
    without a word of its closing."""
    garage = DayHours(time(8), time(17, 30), time(12, 30), time(13, 0))
    care_settings_update(business=business, actor=owner, opening_hours=[*[garage] * 5, None, None])
    today = business.today()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)

    def advice(**times):
        return owner_client.get(
            reverse("web:promise_advice"),
            {"kind": "repair", "due_date": friday.isoformat(), **times},
            headers=HTMX,
        ).content.decode()

    shown = {
        at: 'data-testid="promise-closed-time"' in advice(due_time=at)
        for at in ("19:00", "07:45", "12:45", "08:00", "17:30", "15:00")
    }

    assert shown == {
        "19:00": True,
        "07:45": True,
        "12:45": True,
        "08:00": False,
        "17:30": False,
        "15:00": False,
    }
    day = dutch_weekday(friday, "\xa0")
    assert (
        f"Volgens de openingstijden is de zaak op {day} om 19:00 dicht: bedoel je dat tijdstip?"
    ) in advice(due_time="19:00")
    assert 'data-testid="promise-closed-time"' not in advice()  # some time that day


def test_the_advice_gives_the_chance_from_history(owner_client, business):
    customer = CustomerFactory(business=business)
    now = timezone.now()
    for index in range(10):
        made = now - timedelta(days=30, hours=index)
        PromiseFactory(
            customer=customer,
            kind=PromiseKind.REPAIR,
            made_at=made,
            due_at=made + timedelta(days=1),
            done_at=made + timedelta(hours=20 if index < 7 else 40),
        )

    response = owner_client.get(
        reverse("web:promise_advice"),
        {
            "kind": "repair",
            "due_date": business.local(now + timedelta(days=1)).date().isoformat(),
            "due_time": business.local(now + timedelta(days=1)).strftime("%H:%M"),
        },
        headers=HTMX,
    )

    page = response.content.decode()
    # Said as a shopkeeper reads it: how often the earlier promises of the kind made about as
    # far ahead were kept on time (not "you had 'repair' ... on time ready"); the three late
    # ones were 16 hours late, so a moment 16 hours on makes it every time.
    assert (
        "Van de 10 eerdere beloften “reparatie” die 1\xa0dag vooruit beloofd werden, werd 70% "
        "op tijd nagekomen."
    ) in page
    assert "je haalt het in 100% van de gevallen" in page


def test_the_advice_says_in_english_how_often_earlier_promises_were_done_in_time(
    owner_client, owner, business
):
    customer = CustomerFactory(business=business)
    now = timezone.now()
    for index in range(10):
        made = now - timedelta(days=30, hours=index)
        PromiseFactory(
            customer=customer,
            kind=PromiseKind.REPAIR,
            made_at=made,
            due_at=made + timedelta(days=1),
            done_at=made + timedelta(hours=20 if index < 7 else 40),
        )
    account_language_set(user=owner, language="en")

    response = owner_client.get(
        reverse("web:promise_advice"),
        {
            "kind": "repair",
            "due_date": business.local(now + timedelta(days=1)).date().isoformat(),
            "due_time": business.local(now + timedelta(days=1)).strftime("%H:%M"),
        },
        headers=HTMX,
    )

    # Not "You finished 'repair' on time 70% of the time within 1 d.", which said "on time"
    # and "within" of one span.
    assert (
        "Of the 10 earlier “repair” promises made 1\xa0day ahead, 70% were kept on time."
    ) in response.content.decode()


def test_the_advice_says_how_far_ahead_its_promises_were_made_in_whole_units(
    owner_client, business
):
    # Leads from 51 min to 20 hours 6 min were said to the minute: "51 min tot 20 uur 6 min".
    customer = CustomerFactory(business=business)
    now = timezone.now()
    leads = [timedelta(minutes=51)] + [timedelta(hours=hours) for hours in range(2, 10)]
    for index, lead in enumerate([*leads, timedelta(hours=20, minutes=6)]):
        made = now - timedelta(days=30 + index)
        PromiseFactory(
            customer=customer,
            kind=PromiseKind.REPAIR,
            made_at=made,
            due_at=made + lead,
            done_at=made + lead,
        )
    due = business.local(now + timedelta(hours=5))

    response = owner_client.get(
        reverse("web:promise_advice"),
        {"kind": "repair", "due_date": due.date().isoformat(), "due_time": due.strftime("%H:%M")},
        headers=HTMX,
    )

    assert (
        "Van de 10 eerdere beloften “reparatie” die 51\xa0min tot 21\xa0uur vooruit beloofd "
        "werden, werd 100% op tijd nagekomen."
    ) in response.content.decode()


def test_the_advice_suggests_a_day_as_every_page_writes_one(owner_client, business):
    # A day suggested for a promise "some time that day" read "vrijdag 11 december", where a
    # moment read "vr 11 dec 11:00".
    customer = CustomerFactory(business=business)
    now = timezone.now()
    # Promised a week ahead, kept two days late. A week, not three days: the day to have it
    # ready by was then today on a Saturday, gone once the shop had closed (ready_in_time).
    for index in range(10):
        made = now - timedelta(days=30 + index)
        PromiseFactory(
            customer=customer,
            kind=PromiseKind.REPAIR,
            made_at=made,
            due_at=made + timedelta(days=7),
            done_at=made + timedelta(days=9),
        )
    due = open_on(business.today() + timedelta(days=7))

    with translation.override("nl"):
        response = owner_client.get(
            reverse("web:promise_advice"),
            {"kind": "repair", "due_date": due.isoformat()},
            headers=HTMX,
        )
        advice = response.context["advice"]

        def shown(moment):
            day = formats.date_format(business.local(moment).date(), "WEEKDAY_DATE_FORMAT")
            return day.replace(" ", "\xa0")

    assert advice.suggested_due_at is not None
    page = response.content.decode()
    assert f"Beloof {shown(advice.suggested_due_at)} en je haalt het" in page
    # For a customer who needs it on that day all the same: when to have it ready instead
    assert advice.ready_in_time
    assert (
        f'<span class="advice-ready-by" data-testid="ready-by">Heeft de klant het toch echt op {shown(advice.due_at)} '
        f"nodig? Zorg dan dat het uiterlijk {shown(advice.ready_by)} klaar is.</span>"
    ) in page


def test_the_profile_says_the_year_of_a_complaint_and_a_promise_of_long_ago(owner_client, business):
    # "ma 1 jan 10:00" on the card, for a complaint of another year, read as this year's.
    customer = CustomerFactory(business=business)
    long_ago = timezone.now() - timedelta(days=400)
    recent = timezone.now() - timedelta(days=2)
    ComplaintFactory(customer=customer, received_at=long_ago, description="Oud")
    ComplaintFactory(customer=customer, received_at=recent, description="Nieuw")
    PromiseFactory(
        customer=customer, made_at=long_ago - timedelta(days=1), due_at=long_ago, done_at=long_ago
    )

    with translation.override("nl"):
        response = owner_client.get(reverse("web:customer_detail", args=[customer.pk]))
        local, near = business.local(long_ago), business.local(recent)
        dated = formats.date_format(local, "SHORT_DATETIME_FORMAT").replace(" ", "\xa0")
        weekday = formats.date_format(near, "WEEKDAY_DATETIME_FORMAT").replace(" ", "\xa0")

    page = response.content.decode()
    assert f"{dated} · " in page  # the complaint, with its year
    assert f"gedaan {dated}" in page  # the promise kept then
    assert f"{weekday} · " in page  # this week's, with its weekday


def test_logging_answering_and_resolving_a_complaint_on_the_profile(owner_client, business, owner):
    customer = CustomerFactory(business=business)

    owner_client.post(
        reverse("web:complaint_add", args=[customer.pk]),
        {
            "description": "Review: te lang gewacht",
            "channel": "review_site",
            "severity": "high",
            "driver": "reliability",
        },
        headers=HTMX,
    )
    complaint = Complaint.objects.get()
    owner_client.post(reverse("web:complaint_respond", args=[complaint.pk]), headers=HTMX)
    response = owner_client.post(
        reverse("web:complaint_resolve", args=[complaint.pk]),
        {"resolution": "Excuses en een taart", "satisfaction_after": "4"},
        headers=HTMX,
    )

    assert response.status_code == 200
    complaint.refresh_from_db()
    assert complaint.public is True
    assert (complaint.resolution, complaint.satisfaction_after) == ("Excuses en een taart", 4)
    # The score asked afterwards is on the card, with how it was resolved.
    assert (
        '<span class="subtle">Excuses en een taart · <span data-testid="satisfaction-after">'
        "tevredenheid na afloop: 4/5</span></span>"
    ) in response.content.decode()
    assert list(
        AuditEvent.objects.filter(object_type="complaint")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "created",
        "responded",
        "resolved",
    ]


@pytest.mark.django_db(transaction=True)  # the follow-up is planned after the commit
def test_resolving_a_complaint_from_today_says_when_its_aftercare_is_planned(
    staff_client, business
):
    # Today's row said only "resolved": whoever resolved it at the counter did not learn that
    # a check whether the customer is content again was planned, nor when.
    complaint = ComplaintFactory(customer=CustomerFactory(business=business))

    response = staff_client.post(
        reverse("web:complaint_resolve", args=[complaint.pk]),
        {"from": "today", "resolution": "Nieuw pond gehakt meegegeven"},
        headers=HTMX,
    )

    follow_up = FollowUp.objects.get(complaint=complaint)
    with translation.override("nl"):
        # On one line on the page: no-break spaces.
        day = formats.date_format(follow_up.due_on, "WEEKDAY_DATE_FORMAT").replace(" ", "\xa0")
    assert response.status_code == 200
    assert (
        f'<span class="done-note">✓ opgelost · nazorg gepland voor {day}</span>'
        in response.content.decode()
    )


def _log_complaint(client, customer, **fields):
    """Posts the profile's complaint form as a browser sends it: an unticked box is left out."""
    return client.post(
        reverse("web:complaint_add", args=[customer.pk]),
        {"severity": "medium", "driver": "other", **fields},
        headers=HTMX,
    )


def test_the_complaint_form_ticks_answered_on_the_spot_for_the_counter(staff_client, business):
    customer = CustomerFactory(business=business)

    page = staff_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    assert '<option value="counter" selected>in de zaak</option>' in page
    assert (
        '<input type="checkbox" name="answered_on_the_spot" data-ticked-for-channel="counter" '
        'aria-describedby="complaint-answered_on_the_spot_helptext" '
        'id="complaint-answered_on_the_spot" checked> '
        '<label for="complaint-answered_on_the_spot">Ter plekke beantwoord</label>'
    ) in page
    # A call is answered on the spot too, but not always (a voicemail): ticked by hand, said so.
    assert ("In de zaak staat het vinkje er vanzelf; zet het zelf bij een telefoongesprek.") in page
    # Ticked by app.js for the channels saved as public anyway.
    assert (
        '<input type="checkbox" name="public" data-ticked-for-channel="review_site social_media" '
        'aria-describedby="complaint-public_helptext" id="complaint-public"> '
        '<label for="complaint-public">Openbaar (sociale media, reviewsite)</label>'
    ) in page


def test_a_complaint_answered_at_the_counter_is_not_waiting_for_an_answer_on_today(
    staff_client, business, staff_user
):
    customer = CustomerFactory(business=business, name="Bas Jansen")

    response = _log_complaint(
        staff_client,
        customer,
        description="Gehakt was grijs",
        channel="counter",
        answered_on_the_spot="on",
    )

    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.first_response_at == complaint.received_at
    assert complaint.resolved_at is None
    assert list(AuditEvent.objects.order_by("id").values_list("action", "actor", "object_id")) == [
        ("created", staff_user.pk, complaint.pk),
        ("responded", staff_user.pk, complaint.pk),
    ]
    today = staff_client.get(reverse("web:today")).content.decode()
    # Still to be resolved, so on Today, but answered: no "Answered" button, no response clock.
    row = today[today.index(f'id="complaint-{complaint.pk}"') :]
    row = row[: row.index("</li>")]
    assert '<span class="badge">beantwoord, niet opgelost</span>' in row
    assert reverse("web:complaint_respond", args=[complaint.pk]) not in today
    assert "wacht op eerste reactie" not in today
    assert (
        '<span class="stat-value">100%</span>'
        '<span class="stat-label">klachten op tijd beantwoord (90 dagen)</span>'
    ) in today
    assert (
        '<span class="stat-value">0</span><span class="stat-label">klachten te laat</span>'
    ) in today


def test_a_complaint_logged_with_the_box_unticked_waits_for_its_answer(staff_client, business):
    customer = CustomerFactory(business=business)

    _log_complaint(staff_client, customer, description="Telefoon niet opgenomen", channel="phone")

    complaint = Complaint.objects.get()
    assert complaint.first_response_at is None
    today = staff_client.get(reverse("web:today")).content.decode()
    assert '<span class="badge">wacht op eerste reactie</span>' in today
    assert reverse("web:complaint_respond", args=[complaint.pk]) in today


def test_an_email_complaint_answered_on_the_spot_is_refused_next_to_the_box(staff_client, business):
    customer = CustomerFactory(business=business)

    response = _log_complaint(
        staff_client,
        customer,
        description="Mail over de rekening",
        channel="email",
        answered_on_the_spot="on",
    )

    assert response.status_code == 422
    page = response.content.decode()
    # The form stays open with what was typed and the message under the box.
    assert '<details class="record-form" id="new-complaint" open>' in page
    assert "Mail over de rekening</textarea>" in page
    assert (
        '<p class="error" id="complaint-answered_on_the_spot_error" role="alert">'
        "Alleen een klacht die persoonlijk of telefonisch binnenkwam, kan ter plekke "
        "beantwoord zijn; deze kwam via e-mail.</p>"
    ) in page
    assert Complaint.objects.count() == 0
    assert AuditEvent.objects.filter(object_type="complaint").count() == 0


@pytest.mark.django_db(transaction=True)  # the gesture is logged after the commit
@pytest.mark.parametrize(
    ("language", "offered", "label"),
    [
        ("nl", "Aangeboden: Gratis dessert bij de volgende bestelling", "Goedmakertje aangeboden"),
        ("en", "Offered: Gratis dessert bij de volgende bestelling", "Recovery gesture offered"),
    ],
)
def test_a_gesture_offered_on_the_phone_is_kept_and_logged_once_when_resolved(
    staff_client, owner_client, business, staff_user, owner, language, offered, label
):
    # On the phone the gesture is offered before anything is resolved: it had no place but the
    # gesture form, unlinked, and writing it again when resolving logged it twice.
    account_language_set(user=staff_user, language=language)
    customer = CustomerFactory(business=business)
    form = staff_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    assert f'<label for="complaint-recovery_gesture">{label}</label>' in form

    response = _log_complaint(
        staff_client,
        customer,
        description="Catering kwam te laat en koud",
        channel="phone",
        answered_on_the_spot="on",
        recovery_gesture="  Gratis dessert bij de volgende bestelling ",
    )

    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert (complaint.recovery_gesture, complaint.resolved_at) == (
        "Gratis dessert bij de volgende bestelling",
        None,
    )
    page = response.content.decode()
    assert f'<span class="subtle" data-testid="gesture-offered">{offered}</span>' in page
    # Not given yet: nothing among the gestures until it is resolved.
    assert Gesture.objects.count() == 0
    # Whoever resolves it finds it filled in, and resolving logs it once.
    assert (
        f'<input type="text" name="recovery_gesture" value="Gratis dessert bij de volgende '
        f'bestelling" maxlength="300" aria-describedby="resolve-{complaint.pk}-recovery_gesture'
        f'_helptext" id="resolve-{complaint.pk}-recovery_gesture">'
    ) in page
    owner_client.post(
        reverse("web:complaint_resolve", args=[complaint.pk]),
        {
            "resolution": "Excuses gemaakt",
            "recovery_gesture": "Gratis dessert bij de volgende bestelling",
        },
        headers=HTMX,
    )
    assert list(Gesture.objects.values_list("what", "occasion", "complaint")) == [
        ("Gratis dessert bij de volgende bestelling", "complaint_recovery", complaint.pk)
    ]


def test_a_gesture_offered_and_cleared_when_resolving_is_not_logged(owner_client, business):
    """The resolve form comes filled in with the offer; one who empties it says nothing was
    given, and the offer was logged all the same."""
    complaint = ComplaintFactory(
        customer=CustomerFactory(business=business), recovery_gesture="Gratis dessert"
    )

    response = owner_client.post(
        reverse("web:complaint_resolve", args=[complaint.pk]),
        {"resolution": "Excuses gemaakt", "recovery_gesture": "  "},
        headers=HTMX,
    )

    complaint.refresh_from_db()
    assert response.status_code == 200
    assert (complaint.resolution, complaint.recovery_gesture) == ("Excuses gemaakt", "")
    assert Gesture.objects.count() == 0


def test_a_complaint_resolved_at_the_table_and_written_down_the_next_morning_keeps_its_evening(
    owner_client, business, django_capture_on_commit_callbacks
):
    """A restaurant settled a cold steak at the table with a free dessert and resolved it on
    the card the next morning: the complaint and the gesture read 06:19, after the bill."""
    evening = datetime.combine(
        business.today() - timedelta(days=1), time(21), tzinfo=business.tzinfo
    )
    complaint = ComplaintFactory(
        customer=CustomerFactory(business=business),
        received_at=evening,
        description="Biefstuk was koud",
    )
    url = reverse("web:complaint_resolve", args=[complaint.pk])
    page = owner_client.get(reverse("web:customer_detail", args=[complaint.customer_id]))
    assert f'<label for="resolve-{complaint.pk}-resolved_at">Opgelost op</label>' in (
        page.content.decode()
    )
    values = {"resolution": "Nieuwe biefstuk", "recovery_gesture": "Gratis dessert"}

    refused = owner_client.post(
        url, {**values, "resolved_at": f"{business.local(evening).date()}T20:45"}, headers=HTMX
    )

    assert refused.status_code == 422
    assert "Dit ligt vóór het moment waarop de klacht binnenkwam:" in refused.content.decode()
    complaint.refresh_from_db()
    assert (complaint.resolved_at, complaint.resolution) == (None, "")
    assert Gesture.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):  # the gesture is logged after it
        response = owner_client.post(
            url,
            {**values, "resolved_at": f"{business.local(evening).date()}T21:20"},
            headers=HTMX,
        )

    assert response.status_code == 200
    complaint.refresh_from_db()
    settled = evening + timedelta(minutes=20)
    assert (complaint.resolved_at, complaint.first_response_at) == (settled, settled)
    assert list(Gesture.objects.values_list("what", "given_at")) == [("Gratis dessert", settled)]


def test_an_offer_corrected_meanwhile_is_not_written_back_by_a_resolve_form_left_as_shown(
    owner_client, business
):
    complaint = ComplaintFactory(
        customer=CustomerFactory(business=business), recovery_gesture="Gratis dessert"
    )
    page = owner_client.get(reverse("web:customer_detail", args=[complaint.customer_id]))
    sent = form_as_sent(page, having="resolution")
    assert (sent["recovery_gesture"], sent["offered"]) == ("Gratis dessert", "Gratis dessert")
    # A colleague corrects the offer on the complaint's page meanwhile.
    Complaint.objects.filter(pk=complaint.pk).update(recovery_gesture="Gratis fles wijn")

    owner_client.post(
        reverse("web:complaint_resolve", args=[complaint.pk]),
        {**sent, "resolution": "Excuses gemaakt"},
        headers=HTMX,
    )
    # And one who typed another offer over it gave that one.
    other = ComplaintFactory(
        customer=CustomerFactory(business=business), recovery_gesture="Gratis dessert"
    )
    page = owner_client.get(reverse("web:customer_detail", args=[other.customer_id]))
    owner_client.post(
        reverse("web:complaint_resolve", args=[other.pk]),
        {
            **form_as_sent(page, having="resolution"),
            "resolution": "Excuses gemaakt",
            "recovery_gesture": "Bos bloemen",
        },
        headers=HTMX,
    )

    assert list(Complaint.objects.order_by("pk").values_list("resolution", "recovery_gesture")) == [
        ("Excuses gemaakt", "Gratis fles wijn"),
        ("Excuses gemaakt", "Bos bloemen"),
    ]


def test_another_offer_typed_over_one_corrected_meanwhile_is_refused_until_checked(
    owner_client, business
):
    """Anna changes the offer from a dessert to a bottle of wine on the complaint's page while
    Bert, resolving it, types flowers over the dessert: his would silently replace hers. He is
    told what it is now, nothing is stored, and saving again gives what he typed."""
    complaint = ComplaintFactory(
        customer=CustomerFactory(business=business), recovery_gesture="Gratis dessert"
    )
    page = owner_client.get(reverse("web:customer_detail", args=[complaint.customer_id]))
    sent = {
        **form_as_sent(page, having="resolution"),
        "resolution": "Excuses gemaakt",
        "recovery_gesture": "Bos bloemen",
    }
    Complaint.objects.filter(pk=complaint.pk).update(recovery_gesture="Gratis fles wijn")
    before = snapshot()
    url = reverse("web:complaint_resolve", args=[complaint.pk])

    response = owner_client.post(url, sent, headers=HTMX)

    assert response.status_code == 422
    page = response.content.decode()
    assert (
        "Intussen heeft iemand het goedmakertje veranderd in “Gratis fles wijn”. Kijk welk "
        "er gegeven is en sla opnieuw op."
    ) in page
    assert snapshot() == before
    again = form_as_sent(response, having="resolution")
    assert (again["recovery_gesture"], again["offered"]) == ("Bos bloemen", "Gratis fles wijn")

    owner_client.post(url, {**again, "resolution": "Excuses gemaakt"}, headers=HTMX)

    assert Complaint.objects.values_list("resolution", "recovery_gesture").get() == (
        "Excuses gemaakt",
        "Bos bloemen",
    )


def test_a_refused_complaint_keeps_the_gesture_offered_and_stores_nothing(staff_client, business):
    customer = CustomerFactory(business=business)

    response = _log_complaint(
        staff_client,
        customer,
        description="",
        channel="phone",
        recovery_gesture="Gratis dessert",
    )
    too_long = _log_complaint(
        staff_client,
        customer,
        description="Koud eten",
        channel="phone",
        recovery_gesture="x" * 301,
    )

    assert (response.status_code, too_long.status_code) == (422, 422)
    assert 'name="recovery_gesture" value="Gratis dessert"' in response.content.decode()
    assert (
        '<p class="error" id="complaint-recovery_gesture_error" role="alert">'
        "Zorg dat deze waarde niet meer dan 300 tekens bevat (het zijn er nu 301).</p>"
    ) in too_long.content.decode()
    assert Complaint.objects.count() == 0
    assert Gesture.objects.count() == 0
    assert AuditEvent.objects.filter(object_type="complaint").count() == 0


def test_not_content_from_today_opens_a_complaint(owner_client, business):
    follow_up = FollowUpFactory(customer=CustomerFactory(business=business), note="Smaakte het?")

    response = owner_client.post(
        reverse("web:follow_up_outcome", args=[follow_up.pk]),
        {"from": "today", "outcome": "not_content"},
        headers=HTMX,
    )

    assert response.status_code == 200
    follow_up.refresh_from_db()
    assert follow_up.raised_complaint == Complaint.objects.get()


def test_not_needed_from_today_closes_the_follow_up_and_offers_undo(owner_client, business):
    follow_up = FollowUpFactory(
        customer=CustomerFactory(business=business), note="Is alles naar wens na: rouwstuk?"
    )
    today = owner_client.get(reverse("web:today")).content.decode()
    assert (
        'data-testid="not-needed" type="submit" name="outcome" value="not_needed">Niet nodig<'
        in (today)
    )

    response = owner_client.post(
        reverse("web:follow_up_outcome", args=[follow_up.pk]),
        {"from": "today", "outcome": "not_needed"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert 'data-testid="undo"' in response.content.decode()
    follow_up.refresh_from_db()
    assert (follow_up.outcome, follow_up.raised_complaint) == ("not_needed", None)
    assert Complaint.objects.count() == 0


# One word for one thing in English too: Today said "Follow-ups" where the profile and the menu
# say "Aftercare" (Dutch says "Nazorg" in all three).
@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("nl", ["Klachten", "Beloften", "Nazorg", "Wegglippers", "Te vieren", "Binnenkort"]),
        (
            "en",
            ["Complaints", "Promises", "Aftercare", "Slipping away", "To celebrate", "Coming up"],
        ),
    ],
)
def test_today_opens_with_a_line_that_jumps_to_each_card_with_its_count(
    staff_client, staff_user, business, language, labels
):
    account_language_set(user=staff_user, language=language)
    ComplaintFactory(customer=CustomerFactory(business=business))
    ComplaintFactory(customer=CustomerFactory(business=business))
    FollowUpFactory(customer=CustomerFactory(business=business))

    page = staff_client.get(reverse("web:today")).content.decode()

    jump = page.split('data-testid="today-jump">')[1].split("</nav>")[0]
    links = re.findall(
        r'<a href="#([\w-]+)"( class="nothing")?>([^<]+) <span class="count">(\d+)</span></a>',
        jump,
    )
    assert [(label, count, quiet) for _anchor, quiet, label, count in links] == [
        (labels[0], "2", ""),
        (labels[1], "0", ' class="nothing"'),
        (labels[2], "1", ""),
        (labels[3], "0", ' class="nothing"'),
        (labels[4], "0", ' class="nothing"'),
        (labels[5], "0", ' class="nothing"'),
    ]
    # Each jump lands on its card's heading, whose count it repeats.
    for anchor, _quiet, _label, count in links:
        assert re.search(
            rf'<h2 id="{anchor}">[^<]+ <span class="count">{count}</span></h2>', page
        ), anchor


def test_a_quotes_follow_up_on_today_asks_for_the_decision(owner_client, business):
    follow_up = FollowUpFactory(
        customer=CustomerFactory(business=business, name="Henk Bos"),
        reason=Reason.QUOTE,
        note="Heeft de klant al besloten over de offerte: Distributieriem Golf?",
    )
    care = FollowUpFactory(customer=CustomerFactory(business=business, name="Ina Vos"))

    page = owner_client.get(reverse("web:today")).content.decode()

    rows = page.split('data-testid="today-follow-ups"')[1].split("</ul>")[0]
    quote_row = rows.split(f'id="follow-up-{follow_up.pk}"')[1].split("</li>")[0]
    care_row = rows.split(f'id="follow-up-{care.pk}"')[1].split("</li>")[0]
    assert re.findall(r'name="outcome" value="(\w+)">([^<]+)<', quote_row) == [
        ("accepted", "Aangenomen"),
        ("declined", "Afgewezen"),
        ("still_deciding", "Denkt nog na"),
        ("not_reached", "Niet bereikt"),
        ("not_needed", "Niet nodig"),
    ]
    assert '<span class="badge">na een offerte</span>' in quote_row
    assert re.findall(r'name="outcome" value="(\w+)"', care_row) == [
        "content",
        "not_content",
        "not_reached",
        "not_needed",
    ]


def test_a_customer_still_deciding_on_a_quote_is_asked_again_from_today(owner_client, business):
    follow_up = FollowUpFactory(customer=CustomerFactory(business=business), reason=Reason.QUOTE)

    response = owner_client.post(
        reverse("web:follow_up_outcome", args=[follow_up.pk]),
        {"from": "today", "outcome": "still_deciding"},
        headers=HTMX,
    )

    assert response.status_code == 200
    follow_up.refresh_from_db()
    assert (follow_up.done_at, follow_up.attempts) == (None, 0)
    with translation.override("nl"):
        day = formats.date_format(follow_up.due_on, "WEEKDAY_DATE_FORMAT").replace(" ", "\xa0")
    assert f'<span class="subtle" role="status">Denkt nog na; opnieuw vragen op {day}</span>' in (
        response.content.decode()
    )
    assert Complaint.objects.count() == 0


def test_content_is_refused_for_a_quotes_follow_up_and_nothing_changes(owner_client, business):
    follow_up = FollowUpFactory(customer=CustomerFactory(business=business), reason=Reason.QUOTE)
    before = snapshot()

    response = owner_client.post(
        reverse("web:follow_up_outcome", args=[follow_up.pk]),
        {"from": "today", "outcome": "content"},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert (
        "Kies aangenomen, afgewezen, denkt nog na, niet bereikt of niet nodig."
        in response.content.decode()
    )
    assert snapshot() == before


def test_a_referrers_thanks_is_thanked_on_today_or_opens_their_gesture_form(owner_client, business):
    koen = CustomerFactory(business=business, name="Koen Brouwer")
    thanks = FollowUpFactory(
        customer=koen,
        reason=Reason.REFERRAL,
        note="Bedank voor het doorverwijzen van Eva de Groot.",
        referred_customer=CustomerFactory(business=business, name="Eva de Groot"),
    )

    page = owner_client.get(reverse("web:today")).content.decode()
    profile = owner_client.get(
        reverse("web:customer_detail", args=[koen.pk]), {"record": "gesture"}
    ).content.decode()
    plain = owner_client.get(reverse("web:customer_detail", args=[koen.pk])).content.decode()
    response = owner_client.post(
        reverse("web:follow_up_outcome", args=[thanks.pk]),
        {"from": "today", "outcome": "thanked"},
        headers=HTMX,
    )

    row = page.split(f'id="follow-up-{thanks.pk}"')[1].split("</li>")[0]
    assert re.findall(r'name="outcome" value="(\w+)">([^<]+)<', row) == [
        ("thanked", "Bedankt"),
        ("not_reached", "Niet bereikt"),
        ("not_needed", "Niet nodig"),
    ]
    gesture_link = f"/customers/{koen.pk}/?record=gesture#new-gesture"
    assert (
        f'href="{gesture_link}" data-testid="thank-with-gesture">Met een attentie bedanken</a>'
        in row
    )
    # The link opens the gesture form, the occasion a thanks for a referral while one is due.
    assert '<details class="record-form" id="new-gesture" open>' in profile
    assert '<details class="record-form" id="new-gesture">' in plain
    assert '<option value="referral_thanks" selected>' in profile
    assert response.status_code == 200
    thanks.refresh_from_db()
    assert (thanks.outcome, thanks.done_at is not None) == ("thanked", True)
    after = owner_client.get(reverse("web:customer_detail", args=[koen.pk])).content.decode()
    assert '<option value="just_because" selected>' in after  # thanked: nothing due any more


def test_a_repeated_gesture_warns_first_and_is_recorded_when_confirmed(
    owner_client, business, owner
):
    customer = CustomerFactory(business=business)
    gesture_create(customer=customer, what="Worstje", given_by=owner)
    url = reverse("web:gesture_add", args=[customer.pk])

    warned = owner_client.post(url, {"what": "worstje", "occasion": "just_because"}, headers=HTMX)
    confirmed = owner_client.post(
        url, {"what": "worstje", "occasion": "just_because", "confirm_repeat": "on"}, headers=HTMX
    )

    assert warned.status_code == 422
    assert 'data-testid="gesture-repeat-warning"' in warned.content.decode()
    assert confirmed.status_code == 200
    assert Gesture.objects.count() == 2


def test_congratulating_on_an_occasion_records_a_gesture(owner_client, business):
    customer = CustomerFactory(
        business=business,
        marketing_consent=True,
        # Born in a leap year: a date also on 29 February.
        birthday=business.today().replace(year=1992),
    )

    response = owner_client.post(
        reverse("web:occasion_congratulate", args=[customer.pk]),
        {"from": "today", "occasion": "birthday"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert Gesture.objects.get().occasion == "birthday"
    assert "✓" in response.content.decode()


def test_a_congratulation_tapped_by_mistake_is_undone_right_there_on_today(staff_client, business):
    customer = CustomerFactory(
        business=business, marketing_consent=True, birthday=business.today().replace(year=1992)
    )
    row = f"occasion-{customer.pk}-birthday"

    given = staff_client.post(
        reverse("web:occasion_congratulate", args=[customer.pk]),
        {"from": "today", "occasion": "birthday"},
        headers=HTMX,
    ).content.decode()
    gesture = Gesture.objects.get()
    undone = staff_client.post(
        reverse("web:gesture_undo", args=[gesture.pk]), {"from": "today"}, headers=HTMX
    ).content.decode()

    undo = reverse("web:gesture_undo", args=[gesture.pk])
    assert f'action="{undo}" hx-post="{undo}" hx-target="#{row}"' in given
    assert '<input type="hidden" name="from" value="today">' in given
    assert f'<li id="{row}" class="care-row">' in undone
    assert "Ongedaan gemaakt: nog niet gefeliciteerd." in undone
    assert "Felicitatie vastleggen</button>" in undone
    assert not Gesture.objects.exists()
    # The page of Today itself offers no undo: only the row just tapped.
    assert 'data-testid="undo"' not in staff_client.get(reverse("web:today")).content.decode()


def test_the_birthday_button_says_it_records_the_congratulation(staff_client, business):
    """A bare "Gefeliciteerd" on a button reads as "Congratulations!": a newcomer wonders
    whether it sends the customer a message. It only records that they were congratulated."""
    CustomerFactory(
        business=business,
        name="Lieke de Sluis",
        marketing_consent=True,
        birthday=business.today().replace(year=1964),
    )

    page = staff_client.get(reverse("web:today")).content.decode()

    assert (
        '<button class="button button-small" type="submit">Felicitatie vastleggen</button>' in page
    )


def _hours_posted(week) -> dict[str, str]:
    """The settings form's opening hours as typed: per weekday "closed" ticked, or its times."""
    data = {}
    for key, hours in zip(WEEKDAY_KEYS, week, strict=True):
        if hours is None:
            data[f"{key}_closed"] = "on"
        else:
            data[f"{key}_opens"], data[f"{key}_closes"] = hours
    return data


def test_only_an_owner_changes_the_settings(owner_client, staff_client, business):
    data = {
        "promise_grace_hours": "48",
        "complaint_response_working_hours": "2",
        "complaint_public_response_hours": "1",
        "complaint_resolution_days": "5",
        **_hours_posted(
            [
                None,
                ("08:30", "17:30"),
                ("08:30", "17:30"),
                ("08:30", "21:00"),
                ("08:30", "17:30"),
                ("08:30", "16:00"),
                None,
            ]
        ),
        "aftercare_delivery_days": "2",
        "aftercare_repair_days": "",
        "aftercare_complaint_days": "10",
        "aftercare_quote_days": "5",
        "aftercare_purchase_min": "150",
        "aftercare_purchase_days": "4",
        "aftercare_replan_days": "1",
        "coming_up_days": "28",
    }

    refused = staff_client.post(reverse("web:care_settings"), data)
    saved = owner_client.post(reverse("web:care_settings"), data)

    assert refused.status_code == 403
    assert saved.status_code == 302
    business.refresh_from_db()
    settings = care_settings(business)
    assert (
        settings.promise_grace_hours,
        settings.aftercare_repair_days,
        settings.aftercare_quote_days,
        settings.coming_up_days,
    ) == (48, None, 5, 28)
    assert settings.opening_hours == (
        None,
        DayHours(time(8, 30), time(17, 30)),
        DayHours(time(8, 30), time(17, 30)),
        DayHours(time(8, 30), time(21)),
        DayHours(time(8, 30), time(17, 30)),
        DayHours(time(8, 30), time(16)),
        None,
    )
    assert settings.aftercare_purchase_min_cents == 15000


def test_the_opening_hours_are_a_row_a_weekday_monday_first_each_input_labelled(
    owner_client, business, owner
):
    care_settings_update(business=business, actor=owner, opening_hours=SALON)

    page = owner_client.get(reverse("web:care_settings")).content.decode()

    hours = re.search(r'data-testid="opening-hours">(.*?)</fieldset>', page, re.S)[1]
    names = re.findall(r'<span class="day-name" id="day-\w+">(\w+)</span>', hours)
    assert names == ["Maandag", "Dinsdag", "Woensdag", "Donderdag", "Vrijdag", "Zaterdag", "Zondag"]
    inputs = re.findall(r"<input[^>]*>", hours)
    assert len(inputs) == 35  # a day's "closed", its two times and its break's two
    for tag in inputs:
        (input_id,) = re.findall(r'id="([^"]+)"', tag)
        assert len(re.findall(f'<label for="{input_id}">', hours)) == 1
    thursday = re.search(r'data-testid="hours-thursday"(.*?)</div>', hours, re.S)[1]
    assert 'name="thursday_opens" value="09:00"' in thursday
    assert 'name="thursday_closes" value="21:00"' in thursday
    assert 'name="thursday_closed"' in thursday
    assert "checked" not in thursday
    monday = re.search(r'data-testid="hours-monday"(.*?)</div>', hours, re.S)[1]
    assert re.search(r'name="monday_closed"[^>]*checked', monday)
    assert (
        '<label for="id_monday_closed"><span class="visually-hidden">Maandag </span>gesloten'
        in monday
    )


def test_hours_saved_for_all_working_days_at_once_show_on_each_day(owner_client, business):
    """Settings saved before each day had its own hours, as such a business has them stored."""
    business.settings = {
        "care": {"working_days": [1, 2, 3, 4, 5], "opening_time": "08:30", "closing_time": "17:30"}
    }
    business.save(update_fields=["settings"])

    page = owner_client.get(reverse("web:care_settings")).content.decode()

    for key in ("tuesday", "wednesday", "thursday", "friday", "saturday"):
        assert f'name="{key}_opens" value="08:30"' in page
        assert f'name="{key}_closes" value="17:30"' in page
    for key in ("monday", "sunday"):
        assert re.search(f'name="{key}_closed"[^>]*checked', page)
        assert not re.search(f'name="{key}_opens"[^>]*value=', page)


SETTINGS_POSTED = {
    "promise_grace_hours": "24",
    "complaint_response_working_hours": "4",
    "complaint_public_response_hours": "1",
    "complaint_resolution_days": "3",
    "aftercare_purchase_days": "3",
    "aftercare_replan_days": "2",
    "coming_up_days": "14",
}


@pytest.mark.parametrize(
    ("week", "messages"),
    [
        (
            [("18:00", "09:00"), *[None] * 6],
            [
                "De sluitingstijd op maandag moet later zijn dan de openingstijd, of na "
                "middernacht uiterlijk 06:00."
            ],
        ),
        (
            [("09:00", "18:00"), ("09:00", ""), ("", "18:00"), *[None] * 4],
            [
                "Vul in wanneer je op dinsdag sluit, of vink “gesloten” aan.",
                "Vul in wanneer je op woensdag opent, of vink “gesloten” aan.",
            ],
        ),
        (
            [None] * 7,
            ["Wees ten minste één dag van de week open: een dag die niet op gesloten staat."],
        ),
    ],
)
def test_bad_settings_are_shown_on_the_form_and_not_stored(
    owner_client, business, owner, week, messages
):
    care_settings_update(business=business, actor=owner, opening_hours=SALON)
    business.refresh_from_db()
    before = business.settings
    response = owner_client.post(
        reverse("web:care_settings"), {**SETTINGS_POSTED, **_hours_posted(week)}
    )

    assert response.status_code == 422
    page = unescape(response.content.decode())
    shown = [message for message in messages if message in page]
    assert shown == messages
    business.refresh_from_db()
    assert business.settings == before
    assert AuditEvent.objects.filter(action="settings").count() == 1


def _day_row(page: str, key: str) -> str:
    return re.search(f'data-testid="hours-{key}"(.*?)</div>', page, re.S)[1]


def test_a_closed_days_times_come_back_empty_when_the_save_is_refused_for_another_reason(
    owner_client, business, owner
):
    """Saturday ticked "closed" with its times still typed (one of them half typed), and a
    target refused: the page comes back with Saturday closed and no times, as it is stored
    when saved, and says nothing of them; the refused target is the only message."""
    care_settings_update(business=business, actor=owner, opening_hours=SALON)
    business.refresh_from_db()
    before = business.settings
    week = _hours_posted([None, *[("09:00", "18:00")] * 4, None, None])
    week.update({"saturday_opens": "08:30", "saturday_closes": "16:"})

    response = owner_client.post(
        reverse("web:care_settings"), {**SETTINGS_POSTED, **week, "promise_grace_hours": "-1"}
    )

    assert response.status_code == 422
    page = response.content.decode()
    saturday = _day_row(page, "saturday")
    assert re.search(r'name="saturday_closed"[^>]*checked', saturday)
    assert re.findall(r'<input type="time" name="saturday_(\w+)"([^>]*)>', saturday) == [
        ("opens", ' id="id_saturday_opens"'),
        ("closes", ' id="id_saturday_closes"'),
        ("break_starts", ' id="id_saturday_break_starts"'),
        ("break_ends", ' id="id_saturday_break_ends"'),
    ]
    assert 'class="error"' not in saturday
    assert 'name="friday_closes" value="18:00"' in _day_row(page, "friday")
    assert re.findall(r'<p class="error" id="(\w+)_error"', page) == ["id_promise_grace_hours"]
    business.refresh_from_db()
    assert business.settings == before


def test_a_day_ticked_closed_with_its_times_still_typed_is_saved_closed(
    owner_client, business, owner
):
    week = _hours_posted([None, *[("09:00", "18:00")] * 4, None, None])
    week.update({"saturday_opens": "08:30", "saturday_closes": "16:00"})

    response = owner_client.post(reverse("web:care_settings"), {**SETTINGS_POSTED, **week})

    assert response.status_code == 302
    business.refresh_from_db()
    assert care_settings(business).opening_hours == (
        None,
        *[DayHours(time(9), time(18))] * 4,
        None,
        None,
    )


@pytest.mark.parametrize(("typed", "stored"), [("0", None), ("366", None), ("", "off")])
def test_the_quote_rule_takes_one_day_or_more_or_nothing_to_switch_it_off(
    owner_client, business, owner, typed, stored
):
    care_settings_update(business=business, actor=owner, aftercare_quote_days=4)
    business.refresh_from_db()
    before = business.settings
    data = {
        name: value
        for name, value in CareSettingsForm.initial_from(care_settings(business)).items()
        if value is not None
    }

    response = owner_client.post(
        reverse("web:care_settings"), {**data, "aftercare_quote_days": typed}
    )

    business.refresh_from_db()
    if stored == "off":
        assert response.status_code == 302
        assert care_settings(business).aftercare_quote_days is None
        return
    assert response.status_code == 422
    field = response.content.decode().split('name="aftercare_quote_days"')[1].split("</div>")[0]
    assert re.findall(r'role="alert">([^<]+)<', field) == [
        "Zorg ervoor dat deze waarde minstens 1 is."
        if typed == "0"
        else "Zorg ervoor dat deze waarde hoogstens 365 is."
    ]
    assert business.settings == before


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("0", "Zorg ervoor dat deze waarde minstens 1 is."),
        ("61", "Zorg ervoor dat deze waarde hoogstens 60 is."),
        ("", "Dit veld is verplicht."),
    ],
)
def test_how_far_ahead_dates_come_up_is_refused_beside_its_field_outside_one_to_sixty_days(
    owner_client, business, typed, said
):
    data = {
        name: value
        for name, value in CareSettingsForm.initial_from(care_settings(business)).items()
        if value is not None
    }

    response = owner_client.post(reverse("web:care_settings"), {**data, "coming_up_days": typed})

    assert response.status_code == 422
    field = response.content.decode().split('name="coming_up_days"')[1].split("</div>")[0]
    assert re.findall(r'role="alert">([^<]+)<', field) == [said]
    business.refresh_from_db()
    assert business.settings == {}


def test_the_time_zones_are_grouped_by_continent_and_named_by_their_place(owner_client, business):
    """A long zone's name fits a phone's drop-down: "America/Argentina/Buenos_Aires" is its
    continent's group and "Argentina/Buenos Aires"; UTC stands last."""
    business.time_zone = "America/Argentina/Buenos_Aires"
    business.save(update_fields=["time_zone"])

    page = owner_client.get(reverse("web:care_settings")).content.decode()

    assert (
        '<option value="America/Argentina/Buenos_Aires" selected>Argentina/Buenos Aires'
        "</option>" in page
    )
    assert '<option value="America/Argentina/Salta">Argentina/Salta</option>' in page
    assert '<optgroup label="Amerika">' in page
    assert '<option value="UTC">UTC</option>' in page
    # one group per continent or ocean, the Netherlands and Belgium and the zones of one word
    assert page.count("<optgroup") == 2 + len(
        {zone.split("/")[0] for zone in listed_time_zones() if "/" in zone}
    )


def _time_zone_select(page: str) -> tuple[list[str], list[str]]:
    """The groups of the time-zone drop-down in their order, and its values in theirs."""
    select = re.search(r'<select name="business-time_zone".*?</select>', page, re.S)[0]
    return re.findall(r'<optgroup label="([^"]*)">', select), re.findall(
        r'<option value="([^"]*)"', select
    )


def test_the_likely_time_zones_come_first_and_every_zone_once(owner_client, business):
    # Given a shop in Amsterdam
    assert business.time_zone == "Europe/Amsterdam"

    # When its owner opens the settings (in Dutch, the business's language)
    page = owner_client.get(reverse("web:care_settings")).content.decode()

    # Then the Netherlands and Belgium lead, Amsterdam chosen, then the rest of Europe, then the
    # other areas in the alphabetical order of their Dutch names, and the zones of one word last
    groups, values = _time_zone_select(page)
    assert groups == [
        "Nederland en België",
        "Europa",
        "Afrika",
        "Amerika",
        "Antarctica",
        "Atlantische Oceaan",
        "Australië",
        "Azië",
        "Grote Oceaan",
        "Indische Oceaan",
        "Noordpoolgebied",
        "Overige zones",
    ]
    assert values[:2] == ["Europe/Amsterdam", "Europe/Brussels"]
    assert '<option value="Europe/Amsterdam" selected>Amsterdam</option>' in page
    assert '<option value="Europe/Brussels">Brussel</option>' in page
    europe = sorted(zone for zone in listed_time_zones() if zone.startswith("Europe/"))
    europe = [zone for zone in europe if zone not in ("Europe/Amsterdam", "Europe/Brussels")]
    assert values[2 : 2 + len(europe)] == europe
    assert values[2 + len(europe)] == "Africa/Abidjan"
    assert values[-1] == "UTC"
    # and the list offers each zone of a place once, by its current name, and no alias
    assert sorted(values) == list(listed_time_zones())
    assert len(values) == len(set(values)) > 400
    assert "Europe/Kyiv" in values
    assert not {"Europe/Kiev", "US/Central", "Canada/Central", "Etc/GMT+1", "CET"} & set(values)


def test_a_business_on_an_old_zone_name_keeps_it_shown_and_saved(owner_client, business):
    """A business set to "US/Central" before the list left out aliases still sees its zone
    chosen, and saving its other fields keeps it; a script may still send any zone name."""
    business.time_zone = "US/Central"
    business.save(update_fields=["time_zone"])

    page = owner_client.get(reverse("web:care_settings")).content.decode()
    groups, values = _time_zone_select(page)
    assert '<option value="US/Central" selected>Central</option>' in page
    assert "Verenigde Staten" in groups
    assert values.count("US/Central") == 1
    assert "US/Eastern" not in values

    fields = {"action": "business", "business-name": "Slagerij De Wit", "business-language": "nl"}
    kept = owner_client.post(
        reverse("web:care_settings"), {**fields, "business-time_zone": "US/Central"}
    )
    business.refresh_from_db()
    assert (kept.status_code, business.name, business.time_zone) == (
        302,
        "Slagerij De Wit",
        "US/Central",
    )
    moved = owner_client.post(
        reverse("web:care_settings"), {**fields, "business-time_zone": "Europe/Kiev"}
    )
    business.refresh_from_db()
    assert (moved.status_code, business.time_zone) == (302, "Europe/Kiev")


@pytest.mark.parametrize(
    ("language", "refusal"),
    [
        ("en", "Unknown time zone: Europe/Amsterdamm. Choose one of the list."),
        ("nl", "Onbekende tijdzone: Europe/Amsterdamm. Kies er een uit de lijst."),
    ],
)
def test_an_unknown_time_zone_is_refused_by_its_name_and_nothing_changes(
    owner_client, owner, business, language, refusal
):
    # Given an owner reading in their language
    account_language_set(user=owner, language=language)

    # When a zone the list does not offer is sent with a new name
    response = owner_client.post(
        reverse("web:care_settings"),
        {
            "action": "business",
            "business-name": "Slagerij De Wit",
            "business-time_zone": "Europe/Amsterdamm",
            "business-language": "nl",
        },
    )

    # Then the page names the refused zone, and neither the name nor the zone changed
    assert response.status_code == 422
    assert refusal in response.content.decode()
    business.refresh_from_db()
    assert (business.name, business.time_zone) == ("Slagerij Test", "Europe/Amsterdam")
    assert not AuditEvent.objects.exists()


def test_the_owner_renames_the_business_moves_its_clock_and_changes_its_language_audited(
    owner_client, staff_client, business, owner
):
    data = {
        "action": "business",
        "business-name": "Slagerij De Wit",
        "business-time_zone": "Europe/Lisbon",
        "business-language": "en",
    }

    refused = staff_client.post(reverse("web:care_settings"), data)
    saved = owner_client.post(reverse("web:care_settings"), data)

    assert refused.status_code == 403
    assert saved.status_code == 302
    business.refresh_from_db()
    assert (business.name, business.time_zone, business.language, business.currency) == (
        "Slagerij De Wit",
        "Europe/Lisbon",
        "en",
        "EUR",
    )
    event = AuditEvent.objects.get(action="settings")
    assert (event.actor, event.changes) == (
        owner,
        {
            "name": ["Slagerij Test", "Slagerij De Wit"],
            "time_zone": ["Europe/Amsterdam", "Europe/Lisbon"],
            "language": ["nl", "en"],
            "promises_redated": [None, 0],
            "complaint_deadlines_recomputed": [None, 0],
        },
    )
    assert care_settings(business) == care_settings(business.__class__())  # the targets untouched


def test_a_business_without_a_name_or_with_an_unknown_zone_or_language_is_refused_and_kept(
    owner_client, business
):
    response = owner_client.post(
        reverse("web:care_settings"),
        {
            "action": "business",
            "business-name": " ",
            "business-time_zone": "Mars/Olympus",
            "business-language": "fy",
        },
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert "Dit veld is verplicht." in page
    assert "Mars/Olympus" in page  # named in the refusal of the choice
    assert "Selecteer een geldige keuze. fy is geen beschikbare keuze." in page
    business.refresh_from_db()
    assert (business.name, business.time_zone, business.language) == (
        "Slagerij Test",
        "Europe/Amsterdam",
        "nl",
    )
    assert not AuditEvent.objects.exists()


def test_the_owner_gives_the_business_an_email_address_for_customers_replies(
    owner_client, business, owner
):
    # When the owner fills in the shop's own address beside its name
    response = owner_client.post(
        reverse("web:care_settings"),
        {
            "action": "business",
            "business-name": "Slagerij Test",
            "business-time_zone": "Europe/Amsterdam",
            "business-language": "nl",
            "business-contact_email": " henk@slagerij-test.nl ",
        },
    )

    # Then it is kept, audited, and the form shows it
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.contact_email == "henk@slagerij-test.nl"
    event = AuditEvent.objects.get(action="settings")
    assert (event.actor, event.changes) == (
        owner,
        {"contact_email": ["", "henk@slagerij-test.nl"]},
    )
    page = owner_client.get(reverse("web:care_settings")).content.decode()
    assert 'value="henk@slagerij-test.nl"' in page
    assert "E-mailadres van de zaak" in page


@pytest.mark.parametrize(
    ("language", "refusal"),
    [("en", "Enter a valid email address."), ("nl", "Voer een geldig e-mailadres in.")],
)
def test_a_business_email_address_that_is_no_address_is_refused_and_nothing_changes(
    owner_client, owner, business, language, refusal
):
    account_language_set(user=owner, language=language)

    response = owner_client.post(
        reverse("web:care_settings"),
        {
            "action": "business",
            "business-name": "Slagerij De Wit",
            "business-time_zone": "Europe/Amsterdam",
            "business-language": "nl",
            "business-contact_email": "henk at slagerij",
        },
    )

    assert response.status_code == 422
    assert refusal in response.content.decode()
    business.refresh_from_db()
    assert (business.name, business.contact_email) == ("Slagerij Test", "")
    assert not AuditEvent.objects.exists()


def test_the_calendar_feed_lists_my_promises_and_follow_ups_until_revoked(
    owner_client, business, owner, client
):
    customer = CustomerFactory(business=business, name="Anna, de Vries")
    PromiseFactory(
        customer=customer,
        made_by=owner,
        description="Taart; bezorgen",
        due_at=timezone.now() + timedelta(days=1),
        made_at=timezone.now(),
    )
    FollowUpFactory(customer=customer, assigned_to=owner, note="Smaakte de taart?")
    FollowUpFactory(customer=customer, note="Niet voor mij")

    page = owner_client.post(reverse("web:calendar_link"), {"action": "create"}).content.decode()
    url = page.split('data-testid="calendar-url"')[0].rsplit('value="', 1)[1].split('"')[0]
    path = url.split("https://klanten.example", 1)[1]  # the public address (PUBLIC_BASE_URL)
    feed = client.get(path)

    text = feed.content.decode()
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    assert text.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:Anna\\, de Vries: Taart\\; bezorgen" in text
    assert "Niet voor mij" not in text

    owner_client.post(reverse("web:calendar_link"), {"action": "revoke"})
    assert client.get(path).status_code == 404


def test_a_note_cannot_add_events_to_a_colleagues_calendar_feed(
    staff_client, business, owner, membership, client
):
    """A note typed with bare carriage returns (a form or API request sent by hand) stays one
    line of the event: calendar apps also end a line at a bare CR, so it could otherwise write
    events of its own into the feed of the colleague it is assigned to."""
    customer = CustomerFactory(business=business, name="Anna\rBEGIN:VALARM")
    injected = "Bellen\rEND:VEVENT\rBEGIN:VEVENT\rSUMMARY:Bel 0900-1234 voor je geld\rEND:VEVENT"
    staff_client.post(
        reverse("web:follow_up_add", args=[customer.pk]),
        {"note": injected, "due_on": business.today().isoformat(), "assigned_to": owner.pk},
        headers=HTMX,
    )
    _token, key = calendar_token_create(membership=membership)

    text = client.get(reverse("web:calendar_feed", args=[key])).content.decode()

    assert "\r" not in text.replace("\r\n", "")
    lines = text.splitlines()
    assert [line for line in lines if line.startswith("BEGIN:")] == [
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT",
    ]
    assert (
        "SUMMARY:Anna\\nBEGIN:VALARM: Bellen\\nEND:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:Bel 0900-1234 "
        "voor je geld\\nEND:VEVENT"
    ) in text.replace("\r\n ", "").split("\r\n")


def test_a_survey_comment_cannot_add_events_to_the_owners_calendar_feed(
    business, owner, membership, client
):
    """A low score plans a call for the owner with the customer's own words in its note: what a
    customer types on the public page must not become events in the owner's calendar."""
    customer = CustomerFactory(business=business, name="Anna")
    link = survey_invitation_create(business=business, customer=customer, channel="counter")
    client.post(link.path, {"nps": "3", "comment": "Matig\rEND:VEVENT\rBEGIN:VEVENT\rSUMMARY:x"})
    _token, key = calendar_token_create(membership=membership)

    text = client.get(reverse("web:calendar_feed", args=[key])).content.decode()

    unfolded = text.replace("\r\n ", "")
    assert [line for line in unfolded.splitlines() if line.startswith(("BEGIN:", "SUMMARY:"))] == [
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT",
        "SUMMARY:Anna: Gaf een 3 van 10 in de enquête: Matig\\nEND:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:x",
    ]


@pytest.mark.parametrize("name", ["today", "promise_reliability", "calendar_link"])
def test_care_pages_need_a_login(client, name):
    response = client.get(reverse(f"web:{name}"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


def test_a_follow_up_by_hand_on_the_profile(staff_client, business, staff_user):
    customer = CustomerFactory(business=business)

    response = staff_client.post(
        reverse("web:follow_up_add", args=[customer.pk]),
        {
            "note": "Bellen na het feest",
            "due_on": business.today().isoformat(),
            "assigned_to": staff_user.pk,
        },
        headers=HTMX,
    )

    assert response.status_code == 200
    assert FollowUp.objects.get().assigned_to == staff_user


@pytest.mark.parametrize("closed_weekday", [6, 0])
def test_a_follow_up_planned_for_a_closed_day_is_saved_with_a_word(
    staff_client, business, owner, closed_weekday
):
    """A salon's staff planned a call for the closed Sunday, saved without a word; a salon
    with its own hours for each day, closed on Monday and open on Sunday, hears of Monday."""
    if closed_weekday == 0:
        care_settings_update(
            business=business, actor=owner, opening_hours=[*SALON[:6], DayHours(time(12), time(17))]
        )
    customer = CustomerFactory(business=business)
    today = business.today()
    closed_day = today + timedelta(days=(closed_weekday - today.weekday()) % 7 or 7)

    def plan(day):
        return staff_client.post(
            reverse("web:follow_up_add", args=[customer.pk]),
            {"note": "Vragen hoe de kleur houdt", "due_on": day.isoformat()},
            headers=HTMX,
        ).content.decode()

    closed, open_day = plan(closed_day), plan(closed_day + timedelta(days=1))

    shown = dutch_weekday(closed_day, "\xa0")
    assert (
        f"Nazorg opgeslagen voor {shown}, een dag dat de zaak volgens de openingstijden dicht "
        "is: verander de dag als dat niet de bedoeling is."
    ) in closed
    assert "dicht is" not in open_day
    assert FollowUp.objects.filter(customer=customer).count() == 2


def test_a_follow_up_for_someone_outside_the_team_is_refused(
    staff_client, business, other_business
):
    outsider = get_user_model().objects.create_user("buiten", password="pw-buiten-123")
    membership_create(business=other_business, user=outsider, role="owner")
    customer = CustomerFactory(business=business)

    response = staff_client.post(
        reverse("web:follow_up_add", args=[customer.pk]),
        {"note": "Bellen", "due_on": business.today().isoformat(), "assigned_to": outsider.pk},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "Selecteer een geldige keuze" in response.content.decode()
    assert not FollowUp.objects.exists()


def test_the_team_to_call_is_read_with_one_plain_query(business, owner, staff_user, other_business):
    outsider = get_user_model().objects.create_user("buiten", password="pw-buiten-123")
    membership_create(business=other_business, user=outsider, role="owner")
    form = FollowUpForm(business=business)

    with CaptureQueriesContext(connection) as queries:
        choices = [str(label) for _, label in form.fields["assigned_to"].choices]

    assert len(queries) == 1
    assert "DECLARE" not in queries[0]["sql"]  # no server-side cursor on PostgreSQL
    assert sorted(choices[1:]) == sorted(
        [owner.get_full_name() or owner.username, staff_user.get_full_name() or staff_user.username]
    )
    assert choices[0] == "iedereen"


def test_the_profile_shows_automatic_steps_in_the_audit_trail(owner_client, business):
    from klantvriend.aftercare.services import follow_up_plan_for_promise

    customer = CustomerFactory(business=business)
    promise = PromiseFactory(
        customer=customer, kind=PromiseKind.DELIVERY, done_at=timezone.now() - timedelta(hours=1)
    )
    follow_up_plan_for_promise(promise=promise)

    response = owner_client.get(reverse("web:customer_detail", args=[customer.pk]))

    assert response.status_code == 200
    assert "Klantvriend (automatisch)" in response.content.decode()


def test_each_complaint_row_has_a_resolve_form_with_ids_of_its_own(owner_client, business, owner):
    first, second = _busy_customer(business, owner, 1), _busy_customer(business, owner, 2)
    ComplaintFactory(customer=first)

    for url in (reverse("web:today"), reverse("web:customer_detail", args=[first.pk])):
        page = owner_client.get(url).content.decode()
        ids = re.findall(r'\sid="([^"]+)"', page)
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        assert duplicated == [], url
        assert f'for="resolve-{second.complaints.get().pk}-resolution"' in page or url != reverse(
            "web:today"
        )


def test_a_refused_resolution_from_today_keeps_what_was_typed(owner_client, business, owner):
    customer = _busy_customer(business, owner, 1)
    complaint = customer.complaints.get()

    response = owner_client.post(
        reverse("web:complaint_resolve", args=[complaint.pk]),
        {"from": "today", "resolution": "", "recovery_gesture": "Gratis worst"},
        headers=HTMX,
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert f'id="resolve-{complaint.pk}-recovery_gesture"' in page
    assert 'value="Gratis worst"' in page
    complaint.refresh_from_db()
    assert complaint.resolved_at is None


@pytest.mark.parametrize(
    ("days", "said"),
    [
        (7, "Opslaan plant nazorg over 7 dagen: is de klant weer tevreden?"),
        (1, "Opslaan plant nazorg over 1 dag: is de klant weer tevreden?"),
        (0, "Opslaan plant nazorg voor vandaag: is de klant weer tevreden?"),
        (None, None),
    ],
)
def test_the_resolve_form_says_when_saving_it_plans_the_follow_up(
    owner_client, business, owner, days, said
):
    """Resolving a complaint plans the aftercare's check with the customer (Settings, "after a
    complaint"), which the person resolving it first met on Today days later: the form says so,
    also when it comes back refused, and says nothing where the business plans none."""
    care_settings_update(business=business, actor=owner, aftercare_complaint_days=days)
    customer = _busy_customer(business, owner, 1)
    complaint = customer.complaints.get()
    hint = f'id="resolve-{complaint.pk}-resolution_helptext"'

    pages = [
        owner_client.get(reverse("web:today")),
        owner_client.get(reverse("web:customer_detail", args=[customer.pk])),
        owner_client.post(
            reverse("web:complaint_resolve", args=[complaint.pk]),
            {"from": "today", "resolution": ""},
            headers=HTMX,
        ),
    ]

    assert [page.status_code for page in pages] == [200, 200, 422]
    for page in pages:
        text = page.content.decode()
        if said is None:
            assert hint not in text
            assert "Opslaan plant nazorg" not in text
        else:
            assert re.search(hint + r"[^>]*>" + re.escape(said) + "<", text)
    assert not FollowUp.objects.filter(complaint=complaint).exists()


@pytest.mark.parametrize(
    ("days", "emailable", "invites", "said"),
    [
        (
            7,
            True,
            True,
            "Opslaan plant nazorg over 7 dagen: is de klant weer tevreden? Ook mailt het de klant "
            "de enquête, tenzij die onlangs al gevraagd is.",
        ),
        (None, True, True, "Opslaan mailt de klant de enquête, tenzij die onlangs al gevraagd is."),
        (7, False, True, "Opslaan plant nazorg over 7 dagen: is de klant weer tevreden?"),
        (7, True, False, "Opslaan plant nazorg over 7 dagen: is de klant weer tevreden?"),
    ],
)
def test_the_resolve_form_says_that_saving_it_emails_the_survey(
    owner_client, business, owner, days, emailable, invites, said
):
    # Resolving quietly e-mailed the customer a survey; staff did not know they were contacted.
    care_settings_update(business=business, actor=owner, aftercare_complaint_days=days)
    Survey.objects.create(business=business, invite_after_complaint=invites)
    customer = CustomerFactory(business=business, email="an@example.nl", emailable=emailable)
    complaint = ComplaintFactory(customer=customer)
    hint = f'id="resolve-{complaint.pk}-resolution_helptext"'

    for url in (reverse("web:today"), reverse("web:customer_detail", args=[customer.pk])):
        text = owner_client.get(url).content.decode()
        assert re.search(hint + r"[^>]*>" + re.escape(said) + "<", text), url


def test_today_and_the_scorecard_show_one_share_of_promises_kept_on_time(owner_client, business):
    customer = CustomerFactory(business=business)
    now = timezone.now()
    # In the last 90 days one of two on time; half a year ago one late promise.
    for done, due in [
        (now - timedelta(days=10), now - timedelta(days=9)),
        (now - timedelta(days=20), now - timedelta(days=21)),
        (now - timedelta(days=180), now - timedelta(days=181)),
    ]:
        PromiseFactory(
            customer=customer, made_at=done - timedelta(days=3), due_at=due, done_at=done
        )

    today = owner_client.get(reverse("web:today")).content.decode()
    card = owner_client.get(reverse("web:insights_scorecard")).context["scorecard"]

    promises = next(figure for figure in card.figures if figure.key == "promises")
    assert promises.value == 0.5
    assert re.search(
        r'<span class="stat-value">50\s?%</span>\s*<span class="stat-label">'
        r"beloften op tijd nagekomen \(90 dagen\)",
        today,
    )


def test_a_refused_resolution_on_the_profile_keeps_what_was_typed_next_to_the_field(
    owner_client, business, owner
):
    customer = _busy_customer(business, owner, 1)
    complaint = customer.complaints.get()

    response = owner_client.post(
        reverse("web:complaint_resolve", args=[complaint.pk]),
        {"resolution": "", "recovery_gesture": "Gratis worst"},
        headers=HTMX,
    )

    assert response.status_code == 422
    page = response.content.decode()
    # The resolve form stays open with what was typed, the message under the empty field.
    assert '<details class="inline-form" open>' in page
    assert f'id="resolve-{complaint.pk}-recovery_gesture"' in page
    assert 'value="Gratis worst"' in page
    assert (
        f'<p class="error" id="resolve-{complaint.pk}-resolution_error" role="alert">'
        "Zeg hoe de klacht is opgelost.</p>"
    ) in page
    # Not also as a bare list at the top of the section.
    assert 'class="errorlist"' not in page
    complaint.refresh_from_db()
    assert complaint.resolved_at is None


def test_a_refused_resolution_from_today_opens_the_form_at_the_empty_field(
    owner_client, business, owner
):
    customer = _busy_customer(business, owner, 1)
    complaint = customer.complaints.get()

    response = owner_client.post(
        reverse("web:complaint_resolve", args=[complaint.pk]),
        {"from": "today", "resolution": ""},
        headers=HTMX,
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert '<details class="inline-form" open>' in page
    assert (
        f'id="resolve-{complaint.pk}-resolution_error" role="alert">Zeg hoe de klacht is opgelost.'
        in page
    )
    assert 'class="errorlist"' not in page
    complaint.refresh_from_db()
    assert complaint.resolved_at is None


def test_a_refused_resolution_opens_only_the_form_of_its_own_complaint(
    owner_client, business, owner
):
    customer = _busy_customer(business, owner, 1)
    first = customer.complaints.get()
    second = ComplaintFactory(customer=customer)

    page = owner_client.post(
        reverse("web:complaint_resolve", args=[second.pk]),
        {"resolution": "", "recovery_gesture": "Bloemen"},
        headers=HTMX,
    ).content.decode()

    assert page.count('<details class="inline-form" open>') == 1
    assert page.count('value="Bloemen"') == 1
    assert f'id="resolve-{first.pk}-recovery_gesture"' in page
    assert f'id="resolve-{second.pk}-resolution_error"' in page
    assert f'id="resolve-{first.pk}-resolution_error"' not in page


def _open_around_now(business, owner) -> None:
    """Opening hours from two hours ago to two hours from now, on the weekday they begin: the
    shop is open whenever the test runs (a purchase's "when" speaks otherwise while closed)."""
    start = business.local(timezone.now()) - timedelta(hours=2)
    hours = DayHours(
        start.time().replace(second=0, microsecond=0), (start + timedelta(hours=4)).time()
    )
    week = [None] * 7
    week[start.weekday()] = hours
    care_settings_update(business=business, actor=owner, opening_hours=week)


def test_the_moment_fields_say_that_empty_means_now(owner_client, business, owner):
    customer = CustomerFactory(business=business)
    _open_around_now(business, owner)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    # Purchase, contact moment, promise ("promised at") and complaint ("received at").
    assert page.count(">Leeg betekent: nu.</p>") == 4
    assert "Leeg laten voor nu" not in page


def test_on_a_closed_day_the_forms_begin_with_the_next_open_day(owner_client, business, owner):
    """On a closed Sunday the promise form opened asking "the shop is closed on Sun 6 Dec: do
    you mean that day?" before anything was typed: it began with today."""
    customer = CustomerFactory(business=business)
    open_day = business.today() + timedelta(days=3)
    week = [None] * 7
    week[open_day.weekday()] = DayHours(time(9), time(17))
    care_settings_update(business=business, actor=owner, opening_hours=week)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    assert re.search(rf'<input type="date" name="due_date" value="{open_day}"', page)
    assert re.search(rf'<input type="date" name="due_on" value="{open_day}"', page)


def test_while_the_shop_is_closed_a_purchase_says_when_it_closed(owner_client, business, owner):
    """A restaurant typed in last night's bills the next morning with "when" left empty: they
    were recorded on a closed Sunday morning, after the night."""
    customer = CustomerFactory(business=business)
    today = business.today()
    open_day = today + timedelta(days=3)
    week = [None] * 7
    week[open_day.weekday()] = DayHours(time(17), time(23))
    care_settings_update(business=business, actor=owner, opening_hours=week)
    closed_at = datetime.combine(today - timedelta(days=4), time(23), tzinfo=business.tzinfo)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    with translation.override("nl"):
        closing = moment_shown(closed_at, "WEEKDAY", zone=business.tzinfo)
    assert (
        f'<p class="help" id="purchase-at_helptext">Leeg betekent: nu, maar de zaak is nu dicht. '
        f"Gekocht vóór sluitingstijd ({closing})? Vul dan in wanneer.</p>"
    ) in page
    assert page.count(">Leeg betekent: nu.</p>") == 3


@pytest.mark.parametrize(
    ("language", "badge"), [("en", "probability alive 40%"), ("nl", "kans actief 40%")]
)
def test_today_names_the_probability_alive_as_the_profile_does(
    owner_client, owner, business, language, badge
):
    customer = CustomerFactory(business=business, name="Koen Visser")
    # Only customers with three or more purchase days are ever slipping away.
    CustomerInsightFactory(
        customer=customer, slipping_away=True, purchase_days=3, probability_alive=0.4
    )
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:today")).content.decode()

    assert f'<span class="badge badge-risk">{badge}</span>' in page


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        (
            "nl",
            "Deze 10 klanten kochten op drie dagen of meer en besteedden €\xa0300,00 of meer (de "
            "bovenste helft van wie dat deed), hun kans actief is lager dan 60% en daalde in 30 "
            "dagen met 2 punten of meer, ze bleven meer dan twee keer zo lang weg als gewoonlijk "
            "plus een maand, en er staat geen nazorg of belofte voor ze open.",
        ),
        (
            "en",
            "These 10 customers bought on three days or more and spent €300.00 or more (the "
            "top half of those who did), their probability alive is below 60% and fell by 2 "
            "points or more in 30 days, they stayed away for more than twice their usual "
            "interval plus a month, and no follow-up or promise is open for them.",
        ),
    ],
)
def test_todays_customers_slipping_away_open_to_all_of_them(
    owner_client, owner, business, language, summary
):
    """Today showed the first eight and "The first 8 of 10.", with no way to see the other
    two nor why these ten were picked."""
    InsightRun.objects.create(
        business=business, as_of=timezone.localdate(), figures={"valuable_spend_cents": 30000}
    )
    slipping = [
        CustomerInsightFactory(
            customer=CustomerFactory(business=business, name=f"Wegglipper {index:02}"),
            slipping_away=True,
            purchase_days=5,
            spend_cents=100000 - index * 1000,
            probability_alive=0.3,
            probability_alive_30_days_ago=0.9,
            usual_interval_days=7,
            days_since_last=60,
        )
        for index in range(10)
    ]
    # Not counted: a call is already planned (a promise open), and one not slipping away.
    planned = CustomerInsightFactory(
        customer=CustomerFactory(business=business), slipping_away=True, spend_cents=200000
    )
    PromiseFactory(customer=planned.customer)
    CustomerInsightFactory(customer=CustomerFactory(business=business), spend_cents=300000)
    account_language_set(user=owner, language=language)

    html = owner_client.get(reverse("web:today")).content.decode()
    link = re.search(r'<a href="([^"]+)" data-testid="show-all-slipping_away">([^<]+)</a>', html)
    rows = owner_client.get(link[1].replace("&amp;", "&"))
    page = rows.content.decode()

    assert re.search(r'id="slipping-heading">[^<]+<span class="count">10</span>', html)
    assert html.count('data-testid="why-slipping"') == SLIPPING_AWAY_LIMIT
    assert link[2] == {"nl": "Toon alle 10", "en": "Show all 10"}[language]
    assert [name for _, name, _ in rows.context["table"].rows] == [
        insight.customer.name for insight in slipping
    ]
    assert rows.context["table"].total == 10
    assert f'<p data-testid="figure-summary">{summary}</p>' in page
    assert rows.context["table"].rows[0][2][1:] == [
        "30%",
        "90%",
        {
            "nl": "kwam 5 keer, meestal elke 7 dagen, nu 60 dagen niet gezien",
            "en": "came 5 times, usually every 7 days, not seen for 60 days",
        }[language],
    ]
    assert 'href="/" data-testid="rows-back"' in page


STEP_LINKS = {
    "customers": "/customers/new/",
    "purchases": "/data/import/",
    "working_hours": "/settings/",
    "staff": "/members/",
}
STEP = re.compile(r'<li class="getting-started-step[^"]*" data-step="(\w+)"><a href="([^"]+)">')
GETTING_STARTED_TEXTS = {
    "nl": {
        "heading": "Zo begin je",
        "none": "0 van 4 stappen gedaan. Elke stap vinkt zichzelf af zodra hij gedaan is; "
        "als alles gedaan is, verdwijnt deze kaart.",
        "one": "1 van 4 stappen gedaan.",
        "steps": [
            "Voeg je eerste klant toe",
            "Klanten en aankopen importeren",
            "Stel je openingstijden en termijnen in",
            "Voeg je medewerkers toe",
        ],
        "done": "✓ gedaan",
        "hide": "Verbergen",
        "hide_note": "Voorgoed en voor iedereen in de zaak; elke stap blijft te vinden in het menu.",
        # It said the advice comes with the first purchase; it comes with the next computation.
        "purchases_note": "Uit een kassa-export of een spreadsheet (CSV); je ziet wat het doet "
        "voordat er iets wordt opgeslagen. Gedaan bij de eerste aankoop: het advies en de "
        "klantwaarde worden na elke import en elke nacht uit de aankopen berekend.",
    },
    "en": {
        "heading": "Getting started",
        "none": "0 of 4 steps done. Each step ticks itself off once it is done; "
        "the card goes when all are.",
        "one": "1 of 4 steps done.",
        "steps": [
            "Add your first customer",
            "Import customers and purchases",
            "Set your working hours and targets",
            "Add your staff",
        ],
        "done": "✓ done",
        "hide": "Hide",
        "hide_note": "For good and for everyone in the business; every step stays in the menu.",
        "purchases_note": "From a till export or a spreadsheet (CSV); you see what it will do "
        "before anything is stored. Done with the first purchase: the advice and customer values "
        "are worked out from the purchases after every import and every night.",
    },
}


def _card(client) -> str:
    page = client.get(reverse("web:today")).content.decode()
    return _between(page, "getting-started") if 'data-testid="getting-started"' in page else ""


def _steps(card: str) -> dict[str, bool]:
    """Each step shown, by name, and whether it says it is done (in words, not in colour)."""
    items = re.findall(r'<li class="getting-started-step[^"]*" data-step="(\w+)">(.*?)</li>', card)
    return {name: "done-note" in item for name, item in items}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_new_shops_owner_is_shown_four_steps_to_begin_with(
    owner_client, owner, business, language
):
    account_language_set(user=owner, language=language)
    texts = GETTING_STARTED_TEXTS[language]

    card = _card(owner_client)

    assert [(name, href) for name, href in STEP.findall(card)] == list(STEP_LINKS.items())
    assert _steps(card) == dict.fromkeys(STEP_LINKS, False)
    assert re.findall(r'data-step="\w+"><a href="[^"]+">([^<]+)</a>', card) == texts["steps"]
    assert f'<h2 id="getting-started-heading">{texts["heading"]}</h2>' in card
    assert f'<p data-testid="getting-started-done">{texts["none"]}</p>' in card
    # Whether staff see amounts is the owner's choice; the step said nothing of it, and a
    # restaurant's waiter read the whole turnover on his phone.
    staff_step = re.search(r'data-step="staff">.*?<span class="subtle">([^<]*)</span>', card)[1]
    assert staff_step.endswith(
        {
            "nl": "Of ze zien wat klanten besteedden en waard zijn, kies je onder Zaak, "
            "termijnen en nazorg.",
            "en": "Whether they see what customers spent and are worth, you choose under "
            "Business, targets and aftercare.",
        }[language]
    )
    assert f'data-testid="getting-started-hide">{texts["hide"]}</button>' in card
    assert f'<span class="subtle">{texts["hide_note"]}</span>' in card
    assert f'<span class="subtle">{texts["purchases_note"]}</span>' in card


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_step_done_says_so_in_words_and_the_card_counts_it(
    owner_client, owner, business, language
):
    account_language_set(user=owner, language=language)
    texts = GETTING_STARTED_TEXTS[language]
    CustomerFactory(business=business)

    card = _card(owner_client)

    # The first customer no longer ends the checklist: three steps are still to do.
    assert _steps(card) == {**dict.fromkeys(STEP_LINKS, False), "customers": True}
    assert (
        f'<li class="getting-started-step step-done" data-step="customers"><a href="/customers/new/">'
        f'{texts["steps"][0]}</a> <span class="done-note">{texts["done"]}</span></li>'
    ) in card
    assert f'<p data-testid="getting-started-done">{texts["one"]} ' in card
    # With a customer there, the card no longer says there are none.
    assert "Nog geen klanten" not in card
    assert "No customers yet" not in card


@pytest.mark.parametrize("step", list(STEP_LINKS))
def test_each_step_on_today_is_ticked_off_by_the_shops_data(owner_client, owner, business, step):
    take_step(business=business, owner=owner, step=step)

    done = {name for name, ticked in _steps(_card(owner_client)).items() if ticked}

    assert done == ({"customers", "purchases"} if step == "purchases" else {step})


def test_the_getting_started_card_goes_for_good_once_every_step_is_done(
    owner_client, staff_client, owner, business
):
    # A staff member (staff_client) is there; customers, purchases and the settings follow.
    PurchaseFactory(customer=CustomerFactory(business=business))
    assert _steps(_card(owner_client)) == {
        **dict.fromkeys(STEP_LINKS, True),
        "working_hours": False,
    }
    care_settings_update(business=business, actor=owner)

    assert _card(owner_client) == ""

    assert Business.objects.get(pk=business.pk).getting_started_closed_at is not None
    # Done is done: the staff member leaving does not bring the checklist back.
    business.memberships.filter(role="staff").delete()
    assert _card(owner_client) == ""


def test_the_owner_hides_the_getting_started_card_for_everyone(
    owner_client, staff_client, business
):
    response = owner_client.post(reverse("web:getting_started_hide"))

    assert response.status_code == 302
    assert response["Location"] == reverse("web:today")
    assert Business.objects.get(pk=business.pk).getting_started_closed_at is not None
    assert _card(owner_client) == ""
    # Nothing done yet, and the staff member's one step is gone with it.
    assert _card(staff_client) == ""


def test_staff_cannot_hide_the_getting_started_card(owner_client, staff_client, business):
    response = staff_client.post(reverse("web:getting_started_hide"))

    assert response.status_code == 403
    assert Business.objects.get(pk=business.pk).getting_started_closed_at is None
    assert _steps(_card(owner_client)) == {**dict.fromkeys(STEP_LINKS, False), "staff": True}


def test_hiding_the_getting_started_card_needs_the_forms_csrf_token_and_a_post(owner, business):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    statuses = [
        client.post(reverse("web:getting_started_hide")).status_code,
        client.get(reverse("web:getting_started_hide")).status_code,
    ]

    assert statuses == [403, 405]
    assert Business.objects.get(pk=business.pk).getting_started_closed_at is None
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _card(client)).group(1)
    response = client.post(reverse("web:getting_started_hide"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Business.objects.get(pk=business.pk).getting_started_closed_at is not None


@pytest.mark.parametrize("language", ["nl", "en"])
def test_staff_see_only_the_step_they_may_take_and_only_in_a_shop_without_customers(
    staff_client, staff_user, business, language
):
    account_language_set(user=staff_user, language=language)

    card = _card(staff_client)

    assert STEP.findall(card) == [("customers", "/customers/new/")]
    assert {
        "nl": "Nog geen klanten. Deze pagina vult zich met de beloften, klachten en nazorg die "
        "je voor hen vastlegt.",
        "en": "No customers yet. This page fills up with the promises, complaints and "
        "follow-ups you record for them.",
    }[language] in card
    # No count of steps and no button: the other steps and hiding are the owner's.
    assert "getting-started-done" not in card
    assert "getting-started-hide" not in card
    CustomerFactory(business=business)
    assert _card(staff_client) == ""


def test_today_costs_one_query_less_once_the_getting_started_card_is_hidden(owner_client, business):
    CustomerFactory(business=business)
    owner_client.get(reverse("web:today"))
    with CaptureQueriesContext(connection) as shown:
        owner_client.get(reverse("web:today"))
    # Read before the next request empties the connection's log.
    shown = [query["sql"] for query in shown.captured_queries]
    owner_client.post(reverse("web:getting_started_hide"))

    with CaptureQueriesContext(connection) as hidden:
        owner_client.get(reverse("web:today"))

    hidden = [query["sql"] for query in hidden.captured_queries]
    assert len(hidden) == len(shown) - 1
    # The one left out is the steps' EXISTS tests.
    assert [sql.startswith("SELECT EXISTS") for sql in shown].count(True) == 1
    assert not any(sql.startswith("SELECT EXISTS") for sql in hidden)


def _between(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</section>", start)]


def test_the_button_that_cancels_a_promise_says_so(owner_client, business, owner):
    """Next to "Done", a bare "Cancel" read as "never mind" (as on every form) and called the
    promise off."""
    promise = PromiseFactory(customer=CustomerFactory(business=business), made_by=owner)

    page = owner_client.get(
        reverse("web:customer_detail", args=[promise.customer_id])
    ).content.decode()

    form = page[page.index(reverse("web:promise_cancel", args=[promise.pk])) :]
    assert 'type="submit">Ja, belofte annuleren</button>' in form[: form.index("</form>")]


def test_cancelling_a_promise_on_the_profile_takes_a_second_tap(owner_client, business, owner):
    """On a phone "Belofte annuleren" sat a thumb's width from "Gedaan", and one tap called the
    promise off for good: it now unfolds the button that does it, as "Oplossen" does."""
    promise = PromiseFactory(customer=CustomerFactory(business=business), made_by=owner)

    page = owner_client.get(
        reverse("web:customer_detail", args=[promise.customer_id])
    ).content.decode()

    actions = _between(page, "profile-promises")
    folded = actions[: actions.index(reverse("web:promise_cancel", args=[promise.pk]))]
    assert folded.endswith(
        '<details class="inline-form">\n'
        '            <summary class="button button-quiet button-small">Belofte annuleren</summary>\n'
        '            <form class="stack" method="post" action="'
    )


def test_a_promise_kept_from_today_counts_on_the_scorecard_at_once(owner_client, business):
    from klantvriend.insights.scorecard import customer_scorecard_recent

    def promises_figure():
        card = customer_scorecard_recent(business=business)
        return next(figure.value for figure in card.figures if figure.key == "promises")

    now = timezone.now()
    promise = PromiseFactory(
        customer=CustomerFactory(business=business),
        made_at=now - timedelta(days=1),
        due_at=now + timedelta(hours=1),
    )
    owner_client.get(reverse("web:insights_scorecard"))
    assert promises_figure() is None  # nothing judged yet, and so remembered for a minute

    owner_client.post(
        reverse("web:promise_keep", args=[promise.pk]), {"from": "today"}, headers=HTMX
    )

    assert promises_figure() == 1.0


def test_a_follow_up_left_over_from_an_earlier_day_says_when_it_was_planned(owner_client, business):
    from django.utils import formats, translation

    late_day = business.today() - timedelta(days=5)
    FollowUpFactory(customer=CustomerFactory(business=business, name="Anna"), due_on=late_day)
    FollowUpFactory(customer=CustomerFactory(business=business, name="Bram"))  # due today

    page = owner_client.get(reverse("web:today")).content.decode()

    rows = page.split('data-testid="today-follow-ups"')[1].split("</ul>")[0].split("<li ")[1:]
    anna, bram = sorted(rows, key=lambda row: "Bram" in row)
    with translation.override("nl"):
        # On one line on the page: no-break spaces.
        planned = formats.date_format(late_day, "WEEKDAY_DATE_FORMAT").replace(" ", "\xa0")
    assert (
        f'<span class="overdue" data-testid="late-follow-up">gepland voor {planned}</span>' in anna
    )
    assert "gepland voor" not in bram


@pytest.mark.parametrize(("language", "said"), [("nl", "voor Sanne"), ("en", "for Sanne")])
def test_a_follow_up_for_the_owner_says_whose_call_it_is_on_a_colleagues_today(
    owner_client, staff_client, business, owner, staff_user, language, said
):
    # Given the owner's follow-up of a survey answer, one of the staff member's own, and one
    # for nobody in particular, all due today
    FollowUpFactory(
        customer=CustomerFactory(business=business, name="Anna"),
        reason=Reason.SURVEY,
        assigned_to=owner,
    )
    FollowUpFactory(
        customer=CustomerFactory(business=business, name="Bram"), assigned_to=staff_user
    )
    FollowUpFactory(customer=CustomerFactory(business=business, name="Cor"), assigned_to=None)
    account_language_set(user=staff_user, language=language)
    account_language_set(user=owner, language=language)

    def rows(client) -> dict[str, str]:
        page = client.get(reverse("web:today")).content.decode()
        listed = page.split('data-testid="today-follow-ups"')[1].split("</ul>")[0]
        return {
            name: row
            for row in listed.split("<li ")[1:]
            for name in ("Anna", "Bram", "Cor")
            if f">{name}</a>" in row
        }

    # When the staff member and the owner open Today
    staff_rows, owner_rows = rows(staff_client), rows(owner_client)

    # Then the staff member sees the owner's call named as the owner's (and still can take it:
    # aftercare is the shop's, and the customer may come to the counter), their own and the
    # unassigned one without a name; the owner sees their own without one, the staff's named
    for_sanne = f'<span class="subtle" data-testid="follow-up-for">{said}</span>'
    assert for_sanne in staff_rows["Anna"]
    assert 'data-testid="follow-up-for"' not in staff_rows["Bram"]
    assert 'data-testid="follow-up-for"' not in staff_rows["Cor"]
    assert 'data-testid="follow-up-for"' not in owner_rows["Anna"]
    assert f'data-testid="follow-up-for">{said.split()[0]} Joris</span>' in owner_rows["Bram"]


@pytest.mark.parametrize(
    ("language", "breached", "label"),
    [
        ("en", 1, "complaint late"),
        ("en", 2, "complaints late"),
        ("nl", 1, "klacht te laat"),
        ("nl", 2, "klachten te laat"),
    ],
)
def test_today_counts_the_complaints_past_their_target_in_good_grammar(
    owner_client, owner, business, language, breached, label
):
    customer = CustomerFactory(business=business)
    for _ in range(breached):  # a public complaint gets its first response within an hour
        ComplaintFactory(
            customer=customer, public=True, received_at=timezone.now() - timedelta(hours=2)
        )
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:today")).content.decode()

    assert (
        f'<span class="stat-value">{breached}</span><span class="stat-label">{label}</span>' in page
    )


@pytest.mark.parametrize(("language", "shown"), [("en", "1234.50"), ("nl", "1234,50")])
def test_the_purchase_amount_for_aftercare_is_shown_as_the_reader_writes_amounts(
    owner_client, owner, business, language, shown
):
    """An English reader saw "250,00", a decimal comma: saved unchanged it stayed 250 euros,
    but read as English it looks like twenty-five thousand."""
    business.settings = {"care": {"aftercare_purchase_min_cents": 123450}}
    business.save(update_fields=["settings"])
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:care_settings")).content.decode()

    field = re.search(r'<input[^>]*name="aftercare_purchase_min"[^>]*>', page).group()
    assert f'value="{shown}"' in field


@pytest.mark.parametrize(
    ("language", "hours", "rule"),
    [
        (
            "en",
            48,
            "a promise still open 48 hours after it was due counts as broken, the days the "
            "business is closed not counted.",
        ),
        (
            "en",
            1,
            "a promise still open 1 hour after it was due counts as broken, the days the "
            "business is closed not counted.",
        ),
        (
            "nl",
            48,
            "een belofte die 48 uur na de afgesproken tijd nog openstaat, telt als gebroken "
            "(dagen dat de zaak dicht is, tellen niet mee).",
        ),
    ],
)
def test_the_promises_kept_page_states_the_grace_the_settings_give(
    owner_client, owner, business, language, hours, rule
):
    """It said "a day after it was due" whatever the owner had set."""
    business.settings = {"care": {"promise_grace_hours": hours}}
    business.save(update_fields=["settings"])
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:promise_reliability")).content.decode()

    assert rule in page


def test_the_promises_kept_page_without_an_outcome_says_what_will_come_there(
    owner_client, business
):
    """With no promise kept or late yet, it showed four dashes ("— meestal: de helft van de
    nagekomen beloften") and two empty tables. A promise still open is not judged yet."""
    PromiseFactory(
        customer=CustomerFactory(business=business),
        made_at=timezone.now() - timedelta(hours=1),
        due_at=timezone.now() + timedelta(days=2),
    )

    page = owner_client.get(reverse("web:promise_reliability")).content.decode()

    empty = r'data-testid="reliability-empty">\s*<h2>([^<]*)</h2>\s*<p>([^<]*)<'
    assert re.search(empty, page).groups() == (
        "Nog geen beloften met een bekende afloop.",
        "Een belofte leg je vast op de klantkaart met “+ Belofte”. Zodra ze is nagekomen of "
        "haar moment voorbij is, zegt deze pagina hoe vaak de zaak haar woord houdt: per "
        "medewerker en per soort belofte.",
    )
    open_ones = re.search(r'href="([^"]+)" data-testid="reliability-open"', page)[1]
    assert owner_client.get(unescape(open_ones)).context["page"].paginator.count == 1
    for testid in ("reliability-year", "reliability-median", "reliability-by-member"):
        assert f'data-testid="{testid}"' not in page


@pytest.mark.parametrize(
    ("language", "greeting"), [("en", "Hello, Sanne"), ("nl", "Goedendag, Sanne")]
)
def test_today_greets_the_reader_as_people_do_in_their_language(
    owner_client, owner, business, language, greeting
):
    """The Dutch "Goedendag" said word for word, "Good day", sounds stiff or dated in English."""
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:today")).content.decode()

    assert f"<h1>{greeting}</h1>" in page


@pytest.mark.parametrize(("language", "label"), [("en", "What it is about"), ("nl", "Gaat over")])
def test_the_complaint_form_asks_what_the_complaint_is_about(
    owner_client, owner, business, language, label
):
    """The English label was "Concerns", which above a list of satisfaction drivers reads as
    a noun (worries) rather than as "it concerns"."""
    customer = CustomerFactory(business=business)
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    form = page[page.index('data-testid="complaint-form"') :]
    assert re.search(rf"<legend>{label} <span", form)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "nl",
            [
                "Wist vooraf niet waar ze aan toe waren (prijs, tijd, resultaat) — zekerheid",
                "Een wens of een wijziging kon niet — flexibiliteit",
                "Niet zoals beloofd of zoals het hoort (kapot, beschadigd, slecht gemaakt of "
                "bereid), of niet op tijd — betrouwbaarheid",
                "Niet afgestemd op wat zij persoonlijk wilden — maatwerk",
                "Hoe een eerder probleem is opgelost — klachtafhandeling",
                "Anders",
            ],
        ),
        (
            "en",
            [
                "Did not know what to expect (price, time, result) — certainty",
                "A wish or a change could not be met — flexibility",
                "Not as promised or as it should be (broken, damaged, badly made or prepared), "
                "or not on time — reliability",
                "Not suited to what they personally wanted — customisation",
                "How an earlier problem was dealt with — complaint handling",
                "Other",
            ],
        ),
    ],
)
def test_the_complaint_form_says_what_each_driver_means(
    owner_client, owner, business, language, said
):
    """A hairdresser could not place "the colour turned orange after a week" under five bare
    words, nor a restaurant a cold steak: each choice says what it covers. None is chosen
    beforehand: with "other" chosen, a cold steak and a colour too dark both went there, where
    no driver's figure counted them."""
    customer = CustomerFactory(business=business)
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    form = page[page.index('data-testid="complaint-form"') :]
    group = re.search(r'<fieldset class="choice-group">(.*?)</fieldset>', form, re.S)[1]
    assert [
        unescape(label) for label in re.findall(r'<label for="complaint-driver_\d">([^<]*)', group)
    ] == said
    assert re.findall(r'<input type="radio" name="driver" value="(\w+)"', group) == [
        "certainty",
        "flexibility",
        "reliability",
        "customisation",
        "complaint_handling",
        "other",
    ]
    assert "checked" not in group


def test_a_complaint_without_what_it_is_about_is_refused_and_nothing_stored(staff_client, business):
    customer = CustomerFactory(business=business)

    response = _log_complaint(staff_client, customer, description="Biefstuk koud", driver="")

    assert response.status_code == 422
    assert (
        "Kies waar de klacht over gaat; past er niets, kies dan “Anders”."
        in response.content.decode()
    )
    assert not Complaint.objects.exists()


def test_the_settings_page_offers_the_language_of_the_business_chosen(
    owner_client, owner, business
):
    business.language = "en"
    business.save(update_fields=["language"])
    # The owner reads Dutch themselves, whatever the business writes in.
    account_language_set(user=owner, language="nl")

    page = owner_client.get(reverse("web:care_settings")).content.decode()

    assert "Taal van de zaak" in page
    # Each named in itself, as on the account page: "Engels" there and "English" here read as
    # two different things.
    assert '<option value="nl">Nederlands</option>' in page
    assert '<option value="en" selected>English</option>' in page


# A Saturday noon in the shop's zone.
CLOCK_NOW = datetime(2026, 12, 5, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.mark.parametrize(
    ("language", "stage", "deadline_is_response", "time_left", "label"),
    [
        (
            "nl",
            "response",
            True,
            timedelta(hours=2, minutes=15),
            "beantwoorden binnen 2~uur~15~min",
        ),
        ("en", "response", True, timedelta(hours=2, minutes=15), "answer within 2~hours~15~min"),
        ("nl", "response", True, -timedelta(minutes=30), "antwoord 30~min te laat"),
        ("en", "response", True, -timedelta(minutes=30), "answer 30~min late"),
        # Not yet answered, but the resolution target comes first: that is what is shown.
        ("nl", "response", False, timedelta(minutes=40), "oplossen binnen 40~min"),
        # Due on a later day: that moment, not "within 2 days 23 hours" over a closed Sunday
        # and Monday.
        (
            "nl",
            "resolution",
            False,
            timedelta(days=2, hours=23),
            "oplossen uiterlijk di~8~dec~11:00",
        ),
        ("en", "resolution", False, timedelta(days=2, hours=23), "resolve by Tue~8~Dec~11:00"),
        ("nl", "response", True, timedelta(days=1), "beantwoorden uiterlijk zo~6~dec~12:00"),
        ("en", "response", True, timedelta(days=1), "answer by Sun~6~Dec~12:00"),
        ("nl", "resolution", False, -timedelta(days=1, hours=2), "oplossing 1~dag~2~uur te laat"),
        ("en", "resolution", False, -timedelta(days=1, hours=2), "resolution 1~day~2~hours late"),
        # The time left is rounded down, never said longer than it is; the time over it, half up.
        ("en", "response", True, timedelta(minutes=44, seconds=50), "answer within 44~min"),
        ("en", "response", True, -timedelta(minutes=44, seconds=50), "answer 45~min late"),
        # More than three hours left today: its hour ("within 14 hours 35 min", read in the
        # morning, left a restaurant working out that it meant tonight at 21:00). Today's last
        # minute is today's; midnight is the next day's.
        ("nl", "response", True, timedelta(hours=9), "beantwoorden uiterlijk vandaag~21:00"),
        ("en", "response", True, timedelta(hours=9), "answer by today~21:00"),
        ("nl", "response", True, timedelta(hours=3), "beantwoorden binnen 3~uur"),
        (
            "nl",
            "resolution",
            False,
            timedelta(hours=11, minutes=59, seconds=59),
            "oplossen uiterlijk vandaag~23:59",
        ),
        ("nl", "resolution", False, timedelta(hours=12), "oplossen uiterlijk zo~6~dec~00:00"),
    ],
)
def test_a_complaint_clock_says_what_it_counts_down_to(
    monkeypatch, language, stage, deadline_is_response, time_left, label
):
    monkeypatch.setattr(timezone, "now", lambda: CLOCK_NOW)
    due = CLOCK_NOW + time_left
    other = CLOCK_NOW + timedelta(days=5)
    clock = Clock(
        stage=ClockStage(stage),
        response_deadline=due if deadline_is_response else other,
        resolution_deadline=other if deadline_is_response else due,
        deadline=due,
        time_left=time_left,
        response_in_time=None,
        resolution_in_time=None,
    )

    # "~" marks a no-break space: the length of time and the moment stay on one line.
    with translation.override(language), timezone.override(CLOCK_NOW.tzinfo):
        assert clock_due(clock) == label.replace("~", "\xa0")


@pytest.mark.parametrize(
    ("language", "responded", "clock"),
    [
        # A public complaint is answered within an hour (clock hours), resolved within 3 days:
        # counted down today, said as its moment three days on.
        ("nl", False, "beantwoorden binnen 45\xa0min"),
        ("en", False, "answer within 45\xa0min"),
        ("nl", True, "oplossen uiterlijk {moment}"),
        ("en", True, "resolve by {moment}"),
    ],
)
def test_today_and_the_profile_say_what_a_complaint_clock_counts_down_to(
    owner_client, owner, business, language, responded, clock
):
    # Half a minute to spare either way: the clock shows whole minutes, rounded down. In a
    # zone where it is about midday now, so that the answer is due today whenever the suite
    # runs (Etc/GMT-2 is two hours ahead of UTC). The resolution comes at the closing of the
    # third working day.
    ahead = 12 - timezone.now().astimezone(UTC).hour
    business.time_zone = f"Etc/GMT{-ahead:+d}"
    business.save(update_fields=["time_zone"])
    received = timezone.now() - timedelta(minutes=14, seconds=30)
    complaint = ComplaintFactory(
        customer=CustomerFactory(business=business),
        public=True,
        received_at=received,
        first_response_at=received + timedelta(minutes=5) if responded else None,
    )
    account_language_set(user=owner, language=language)
    with translation.override(language):
        resolve_by = moment_shown(
            add_working_days(
                received, 3, tz=business.tzinfo, week=care_settings(business).opening_hours
            ),
            "WEEKDAY",
            zone=business.tzinfo,
        )

    today = owner_client.get(reverse("web:today")).content.decode()
    profile = owner_client.get(
        reverse("web:customer_detail", args=[complaint.customer_id])
    ).content.decode()

    for page in (today, profile):
        assert f'<span class="clock">{clock.format(moment=resolve_by)}</span>' in page


def test_todays_figures_open_to_the_rows_they_count(owner_client, business):
    """Only the promise figure opened to anything; the complaint and aftercare figures and the
    count of late complaints were plain numbers."""
    customer = CustomerFactory(business=business)
    long_ago = timezone.now() - timedelta(days=10)
    ComplaintFactory(customer=customer, received_at=long_ago)  # never answered: late
    ComplaintFactory(
        customer=customer,
        received_at=long_ago,
        first_response_at=long_ago,
        resolved_at=long_ago + timedelta(minutes=5),
    )
    ComplaintFactory(customer=customer, received_at=timezone.now() - timedelta(minutes=1))

    today = owner_client.get(reverse("web:today"))
    html = today.content.decode()
    in_time = re.search(r'<a [^>]*href="([^"]+)" data-testid="complaints-in-time"', html)
    late = re.search(r'<a [^>]*href="([^"]+)" data-testid="complaints-late"', html)
    aftercare = re.search(r'<a [^>]*href="([^"]+)" data-testid="aftercare-in-time"', html)
    rows = owner_client.get(in_time[1].replace("&amp;", "&")).content.decode()
    listed = owner_client.get(reverse("web:today") + late[1].split("#")[0])

    assert today.context["complaint_figures"].responded_in_time_share == 0.5
    assert "1 van de 2 beoordeelde klachten zijn binnen de norm beantwoord." in rows
    assert today.context["complaint_figures"].open_breached == 1
    assert [
        view.complaint.received_at
        for view in listed.context["today"].complaints.items
        if view.clock.breached
    ] == [long_ago]
    assert (
        aftercare[1] == reverse("web:insights_scorecard_rows") + "?figure=aftercare&amp;from=today"
    )
    assert re.search(r'<a href="/" data-testid="rows-back">← Vandaag</a>', rows)


def _reliability_history(business, owner, staff_user):
    """Promises of every outcome in both windows, by two members and of two kinds."""
    customer = CustomerFactory(business=business)
    now = timezone.now()

    def promise(days_ago, late_hours, **fields):
        due = now - timedelta(days=days_ago)
        PromiseFactory(
            customer=customer,
            made_at=due - timedelta(days=2),
            due_at=due,
            done_at=None if late_hours is None else due + timedelta(hours=late_hours),
            **fields,
        )

    delivery = {"kind": PromiseKind.DELIVERY}
    for days_ago, late_hours, maker, fields in [
        (3, -2, owner, {}),
        (4, 3, owner, delivery),
        (5, None, staff_user, {}),  # broken: left open
        (6, 0, staff_user, delivery),
        (7, 26, staff_user, {}),
        (100, -1, owner, {}),
        (101, 5, staff_user, delivery),
        (200, None, owner, {}),  # broken
        (400, 1, owner, {}),  # more than a year ago: in no figure
    ]:
        promise(days_ago, late_hours, made_by=maker, **fields)
    PromiseFactory(customer=customer, made_by=owner, due_at=now + timedelta(days=1))  # open


def _linked_list(client, href):
    response = client.get(href.replace("&amp;", "&"))
    rows = re.findall(r"<tr>\s*<td[^>]*><a href=\"/customers/", response.content.decode())
    assert len(rows) == response.context["page"].paginator.count
    return response.context


def test_every_reliability_figure_opens_to_as_many_promises_as_it_counts(
    owner_client, owner, business, staff_user
):
    """The year's share, the lateness and the per-member and per-kind counts were plain
    numbers; only the last 90 days opened to anything."""
    _reliability_history(business, owner, staff_user)

    page = owner_client.get(reverse("web:promise_reliability"))
    html = page.content.decode()
    figures = page.context["figures"]
    rows = {filter: row for _name, row, filter in page.context["members"] + page.context["kinds"]}
    assert 'data-testid="reliability-empty"' not in html

    year = _linked_list(
        owner_client, re.search(r'href="([^"]+)" data-testid="reliability-year"', html)[1]
    )
    assert (year["page"].paginator.count, year["tally"].on_time) == (8, 3)
    assert (figures.overall.judged, figures.overall.kept_on_time) == (8, 3)
    recent = _linked_list(
        owner_client, re.search(r'href="([^"]+)" data-testid="reliability-last-90-days"', html)[1]
    )
    assert figures.trend.last_90_days == 2 / 5
    assert (recent["page"].paginator.count, recent["tally"].on_time) == (5, 2)
    # The trend's other side: the 90 days before (the promise broken 200 days ago is older).
    before = _linked_list(
        owner_client, re.search(r'href="([^"]+)" data-testid="reliability-before"', html)[1]
    )
    assert figures.trend.previous_90_days == 1 / 2
    assert (before["page"].paginator.count, before["tally"].on_time) == (2, 1)
    assert before["period"] == "90d-before"
    for testid in ("reliability-median", "reliability-p90"):
        kept = _linked_list(
            owner_client, re.search(rf'href="([^"]+)" data-testid="{testid}"', html)[1]
        )
        assert kept["page"].paginator.count == 6
        assert kept["tally"].figures == figures.overall
    links = re.findall(
        r'<a href="(/promises/\?([^"&]+)&amp;[^"]*)" data-testid="(\w+)">([^<]+)</a>', html
    )
    assert len(links) == 6 * (2 + 2)  # six figures for each of two members and two kinds
    expected = {
        "judged": lambda row: row.judged,
        "on_time": lambda row: row.kept_on_time,
        "late": lambda row: row.kept_late,
        "broken": lambda row: row.broken,
        "median": lambda row: row.kept_on_time + row.kept_late,
        "p90": lambda row: row.kept_on_time + row.kept_late,
    }
    for href, filter, testid, text in links:
        row = rows[filter]
        listed = _linked_list(owner_client, href)
        assert listed["page"].paginator.count == expected[testid](row), (filter, testid)
        if testid in ("judged", "late", "broken"):
            assert int(text) == listed["page"].paginator.count
        if testid in ("median", "p90"):
            assert listed["tally"].figures == row
    assert {filter: row.judged for filter, row in rows.items()} == {
        f"member={owner.pk}": 4,
        f"member={staff_user.pk}": 4,
        "kind=delivery": 3,
        "kind=order_ready": 5,
    }


@pytest.mark.parametrize(
    ("language", "before", "period"),
    [
        ("nl", "de 90 dagen ervoor: 50%", "De 90 dagen vóór de laatste 90"),
        ("en", "the 90 days before: 50%", "The 90 days before the last 90"),
    ],
)
def test_the_trends_90_days_before_open_to_their_promises_in_either_language(
    owner_client, owner, business, staff_user, language, before, period
):
    _reliability_history(business, owner, staff_user)
    account_language_set(user=owner, language=language)

    html = owner_client.get(reverse("web:promise_reliability")).content.decode()
    link = re.search(r'href="([^"]+)" data-testid="reliability-before">([^<]+)</a>', html)
    listed = owner_client.get(link[1].replace("&amp;", "&")).content.decode()

    assert link[2] == before
    assert f'<option value="90d-before" selected>{period}</option>' in listed


def test_a_member_sees_their_own_reliability_and_the_owner_everyone_s(
    owner_client, owner, business, staff_user, staff_client
):
    # A ranking of colleagues is personal data about each of them (AVG): the owner's to see.
    _reliability_history(business, owner, staff_user)

    owners = owner_client.get(reverse("web:promise_reliability"))
    staffs = staff_client.get(reverse("web:promise_reliability"))

    assert [row[2] for row in owners.context["members"]] == [
        f"member={member.pk}" for member in sorted((owner, staff_user), key=staff_name)
    ]
    assert [row[2] for row in staffs.context["members"]] == [f"member={staff_user.pk}"]
    assert "<h2>Per medewerker</h2>" in owners.content.decode()
    page = staffs.content.decode()
    assert "<h2>Jouw beloften</h2>" in page
    assert "Je eigen cijfers; de eigenaar ziet die van iedereen." in page
    # The shop's figures stay whole for everyone.
    assert staffs.context["figures"].overall == owners.context["figures"].overall


def test_staff_see_the_list_of_promises_as_they_see_the_reliability_page(
    client, business, staff_user
):
    client.force_login(staff_user)

    assert client.get(reverse("web:promise_reliability")).status_code == 200
    assert client.get(reverse("web:promise_list")).status_code == 200


def test_the_list_of_promises_takes_only_the_filters_it_offers(
    owner_client, owner, business, staff_user
):
    """A link edited by hand shows the whole list of the year, not an error page."""
    _reliability_history(business, owner, staff_user)

    listed = owner_client.get(
        reverse("web:promise_list")
        + "?period=5y&outcome=lost&kind=gift&order=name&member=99999999999999999999&page=x"
    )

    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == 8 + 1  # judged, and the one open
    assert (listed.context["period"], listed.context["outcome"], listed.context["member"]) == (
        "12m",
        "",
        None,
    )


@pytest.mark.parametrize(
    ("url_name", "sent", "field_id", "message"),
    [
        ("web:purchase_add", {}, "purchase-amount", "Vul een bedrag in."),
        (
            "web:contact_moment_add",
            {"kind": "visit", "summary": "  "},
            "contact-summary",
            "Schrijf een korte samenvatting.",
        ),
        (
            "web:important_date_add",
            {"date": "2020-06-12"},
            "important-date-label",
            "Zeg wat voor dag het is, bijvoorbeeld: trouwdag.",
        ),
        (
            "web:important_date_add",
            {"label": "Trouwdag"},
            "important-date-date",
            "Vul de datum in.",
        ),
        (
            "web:promise_add",
            {"kind": "order_ready", "due_date": "2099-01-01"},
            "promise-description",
            "Zeg wat er beloofd is.",
        ),
        (
            "web:promise_add",
            {"kind": "order_ready", "description": "Rollade"},
            "promise-due_date",
            "Vul in wanneer het uiterlijk klaar is.",
        ),
        (
            "web:complaint_add",
            {"channel": "counter", "severity": "medium", "driver": "other"},
            "complaint-description",
            "Beschrijf de klacht.",
        ),
        (
            "web:follow_up_add",
            {"due_on": "2099-01-01"},
            "follow-up-note",
            "Zeg wat je de klant wilt vragen.",
        ),
        (
            "web:follow_up_add",
            {"note": "Smaakte het?"},
            "follow-up-due_on",
            "Vul in voor welke dag het gepland is.",
        ),
        (
            "web:gesture_add",
            {"occasion": "just_because"},
            "gesture-what",
            "Zeg wat de attentie was.",
        ),
    ],
)
def test_a_form_of_the_profile_sent_empty_says_what_to_fill_in(
    staff_client, business, url_name, sent, field_id, message
):
    """Each form had a message of its own for an empty field, which only whitespace reached:
    an empty one got Django's "Dit veld is verplicht.", read out without its field."""
    customer = CustomerFactory(business=business)
    before = {kind: getattr(customer, kind).count() for kind in RECORDS}

    response = staff_client.post(reverse(url_name, args=[customer.pk]), sent, headers=HTMX)

    assert response.status_code == 422
    assert (
        f'<p class="error" id="{field_id}_error" role="alert">{message}</p>'
        in response.content.decode()
    )
    assert {kind: getattr(customer, kind).count() for kind in RECORDS} == before


RECORDS = [
    "purchases",
    "contact_moments",
    "important_dates",
    "promises",
    "complaints",
    "follow_ups",
    "gestures",
]


def test_the_profile_lists_what_is_still_open_first_the_soonest_first(owner_client, business):
    """The profile shows the first ten of each kind: an open promise older than the ten latest
    was not among them, and with it went its Done button; open ones now come first, the soonest
    due first, then the rest, the latest first."""
    customer = CustomerFactory(business=business)
    now = timezone.now()
    for days_ago in range(1, 13):  # twelve kept, the latest yesterday
        PromiseFactory(
            customer=customer,
            description=f"Kept {days_ago}",
            made_at=now - timedelta(days=days_ago + 1),
            done_at=now - timedelta(days=days_ago),
        )
    for description, days in [("Open next week", 7), ("Open long overdue", -30), ("Open", 1)]:
        PromiseFactory(
            customer=customer,
            description=description,
            made_at=now - timedelta(days=40),
            due_at=now + timedelta(days=days),
        )
    today = business.today()
    FollowUpFactory(
        customer=customer,
        note="Done last week",
        due_on=today - timedelta(days=7),
        done_at=now - timedelta(days=7),
        outcome="content",
    )
    FollowUpFactory(customer=customer, note="Due in a month", due_on=today + timedelta(days=30))
    FollowUpFactory(customer=customer, note="Due tomorrow", due_on=today + timedelta(days=1))

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    promises = _between(page, "profile-promises")
    assert re.findall(r"</span> ((?:Open|Kept)[^\n<]*)\n", promises) == [
        "Open long overdue",
        "Open",
        "Open next week",
        *[f"Kept {days_ago}" for days_ago in range(1, 8)],
    ]
    assert promises.count('data-testid="promise-done"') == 3
    follow_ups = _between(page, "profile-follow-ups")
    assert sorted(["Due tomorrow", "Due in a month", "Done last week"], key=follow_ups.index) == [
        "Due tomorrow",
        "Due in a month",
        "Done last week",
    ]


def _whole_page_posted(business) -> dict:
    """The settings page as the browser sends it, one form: the business's fields and the
    targets as they are."""
    data = {
        name: value
        for name, value in CareSettingsForm.initial_from(care_settings(business)).items()
        if value is not None and value is not False
    }
    data.update(
        {
            "business-name": business.name,
            "business-time_zone": business.time_zone,
            "business-language": business.language,
            "business-contact_email": business.contact_email,
        }
    )
    return data


def test_an_email_address_typed_at_the_top_is_saved_with_the_hours_at_the_bottom(
    owner_client, business, owner
):
    """As two forms, the e-mail address typed in "Your business" was lost without a word when
    Friday's hours were saved with the button at the bottom."""
    data = _whole_page_posted(business)
    data.update({"business-contact_email": "lotte@kapsalon.nl", "friday_closes": "21:00"})

    response = owner_client.post(reverse("web:care_settings"), data)

    assert response.status_code == 302
    stored = Business.objects.get(pk=business.pk)
    assert stored.contact_email == "lotte@kapsalon.nl"
    assert care_settings(stored).opening_hours[4] == DayHours(time(9), time(21))
    changed = [
        sorted(event.changes)
        for event in AuditEvent.objects.filter(action="settings").order_by("pk")
    ]
    assert ["contact_email"] in changed
    assert len(changed) == 2


def test_saving_the_targets_alone_records_no_change_of_the_business(owner_client, business, owner):
    data = _whole_page_posted(business)
    data["promise_grace_hours"] = "12"

    owner_client.post(reverse("web:care_settings"), data)

    (event,) = AuditEvent.objects.filter(action="settings")
    assert list(event.changes) == ["promise_grace_hours"]


@pytest.mark.parametrize("refused", ["business", "targets"])
def test_a_refusal_in_either_part_saves_neither_and_keeps_both_as_typed(
    owner_client, business, owner, refused
):
    before = snapshot()
    data = _whole_page_posted(business)
    data.update({"business-contact_email": "lotte@kapsalon.nl", "friday_closes": "21:00"})
    if refused == "business":
        data["business-name"] = "   "
    else:
        data["promise_grace_hours"] = "-1"

    response = owner_client.post(reverse("web:care_settings"), data)

    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="lotte@kapsalon.nl"' in page
    assert re.search(r'name="friday_closes" value="21:00"', page)
    errors = response.context["business_form"].errors, response.context["form"].errors
    assert [bool(part) for part in errors] == [refused == "business", refused == "targets"]
    assert snapshot() == before


def test_the_reliability_page_sends_owners_to_the_grace_hours_and_says_nothing_of_it_to_staff(
    owner_client, staff_client
):
    # Staff were told "(see settings)", a page they cannot open.
    settings_link = f'href="{reverse("web:care_settings")}"'
    owners = owner_client.get(reverse("web:promise_reliability")).content.decode()
    staffs = staff_client.get(reverse("web:promise_reliability")).content.decode()

    assert f"{settings_link}>Die uren stel je in onder Zaak, termijnen en nazorg.</a>" in owners
    assert "Die uren stel je in" not in staffs
    assert "telt als gebroken (dagen dat de zaak dicht is, tellen niet mee)." in staffs


def test_a_restaurant_saves_its_break_and_its_late_nights_on_the_settings_page(
    owner_client, business, owner
):
    week = _hours_posted([None, *[("12:00", "22:00")] * 3, ("17:00", "01:00"), None, None])
    for key in ("tuesday", "wednesday", "thursday"):
        week.update({f"{key}_break_starts": "14:30", f"{key}_break_ends": "17:30"})

    response = owner_client.post(reverse("web:care_settings"), {**SETTINGS_POSTED, **week})

    assert response.status_code == 302
    assert care_settings(Business.objects.get(pk=business.pk)).opening_hours == (
        None,
        *[DayHours(time(12), time(22), time(14, 30), time(17, 30))] * 3,
        DayHours(time(17), time(1)),
        None,
        None,
    )
    page = owner_client.get(reverse("web:care_settings")).content.decode()
    tuesday = _day_row(page, "tuesday")
    assert 'name="tuesday_break_starts" value="14:30"' in tuesday
    assert 'name="tuesday_break_ends" value="17:30"' in tuesday
    assert (
        '<label for="id_tuesday_break_ends"><span class="visually-hidden">Dinsdag pauze </span>'
        "tot</label>" in tuesday
    )
    history = re.search(r'data-testid="settings-history">(.*?)</ul>', page, re.S)[1]
    assert "Openingstijden op dinsdag: 09:00–18:00 → 12:00–22:00, pauze 14:30–17:30" in history
    assert "Openingstijden op vrijdag: 09:00–18:00 → 17:00–01:00" in history


def test_half_a_break_is_asked_for_and_nothing_is_stored(owner_client, business, owner):
    care_settings_update(business=business, actor=owner, opening_hours=SALON)
    business.refresh_from_db()
    before = business.settings
    week = _hours_posted([None, *[("09:00", "18:00")] * 5, None])
    week.update({"tuesday_break_starts": "12:30", "wednesday_break_ends": "13:30"})

    response = owner_client.post(reverse("web:care_settings"), {**SETTINGS_POSTED, **week})

    assert response.status_code == 422
    page = unescape(response.content.decode())
    assert re.findall(r'<p class="error" id="(\w+)_error" role="alert">([^<]*)</p>', page) == [
        (
            "id_tuesday_break_ends",
            "Vul in wanneer de pauze op dinsdag eindigt, of maak beide leeg.",
        ),
        (
            "id_wednesday_break_starts",
            "Vul in wanneer de pauze op woensdag begint, of maak beide leeg.",
        ),
    ]
    business.refresh_from_db()
    assert business.settings == before


def test_closing_on_a_weekday_says_what_still_falls_on_it(owner_client, business):
    """A shop that closed on Mondays from now on kept its Monday orders and calls without a
    word: nothing moves them, and the customers expect the shop open."""
    monday = open_on(business.today() + timedelta(days=1))
    monday += timedelta(days=(0 - monday.weekday()) % 7)
    customer = CustomerFactory(business=business)
    PromiseFactory(
        customer=customer,
        due_at=datetime.combine(monday, time(11), tzinfo=business.tzinfo),
    )
    PromiseFactory(
        customer=customer,
        made_at=timezone.now() - timedelta(days=30),
        due_at=datetime.combine(monday - timedelta(days=14), time(11), tzinfo=business.tzinfo),
    )  # a Monday gone by
    FollowUpFactory(customer=customer, due_on=monday + timedelta(days=7))
    FollowUpFactory(customer=customer, due_on=monday + timedelta(days=1))  # a Tuesday
    week = [None, *[("09:00", "18:00")] * 5, None]

    response = owner_client.post(
        reverse("web:care_settings"), {**SETTINGS_POSTED, **_hours_posted(week)}, follow=True
    )

    said = [str(message) for message in response.context["messages"]]
    assert said == [
        "Instellingen opgeslagen.",
        "De zaak is nu dicht op maandag, en 1 open belofte en 1 nazorgcontact vallen nog op "
        "zo'n dag. Verzet ze via de lijsten van beloften en nazorg, en laat het de klanten weten.",
    ]
    # Saved again as it is: nothing newly closed, nothing said.
    response = owner_client.post(
        reverse("web:care_settings"), {**SETTINGS_POSTED, **_hours_posted(week)}, follow=True
    )
    assert [str(message) for message in response.context["messages"]] == [
        "Instellingen opgeslagen."
    ]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nl", "2 beloften voor de komende 7 dagen"),
        ("en", "2 promises due in the coming 7 days"),
    ],
)
def test_today_names_the_promises_of_the_coming_week_and_opens_to_them(
    owner_client, owner, business, language, text
):
    """A promise for next Monday was on the customer's card only: Today lists today's and
    the overdue ones, and now says how many are coming in the week after today."""
    customer = CustomerFactory(business=business)
    tomorrow = business.start_of(business.today() + timedelta(days=1))
    for description, due_at in [
        ("Taart ophalen", tomorrow + timedelta(hours=10)),
        ("Slijpmachine klaar", tomorrow + timedelta(days=6, hours=10)),
        ("Na de week", tomorrow + timedelta(days=7, hours=10)),
    ]:
        PromiseFactory(
            customer=customer,
            description=description,
            made_at=timezone.now(),
            due_at=due_at,
        )
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:today")).content.decode()

    link = re.search(r'<a href="([^"]+)" data-testid="promises-coming">([^<]+)</a>', page)
    assert link[2] == text
    listed = _linked_list(owner_client, link[1])
    assert sorted(promise.description for promise in listed["page"]) == [
        "Slijpmachine klaar",
        "Taart ophalen",
    ]


@pytest.mark.parametrize(
    ("language", "text", "empty"),
    [
        (
            "nl",
            "Nog 2 open beloften, langer dan een week over tijd",
            "Niets achterstallig van de afgelopen week.",
        ),
        (
            "en",
            "2 more open promises, overdue for more than a week",
            "Nothing overdue from the last week.",
        ),
    ],
)
def test_today_names_the_promises_overdue_for_more_than_a_week_and_opens_to_them(
    owner_client, owner, business, language, text, empty
):
    """An accountant's callback promised three weeks ago, still open, was on no page but the
    list of promises: Today's overdue promises are those of the last week."""
    customer = CustomerFactory(business=business)
    now = timezone.now()
    for description, due_at, fields in [
        ("Terugbellen over de aangifte", now - timedelta(days=17), {}),
        ("Offerte Bakker Bouw", now - timedelta(days=8), {}),
        ("Al gedaan", now - timedelta(days=20), {"done_at": now - timedelta(days=19)}),
    ]:
        PromiseFactory(
            customer=customer,
            description=description,
            made_at=now - timedelta(days=30),
            due_at=due_at,
            **fields,
        )
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:today")).content.decode()

    link = re.search(r'<a href="([^"]+)" data-testid="promises-older">([^<]+)</a>', page)
    assert link[2] == text
    assert f'<p class="empty">{empty}</p>' in page
    listed = _linked_list(owner_client, link[1])
    assert [promise.description for promise in listed["page"]] == [
        "Terugbellen over de aangifte",
        "Offerte Bakker Bouw",
    ]


def test_today_says_nothing_of_the_coming_week_without_promises_in_it(owner_client, business):
    page = owner_client.get(reverse("web:today")).content.decode()

    assert 'data-testid="promises-coming"' not in page
    assert 'data-testid="promises-older"' not in page


def _care_of_two(business, owner, staff_user):
    """A promise each for today and from yesterday, a follow-up each due today, one assigned
    to nobody, a complaint, and a promise each for the coming week."""
    customer = CustomerFactory(business=business, name="Anna de Vries")
    now = timezone.now()
    today = business.start_of(business.today())
    for member, name in ((owner, "Sanne"), (staff_user, "Joris")):
        for description, due_at in [
            (f"{name}: vandaag", today + timedelta(hours=23, minutes=30)),
            (f"{name}: gisteren", today - timedelta(hours=2)),
            (f"{name}: volgende week", today + timedelta(days=3, hours=12)),
        ]:
            PromiseFactory(
                customer=customer,
                description=description,
                made_by=member,
                made_at=now - timedelta(days=3),
                due_at=due_at,
            )
    for assigned_to, note in ((owner, "Sanne bellen"), (staff_user, "Joris bellen"), (None, "")):
        FollowUpFactory(
            customer=customer,
            assigned_to=assigned_to,
            note=note or "Niemand bellen",
            due_on=business.today(),
        )
    ComplaintFactory(customer=customer, description="Rollade was taai")


@pytest.mark.parametrize(
    ("mine", "promises", "follow_ups", "coming"),
    [
        (
            False,
            ["Joris: gisteren", "Joris: vandaag", "Sanne: gisteren", "Sanne: vandaag"],
            ["Joris bellen", "Niemand bellen", "Sanne bellen"],
            "2 beloften voor de komende 7 dagen",
        ),
        (
            True,
            ["Joris: gisteren", "Joris: vandaag"],
            ["Joris bellen"],
            "1 belofte voor de komende 7 dagen",
        ),
    ],
)
def test_only_mine_on_today_holds_the_promises_i_made_and_the_follow_ups_given_to_me(
    staff_client, business, owner, staff_user, mine, promises, follow_ups, coming
):
    """In a shop of several each keeps their own word: Joris asks Today for his own. The
    complaints stay the whole shop's."""
    _care_of_two(business, owner, staff_user)

    if mine:
        chosen = staff_client.post(reverse("web:today_whose"), {"mine": "1"})
        assert (chosen.status_code, chosen["Location"]) == (302, "/")
    response = staff_client.get(reverse("web:today"))

    page = response.content.decode()
    today = response.context["today"]
    shown = [view.promise.description for view in today.due_today.items + today.overdue.items]
    assert sorted(shown) == promises
    assert sorted(f.note for f in today.follow_ups.items) == follow_ups
    assert [view.complaint.description for view in today.complaints.items] == ["Rollade was taai"]
    link = re.search(r'<a href="([^"]+)" data-testid="promises-coming">([^<]+)</a>', page)
    assert link[2] == coming
    listed = _linked_list(staff_client, link[1])
    assert listed["page"].paginator.count == (1 if mine else 2)
    assert _whose_choice(page) == (("0", "Toon van iedereen") if mine else ("1", "Alleen van mij"))
    assert ('data-testid="today-mine-note"' in page) is mine


def _whose_choice(page: str) -> tuple[str, str]:
    """What Today's "Only mine" button sends, and what it says (the first of its two places)."""
    form = re.search(
        r'<form class="today-whose" method="post" action="/today/whose/">.*?'
        r'<input type="hidden" name="mine" value="(\d)">'
        r'<button [^>]*data-testid="today-whose">([^<]+)</button></form>',
        page,
    )
    return form.groups()


def test_only_mine_stays_chosen_the_next_morning_and_in_that_business_alone(
    business, owner, staff_user
):
    """A login lasts a working day: a link's ?mine=1 was gone each morning. The choice is the
    member's, in one business; the owner's Today stays the whole shop's."""
    _care_of_two(business, owner, staff_user)
    second = business_create(name="Slagerij Tweede", owner=owner)
    membership_create(business=second, user=staff_user, role=Role.STAFF)
    monday = Client()
    monday.force_login(staff_user)
    monday.post(reverse("web:today_whose"), {"mine": "1"})

    tuesday = Client()
    tuesday.force_login(staff_user)
    page = tuesday.get(reverse("web:today")).content.decode()

    assert 'data-testid="today-mine-note"' in page
    assert _whose_choice(page) == ("0", "Toon van iedereen")
    memberships = Membership.objects.filter(user=staff_user)
    assert dict(memberships.values_list("business", "today_only_mine")) == {
        business.pk: True,
        second.pk: False,
    }
    owners = Client()
    owners.force_login(owner)
    assert 'data-testid="today-mine-note"' not in owners.get(reverse("web:today")).content.decode()

    tuesday.post(reverse("web:today_whose"), {"mine": "0"})

    page = tuesday.get(reverse("web:today")).content.decode()
    assert 'data-testid="today-mine-note"' not in page
    assert _whose_choice(page) == ("1", "Alleen van mij")


def test_only_mine_is_chosen_by_a_form_not_a_link(staff_client, business, staff_user):
    # A choice that stays is a change: a link followed (or fetched ahead by a browser) is not.
    assert staff_client.get(reverse("web:today_whose"), {"mine": "1"}).status_code == 405
    assert Membership.objects.get(user=staff_user).today_only_mine is False


def test_a_shop_of_one_is_not_offered_only_mine(owner_client, business):
    page = owner_client.get(reverse("web:today")).content.decode()

    assert 'data-testid="today-whose"' not in page


def test_only_mine_opens_the_whole_list_of_my_promises(staff_client, business, owner, staff_user):
    customer = CustomerFactory(business=business)
    today = business.start_of(business.today())
    for member in (owner, staff_user):
        for index in range(SHOWN + 1):
            PromiseFactory(
                customer=customer,
                made_by=member,
                made_at=timezone.now() - timedelta(days=1),
                due_at=today + timedelta(hours=23, minutes=index),
            )

    staff_client.post(reverse("web:today_whose"), {"mine": "1"})
    page = staff_client.get(reverse("web:today")).content.decode()

    link = re.search(r'<a href="([^"]+)" data-testid="show-all-due_today">([^<]+)</a>', page)
    assert link.groups() == (
        f"/promises/?agenda=today&amp;order=due&amp;member={staff_user.pk}",
        f"Toon alle {SHOWN + 1}",
    )
    listed = _linked_list(staff_client, link[1])
    assert listed["page"].paginator.count == SHOWN + 1
    assert {promise.made_by_id for promise in listed["page"]} == {staff_user.pk}


def test_a_promise_open_already_in_the_same_words_for_the_same_moment_is_asked_about(
    owner_client, business
):
    """A garage's form sent again saved four of "Auto klaar vandaag 17:00" without a word, each
    a promise to keep and to count."""
    customer = CustomerFactory(business=business)
    day = open_on(business.today() + timedelta(days=1))
    typed = {
        "description": "Auto klaar 17:00 (distributieriem)",
        "kind": "repair",
        "due_date": day.isoformat(),
        "due_time": "17:00",
    }
    url = reverse("web:promise_add", args=[customer.pk])
    assert owner_client.post(url, typed, headers=HTMX).status_code == 200
    first = Promise.objects.get()
    before = snapshot()

    asked = owner_client.post(
        url, {**typed, "description": "auto klaar 17:00 (Distributieriem) "}, headers=HTMX
    )

    with translation.override("nl"):
        recorded = moment_shown(first.created_at, "WEEKDAY", zone=business.tzinfo)
    assert asked.status_code == 422
    assert asked.context["promise_form"].errors["description"] == [
        f"Deze klant heeft deze belofte al open staan (vastgelegd {recorded}). Nog een? Vink "
        "“Toch vastleggen” aan."
    ]
    assert 'name="confirm_due"' in asked.content.decode()
    assert snapshot() == before
    # Another moment is another promise; ticked, the same one is recorded again.
    other_time = owner_client.post(url, {**typed, "due_time": "16:00"}, headers=HTMX)
    again = owner_client.post(url, {**typed, "confirm_due": "on"}, headers=HTMX)
    assert (other_time.status_code, again.status_code) == (200, 200)
    assert Promise.objects.count() == 3


def test_a_promise_marked_done_afterwards_is_kept_when_it_was(owner_client, business):
    """A bike collected on Saturday at 17:30 and marked on the next open day was recorded as
    kept then, with no way to say when but "It was on time"."""
    customer = CustomerFactory(business=business)
    day = business.today() - timedelta(days=1)
    due = datetime.combine(day, time(16, 0), tzinfo=business.tzinfo)
    promise = PromiseFactory(customer=customer, made_at=due - timedelta(days=2), due_at=due)
    PromiseFactory(customer=customer, due_at=due + timedelta(days=7))  # still to come
    url = reverse("web:promise_keep", args=[promise.pk])
    card = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    before = snapshot()
    # Cancelling it now would count as broken, which the card says, with the way to keep it.
    assert card.count('data-testid="cancel-counts-as-broken"') == 1
    # "Done earlier?" begins at its moment, near the real one.
    assert f'name="done_at" required value="{day.isoformat()}T16:00"' in card

    typed_wrong = owner_client.post(url, {"done_at": "zaterdag"}, headers=HTMX)
    in_the_future = owner_client.post(
        url,
        {"done_at": f"{(business.today() + timedelta(days=2)).isoformat()}T10:00"},
        headers=HTMX,
    )
    assert 'data-testid="promise-done-earlier"' in card
    assert (typed_wrong.status_code, in_the_future.status_code) == (422, 422)
    # Said in its panel, kept open with what was typed.
    future = f"{(business.today() + timedelta(days=2)).isoformat()}T10:00"
    assert re.search(
        r'<details class="inline-form" open>\s*<summary[^>]*data-testid="promise-done-earlier"',
        in_the_future.content.decode(),
    )
    assert f'name="done_at" required value="{future}"' in in_the_future.content.decode()
    assert "Vul een datum en tijd in, zoals 2026-03-01 14:30." in typed_wrong.content.decode()
    assert "Een belofte kan niet in de toekomst nagekomen worden." in (
        in_the_future.content.decode()
    )
    assert snapshot() == before

    kept = owner_client.post(url, {"done_at": f"{day.isoformat()}T17:30"}, headers=HTMX)

    assert kept.status_code == 200
    promise.refresh_from_db()
    assert (promise.done_at, promise.done_on) == (due + timedelta(hours=1, minutes=30), day)

    # Sent again (a colleague's tab): the promise is done, the card says so at its top.
    kept_meanwhile = snapshot()
    again = owner_client.post(url, {"done_at": f"{day.isoformat()}T17:45"}, headers=HTMX)
    assert again.status_code == 422
    assert 'class="form-errors error" role="alert"' in again.content.decode()
    assert snapshot() == kept_meanwhile
