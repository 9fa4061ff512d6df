"""Today's promises as a garage reads them in the morning: the day's promises in time order,
those whose moment has passed marked late with how late, and apart those overdue from an
earlier day, oldest first; in Dutch and in English."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from klantvriend.core.accounts import account_language_set
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.models import PromiseKind, due_moment_for_day
from klantvriend.promises.tests.factories import PromiseFactory

DAY = datetime(2026, 12, 1).date()  # a Tuesday; Amsterdam is UTC+1


@pytest.fixture
def morning(business, monkeypatch):
    """Half past nine in the garage, with a repair promised for nine, one for four this
    afternoon, a promise for the whole day and one from yesterday afternoon."""
    assert business.time_zone == "Europe/Amsterdam"

    def at(day, hour, minute=0):
        return datetime.combine(day, time(hour, minute), tzinfo=business.tzinfo)

    now = at(DAY, 9, 30)
    monkeypatch.setattr(timezone, "now", lambda: now)
    made = now - timedelta(days=3)
    customer = CustomerFactory(business=business, name="Piet Jansen", phone="0612345678")

    def promise(description, due_at, **fields):
        return PromiseFactory(
            customer=customer,
            description=description,
            kind=PromiseKind.REPAIR,
            made_at=made,
            due_at=due_at,
            **fields,
        )

    promise("Remblokken Polo", at(DAY, 16))
    promise("Distributieriem Golf", at(DAY, 9))
    promise("Banden wisselen", due_moment_for_day(business=business, day=DAY), due_all_day=True)
    promise("APK Corsa", at(DAY - timedelta(days=1), 16))
    return now


def _section(page: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">(.*?)</ul>', page, re.S).group(1)


def _rows(section: str) -> list[str]:
    return re.findall(r'<span class="clip">([^<]+)</span>', section)


@pytest.mark.parametrize(
    ("language", "today_heading", "overdue_heading", "late_today", "late_yesterday"),
    [
        (
            "nl",
            "Vandaag",
            "Achterstallig van eerdere dagen",
            "30\xa0min te laat",
            "17\xa0uur\xa030\xa0min te laat",
        ),
        (
            "en",
            "Due today",
            "Overdue from earlier days",
            "30\xa0min late",
            "17\xa0hours\xa030\xa0min late",
        ),
    ],
)
def test_today_lists_the_days_promises_in_time_order_and_earlier_ones_apart(
    owner_client,
    owner,
    morning,
    language,
    today_heading,
    overdue_heading,
    late_today,
    late_yesterday,
):
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:today")).content.decode()

    today, overdue = _section(page, "today-due"), _section(page, "today-overdue")
    # The day first, in time order (the promise for the day at its end), then the earlier days.
    assert page.index(f'<h3 id="due-today-heading">{today_heading}</h3>') < page.index(
        f'<h3 id="overdue-heading">{overdue_heading}</h3>'
    )
    assert _rows(today) == ["Distributieriem Golf", "Remblokken Polo", "Banden wisselen"]
    assert _rows(overdue) == ["APK Corsa"]
    # Only what has passed is late, and says by how much.
    assert re.findall(r'data-testid="promise-late">([^<]+)<', today) == [late_today]
    assert re.findall(r'data-testid="promise-late">([^<]+)<', overdue) == [late_yesterday]
    assert today.count('href="tel:0612345678"') == 3
    assert '<span class="count">4</span>' in page


def test_with_nothing_today_or_before_both_say_so(owner_client, owner, business):
    page = owner_client.get(reverse("web:today")).content.decode()
    account_language_set(user=owner, language="en")
    english = owner_client.get(reverse("web:today")).content.decode()

    assert '<p class="empty">Vandaag geen beloften.</p>' in page
    assert '<p class="empty">Niets achterstallig van eerdere dagen.</p>' in page
    assert '<p class="empty">No promises due today.</p>' in english
    assert '<p class="empty">Nothing overdue from earlier days.</p>' in english


@pytest.mark.parametrize(
    ("language", "option", "late"),
    [
        ("nl", "Vandaag, ook wat al voorbij is", "30\xa0min te laat"),
        ("en", "Due today, passed ones too", "30\xa0min late"),
    ],
)
def test_the_promise_list_of_today_holds_the_passed_ones_filtered_by_kind(
    owner_client, owner, business, morning, language, option, late
):
    account_language_set(user=owner, language=language)
    PromiseFactory(
        customer=CustomerFactory(business=business),
        description="Terugbellen",
        kind=PromiseKind.CALLBACK,
        made_at=morning - timedelta(days=1),
        due_at=morning + timedelta(hours=1),
    )

    response = owner_client.get("/promises/", {"agenda": "today", "kind": "repair", "order": "due"})

    assert [view.promise.description for view in response.context["views"]] == [
        "Distributieriem Golf",
        "Remblokken Polo",
        "Banden wisselen",
    ]
    html = response.content.decode()
    assert f'<option value="today" selected>{option}</option>' in html
    assert re.findall(r'data-testid="promise-late">([^<]+)<', html) == [late]
