"""The audit trail: one service to record an event, two selectors to read it back.

Domain services call `audit_record` inside the same transaction as the write it describes, so a
refused or rolled-back write leaves no trail and a stored write always has one. The rows of one
customer (promises, complaints, follow-ups, gestures) are saved and audited in one call,
`save_new_customer_row` or `save_changed_customer_row`, and removed with
`delete_customer_row`."""

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from operator import and_, or_
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Business


class AuditAction(models.TextChoices):
    CREATED = "created", _("created")
    CHANGED = "changed", _("changed")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")
    RESPONDED = "responded", _("responded")
    RESOLVED = "resolved", _("resolved")
    REPLANNED = "replanned", _("re-planned")
    PLANNED = "planned", _("planned automatically")
    # The customer called about an important date coming up (customers.services'
    # important_date_called).
    CALLED = "called", _("called")
    # A step recorded by mistake taken back (core/undo.py): a promise kept, a complaint
    # answered, a follow-up's outcome.
    UNDONE = "undone", _("undone")
    # What such a step set going, taken back with it while nobody acted on it: a survey
    # invitation not yet answered (surveys.services.survey_invitation_withdraw_for_promise).
    WITHDRAWN = "withdrawn", _("withdrawn")
    SETTINGS = "settings", _("settings changed")
    # The privacy duties (importers/privacy.py): who looked at, handed out or removed whose data.
    VIEWED = "viewed", _("viewed")
    EXPORTED = "exported", _("exported")
    ERASED = "erased", _("anonymised")
    DELETED = "deleted", _("deleted")
    # Two records of one person made one (importers/merge.py); the other record is deleted.
    MERGED = "merged", _("merged")
    # The business's data brought in from files (importers.service) or from an export made
    # before (importers.export's restore), recorded on the business.
    IMPORTED = "imported", _("imported")
    RESTORED = "restored", _("restored from an export")


# Actions that only read a person's data (who looked, who exported): what the profile's "who
# did what" leaves out, and what is no sign of life for retention.
READ_ACTIONS = (AuditAction.VIEWED, AuditAction.EXPORTED)
# How a look or an export happened and why an erasure did, as the trail says it: codes the trail
# writes itself (importers.privacy's audit_personal_data_viewed, customer_access_given and
# customer_erase, the export views of the web and the API), never a person's words. An erasure
# keeps exactly these values, or the supervisor reads that the customer's data was looked at
# "how" (the export views record whatever ?format= a link carried).
DETAIL_CODES = {
    ("via", "profile"): _("on the profile"),
    ("via", "api"): _("through the API"),
    ("via", "visits"): _("on the list of their visits and purchases"),
    ("format", "html"): _("as a page"),
    ("format", "json"): _("as a JSON file"),
    ("format", "api"): _("through the API"),
    ("format", "handed_over"): _("copy given to the customer"),
    ("reason", "request"): _("at the customer's request"),
    ("reason", "retention"): _("under the retention period"),
}
# The days the trail writes itself of a customer's request (AVG art. 12(3)): when it came in, as
# ISO 8601. Not the person's words: an erasure keeps them, or the register of requests answered
# (web privacy_requests) lost when an earlier copy was asked for and how long it took.
DETAIL_DAYS = frozenset({"requested_on"})
# The events that are not READ_ACTIONS, as the partial index audit_customer_changes is
# written: one inequality per action rather than NOT IN, since SQLite uses a partial index
# only for a query whose terms match its condition's, and never matches values sent as
# parameters inside an IN list.
CHANGES_ONLY = reduce(and_, (~Q(action=action) for action in READ_ACTIONS))


def _plain(value: Any) -> Any:
    """JSON-safe form of a field value (moments in ISO 8601 with their offset)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def audit_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value differs. A moment given with another
    offset (an API client's 09:30+01:00 for the stored 08:30 UTC) is the same moment, no
    change."""
    return {
        name: [_plain(before.get(name)), _plain(value)]
        for name, value in after.items()
        if not _same(before.get(name), value)
    }


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, datetime) and isinstance(new, datetime):
        return old == new  # aware moments compare as instants, whatever their offsets
    return _plain(old) == _plain(new)


def audit_created(row: models.Model, values: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [None, value]} for a row just created: the fields filled in. A field left as
    it was (empty, or still at its default when that is a yes/no or a nought: a box not
    ticked or left ticked, a counter at 0) is not listed, or every creation would show as
    changed the fields nobody touched."""
    return audit_diff(
        {}, {name: value for name, value in values.items() if not _left_blank(row, name, value)}
    )


def _left_blank(row: models.Model, name: str, value: Any) -> bool:
    if value is None or (isinstance(value, str | list | tuple | dict | set) and not value):
        return True
    try:
        field = row._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    # A default computed on creation (now) is a value like any typed one; a 0 typed where the
    # field holds nothing by default (a gesture's worth) was filled in.
    return (
        (not value or isinstance(value, bool))
        and field.has_default()
        and not callable(field.default)
        and value == field.default
    )


def audit_record(
    *,
    business: Business,
    actor,
    action: str,
    obj: models.Model,
    customer=None,
    changes: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    return _create(
        business_id=business.pk,
        actor=actor,
        action=action,
        obj=obj,
        customer_id=customer.pk if customer is not None else None,
        changes=changes,
        at=at,
    )


def audit_customers_record(
    *, business: Business, actor, events: list[tuple[str, models.Model, dict[str, Any]]]
) -> None:
    """audit_record for many customers at once, in one insert (an import): each event an
    (action, customer, changes)."""
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            business_id=business.pk,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=action,
            object_type=customer._meta.model_name,
            object_id=customer.pk,
            customer_id=customer.pk,
            at=now,
            changes=changes,
        )
        for action, customer, changes in events
    )


def audit_customer_row(row, *, actor, action: str, changes: dict | None = None) -> AuditEvent:
    """audit_record for a row of one customer (a promise, a complaint, a follow-up, a gesture):
    the business and the customer are the row's own (`business_id`, `customer_id`)."""
    return _create(
        business_id=row.business_id,
        actor=actor,
        action=action,
        obj=row,
        customer_id=row.customer_id,
        changes=changes,
    )


def save_new_customer_row(
    row, *, actor, snapshot: Callable[[Any], dict], action: str = AuditAction.CREATED
) -> None:
    """Save a new row of one customer and record it with the values filled in of
    `snapshot(row)` (audit_created), in one transaction."""
    with transaction.atomic():
        row.save()
        audit_customer_row(
            row, actor=actor, action=action, changes=audit_created(row, snapshot(row))
        )


def save_changed_customer_row(
    row,
    *,
    actor,
    before: dict[str, Any],
    snapshot: Callable[[Any], dict],
    derived: Iterable[str] | None = None,
) -> bool:
    """Save a changed row of one customer and record what changed since `before`, in one
    transaction. Nothing is written when nothing changed; returns whether something did.
    `derived`: when given, only the fields that changed are written (the snapshot's names),
    with these worked out from them and the row's `auto_now` field, so that what another
    request saved meanwhile to another field stays; None writes the whole row."""
    changes = audit_diff(before, snapshot(row))
    if not changes:
        return False
    with transaction.atomic():
        if derived is None:
            row.save()
        else:
            stamped = [f.name for f in row._meta.concrete_fields if getattr(f, "auto_now", False)]
            row.save(update_fields=[*changes, *derived, *stamped])
        audit_customer_row(row, actor=actor, action=AuditAction.CHANGED, changes=changes)
    return True


def delete_customer_row(row, *, actor, snapshot: Callable[[Any], dict]) -> None:
    """Delete a row of one customer and record what it held (`snapshot(row)`, each value to
    None), in one transaction: the trail keeps what was removed."""
    was = snapshot(row)
    with transaction.atomic():
        audit_customer_row(
            row,
            actor=actor,
            action=AuditAction.DELETED,
            changes=audit_diff(was, dict.fromkeys(was)),
        )
        row.delete()


def _create(*, business_id, actor, action, obj, customer_id, changes, at=None) -> AuditEvent:
    return AuditEvent.objects.create(
        business_id=business_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        customer_id=customer_id,
        at=at or timezone.now(),
        changes={name: value for name, value in (changes or {}).items()},
    )


def audit_for_object(
    *, business: Business, obj: models.Model, action: str | None = None
) -> QuerySet[AuditEvent]:
    """The trail of one row, newest first; of one kind of event only when `action` is given."""
    events = AuditEvent.objects.filter(
        business=business, object_type=obj._meta.model_name, object_id=obj.pk
    )
    if action is not None:
        events = events.filter(action=action)
    return events.select_related("actor").order_by("-at", "-id")


def audit_removals(
    *, business: Business, object_type: str, actions: list[str], since: datetime | None
) -> QuerySet[AuditEvent]:
    """The events of the rows of one kind removed (`actions`: deleted, merged away) at or
    after `since` (None: ever), oldest first, for a client that keeps a copy (the API's
    `.../removed`, docs/api.md "Syncing"). Through the index audit_business_action: a few
    events among the many views and changes."""
    events = AuditEvent.objects.filter(
        business=business, action__in=actions, object_type=object_type
    )
    if since is not None:
        events = events.filter(at__gte=since)
    return events.order_by("at", "id")


def audit_last_change(*, obj: models.Model, field: str, value: Any) -> AuditEvent | None:
    """The latest event of the trail that changed `field` of `obj` (a row of a business), when it
    changed it to `value`: who made what is stored now. None when the trail holds no change of
    the field, or when its latest one made another value (a write that keeps no trail of each
    field, such as an import, came after it): then the trail cannot say who it was."""
    event = (
        AuditEvent.objects.filter(
            business_id=obj.business_id,
            object_type=obj._meta.model_name,
            object_id=obj.pk,
            changes__has_key=field,
        )
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    if event is None:
        return None
    change = event.changes[field]
    if not isinstance(change, list) or len(change) != 2 or change[1] != _plain(value):
        return None
    return event


def audit_for_customer(*, business: Business, customer, limit: int = 30) -> list[AuditEvent]:
    """The newest changes of the customer and their rows, who made them: not who looked (a
    customer opened at every visit would show nothing else; the audit log has those), read
    from an index that holds only changes (audit_customer_changes)."""
    return list(
        AuditEvent.objects.filter(CHANGES_ONLY, business=business, customer=customer)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


class AuditKind(models.TextChoices):
    """The kinds of event the audit log filters on, in the words an owner asked by the
    supervisor uses ("every export in November", "all privacy requests this year"), each made
    of the trail's own actions and codes (AUDIT_KINDS)."""

    VIEWED = "viewed", _("viewed")
    EXPORTED = "exported", _("exported (page, file or API)")
    COPY_GIVEN = "copy_given", _("copy given to the customer")
    CHANGED = "changed", _("created or changed")
    CONSENT = "consent", _("consent given or withdrawn")
    ERASED = "erased", _("anonymised or deleted customer")
    REQUESTS = "requests", _("privacy requests")


# The customer fields whose change is a change of consent (the consent history's, stored beside
# the customer; the trail records them as a change of the customer).
CONSENT_FIELDS = ("marketing_consent", "marketing_consent_basis", "special_category_consent")
# An access copy handed over is recorded as an export with this code (importers.privacy's
# customer_access_given): a privacy request, not a look.
_COPY_GIVEN = Q(action=AuditAction.EXPORTED, changes__format="handed_over")
# The business's customer data taken out or brought in as a whole, recorded on the business:
# the export (zip), the customer list downloaded as filtered, an import of a file, a restore. The
# events a supervisor asks about first ("who took every customer's data out, and when?").
WHOLE_DATA_EVENTS = Q(
    object_type="business",
    action__in=[AuditAction.EXPORTED, AuditAction.IMPORTED, AuditAction.RESTORED],
)
# What the audit log shows: the events of customers, the deletions, which outlive the customer
# they name, and the business's data taken out or brought in as a whole.
TRAIL_EVENTS = (
    Q(customer__isnull=False)
    | Q(action=AuditAction.DELETED, object_type="customer")
    | WHOLE_DATA_EVENTS
)
# Every kind but the looks also says it is none: the condition of the partial index
# audit_trail_not_viewed. A shop's trail is nearly all looks (a profile opened at every visit),
# and without it the newest few erasures or consent changes are found by reading the trail back
# through every look (0.3 to 0.5 s on SQLite for 200,000 events, 3 to 15 ms with it).
NOT_A_LOOK = ~Q(action=AuditAction.VIEWED)
AUDIT_KINDS: dict[str, Q] = {
    AuditKind.VIEWED: Q(action=AuditAction.VIEWED),
    # Those without a format too (the whole data's, WHOLE_DATA_EVENTS): the negation of a JSON
    # key's value is unknown where the key is absent, and would leave them out.
    AuditKind.EXPORTED: Q(action=AuditAction.EXPORTED)
    & (~_COPY_GIVEN | ~Q(changes__has_key="format")),
    AuditKind.COPY_GIVEN: _COPY_GIVEN,
    AuditKind.CHANGED: Q(
        action__in=[
            action
            for action in AuditAction
            if action not in (*READ_ACTIONS, AuditAction.ERASED, AuditAction.DELETED)
        ]
    )
    | (Q(action=AuditAction.DELETED) & ~Q(object_type="customer")),
    AuditKind.CONSENT: Q(
        action__in=[AuditAction.CREATED, AuditAction.CHANGED], object_type="customer"
    )
    & reduce(or_, (Q(changes__has_key=field) for field in CONSENT_FIELDS)),
    AuditKind.ERASED: Q(action=AuditAction.ERASED)
    | Q(action=AuditAction.DELETED, object_type="customer"),
    # The events that carry the day the customer asked: access copies given and erasures on
    # request (importers.privacy), and the requests handled otherwise
    # (customers.privacy_requests: an objection answered by withdrawing consent, a correction).
    AuditKind.REQUESTS: Q(
        action__in=[AuditAction.EXPORTED, AuditAction.ERASED, AuditAction.COMPLETED]
    )
    & Q(changes__has_key="requested_on"),
}


def audit_trail(
    *,
    business: Business,
    customer=None,
    kind: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit log of personal data (TRAIL_EVENTS), newest first. Narrowed to one customer,
    one kind of event (AuditKind) and the days `since` to `until`, both included, as calendar
    days where the business is: a look at 00:30 on 1 December in Amsterdam belongs to December, though it is
    still 30 November in UTC, and the supervisor asks for the shop's own November."""
    events = AuditEvent.objects.filter(TRAIL_EVENTS, business=business)
    if customer is not None:
        events = events.filter(customer=customer)
    if kind:
        events = events.filter(AUDIT_KINDS[kind])
        if kind != AuditKind.VIEWED:
            events = events.filter(NOT_A_LOOK)
    if since is not None:
        events = events.filter(at__gte=business.start_of(since))
    if until is not None:
        events = events.filter(at__lt=business.end_of(until))
    return events.select_related("actor", "customer").order_by("-at", "-id")


def one_month_after(asked: date) -> date:
    """The last day of the month AVG art. 12(3) gives to answer a request received on `asked`:
    the same day a month later, or that month's last day (31 January: 28 or 29 February)."""
    year, month = (asked.year + 1, 1) if asked.month == 12 else (asked.year, asked.month + 1)
    return date(year, month, min(asked.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class HandledRequest:
    received: date
    handled: date
    days: int
    late: bool


def request_handled(*, requested_on: Any, at: datetime) -> HandledRequest | None:
    """A request as its event in the trail holds it (`requested_on`, the day received, as ISO
    text; `at`, the moment it was answered): the days taken, and whether that was past the
    month of the law. None when the event carries no readable day."""
    if not isinstance(requested_on, str):
        return None
    try:
        received = date.fromisoformat(requested_on)
    except ValueError:
        return None
    handled = timezone.localtime(at).date()
    return HandledRequest(
        received=received,
        handled=handled,
        days=(handled - received).days,
        late=handled > one_month_after(received),
    )
