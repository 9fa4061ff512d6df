"""Gestures: record one (warned when the same went to this customer recently), take one logged
by mistake back, and congratulate on today's occasions in one click."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klantvriend.core.audit import AuditAction
from klantvriend.core.money import cents_for_typing
from klantvriend.core.undo import undoable_rows
from klantvriend.core.versions import record_version
from klantvriend.customers import selectors as customer_selectors
from klantvriend.gestures import selectors, services
from klantvriend.gestures.models import Occasion

from .care_forms import GestureEditForm, GestureForm
from .care_responses import first_error, from_today, profile_response, today_row_response
from .views import add_service_errors, correction_page, member_required


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
def gesture_edit(request: HttpRequest, gesture_id: int) -> HttpResponse:
    """Correct a gesture typed wrongly (its value, the occasion, the day): any member, as
    through the API; the trail keeps what it was (gestures.services.gesture_update). A
    complaint's recovery gesture is changed on its complaint, which logs it."""
    gesture = selectors.gesture_get(business=request.business, gesture_id=gesture_id)
    if gesture.complaint_id is not None:
        messages.error(request, _("This gesture belongs to its complaint: change it there."))
        return redirect("web:customer_detail", customer_id=gesture.customer_id)

    def form_for(data, stored) -> GestureEditForm:
        value = stored.value_cents
        initial = {
            "what": stored.what,
            "value": ""
            if value is None
            else cents_for_typing(value, language=get_language() or "nl"),
            "occasion": stored.occasion,
            "given_at": stored.given_at,
            "version": record_version(stored),
        }
        return GestureEditForm(data, initial=initial, gesture=stored)

    def save(form: GestureEditForm) -> None:
        try:
            services.gesture_update(
                gesture=gesture,
                actor=request.user,
                expected_versions=[form.cleaned_data["version"]],
                **form.changes(),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "value_cents" in error.error_dict:
                error.error_dict["value"] = error.error_dict.pop("value_cents")
            raise

    return correction_page(
        request,
        customer=gesture.customer,
        form_for=form_for,
        record=gesture,
        read_again=lambda: selectors.gesture_get(business=request.business, gesture_id=gesture.pk),
        save=save,
        changed_meanwhile=_(
            "Someone saved this gesture while you were changing it. Check what you typed and "
            "save again to keep it."
        ),
        saved=_("Gesture changed."),
        template="web/gesture_edit.html",
        context={
            "gesture": gesture,
            # Taken back from here too (a double tap, the wrong customer), by the rule of the
            # profile's Undo: the gestures' log links each gesture to this page.
            "undoable": gesture
            in undoable_rows(
                business=request.business,
                customer=gesture.customer,
                actions=(AuditAction.CREATED,),
                actor=request.user,
                actor_is_owner=request.membership.is_owner,
            ),
        },
    )


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
