from datetime import timedelta

import factory
from django.utils import timezone

from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises import services
from klantvriend.promises.models import Promise, PromiseKind


class PromiseFactory(factory.django.DjangoModelFactory):
    """A promise as stored; `due_on`/`done_on` follow from the moments like the service does."""

    class Meta:
        model = Promise

    customer = factory.SubFactory(CustomerFactory)
    business = factory.SelfAttribute("customer.business")
    description = factory.Sequence(lambda n: f"Bestelling {n} klaarzetten")
    kind = PromiseKind.ORDER_READY
    made_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
    due_at = factory.LazyAttribute(lambda promise: promise.made_at + timedelta(days=1))
    done_at = None
    cancelled_at = None
    due_on = factory.LazyAttribute(lambda promise: promise.business.local(promise.due_at).date())
    done_on = factory.LazyAttribute(
        lambda promise: promise.business.local(promise.done_at).date() if promise.done_at else None
    )


def overdue_promise(
    *,
    customer,
    made_by,
    now,
    due_at,
    description="Fiets gerepareerd",
    kind=PromiseKind.REPAIR,
    made_days_before=3,
):
    """A promise made (and recorded) `made_days_before` days before `now`, due at `due_at`, and
    not kept: once `due_at` has passed, its due moment stays (Promise.due_moment_stays) and a
    new moment is a new promise (services.promise_reschedule)."""
    made = now - timedelta(days=made_days_before)
    promise = services.promise_create(
        customer=customer,
        description=description,
        kind=kind,
        due_at=due_at,
        made_by=made_by,
        made_at=made,
        now=made,
    )
    Promise.objects.filter(pk=promise.pk).update(created_at=made)
    promise.refresh_from_db()
    return promise
