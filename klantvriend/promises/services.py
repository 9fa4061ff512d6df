"""Writes of promises. Every function validates completely before it writes and writes in one
transaction together with its audit event: on bad input nothing is stored.

What a promise stores in business-local time (an all-day due moment, `due_on`, `done_on`) is
derived from the time zone read inside that transaction under the business's lock
(core.services.business_lock_time_zone), never from the business the request read when it came
in: a move to another zone (promises_redate) either re-dates the promise or comes before it."""

import calendar
import copy
from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime, timedelta
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
from klantvriend.core.hooks import (
    PROMISE_AFTERCARE_CHANGED,
    PROMISE_KEPT,
    PROMISE_REOPENED,
    run_after_commit,
    run_in_transaction,
)
from klantvriend.core.language import shop_language
from klantvriend.core.moments import refuse_unlikely_moment
from klantvriend.core.services import business_lock_time_zone
from klantvriend.core.shown import moment_shown
from klantvriend.core.undo import step_to_undo
from klantvriend.core.versions import record_changing
from klantvriend.customers.models import ContactKind
from klantvriend.customers.services import (
    contact_moment_create,
    customer_read_erased_now,
    customer_refuse_if_anonymised_now,
)

from .models import (
    REPEAT_MONTHS,
    REPEAT_MONTHS_REFUSED,
    REPEAT_REFUSED,
    REPEAT_WEEKS,
    Promise,
    PromiseKind,
    due_moment_for_day,
)
from .selectors import promise_grace
from .status import may_be_set_on_time

# A clock that is a few minutes fast must not refuse a promise kept just now.
# A due day a century ahead is a mistyped year; one near the end of the calendar could not even
# be judged (its status adds the grace period to it, beyond the last moment Python holds).
FURTHEST_DUE = timedelta(days=36525)


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _finished(field: str, message: str = "") -> Conflict:
    return Conflict(
        {field: ValidationError(message or _("This promise is already finished."), code="finished")}
    )


def resolve_due(business, due_at: datetime | None, due_date: date | None) -> tuple[datetime, bool]:
    """The due moment given as a moment or as a day (due by its end), and whether it is for
    the day; refused unless exactly one of them is given."""
    if due_at is not None and due_date is not None:
        raise _error("due_at", _("Give either a due moment or a due day, not both."), "ambiguous")
    if due_date is not None:
        return due_moment_for_day(business=business, day=due_date), True
    if due_at is None:
        raise _error("due_at", _("When is it due? Give a day or a moment."), "required")
    return due_at, False


def _check_moments(promise: Promise, now: datetime) -> None:
    """The promise's moments, every refusal at once; its due moment not when none could be
    resolved (that refusal is answered)."""
    refusals_gathered(
        lambda: refuse_unlikely_moment(
            promise.made_at,
            field="made_at",
            now=now,
            future=_("A promise cannot be made in the future."),
        ),
        lambda: promise.due_at is not None and _check_due(promise, now),
    )


def _check_due(promise: Promise, now: datetime) -> None:
    if promise.due_at < promise.made_at:
        # Made now (as a promise is unless told otherwise, and a new moment always): the
        # moment it was made is nothing the person typed, and "before it was made" sent them
        # looking at a field they had not touched.
        passed = promise.made_at == now
        raise _error(
            "due_at",
            _("The due moment has passed already: choose a moment still to come.")
            if passed
            else _("The due moment lies before the moment the promise was made."),
            "due_before_made",
        )
    if promise.due_at - now > FURTHEST_DUE:
        raise _error(
            "due_at",
            _("The due moment lies more than a hundred years ahead; check the year."),
            "too_far",
        )


def _snapshot(promise: Promise) -> dict[str, Any]:
    return {
        "description": promise.description,
        "kind": promise.kind,
        "survey_after_delivery": promise.survey_after_delivery,
        "aftercare_after_kept": promise.aftercare_after_kept,
        "repeat_weeks": promise.repeat_weeks,
        "repeat_months": promise.repeat_months,
        "made_at": promise.made_at,
        "due_at": promise.due_at,
        "due_all_day": promise.due_all_day,
        "done_at": promise.done_at,
        "cancelled_at": promise.cancelled_at,
    }


def promise_create(
    *,
    customer,
    description: str,
    kind: str = PromiseKind.OTHER,
    due_at: datetime | None = None,
    due_date: date | None = None,
    made_by=None,
    made_at: datetime | None = None,
    survey_after_delivery: bool = True,
    aftercare_after_kept: bool = True,
    repeat_weeks: int = 0,
    repeat_months: int = 0,
    kept_at: datetime | None = None,
    now: datetime | None = None,
) -> Promise:
    """A new promise; with `kept_at`, one written down afterwards that was kept then, marked
    kept in the same transaction (promise_mark_kept: a refused moment stores nothing)."""
    customer.refuse_if_anonymised()
    now = now or timezone.now()
    with transaction.atomic():
        business = business_lock_time_zone(business=customer.business)
        customer_refuse_if_anonymised_now(customer)
        promise = _new_promise(
            business=business,
            customer=customer,
            description=description,
            kind=kind,
            due_at=due_at,
            due_date=due_date,
            made_by=made_by,
            made_at=made_at,
            survey_after_delivery=survey_after_delivery,
            aftercare_after_kept=aftercare_after_kept,
            repeat_weeks=repeat_weeks,
            repeat_months=repeat_months,
            now=now,
        )
        save_new_customer_row(promise, actor=made_by, snapshot=_snapshot)
        if kept_at is not None:
            promise = promise_mark_kept(promise=promise, actor=made_by, at=kept_at, now=now)
    return promise


def promise_create_refusals(
    *, customer, now: datetime | None = None, **fields: Any
) -> dict[str, list[ValidationError]]:
    """What promise_create would refuse of these fields, per field, writing nothing and
    locking nothing: the due day is read in the zone the customer's business has now, where
    promise_create reads it under the business's lock (a change of zone meanwhile moves a due
    day by hours, not into or out of any refusal but one on its very edge, which the write
    answers)."""

    def checked() -> None:
        customer.refuse_if_anonymised()
        _new_promise(
            business=customer.business, customer=customer, now=now or timezone.now(), **fields
        )

    return refusals_of(checked)


def _new_promise(
    *,
    business,
    customer,
    description: str,
    now: datetime,
    kind: str = PromiseKind.OTHER,
    due_at: datetime | None = None,
    due_date: date | None = None,
    made_by=None,
    made_at: datetime | None = None,
    survey_after_delivery: bool = True,
    aftercare_after_kept: bool = True,
    repeat_weeks: int = 0,
    repeat_months: int = 0,
) -> Promise:
    """The promise promise_create stores, checked: every refusal at once."""
    promise = Promise(
        business=business,
        customer=customer,
        description=description.strip(),
        kind=kind,
        survey_after_delivery=survey_after_delivery,
        aftercare_after_kept=aftercare_after_kept,
        repeat_weeks=repeat_weeks,
        repeat_months=repeat_months,
        made_by=made_by if getattr(made_by, "is_authenticated", False) else None,
        made_at=made_at or now,
    )

    def due() -> None:
        promise.due_at, promise.due_all_day = resolve_due(business, due_at, due_date)
        promise.due_on = business.local(promise.due_at).date()

    refusals_gathered(
        due,
        lambda: _check_moments(promise, now),
        lambda: _refuse_unoffered_repeat(promise.repeat_weeks, promise.repeat_months),
        clean=promise,
        exclude=_DERIVED,
    )
    _keep_repeat_day(promise, due_moved=True)
    return promise


def _keep_repeat_day(promise: Promise, *, due_moved: bool) -> None:
    """The day of the month a monthly arrangement falls on (Promise.repeat_day): its due day's
    when it is new, or its due day moved; none when it does not repeat in months."""
    if not promise.repeat_months:
        promise.repeat_day = None
    elif due_moved or promise.repeat_day is None:
        promise.repeat_day = promise.due_on.day


# Worked out from due_at, not given: refused as due_at when it cannot be.
_DERIVED = ["due_on"]


EDITABLE = frozenset(
    {
        "description",
        "kind",
        "due_at",
        "due_date",
        "made_at",
        "survey_after_delivery",
        "aftercare_after_kept",
        "repeat_weeks",
        "repeat_months",
    }
)


def promise_update(
    *, promise: Promise, actor, now: datetime | None = None, **fields: Any
) -> Promise:
    now = now or timezone.now()
    with transaction.atomic():
        business = business_lock_time_zone(business=promise.business)
        # Read under the lock: the whole row is saved, and a move to another zone may have
        # re-dated it since the request read it.
        changed = Promise.objects.get(pk=promise.pk)
        before = _snapshot(changed)
        _changes_checked(business, changed, fields, now)
        save_changed_customer_row(changed, actor=actor, before=before, snapshot=_snapshot)
        if changed.done_at is not None and (
            changed.aftercare_after_kept != before["aftercare_after_kept"]
        ):
            run_in_transaction(PROMISE_AFTERCARE_CHANGED, promise=changed, actor=actor)
        if (before["repeat_weeks"] or before["repeat_months"]) and not changed.repeats:
            _withdraw_next_time(changed, actor=actor, now=now)
        elif changed.repeats and (
            _cadence(changed) != (before["repeat_weeks"], before["repeat_months"])
            or changed.due_at != before["due_at"]
        ):
            _remake_next_time(changed, actor=actor, now=now)
    return changed


def _cadence(promise: Promise) -> tuple[int, int]:
    return promise.repeat_weeks, promise.repeat_months


def _withdraw_next_time(promise: Promise, *, actor, now: datetime) -> bool:
    """A standing order ended on a time that had made its next one already (kept, the keeping
    undone): that next time, still open, is cancelled now with it, not repeating; left, it
    came on Today every week after "niet meer herhalen". Whether there was one to cancel."""
    following = (
        Promise.objects.select_for_update()
        .filter(pk=promise.repeated_as_id, done_at__isnull=True, cancelled_at__isnull=True)
        .first()
    )
    if following is None:
        return False
    promise_update(promise=following, actor=actor, now=now, **NOT_REPEATING)
    promise_cancel(promise=following, actor=actor, at=now, now=now, repeat=False)
    return True


def _remake_next_time(promise: Promise, *, actor, now: datetime) -> None:
    """A time that had made its next one already (kept, the keeping undone) made to repeat
    otherwise, or moved: that next time, still open, was due by the old arrangement (a
    quarterly return's "volgende keer zo 30 jan", 13 weeks on, beside "elke 3 maanden", and a
    second open one). It is cancelled, and the link to it forgotten, so that keeping this one
    makes its next time anew."""
    if _withdraw_next_time(promise, actor=actor, now=now):
        _name_the_next(promise, "repeated_as", None, actor=actor)


def _changes_checked(business, changed: Promise, fields: dict[str, Any], now: datetime) -> None:
    """promise_update's `fields` made to `changed` (not saved), checked: every refusal of a
    value at once; a refusal for the promise's state (Conflict) as it comes."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"Unknown promise fields: {sorted(unknown)}")
    if "description" in fields:
        changed.description = fields["description"].strip()
    if "kind" in fields:
        changed.kind = fields["kind"]
    for flag in ("survey_after_delivery", "aftercare_after_kept"):
        if flag in fields:
            setattr(changed, flag, fields[flag])
    if "made_at" in fields and fields["made_at"] is not None:
        changed.made_at = fields["made_at"]
    due_before = changed.due_at
    refusals_gathered(
        lambda: _repeat_changed(changed, fields),
        lambda: _due_moved(business, changed, fields, now),
        lambda: _check_moments(changed, now),
        lambda: _refuse_kept_before_made(changed),
        clean=changed,
        exclude=_DERIVED,
    )
    _keep_repeat_day(changed, due_moved=changed.due_at != due_before)


# What ends a standing arrangement (promise_update's fields).
NOT_REPEATING = {"repeat_weeks": 0, "repeat_months": 0}


def _refuse_unoffered_repeat(weeks: int, months: int) -> None:
    if weeks not in REPEAT_WEEKS:
        raise _error("repeat_weeks", REPEAT_REFUSED % {"value": weeks}, "invalid_choice")
    if months not in REPEAT_MONTHS:
        raise _error("repeat_months", REPEAT_MONTHS_REFUSED % {"value": months}, "invalid_choice")
    if weeks and months:
        raise _error(
            "repeat_months",
            _("A promise repeats in weeks or in months, not both: set the other to 0."),
            "both",
        )


def _repeat_changed(changed: Promise, fields: dict[str, Any]) -> None:
    """How often it repeats, changed on an open promise: a finished one has passed the
    arrangement on to its next time already, or ended it (promise_repeat)."""
    wanted = {
        name: fields.get(name, getattr(changed, name)) for name in ("repeat_weeks", "repeat_months")
    }
    if all(wanted[name] == getattr(changed, name) for name in wanted):
        return
    if changed.done_at is not None or changed.cancelled_at is not None:
        raise _finished(
            next(name for name in wanted if name in fields),
            _(
                "A kept or cancelled promise no longer carries the arrangement on: change how "
                "often it repeats on its next time."
            ),
        )
    _refuse_unoffered_repeat(wanted["repeat_weeks"], wanted["repeat_months"])
    changed.repeat_weeks, changed.repeat_months = wanted["repeat_weeks"], wanted["repeat_months"]


def _due_moved(business, changed: Promise, fields: dict[str, Any], now: datetime) -> None:
    new_due = _new_due(business, changed, fields)
    if new_due is None:
        return
    if changed.done_at is not None or changed.cancelled_at is not None:
        # Its outcome was judged against this moment: moved afterwards, a promise kept late
        # would count as kept on time. Undo Done first (core/undo.py) to move it.
        raise _finished(
            "due_at",
            _(
                "A kept or cancelled promise keeps the moment it was due: its outcome was "
                "judged against it."
            ),
        )
    if _due_moment_stays(business, changed, new_due[0], now):
        raise Conflict(
            {
                "due_at": ValidationError(
                    _(
                        "This promise was not kept by the moment it was due, so that "
                        "moment stays: moved, the promise would count as kept on time. "
                        "Reschedule it instead: it is cancelled, counting as broken, and "
                        "a new promise is made for the new moment."
                    ),
                    code="overdue",
                )
            }
        )
    changed.due_at, changed.due_all_day = new_due
    changed.due_on = business.local(changed.due_at).date()


def _refuse_kept_before_made(promise: Promise) -> None:
    if promise.done_at is not None and promise.done_at < promise.made_at:
        raise _error("made_at", _("The promise was kept before this moment."), "done_before_made")


def _new_due(business, promise: Promise, fields: dict[str, Any]) -> tuple[datetime, bool] | None:
    """The due moment and whether it is for the whole day that `fields` (promise_update's) give
    the promise, if that is another than it has; None if they leave it where it is."""
    if fields.get("due_at") is None and fields.get("due_date") is None:
        return None
    due = resolve_due(business, fields.get("due_at"), fields.get("due_date"))
    return None if due == (promise.due_at, promise.due_all_day) else due


def promise_reschedule(
    *, promise: Promise, actor, now: datetime | None = None, told: bool = False, **fields: Any
) -> Promise:
    """Change a promise (`fields` as promise_update's), its due moment to the one the customer
    agreed to. While the due moment may move, that is promise_update. Once it stays
    (Promise.due_moment_stays: it has passed and the promise is still open), the promise is
    cancelled now, which counts it as broken (cancelled after it was due, status.py), and a new
    promise is made for the new moment, by `actor`, now, saying what the old one says (after
    the other changes in `fields`, made to the old one first); the old one names it as its
    successor (`rescheduled_to`). Moving the old one would have counted it as kept on time once
    kept by the new moment: neither the reliability figures nor the advice on what can safely
    be promised would have seen that it was late. `told`: the customer was told of the new
    moment, which is then theirs, not a date typed wrong (`_due_moment_stays`). Returns the
    promise that holds the new moment, in one transaction: a refused step leaves both as they
    were."""
    now = now or timezone.now()
    with transaction.atomic():
        business = business_lock_time_zone(business=promise.business)
        old = Promise.objects.select_for_update().get(pk=promise.pk)
        if not _moves_to_a_new_promise(business, old, fields, now, told=told):
            return promise_update(promise=old, actor=actor, now=now, **fields)
        due = {name: fields.pop(name) for name in ("due_at", "due_date") if name in fields}
        if fields:
            old = promise_update(promise=old, actor=actor, now=now, **fields)
        promise_cancel(promise=old, actor=actor, at=now, now=now)
        new = promise_create(
            customer=old.customer,
            description=old.description,
            kind=old.kind,
            survey_after_delivery=old.survey_after_delivery,
            aftercare_after_kept=old.aftercare_after_kept,
            made_by=actor,
            made_at=now,
            now=now,
            **due,
        )
        # The old promise names its successor, so the profile, the lists and the API join
        # them; the figures do not read the link (the old one is broken by its own moment).
        _name_the_next(old, "rescheduled_to", new, actor=actor)
        return new


def promise_reschedule_refusals(
    *, promise: Promise, now: datetime | None = None, **fields: Any
) -> dict[str, list[ValidationError]]:
    """What the API's reschedule (a new due moment, then promise_reschedule) would refuse of
    these fields of `promise` (as read), writing nothing and locking nothing."""
    now = now or timezone.now()
    business = promise.business

    def checked() -> None:
        due = {name: fields[name] for name in ("due_at", "due_date") if name in fields}
        resolve_due(business, due.get("due_at"), due.get("due_date"))
        if not _moves_to_a_new_promise(business, promise, fields, now):
            _changes_checked(business, copy.copy(promise), fields, now)
            return
        _new_promise(
            business=business,
            customer=promise.customer,
            description=promise.description,
            kind=promise.kind,
            made_at=now,
            now=now,
            **due,
        )

    return refusals_of(checked)


def _moves_to_a_new_promise(
    business, promise: Promise, fields: dict[str, Any], now: datetime, *, told: bool = False
) -> bool:
    """Whether promise_reschedule makes a new promise for the due moment `fields` give: the
    promise is open, its due moment stays (it has passed) and they give another."""
    finished = promise.done_at is not None or promise.cancelled_at is not None
    new_due = None if finished else _new_due(business, promise, fields)
    return new_due is not None and _due_moment_stays(business, promise, new_due[0], now, told=told)


def due_moment_corrected_only(*, business, promise: Promise, now: datetime) -> bool:
    """Whether the open promise was typed in after its moment, which may be corrected to
    another moment gone by, while a moment still to come makes a new promise
    (`_due_moment_stays`): what the form says before it is sent."""
    finished = promise.done_at is not None or promise.cancelled_at is not None
    return not finished and _typed_in_late_and_settled(business, promise, now)


def _due_moment_stays(
    business, promise: Promise, new_due_at: datetime, now: datetime, *, told: bool = False
) -> bool:
    """Whether the open promise's due moment may not be moved to `new_due_at`: it has passed
    and had not when the promise was recorded (Promise.due_moment_stays); or the promise was
    typed in after its moment, which may be corrected to another moment gone by but not moved
    to one still to come (`_typed_in_late_and_settled`). Moved there, a callback typed in a
    day late and moved to next week never counted as broken: a moment to come is the
    customer's new one, a new promise. So is one the customer was `told` of, within the grace
    too: a salon that rescheduled a late promise "told by phone: the shampoo arrives Tuesday"
    saw it taken for a date typed wrong, and its broken promise left the figures."""
    if promise.due_moment_stays(now):
        return True
    if new_due_at <= now:
        return False
    if told:
        return _typed_in_late(promise, now)
    return _typed_in_late_and_settled(business, promise, now)


def _typed_in_late_and_settled(business, promise: Promise, now: datetime) -> bool:
    """Whether the promise was recorded after its moment (Promise.due_moment_stays lets that
    moment be corrected) longer ago than the promise grace: a date typed wrong is found at
    once, and may then still be put ahead."""
    return _typed_in_late(promise, now) and promise.created_at < now - _typo_window(business)


def _typo_window(business) -> timedelta:
    """How long a moment typed wrong may be put ahead: the promise grace's hours, on the clock
    (closed days count: a typing error is seen at once, or when the promise is read again)."""
    return promise_grace(business).span


def _typed_in_late(promise: Promise, now: datetime) -> bool:
    return promise.due_at < now and promise.due_at <= promise.created_at


def typed_in_late_free_until(*, business, promise: Promise, now: datetime) -> datetime | None:
    """Until when the open promise recorded after its moment may still be put ahead to a moment
    to come, as a date typed wrong (`_typed_in_late_and_settled`): what the form says before
    it is sent. None when it was not recorded late, or that time is over."""
    finished = promise.done_at is not None or promise.cancelled_at is not None
    if finished or not _typed_in_late(promise, now):
        return None
    until = promise.created_at + _typo_window(business)
    return until if until >= now else None


def _check_open(promise: Promise) -> None:
    if promise.done_at is not None or promise.cancelled_at is not None:
        raise _finished("done_at")


def _refuse_kept_at(promise: Promise, at: datetime, now: datetime) -> None:
    """promise_mark_kept's checks: the promise open, then `at` a moment it can be kept at."""
    _check_open(promise)
    refuse_unlikely_moment(
        at, field="done_at", now=now, future=_("A promise cannot be kept in the future.")
    )
    if at < promise.made_at:
        # The moment it was made, to the second: a till whose clock runs behind the server's
        # sends "now" a few seconds before a promise it has just made.
        made = moment_shown(promise.made_at, "SECONDS", zone=promise.business.tzinfo)
        raise _error(
            "done_at",
            _("A promise cannot be kept before it was made: %(made)s.") % {"made": made},
            "done_before_made",
        )


def _refuse_cancelled_at(promise: Promise, at: datetime, now: datetime) -> None:
    """promise_cancel's checks: the promise open, then `at` a moment it can be cancelled at."""
    _check_open(promise)
    refuse_unlikely_moment(
        at, field="cancelled_at", now=now, future=_("A promise cannot be cancelled in the future.")
    )
    if at < promise.made_at:
        raise _error(
            "cancelled_at",
            _("A promise cannot be cancelled before it was made."),
            "cancelled_before_made",
        )


def promise_mark_kept(
    *, promise: Promise, actor, at: datetime | None = None, now: datetime | None = None
) -> Promise:
    now = now or timezone.now()
    at = at or now
    _refuse_kept_at(promise, at, now)
    with transaction.atomic():
        business = business_lock_time_zone(business=promise.business)
        _lock_customer_to_repeat(promise)
        # Only an open promise is updated: a double click or two members at once keep it once.
        updated = Promise.objects.filter(
            pk=promise.pk, done_at__isnull=True, cancelled_at__isnull=True
        ).update(done_at=at, done_on=business.local(at).date(), updated_at=now)
        if not updated:
            raise _finished("done_at")
        promise.refresh_from_db()
        audit_customer_row(
            promise,
            actor=actor,
            action=AuditAction.COMPLETED,
            changes=audit_diff({"done_at": None}, {"done_at": at}),
        )
        promise_repeat(business=business, promise=promise, actor=actor, now=now)
        run_after_commit(PROMISE_KEPT, promise=promise)
    return promise


def promise_reopen(*, promise: Promise, actor, now: datetime | None = None) -> Promise:
    """Take back "kept" recorded by mistake, by the rule of core/undo.py (who may, for how
    long): the promise is open again, and counts as open in every figure. The follow-up that
    aftercare planned for it being kept goes too while nobody has worked on it, and the survey
    invitation a kept delivery caused while the customer has not answered it (PROMISE_REOPENED,
    in this transaction): not sent if it was not yet, its link saying it was withdrawn if it
    was. An answered one stays: the customer's answer counts. A cancelled promise is not
    reopened: cancelling asks for a second tap and says that it is final."""
    with transaction.atomic():
        business_lock_time_zone(business=promise.business)
        stored = Promise.objects.select_for_update().get(pk=promise.pk)
        if stored.cancelled_at is not None:
            raise Conflict(
                {
                    "done_at": ValidationError(
                        _("A cancelled promise cannot be opened again."), code="cancelled"
                    )
                }
            )
        if stored.done_at is None:
            raise Conflict(
                {"done_at": ValidationError(_("This promise is open already."), code="open")}
            )
        step_to_undo(
            row=stored, actions=[AuditAction.COMPLETED], field="done_at", actor=actor, now=now
        )
        kept_at = stored.done_at
        stored.done_at = stored.done_on = None
        stored.save(update_fields=["done_at", "done_on", "updated_at"])
        audit_customer_row(
            stored,
            actor=actor,
            action=AuditAction.UNDONE,
            changes=audit_diff({"done_at": kept_at}, {"done_at": None}),
        )
        run_in_transaction(PROMISE_REOPENED, promise=stored, actor=actor, kept_at=kept_at)
    return stored


def promise_kept_on_time(*, promise: Promise, actor, now: datetime | None = None) -> Promise:
    """ "It was on time": a promise marked kept after its moment, kept at its moment instead, as
    whoever marked it says (a buffet delivered at 17:00, "Done" tapped at 18:40 back at the
    bar, and the shop's figure read it as late). Only when marked within the promise grace
    (status.may_be_set_on_time). By the rule of core/undo.py, as taking "kept"
    back: whoever recorded it, or an owner, within its hours, and not once changed since. The
    aftercare and the survey it set going stay as they are; the trail keeps the moment first
    recorded."""
    with transaction.atomic():
        business = business_lock_time_zone(business=promise.business)
        stored = Promise.objects.select_for_update().get(pk=promise.pk)
        if stored.done_at is None or stored.done_at <= stored.due_at:
            raise Conflict(
                {
                    "done_at": ValidationError(
                        _("This promise was not marked kept after its moment."), code="not_late"
                    )
                }
            )
        grace = promise_grace(business)
        if not may_be_set_on_time(stored, grace=grace):
            raise Conflict(
                {
                    "done_at": ValidationError(
                        _(
                            "This promise was marked kept more than %(hours)s hours after its "
                            "moment (the closed days not counted), when it counted as broken "
                            "already: it stays kept late."
                        )
                        % {"hours": int(grace.span.total_seconds() // 3600)},
                        code="broken_by_then",
                    )
                }
            )
        step_to_undo(
            row=stored, actions=[AuditAction.COMPLETED], field="done_at", actor=actor, now=now
        )
        marked_at = stored.done_at
        stored.done_at = stored.due_at
        stored.done_on = business.local(stored.due_at).date()
        stored.save(update_fields=["done_at", "done_on", "updated_at"])
        audit_customer_row(
            stored,
            actor=actor,
            action=AuditAction.CHANGED,
            changes=audit_diff({"done_at": marked_at}, {"done_at": stored.done_at}),
        )
    return stored


def promise_cancel(
    *,
    promise: Promise,
    actor,
    at: datetime | None = None,
    now: datetime | None = None,
    repeat: bool = True,
) -> Promise:
    """Cancel an open promise; a repeating one is made for its next time (promise_repeat)
    unless `repeat` is false: skipping this week's order is not ending the arrangement. To end
    it, the promise is made not to repeat first (promise_change does both at once)."""
    now = now or timezone.now()
    at = at or now
    _refuse_cancelled_at(promise, at, now)
    with transaction.atomic():
        # The business before the promise, as every write that makes a promise locks them.
        business = business_lock_time_zone(business=promise.business) if repeat else None
        if repeat:
            _lock_customer_to_repeat(promise)
        updated = Promise.objects.filter(
            pk=promise.pk, done_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=at, updated_at=now)
        if not updated:
            raise _finished("cancelled_at")
        promise.refresh_from_db()
        audit_customer_row(
            promise,
            actor=actor,
            action=AuditAction.CANCELLED,
            changes=audit_diff({"cancelled_at": None}, {"cancelled_at": at}),
        )
        if business is not None:
            promise_repeat(business=business, promise=promise, actor=actor, now=now)
    return promise


def _next_due(business, promise: Promise, now: datetime) -> dict[str, datetime | date]:
    """The due moment of a repeating promise's next time, as promise_create takes it: the same
    weekday and time on the business's clock (across a change of the clocks) `repeat_weeks`
    on, or its day of the month (`repeat_day`) and time `repeat_months` on (`months_on`: a
    return due on 31 January is next due on 30 April, then on 31 July); and on again while that
    has passed: a weekly order kept a fortnight late is followed by one still to come, not by
    one overdue already."""
    local = business.local(promise.due_at)

    def due_on(day: date) -> datetime:
        if promise.due_all_day:
            return due_moment_for_day(business=business, day=day)
        return datetime.combine(day, local.time(), tzinfo=business.tzinfo)

    def later(day: date) -> date:
        if promise.repeat_months:
            return months_on(day, promise.repeat_months, on_day=promise.repeat_day or day.day)
        return day + timedelta(weeks=promise.repeat_weeks)

    day = later(local.date())
    while due_on(day) <= now:
        day = later(day)
    return {"due_date": day} if promise.due_all_day else {"due_at": due_on(day)}


def months_on(day: date, months: int, *, on_day: int) -> date:
    """The day `on_day` of the month `months` after `day`'s, or that month's last day when it
    has fewer days (31 January: 30 April, 31 July)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(on_day, calendar.monthrange(year, month + 1)[1]))


def _lock_customer_to_repeat(promise: Promise) -> None:
    """The customer of a repeating promise locked before the promise is: its next time is a
    new record of theirs (promise_repeat reads them), and an erasure locks the customer and
    then their promises; the other way round, the two could wait for each other."""
    if promise.repeats:
        customer_read_erased_now(promise.customer)


def promise_repeat(*, business, promise: Promise, actor, now: datetime) -> Promise | None:
    """The next time of a repeating promise that has just been kept or cancelled (moved to a
    new moment, too: promise_reschedule cancels it), inside that write's transaction with the
    business locked: saying what it says, of its kind, made by whoever made the arrangement,
    now, and repeating as it does; the finished one names it (`repeated_as`). None when it does
    not repeat, or its next time was made already (kept, the keeping undone, kept again).

    The next time plans no aftercare call when kept (`aftercare_after_kept`): the check after
    a delivery or repair belongs to the first time; called after every weekly order, a
    customer would be asked the same each week. It can be ticked on a next time that needs it."""
    if not promise.repeats or promise.repeated_as_id is not None:
        return None
    customer_read_erased_now(promise.customer)
    if promise.customer.erased_at is not None:
        return None
    following = _new_promise(
        business=business,
        customer=promise.customer,
        description=promise.description,
        kind=promise.kind,
        made_by=promise.made_by,
        made_at=now,
        survey_after_delivery=promise.survey_after_delivery,
        aftercare_after_kept=False,
        repeat_weeks=promise.repeat_weeks,
        repeat_months=promise.repeat_months,
        now=now,
        **_next_due(business, promise, now),
    )
    following.repeat_day = promise.repeat_day
    save_new_customer_row(following, actor=actor, snapshot=_snapshot)
    _name_the_next(promise, "repeated_as", following, actor=actor)
    return following


def _name_the_next(promise: Promise, link: str, following: Promise | None, *, actor) -> None:
    """`promise` names the promise made after it (`link`: rescheduled_to, repeated_as), or no
    longer one (None), audited on it as a change of that field."""
    before = getattr(promise, f"{link}_id")
    Promise.objects.filter(pk=promise.pk).update(**{link: following})
    setattr(promise, link, following)
    audit_customer_row(
        promise,
        actor=actor,
        action=AuditAction.CHANGED,
        changes=audit_diff({link: before}, {link: following.pk if following else None}),
    )


def promises_cancel_for_erasure(*, customer, actor, at: datetime) -> int:
    """The promises still open to a customer who is being anonymised, cancelled at `at` (each
    audited): they can no longer be kept for a person the shop no longer knows, and left open
    they fell due and counted as broken. Returns how many."""
    cancelled = 0
    for promise in Promise.objects.select_for_update().filter(
        customer=customer, done_at=None, cancelled_at=None
    ):
        # Not before it was made (a promise recorded ahead of its moment is not refused here).
        # A standing arrangement ends with the person (and the customer is locked already,
        # which the business must come before: promise_cancel does not lock it so).
        moment = max(at, promise.made_at)
        promise_cancel(promise=promise, actor=actor, at=moment, now=moment, repeat=False)
        cancelled += 1
    return cancelled


def promise_change(
    *,
    promise: Promise,
    actor,
    fields: dict[str, Any],
    done_at: datetime | None = None,
    cancelled_at: datetime | None = None,
    reopen: bool = False,
    reschedule: bool = False,
    expected_versions: Collection[str] | None = None,
    customer_told_by: str = "",
    customer_told: str = "",
) -> Promise:
    """The API's PATCH of a promise, and the web's edit, as one change: reopened first when
    `reopen` and it is kept (promise_reopen), then the `fields` (promise_update; with
    `reschedule`, promise_reschedule, which gives a new promise for a due moment that stays),
    then kept at `done_at` or cancelled at `cancelled_at`, in one transaction, so a refused
    step also undoes the changes sent with it. `expected_versions`: the versions the caller read (If-Match,
    core.versions); refused with ChangedMeanwhile and nothing changed unless one is stored.
    `customer_told_by` (a ContactKind but a note): the customer was told of the change that
    way, recorded as a contact moment by `actor` now in the same transaction, saying what the
    promise is, its due moment after and before when it moved, and `customer_told`."""
    customer_told = customer_told.strip()
    if customer_told and not customer_told_by:
        raise _error(
            "customer_told_by", _("Say how the customer was told."), "customer_told_by_missing"
        )
    if customer_told_by and customer_told_by not in TOLD_BY:
        raise _error("customer_told_by", _("Choose how the customer was told."), "invalid")
    with transaction.atomic():
        # The business first, as every write of a promise locks it (business_lock_time_zone):
        # locking the promise before it could deadlock with one of those.
        business_lock_time_zone(business=promise.business)
        with record_changing(promise, expected_versions=expected_versions) as promise:
            with shop_language(promise.business):
                was_due = _due_shown(promise)
            if reopen and promise.done_at is not None:
                promise = promise_reopen(promise=promise, actor=actor)
            if not reschedule:
                # Every refusal of the values at once, before any is written; the steps below
                # check them again, and refuse for the promise's state as they come.
                refused = _change_refusals(promise, fields, done_at, cancelled_at)
                if refused:
                    raise ValidationError(refused)
            if fields and reschedule:
                promise = promise_reschedule(
                    promise=promise, actor=actor, told=bool(customer_told_by), **fields
                )
            elif fields:
                promise = promise_update(promise=promise, actor=actor, **fields)
            if done_at is not None:
                promise = promise_mark_kept(promise=promise, actor=actor, at=done_at)
            if cancelled_at is not None:
                promise = promise_cancel(promise=promise, actor=actor, at=cancelled_at)
            if customer_told_by:
                _record_customer_told(
                    promise=promise,
                    was_due=was_due,
                    actor=actor,
                    kind=customer_told_by,
                    said=customer_told,
                )
    return promise


def promise_change_refusals(
    *,
    promise: Promise,
    fields: dict[str, Any],
    done_at: datetime | None = None,
    cancelled_at: datetime | None = None,
    reopen: bool = False,
) -> dict[str, list[ValidationError]]:
    """What promise_change (without `reschedule`) would refuse of these values of `promise`
    (as read), per field, writing nothing and locking nothing; {} when the promise's state
    refuses them (a Conflict, answered by the write). The promise reopened when `reopen`, as
    promise_change reopens it first."""
    changed = copy.copy(promise)
    if reopen:
        changed.done_at = changed.done_on = None
    return _change_refusals(changed, fields, done_at, cancelled_at)


def _change_refusals(
    promise: Promise,
    fields: dict[str, Any],
    done_at: datetime | None,
    cancelled_at: datetime | None,
) -> dict[str, list[ValidationError]]:
    """promise_change's checks of its values on a copy of `promise`: the fields
    (promise_update's), then done_at and cancelled_at against the promise so changed."""
    now = timezone.now()
    changed = copy.copy(promise)
    return refusals_of(
        lambda: refusals_gathered(
            lambda: fields and _changes_checked(changed.business, changed, fields, now),
            lambda: done_at is not None and _refuse_kept_at(changed, done_at, now),
            lambda: cancelled_at is not None and _refuse_cancelled_at(changed, cancelled_at, now),
        )
    )


# How a customer can have been told of a changed promise: a note is not telling them.
TOLD_BY = frozenset(ContactKind.values) - {ContactKind.NOTE}


def _due_shown(promise: Promise) -> str:
    """The due moment as the pages write it with its weekday, the day alone for a whole day,
    with plain spaces: it is stored in a summary that is searched and exported as typed text,
    where the pages' non-breaking ones would not match a typed space."""
    business = promise.business
    if promise.due_all_day:
        shown = moment_shown(business.local(promise.due_at).date(), "WEEKDAY")
    else:
        shown = moment_shown(promise.due_at, "WEEKDAY", zone=business.tzinfo)
    return shown.replace("\u00a0", " ")


def _record_customer_told(*, promise: Promise, was_due: str, actor, kind: str, said: str) -> None:
    """The contact moment that says the customer was told of the change: a mechanic who moves a
    repair because a part is late also calls the customer, and whoever they speak to next sees
    on the profile what was said and what the customer now expects. In the business's language
    (shop_language), as the follow-ups' questions: everyone in the shop reads it later; the
    moments before the change (`was_due`) are written again in it."""
    with shop_language(promise.business):
        due = _due_shown(promise)
        if due != was_due:
            summary = _("“%(what)s” now due %(due)s instead of %(was)s.") % {
                "what": promise.description,
                "due": due,
                "was": was_due,
            }
        else:
            summary = _("“%(what)s”, due %(due)s.") % {"what": promise.description, "due": due}
    if said:
        summary = f"{summary} {said}"
    contact_moment_create(customer=promise.customer, kind=kind, summary=summary, member=actor)


# Rows per UPDATE when promises are re-dated: well below SQLite's limit of bound parameters.
REDATE_BATCH = 1000


def promises_redate(*, business, old_time_zone: str) -> dict[str, int]:
    """Re-derive what promises store in business-local time, after the business moved to
    another time zone (core.hooks.BUSINESS_TIME_ZONE_CHANGED, inside that transaction).

    A promise for a day keeps its day (the stored `due_on`, whatever `old_time_zone` was): it is
    now due at the end of that day in the new zone, or when it was made if that is later, since
    no promise is due before it was made. A promise for a moment keeps its moment, and its
    `due_on` becomes that moment's day in the new zone. `done_on` follows `done_at` the same way.
    The promises are read once and only the changed values written, one UPDATE per new value
    and batch: a change that re-dates 60,000 promises takes about a second."""
    new_values: dict[tuple[str, object], list[int]] = defaultdict(list)
    rows = Promise.objects.filter(business=business).values_list(
        "pk", "made_at", "due_at", "due_all_day", "due_on", "done_at", "done_on"
    )
    for pk, made_at, due_at, all_day, due_on, done_at, done_on in rows.iterator(chunk_size=5000):
        new_due_at = (
            max(due_moment_for_day(business=business, day=due_on), made_at) if all_day else due_at
        )
        derived = {
            "due_at": new_due_at,
            "due_on": business.local(new_due_at).date(),
            "done_on": business.local(done_at).date() if done_at is not None else None,
        }
        stored = {"due_at": due_at, "due_on": due_on, "done_on": done_on}
        for field, value in derived.items():
            if value != stored[field]:
                new_values[field, value].append(pk)
    redated: set[int] = set()
    for (field, value), pks in new_values.items():
        redated.update(pks)
        for start in range(0, len(pks), REDATE_BATCH):
            # Not `updated_at`: nobody changed what was promised or done, only how it is dated.
            Promise.objects.filter(pk__in=pks[start : start + REDATE_BATCH]).update(
                **{field: value}
            )
    return {"promises_redated": len(redated)}
