"""A complaint's clock corrected while the business's time zone changes: the business is taken
before the complaint, as the change of zone takes them, so neither waits for the other."""

import threading
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from klantvriend.complaints.models import Complaint
from klantvriend.complaints.services import complaint_change
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.models import Business
from klantvriend.core.tests.waiting import wait_until_blocked_or_done
from klantvriend.customers.tests.factories import CustomerFactory


@pytest.mark.django_db(transaction=True)
def test_a_clock_correction_waits_for_the_business_before_it_takes_the_complaint(business, owner):
    """The zone change holds the business and goes on to re-date the complaints. The PATCH of
    when the complaint came in used to lock the complaint first and then wait for the business:
    the zone change could then not take the complaint, and PostgreSQL broke one of the two off
    with a deadlock. Now the PATCH waits before it takes anything, so the complaint is free."""
    complaint = ComplaintFactory(
        customer=CustomerFactory(business=business),
        received_at=timezone.now() - timedelta(hours=2),
    )
    moved = timezone.now() - timedelta(hours=3)
    taken = {}

    def the_patch():
        try:
            complaint_change(complaint=complaint, actor=owner, fields={"received_at": moved})
        finally:
            connection.close()

    with transaction.atomic():
        Business.objects.select_for_update(no_key=True).get(pk=business.pk)  # the zone change
        patch = threading.Thread(target=the_patch)
        patch.start()
        wait_until_blocked_or_done(patch, what="the PATCH")
        try:
            Complaint.objects.select_for_update(nowait=True).get(pk=complaint.pk)
            taken["complaint"] = True
        except DatabaseError:
            taken["complaint"] = False
    patch.join(timeout=60)

    assert taken == {"complaint": True}
    assert Complaint.objects.get(pk=complaint.pk).received_at == moved
