"""Who served a purchase: recorded with it, refused for anyone who does not work in the
business, named on the timeline and in the briefing ("the same stylist as last time")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from klantvriend.core.errors import ValidationError
from klantvriend.core.members import member_remove
from klantvriend.core.models import AuditEvent, Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers import selectors, services
from klantvriend.customers.models import Purchase

from .factories import CustomerFactory, PurchaseFactory


@pytest.fixture
def lotte(business):
    user = user_create(username="lotte", password="pw-lotte-123", first_name="Lotte")
    membership_create(business=business, user=user, role=Role.STAFF)
    return user


def test_a_purchase_names_who_served_it(business, lotte):
    customer = CustomerFactory(business=business)

    purchase = services.purchase_create(customer=customer, amount_cents=8950, member=lotte)

    assert Purchase.objects.get(pk=purchase.pk).member_id == lotte.pk


def test_a_purchase_names_a_member_by_their_user_id(business, lotte):
    customer = CustomerFactory(business=business)

    purchase = services.purchase_create(customer=customer, amount_cents=8950, member=lotte.pk)

    assert Purchase.objects.get(pk=purchase.pk).member_id == lotte.pk


def test_a_purchase_without_anyone_named_is_kept(business):
    customer = CustomerFactory(business=business)

    purchase = services.purchase_create(customer=customer, amount_cents=100)

    assert Purchase.objects.get(pk=purchase.pk).member_id is None


@pytest.mark.parametrize("given_as", ["user", "id"])
def test_a_member_of_another_business_is_refused_and_nothing_stored(
    business, other_owner, given_as
):
    customer = CustomerFactory(business=business)
    member = other_owner if given_as == "user" else other_owner.pk

    with pytest.raises(ValidationError) as refused:
        services.purchase_create(customer=customer, amount_cents=8950, member=member)

    assert refused.value.error_dict["member"][0].code == "not_member"
    assert refused.value.error_dict["member"][0].messages == ["Deze persoon werkt hier niet."]
    assert not Purchase.objects.exists()


def test_someone_who_works_nowhere_is_refused_alike(business):
    customer = CustomerFactory(business=business)
    loner = user_create(username="loner", password="pw-loner-123")

    refusals = services.purchase_create_refusals(customer=customer, amount_cents=1, member=loner)

    assert [error.code for error in refusals["member"]] == ["not_member"]
    with pytest.raises(ValidationError):
        services.purchase_create(customer=customer, amount_cents=1, member=loner.pk + 1000)
    assert not Purchase.objects.exists()


def test_a_refused_member_is_told_with_the_other_refusals(business, other_owner):
    customer = CustomerFactory(business=business)

    with pytest.raises(ValidationError) as refused:
        services.purchase_create(customer=customer, amount_cents=-5, member=other_owner)

    assert set(refused.value.error_dict) == {"amount_cents", "member"}


def test_a_correction_names_another_member_and_the_trail_keeps_it(business, owner, lotte):
    purchase = PurchaseFactory(customer=CustomerFactory(business=business), member=owner)

    services.purchase_update(purchase=purchase, actor=owner, member=lotte)

    assert Purchase.objects.get(pk=purchase.pk).member_id == lotte.pk
    event = AuditEvent.objects.get(object_type="purchase", object_id=purchase.pk)
    assert event.changes == {"member_id": [owner.pk, lotte.pk]}


def test_a_correction_takes_the_name_off_with_none_and_keeps_it_when_not_given(
    business, owner, lotte
):
    purchase = PurchaseFactory(customer=CustomerFactory(business=business), member=lotte)

    services.purchase_update(purchase=purchase, actor=owner, description="Knippen")
    assert Purchase.objects.get(pk=purchase.pk).member_id == lotte.pk

    services.purchase_update(purchase=purchase, actor=owner, member=None)
    assert Purchase.objects.get(pk=purchase.pk).member_id is None


def test_a_correction_to_a_member_of_another_business_changes_nothing(
    business, owner, lotte, other_owner
):
    purchase = PurchaseFactory(customer=CustomerFactory(business=business), member=lotte)
    before = Purchase.objects.get(pk=purchase.pk).updated_at

    with pytest.raises(ValidationError) as refused:
        services.purchase_update(purchase=purchase, actor=owner, member=other_owner, amount_cents=5)

    assert list(refused.value.error_dict) == ["member"]
    stored = Purchase.objects.get(pk=purchase.pk)
    assert (stored.member_id, stored.amount_cents, stored.updated_at) == (lotte.pk, 1250, before)
    assert purchase.member_id == lotte.pk
    assert not AuditEvent.objects.filter(object_type="purchase").exists()


def test_the_timeline_names_who_served_a_purchase(business, lotte):
    customer = CustomerFactory(business=business)
    PurchaseFactory(customer=customer, member=lotte, description="Knippen")
    PurchaseFactory(customer=customer, at=timezone.now() - timedelta(days=1))

    entries = selectors.purchase_timeline(customer=customer, limit=10)

    assert [(entry.summary, entry.actor) for entry in entries] == [("Knippen", "Lotte"), ("", "")]


def _served(customer, *members, start_days_ago=30):
    """Purchases of `customer`, the oldest first, one a day, each served by the member given."""
    now = timezone.now()
    for offset, member in enumerate(members):
        PurchaseFactory(
            customer=customer, member=member, at=now - timedelta(days=start_days_ago - offset)
        )


def test_the_briefing_names_who_served_last_time_and_who_usually_does(
    business, owner, lotte, django_assert_num_queries
):
    customer = CustomerFactory(business=business)
    _served(customer, lotte, owner, lotte, owner, lotte, owner)

    # As many as without anyone named: who served is read with the last purchase.
    with django_assert_num_queries(8):
        briefing = selectors.customer_briefing(customer=customer)
        assert briefing.last_purchase.member.first_name == "Sanne"

    assert briefing.last_purchase.member == owner
    assert briefing.usually_served_by == "Sanne"  # three each: who served them the latest


def test_usually_served_by_counts_only_the_last_ten_purchases(business, owner, lotte):
    customer = CustomerFactory(business=business)
    _served(customer, *[lotte] * 5, *[owner] * 3, *[None] * 7)

    assert selectors.customer_briefing(customer=customer).usually_served_by == "Sanne"


def test_once_is_no_habit(business, owner, lotte):
    customer = CustomerFactory(business=business)
    _served(customer, lotte, owner, None)

    briefing = selectors.customer_briefing(customer=customer)

    assert briefing.usually_served_by == ""
    assert briefing.last_purchase.member is None


def test_usually_served_by_is_the_full_name_or_else_the_user_name(business):
    customer = CustomerFactory(business=business)
    nameless = user_create(username="kapper3", password="pw-kapper-123")
    membership_create(business=business, user=nameless, role=Role.STAFF)
    _served(customer, nameless, nameless)

    assert selectors.customer_briefing(customer=customer).usually_served_by == "kapper3"

    nameless.first_name, nameless.last_name = "Lotte", "de Wit"
    nameless.save()
    assert selectors.customer_briefing(customer=customer).usually_served_by == "Lotte de Wit"


def test_a_member_who_leaves_leaves_the_purchases_as_they_were(business, owner, lotte):
    customer = CustomerFactory(business=business)
    purchase = PurchaseFactory(customer=customer, member=lotte)

    lotte.delete()

    stored = Purchase.objects.get(pk=purchase.pk)
    assert (stored.member_id, stored.amount_cents) == (None, 1250)


def test_a_stylist_who_left_is_nobodys_usual_but_stays_on_the_timeline(
    business, owner, lotte, other_business
):
    # Given a customer Lotte served three times and Sanne (the owner) twice
    customer = CustomerFactory(business=business)
    _served(customer, lotte, lotte, owner, lotte, owner)
    assert selectors.customer_briefing(customer=customer).usually_served_by == "Lotte"
    # When Lotte leaves the salon (and works on at another business)
    membership_create(business=other_business, user=lotte, role=Role.STAFF)
    member_remove(membership=lotte.memberships.get(business=business), actor=owner)
    # Then the briefing offers who still works here, and the timeline keeps Lotte's name
    briefing = selectors.customer_briefing(customer=customer)
    assert briefing.usually_served_by == "Sanne"
    assert [entry.actor for entry in selectors.purchase_timeline(customer=customer, limit=10)] == [
        "Sanne",
        "Lotte",
        "Sanne",
        "Lotte",
        "Lotte",
    ]
