"""The profile's "who did what": the changes of the customer and their rows in plain words,
not the looks at their data (owners find those in the audit log)."""

import pytest
from django.db import connection

from klantvriend.core.audit import (
    CHANGES_ONLY,
    READ_ACTIONS,
    AuditAction,
    audit_for_customer,
    audit_record,
)
from klantvriend.core.db import refresh_planner_statistics
from klantvriend.core.models import AuditEvent
from klantvriend.customers import services
from klantvriend.promises.tests.factories import PromiseFactory


def _trail(page: str) -> str:
    return page.split('data-testid="audit-trail"')[1].split("</table>")[0]


def test_the_trail_shows_changes_in_words_and_leaves_out_the_looks(owner_client, business, owner):
    customer = services.customer_create(business=business, name="Anna", actor=owner)
    services.customer_update(customer=customer, city="Zwolle", actor=owner)
    promise = PromiseFactory(customer=customer)
    audit_record(
        business=business, actor=owner, action=AuditAction.COMPLETED, obj=promise, customer=customer
    )
    for _look in range(25):
        audit_record(
            business=business,
            actor=owner,
            action=AuditAction.VIEWED,
            obj=customer,
            customer=customer,
            changes={"via": "profile"},
        )

    trail = _trail(owner_client.get(f"/customers/{customer.pk}/").content.decode())

    assert [cell.split("</td>")[0] for cell in trail.split("<td>")[1:] if ": " in cell] == [
        "Belofte: afgerond",
        "Klantgegevens: gewijzigd",
        "Klantgegevens: aangemaakt",
    ]
    assert "bekeken" not in trail
    assert "#" not in trail


def test_owners_are_pointed_to_who_looked_and_staff_are_not(
    owner_client, staff_client, business, owner
):
    customer = services.customer_create(business=business, name="Anna", actor=owner)
    link = f'<a href="/privacy/audit/?customer={customer.pk}" data-testid="audit-looks">'

    assert link in owner_client.get(f"/customers/{customer.pk}/").content.decode()
    assert (
        'data-testid="audit-looks"'
        not in staff_client.get(f"/customers/{customer.pk}/").content.decode()
    )


def test_the_changes_index_holds_every_change_and_no_look():
    index = next(i for i in AuditEvent._meta.indexes if i.name == "audit_customer_changes")
    assert index.condition == CHANGES_ONLY
    assert [str(action) for action in READ_ACTIONS] == ["viewed", "exported"]


def test_the_trail_is_read_from_the_index_of_changes(business, owner):
    """A customer opened at every visit for years has thousands of looks for a few changes:
    the trail must not step over them all, nor over the changes of the shop's other customers
    (the audit log's index of all that is not a look, audit_trail_not_viewed)."""
    customer = services.customer_create(business=business, name="Anna", actor=owner)
    others = [
        services.customer_create(business=business, name=other, actor=owner)
        for other in ("Bram", "Cor")
    ]
    AuditEvent.objects.bulk_create(
        AuditEvent(
            business=business,
            action=AuditAction.VIEWED,
            object_type="customer",
            object_id=customer.pk,
            customer=customer,
        )
        for _look in range(200)
    )
    # The shop's other customers changed often: the index of all that is not a look would
    # step over their changes (PostgreSQL chose it in a full run while they were two rows,
    # and an incremental sort over the business's index while they were a hundred each).
    AuditEvent.objects.bulk_create(
        AuditEvent(
            business=business,
            action=AuditAction.CHANGED,
            object_type="customer",
            object_id=other.pk,
            customer=other,
        )
        for other in others
        for _change in range(1000)
    )
    refresh_planner_statistics()
    if connection.vendor == "postgresql":
        # As autovacuum would in time: without it the planner estimates the trail from the
        # table as an earlier test left it, and once chose the business's index over the 200
        # looks (cost tied at an estimated one row) in a full run.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_auditevent")
    query = AuditEvent.objects.filter(CHANGES_ONLY, business=business, customer=customer)
    query = query.order_by("-at", "-id")[:20]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    assert len(audit_for_customer(business=business, customer=customer, limit=20)) == 1

    plan = query.explain()

    assert "audit_customer_changes" in plan, plan


pytestmark = pytest.mark.django_db
