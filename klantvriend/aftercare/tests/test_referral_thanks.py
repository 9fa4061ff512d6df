"""A referrer's thank-you: closed as thanked (not content or not content), by hand or by the
thank-you gesture logged for them."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from klantvriend.aftercare.models import FollowUp, Outcome, Reason
from klantvriend.aftercare.services import follow_up_complete
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.core.audit import AuditAction
from klantvriend.core.errors import ValidationError
from klantvriend.core.models import AuditEvent
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures.models import Occasion
from klantvriend.gestures.services import gesture_create


@pytest.fixture
def thanks(business):
    referrer = CustomerFactory(business=business, name="Koen Brouwer")
    return FollowUpFactory(
        business=business,
        customer=referrer,
        reason=Reason.REFERRAL,
        note="Bedank voor het doorverwijzen van Eva de Groot.",
        referred_customer=CustomerFactory(business=business, name="Eva de Groot"),
    )


def test_a_thank_you_is_thanked_or_not_reached_and_nothing_else(thanks, owner):
    refused = []
    for outcome in (Outcome.CONTENT, Outcome.NOT_CONTENT, Outcome.ACCEPTED, "still_deciding"):
        with translation.override("nl"), pytest.raises(ValidationError) as caught:
            follow_up_complete(follow_up=thanks, actor=owner, outcome=outcome)
        refused.append(caught.value.message_dict["outcome"])

    assert refused == [["Kies bedankt, niet bereikt of niet nodig."]] * 4
    thanks.refresh_from_db()
    assert (thanks.done_at, thanks.outcome) == (None, "")

    done = follow_up_complete(
        follow_up=thanks, actor=owner, outcome=Outcome.THANKED, note="Bloemen"
    )

    assert (done.outcome, done.outcome_note, done.get_outcome_display()) == (
        "thanked",
        "Bloemen",
        "bedankt",
    )


def test_thanked_is_refused_for_any_other_follow_up(business, owner):
    after_delivery = FollowUpFactory(
        customer=CustomerFactory(business=business), reason=Reason.DELIVERY
    )

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        follow_up_complete(follow_up=after_delivery, actor=owner, outcome=Outcome.THANKED)

    assert caught.value.message_dict == {
        "outcome": ["Choose content, not content, not reached or not needed."]
    }
    after_delivery.refresh_from_db()
    assert after_delivery.done_at is None


def test_a_thank_you_gesture_closes_the_referrers_open_thanks_as_thanked(business, thanks, owner):
    given_at = timezone.now()
    later = FollowUpFactory(  # planned after the gesture: for a later referral, stays open
        business=business,
        customer=thanks.customer,
        reason=Reason.REFERRAL,
        note="Bedank voor het doorverwijzen van Mila Bakker.",
        referred_customer=CustomerFactory(business=business, name="Mila Bakker"),
    )
    FollowUp.objects.filter(pk=later.pk).update(created_at=given_at + timedelta(minutes=1))

    gesture = gesture_create(
        customer=thanks.customer,
        what="Fles wijn",
        occasion=Occasion.REFERRAL_THANKS,
        given_by=owner,
        given_at=given_at,
    )

    thanks.refresh_from_db()
    later.refresh_from_db()
    assert (thanks.done_at, thanks.outcome, thanks.outcome_note) == (
        given_at,
        "thanked",
        "Fles wijn",
    )
    assert (later.done_at, later.outcome) == (None, "")
    completed = AuditEvent.objects.get(
        object_id=thanks.pk, object_type="followup", action=AuditAction.COMPLETED
    )
    assert completed.actor == owner
    assert gesture.pk is not None


def test_another_gesture_or_another_customers_thanks_leaves_the_thanks_open(
    business, thanks, owner
):
    gesture_create(customer=thanks.customer, what="Koekje", occasion=Occasion.JUST_BECAUSE)
    gesture_create(
        customer=CustomerFactory(business=business),
        what="Fles wijn",
        occasion=Occasion.REFERRAL_THANKS,
        given_by=owner,
    )

    thanks.refresh_from_db()
    assert (thanks.done_at, thanks.outcome) == (None, "")
