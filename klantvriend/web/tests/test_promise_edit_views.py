"""Changing a promise on the web, its due moment above all (the customer agreed to another day,
a time was mistyped): reachable from the profile and the list of promises, checked as a new
promise is, with the same advice."""

import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from klantvriend.core.care_settings import care_settings
from klantvriend.core.models import AuditEvent
from klantvriend.core.tests.days import open_on
from klantvriend.core.working_hours import next_working_day
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot
from klantvriend.promises import services
from klantvriend.promises.models import Promise, PromiseKind
from klantvriend.promises.tests.factories import PromiseFactory


@pytest.fixture
def promise(business):
    # Made at a moment with seconds, as the API or the button "now" records it.
    made = timezone.now().replace(microsecond=0) - timedelta(days=1, seconds=17)
    return PromiseFactory(
        customer=CustomerFactory(business=business, name="Anna de Vries"),
        description="Taart bezorgen",
        kind=PromiseKind.DELIVERY,
        made_at=made,
        due_at=datetime.combine(_open_day_after_tomorrow(business), time(14, 30), business.tzinfo),
    )


def _open_day_after_tomorrow(business):
    """The day after tomorrow or, when the shop is closed then, its next open day: a promise due
    on a closed day gets a warning beside the advice."""
    return next_working_day(
        business.today() + timedelta(days=2), working_days=care_settings(business).working_days
    )


def _edit(promise) -> str:
    return reverse("web:promise_edit", args=[promise.pk])


def _form_data(client, promise, **changes) -> dict:
    """The form as shown, with `changes` typed into it."""
    form = client.get(_edit(promise)).context["form"]
    shown = {name: form.typed(name) for name in form.fields}
    seen = {f"initial-{name}": value for name, value in shown.items() if name != "version"}
    return {**shown, **seen, **changes}


def test_the_form_shows_the_promise_as_stored_with_its_advice(staff_client, business, promise):
    response = staff_client.get(_edit(promise))

    page = response.content.decode()
    local_made = business.local(promise.made_at).strftime("%Y-%m-%dT%H:%M")
    day = _open_day_after_tomorrow(business).isoformat()
    assert response.status_code == 200
    assert 'name="description" value="Taart bezorgen"' in page
    assert '<option value="delivery" selected>bezorging</option>' in page
    assert f'name="due_date" value="{day}"' in page
    assert 'name="due_time" value="14:30"' in page
    assert f'name="made_at" value="{local_made}"' in page
    assert 'hx-trigger="change, toggle once from:closest details"' in page
    advice = re.search(r'<div id="promise-advice" aria-live="polite">(.*?)</div>', page, re.S)
    assert " ".join(re.sub(r"<[^>]+>", "", advice[1]).split()) == (
        "Nog te weinig geschiedenis voor advies over “bezorging”: 0 eerdere beloften. "
        "Advies vanaf 10."
    )
    assert 'hx-params="not csrfmiddlewaretoken,version"' in page


def test_moving_the_due_moment_changes_only_that_and_is_audited(
    staff_client, staff_user, business, promise
):
    new_day = open_on(business.today() + timedelta(days=5))
    made_at = promise.made_at

    response = staff_client.post(
        _edit(promise),
        _form_data(staff_client, promise, due_date=new_day.isoformat(), due_time="09:15"),
    )

    assert response.status_code == 302
    assert response.url == reverse("web:customer_detail", args=[promise.customer_id])
    stored = Promise.objects.get()
    assert business.local(stored.due_at).replace(tzinfo=None) == datetime.combine(
        new_day, time(9, 15)
    )
    assert (stored.due_all_day, stored.due_on, stored.made_at) == (False, new_day, made_at)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, set(event.changes)) == ("changed", staff_user, {"due_at"})
    assert [datetime.fromisoformat(moment) for moment in event.changes["due_at"]] == [
        promise.due_at,
        stored.due_at,
    ]
    page = staff_client.get(response.url).content.decode()
    assert "Belofte gewijzigd." in page


def test_a_due_time_left_empty_makes_it_a_promise_for_the_day(staff_client, business, promise):
    new_day = open_on(business.today() + timedelta(days=3))

    staff_client.post(
        _edit(promise), _form_data(staff_client, promise, due_date=new_day.isoformat(), due_time="")
    )

    stored = Promise.objects.get()
    assert (stored.due_all_day, stored.due_on) == (True, new_day)
    assert business.local(stored.due_at).time() == time(23, 59, 59)


@pytest.mark.parametrize(
    ("due_date", "message"),
    [
        (
            "yesterday",
            "Het afgesproken moment ligt vóór het moment waarop de belofte gedaan werd.",
        ),
        (
            "2200-01-01",
            "Het afgesproken moment ligt meer dan honderd jaar vooruit; kijk het jaartal na.",
        ),
        ("", "Vul in wanneer het uiterlijk klaar is."),
    ],
)
def test_a_due_moment_refused_as_on_a_new_promise_is_shown_at_its_field_and_nothing_changes(
    staff_client, business, promise, due_date, message
):
    if due_date == "yesterday":
        due_date = (business.today() - timedelta(days=2)).isoformat()
    data = _form_data(staff_client, promise, due_date=due_date)
    before = snapshot()

    response = staff_client.post(_edit(promise), data)

    assert response.status_code == 422
    assert response.context["form"].errors["due_date"] == [message]
    assert snapshot() == before


def test_a_finished_promise_is_not_changed_here(staff_client, business, promise):
    services.promise_mark_kept(promise=promise, actor=None)
    before = snapshot()

    response = staff_client.post(
        _edit(promise), {"description": "Iets anders", "due_date": "2099-01-01"}
    )

    assert response.status_code == 302
    assert response.url == reverse("web:customer_detail", args=[promise.customer_id])
    assert snapshot() == before
    assert (
        "Alleen een open belofte kun je wijzigen; maak “Gedaan” eerst ongedaan als je er per "
        "ongeluk op tikte." in staff_client.get(response.url).content.decode()
    )


def test_a_change_saved_meanwhile_is_not_overwritten_unseen(staff_client, owner, business, promise):
    new_day = open_on(business.today() + timedelta(days=6))
    data = _form_data(staff_client, promise, due_date=new_day.isoformat())
    services.promise_update(promise=promise, actor=owner, description="Taart en koffie bezorgen")
    before = snapshot()

    response = staff_client.post(_edit(promise), data)

    assert response.status_code == 409
    form = response.context["form"]
    assert form.non_field_errors() == [
        "Iemand anders heeft deze belofte gewijzigd terwijl jij haar bewerkte. De velden die "
        "jij niet wijzigde tonen wat nu is opgeslagen; controleer ze en sla opnieuw op om jouw "
        "invoer te bewaren."
    ]
    assert form["description"].value() == "Taart en koffie bezorgen"
    assert form["due_date"].value() == new_day.isoformat()
    assert snapshot() == before

    again = staff_client.post(_edit(promise), form.data)

    assert again.status_code == 302
    stored = Promise.objects.get()
    assert (stored.description, stored.due_on) == ("Taart en koffie bezorgen", new_day)


def test_the_profile_and_the_list_of_promises_lead_to_the_form_and_back(
    staff_client, business, promise
):
    kept = PromiseFactory(
        customer=promise.customer, made_at=promise.made_at, done_at=timezone.now()
    )

    profile = staff_client.get(
        reverse("web:customer_detail", args=[promise.customer_id])
    ).content.decode()
    listed = staff_client.get(reverse("web:promise_list"), {"outcome": "open"})

    assert f'href="{_edit(promise)}" data-testid="promise-edit"' in profile
    assert _edit(kept) not in profile
    back = f"{reverse('web:promise_list')}?outcome=open"
    assert f'href="{_edit(promise)}?next={quote(back, safe="/")}"' in listed.content.decode()
    response = staff_client.post(
        f"{_edit(promise)}?next={quote(back, safe='/')}",
        _form_data(staff_client, promise, description="Taart bezorgen om twee uur"),
    )
    assert response.url == back


def test_a_promise_of_another_business_is_not_found(owner_client, other_business):
    promise = PromiseFactory(customer=CustomerFactory(business=other_business))
    before = snapshot()

    assert owner_client.get(_edit(promise)).status_code == 404
    assert owner_client.post(_edit(promise), {"description": "Van mij"}).status_code == 404
    assert snapshot() == before


def test_the_day_and_time_are_read_in_the_business_time_zone(staff_client, business, promise):
    # A moment typed as 09:15 is 09:15 in the shop, whatever the server's clock says.
    day = date(2099, 3, 6)

    staff_client.post(
        _edit(promise),
        _form_data(staff_client, promise, due_date=day.isoformat(), due_time="09:15"),
    )

    stored = Promise.objects.get()
    assert stored.due_at == datetime.combine(day, time(9, 15), tzinfo=business.tzinfo).astimezone(
        UTC
    )


@pytest.fixture
def overdue(business, staff_user):
    """Recorded on Monday for Wednesday 17:00, for the whole day; now it is two days later."""
    now = timezone.now().replace(microsecond=0)
    due_day = business.today() - timedelta(days=2)
    made = now - timedelta(days=5)
    return PromiseFactory(
        customer=CustomerFactory(business=business, name="Bram de Boer"),
        description="Fiets gerepareerd",
        kind=PromiseKind.REPAIR,
        made_by=staff_user,
        made_at=made,
        created_at=made,
        due_at=datetime.combine(due_day, time(17, 0), tzinfo=business.tzinfo),
    )


def test_an_overdue_promise_says_that_a_new_moment_makes_a_new_promise(staff_client, overdue):
    response = staff_client.get(_edit(overdue))

    page = response.content.decode()
    notice = re.search(r'data-testid="promise-overdue-notice">(.*?)</p>', page, re.S)
    with translation.override("nl"):
        due = formats.date_format(overdue.business.local(overdue.due_at), "WEEKDAY_DATETIME_FORMAT")
    assert " ".join(re.sub(r"<[^>]+>", "", notice[1]).split()) == (
        f"Over tijd, nog niet nagekomen (uiterlijk {due}). Een nieuw moment dat je met de klant "
        "afspreekt wordt een nieuwe belofte, en deze telt als gebroken: de cijfers laten zien "
        "dat ze niet op tijd is nagekomen."
    )
    assert "Verzet het afgesproken moment" not in page


@pytest.mark.parametrize("recorded_ago", [timedelta(days=1, hours=1), timedelta(minutes=2)])
def test_a_promise_typed_in_after_its_moment_says_a_moment_to_come_makes_a_new_one(
    staff_client, staff_user, business, recorded_ago
):
    # Given a repair promised five days ago for two days ago, written down after that moment
    now = timezone.now().replace(microsecond=0)
    typed_in = PromiseFactory(
        customer=CustomerFactory(business=business, name="Bram de Boer"),
        description="Fiets gerepareerd",
        kind=PromiseKind.REPAIR,
        made_by=staff_user,
        made_at=now - timedelta(days=5),
        created_at=now - recorded_ago,
        due_at=datetime.combine(
            business.today() - timedelta(days=2), time(17, 0), tzinfo=business.tzinfo
        ),
    )

    page = staff_client.get(_edit(typed_in)).content.decode()

    # Then, a day later, the form says what moving it ahead does; written down just now, that a
    # date typed wrong may still be put right, and until when (the promise grace, a day)
    found = re.search(r'data-testid="promise-typed-in-late-notice">(.*?)</p>', page, re.S)
    with translation.override("nl"):
        due = formats.date_format(business.local(typed_in.due_at), "WEEKDAY_DATETIME_FORMAT")
        until = formats.date_format(
            business.local(typed_in.created_at + timedelta(days=1)), "WEEKDAY_DATETIME_FORMAT"
        )
    said = " ".join(re.sub(r"<[^>]+>", "", found[1]).split())
    if recorded_ago < timedelta(days=1):
        assert said == (
            f"Over tijd, nog niet nagekomen (uiterlijk {due}). Deze belofte is pas na dat moment "
            f"opgeschreven. Verkeerd getypt? Zet het juiste moment er tot {until} in: dan is het "
            "een verbetering. Een nieuw moment dat de klant te horen krijgt (hieronder), of een "
            "moment dat nog komt na die tijd, maakt een nieuwe belofte, en deze belofte telt dan "
            "als gebroken."
        )
    else:
        assert said == (
            f"Over tijd, nog niet nagekomen (uiterlijk {due}). Deze belofte is pas na dat moment "
            "opgeschreven: verbeter het moment als het verkeerd is opgeschreven. Een nieuw moment "
            "dat nog moet komen wordt een nieuwe belofte, en deze belofte telt dan als gebroken."
        )
    assert 'data-testid="promise-overdue-notice"' not in page
    assert "Verzet het afgesproken moment" not in page
    # Its own moment gone by is said by the notice alone, not asked again under the fields
    assert 'data-testid="promise-gone-by"' not in page


def test_a_promise_not_yet_due_says_it_is_judged_by_its_new_moment(staff_client, promise):
    page = staff_client.get(_edit(promise)).content.decode()

    assert 'data-testid="promise-overdue-notice"' not in page
    assert "Verzet het afgesproken moment als de klant met een ander instemt" in page


def test_a_new_moment_for_an_overdue_promise_makes_a_new_one_and_the_old_counts_broken(
    staff_client, staff_user, business, overdue
):
    new_day = open_on(business.today() + timedelta(days=3))

    response = staff_client.post(
        _edit(overdue),
        _form_data(staff_client, overdue, due_date=new_day.isoformat(), due_time="12:00"),
    )

    assert response.status_code == 302
    old, new = Promise.objects.order_by("pk")
    now = timezone.now()
    assert old.pk == overdue.pk
    assert (old.due_at, old.done_at) == (overdue.due_at, None)
    assert overdue.due_at < old.cancelled_at <= now
    assert (new.description, new.kind, new.made_by, new.due_on) == (
        "Fiets gerepareerd",
        PromiseKind.REPAIR,
        staff_user,
        new_day,
    )
    assert business.local(new.due_at).time() == time(12, 0)
    page = staff_client.get(response.url).content.decode()
    assert (
        "De belofte is niet op tijd nagekomen: ze telt als gebroken, en er is een nieuwe "
        "belofte gemaakt voor het nieuwe moment." in page
    )


def test_what_an_overdue_promise_says_is_changed_in_place(staff_client, overdue):
    response = staff_client.post(
        _edit(overdue), _form_data(staff_client, overdue, description="Fiets en bel")
    )

    assert response.status_code == 302
    stored = Promise.objects.get()
    assert (stored.description, stored.due_at, stored.cancelled_at) == (
        "Fiets en bel",
        overdue.due_at,
        None,
    )


def test_today_offers_a_new_moment_for_an_overdue_promise_and_comes_back(
    staff_client, business, overdue
):
    due_later = PromiseFactory(
        customer=overdue.customer,
        description="Worst bestellen",
        made_at=timezone.now() - timedelta(hours=1),
        due_at=timezone.now() + timedelta(minutes=30),
    )

    page = staff_client.get(reverse("web:today")).content.decode()

    links = re.findall(r'<a [^>]*href="([^"]+)" data-testid="promise-new-moment">', page)
    assert links == [f"{_edit(overdue)}?next=/"]
    assert f"{_edit(due_later)}" not in page
    new_day = open_on(business.today() + timedelta(days=2))
    data = _form_data(staff_client, overdue, due_date=new_day.isoformat(), due_time="")
    response = staff_client.post(links[0], data)
    assert (response.status_code, response.url) == (302, reverse("web:today"))


def test_a_refused_new_moment_for_an_overdue_promise_is_shown_and_nothing_changes(
    staff_client, business, overdue
):
    # A new promise is made now: a moment already past is refused as passed
    data = _form_data(
        staff_client,
        overdue,
        due_date=(business.today() - timedelta(days=1)).isoformat(),
        due_time="09:00",
    )
    before = snapshot()

    response = staff_client.post(_edit(overdue), data)

    assert response.status_code == 422
    assert response.context["form"].errors["due_date"] == [
        "Dat moment is al voorbij: kies een moment dat nog moet komen."
    ]
    assert 'data-testid="promise-overdue-notice"' in response.content.decode()
    assert snapshot() == before


def test_a_promise_moved_to_a_moment_gone_by_is_asked_about_first(staff_client, business, promise):
    """A delivery for the day after tomorrow moved to an hour ago (the date field's arrow one
    day too far): saved without a word, it was overdue at once."""
    gone = business.local(timezone.now() - timedelta(hours=1))
    typed = _form_data(
        staff_client,
        promise,
        due_date=gone.date().isoformat(),
        due_time=gone.strftime("%H:%M"),
    )
    before = snapshot()

    asked = staff_client.post(_edit(promise), typed)

    assert asked.status_code == 422
    assert asked.context["form"].errors["due_date"][0].startswith("Het afgesproken moment, ")
    assert 'name="confirm_due"' in asked.content.decode()
    assert snapshot() == before

    moved = staff_client.post(_edit(promise), {**typed, "confirm_due": "on"})

    assert moved.status_code == 302
    promise.refresh_from_db()
    assert promise.due_at == gone.replace(second=0, microsecond=0)


def test_the_advice_for_a_new_moment_of_an_overdue_promise_measures_from_now(
    staff_client, business, overdue
):
    """The new moment is a new promise made now: measured from when the first was made, a
    moment already gone read as a safe promise, which saving then refused."""
    page = staff_client.get(_edit(overdue)).content.decode()
    earlier = business.local(timezone.now() - timedelta(hours=2))
    typed = {
        "kind": overdue.kind,
        "due_date": earlier.date().isoformat(),
        "due_time": earlier.strftime("%H:%M"),
        "made_at": business.local(overdue.made_at).strftime("%Y-%m-%dT%H:%M"),
    }

    from_now = staff_client.get(reverse("web:promise_advice"), {**typed, "advice_from_now": "1"})
    from_made = staff_client.get(reverse("web:promise_advice"), typed)

    assert '<input type="hidden" name="advice_from_now" value="1">' in page
    assert from_now.content.decode().strip() == ""
    # Made then, it is a promise written down afterwards, whose moment has gone by
    assert 'data-testid="promise-gone-by"' in from_made.content.decode()
