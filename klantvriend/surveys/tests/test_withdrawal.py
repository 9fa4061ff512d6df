"""An undo of "Done" on a kept delivery withdraws the survey invitation that step caused
(services.survey_invitation_withdraw_for_promise, on PROMISE_REOPENED inside the undo's
transaction): not sent if it was not yet, its link answering that it was withdrawn if it was,
and no longer counting for the interval between invitations. An answered invitation stays,
with its answer, and the undo goes ahead."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from klantvriend.aftercare.models import FollowUp
from klantvriend.complaints.models import Complaint
from klantvriend.core.errors import Conflict, ValidationError
from klantvriend.core.models import AuditEvent, Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot
from klantvriend.promises.models import PromiseKind
from klantvriend.promises.services import promise_create, promise_mark_kept, promise_reopen
from klantvriend.surveys import selectors, services
from klantvriend.surveys.models import (
    InvitationChannel,
    InvitationTrigger,
    SurveyInvitation,
    SurveyResponse,
)

ANSWERS = {"nps": "3", "reliability": "1", "comment": "Nooit meer, geld terug"}


@pytest.fixture
def customer(business):
    return CustomerFactory(
        business=business, name="Bram Bakker", email="bram@example.nl", emailable=True
    )


@pytest.fixture
def delivery(customer, owner):
    return promise_create(
        customer=customer,
        description="Koud buffet bezorgen",
        kind=PromiseKind.DELIVERY,
        due_at=timezone.now() + timedelta(hours=2),
        made_by=owner,
    )


@pytest.fixture
def keep(django_capture_on_commit_callbacks):
    """Keeps a promise as the button does, with what runs after commit (the invitation and its
    e-mail); returns the invitation's secret key, read from the e-mail."""

    def kept(promise, actor):
        sent = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            promise_mark_kept(promise=promise, actor=actor)
        promise.refresh_from_db()
        if len(mail.outbox) == sent:
            return None
        return mail.outbox[-1].body.split("/s/")[1].split("/")[0]

    return kept


def test_the_invitation_names_the_delivery_it_was_sent_after(delivery, owner, keep):
    keep(delivery, owner)

    invitation = SurveyInvitation.objects.get()
    assert (invitation.promise_id, invitation.trigger, invitation.withdrawn_at) == (
        delivery.pk,
        InvitationTrigger.DELIVERY,
        None,
    )
    assert invitation.sent_at is not None


def test_an_undo_withdraws_a_sent_invitation_and_audits_it(delivery, owner, keep):
    key = keep(delivery, owner)
    before = timezone.now()

    promise_reopen(promise=delivery, actor=owner)

    invitation = SurveyInvitation.objects.get()
    assert invitation.withdrawn_at is not None
    assert invitation.withdrawn_at >= before
    assert services.invitation_state(services.invitation_for_key(key=key)) == "withdrawn"
    event = AuditEvent.objects.get(action="withdrawn")
    assert (event.object_type, event.object_id, event.actor, event.customer_id) == (
        "surveyinvitation",
        invitation.pk,
        owner,
        delivery.customer_id,
    )
    assert event.changes == {"withdrawn_at": [None, invitation.withdrawn_at.isoformat()]}
    assert len(mail.outbox) == 1  # nothing more is sent to the customer


def test_a_withdrawn_link_takes_no_answer_and_nothing_changes(delivery, owner, keep):
    key = keep(delivery, owner)
    promise_reopen(promise=delivery, actor=owner)
    before = snapshot()

    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.survey_answer(key=key, answers=ANSWERS, language="en")

    error = refused.value.error_dict["key"][0]
    assert error.code == "withdrawn"
    assert error.messages == [
        "This invitation was withdrawn: it was sent by mistake, so there is nothing you need to "
        "do. Our apologies for the trouble, and thank you all the same."
    ]
    assert snapshot() == before
    assert (SurveyResponse.objects.count(), FollowUp.objects.count()) == (0, 0)
    assert Complaint.objects.count() == 0


def test_an_invitation_not_yet_sent_is_not_sent(
    delivery, owner, django_capture_on_commit_callbacks
):
    # Kept; the invitation is made after commit, and its e-mail after that commit: the undo
    # comes in between.
    with django_capture_on_commit_callbacks() as after_kept:
        promise_mark_kept(promise=delivery, actor=owner)
    with django_capture_on_commit_callbacks() as after_invited:
        for callback in after_kept:
            callback()
    assert SurveyInvitation.objects.get().sent_at is None

    promise_reopen(promise=delivery, actor=owner)
    for callback in after_invited:
        callback()

    invitation = SurveyInvitation.objects.get()
    assert (invitation.sent_at, invitation.withdrawn_at is not None) == (None, True)
    assert mail.outbox == []


def test_a_withdrawn_invitation_does_not_hold_back_the_next(delivery, owner, keep):
    keep(delivery, owner)
    promise_reopen(promise=delivery, actor=owner)
    assert (
        selectors.survey_next_invitation_at(business=delivery.business, customer=delivery.customer)
        is None
    )

    # Kept for real the next time: invited again, within the interval of the withdrawn one.
    delivery.refresh_from_db()
    key = keep(delivery, owner)

    invitations = list(SurveyInvitation.objects.order_by("pk"))
    assert [(i.promise_id, i.withdrawn_at is None) for i in invitations] == [
        (delivery.pk, False),
        (delivery.pk, True),
    ]
    assert services.invitation_state(services.invitation_for_key(key=key)) == "open"
    assert len(mail.outbox) == 2
    # And that one holds back a third, as any invitation does.
    assert selectors.survey_next_invitation_at(
        business=delivery.business, customer=delivery.customer
    ) == invitations[1].created_at + timedelta(days=90)


def test_an_answered_invitation_stays_and_the_undo_goes_ahead(delivery, owner, keep):
    key = keep(delivery, owner)
    response = services.survey_answer(key=key, answers={"nps": "9"})

    reopened = promise_reopen(promise=delivery, actor=owner)

    invitation = SurveyInvitation.objects.get()
    assert reopened.done_at is None
    assert (invitation.withdrawn_at, invitation.answered_at) == (None, response.answered_at)
    assert SurveyResponse.objects.get().nps == 9
    assert not AuditEvent.objects.filter(action="withdrawn").exists()
    assert selectors.survey_answer_kept_for_promise(promise=delivery) == invitation


def test_the_page_has_nothing_to_say_after_a_withdrawal(delivery, owner, keep):
    keep(delivery, owner)

    promise_reopen(promise=delivery, actor=owner)

    assert selectors.survey_answer_kept_for_promise(promise=delivery) is None


@pytest.fixture
def colleague(business):
    user = user_create(username="ilse", password="pw-ilse-123", first_name="Ilse")
    membership_create(business=business, user=user, role=Role.STAFF)
    return user


def test_a_refused_undo_withdraws_nothing(delivery, staff_user, colleague, keep):
    key = keep(delivery, staff_user)
    before = snapshot()

    with pytest.raises(Conflict) as refused:
        promise_reopen(promise=delivery, actor=colleague)

    assert refused.value.error_dict["done_at"][0].code == "not_yours"
    assert snapshot() == before
    assert services.invitation_state(services.invitation_for_key(key=key)) == "open"


def test_other_invitations_are_not_touched(business, customer, delivery, owner, keep):
    other = promise_create(
        customer=customer,
        description="Taart bezorgen",
        kind=PromiseKind.DELIVERY,
        due_at=timezone.now() + timedelta(hours=3),
        made_by=owner,
    )
    manual = services.survey_invitation_create(
        business=business, customer=customer, channel=InvitationChannel.COUNTER
    )
    # The interval rule lets no delivery invite now: kept and undone, nothing is withdrawn.
    keep(other, owner)
    before = snapshot()

    promise_reopen(promise=other, actor=owner)

    assert SurveyInvitation.objects.get().pk == manual.invitation.pk
    rows = snapshot()
    assert rows["surveys.SurveyInvitation"] == before["surveys.SurveyInvitation"]
    assert not AuditEvent.objects.filter(action="withdrawn").exists()


def test_a_withdrawn_invitation_is_neither_open_nor_counted_as_sent(delivery, owner, keep):
    keep(delivery, owner)
    invitation = SurveyInvitation.objects.get()
    business = delivery.business
    assert selectors.survey_invitations_open(business=business, ids=[invitation.pk]) == {
        invitation.pk
    }
    assert selectors.survey_results(business=business).invitations.standing == 1

    promise_reopen(promise=delivery, actor=owner)

    assert selectors.survey_invitations_open(business=business, ids=[invitation.pk]) == set()
    assert selectors.survey_results(business=business).invitations.standing == 0
