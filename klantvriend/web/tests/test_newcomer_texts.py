"""What a shopkeeper who has never used Klantvriend reads where they get stuck: each text says
what the thing is for and what to do next, names what a button does, and never invites a step
that the page does not allow, in Dutch and in English."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.accounts import account_language_set
from klantvriend.core.audit import AuditAction, audit_record
from klantvriend.core.care_settings import care_settings_update
from klantvriend.core.tests.days import SALON
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.privacy import customer_erase
from klantvriend.promises.models import PromiseKind
from klantvriend.promises.tests.factories import PromiseFactory


def _testid(page: str, testid: str) -> str | None:
    """The text of the element with this data-testid, tags left out, or None when absent."""
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</(p|button|a|li|span)>', page, re.S)
    return None if found is None else re.sub(r"<[^>]+>", "", found[1]).strip()


@pytest.mark.parametrize(
    ("language", "empty"),
    [("nl", "Niets vastgelegd."), ("en", "Nothing recorded.")],
)
def test_an_anonymised_customer_is_not_offered_steps_that_cannot_be_taken(
    owner_client, owner, business, language, empty
):
    # Given a customer anonymised at their request, with nothing on their timeline
    customer = CustomerFactory(business=business, name="Piet Jansen")
    customer_erase(customer=customer, actor=owner)
    account_language_set(user=owner, language=language)

    # When the owner opens the profile
    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    # Then the timeline says there is nothing, rather than asking to record a purchase or a
    # contact moment (the profile records nothing new of an erased customer), and no form
    # records whom they brought in
    assert _testid(page, "timeline-empty") == empty
    assert 'data-testid="referral-form"' not in page


@pytest.mark.parametrize(
    ("language", "empty"),
    [
        ("nl", "Er is nog niets gebeurd. Leg een aankoop of een contactmoment vast."),
        ("en", "Nothing has happened yet. Record a purchase or a contact moment."),
    ],
)
def test_a_new_customer_is_offered_the_first_steps(owner_client, owner, business, language, empty):
    customer = CustomerFactory(business=business, name="Kees")
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()

    assert _testid(page, "timeline-empty") == empty
    assert 'data-testid="referral-form"' in page


@pytest.mark.parametrize(
    ("language", "empty"),
    [
        (
            "nl",
            "Geen beloften in de laatste 12 maanden. Een belofte leg je vast op de klantkaart "
            "met “+ Belofte”: terugbellen, een bezorgdatum, “over een kwartier klaar”. Deze "
            "lijst laat daarna zien of ze op tijd zijn nagekomen.",
        ),
        (
            "en",
            "No promises in the last 12 months. A promise is recorded on the customer's card "
            "with “+ Promise”: a callback, a delivery date, “ready in a quarter of an hour”. "
            "This list then shows whether each was kept on time.",
        ),
    ],
)
def test_the_promise_list_of_a_new_business_says_how_a_promise_is_made(
    owner_client, owner, business, language, empty
):
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:promise_list")).content.decode()

    assert _testid(page, "promises-empty") == empty


@pytest.mark.parametrize(
    ("language", "empty"),
    [("nl", "Geen beloften met deze filters."), ("en", "No promises match these filters.")],
)
def test_a_filtered_promise_list_without_rows_blames_the_filters(
    owner_client, owner, business, language, empty
):
    PromiseFactory(customer=CustomerFactory(business=business), kind=PromiseKind.ORDER_READY)
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:promise_list"), {"kind": "callback"}).content.decode()

    assert _testid(page, "promises-empty") == empty


@pytest.mark.parametrize(
    ("language", "late", "open_"),
    [("nl", "Nieuw moment", "Wijzigen"), ("en", "Reschedule", "Change")],
)
def test_a_promise_past_its_moment_is_moved_with_the_words_of_today(
    owner_client, owner, business, language, late, open_
):
    customer = CustomerFactory(business=business)
    now = timezone.now()
    broken = PromiseFactory(customer=customer, made_at=now - timedelta(days=3))
    coming = PromiseFactory(
        customer=customer, made_at=now, due_at=now + timedelta(days=2), description="Taart"
    )
    account_language_set(user=owner, language=language)

    for url in (reverse("web:customer_detail", args=[customer.pk]), reverse("web:promise_list")):
        page = owner_client.get(url).content.decode()

        # Today offers "Reschedule" on a promise past its moment; the profile and the list
        # say the same of it, and "Change" of one still to come
        edits = re.findall(
            r'href="/promises/(\d+)/edit/[^"]*" data-testid="promise-edit">([^<]*)<', page
        )
        assert sorted(edits) == sorted([(str(broken.pk), late), (str(coming.pk), open_)])


@pytest.mark.parametrize(
    ("language", "notice"),
    [
        (
            "nl",
            "Nog geen inzichten: ze worden elke nacht en na elke import berekend uit de "
            "aankopen. Leg aankopen vast op de klantkaart, of importeer een kassa-export. "
            "Klanten en aankopen importeren",
        ),
        (
            "en",
            "No insights yet: they are computed from the purchases every night and after every "
            "import. Record purchases on the customers' cards, or import a till export. "
            "Import customers and purchases",
        ),
    ],
)
@pytest.mark.parametrize("name", ["web:insights_advice", "web:insights_charts"])
def test_insights_never_computed_say_what_to_do_first(
    owner_client, owner, business, language, notice, name
):
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse(name)).content.decode()

    assert _testid(page, "not-enough-data") == notice
    assert f'<a href="{reverse("web:import_start")}">' in page


def test_staff_are_not_sent_to_the_import_they_may_not_use(staff_client, business):
    page = staff_client.get(reverse("web:insights_advice")).content.decode()

    assert _testid(page, "not-enough-data").startswith("Nog geen inzichten: ")
    assert reverse("web:import_start") not in page


@pytest.mark.parametrize(
    ("language", "help_text"),
    [
        ("nl", "1 = zeer ontevreden, 5 = zeer tevreden; leeg laten als je het niet vroeg."),
        ("en", "1 = very dissatisfied, 5 = very satisfied; leave it empty if you did not ask."),
    ],
)
def test_the_satisfaction_after_a_complaint_says_which_end_is_content(
    owner_client, owner, business, language, help_text
):
    complaint = ComplaintFactory(customer=CustomerFactory(business=business))
    account_language_set(user=owner, language=language)

    page = owner_client.get(
        reverse("web:customer_detail", args=[complaint.customer_id])
    ).content.decode()

    assert f'id="resolve-{complaint.pk}-satisfaction_after_helptext"' in page
    assert help_text in page


@pytest.mark.parametrize(
    ("language", "undo"), [("nl", "“Antwoord gegeven” ongedaan maken"), ("en", "Undo “Answered”")]
)
def test_the_profile_names_the_answer_its_undo_takes_back(
    owner_client, owner, business, language, undo
):
    complaint = ComplaintFactory(customer=CustomerFactory(business=business))
    owner_client.post(reverse("web:complaint_respond", args=[complaint.pk]))
    account_language_set(user=owner, language=language)

    page = owner_client.get(
        reverse("web:customer_detail", args=[complaint.customer_id])
    ).content.decode()

    # The complaint row shows "answered, not resolved" and "Resolve": a bare "Undo" beside them
    # reads as taking back the whole complaint
    assert _testid(page, "undo") == undo


@pytest.mark.parametrize(
    ("language", "message", "title"),
    [
        ("nl", "Fatima kan nu inloggen als medewerker.", "Medewerkers en koppelingen"),
        ("en", "Fatima can now log in as staff.", "Members and connections"),
    ],
)
def test_adding_a_member_says_who_can_log_in_and_how(
    owner_client, owner, business, language, message, title
):
    account_language_set(user=owner, language=language)

    response = owner_client.post(
        reverse("web:members"),
        {
            "action": "add_member",
            "username": "fatima",
            "first_name": "Fatima",
            "password": "toonbank-fatima-26",
            "role": "staff",
        },
        follow=True,
    )

    page = response.content.decode()
    assert message in page
    assert f"<title>{title} · Klantvriend</title>" in page


# "API-tokens" in a butcher's assistant's menu was a word they did not know: what the tokens
# are for.
@pytest.mark.parametrize(("language", "title"), [("nl", "Koppelingen"), ("en", "Connections")])
def test_the_tokens_page_of_staff_is_titled_as_its_heading(
    staff_client, staff_user, language, title
):
    account_language_set(user=staff_user, language=language)

    page = staff_client.get(reverse("web:members")).content.decode()

    assert f"<title>{title} · Klantvriend</title>" in page
    assert f"<h1>{title}</h1>" in page


@pytest.mark.parametrize(
    ("language", "changes"),
    [
        (
            "nl",
            "Eerste reactie op een klacht binnen (werkuren): 4 → 6; Openingstijden op maandag: "
            "09:00–18:00 → gesloten; Openingstijden op donderdag: 09:00–18:00 → 09:00–21:00; "
            "Openingstijden op zaterdag: 09:00–18:00 → 08:30–16:00; Nazorg bij aankopen vanaf "
            "dit bedrag: €\u00a0250,00 → —",
        ),
        (
            "en",
            "First response to a complaint within (working hours): 4 → 6; Opening hours on "
            "Monday: 09:00–18:00 → closed; Opening hours on Thursday: 09:00–18:00 → "
            "09:00–21:00; Opening hours on Saturday: 09:00–18:00 → 08:30–16:00; Follow up "
            "purchases from this amount: €250.00 → —",
        ),
    ],
)
def test_the_settings_history_says_what_changed_in_the_words_of_the_page(
    owner_client, owner, business, language, changes
):
    # Given a change of the targets, and an export, which is recorded on the business too
    care_settings_update(
        business=business,
        actor=owner,
        complaint_response_working_hours=6,
        opening_hours=SALON,
        aftercare_purchase_min_cents=None,
    )
    audit_record(
        business=business,
        actor=owner,
        action=AuditAction.EXPORTED,
        obj=business,
        changes={"rows": {"customers": 3}},
    )
    account_language_set(user=owner, language=language)

    # When the owner opens the settings
    page = owner_client.get(reverse("web:care_settings")).content.decode()

    # Then the history lists the one change of settings under the fields' labels, with the
    # values as the form shows them, and not the export's "rows: →"
    history = re.search(r'data-testid="settings-history">(.*?)</ul>', page, re.S)[1]
    rows = [re.sub(r"<[^>]+>", "", row).split(" · ", 1)[1] for row in history.split("</li>")[:-1]]
    assert rows == [f"{owner.first_name} {changes}"]
    # The browser tab names the page as its heading does
    title = "Zaak, termijnen en nazorg" if language == "nl" else "Business, targets and aftercare"
    assert f"<title>{title} · Klantvriend</title>" in page
    # and the user menu names it the same, so the owner recognises the page they opened
    assert f'<a href="{reverse("web:care_settings")}">{title}</a>' in page


def test_a_change_of_hours_recorded_before_each_day_had_its_own_still_reads(
    owner_client, owner, business
):
    audit_record(
        business=business,
        actor=owner,
        action=AuditAction.SETTINGS,
        obj=business,
        changes={
            "working_days": [[0, 1, 2, 3, 4, 5], [1, 2]],
            "opening_time": ["09:00", "08:30"],
        },
    )

    page = owner_client.get(reverse("web:care_settings")).content.decode()

    history = re.search(r'data-testid="settings-history">(.*?)</ul>', page, re.S)[1]
    assert re.sub(r"<[^>]+>", "", history).split(" · ", 1)[1].strip() == (
        f"{owner.first_name} Werkdagen: maandag, dinsdag, woensdag, donderdag, vrijdag, "
        "zaterdag → dinsdag, woensdag; Opent om: 09:00 → 08:30"
    )


@pytest.mark.parametrize(
    ("language", "who"), [("nl", "Klantvriend (automatisch)"), ("en", "Klantvriend (automatic)")]
)
def test_the_audit_trail_names_what_klantvriend_did_by_itself_as_the_profile_does(
    owner_client, owner, business, language, who
):
    # Given a step no member took (aftercare planned after a kept delivery, say)
    customer = CustomerFactory(business=business, name="Anna Bakker")
    audit_record(
        business=business, actor=None, action=AuditAction.PLANNED, obj=customer, customer=customer
    )
    account_language_set(user=owner, language=language)

    for url in (
        reverse("web:audit_log"),
        reverse("web:customer_detail", args=[customer.pk]),
    ):
        page = owner_client.get(url).content.decode()

        # Then the trail and the profile's "who did what" both name Klantvriend, not "—"
        cells = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td>", re.sub(r">\s+<", "><", page))
        assert cells[0] == who


@pytest.mark.parametrize(
    ("language", "outcomes"),
    [
        (
            "nl",
            [
                "Nagekomen of gebroken",
                "Nagekomen: op tijd of te laat",
                "Op tijd",
                "Te laat",
                "Gebroken",
                "Op tijd geannuleerd",
                "Open",
            ],
        ),
        (
            "en",
            [
                "Judged: on time, late or broken",
                "Kept: on time or late",
                "On time",
                "Late",
                "Broken",
                "Cancelled in time",
                "Open",
            ],
        ),
    ],
)
def test_the_promise_outcomes_to_filter_on_are_in_the_readers_language(
    owner_client, owner, business, language, outcomes
):
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:promise_list")).content.decode()

    select = re.search(r'<select id="promise-outcome" name="outcome">(.*?)</select>', page, re.S)[1]
    assert re.findall(r'<option value="[a-z_]+" *>([^<]*)</option>', select) == outcomes


@pytest.mark.parametrize(
    ("language", "title"), [("nl", "Anna Bakker bewerken"), ("en", "Edit Anna Bakker")]
)
def test_the_edit_page_of_a_customer_is_titled_as_its_heading(
    owner_client, owner, business, language, title
):
    customer = CustomerFactory(business=business, name="Anna Bakker")
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:customer_edit", args=[customer.pk])).content.decode()

    # Not "Bewerken Anna Bakker" in the browser tab above the heading "Anna Bakker bewerken"
    assert f"<title>{title} · Klantvriend</title>" in page
    assert f"<h1>{title}</h1>" in page


@pytest.mark.parametrize(
    ("language", "customers", "purchases", "none", "since"),
    [
        (
            "nl",
            "Klanten: een naam is genoeg (of een voornaam en een achternaam, of de naam van een "
            "bedrijf). Ook gelezen: "
            "klantnummer, naam, voornaam, tussenvoegsel (van, de), achternaam, bedrijf, e-mail, "
            "telefoon, "
            "straat en huisnummer, huisnummer, postcode, plaats, verjaardag, klant sinds, "
            "persoonlijke notities, voorkeuren, gezondheid, dieet en allergieën, toestemming "
            "voor gezondheid en dieet, toestemming voor nieuws en aanbiedingen, grondslag, "
            "labels, bij ons gekomen via, doorverwezen door, vaste medewerker.",
            "Aankopen: een datum en een bedrag, en wie het kocht: een klantnummer, een "
            "e-mailadres of een telefoonnummer; een klant die er nog niet is, wordt gemaakt met "
            "de naam en het telefoonnummer van de regel. Ook gelezen: "
            "klantnummer, naam, e-mail, telefoon, datum, tijd, bedrag, "
            "valuta, omschrijving, bonnummer, geholpen door.",
            "Geen bestanden geïmporteerd in de laatste 90 dagen; zo lang wordt de geschiedenis "
            "bewaard.",
            "Zonder kolom “klant sinds” zijn de klanten die een bestand binnenbrengt klant sinds "
            "een onbekende dag, uiterlijk de dag van de import: ze tellen niet als nieuwe "
            "klanten. Zodra hun aankopen geïmporteerd zijn, is ieder klant sinds zijn eerste "
            "aankoop. Neem de kolom op als je kassa-export hem heeft.",
        ),
        (
            "en",
            "Customers: a name is enough (or a first and a last name, or a company's name). Also "
            "read: customer "
            "number, name, first name, name prefix (van, de), last name, company, email, phone, "
            "street and "
            "number, house number, postal code, city, birthday, customer since, personal notes, "
            "preferences, health, diet and allergies, consent for health and diet notes, "
            "marketing consent, legal basis, tags, came to us through, referred by, regular "
            "staff member.",
            "Purchases: a date and an amount, and who bought it: a customer number, an email "
            "address or a phone number; a customer not found yet is made with the line's name "
            "and phone number. Also read: customer number, "
            "name, email, phone, date, time, amount, "
            "currency, description, receipt number, served by.",
            "No files imported in the last 90 days; the history is kept that long.",
            "Without a “customer since” column, the customers a file brings in have been "
            "customers since an unknown day, the day of the import at the latest: they do not "
            "count as new customers. Once their purchases are imported, each is a customer since "
            "their first purchase. Add the column when your till export has it.",
        ),
    ],
)
def test_the_import_page_says_what_a_file_needs_before_it_is_chosen(
    owner_client, owner, business, language, customers, purchases, none, since
):
    # Given a new shop that has imported nothing
    account_language_set(user=owner, language=language)

    # When the owner opens the import page
    page = owner_client.get(reverse("web:import_start")).content.decode()

    # Then it lists the columns each kind of file may hold, and the history that is empty says
    # for how long, rather than naming a period nobody chose
    assert re.sub(r"\s+", " ", _testid(page, "import-columns-customers")) == customers
    assert re.sub(r"\s+", " ", _testid(page, "import-columns-purchases")) == purchases
    assert _testid(page, "import-recent-none") == none
    assert _testid(page, "import-columns-since") == since


def _chart_card(page: str, key: str) -> str:
    return re.search(rf'data-testid="chart-{key}">(.*?)</section>', page, re.S)[1]


@pytest.mark.parametrize(
    ("language", "promises", "complaints"),
    [
        (
            "nl",
            "Nog geen belofte nagekomen of gebroken in de laatste 12 maanden. Beloften leg je "
            "vast op de klantkaart met “+ Belofte”; zodra er een is nagekomen of het moment "
            "voorbij is, laat deze grafiek per maand zien hoeveel er op tijd zijn nagekomen.",
            "Geen klachten in de laatste 12 maanden. Komt er een binnen, noteer die dan op de "
            "klantkaart met “+ Klacht”: deze grafiek laat dan zien hoe lang elke klacht op een "
            "eerste reactie wachtte.",
        ),
        (
            "en",
            "No promise was kept or broken in the last 12 months. Promises are recorded on a "
            "customer's card with “+ Promise”; once one is kept or its moment has passed, this "
            "chart shows per month how many were kept on time.",
            "No complaints in the last 12 months. When one comes in, note it on the customer's "
            "card with “+ Complaint”: this chart then shows how long each waited for a first "
            "response.",
        ),
    ],
)
def test_charts_with_nothing_to_draw_say_what_fills_them(
    owner_client, owner, business, language, promises, complaints
):
    # Given a new shop without promises or complaints
    account_language_set(user=owner, language=language)

    # When the owner opens the charts
    page = owner_client.get(reverse("web:insights_charts")).content.decode()

    # Then the two charts say how they fill, in place of empty axes and a table of zeros
    for key, text in (("promises", promises), ("complaints", complaints)):
        card = _chart_card(page, key)
        assert html.unescape(re.sub(r"\s+", " ", _testid(card, "chart-empty"))) == text
        assert "<svg" not in card
        assert "<table" not in card


def test_a_chart_with_one_complaint_is_drawn_and_the_other_still_says_what_fills_it(
    owner_client, business
):
    # One complaint not answered yet: in no bar of its chart, which is drawn all the same
    ComplaintFactory(customer=CustomerFactory(business=business))

    page = owner_client.get(reverse("web:insights_charts")).content.decode()

    assert "<svg" in _chart_card(page, "complaints")
    assert 'data-testid="chart-empty"' not in _chart_card(page, "complaints")
    assert 'data-testid="chart-empty"' in _chart_card(page, "promises")


@pytest.mark.parametrize(
    ("language", "none"),
    [
        (
            "nl",
            "Nog geen nieuwe klanten in de laatste 12 maanden. Elke klant die je toevoegt telt mee "
            "in de maand waarin die klant werd, bij het kanaal dat je kiest onder “Bij ons gekomen "
            "via”; deze pagina laat dan zien welk kanaal de meeste klanten brengt, "
            "doorverwijzingen voorop.",
        ),
        (
            "en",
            "No new customers in the last 12 months. Each customer you add counts in the month "
            "they became a customer, under the channel chosen at “Came to us through”; this page "
            "then shows which channel brings the most, referrals first.",
        ),
    ],
)
def test_where_new_customers_come_from_says_what_fills_it_in_a_new_shop(
    owner_client, owner, business, language, none
):
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:acquisition")).content.decode()

    # Not an empty chart over twelve months of zeros
    assert re.sub(r"\s+", " ", _testid(page, "acquisition-none")) == none
    assert 'data-testid="acquisition-table"' not in page
    assert "<svg" not in page.split("<main", 1)[1]


def test_where_new_customers_come_from_shows_the_months_once_there_is_one(owner_client, business):
    CustomerFactory(business=business, customer_since=business.today())

    page = owner_client.get(reverse("web:acquisition")).content.decode()

    assert 'data-testid="acquisition-none"' not in page
    assert 'data-testid="acquisition-table"' in page
    assert page.count('data-testid="total"') == 1


@pytest.mark.parametrize(
    ("language", "none", "all_link"),
    [
        ("nl", "Geen klanten met deze filters.", "Alle klanten"),
        ("en", "No customers match these filters.", "All customers"),
    ],
)
def test_a_customer_list_filtered_to_nobody_does_not_say_there_are_no_customers(
    owner_client, owner, business, language, none, all_link
):
    # Given a shop with a customer who walked in, none referred
    CustomerFactory(business=business, name="Kees")
    account_language_set(user=owner, language=language)

    # When the owner lists the referred customers
    page = owner_client.get(reverse("web:customer_list"), {"channel": "referral"}).content.decode()

    # Then the list blames the filter and leads back to everyone, not "no customers yet"
    url = reverse("web:customer_list")
    assert _testid(page, "customers-none-filtered") == f"{none} {all_link}"
    assert f'{none} <a href="{url}">{all_link}</a>' in page
    assert "Nog geen klanten." not in page
    assert "No customers yet." not in page
    assert 'data-testid="customers-none-import"' not in page


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nl", "Klanten in een kassa-export of een spreadsheet? Klanten en aankopen importeren"),
        ("en", "Customers in a till export or a spreadsheet? Import customers and purchases"),
    ],
)
def test_an_empty_customer_list_offers_the_owner_the_import(
    owner_client, owner, business, language, text
):
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:customer_list")).content.decode()

    assert _testid(page, "customers-none-import") == text
    assert f'<a href="{reverse("web:import_start")}">' in page


def test_an_empty_customer_list_does_not_offer_staff_the_import(staff_client, business):
    page = staff_client.get(reverse("web:customer_list")).content.decode()

    assert "Nog geen klanten." in page
    assert 'data-testid="customers-none-import"' not in page
    assert reverse("web:import_start") not in page
