"""A customer's own regular staff member (their hairdresser, their mechanic): set by the
services for members of the business only, named in the briefing, let go of when the member
leaves the business or the customer is anonymised, and kept in the audit trail."""

import pytest

from klantvriend.core.errors import ValidationError
from klantvriend.core.members import member_remove
from klantvriend.core.models import AuditEvent, Membership, Role
from klantvriend.core.services import business_create, membership_create, user_create
from klantvriend.customers import selectors, services
from klantvriend.customers.models import Customer

from .factories import CustomerFactory
from .test_served_by import _served

pytestmark = pytest.mark.django_db


@pytest.fixture
def joris(business):
    user = user_create(username="joris", password="pw-joris-123", first_name="Joris")
    membership_create(business=business, user=user, role=Role.STAFF)
    return user


def _customer_events(customer) -> list[tuple[str, dict]]:
    return list(
        AuditEvent.objects.filter(customer=customer, object_type="customer")
        .order_by("pk")
        .values_list("action", "changes")
    )


@pytest.mark.parametrize("given_as", ["user", "id"])
def test_a_new_customer_gets_their_regular_staff_member(business, owner, joris, given_as):
    member = joris if given_as == "user" else joris.pk

    customer = services.customer_create(
        business=business, name="Anna", regular_member=member, actor=owner
    )

    assert Customer.objects.get(pk=customer.pk).regular_member_id == joris.pk
    assert _customer_events(customer) == [
        ("created", {"name": [None, "Anna"], "regular_member": [None, joris.pk]})
    ]


@pytest.mark.parametrize("who", ["other_business", "nobody"])
@pytest.mark.parametrize("given_as", ["user", "id"])
def test_someone_who_does_not_work_here_is_refused_and_nothing_stored(
    business, other_business, other_owner, who, given_as
):
    outsider = (
        other_owner
        if who == "other_business"
        else user_create(username="weg", password="pw-weg-12345")
    )
    customer = CustomerFactory(business=business, name="Anna")
    member = outsider if given_as == "user" else outsider.pk

    with pytest.raises(ValidationError) as refused_new:
        services.customer_create(business=business, name="Bert", regular_member=member)
    with pytest.raises(ValidationError) as refused_change:
        services.customer_update(customer=customer, regular_member=member, notes="Koffie zwart")

    for refused in (refused_new, refused_change):
        assert [
            (error.code, error.messages) for error in refused.value.error_dict["regular_member"]
        ] == [("not_member", ["Deze persoon werkt hier niet."])]
    assert list(Customer.objects.values_list("name", "regular_member_id", "notes")) == [
        ("Anna", None, "")
    ]
    assert not AuditEvent.objects.filter(object_type="customer").exists()


def test_a_refused_member_is_said_with_the_other_refusals(business, other_owner):
    refusals = services.customer_create_refusals(
        business=business, name="", regular_member=other_owner.pk, email="geen-adres"
    )

    assert {name: [error.code for error in errors] for name, errors in refusals.items()} == {
        "regular_member": ["not_member"],
        "name": ["blank"],
        "email": ["invalid"],
    }


def test_changing_and_emptying_the_regular_member_is_in_the_audit_trail(business, owner, joris):
    customer = CustomerFactory(business=business)

    services.customer_update(customer=customer, regular_member=joris, actor=owner)
    services.customer_update(customer=customer, regular_member=owner.pk, actor=owner)
    services.customer_update(customer=customer, regular_member=None, actor=owner)

    assert Customer.objects.get(pk=customer.pk).regular_member_id is None
    assert _customer_events(customer) == [
        ("changed", {"regular_member": [None, joris.pk]}),
        ("changed", {"regular_member": [joris.pk, owner.pk]}),
        ("changed", {"regular_member": [owner.pk, None]}),
    ]


def test_the_briefing_names_the_regular_member_once_when_they_serve_most(business, owner, joris):
    customer = CustomerFactory(business=business, regular_member=joris)
    _served(customer, joris, joris, owner)

    briefing = selectors.customer_briefing(
        customer=selectors.customer_get(business=business, customer_id=customer.pk)
    )

    assert (briefing.regular_member, briefing.usually_served_by) == ("Joris", "")


def test_the_briefing_names_both_when_someone_else_serves_them_mostly(business, owner, joris):
    customer = CustomerFactory(business=business, regular_member=joris)
    _served(customer, owner, owner, joris)

    briefing = selectors.customer_briefing(customer=customer)

    assert (briefing.regular_member, briefing.usually_served_by) == ("Joris", "Sanne")


def test_without_a_regular_member_the_briefing_says_who_usually_serves(business, owner, joris):
    customer = CustomerFactory(business=business)
    _served(customer, joris, joris)

    briefing = selectors.customer_briefing(customer=customer)

    assert (briefing.regular_member, briefing.usually_served_by) == ("", "Joris")


def test_the_regular_member_costs_the_profile_no_query(business, joris, django_assert_num_queries):
    # Read with the customer (customer_get joins them), as the referrer is.
    customer = CustomerFactory(business=business, regular_member=joris)
    _served(customer, joris, joris)

    with django_assert_num_queries(1):
        loaded = selectors.customer_get(business=business, customer_id=customer.pk)
        assert loaded.regular_member.first_name == "Joris"


def test_a_member_who_leaves_is_no_customer_s_regular_any_more(business, owner, joris):
    # Customers of another business are theirs to keep: Joris works there too.
    branch = business_create(name="Filiaal", owner=owner)
    membership_create(business=branch, user=joris, role=Role.STAFF)
    anna = CustomerFactory(business=business, name="Anna", regular_member=joris)
    bert = CustomerFactory(business=business, name="Bert", regular_member=owner)
    elders = CustomerFactory(business=branch, name="Cor", regular_member=joris)
    _served(anna, joris, joris)

    member_remove(membership=Membership.objects.get(business=business, user=joris), actor=owner)

    assert dict(Customer.objects.values_list("name", "regular_member_id")) == {
        "Anna": None,
        "Bert": owner.pk,
        "Cor": joris.pk,
    }
    briefing = selectors.customer_briefing(
        customer=selectors.customer_get(business=business, customer_id=anna.pk)
    )
    # Who served them stays a fact of their purchases (the timeline), but the briefing no
    # longer offers Joris as theirs nor as who usually serves them: he works here no more.
    assert (briefing.regular_member, briefing.usually_served_by) == ("", "")
    assert _customer_events(anna) == [("changed", {"regular_member": [joris.pk, None]})]
    assert AuditEvent.objects.get(customer=anna).actor == owner
    assert not AuditEvent.objects.filter(customer__in=[bert, elders]).exists()
    removal = AuditEvent.objects.get(object_type="membership", action="removed")
    assert removal.changes == {
        "user": "joris",
        "user_id": joris.pk,
        "role": "staff",
        "regular_customers": 1,
    }
    # An API client syncing the customers sees Anna changed.
    assert Customer.objects.get(pk=anna.pk).updated_at > Customer.objects.get(pk=bert.pk).updated_at


def test_a_refused_removal_keeps_the_customers_regular_member(business, owner):
    customer = CustomerFactory(business=business, regular_member=owner)

    with pytest.raises(ValidationError):
        member_remove(membership=Membership.objects.get(user=owner), actor=owner)  # last owner

    assert Customer.objects.get(pk=customer.pk).regular_member_id == owner.pk
    assert not AuditEvent.objects.filter(customer=customer).exists()


def test_a_deleted_user_leaves_no_regular_member(business, joris):
    customer = CustomerFactory(business=business, regular_member=joris)

    joris.delete()

    assert Customer.objects.get(pk=customer.pk).regular_member_id is None


def test_a_changed_meanwhile_message_names_the_member(business, owner, joris):
    assert services.shown_value("regular_member", joris.pk) == "Joris"
    assert services.shown_value("regular_member", None) == ""
