"""How many promises became known per UTC day and outcome (promises.models.PromiseOutcomeDay),
kept by triggers on the promises (promises 0009): after every kind of write to the promises,
through the services, the ORM one by one and in bulk, a move to another time zone, a merge, an
anonymisation and a deletion, the kept days are the promises counted afresh, and the trend
Today and the scorecard show (promise_trend) is the reliability page's, which counts the
promises themselves. Here, beside the importers, because those writes are theirs."""

from collections import Counter
from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from klantvriend.core.services import business_update
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.merge import customer_merge
from klantvriend.importers.privacy import customer_erase
from klantvriend.promises import services
from klantvriend.promises.models import Promise, PromiseOutcomeDay
from klantvriend.promises.selectors import promise_reliability, promise_trend
from klantvriend.promises.tests.factories import PromiseFactory


def _counted_afresh() -> Counter:
    counted: Counter = Counter()
    for promise in Promise.objects.all():
        if promise.done_at is not None:
            outcome = "on_time" if promise.done_at <= promise.due_at else "late"
        elif promise.cancelled_at is not None and promise.cancelled_at > promise.due_at:
            outcome = "cancelled_late"
        else:
            continue
        known = (promise.done_at or promise.cancelled_at).astimezone(UTC).date()
        counted[(promise.business_id, known, outcome)] += 1
    return counted


def _kept() -> Counter:
    return +Counter(
        {
            (day.business_id, day.day, day.outcome): day.promises
            for day in PromiseOutcomeDay.objects.all()
        }
    )


def _assert_kept(business, now) -> None:
    assert _kept() == _counted_afresh()
    midnight = datetime.combine(now.astimezone(UTC).date(), time.min, tzinfo=UTC)
    for moment in (now, now - timedelta(days=40, hours=5), midnight, midnight + timedelta(days=1)):
        assert promise_trend(business=business, now=moment) == (
            promise_reliability(business=business, now=moment).trend
        )


def test_the_kept_days_are_the_promises_counted_afresh_after_every_kind_of_write(
    business, other_business, owner
):
    now = timezone.now().replace(microsecond=0)
    anna, bram, cor = (CustomerFactory(business=business, name=n) for n in ("Anna", "Bram", "Cor"))

    def promise(customer, due_days_ago, done_hours_late=None, cancelled_hours_late=None):
        due = now - timedelta(days=due_days_ago)
        return PromiseFactory(
            customer=customer,
            made_at=due - timedelta(days=2),
            due_at=due,
            done_at=None if done_hours_late is None else due + timedelta(hours=done_hours_late),
            cancelled_at=None
            if cancelled_hours_late is None
            else due + timedelta(hours=cancelled_hours_late),
        )

    # Kept on time and late on either side of both windows' beginnings, cancelled in time and
    # late, open within and past its grace, one of another business,
    for customer, due, done, cancelled in [
        (anna, 200, 1, None), (anna, 180, -1, None), (anna, 180, 3, None), (anna, 91, 30, None),
        (bram, 90, -30, None), (bram, 89, 2, None), (bram, 60, None, -5), (bram, 60, None, 5),
        (cor, 100, None, None), (cor, 10, None, None), (cor, 0.5, None, None), (cor, 3, 0, None),
    ]:  # fmt: skip
        promise(customer, due, done, cancelled)
    promise(CustomerFactory(business=other_business), 20, 1)
    _assert_kept(business, now)

    # through the services: made, kept, reopened, cancelled, rescheduled, its due moment moved,
    made = services.promise_create(
        customer=anna,
        description="Taart",
        due_at=now + timedelta(hours=2),
        made_by=owner,
        made_at=now - timedelta(hours=1),
    )
    services.promise_mark_kept(promise=made, actor=owner, at=now - timedelta(minutes=5))
    _assert_kept(business, now)
    services.promise_reopen(promise=Promise.objects.get(pk=made.pk), actor=owner)
    _assert_kept(business, now)
    overdue = Promise.objects.get(customer=cor, due_at=now - timedelta(days=10))
    services.promise_reschedule(
        promise=overdue, actor=owner, due_at=now + timedelta(days=2), now=now
    )
    _assert_kept(business, now)
    services.promise_cancel(promise=Promise.objects.get(pk=made.pk), actor=owner)
    _assert_kept(business, now)
    waiting = Promise.objects.get(customer=cor, due_at=now - timedelta(days=100))
    services.promise_mark_kept(promise=waiting, actor=owner, at=now - timedelta(days=1))
    _assert_kept(business, now)

    # in bulk by the ORM, in another time zone, moved to another business,
    Promise.objects.filter(
        customer=anna, done_at__isnull=False, made_at__lt=now - timedelta(days=96)
    ).update(due_at=now - timedelta(days=95))
    _assert_kept(business, now)
    business_update(
        business=business, actor=owner, name=business.name, time_zone="Asia/Kolkata",
        language="nl",
    )  # fmt: skip
    _assert_kept(business, now)
    Promise.objects.filter(customer=bram, cancelled_at__isnull=False).update(
        business=other_business
    )
    _assert_kept(business, now)

    # merged, anonymised, deleted one by one, in bulk and with the customer.
    customer_merge(keep=anna, other=bram)
    _assert_kept(business, now)
    customer_erase(customer=anna)
    _assert_kept(business, now)
    Promise.objects.filter(customer=cor).first().delete()
    _assert_kept(business, now)
    Promise.objects.filter(business=other_business).delete()
    _assert_kept(business, now)
    cor.delete()
    _assert_kept(business, now)
    outcomes: Counter = Counter()
    for (_business, _day, outcome), promises in _kept().items():
        outcomes[outcome] += promises
    assert outcomes == {"on_time": 4, "late": 2}
