"""A privacy request recorded while the customer is being anonymised: the erasure blanks every
note the customer has, so a request it did not see must not be stored after it."""

import threading

import pytest
from django.db import connection, transaction

from klantvriend.core.errors import Conflict
from klantvriend.core.tests.waiting import wait_until_blocked_or_done
from klantvriend.customers.models import Customer, PrivacyRequest
from klantvriend.customers.privacy_requests import privacy_request_record
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.privacy import customer_erase


@pytest.mark.django_db(transaction=True)
def test_a_request_recorded_during_an_erasure_is_refused_and_keeps_no_note(business, owner):
    """Bert records Jan's question on the counter's tablet while Anna anonymises Jan: Bert's
    page read Jan before the erasure, and his note ("Jan Jansen, Dorpsstraat 4, belt terug")
    was stored after it, beside a customer whose every other text had gone. Now his request
    waits for the erasure, finds Jan anonymised and is refused, storing nothing."""
    jan = CustomerFactory(business=business, name="Jan Jansen")
    seen_by_bert = Customer.objects.get(pk=jan.pk)
    refused = {}

    def bert_records_a_request():
        try:
            privacy_request_record(
                customer=seen_by_bert,
                actor=owner,
                kind="access",
                received_on=business.today(),
                channel="counter",
                note="Jan Jansen, Dorpsstraat 4, belt terug",
            )
        except Conflict as error:
            refused["code"] = error.code
        finally:
            connection.close()

    with transaction.atomic():
        customer_erase(customer=jan, actor=owner)
        other = threading.Thread(target=bert_records_a_request)
        other.start()
        wait_until_blocked_or_done(other, what="Bert's request")
    other.join(timeout=60)

    assert refused == {"code": "erased"}
    assert list(PrivacyRequest.objects.filter(customer=jan).values_list("note", flat=True)) == []
