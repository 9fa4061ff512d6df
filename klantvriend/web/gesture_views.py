"""Gestures: record one (warned when the same went to this customer recently), take one logged
by mistake back, and congratulate on today's occasions in one click."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klantvriend.customers import selectors as customer_selectors
from klantvriend.gestures import selectors, services
from klantvriend.gestures.models import Occasion

from .care_forms import GestureForm
from .care_responses import first_error, from_today, profile_response, today_row_response
from .views import add_service_errors, member_required


@member_required
@require_POST
def gesture_undo(request: HttpRequest, gesture_id: int) -> HttpResponse:
    """A gesture logged by mistake, taken back (core/undo.py's rule): on the profile, or on
    Today's row of an occasion right after "Congratulated"."""
    gesture = selectors.gesture_get(business=request.business, gesture_id=gesture_id)
    customer, occasion = gesture.customer, gesture.occasion
    error = ""
    try:
        services.gesture_undo(gesture=gesture, actor=request.user)
    except ValidationError as refused:
        error = first_error(refused)
    if from_today(request) and occasion in OCCASION_GESTURES:
        return _occasion_row(request, customer, occasion, error=error, undone=not error)
    if error:
        return profile_response(request, customer, status=422, care_error=error)
    return profile_response(request, customer, saved=("gesture", _("Gesture undone.")))


@member_required
@require_POST
def gesture_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_selectors.customer_get(business=request.business, customer_id=customer_id)
    form = GestureForm(request.POST)
    repeats = []
    if form.is_valid():
        repeats = selectors.gesture_recent_repeats(
            customer=customer, what=form.cleaned_data["what"]
        )
        if repeats and not form.cleaned_data["confirm_repeat"]:
            # Not refused: the member sees when it was given before and decides.
            form.add_error(
                "what",
                ValidationError(
                    _("This customer got the same recently. Tick “Give it anyway” to record it."),
                    code="repeat",
                ),
            )
        else:
            try:
                services.gesture_create(
                    customer=customer,
                    what=form.cleaned_data["what"],
                    value_cents=form.cleaned_data["value"],
                    occasion=form.cleaned_data["occasion"],
                    given_by=request.user,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "value_cents" in error.error_dict:
                    error.error_dict["value"] = error.error_dict.pop("value_cents")
                add_service_errors(form, error)
            else:
                return profile_response(request, customer, saved=("gesture", _("Gesture saved.")))
    return profile_response(
        request,
        customer,
        status=422,
        gesture_form=form,
        gesture_repeats=repeats,
        open_form="gesture",
    )


OCCASION_GESTURES = {
    Occasion.BIRTHDAY: lambda: _("Congratulated on their birthday"),
    Occasion.ANNIVERSARY: lambda: _("Congratulated on being a customer another year"),
}


@member_required
@require_POST
def occasion_congratulate(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_selectors.customer_get(business=request.business, customer_id=customer_id)
    occasion = request.POST.get("occasion", "")
    error, given = "", None
    if occasion not in OCCASION_GESTURES:
        error = _("Unknown occasion.")
    else:
        try:
            given = services.gesture_create(
                customer=customer,
                what=OCCASION_GESTURES[occasion](),
                occasion=occasion,
                given_by=request.user,
            )
        except ValidationError as refused:
            error = first_error(refused)
    return _occasion_row(request, customer, occasion, error=error, undo=given)


def _occasion_row(request: HttpRequest, customer, occasion: str, *, error: str, **context):
    """Today's row of `customer`'s `occasion` after a step on it: with `undo` (the gesture just
    logged) it offers to take it back; `undone` says it was."""
    occasion_today = next(
        (
            item
            for item in selectors.occasions_today(
                business=request.business, customer_id=customer.pk
            ).items
            if item.occasion == occasion
        ),
        None,
    )
    if occasion_today is None and not error:
        return profile_response(request, customer)
    return today_row_response(
        request,
        "occasion-row",
        {"occasion": occasion_today, "error": error, **context},
        status=422 if error else 200,
    )
