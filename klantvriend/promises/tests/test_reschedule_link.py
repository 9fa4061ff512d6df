"""A promise moved to a new moment after it passed unkept names its successor
(Promise.rescheduled_to, set by services.promise_reschedule in its transaction), and the successor
its predecessor. The link joins the two rows for people; the figures never read it: the old one
stays broken by its own moment, the new one is judged on its own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from klantvriend.core.models import AuditEvent
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises import services
from klantvriend.promises.models import Promise
from klantvriend.promises.selectors import (
    promise_list,
    promise_outcomes,
    promise_reliability,
    promise_with_status,
)
from klantvriend.promises.status import PromiseStatus
from klantvriend.promises.tests.factories import overdue_promise


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Anna de Vries")


def _overdue(customer, owner, now, description="Fiets gerepareerd", hours=20):
    """Promised three days ago for `hours` ago (recorded then), not kept."""
    return overdue_promise(
        customer=customer,
        made_by=owner,
        now=now,
        due_at=now - timedelta(hours=hours),
        description=description,
    )


@pytest.fixture
def overdue(customer, owner, now):
    return _overdue(customer, owner, now)


def test_the_old_promise_names_its_successor_and_the_trail_says_so(overdue, owner, customer, now):
    last_event = AuditEvent.objects.latest("pk").pk

    new = services.promise_reschedule(
        promise=overdue, actor=owner, due_at=now + timedelta(days=2), now=now
    )

    old = Promise.objects.get(pk=overdue.pk)
    assert old.rescheduled_to_id == new.pk
    assert Promise.objects.get(pk=new.pk).predecessor == old
    assert new.rescheduled_to_id is None
    assert old.predecessor is None
    trail = list(
        AuditEvent.objects.filter(pk__gt=last_event)
        .order_by("pk")
        .values_list("action", "object_id", "changes")
    )
    assert [(action, pk) for action, pk, _changes in trail] == [
        ("cancelled", old.pk),
        ("created", new.pk),
        ("changed", old.pk),
    ]
    assert trail[2][2] == {"rescheduled_to": [None, new.pk]}


def test_a_refused_new_moment_links_nothing(overdue, owner, now):
    with pytest.raises(services.ValidationError):
        services.promise_reschedule(
            promise=overdue, actor=owner, due_at=now - timedelta(days=5), now=now
        )

    assert list(Promise.objects.values_list("pk", "rescheduled_to", "cancelled_at")) == [
        (overdue.pk, None, None)
    ]


def test_a_successor_moved_again_names_its_own_successor(overdue, owner, now):
    second = services.promise_reschedule(
        promise=overdue, actor=owner, due_at=now + timedelta(hours=1), now=now
    )
    later = now + timedelta(hours=5)
    # Recorded at `now`, due an hour later, still open four hours after that.
    third = services.promise_reschedule(
        promise=second, actor=owner, due_at=later + timedelta(days=1), now=later
    )

    chain = dict(Promise.objects.values_list("pk", "rescheduled_to"))
    assert chain == {overdue.pk: second.pk, second.pk: third.pk, third.pk: None}
    assert Promise.objects.get(pk=third.pk).predecessor.pk == second.pk


def test_deleting_the_successor_leaves_the_old_promise_without_a_link(overdue, owner, now):
    new = services.promise_reschedule(
        promise=overdue, actor=owner, due_at=now + timedelta(days=2), now=now
    )

    Promise.objects.filter(pk=new.pk).delete()

    old = Promise.objects.get(pk=overdue.pk)
    assert (old.rescheduled_to_id, old.cancelled_at) == (None, now)


def _figures(business, now):
    reliability = promise_reliability(business=business, now=now)
    outcomes = promise_outcomes(business=business, period="12m", now=now)
    tally = outcomes.tally
    return (
        reliability.overall,
        reliability.by_kind,
        reliability.by_member,
        (tally.on_time, tally.late, tally.broken, tally.cancelled, tally.open),
        sorted(
            (promise.pk, promise_with_status(promise=promise, now=now).status)
            for promise in promise_list(business=business)
        ),
    )


def test_the_figures_count_the_old_promise_broken_and_the_new_on_its_own_moment(
    business, customer, owner, now
):
    # Two promises moved after they passed unkept: one kept by its new moment, the other late.
    first = _overdue(customer, owner, now, "Fiets gerepareerd", hours=30)
    second = _overdue(customer, owner, now, "Band geplakt", hours=26)
    at = now - timedelta(hours=24)
    kept_in_time = services.promise_reschedule(
        promise=first, actor=owner, due_at=at + timedelta(hours=10), now=at
    )
    kept_late = services.promise_reschedule(
        promise=second, actor=owner, due_at=at + timedelta(hours=2), now=at
    )
    services.promise_mark_kept(
        promise=kept_in_time, actor=owner, at=at + timedelta(hours=9), now=now
    )
    services.promise_mark_kept(promise=kept_late, actor=owner, at=at + timedelta(hours=8), now=now)

    linked = _figures(business, now)
    # The same rows without the links: what the figures were before promises were linked.
    Promise.objects.update(rescheduled_to=None)
    unlinked = _figures(business, now)

    assert linked == unlinked
    overall = linked[0]
    assert (overall.judged, overall.kept_on_time, overall.kept_late, overall.broken) == (4, 1, 1, 2)
    assert overall.kept_on_time_share == 0.25
    assert linked[3] == (1, 1, 2, 0, 0)
    kept_in_time.refresh_from_db()
    # Kept an hour before it was due: early if that was on an earlier day (around midnight).
    on_time = (
        PromiseStatus.KEPT_EARLY
        if kept_in_time.done_on < kept_in_time.due_on
        else PromiseStatus.KEPT
    )
    assert linked[4] == sorted(
        [
            (first.pk, PromiseStatus.BROKEN),
            (second.pk, PromiseStatus.BROKEN),
            (kept_in_time.pk, on_time),
            (kept_late.pk, PromiseStatus.KEPT_LATE),
        ]
    )


def test_undoing_done_on_the_successor_reopens_it_and_keeps_both_links(overdue, owner, now):
    new = services.promise_reschedule(
        promise=overdue, actor=owner, due_at=timezone.now() + timedelta(days=2)
    )
    kept = services.promise_mark_kept(promise=new, actor=owner)

    reopened = services.promise_reopen(promise=kept, actor=owner)

    old = Promise.objects.get(pk=overdue.pk)
    assert (reopened.done_at, reopened.cancelled_at) == (None, None)
    assert promise_with_status(promise=reopened).status == PromiseStatus.OPEN
    assert old.rescheduled_to_id == new.pk
    assert promise_with_status(promise=old).status == PromiseStatus.BROKEN
    assert Promise.objects.get(pk=new.pk).predecessor == old


def test_the_old_promise_offers_no_undo_and_is_not_reopened(overdue, owner, now):
    services.promise_reschedule(promise=overdue, actor=owner, due_at=now + timedelta(days=2))
    before = list(Promise.objects.order_by("pk").values())

    with pytest.raises(services.Conflict) as refused:
        services.promise_reopen(promise=overdue, actor=owner)

    assert refused.value.error_dict["done_at"][0].code == "cancelled"
    assert list(Promise.objects.order_by("pk").values()) == before


def test_the_lists_find_each_predecessor_through_an_index_after_sqlite_gathers_statistics(
    customer, owner, now
):
    """SQLite's ANALYZE counts the NULL links of a shop that never moved a promise as one value
    shared by every promise, and its planner then passed over the link's unique index: Today's
    lists read every promise for each row's predecessor (104 and 135 ms at 60,000 promises).
    The index of the links alone (promise_successor) is taken."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from klantvriend.core.db import refresh_planner_statistics
    from klantvriend.promises.selectors import promise_agenda
    from klantvriend.promises.tests.factories import PromiseFactory

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's statistics know the NULLs of an index for what they are")
    # Overdue from yesterday, however close to the business's midnight the test runs.
    business = customer.business
    yesterday_noon = business.start_of(business.local(now).date()) - timedelta(hours=12)
    _overdue(customer, owner, now, hours=(now - yesterday_noon) / timedelta(hours=1))
    # A shop that never moved a promise: every link NULL. At a thousand promises SQLite then
    # scanned them all for each row without the index of the links (at sixty it did not).
    kept = PromiseFactory.build_batch(
        1200,
        customer=customer,
        made_at=now - timedelta(days=30),
        due_at=now - timedelta(days=20),
        done_at=now - timedelta(days=20),
    )
    Promise.objects.bulk_create(kept)
    # Due later today, however close to the business's midnight the test runs
    midnight = business.start_of(business.local(now).date() + timedelta(days=1))
    PromiseFactory(customer=customer, made_at=now, due_at=now + (midnight - now) / 2)
    refresh_planner_statistics()

    with CaptureQueriesContext(connection) as queries:
        agenda = promise_agenda(business=customer.business, now=now)
    assert agenda.overdue.total == 1
    assert agenda.due_today.total == 1
    listed = [q["sql"] for q in queries.captured_queries if '"rescheduled_to_id"' in q["sql"]]
    assert len(listed) == 2
    for sql in listed:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            steps = [row[-1] for row in cursor.fetchall()]
        predecessor = [step for step in steps if step.startswith(("SCAN T", "SEARCH T"))]
        assert predecessor == [
            "SEARCH T5 USING INDEX promise_successor (rescheduled_to_id=?) LEFT-JOIN"
        ]
