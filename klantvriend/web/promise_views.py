"""Promises on the profile and the Today page: make one (with the on-time advice), keep it,
cancel it; the reliability figures, and the list of promises each figure opens to."""

import dataclasses
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from klantvriend.aftercare.selectors import quote_decisions
from klantvriend.complaints.selectors import promise_complaints
from klantvriend.core.care_settings import care_settings, shop_closed_on
from klantvriend.core.errors import ChangedMeanwhile
from klantvriend.core.moments import moment_problem
from klantvriend.core.versions import record_version
from klantvriend.customers import selectors as customer_selectors
from klantvriend.promises import selectors, services
from klantvriend.promises.models import Promise, PromiseKind, due_moment_for_day
from klantvriend.surveys.selectors import survey_answer_kept_for_promise

from .care_forms import PromiseEditForm, PromiseForm
from .care_responses import first_error, from_today, profile_response, today_row_response
from .forms import MomentField
from .links import safe_next
from .templatetags.care import due_moment
from .views import (
    PERIOD_CHOICES,
    CountedPaginator,
    add_service_errors,
    filter_choice,
    member_filter,
    member_required,
    month_or_none,
)

PROMISES_PER_PAGE = 50
PROMISE_CHANGED_MEANWHILE = gettext_lazy(
    "Someone else changed this promise while you were editing it. The fields you did not "
    "change show what is stored now; check them and save again to keep your input."
)


@member_required
@require_POST
def promise_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_selectors.customer_get(business=request.business, customer_id=customer_id)
    form = PromiseForm(request.POST)
    if form.is_valid() and _due_answered(form, request.business):
        form.refuse_repeat(customer=customer, business=request.business)
    if form.is_valid():
        try:
            services.promise_create(
                customer=customer,
                description=form.cleaned_data["description"],
                kind=form.cleaned_data["kind"],
                made_at=form.cleaned_data["made_at"],
                survey_after_delivery=form.cleaned_data["survey_after_delivery"],
                aftercare_after_kept=form.cleaned_data["aftercare_after_kept"],
                **form.repeat_fields(),
                made_by=request.user,
                kept_at=form.kept_at(request.business),
                **form.due(request.business),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return profile_response(request, customer, saved=("promise", _("Promise saved.")))
    # The form comes back with what was typed, and so with the advice on it: htmx fetches it
    # only when a field changes.
    return profile_response(
        request,
        customer,
        status=422,
        promise_form=form,
        promise_advice=_advice_beside(form, _advice(request, request.POST)),
        open_form="promise",
    )


def _due_answered(form: PromiseForm, business, *, promise: Promise | None = None) -> bool:
    """Whether a valid promise form may be saved as to its due moment: still to come, and while
    the shop is open, or "Record it anyway" ticked (PromiseForm.refuse_doubtful_due). A
    promise changed (`promise`) without moving its due moment is not asked about again, nor,
    once its own moment has gone by, whether the new one has: the page says what moving it
    then does (promise_form.html)."""
    if promise is not None and {"due_date", "due_time"}.isdisjoint(form.changed_data):
        return True
    form.refuse_doubtful_due(
        business,
        ask_gone_by=promise is None
        or not selectors.due_gone_by(
            business=business,
            due_at=promise.due_at,
            all_day=promise.due_all_day,
            now=timezone.now(),
        ),
    )
    return not form.errors


def _add_errors(form: PromiseForm, error: ValidationError) -> None:
    """A service's refusal on the promise form: the due moment is typed as its day and time."""
    if hasattr(error, "error_dict") and "due_at" in error.error_dict:
        error.error_dict["due_date"] = error.error_dict.pop("due_at")
    add_service_errors(form, error)


def _form_over_stored(form: PromiseEditForm, *, business, promise_id: int) -> PromiseEditForm:
    """The form again after someone else saved the promise meanwhile: what this person changed
    as they typed it, the other fields as stored now, and the version stored, so that saving
    again is a deliberate choice."""
    stored = selectors.promise_get(business=business, promise_id=promise_id)
    fresh = PromiseEditForm(
        initial=PromiseEditForm.initial_for(stored, version=record_version(stored))
    )
    data = form.data.copy()
    for name in fresh.fields:
        shown = fresh.typed(name)
        if name == "version":
            data[name] = shown
            continue
        if name not in form.changed_data:
            data[name] = shown
        data[f"initial-{name}"] = shown
    again = PromiseEditForm(data, initial=fresh.initial)
    again.is_valid()
    again.add_error(None, PROMISE_CHANGED_MEANWHILE)
    return again


@member_required
def promise_edit(request: HttpRequest, promise_id: int) -> HttpResponse:
    """Change an open promise: what, its kind, when it is due (the customer agreed to another
    day, a time was mistyped), when it was made; checked as a new promise is
    (promises.services._check_moments), with the same advice on what can safely be promised.
    A new due moment for a promise whose moment passed unkept is a new promise, and the old one
    counts as broken (promise_reschedule); the page says so beforehand. A finished promise is
    history and stays as it is: "Done" tapped by mistake is undone first."""
    promise = selectors.promise_get(business=request.business, promise_id=promise_id)
    back = safe_next(request, default=reverse("web:customer_detail", args=[promise.customer_id]))
    if promise.done_at is not None or promise.cancelled_at is not None:
        messages.error(
            request,
            _(
                "Only an open promise can be changed; undo “Done” first if it was tapped by mistake."
            ),
        )
        return redirect(back)
    version = record_version(promise)
    form = PromiseEditForm(
        request.POST or None, initial=PromiseEditForm.initial_for(promise, version=version)
    )
    status = 200
    if (
        request.method == "POST"
        and form.is_valid()
        and _due_answered(form, request.business, promise=promise)
    ):
        try:
            changed = services.promise_change(
                promise=promise,
                actor=request.user,
                fields=form.changes(request.business),
                reschedule=True,
                expected_versions=[form.cleaned_data["version"]],
                customer_told_by=form.cleaned_data["customer_told_by"],
                customer_told=form.cleaned_data["customer_told"],
            )
        except ChangedMeanwhile:
            form = _form_over_stored(form, business=request.business, promise_id=promise.pk)
            status = 409
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if changed.pk == promise.pk:
                messages.success(request, _("Promise changed."))
            else:
                messages.success(
                    request,
                    _(
                        "The promise was not kept by the moment it was due: it counts as "
                        "broken, and a new promise is made for the new moment."
                    ),
                )
            return redirect(back)
    if form.errors and status == 200:
        status = 422
    # The advice for the moment as shown, with the page (htmx asks again when a field changes).
    typed = form.data if form.is_bound else {name: form.typed(name) for name in form.fields}
    if not form.is_bound and promise.due_moment_stays(timezone.now()):
        # As the page's hidden `advice_from_now` will ask it (a form sent back carries it).
        typed = {**typed, "advice_from_now": "1"}
    advice = _advice_beside(form, _advice(request, typed))
    if advice is not None and advice.gone_by and advice.due_at == promise.due_at:
        advice = None  # its own moment gone by: the page's notice says what moving it does
    now = timezone.now()
    return render(
        request,
        "web/promise_form.html",
        {
            "form": form,
            "promise": promise,
            "back": back,
            "advice": advice,
            "due_moment_stays": promise.due_moment_stays(now),
            "due_moment_corrected_only": services.due_moment_corrected_only(
                business=request.business, promise=promise, now=now
            ),
            "typed_in_late_free_until": services.typed_in_late_free_until(
                business=request.business, promise=promise, now=now
            ),
        },
        status=status,
    )


def _advice_beside(form: PromiseForm, advice):
    """The advice under a form sent back, without what the due day's own error says already
    (the same words twice, in red and in yellow): a moment gone by, a day the shop is closed."""
    if advice is None or "due_date" not in form.errors:
        return advice
    if advice.gone_by:
        return None
    return dataclasses.replace(advice, closed_day=None, closed_for="")


def _advice_input(request: HttpRequest, typed):
    """The kind and due moment typed so far, whether for the day, and the moment of making
    typed (None for now); None while they are incomplete."""
    form = PromiseForm(typed)
    form.is_valid()
    data = form.cleaned_data
    if (
        "due_date" not in data
        or "due_time" in form.errors
        or data.get("kind") not in PromiseKind.values
    ):
        return None
    # A new moment for a promise whose moment passed is a new promise made now (the page says
    # so with `advice_from_now`): measured from when the first was made, a moment already gone
    # was called safe, and a moment an hour ahead judged by those made a day ahead.
    made_at = None if typed.get("advice_from_now") else data.get("made_at")
    if data.get("due_time") is None:
        return (
            data["kind"],
            due_moment_for_day(business=request.business, day=data["due_date"]),
            True,
            made_at,
        )
    due = form.due(request.business)["due_at"]
    return data["kind"], due, False, made_at


def _advice(request: HttpRequest, typed):
    """The "promise less, deliver more" advice for the promise form's fields as typed (GET or
    POST data), or None while the kind or the due moment is missing or before it was made."""
    found = _advice_input(request, typed)
    if found is None:
        return None
    kind, due_at, all_day, made_typed = found
    now = timezone.now()
    made_at = made_typed or now
    # A moment gone by is asked about (promises.selectors.promise_advice): written down
    # afterwards, or typed wrong. Before the moment of making typed, or as the new moment of
    # an overdue promise (a new promise made now), the service refuses it.
    gone_by = (
        made_typed is None
        and not typed.get("advice_from_now")
        and selectors.due_gone_by(
            business=request.business, due_at=due_at, all_day=all_day, now=now
        )
    )
    # None for what the service refuses: a moment made before 1900 or in the future, or due
    # a century ahead, lies past the moments UTC holds at the calendar's ends.
    if (
        (due_at < made_at and not gone_by)
        or moment_problem(made_at) is not None
        or due_at - now > services.FURTHEST_DUE
    ):
        return None
    return selectors.promise_advice(
        business=request.business,
        kind=kind,
        due_at=due_at,
        all_day=all_day,
        made_at=made_typed,
        advised_from=_advised_from(typed),
        now=now,
    )


def _advised_from(typed) -> datetime | None:
    """The moment first typed that the form's advice suggestion was taken for (PromiseForm's
    `advised_from`, an ISO moment with its offset); None when there is none, or it is no
    moment (a page of another version)."""
    try:
        moment = parse_datetime(typed.get("advised_from") or "")
    except ValueError:
        return None
    return moment if moment is not None and timezone.is_aware(moment) else None


@member_required
@require_GET
def promise_advice(request: HttpRequest) -> HttpResponse:
    """The hint under the promise form, asked for by htmx each time the kind or the due moment
    changes."""
    return render(
        request, "web/partials/promise_advice.html", {"advice": _advice(request, request.GET)}
    )


def _promise_action(
    request: HttpRequest,
    promise_id: int,
    action,
    *,
    undo: bool = False,
    undone: bool = False,
    stopped: bool = False,
) -> HttpResponse:
    """`undo`: the row on Today that answers a step taken offers to take it back (core/undo.py);
    the profile offers it on every row it may (web/care.py). `undone`: the row says that the
    step was taken back (it looks as it did before the tap, which alone says nothing), and what
    of it stays: a survey the customer answered after the delivery."""
    promise = selectors.promise_get(business=request.business, promise_id=promise_id)
    error = notice = ""
    try:
        promise = action(promise)
    except ValidationError as refused:
        error = first_error(refused)
    if undone and not error and survey_answer_kept_for_promise(promise=promise):
        notice = _(
            "The customer had already answered the survey sent after this delivery: their "
            "answer stays."
        )
    elif stopped and not error:
        notice = _("The standing order ends with this one: nothing more is planned.")
    elif not error and not undone and promise.repeated_as_id is not None:
        # Where the next time went: on Today the row alone changes, and the next time is on
        # another day's list.
        notice = _next_time_said(request.business, promise.repeated_as)
    if from_today(request):
        view = selectors.promise_with_status(promise=promise)
        return today_row_response(
            request,
            "promise-row",
            {
                "view": view,
                "error": error,
                "undo": undo and not error,
                "undone": undone and not error,
                "notice": notice,
            },
            status=422 if error else 200,
        )
    if error:
        typed = request.POST.get("done_at", "").strip()
        # Said in the "Done earlier?" panel while the promise is open and the panel shown; a
        # promise someone finished meanwhile has none, and is said at the top of the card.
        if typed and promise.done_at is None and promise.cancelled_at is None:
            refused = {"promise": promise.pk, "typed": typed, "error": error}
            return profile_response(
                request, promise.customer, status=422, done_earlier_refused=refused
            )
        return profile_response(request, promise.customer, status=422, care_error=error)
    if notice and not request.htmx:
        messages.info(request, notice)  # shown on the profile it is sent back to
    return profile_response(request, promise.customer, care_notice=notice)


def _next_time_said(business, next_time) -> str:
    """Where a standing order's next time went, and, when the shop is closed that day (its
    Christmas, its holiday: a repeat keeps the weekday), that it is: whoever kept this one
    can move it or tell the customer now."""
    said = {"moment": due_moment(next_time, "weekday")}
    day = business.local(next_time.due_at).date()
    if not shop_closed_on(business, day):
        return _("Next time: %(moment)s.") % said
    closure = care_settings(business).closed_period_on(day)
    if closure and closure.reason:
        return _("Next time: %(moment)s; the shop is closed then (%(why)s).") % {
            **said,
            "why": closure.reason,
        }
    return _("Next time: %(moment)s; the shop is closed then.") % said


@member_required
@require_POST
def promise_keep(request: HttpRequest, promise_id: int) -> HttpResponse:
    """ "Done", now; or at the moment given (`done_at`, the card's "Done earlier?"): a bike
    collected on Saturday at 17:30 and marked on the next open day was recorded as kept then,
    with no way to say when, but "It was on time"."""
    return _promise_action(
        request,
        promise_id,
        lambda promise: services.promise_mark_kept(
            promise=promise, actor=request.user, at=_done_at(request)
        ),
        undo=True,
    )


def _done_at(request: HttpRequest) -> datetime | None:
    """The moment typed for "Done earlier?" (on the business's clock), or None for now."""
    typed = request.POST.get("done_at", "").strip()
    if not typed:
        return None
    try:
        return MomentField().clean(typed)
    except ValidationError as refused:
        raise ValidationError({"done_at": refused.messages}) from None


@member_required
@require_POST
def promise_kept_on_time(request: HttpRequest, promise_id: int) -> HttpResponse:
    """ "Done" tapped after the moment a promise was kept on time, set right."""
    return _promise_action(
        request,
        promise_id,
        lambda promise: services.promise_kept_on_time(promise=promise, actor=request.user),
    )


@member_required
@require_POST
def promise_reopen(request: HttpRequest, promise_id: int) -> HttpResponse:
    """ "Done" tapped by mistake, taken back."""
    return _promise_action(
        request,
        promise_id,
        lambda promise: services.promise_reopen(promise=promise, actor=request.user),
        undone=True,
    )


@member_required
@require_POST
def promise_cancel(request: HttpRequest, promise_id: int) -> HttpResponse:
    """Cancel a promise; a repeating one this time only (its next time is made), or with
    `repeat=stop` the standing arrangement ends with it."""
    if request.POST.get("repeat") == "stop":
        return _promise_action(
            request,
            promise_id,
            lambda promise: services.promise_change(
                promise=promise,
                actor=request.user,
                fields=dict(services.NOT_REPEATING),
                cancelled_at=timezone.now(),
            ),
            stopped=True,
        )
    return _promise_action(
        request,
        promise_id,
        lambda promise: services.promise_cancel(promise=promise, actor=request.user),
    )


@member_required
def promise_reliability(request: HttpRequest) -> HttpResponse:
    figures = selectors.promise_reliability(business=request.business)
    grace_hours = care_settings(request.business).promise_grace_hours
    # Named rows as the shared table takes them (a kind's label starting with a capital), with
    # the filter of the list each row opens to.
    # How each member keeps their promises is about that person (AVG): the owner, who answers
    # for the shop, sees everyone's; a member their own, not a ranking of their colleagues.
    members = [
        (name, row, f"member={member}")
        for member, name, row in figures.by_member
        if request.membership.is_owner or member == request.user.pk
    ]
    kinds = [(capfirst(label), row, f"kind={kind}") for kind, label, row in figures.by_kind]
    return render(
        request,
        "web/promise_reliability.html",
        {
            "figures": figures,
            "members": members,
            "kinds": kinds,
            "grace_hours": grace_hours,
            # A quote kept on time is half of it: what the customers decided (aftercare's
            # quote follow-ups).
            "quotes": quote_decisions(business=request.business),
            # What breaking a promise cost: the complaints about one, over the same year.
            "promise_complaints": promise_complaints(
                business=request.business, since=figures.since
            ),
        },
    )


@member_required
def promise_list(request: HttpRequest) -> HttpResponse:
    """Every promise whose outcome became known in the period, and those still open, by member,
    kind and outcome: what each figure on the reliability page is made of, and the shop's list
    of promises to look through; or one of Today's lists of promises whole (?agenda=)."""
    business = request.business
    alias = selectors.AGENDA_ALIASES.get(request.GET.get("agenda", ""))
    if alias is not None:
        # An older bookmark: the same list under its present name, so the address bar and the
        # filter's choice agree.
        query = request.GET.copy()
        query["agenda"] = alias.value
        return redirect(f"{request.path}?{query.urlencode()}", permanent=True)
    period = filter_choice(request, "period", selectors.PERIODS, "12m")
    outcome = filter_choice(request, "outcome", selectors.Outcome.values)
    kind = filter_choice(request, "kind", PromiseKind.values)
    order = filter_choice(request, "order", selectors.ORDERS, "-due")
    agenda = filter_choice(request, "agenda", selectors.Agenda.values)
    # A month of the charts' promises, in place of the period.
    month = month_or_none(request.GET.get("month"))
    made_by_id, members = member_filter(
        request,
        business=business,
        nobody=selectors.MADE_BY_NOBODY,
        nobody_label=_("nobody recorded"),
        nobody_listed=False,
    )
    now = timezone.now()
    listed = selectors.promise_outcomes(
        business=business,
        now=now,
        period=period,
        outcome=outcome,
        made_by_id=made_by_id,
        kind=kind,
        order=order,
        agenda=agenda,
        month=month,
    )
    # The pager counts the rows the tally has counted already, by the same conditions.
    paginator = CountedPaginator(
        listed.promises, PROMISES_PER_PAGE, count=listed.tally.count(outcome)
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "web/promise_list.html",
        {
            "page": page,
            "views": selectors.promise_views(business=business, promises=page.object_list, now=now),
            "tally": listed.tally,
            "since": listed.since,
            "until": listed.until,
            "period": period,
            "outcome": outcome,
            "kind": kind,
            "order": order,
            "agenda": agenda,
            "month": month,
            "agendas": selectors.Agenda.choices,
            "member": made_by_id,
            "members": members,
            "filtered": bool(
                outcome or kind or agenda or month or made_by_id is not None or period != "12m"
            ),
            "periods": PERIOD_CHOICES,
            "outcomes": selectors.Outcome.choices,
            "kinds": PromiseKind.choices,
        },
    )
