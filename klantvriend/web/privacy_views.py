"""Privacy pages (owners): one person's data, erasure with confirmation, the audit trail, the
privacy settings with the retention rule, the processing register; and members and tokens."""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from klantvriend.aftercare.selectors import open_follow_ups_assigned_count
from klantvriend.core.audit import (
    AuditAction,
    AuditKind,
    audit_record,
    audit_trail,
    request_handled,
)
from klantvriend.core.members import (
    member_add,
    member_remove,
    membership_get_in_business,
    membership_list,
    staff_name,
    token_create,
    token_list,
    token_revoke,
)
from klantvriend.core.models import AuditEvent, Role
from klantvriend.core.numbers import count_shown
from klantvriend.core.rows import Rows, first_rows
from klantvriend.customers import selectors
from klantvriend.customers.models import PrivacyRequestAnswer, PrivacyRequestKind
from klantvriend.customers.privacy_requests import (
    privacy_request_open_of_kind,
    privacy_requests_due,
)
from klantvriend.importers.history import IMPORT_HISTORY_DAYS
from klantvriend.importers.privacy import (
    AlreadyErased,
    apply_retention,
    customer_access_given,
    customer_access_last_given,
    customer_erase,
    customer_personal_data,
    personal_data,
    retention_activity_kinds,
)
from klantvriend.importers.privacy_settings import (
    privacy_contact_take,
    privacy_settings,
    privacy_settings_update,
)

from .account_views import member_invitation_send
from .forms import DateInput
from .personal_data import customer_facts, personal_tables
from .views import add_service_errors, member_required, owner_required

AUDIT_PAGE_SIZE = 50
# A printed trail holds at most this many events (some forty pages); a longer one says how many
# more there are, so the owner narrows the period rather than print a book.
AUDIT_PRINTED = 2000
# The personal-data page shows this many of the newest audit events (a regular's profile, opened
# at every visit, gathers thousands) and links to the audit log of the customer for the rest.
TRAIL_SHOWN = 50
# An erasure takes 10 to 25 ms at 100,000 customers (it also scrubs the rows naming the person);
# a first rule on a shop with ten years of customers finds thousands. This many per click keeps
# the request within a few seconds, far below a server's timeout; the rest on the next click.
RETENTION_PER_CLICK = 300
# The preview names this many of the rule's candidates and counts the rest.
RETENTION_LISTED = 50
# Customers with consent but no legal basis listed by name on the privacy page; the next ones
# appear as these are fixed.
CONSENT_WITHOUT_BASIS_SHOWN = 50


class RequestDateForm(forms.Form):
    requested_on = forms.DateField(
        label=gettext_lazy("request received on"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy(
            "The day the customer asked, by phone, email or at the counter; empty means today. The audit trail keeps it, with how many days the answer took: the law allows one month (GDPR article 12(3))."
        ),
    )


@owner_required
def customer_personal_data_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    """An access request (AVG art. 15): readable here, or as JSON to hand over (art. 20). The
    page shows the newest events of the audit trail and links to the rest; the JSON holds all.
    The page also gives what art. 15(1) asks beside the data itself: purposes, recipients,
    retention, the person's rights and the right to complain to the Autoriteit Persoonsgegevens
    (art. 77), and who to contact."""
    customer = selectors.customer_get(business=request.business, customer_id=customer_id)
    # The day asked is the open request's, where one was recorded: giving the copy handles it.
    open_request = privacy_request_open_of_kind(customer=customer, kind=PrivacyRequestKind.ACCESS)
    handed_over = RequestDateForm(
        request.POST if request.method == "POST" else None,
        initial={
            "requested_on": open_request.received_on if open_request else request.business.today()
        },
        auto_id="id_access_%s",
    )
    if request.method == "POST" and handed_over.is_valid():
        try:
            customer_access_given(
                customer=customer,
                actor=request.user,
                requested_on=handed_over.cleaned_data["requested_on"] or request.business.today(),
            )
        except ValidationError as error:
            add_service_errors(handed_over, error)
        else:
            messages.success(request, _("Recorded in the audit trail: copy given to the customer."))
            return redirect("web:customer_personal_data", customer_id=customer.pk)
    as_json = request.GET.get("format") == "json"
    # Read before this look is recorded, as the API does.
    data = personal_data(customer=customer, newest_events=None if as_json else TRAIL_SHOWN)
    audit_record(
        business=request.business,
        actor=request.user,
        action=AuditAction.EXPORTED,
        obj=customer,
        customer=customer,
        changes={"format": request.GET.get("format", "html")},
    )
    if as_json:
        document = customer_personal_data(customer=customer, data=data)
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
        return response
    return render(
        request,
        "web/personal_data.html",
        {
            "customer": customer,
            "as_of": timezone.now(),
            "facts": customer_facts(data),
            "tables": personal_tables(data),
            "referrals": data.referrals,
            **_processing_facts(request.business),
            "handed_over": handed_over,
            "open_request": open_request,
            "last_given": customer_access_last_given(customer=customer),
        },
        status=422 if handed_over.errors else 200,
    )


@owner_required
def customer_erase_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(business=request.business, customer_id=customer_id)
    open_request = privacy_request_open_of_kind(customer=customer, kind=PrivacyRequestKind.ERASURE)
    form = RequestDateForm(
        request.POST if request.method == "POST" else None,
        initial={
            "requested_on": open_request.received_on if open_request else request.business.today()
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            customer_erase(
                customer=customer,
                actor=request.user,
                requested_on=form.cleaned_data["requested_on"] or request.business.today(),
            )
        except AlreadyErased as refused:
            messages.error(request, refused.messages[0])
            return render(
                request,
                "web/customer_erase.html",
                {"customer": customer, "form": form, "open_request": open_request},
                status=409,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The customer's personal data has been anonymised."))
            return redirect("web:customer_detail", customer_id=customer.pk)
    return render(
        request,
        "web/customer_erase.html",
        {"customer": customer, "form": form, "open_request": open_request},
        status=422 if form.errors else 200,
    )


class AuditFilterForm(forms.Form):
    """The audit log's filters, read from the address (GET), so a filtered trail can be
    bookmarked, paged and printed as it is."""

    kind = forms.ChoiceField(
        label=gettext_lazy("kind of event"),
        required=False,
        # Capitalised as the other lists' filters show their choices.
        choices=[
            ("", capfirst(gettext_lazy("every kind"))),
            *((value, capfirst(label)) for value, label in AuditKind.choices),
        ],
    )
    since = forms.DateField(label=gettext_lazy("from"), required=False, widget=DateInput())
    until = forms.DateField(label=gettext_lazy("until"), required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("“Until” cannot lie before “from”."))
        return cleaned


@dataclass
class AuditFilter:
    form: AuditFilterForm
    customer: Any
    events: QuerySet[AuditEvent]
    # The filters of the form as applied: none when the form was refused, which then narrows
    # nothing rather than half of what was asked.
    kind_label: str = ""
    since: date | None = None
    until: date | None = None


def _audit_filter(request: HttpRequest) -> AuditFilter:
    customer = None
    if request.GET.get("customer", "").isdigit():
        customer = selectors.customer_get(
            business=request.business, customer_id=int(request.GET["customer"])
        )
    form = AuditFilterForm(request.GET, auto_id="audit-%s")
    chosen = form.cleaned_data if form.is_valid() else {}
    kind = chosen.get("kind", "")
    return AuditFilter(
        form=form,
        customer=customer,
        events=audit_trail(
            business=request.business,
            customer=customer,
            kind=kind,
            since=chosen.get("since"),
            until=chosen.get("until"),
        ),
        kind_label=str(AuditKind(kind).label) if kind else "",
        since=chosen.get("since"),
        until=chosen.get("until"),
    )


@owner_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log of personal data, filtered by customer, kind of event and period."""
    shown = _audit_filter(request)
    page = Paginator(shown.events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/audit_log.html",
        {"page": page, "filter_customer": shown.customer, "shown": shown},
        status=422 if shown.form.errors else 200,
    )


@owner_required
def audit_log_print(request: HttpRequest) -> HttpResponse:
    """The filtered audit log on paper, for the Autoriteit Persoonsgegevens: the business, the
    filters and the moment printed above every event shown, at most AUDIT_PRINTED of them."""
    shown = _audit_filter(request)
    printed = Rows([], 0) if shown.form.errors else first_rows(shown.events, AUDIT_PRINTED)
    return render(
        request,
        "web/audit_log_print.html",
        {
            "events": printed.items,
            "total_count": printed.total,
            "filter_customer": shown.customer,
            "shown": shown,
            "printed_at": timezone.now(),
        },
        status=422 if shown.form.errors else 200,
    )


# The open requests the requests page lists at most; a shop has a handful, and a longer list
# says how many more there are.
OPEN_REQUESTS_SHOWN = 100


def _handled_kind(event: AuditEvent) -> str:
    """What a handled request asked, as its event in the trail says it."""
    if event.action == AuditAction.ERASED:
        return str(PrivacyRequestKind.ERASURE.label)
    if event.action == AuditAction.EXPORTED:
        return str(PrivacyRequestKind.ACCESS.label)
    kind = event.changes.get("kind")
    told = str(PrivacyRequestKind(kind).label) if kind in PrivacyRequestKind.values else ""
    how = event.changes.get("handled_how")
    if how in PrivacyRequestAnswer.values:
        told = (
            f"{told} · {PrivacyRequestAnswer(how).label}"
            if told
            else str(PrivacyRequestAnswer(how).label)
        )
    return told


@owner_required
def privacy_requests(request: HttpRequest) -> HttpResponse:
    """The requests still open, the soonest due first, with the days left of the month of AVG
    art. 12(3) (customers.privacy_requests); below them the requests handled (access copies
    given, erasures on request, requests handled otherwise), read from the trail's events that
    carry the day received: when each came in, when it was answered, the days it took and
    whether that was past the month. Newest first."""
    open_requests = privacy_requests_due(business=request.business, limit=OPEN_REQUESTS_SHOWN)
    events = audit_trail(business=request.business, kind=AuditKind.REQUESTS)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (
            event,
            request_handled(requested_on=event.changes.get("requested_on"), at=event.at),
            _handled_kind(event),
        )
        for event in page.object_list
    ]
    return render(
        request,
        "web/privacy_requests.html",
        {"page": page, "rows": rows, "open_requests": open_requests},
    )


class PrivacySettingsForm(forms.Form):
    retention_years = forms.IntegerField(
        label=gettext_lazy("anonymise customers inactive for (years)"),
        required=False,
        min_value=1,
        max_value=50,
        help_text=gettext_lazy(
            "Empty: keep customers until you erase them. Purchases stay anonymised for the seven-year fiscal duty."
        ),
    )
    contact_name = forms.CharField(
        label=gettext_lazy("privacy contact"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy(
            "Who customers can turn to with questions about their data, for example you. The processing register names them."
        ),
    )
    contact_email = forms.EmailField(label=gettext_lazy("privacy contact email"), required=False)
    processors = forms.CharField(
        label=gettext_lazy("processors (hosting, email, bookkeeping)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    security_measures = forms.CharField(
        label=gettext_lazy("security measures"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@owner_required
def privacy_settings_view(request: HttpRequest) -> HttpResponse:
    business = request.business
    current = privacy_settings(business)
    form = PrivacySettingsForm(
        request.POST if request.POST.get("action") == "save" else None,
        initial=current.__dict__,
    )
    if request.method == "POST" and request.POST.get("action") == "save" and form.is_valid():
        try:
            privacy_settings_update(business=business, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("web:privacy_settings")
    if request.method == "POST" and request.POST.get("action") == "take_contact":
        taken = privacy_contact_take(business=business, actor=request.user)
        messages.success(
            request,
            _("You are now the privacy contact: %(name)s.") % {"name": taken.contact_name}
            if taken.contact_email
            else _(
                "You are now the privacy contact: %(name)s. Add an email address for privacy questions too."
            )
            % {"name": taken.contact_name},
        )
        return redirect("web:privacy_settings")
    if request.method == "POST" and request.POST.get("action") == "apply_retention":
        outcome = apply_retention(
            business=business, dry_run=False, actor=request.user, limit=RETENTION_PER_CLICK
        )
        done = ngettext(
            "%(count)s customer anonymised under the retention rule.",
            "%(count)s customers anonymised under the retention rule.",
            len(outcome.customers),
        ) % {"count": count_shown(len(outcome.customers))}
        if outcome.remaining:
            done += " " + ngettext(
                "%(count)s more remains: choose “Anonymise them now” again.",
                "%(count)s more remain: choose “Anonymise them now” again.",
                outcome.remaining,
            ) % {"count": count_shown(outcome.remaining)}
        messages.success(request, done)
        return redirect("web:privacy_settings")
    preview = apply_retention(business=business, dry_run=True, limit=RETENTION_LISTED)
    without_basis = selectors.customers_with_consent_without_basis(business=business)
    without_basis_count = without_basis.count()
    without_basis_first = (
        list(without_basis.only("id", "name")[:CONSENT_WITHOUT_BASIS_SHOWN])
        if without_basis_count
        else []
    )
    return render(
        request,
        "web/privacy_settings.html",
        {
            "form": form,
            "preview": preview,
            "consent_without_basis": {
                "count": without_basis_count,
                "customers": without_basis_first,
                "more": without_basis_count - len(without_basis_first),
            },
            "settings": current,
            "activity_kinds": retention_activity_kinds(),
            "import_history_days": IMPORT_HISTORY_DAYS,
        },
        status=422 if form.errors else 200,
    )


def _processing_facts(business) -> dict:
    """What web/partials/processing_facts.html reads: the register and every access copy say
    the same purposes, recipients and retention."""
    return {
        "settings": privacy_settings(business),
        "activity_kinds": retention_activity_kinds(),
        "import_history_days": IMPORT_HISTORY_DAYS,
    }


@owner_required
def processing_register(request: HttpRequest) -> HttpResponse:
    """AVG art. 30, generated from what Klantvriend stores and the business's settings."""
    return render(
        request,
        "web/processing_register.html",
        {
            "owners": [
                m for m in membership_list(business=request.business) if m.role == Role.OWNER
            ],
            **_processing_facts(request.business),
        },
    )


class MemberForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("user name"),
        max_length=150,
        error_messages={"required": gettext_lazy("Give the user name they log in with.")},
    )
    first_name = forms.CharField(label=gettext_lazy("name"), max_length=150, required=False)
    # For a new person, either: the address gets them a link to choose their own password, and
    # lets them ask for a new one when they forget it.
    email = forms.EmailField(
        label=gettext_lazy("email address (for a new person)"),
        required=False,
        help_text=gettext_lazy("They receive a link to choose their own password."),
    )
    password = forms.CharField(
        label=gettext_lazy("or a password (for a new person)"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    role = forms.ChoiceField(label=gettext_lazy("role"), choices=Role.choices, initial=Role.STAFF)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("what the token is for"), max_length=100, required=False
    )


@member_required
def members(request: HttpRequest) -> HttpResponse:
    """Owners manage the members; every member manages their own API tokens."""
    is_owner = request.membership.is_owner
    member_form = MemberForm(request.POST if request.POST.get("action") == "add_member" else None)
    token_form = TokenForm(request.POST if request.POST.get("action") == "create_token" else None)
    new_secret = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add_member":
            if not is_owner:
                return HttpResponse(status=403)
            if member_form.is_valid():
                try:
                    added = member_add(
                        business=request.business, actor=request.user, **member_form.cleaned_data
                    )
                except ValidationError as error:
                    add_service_errors(member_form, error)
                else:
                    _member_added_said(request, added)
                    return redirect(f"{reverse('web:members')}#content")
            status = 422
        elif action == "create_token":
            if token_form.is_valid():
                _token, new_secret = token_create(
                    membership=request.membership, name=token_form.cleaned_data["name"]
                )
                token_form = TokenForm()
            else:
                status = 422
    return render(
        request,
        "web/members.html",
        {
            "members": membership_list(business=request.business) if is_owner else [],
            "member_form": member_form,
            "token_form": token_form,
            "tokens": token_list(membership=request.membership),
            "new_secret": new_secret,
        },
        status=status,
    )


def _member_added_said(request: HttpRequest, added) -> None:
    """Says who can now log in and with which rights, in the words of the form; a new person
    added with an address alone is e-mailed the link to choose a password, and the page says
    where it went, or that it did not go."""
    user = added.user
    if user.has_usable_password() or not user.email:
        messages.success(
            request,
            _("%(name)s can now log in as %(role)s.")
            % {"name": staff_name(user), "role": added.get_role_display()},
        )
    elif member_invitation_send(membership=added, inviter=request.user):
        # Not "can now log in": only once the password is chosen.
        messages.success(
            request,
            _(
                "%(name)s was added as %(role)s. A link to choose a password went to "
                "%(email)s; then %(name)s can log in."
            )
            % {"name": staff_name(user), "role": added.get_role_display(), "email": user.email},
        )
    else:
        messages.warning(
            request,
            _(
                "%(name)s was added as %(role)s, but the email to %(email)s could not be sent: "
                "give them a password with “New password…”."
            )
            % {"name": staff_name(user), "role": added.get_role_display(), "email": user.email},
        )


@owner_required
def member_remove_view(request: HttpRequest, membership_id: int) -> HttpResponse:
    """GET asks first (who loses access, and that their API tokens stop); POST removes."""
    membership = membership_get_in_business(business=request.business, membership_id=membership_id)
    if request.method != "POST":
        regulars = selectors.regular_customer_count(business=request.business, user=membership.user)
        follow_ups = open_follow_ups_assigned_count(business=request.business, user=membership.user)
        return render(
            request,
            "web/member_confirm_remove.html",
            {
                "membership": membership,
                "regular_customers": regulars,
                "open_follow_ups": follow_ups,
            },
        )
    try:
        member_remove(membership=membership, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Member removed; their API tokens no longer work."))
    return redirect("web:members")


@member_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token_revoke(membership=request.membership, token_id=token_id)
    messages.success(request, _("The token no longer works."))
    return redirect("web:members")
