"""Follow-ups: the list of them all; plan one by hand; change an open one; close it as content,
not content (opens a complaint) or not reached (planned again)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from klantvriend.aftercare import selectors, services
from klantvriend.aftercare.models import Reason
from klantvriend.core.care_settings import care_settings, shop_closed_on
from klantvriend.core.errors import ChangedMeanwhile
from klantvriend.core.shown import moment_shown
from klantvriend.core.versions import record_version
from klantvriend.customers import selectors as customer_selectors

from .care_forms import FollowUpEditForm, FollowUpForm
from .care_responses import first_error, from_today, profile_response, today_row_response
from .links import safe_next
from .views import (
    CountedPaginator,
    add_service_errors,
    filter_choice,
    member_filter,
    member_required,
)

FOLLOW_UPS_PER_PAGE = 50
FOLLOW_UP_CHANGED_MEANWHILE = gettext_lazy(
    "Someone else changed this follow-up while you were editing it. The form shows what is "
    "stored now; make your change again."
)


@member_required
def aftercare_list(request: HttpRequest) -> HttpResponse:
    """Every follow-up of the business by state, period and member, paged: Today's follow-ups
    whole (?state=due), what was let slip, what is planned, and what came of those done."""
    business = request.business
    state = filter_choice(request, "state", selectors.FollowUpState.values)
    period = filter_choice(request, "period", selectors.FOLLOW_UP_PERIODS, "12m")
    assigned_to_id, members = member_filter(
        request,
        business=business,
        nobody=selectors.ASSIGNED_TO_NOBODY,
        nobody_label=_("nobody"),
        nobody_listed=True,
    )
    reason = filter_choice(request, "reason", Reason.values)
    today = business.today()
    listed = selectors.follow_up_rows(
        business=business,
        state=state,
        period=period,
        assigned_to_id=assigned_to_id,
        reason=reason,
        today=today,
    )
    paginator = CountedPaginator(listed.follow_ups, FOLLOW_UPS_PER_PAGE, count=listed.count)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "web/aftercare_list.html",
        {
            "page": page,
            "rows": [
                (follow_up, selectors.follow_up_state(follow_up, today=today))
                for follow_up in page.object_list
            ],
            "today": today,
            "since": listed.since,
            "state": state,
            "states": selectors.FollowUpState.choices,
            "period": period,
            "periods": [
                ("12m", _("the last 12 months and later")),
                ("90d", _("the last 90 days and later")),
                ("all", _("any time")),
            ],
            "member": assigned_to_id,
            "members": members,
            "reason": reason,
            "reasons": Reason.choices,
            "outcomes": listed.outcomes,
            "filtered": bool(state or assigned_to_id is not None or period != "12m" or reason),
        },
    )


@member_required
def follow_up_edit(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    """Change an open follow-up, as the API's PATCH does (services.follow_up_change): what to
    ask, worded for the occasion (after a funeral's flowers a florist asks after the family,
    not whether everything was all right), the day (mistyped, or the customer asked for
    another) and who calls. A follow-up done is history: its outcome is undone first."""
    follow_up = selectors.follow_up_get(business=request.business, follow_up_id=follow_up_id)
    back = safe_next(request, default=reverse("web:customer_detail", args=[follow_up.customer_id]))
    if follow_up.done_at is not None:
        messages.error(
            request,
            _(
                "Only an open follow-up can be changed; undo its outcome first if it was tapped by mistake."
            ),
        )
        return redirect(back)
    initial = FollowUpEditForm.initial_for(follow_up, version=record_version(follow_up))
    form = FollowUpEditForm(request.POST or None, business=request.business, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_change(
                follow_up=follow_up,
                actor=request.user,
                fields=form.changes(),
                expected_versions=[form.cleaned_data["version"]],
            )
        except ChangedMeanwhile:
            stored = selectors.follow_up_get(business=request.business, follow_up_id=follow_up.pk)
            form = FollowUpEditForm(
                business=request.business,
                initial=FollowUpEditForm.initial_for(stored, version=record_version(stored)),
            )
            messages.error(request, FOLLOW_UP_CHANGED_MEANWHILE)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Follow-up changed."))
            return redirect(back)
    if form.errors:
        status = 422
    return render(
        request,
        "web/follow_up_form.html",
        {"form": form, "follow_up": follow_up, "back": back},
        status=status,
    )


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
            saved = _("Follow-up saved.")
            day = form.cleaned_data["due_on"]
            closure = care_settings(request.business).closed_period_on(day)
            said = {"day": moment_shown(day, "WEEKDAY"), "why": closure.reason if closure else ""}
            if said["why"]:
                saved = (
                    _(
                        "Follow-up saved for %(day)s, a day the shop is closed (%(why)s): change "
                        "its day if that is not meant."
                    )
                    % said
                )
            elif shop_closed_on(request.business, day):
                saved = (
                    _(
                        "Follow-up saved for %(day)s, a day the shop is closed by its opening "
                        "hours: change its day if that is not meant."
                    )
                    % said
                )
            return profile_response(request, customer, saved=("follow_up", saved))
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
