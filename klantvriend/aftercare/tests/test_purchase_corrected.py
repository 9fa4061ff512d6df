"""A purchase typed wrongly and corrected, or deleted: the call its rules planned follows the
correction (€ 125,00 for € 12,50 planned a call that € 12,50 does not ask for), unless someone
has worked on it already."""

from datetime import timedelta

import pytest
from django.utils import timezone

from klantvriend.aftercare.models import FollowUp, Reason
from klantvriend.aftercare.services import follow_up_update
from klantvriend.core.audit import AuditAction
from klantvriend.core.care_settings import care_settings_update
from klantvriend.core.models import AuditEvent
from klantvriend.core.tests.days import open_on
from klantvriend.customers.services import purchase_create, purchase_delete, purchase_update
from klantvriend.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

COLOUR = {"words": "kleur", "days": 3, "ask": "Vragen hoe de kleur houdt"}
CREAM = {"words": "creme", "days": 7, "ask": "Vragen of de crème bevalt"}


@pytest.fixture
def customer(business, owner):
    care_settings_update(
        business=business,
        actor=owner,
        aftercare_purchase_min_cents=10000,
        aftercare_purchase_days=3,
        aftercare_purchase_rules=[COLOUR, CREAM],
    )
    return CustomerFactory(business=business, name="Carla Peters")


def _bought(customer, capture, description="Knippen", amount_cents=12500, at=None):
    with capture(execute=True):
        return purchase_create(
            customer=customer, amount_cents=amount_cents, description=description, at=at
        )


def _calls(customer) -> list[tuple]:
    day = customer.business.today()
    return [
        (follow_up.due_on - day, follow_up.note)
        for follow_up in FollowUp.objects.filter(customer=customer, reason=Reason.PURCHASE)
    ]


def _in_days(customer, days: int) -> timedelta:
    today = customer.business.today()
    return open_on(today + timedelta(days=days)) - today


def test_an_amount_corrected_below_the_rule_takes_its_call_back(
    customer, owner, django_capture_on_commit_callbacks
):
    purchase = _bought(customer, django_capture_on_commit_callbacks)
    call = FollowUp.objects.get()

    purchase_update(purchase=purchase, actor=owner, amount_cents=1250)

    assert FollowUp.objects.count() == 0
    assert list(
        AuditEvent.objects.filter(object_type="followup", object_id=call.pk)
        .order_by("pk")
        .values_list("action", "actor")
    ) == [(AuditAction.PLANNED, None), (AuditAction.DELETED, owner.pk)]


def test_a_corrected_description_asks_what_its_rule_asks_on_its_day(
    customer, owner, django_capture_on_commit_callbacks
):
    purchase = _bought(customer, django_capture_on_commit_callbacks, "Kleur", amount_cents=6500)
    assert _calls(customer) == [(_in_days(customer, 3), "Vragen hoe de kleur houdt")]

    purchase_update(purchase=purchase, actor=owner, description="Crème de jour")

    assert _calls(customer) == [(_in_days(customer, 7), "Vragen of de crème bevalt")]
    assert FollowUp.objects.get().purchase == purchase


def test_a_correction_the_call_does_not_hang_on_leaves_it_as_it_is(
    customer, owner, django_capture_on_commit_callbacks
):
    purchase = _bought(customer, django_capture_on_commit_callbacks, amount_cents=12500)
    call = FollowUp.objects.get()

    purchase_update(purchase=purchase, actor=owner, amount_cents=13000, external_ref="B-77")

    assert list(FollowUp.objects.values_list("pk", flat=True)) == [call.pk]
    assert not AuditEvent.objects.filter(
        object_type="followup", action=AuditAction.DELETED
    ).exists()


def test_an_amount_corrected_above_the_rule_plans_the_call(
    customer, owner, django_capture_on_commit_callbacks
):
    purchase = _bought(customer, django_capture_on_commit_callbacks, amount_cents=1250)
    assert FollowUp.objects.count() == 0

    purchase_update(purchase=purchase, actor=owner, amount_cents=12500)

    # In the shop's language, as a call planned with the purchase.
    assert _calls(customer) == [(_in_days(customer, 3), "Was alles naar wens: Knippen?")]


def test_correcting_last_years_purchase_plans_no_call_for_last_year(
    customer, owner, django_capture_on_commit_callbacks
):
    a_year_ago = timezone.now() - timedelta(days=365)
    purchase = _bought(
        customer, django_capture_on_commit_callbacks, amount_cents=1250, at=a_year_ago
    )

    purchase_update(purchase=purchase, actor=owner, amount_cents=12500)

    assert FollowUp.objects.count() == 0


def test_a_call_someone_worked_on_stays_after_the_correction_and_the_deletion(
    customer, owner, django_capture_on_commit_callbacks
):
    purchase = _bought(customer, django_capture_on_commit_callbacks)
    call = FollowUp.objects.get()
    follow_up_update(follow_up=call, actor=owner, note="Vragen hoe het knippen beviel")

    purchase_update(purchase=purchase, actor=owner, amount_cents=1250)
    assert list(FollowUp.objects.values_list("pk", "note")) == [
        (call.pk, "Vragen hoe het knippen beviel")
    ]
    purchase_delete(purchase=purchase, actor=owner)

    assert list(FollowUp.objects.values_list("pk", "purchase")) == [(call.pk, None)]


def test_a_purchase_deleted_by_mistake_takes_its_untouched_call_with_it(
    customer, owner, django_capture_on_commit_callbacks
):
    purchase = _bought(customer, django_capture_on_commit_callbacks)

    purchase_delete(purchase=purchase, actor=owner)

    assert FollowUp.objects.count() == 0
