"""Promises on the profile and the Today page: make one (with the on-time advice), keep it,
cancel it; and the reliability figures."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_POST

from klantvriend.core.care_settings import care_settings
from klantvriend.customers import selectors as customer_selectors
from klantvriend.promises import selectors, services
from klantvriend.promises.models import PromiseKind, due_moment_for_day

from .care_forms import PromiseForm
from .care_responses import first_error, from_today, profile_response, today_row_response
from .views import add_service_errors, member_required


@member_required
@require_POST
def promise_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_selectors.customer_get(business=request.business, customer_id=customer_id)
    form = PromiseForm(request.POST)
    if form.is_valid():
        try:
            services.promise_create(
                customer=customer,
                description=form.cleaned_data["description"],
                kind=form.cleaned_data["kind"],
                made_at=form.cleaned_data["made_at"],
                made_by=request.user,
                **form.due(request.business),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "due_at" in error.error_dict:
                error.error_dict["due_date"] = error.error_dict.pop("due_at")
            add_service_errors(form, error)
        else:
            return profile_response(request, customer)
    return profile_response(request, customer, status=422, promise_form=form, open_form="promise")


def _advice_input(request: HttpRequest):
    """The due moment typed so far, or None while it is incomplete."""
    form = PromiseForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    if "due_date" not in data or data.get("kind") not in PromiseKind.values:
        return None
    made_at = data.get("made_at") or timezone.now()
    if data.get("due_time") is None:
        return (
            data["kind"],
            due_moment_for_day(business=request.business, day=data["due_date"]),
            True,
            made_at,
        )
    due = form.due(request.business)["due_at"]
    return data["kind"], due, False, made_at


@member_required
@require_GET
def promise_advice(request: HttpRequest) -> HttpResponse:
    """The "promise less, deliver more" hint under the promise form, asked for by htmx each time
    the kind or the due moment changes."""
    typed = _advice_input(request)
    advice = None
    if typed is not None:
        kind, due_at, all_day, made_at = typed
        if due_at >= made_at:
            advice = selectors.promise_advice(
                business=request.business,
                kind=kind,
                due_at=due_at,
                all_day=all_day,
                made_at=made_at,
            )
    return render(request, "web/partials/promise_advice.html", {"advice": advice})


def _promise_action(request: HttpRequest, promise_id: int, action) -> HttpResponse:
    promise = selectors.promise_get(business=request.business, promise_id=promise_id)
    error = ""
    try:
        promise = action(promise)
    except ValidationError as refused:
        error = first_error(refused)
    if from_today(request):
        view = selectors.promise_with_status(promise=promise)
        return today_row_response(
            request, "promise-row", {"view": view, "error": error}, status=422 if error else 200
        )
    if error:
        return profile_response(request, promise.customer, status=422, care_error=error)
    return profile_response(request, promise.customer)


@member_required
@require_POST
def promise_keep(request: HttpRequest, promise_id: int) -> HttpResponse:
    return _promise_action(
        request,
        promise_id,
        lambda promise: services.promise_mark_kept(promise=promise, actor=request.user),
    )


@member_required
@require_POST
def promise_cancel(request: HttpRequest, promise_id: int) -> HttpResponse:
    return _promise_action(
        request,
        promise_id,
        lambda promise: services.promise_cancel(promise=promise, actor=request.user),
    )


@member_required
def promise_reliability(request: HttpRequest) -> HttpResponse:
    figures = selectors.promise_reliability(business=request.business)
    grace_hours = care_settings(request.business).promise_grace_hours
    # Named rows as the shared table takes them, the kind's label starting with a capital.
    kinds = [(capfirst(label), row) for _kind, label, row in figures.by_kind]
    return render(
        request,
        "web/promise_reliability.html",
        {"figures": figures, "kinds": kinds, "grace_hours": grace_hours},
    )
