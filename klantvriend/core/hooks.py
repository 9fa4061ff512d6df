"""Explicit hooks between domain apps: after commit, or inside the transaction of the write.

A lower app (customers, promises, complaints) announces that something happened by calling
`run_after_commit(EVENT, ...)` from its service; a higher app (aftercare) registers a handler in
its AppConfig.ready(). The lower app never imports the higher one, and unlike Django signals the
call is visible in the service that causes it. Handlers run only once the write is committed, so
a rolled-back purchase plans no follow-up. A write that other apps must follow within its own
transaction (`run_in_transaction`) runs their handlers at once instead, and fails as a whole
when one of them fails."""

import logging
from collections import defaultdict
from collections.abc import Callable
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)

PURCHASE_RECORDED = "purchase_recorded"
# A purchase's amount, description or moment was corrected, or the purchase deleted
# (customers.services.purchase_update, purchase_delete), announced inside the transaction:
# aftercare plans its call anew, or withdraws it, unless someone has worked on it. Handlers
# take `purchase` and `actor`.
PURCHASE_CORRECTED = "purchase_corrected"
PURCHASE_DELETED = "purchase_deleted"
PROMISE_KEPT = "promise_kept"
COMPLAINT_RESOLVED = "complaint_resolved"
# A complaint recorded by mistake is removed (complaints.services.complaint_delete), announced
# inside its transaction before the row goes: aftercare removes the check still planned after
# it. Handlers take `complaint` and `actor`.
COMPLAINT_DELETED = "complaint_deleted"
# A promise marked kept by mistake is open again (promises.services.promise_reopen), announced
# inside its transaction: aftercare withdraws the follow-up it planned for the promise being
# kept, unless someone has worked on it, and surveys the invitation it sent, unless the customer
# has answered it. Handlers take `promise`, `actor` and `kept_at` (when it had been kept).
PROMISE_REOPENED = "promise_reopened"
# Whether a kept promise plans its aftercare call was changed (promises.services.promise_update,
# inside its transaction): aftercare plans the call, or withdraws the one it planned unless
# someone has worked on it. Handlers take `promise` and `actor`.
PROMISE_AFTERCARE_CHANGED = "promise_aftercare_changed"
# A resolved complaint's recovery gesture was written or reworded (the gestures log it).
RECOVERY_GESTURE_WRITTEN = "recovery_gesture_written"
# A customer's referrer was recorded or changed (customers.services.customer_update), after
# commit: aftercare plans the referrer's thank-you when the customer has bought already, as the
# first purchase would have. Handlers take `customer`.
REFERRAL_RECORDED = "referral_recorded"
# A gesture was logged (gestures.services.gesture_create), announced inside its transaction:
# aftercare closes the thank-you a referrer's follow-up asks for when the gesture is that
# thanks. Handlers take `gesture`.
GESTURE_GIVEN = "gesture_given"
# A gesture logged by mistake was taken back (gestures.services.gesture_undo), announced inside
# its transaction before the row goes: aftercare opens again the thank-you it closed. Handlers
# take `gesture` and `actor`.
GESTURE_UNDONE = "gesture_undone"
# Announced by the importers after a committed import (insights refresh on it).
DATA_IMPORTED = "data_imported"
# Two records of one person were merged into `customer` (importers.merge), after commit: the
# insights app computes the kept customer's figures again from the purchases of both.
CUSTOMERS_MERGED = "customers_merged"
# The business moved to another time zone (core.services.business_update). Apps that store
# business-local days re-derive them in the same transaction, so no reader ever sees a day of
# the old zone beside the new zone; their own writes of such days read the zone with
# core.services.business_lock_time_zone, so none slips in meanwhile. Handlers take `business`
# (already in the new zone) and return a dict of counts for the audit trail.
BUSINESS_TIME_ZONE_CHANGED = "business_time_zone_changed"
# The care settings changed (core.care_settings.care_settings_update), announced inside its
# transaction with the business row locked: apps that store what they derive from the settings
# (a complaint's deadlines) work it out again. Handlers take `business` (with the new
# settings), `before` and `after` (CareSettings) and return a dict of counts for the audit.
CARE_SETTINGS_CHANGED = "care_settings_changed"

# A member leaves the business (core.members.member_remove), announced inside its transaction
# before the membership goes: apps that name a person on the business's records as someone who
# works there now (a customer's regular staff member, whom an open follow-up is for) let go of
# them, so that no page names someone who left as theirs. Handlers take `business`, `user` and `actor` and return a dict of
# counts for the audit trail. Records of what was (who served a purchase, who was assigned a
# follow-up done) keep the person.
MEMBER_REMOVED = "member_removed"

_handlers: dict[str, list[Callable[..., object]]] = defaultdict(list)


def register_hook(event: str, handler: Callable[..., object]) -> None:
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def _run(event: str, kwargs: dict) -> None:
    for handler in list(_handlers[event]):
        try:
            handler(**kwargs)
        except Exception:
            # The write that triggered the hook is committed and must not look failed to the
            # person who made it; a failing side effect is logged for the operator instead.
            logger.exception("Hook %s for %s failed", handler, event)


def run_after_commit(event: str, **kwargs: object) -> None:
    transaction.on_commit(partial(_run, event, kwargs))


def run_in_transaction(event: str, **kwargs: object) -> dict[str, object]:
    """Run the handlers now, inside the caller's transaction; an error in one rolls back the
    whole write. Returns what the handlers report, merged (for the audit trail)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{event} must be announced inside the transaction of its write")
    report: dict[str, object] = {}
    for handler in list(_handlers[event]):
        report.update(handler(**kwargs) or {})
    return report
