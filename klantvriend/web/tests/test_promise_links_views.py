"""The profile and the promise list join a promise moved to a new moment and its successor: the
old row says "Verplaatst naar <new moment>", the new one "nieuw moment, eerst beloofd voor <old
moment>", each a link to the other row on the customer's profile."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises import services
from klantvriend.promises.models import Promise
from klantvriend.promises.tests.factories import PromiseFactory, overdue_promise


@pytest.fixture
def moved(business, owner):
    """Promised for yesterday 17:00, not kept; moved to Friday in two days (a day)."""
    now = timezone.now().replace(microsecond=0)
    customer = CustomerFactory(business=business, name="Anna de Vries")
    due = (now - timedelta(days=1)).astimezone(business.tzinfo).replace(hour=17, minute=0, second=0)
    old = overdue_promise(customer=customer, made_by=owner, now=now, due_at=due)
    new = services.promise_reschedule(
        promise=old, actor=owner, due_date=business.local(now + timedelta(days=2)).date()
    )
    return Promise.objects.get(pk=old.pk), new


def _shown(business, promise, style: str) -> str:
    kind = "DATE" if promise.due_all_day else "DATETIME"
    return formats.date_format(business.local(promise.due_at), f"{style}_{kind}_FORMAT")


def _links(html: str) -> list[tuple[str, str, str]]:
    return [
        (testid, href, re.sub(r"\s+", " ", text).strip())
        for testid, href, text in re.findall(
            r'data-testid="(promise-moved-(?:to|from))"><a href="([^"]+)">([^<]+)</a>', html
        )
    ]


def test_the_profile_joins_the_old_promise_and_its_successor(owner_client, business, moved):
    old, new = moved
    profile = reverse("web:customer_detail", args=[old.customer_id])

    html = owner_client.get(profile).content.decode()

    with translation.override("nl"):
        expected = [
            (
                "promise-moved-from",
                f"{profile}#promise-{old.pk}",
                f"nieuw moment, eerst beloofd voor {_shown(business, old, 'WEEKDAY')}",
            ),
            (
                "promise-moved-to",
                f"{profile}#promise-{new.pk}",
                f"Verplaatst naar {_shown(business, new, 'WEEKDAY')}",
            ),
        ]
    # The open new promise comes first, the broken old one after it.
    assert _links(html) == expected
    assert f'id="promise-{old.pk}"' in html
    assert f'id="promise-{new.pk}"' in html


def test_the_promise_list_joins_them_in_english_too(owner_client, owner, business, moved):
    from klantvriend.core.accounts import account_language_set

    old, new = moved
    account_language_set(user=owner, language="en")
    profile = reverse("web:customer_detail", args=[old.customer_id])

    html = owner_client.get(reverse("web:promise_list") + "?order=due").content.decode()

    with translation.override("en"):
        assert _links(html) == [
            (
                "promise-moved-to",
                f"{profile}#promise-{new.pk}",
                f"Moved to {_shown(business, new, 'SHORT')}",
            ),
            (
                "promise-moved-from",
                f"{profile}#promise-{old.pk}",
                f"new moment, first promised for {_shown(business, old, 'SHORT')}",
            ),
        ]


@pytest.mark.parametrize("page", ["promise_list", "customer_detail"])
def test_the_links_are_read_without_a_query_per_row(owner_client, moved, page):
    old, _new = moved
    url = reverse(f"web:{page}", args=[] if page == "promise_list" else [old.customer_id])
    owner_client.get(url)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(url)
    for _ in range(6):
        PromiseFactory(customer=old.customer)
    with CaptureQueriesContext(connection) as more:
        owner_client.get(url)

    assert len(more.captured_queries) == len(few.captured_queries)
