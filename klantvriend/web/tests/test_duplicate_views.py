"""The owner's list of possible duplicate customers: who is grouped, why, what can be merged,
and the way back after merging."""

import re

import pytest
from django.urls import reverse

from klantvriend.customers import services
from klantvriend.customers.models import Customer, DistinctPair
from klantvriend.customers.selectors import customer_version
from klantvriend.customers.tests.factories import PurchaseFactory, customers_bulk_create
from klantvriend.importers.privacy import customer_erase

URL = reverse("web:customer_duplicates")
GROUP = re.compile(r'<section class="card duplicate-group".*?</section>', re.S)
TAGS = re.compile(r"<[^>]+>")
NO_GROUPS = ["Hetzelfde e-mailadres (0)", "Hetzelfde telefoonnummer (0)", "Dezelfde naam (0)"]


def _merge_url(keep, other, kind) -> str:
    return (
        reverse("web:customer_merge", args=[keep.pk]) + f"?other={other.pk}&amp;duplicates={kind}"
    )


def _groups(page: str) -> list[list[str]]:
    """Each group shown, as the lines of its text: why, then per record its name and facts."""
    return [
        [line.strip() for line in TAGS.sub("\n", group).splitlines() if line.strip()]
        for group in GROUP.findall(page)
    ]


def _tabs(page: str) -> list[str]:
    nav = page.split('data-testid="duplicate-kinds">')[1].split("</nav>")[0]
    return [line.strip() for line in TAGS.sub("\n", nav).splitlines() if line.strip()]


def test_customers_sharing_an_address_a_number_or_a_name_are_grouped_with_the_reason(
    owner_client, business, other_business, owner
):
    jan = services.customer_create(
        business=business,
        name="Jan de Vries",
        email="Jan@Vries.example",
        phone="06-12345678",
        city="Haarlem",
        customer_since="2024-03-01",
    )
    PurchaseFactory(customer=jan)
    PurchaseFactory(customer=jan)
    twin = services.customer_create(
        business=business,
        name="J. de Vries",
        email="jan@vries.example",
        phone="+31 6 1234 5678",
        customer_since="2025-11-02",
    )
    services.customer_create(business=business, name="José Bakker", customer_since="2025-01-01")
    namesake = services.customer_create(
        business=business, name="jose  BAKKER", customer_since="2025-02-01"
    )
    erased = services.customer_create(business=business, name="Piet", email="jan@vries.example")
    customer_erase(customer=erased, actor=owner)
    services.customer_create(business=other_business, name="Jan de Vries", phone="0612345678")
    services.customer_create(business=business, name="Anna", email="anna@example.nl")

    by_email = owner_client.get(URL).content.decode()
    by_phone = owner_client.get(URL, {"kind": "phone"}).content.decode()
    by_name = owner_client.get(URL, {"kind": "name"}).content.decode()

    assert "<h1>Mogelijk dubbele klanten</h1>" in by_email
    assert _tabs(by_email) == [
        "Hetzelfde e-mailadres (1)",
        "Hetzelfde telefoonnummer (1)",
        "Dezelfde naam (1)",
    ]
    assert '<a href="?kind=email" aria-current="page">' in by_email
    assert _groups(by_email) == [
        [
            "Hetzelfde e-mailadres",
            "ook hetzelfde telefoonnummer",
            "Klant 1", "Jan de Vries",
            "Telefoon", "06-12345678",
            "E-mail", "Jan@Vries.example",
            "Plaats", "Haarlem",
            "Klant sinds", "1\xa0mrt\xa02024",
            "Aankopen", "2",
            "Klant 2", "J. de Vries",
            "Telefoon", "+31 6 1234 5678",
            "E-mail", "jan@vries.example",
            "Plaats", "—",
            "Klant sinds", "2\xa0nov\xa02025",
            "Aankopen", "0",
            "Samenvoegen met klant 1…",
            "Niet dezelfde persoon als klant 1",
        ]
    ]  # fmt: skip
    assert (
        f'href="{_merge_url(jan, twin, "email")}" aria-describedby="duplicate-record-{twin.pk}" '
        'data-testid="duplicate-merge"'
    ) in by_email
    # Which record a button is on, for a screen reader: its heading.
    assert f'<h3 id="duplicate-record-{twin.pk}"><span class="duplicate-number">Klant 2</span>' in (
        by_email
    )
    assert [group[:4] for group in _groups(by_phone)] == [
        ["Hetzelfde telefoonnummer", "ook hetzelfde e-mailadres", "Klant 1", "Jan de Vries"]
    ]
    assert f'href="{_merge_url(jan, twin, "phone")}"' in by_phone
    assert [(group[0], group[2], group[-2]) for group in _groups(by_name)] == [
        ("Dezelfde naam", "José Bakker", "Samenvoegen met klant 1…")
    ]
    assert 'data-testid="duplicate-merge"' in by_name
    assert namesake.name in by_name
    assert "Anonieme klant" not in by_email + by_name
    assert "Anna" not in by_email


def test_records_with_two_customer_numbers_say_why_they_cannot_be_merged(owner_client, business):
    services.customer_create(business=business, name="Jan Bakker", external_ref="K-1")
    services.customer_create(business=business, name="Jan Bakker", external_ref="K-2")

    page = owner_client.get(URL).content.decode()

    assert _tabs(page)[2] == "Dezelfde naam (1)"
    assert '<a href="?kind=name" aria-current="page">' in page  # the first kind with a group
    assert 'data-testid="duplicate-merge"' not in page
    refused = page.split('data-testid="duplicate-refused">')[1].split("</p>")[0]
    assert refused.startswith("Beide hebben een klantnummer (K-1 en K-2)")


def test_a_third_record_is_offered_to_the_first_earlier_record_that_can_take_it(
    owner_client, business
):
    first = services.customer_create(business=business, name="Jan Bakker", external_ref="K-1")
    numbered = services.customer_create(business=business, name="Jan Bakker", external_ref="K-2")
    plain = services.customer_create(business=business, name="Jan Bakker")

    page = owner_client.get(URL, {"kind": "name"}).content.decode()

    assert 'data-testid="duplicate-refused">Beide hebben een klantnummer (K-1 en K-2)' in page
    assert f'href="{_merge_url(first, plain, "name")}"' in page
    assert page.count('data-testid="duplicate-merge"') == 1
    assert numbered.pk != plain.pk


def test_a_name_many_share_shows_the_first_records_and_how_many_more(owner_client, business):
    for _ in range(8):
        services.customer_create(business=business, name="Jan Smit")

    page = owner_client.get(URL, {"kind": "name"}).content.decode()

    assert page.count('data-testid="duplicate-record"') == 4
    assert (
        'data-testid="duplicate-not-shown">Nog 4 klanten hebben dit ook; waarschijnlijk '
        "verschillende mensen.</p>"
    ) in page
    assert "ook hetzelfde" not in page


NAMESAKES_NOTE = (
    '<p class="notice" data-testid="duplicate-namesakes">Vanaf hier heeft elke groep meer dan 4 '
    "klanten: waarschijnlijk verschillende mensen. Voeg alleen samen waar de gegevens één "
    "persoon laten zien.</p>"
)


def test_groups_few_share_come_first_and_of_one_size_the_latest(owner_client, business):
    # Given six namesakes, then two pairs and a triple whose latest records came in another
    # order than their names,
    customers_bulk_create(business=business, names=["Jan de Vries"] * 6)
    for name in ["Bram", "Anna", "Cor", "Bram", "Cor", "Anna", "Bram"]:
        services.customer_create(business=business, name=name)

    page = owner_client.get(URL, {"kind": "name"}).content.decode()

    # the pairs come first, the one with the latest record first, then the three, then the six
    # namesakes after a note that says what they most likely are, though they are the oldest;
    assert [group[2] for group in _groups(page)] == ["Anna", "Cor", "Bram", "Jan de Vries"]
    assert (
        '<p class="subtle" data-testid="duplicate-count">4 groepen · kleinste groepen eerst, '
        "dan de nieuwste klanten</p>"
    ) in page
    before_note, after_note = page.split(NAMESAKES_NOTE)
    assert [group[2] for group in _groups(before_note)] == ["Anna", "Cor", "Bram"]
    assert [group[2] for group in _groups(after_note)] == ["Jan de Vries"]

    # when an import brings a third Anna, the Annas come after the Cors, before the Brams (of
    # three, the latest first),
    [anna] = customers_bulk_create(business=business, names=["anna"])
    page = owner_client.get(URL, {"kind": "name"}).content.decode()
    assert [group[2] for group in _groups(page)] == ["Cor", "Anna", "Bram", "Jan de Vries"]

    # and go back to their place when that record is gone again.
    anna.delete()
    page = owner_client.get(URL, {"kind": "name"}).content.decode()
    assert [group[2] for group in _groups(page)] == ["Anna", "Cor", "Bram", "Jan de Vries"]


LINK = re.compile(r'<a class="button" href="\?([^"]*)" data-testid="duplicates-(newer|older)">')


def _pages(page: str) -> dict[str, str]:
    """The links to the newer and the older page, as their query strings."""
    return {which: query.replace("&amp;", "&") for query, which in LINK.findall(page)}


def _size(number: int) -> int:
    """Groups of 2, 3, 4 and 6 customers in turn: the pages below cross from one size to the
    next within a page, and the last ones hold only groups more than a group shows share."""
    return (2, 3, 4, 6)[number % 4]


def test_every_group_can_be_paged_to_and_back(owner_client, business, monkeypatch):
    # Given more than 200 groups of a name (which were as many as the list could page to), of
    # four sizes, each group's records written together,
    monkeypatch.setattr("klantvriend.web.duplicate_views.GROUPS_PER_PAGE", 60)
    customers_bulk_create(
        business=business,
        names=[f"Klant {number:03}" for number in range(205) for _ in range(_size(number))],
    )

    # when the owner follows "Older groups" from the first page to the last,
    seen, query, pages = [], "kind=name", []
    while query:
        page = owner_client.get(f"{URL}?{query}").content.decode()
        pages.append(page)
        seen += [group[2] for group in _groups(page)]
        query = _pages(page).get("older")

    # then every group was shown once, the smallest first, of one size the latest first,
    order = sorted(range(205), key=lambda number: (_size(number), -number))
    assert seen == [f"Klant {number:03}" for number in order]
    assert len(pages) == 4
    assert '<p class="subtle" data-testid="duplicate-count">205 groepen · ' in pages[-1]
    assert list(_pages(pages[0])) == ["older"]
    assert list(_pages(pages[-1])) == ["newer"]
    # the note before the first group of six on the third page, and atop the last,
    assert [page.count('data-testid="duplicate-namesakes"') for page in pages] == [0, 0, 1, 1]
    assert len(_groups(pages[2].split(NAMESAKES_NOTE)[0])) == 34
    assert len(_groups(pages[3].split(NAMESAKES_NOTE)[0])) == 0
    # and "Newer groups" leads back page by page.
    for number in (3, 2, 1):
        back = owner_client.get(f"{URL}?{_pages(pages[number])['newer']}").content.decode()
        assert _groups(back) == _groups(pages[number - 1])
    assert list(_pages(back)) == ["older"]


def test_a_group_gone_from_the_page_before_moves_no_other_group(
    owner_client, business, monkeypatch
):
    # Given the first page of two groups of a name, and three more groups after them,
    monkeypatch.setattr("klantvriend.web.duplicate_views.GROUPS_PER_PAGE", 2)
    customers_bulk_create(
        business=business, names=[f"Klant {n}" for n in (1, 2, 3, 4) for _ in range(2)]
    )
    customers_bulk_create(business=business, names=["Klant 5"] * 3)
    first = owner_client.get(URL, {"kind": "name"}).content.decode()
    assert [group[2] for group in _groups(first)] == ["Klant 4", "Klant 3"]

    # when the page's last group is merged meanwhile (one record deleted) and the first gains a
    # record,
    Customer.objects.filter(name="Klant 3").last().delete()
    customers_bulk_create(business=business, names=["Klant 4"])

    # then the next page is still the groups after it, none twice and none skipped.
    page = owner_client.get(f"{URL}?{_pages(first)['older']}").content.decode()
    assert [group[2] for group in _groups(page)] == ["Klant 2", "Klant 1"]
    last = owner_client.get(f"{URL}?{_pages(page)['older']}").content.decode()
    assert [group[2] for group in _groups(last)] == ["Klant 4", "Klant 5"]


# "before=1" and "size=2" alone: half a place, as an address from before the list had sizes.
@pytest.mark.parametrize(
    "cursor",
    [
        *("before=x&size=2", "after=-1&size=2", "before=²&size=2", f"before={2**64}&size=2"),
        *("before=1&size=x", "before=1", "size=2"),
    ],
)
def test_a_page_the_address_does_not_name_well_is_the_first(owner_client, business, cursor):
    services.customer_create(business=business, name="Anna")
    services.customer_create(business=business, name="Anna")

    response = owner_client.get(f"{URL}?kind=name&{cursor}")

    assert response.status_code == 200
    assert [group[2] for group in _groups(response.content.decode())] == ["Anna"]


def test_without_duplicates_the_page_says_so(owner_client, business):
    services.customer_create(business=business, name="Anna", email="anna@example.nl")

    page = owner_client.get(URL, {"kind": "unknown"}).content.decode()

    assert _tabs(page) == NO_GROUPS
    assert "Geen twee klanten hebben hetzelfde e-mailadres." in page


def test_merging_from_the_list_returns_to_it_without_the_pair(owner_client, business):
    jan = services.customer_create(business=business, name="Jan de Vries", phone="0612345678")
    twin = services.customer_create(business=business, name="J. de Vries", phone="06-12345678")
    services.customer_create(business=business, name="Anna", phone="0201234567")
    services.customer_create(business=business, name="Anna Visser", phone="020-1234567")
    confirm = owner_client.get(_merge_url(jan, twin, "phone").replace("&amp;", "&"))

    response = owner_client.post(
        reverse("web:customer_merge", args=[jan.pk]),
        {
            "other": twin.pk,
            "duplicates": "phone",
            "keep_version": customer_version(customer=jan),
            "other_version": customer_version(customer=twin),
        },
        follow=True,
    )

    shown = confirm.content.decode()
    assert '<input type="hidden" name="duplicates" value="phone">' in shown
    assert f'href="{URL}?kind=phone">Annuleren</a>' in shown
    page = response.content.decode()
    assert response.redirect_chain == [(f"{URL}?kind=phone", 302)]
    assert "J. de Vries is opgegaan in Jan de Vries: ze zijn nu één klant." in page
    assert [group[2] for group in _groups(page)] == ["Anna"]
    assert not Customer.objects.filter(pk=twin.pk).exists()


HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _form(page: str, start: str) -> dict[str, str]:
    """The hidden fields of the page's form that opens with `start`, as a browser sends them
    (the test client adds no token)."""
    form = page.split(start)[1].split("</form>")[0]
    return {name: value for name, value in HIDDEN.findall(form) if name != "csrfmiddlewaretoken"}


def _second_page(owner_client, kind: str, monkeypatch) -> tuple[str, str]:
    """The list's second page of `kind` at one group a page, and its query."""
    monkeypatch.setattr("klantvriend.web.duplicate_views.GROUPS_PER_PAGE", 1)
    query = _pages(owner_client.get(URL, {"kind": kind}).content.decode())["older"]
    return owner_client.get(f"{URL}?{query}").content.decode(), query


def test_merging_from_a_later_page_returns_to_that_page(owner_client, business, monkeypatch):
    # Given three groups of a phone number, the owner on the second page (one group a page),
    for name, phone in [("Anna", "0201111111"), ("Bram", "0202222222"), ("Cor", "0203333333")]:
        for written in (name, f"{name[0]}."):
            services.customer_create(business=business, name=written, phone=phone)
    page, query = _second_page(owner_client, "phone", monkeypatch)
    assert [group[2] for group in _groups(page)] == ["Bram"]
    bram, twin = Customer.objects.get(name="Bram"), Customer.objects.get(name="B.")

    # when the owner opens the group's merge and confirms it,
    link = re.search(r'href="([^"]*)" [^>]*data-testid="duplicate-merge"', page)[1]
    confirm = owner_client.get(link.replace("&amp;", "&")).content.decode()
    fields = _form(confirm, '<form method="post" class="actions merge-actions">')
    response = owner_client.post(link.split("?")[0], fields, follow=True)

    # then the link, the confirmation's form and its links carried the tab and the page,
    carried = query.replace("kind=", "duplicates=").replace("&", "&amp;")
    assert link == reverse("web:customer_merge", args=[bram.pk]) + f"?other={twin.pk}&amp;{carried}"
    assert {name: fields[name] for name in ("duplicates", "before", "size")} == dict(
        pair.split("=") for pair in query.replace("kind=", "duplicates=").split("&")
    )
    assert f'href="{URL}?{query.replace("&", "&amp;")}">Annuleren</a>' in confirm
    keep_other = reverse("web:customer_merge", args=[twin.pk]) + f"?other={bram.pk}&amp;{carried}"
    assert f'href="{keep_other}">' in confirm
    # and the owner is back on that page, where the next group is now.
    assert response.redirect_chain == [(f"{URL}?{query}", 302)]
    assert "B. is opgegaan in Bram: ze zijn nu één klant." in response.content.decode()
    assert [group[2] for group in _groups(response.content.decode())] == ["Anna"]
    assert not Customer.objects.filter(pk=twin.pk).exists()


def test_telling_namesakes_apart_names_them_by_number_and_keeps_the_page(
    owner_client, business, monkeypatch
):
    # Given two pairs of namesakes, the owner on the second page (one group a page),
    jan = services.customer_create(business=business, name="Jan de Vries", city="Haarlem")
    namesake = services.customer_create(business=business, name="Jan de Vries", city="Delft")
    services.customer_create(business=business, name="Piet Bakker")
    services.customer_create(business=business, name="Piet Bakker")
    page, query = _second_page(owner_client, "name", monkeypatch)
    assert [group[2] for group in _groups(page)] == ["Jan de Vries"]

    # when the owner says the second record is not the same person as the first,
    action = _not_same_url(namesake, jan)
    fields = _form(page, f'<form method="post" action="{action}">')
    response = owner_client.post(action, fields, follow=True)

    # then the message tells the two apart by their numbers in the group, as its buttons do,
    assert fields == {
        "kind": "name",
        "number": "2",
        "partner_number": "1",
        **dict(pair.split("=") for pair in query.split("&")[1:]),
    }
    shown = response.content.decode()
    assert (
        "Jan de Vries (klant 1) en Jan de Vries (klant 2) zijn gemarkeerd als verschillende "
        "personen."
    ) in shown
    # and the owner is back on the page they were on (nothing after its place now: the page
    # before it).
    assert response.redirect_chain == [(f"{URL}?{query}", 302)]
    assert [group[2] for group in _groups(shown)] == ["Piet Bakker"]


@pytest.mark.parametrize(
    ("language", "told_apart"),
    [
        ("nl", "Jan de Vries (klant 1) en Jan de Vries (klant 2) zijn gemarkeerd als"),
        ("en", "Jan de Vries (record 1) and Jan de Vries (record 2) are marked as different"),
    ],
)
def test_the_told_apart_message_numbers_them_in_the_reader_s_language(
    owner_client, business, owner, language, told_apart
):
    from klantvriend.core.accounts import account_language_set

    account_language_set(user=owner, language=language)
    jan = services.customer_create(business=business, name="Jan de Vries")
    namesake = services.customer_create(business=business, name="Jan de Vries")
    action = _not_same_url(namesake, jan)
    fields = _form(
        owner_client.get(URL, {"kind": "name"}).content.decode(),
        f'<form method="post" action="{action}">',
    )

    response = owner_client.post(action, fields, follow=True)

    assert told_apart in response.content.decode()
    assert DistinctPair.objects.filter(first=jan, second=namesake).count() == 1


def test_only_owners_see_the_list_and_its_links(owner_client, staff_client, business):
    services.customer_create(business=business, name="Jan")
    services.customer_create(business=business, name="Jan")

    refused = staff_client.get(URL)
    staff_list = staff_client.get(reverse("web:customer_list")).content.decode()
    owner_list = owner_client.get(reverse("web:customer_list")).content.decode()

    assert refused.status_code == 403
    assert "Jan" not in refused.content.decode()
    assert f'href="{URL}"' not in staff_list
    assert f'href="{URL}" data-testid="duplicates-link">Mogelijk dubbele klanten</a>' in owner_list


def test_another_business_s_records_are_never_grouped_with_or_shown(
    owner_client, business, other_business
):
    services.customer_create(business=business, name="Jan", email="jan@example.nl")
    services.customer_create(business=other_business, name="Geheim", email="jan@example.nl")
    services.customer_create(business=other_business, name="Geheim", email="geheim@example.nl")

    page = owner_client.get(URL, {"kind": "name"}).content.decode()

    assert _tabs(page) == NO_GROUPS
    assert "Geheim" not in page


@pytest.mark.parametrize("language", ["en"])
def test_the_list_speaks_english_to_who_reads_english(owner_client, business, owner, language):
    from klantvriend.core.accounts import account_language_set

    account_language_set(user=owner, language=language)
    services.customer_create(business=business, name="Jan", phone="0612345678")
    services.customer_create(business=business, name="Piet", phone="06 1234 5678")

    page = owner_client.get(URL).content.decode()

    assert "<h1>Possible duplicates</h1>" in page
    assert _tabs(page)[1] == "The same phone number (1)"
    assert "Merge into record 1…" in page


def test_a_group_whose_phone_numbers_or_addresses_differ_says_so(owner_client, business):
    services.customer_create(business=business, name="Ahmed Bos", phone="06-86871078")
    services.customer_create(business=business, name="Ahmed Bos", phone="06-40057440")
    services.customer_create(business=business, name="Bram", email="bram@example.nl")
    services.customer_create(business=business, name="bram", email="b@example.nl")

    page = owner_client.get(URL, {"kind": "name"}).content.decode()

    assert [group[:2] for group in _groups(page)] == [
        ["Dezelfde naam", "verschillende e-mailadressen"],
        ["Dezelfde naam", "verschillende telefoonnummers"],
    ]
    assert '<p class="hint" data-testid="duplicate-name-hint">Twee mensen kunnen' in page


def _not_same_url(customer, other) -> str:
    return reverse("web:customer_not_same", args=[customer.pk, other.pk])


APART_URL = reverse("web:distinct_pairs")


def test_not_the_same_person_takes_the_group_off_its_tab_until_undone(owner_client, business):
    # Given two groups of a name,
    jan = services.customer_create(business=business, name="Jan de Vries", city="Haarlem")
    namesake = services.customer_create(business=business, name="Jan de Vries", city="Delft")
    services.customer_create(business=business, name="Piet Bakker")
    services.customer_create(business=business, name="Piet Bakker")
    page = owner_client.get(URL, {"kind": "name"}).content.decode()
    assert _tabs(page)[2] == "Dezelfde naam (2)"
    form = f'<form method="post" action="{_not_same_url(namesake, jan)}">'
    assert form in page
    assert 'data-testid="duplicates-apart"' not in page

    # when the owner says the two Jans are different people,
    response = owner_client.post(
        _not_same_url(namesake, jan), {"kind": "name", "page": "1"}, follow=True
    )

    # then the list comes back on its tab and page without them, one group fewer,
    page = response.content.decode()
    assert response.redirect_chain == [(f"{URL}?kind=name&page=1", 302)]
    assert "Jan de Vries en Jan de Vries zijn gemarkeerd als verschillende personen." in page
    assert _tabs(page)[2] == "Dezelfde naam (1)"
    assert [group[2] for group in _groups(page)] == ["Piet Bakker"]
    link = f'<a href="{APART_URL}">1 keer als verschillend gemarkeerd — bekijk</a>'
    assert link in page

    # and the decision can be seen, with who took it, and undone.
    listed = owner_client.get(APART_URL).content.decode()
    rows = listed.split('data-testid="distinct-pair">')[1:]
    assert len(rows) == 1
    assert [line.strip() for line in TAGS.sub("\n", rows[0]).splitlines() if line.strip()][:7] == [
        "Jan de Vries",
        "Haarlem",
        "Jan de Vries",
        "Delft",
        "Ongedaan maken",  # under the pair on a phone, in a column of its own on a wider screen
        "Sanne",
        ANY_MOMENT,
    ]
    pair = DistinctPair.objects.get()
    undone = owner_client.post(
        reverse("web:distinct_pair_undo", args=[pair.pk]), {"page": "1"}, follow=True
    )
    assert undone.redirect_chain == [(f"{APART_URL}?page=1", 302)]
    assert "De twee staan weer bij de mogelijk dubbele klanten." in undone.content.decode()
    assert 'data-testid="distinct-pairs-none"' in undone.content.decode()
    assert DistinctPair.objects.count() == 0
    assert _tabs(owner_client.get(URL).content.decode())[2] == "Dezelfde naam (2)"


class _AnyMoment:
    """Equal to any date and time as the Dutch list writes it ("30-11-2026 04:40")."""

    def __eq__(self, other) -> bool:
        return bool(re.fullmatch(r"\d{1,2}[-\s]\S+[-\s]\d{4}\s\d{1,2}:\d{2}", str(other)))


ANY_MOMENT = _AnyMoment()


def test_a_third_record_comes_back_with_the_records_it_was_not_told_apart_from(
    owner_client, business
):
    first = services.customer_create(business=business, name="Jan de Vries")
    second = services.customer_create(business=business, name="Jan de Vries")
    owner_client.post(_not_same_url(second, first), {"kind": "name"})
    assert _tabs(owner_client.get(URL).content.decode())[2] == "Dezelfde naam (0)"

    third = services.customer_create(business=business, name="Jan de Vries")

    page = owner_client.get(URL, {"kind": "name"}).content.decode()
    assert _tabs(page)[2] == "Dezelfde naam (1)"
    [group] = _groups(page)
    assert "Gemarkeerd als niet dezelfde persoon als klant 1." in group
    # The second record offers nothing more; the third is offered to the first.
    assert f'href="{_merge_url(first, third, "name")}"' in page
    assert page.count('data-testid="duplicate-merge"') == 1
    assert page.count('data-testid="duplicate-not-same"') == 1
    assert f'action="{_not_same_url(third, first)}"' in page


def test_a_large_group_shows_a_pair_still_to_judge_first(owner_client, business):
    # Given five records of a name, the first four told apart from each other,
    jans = [services.customer_create(business=business, name="Jan de Vries") for _ in range(5)]
    for index, jan in enumerate(jans[:4]):
        for other in jans[index + 1 : 4]:
            services.distinct_pair_create(business=business, customer_id=jan.pk, other_id=other.pk)

    page = owner_client.get(URL, {"kind": "name"}).content.decode()

    # the group shows the fifth, still to judge with each of them, offered to the first,
    # beside the oldest others, as many as a group shows;
    [group] = GROUP.findall(page)
    shown = re.findall(r'<a href="/customers/(\d+)/">', group)
    assert shown == [str(jan.pk) for jan in (jans[0], jans[1], jans[2], jans[4])]
    assert f'href="{_merge_url(jans[0], jans[4], "name")}"' in group
    assert f'action="{_not_same_url(jans[4], jans[0])}"' in group
    assert group.count('data-testid="duplicate-not-same"') == 1
    assert "Nog 1 klant heeft dit ook" in group

    # and once the fifth is told apart from the first, from the second.
    services.distinct_pair_create(business=business, customer_id=jans[0].pk, other_id=jans[4].pk)
    page = owner_client.get(URL, {"kind": "name"}).content.decode()
    assert f'action="{_not_same_url(jans[4], jans[1])}"' in page
    assert page.count('data-testid="duplicate-not-same"') == 1
    # Shown now: the second record to the fifth; the fourth, told apart from those before it.
    assert (
        'data-testid="duplicate-apart-from">Gemarkeerd als niet dezelfde persoon als klanten '
        "1 en 2.</p>"
    ) in page


def test_among_namesakes_each_record_and_button_names_a_record_by_its_number(
    owner_client, business
):
    # Given three records of one name, the third told apart from the first,
    jans = [
        services.customer_create(business=business, name="Jan de Vries", city=city)
        for city in ("Haarlem", "Delft", "Ede")
    ]
    services.distinct_pair_create(business=business, customer_id=jans[0].pk, other_id=jans[2].pk)

    page = owner_client.get(URL, {"kind": "name"}).content.decode()

    # each record says its number, and the buttons say which record they mean by it, where
    # "Jan de Vries" would not tell which Jan de Vries.
    [group] = _groups(page)
    headings = [
        group[at : at + 2] for at, line in enumerate(group) if re.fullmatch(r"Klant \d", line)
    ]
    assert headings == [
        ["Klant 1", "Jan de Vries"],
        ["Klant 2", "Jan de Vries"],
        ["Klant 3", "Jan de Vries"],
    ]
    assert [line for line in group if "klant " in line] == [
        "Samenvoegen met klant 1…",
        "Niet dezelfde persoon als klant 1",
        "Gemarkeerd als niet dezelfde persoon als klant 1.",
        "Samenvoegen met klant 2…",
        "Niet dezelfde persoon als klant 2",
    ]
    assert f'action="{_not_same_url(jans[2], jans[1])}"' in page


def test_staff_cannot_mark_see_or_undo_and_nothing_changes(staff_client, business):
    jan = services.customer_create(business=business, name="Jan")
    namesake = services.customer_create(business=business, name="Jan")
    pair = services.distinct_pair_create(
        business=business, customer_id=jan.pk, other_id=namesake.pk
    )
    other = services.customer_create(business=business, name="Jan")

    responses = [
        staff_client.post(_not_same_url(other, jan)),
        staff_client.get(APART_URL),
        staff_client.post(reverse("web:distinct_pair_undo", args=[pair.pk])),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    assert list(DistinctPair.objects.values_list("first", "second")) == [(jan.pk, namesake.pk)]


def test_marking_needs_a_post_with_the_form_s_token(owner, business):
    from django.test import Client

    jan = services.customer_create(business=business, name="Jan")
    namesake = services.customer_create(business=business, name="Jan")
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    responses = [
        client.get(_not_same_url(namesake, jan)),
        client.post(_not_same_url(namesake, jan)),
    ]

    assert [response.status_code for response in responses] == [405, 403]
    assert DistinctPair.objects.count() == 0


def test_an_anonymised_record_is_refused_with_a_message(owner_client, business, owner):
    jan = services.customer_create(business=business, name="Jan")
    namesake = services.customer_create(business=business, name="Jan")
    customer_erase(customer=namesake, actor=owner)

    response = owner_client.post(_not_same_url(namesake, jan), {"kind": "name"}, follow=True)

    assert response.redirect_chain == [(f"{URL}?kind=name", 302)]
    assert (
        "Een geanonimiseerde klant is van niemand meer een dubbele; er is niets veranderd."
        in response.content.decode()
    )
    assert DistinctPair.objects.count() == 0
