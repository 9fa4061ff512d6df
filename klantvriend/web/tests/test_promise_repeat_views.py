"""A standing order on the pages: made to repeat on the profile, shown repeating where the
promise is listed, kept from Today with where its next time went, cancelled this time only or
for good, and made to repeat otherwise on the promise's page."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from klantvriend.core.care_settings import closed_period_add
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises import services
from klantvriend.promises.models import Promise, PromiseKind

HTMX = {"HX-Request": "true"}
TUESDAY = datetime(2026, 12, 1).date()


@pytest.fixture
def now(business, monkeypatch):
    """Half past nine on a Tuesday in the butcher's shop."""
    moment = datetime.combine(TUESDAY, time(9, 30), tzinfo=business.tzinfo)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Anna de Vries")


def _weekly(customer, staff_user, now, **fields):
    return services.promise_create(
        customer=customer,
        description="Rollade klaarleggen",
        kind=PromiseKind.ORDER_READY,
        due_at=now + timedelta(hours=6),
        made_by=staff_user,
        **{"repeat_weeks": 1, **fields},
    )


def test_the_profile_makes_a_weekly_order_and_shows_it_repeating(owner_client, customer, now):
    profile = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    owner_client.post(
        reverse("web:promise_add", args=[customer.pk]),
        {
            "description": "Rollade klaarleggen",
            "kind": "order_ready",
            "due_date": "2026-12-05",
            "due_time": "16:00",
            "repeat": "1",
        },
    )
    owner_client.post(
        reverse("web:promise_add", args=[customer.pk]),
        {
            "description": "BTW-aangifte indienen",
            "kind": "other",
            "due_date": "2026-12-31",
            "repeat": "3m",
        },
    )
    # A page from before the choice was offered sends none: a single promise.
    owner_client.post(
        reverse("web:promise_add", args=[customer.pk]),
        {"description": "Worst bestellen", "kind": "order_ready", "due_date": "2026-12-05"},
    )

    assert '<option value="1">elke week</option>' in profile
    assert '<option value="6">om de 6 weken</option>' in profile
    assert '<optgroup label="in maanden, op dezelfde dag van de maand">' in profile
    assert '<option value="3m">elke 3 maanden (een kwartaal)</option>' in profile
    assert {
        description: (weeks, months, day)
        for description, weeks, months, day in Promise.objects.values_list(
            "description", "repeat_weeks", "repeat_months", "repeat_day"
        )
    } == {
        "Rollade klaarleggen": (1, 0, None),
        "BTW-aangifte indienen": (0, 3, 31),
        "Worst bestellen": (0, 0, None),
    }
    shown = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    assert shown.count('data-testid="promise-repeats"') == 2
    assert "↻ elke week" in shown
    assert "↻ elke 3 maanden (een kwartaal)" in shown


def test_kept_from_today_the_row_says_when_the_next_time_is(
    owner_client, customer, staff_user, now
):
    promise = _weekly(customer, staff_user, now)

    kept = owner_client.post(
        reverse("web:promise_keep", args=[promise.pk]), {"from": "today"}, headers=HTMX
    ).content.decode()

    following = Promise.objects.exclude(pk=promise.pk).get()
    assert following.due_at == promise.due_at + timedelta(weeks=1)
    assert "Volgende keer: di\xa08\xa0dec\xa015:30." in kept
    today = owner_client.get(reverse("web:today")).content.decode()
    assert "↻ elke week" not in today  # next Tuesday's is not today's
    assert following.repeat_of == promise


def test_kept_the_row_says_the_next_time_falls_on_a_closed_day(
    owner_client, owner, customer, staff_user, now
):
    # A repeat keeps its weekday: whoever keeps this one hears now that the shop is closed next
    # time, and can move it or tell the customer.
    closed_period_add(
        business=customer.business,
        actor=owner,
        first=datetime(2026, 12, 7).date(),
        last=datetime(2026, 12, 9).date(),
        reason="Verbouwing",
    )
    promise = _weekly(customer, staff_user, now)

    kept = owner_client.post(
        reverse("web:promise_keep", args=[promise.pk]), {"from": "today"}, headers=HTMX
    ).content.decode()

    assert "Volgende keer: di\xa08\xa0dec\xa015:30; dan is de zaak dicht (Verbouwing)." in kept


def test_cancelled_this_time_only_the_next_time_is_made(owner_client, customer, staff_user, now):
    promise = _weekly(customer, staff_user, now)
    profile = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    owner_client.post(reverse("web:promise_cancel", args=[promise.pk]), {"repeat": "go_on"})

    assert 'data-testid="promise-cancel-once"' in profile
    assert 'data-testid="promise-cancel-stop"' in profile
    promise.refresh_from_db()
    assert promise.cancelled_at == now
    assert promise.repeated_as.due_at == promise.due_at + timedelta(weeks=1)


def test_cancelled_and_stopped_the_arrangement_ends(owner_client, customer, staff_user, now):
    promise = _weekly(customer, staff_user, now)

    stopped = owner_client.post(
        reverse("web:promise_cancel", args=[promise.pk]), {"repeat": "stop"}, headers=HTMX
    ).content.decode()

    promise.refresh_from_db()
    assert (promise.cancelled_at, promise.repeat_weeks, Promise.objects.count()) == (now, 0, 1)
    assert "De vaste afspraak stopt met deze: er wordt niets meer gepland." in stopped


def test_a_single_promise_is_cancelled_with_one_button(owner_client, customer, staff_user, now):
    _weekly(customer, staff_user, now, repeat_weeks=0)

    profile = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    assert 'data-testid="promise-cancel-once"' not in profile
    assert "Ja, belofte annuleren" in profile


def test_the_promise_page_makes_it_repeat_every_other_week(owner_client, customer, staff_user, now):
    promise = _weekly(customer, staff_user, now)
    page = owner_client.get(reverse("web:promise_edit", args=[promise.pk]))
    form = page.context["form"]
    shown = {name: form.typed(name) for name in form.fields}
    seen = {f"initial-{name}": value for name, value in shown.items() if name != "version"}

    saved = owner_client.post(
        reverse("web:promise_edit", args=[promise.pk]), {**shown, **seen, "repeat": "2"}
    )
    assert saved.status_code == 302
    assert Promise.objects.values_list("repeat_weeks", "repeat_months").get() == (2, 0)

    # And then every month, on the day it is due
    form = owner_client.get(reverse("web:promise_edit", args=[promise.pk])).context["form"]
    shown = {name: form.typed(name) for name in form.fields}
    seen = {f"initial-{name}": value for name, value in shown.items() if name != "version"}
    assert shown["repeat"] == "2"
    monthly = owner_client.post(
        reverse("web:promise_edit", args=[promise.pk]), {**shown, **seen, "repeat": "1m"}
    )

    assert monthly.status_code == 302
    assert Promise.objects.values_list("repeat_weeks", "repeat_months", "repeat_day").get() == (
        0,
        1,
        TUESDAY.day,
    )


def test_a_repeat_the_list_does_not_offer_is_refused_by_name_and_nothing_is_saved(
    owner_client, customer, staff_user, now
):
    # Django's own "Selecteer een geldige keuze. 5 is geen van de beschikbare keuzen." said
    # neither what repeated nor what may be chosen.
    refused = owner_client.post(
        reverse("web:promise_add", args=[customer.pk]),
        {
            "description": "Rollade klaarleggen",
            "kind": "order_ready",
            "due_date": "2026-12-05",
            "repeat": "5",
        },
        headers=HTMX,
    )
    promise = _weekly(customer, staff_user, now)
    page = owner_client.get(reverse("web:promise_edit", args=[promise.pk]))
    form = page.context["form"]
    shown = {name: form.typed(name) for name in form.fields}
    seen = {f"initial-{name}": value for name, value in shown.items() if name != "version"}
    refused_change = owner_client.post(
        reverse("web:promise_edit", args=[promise.pk]), {**shown, **seen, "repeat": "5"}
    )

    message = (
        "Kies uit de lijst hoe vaak ze terugkomt: elke 1, 2, 3, 4, 6, 8 of 13 weken, of elke "
        "1, 3, 6 of 12 maanden; niet “5”."
    )
    for response in (refused, refused_change):
        assert response.status_code == 422
        assert message in response.content.decode()
    assert list(Promise.objects.values_list("description", "repeat_weeks")) == [
        ("Rollade klaarleggen", 1)
    ]


def test_the_profile_shows_the_time_open_and_the_last_one_kept_not_every_saturday(
    owner_client, customer, staff_user, now
):
    promise = _weekly(customer, staff_user, now)
    for _time in range(3):
        services.promise_mark_kept(promise=promise, actor=staff_user)
        promise.refresh_from_db()
        promise = promise.repeated_as
    single = services.promise_create(
        customer=customer,
        description="Worst bestellen",
        due_at=now + timedelta(hours=1),
        made_by=staff_user,
    )
    services.promise_mark_kept(promise=single, actor=staff_user)

    profile = owner_client.get(reverse("web:customer_detail", args=[customer.pk]))

    shown = [view.promise.pk for view in profile.context["promise_views"]]
    last_kept = Promise.objects.get(repeated_as=promise)
    assert shown == [promise.pk, last_kept.pk, single.pk]
    assert Promise.objects.count() == 5


def test_an_ended_standing_order_still_shows_its_last_kept_time(
    owner_client, customer, staff_user, now
):
    promise = _weekly(customer, staff_user, now)
    services.promise_mark_kept(promise=promise, actor=staff_user)
    promise.refresh_from_db()
    following = promise.repeated_as

    owner_client.post(reverse("web:promise_cancel", args=[following.pk]), {"repeat": "stop"})

    profile = owner_client.get(reverse("web:customer_detail", args=[customer.pk]))
    assert [view.promise.pk for view in profile.context["promise_views"]] == [
        following.pk,
        promise.pk,
    ]


def test_a_yearly_promise_s_next_time_is_said_with_its_year(
    owner_client, customer, staff_user, now
):
    """ "uiterlijk wo 31 mrt" above "volgende keer vr 31 mrt" read as one day with two weekdays:
    the next time is a year on."""
    promise = _weekly(customer, staff_user, now, repeat_weeks=0, repeat_months=12)
    services.promise_mark_kept(promise=promise, actor=staff_user)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    assert "volgende keer 1\u00a0dec\u00a02027\u00a015:30" in page
    assert "↻ elk jaar" in page
    # And the open items and the timeline say its year too: "6 nov", read in December, was
    # taken for last month's
    assert re.search(r"Rollade klaarleggen, uiterlijk 1.dec.2027.15:30 \(elk jaar\)", page)
