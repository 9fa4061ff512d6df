"""Two owners changing different survey settings at the same moment: both changes stay."""

import threading

import pytest
from django.db import connection, transaction

from klantvriend.core.models import AuditEvent
from klantvriend.core.tests.waiting import wait_until_blocked_or_done
from klantvriend.surveys.models import Survey
from klantvriend.surveys.services import survey_update


@pytest.mark.django_db(transaction=True)
def test_two_settings_changed_at_once_are_both_kept(business, owner):
    """The page saves the interval while the API switches the invitation after a delivery off:
    each wrote back every setting as it read it, and the second undid the first."""
    Survey.objects.create(business=business)

    def api_switches_deliveries_off():
        try:
            survey_update(business=business, actor=owner, invite_after_delivery=False)
        finally:
            connection.close()

    with transaction.atomic():
        survey_update(business=business, actor=owner, invitation_interval_days=30)
        other = threading.Thread(target=api_switches_deliveries_off)
        other.start()
        wait_until_blocked_or_done(other, what="the API's change")
    other.join(timeout=60)

    stored = Survey.objects.get(business=business)
    assert (stored.invitation_interval_days, stored.invite_after_delivery) == (30, False)
    assert [event.changes for event in AuditEvent.objects.order_by("id")] == [
        {"invitation_interval_days": [90, 30]},
        {"invite_after_delivery": [True, False]},
    ]


def test_saving_the_survey_unchanged_writes_no_trail(db, business, owner):
    survey_update(business=business, actor=owner, invitation_interval_days=30)

    survey_update(business=business, actor=owner, invitation_interval_days=30)

    assert AuditEvent.objects.count() == 1
