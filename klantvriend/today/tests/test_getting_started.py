"""Today's "Getting started" steps, each ticked off from the business's own data, and the card
that stays until every step is done or an owner hides it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from klantvriend.core.care_settings import care_settings_update
from klantvriend.core.models import Business, Membership, Role
from klantvriend.core.services import (
    business_getting_started_close,
    membership_create,
    user_create,
)
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.today.selectors import getting_started

from .steps import STEPS, take_every_step, take_step

NOTHING_DONE = dict.fromkeys(STEPS, False)


def _owner_steps(business, membership):
    card = getting_started(business=Business.objects.get(pk=business.pk), membership=membership)
    return None if card is None else (card.steps, card.done, card.total, card.finished)


def test_a_new_business_has_four_steps_to_take_and_none_done(business, membership):
    assert _owner_steps(business, membership) == (NOTHING_DONE, 0, 4, False)


@pytest.mark.parametrize(
    ("step", "done"),
    [
        ("customers", {"customers"}),
        ("purchases", {"customers", "purchases"}),
        ("working_hours", {"working_hours"}),
        ("staff", {"staff"}),
    ],
)
def test_each_step_is_ticked_off_by_the_data_it_asks_for(
    business, membership, owner, other_business, step, done
):
    # What another business did ticks nothing off here.
    PurchaseFactory(customer=CustomerFactory(business=other_business))
    care_settings_update(business=other_business, actor=owner)
    membership_create(business=other_business, user=owner, role=Role.STAFF)

    take_step(business=business, owner=owner, step=step)

    steps, count, total, finished = _owner_steps(business, membership)

    assert steps == {name: name in done for name in NOTHING_DONE}
    assert (count, total, finished) == (len(done), 4, False)


def test_a_second_owner_counts_as_the_staff_step_for_the_first(business, membership):
    second = membership_create(business=business, user=_user("pieter"), role=Role.OWNER)

    assert _owner_steps(business, membership)[0]["staff"] is True
    assert _owner_steps(business, second)[0]["staff"] is True


def test_every_step_done_finishes_the_card(business, membership, owner):
    take_every_step(business=business, owner=owner)

    assert _owner_steps(business, membership) == (dict.fromkeys(NOTHING_DONE, True), 4, 4, True)


def test_staff_have_only_the_step_they_may_take_until_there_is_a_customer(business, staff_user):
    staff = Membership.objects.get(user=staff_user)

    card = getting_started(business=business, membership=staff)

    assert (card.steps, card.done, card.total) == ({"customers": False}, 0, 1)
    CustomerFactory(business=business)
    assert getting_started(business=business, membership=staff) is None


def test_the_steps_cost_one_query_whatever_the_size_and_none_once_closed(
    business, membership, owner, django_assert_num_queries
):
    for _ in range(20):
        PurchaseFactory(customer=CustomerFactory(business=business))
    business = Business.objects.get(pk=business.pk)
    with django_assert_num_queries(1):
        getting_started(business=business, membership=membership)

    business_getting_started_close(business=business)

    with django_assert_num_queries(0):
        assert getting_started(business=business, membership=membership) is None


def test_a_closed_card_stays_closed_and_keeps_its_first_moment(business, membership):
    business_getting_started_close(business=business)
    first = Business.objects.get(pk=business.pk).getting_started_closed_at

    business_getting_started_close(business=Business.objects.get(pk=business.pk))

    assert Business.objects.get(pk=business.pk).getting_started_closed_at == first
    assert first is not None
    assert business.getting_started_closed_at == first


BEFORE = [("core", "0010_membership_morning_email")]


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_closes_the_card_of_businesses_that_already_have_customers(
    business, other_business
):
    # Before it, the card went with the first customer: such a business keeps its Today.
    CustomerFactory(business=business)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        before = timezone.now()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    after = timezone.now()

    closed = dict(Business.objects.values_list("pk", "getting_started_closed_at"))
    assert before <= closed[business.pk] <= after
    assert closed[other_business.pk] is None
    assert Customer.objects.filter(business=other_business).count() == 0


def _user(username):
    return user_create(username=username, password=f"pw-{username}-123")
