"""Taking back a step recorded by mistake: a promise marked kept, a complaint marked answered, a
follow-up's outcome, a call about a date coming up, a gesture logged. A tap on the wrong row at the counter must
not stay in the reliability figures, the complaint response times and Today's lists. One rule
for all of them, read from the audit trail, which says who recorded the step and when:

- **For 24 hours** from when it was recorded (the audit event, not the moment it says the step
  was taken, which may be typed in the past). Long enough for a tap at closing time to be
  noticed the next morning; short enough that the figures the owner has read (the morning
  e-mail, the scorecard) do not shift long afterwards, and that an undo stays the correction of
  a slip rather than a way to rewrite how promises were kept.
- **By whoever recorded it, or an owner**: the person who tapped knows it was a slip; an owner
  answers for the figures and corrects a colleague's. A colleague does not take back someone
  else's step, of which they may know less than it seems.
- **The last step of the record, once**: an undo is not itself undone (the step's button is
  there again), and an earlier step stays.
- **While the record still holds what the step wrote**: changed since, it is refused, so that
  no later change is undone with it.

Each domain service (promise_reopen, complaint_response_undo, follow_up_outcome_undo,
important_date_called_undo, gesture_undo) finds the step with `step_to_undo` inside its transaction with the
row locked, restores what the row held before it (`values_before`) and records the undo in the
trail (`AuditAction.UNDONE`)."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import AuditAction
from .errors import Conflict, ValidationError
from .models import AuditEvent, Membership, Role

UNDO_WINDOW = timedelta(hours=24)


def _refusal(field: str, message: str, code: str) -> Conflict:
    return Conflict({field: ValidationError(message, code=code)})


def is_owner(*, business_id: int, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(business_id=business_id, user=user, role=Role.OWNER).exists()


def _refusal_of(event: AuditEvent, *, actor, actor_is_owner: bool, now: datetime) -> str:
    """Why `event`, the last step of its record, may not be undone by `actor` now; "" when it
    may. The one rule: the services refuse by it, the pages offer the button by it."""
    if event.action == AuditAction.UNDONE:
        return "undone"
    if now - event.at > UNDO_WINDOW:
        return "too_late"
    recorded_by = event.actor_id
    if not actor_is_owner and (recorded_by is None or recorded_by != getattr(actor, "pk", None)):
        return "not_yours"
    return ""


def _messages() -> dict[str, str]:
    return {
        "unrecorded": _(
            "Klantvriend holds no record of who did this and when, so it cannot be undone."
        ),
        "undone": _("This was undone already."),
        "too_late": _("This was recorded more than 24 hours ago and can no longer be undone."),
        "not_yours": _("Only whoever recorded this, or an owner, can undo it."),
        "changed": _("This was changed since, so it can no longer be undone."),
    }


def _steps(row: models.Model, actions: Collection[str]):
    return AuditEvent.objects.filter(
        business_id=row.business_id,
        object_type=row._meta.model_name,
        object_id=row.pk,
        action__in=[*actions, AuditAction.UNDONE],
    ).order_by("-at", "-id")


def _stored(row: models.Model, name: str, value: Any) -> tuple[str, Any]:
    """The attribute a field of the trail is held in, and the trail's value (JSON: moments and
    days as ISO text, a related row as its id) as that attribute holds it."""
    field = row._meta.get_field(name)
    return field.attname, None if value is None else field.to_python(value)


def changed_since(field: str) -> Conflict:
    """The refusal of a step whose record still holds what it wrote, but something the step
    made beside it was changed since (a call's contact moment): refused, as the record itself
    changed since would be."""
    return _refusal(field, _messages()["changed"], "changed")


def step_to_undo(
    *, row: models.Model, actions: Collection[str], field: str, actor, now: datetime | None = None
) -> AuditEvent:
    """The audit event of the step of `actions` that `actor` may undo on `row` now, or a
    Conflict at `field` saying why not. Call it in the undoing transaction with `row` read
    under its lock, so that two undos of one step cannot both pass."""
    now = now or timezone.now()
    event = _steps(row, actions).first()
    if event is None:
        raise _refusal(field, _messages()["unrecorded"], "unrecorded")
    refusal = _refusal_of(
        event,
        actor=actor,
        actor_is_owner=is_owner(business_id=row.business_id, user=actor),
        now=now,
    )
    if not refusal:
        for name, change in event.changes.items():
            attribute, value = _stored(row, name, change[1])
            if value != getattr(row, attribute):
                refusal = "changed"
                break
    if refusal:
        raise _refusal(field, _messages()[refusal], refusal)
    return event


def values_before(row: models.Model, event: AuditEvent) -> dict[str, Any]:
    """What `row` held before the step of `event`, per attribute the step changed."""
    return dict(_stored(row, name, change[0]) for name, change in event.changes.items())


@dataclass(frozen=True)
class Undoable:
    """The rows of one customer whose last step the reader may undo now, per kind of row (the
    model name): the pages show an undo button on those, and the services decide again."""

    ids: dict[str, frozenset[int]]

    def __contains__(self, row: models.Model) -> bool:
        return row.pk in self.ids.get(row._meta.model_name, frozenset())


def undoable_rows(
    *,
    business,
    customer,
    actions: Iterable[str],
    actor,
    actor_is_owner: bool,
    now: datetime | None = None,
) -> Undoable:
    """One query: the steps recorded for `customer` in the last UNDO_WINDOW, the last per row.
    Whether the row still holds what the step wrote is left to the service; a row whose step is
    undone, or that the reader may not undo, is left out."""
    now = now or timezone.now()
    events = AuditEvent.objects.filter(
        business=business,
        customer=customer,
        at__gte=now - UNDO_WINDOW,
        action__in=[*actions, AuditAction.UNDONE],
    ).order_by("-at", "-id")
    latest: dict[tuple[str, int], AuditEvent] = {}
    for event in events.only("action", "at", "actor_id", "object_type", "object_id"):
        latest.setdefault((event.object_type, event.object_id), event)
    ids: dict[str, set[int]] = {}
    for (kind, pk), event in latest.items():
        if not _refusal_of(event, actor=actor, actor_is_owner=actor_is_owner, now=now):
            ids.setdefault(kind, set()).add(pk)
    return Undoable({kind: frozenset(pks) for kind, pks in ids.items()})
