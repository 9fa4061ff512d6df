"""The owner's care settings (targets, grace, aftercare rules) and each member's calendar link."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from klantvriend.core.audit import AuditAction, audit_for_object
from klantvriend.core.calendar import (
    calendar_membership,
    calendar_token_active,
    calendar_token_create,
    calendar_token_revoke,
)
from klantvriend.core.care_settings import (
    WEEKDAY_NAMES,
    ClosedPeriod,
    care_settings,
    care_settings_update,
    care_settings_update_refusals,
    closed_period_add,
    closed_period_remove,
    closed_periods_add_holidays,
)
from klantvriend.core.errors import OwnerOnly
from klantvriend.core.links import public_url
from klantvriend.core.models import AuditEvent
from klantvriend.core.money import amount_shown
from klantvriend.core.services import business_update
from klantvriend.core.shown import day_span_shown
from klantvriend.today.ics import calendar_text
from klantvriend.today.selectors import calendar_items, open_on_closed_days, open_on_weekdays

from .care_forms import BusinessForm, CareSettingsForm, ClosedPeriodForm, purchase_rule_rows
from .views import add_service_errors, member_required, owner_required


@owner_required
def care_settings_edit(request: HttpRequest) -> HttpResponse:
    """The business itself (name, time zone, language, e-mail address) and its targets, on one
    form saved whole: as two forms, a new e-mail address typed at the top was lost without a
    word when the hours were saved with the button at the bottom. All or nothing: with one
    part refused, the other is not saved either and comes back as typed. A request that sends
    one part alone (the business's fields, or the targets') saves that part."""
    business = request.business
    current = care_settings(business)
    posted = request.POST if request.method == "POST" else None
    sent_business = posted is not None and "business-name" in posted
    sent_care = posted is not None and (
        not sent_business or any(name in posted for name in CareSettingsForm.base_fields)
    )
    business_form = BusinessForm(
        posted if sent_business else None,
        initial={
            "name": business.name,
            "time_zone": business.time_zone,
            "language": business.language,
            "contact_email": business.contact_email,
        },
        prefix="business",
    )
    form = CareSettingsForm(
        posted if sent_care else None, initial=CareSettingsForm.initial_from(current)
    )
    # The rules for a kind of purchase are saved with the other aftercare rules, as one setting.
    rules = purchase_rule_rows(current, posted if sent_care else None)
    # Every part checked, so that a mistake in a rule, one in a target and one in the business
    # show at once.
    business_valid = not sent_business or business_form.is_valid()
    care_valid = not sent_care or form.is_valid()
    rules_valid = _rules_ok(rules)
    if posted is not None and business_valid and care_valid and rules_valid:
        if _settings_saved(request, business_form if sent_business else None, form, rules):
            messages.success(request, _("Settings saved."))
            _say_what_falls_on_newly_closed_days(request, closed_before=current.working_days)
            return redirect("web:care_settings")
    elif sent_care and care_valid:
        # A rule or the business is refused: what the service would refuse of the targets (a
        # day that closes before it opens) is said now too, not on the next save.
        refused = care_settings_update_refusals(business=business, **form.service_values())
        if refused:
            _add_settings_errors(form, ValidationError(refused))
    # Only the changes of settings: an import or an export is also recorded on the business.
    events = audit_for_object(business=business, obj=business, action=AuditAction.SETTINGS)[:10]
    return render(
        request,
        "web/care_settings.html",
        {
            "form": form,
            "business_form": business_form,
            "rules": rules,
            "history": _settings_history(events, business.currency),
        },
        status=422 if form.errors or business_form.errors or not rules_valid else 200,
    )


@member_required
def closed_days(request: HttpRequest) -> HttpResponse:
    """The days the shop is closed besides its week's closed days (Christmas, its summer
    holiday): added by an owner a period at a time and each removed with its own button, so
    that two owners adding at once both keep theirs (core.care_settings.closed_period_add).
    Staff see them, with what still falls on them, to tell the customers and move it."""
    business = request.business
    if request.method == "POST" and not request.membership.is_owner:
        raise OwnerOnly
    # Enter in a field sends the form without its button's value: an add, or the change of
    # the period the form was opened for (?change=its first day).
    if request.method == "POST":
        changing = _posted_period(request, prefix="changing_")
    else:
        changing = _period_starting(business, request.GET.get("change", ""))
    action = request.POST.get("action", "add") if request.method == "POST" else None
    adding = action == "add"
    if changing is not None and request.method == "GET":
        form = ClosedPeriodForm(
            initial={"first": changing.first, "last": changing.last, "reason": changing.reason}
        )
    else:
        form = ClosedPeriodForm(request.POST if adding else None)
    today = business.today()
    if action == "holidays":
        return _holidays_added(request, today)
    if action == "remove":
        period = _posted_period(request)
        if period is not None and closed_period_remove(
            business=business, actor=request.user, period=period
        ):
            messages.success(
                request,
                _("No longer closed: %(days)s.")
                % {"days": day_span_shown(period.first, period.last)},
            )
        return redirect("web:closed_days")
    if adding and form.is_valid():
        try:
            period = closed_period_add(
                business=business,
                actor=request.user,
                replacing=changing,
                **form.service_values(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            sent = form.service_values()
            messages.success(request, _closed_period_added(sent, period, today, changing))
            return redirect("web:closed_days")
    periods = care_settings(business).closed_periods
    coming = [period for period in periods if period.last >= today]
    falling = open_on_closed_days(business=business, periods=coming)
    return render(
        request,
        "web/closed_days.html",
        {
            "form": form,
            # The period the form changes (its row's "Change"), else None: the form adds one.
            "changing": changing,
            "holiday_years": (today.year, today.year + 1),
            # With what still falls on them: the orders and calls to move, or to tell about.
            "coming": [(period, falling[period]) for period in coming],
            "past": [(period, []) for period in periods if period.last < today][::-1],
        },
        status=422 if form.errors else 200,
    )


def _closed_period_added(
    sent: dict, added: ClosedPeriod | None, today: date, changed: ClosedPeriod | None
) -> str:
    """What the page says of a period `sent` and `added` (None when it was there already: a
    form sent twice), in place of the period `changed` if any; a past one is added to the past
    periods, below."""
    last = sent["last"] or sent["first"]
    days = day_span_shown(sent["first"], last)
    if changed is not None:
        return _("Changed: now closed %(days)s.") % {"days": days}
    if added is None:
        return _("Already closed: %(days)s.") % {"days": days}
    if last < today:
        return _("Added to the past closed days: %(days)s.") % {"days": days}
    return _("Closed: %(days)s.") % {"days": days}


def _holidays_added(request: HttpRequest, today) -> HttpResponse:
    """The Dutch public holidays of this year or the next added at once; said how many."""
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = today.year
    if year not in (today.year, today.year + 1):
        year = today.year
    try:
        added = closed_periods_add_holidays(
            business=request.business, actor=request.user, year=year
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s public holiday of %(year)s added: %(names)s. Remove those you are "
                "open on.",
                "%(count)s public holidays of %(year)s added: %(names)s. Remove those you are "
                "open on.",
                len(added),
            )
            % {
                "count": len(added),
                "year": year,
                "names": ", ".join(holiday.reason for holiday in added),
            }
            if added
            else _("The days of the public holidays of %(year)s were closed already.")
            % {"year": year},
        )
    return redirect("web:closed_days")


def _period_starting(business, text: str) -> ClosedPeriod | None:
    """The business's closed period that starts on the day `text` (ISO) names, if any: the
    periods do not overlap, so a first day names one."""
    try:
        first = date.fromisoformat(text)
    except ValueError:
        return None
    periods = care_settings(business).closed_periods
    return next((period for period in periods if period.first == first), None)


def _posted_period(request: HttpRequest, prefix: str = "") -> ClosedPeriod | None:
    """The period a remove button names (its days and reason, as listed), or with `prefix`
    the one the form changes; None for a post that names none."""
    try:
        return ClosedPeriod(
            first=date.fromisoformat(request.POST.get(f"{prefix}first", "")),
            last=date.fromisoformat(request.POST.get(f"{prefix}last", "")),
            reason=request.POST.get(f"{prefix}reason", ""),
        )
    except ValueError:
        return None


@member_required
def calendar_link(request: HttpRequest) -> HttpResponse:
    """The secret URL is shown once, right after it is made; only its hash is kept."""
    membership = request.membership
    new_url = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            calendar_token_revoke(membership=membership)
            messages.success(request, _("Your calendar link no longer works."))
            return redirect("web:calendar_link")
        _token, key = calendar_token_create(membership=membership)
        new_url = public_url(reverse("web:calendar_feed", args=[key]))
    return render(
        request,
        "web/calendar_link.html",
        {"active": calendar_token_active(membership=membership), "new_url": new_url},
    )


def _say_what_falls_on_newly_closed_days(request: HttpRequest, *, closed_before) -> None:
    """After the opening hours close the shop on a weekday it was open on, how many open
    promises and follow-ups still fall on such a day from today on: nothing moves them, and
    the customer expects the shop open then. `closed_before`: the working days before."""
    business = request.business
    newly_closed = set(closed_before) - set(care_settings(business).working_days)
    if not newly_closed:
        return
    promises, follow_ups = open_on_weekdays(
        business=business, weekdays=newly_closed, day=business.today()
    )
    if not promises and not follow_ups:
        return
    counted = [
        ngettext("%(count)s open promise", "%(count)s open promises", promises)
        % {"count": promises}
        if promises
        else "",
        ngettext("%(count)s follow-up", "%(count)s follow-ups", follow_ups) % {"count": follow_ups}
        if follow_ups
        else "",
    ]
    messages.warning(
        request,
        ngettext(
            "The shop is now closed on %(days)s, and %(what)s still falls on such a day. Move "
            "it on the promises or aftercare list, and tell the customer.",
            "The shop is now closed on %(days)s, and %(what)s still fall on such a day. Move "
            "them on the promises and aftercare lists, and tell the customers.",
            promises + follow_ups,
        )
        % {
            "days": get_text_list(
                [str(WEEKDAY_NAMES[day]) for day in sorted(newly_closed)], _("and")
            ),
            "what": get_text_list([part for part in counted if part], _("and")),
        },
    )


def _settings_saved(request: HttpRequest, business_form, form, rules) -> bool:
    """Saves what was sent of the business (`business_form`, None when not sent; saved only
    when changed, so that saving the targets records no change of the business) and of the
    targets and rules (`form`, unbound when not sent) in one transaction; a refusal of either
    rolls back both and is shown beside its field. Whether it was saved."""
    business = request.business
    refused = False
    with transaction.atomic():
        if business_form is not None and business_form.has_changed():
            try:
                business_update(business=business, actor=request.user, **business_form.cleaned_data)
            except ValidationError as error:
                add_service_errors(business_form, error)
                refused = True
        if form.is_bound:
            sent_rules = {"aftercare_purchase_rules": rules.rules()} if rules.is_bound else {}
            try:
                care_settings_update(
                    business=business, actor=request.user, **sent_rules, **form.service_values()
                )
            except ValidationError as error:
                _add_settings_errors(form, error)
                refused = True
        if refused:
            transaction.set_rollback(True)
    if refused:
        # business_update set the new values on the business it was given: as stored again.
        business.refresh_from_db()
    return not refused


def _add_settings_errors(form: CareSettingsForm, error: ValidationError) -> None:
    """The service's refusals beside the form's fields; the minimum amount is typed in euros
    in a field of its own name."""
    if hasattr(error, "error_dict") and "aftercare_purchase_min_cents" in error.error_dict:
        error.error_dict["aftercare_purchase_min"] = error.error_dict.pop(
            "aftercare_purchase_min_cents"
        )
    add_service_errors(form, error)


def _rules_ok(rules) -> bool:
    """Whether the rows of rules show no refusal (unbound rows, as shown first, have none)."""
    return not rules.is_bound or rules.is_valid()


@require_GET
def calendar_feed(request: HttpRequest, key: str) -> HttpResponse:
    """No login: calendar apps cannot log in. The unguessable key is the only credential, and an
    unknown or revoked one is a plain 404."""
    membership = calendar_membership(key=key)
    if membership is None:
        raise Http404
    business = membership.business
    text = calendar_text(
        name=f"Klantvriend · {business.name}",
        items=calendar_items(business=business, user=membership.user),
        stamp=timezone.now(),
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _settings_history(events, currency: str) -> list[tuple[AuditEvent, list[tuple[str, str, str]]]]:
    """The trail of this page's settings as the page words them: each change under its field's
    label, an amount in money, working days and the language by name, an empty rule as "—".
    What else a change of settings records (the promises a new time zone re-dated, the privacy
    page's settings) is shown where it belongs, not here. The changes come in the page's order
    of the fields (PostgreSQL's JSON keeps no order of its own)."""
    fields = {
        ("aftercare_purchase_min_cents" if name == "aftercare_purchase_min" else name): field
        # The care form's fields in their order on the page (field_order).
        for name, field in {**BusinessForm.base_fields, **CareSettingsForm().fields}.items()
    }
    history = []
    for event in events:
        stored = event.changes or {}
        changes = []
        for name, field in fields.items():
            if name == "monday_closed":  # the opening hours' place on the page
                changes.extend(_hours_changes(stored))
            if isinstance(stored.get(name), list) and len(stored[name]) == 2:
                changes.append(
                    (
                        capfirst(field.label),
                        _setting_shown(field, name, stored[name][0], currency),
                        _setting_shown(field, name, stored[name][1], currency),
                    )
                )
        rules = stored.get("aftercare_purchase_rules")
        if isinstance(rules, list) and len(rules) == 2:
            changes.append(
                (
                    _("Aftercare for a kind of purchase"),
                    _rules_shown(rules[0]),
                    _rules_shown(rules[1]),
                )
            )
        periods = stored.get("closed_periods")
        if isinstance(periods, list) and len(periods) == 2:
            changes.extend(_closed_changes(*periods))
        if changes:
            history.append((event, changes))
    return history


def _closed_changes(before, after) -> list[tuple[str, str, str]]:
    """Closed periods added and removed, a line each ("Closed days: — → vr 25 dec – za 26 dec
    2026 · Kerst"), not the whole list before and after."""
    before, after = (value if isinstance(value, list) else [] for value in (before, after))
    label = _("Closed days")
    return [
        *((label, _closed_shown(period), "—") for period in before if period not in after),
        *((label, "—", _closed_shown(period)) for period in after if period not in before),
    ]


def _closed_shown(stored) -> str:
    try:
        days = day_span_shown(
            date.fromisoformat(stored["first"]), date.fromisoformat(stored["last"])
        )
    except (KeyError, TypeError, ValueError):
        return "—"
    return f"{days} · {stored['reason']}" if stored.get("reason") else days


def _hours_changes(stored: dict) -> list[tuple[str, str, str]]:
    """A change of the opening hours, a line for each day whose hours changed ("Opening hours
    on Thursday: 09:00–18:00 → 09:00–21:00"); and one recorded before each day had its own
    hours, under the names of the fields then."""
    changes = []
    week = stored.get("opening_hours")
    if isinstance(week, list) and len(week) == 2:
        before, after = (
            day if isinstance(day, list) and len(day) == 7 else [None] * 7 for day in week
        )
        for weekday, (old, new) in enumerate(zip(before, after, strict=True)):
            if old != new:
                label = _("Opening hours on %(day)s") % {"day": WEEKDAY_NAMES[weekday]}
                changes.append((label, _day_hours_shown(old), _day_hours_shown(new)))
    for name, label in (
        ("working_days", capfirst(_("working days"))),
        ("opening_time", capfirst(_("opens at"))),
        ("closing_time", capfirst(_("closes at"))),
    ):
        values = stored.get(name)
        if isinstance(values, list) and len(values) == 2:
            changes.append((label, *(_old_hours_shown(value) for value in values)))
    return changes


def _day_hours_shown(hours) -> str:
    """A day's stored hours as the history says them: "09:00–18:00", with a break after it
    ("12:00–22:00, break 14:30–17:30")."""
    if not hours:
        return _("closed")
    if len(hours) == 4:
        return _("%(opens)s–%(closes)s, break %(starts)s–%(ends)s") % dict(
            zip(("opens", "closes", "starts", "ends"), hours, strict=True)
        )
    return f"{hours[0]}–{hours[1]}"


def _old_hours_shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(WEEKDAY_NAMES[day]) for day in value if 0 <= day <= 6)
    return str(value)


def _rules_shown(rules) -> str:
    """Rules for a kind of purchase as the trail stored them: "kleur, balayage after 3 days:
    Vragen hoe de kleur houdt"; none as "—"."""
    if not isinstance(rules, list) or not rules:
        return "—"
    return "; ".join(
        _rule_shown(", ".join(rule.get("words") or ()), rule.get("days"), rule.get("ask"))
        for rule in rules
        if isinstance(rule, dict)
    )


def _rule_shown(words: str, days, ask) -> str:
    # A rule of 0 days asks on the day of the purchase: "after 0 days" read as a slip.
    if days == 0:
        return _("%(words)s the same day: %(ask)s") % {"words": words, "ask": ask}
    values = {"words": words, "days": days, "ask": ask}
    if not isinstance(days, int):
        return _("%(words)s after %(days)s days: %(ask)s") % values
    return (
        ngettext(
            "%(words)s after %(days)s day: %(ask)s", "%(words)s after %(days)s days: %(ask)s", days
        )
        % values
    )


def _setting_shown(field, name: str, value, currency: str) -> str:
    if value is None or value == "":
        return "—"
    if name == "aftercare_purchase_min_cents":
        return amount_shown(value, currency)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = dict(getattr(field, "choices", None) or ())
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    return str(choices.get(value, value))
