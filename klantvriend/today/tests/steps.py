"""The data that ticks off each of Today's getting-started steps, for the tests of the selector
and of the page."""

from klantvriend.core.care_settings import care_settings_update
from klantvriend.core.models import Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory

STEPS = ("customers", "purchases", "working_hours", "staff")


def take_step(*, business, owner, step: str) -> None:
    if step == "customers":
        CustomerFactory(business=business)
    elif step == "purchases":
        # A purchase is always a customer's: it ticks off both.
        PurchaseFactory(customer=CustomerFactory(business=business))
    elif step == "working_hours":
        # Saved as they were: the owner looked and found the defaults right.
        care_settings_update(business=business, actor=owner)
    elif step == "staff":
        username = f"staff-{business.pk}"
        user = user_create(username=username, password=f"pw-{username}-123")
        membership_create(business=business, user=user, role=Role.STAFF)
    else:
        raise ValueError(step)


def take_every_step(*, business, owner) -> None:
    for step in STEPS[1:]:
        take_step(business=business, owner=owner, step=step)
