"""Forms validate what people type and hand clean values to one service call. Labels and
messages come from the models, in the user's language."""

import copy
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from klantvriend.core.care_settings import care_settings
from klantvriend.core.errors import ChangedMeanwhile
from klantvriend.core.members import member_users, staff_name
from klantvriend.core.money import AmountError, parse_amount
from klantvriend.core.selectors import login_wait
from klantvriend.core.services import (
    login_failure_record,
    login_failures_clear,
    user_by_login_name,
)
from klantvriend.core.shown import moment_shown
from klantvriend.core.working_hours import last_working_moment
from klantvriend.customers.health_words import health_words
from klantvriend.customers.models import (
    DAYS_GONE_BY,
    AcquisitionChannel,
    ContactKind,
    ContactMoment,
    Customer,
    LegalBasis,
    unlikely_day_errors,
)
from klantvriend.customers.selectors import tag_name_order, tags_most_used
from klantvriend.customers.services import (
    MARKETING_CONSENT_DEFAULT_BASIS,
    UNCHANGED,
    marketing_consent_basis_stored,
    tag_set,
)
from klantvriend.referrals.selectors import referral_order_doubt

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


# The picker finds a customer through the one customer search, which also reads the address.
# Short enough to show whole in a phone's field (390 px): the hint below says the rest.
REFERRER_PLACEHOLDER = _("Name, phone, email or postcode")
REFERRER_HINT = _(
    "Type a few letters of the name, phone, email, postcode or place of the customer who sent them."
)


@dataclass(frozen=True)
class Unpicked:
    """What was typed in a customer picker without choosing a customer from its list, where it
    names no one customer: refused by CustomerPickField, and typed in again on the page."""

    typed: str
    several: bool

    def __str__(self) -> str:
        return self.typed


class ReferrerPicker(forms.Widget):
    """Search-as-you-type for the referrer (web/partials/referrer_picker.html): the chosen
    customer travels as a hidden id, so the form validates it like any foreign key.

    A name typed in full but not chosen from the list was lost without a word (the customer
    saved without their referrer): it is taken when exactly one customer has that name, and
    otherwise refused (Unpicked), the typed text kept."""

    template_name = "web/partials/referrer_picker.html"
    query_name = "referred_by_query"

    def __init__(self, *, business, exclude=None, attrs=None):
        super().__init__(attrs)
        self.business = business
        self.exclude = exclude

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        typed = " ".join((data.get(self.query_name) or "").split())
        if value not in (None, "") or not typed:
            return value
        named = (
            Customer.objects.filter(business=self.business, erased_at__isnull=True)
            .filter(name__iexact=typed)
            .exclude(pk=self.exclude)
            .values_list("pk", flat=True)[:2]
        )
        named = list(named)
        return str(named[0]) if len(named) == 1 else Unpicked(typed, several=len(named) > 1)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = None
        context["typed"] = value.typed if isinstance(value, Unpicked) else ""
        if isinstance(value, Unpicked):
            value = None
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
                "placeholder": REFERRER_PLACEHOLDER,
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # Written in Django's template language ({% url %}, {% translate %}), unlike the widgets
        # drawn by FORM_RENDERER.
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))


class CustomerPickField(forms.ModelChoiceField):
    """A customer chosen in a ReferrerPicker, refusing a name typed but not chosen (Unpicked)
    with what to do, where ModelChoiceField would say the customer does not exist."""

    def to_python(self, value):
        if isinstance(value, Unpicked):
            if value.several:
                message = _(
                    "Several customers are called “%(typed)s”: choose the right one from the "
                    "list that appears as you type."
                )
            else:
                message = _(
                    "Choose the customer from the list that appears as you type, or empty the "
                    "field: a name typed without choosing (“%(typed)s”) is not recorded."
                )
            raise forms.ValidationError(message % {"typed": value.typed}, code="unpicked")
        return super().to_python(value)


class TagsField(forms.CharField):
    """Tags typed separated by commas, cleaned to their names, each once and sorted: "buurt,
    vaste klant" and "vaste klant ,buurt" are the same tags, so retyping them is no change."""

    def to_python(self, value):
        return tag_set(super().to_python(value).split(","))

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value


def shown_marketing_consent_basis(*, consent: bool, basis: str) -> str:
    """The basis the form shows: without consent, what a fresh tick records when no basis is
    chosen, shown before it is ticked."""
    return basis if consent else MARKETING_CONSENT_DEFAULT_BASIS


# A field whose value seen on the page did not come along (CustomerForm.seen_value).
UNSEEN = object()


def _as_sent(field: forms.Field, value: Any, *, hidden: bool = False) -> str | None:
    """A stored value as a browser sends it in the field's input, or in its hidden initial-
    input; None for a box left unticked, which sends nothing."""
    if isinstance(field, forms.BooleanField):
        return str(bool(value)) if hidden else ("on" if value else None)
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# Asked of a referral that may be the wrong way round (referrals.selectors.referral_order_doubt).
RECORD_ANYWAY = _("Record it anyway")


def refuse_doubtful_referral(form, field: str, *, referrer, referred) -> None:
    """A referral that may be recorded the wrong way round is refused on `field` with why, until
    the form comes back with "Record it anyway" ticked (its `confirm_referral`, then shown)."""
    doubt = referral_order_doubt(referrer=referrer, referred=referred)
    if doubt and not form.cleaned_data.get("confirm_referral"):
        form.referral_doubt = True
        form.add_error(
            field,
            f"{doubt} "
            + _("If it is right as it is, tick “%(anyway)s”.") % {"anyway": RECORD_ANYWAY},
        )


# The fields where staff typed health information the special field had refused, and the
# answer that they are not about health (asked, like "Record it anyway", not stored).
HEALTH_CHECKED_FIELDS = ("preferences", "notes")
NOT_HEALTH = _("It is not about their health: save it")
# The form's questions to the person filling it in: not the customer's data, never stored or
# compared with what the page showed.
QUESTIONS = frozenset({"confirm_referral", "confirm_not_health"})


def refuse_health_words(form) -> None:
    """A preference or personal note that reads as health information (customers.health_words)
    is refused with where it belongs, until the form comes back with "not about their health"
    ticked; asked only of what this person changed, so that a note confirmed once is not asked
    about at every later edit."""
    if form.cleaned_data.get("confirm_not_health"):
        return
    for name in HEALTH_CHECKED_FIELDS:
        if name not in form.changed_data:
            continue
        words = health_words(form.cleaned_data.get(name) or "")
        if not words:
            continue
        form.health_doubt = True
        form.add_error(
            name,
            _(
                "“%(words)s” reads as health information, which may be kept only with the "
                "customer's explicit consent, under “%(field)s”. Move it there, or tick "
                "“%(not_health)s” if it is not about their health."
            )
            % {
                "words": "”, “".join(words),
                "field": capfirst(Customer._meta.get_field("special_notes").verbose_name),
                "not_health": NOT_HEALTH,
            },
        )


class PhoneInput(forms.TextInput):
    """A phone number: the phone's number pad to type it (the quick add at the counter showed
    the letters), and no browser suggestions of other customers' numbers."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "tel", "autocomplete": "off", **(attrs or {})})


def channel_beside_referrer(form, cleaned: dict) -> None:
    """A referrer named makes how the customer came "referral" where that was left not known,
    and is refused beside another channel chosen: the acquisition report counts channels, the
    ambassadors page referrers, and a referred customer left at "walk-in" told the two pages
    different stories."""
    if not cleaned.get("referred_by"):
        return
    channel = cleaned.get("acquisition_channel") or AcquisitionChannel.UNKNOWN
    if channel in (AcquisitionChannel.UNKNOWN, AcquisitionChannel.REFERRAL):
        cleaned["acquisition_channel"] = AcquisitionChannel.REFERRAL
        return
    form.add_error(
        "acquisition_channel",
        _("Someone referred this customer: choose “%(referral)s”, or leave “%(field)s” empty.")
        % {
            "referral": AcquisitionChannel.REFERRAL.label,
            "field": capfirst(form.fields["referred_by"].label),
        },
    )


class CustomerForm(forms.ModelForm):
    tags = TagsField(
        label=_("tags"),
        required=False,
        help_text=_("Separated by commas, for example: regular, business customer, neighbour."),
    )
    confirm_referral = forms.BooleanField(label=RECORD_ANYWAY, required=False)
    # Whether the referrer chosen may be the wrong way round: then "Record it anyway" shows.
    referral_doubt = False
    confirm_not_health = forms.BooleanField(label=NOT_HEALTH, required=False)
    # Whether a note typed reads as health information: then NOT_HEALTH shows.
    health_doubt = False

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
            "customer_since",
            "acquisition_channel",
            "referred_by",
            "regular_member",
            "marketing_consent",
            "marketing_consent_basis",
            "special_category_consent",
            "special_notes",
            "external_ref",
        ]
        field_classes = {"referred_by": CustomerPickField}
        widgets = {
            "birthday": DateInput(),
            "customer_since": DateInput(),
            "preferences": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "special_notes": forms.Textarea(attrs={"rows": 2}),
            "phone": PhoneInput(),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, business, **kwargs):
        super().__init__(*args, **kwargs)
        self.business = business
        if self.instance._state.adding:
            # Not known unless said, as the quick add asks: "walk-in" by default put "Kwam zelf
            # binnen" on the card of a garage's customer on the phone.
            self.initial["acquisition_channel"] = AcquisitionChannel.UNKNOWN
        referrers = Customer.objects.filter(business=business).only(
            "id", "name", "customer_since", "customer_since_known"
        )
        if self.instance.pk:
            referrers = referrers.exclude(pk=self.instance.pk)
        self.fields["referred_by"].queryset = referrers
        # A select of every customer would be unusable (and slow) in a shop with thousands of
        # them: the referrer is found by typing (htmx search) and sent as a hidden id.
        self.fields["referred_by"].widget = ReferrerPicker(
            business=business, exclude=self.instance.pk
        )
        self.fields["referred_by"].help_text = REFERRER_HINT
        self.fields["referred_by"].error_messages["invalid_choice"] = _(
            "This customer does not exist."
        )
        self.fields["name"].widget.attrs.update({"autofocus": True, "autocomplete": "off"})
        self.fields["name"].error_messages.update(NAME_REQUIRED)
        # The shop's own tags as the examples, in the words it uses: an English example
        # ("regular") beside the shop's "vaste klant" made two tags of one.
        used = tags_most_used(business=business)
        if used:
            self.fields["tags"].help_text = _(
                "Separated by commas. Used most in your shop: %(tags)s."
            ) % {"tags": ", ".join(used)}
        self._init_regular_member()
        self._init_customer_since()
        if self.instance.pk:
            self.initial["tags"] = sorted(
                (tag.name for tag in self.instance.tags.all()), key=tag_name_order
            )
            # The page carries what its user saw in each field (hidden initial-<name> inputs):
            # saving writes only what they changed, and what someone else saved meanwhile in a
            # field they left alone stays (edits(), services.customer_update).
            for name, field in self.fields.items():
                field.show_hidden_initial = name not in QUESTIONS  # asked, not stored
        # The one switch for every e-mail the shop sends unasked, surveys included
        # (surveys.services.may_email): say so, or a customer who wants neither news nor
        # survey e-mails gets the owner searching for a second switch.
        self.fields["marketing_consent"].help_text = _(
            "Also decides survey invitations by email. Untick it when the customer wants no more news, offers or survey emails; they stay a customer, and the consent history keeps when they withdrew it."
        )
        self._init_marketing_consent_basis()

    def _init_regular_member(self) -> None:
        """The customer's own stylist or mechanic, of the people who work here. Where one
        person works alone there is no one else to choose, and no field."""
        members = member_users(business=self.business)
        if len(members) < 2:
            del self.fields["regular_member"]
            return
        field = self.fields["regular_member"]
        field.queryset = members
        field.label_from_instance = staff_name
        field.empty_label = _("No one in particular")
        field.help_text = _(
            "Who usually serves them (their own butcher, hairdresser or mechanic): the briefing card "
            "names them."
        )
        field.error_messages["invalid_choice"] = _("This person does not work here.")

    def _init_customer_since(self) -> None:
        since = self.fields["customer_since"]
        since.help_text = _(
            "The day they first came, however long ago; today for someone new. The briefing "
            "card, the anniversaries on Today and where new customers come from count from it."
        )
        # Empty is filled in by clean_customer_since: the field holds a day on every customer.
        since.required = False
        if not self.instance.pk:
            # Since today where the business is (the services' default), not the server's date.
            self.initial["customer_since"] = self.business.today()
        # Kept as stored: cleaning writes the form's values into the instance.
        self.since_unknown = bool(self.instance.pk) and not self.instance.customer_since_known
        self.since_stored = self.instance.customer_since
        if self.since_unknown:
            # Brought in by a file without it: shown empty, to be filled in when known, and
            # left empty it stays unknown.
            self.initial["customer_since"] = None
            since.help_text = _(
                "Not known: the file that brought them in did not say. They were a customer on "
                "%(day)s at the latest. Fill in the day they first came when you know it."
            ) % {"day": date_format(self.instance.customer_since, "j F Y")}

    def clean_customer_since(self):
        since = self.cleaned_data["customer_since"]
        if since is not None:
            return since
        if not self.instance.pk:
            return self.business.today()
        if self.since_unknown:
            return None  # still not known: edits() leaves the day as stored
        if self["customer_since"].data is None:
            # Not sent at all: a page drawn before the form had the field keeps what is stored.
            return self.instance.customer_since
        raise forms.ValidationError(
            _(
                "Fill in since when they are a customer: the day they first came, as near as "
                "you know it."
            ),
            code="required",
        )

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
        self.initial["marketing_consent_basis"] = shown_marketing_consent_basis(
            consent=self.had_marketing_consent, basis=self.instance.marketing_consent_basis
        )
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
        return self.cleaned_data.get("tags", [])

    def clean(self):
        cleaned = super().clean()
        channel_beside_referrer(self, cleaned)
        referrer = cleaned.get("referred_by")
        if referrer and "referred_by" in self.changed_data and cleaned.get("customer_since"):
            referred = copy.copy(self.instance)
            referred.customer_since = cleaned["customer_since"]
            referred.name = cleaned.get("name") or self.instance.name
            refuse_doubtful_referral(self, "referred_by", referrer=referrer, referred=referred)
        refuse_health_words(self)
        if "marketing_consent_basis" in cleaned:
            # What the service will store (no basis without consent, the default for consent
            # ticked just now without one), so that the model's check and the comparison with
            # what the page showed (edits) see that.
            cleaned["marketing_consent_basis"] = marketing_consent_basis_stored(
                consent=bool(cleaned.get("marketing_consent")),
                basis=cleaned["marketing_consent_basis"],
                had_consent=self.had_marketing_consent,
            )
        return cleaned

    def _post_clean(self):
        # The service validates the model (with the business set) when it saves; validating the
        # unsaved instance here, before the business is known, would reject every new customer.
        self.instance.business = self.business
        stored = (
            {name: getattr(self.instance, name) for name in DAYS_GONE_BY}
            if self.instance.pk
            else None
        )
        super()._post_clean()
        # The services' rule for a day after today (services.customer_full_clean, which judges
        # it again when saving) judged here too, beside the form's own refusals: a birthday in
        # 2030 is shown with the e-mail address typed wrong, not after it is put right.
        days = {name: self.cleaned_data[name] for name in DAYS_GONE_BY if name in self.cleaned_data}
        refused = unlikely_day_errors(days, today=self.business.today(), previous=stored)
        for name, refusals in refused.items():
            self.add_error(name, refusals)

    def service_fields(self) -> dict:
        """The fields of the form as shown (without a regular staff member where one person
        works alone), but the name, which the services take apart."""
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name != "name" and name in self.fields
        }

    def seen_value(self, name: str) -> Any:
        """What the page showed in field `name` when it was drawn, as its cleaned value (a
        referrer as their id), from the hidden initial-<name> input; UNSEEN when that did not
        come along (a page drawn before the form sent them) or is not a value of the field."""
        field, sent = self.fields[name], self.data.get(self[name].html_initial_name)
        if sent is None:
            return UNSEEN
        try:
            if isinstance(field, forms.ModelChoiceField):
                return int(sent) if sent else None
            value = field.to_python(sent)
        except (ValueError, forms.ValidationError):
            return UNSEEN
        if name == "marketing_consent_basis" and self.seen_value("marketing_consent") is False:
            # The basis counts only with consent (clean()): without it, none was seen.
            return LegalBasis.NONE
        return value

    def edits(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The fields this person changed, with their cleaned values, and what they saw in them
        (seen_value). Django's changed_data compares with the seen values the page sent along
        (show_hidden_initial), not with what is stored now, so a field someone else changed
        meanwhile is not taken for a change of this person's. A field whose seen value did not
        come along is saved as typed."""
        changed, seen = {}, {}
        for name in self.fields:
            if name in QUESTIONS:  # a question to this person, not the customer's
                continue
            if name == "customer_since" and self.cleaned_data[name] is None:
                continue  # left empty on a customer whose day is not known (clean_customer_since)
            was = self.seen_value(name)
            if name == "customer_since" and was is None and self.since_unknown:
                was = self.since_stored  # what the field shown empty stood for
            if was is UNSEEN or name in self.changed_data:
                changed[name] = self.cleaned_data[name]
                if was is not UNSEEN:
                    seen[name] = was
        return changed, seen

    def show_stored(self, conflict: ChangedMeanwhile) -> None:
        """After a refusal because others changed the customer meanwhile (`conflict.stored`):
        a field this person changed keeps their input, and counts as having seen what is stored
        now, so that saving again replaces that deliberately; a field they left alone shows
        what is stored now, so that the form holds what saving again would store."""
        mine = set(self.edits()[0])
        stored = dict(conflict.stored)
        if "marketing_consent_basis" in stored:
            stored["marketing_consent_basis"] = shown_marketing_consent_basis(
                consent=stored.get("marketing_consent", False),
                basis=stored["marketing_consent_basis"],
            )
        data = self.data.copy()
        for name, field in self.fields.items():
            if name not in stored:
                continue
            data[self[name].html_initial_name] = _as_sent(field, stored[name], hidden=True)
            if name not in mine:
                typed = _as_sent(field, stored[name])
                if typed is None:
                    data.pop(name, None)
                else:
                    data[name] = typed
        self.data = data


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
    phone = forms.CharField(label=_("phone"), max_length=25, required=False, widget=PhoneInput())
    # Asked at the counter as often as the name: "my neighbour sent me". Who came through whom
    # is what the ambassadors and the acquisition report are made of.
    referred_by = CustomerPickField(
        label=_("referred by"),
        queryset=Customer.objects.none(),
        required=False,
        help_text=REFERRER_HINT,
        error_messages={"invalid_choice": _("This customer does not exist.")},
    )
    # Not known unless said: "walk-in" by default put "Kwam zelf binnen" on the card of every
    # customer a garage added on the phone. A referrer chosen says it (channel_beside_referrer).
    acquisition_channel = forms.ChoiceField(
        label=_("came to us through"),
        choices=AcquisitionChannel.choices,
        initial=AcquisitionChannel.UNKNOWN,
        # A page from before it was asked sends none: not known, as then said.
        required=False,
    )
    # Shown only when customers of the same name exist (see customer_quick_add).
    confirm_new = forms.BooleanField(
        label=_("It is someone else: add a new customer"), required=False
    )

    def __init__(self, *args, business, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referred_by"].queryset = Customer.objects.filter(
            business=business, erased_at__isnull=True
        ).only("id", "name")
        self.fields["referred_by"].widget = ReferrerPicker(business=business)

    def clean(self):
        cleaned = super().clean()
        channel_beside_referrer(self, cleaned)
        return cleaned

    def service_fields(self) -> dict:
        """What the service stores beyond the name."""
        fields = {
            "phone": self.cleaned_data["phone"],
            "acquisition_channel": self.cleaned_data["acquisition_channel"]
            or AcquisitionChannel.UNKNOWN,
        }
        if self.cleaned_data["referred_by"] is not None:
            fields["referred_by"] = self.cleaned_data["referred_by"]
        return fields


class ReferralForm(OwnIds, forms.Form):
    """ "Brought someone in" on a customer's profile: whom this customer (`referrer`) referred,
    recorded on that customer as their referrer, as the customer form would. Whoever starts
    from the card of the guest who brings others finds it there, where "referred by" is asked
    only of the guest brought in."""

    id_prefix = "referral"

    referred = CustomerPickField(
        label=_("brought in"),
        queryset=Customer.objects.none(),
        help_text=_(
            "Type a few letters of the name, phone, email, postcode or place of the customer "
            "they brought in."
        ),
        error_messages={
            "required": _("Choose the customer they brought in."),
            "invalid_choice": _("This customer does not exist."),
        },
    )
    confirm_referral = forms.BooleanField(label=RECORD_ANYWAY, required=False)
    referral_doubt = False

    def __init__(self, *args, business, referrer, **kwargs):
        super().__init__(*args, **kwargs)
        self.referrer = referrer
        self.fields["referred"].queryset = (
            Customer.objects.filter(business=business, erased_at__isnull=True)
            .exclude(pk=referrer.pk)
            .select_related("referred_by")
            .only("id", "name", "customer_since", "referred_by__name")
        )
        self.fields["referred"].widget = ReferrerPicker(business=business, exclude=referrer.pk)

    def clean(self):
        cleaned = super().clean()
        referred = cleaned.get("referred")
        if referred is None:
            return cleaned
        if referred.referred_by_id == self.referrer.pk:
            self.add_error(
                "referred",
                _("%(name)s is recorded as brought in by this customer already.")
                % {"name": referred.name},
            )
        elif referred.referred_by_id is not None:
            # Another referrer is not overwritten from here: who brought a customer in is
            # changed on that customer's own card, where it shows.
            self.add_error(
                "referred",
                _(
                    "%(name)s came through %(referrer)s: change that on the card of %(name)s, "
                    "under “Edit”."
                )
                % {"name": referred.name, "referrer": referred.referred_by.name},
            )
        else:
            refuse_doubtful_referral(self, "referred", referrer=self.referrer, referred=referred)
        return cleaned


class PurchaseFields(OwnIds, forms.Form):
    """What a purchase is typed as, recorded (PurchaseForm) or corrected (PurchaseEditForm):
    its amount, what it was and who served it (a member's user id)."""

    amount = AmountField(label=_("amount"), error_messages={"required": _("Enter an amount.")})
    description = forms.CharField(label=_("what"), max_length=300, required=False)
    member = forms.TypedChoiceField(
        label=_("served by"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("This person does not work here.")},
    )


class PurchaseForm(PurchaseFields):
    """A purchase and who served it: the person signed in unless they choose a colleague (so
    one is always chosen). Where they work alone there is no one to choose, and no field."""

    id_prefix = "purchase"

    at = MomentField(label=_("when"), required=False, help_text=_("Empty means now."))
    # Shown only when the same purchase was just recorded, or the amount is many times the
    # usual one (views.purchase_add): it answers either question.
    confirm_repeat = forms.BooleanField(label=_("Record it anyway"), required=False)

    def __init__(self, *args, business, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.signed_in = member
        _when_closed_now(self.fields["at"], business)
        self.members = {user.pk: user for user in member_users(business=business)}
        if len(self.members) < 2:
            del self.fields["member"]
            return
        self.fields["member"].choices = [
            (pk, staff_name(user)) for pk, user in self.members.items()
        ]
        self.fields["member"].initial = member.pk

    def served_by(self):
        """Who served the customer: the one chosen, else the person signed in."""
        chosen = self.cleaned_data.get("member")
        return self.members[chosen] if chosen is not None else self.signed_in

    @property
    def asks_to_confirm(self) -> bool:
        """Whether the form shows "Record it anyway": the same purchase was just recorded, or
        the amount is unlikely."""
        return self.has_error("amount", code="repeat") or self.has_error("amount", code="unlikely")


def _when_closed_now(field: forms.Field, business) -> None:
    """The help of a purchase's "when" while the shop is closed: a restaurant typing in last
    night's bills the next morning, the field left empty, recorded them on a closed Sunday
    morning, after the night."""
    settings = care_settings(business)
    now = timezone.now()
    closing = last_working_moment(
        now, tz=business.tzinfo, week=settings.opening_hours, closed=settings.closed_dates
    )
    if closing < now:
        field.help_text = _(
            "Empty means now, but the shop is closed now. Bought before it closed "
            "(%(closing)s)? Fill in when."
        ) % {"closing": moment_shown(closing, "WEEKDAY", zone=business.tzinfo)}


def moment_changed(typed: datetime, *, stored: datetime) -> datetime | None:
    """A moment typed on a correction page as the services take it: None when left as shown.
    The field shows the minute, so a record stored with its seconds keeps its moment, instead
    of one a few seconds off."""
    return None if typed == stored.replace(second=0, microsecond=0) else typed


class PurchaseEditForm(PurchaseFields):
    """Correcting a purchase typed wrongly: its amount, what, who served it and when. Who
    served it may be no one, and stays someone who has left the business as long as it is not
    changed (customers.services.purchase_update refuses naming them anew). `version`: the
    purchase as read when the page was opened (core.versions)."""

    id_prefix = "purchase-edit"

    at = MomentField(label=_("when"), error_messages={"required": _("Enter when it was.")})
    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, business, purchase, **kwargs):
        super().__init__(*args, **kwargs)
        self.purchase = purchase
        self.members = {user.pk: user for user in member_users(business=business)}
        choices = [("", _("no one named"))]
        choices += [(pk, staff_name(user)) for pk, user in self.members.items()]
        if purchase.member_id is not None and purchase.member_id not in self.members:
            choices.append((purchase.member_id, staff_name(purchase.member)))
        self.fields["member"].choices = choices

    def moment(self):
        """When it was as the service takes it (moment_changed): a purchase imported with its
        date alone, at noon, also keeps its moment instead of a time that nobody saw."""
        return moment_changed(self.cleaned_data["at"], stored=self.purchase.at)

    def served_by(self) -> Any:
        """Who served the customer as the service takes it: UNCHANGED when left as it was."""
        chosen = self.cleaned_data.get("member")
        if chosen == self.purchase.member_id:
            return UNCHANGED
        return self.members[chosen] if chosen is not None else None


class ContactMomentForm(OwnIds, forms.Form):
    id_prefix = "contact"

    kind = forms.ChoiceField(
        label=_("kind"), choices=ContactKind.choices, initial=ContactKind.VISIT
    )
    summary = forms.CharField(
        label=_("summary"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=ContactMoment._meta.get_field("summary").max_length,
        error_messages={"required": _("Write a short summary.")},
    )
    at = MomentField(label=_("when"), required=False, help_text=_("Empty means now."))


class ContactMomentEditForm(ContactMomentForm):
    """Correcting a contact moment typed wrongly: how, what was said and when. `version`: the
    moment as read when the page was opened (core.versions)."""

    id_prefix = "contact-edit"

    at = MomentField(label=_("when"), error_messages={"required": _("Enter when it was.")})
    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, moment, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact_moment = moment

    def moment(self):
        """When it was as the service takes it (moment_changed): a call recorded by "Called"
        left as shown does not look worked on."""
        return moment_changed(self.cleaned_data["at"], stored=self.contact_moment.at)


class ImportantDateForm(OwnIds, forms.Form):
    id_prefix = "important-date"

    label = forms.CharField(
        label=_("what"),
        max_length=100,
        help_text=_("For example: wedding anniversary, shop opening."),
        error_messages={"required": _("Say what day it is, for example: wedding anniversary.")},
    )
    date = forms.DateField(
        label=_("date"), widget=DateInput(), error_messages={"required": _("Fill in the date.")}
    )
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
        # The name as stored: "Sanne" logs in as "sanne", as a phone capitalises it.
        known = user_by_login_name(username.strip())
        if known is not None:
            self.cleaned_data["username"] = known.get_username()
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, ip_address=ip_address)
            raise
        login_failures_clear(username=username)
        return cleaned
