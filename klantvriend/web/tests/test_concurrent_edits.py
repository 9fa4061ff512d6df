"""Two people editing the same customer at once: nothing either of them typed is lost without a
word. The edit form remembers what its user saw; saving writes only what they changed, and a
field both changed to different values comes back to be decided."""

from datetime import date

import pytest
from django.urls import reverse

from klantvriend.core.accounts import account_language_set
from klantvriend.core.models import AuditEvent
from klantvriend.customers.models import ConsentRecord, Customer, LegalBasis
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.web.forms import QUESTIONS

from .sent_forms import form_as_sent

PHONE = "0612345678"
NOTES = "Dochter begint in september op school."
BRAMS_NOTES = NOTES + "\r\nHaalt op vrijdag na vijven."
SUMMARY_NL = (
    "Iemand anders heeft deze klant opgeslagen terwijl jij hem bewerkte. Die wijzigingen staan "
    "nu in het formulier. Waar jullie allebei hetzelfde veld wijzigden, staat jouw invoer in het "
    "veld en eronder wat er nu is opgeslagen: kijk die velden na en sla opnieuw op om jouw "
    "invoer te bewaren."
)


@pytest.fixture
def marieke(business):
    customer = CustomerFactory(
        business=business,
        name="Marieke de Boer",
        phone="0611111111",
        notes=NOTES,
        birthday=date(1980, 5, 1),
    )
    customer.tags.create(business=business, name="vaste klant")
    return customer


def _edit_url(customer) -> str:
    return reverse("web:customer_edit", args=[customer.pk])


def _open(client, customer) -> dict[str, str]:
    page = client.get(_edit_url(customer))
    assert page.status_code == 200
    return form_as_sent(page, having="notes")


def _stored(customer) -> dict:
    return Customer.objects.filter(pk=customer.pk).values().get()


def _tags(customer) -> list[str]:
    return sorted(customer.tags.values_list("name", flat=True))


def _changes(customer) -> list[dict]:
    return list(
        AuditEvent.objects.filter(object_type="customer", object_id=customer.pk, action="changed")
        .order_by("id")
        .values_list("changes", flat=True)
    )


def test_the_edit_form_carries_what_its_user_saw_in_every_field(owner_client, marieke):
    page = owner_client.get(_edit_url(marieke))
    sent = form_as_sent(page, having="notes")

    assert {name: sent[f"initial-{name}"] for name in ("name", "phone", "notes", "tags")} == {
        "name": "Marieke de Boer",
        "phone": "0611111111",
        "notes": NOTES,
        "tags": "vaste klant",
    }
    assert (sent["initial-marketing_consent"], sent["initial-referred_by"]) == ("False", "")
    assert sent["initial-birthday"] == sent["birthday"] == "1980-05-01"
    # Every field of the customer; not "Record it anyway", a question to this person.
    assert sorted(name for name in sent if name.startswith("initial-")) == sorted(
        f"initial-{name}" for name in page.context["form"].fields if name not in QUESTIONS
    )


@pytest.mark.parametrize("first", ["anna", "bram"])
def test_two_people_changing_different_fields_both_keep_their_change(
    owner_client, staff_client, marieke, first
):
    """Anna (the owner) fixes the phone number while Bram (staff) adds a note; whoever saves
    last, both changes are stored."""
    anna, bram = _open(owner_client, marieke), _open(staff_client, marieke)
    saves = {
        "anna": lambda: owner_client.post(_edit_url(marieke), {**anna, "phone": PHONE}),
        "bram": lambda: staff_client.post(_edit_url(marieke), {**bram, "notes": BRAMS_NOTES}),
    }

    answers = [saves[first](), saves["bram" if first == "anna" else "anna"]()]

    assert [answer.status_code for answer in answers] == [302, 302]
    marieke.refresh_from_db()
    assert (marieke.phone, marieke.notes) == (PHONE, BRAMS_NOTES)
    assert _tags(marieke) == ["vaste klant"]


def test_the_audit_trail_records_only_the_fields_each_person_changed(
    owner_client, staff_client, marieke
):
    anna, bram = _open(owner_client, marieke), _open(staff_client, marieke)

    staff_client.post(_edit_url(marieke), {**bram, "notes": BRAMS_NOTES})
    owner_client.post(_edit_url(marieke), {**anna, "phone": PHONE})

    assert _changes(marieke) == [
        {"notes": [NOTES, BRAMS_NOTES]},
        {"phone": ["0611111111", PHONE]},
    ]


def test_saving_a_form_without_changes_changes_nothing(owner_client, staff_client, marieke):
    anna, bram = _open(owner_client, marieke), _open(staff_client, marieke)
    staff_client.post(_edit_url(marieke), {**bram, "notes": BRAMS_NOTES})
    before = _stored(marieke)

    answer = owner_client.post(_edit_url(marieke), anna)

    assert answer.status_code == 302
    after = _stored(marieke)
    assert {**after, "updated_at": None} == {**before, "updated_at": None}
    assert len(_changes(marieke)) == 1


def test_a_field_both_changed_differently_comes_back_and_nothing_is_saved(
    owner_client, staff_client, marieke
):
    anna, bram = _open(owner_client, marieke), _open(staff_client, marieke)
    staff_client.post(_edit_url(marieke), {**bram, "notes": BRAMS_NOTES})
    before, changes_before = _stored(marieke), _changes(marieke)
    annas_notes = NOTES + "\r\nKomt voortaan op zaterdag."

    answer = owner_client.post(
        _edit_url(marieke),
        {**anna, "notes": annas_notes, "phone": PHONE, "tags": "vaste klant, buurt"},
    )

    assert answer.status_code == 409
    form = answer.context["form"]
    assert form.errors == {
        "__all__": [SUMMARY_NL],
        "notes": [
            "Intussen gewijzigd door Joris in: “Dochter begint in september op school.\r\n"
            "Haalt op vrijdag na vijven.”"
        ],
    }
    assert _stored(marieke) == before
    assert _changes(marieke) == changes_before
    assert _tags(marieke) == ["vaste klant"]
    again = form_as_sent(answer, having="notes")
    # Her input stays, and what she has now seen is what is stored.
    assert (again["notes"], again["initial-notes"]) == (annas_notes, BRAMS_NOTES)
    assert (again["phone"], again["initial-phone"]) == (PHONE, "0611111111")
    assert (again["tags"], again["initial-tags"]) == ("vaste klant, buurt", "vaste klant")
    assert 'role="alert"' in answer.content.decode()


def test_saving_again_after_a_conflict_replaces_the_other_persons_value(
    owner_client, staff_client, marieke
):
    anna, bram = _open(owner_client, marieke), _open(staff_client, marieke)
    staff_client.post(_edit_url(marieke), {**bram, "notes": BRAMS_NOTES})
    annas_notes = "Komt voortaan op zaterdag."
    refused = owner_client.post(_edit_url(marieke), {**anna, "notes": annas_notes, "phone": PHONE})

    answer = owner_client.post(_edit_url(marieke), form_as_sent(refused, having="notes"))

    assert answer.status_code == 302
    marieke.refresh_from_db()
    assert (marieke.notes, marieke.phone) == (annas_notes, PHONE)
    assert _changes(marieke)[-1] == {
        "phone": ["0611111111", PHONE],
        "notes": [BRAMS_NOTES, annas_notes],
    }


def test_after_a_conflict_the_form_shows_what_others_changed_in_the_fields_left_alone(
    owner_client, staff_client, marieke
):
    """Bram changed the notes and the city; Anna changed the notes too. Her form comes back with
    Bram's city in it (she did not touch it), so what she sees is what saving again stores."""
    anna, bram = _open(owner_client, marieke), _open(staff_client, marieke)
    staff_client.post(_edit_url(marieke), {**bram, "notes": BRAMS_NOTES, "city": "Zwolle"})

    refused = owner_client.post(_edit_url(marieke), {**anna, "notes": "Anders."})
    again = form_as_sent(refused, having="notes")
    owner_client.post(_edit_url(marieke), again)

    assert (again["city"], again["initial-city"]) == ("Zwolle", "Zwolle")
    marieke.refresh_from_db()
    assert (marieke.notes, marieke.city) == ("Anders.", "Zwolle")


def test_the_same_change_made_by_both_is_no_conflict(owner_client, staff_client, marieke):
    anna, bram = _open(owner_client, marieke), _open(staff_client, marieke)
    staff_client.post(_edit_url(marieke), {**bram, "notes": BRAMS_NOTES})

    answer = owner_client.post(_edit_url(marieke), {**anna, "notes": BRAMS_NOTES, "phone": PHONE})

    assert answer.status_code == 302
    marieke.refresh_from_db()
    assert (marieke.notes, marieke.phone) == (BRAMS_NOTES, PHONE)


def test_a_conflict_is_said_in_english_to_whoever_works_in_english(
    owner_client, owner, staff_client, marieke
):
    account_language_set(user=owner, language="en")
    anna, bram = _open(owner_client, marieke), _open(staff_client, marieke)
    staff_client.post(_edit_url(marieke), {**bram, "notes": ""})

    answer = owner_client.post(_edit_url(marieke), {**anna, "notes": "Anders."})

    assert answer.status_code == 409
    assert answer.context["form"].errors == {
        "__all__": [
            "Someone else saved this customer while you were editing it. Their changes are in "
            "the form now. Where you both changed the same field, your input is in the field and "
            "what is stored now is below it: check those fields and save again to keep your "
            "input."
        ],
        "notes": ["Emptied meanwhile by Joris."],
    }


def test_tags_added_by_one_are_kept_when_the_other_changes_something_else(
    owner_client, staff_client, marieke
):
    anna, bram = _open(owner_client, marieke), _open(staff_client, marieke)

    staff_client.post(_edit_url(marieke), {**bram, "tags": "vaste klant, noten-allergie"})
    owner_client.post(_edit_url(marieke), {**anna, "phone": PHONE})

    assert _tags(marieke) == ["noten-allergie", "vaste klant"]
    assert _changes(marieke) == [
        {"tags": [["vaste klant"], ["noten-allergie", "vaste klant"]]},
        {"phone": ["0611111111", PHONE]},
    ]


def test_tags_typed_in_another_order_are_no_change(owner_client, staff_client, marieke):
    marieke.tags.create(business=marieke.business, name="buurt")
    anna, bram = _open(owner_client, marieke), _open(staff_client, marieke)
    staff_client.post(_edit_url(marieke), {**bram, "tags": "buurt"})

    answer = owner_client.post(
        _edit_url(marieke), {**anna, "tags": "vaste klant ,buurt,buurt", "phone": PHONE}
    )

    assert answer.status_code == 302
    assert _tags(marieke) == ["buurt"]


def test_tags_both_changed_differently_are_a_conflict(owner_client, staff_client, marieke):
    anna, bram = _open(owner_client, marieke), _open(staff_client, marieke)
    staff_client.post(_edit_url(marieke), {**bram, "tags": "vaste klant, noten-allergie"})

    answer = owner_client.post(_edit_url(marieke), {**anna, "tags": ""})

    assert answer.status_code == 409
    assert answer.context["form"].errors["tags"] == [
        "Intussen gewijzigd door Joris in: “noten-allergie, vaste klant”"
    ]
    assert _tags(marieke) == ["noten-allergie", "vaste klant"]
    assert form_as_sent(answer, having="notes")["initial-tags"] == "noten-allergie, vaste klant"


def test_a_referrer_chosen_by_one_is_kept_when_the_other_changes_something_else(
    owner_client, staff_client, business, marieke
):
    kees = CustomerFactory(business=business, name="Kees Bakker")
    anna, bram = _open(owner_client, marieke), _open(staff_client, marieke)

    staff_client.post(
        _edit_url(marieke),
        {**bram, "referred_by": str(kees.pk), "acquisition_channel": "referral"},
    )
    answer = owner_client.post(_edit_url(marieke), {**anna, "phone": PHONE})

    assert answer.status_code == 302
    marieke.refresh_from_db()
    assert (marieke.referred_by_id, marieke.acquisition_channel, marieke.phone) == (
        kees.pk,
        "referral",
        PHONE,
    )


def test_two_different_referrers_are_a_conflict_naming_the_stored_one(
    owner_client, staff_client, business, marieke
):
    kees = CustomerFactory(business=business, name="Kees Bakker")
    lies = CustomerFactory(business=business, name="Lies Smit")
    anna, bram = _open(owner_client, marieke), _open(staff_client, marieke)
    staff_client.post(
        _edit_url(marieke),
        {**bram, "referred_by": str(kees.pk), "acquisition_channel": "referral"},
    )

    answer = owner_client.post(
        _edit_url(marieke),
        {**anna, "referred_by": str(lies.pk), "acquisition_channel": "referral"},
    )

    assert answer.status_code == 409
    assert answer.context["form"].errors["referred_by"] == [
        "Intussen gewijzigd door Joris in: “Kees Bakker”"
    ]
    assert "acquisition_channel" not in answer.context["form"].errors  # both chose "referral"
    again = form_as_sent(answer, having="notes")
    assert (again["referred_by"], again["initial-referred_by"]) == (str(lies.pk), str(kees.pk))
    marieke.refresh_from_db()
    assert marieke.referred_by_id == kees.pk


def test_consent_given_by_one_is_kept_when_the_other_changes_something_else(
    owner_client, staff_client, marieke
):
    anna, bram = _open(owner_client, marieke), _open(staff_client, marieke)

    staff_client.post(
        _edit_url(marieke),
        {
            **bram,
            "marketing_consent": "on",
            "marketing_consent_basis": "soft_opt_in",
            "special_category_consent": "on",
            "special_notes": "Allergisch voor noten.",
        },
    )
    answer = owner_client.post(_edit_url(marieke), {**anna, "phone": PHONE})

    assert answer.status_code == 302
    marieke.refresh_from_db()
    assert (
        marieke.phone,
        marieke.marketing_consent,
        marieke.marketing_consent_basis,
        marieke.special_category_consent,
        marieke.special_notes,
    ) == (PHONE, True, "soft_opt_in", True, "Allergisch voor noten.")
    assert sorted(
        ConsentRecord.objects.filter(customer=marieke).values_list("kind", "given", "basis")
    ) == [("marketing", True, "soft_opt_in"), ("special_category", True, "consent")]


def test_two_different_legal_bases_are_a_conflict(owner_client, staff_client, business):
    customer = CustomerFactory(
        business=business,
        name="Marieke de Boer",
        marketing_consent=True,
        marketing_consent_basis=LegalBasis.CONSENT,
    )
    anna, bram = _open(owner_client, customer), _open(staff_client, customer)
    staff_client.post(
        _edit_url(customer), {**bram, "marketing_consent_basis": "legitimate_interest"}
    )

    answer = owner_client.post(
        _edit_url(customer), {**anna, "marketing_consent_basis": "soft_opt_in"}
    )

    assert answer.status_code == 409
    assert answer.context["form"].errors["marketing_consent_basis"] == [
        "Intussen gewijzigd door Joris in: “gerechtvaardigd belang”"
    ]
    customer.refresh_from_db()
    assert customer.marketing_consent_basis == "legitimate_interest"


def test_consent_given_and_withdrawn_again_meanwhile_is_no_conflict_for_a_fresh_tick(
    owner_client, staff_client, business
):
    customer = CustomerFactory(business=business, name="Marieke de Boer")
    anna, bram = _open(owner_client, customer), _open(staff_client, customer)
    staff_client.post(_edit_url(customer), {**bram, "marketing_consent": "on"})
    staff_again = _open(staff_client, customer)
    staff_again.pop("marketing_consent")
    staff_client.post(_edit_url(customer), staff_again)  # Bram withdraws it again

    answer = owner_client.post(_edit_url(customer), {**anna, "marketing_consent": "on"})

    # Anna ticks what is unticked now, as she saw it: no conflict, her consent is recorded.
    assert answer.status_code == 302
    customer.refresh_from_db()
    assert (customer.marketing_consent, customer.marketing_consent_basis) == (True, "consent")


def test_consent_withdrawn_meanwhile_is_a_conflict_for_a_basis_changed(
    owner_client, staff_client, business
):
    customer = CustomerFactory(
        business=business,
        name="Marieke de Boer",
        marketing_consent=True,
        marketing_consent_basis=LegalBasis.CONSENT,
    )
    anna, bram = _open(owner_client, customer), _open(staff_client, customer)
    bram.pop("marketing_consent")
    staff_client.post(_edit_url(customer), bram)

    answer = owner_client.post(
        _edit_url(customer), {**anna, "marketing_consent_basis": "soft_opt_in"}
    )

    assert answer.status_code == 409
    assert answer.context["form"].errors["marketing_consent_basis"] == [
        "Intussen leeggemaakt door Joris."
    ]
    customer.refresh_from_db()
    assert (customer.marketing_consent, customer.marketing_consent_basis) == (False, "")


def test_a_page_drawn_before_the_form_remembered_anything_saves_as_typed(owner_client, marieke):
    """A page opened before this version (or a script) sends no initial-… fields: every field
    is saved as sent, as before."""
    answer = owner_client.post(
        _edit_url(marieke),
        {"name": "Marieke de Boer", "phone": PHONE, "acquisition_channel": "walk_in"},
    )

    assert answer.status_code == 302
    marieke.refresh_from_db()
    assert (marieke.phone, marieke.notes) == (PHONE, "")
    assert _tags(marieke) == []


def test_a_customer_deleted_meanwhile_is_not_found(owner_client, marieke):
    anna = _open(owner_client, marieke)
    Customer.objects.filter(pk=marieke.pk).delete()

    answer = owner_client.post(_edit_url(marieke), {**anna, "phone": PHONE})

    assert answer.status_code == 404
