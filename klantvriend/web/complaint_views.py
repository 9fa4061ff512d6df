"""Complaints: log one, answer it in one click, resolve it with a few words; the list of all
of them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from klantvriend.complaints import selectors, services
from klantvriend.core.versions import record_version
from klantvriend.customers import selectors as customer_selectors
from klantvriend.promises.selectors import PERIODS, period_bounds

from .care import complaint_promises
from .care_forms import ComplaintEditForm, ComplaintForm, resolve_form_for
from .care_responses import first_error, from_today, profile_response, today_row_response
from .views import (
    PERIOD_CHOICES,
    CountedPaginator,
    add_service_errors,
    correction_page,
    filter_choice,
    member_required,
    owner_required,
)

COMPLAINTS_PER_PAGE = 50
STATE_CHOICES = [
    (selectors.UNRESOLVED, gettext_lazy("not resolved")),
    *selectors.ComplaintStatus.choices,
]
PUBLIC_CHOICES = [("yes", gettext_lazy("public")), ("no", gettext_lazy("not public"))]


@member_required
@require_POST
def complaint_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_selectors.customer_get(business=request.business, customer_id=customer_id)
    form = ComplaintForm(
        request.POST, promises=complaint_promises(business=request.business, customer=customer)
    )
    if form.is_valid():
        try:
            fields = dict(form.cleaned_data)
            del fields["confirm_long_ago"]  # the form's question, not the complaint's
            # An unticked box means "not said": social media and review sites are public anyway.
            fields["public"] = fields["public"] or None
            fields["promise_id"] = fields.pop("promise", None)
            services.complaint_create(customer=customer, received_by=request.user, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return profile_response(request, customer, saved=("complaint", _("Complaint saved.")))
    return profile_response(
        request, customer, status=422, complaint_form=form, open_form="complaint"
    )


def _answer(
    request: HttpRequest,
    complaint,
    error: str = "",
    form=None,
    *,
    undo: bool = False,
    undone: bool = False,
    saved: str = "",
) -> HttpResponse:
    """`error` is a refusal of the row's one-click action; `form` a refused resolve form, shown
    open with what was typed and each message next to its field. `undo`: the row on Today
    offers to take back the answer just recorded (core/undo.py); `undone`: it says it was.
    `saved`: what the profile says in the complaints' card where it was done."""
    refused = bool(error) or form is not None
    if from_today(request):
        view = selectors.complaint_views(business=request.business, complaints=[complaint])[0]
        return today_row_response(
            request,
            "complaint-row",
            {
                "view": view,
                "error": error,
                "refused_form": form,
                "undo": undo and not refused,
                "undone": undone and not refused,
            },
            status=422 if refused else 200,
        )
    if refused:
        return profile_response(
            request, complaint.customer, status=422, care_error=error, refused_form=form
        )
    return profile_response(request, complaint.customer, saved=("complaint", saved))


@member_required
@require_POST
def complaint_respond(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = selectors.complaint_get(business=request.business, complaint_id=complaint_id)
    error = ""
    try:
        complaint = services.complaint_respond(complaint=complaint, actor=request.user)
    except ValidationError as refused:
        error = first_error(refused)
    return _answer(request, complaint, error, undo=True)


@member_required
@require_POST
def complaint_respond_undo(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """ "Answered" tapped by mistake, taken back."""
    complaint = selectors.complaint_get(business=request.business, complaint_id=complaint_id)
    error = ""
    try:
        complaint = services.complaint_response_undo(complaint=complaint, actor=request.user)
    except ValidationError as refused:
        error = first_error(refused)
    return _answer(request, complaint, error, undone=True)


@member_required
@require_POST
def complaint_resolve(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = selectors.complaint_get(business=request.business, complaint_id=complaint_id)
    form = resolve_form_for(complaint, request.POST, business=request.business)
    if form.is_valid():
        try:
            complaint = services.complaint_resolve(
                complaint=complaint, actor=request.user, **form.resolution_values()
            )
        except ValidationError as refused:
            add_service_errors(form, refused)
            if form.has_error("recovery_gesture", code="changed_meanwhile"):
                complaint = selectors.complaint_get(
                    business=request.business, complaint_id=complaint.pk
                )
                form.offer_stored(complaint.recovery_gesture)
    # On the profile the resolved complaint's form closes and the aftercare it plans appears
    # further down: said where the form was, as a new complaint is.
    return _answer(
        request,
        complaint,
        form=form if form.errors else None,
        saved="" if form.errors else _("Complaint resolved."),
    )


@member_required
def complaint_edit(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """Correct a complaint's details typed wrongly (what it is about, how serious, the channel,
    the gesture offered, how it was resolved): any member, as through the API's PATCH, by the
    same rules (complaints.services.complaint_change): when it came in and whether it is public
    stay once its deadlines have judged it. The trail keeps what it was."""
    complaint = selectors.complaint_get(business=request.business, complaint_id=complaint_id)

    def form_for(data, stored) -> ComplaintEditForm:
        initial = {
            name: record_version(stored) if name == "version" else stored.serializable_value(name)
            for name in ComplaintEditForm.base_fields
            if name != "confirm_long_ago"  # the form's question, not the complaint's
        }
        promises = complaint_promises(
            business=request.business, customer=stored.customer, complaint=stored
        )
        return ComplaintEditForm(data, initial=initial, complaint=stored, promises=promises)

    return correction_page(
        request,
        customer=complaint.customer,
        form_for=form_for,
        record=complaint,
        read_again=lambda: selectors.complaint_get(
            business=request.business, complaint_id=complaint.pk
        ),
        save=lambda form: services.complaint_change(
            complaint=complaint,
            actor=request.user,
            fields=form.changes(),
            expected_versions=[form.cleaned_data["version"]],
        ),
        changed_meanwhile=_(
            "Someone saved this complaint while you were changing it. Check what you typed and "
            "save again to keep it."
        ),
        saved=_("Complaint changed."),
        template="web/complaint_edit.html",
        context={"complaint": complaint},
    )


@owner_required
@require_POST
def complaint_delete(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """Remove a complaint recorded by mistake: owners only, as through the API; the audit trail
    keeps what it was."""
    complaint = selectors.complaint_get(business=request.business, complaint_id=complaint_id)
    services.complaint_delete(complaint=complaint, actor=request.user)
    messages.success(request, _("Complaint removed."))
    return redirect("web:customer_detail", customer_id=complaint.customer_id)


@member_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    """Every complaint of the business, the unresolved ones first as Today lists them, by
    state, publicity and the period in which they were received (the promise list's periods,
    or all time): Today's "Show all" opens it to those not resolved."""
    business = request.business
    state = filter_choice(request, "state", selectors.STATES)
    public = filter_choice(request, "public", dict(PUBLIC_CHOICES))
    period = filter_choice(request, "period", PERIODS)
    # A bar of the charts' first-response times.
    response = filter_choice(request, "response", selectors.RESPONSE_TIMES)
    now = timezone.now()
    since, until = period_bounds(period=period, now=now) if period else (None, None)
    listed = selectors.complaint_register(
        business=business,
        state=state,
        public=None if not public else public == "yes",
        since=since,
        until=until,
        response=response,
    )
    paginator = CountedPaginator(
        listed.complaints, COMPLAINTS_PER_PAGE, count=listed.tally.count(state)
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "web/complaint_list.html",
        {
            "page": page,
            "views": selectors.complaint_views(
                business=business, complaints=page.object_list, now=now
            ),
            "tally": listed.tally,
            "since": since,
            "until": until,
            "state": state,
            "public": public,
            "period": period,
            "response": response,
            "filtered": bool(state or public or period or response),
            "responses": selectors.response_time_choices(),
            "states": STATE_CHOICES,
            "publics": PUBLIC_CHOICES,
            "periods": PERIOD_CHOICES,
        },
    )
