"""Filters for the care pages: what a complaint clock counts down to, shares as percentages, lateness."""

from datetime import timedelta
from functools import cache
from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import BooleanField
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from klantvriend.aftercare.models import PROMISE_RULES
from klantvriend.complaints.clocks import Stage
from klantvriend.core.audit import DETAIL_CODES, AuditAction, request_handled
from klantvriend.core.numbers import count_shown, share_points, share_shown, signed_shown
from klantvriend.core.shown import day_span_shown, duration_shown, one_line, range_end_shown
from klantvriend.importers.mapping import CUSTOMERS, PURCHASES
from klantvriend.surveys.selectors import invites_after_complaint, may_email
from klantvriend.web.care_forms import resolve_form_for

from .klantvriend import day, moment

register = template.Library()


@register.filter
def without_its_call(promise) -> bool:
    """Whether a promise of a kind the aftercare rules follow was made without their call
    (Promise.aftercare_after_kept): said beside it, so that nobody waits for a call that
    keeping it will not plan."""
    return promise.kind in PROMISE_RULES and not promise.aftercare_after_kept


@register.filter
def span(delta):
    """A length of time as the pages write it, on one line: "3 days", "2 hours 15 min",
    "40 min" (core.shown.duration_shown); empty for none."""
    if delta is None:
        return ""
    return duration_shown(delta)


@register.filter
def span_end(delta, end):
    """One end of a range of lengths in its largest unit ("50 min", "21 hours", "3 days"):
    `end` "from" rounds down, "to" up (core.shown.range_end_shown); empty for none."""
    if delta is None:
        return ""
    return range_end_shown(delta, up=end == "to")


@register.filter
def period_shown(period):
    """A closed period's days with their year (core.shown.day_span_shown)."""
    return day_span_shown(period.first, period.last)


@register.filter
def seconds_span(seconds):
    """A number of seconds as a span ("2 hours 15 min"); empty for none."""
    if seconds is None:
        return ""
    # Rounded: SQLite computes seconds from julianday(), a hair under the whole second.
    return duration_shown(timedelta(seconds=round(seconds)))


# Up to this much time left on the day itself a complaint's clock counts down; beyond it, it
# names the hour.
COUNTED_DOWN_WITHIN = timedelta(hours=3)


@register.filter
def clock_due(clock):
    """What a complaint's running clock counts down to and how long: "answer within 2 hours 15
    min", "resolution 30 min late"; with more time left that day, its hour: "answer by today
    21:00"; with its deadline on a later day, that moment: "answer by Tue 8 Dec 10:30". A bare "2 d 23 h left" left staff guessing which target it was, and "answer
    within 2 days 19 hours" over a closed Sunday and Monday left them working out the day. In
    the active time zone, the business's on its pages."""
    if clock is None or clock.time_left is None:
        return ""
    # Before the first response both clocks run and the earlier deadline is shown.
    answer = clock.stage == Stage.RESPONSE and clock.deadline == clock.response_deadline
    if not clock.breached and timezone.localdate(clock.deadline) > timezone.localdate():
        text = _("answer by %(moment)s") if answer else _("resolve by %(moment)s")
        return text % {"moment": moment(clock.deadline, "weekday")}
    if not clock.breached and clock.time_left > COUNTED_DOWN_WITHIN:
        # "answer within 14 hours 35 min", read at 06:25, left a restaurant working out that
        # it meant tonight at 21:00.
        text = _("answer by %(moment)s") if answer else _("resolve by %(moment)s")
        hour = date_format(timezone.localtime(clock.deadline), "H:i")
        return text % {"moment": one_line(_("today %(time)s") % {"time": hour})}
    # The time left rounded down ("within 45 min" with 45 min 40 s left), the time over it
    # as any length of time.
    span = duration_shown(clock.time_left, down=not clock.breached)
    if clock.breached:
        text = _("answer %(span)s late") if answer else _("resolution %(span)s late")
    else:
        text = _("answer within %(span)s") if answer else _("resolve within %(span)s")
    return text % {"span": span}


register.filter("percent", share_shown)


def points_change(points: int, before: str | None = None) -> str:
    """A change in points against the 90 days before, as every page writes it (the scorecard
    and Today read "+9 ptn" and "+9 punten" for the same change): "+9 points vs. the 90 days
    before", with the figure of then where the page shows it: "(75%)"."""
    change = ngettext("%(change)s point", "%(change)s points", abs(points)) % {
        "change": signed_shown(points)
    }
    if before is None:
        return _("%(change)s vs. the 90 days before") % {"change": change}
    return _("%(change)s vs. the 90 days before (%(before)s)") % {
        "change": change,
        "before": before,
    }


def shares_change(last: float, previous: float) -> int:
    """How many whole points a share moved: the difference of the whole percents the two are
    shown as (87% against 74%: +13), so that it adds up on the page. A share shown as ">99%"
    or "<1%" counts as the 100 or 0 it rounds to, within a point of what it reads: ">99%"
    against 97% is +3 and against 100% is 0, as 99.6% against 100% is a change of less than
    half a point."""
    return share_points(last) - share_points(previous)


@register.filter
def trend_change(trend):
    """How many percentage points the last 90 days' share differs from the 90 days before, as
    the two are shown (87% against 74%: "+13 points vs. the 90 days before"); empty without
    both."""
    if trend.last_90_days is None or trend.previous_90_days is None:
        return ""
    return points_change(shares_change(trend.last_90_days, trend.previous_90_days))


def _day_or_moment(value, all_day: bool, length: str) -> str:
    # In the active time zone, as the `date` filter gives a moment in a template.
    return day(value, length) if all_day else moment(value, length)


@register.filter
def due_moment(promise, length="short"):
    """When a promise is due, as the pages write it: the day of a promise for the day, day and
    time of one for a moment; `length` "short" (the lists) or "weekday" (the profile)."""
    return _day_or_moment(promise.due_at, promise.due_all_day, length)


@register.filter
def done_moment(promise, length="short"):
    """When a promise was kept, as the pages write it: its day alone where no time is known
    (Promise.done_time_known)."""
    return _day_or_moment(promise.done_at, not promise.done_time_known, length)


@register.filter
def advised_moment(value, advice):
    """A moment the promise advice names (the promise's, the one it suggests, when to have it
    ready), as due_moment writes the promise's own: its day alone for a promise for the day."""
    return _day_or_moment(value, advice.all_day, "weekday")


@register.filter
def lateness_at_most(hours):
    """A lateness figure of the promises kept (the middle one's, or the one 9 in 10 stay
    within) as what it bounds: "on time" for none, else "at most 4 hours 42 min late"."""
    if hours is None:
        return "—"
    if not hours:
        return _("on time")
    return _("at most %(span)s late") % {"span": duration_shown(timedelta(hours=hours))}


@register.filter
def lateness_summary(figures):
    """How late the promises kept were, in words: the median as "half of them at most …", the
    90th percentile as "9 in 10 at most …", a nought as "on time"; empty without a promise
    kept. The reliability page's figures say the same with lateness_at_most."""
    median, p90 = figures.median_lateness_hours, figures.p90_lateness_hours
    if median is None or p90 is None:
        return ""
    if not figures.kept_late:
        # "At least 9 in 10" of the two kept read as if there had been ten.
        kept = figures.kept_on_time
        return ngettext(
            "The promise kept was on time.", "The %(count)s promises kept were all on time.", kept
        ) % {"count": count_shown(kept)}
    if not p90:
        return _("Of the promises kept, at least 9 in 10 were on time.")
    late = duration_shown(timedelta(hours=p90))
    # Of fewer than ten, the 90th percentile is the latest of them (Figures.p90_is_the_latest),
    # as the reliability page says it: "9 in 10" of four stood beside its "all 4".
    if not median:
        said = (
            _("Of the promises kept, at least half were on time, and all at most %(p90)s late.")
            if figures.p90_is_the_latest
            else _(
                "Of the promises kept, at least half were on time, and 9 in 10 at most %(p90)s "
                "late."
            )
        )
        return said % {"p90": late}
    said = (
        _(
            "Of the promises kept, half were on time or at most %(median)s late, and all at "
            "most %(p90)s late."
        )
        if figures.p90_is_the_latest
        else _(
            "Of the promises kept, half were on time or at most %(median)s late, and 9 in 10 "
            "at most %(p90)s late."
        )
    )
    return said % {"median": duration_shown(timedelta(hours=median)), "p90": late}


@register.filter
def audit_action(value):
    from klantvriend.core.audit import AuditAction

    try:
        return AuditAction(value).label
    except ValueError:
        return value


@register.filter
def audit_object(value):
    """The kind of record an audit event is about (its model name), in the reader's language."""
    if value == "business":
        return _("settings")
    model = _models_by_name().get(value)
    return model._meta.verbose_name if model is not None else value


@register.filter
def audit_what(event):
    """What an event on a customer's profile was about, in words a shopkeeper reads: "customer
    details: changed", "promise: kept"; no record numbers."""
    kind = (
        _("customer details")
        if event.object_type == "customer"
        else audit_object(event.object_type)
    )
    return f"{capfirst(kind)}: {audit_action(event.action)}"


# What the privacy events record besides fields (importers/privacy.py and the export views).
_EVENT_DETAILS = {
    "via": gettext_lazy("how"),
    "format": gettext_lazy("format"),
    "reason": gettext_lazy("reason"),
    "rows": gettext_lazy("rows"),
    "merged_with": gettext_lazy("merged with another record"),
    "not_same_as": gettext_lazy("another record"),
    "requested_on": gettext_lazy("request received on"),
}
# What an erasure ended of the customer's (importers.privacy.customer_erase), counted: what was
# still open to the person that can no longer come to anything. None ended, nothing said.
_ERASURE_ENDED = {
    "promises_cancelled": lambda count: ngettext(
        "%(count)s open promise cancelled", "%(count)s open promises cancelled", count
    ),
    "follow_ups_withdrawn": lambda count: ngettext(
        "%(count)s planned follow-up withdrawn", "%(count)s planned follow-ups withdrawn", count
    ),
    "privacy_requests_handled": lambda count: ngettext(
        "%(count)s open privacy request handled", "%(count)s open privacy requests handled", count
    ),
}


@register.filter
def audit_fields(event):
    """The names of what an audit event records, in the reader's language: the changed fields
    by their labels, as the forms call them; for a look, an export or an erasure, how; for the
    business's data taken out or brought in as a whole, what and how much."""
    if event.object_type == "business":
        return _whole_data_fields(event)
    model = _models_by_name().get(event.object_type)
    names = []
    changes = event.changes if isinstance(event.changes, dict) else {}
    for key, value in _in_field_order(model, changes):
        try:
            field = model._meta.get_field(key)
            names.append(_field_changed(field, value))
        except (AttributeError, FieldDoesNotExist):  # no such model or field: an event's detail
            if key == "import_errors" and isinstance(value, int):  # what an erasure cut out
                names.append(
                    ngettext(
                        "%(count)s error in the import history named them",
                        "%(count)s errors in the import history named them",
                        value,
                    )
                    % {"count": value}
                )
                continue
            if key in _ERASURE_ENDED and isinstance(value, int):
                if value:
                    names.append(_ERASURE_ENDED[key](value) % {"count": value})
                continue
            if key == "requested_on" and isinstance(value, str):  # an erasure on request
                names.append(_request_handled(value, event.at))
                continue
            told = DETAIL_CODES.get((key, value)) if isinstance(value, str) else None
            names.append(str(told or _EVENT_DETAILS.get(key, key)))
    return ", ".join(names)


def _in_field_order(model, changes: dict) -> list[tuple[str, Any]]:
    """The changes in the order of the model's fields, as its forms ask them, the event's other
    details after them as recorded: PostgreSQL keeps a JSON object's keys in an order of its
    own (the shortest first), which would show one deletion as "when, kind, summary" there and
    "kind, summary, when" on SQLite."""
    order = _field_positions(model)
    return sorted(changes.items(), key=lambda item: order.get(item[0], len(order)))


@cache
def _field_positions(model) -> dict[str, int]:
    """Each field's place among its model's, once per model (a trail of fifty events asked
    the same twenty names of the same model fifty times)."""
    return {} if model is None else {f.name: i for i, f in enumerate(model._meta.fields)}


def _field_changed(field, value) -> str:
    """A changed field by its label, with its old and new value where that value is a choice or
    a yes or no (a consent withdrawn, the kind of a privacy request: what a supervisor checks,
    and nothing of the person); other values, which may be personal data, are not repeated."""
    label = str(field.verbose_name)
    if not (field.choices or isinstance(field, BooleanField)):
        return label
    # A change is [old, new]; an event that tells what a new row was (a privacy request
    # recorded) gives the value alone.
    if not isinstance(value, list):
        value = [None, value]
    if len(value) != 2:
        return label
    old, new = (_value_shown(field, side) for side in value)
    if old is None:
        return f"{label}: {new}" if new is not None else label
    # Emptied, or gone with its row (an undo): a dash, as the pages write nothing.
    return f"{label}: {old} → {new if new is not None else '—'}"


def _value_shown(field, value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(field, BooleanField):
        return str(_("yes") if value else _("no"))
    return str(dict(field.flatchoices).get(value, value))


def _whole_data_fields(event) -> str:
    """What an export, import or restore of the business's data held (core.audit's
    WHOLE_DATA_EVENTS): the customer list as filtered, the whole export, a file imported."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    listed = changes.get("customer_list")
    if isinstance(listed, dict):
        told = ngettext(
            "customer list (CSV) as filtered: %(count)s customer",
            "customer list (CSV) as filtered: %(count)s customers",
            listed.get("customers", 0),
        ) % {"count": count_shown(listed.get("customers", 0))}
        filters = {
            name: value
            for name, value in (listed.get("filters") or {}).items()
            if name != "order" and value not in ("", None, [])
        }
        if filters:
            shown = ", ".join(f"{name}: {value}" for name, value in filters.items())
            told = f"{told} ({shown})"
        return told
    if event.action == AuditAction.IMPORTED:
        kind = changes.get("kind")
        told = _IMPORTED_FILES.get(kind, kind or "")
        return _(
            "%(file)s: %(rows)s rows, %(created)s created, %(updated)s updated, %(skipped)s skipped"
        ) % {
            "file": told,
            **{
                name: count_shown(changes.get(name) or 0)
                for name in ("rows", "created", "updated", "skipped")
            },
        }
    rows = changes.get("rows")
    if isinstance(rows, dict):
        counts = {"customers": rows.get("customers", 0), "rows": sum(rows.values())}
        template = (
            ngettext(
                "restored from an export: %(customers)s customer, %(rows)s rows in all",
                "restored from an export: %(customers)s customers, %(rows)s rows in all",
                counts["customers"],
            )
            if event.action == AuditAction.RESTORED
            else ngettext(
                "whole export (zip): %(customers)s customer, %(rows)s rows in all",
                "whole export (zip): %(customers)s customers, %(rows)s rows in all",
                counts["customers"],
            )
        )
        return template % {name: count_shown(value) for name, value in counts.items()}
    return ""


# The files an import reads (importers.service's kinds), as the audit log names them.
_IMPORTED_FILES = {
    CUSTOMERS: gettext_lazy("customer file"),
    PURCHASES: gettext_lazy("purchase file"),
}


def _request_handled(requested_on: str, handled_at) -> str:
    """When the customer asked and how long the answer took, so the trail itself shows the
    supervisor whether it came within the month of AVG art. 12(3)."""
    handled = request_handled(requested_on=requested_on, at=handled_at)
    if handled is None:
        return str(_EVENT_DETAILS["requested_on"])
    told = (
        _("request received on %(day)s, handled the same day") % {"day": day(handled.received)}
        if handled.days <= 0
        else ngettext(
            "request received on %(day)s, handled after %(count)s day",
            "request received on %(day)s, handled after %(count)s days",
            handled.days,
        )
        % {"day": day(handled.received), "count": handled.days}
    )
    if handled.late:
        told += " " + _("(later than the one month the law allows)")
    return told


@cache
def _models_by_name() -> dict[str, type]:
    return {model._meta.model_name: model for model in apps.get_models()}


@register.simple_tag(takes_context=True)
def resolve_form(context, complaint):
    """The resolve form of a complaint row: the one just refused (`refused_form`, with what was
    typed and why it was refused) or an empty one. A profile lists several complaints: only
    the refused one's row gets the refused form."""
    refused = context.get("refused_form")
    if refused is not None and refused.complaint_id == complaint.pk:
        return refused
    request = context["request"]
    # Read once for the page's rows, and only for a customer who may be e-mailed at all.
    if may_email(complaint.customer) and not hasattr(request, "invites_after_complaint"):
        request.invites_after_complaint = invites_after_complaint(business=request.business)
    return resolve_form_for(
        complaint,
        business=request.business,
        invites=getattr(request, "invites_after_complaint", None),
    )
