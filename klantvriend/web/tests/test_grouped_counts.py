"""Counts of a thousand or more read as the reader writes them, grouped as amounts are
("36.427" in Dutch, "36,427" in English), in a page's text only: an address, an id or a form's
value keeps its plain digits. The large counts are set directly (the count the database keeps,
an advice's figures) rather than made of thousands of rows."""

import datetime as dt
import re

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from klantvriend.core.accounts import account_language_set
from klantvriend.customers.models import CustomerCount
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.insights.tests.factories import advice_run


@pytest.mark.parametrize(
    ("language", "shown"),
    [("nl", "999 · 1.000 · 36.427 · 1.000.000 · "), ("en", "999 · 1,000 · 36,427 · 1,000,000 · ")],
)
def test_the_count_filter_groups_thousands_in_the_readers_language(language, shown):
    template = Template(
        "{% load klantvriend %}{{ a|count }} · {{ b|count }} · {{ c|count }} · {{ d|count }} · "
        "{{ missing|count }}"
    )
    context = Context({"a": 999, "b": 1000, "c": 36427, "d": 1000000})
    with translation.override(language):
        assert template.render(context) == shown


@pytest.mark.parametrize(
    ("language", "count", "pager"),
    [
        ("nl", "123.456 klanten", "Pagina 1 van 2.470"),
        ("en", "123,456 customers", "Page 1 of 2,470"),
    ],
)
def test_the_customer_list_groups_its_count_and_its_pages_but_not_its_links(
    owner_client, owner, business, language, count, pager
):
    customer = CustomerFactory(business=business, id=123456, name="Anna de Vries")
    # The list reads its total from the count the database keeps: a shop of 123,456
    # customers, 50 a page.
    CustomerCount.objects.filter(business=business).update(customers=123456)
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:customer_list")).content.decode()

    # The owner's download of the list follows its count.
    assert f'<p class="subtle">{count} · <a href="/customers/download/" download' in page
    assert pager in page
    # The next page's link and the customer's keep their plain digits.
    assert 'href="?page=2"' in page
    assert f'href="/customers/{customer.pk}/"' in page
    assert "123.456/" not in page
    assert re.search(r'(href|value|id|for|hx-[a-z]+|data-[a-z-]+)="[^"]*\d[.,]\d{3}', page) is None


@pytest.mark.parametrize(
    ("language", "shown", "previous"),
    [
        ("nl", "Pagina 1.500 van 2.470", "Vorige"),
        ("en", "Page 1,500 of 2,470", "Previous"),
    ],
)
def test_the_pager_groups_its_page_numbers_in_its_text_only(rf, language, shown, previous):
    page = Paginator(range(123456), 50).get_page(1500)
    request = rf.get("/customers/", {"q": "an", "page": 1500})

    with translation.override(language):
        pager = render_to_string("web/partials/pager.html", {"page": page, "request": request})

    assert f"<span>{shown}</span>" in pager
    assert f'<a class="button" href="?q=an&amp;page=1499">{previous}</a>' in pager
    assert 'href="?q=an&amp;page=1501"' in pager


def test_a_customer_with_a_large_id_keeps_it_plain_in_every_address(owner_client, business):
    CustomerFactory(business=business, id=123456, name="Anna de Vries")

    profile = owner_client.get(reverse("web:customer_detail", args=[123456])).content.decode()

    assert "/customers/123456/edit/" in profile
    assert "123.456" not in profile


@pytest.mark.parametrize(
    ("language", "parts"),
    [
        (
            "nl",
            ["36.427 klanten met aankopen", "(33.154 van 36.427)", "(7.285 klanten: €"],
        ),
        (
            "en",
            ["36,427 customers with purchases", "(33,154 of 36,427)", "(7,285 customers: €"],
        ),
    ],
)
def test_the_advice_page_groups_its_customer_counts(owner_client, owner, business, language, parts):
    advice_run(
        business,
        as_of=dt.date(2026, 11, 2),
        customers=36427,
        came_back=33154,
        total=104471555.0,
        repeat=99584990.0,
        top_fifth_customers=7285,
        top_fifth=82169375.0,
    )
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:insights_advice")).content.decode()
    text = re.sub(r"<[^>]+>", "", page)

    for part in parts:
        assert part in text
    # The link to the customers the advice is computed from keeps its plain address.
    assert 'href="/customers/?bought=any&amp;order=-spend"' in page
