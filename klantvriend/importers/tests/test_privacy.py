"""AVG/GDPR duties: erasure leaves no personal string anywhere, access requests, consent history,
retention, the audit of views, and who may do what."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from klantvriend.aftercare.models import FollowUp
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.audit import audit_record
from klantvriend.core.errors import NotFound, ValidationError
from klantvriend.core.models import AuditEvent
from klantvriend.customers import selectors, services
from klantvriend.customers.models import (
    ConsentRecord,
    ContactMoment,
    Customer,
    MatchCount,
    Purchase,
    Tag,
)
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.gestures.tests.factories import GestureFactory
from klantvriend.importers.privacy import (
    AlreadyErased,
    HasPurchases,
    apply_retention,
    audit_personal_data_viewed,
    customer_delete,
    customer_erase,
    customer_personal_data,
    personal_data,
)
from klantvriend.importers.privacy_settings import (
    PrivacySettings,
    privacy_contact_take,
    privacy_settings_update,
)
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.surveys.tests.factories import SurveyResponseFactory
from klantvriend.today.selectors import today_list

PERSONAL = [
    "Annemieke",
    "Zonneveld-Bakker",
    "annemieke@zonneveld.example",
    "0687654321",
    "Lindelaan 77",
    "9999 ZZ",
    "Bloemendaalderveen",
    "Zonneveld Catering BV",
    "dochter Fleur begint in groep drie",
    "hazelnootallergie ernstig",
    "graag extra mager gesneden",
    "ZV-4711",
    "fam-zonneveld",
    "trouwdag Zonneveld",
    "belde over taart voor Fleur",
    "taart voor Fleur klaarzetten",
    "klaagde over de taart van Fleur",
    "vroeg hoe de taart van Fleur smaakte",
    "bloemetje voor Fleur",
    "de taart voor Fleur was heerlijk",
]


def rich_customer(business, owner):
    customer = services.customer_create(
        business=business,
        name="Annemieke Zonneveld-Bakker",
        email="annemieke@zonneveld.example",
        phone="0687654321",
        street="Lindelaan 77",
        postal_code="9999 ZZ",
        city="Bloemendaalderveen",
        company="Zonneveld Catering BV",
        notes="dochter Fleur begint in groep drie",
        special_category_consent=True,
        special_notes="hazelnootallergie ernstig",
        preferences="graag extra mager gesneden",
        external_ref="ZV-4711",
        marketing_consent=True,
        tags=["fam-zonneveld", "vaste klant"],
        birthday=date(1979, 3, 14),
        actor=owner,
    )
    services.customer_update(
        customer=customer,
        city="Bloemendaalderveen",
        actor=owner,
        notes="dochter Fleur begint in groep drie",
    )
    services.important_date_add(
        customer=customer, label="trouwdag Zonneveld", date=date(2004, 9, 9)
    )
    services.contact_moment_create(
        customer=customer, kind="call", summary="belde over taart voor Fleur", member=owner
    )
    services.purchase_create(
        customer=customer,
        amount_cents=4250,
        description="Taart voor Annemieke",
        external_ref="B-77",
    )
    PromiseFactory(customer=customer, description="taart voor Fleur klaarzetten", made_by=owner)
    complaint = ComplaintFactory(
        customer=customer,
        description="klaagde over de taart van Fleur",
        resolution="Nieuwe taart voor Annemieke",
    )
    FollowUpFactory(
        customer=customer, complaint=complaint, note="vroeg hoe de taart van Fleur smaakte"
    )
    GestureFactory(customer=customer, what="bloemetje voor Fleur")
    # Two survey answers: hashes and other unique codes of their rows must survive the erasure.
    SurveyResponseFactory(customer=customer, comment="de taart voor Fleur was heerlijk")
    SurveyResponseFactory(customer=customer, comment="")
    audit_record(
        business=business,
        actor=owner,
        action="changed",
        obj=complaint,
        customer=customer,
        changes={"description": ["", "klaagde over de taart van Fleur"]},
    )
    return customer


def database_text() -> str:
    """Every text-like value of every table, as a dump would show it.

    But for the sessions': their data is signed and encoded, so a search for a name cannot see
    into it, and its random letters once spelled "Tim", a name the tests look for.
    """
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table == "django_session":
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")
            for row in cursor.fetchall():
                parts.extend(str(value) for value in row if value is not None)
    return "\n".join(parts)


def test_after_erasure_no_personal_string_remains_anywhere(business, owner):
    customer = rich_customer(business, owner)
    other = services.customer_create(business=business, name="Karel Appel", notes="buurman")
    assert all(text in database_text() for text in PERSONAL)

    customer_erase(customer=customer, actor=owner)

    dump = database_text()
    left = [text for text in PERSONAL if text.lower() in dump.lower()]
    assert left == []
    customer.refresh_from_db()
    assert customer.erased_at is not None
    assert customer.name == f"Geanonimiseerde klant {customer.pk}"
    purchase = Purchase.objects.get(customer=customer)
    assert (purchase.amount_cents, purchase.external_ref) == (4250, "B-77")
    assert purchase.description == "Taart voor […]"
    assert ContactMoment.objects.get(customer=customer).kind == "call"
    assert Tag.objects.filter(business=business, name="fam-zonneveld").count() == 0
    other.refresh_from_db()
    assert other.notes == "buurman"
    assert AuditEvent.objects.filter(customer=customer, action="erased").count() == 1
    withdrawn = ConsentRecord.objects.filter(customer=customer, source="erasure")
    assert sorted(withdrawn.values_list("kind", "given")) == [
        ("marketing", False),
        ("special_category", False),
    ]


def _search_index_text() -> str:
    """What SQLite's full-text index holds in its own tables (PostgreSQL's GIN index drops dead
    entries at vacuum and cannot be read back like this)."""
    if connection.vendor != "sqlite":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT block FROM customers_customer_search_data")
        return "".join(str(block) for (block,) in cursor.fetchall())


@pytest.mark.parametrize("removal", ["erase", "delete"])
def test_an_erased_or_deleted_name_leaves_the_search_index(
    business, owner, removal, django_capture_on_commit_callbacks
):
    customer = services.customer_create(business=business, name="Qwxzy Jansen")
    found = selectors.customer_list(business=business, query="qwxzy")
    assert [c.pk for c in found] == [customer.pk]
    if connection.vendor == "sqlite":
        assert "qwx" in _search_index_text()  # the trigram is there to begin with

    with django_capture_on_commit_callbacks(execute=True):
        if removal == "erase":
            customer_erase(customer=customer, actor=owner)
        else:
            customer_delete(customer=customer, actor=owner)

    assert list(selectors.customer_list(business=business, query="qwxzy")) == []
    assert "qwx" not in _search_index_text()


def test_deleting_a_customer_with_purchases_is_refused_and_changes_nothing(business, owner):
    customer = rich_customer(business, owner)
    before = database_text()

    with pytest.raises(HasPurchases) as refused:
        customer_delete(customer=customer, actor=owner)

    assert refused.value.code == "has_purchases"
    assert database_text() == before


def test_deleting_a_customer_forgets_them_in_the_trail_and_records_the_deletion(business, owner):
    customer = services.customer_create(
        business=business,
        name="Anna Verborgen",
        email="anna@verborgen.example",
        notes="zoon heet Tim",
        actor=owner,
    )
    services.customer_update(customer=customer, phone="0612345678", actor=owner)
    promise = PromiseFactory(customer=customer, description="belt Anna terug", made_by=owner)
    audit_record(
        business=business,
        actor=owner,
        action="created",
        obj=promise,
        customer=customer,
        changes={"description": [None, "belt Anna terug"]},
    )
    customer_id = customer.pk

    customer_delete(customer=customer, actor=owner)

    dump = database_text()
    assert [
        text for text in ["Verborgen", "anna@verborgen", "Tim", "0612345678"] if text in dump
    ] == []
    assert "belt Anna" not in dump
    deleted = AuditEvent.objects.get(action="deleted")
    assert (deleted.object_type, deleted.object_id, deleted.actor) == (
        "customer",
        customer_id,
        owner,
    )
    assert deleted.changes == {"import_errors": 0}
    assert not Customer.objects.filter(pk=customer_id).exists()


def test_erasing_a_referred_customer_cuts_their_name_from_the_referrers_thanks(
    business, owner, django_capture_on_commit_callbacks
):
    referrer = services.customer_create(business=business, name="Piet Aanbrenger")
    referred = services.customer_create(
        business=business, name="Marieke Geheimnaam", referred_by=referrer
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.purchase_create(customer=referred, amount_cents=1000)
    thanks = FollowUp.objects.get(referred_customer=referred)
    assert "Marieke Geheimnaam" in thanks.note
    assert (
        "Marieke Geheimnaam"
        in customer_personal_data(customer=referred)["follow_ups_naming_them"][0]["note"]
    )
    untouched = thanks.note.replace("Marieke Geheimnaam", "[…]")

    customer_erase(customer=referred, actor=owner)

    thanks.refresh_from_db()
    assert thanks.note == untouched
    assert thanks.customer == referrer
    assert "Geheimnaam" not in database_text()
    assert "Piet Aanbrenger" in database_text()


def test_erasure_cuts_a_phone_number_however_it_was_typed(business, owner):
    customer = services.customer_create(business=business, name="Jan Berg", phone="06-12345678")
    services.purchase_create(
        customer=customer,
        amount_cents=900,
        description="Bellen op 0612345678 of 06 1234 5678; bon 1061234567890",
    )

    customer_erase(customer=customer, actor=owner)

    purchase = Purchase.objects.get(customer=customer)
    assert purchase.description == "Bellen op […] of […]; bon 1061234567890"


def test_erasure_cuts_the_persons_words_not_words_that_contain_them(business, owner):
    customer = services.customer_create(business=business, name="Jan Berg")
    services.purchase_create(
        customer=customer, amount_cents=900, description="Rollade voor JAN, besteld in januari"
    )

    customer_erase(customer=customer, actor=owner)

    purchase = Purchase.objects.get(customer=customer)
    assert purchase.description == "Rollade voor […], besteld in januari"


def snapshot():
    return database_text()


def test_erasing_twice_is_refused_and_changes_nothing(business, owner):
    customer = rich_customer(business, owner)
    customer_erase(customer=customer, actor=owner)
    before = snapshot()

    with pytest.raises(AlreadyErased) as refused:
        customer_erase(customer=customer, actor=owner)

    assert "already anonymised" in refused.value.messages[0] or "al" in refused.value.messages[0]
    assert snapshot() == before


def test_erasing_twice_names_the_day_in_the_readers_language(business, owner):
    customer = rich_customer(business, owner)
    Customer.objects.filter(pk=customer.pk).update(
        erased_at=datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # 29 March in Amsterdam
    )

    with translation.override("en"), pytest.raises(AlreadyErased) as refused:
        customer_erase(customer=customer, actor=owner)

    assert refused.value.messages == [
        "This customer was already anonymised on 29 Mar 2026; nothing was changed."
    ]


def test_consent_changes_are_kept_with_basis_and_moment(business):
    customer = services.customer_create(
        business=business,
        name="Piet",
        marketing_consent=True,
        marketing_consent_basis="soft_opt_in",
    )
    services.customer_update(customer=customer, marketing_consent=False)
    services.customer_update(customer=customer, marketing_consent=True)

    history = list(
        ConsentRecord.objects.filter(customer=customer)
        .order_by("at", "id")
        .values_list("kind", "given", "basis")
    )
    assert history == [
        ("marketing", True, "soft_opt_in"),
        ("marketing", False, ""),
        ("marketing", True, "consent"),
    ]


def test_retention_dry_run_shows_who_and_apply_anonymises_only_them(business, owner):
    long_ago = timezone.now() - timedelta(days=365 * 4)
    sleeper = CustomerFactory(
        business=business, name="Oude Slaper", customer_since=long_ago.date(), created_at=long_ago
    )
    PurchaseFactory(customer=sleeper, at=long_ago, amount_cents=999)
    active = CustomerFactory(
        business=business, name="Trouwe Klant", customer_since=long_ago.date(), created_at=long_ago
    )
    PurchaseFactory(customer=active, at=timezone.now() - timedelta(days=30))
    newcomer = CustomerFactory(business=business, name="Nieuw")
    assert apply_retention(business=business).years is None
    privacy_settings_update(business=business, actor=owner, retention_years=3)

    preview = apply_retention(business=business, dry_run=True)
    assert [c.name for c in preview.customers] == ["Oude Slaper"]
    assert Customer.objects.get(pk=sleeper.pk).erased_at is None

    out = StringIO()
    call_command("apply_retention", "--business", business.slug, stdout=out)

    assert Customer.objects.get(pk=sleeper.pk).erased_at is not None
    assert Customer.objects.get(pk=active.pk).erased_at is None
    assert Customer.objects.get(pk=newcomer.pk).erased_at is None
    assert Purchase.objects.get(customer=sleeper).amount_cents == 999
    assert "1" in out.getvalue()


@pytest.mark.parametrize(
    ("language", "dry_run", "line"),
    [
        ("en", True, "slagerij-test: 1 customer would be anonymised (dry run)."),
        ("en", False, "slagerij-test: 1 customer anonymised."),
        ("nl", True, "slagerij-test: 1 klant zou worden geanonimiseerd (proefdraai)."),
        ("nl", False, "slagerij-test: 1 klant geanonimiseerd."),
    ],
)
def test_the_retention_command_counts_one_customer_in_the_singular(
    business, owner, language, dry_run, line
):
    long_ago = timezone.now() - timedelta(days=365 * 4)
    CustomerFactory(business=business, customer_since=long_ago.date(), created_at=long_ago)
    privacy_settings_update(business=business, actor=owner, retention_years=2)
    out = StringIO()

    with translation.override(language):
        call_command("apply_retention", *(["--dry-run"] if dry_run else []), stdout=out)

    assert out.getvalue().splitlines()[-1] == line


def test_retention_command_dry_run_changes_nothing(business, owner):
    long_ago = timezone.now() - timedelta(days=365 * 4)
    CustomerFactory(
        business=business, name="Oude Slaper", customer_since=long_ago.date(), created_at=long_ago
    )
    privacy_settings_update(business=business, actor=owner, retention_years=2)
    out = StringIO()

    call_command("apply_retention", "--dry-run", stdout=out)

    assert "Oude Slaper" in out.getvalue()
    assert Customer.objects.filter(erased_at__isnull=False).count() == 0


def test_retention_setting_refuses_nonsense(business, owner):
    from klantvriend.core.errors import ValidationError

    with pytest.raises(ValidationError):
        privacy_settings_update(business=business, actor=owner, retention_years=0)
    assert "privacy" not in business.settings


def test_the_personal_data_overview_reads_each_kind_once_however_long_the_history(
    business, owner, staff_user
):
    customer = CustomerFactory(business=business)
    PromiseFactory(customer=customer, made_by=owner)
    ComplaintFactory(customer=customer, received_by=staff_user)
    with CaptureQueriesContext(connection) as few:
        customer_personal_data(customer=customer)

    PromiseFactory.create_batch(4, customer=customer, made_by=staff_user)
    ComplaintFactory.create_batch(3, customer=customer, received_by=owner)
    with CaptureQueriesContext(connection) as many:
        document = customer_personal_data(customer=customer)

    assert len(many) == len(few)
    names = {user.pk: user.get_full_name() or user.get_username() for user in (owner, staff_user)}
    assert [row["made_by"] for row in document["promises"]] == [names[owner.pk]] + 4 * [
        names[staff_user.pk]
    ]
    assert [row["received_by"] for row in document["complaints"]] == [names[staff_user.pk]] + 3 * [
        names[owner.pk]
    ]


@pytest.mark.parametrize(
    ("language", "reader", "name"),
    [("en", "nl", "Anonymised customer {pk}"), ("nl", "en", "Geanonimiseerde klant {pk}")],
)
def test_an_erased_customer_is_named_in_the_language_of_the_business(
    business, owner, language, reader, name
):
    business.language = language
    business.save(update_fields=["language"])
    customer = CustomerFactory(business=business, name="Marieke Jansen")

    with translation.override(reader):
        customer_erase(customer=customer, actor=owner)

    assert Customer.objects.get(pk=customer.pk).name == name.format(pk=customer.pk)


def test_the_access_document_is_never_made_from_only_the_newest_events(business, owner):
    customer = CustomerFactory(business=business)
    for index in range(3):
        audit_record(
            business=business,
            actor=owner,
            action="viewed",
            obj=customer,
            customer=customer,
            at=datetime(2026, 3, 1, 9, index, tzinfo=UTC),
        )

    newest = personal_data(customer=customer, newest_events=2)

    assert [event.at.minute for event in newest.audit_trail] == [1, 2]
    assert newest.audit_events == 3
    with pytest.raises(ValueError, match="whole audit trail"):
        customer_personal_data(customer=customer, data=newest)
    whole = customer_personal_data(customer=customer, data=personal_data(customer=customer))
    assert [event["at"][14:16] for event in whole["audit_trail"]] == ["00", "01", "02"]


def test_deleting_a_customer_deleted_since_it_was_read_is_not_found(business, owner):
    """Deleted between the caller's read and the service's lock: NotFound (404), not a server
    error."""
    customer = CustomerFactory(business=business)
    Customer.objects.filter(pk=customer.pk).delete()

    with pytest.raises(NotFound):
        customer_delete(customer=customer, actor=owner)


def test_an_anonymised_customer_leaves_no_key_for_the_duplicates_list_behind(business, owner):
    anna = services.customer_create(
        business=business, name="Anna de Vries", email="anna@example.nl", phone="0612345678"
    )
    services.customer_create(business=business, name="Bram", phone="06-12345678")

    customer_erase(customer=anna, actor=owner)

    anna.refresh_from_db()
    assert (anna.match_name, anna.match_email, anna.match_phone) == ("", "", "")
    assert set(MatchCount.objects.values_list("kind", "key", "customers")) == {
        ("name", "bram", 1),
        ("phone", "0612345678", 1),
    }


def test_a_privacy_contact_of_only_spaces_counts_as_missing():
    assert PrivacySettings().contact_missing is True
    assert PrivacySettings(contact_name="  ", contact_email=" ").contact_missing is True
    assert PrivacySettings(contact_name="Sanne").contact_missing is False
    assert PrivacySettings(contact_email="privacy@example.nl").contact_missing is False


def test_taking_the_privacy_contact_names_the_owner_and_keeps_a_shared_address(owner, business):
    owner.email = "sanne@example.nl"
    owner.save(update_fields=["email"])

    taken = privacy_contact_take(business=business, actor=owner)

    assert (taken.contact_name, taken.contact_email) == ("Sanne", "sanne@example.nl")
    business.refresh_from_db()
    assert business.settings["privacy"]["contact_name"] == "Sanne"
    event = AuditEvent.objects.get(business=business, action="settings")
    assert event.changes["contact_name"] == ["", "Sanne"]

    privacy_settings_update(business=business, actor=owner, contact_email="privacy@example.nl")
    again = privacy_contact_take(business=business, actor=owner)

    assert (again.contact_name, again.contact_email) == ("Sanne", "privacy@example.nl")


def test_an_erasure_on_request_keeps_the_day_the_customer_asked(owner, business):
    customer = CustomerFactory(business=business, name="Pieter Hendriks")
    asked = business.today() - timedelta(days=11)

    customer_erase(customer=customer, actor=owner, requested_on=asked)

    event = AuditEvent.objects.get(customer=customer, action="erased")
    assert event.changes == {
        "reason": "request",
        "requested_on": asked.isoformat(),
        "import_errors": 0,
    }


def test_a_request_dated_after_today_is_refused_and_nothing_is_erased(owner, business):
    customer = CustomerFactory(business=business, name="Pieter Hendriks", phone="0612345678")

    with pytest.raises(ValidationError) as refused:
        customer_erase(
            customer=customer, actor=owner, requested_on=business.today() + timedelta(days=1)
        )

    assert refused.value.error_dict["requested_on"][0].code == "future"
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.erased_at) == (
        "Pieter Hendriks",
        "0612345678",
        None,
    )
    assert not AuditEvent.objects.filter(customer=customer, action="erased").exists()


def test_an_erasure_keeps_how_the_customer_was_looked_at_and_blanks_their_words(owner, business):
    # Given a customer who was looked at, exported, renamed, and exported through a link
    # whose ?format= carried their name.
    customer = CustomerFactory(business=business, name="Pieter Hendriks")
    audit_personal_data_viewed(customer=customer, actor=owner)
    audit_personal_data_viewed(customer=customer, actor=owner, how="visits")
    for shape in ("html", "json", "Pieter Hendriks"):
        audit_record(
            business=business,
            actor=owner,
            action="exported",
            obj=customer,
            customer=customer,
            changes={"format": shape},
        )
    services.customer_update(customer=customer, actor=owner, name="Piet Hendriks")

    customer_erase(customer=customer, actor=owner)

    trail = [
        event.changes
        for event in AuditEvent.objects.filter(customer=customer)
        .exclude(action="erased")
        .order_by("pk")
    ]
    assert trail == [
        {"via": "profile"},
        {"via": "visits"},
        {"format": "html"},
        {"format": "json"},
        {"format": "[…]"},
        {"name": ["[…]", "[…]"]},
    ]


def test_an_erasure_ends_what_was_still_to_be_done_for_the_person(business, owner, other_business):
    """A promise to someone the shop no longer knows cannot be kept, nor a check planned with a
    number that is gone: left open they stayed on Today for good, as "[…]", and fell due as a
    broken promise and a missed check. What was done stays, with its dates."""
    now = timezone.now()
    customer = CustomerFactory(business=business, name="Jan Smit")
    open_promise = PromiseFactory(
        customer=customer, made_at=now - timedelta(days=3), due_at=now - timedelta(hours=1)
    )
    kept = PromiseFactory(
        customer=customer,
        made_at=now - timedelta(days=9),
        due_at=now - timedelta(days=8),
        done_at=now - timedelta(days=8),
    )
    open_check = FollowUpFactory(customer=customer, due_on=business.today(), note="Smaakte het?")
    done_check = FollowUpFactory(
        customer=customer,
        due_on=business.today() - timedelta(days=5),
        done_at=now - timedelta(days=5),
        outcome="content",
    )
    elsewhere = FollowUpFactory(
        customer=CustomerFactory(business=other_business), due_on=other_business.today()
    )
    assert today_list(business=business, now=now).count == 2

    customer_erase(customer=customer, actor=owner)

    open_promise.refresh_from_db()
    kept.refresh_from_db()
    assert open_promise.cancelled_at is not None
    assert open_promise.cancelled_at >= now
    assert (kept.done_at, kept.cancelled_at) == (now - timedelta(days=8), None)
    assert list(FollowUp.objects.order_by("pk").values_list("pk", flat=True)) == [
        done_check.pk,
        elsewhere.pk,
    ]
    assert today_list(business=business).count == 0
    erased = AuditEvent.objects.get(action="erased")
    assert (erased.changes["promises_cancelled"], erased.changes["follow_ups_withdrawn"]) == (1, 1)
    assert list(
        AuditEvent.objects.filter(object_type__in=["promise", "followup"])
        .exclude(action="created")
        .order_by("pk")
        .values_list("object_type", "object_id", "action", "actor")
    ) == [
        ("promise", open_promise.pk, "cancelled", owner.pk),
        ("followup", open_check.pk, "deleted", owner.pk),
    ]
    # What the deleted check said goes with the rest of the person's trail.
    assert "Smaakte het?" not in database_text()
