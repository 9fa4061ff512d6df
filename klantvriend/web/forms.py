"""Forms validate what people type and hand clean values to one service call. Labels and
messages come from the models, in the user's language."""

import math

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from klantvriend.core.money import AmountError, parse_amount
from klantvriend.core.selectors import login_wait
from klantvriend.core.services import login_failure_record, login_failures_clear
from klantvriend.customers.models import (
    AcquisitionChannel,
    ContactKind,
    ContactMoment,
    Customer,
    LegalBasis,
)
from klantvriend.customers.services import (
    MARKETING_CONSENT_DEFAULT_BASIS,
    default_marketing_consent_basis,
)

from .addresses import client_address

NAME_REQUIRED = {"required": _("A customer needs a name.")}


class AmountField(forms.CharField):
    """An amount as typed (12,50 or € 12.50), cleaned to integer cents."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value)
        except AmountError as error:
            raise forms.ValidationError(str(error), code=error.code) from None


class MomentField(forms.DateTimeField):
    """A date and time picked in the browser's datetime-local control."""

    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {
        "invalid": _("Enter a date and time, such as 2026-03-01 14:30."),
    }


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ReferrerPicker(forms.Widget):
    """Search-as-you-type for the referrer (web/partials/referrer_picker.html): the chosen
    customer travels as a hidden id, so the form validates it like any foreign key."""

    template_name = "web/partials/referrer_picker.html"

    def __init__(self, *, business, exclude=None, attrs=None):
        super().__init__(attrs)
        self.business = business
        self.exclude = exclude

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = None
        if value not in (None, ""):
            try:
                chosen = Customer.objects.filter(business=self.business, pk=int(value)).first()
            except (TypeError, ValueError):
                chosen = None
        context.update(
            {
                "chosen": chosen,
                "name": name,
                "field_id": (attrs or {}).get("id", f"id_{name}"),
                "exclude": self.exclude,
                "placeholder": _("Type a name, phone or e-mail"),
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # Written in Django's template language ({% url %}, {% translate %}), unlike the widgets
        # drawn by FORM_RENDERER.
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))


class CustomerForm(forms.ModelForm):
    tags = forms.CharField(
        label=_("tags"),
        required=False,
        help_text=_("Separated by commas, for example: regular, catering, neighbour."),
    )

    class Meta:
        model = Customer
        fields = [
            "name",
            "company",
            "phone",
            "email",
            "street",
            "postal_code",
            "city",
            "preferences",
            "notes",
            "birthday",
            "acquisition_channel",
            "referred_by",
            "marketing_consent",
            "marketing_consent_basis",
            "special_category_consent",
            "special_notes",
            "external_ref",
        ]
        widgets = {
            "birthday": DateInput(),
            "preferences": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "special_notes": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, business, **kwargs):
        super().__init__(*args, **kwargs)
        self.business = business
        referrers = Customer.objects.filter(business=business).only("id", "name")
        if self.instance.pk:
            referrers = referrers.exclude(pk=self.instance.pk)
        self.fields["referred_by"].queryset = referrers
        # A select of every customer would be unusable (and slow) in a shop with thousands of
        # them: the referrer is found by typing (htmx search) and sent as a hidden id.
        self.fields["referred_by"].widget = ReferrerPicker(
            business=business, exclude=self.instance.pk
        )
        self.fields["referred_by"].help_text = _(
            "Type a few letters of the name, phone or e-mail of the customer who sent them."
        )
        self.fields["referred_by"].error_messages["invalid_choice"] = _(
            "This customer does not exist."
        )
        self.fields["name"].widget.attrs.update({"autofocus": True, "autocomplete": "off"})
        self.fields["name"].error_messages.update(NAME_REQUIRED)
        if self.instance.pk:
            self.initial["tags"] = ", ".join(tag.name for tag in self.instance.tags.all())
        self._init_marketing_consent_basis()

    def _init_marketing_consent_basis(self) -> None:
        self.had_marketing_consent = bool(self.instance.pk and self.instance.marketing_consent)
        # Consent on record without a basis: stored before the model refused that (the
        # privacy page lists these customers). The business must choose the basis it can show.
        self.basis_missing = (
            self.had_marketing_consent and not self.instance.marketing_consent_basis
        )
        consent = self["marketing_consent"]
        basis = self.fields["marketing_consent_basis"]
        # "None recorded" is offered only where it is the truth; elsewhere choosing it would
        # either be refused (consent on record keeps a basis) or mean the default basis.
        basis.choices = [
            (value, label) for value, label in LegalBasis.choices if value or self.basis_missing
        ]
        if not self.had_marketing_consent:
            # What a fresh tick records when no basis is stated, shown before it is ticked.
            self.initial["marketing_consent_basis"] = MARKETING_CONSENT_DEFAULT_BASIS
        basis.help_text = _(
            "Only counts when “%(consent)s” is ticked. Soft opt-in: an existing customer, about "
            "similar products, with a way to opt out in every message."
        ) % {"consent": capfirst(consent.label)}
        # app.js hides the basis while consent is not ticked; without it the help text says so.
        basis.widget.attrs["data-shown-with"] = consent.id_for_label
        self.basis_notice = ""
        if self.basis_missing:
            missing = _(
                "No legal basis is on record for this consent. Choose the basis you can show, "
                "or untick “%(consent)s”."
            ) % {"consent": capfirst(consent.label)}
            # Saving it so is refused by the model (basis_required): said in these words here.
            basis.error_messages = {**basis.error_messages, "basis_required": missing}
            if not self.is_bound:
                self.basis_notice = missing
                # Read out with the field, as its error would be (web/partials/field.html).
                field_id = self["marketing_consent_basis"].auto_id
                basis.widget.attrs.update(
                    {
                        "aria-invalid": "true",
                        "aria-describedby": f"{field_id}_helptext {field_id}_notice",
                    }
                )

    def tag_names(self) -> list[str]:
        return [
            name.strip() for name in self.cleaned_data.get("tags", "").split(",") if name.strip()
        ]

    def clean(self):
        cleaned = super().clean()
        # The acquisition report counts channels, the ambassadors page referrers: a referred
        # customer left at the default "walk-in" would tell the two pages different stories.
        if (
            cleaned.get("referred_by")
            and cleaned.get("acquisition_channel") != AcquisitionChannel.REFERRAL
        ):
            self.add_error(
                "acquisition_channel",
                _(
                    "Someone referred this customer: choose “%(referral)s”, or leave “%(field)s” empty."
                )
                % {
                    "referral": AcquisitionChannel.REFERRAL.label,
                    "field": capfirst(self.fields["referred_by"].label),
                },
            )
        if not cleaned.get("marketing_consent"):
            # The basis counts only with consent (without JavaScript the choice is shown all the
            # same): a customer who may not receive news and offers has none on record.
            cleaned["marketing_consent_basis"] = LegalBasis.NONE
        elif "marketing_consent_basis" in cleaned:
            # Consent ticked just now without a basis (a page opened before the form had the
            # field) gets the service's default, so that the model's check sees what is stored.
            self.instance.marketing_consent = True
            self.instance.marketing_consent_basis = cleaned["marketing_consent_basis"]
            default_marketing_consent_basis(self.instance, had_marketing=self.had_marketing_consent)
            cleaned["marketing_consent_basis"] = self.instance.marketing_consent_basis
        return cleaned

    def _post_clean(self):
        # The service validates the model (with the business set) when it saves; validating the
        # unsaved instance here, before the business is known, would reject every new customer.
        self.instance.business = self.business
        super()._post_clean()

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "name"}


class OwnIds:
    """For forms that share a page with others (the profile holds eight): element ids start with
    the form's own prefix, so that each label points at its own field."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class QuickAddForm(OwnIds, forms.Form):
    id_prefix = "quick-add"

    name = forms.CharField(label=_("name"), max_length=200, error_messages=NAME_REQUIRED)
    phone = forms.CharField(label=_("phone"), max_length=25, required=False)
    # Shown only when customers of the same name exist (see customer_quick_add).
    confirm_new = forms.BooleanField(
        label=_("It is someone else: add a new customer"), required=False
    )


class PurchaseForm(OwnIds, forms.Form):
    id_prefix = "purchase"

    amount = AmountField(label=_("amount"))
    description = forms.CharField(label=_("what"), max_length=300, required=False)
    at = MomentField(label=_("when"), required=False, help_text=_("Empty means now."))


class ContactMomentForm(OwnIds, forms.Form):
    id_prefix = "contact"

    kind = forms.ChoiceField(
        label=_("kind"), choices=ContactKind.choices, initial=ContactKind.VISIT
    )
    summary = forms.CharField(
        label=_("summary"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=ContactMoment._meta.get_field("summary").max_length,
    )
    at = MomentField(label=_("when"), required=False, help_text=_("Empty means now."))

    def clean_summary(self):
        summary = self.cleaned_data["summary"].strip()
        if not summary:
            raise forms.ValidationError(_("Write a short summary."), code="required")
        return summary


class ImportantDateForm(OwnIds, forms.Form):
    id_prefix = "important-date"

    label = forms.CharField(
        label=_("what"),
        max_length=100,
        help_text=_("For example: wedding anniversary, shop opening."),
    )
    date = forms.DateField(label=_("date"), widget=DateInput())
    yearly = forms.BooleanField(label=_("every year"), required=False, initial=True)


class ThrottledLoginForm(AuthenticationForm):
    """Django's log-in form, refusing further attempts for a while after repeated failures."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip_address = client_address(self.request) if self.request else None
        wait = login_wait(username=username, ip_address=ip_address)
        if wait:
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            raise forms.ValidationError(
                ngettext(
                    "Too many failed attempts. Wait %(minutes)d minute and try again.",
                    "Too many failed attempts. Wait %(minutes)d minutes and try again.",
                    minutes,
                ),
                code="throttled",
                params={"minutes": minutes},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, ip_address=ip_address)
            raise
        login_failures_clear(username=username)
        return cleaned
