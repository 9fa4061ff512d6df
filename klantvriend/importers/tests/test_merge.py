"""Merging two records of one person: what moves, what the kept record becomes, what is refused
(with nothing changed), and that every kind of row of a customer is moved."""

from datetime import UTC, date, datetime

import pytest

from klantvriend.aftercare.models import FollowUp
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.models import Complaint
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.errors import ChangedMeanwhile, NotFound
from klantvriend.core.models import AuditEvent
from klantvriend.customers import services
from klantvriend.customers.models import (
    ConsentRecord,
    ContactMoment,
    Customer,
    CustomerCount,
    CustomerSpend,
    ImportantDate,
    LegalBasis,
    Purchase,
    ReferrerTally,
)
from klantvriend.customers.selectors import customer_list, customer_version
from klantvriend.customers.tests.factories import (
    ContactMomentFactory,
    CustomerFactory,
    ImportantDateFactory,
    PurchaseFactory,
)
from klantvriend.customers.tests.test_customer_count import (
    assert_purchase_moments_kept,
    last_purchases_kept,
)
from klantvriend.gestures.models import Gesture
from klantvriend.gestures.tests.factories import GestureFactory
from klantvriend.importers.merge import (
    REFERRED_KEY,
    CannotMerge,
    customer_merge,
    merge_plan,
    merged_fields,
)
from klantvriend.importers.privacy import customer_erase
from klantvriend.importers.relations import customer_relations
from klantvriend.importers.tests.test_privacy import database_text
from klantvriend.insights.models import CustomerInsight
from klantvriend.insights.tests.factories import CustomerInsightFactory
from klantvriend.promises.models import Promise
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.surveys.models import SurveyResponse
from klantvriend.surveys.tests.factories import SurveyResponseFactory

JAN = datetime(2025, 3, 1, 10, tzinfo=UTC)
LATER = datetime(2026, 5, 1, 10, tzinfo=UTC)


def customer(business, **fields):
    return services.customer_create(business=business, **fields)


def state(*customers) -> list[tuple]:
    """What the tests compare before and after a refused merge."""
    return [
        (
            c.pk,
            *Customer.objects.filter(pk=c.pk).values_list("name", "phone", "notes", "updated_at"),
            Purchase.objects.filter(customer=c).count(),
            AuditEvent.objects.filter(customer=c).count(),
        )
        for c in customers
    ]


def test_everything_of_the_other_record_moves_to_the_kept_one(business, owner):
    keep = customer(business, name="Jan Bakker", email="jan@bakker.example", tags=["buurt"])
    other = customer(
        business,
        name="J. Bakker",
        phone="0612345678",
        notes="komt op zaterdag",
        tags=["buurt", "bbq"],
    )
    PurchaseFactory(customer=keep, amount_cents=1000)
    PurchaseFactory(customer=other, amount_cents=2500)
    PurchaseFactory(customer=other, amount_cents=500)
    ContactMomentFactory(customer=other)
    ImportantDateFactory(customer=other, label="Trouwdag")
    PromiseFactory(customer=other, description="belt dinsdag terug")
    complaint = ComplaintFactory(customer=other)
    FollowUpFactory(customer=other, complaint=complaint)
    GestureFactory(customer=other)
    SurveyResponseFactory(customer=other)
    referred = customer(
        business, name="Buurvrouw", referred_by=other, acquisition_channel="referral"
    )
    CustomerInsightFactory(customer=other)
    viewed = AuditEvent.objects.create(
        business=business,
        action="viewed",
        object_type="customer",
        object_id=other.pk,
        customer=other,
    )
    assert CustomerCount.objects.get(business=business).customers == 3
    other_id = other.pk

    plan = customer_merge(keep=keep, other=other, actor=owner)

    assert not Customer.objects.filter(pk=other_id).exists()
    keep.refresh_from_db()
    assert (keep.name, keep.email, keep.phone, keep.notes) == (
        "Jan Bakker",
        "jan@bakker.example",
        "0612345678",
        "komt op zaterdag",
    )
    assert sorted(keep.tags.values_list("name", flat=True)) == ["bbq", "buurt"]
    assert Purchase.objects.filter(customer=keep).count() == 3
    assert CustomerSpend.objects.get(customer=keep).cents == 4000
    for model in (
        ContactMoment,
        ImportantDate,
        Promise,
        Complaint,
        FollowUp,
        Gesture,
        SurveyResponse,
    ):
        assert model.objects.filter(customer=keep).count() == 1, model
    referred.refresh_from_db()
    assert referred.referred_by_id == keep.pk
    assert not CustomerInsight.objects.filter(customer_id=other_id).exists()
    viewed.refresh_from_db()
    assert viewed.customer_id == keep.pk
    assert CustomerCount.objects.get(business=business).customers == 2
    # Found by what only the other record held.
    assert list(customer_list(business=business, query="0612345678")) == [keep]
    merged = AuditEvent.objects.get(customer=keep, action="merged")
    assert merged.actor == owner
    assert merged.changes == {
        "merged_with": [other_id, "J. Bakker"],
        "phone": ["", "0612345678"],
        "notes": ["", "komt op zaterdag"],
        "tags": [[], ["bbq"]],
    }
    assert plan.moving == [
        ("aftercare.followup", "nazorg", 1),
        ("complaints.complaint", "klacht", 1),
        ("customers.contactmoment", "contactmoment", 1),
        ("customers.importantdate", "belangrijke datum", 1),
        ("customers.purchase", "aankopen", 2),
        ("gestures.gesture", "attentie", 1),
        ("promises.promise", "belofte", 1),
        ("surveys.surveyinvitation", "uitnodiging voor de enquête", 1),
        ("surveys.surveyresponse", "antwoord op de enquête", 1),
        (REFERRED_KEY, "klant die via deze klant kwam", 1),
    ]


def test_an_important_date_both_records_have_is_kept_once(business, owner):
    """The database refuses a customer's important date twice: the other record's like of one
    the kept record has is not moved (nor counted as moving) but dropped."""
    keep = customer(business, name="Jan Bakker")
    other = customer(business, name="J. Bakker")
    wedding = date(2011, 6, 18)
    ImportantDateFactory(customer=keep, label="Trouwdag", date=wedding)
    ImportantDateFactory(customer=other, label="Trouwdag", date=wedding, yearly=False)
    ImportantDateFactory(customer=other, label="Trouwdag", date=date(2012, 6, 18))
    ImportantDateFactory(customer=other, label="Opening zaak", date=wedding)

    plan = customer_merge(keep=keep, other=other, actor=owner)

    assert ("customers.importantdate", "belangrijke datums", 2) in plan.moving
    assert sorted(
        ImportantDate.objects.filter(customer=keep).values_list("label", "date", "yearly")
    ) == [
        ("Opening zaak", wedding, True),
        ("Trouwdag", wedding, True),
        ("Trouwdag", date(2012, 6, 18), True),
    ]
    assert ImportantDate.objects.count() == 3


def test_the_kept_record_keeps_its_own_details_and_fills_only_what_it_lacks(business):
    keep = customer(
        business,
        name="Jan Bakker",
        phone="0611111111",
        city="Haarlem",
        preferences="mager",
        customer_since=date(2024, 5, 1),
    )
    other = customer(
        business,
        name="Jan",
        phone="0622222222",
        street="Lindelaan 7",
        postal_code="2011 AB",
        city="Amsterdam",
        birthday=date(1970, 1, 2),
        external_ref="K-17",
        preferences="geen ui",
        customer_since=date(2020, 1, 1),
    )

    fields, dropped = merged_fields(keep, other)

    # The address is taken whole or not at all: Haarlem keeps no street from Amsterdam.
    assert fields == {
        "birthday": date(1970, 1, 2),
        "external_ref": "K-17",
        "preferences": "mager\ngeen ui",
        "customer_since": date(2020, 1, 1),
    }
    assert dropped is False
    # What the kept record has its own of is shown as not kept.
    assert merge_plan(keep=keep, other=other).not_taken == [
        ("phone", "0622222222"),
        ("street", "Lindelaan 7"),
        ("postal_code", "2011 AB"),
        ("city", "Amsterdam"),
    ]
    customer_merge(keep=keep, other=other)
    keep.refresh_from_db()
    assert (keep.external_ref, keep.street, keep.city, keep.phone) == (
        "K-17",
        "",
        "Haarlem",
        "0611111111",
    )


def test_consent_follows_the_persons_latest_decision(business):
    keep = customer(business, name="Jan", marketing_consent=True)
    other = customer(business, name="Jan B", marketing_consent=True)
    # Later, on the other record, the person withdrew it.
    services.customer_update(customer=other, marketing_consent=False)
    Customer.objects.filter(pk=keep.pk).update(marketing_consent_at=JAN)
    Customer.objects.filter(pk=other.pk).update(marketing_consent_at=LATER)
    keep.refresh_from_db()
    other.refresh_from_db()

    customer_merge(keep=keep, other=other)

    keep.refresh_from_db()
    assert (keep.marketing_consent, keep.marketing_consent_basis, keep.marketing_consent_at) == (
        False,
        LegalBasis.NONE,
        LATER,
    )
    # The whole consent history of both is on the kept record.
    assert ConsentRecord.objects.filter(customer=keep, kind="marketing").count() == 3


def test_consent_given_on_the_other_record_later_is_taken_with_its_basis(business):
    keep = customer(business, name="Jan")
    other = customer(
        business,
        name="Jan B",
        marketing_consent=True,
        marketing_consent_basis=LegalBasis.SOFT_OPT_IN,
    )

    customer_merge(keep=keep, other=other)

    keep.refresh_from_db()
    assert (keep.marketing_consent, keep.marketing_consent_basis) == (True, LegalBasis.SOFT_OPT_IN)


def test_health_notes_go_when_the_latest_decision_withdrew_that_consent(business):
    keep = customer(
        business, name="Jan", special_category_consent=True, special_notes="notenallergie"
    )
    other = customer(business, name="Jan B")
    services.customer_update(customer=other, special_category_consent=True)
    services.customer_update(customer=other, special_category_consent=False)
    Customer.objects.filter(pk=keep.pk).update(special_category_consent_at=JAN)
    keep.refresh_from_db()

    plan = merge_plan(keep=keep, other=other)
    assert plan.special_notes_dropped is True
    customer_merge(keep=keep, other=other)

    keep.refresh_from_db()
    assert (keep.special_category_consent, keep.special_notes) == (False, "")


def test_health_notes_of_both_are_kept_with_consent_on_both(business):
    keep = customer(
        business, name="Jan", special_category_consent=True, special_notes="notenallergie"
    )
    other = customer(
        business, name="Jan B", special_category_consent=True, special_notes="glutenvrij"
    )

    customer_merge(keep=keep, other=other)

    keep.refresh_from_db()
    assert (keep.special_category_consent, keep.special_notes) == (
        True,
        "notenallergie\nglutenvrij",
    )


def test_a_record_that_referred_the_kept_one_is_the_same_person(business):
    referrer = customer(business, name="Piet")
    other = customer(
        business, name="J. Bakker", referred_by=referrer, acquisition_channel="referral"
    )
    keep = customer(business, name="Jan Bakker", referred_by=other, acquisition_channel="referral")

    customer_merge(keep=keep, other=other)

    keep.refresh_from_db()
    assert keep.referred_by_id == referrer.pk


def test_what_each_referrer_brought_in_follows_the_merge(business):
    piet, ria = customer(business, name="Piet"), customer(business, name="Ria")
    keep = customer(business, name="Jan Bakker", referred_by=piet)
    other = customer(business, name="J. Bakker", referred_by=ria)
    dora = customer(business, name="Dora", referred_by=other)
    for who, cents in ((keep, 10000), (other, 5000), (dora, 700)):
        services.purchase_create(customer=who, amount_cents=cents)
    tallies = ReferrerTally.objects.filter(referred__gt=0).order_by("pk")

    customer_merge(keep=keep, other=other)

    # Jan's referrer stays his own and counts what both records bought; Ria brought in no one
    # left; Dora, whom the merged record referred, counts for Jan.
    assert list(tallies.values_list("referrer_id", "referred", "cents")) == [
        (piet.pk, 1, 15000),
        (keep.pk, 1, 700),
    ]


def test_when_each_customer_last_bought_follows_the_merge_and_the_anonymisation(business):
    keep, other, both = (customer(business, name=name) for name in ("Jan", "J. Bakker", "Piet"))
    for who, at in ((keep, JAN), (other, LATER), (other, JAN), (both, LATER)):
        services.purchase_create(customer=who, amount_cents=100, at=at)

    # The merged record's purchases move (the later one too), its row goes with it;
    customer_merge(keep=keep, other=other)
    assert_purchase_moments_kept()
    assert last_purchases_kept() == {keep.pk: (business.pk, LATER), both.pk: (business.pk, LATER)}

    # anonymised, the customer keeps their purchases and so when they last bought.
    customer_erase(customer=keep)
    assert_purchase_moments_kept()
    assert last_purchases_kept()[keep.pk] == (business.pk, LATER)


def test_the_referrers_thank_you_stays_one_per_customer(business):
    referrer = customer(business, name="Piet")
    keep = customer(business, name="Jan Bakker")
    other = customer(business, name="J. Bakker")
    kept_thanks = FollowUpFactory(customer=referrer, referred_customer=keep)
    other_thanks = FollowUpFactory(customer=referrer, referred_customer=other)

    customer_merge(keep=keep, other=other)

    kept_thanks.refresh_from_db()
    other_thanks.refresh_from_db()
    assert (kept_thanks.referred_customer_id, other_thanks.referred_customer_id) == (keep.pk, None)


def test_two_customer_numbers_are_refused_and_nothing_changes(business):
    keep = customer(business, name="Jan", external_ref="K-1")
    other = customer(business, name="Jan B", external_ref="K-2", phone="0612345678")
    PurchaseFactory(customer=other)
    before = state(keep, other)

    with pytest.raises(CannotMerge) as refused:
        customer_merge(keep=keep, other=other)

    assert refused.value.code == "two_numbers"
    assert refused.value.messages == [
        "Beide hebben een klantnummer (K-1 en K-2): de kassa kent ze als twee klanten en de "
        "volgende export zou de tweede terugbrengen. Voeg ze eerst in de kassa samen en "
        "importeer daarna de klanten opnieuw."
    ]
    assert state(keep, other) == before


def test_the_same_number_written_otherwise_is_one_customer(business):
    keep = customer(business, name="Jan", external_ref="k-1")
    other = CustomerFactory(business=business, name="Jan B", external_ref="")
    Customer.objects.filter(pk=other.pk).update(external_ref="K-1 ")
    other.refresh_from_db()

    fields, _dropped = merged_fields(keep, other)

    assert "external_ref" not in fields


@pytest.mark.parametrize("which", ["keep", "other"])
def test_an_anonymised_customer_is_not_merged(business, which):
    keep = customer(business, name="Jan")
    other = customer(business, name="Jan B")
    Customer.objects.filter(pk=(keep if which == "keep" else other).pk).update(erased_at=LATER)
    keep.refresh_from_db()
    other.refresh_from_db()
    before = state(keep, other)

    with pytest.raises(CannotMerge) as refused:
        customer_merge(keep=keep, other=other)

    assert refused.value.code == "anonymised"
    assert state(keep, other) == before


def test_a_record_is_not_merged_with_itself(business):
    keep = customer(business, name="Jan")
    with pytest.raises(CannotMerge) as refused:
        customer_merge(keep=keep, other=keep)
    assert refused.value.code == "same"
    assert Customer.objects.filter(pk=keep.pk).exists()


def test_a_change_since_the_page_was_shown_is_refused(business):
    keep = customer(business, name="Jan")
    other = customer(business, name="Jan B")
    shown = customer_version(customer=other)
    services.customer_update(customer=other, phone="0699999999")
    before = state(keep, other)

    with pytest.raises(ChangedMeanwhile):
        customer_merge(keep=keep, other=other, other_versions=[shown])

    assert state(keep, other) == before
    other.refresh_from_db()
    customer_merge(
        keep=keep,
        other=other,
        keep_versions=[customer_version(customer=keep)],
        other_versions=[customer_version(customer=other)],
    )
    assert not Customer.objects.filter(pk=other.pk).exists()


def test_a_change_of_the_kept_record_since_it_was_read_is_refused(business):
    keep = customer(business, name="Jan")
    other = customer(business, name="Jan B")
    read = customer_version(customer=keep)
    services.customer_update(customer=keep, notes="belt liever 's ochtends")
    before = state(keep, other)

    with pytest.raises(ChangedMeanwhile) as refused:
        customer_merge(keep=keep, other=other, keep_versions=[read])

    assert refused.value.messages == [
        "Een van de twee klanten is intussen gewijzigd: kijk opnieuw wat samenvoegen doet."
    ]
    assert state(keep, other) == before


def test_a_record_of_another_business_is_not_found(business, other_business):
    keep = customer(business, name="Jan")
    stranger = customer(other_business, name="Jan")
    before = state(keep, stranger)

    with pytest.raises(NotFound):
        customer_merge(keep=keep, other=stranger)

    assert state(keep, stranger) == before


def test_every_kind_of_row_of_a_customer_is_known_to_the_merge():
    # A new app's rows move by themselves, unless their model is one the refresh computes:
    # then it must be named in RECOMPUTED_MODELS, or its rows would be lost with the record.
    labels = {model._meta.label for model, _key in customer_relations()}
    assert labels == {
        "aftercare.FollowUp",
        "complaints.Complaint",
        "customers.ConsentRecord",
        "customers.ContactMoment",
        "customers.ImportantDate",
        # A merged record's open requests are the kept one's to answer.
        "customers.PrivacyRequest",
        "customers.Purchase",
        "gestures.Gesture",
        "insights.CustomerInsight",
        "insights.InsightSnapshot",
        "promises.Promise",
        "surveys.SurveyInvitation",
        "surveys.SurveyResponse",
    }


def test_erasing_the_kept_record_leaves_nothing_of_the_merged_one(business, owner):
    keep = customer(business, name="Jan Bakker", actor=owner)
    other = customer(
        business,
        name="Jantje Zwanenburg-Bakker",
        phone="0698765432",
        notes="tweeling Zwanenburg",
        actor=owner,
    )
    PurchaseFactory(customer=other, description="rollade Zwanenburg")
    customer_merge(keep=keep, other=other, actor=owner)
    assert "Zwanenburg" in database_text()

    customer_erase(customer=keep, actor=owner)

    assert "Zwanenburg" not in database_text()
    assert "0698765432" not in database_text()


def test_the_same_number_or_address_written_otherwise_is_not_shown_as_lost(business):
    keep = customer(business, name="Ahmed Bos", phone="06-86871078", email="ahmed@bos.example")
    other = customer(
        business, name="A. Bos", phone="+31 6 8687 1078", email="Ahmed@Bos.example", city="Ede"
    )
    second = customer(business, name="A. Bos", phone="+31 6 1111 2222")

    assert merge_plan(keep=keep, other=other).not_taken == []
    assert merge_plan(keep=keep, other=second).not_taken == [("phone", "+31 6 1111 2222")]
