"""What a staff member at the counter reads on the customer profile after each step."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, translation

from klantvriend.aftercare.models import FollowUp
from klantvriend.complaints.models import Complaint
from klantvriend.core.accounts import account_language_set
from klantvriend.customers.tests.factories import CustomerFactory, ImportantDateFactory
from klantvriend.gestures.models import Gesture
from klantvriend.insights.tests.factories import CustomerInsightFactory
from klantvriend.promises.models import Promise

HTMX = {"HX-Request": "true"}


def _care_forms(business):
    # A working day (not the default closed Sunday), where saving says no more than "saved".
    today = business.today()
    day = (today + timedelta(days=1 if today.weekday() == 6 else 0)).isoformat()
    return {
        "promise": (
            "web:promise_add",
            # Saved twice below: the same promise again is asked about, as a gesture is.
            {
                "description": "Rollade klaarzetten",
                "kind": "order_ready",
                "due_date": day,
                "confirm_due": "on",
            },
            Promise,
        ),
        "complaint": (
            "web:complaint_add",
            {
                "description": "Worst te zout",
                "channel": "counter",
                "severity": "medium",
                "driver": "other",
                "answered_on_the_spot": "on",
            },
            Complaint,
        ),
        "follow-up": (
            "web:follow_up_add",
            {"note": "Vragen of het smaakte", "due_on": day},
            FollowUp,
        ),
        "gesture": (
            "web:gesture_add",
            {"what": "Bakje salade", "occasion": "just_because", "confirm_repeat": "on"},
            Gesture,
        ),
    }


@pytest.mark.parametrize(
    ("language", "kind", "message"),
    [
        ("nl", "promise", "Belofte opgeslagen."),
        ("nl", "complaint", "Klacht opgeslagen."),
        ("nl", "follow-up", "Nazorg opgeslagen."),
        ("nl", "gesture", "Attentie opgeslagen."),
        ("en", "promise", "Promise saved."),
        ("en", "complaint", "Complaint saved."),
        ("en", "follow-up", "Follow-up saved."),
        ("en", "gesture", "Gesture saved."),
    ],
)
def test_a_new_promise_complaint_follow_up_or_gesture_says_it_was_saved_in_its_card(
    staff_client, staff_user, business, language, kind, message
):
    # The form closes and the new row shows above it, often out of sight on a phone: without a
    # word the assistant could not tell whether it was stored.
    account_language_set(user=staff_user, language=language)
    url_name, data, model = _care_forms(business)[kind]
    customer = CustomerFactory(business=business)
    url = reverse(url_name, args=[customer.pk])

    fragment = staff_client.post(url, data, headers=HTMX).content.decode()
    refused = staff_client.post(url, {}, headers=HTMX)
    page = staff_client.post(url, data, follow=True).content.decode()

    assert model.objects.filter(customer=customer).count() == 2
    saved = (
        f'<p class="message message-success" role="status" data-testid="record-saved">{message}</p>'
    )
    assert fragment.count('data-testid="record-saved"') == 1
    # Right above the button that opens the form again, in that kind's card.
    assert re.search(saved + r"\s*<details class=\"record-form\" id=\"new-" + kind + '"', fragment)
    assert refused.status_code == 422
    assert "record-saved" not in refused.content.decode()
    # Without htmx: the profile again, with the message at its top.
    assert f'<p class="message message-success">{message}</p>' in page
    assert "record-saved" not in page


@pytest.mark.parametrize(
    ("language", "birthday", "today"),
    [("nl", "Verjaardag", "vandaag"), ("en", "Birthday", "today")],
)
def test_the_card_says_when_the_birthday_or_an_important_date_is_today(
    staff_client, staff_user, business, language, birthday, today
):
    # Tucked under Contact as "Birthday: 1 December", a birthday today went unnoticed by whoever
    # served the customer.
    account_language_set(user=staff_user, language=language)
    day = business.today()
    born = CustomerFactory(business=business, birthday=day.replace(year=2000))
    ImportantDateFactory(customer=born, label="Trouwdag", date=day.replace(year=2004))
    ImportantDateFactory(
        customer=born, label="Verhuizing", date=day.replace(year=2004), yearly=False
    )
    tomorrow = CustomerFactory(
        business=business, birthday=(day + timedelta(days=1)).replace(year=2000)
    )

    page = staff_client.get(reverse("web:customer_detail", args=[born.pk])).content.decode()
    other = staff_client.get(reverse("web:customer_detail", args=[tomorrow.pk])).content.decode()

    years = day.year - 2004
    badge = (
        '<span class="badge badge-due_today" data-testid="important-date-coming">'
        f"{today} · {years} {'jaar' if language == 'nl' else 'years'}</span>"
    )
    with translation.override(language):
        date_text = formats.date_format(day, "j F")
        once = formats.date_format(day.replace(year=2004), "j F Y")
    assert (
        f'<li>{birthday}: {date_text} <span class="badge badge-due_today" data-testid="birthday-today">'
        f"{today}</span></li>"
    ) in page
    assert f"Trouwdag: {date_text} {badge}" in page
    # A date of one year only is not today in another year.
    assert f"Verhuizing: {once}\n" in page
    # Said first too, under the name: lower down it was on a phone's second screen.
    heading = "Vandaag jarig" if language == "nl" else "Birthday today"
    assert (
        '<p class="birthday-head"><span class="badge badge-due_today" '
        f'data-testid="birthday-today-head">{heading}</span></p>'
    ) in page
    assert page.count("badge-due_today") == 3
    assert "badge-due_today" not in other


@pytest.mark.parametrize(
    ("language", "matters", "open_items", "value"),
    [
        (
            "nl",
            "Wat deze klant belangrijk vindt",
            "Openstaand",
            "Verwachte klantwaarde (12 maanden)",
        ),
        (
            "en",
            "What matters to this customer",
            "Open items",
            "Expected customer value (12 months)",
        ),
    ],
)
def test_the_card_shows_what_matters_and_what_is_open_before_the_model_figures(
    staff_client, staff_user, business, language, matters, open_items, value
):
    # On a phone the four model figures took the first screen; what to say, and the complaint
    # being handled, came below them.
    account_language_set(user=staff_user, language=language)
    customer = CustomerFactory(business=business, preferences="Rollade dun gesneden")
    CustomerInsightFactory(customer=customer)

    page = staff_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    card = page[page.index('<section class="card briefing"') : page.index("</section>")]
    order = [
        card.index(text)
        for text in (
            f'<h2 class="h3">{matters}</h2>',
            f'<h2 class="h3">{open_items}</h2>',
            'data-testid="insight-card"',
            f'<span class="fact-label">{value}</span>',
        )
    ]
    assert order == sorted(order)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_list_tells_customers_of_one_name_apart_by_postcode_or_place(
    staff_client, staff_user, business, language
):
    # On a phone the list shows name, phone and last purchase: two Hanna Verhoevens without a
    # phone were the same row twice.
    account_language_set(user=staff_user, language=language)
    with_code = CustomerFactory(
        business=business, name="Hanna Verhoeven", postal_code="7201 GD", city="Zutphen"
    )
    in_place = CustomerFactory(business=business, name="Hanna Verhoeven", city="Deventer")
    unknown = CustomerFactory(business=business, name="Hanna Verhoeven", phone="06-48128157")

    page = staff_client.get(reverse("web:customer_list"), {"q": "hanna verh"}).content.decode()

    def row(customer, place=""):
        link = f'<a href="{reverse("web:customer_detail", args=[customer.pk])}">Hanna Verhoeven</a>'
        if place:
            link += f' <span class="subtle" data-testid="list-place">· {place}</span>'
        return f"<td>{link}</td>"

    assert row(with_code, "7201 GD") in page
    assert row(in_place, "Deventer") in page
    assert row(unknown) in page
    assert page.count('data-testid="list-place"') == 2


def test_the_list_lets_a_phone_number_break_between_its_groups_only(staff_client, business):
    # A number written "+31 6 75573083" kept on one line pushed the list sorted by spending past
    # a 360 px phone's edge; "06-37840748" must not break after its hyphen.
    CustomerFactory(business=business, name="Wim Smit", phone="+31 6 75573083")
    CustomerFactory(business=business, name="Wim Smits", phone="06-37840748")

    page = staff_client.get(reverse("web:customer_list"), {"q": "wim smit"}).content.decode()

    assert (
        '<td><span class="nowrap">+31</span> <span class="nowrap">6</span> '
        '<span class="nowrap">75573083</span></td>'
    ) in page
    assert '<td><span class="nowrap">06-37840748</span></td>' in page


@pytest.mark.parametrize(
    ("language", "message"), [("nl", "Klacht opgelost."), ("en", "Complaint resolved.")]
)
def test_a_complaint_resolved_on_the_profile_says_so_in_its_card(
    staff_client, staff_user, business, language, message
):
    # The resolve form closes and the aftercare it plans appears further down the card: the
    # page moved there without a word about the complaint.
    from klantvriend.complaints.tests.factories import ComplaintFactory

    account_language_set(user=staff_user, language=language)
    customer = CustomerFactory(business=business)
    complaints = [ComplaintFactory(customer=customer) for _ in range(2)]

    def resolve(complaint, **headers):
        url = reverse("web:complaint_resolve", args=[complaint.pk])
        return staff_client.post(url, {"resolution": "Nieuwe soep gebracht"}, **headers)

    fragment = resolve(complaints[0], headers=HTMX).content.decode()
    page = resolve(complaints[1], follow=True).content.decode()

    saved = (
        f'<p class="message message-success" role="status" data-testid="record-saved">{message}</p>'
    )
    assert fragment.count(saved) == 1
    assert f'<p class="message message-success">{message}</p>' in page
    assert Complaint.objects.filter(customer=customer, resolved_at__isnull=False).count() == 2


def test_each_open_item_leads_to_its_row_where_it_is_done(staff_client, business):
    # On a phone the promises, complaints and follow-ups come after the whole timeline: the
    # briefing's open items are the way there.
    from klantvriend.aftercare.tests.factories import FollowUpFactory
    from klantvriend.complaints.tests.factories import ComplaintFactory
    from klantvriend.promises.tests.factories import PromiseFactory

    customer = CustomerFactory(business=business)
    promise = PromiseFactory(customer=customer, description="Taart klaarzetten")
    complaint = ComplaintFactory(customer=customer, description="Soep was koud")
    follow_up = FollowUpFactory(customer=customer, note="Vragen of het smaakte")

    page = staff_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    for anchor, summary in [
        (f"promise-{promise.pk}", "Taart klaarzetten"),
        (f"complaint-{complaint.pk}", "Soep was koud"),
        (f"follow_up-{follow_up.pk}", "Vragen of het smaakte"),
    ]:
        link = re.search(rf'<a href="#{anchor}" data-testid="open-item-link">([^<]*)</a>', page)
        assert link is not None, anchor
        assert link[1].startswith(summary)
        assert page.count(f'id="{anchor}"') == 1


def test_the_same_purchase_just_recorded_is_asked_about_not_recorded_twice(staff_client, business):
    # "Save" tapped twice, or a colleague at the other till entered it already
    from klantvriend.customers.models import Purchase

    customer = CustomerFactory(business=business)
    url = reverse("web:purchase_add", args=[customer.pk])
    sale = {"amount": "12,50", "description": "Taart"}

    first = staff_client.post(url, sale, headers=HTMX)
    again = staff_client.post(url, sale, headers=HTMX)
    other = staff_client.post(url, {**sale, "description": "Brood"}, headers=HTMX)
    confirmed = staff_client.post(url, {**sale, "confirm_repeat": "on"}, headers=HTMX)

    assert [first.status_code, again.status_code, other.status_code, confirmed.status_code] == [
        200,
        422,
        200,
        200,
    ]
    asked = again.content.decode()
    assert re.search(
        r"Dezelfde aankoop \(€\xa012,50\) is zojuist al vastgelegd voor deze klant\. "
        r"Vink “Toch vastleggen” aan als het een tweede is\.",
        asked,
    )
    assert 'name="confirm_repeat"' in asked
    assert 'name="confirm_repeat"' not in first.content.decode()
    # The second "Taart" only once confirmed; "Brood" is another purchase
    assert sorted(
        Purchase.objects.filter(customer=customer).values_list("description", flat=True)
    ) == [
        "Brood",
        "Taart",
        "Taart",
    ]


def test_past_purchases_of_the_same_amount_on_other_days_are_not_asked_about(
    staff_client, business
):
    """A salon writing down a regular's past cuts of € 40 was asked on the second, three months
    after the first, whether it was the first again; the same day and time typed twice is."""
    from klantvriend.customers.models import Purchase

    customer = CustomerFactory(business=business)
    url = reverse("web:purchase_add", args=[customer.pk])
    cut = {"amount": "40", "description": "Knippen"}

    january = staff_client.post(url, {**cut, "at": "2026-01-20T10:00"}, headers=HTMX)
    april = staff_client.post(url, {**cut, "at": "2026-04-21T10:00"}, headers=HTMX)
    april_again = staff_client.post(url, {**cut, "at": "2026-04-21T10:00"}, headers=HTMX)
    now = staff_client.post(url, cut, headers=HTMX)

    assert [january.status_code, april.status_code, april_again.status_code, now.status_code] == [
        200,
        200,
        422,
        200,
    ]
    assert "Dezelfde aankoop (€\xa040,00) is zojuist al vastgelegd" in april_again.content.decode()
    assert sorted(
        business.local(at).date().isoformat()
        for at in Purchase.objects.filter(customer=customer).values_list("at", flat=True)
    ) == ["2026-01-20", "2026-04-21", business.today().isoformat()]


def test_an_amount_many_times_the_usual_purchase_is_asked_about(staff_client, business):
    """A restaurant typed "1865,0" for a table of four's € 186,50, and a salon a million for a
    cut: saved without a word, they made every figure of the customer wrong."""
    from klantvriend.customers.models import Purchase
    from klantvriend.customers.tests.factories import PurchaseFactory

    regulars = CustomerFactory(business=business)
    for euros in (40, 45, 45, 50, 38, 45, 60, 45, 42, 47, 45):
        PurchaseFactory(customer=regulars, amount_cents=euros * 100)
    customer = CustomerFactory(business=business)
    url = reverse("web:purchase_add", args=[customer.pk])
    before = Purchase.objects.count()

    asked = staff_client.post(url, {"amount": "1865,0", "description": "Tafel 4"}, headers=HTMX)

    assert asked.status_code == 422
    page = asked.content.decode()
    assert (
        "€\xa01.865,00 is meer dan tien keer een gewone aankoop hier (ongeveer €\xa045,00). Een "
        "nul te veel? Vink “Toch vastleggen” aan als het bedrag klopt."
    ) in page
    assert 'name="confirm_repeat"' in page
    assert Purchase.objects.count() == before
    # Four times the usual is a big table, not a slip; ten times, confirmed, is recorded.
    table = staff_client.post(url, {"amount": "186,50", "description": "Tafel 4"}, headers=HTMX)
    party = staff_client.post(
        url, {"amount": "1865", "description": "Feest", "confirm_repeat": "on"}, headers=HTMX
    )
    assert (table.status_code, party.status_code) == (200, 200)
    assert sorted(
        Purchase.objects.filter(customer=customer).values_list("amount_cents", flat=True)
    ) == [18650, 186500]


def test_the_first_purchases_of_a_business_are_not_asked_about_their_amount(staff_client, business):
    """With too few purchases nothing is usual yet: the first big order is not doubted."""
    from klantvriend.customers.models import Purchase
    from klantvriend.customers.tests.factories import PurchaseFactory

    customer = CustomerFactory(business=business)
    for _ in range(9):
        PurchaseFactory(customer=customer, amount_cents=4500)

    response = staff_client.post(
        reverse("web:purchase_add", args=[customer.pk]), {"amount": "1865"}, headers=HTMX
    )

    assert response.status_code == 200
    assert Purchase.objects.filter(customer=customer, amount_cents=186500).count() == 1
