"""The aftercare figure judges a follow-up after a delivery, a repair or a complaint by the day it
was planned for: once that day has passed, or the follow-up is done, the day stays. Moved
afterwards, a follow-up done late would count as done in time."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from klantvriend.aftercare import services
from klantvriend.aftercare.models import Reason
from klantvriend.aftercare.selectors import follow_up_coverage
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot
from klantvriend.promises.tests.factories import PromiseFactory

from .factories import FollowUpFactory


@pytest.fixture
def late(business):
    """The call after a repair, planned for five days ago and not made yet."""
    today = business.today()
    repair = PromiseFactory(
        customer=CustomerFactory(business=business),
        kind="repair",
        made_at=timezone.now() - timedelta(days=12),
        due_at=timezone.now() - timedelta(days=9),
        done_at=timezone.now() - timedelta(days=9),
    )
    return FollowUpFactory(
        customer=repair.customer,
        reason=Reason.REPAIR,
        promise=repair,
        due_on=today - timedelta(days=5),
    )


def test_the_passed_day_of_a_judged_follow_up_stays(business, owner, late):
    before = snapshot()

    with pytest.raises(services.Conflict) as refused, translation.override("en"):
        services.follow_up_update(
            follow_up=late, actor=owner, due_on=business.today() + timedelta(days=1)
        )

    error = refused.value.error_dict["due_on"][0]
    assert (error.code, error.messages) == (
        "overdue",
        [
            "The day this follow-up was planned for has passed, and the aftercare figure "
            "judges it by that day, so it stays. Contact the customer now and record what "
            "came of it."
        ],
    )
    assert snapshot() == before


def test_done_late_it_counts_as_late(business, owner, late):
    with pytest.raises(services.Conflict):
        services.follow_up_update(follow_up=late, actor=owner, due_on=business.today())
    services.follow_up_complete(follow_up=late, actor=owner, outcome="content")

    coverage = follow_up_coverage(business=business)

    assert (coverage.judged, coverage.covered) == (1, 0)


def test_a_done_judged_follow_up_keeps_its_day(business, owner, late):
    services.follow_up_complete(follow_up=late, actor=owner, outcome="content")
    before = snapshot()

    with pytest.raises(services.Conflict) as refused:
        services.follow_up_update(follow_up=late, actor=owner, due_on=business.today())

    assert refused.value.error_dict["due_on"][0].code == "finished"
    assert snapshot() == before


def test_a_judged_follow_up_not_yet_due_may_move_and_its_note_may_change(business, owner, late):
    ahead = FollowUpFactory(
        customer=late.customer, reason=Reason.COMPLAINT, due_on=business.today()
    )

    services.follow_up_update(
        follow_up=ahead, actor=owner, due_on=business.today() + timedelta(days=3)
    )
    # and the late one's note, with its day sent back unchanged
    services.follow_up_update(follow_up=late, actor=owner, note="Bellen", due_on=late.due_on)

    ahead.refresh_from_db()
    late.refresh_from_db()
    assert ahead.due_on == business.today() + timedelta(days=3)
    assert (late.note, late.due_on) == ("Bellen", business.today() - timedelta(days=5))


def test_a_follow_up_planned_by_hand_may_still_be_moved(business, owner):
    by_hand = FollowUpFactory(
        customer=CustomerFactory(business=business),
        reason=Reason.MANUAL,
        due_on=business.today() - timedelta(days=3),
    )

    services.follow_up_update(
        follow_up=by_hand, actor=owner, due_on=business.today() + timedelta(days=1)
    )

    by_hand.refresh_from_db()
    assert by_hand.due_on == business.today() + timedelta(days=1)
