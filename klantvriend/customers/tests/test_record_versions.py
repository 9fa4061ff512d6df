"""Purchases and contact moments changed by two people at once: a change writes onto the row as
stored now, and one made on a version read earlier (the API's If-Match) is compared with the
stored version under the row's lock, so it cannot pass while another change is in progress."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from klantvriend.core.errors import ChangedMeanwhile, NotFound
from klantvriend.core.tests.waiting import wait_until_blocked_or_done
from klantvriend.core.versions import record_version
from klantvriend.customers import services
from klantvriend.customers.models import ContactKind, ContactMoment, Purchase


@pytest.fixture
def marieke(business, owner):
    return services.customer_create(business=business, name="Marieke de Boer", actor=owner)


def test_a_correction_keeps_what_another_stored_meanwhile_in_other_fields(marieke, owner):
    purchase = services.purchase_create(customer=marieke, amount_cents=1250)
    read_earlier = Purchase.objects.get(pk=purchase.pk)
    Purchase.objects.filter(pk=purchase.pk).update(description="Rollade")

    services.purchase_update(purchase=read_earlier, actor=owner, amount_cents=1500)

    stored = Purchase.objects.get(pk=purchase.pk)
    assert (stored.amount_cents, stored.description) == (1500, "Rollade")
    assert (read_earlier.amount_cents, read_earlier.description) == (1500, "Rollade")


def test_a_contact_moment_change_keeps_what_another_stored_meanwhile(marieke):
    moment = services.contact_moment_create(
        customer=marieke, kind=ContactKind.VISIT, summary="Kwam langs."
    )
    read_earlier = ContactMoment.objects.get(pk=moment.pk)
    at = datetime(2026, 11, 2, 13, 30, tzinfo=UTC)
    ContactMoment.objects.filter(pk=moment.pk).update(summary="Kwam langs voor de kalkoen.")

    services.contact_moment_update(moment=read_earlier, actor=None, at=at)

    stored = ContactMoment.objects.get(pk=moment.pk)
    assert (stored.at, stored.summary) == (at, "Kwam langs voor de kalkoen.")


def test_a_refused_correction_leaves_the_callers_object_as_stored(marieke, owner):
    purchase = services.purchase_create(customer=marieke, amount_cents=1250)
    version = record_version(Purchase.objects.get(pk=purchase.pk))
    Purchase.objects.filter(pk=purchase.pk).update(description="Rollade")

    with pytest.raises(ChangedMeanwhile):
        services.purchase_update(
            purchase=purchase, actor=owner, amount_cents=1500, expected_versions=[version]
        )

    assert Purchase.objects.filter(pk=purchase.pk).values_list(
        "amount_cents", "description"
    ).get() == (1250, "Rollade")
    assert purchase.amount_cents == 1250


def test_a_record_deleted_since_it_was_read_is_not_found(marieke, owner):
    """Deleted between the caller's read and the change: NotFound (404), not a server error."""
    purchase = services.purchase_create(customer=marieke, amount_cents=1250)
    Purchase.objects.filter(pk=purchase.pk).delete()

    with pytest.raises(NotFound):
        services.purchase_delete(purchase=purchase, actor=owner)


@pytest.mark.django_db(transaction=True)
def test_a_correction_on_an_old_version_waits_for_a_change_in_progress_and_is_refused(
    business, owner
):
    """Two connections: Bram's change of the description holds the row; Anna's correction of
    the amount, made on the version she read before, waits for it and then finds that version
    gone, instead of comparing with the row as it was and writing over Bram's change once it is
    committed. (On SQLite her transaction waits at BEGIN for the write lock.)"""
    customer = services.customer_create(business=business, name="Marieke")
    purchase = services.purchase_create(customer=customer, amount_cents=1250)
    version = record_version(Purchase.objects.get(pk=purchase.pk))
    outcome = {}

    def annas_correction():
        try:
            services.purchase_update(
                purchase=Purchase.objects.get(pk=purchase.pk),
                actor=owner,
                amount_cents=1500,
                expected_versions=[version],
            )
            outcome["anna"] = "saved"
        except ChangedMeanwhile as refused:
            outcome["anna"] = refused.code
        finally:
            connection.close()

    with transaction.atomic():
        # Bram's change, in progress: the row locked and changed, not yet committed.
        Purchase.objects.select_for_update().get(pk=purchase.pk)
        Purchase.objects.filter(pk=purchase.pk).update(description="Rollade")
        anna = threading.Thread(target=annas_correction)
        anna.start()
        wait_until_blocked_or_done(anna, what="Anna's correction")
    anna.join(timeout=60)

    assert outcome == {"anna": "changed_meanwhile"}
    assert Purchase.objects.filter(pk=purchase.pk).values_list(
        "amount_cents", "description"
    ).get() == (1250, "Rollade")
