"""Two owners removing each other at the same moment: one of them stays."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from klantvriend.core.members import member_remove
from klantvriend.core.models import Membership, Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.core.tests.waiting import wait_until_blocked_or_done


@pytest.mark.django_db(transaction=True)
def test_two_owners_removing_each_other_at_once_leave_one_owner(business, owner):
    """Anna removes Bert while Bert removes Anna: each saw the other stay an owner, and the
    business was left with none, its settings and members out of everyone's reach. Bert's
    removal of Anna now waits for Anna's of Bert and is refused as the last owner's."""
    bert = user_create(username="bert", password="pw-bert-12345", first_name="Bert")
    membership_create(business=business, user=bert, role=Role.OWNER)
    anna_member = Membership.objects.get(business=business, user=owner)
    bert_member = Membership.objects.get(business=business, user=bert)
    refused = {}

    def bert_removes_anna():
        try:
            member_remove(membership=anna_member, actor=bert)
        except ValidationError as error:
            refused["code"] = error.code
        finally:
            connection.close()

    with transaction.atomic():
        member_remove(membership=bert_member, actor=owner)
        other = threading.Thread(target=bert_removes_anna)
        other.start()
        wait_until_blocked_or_done(other, what="Bert's removal of Anna")
    other.join(timeout=60)

    assert refused == {"code": "last_owner"}
    assert list(Membership.objects.filter(business=business).values_list("user", "role")) == [
        (owner.pk, Role.OWNER)
    ]
