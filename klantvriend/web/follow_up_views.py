"""Follow-ups: plan one by hand; close it as content, not content (opens a complaint) or not
reached (planned again)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from klantvriend.aftercare import selectors, services
from klantvriend.customers import selectors as customer_selectors

from .care_forms import FollowUpForm
from .care_responses import first_error, from_today, profile_response, today_row_response
from .views import add_service_errors, member_required


@member_required
@require_POST
def follow_up_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_selectors.customer_get(business=request.business, customer_id=customer_id)
    form = FollowUpForm(request.POST, business=request.business)
    if form.is_valid():
        try:
            services.follow_up_create(
                business=request.business,
                customer=customer,
                created_by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return profile_response(request, customer)
    return profile_response(
        request, customer, status=422, follow_up_form=form, open_form="follow_up"
    )


def _answer(
    request: HttpRequest, follow_up, action, *, undo: bool = False, undone: bool = False
) -> HttpResponse:
    """The follow-up after `action`: its row on Today (offering to take back the outcome just
    recorded when `undo`, core/undo.py; saying it was taken back when `undone`), or the
    profile."""
    error = ""
    try:
        follow_up = action(follow_up)
    except ValidationError as refused:
        error = first_error(refused)
    if from_today(request):
        return today_row_response(
            request,
            "follow-up-row",
            {
                "follow_up": follow_up,
                "error": error,
                "day": request.business.today(),
                "undo": undo and not error,
                "undone": undone and not error,
            },
            status=422 if error else 200,
        )
    if error:
        return profile_response(request, follow_up.customer, status=422, care_error=error)
    return profile_response(request, follow_up.customer)


@member_required
@require_POST
def follow_up_outcome(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    follow_up = selectors.follow_up_get(business=request.business, follow_up_id=follow_up_id)
    return _answer(
        request,
        follow_up,
        lambda follow_up: services.follow_up_complete(
            follow_up=follow_up,
            actor=request.user,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        ),
        undo=True,
    )


@member_required
@require_POST
def follow_up_outcome_undo(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    """An outcome tapped by mistake, taken back."""
    follow_up = selectors.follow_up_get(business=request.business, follow_up_id=follow_up_id)
    return _answer(
        request,
        follow_up,
        lambda follow_up: services.follow_up_outcome_undo(follow_up=follow_up, actor=request.user),
        undone=True,
    )
