"""Privacy pages and members: owners only where the law and the product say so."""

import html
import json
import re
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.accounts import account_language_set
from klantvriend.core.models import ApiToken, AuditEvent, Membership
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers import services
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.privacy import customer_erase
from klantvriend.importers.privacy_settings import privacy_settings_update
from klantvriend.insights.tests.factories import CustomerInsightFactory
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.surveys.tests.factories import SurveyInvitationFactory, SurveyResponseFactory
from klantvriend.web import privacy_views


def test_viewing_a_profile_is_logged_and_shown_on_the_audit_page(
    owner_client, staff_client, business
):
    customer = services.customer_create(business=business, name="Anna de Vries")

    staff_client.get(f"/customers/{customer.pk}/")
    staff_client.get(f"/customers/{customer.pk}/")
    page = owner_client.get("/privacy/audit/")

    assert AuditEvent.objects.filter(customer=customer, action="viewed").count() == 2
    assert page.status_code == 200
    assert "Anna de Vries" in page.content.decode()
    assert "joris" in page.content.decode().lower()
    assert staff_client.get("/privacy/audit/").status_code == 403
    assert page.content.decode().count("<td>Klant: bekeken</td>") == 2
    assert page.content.decode().count('<td class="subtle">op de klantkaart</td>') == 2


def test_a_deleted_customer_stays_in_the_audit_page_by_number_only(owner_client, business):
    customer = services.customer_create(business=business, name="Bram Vergeten")
    number = customer.pk

    deleted = owner_client.post(f"/customers/{number}/delete/")
    owner_client.get("/customers/")  # where the "deleted" message is shown
    page = owner_client.get("/privacy/audit/").content.decode()

    assert deleted.status_code == 302
    assert "<td>Klant: verwijderd</td>" in page
    assert f"verwijderde klant (registratie {number})" in page
    assert "Vergeten" not in page


def test_owner_reads_and_downloads_a_persons_data(owner_client, staff_client, business):
    customer = services.customer_create(
        business=business, name="Anna de Vries", email="a@example.nl"
    )

    page = owner_client.get(f"/customers/{customer.pk}/personal-data/")
    download = owner_client.get(f"/customers/{customer.pk}/personal-data/?format=json")

    assert page.status_code == 200
    assert "a@example.nl" in page.content.decode()
    assert json.loads(download.content)["customer"]["name"] == "Anna de Vries"
    assert staff_client.get(f"/customers/{customer.pk}/personal-data/").status_code == 403


def test_the_access_page_reads_as_a_letter_not_a_database_dump(owner_client, business, owner):
    customer = services.customer_create(
        business=business, name="Anna de Vries", marketing_consent=True, city="Zwolle"
    )
    services.purchase_create(
        customer=customer,
        amount_cents=123456,
        description="Kerstpakket",
        at=datetime(2026, 3, 1, 11, 30, tzinfo=UTC),
    )

    page = owner_client.get(f"/customers/{customer.pk}/personal-data/").content.decode()

    # The fields' own names in Dutch, not the columns of the database.
    assert "<dt>Plaats</dt><dd>Zwolle</dd>" in page
    assert "<dt>Mag nieuws en aanbiedingen ontvangen</dt><dd>ja</dd>" in page
    assert "postal_code" not in page
    assert "marketing_consent" not in page
    # Each kind of record one table, with only the columns that hold something.
    assert '<h2 class="h3">Aankopen (1)</h2>' in page
    assert "<td>1 maart 2026, 12:30</td><td>€\u00a01.234,56</td><td>EUR</td>" in page
    assert "Kerstpakket" in page
    assert "+00:00" not in page
    assert "<th>Wanneer</th><th>Bedrag</th><th>Valuta</th><th>Omschrijving</th>" in page
    assert "<dt>Laatst gewijzigd op</dt>" in page
    # Last, who viewed or changed the data: this very look included.
    assert "<th>Wanneer</th><th>Wie</th><th>Wat</th>" in page
    assert "<td>Klant: aangemaakt</td>" in page


def _consent_rows(page: str, header: str) -> list[list[str]]:
    """The consent history table's rows, found by the header of its last column."""
    body = page.split(f"<th>{header}</th></tr></thead>")[1].split("</tbody>")[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in body.split("</tr>") if "<td>" in row]


def test_the_consent_history_says_where_each_change_was_recorded(owner_client, owner, business):
    """The customer form records its own source, as the API and the import do theirs, and the
    access page names each in the reader's language."""
    owner_client.post(
        reverse("web:customer_create"),
        {
            "name": "Anna",
            "acquisition_channel": "walk_in",
            "marketing_consent": "on",
            "marketing_consent_basis": "consent",
        },
    )
    anna = Customer.objects.get(business=business)
    services.customer_update(customer=anna, marketing_consent=False, consent_source="api")
    services.customer_update(customer=anna, marketing_consent=True, consent_source="import")
    customer_erase(customer=anna, actor=None)
    url = reverse("web:customer_personal_data", args=[anna.pk])

    dutch = owner_client.get(url).content.decode()
    account_language_set(user=owner, language="en")
    english = owner_client.get(url).content.decode()

    assert list(anna.consent_records.order_by("pk").values_list("source", flat=True)) == [
        "web",
        "api",
        "import",
        "erasure",
    ]
    assert [row[-1] for row in _consent_rows(dutch, "Vastgelegd via")] == [
        "klantformulier",
        "API (gekoppeld systeem)",
        "import van een bestand",
        "anonimisering",
    ]
    assert [row[-1] for row in _consent_rows(english, "Recorded through")] == [
        "customer form",
        "API (a linked system)",
        "file import",
        "anonymisation",
    ]


def test_erasure_asks_for_confirmation_and_then_anonymises(owner_client, staff_client, business):
    customer = services.customer_create(business=business, name="Anna de Vries")

    assert staff_client.post(f"/customers/{customer.pk}/erase/").status_code == 403
    confirm = owner_client.get(f"/customers/{customer.pk}/erase/")
    assert Customer.objects.get(pk=customer.pk).erased_at is None
    done = owner_client.post(f"/customers/{customer.pk}/erase/")
    again = owner_client.post(f"/customers/{customer.pk}/erase/")

    assert confirm.status_code == 200
    # What goes with the person, said before it goes.
    assert (
        "<p>Beloften die nog openstaan aan deze klant worden geannuleerd en geplande nazorg wordt"
        " verwijderd: niemand kan die nakomen voor iemand die niet meer bekend is.</p>"
    ) in confirm.content.decode()
    assert done.status_code == 302
    assert Customer.objects.get(pk=customer.pk).erased_at is not None
    assert again.status_code == 409


def test_an_english_reading_owner_erasing_in_a_dutch_shop_leaves_a_dutch_name(
    owner_client, owner, business
):
    """The stand-in name is stored for everyone in the shop: in the business's language, not in
    the one the owner who erased the customer reads Klantvriend in."""
    account_language_set(user=owner, language="en")
    customer = services.customer_create(business=business, name="Anna de Vries")

    done = owner_client.post(f"/customers/{customer.pk}/erase/", follow=True)

    assert "The customer's personal data has been anonymised." in html.unescape(
        done.content.decode()
    )
    assert Customer.objects.get(pk=customer.pk).name == f"Geanonimiseerde klant {customer.pk}"


def test_another_businesss_customer_is_not_found(owner_client, other_business):
    stranger = services.customer_create(business=other_business, name="Elders")

    assert owner_client.get(f"/customers/{stranger.pk}/personal-data/").status_code == 404
    assert owner_client.post(f"/customers/{stranger.pk}/erase/").status_code == 404
    assert Customer.objects.get(pk=stranger.pk).erased_at is None


def test_privacy_settings_and_register(owner_client, staff_client, business):
    response = owner_client.post(
        "/privacy/settings/",
        {
            "action": "save",
            "retention_years": "5",
            "contact_name": "Sanne",
            "contact_email": "privacy@example.nl",
            "processors": "Hostingbedrijf BV",
        },
    )
    register = owner_client.get("/privacy/register/")

    assert response.status_code == 302
    business.refresh_from_db()
    assert business.settings["privacy"]["retention_years"] == 5
    assert "Hostingbedrijf BV" in register.content.decode()
    # The import history quotes the files' cells: the register says how long it keeps them,
    # and that an erasure and an access request reach it.
    assert (
        "De importgeschiedenis, waarvan de fouten de cellen van de geïmporteerde bestanden "
        "aanhalen, wordt 90 dagen bewaard. Anonimiseren haalt de naam, het e-mailadres en het "
        "telefoonnummer van de klant er meteen uit; een inzageverzoek toont de fouten die hen "
        "aanhalen." in register.content.decode()
    )
    assert staff_client.get("/privacy/settings/").status_code == 403
    assert staff_client.get("/privacy/register/").status_code == 403


def test_retention_preview_says_what_counts_and_anonymises_only_the_inactive(
    owner_client, owner, business
):
    # Given two customers of four years, one of whom complained last month.
    long_ago = timezone.now() - timedelta(days=4 * 365)
    sleeper, active = (
        CustomerFactory(
            business=business, name=name, customer_since=long_ago.date(), created_at=long_ago
        )
        for name in ("Oude Slaper", "Nog Actief")
    )
    ComplaintFactory(customer=active, received_at=timezone.now() - timedelta(days=30))
    privacy_settings_update(business=business, actor=owner, retention_years=2)

    # When the owner opens the settings and the register, and applies the rule.
    page = owner_client.get("/privacy/settings/").content.decode()
    register = owner_client.get("/privacy/register/").content.decode()
    applied = owner_client.post("/privacy/settings/", {"action": "apply_retention"})

    # Then both pages say what counts as activity, the preview lists only the sleeper, and only
    # the sleeper is anonymised.
    rule = (
        "Telt als activiteit: nazorg, klachten, toestemmingsregistraties, contactmomenten, "
        "aankopen, attenties, beloften, uitnodigingen voor de enquête, antwoorden op de "
        "enquête uit die periode of daarna gepland, en elke wijziging aan de klant of diens "
        "gegevens door iemand van de zaak. De gegevens van een klant bekijken of exporteren "
        "telt niet mee."
    )
    assert rule in html.unescape(page)
    assert rule in html.unescape(register)
    assert "1 klant is al 2 jaar inactief en zou worden geanonimiseerd:" in page
    assert "Oude Slaper" in page
    assert "Nog Actief" not in page
    assert "Klanten die 2 jaar inactief zijn, worden geanonimiseerd." in register
    assert applied.status_code == 302
    assert Customer.objects.get(pk=sleeper.pk).erased_at is not None
    assert Customer.objects.get(pk=active.pk).name == "Nog Actief"
    assert Customer.objects.get(pk=active.pk).erased_at is None


def test_a_long_retention_list_is_anonymised_a_batch_per_click(
    owner_client, owner, business, monkeypatch
):
    long_ago = timezone.now() - timedelta(days=4 * 365)
    sleepers = [
        CustomerFactory(
            business=business,
            name=f"Slaper {n}",
            customer_since=long_ago.date(),
            created_at=long_ago,
        )
        for n in range(53)
    ]
    privacy_settings_update(business=business, actor=owner, retention_years=2)
    monkeypatch.setattr(privacy_views, "RETENTION_PER_CLICK", 50)

    page = owner_client.get("/privacy/settings/").content.decode()
    first = owner_client.post("/privacy/settings/", {"action": "apply_retention"}, follow=True)
    erased_after_first = Customer.objects.filter(erased_at__isnull=False).count()
    second = owner_client.post("/privacy/settings/", {"action": "apply_retention"}, follow=True)

    assert "53 klanten zijn al 2 jaar inactief" in page
    assert "en nog 3" in page
    assert erased_after_first == 50
    assert (
        "50 klanten geanonimiseerd volgens de bewaartermijn. Er blijven er nog 3 over: kies "
        "nogmaals “Nu anonimiseren”." in html.unescape(first.content.decode())
    )
    assert "3 klanten geanonimiseerd volgens de bewaartermijn." in html.unescape(
        second.content.decode()
    )
    assert "Er blijven" not in html.unescape(second.content.decode())
    assert Customer.objects.filter(pk__in=[c.pk for c in sleepers], erased_at=None).count() == 0


def test_owner_adds_and_removes_staff_whose_tokens_then_stop(
    owner_client, staff_client, business, staff_user
):
    added = owner_client.post(
        "/members/",
        {
            "action": "add_member",
            "username": "nieuw",
            "first_name": "Nina",
            "password": "een-lang-wachtwoord-42",
            "role": "staff",
        },
    )
    assert added.status_code == 302
    assert Membership.objects.filter(business=business, user__username="nieuw").exists()
    assert (
        staff_client.post(
            "/members/",
            {
                "action": "add_member",
                "username": "x",
                "password": "een-lang-wachtwoord-42",
                "role": "owner",
            },
        ).status_code
        == 403
    )

    made = staff_client.post("/members/", {"action": "create_token", "name": "kassa"})
    secret = made.context["new_secret"]
    assert secret.startswith("kv_")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/customers", {"search": "anna"}).status_code == 200

    staff_membership = Membership.objects.get(business=business, user=staff_user)
    asked = owner_client.get(f"/members/{staff_membership.pk}/remove/")
    assert asked.status_code == 200
    assert "Joris verwijderen uit Slagerij Test?" in asked.content.decode()
    assert api.get("/api/v1/customers", {"search": "anna"}).status_code == 200  # asked only
    owner_client.post(f"/members/{staff_membership.pk}/remove/")

    assert api.get("/api/v1/customers").status_code == 401
    assert not Membership.objects.filter(pk=staff_membership.pk).exists()


def test_members_revoke_only_their_own_tokens(owner_client, staff_client, business):
    staff_client.post("/members/", {"action": "create_token", "name": "kassa"})
    token = ApiToken.objects.get(name="kassa")
    owner_client.post("/members/", {"action": "create_token", "name": "boekhouding"})
    owners = ApiToken.objects.get(name="boekhouding")

    assert staff_client.post(f"/members/tokens/{owners.pk}/revoke/").status_code == 404
    assert staff_client.post(f"/members/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    owners.refresh_from_db()
    assert token.revoked_at is not None
    assert owners.revoked_at is None


def test_the_last_owner_cannot_be_removed(owner_client, business, owner):
    membership = Membership.objects.get(business=business, user=owner)

    owner_client.post(f"/members/{membership.pk}/remove/")

    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_profiles_trail_names_changed_fields_as_the_forms_do(owner_client, business, owner):
    customer = services.customer_create(business=business, name="Anna", actor=owner)
    services.customer_update(customer=customer, city="Zwolle", phone="06 12345678", actor=owner)

    page = owner_client.get(f"/customers/{customer.pk}/").content.decode()
    trail = page.split('data-testid="audit-trail"')[1].split("</table>")[0]

    assert '<td class="subtle">telefoon, plaats</td>' in trail
    assert ">phone<" not in trail
    assert ">city<" not in trail


def test_the_access_pages_tables_escape_what_was_typed(owner_client, business):
    customer = services.customer_create(business=business, name="Anna")
    services.contact_moment_create(
        customer=customer, kind="call", summary='<script>alert("x")</script> & co'
    )

    page = owner_client.get(f"/customers/{customer.pk}/personal-data/").content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page


def test_the_access_page_leaves_out_codes_and_repeats_and_writes_chances(owner_client, business):
    customer = services.customer_create(business=business, name="Anna")
    CustomerInsightFactory(customer=customer, probability_alive=0.9877975)
    PromiseFactory(customer=customer, description="Taart")
    SurveyInvitationFactory(customer=customer)
    SurveyResponseFactory(customer=customer, language="en")
    for _look in range(3):
        owner_client.get(f"/customers/{customer.pk}/")

    page = owner_client.get(f"/customers/{customer.pk}/personal-data/").content.decode()

    # The figure goes by one name everywhere (glossary: kans actief / probability alive), as a
    # chance. A customer has one insight: it reads as a list of its fields, label beside
    # value, not as a table of one row and 14 columns (wider than a laptop's screen).
    assert "<dt>Kans actief</dt><dd>99%</dd>" in page
    assert "0.98" not in page
    assert "<th>Kans actief</th>" not in page
    # Promises, of which a customer has many, stay a table, of one row too.
    assert "<th>Uiterlijk op</th>" in page
    assert "<td>Engels</td>" in page  # the language of the survey answer, not "en"
    assert "(als hash)" not in page  # the link's code: nothing a person can read
    assert page.count("<th>Uiterlijk op</th>") == 1  # the due moment, not also its day
    assert "(3×)</td>" in page  # three looks at the profile, one row


def test_the_english_privacy_pages_name_the_gdpr_not_the_dutch_avg(owner_client, owner, business):
    customer = CustomerFactory(business=business)
    account_language_set(user=owner, language="en")
    pages = {
        url: re.sub(r"<[^>]+>", " ", owner_client.get(url).content.decode())
        for url in (
            reverse("web:privacy_settings"),
            reverse("web:processing_register"),
            reverse("web:customer_personal_data", args=[customer.pk]),
            reverse("web:customer_erase", args=[customer.pk]),
        )
    }

    for url, text in pages.items():
        assert "AVG" not in text, url
        assert "bewaartermijn" not in text, url
    assert "Privacy (GDPR)" in pages[reverse("web:privacy_settings")]
    assert "Retention period" in pages[reverse("web:privacy_settings")]
    assert "Processing register (GDPR article 30)" in pages[reverse("web:processing_register")]


def test_the_dutch_privacy_pages_keep_the_avg(owner_client, business):
    page = owner_client.get(reverse("web:privacy_settings")).content.decode()

    assert "Privacy (AVG)" in page
    assert "Bewaartermijn" in page


def test_a_member_without_a_name_is_listed_once_by_their_login(owner_client, business):
    membership_create(
        business=business, user=user_create(username="kassa2", password="pw-kassa-123")
    )

    page = owner_client.get("/members/").content.decode()

    # Followed by the role, which a phone shows under the name.
    assert '<td class="said">kassa2<span class="only-small subtle">medewerker</span>' in page
    assert 'Sanne <span class="subtle">(sanne)</span>' in page


def test_the_audit_pages_of_one_customer_page_on_within_that_customer(
    owner_client, business, owner
):
    anna = CustomerFactory(business=business, name="Anna")
    for index in range(privacy_views.AUDIT_PAGE_SIZE + 1):
        services.customer_update(customer=anna, actor=owner, notes=f"notitie {index}")

    page = owner_client.get(reverse("web:audit_log") + f"?customer={anna.pk}").content.decode()

    assert "Pagina 1 van 2" in page
    assert f'href="?customer={anna.pk}&amp;page=2"' in page


def test_a_new_members_too_short_password_is_refused_in_dutch(owner_client, business):
    # Django 6.1's own Dutch catalogue lacks its new wording of this message: it came out in
    # English, between two Dutch ones.
    response = owner_client.post(
        reverse("web:members"),
        {"action": "add_member", "username": "fleur", "password": "1234", "role": "staff"},
    )

    assert response.status_code == 422
    errors = response.context["member_form"].errors["password"]
    assert errors == [
        "Dit wachtwoord is te kort: gebruik minstens 8 tekens.",
        "Dit wachtwoord is te algemeen.",
        "Dit wachtwoord bevat alleen cijfers.",
    ]
    assert not Membership.objects.filter(user__username="fleur").exists()


def test_a_member_added_without_a_user_name_is_asked_for_one(owner_client, business):
    members = Membership.objects.count()

    response = owner_client.post(
        reverse("web:members"),
        {"action": "add_member", "username": "", "password": "een-lang-wachtwoord-42"},
    )

    assert response.status_code == 422
    assert response.context["member_form"].errors["username"] == [
        "Vul de gebruikersnaam in waarmee ze inloggen."
    ]
    assert Membership.objects.count() == members


def test_the_access_page_gives_repeated_looks_a_span_only_when_they_span_minutes(
    owner_client, business
):
    customer = services.customer_create(business=business, name="Anna")
    for _look in range(2):
        owner_client.get(f"/customers/{customer.pk}/")
    first, last = AuditEvent.objects.filter(customer=customer, action="viewed").order_by("pk")
    ten = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
    AuditEvent.objects.filter(pk=first.pk).update(at=ten + timedelta(seconds=5))
    AuditEvent.objects.filter(pk=last.pk).update(at=ten + timedelta(seconds=40))

    within_a_minute = owner_client.get(f"/customers/{customer.pk}/personal-data/")
    AuditEvent.objects.filter(pk=last.pk).update(at=ten + timedelta(minutes=25))
    spanning = owner_client.get(f"/customers/{customer.pk}/personal-data/")

    assert "<td>2 maart 2026, 10:00 (2×)</td>" in within_a_minute.content.decode()
    assert "<td>2 maart 2026, 10:00–10:25 (2×)</td>" in spanning.content.decode()


def _looks(customer, members, count: int) -> None:
    """`count` looks at the profile on 5 January 2026 from 09:00 (Amsterdam), a minute apart,
    by `members` in turn: no two in a row by the same member, so each is a row of its own."""
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            business=customer.business,
            customer=customer,
            actor=members[minute % len(members)],
            action="viewed",
            object_type="customer",
            object_id=customer.pk,
            at=start + timedelta(minutes=minute),
            changes={"via": "profile"},
        )
        for minute in range(count)
    )


def _trail_rows(page: str) -> list[str]:
    trail = page.split("Wie deze gegevens heeft bekeken of gewijzigd")[1]
    body = trail.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r"<tr>(.*?)</tr>", body)


def test_the_access_page_shows_the_newest_fifty_looks_and_links_to_all_of_them(
    owner_client, business, owner, staff_user
):
    customer = CustomerFactory(business=business, name="Anna")
    _looks(customer, [owner, staff_user], 120)

    page = owner_client.get(f"/customers/{customer.pk}/personal-data/").content.decode()

    assert privacy_views.TRAIL_SHOWN == 50
    assert '<h2 class="h3">Wie deze gegevens heeft bekeken of gewijzigd (120)</h2>' in page
    assert _trail_rows(page) == [
        f"<td>5 januari 2026, {9 + minute // 60:02}:{minute % 60:02}</td>"
        f"<td>{'Joris' if minute % 2 else 'Sanne'}</td><td>Klant: bekeken</td>"
        for minute in range(119, 69, -1)
    ]
    link = f'<a href="/privacy/audit/?customer={customer.pk}">logboek van deze klant</a>'
    assert (
        f"De nieuwste 50 van 120 gebeurtenissen, de nieuwste bovenaan. Alle staan in het {link}"
        in page
    )
    log = owner_client.get(f"/privacy/audit/?customer={customer.pk}").content.decode()
    assert "Alleen Anna." in log
    # The 120 looks and this page's own: 121 on three pages.
    assert "Pagina 1 van 3" in log


def test_a_short_trail_is_shown_whole_without_a_link(owner_client, business, owner, staff_user):
    customer = CustomerFactory(business=business, name="Anna")
    _looks(customer, [owner, staff_user], 50)

    page = owner_client.get(f"/customers/{customer.pk}/personal-data/").content.decode()

    assert '<h2 class="h3">Wie deze gegevens heeft bekeken of gewijzigd (50)</h2>' in page
    assert len(_trail_rows(page)) == 50
    assert "/privacy/audit/" not in page.split("<main")[1]


def test_the_json_file_holds_every_look_however_many(owner_client, business, owner, staff_user):
    customer = CustomerFactory(business=business, name="Anna")
    _looks(customer, [owner, staff_user], 120)

    download = owner_client.get(f"/customers/{customer.pk}/personal-data/?format=json")

    trail = json.loads(download.content)["audit_trail"]
    assert len(trail) == 120
    assert [event["at"] for event in trail] == [
        (datetime(2026, 1, 5, 8, 0, tzinfo=UTC) + timedelta(minutes=minute)).isoformat()
        for minute in range(120)
    ]
    assert [event["by"] for event in trail[:3]] == ["Sanne", "Joris", "Sanne"]


def test_the_access_page_reads_as_often_with_thousands_of_looks(
    owner_client, business, owner, staff_user, django_assert_max_num_queries
):
    customer = CustomerFactory(business=business, name="Anna")
    url = f"/customers/{customer.pk}/personal-data/"
    _looks(customer, [owner, staff_user], privacy_views.TRAIL_SHOWN + 1)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(url)

    _looks(customer, [owner, staff_user], 2000)

    with django_assert_max_num_queries(len(few)):
        page = owner_client.get(url).content.decode()
    assert '<h2 class="h3">Wie deze gegevens heeft bekeken of gewijzigd (2.052)</h2>' in page
    assert len(_trail_rows(page)) == 50


def test_an_empty_privacy_contact_is_pointed_out_until_it_is_filled_in(owner_client, business):
    settings_page = owner_client.get(reverse("web:privacy_settings")).content.decode()
    register = owner_client.get(reverse("web:processing_register")).content.decode()

    assert 'data-testid="privacy-contact-missing"' in settings_page
    assert "Er is nog geen contactpersoon privacy ingevuld." in settings_page
    assert 'value="take_contact">Dat ben ik (Sanne)</button>' in settings_page
    assert '<a class="button" href="#id_contact_name">Iemand anders invullen</a>' in settings_page
    assert (
        '<td data-testid="register-contact"><span class="notice">Niet ingevuld: klanten weten '
        "niet bij wie ze terechtkunnen.</span> "
        '<a href="/privacy/settings/#id_contact_name">Contactpersoon privacy invullen</a></td>'
    ) in register

    privacy_settings_update(
        business=business, actor=None, contact_name="Sanne", contact_email="privacy@example.nl"
    )
    settings_page = owner_client.get(reverse("web:privacy_settings")).content.decode()
    register = owner_client.get(reverse("web:processing_register")).content.decode()

    assert "privacy-contact-missing" not in settings_page
    assert '<td data-testid="register-contact">Sanne privacy@example.nl</td>' in register


def test_the_missing_privacy_contact_reads_in_english(owner_client, owner, business):
    account_language_set(user=owner, language="en")

    settings_page = owner_client.get(reverse("web:privacy_settings")).content.decode()
    register = owner_client.get(reverse("web:processing_register")).content.decode()

    assert "Nobody is named as privacy contact yet." in settings_page
    assert "(GDPR articles 13 and 30)" in settings_page
    assert 'value="take_contact">That is me (Sanne)</button>' in settings_page
    assert "Not filled in: customers cannot tell who to contact." in register


def test_the_owner_becomes_privacy_contact_in_one_click(owner_client, owner, business):
    response = owner_client.post(reverse("web:privacy_settings"), {"action": "take_contact"})
    page = owner_client.get(response.url).content.decode()

    assert response.status_code == 302
    business.refresh_from_db()
    assert business.settings["privacy"]["contact_name"] == "Sanne"
    assert business.settings["privacy"]["contact_email"] == ""
    assert (
        "Je bent nu de contactpersoon privacy: Sanne. Vul ook een e-mailadres voor "
        "privacyvragen in."
    ) in page


def test_staff_cannot_name_the_privacy_contact(staff_client, business):
    before = dict(business.settings)

    response = staff_client.post(reverse("web:privacy_settings"), {"action": "take_contact"})

    assert response.status_code == 403
    business.refresh_from_db()
    assert business.settings == before
    assert not AuditEvent.objects.filter(business=business, action="settings").exists()


def _processing_section(page: str) -> str:
    start = page.index('data-testid="personal-data-processing"')
    return page[start : page.index("</section>", start)]


def test_the_access_copy_says_what_is_done_with_the_data_and_who_to_ask(
    owner_client, owner, business
):
    # Given a shop with its privacy contact, processors and a retention rule filled in.
    customer = CustomerFactory(business=business, name="Fatima Bos")
    privacy_settings_update(
        business=business,
        actor=owner,
        contact_name="Sanne",
        contact_email="privacy@example.nl",
        processors="Hostingbedrijf BV",
        retention_years=3,
    )
    url = reverse("web:customer_personal_data", args=[customer.pk])

    dutch = _processing_section(owner_client.get(url).content.decode())
    account_language_set(user=owner, language="en")
    english = _processing_section(owner_client.get(url).content.decode())

    # Then the copy gives what AVG art. 15(1) asks beside the data itself.
    assert '<h2 class="h3">Wat er met deze gegevens gebeurt</h2>' in dutch
    assert "<tr><th>Verwerkingsverantwoordelijke</th><td>Slagerij Test</td></tr>" in dutch
    assert (
        '<tr><th>Vragen over uw gegevens</th><td data-testid="personal-data-contact">'
        "Sanne privacy@example.nl</td></tr>"
    ) in dutch
    assert "<td>Hostingbedrijf BV</td>" in dutch
    assert "Klanten die 3 jaar inactief zijn, worden geanonimiseerd." in dutch
    assert "Aankopen worden zeven jaar bewaard (fiscale bewaarplicht), geanonimiseerd." in dutch
    assert "(AVG artikel 7 lid 3 en 16 tot en met 21)" in dutch
    assert "een klacht indienen bij de Autoriteit Persoonsgegevens (AVG artikel 77)" in dutch
    assert "<tr><th>Questions about your data</th>" in english
    assert "complain to the Dutch Data Protection Authority" in english
    assert "AVG" not in english


def test_the_access_copy_tells_the_owner_when_nobody_can_be_asked(owner_client, business):
    customer = CustomerFactory(business=business)

    page = owner_client.get(
        reverse("web:customer_personal_data", args=[customer.pk])
    ).content.decode()

    assert (
        '<td data-testid="personal-data-contact"><span class="notice">Geen contactpersoon '
        "privacy ingevuld: deze kopie kan de klant niet vertellen bij wie hij terechtkan.</span> "
        '<a href="/privacy/settings/#id_contact_name">Contactpersoon privacy invullen</a></td>'
    ) in page


def test_the_register_still_lists_every_heading_once(owner_client, business):
    page = owner_client.get(reverse("web:processing_register")).content.decode()

    headings = re.findall(r"<tr><th>([^<]+)</th>", page)

    assert headings == [
        "Verwerkingsverantwoordelijke",
        "Contactpersoon privacy",
        "Categorieën betrokkenen",
        "Doelen",
        "Grondslagen",
        "Categorieën persoonsgegevens",
        "Ontvangers en verwerkers",
        "Doorgifte buiten de EU",
        "Bewaartermijnen",
        "Beveiligingsmaatregelen",
    ]


_DUTCH_MONTHS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def _dutch_day(day) -> str:
    return f"{day.day}\xa0{_DUTCH_MONTHS[day.month - 1]}\xa0{day.year}"  # as pages write a day


def test_the_audit_trail_shows_when_an_erasure_was_asked_and_how_long_it_took(
    owner_client, owner, business
):
    # Given a customer who asked by phone eleven days ago.
    customer = CustomerFactory(business=business, name="Pieter Hendriks")
    asked = business.today() - timedelta(days=11)

    response = owner_client.post(
        reverse("web:customer_erase", args=[customer.pk]), {"requested_on": asked.isoformat()}
    )
    dutch = owner_client.get(reverse("web:audit_log")).content.decode()
    account_language_set(user=owner, language="en")
    english = owner_client.get(reverse("web:audit_log")).content.decode()

    assert response.status_code == 302
    assert (
        f"op verzoek van de klant, verzoek ontvangen op {_dutch_day(asked)}, afgehandeld na "
        "11 dagen, 0 fouten in de importgeschiedenis noemden hen"
    ) in dutch
    assert "later dan de maand" not in dutch
    assert "request received on" in english
    assert "handled after 11 days" in english


def test_the_audit_trail_says_in_words_what_an_erasure_ended(owner_client, owner, business):
    """It listed the counts by their keys ("promises_cancelled, follow_ups_withdrawn")."""
    now = timezone.now()
    customer = CustomerFactory(business=business, name="Jan Smit")
    PromiseFactory(customer=customer, made_at=now - timedelta(days=3), due_at=now)
    PromiseFactory(customer=customer, made_at=now - timedelta(days=3), due_at=now)
    FollowUpFactory(customer=customer, due_on=business.today(), note="Smaakte het?")
    nothing_open = CustomerFactory(business=business, name="Els Bos")

    customer_erase(customer=customer, actor=owner)
    customer_erase(customer=nothing_open, actor=owner)
    dutch = owner_client.get(reverse("web:audit_log")).content.decode()
    account_language_set(user=owner, language="en")
    english = owner_client.get(reverse("web:audit_log")).content.decode()

    assert "2 open beloften geannuleerd, 1 gepland nazorgcontact ingetrokken" in dutch
    assert "2 open promises cancelled, 1 planned follow-up withdrawn" in english
    # The erasure that ended nothing says nothing of it.
    assert (dutch.count("open beloften geannuleerd"), english.count("open promises cancelled")) == (
        1,
        1,
    )
    assert "0 open" not in dutch
    assert "0 gepland" not in dutch
    for key in ("promises_cancelled", "follow_ups_withdrawn", "privacy_requests_handled"):
        assert key not in dutch


def test_an_erasure_later_than_a_month_after_the_request_says_so(owner_client, business):
    customer = CustomerFactory(business=business)
    asked = business.today() - timedelta(days=40)

    owner_client.post(
        reverse("web:customer_erase", args=[customer.pk]), {"requested_on": asked.isoformat()}
    )
    page = owner_client.get(reverse("web:audit_log")).content.decode()

    assert (
        f"verzoek ontvangen op {_dutch_day(asked)}, afgehandeld na 40 dagen "
        "(later dan de maand die de wet toestaat)"
    ) in page


def test_an_erasure_without_a_date_counts_the_request_as_received_today(owner_client, business):
    customer = CustomerFactory(business=business)
    confirm = owner_client.get(reverse("web:customer_erase", args=[customer.pk])).content.decode()

    owner_client.post(reverse("web:customer_erase", args=[customer.pk]))
    page = owner_client.get(reverse("web:audit_log")).content.decode()

    assert f'value="{business.today().isoformat()}"' in confirm
    assert "Verzoek ontvangen op" in confirm
    assert f"verzoek ontvangen op {_dutch_day(business.today())}, dezelfde dag afgehandeld" in page


def test_a_refused_request_date_erases_nothing(owner_client, staff_client, business):
    customer = CustomerFactory(business=business, name="Pieter Hendriks", phone="0612345678")
    url = reverse("web:customer_erase", args=[customer.pk])

    future = owner_client.post(
        url, {"requested_on": (business.today() + timedelta(days=1)).isoformat()}
    )
    garbage = owner_client.post(url, {"requested_on": "gisteren"})
    by_staff = staff_client.post(url, {"requested_on": business.today().isoformat()})

    assert future.status_code == 422
    assert "Het verzoek kan niet na vandaag zijn binnengekomen." in future.content.decode()
    assert garbage.status_code == 422
    assert "Voer een geldige datum in." in garbage.content.decode()
    assert by_staff.status_code == 403
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.erased_at) == (
        "Pieter Hendriks",
        "0612345678",
        None,
    )
    assert not AuditEvent.objects.filter(customer=customer, action="erased").exists()


def test_the_month_of_the_law_ends_on_the_last_day_of_a_shorter_month():
    from klantvriend.core.audit import one_month_after

    assert one_month_after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert one_month_after(date(2028, 1, 31)) == date(2028, 2, 29)
    assert one_month_after(date(2026, 12, 15)) == date(2027, 1, 15)
    assert one_month_after(date(2026, 11, 20)) == date(2026, 12, 20)


def test_the_consent_box_says_it_also_stops_survey_emails(
    owner_client, staff_client, staff_user, business
):
    customer = CustomerFactory(business=business)
    url = reverse("web:customer_edit", args=[customer.pk])

    dutch = owner_client.get(url).content.decode()
    account_language_set(user=staff_user, language="en")
    english = staff_client.get(url).content.decode()

    assert (
        '<p class="help" id="id_marketing_consent_helptext">Geldt ook voor uitnodigingen voor '
        "de enquête per e-mail. Vink het uit als de klant geen nieuws, aanbiedingen of "
        "enquêtes per e-mail meer wil; de klant blijft klant, en de toestemmingsgeschiedenis "
        "bewaart wanneer die werd ingetrokken.</p>"
    ) in dutch
    assert (
        '<p class="help" id="id_marketing_consent_helptext">Also decides survey invitations by '
        "email. Untick it when the customer wants no more news, offers or survey emails; they "
        "stay a customer, and the consent history keeps when they withdrew it.</p>"
    ) in english


def test_the_owner_records_when_a_copy_was_asked_for_and_given(owner_client, owner, business):
    # Given a customer who asked by phone three days ago for what the shop stores.
    customer = CustomerFactory(business=business, name="Fatima Bos")
    asked = business.today() - timedelta(days=3)
    url = reverse("web:customer_personal_data", args=[customer.pk])

    response = owner_client.post(url, {"requested_on": asked.isoformat()})
    page = owner_client.get(response.url).content.decode()
    audit = owner_client.get(reverse("web:audit_log")).content.decode()
    account_language_set(user=owner, language="en")
    english = owner_client.get(reverse("web:audit_log")).content.decode()

    assert response.status_code == 302
    assert "Vastgelegd in het logboek: kopie aan de klant gegeven." in page
    given = AuditEvent.objects.get(customer=customer, changes__format="handed_over")
    assert given.changes == {"format": "handed_over", "requested_on": asked.isoformat()}
    assert (
        f"kopie aan de klant gegeven, verzoek ontvangen op {_dutch_day(asked)}, "
        "afgehandeld na 3 dagen"
    ) in audit
    assert "copy given to the customer, request received on" in english


def test_a_refused_copy_record_records_nothing(owner_client, staff_client, business):
    customer = CustomerFactory(business=business)
    url = reverse("web:customer_personal_data", args=[customer.pk])

    future = owner_client.post(
        url, {"requested_on": (business.today() + timedelta(days=2)).isoformat()}
    )
    by_staff = staff_client.post(url, {"requested_on": business.today().isoformat()})

    assert future.status_code == 422
    assert "Het verzoek kan niet na vandaag zijn binnengekomen." in future.content.decode()
    assert by_staff.status_code == 403
    assert not AuditEvent.objects.filter(customer=customer, changes__format="handed_over").exists()
