"""A member who leaves the business: their open follow-ups are for everyone (the aftercare list
can no longer be filtered on them, so their calls went unseen); done ones keep who had them.
The owner is told before removing them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from klantvriend.aftercare import services
from klantvriend.aftercare.models import FollowUp, Outcome
from klantvriend.core.audit import AuditAction
from klantvriend.core.members import member_remove
from klantvriend.core.models import AuditEvent, Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.tests.factories import CustomerFactory

from .factories import FollowUpFactory


@pytest.fixture
def mo(business):
    user = user_create(username="mo", password="pw-mo-12345", first_name="Mo")
    membership_create(business=business, user=user, role=Role.STAFF)
    return user


def test_a_leavers_open_follow_ups_are_for_everyone_and_the_trail_says_by_whom(
    business, owner, mo, staff_user
):
    anouk = CustomerFactory(business=business, name="Anouk")
    tomorrow = business.today() + dt.timedelta(days=1)
    open_one = FollowUpFactory(customer=anouk, assigned_to=mo, due_on=tomorrow)
    done = FollowUpFactory(
        customer=anouk,
        assigned_to=mo,
        due_on=business.today(),
        done_at=timezone.now(),
        outcome=Outcome.CONTENT,
    )
    colleagues = FollowUpFactory(customer=anouk, assigned_to=staff_user, due_on=tomorrow)

    member_remove(membership=business.memberships.get(user=mo), actor=owner)

    assigned = dict(FollowUp.objects.values_list("pk", "assigned_to_id"))
    assert assigned == {open_one.pk: None, done.pk: mo.pk, colleagues.pk: staff_user.pk}
    trail = AuditEvent.objects.filter(object_type="followup", action=AuditAction.CHANGED)
    assert [(event.object_id, event.actor, event.changes) for event in trail] == [
        (open_one.pk, owner, {"assigned_to": [mo.pk, None]})
    ]
    removal = AuditEvent.objects.get(object_type="membership")
    assert removal.changes["open_follow_ups"] == 1


def test_a_try_recorded_while_the_member_leaves_keeps_what_it_recorded(
    business, owner, mo, staff_user, monkeypatch
):
    """The removal reads each of the leaver's open follow-ups and writes it without them. A
    colleague's "not reached" recorded on it in between (another request, between that read
    and that write) keeps its try, its new day and its note: the removal writes whom it is
    assigned to, not the rest of the row as it read it."""
    follow_up = FollowUpFactory(
        customer=CustomerFactory(business=business), assigned_to=mo, due_on=business.today()
    )
    checked = services._changes_checked
    recorded = []

    def colleague_records_a_try_meanwhile(changed, fields, business):
        if not recorded:
            recorded.append(
                services.follow_up_complete(
                    follow_up=FollowUp.objects.get(pk=changed.pk),
                    actor=staff_user,
                    outcome=services.NOT_REACHED,
                    note="Voicemail ingesproken",
                )
            )
        checked(changed, fields, business)

    monkeypatch.setattr(services, "_changes_checked", colleague_records_a_try_meanwhile)

    member_remove(membership=business.memberships.get(user=mo), actor=owner)

    stored = FollowUp.objects.get(pk=follow_up.pk)
    assert recorded[0].due_on > business.today()
    assert (stored.assigned_to, stored.attempts, stored.due_on, stored.outcome_note) == (
        None,
        1,
        recorded[0].due_on,
        "Voicemail ingesproken",
    )


def test_a_removal_refused_leaves_the_follow_ups_assigned(business, owner):
    """The last owner cannot leave: their follow-ups stay theirs."""
    follow_up = FollowUpFactory(
        customer=CustomerFactory(business=business),
        assigned_to=owner,
        due_on=business.today() + dt.timedelta(days=1),
    )
    before = list(AuditEvent.objects.values_list("pk", flat=True))

    with pytest.raises(ValidationError) as refused:
        member_remove(membership=business.memberships.get(user=owner), actor=owner)

    assert refused.value.code == "last_owner"

    follow_up.refresh_from_db()
    assert follow_up.assigned_to == owner
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == before


def test_the_owner_is_told_of_a_leavers_open_follow_ups_before_removing_them(
    owner_client, business, mo
):
    customer = CustomerFactory(business=business, name="Anouk")
    for days in (1, 2):
        FollowUpFactory(
            customer=customer, assigned_to=mo, due_on=business.today() + dt.timedelta(days=days)
        )
    url = reverse("web:member_remove", args=[business.memberships.get(user=mo).pk])

    asked = owner_client.get(url).content.decode()

    assert (
        '<p data-testid="open-follow-ups">Er staan 2 open nazorgafspraken op deze persoon; '
        "daarna zijn ze voor iedereen. "
        f'<a href="/aftercare/?member={mo.pk}">Bekijk ze eerst</a></p>'
    ) in asked
    assert FollowUp.objects.filter(assigned_to=mo).count() == 2


def test_nothing_is_said_of_follow_ups_when_the_leaver_has_none_open(owner_client, business, mo):
    FollowUpFactory(
        customer=CustomerFactory(business=business),
        assigned_to=mo,
        due_on=business.today(),
        done_at=timezone.now(),
        outcome=Outcome.CONTENT,
    )
    url = reverse("web:member_remove", args=[business.memberships.get(user=mo).pk])

    assert 'data-testid="open-follow-ups"' not in owner_client.get(url).content.decode()
