import copy
from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from klantvriend.core.audit import (
    AuditAction,
    audit_customer_row,
    audit_diff,
    save_changed_customer_row,
    save_new_customer_row,
)
from klantvriend.core.errors import Conflict, ValidationError, refusals_gathered, refusals_of
from klantvriend.core.hooks import GESTURE_GIVEN, GESTURE_UNDONE, run_in_transaction
from klantvriend.core.moments import refuse_unlikely_moment
from klantvriend.core.undo import step_to_undo
from klantvriend.core.versions import record_changing
from klantvriend.customers.services import customer_refuse_if_anonymised_now

from .models import Gesture, Occasion


def _snapshot(gesture: Gesture) -> dict[str, Any]:
    return {
        "what": gesture.what,
        "value_cents": gesture.value_cents,
        "occasion": gesture.occasion,
        "given_at": gesture.given_at,
    }


def _validate(gesture: Gesture, now: datetime) -> None:
    value = gesture.value_cents
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValidationError(
            {"value_cents": ValidationError(_("Enter the value as a number."), code="invalid")}
        )
    refusals_gathered(
        lambda: refuse_unlikely_moment(gesture.given_at, field="given_at", now=now),
        gesture.full_clean,
    )


def gesture_create(
    *,
    customer,
    what: str,
    occasion: str = Occasion.JUST_BECAUSE,
    value_cents: int | None = None,
    given_at: datetime | None = None,
    given_by=None,
    complaint=None,
    now: datetime | None = None,
) -> Gesture:
    """Records the gesture. A repeat of a recent gesture is allowed (the form warns first, see
    selectors.gesture_recent_repeats): sometimes the same treat is exactly right."""
    gesture = _new_gesture(
        customer=customer,
        what=what,
        occasion=occasion,
        value_cents=value_cents,
        given_at=given_at,
        given_by=given_by,
        complaint=complaint,
        now=now,
    )
    with transaction.atomic():
        customer_refuse_if_anonymised_now(customer)
        save_new_customer_row(gesture, actor=given_by, snapshot=_snapshot)
        run_in_transaction(GESTURE_GIVEN, gesture=gesture)
    return gesture


def gesture_create_refusals(*, customer, **fields: Any) -> dict[str, list[ValidationError]]:
    """What gesture_create would refuse of these fields, per field, writing nothing."""
    return refusals_of(lambda: _new_gesture(customer=customer, **fields))


def _new_gesture(
    *,
    customer,
    what: str,
    occasion: str = Occasion.JUST_BECAUSE,
    value_cents: int | None = None,
    given_at: datetime | None = None,
    given_by=None,
    complaint=None,
    now: datetime | None = None,
) -> Gesture:
    customer.refuse_if_anonymised()
    now = now or timezone.now()
    gesture = Gesture(
        business=customer.business,
        customer=customer,
        what=what.strip(),
        occasion=occasion,
        value_cents=value_cents,
        given_at=given_at or now,
        given_by=given_by if getattr(given_by, "is_authenticated", False) else None,
        complaint=complaint,
    )
    _validate(gesture, now)
    return gesture


def gesture_update(
    *,
    gesture: Gesture,
    actor,
    now: datetime | None = None,
    expected_versions: Collection[str] | None = None,
    **fields: Any,
) -> Gesture:
    """Changes the fields given of the gesture as stored now. `expected_versions`: the versions
    the caller read (the API's If-Match, core.versions); refused with ChangedMeanwhile and
    nothing changed unless one of them is stored."""
    now = now or timezone.now()
    with record_changing(gesture, expected_versions=expected_versions) as changed:
        before = _snapshot(changed)
        _changes_checked(changed, fields, now)
        save_changed_customer_row(changed, actor=actor, before=before, snapshot=_snapshot)
    return changed


def gesture_undo(
    *,
    gesture: Gesture,
    actor,
    now: datetime | None = None,
    expected_versions: Collection[str] | None = None,
) -> None:
    """Take back a gesture logged by mistake (a double tap, the wrong customer), by the rule of
    core/undo.py: for 24 hours, by whoever logged it or an owner, while it still says what was
    logged. The gesture goes from the log and its figures; the trail keeps that it was logged
    and undone. A thank-you it closed opens again (GESTURE_UNDONE). A recovery gesture is the
    complaint's: it is changed or cleared on its complaint, which logs it."""
    with record_changing(gesture, expected_versions=expected_versions) as stored:
        if stored.complaint_id is not None:
            raise Conflict(
                {
                    "what": ValidationError(
                        _("This gesture belongs to its complaint: change it there."),
                        code="recovery",
                    )
                }
            )
        step_to_undo(row=stored, actions=[AuditAction.CREATED], field="what", actor=actor, now=now)
        run_in_transaction(GESTURE_UNDONE, gesture=stored, actor=actor)
        audit_customer_row(
            stored,
            actor=actor,
            action=AuditAction.UNDONE,
            changes=audit_diff(_snapshot(stored), {name: None for name in _snapshot(stored)}),
        )
        stored.delete()


def gesture_update_refusals(
    *, gesture: Gesture, now: datetime | None = None, **fields: Any
) -> dict[str, list[ValidationError]]:
    """What gesture_update would refuse of these fields of `gesture` (as stored), per field,
    writing nothing."""
    return refusals_of(lambda: _changes_checked(copy.copy(gesture), fields, now or timezone.now()))


def _changes_checked(gesture: Gesture, fields: dict[str, Any], now: datetime) -> None:
    unknown = set(fields) - {"what", "value_cents", "occasion", "given_at"}
    if unknown:
        raise TypeError(f"Unknown gesture fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(gesture, name, value.strip() if isinstance(value, str) else value)
    _validate(gesture, now)


def gesture_log_recovery(*, complaint, actor=None) -> Gesture | None:
    """Logs the recovery gesture written at a complaint's resolution among the gestures, given
    when the complaint was resolved, so that the log shows every gesture the customer received;
    a later rewording on the complaint rewords the logged gesture. Once per complaint; nothing
    for an anonymised customer, of whom nothing new is recorded."""
    what = complaint.recovery_gesture.strip()
    if not what or complaint.resolved_at is None or complaint.customer.erased_at is not None:
        return None
    logged = Gesture.objects.filter(complaint=complaint).first()
    if logged is not None:
        return gesture_update(gesture=logged, actor=actor, what=what)
    return gesture_create(
        customer=complaint.customer,
        what=what,
        occasion=Occasion.COMPLAINT_RECOVERY,
        given_at=complaint.resolved_at,
        given_by=actor,
        complaint=complaint,
    )
