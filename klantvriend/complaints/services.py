"""Writes of complaints: full validation first, then one transaction with the audit event."""

import copy
from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from klantvriend.core.audit import (
    AuditAction,
    audit_customer_row,
    audit_diff,
    audit_for_object,
    delete_customer_row,
    save_changed_customer_row,
    save_new_customer_row,
)
from klantvriend.core.care_settings import CareSettings, care_settings
from klantvriend.core.errors import Conflict, ValidationError, refusals_gathered, refusals_of
from klantvriend.core.hooks import (
    COMPLAINT_DELETED,
    COMPLAINT_RESOLVED,
    RECOVERY_GESTURE_WRITTEN,
    run_after_commit,
    run_in_transaction,
)
from klantvriend.core.models import Business
from klantvriend.core.moments import refuse_unlikely_moment
from klantvriend.core.services import business_lock_time_zone
from klantvriend.core.shown import moment_shown
from klantvriend.core.undo import step_to_undo
from klantvriend.core.versions import record_changing
from klantvriend.customers.services import customer_refuse_if_anonymised_now

from .clocks import complaint_deadlines
from .models import Channel, Complaint, Driver, Severity
from .selectors import complaint_clocks_judged

PUBLIC_CHANNELS = frozenset({Channel.SOCIAL_MEDIA, Channel.REVIEW_SITE})
# Written channels: the customer was not there to be answered while they complained.
NOT_ANSWERABLE_ON_THE_SPOT = frozenset({Channel.EMAIL, Channel.MESSAGE, *PUBLIC_CHANNELS})


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _conflict(field: str, message: str, code: str) -> Conflict:
    return Conflict({field: ValidationError(message, code=code)})


def _check_moment(
    at: datetime, *, complaint: Complaint, field: str, now: datetime, code: str
) -> None:
    refuse_unlikely_moment(at, field=field, now=now)
    if at < complaint.received_at:
        # To the second: a client whose clock runs behind sends "now" before "received".
        received = moment_shown(complaint.received_at, "SECONDS", zone=complaint.business.tzinfo)
        raise _error(
            field,
            _("This lies before the complaint was received: %(received)s.")
            % {"received": received},
            code,
        )


def _snapshot(complaint: Complaint) -> dict[str, Any]:
    return {
        name: getattr(complaint, name)
        for name in (
            "received_at",
            "channel",
            "public",
            "severity",
            "description",
            "driver",
            "first_response_at",
            "resolved_at",
            "resolution",
            "recovery_gesture",
            "satisfaction_after",
            "promise_id",
        )
    }


# The care settings a complaint's deadlines are reckoned by (clocks.py); with the business's
# time zone, a change of any of them works out every complaint's stored deadlines again.
DEADLINE_SETTINGS = (
    "complaint_response_working_hours",
    "complaint_public_response_hours",
    "complaint_resolution_days",
    "opening_hours",
    "closed_periods",
)
DEADLINES_BATCH = 2000


def complaint_deadlines_set(complaint: Complaint, *, business: Business) -> None:
    """Store on `complaint` (not saved) its deadlines by `business`'s settings and zone: for a
    writer that reads them under the business's lock, or fills a business alone (a restore)."""
    complaint.respond_by, complaint.resolve_by = complaint_deadlines(
        complaint, settings=care_settings(business), tz=business.tzinfo
    )


class _Received(NamedTuple):
    """What a complaint's deadlines are reckoned from (CLOCK_FIELDS)."""

    received_at: datetime
    public: bool


def deadlines_refresh(complaints: QuerySet, *, settings: CareSettings, tz) -> int:
    """Work out the stored deadlines of `complaints` again, in batches by key, and write those
    that changed (bulk); returns how many did. A deadline a complaint has been judged by stays
    as it was: the response's once it was answered, the resolution's once it was resolved. New
    opening hours do not make last month's answer late (the scorecard's past figures stay what
    they were); a complaint still waiting is judged by the hours of now. Also used by the
    migration that added them (complaints 0004), with its historical model, when none was
    stored yet."""
    changed = 0
    last = 0
    while True:
        rows = list(
            complaints.filter(pk__gt=last)
            .order_by("pk")
            .values_list(
                "pk",
                "received_at",
                "public",
                "respond_by",
                "resolve_by",
                "first_response_at",
                "resolved_at",
            )[:DEADLINES_BATCH]
        )
        if not rows:
            return changed
        moved = []
        for pk, received_at, public, respond_by, resolve_by, responded, resolved in rows:
            respond, resolve = complaint_deadlines(
                _Received(received_at, public), settings=settings, tz=tz
            )
            deadlines = (
                respond_by if responded is not None and respond_by is not None else respond,
                resolve_by if resolved is not None and resolve_by is not None else resolve,
            )
            if deadlines != (respond_by, resolve_by):
                moved.append((pk, *deadlines))
        _write_deadlines(complaints, moved)
        changed += len(moved)
        last = rows[-1][0]


def _write_deadlines(complaints: QuerySet, moved: list[tuple[int, datetime, datetime]]) -> None:
    """One UPDATE ... FROM (VALUES ...) for as many rows as the database takes parameters for
    (SQLite and PostgreSQL both name a VALUES list's columns column1, column2, ...), its values
    prepared by the fields as the ORM prepares them. bulk_update's CASE of a WHEN per row cost
    0.5 ms a row to build (1.5 s for the demo's 2,860 complaints); a statement per row ran
    PostgreSQL's statement trigger of the customers' activity (importers) each time, 17 ms."""
    model, connection = complaints.model, connections[complaints.db]
    meta, quote = model._meta, connection.ops.quote_name
    respond_by, resolve_by = meta.get_field("respond_by"), meta.get_field("resolve_by")
    table = quote(meta.db_table)
    rows_per_statement = (connection.features.max_query_params or 3 * len(moved) or 3) // 3
    with connection.cursor() as cursor:
        for start in range(0, len(moved), rows_per_statement):
            rows = moved[start : start + rows_per_statement]
            cursor.execute(
                f"UPDATE {table} SET {quote(respond_by.column)} = v.column2, "
                f"{quote(resolve_by.column)} = v.column3 "
                f"FROM (VALUES {', '.join(['(%s, %s, %s)'] * len(rows))}) AS v "
                f"WHERE {table}.{quote(meta.pk.column)} = v.column1",
                [
                    value
                    for pk, respond, resolve in rows
                    for value in (
                        pk,
                        respond_by.get_db_prep_value(respond, connection),
                        resolve_by.get_db_prep_value(resolve, connection),
                    )
                ],
            )


def complaint_deadlines_recompute(*, business: Business) -> dict[str, int]:
    """Every complaint of `business` judged by its care settings and zone as they are now,
    inside the transaction that changed them (hooks CARE_SETTINGS_CHANGED and
    BUSINESS_TIME_ZONE_CHANGED, which hold the business row locked meanwhile): the queue's
    order and the clocks shown agree with the settings from the moment they are saved. The
    count goes into the change's audit event."""
    changed = deadlines_refresh(
        Complaint.objects.filter(business=business),
        settings=care_settings(business),
        tz=business.tzinfo,
    )
    return {"complaint_deadlines_recomputed": changed}


def complaint_deadlines_after_settings(
    *, business: Business, before: CareSettings, after: CareSettings
) -> dict[str, int]:
    if all(getattr(before, name) == getattr(after, name) for name in DEADLINE_SETTINGS):
        return {}
    return complaint_deadlines_recompute(business=business)


def complaint_deadlines_after_time_zone(*, business: Business, old_time_zone: str) -> dict:
    return complaint_deadlines_recompute(business=business)


def complaint_create(
    *,
    customer,
    description: str,
    channel: str = Channel.COUNTER,
    public: bool | None = None,
    severity: str = Severity.MEDIUM,
    driver: str = Driver.OTHER,
    received_at: datetime | None = None,
    received_by=None,
    answered_on_the_spot: bool = False,
    recovery_gesture: str = "",
    promise_id: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    """`promise_id`: the customer's promise it is about, if any. `answered_on_the_spot`: the person logging it answered the customer there and then (at
    the counter, on the phone), so its first response is the moment it was received and no
    response clock runs for it. `recovery_gesture`: what was offered to make up for it while
    the customer was there ("a free dessert next time"), kept on the complaint so that whoever
    resolves it finds it and it is logged among the gestures once, when it is resolved
    (complaint_resolve)."""
    now = now or timezone.now()
    complaint = _new_complaint(
        customer=customer,
        description=description,
        channel=channel,
        public=public,
        severity=severity,
        driver=driver,
        received_at=received_at,
        received_by=received_by,
        answered_on_the_spot=answered_on_the_spot,
        recovery_gesture=recovery_gesture,
        promise_id=promise_id,
        now=now,
    )
    with transaction.atomic():
        # The settings and zone under the business's lock: a change of them waits, or has been
        # made and is read (complaint_deadlines_recompute).
        complaint_deadlines_set(
            complaint, business=business_lock_time_zone(business=customer.business)
        )
        customer_refuse_if_anonymised_now(customer)
        save_new_customer_row(complaint, actor=received_by, snapshot=_snapshot)
        if answered_on_the_spot:
            complaint_respond(
                complaint=complaint, actor=received_by, at=complaint.received_at, now=now
            )
    return complaint


def complaint_create_refusals(*, customer, **fields: Any) -> dict[str, list[ValidationError]]:
    """What complaint_create would refuse of these fields, per field, writing nothing."""
    return refusals_of(lambda: _new_complaint(customer=customer, **fields))


def _new_complaint(
    *,
    customer,
    description: str,
    channel: str = Channel.COUNTER,
    public: bool | None = None,
    severity: str = Severity.MEDIUM,
    driver: str = Driver.OTHER,
    received_at: datetime | None = None,
    received_by=None,
    answered_on_the_spot: bool = False,
    recovery_gesture: str = "",
    promise_id: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    """The complaint complaint_create stores, checked: every refusal at once."""
    customer.refuse_if_anonymised()
    now = now or timezone.now()
    complaint = Complaint(
        business=customer.business,
        customer=customer,
        description=description.strip(),
        channel=channel,
        # Social media and review sites are public by nature unless said otherwise.
        public=channel in PUBLIC_CHANNELS if public is None else public,
        severity=severity,
        driver=driver,
        received_at=received_at or now,
        received_by=received_by if getattr(received_by, "is_authenticated", False) else None,
        recovery_gesture=recovery_gesture.strip(),
        promise_id=promise_id,
    )
    refusals_gathered(
        lambda: _refuse_not_in_person(channel, answered_on_the_spot=answered_on_the_spot),
        lambda: refuse_unlikely_moment(complaint.received_at, field="received_at", now=now),
        complaint.full_clean,
    )
    return complaint


def _refuse_not_in_person(channel: str, *, answered_on_the_spot: bool) -> None:
    if answered_on_the_spot and channel in NOT_ANSWERABLE_ON_THE_SPOT:
        raise _error(
            "answered_on_the_spot",
            _(
                "Only a complaint made in person or by phone can have been answered on the "
                "spot; this one came in via %(channel)s."
            )
            % {"channel": Channel(channel).label},
            "not_in_person",
        )


def _refuse_response_at(complaint: Complaint, at: datetime, now: datetime) -> None:
    """complaint_respond's checks: not answered yet, then `at` a moment it can be answered at."""
    if complaint.first_response_at is not None:
        raise _conflict("first_response_at", _("This complaint was already answered."), "responded")
    _check_moment(
        at, complaint=complaint, field="first_response_at", now=now, code="response_before_received"
    )


def complaint_respond(
    *, complaint: Complaint, actor, at: datetime | None = None, now: datetime | None = None
) -> Complaint:
    now = now or timezone.now()
    at = at or now
    _refuse_response_at(complaint, at, now)
    with transaction.atomic():
        updated = Complaint.objects.filter(pk=complaint.pk, first_response_at__isnull=True).update(
            first_response_at=at, updated_at=now
        )
        if not updated:
            raise _conflict(
                "first_response_at", _("This complaint was already answered."), "responded"
            )
        complaint.first_response_at = at
        audit_customer_row(
            complaint,
            actor=actor,
            action=AuditAction.RESPONDED,
            changes=audit_diff({"first_response_at": None}, {"first_response_at": at}),
        )
    return complaint


def complaint_response_undo(
    *, complaint: Complaint, actor, now: datetime | None = None
) -> Complaint:
    """Take back "answered" recorded by mistake, by the rule of core/undo.py (who may, for how
    long): the complaint waits for its answer again, and its response clock runs from when it
    was received. A resolved complaint keeps its answer: resolving is itself an answer to the
    customer (complaint_resolve), and taking it back would silently leave a resolution without
    one; such a complaint is refused rather than changed."""
    with transaction.atomic():
        stored = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if stored.resolved_at is not None:
            raise _conflict(
                "first_response_at",
                _("This complaint is resolved, and its resolution answered the customer."),
                "resolved",
            )
        if stored.first_response_at is None:
            raise _conflict(
                "first_response_at", _("This complaint has not been answered yet."), "open"
            )
        step_to_undo(
            row=stored,
            actions=[AuditAction.RESPONDED],
            field="first_response_at",
            actor=actor,
            now=now,
        )
        answered_at = stored.first_response_at
        stored.first_response_at = None
        stored.save(update_fields=["first_response_at", "updated_at"])
        audit_customer_row(
            stored,
            actor=actor,
            action=AuditAction.UNDONE,
            changes=audit_diff({"first_response_at": answered_at}, {"first_response_at": None}),
        )
    return stored


def complaint_withdraw(*, complaint: Complaint, actor) -> None:
    """Remove a complaint that Klantvriend opened itself (a follow-up's "not content") when
    the step that opened it is undone, while nobody has handled it: not answered, not resolved,
    not changed since. One that somebody has handled is refused: their work stays, and the
    step that opened it with it. The trail keeps the complaint's values."""
    stored = Complaint.objects.select_for_update().get(pk=complaint.pk)
    since = audit_for_object(business=stored.business, obj=stored).exclude(
        action=AuditAction.CREATED
    )
    if stored.answered_on_the_spot:
        # Answered as it was opened, in the conversation that opened it: not handled since.
        since = since.exclude(action=AuditAction.RESPONDED)
    handled = (
        (stored.first_response_at is not None and not stored.answered_on_the_spot)
        or stored.resolved_at is not None
        or since.exists()
    )
    if handled:
        raise _conflict(
            "outcome",
            _("The complaint this opened is being handled already, so it stays."),
            "complaint_handled",
        )
    delete_customer_row(stored, actor=actor, snapshot=_snapshot)


def _refuse_resolution(
    complaint: Complaint,
    resolution: str,
    at: datetime,
    satisfaction_after: int | None,
    now: datetime,
) -> None:
    """complaint_resolve's checks: not resolved yet, then every refusal of the values at once."""
    if complaint.resolved_at is not None:
        raise _conflict("resolved_at", _("This complaint is already resolved."), "resolved")
    refusals_gathered(
        lambda: resolution.strip() or _refuse_no_resolution(),
        lambda: _check_moment(
            at, complaint=complaint, field="resolved_at", now=now, code="resolved_before_received"
        ),
        lambda: _refuse_satisfaction(satisfaction_after),
    )


def _refuse_no_resolution() -> None:
    raise _error("resolution", _("Say how the complaint was resolved."), "required")


def _refuse_satisfaction(satisfaction_after: int | None) -> None:
    if satisfaction_after is not None and not 1 <= satisfaction_after <= 5:
        raise _error("satisfaction_after", _("Satisfaction is a number from 1 to 5."), "range")


def complaint_resolve(
    *,
    complaint: Complaint,
    actor,
    resolution: str,
    at: datetime | None = None,
    recovery_gesture: str | None = None,
    satisfaction_after: int | None = None,
    now: datetime | None = None,
    offer_seen: str | None = None,
) -> Complaint:
    """`recovery_gesture`: what was given to make up for it, logged among the gestures; None
    keeps what was offered when it was logged (complaint_create), a text, empty too, replaces
    it: the resolve form, filled in with the offer, sends what the person left in it, and one
    who cleared it gave nothing. `offer_seen`: the offer as the caller showed it; another
    `recovery_gesture` is then refused, and nothing changed, when a colleague corrected the
    offer meanwhile, so that neither of the two is lost unseen."""
    now = now or timezone.now()
    at = at or now
    with transaction.atomic():
        # The complaint as stored now, locked until it is written: the caller's object may have
        # been read before a colleague answered it or corrected when it came in, and the
        # resolution is judged against what is stored, whose other values it writes back and
        # from which its trail records what resolving changed.
        resolved = Complaint.objects.select_for_update().get(pk=complaint.pk)
        resolved.business = complaint.business
        _refuse_resolution(resolved, resolution, at, satisfaction_after, now)
        _refuse_offer_changed_meanwhile(resolved, offer_seen, recovery_gesture)
        before = _snapshot(resolved)
        resolved.resolved_at = at
        # Resolving is itself an answer to the customer.
        if resolved.first_response_at is None or resolved.first_response_at > at:
            resolved.first_response_at = at
        resolved.resolution = resolution.strip()
        if recovery_gesture is not None:
            resolved.recovery_gesture = recovery_gesture.strip()
        if satisfaction_after is not None:
            resolved.satisfaction_after = satisfaction_after
        resolved.full_clean()
        updated = Complaint.objects.filter(pk=complaint.pk, resolved_at__isnull=True).update(
            resolved_at=resolved.resolved_at,
            first_response_at=resolved.first_response_at,
            resolution=resolved.resolution,
            recovery_gesture=resolved.recovery_gesture,
            satisfaction_after=resolved.satisfaction_after,
            updated_at=now,
        )
        if not updated:
            raise _conflict("resolved_at", _("This complaint is already resolved."), "resolved")
        audit_customer_row(
            resolved,
            actor=actor,
            action=AuditAction.RESOLVED,
            changes=audit_diff(before, _snapshot(resolved)),
        )
        run_after_commit(COMPLAINT_RESOLVED, complaint=resolved)
        if resolved.recovery_gesture:
            run_after_commit(RECOVERY_GESTURE_WRITTEN, complaint=resolved, actor=actor)
    return resolved


def _refuse_offer_changed_meanwhile(
    stored: Complaint, offer_seen: str | None, recovery_gesture: str | None
) -> None:
    if offer_seen is None or recovery_gesture is None:
        return
    offered = stored.recovery_gesture
    if offered != offer_seen.strip() and offered != recovery_gesture.strip():
        raise _conflict(
            "recovery_gesture",
            _(
                "Meanwhile someone changed the recovery gesture to “%(offered)s”. Check which "
                "one was given and save again."
            )
            % {"offered": offered}
            if offered
            else _(
                "Meanwhile someone removed the recovery gesture. Check what was given and save "
                "again."
            ),
            "changed_meanwhile",
        )


def complaint_delete(
    *, complaint: Complaint, actor, expected_versions: Collection[str] | None = None
) -> None:
    """Removes a complaint recorded by mistake (owners only, as a purchase): on the wrong
    customer, twice, or received on a day typed wrongly that can no longer be corrected once
    its deadlines judged it. It no longer counts in the complaint figures; the trail keeps
    what it was. The check planned after it goes with it while not done; what was done for it
    stays (a call made, a gesture given, a survey answered), no longer tied to it."""
    with record_changing(complaint, expected_versions=expected_versions) as stored:
        run_in_transaction(COMPLAINT_DELETED, complaint=stored, actor=actor)
        delete_customer_row(stored, actor=actor, snapshot=_snapshot)


EDITABLE = frozenset(
    {
        "description",
        "channel",
        "public",
        "severity",
        "driver",
        "received_at",
        "recovery_gesture",
        "satisfaction_after",
        "resolution",
        "promise_id",
    }
)


# What a complaint's deadlines are reckoned from (clocks.py).
CLOCK_FIELDS = ("received_at", "public")


def _refuse_moving_judged_clocks(complaint: Complaint, fields: dict[str, Any], *, now) -> None:
    """When a complaint came in and whether it is public set its deadlines; once it has been
    judged by them (answered, resolved, or a deadline passed) they stay. Changed afterwards, a
    complaint answered late could count as answered in time in the complaint figures."""
    moved = [
        name for name in CLOCK_FIELDS if name in fields and fields[name] != getattr(complaint, name)
    ]
    if moved and complaint_clocks_judged(complaint, now=now):
        raise _conflict(
            moved[0],
            _(
                "When this complaint came in and whether it is public set its deadlines, and it "
                "has been judged by them (answered, resolved or past a deadline): they stay, so "
                "that its figures do not change afterwards."
            ),
            "judged",
        )


def complaint_update(
    *, complaint: Complaint, actor, now: datetime | None = None, **fields: Any
) -> Complaint:
    now = now or timezone.now()
    changed = Complaint.objects.get(pk=complaint.pk)
    before = _snapshot(changed)
    _changes_checked(changed, fields, now)
    with transaction.atomic():
        if any(before[name] != getattr(changed, name) for name in CLOCK_FIELDS):
            complaint_deadlines_set(
                changed, business=business_lock_time_zone(business=changed.business)
            )
        if not save_changed_customer_row(changed, actor=actor, before=before, snapshot=_snapshot):
            return complaint
        if changed.resolved_at is not None and changed.recovery_gesture not in (
            "",
            before["recovery_gesture"],
        ):
            run_after_commit(RECOVERY_GESTURE_WRITTEN, complaint=changed, actor=actor)
    return changed


def _changes_checked(changed: Complaint, fields: dict[str, Any], now: datetime) -> None:
    """complaint_update's `fields` made to `changed` (not saved), checked: every refusal of a
    value at once; a refusal for the complaint's state (Conflict) as it comes."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"Unknown complaint fields: {sorted(unknown)}")
    _refuse_moving_judged_clocks(changed, fields, now=now)
    for name, value in fields.items():
        setattr(changed, name, value.strip() if isinstance(value, str) else value)
    refusals_gathered(
        # (A complaint answered already keeps when it came in: _refuse_moving_judged_clocks.)
        lambda: refuse_unlikely_moment(changed.received_at, field="received_at", now=now),
        lambda: changed.resolved_at is None or changed.resolution or _refuse_no_resolution(),
        clean=changed,
    )


def complaint_change(
    *,
    complaint: Complaint,
    actor,
    fields: dict[str, Any],
    responded_at: datetime | None = None,
    resolved_at: datetime | None = None,
    resolution: str | None = None,
    undo_response: bool = False,
    expected_versions: Collection[str] | None = None,
) -> Complaint:
    """The API's PATCH of a complaint as one change: its answer taken back first when
    `undo_response` and it is answered (complaint_response_undo), then the `fields`
    (complaint_update), then the first response at `responded_at`, then resolved at
    `resolved_at` with the `resolution`, in one transaction, so a refused step also undoes the
    changes sent with it. A `resolution` (None: not sent) without `resolved_at` rewords that
    of a resolved complaint, and is refused for an open one unless empty. Every refusal of the
    values at once, before any step is written; the steps check them again, and refuse for
    the complaint's state as they come. `expected_versions`: the versions the caller read
    (If-Match, core.versions); refused with ChangedMeanwhile and nothing changed unless one is
    stored."""
    with transaction.atomic():
        if any(name in fields for name in CLOCK_FIELDS):
            # The business before the complaint, as a change of time zone takes them (it holds
            # the business while it re-dates the complaints): taken the other way round, the
            # two waited for each other and PostgreSQL broke one off with an error.
            business_lock_time_zone(business=complaint.business)
        with record_changing(complaint, expected_versions=expected_versions) as complaint:
            if undo_response and complaint.first_response_at is not None:
                complaint = complaint_response_undo(complaint=complaint, actor=actor)
            fields = _with_rewording(complaint, fields, resolved_at, resolution)
            refused = _change_refusals(complaint, fields, responded_at, resolved_at, resolution)
            if refused:
                raise ValidationError(refused)
            if fields:
                complaint = complaint_update(complaint=complaint, actor=actor, **fields)
            if responded_at is not None:
                complaint = complaint_respond(complaint=complaint, actor=actor, at=responded_at)
            if resolved_at is not None:
                complaint = complaint_resolve(
                    complaint=complaint, actor=actor, resolution=resolution or "", at=resolved_at
                )
    return complaint


def complaint_change_refusals(
    *,
    complaint: Complaint,
    fields: dict[str, Any],
    responded_at: datetime | None = None,
    resolved_at: datetime | None = None,
    resolution: str | None = None,
    undo_response: bool = False,
) -> dict[str, list[ValidationError]]:
    """What complaint_change would refuse of these values of `complaint` (as read), per field,
    writing nothing; {} when the complaint's state refuses them (a Conflict, answered by the
    write). Its answer taken back when `undo_response`, as complaint_change does first."""
    changed = copy.copy(complaint)
    if undo_response:
        changed.first_response_at = None
    fields = _with_rewording(changed, fields, resolved_at, resolution)
    return _change_refusals(changed, fields, responded_at, resolved_at, resolution)


def _with_rewording(
    complaint: Complaint,
    fields: dict[str, Any],
    resolved_at: datetime | None,
    resolution: str | None,
) -> dict[str, Any]:
    if resolved_at is None and complaint.resolved_at is not None and resolution is not None:
        # Rewording the resolution of a resolved complaint (complaint_update refuses it empty);
        # an open complaint's empty resolution is empty already.
        return {**fields, "resolution": resolution}
    return fields


def _change_refusals(
    complaint: Complaint,
    fields: dict[str, Any],
    responded_at: datetime | None,
    resolved_at: datetime | None,
    resolution: str | None,
) -> dict[str, list[ValidationError]]:
    """complaint_change's checks of its values on a copy of `complaint`: the resolution given
    without its moment, the fields (complaint_update's), then the answer and the resolution
    against the complaint so changed."""
    now = timezone.now()
    changed = copy.copy(complaint)
    return refusals_of(
        lambda: refusals_gathered(
            lambda: _refuse_resolution_alone(changed, resolved_at, resolution),
            lambda: fields and _changes_checked(changed, fields, now),
            lambda: responded_at is not None and _refuse_response_at(changed, responded_at, now),
            lambda: (
                resolved_at is not None
                and _refuse_resolution(changed, resolution or "", resolved_at, None, now)
            ),
        )
    )


def _refuse_resolution_alone(
    complaint: Complaint, resolved_at: datetime | None, resolution: str | None
) -> None:
    if resolved_at is None and complaint.resolved_at is None and resolution:
        raise _error("resolved_at", _("Give the moment the complaint was resolved."), "required")
