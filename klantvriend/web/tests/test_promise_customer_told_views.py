"""Moving a promise and telling the customer in one step: a repair that waits for a part is
moved, and the call in which the customer heard it is recorded with the move, as a contact
moment that says the new moment, the old one and what was said."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from klantvriend.core.tests.days import open_on
from klantvriend.customers.models import ContactMoment
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot
from klantvriend.promises.models import Promise, PromiseKind
from klantvriend.promises.tests.factories import PromiseFactory


@pytest.fixture
def repair(business):
    made = timezone.now().replace(microsecond=0) - timedelta(days=1)
    return PromiseFactory(
        customer=CustomerFactory(business=business, name="Kees Jansen"),
        description="Distributieriem vervangen",
        kind=PromiseKind.REPAIR,
        made_at=made,
        due_at=datetime.combine(
            business.today() + timedelta(days=2), time(16, 0), tzinfo=business.tzinfo
        ),
    )


def _form_data(client, promise, **changes) -> dict:
    form = client.get(reverse("web:promise_edit", args=[promise.pk])).context["form"]
    shown = {name: form.typed(name) for name in form.fields}
    seen = {f"initial-{name}": value for name, value in shown.items() if name != "version"}
    return {**shown, **seen, **changes}


def _weekday(business, day: date, at: time | None) -> str:
    with translation.override("nl"):
        if at is None:
            return formats.date_format(day, "WEEKDAY_DATE_FORMAT")
        moment = datetime.combine(day, at, tzinfo=business.tzinfo)
        return formats.date_format(moment, "WEEKDAY_DATETIME_FORMAT")


def test_the_form_asks_how_the_customer_was_told(staff_client, repair):
    page = staff_client.get(reverse("web:promise_edit", args=[repair.pk])).content.decode()

    assert "Klant op de hoogte" in page
    assert '<option value="" selected>nog niet</option>' in page
    assert '<option value="call">telefonisch</option>' in page
    assert "Wat je zei" in page


def test_moving_a_repair_with_the_call_records_both(staff_client, staff_user, business, repair):
    new_day = open_on(business.today() + timedelta(days=3))
    old_day = business.today() + timedelta(days=2)

    response = staff_client.post(
        reverse("web:promise_edit", args=[repair.pk]),
        _form_data(
            staff_client,
            repair,
            due_date=new_day.isoformat(),
            customer_told_by="call",
            customer_told="  Onderdeel komt een dag later.  ",
        ),
    )

    assert response.status_code == 302
    stored = Promise.objects.get()
    assert (stored.due_on, business.local(stored.due_at).time()) == (new_day, time(16, 0))
    moment = ContactMoment.objects.get()
    assert (moment.customer_id, moment.kind, moment.member) == (
        repair.customer_id,
        "call",
        staff_user,
    )
    assert moment.summary == (
        f"“Distributieriem vervangen” nu uiterlijk {_weekday(business, new_day, time(16))} "
        f"in plaats van {_weekday(business, old_day, time(16))}. Onderdeel komt een dag later."
    )
    assert timezone.now() - timedelta(minutes=1) < moment.at <= timezone.now()
    profile = staff_client.get(response.url).content.decode()
    assert "Onderdeel komt een dag later." in profile


def test_a_move_to_a_whole_day_says_the_day(staff_client, business, repair):
    new_day = open_on(business.today() + timedelta(days=4))

    staff_client.post(
        reverse("web:promise_edit", args=[repair.pk]),
        _form_data(
            staff_client,
            repair,
            due_date=new_day.isoformat(),
            due_time="",
            customer_told_by="message",
        ),
    )

    moment = ContactMoment.objects.get()
    old_day = business.today() + timedelta(days=2)
    assert (moment.kind, moment.summary) == (
        "message",
        f"“Distributieriem vervangen” nu uiterlijk {_weekday(business, new_day, None)} "
        f"in plaats van {_weekday(business, old_day, time(16))}.",
    )


def test_a_move_without_telling_records_no_contact_moment(staff_client, business, repair):
    new_day = open_on(business.today() + timedelta(days=3))

    staff_client.post(
        reverse("web:promise_edit", args=[repair.pk]),
        _form_data(staff_client, repair, due_date=new_day.isoformat()),
    )

    assert Promise.objects.get().due_on == new_day
    assert ContactMoment.objects.count() == 0


def test_what_was_said_without_how_is_refused_and_nothing_changes(staff_client, business, repair):
    new_day = open_on(business.today() + timedelta(days=3))
    data = _form_data(
        staff_client, repair, due_date=new_day.isoformat(), customer_told="Onderdeel is laat."
    )
    before = snapshot()

    response = staff_client.post(reverse("web:promise_edit", args=[repair.pk]), data)

    assert response.status_code == 422
    assert snapshot() == before
    page = response.content.decode()
    assert "Zeg hoe de klant het hoorde." in page
    assert 'value="Onderdeel is laat."' in page


def test_a_refused_move_records_no_contact_moment(staff_client, repair):
    data = _form_data(staff_client, repair, due_date="2200-01-01", customer_told_by="call")
    before = snapshot()

    response = staff_client.post(reverse("web:promise_edit", args=[repair.pk]), data)

    assert response.status_code == 422
    assert snapshot() == before


def test_a_new_moment_for_an_overdue_repair_records_the_call_with_the_missed_moment(
    staff_client, staff_user, business
):
    now = timezone.now().replace(microsecond=0)
    missed_day = business.today() - timedelta(days=1)
    overdue = PromiseFactory(
        customer=CustomerFactory(business=business, name="Bram de Boer"),
        description="Koppeling vervangen",
        kind=PromiseKind.REPAIR,
        made_at=now - timedelta(days=4),
        created_at=now - timedelta(days=4),
        due_at=datetime.combine(missed_day, time(16, 0), tzinfo=business.tzinfo),
    )
    new_day = open_on(business.today() + timedelta(days=1))

    staff_client.post(
        reverse("web:promise_edit", args=[overdue.pk]),
        _form_data(
            staff_client,
            overdue,
            due_date=new_day.isoformat(),
            due_time="12:00",
            customer_told_by="call",
            customer_told="Excuses, onderdeel was laat.",
        ),
    )

    old, new = Promise.objects.order_by("pk")
    assert (old.cancelled_at is not None, new.due_on) == (True, new_day)
    moment = ContactMoment.objects.get()
    assert (moment.customer_id, moment.summary) == (
        overdue.customer_id,
        f"“Koppeling vervangen” nu uiterlijk {_weekday(business, new_day, time(12))} "
        f"in plaats van {_weekday(business, missed_day, time(16))}. "
        "Excuses, onderdeel was laat.",
    )
