"""Your account (name, e-mail address, password, language), the language switch, an owner's new
password for a member, and "forgot your password?" by e-mail. The checks are Django's (old
password, password rules, one-time reset links); the limits, the languages and the owner's
rights are core.accounts."""

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from klantvriend.core.accounts import (
    account_language_set,
    account_low_score_email_set,
    account_morning_email_set,
    account_update,
    member_password_set,
    password_reset_allowed,
)
from klantvriend.core.language import (
    language_choices,
    language_in_own_words,
    own_language,
    reader_language,
)
from klantvriend.core.links import public_url
from klantvriend.core.mail import header_text
from klantvriend.core.members import membership_get_in_business, staff_name
from klantvriend.core.passwords import password_help_text
from klantvriend.core.selectors import membership_list_for_user
from klantvriend.core.services import login_failures_clear

from .addresses import client_address
from .views import add_service_errors, member_required, owner_required

logger = logging.getLogger(__name__)


class AccountForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("first name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("last name"), max_length=150, required=False)
    # Checked by account_update, which says what is wrong in the shop's words.
    email = forms.CharField(
        label=gettext_lazy("email address"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=gettext_lazy(
            "For a link to a new password when you forget yours; an owner also gets the "
            "morning email here."
        ),
    )


class LanguageForm(forms.Form):
    # A text field drawn as a list: account_language_set checks the value and says what is wrong.
    language = forms.CharField(
        label=gettext_lazy("language of your screens"),
        required=False,
        widget=forms.Select,
        help_text=gettext_lazy(
            "On every device you log in on, and in the emails Klantvriend sends you. The "
            "language of the business is the one its owner chose under “Business, targets and "
            "aftercare”."
        ),
    )

    def __init__(self, *args, business, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].widget.choices = [
            (
                "",
                _("Business language (%(language)s)")
                % {"language": language_in_own_words(business.language)},
            ),
            *language_choices(),
        ]


class MorningEmailForm(forms.Form):
    morning_email = forms.BooleanField(
        label=gettext_lazy("Email me the Today list each morning"),
        required=False,
        help_text=gettext_lazy(
            "Complaints, promises, follow-ups and occasions of the day, sent to the address "
            "above, in your language; not on a day with nothing to do."
        ),
    )
    low_score_email = forms.BooleanField(
        label=gettext_lazy("Email me when a customer gives a low score"),
        required=False,
        help_text=gettext_lazy(
            "At once, with their words: a score of 6 or lower in the survey, which Today "
            "also lists."
        ),
    )


class NewPasswordFields:
    """Django's password forms in the interface's own words: their Dutch addresses the reader
    as "u" and lists the password rules as a bulleted help text; staff are "je" here."""

    error_messages = {
        "password_mismatch": gettext_lazy("The two new passwords differ: type the same one twice."),
        "password_incorrect": gettext_lazy("Your current password is not right: type it again."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = password_help_text()
        self.fields["new_password2"].label = gettext_lazy("new password, once more")
        self.fields["new_password2"].help_text = ""
        if "old_password" in self.fields:
            self.fields["old_password"].label = gettext_lazy("current password")


class AccountPasswordForm(NewPasswordFields, PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's form puts the cursor here; it is the last of three forms on the account page,
        # and a phone would scroll past the notice at the top and open its keyboard.
        self.fields["old_password"].widget.attrs.pop("autofocus", None)


@member_required
def account(request: HttpRequest) -> HttpResponse:
    """Every member's own name, e-mail address, password and language, on one page; an owner's
    morning email too (staff get none)."""
    user = request.user
    action = request.POST.get("action")
    details = AccountForm(
        request.POST if action == "details" else None,
        initial={"first_name": user.first_name, "last_name": user.last_name, "email": user.email},
    )
    password = AccountPasswordForm(user, request.POST if action == "password" else None)
    language = LanguageForm(
        request.POST if action == "language" else None,
        initial={"language": request.own_language},
        business=request.business,
    )
    membership = request.membership
    morning = (
        MorningEmailForm(
            request.POST if action == "morning_email" else None,
            initial={
                "morning_email": membership.morning_email,
                "low_score_email": membership.low_score_email,
            },
        )
        if membership.is_owner
        else None
    )
    if morning is not None and action == "morning_email" and morning.is_valid():
        on = morning.cleaned_data["morning_email"]
        account_morning_email_set(membership=membership, on=on)
        # An unticked box is not sent: the form says it showed this one, so that a page opened
        # before it was offered does not turn it off.
        if "low_score_email_shown" in request.POST:
            account_low_score_email_set(
                membership=membership, on=morning.cleaned_data["low_score_email"]
            )
        messages.success(
            request,
            _("You get the Today list by email each morning.")
            if on
            else _("You get no morning email any more."),
        )
        return redirect("web:account")
    if action == "details" and details.is_valid():
        try:
            account_update(user=user, **details.cleaned_data)
        except ValidationError as error:
            add_service_errors(details, error)
        else:
            messages.success(request, _("Your details are saved."))
            return redirect("web:account")
    if action == "language" and language.is_valid():
        chosen = language.cleaned_data["language"]
        try:
            account_language_set(user=user, language=chosen)
        except ValidationError as error:
            add_service_errors(language, error)
        else:
            # Said in the language chosen, which the next page speaks.
            translation.activate(reader_language(own=chosen, business=request.business))
            messages.success(request, _("Klantvriend speaks this language to you from now on."))
            return redirect("web:account")
    if action == "password" and password.is_valid():
        password.save()
        # Keeps this session; every other one (another device) must log in with the new one.
        update_session_auth_hash(request, password.user)
        messages.success(request, _("Your password is changed. Other devices must log in again."))
        return redirect("web:account")
    invalid = details.errors or password.errors or language.errors
    return render(
        request,
        "web/account.html",
        {"details": details, "password": password, "language": language, "morning": morning},
        status=422 if invalid else 200,
    )


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """The language switch. For a signed-in person it is their own choice, stored with them
    (account_language_set), so it follows them to every device and does not stay behind on a
    shared one for the next person. For a visitor not signed in (the log-in page) it is
    Django's cookie on this device."""
    if not request.user.is_authenticated:
        return set_language(request)
    if "language" in request.POST:
        try:
            account_language_set(user=request.user, language=request.POST["language"])
        except ValidationError as error:
            for refusals in error.message_dict.values():
                for refusal in refusals:
                    messages.error(request, refusal)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("web:today")
    return redirect(back)


class MemberPasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("new password"),
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = password_help_text()


@owner_required
def member_password(request: HttpRequest, membership_id: int) -> HttpResponse:
    """An owner gives a member who forgot their password a new one (core.accounts says whose)."""
    membership = membership_get_in_business(business=request.business, membership_id=membership_id)
    form = MemberPasswordForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            member_password_set(
                membership=membership, actor=request.user, password=form.cleaned_data["password"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login_failures_clear(username=membership.user.get_username())
            messages.success(
                request,
                _("%(name)s can log in with the new password; tell it to them in person.")
                % {"name": staff_name(membership.user)},
            )
            return redirect("web:members")
    return render(
        request,
        "web/member_password.html",
        {"form": form, "member": membership},
        status=422 if form.errors else 200,
    )


class ResetForm(PasswordResetForm):
    """Django's form, with the link built on PUBLIC_BASE_URL (as every link the system sends:
    behind a proxy the request's own host may be an internal one) and a limit on how often."""

    def __init__(self, *args, request: HttpRequest | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["email"].label = gettext_lazy("email address")

    def save(self, **kwargs) -> None:
        email = self.cleaned_data["email"]
        ip_address = client_address(self.request) if self.request else None
        if password_reset_allowed(email=email, ip_address=ip_address):
            super().save(**kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        path = reverse(
            "web:password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        context["reset_url"] = public_url(path)
        # Written for the member, who may not be the one at the keyboard: in the language they
        # read Klantvriend in, not in that of the page the link was asked for on.
        with translation.override(_reader_language(context["user"])):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


def _reader_language(user) -> str:
    """The language `user` reads Klantvriend in when signed in (as the middleware decides it,
    in the business they see first), else the one of this page."""
    first = membership_list_for_user(user=user).first()
    if first is None:
        return own_language(user=user) or translation.get_language()
    return reader_language(own=first.own_language, business=first.business)


def member_invitation_send(*, membership, inviter) -> bool:
    """E-mails a member added with an address and no password (core.members.member_add) a link
    to choose one: the link of a forgotten password (PasswordResetConfirmView, working once, for
    PASSWORD_RESET_TIMEOUT), in the language they will read Klantvriend in. False when the mail
    server refused or could not be reached: the owner then gives a password by hand."""
    user = membership.user
    path = reverse(
        "web:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "inviter": inviter,
        "business": membership.business,
        "link": public_url(path),
    }
    with translation.override(_reader_language(user)):
        subject = _("You can now log in to %(business)s in Klantvriend") % {
            "business": header_text(membership.business.name)
        }
        body = render_to_string("web/member_invitation_email.txt", context)
    try:
        EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
    except OSError as error:  # smtplib's errors, a refused connection, a time-out
        logger.warning("Invitation of member %s not sent: %s", membership.pk, type(error).__name__)
        return False
    return True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetForm
    template_name = "web/password_reset.html"
    subject_template_name = "web/password_reset_subject.txt"
    email_template_name = "web/password_reset_email.txt"
    success_url = reverse_lazy("web:password_reset_sent")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "web/password_reset_sent.html"


class ResetSetPasswordForm(NewPasswordFields, SetPasswordForm):
    def save(self, commit: bool = True):
        user = super().save(commit)
        # A member locked out by wrong guesses can log in at once with the password just chosen.
        login_failures_clear(username=user.get_username())
        return user


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetSetPasswordForm
    template_name = "web/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/password_reset_complete.html"
