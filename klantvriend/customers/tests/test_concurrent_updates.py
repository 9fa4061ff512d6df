"""customer_update when others changed the customer since the caller read it: it writes onto the
row as stored now, read under a lock, and judges the caller's change against what it saw."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction
from django.utils import translation

from klantvriend.core.errors import ChangedMeanwhile, NotFound, ValidationError
from klantvriend.core.models import AuditEvent
from klantvriend.core.tests.waiting import wait_until_blocked_or_done
from klantvriend.customers import selectors, services
from klantvriend.customers.models import ConsentRecord, Customer, LegalBasis

NOTES = "Dochter begint in september op school."
WITH_NUTS = NOTES + "\nAllergisch voor noten."


@pytest.fixture
def marieke(business, owner):
    return services.customer_create(
        business=business,
        name="Marieke de Boer",
        phone="0611111111",
        notes=NOTES,
        tags=["vaste klant"],
        actor=owner,
    )


def _stored(customer) -> dict:
    return Customer.objects.filter(pk=customer.pk).values().get()


def _tags(customer) -> list[str]:
    return sorted(customer.tags.values_list("name", flat=True))


def _changes(customer) -> list[dict]:
    return list(
        AuditEvent.objects.filter(object_id=customer.pk, action="changed")
        .order_by("id")
        .values_list("changes", flat=True)
    )


def test_a_caller_object_read_before_another_change_writes_back_only_what_it_gives(
    marieke, staff_user, owner
):
    """The web form's customer and an API request's are read when the request comes in; what
    someone else saved after that stays."""
    stale = Customer.objects.get(pk=marieke.pk)
    services.customer_update(customer=marieke, notes=WITH_NUTS, actor=staff_user)

    returned = services.customer_update(customer=stale, phone="0612345678", actor=owner)

    assert (returned.phone, returned.notes) == ("0612345678", WITH_NUTS)  # it shows what is true
    assert returned is stale
    marieke.refresh_from_db()
    assert (marieke.phone, marieke.notes) == ("0612345678", WITH_NUTS)
    assert _changes(marieke) == [
        {"notes": [NOTES, WITH_NUTS]},
        {"phone": ["0611111111", "0612345678"]},
    ]


def test_a_field_given_as_it_was_seen_keeps_what_is_stored_now(marieke, staff_user, owner):
    services.customer_update(customer=marieke, notes=WITH_NUTS, actor=staff_user)

    services.customer_update(
        customer=marieke,
        phone="0612345678",
        notes=NOTES,
        tags=["vaste klant"],
        seen={"phone": "0611111111", "notes": NOTES, "tags": ["vaste klant"]},
        actor=owner,
    )

    marieke.refresh_from_db()
    assert (marieke.phone, marieke.notes) == ("0612345678", WITH_NUTS)
    assert _changes(marieke)[-1] == {"phone": ["0611111111", "0612345678"]}


def test_a_field_changed_meanwhile_to_something_else_is_refused_and_nothing_is_stored(
    marieke, staff_user, owner
):
    services.customer_update(
        customer=marieke, notes=WITH_NUTS, tags=["noten", "vaste klant"], actor=staff_user
    )
    before, changes, consent = _stored(marieke), _changes(marieke), ConsentRecord.objects.count()

    with pytest.raises(ChangedMeanwhile) as refused:
        services.customer_update(
            customer=marieke,
            phone="0612345678",
            notes="Komt op zaterdag.",
            tags=[],
            marketing_consent=True,
            seen={"phone": "0611111111", "notes": NOTES, "tags": ["vaste klant"]},
            actor=owner,
        )

    assert refused.value.message_dict == {
        "notes": [
            "Intussen gewijzigd door Joris in: “Dochter begint in september op school.\n"
            "Allergisch voor noten.”"
        ],
        "tags": ["Intussen gewijzigd door Joris in: “noten, vaste klant”"],
    }
    assert {error.code for errors in refused.value.error_dict.values() for error in errors} == {
        "changed_meanwhile"
    }
    assert refused.value.stored["notes"] == WITH_NUTS
    assert refused.value.stored["tags"] == ["noten", "vaste klant"]
    assert refused.value.stored["phone"] == "0611111111"
    assert _stored(marieke) == before
    assert _tags(marieke) == ["noten", "vaste klant"]
    assert _changes(marieke) == changes
    assert ConsentRecord.objects.count() == consent


def test_a_conflict_is_said_in_the_readers_language(marieke, staff_user):
    services.customer_update(
        customer=marieke, notes="", birthday=date(1980, 5, 1), actor=staff_user
    )

    with translation.override("en"), pytest.raises(ChangedMeanwhile) as refused:
        services.customer_update(
            customer=marieke,
            notes="Anders.",
            birthday=date(1981, 5, 1),
            seen={"notes": NOTES, "birthday": None},
        )

    assert refused.value.message_dict == {
        "notes": ["Emptied meanwhile by Joris."],
        "birthday": ["Changed meanwhile by Joris to: “May 1, 1980”"],
    }


def test_a_change_the_trail_cannot_attribute_is_said_without_a_name(marieke, staff_user):
    """The trail's last change of the notes made another value than is stored now (a write
    that keeps no trail of each field came after it): it does not name the wrong person."""
    services.customer_update(customer=marieke, notes=WITH_NUTS, actor=staff_user)
    Customer.objects.filter(pk=marieke.pk).update(notes="Uit de kassa.")

    with pytest.raises(ChangedMeanwhile) as refused:
        services.customer_update(customer=marieke, notes="Anders.", seen={"notes": NOTES})

    assert refused.value.message_dict == {"notes": ["Intussen gewijzigd in: “Uit de kassa.”"]}


def test_the_same_value_on_both_sides_is_no_conflict(marieke, staff_user, owner):
    services.customer_update(customer=marieke, notes=WITH_NUTS, actor=staff_user)

    services.customer_update(
        customer=marieke,
        # As a browser sends it: CRLF, and spaces around it that the form strips.
        notes=WITH_NUTS.replace("\n", "\r\n") + " ",
        seen={"notes": NOTES},
        actor=owner,
    )

    assert _changes(marieke) == [{"notes": [NOTES, WITH_NUTS]}]


def test_a_referrer_is_compared_by_who_it_is(business, marieke, staff_user):
    kees = services.customer_create(business=business, name="Kees Bakker")
    services.customer_update(
        customer=marieke, referred_by=kees, acquisition_channel="referral", actor=staff_user
    )

    services.customer_update(
        customer=marieke,
        referred_by=Customer.objects.get(pk=kees.pk),
        seen={"referred_by": None},
    )
    lies = services.customer_create(business=business, name="Lies Smit")
    with pytest.raises(ChangedMeanwhile) as refused:
        services.customer_update(customer=marieke, referred_by=lies, seen={"referred_by": None})

    assert refused.value.message_dict == {
        "referred_by": ["Intussen gewijzigd door Joris in: “Kees Bakker”"]
    }
    assert refused.value.stored["referred_by"] == kees.pk


def test_consent_withdrawn_meanwhile_is_recorded_once_and_audited_with_its_basis(
    business, owner, staff_user
):
    anna = services.customer_create(
        business=business,
        name="Anna",
        marketing_consent=True,
        marketing_consent_basis=LegalBasis.SOFT_OPT_IN,
    )
    services.customer_update(customer=anna, marketing_consent=False, actor=staff_user)

    services.customer_update(
        customer=anna, marketing_consent=False, seen={"marketing_consent": True}, actor=owner
    )

    assert list(anna.consent_records.order_by("id").values_list("given", "basis")) == [
        (True, "soft_opt_in"),
        (False, ""),
    ]
    assert _changes(anna) == [
        {"marketing_consent": [True, False], "marketing_consent_basis": ["soft_opt_in", ""]}
    ]


def test_a_seen_value_of_a_field_not_given_is_a_programming_error(marieke):
    with pytest.raises(TypeError):
        services.customer_update(customer=marieke, phone="0612345678", seen={"notes": NOTES})


def test_a_customer_deleted_since_it_was_read_is_not_found(marieke):
    Customer.objects.filter(pk=marieke.pk).delete()

    with pytest.raises(NotFound):
        services.customer_update(customer=marieke, phone="0612345678")


def test_a_version_that_is_no_longer_stored_is_refused_and_nothing_is_stored(marieke, staff_user):
    version = selectors.customer_version(customer=marieke)
    services.customer_update(customer=marieke, tags=["vaste klant", "noten"], actor=staff_user)
    before = _stored(marieke)

    with pytest.raises(ChangedMeanwhile) as refused:
        services.customer_update(customer=marieke, phone="0612345678", expected_versions=[version])

    assert (refused.value.messages, refused.value.code) == (
        [
            "Deze klant is gewijzigd sinds je hem las: lees hem opnieuw en breng je wijziging "
            "aan op wat nu is opgeslagen."
        ],
        "changed_meanwhile",
    )
    assert _stored(marieke) == before
    now = selectors.customer_version(customer=Customer.objects.get(pk=marieke.pk))
    services.customer_update(customer=marieke, phone="0612345678", expected_versions=[now])
    assert Customer.objects.get(pk=marieke.pk).phone == "0612345678"


def test_the_version_changes_with_the_customers_own_data_only(business, marieke):
    def version():
        return selectors.customer_version(customer=Customer.objects.get(pk=marieke.pk))

    first = version()
    services.customer_update(customer=marieke, phone="0611111111")  # saved, but the same
    services.purchase_create(customer=marieke, amount_cents=1250)
    unchanged = version()
    services.customer_update(customer=marieke, tags=["vaste klant", "buurt"])
    tagged = version()
    services.customer_update(customer=marieke, marketing_consent=True)

    assert first == unchanged
    assert len({unchanged, tagged, version()}) == 3


def test_what_would_be_stored_is_validated_as_a_whole_and_a_refusal_stores_nothing(
    marieke, staff_user
):
    """Bram gave explicit consent and wrote allergy notes; Anna unticks the consent and leaves
    the notes: allergy notes without consent are refused, whoever wrote which part."""
    services.customer_update(
        customer=marieke,
        special_category_consent=True,
        special_notes="Noten",
        actor=staff_user,
    )
    before = _stored(marieke)

    with pytest.raises(ValidationError) as refused:
        services.customer_update(
            customer=marieke,
            special_category_consent=False,
            seen={"special_category_consent": True},
        )

    assert list(refused.value.error_dict) == ["special_notes"]
    assert _stored(marieke) == before


@pytest.mark.django_db(transaction=True)
def test_a_change_waits_for_one_in_progress_and_then_sees_it(business, owner, staff_user):
    """Two connections: Bram's change holds the row; Anna's, which saw the old notes, waits for
    it and then finds the notes changed, instead of reading the old row and writing over it
    once Bram's is committed. (On SQLite her transaction waits at BEGIN for the write lock.)"""
    customer = services.customer_create(business=business, name="Marieke", notes=NOTES)
    outcome = {}

    def annas_save():
        try:
            services.customer_update(
                customer=Customer.objects.get(pk=customer.pk),
                notes="Anders.",
                seen={"notes": NOTES},
                actor=owner,
            )
            outcome["anna"] = "saved"
        except ChangedMeanwhile as refused:
            outcome["anna"] = refused.message_dict
        finally:
            connection.close()

    with transaction.atomic():
        # Bram's change, in progress: the row locked and changed, not yet committed.
        Customer.objects.select_for_update().get(pk=customer.pk)
        Customer.objects.filter(pk=customer.pk).update(notes=WITH_NUTS)
        anna = threading.Thread(target=annas_save)
        anna.start()
        wait_until_blocked_or_done(anna, what="Anna's change")
    anna.join(timeout=60)

    assert outcome == {"anna": {"notes": [f"Intussen gewijzigd in: “{WITH_NUTS}”"]}}
    assert Customer.objects.get(pk=customer.pk).notes == WITH_NUTS
