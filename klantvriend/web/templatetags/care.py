"""Filters for the care pages: what a complaint clock counts down to, shares as percentages, lateness."""

from datetime import timedelta
from functools import cache

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import date as date_shown
from django.utils.text import capfirst
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from klantvriend.complaints.clocks import Stage
from klantvriend.web.care_forms import resolve_form_for

register = template.Library()


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.filter
def span(delta):
    """ "3 d 4 h", "2 h 15 min", "40 min"."""
    if delta is None:
        return ""
    return _span(delta)


@register.filter
def seconds_span(seconds):
    """A number of seconds as a span ("2 h 15 min"); empty for none."""
    if seconds is None:
        return ""
    # Rounded: SQLite computes seconds from julianday(), a hair under the whole second.
    return _span(timedelta(seconds=round(seconds)))


@register.filter
def clock_due(clock):
    """What a complaint's running clock counts down to and how long: "answer within 2 h 15 min",
    "resolution 30 min late". A bare "2 d 23 h left" left staff guessing which target it was."""
    if clock is None or clock.time_left is None:
        return ""
    span = _span(clock.time_left)
    # Before the first response both clocks run and the earlier deadline is shown.
    answer = clock.stage == Stage.RESPONSE and clock.deadline == clock.response_deadline
    if clock.breached:
        text = _("answer %(span)s late") if answer else _("resolution %(span)s late")
    else:
        text = _("answer within %(span)s") if answer else _("resolve within %(span)s")
    return text % {"span": span}


def percent_points(share: float) -> int:
    """A share as the whole percent the pages show ("87%"): rounded in this one place, so that
    the change shown beside two shares is the difference of the two as shown."""
    return round(share * 100)


@register.filter
def percent(share):
    if share is None:
        return "—"
    return f"{percent_points(share)}%"


def signed(points: int) -> str:
    """A change in whole points: "+5", "−12", "0"."""
    if points > 0:
        return f"+{points}"
    if points < 0:
        return f"−{abs(points)}"
    return "0"


def points_change(points: int, before: str | None = None) -> str:
    """A change in points against the 90 days before, as every page writes it (the scorecard
    and Today read "+9 ptn" and "+9 punten" for the same change): "+9 points vs. the 90 days
    before", with the figure of then where the page shows it: "(75%)"."""
    change = ngettext("%(change)s point", "%(change)s points", abs(points)) % {
        "change": signed(points)
    }
    if before is None:
        return _("%(change)s vs. the 90 days before") % {"change": change}
    return _("%(change)s vs. the 90 days before (%(before)s)") % {
        "change": change,
        "before": before,
    }


@register.filter
def trend_change(trend):
    """How many percentage points the last 90 days' share differs from the 90 days before, as
    the two are shown (87% against 74%: "+13 points vs. the 90 days before"); empty without
    both."""
    if trend.last_90_days is None or trend.previous_90_days is None:
        return ""
    return points_change(
        percent_points(trend.last_90_days) - percent_points(trend.previous_90_days)
    )


@register.filter
def due_moment(promise, length="short"):
    """When a promise is due, as the pages write it: the day of a promise for the day, day and
    time of one for a moment; `length` "short" (the lists) or "weekday" (the profile)."""
    style = "WEEKDAY" if length == "weekday" else "SHORT"
    # In the active time zone, as the `date` filter is given a moment in a template.
    return date_shown(
        template_localtime(promise.due_at),
        f"{style}_{'DATE' if promise.due_all_day else 'DATETIME'}_FORMAT",
    )


@register.filter
def hours(value):
    if value is None:
        return "—"
    return _span(timedelta(hours=value)) if value else _("0 min")


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
}


# How a look or an erasure happened, said instead of the bare "how: profile" of the record.
_EVENT_DETAIL_VALUES = {
    ("via", "profile"): gettext_lazy("on the profile"),
    ("via", "api"): gettext_lazy("through the API"),
    ("via", "visits"): gettext_lazy("on the list of their visits and purchases"),
    ("format", "html"): gettext_lazy("as a page"),
    ("format", "json"): gettext_lazy("as a JSON file"),
    ("format", "api"): gettext_lazy("through the API"),
    ("reason", "request"): gettext_lazy("at the customer's request"),
    ("reason", "retention"): gettext_lazy("under the retention period"),
}


@register.filter
def audit_fields(event):
    """The names of what an audit event records, in the reader's language: the changed fields
    by their labels, as the forms call them; for a look, an export or an erasure, how."""
    model = _models_by_name().get(event.object_type)
    names = []
    changes = event.changes if isinstance(event.changes, dict) else {}
    for key, value in changes.items():
        try:
            names.append(str(model._meta.get_field(key).verbose_name))
        except (AttributeError, FieldDoesNotExist):  # no such model or field: an event's detail
            told = _EVENT_DETAIL_VALUES.get((key, value)) if isinstance(value, str) else None
            names.append(str(told or _EVENT_DETAILS.get(key, key)))
    return ", ".join(names)


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
    return resolve_form_for(complaint)
