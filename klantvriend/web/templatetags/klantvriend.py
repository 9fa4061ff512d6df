from datetime import datetime, time, timedelta

from django import template
from django.utils import timezone
from django.utils.dateformat import time_format
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klantvriend.core.members import staff_name as _staff_name
from klantvriend.core.money import amount_shown, whole_cents
from klantvriend.core.numbers import count_shown
from klantvriend.core.shown import NEAR, ago_shown, moment_known, moment_shown
from klantvriend.customers.models import AcquisitionChannel

register = template.Library()


@register.filter
def staff_name(user) -> str:
    return _staff_name(user)


# How a customer came to the business, as the card says it (its referrer, when known, instead).
CAME_THROUGH = {
    AcquisitionChannel.WALK_IN: gettext_lazy("Walked in"),
    AcquisitionChannel.REFERRAL: gettext_lazy("Came through a referral"),
    AcquisitionChannel.ONLINE: gettext_lazy("Found us online"),
    AcquisitionChannel.ADVERTISEMENT: gettext_lazy("Came through an advertisement"),
    AcquisitionChannel.OTHER: gettext_lazy("Came to us another way"),
}


@register.filter
def came_through(customer) -> str:
    """How the customer came to the business, in a line for their card; empty when not known:
    a customer an import made, whose file did not say."""
    return str(CAME_THROUGH.get(customer.acquisition_channel, ""))


@register.filter
def money(cents, currency="EUR"):
    if cents is None or cents == "":  # "" is what a template gives for a missing value
        return ""
    # The advice's means are fractional cents: rounded as the API gives them, not cut off.
    cents = whole_cents(cents) if isinstance(cents, float) else int(cents)
    return amount_shown(cents, currency)


@register.filter
def count(value):
    """A count shown in a page's text, grouped in thousands ("36.427" in Dutch, "36,427" in
    English; core.numbers.count_shown); empty for none. Never for an attribute: an id, a page
    number in an address or a form's value keeps its plain digits."""
    if value is None or value == "":
        return ""
    return count_shown(value)


@register.filter
def phone(number: str):
    """A phone number in a narrow column: it may break between its groups ("+31 6" above
    "75573083" on a phone), never after a hyphen ("06-" above "37840748")."""
    return format_html_join(
        " ", '<span class="nowrap">{}</span>', ((part,) for part in number.split())
    )


def _style(length: str) -> str:
    return "WEEKDAY" if length == "weekday" else "SHORT"


@register.filter(expects_localtime=True)
def moment(value, length="short"):
    """A moment as the pages write it, day and time on one line (core.shown.moment_shown), in
    the active time zone as the `date` filter writes one: `length` "short" ("28 mrt 2025
    14:30"), "weekday" ("di 24 nov 14:30"), or "near": "weekday" within half a year of now,
    else "short"; empty for none. Pages only: the digest's plain text and the exports write
    their moments their own way."""
    if value is None or value == "":
        return ""
    if length == "near":
        length = "weekday" if abs(value - timezone.now()) < NEAR else "short"
    return moment_shown(value, _style(length))


@register.filter
def when(record, length="short"):
    """When a record with an `at` happened, as far as it is known (core.shown.moment_known): a
    purchase imported with its date alone (`time_known` false) shows its date alone. `length`
    "short" or "weekday" as `moment` writes it; "time" its time of day alone ("14:30"), empty
    when not known; "iso" for a <time datetime="…">, the date alone when that is all."""
    if record is None or record == "":
        return ""
    value = moment_known(record.at, getattr(record, "time_known", True))
    if isinstance(value, datetime):
        value = timezone.localtime(value)
        if length == "time":
            return time_format(value, "H:i")
    elif length == "time":
        return ""
    if length == "iso":
        return value.isoformat()
    return moment_shown(value, _style(length))


@register.filter(expects_localtime=True)
def day(value, length="short"):
    """The day of a moment or a date as the pages write it, on one line: `length` "short" ("28
    mrt 2025"), "weekday" ("di 24 nov") or "near" (as `moment` says it); empty for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if length == "near":
        length = "weekday" if abs(value - timezone.localdate()) < NEAR else "short"
    return moment_shown(value, _style(length))


@register.filter
def customer_since(holder):
    """A customer's "customer since" (of a customer or their briefing) as the pages write it:
    "28 mrt 2025"; where a file brought them in without it (Customer.customer_since_known), the
    import's day as what it is: "not known, at the latest 5 Dec 2026" (a garage read "at the
    latest" and the day of the import as new since that day)."""
    shown = day(holder.customer_since)
    if holder.customer_since_known:
        return shown
    return _("not known, at the latest %(day)s") % {"day": shown}


@register.filter
def day_ahead(value, today):
    """A day from `today` on as staff say it: "today", "tomorrow", else with its weekday
    ("sat 12 Dec"): when an important date falls (Today's "Coming up", the briefing)."""
    if value is None or value == "":
        return ""
    ahead = (value - today).days
    if ahead == 0:
        return _("today")
    if ahead == 1:
        return _("tomorrow")
    return day(value, "weekday")


@register.simple_tag
def whole_days(since, until):
    """The first and the last day of the period [since, until) when both begin at midnight in
    the active time zone (a calendar month of the charts), else None. Such a period reads as
    days: "from 1 Dec 2026 to 31 Dec 2026", not "from 1 Dec 2026 00:00 until 1 Jan 2027
    00:00", whose clock times say nothing and whose end looks like a day too many."""
    if since is None or until is None:
        return None
    since, until = timezone.localtime(since), timezone.localtime(until)
    if since.time() != time.min or until.time() != time.min:
        return None
    return since.date(), until.date() - timedelta(days=1)


@register.filter
def days_ago(moment):
    """ "today", "yesterday", "12 days ago", "3 months ago", "2 years ago": how staff talk
    about the last visit (core.shown.ago_shown), in the active time zone."""
    if moment is None:
        return ""
    return ago_shown(timezone.localtime(moment).date(), timezone.localdate())


@register.simple_tag(takes_context=True)
def query_string(context, **changes):
    """The current query string with some parameters replaced (for sorting and paging links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""
