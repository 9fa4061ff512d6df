"""The latest activity of every customer, kept by triggers (importers migration 0001) for the
retention rule: equal, after every kind of write, to what the records themselves say, and
missing no kind of record that the models declare as activity."""

import importlib
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.audit import READ_ACTIONS, AuditAction, audit_record
from klantvriend.core.bulk import insert_rows
from klantvriend.core.db import trigger_names
from klantvriend.core.models import AuditEvent
from klantvriend.customers import services
from klantvriend.customers.models import (
    PURCHASE_ROW_FIELDS,
    ConsentKind,
    ConsentRecord,
    ContactKind,
    ContactMoment,
    Customer,
    Purchase,
)
from klantvriend.customers.tests.factories import (
    ContactMomentFactory,
    CustomerFactory,
    PurchaseFactory,
)
from klantvriend.gestures.tests.factories import GestureFactory
from klantvriend.importers.export import business_export, business_restore
from klantvriend.importers.merge import customer_merge
from klantvriend.importers.models import CustomerActivity
from klantvriend.importers.privacy import _activity_models, customer_erase, retention_candidates
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.surveys.tests.factories import SurveyInvitationFactory, SurveyResponseFactory

kept_by = importlib.import_module("klantvriend.importers.migrations.0001_customer_activity_kept")

YEARS = 2
OLD = timedelta(days=3 * 365)  # before the two-year rule's cutoff
RECENT = timedelta(days=30)  # well after it


def _kept() -> dict[int, tuple]:
    return {row.customer_id: (row.moment, row.day) for row in CustomerActivity.objects.all()}


def _counted() -> dict[int, tuple]:
    """The latest moment and day of every customer not anonymised, from the records
    themselves, as privacy.retention_candidates describes what counts."""
    latest = {
        pk: (created_at, since)
        for pk, created_at, since in Customer.objects.filter(erased_at__isnull=True).values_list(
            "pk", "created_at", "customer_since"
        )
    }

    def count(customer_id, value, field) -> None:
        if value is None or customer_id not in latest:
            return
        moment, day = latest[customer_id]
        if isinstance(field, models.DateTimeField):
            latest[customer_id] = (max(moment, value), day)
        else:
            latest[customer_id] = (moment, max(day, value))

    for model, names in _activity_models():
        for row in model.objects.values("customer_id", *names):
            for name in names:
                count(row["customer_id"], row[name], model._meta.get_field(name))
    changes = AuditEvent.objects.filter(customer__isnull=False, actor__isnull=False).exclude(
        action__in=READ_ACTIONS
    )
    for customer_id, at in changes.values_list("customer_id", "at"):
        count(customer_id, at, AuditEvent._meta.get_field("at"))
    return latest


def assert_kept():
    assert _kept() == _counted()


def old_customer(business, name: str, **fields) -> Customer:
    long_ago = timezone.now() - 2 * OLD
    return CustomerFactory(
        business=business,
        name=name,
        created_at=long_ago,
        customer_since=long_ago.date(),
        **fields,
    )


def _candidates(business) -> list[str]:
    _cutoff, candidates = retention_candidates(business=business, years=YEARS)
    return [customer.name for customer in candidates]


def test_the_triggers_are_in_place_after_all_migrations(db):
    assert len(kept_by.TRIGGERS) == 32
    assert trigger_names() >= set(kept_by.TRIGGERS)


def test_the_triggers_watch_every_date_the_models_declare_as_activity():
    # Given what the models say counts (a new app's too) and what the triggers watch,
    declared = {
        model._meta.db_table: (
            tuple(n for n in names if isinstance(model._meta.get_field(n), models.DateTimeField)),
            tuple(
                n for n in names if not isinstance(model._meta.get_field(n), models.DateTimeField)
            ),
        )
        for model, names in _activity_models()
    }
    watched = {table: (moments, days) for table, moments, days, _rows in kept_by.SOURCES}
    # then they are the same, plus the audit trail's changes by a person, not its looks.
    assert watched.pop("core_auditevent") == (("at",), ())
    assert watched == declared
    condition = next(rows for table, *_dates, rows in kept_by.SOURCES if rows)
    assert condition == "{row}.actor_id IS NOT NULL AND " + " AND ".join(
        f"{{row}}.action <> '{action}'" for action in READ_ACTIONS
    )


def _old_rows():
    """One row of every kind of record dated activity, all its dates long ago; a new kind of
    record fails test_every_kind_of_record below until it is added here."""
    return {
        "aftercare.FollowUp": lambda c, at: FollowUpFactory(
            customer=c, due_on=at.date(), done_at=at, outcome="content"
        ),
        "complaints.Complaint": lambda c, at: ComplaintFactory(
            customer=c, received_at=at, first_response_at=at, resolved_at=at
        ),
        "customers.ConsentRecord": lambda c, at: ConsentRecord.objects.create(
            business=c.business, customer=c, kind=ConsentKind.MARKETING, given=True, at=at
        ),
        "customers.ContactMoment": lambda c, at: ContactMomentFactory(customer=c, at=at),
        "customers.Purchase": lambda c, at: PurchaseFactory(customer=c, at=at),
        "gestures.Gesture": lambda c, at: GestureFactory(customer=c, given_at=at),
        "promises.Promise": lambda c, at: PromiseFactory(
            customer=c, made_at=at, due_at=at, done_at=at
        ),
        "surveys.SurveyInvitation": lambda c, at: SurveyInvitationFactory(
            customer=c, created_at=at, answered_at=at, expires_at=timezone.now() + RECENT
        ),
        "surveys.SurveyResponse": lambda c, at: SurveyResponseFactory(
            customer=c, answered_at=at, invitation__created_at=at, invitation__answered_at=at
        ),
    }


def test_every_kind_of_record_has_a_row_to_test_the_triggers_with():
    assert sorted(_old_rows()) == sorted(model._meta.label for model, _n in _activity_models())


@pytest.mark.parametrize(
    "label", sorted(_old_rows()), ids=[label.split(".")[1] for label in sorted(_old_rows())]
)
def test_every_kind_of_record_keeps_a_customer_while_it_is_recent(business, label):
    # Given two old customers, one with an old row of this kind whose dates are all old.
    model = next(model for model, _n in _activity_models() if model._meta.label == label)
    names = dict(_activity_models())[model]
    sleeper = old_customer(business, "Oude Slaper")
    other = old_customer(business, "Ander")
    row = _old_rows()[label](sleeper, timezone.now() - OLD)
    rows = model.objects.filter(pk=row.pk)
    assert_kept()
    assert _candidates(business) == ["Ander", "Oude Slaper"]

    # When its dates are moved into the last year (an edit), it keeps the customer;
    forward = OLD - RECENT
    rows.update(**{n: getattr(row, n) + forward for n in names if getattr(row, n) is not None})
    assert_kept()
    assert _candidates(business) == ["Ander"]

    # moved back, it does not any more (the latest worked out again);
    rows.update(**{n: getattr(row, n) for n in names})
    assert_kept()
    assert _candidates(business) == ["Ander", "Oude Slaper"]

    # recent again and booked on the other customer, it keeps that one instead;
    rows.update(**{n: getattr(row, n) + forward for n in names if getattr(row, n) is not None})
    rows.update(customer=other)
    assert_kept()
    assert _candidates(business) == ["Oude Slaper"]

    # and deleted, it keeps nobody.
    rows.delete()
    assert_kept()
    assert _candidates(business) == ["Ander", "Oude Slaper"]


def test_a_change_by_a_person_keeps_a_customer_until_the_person_is_removed(
    business, owner, staff_user
):
    # Given an old customer changed by a staff member in the last year, and by a script.
    sleeper = old_customer(business, "Oude Slaper")
    recently = timezone.now() - RECENT
    audit_record(
        business=business, actor=None, action=AuditAction.CHANGED, obj=sleeper, customer=sleeper
    )
    audit_record(
        business=business, actor=owner, action=AuditAction.VIEWED, obj=sleeper, customer=sleeper
    )
    assert_kept()
    assert _candidates(business) == ["Oude Slaper"]
    audit_record(
        business=business,
        actor=staff_user,
        action=AuditAction.CHANGED,
        obj=sleeper,
        customer=sleeper,
        at=recently,
    )
    assert_kept()
    assert _candidates(business) == []

    # When the event is dated back, it no longer counts; dated recently again, it does.
    events = AuditEvent.objects.filter(actor=staff_user)
    events.update(at=recently - OLD)
    assert_kept()
    assert _candidates(business) == ["Oude Slaper"]
    events.update(at=recently)
    assert _candidates(business) == []

    # When the staff member's account is deleted, the trail keeps the event without a person
    # (SET_NULL), which the rule does not count.
    get_user_model().objects.filter(pk=staff_user.pk).delete()
    assert_kept()
    assert _candidates(business) == ["Oude Slaper"]


def test_every_kind_of_write_of_customers_keeps_their_latest_activity(business, owner):
    now = timezone.now()
    # Made one by one, in bulk and as old customers; each has its row from the start.
    anna = services.customer_create(business=business, name="Anna")
    bram, carla = Customer.objects.bulk_create(
        [
            Customer(business=business, name=name, created_at=now - 2 * OLD)
            for name in ("Bram", "Carla")
        ]
    )
    dirk = old_customer(business, "Dirk")
    assert set(_kept()) == {anna.pk, bram.pk, carla.pk, dirk.pk}
    assert_kept()

    # Purchases written as the purchase import and the demo write them (plain INSERTs).
    insert_rows(
        Purchase,
        PURCHASE_ROW_FIELDS,
        [
            (business.pk, bram.pk, now - RECENT, 300, "EUR", "", "", now, now),
            (business.pk, carla.pk, now - OLD, 300, "EUR", "", "", now, now),
            (business.pk, carla.pk, now - OLD - RECENT, 300, "EUR", "", "", now, now),
        ],
    )
    ContactMoment.objects.bulk_create(
        [
            ContactMoment(
                business=business, customer=dirk, kind=ContactKind.VISIT, summary="Langs", at=at
            )
            for at in (now - OLD, now)
        ]
    )
    assert_kept()

    # Customer since an earlier day, an older record date (as a restore or a migration writes).
    services.customer_update(customer=carla, customer_since=(now - 3 * OLD).date(), actor=owner)
    Customer.objects.filter(pk=bram.pk).update(created_at=now - 3 * OLD)
    assert_kept()

    # A merge moves Dirk's rows and trail to Carla and deletes Dirk.
    customer_merge(keep=carla, other=dirk, actor=owner)
    assert not CustomerActivity.objects.filter(customer_id=dirk.pk).exists()
    assert_kept()

    # Erasure takes Carla's row away (she can be no candidate any more), deletion Anna's.
    customer_erase(customer=carla, actor=owner)
    anna.delete()
    assert set(_kept()) == {bram.pk}
    assert_kept()

    # A record anonymised by mistake and put back by hand has its row again, worked out anew.
    Customer.objects.filter(pk=carla.pk).update(erased_at=None)
    assert set(_kept()) == {bram.pk, carla.pk}
    assert_kept()


def test_a_restored_export_has_the_latest_activity_of_its_records(business, other_business):
    # Given a business with old customers and records of every kind, exported.
    sleeper = old_customer(business, "Oude Slaper")
    active = old_customer(business, "Nog Actief")
    for label, make in _old_rows().items():
        make(sleeper, timezone.now() - OLD)
        make(active, timezone.now() - (RECENT if label == "customers.Purchase" else OLD))
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    buffer.seek(0)
    assert _candidates(business) == ["Oude Slaper"]
    business.delete()  # its survey links may exist only once on a server

    # When it is restored into an empty business,
    business_restore(business=other_business, path=buffer)

    # then every restored customer's latest activity is that of its records, and the rule
    # finds the same customer there.
    assert_kept()
    assert _candidates(other_business) == ["Oude Slaper"]
