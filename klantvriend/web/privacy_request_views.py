"""A customer's privacy request recorded the day it comes in, by whoever hears it, and handled
by hand (owners): the open ones are listed on /privacy/requests/ and on the owners' Today with
the days left of the month the law gives (customers.privacy_requests)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from klantvriend.core.errors import Conflict
from klantvriend.customers import selectors
from klantvriend.customers.models import PrivacyRequestChannel, PrivacyRequestKind
from klantvriend.customers.privacy_requests import (
    NOTE_LENGTH,
    privacy_request_deadline,
    privacy_request_get,
    privacy_request_handle,
    privacy_request_record,
    privacy_request_refusals,
)

from .forms import DateInput
from .templatetags.klantvriend import day
from .views import add_service_errors, member_required, owner_required


class PrivacyRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What does the customer ask?"),
        choices=PrivacyRequestKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what the customer asks.")},
    )
    received_on = forms.DateField(
        label=gettext_lazy("received on"),
        widget=DateInput(),
        # Said as the service says it (customers.privacy_requests).
        error_messages={"required": gettext_lazy("Give the day the request came in.")},
        help_text=gettext_lazy(
            "The law gives one month from this day to answer (GDPR article 12(3))."
        ),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("came in"), choices=PrivacyRequestChannel.choices
    )
    note = forms.CharField(
        label=gettext_lazy("note"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Only what you need to answer; it is erased with the customer."),
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        cleaned = super().clean()
        # The service's own rule (a day after today): shown with the form's refusals at once.
        refusals = privacy_request_refusals(
            kind=cleaned.get("kind", PrivacyRequestKind.OTHER),
            channel=cleaned.get("channel", PrivacyRequestChannel.COUNTER),
            received_on=cleaned.get("received_on", self.today),
            today=self.today,
            note=cleaned.get("note", ""),
        )
        for field, errors in refusals.items():
            if field not in self.errors:
                self.add_error(field, errors)
        return cleaned


class HandledForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("note"), required=False, max_length=NOTE_LENGTH)


@member_required
def privacy_request_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Staff record one too: a request made at the counter starts the law's month that day,
    owner there or not. They go back to the customer (the requests page is the owners')."""
    customer = selectors.customer_get(business=request.business, customer_id=customer_id)
    form = PrivacyRequestForm(
        request.POST if request.method == "POST" else None,
        initial={"received_on": request.business.today(), "channel": "counter"},
        today=request.business.today(),
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                recorded = privacy_request_record(
                    customer=customer, actor=request.user, **form.cleaned_data
                )
            except Conflict as refused:
                form.add_error(None, refused)
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                owner = request.membership.is_owner
                if recorded.handled_at is not None:  # an objection, answered as it is recorded
                    messages.success(
                        request,
                        _(
                            "Objection recorded: the marketing consent is withdrawn, so no news, "
                            "offers or survey emails go to this customer any more."
                        ),
                    )
                else:
                    deadline = privacy_request_deadline(
                        received_on=recorded.received_on, today=request.business.today()
                    )
                    said = {"day": day(deadline.due)}
                    messages.success(
                        request,
                        _("Request recorded: answer it by %(day)s.") % said
                        if owner
                        else _(
                            "Request recorded: an owner answers it by %(day)s, and sees it on "
                            "Today until then."
                        )
                        % said,
                    )
                if owner:
                    return redirect("web:privacy_requests")
                return redirect("web:customer_detail", customer.pk)
    return render(
        request,
        "web/privacy_request_form.html",
        {"customer": customer, "form": form},
        status=status,
    )


@owner_required
@require_POST
def privacy_request_handle_view(request: HttpRequest, privacy_request_id: int) -> HttpResponse:
    privacy_request = privacy_request_get(
        business=request.business, privacy_request_id=privacy_request_id
    )
    form = HandledForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["note"][0])
        return redirect("web:privacy_requests")
    try:
        privacy_request_handle(
            privacy_request=privacy_request, actor=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(request, _("The request is handled; the audit trail records it."))
    return redirect("web:privacy_requests")
