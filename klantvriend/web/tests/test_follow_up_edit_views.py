"""A follow-up changed on the web, as the API could already: its question reworded (after a
funeral's flowers, not "is everything all right?"), its day moved, who calls."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from klantvriend.aftercare.models import FollowUp, Outcome, Reason
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.core.versions import record_version
from klantvriend.customers.tests.factories import CustomerFactory


def _planned_after_a_funeral(business):
    customer = CustomerFactory(business=business, name="Fam. Bakker")
    return FollowUpFactory(
        customer=customer,
        reason=Reason.DELIVERY,
        note="Is alles naar wens na: Rouwstuk bezorgen bij uitvaartcentrum?",
        due_on=business.today() + timedelta(days=3),
    )


def test_a_follow_up_planned_by_a_rule_is_reworded_and_moved_from_the_profile(
    owner_client, business, staff_user
):
    follow_up = _planned_after_a_funeral(business)
    edit = reverse("web:follow_up_edit", args=[follow_up.pk])
    profile = reverse("web:customer_detail", args=[follow_up.customer_id])

    card = owner_client.get(profile)
    page = owner_client.get(edit)
    saved = owner_client.post(
        edit,
        {
            "note": "Even informeren hoe het met de familie gaat",
            "due_on": (business.today() + timedelta(days=10)).isoformat(),
            "assigned_to": staff_user.pk,
            "version": record_version(follow_up),
        },
    )

    assert f'href="{edit}"' in card.text
    assert page.status_code == 200
    assert saved.status_code == 302
    assert saved["Location"] == profile
    follow_up.refresh_from_db()
    assert (follow_up.note, follow_up.due_on, follow_up.assigned_to) == (
        "Even informeren hoe het met de familie gaat",
        business.today() + timedelta(days=10),
        staff_user,
    )


def test_a_day_in_the_past_is_refused_and_nothing_changes(owner_client, business):
    follow_up = _planned_after_a_funeral(business)
    before = FollowUp.objects.values().get(pk=follow_up.pk)

    refused = owner_client.post(
        reverse("web:follow_up_edit", args=[follow_up.pk]),
        {
            "note": "Even informeren hoe het met de familie gaat",
            "due_on": (business.today() - timedelta(days=1)).isoformat(),
            "version": record_version(follow_up),
        },
    )

    assert refused.status_code == 422
    assert FollowUp.objects.values().get(pk=follow_up.pk) == before


def test_a_follow_up_done_is_not_changed(owner_client, business):
    follow_up = _planned_after_a_funeral(business)
    FollowUp.objects.filter(pk=follow_up.pk).update(done_at=timezone.now(), outcome=Outcome.CONTENT)
    follow_up.refresh_from_db()
    before = FollowUp.objects.values().get(pk=follow_up.pk)

    answer = owner_client.post(
        reverse("web:follow_up_edit", args=[follow_up.pk]),
        {"note": "Anders", "due_on": business.today().isoformat(), "version": "x"},
    )

    assert answer.status_code == 302
    assert FollowUp.objects.values().get(pk=follow_up.pk) == before
