"""Forms of promises, complaints, follow-ups, gestures and the owner's care settings. They only
turn typed text into clean values; the services decide what is allowed."""

from datetime import UTC, datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from klantvriend.aftercare.models import FollowUp
from klantvriend.complaints.models import Channel, Complaint, Driver, Severity
from klantvriend.complaints.selectors import complaint_clocks_judged
from klantvriend.complaints.services import CLOCK_FIELDS, PUBLIC_CHANNELS
from klantvriend.core.care_settings import (
    CLOSED_PERIOD_FIELD_NAMES,
    DAY_TIMES,
    MAX_CLOSED_REASON_LENGTH,
    MAX_PURCHASE_RULES,
    MAX_RULE_ASK_LENGTH,
    WEEKDAY_KEYS,
    WEEKDAY_NAMES,
    CareSettings,
    care_settings,
    purchase_rule_words,
)
from klantvriend.core.language import language_choices
from klantvriend.core.members import member_users, staff_name
from klantvriend.core.models import (
    WRITTEN_MAX_LENGTH,
    Business,
    listed_time_zones,
    time_zones,
)
from klantvriend.core.moments import skipped_by_the_clocks
from klantvriend.core.money import cents_for_typing
from klantvriend.core.numbers import count_shown
from klantvriend.core.shown import moment_shown
from klantvriend.customers.models import ContactKind
from klantvriend.gestures.models import Gesture, Occasion
from klantvriend.promises.models import (
    REPEAT_CHOICES,
    REPEAT_MONTH_CHOICES,
    PromiseKind,
    due_moment_for_day,
)
from klantvriend.promises.selectors import due_gone_by, due_when_closed, open_promise_alike
from klantvriend.surveys.selectors import invites_after_complaint, may_email

from .forms import RECORD_ANYWAY, AmountField, DateInput, MomentField, OwnIds, moment_changed


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class AskedCheckbox(forms.CheckboxInput):
    """A box ticked by default that says it was asked: a page from before it was (a tablet
    that kept the profile open across an upgrade) sends neither the box nor the mark, and gets
    the default instead of an untick nobody chose."""

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, attrs, renderer) + format_html(
            '<input type="hidden" name="{}-asked" value="1">', name
        )

    def value_from_datadict(self, data, files, name):
        if f"{name}-asked" not in data:
            return True
        return super().value_from_datadict(data, files, name)


def _asked_box(label, help_text) -> forms.BooleanField:
    """A yes or no that is yes unless unticked (AskedCheckbox)."""
    return forms.BooleanField(
        label=label, required=False, initial=True, widget=AskedCheckbox, help_text=help_text
    )


# How often a promise comes back, as one choice: weeks by their number ("13"), months with an
# "m" ("3m"), as the service's two fields (promises.models.REPEAT_WEEKS, REPEAT_MONTHS).
MONTHS_MARK = "m"
REPEAT_FORM_CHOICES = [
    ("0", REPEAT_CHOICES[0][1]),
    (
        _("in weeks, on the same weekday"),
        [(str(weeks), label) for weeks, label in REPEAT_CHOICES if weeks],
    ),
    (
        _("in months, on the same day of the month"),
        [(f"{months}{MONTHS_MARK}", label) for months, label in REPEAT_MONTH_CHOICES if months],
    ),
]


def repeat_choice(promise) -> str:
    """The form's choice for how often `promise` comes back."""
    if promise.repeat_months:
        return f"{promise.repeat_months}{MONTHS_MARK}"
    return str(promise.repeat_weeks)


class PromiseForm(OwnIds, forms.Form):
    id_prefix = "promise"

    description = forms.CharField(
        label=_("what was promised"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Say what was promised.")},
    )
    kind = forms.ChoiceField(
        label=_("kind"), choices=PromiseKind.choices, initial=PromiseKind.ORDER_READY
    )
    due_date = forms.DateField(
        label=_("due on"),
        widget=DateInput(),
        error_messages={"required": _("Fill in when it is due.")},
    )
    due_time = forms.TimeField(
        label=_("at"),
        required=False,
        widget=TimeInput(),
        help_text=_("Leave empty for some time that day."),
    )
    made_at = MomentField(label=_("promised at"), required=False, help_text=_("Empty means now."))
    repeat = forms.ChoiceField(
        label=_("repeats"),
        choices=REPEAT_FORM_CHOICES,
        initial="0",
        # Not sent by a page from before it was offered (a tablet kept open across the
        # upgrade): a single promise, as every promise was then.
        required=False,
        # Only a page from another version or a hand-made request sends one the list lacks.
        error_messages={
            "invalid_choice": _(
                "Choose how often it repeats from the list: every 1, 2, 3, 4, 6, 8 or 13 weeks, "
                "or every 1, 3, 6 or 12 months; not “%(value)s”."
            )
        },
        help_text=_(
            "For a standing arrangement (a weekly order, a quarterly return): once this one is "
            "done or cancelled, the next one is made, without the call afterwards."
        ),
    )
    # Shown for deliveries only (app.css), whose keeping invites to the survey.
    survey_after_delivery = _asked_box(
        _("invite to the survey once delivered"),
        _(
            "When the survey settings invite after deliveries. Untick it for funeral flowers, "
            "or wherever a question would be out of place."
        ),
    )
    # The moment first typed, when the advice's suggestion was taken (app.js sets it with the
    # suggestion, and empties it when the moment is typed again): the advice is then read as
    # promises.selectors.promise_advice says. Text, read by the advice alone: a page that sent
    # something else gets the advice of the moment as typed, and saves as ever.
    advised_from = forms.CharField(widget=forms.HiddenInput, required=False)
    # Shown only when the due moment is asked about (refuse_doubtful_due).
    confirm_due = forms.BooleanField(label=RECORD_ANYWAY, required=False)
    due_doubt = False
    # Offered beside it when the moment has gone by, on a new promise: one written down
    # afterwards and kept on time is saved kept at its moment (`kept_at`), where "Done"
    # afterwards counted it late. A changed promise is kept with "Done".
    kept_on_time = forms.BooleanField(label=_("It was kept on time"), required=False)
    gone_by_doubt = False
    offers_kept_on_time = True
    # Shown for the kinds whose keeping plans a call (aftercare.models.PROMISE_RULES; app.css).
    aftercare_after_kept = _asked_box(
        _("call afterwards to check"),
        _(
            "When the aftercare settings plan a call after it is kept. Untick it when the "
            "customer said all is well, or a call would intrude."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        day, at = cleaned.get("due_date"), cleaned.get("due_time")
        # The time is typed on the business's clock (the middleware activates its zone, as for
        # the moment fields, which Django refuses such a time on).
        if day and at and skipped_by_the_clocks(day, at, timezone.get_current_timezone()):
            self.add_error(
                "due_time",
                forms.ValidationError(
                    _(
                        "%(time)s does not exist on %(day)s: the clocks go forward that night. "
                        "Choose another time."
                    ),
                    code="skipped",
                    params={"time": at.strftime("%H:%M"), "day": date_format(day, "DATE_FORMAT")},
                ),
            )
        return cleaned

    def repeat_fields(self) -> dict[str, int]:
        """How often it comes back, as the service's fields (promises.services)."""
        chosen = self.cleaned_data.get("repeat") or "0"
        if chosen.endswith(MONTHS_MARK):
            return {"repeat_weeks": 0, "repeat_months": int(chosen.removesuffix(MONTHS_MARK))}
        return {"repeat_weeks": int(chosen), "repeat_months": 0}

    def due(self, business) -> dict:
        """The due moment for the service: a moment when a time was given, else the day."""
        day, at = self.cleaned_data["due_date"], self.cleaned_data.get("due_time")
        if at is None:
            return {"due_date": day}
        return {"due_at": datetime.combine(day, at, tzinfo=business.tzinfo)}

    def refuse_doubtful_due(self, business: Business, *, ask_gone_by: bool = True) -> None:
        """A due moment that has gone by (`ask_gone_by`) after the moment the promise was made,
        or falls on a day the shop is closed (not a working day, or in a closed period), is
        refused on its day saying so, until the form comes back with "Record it anyway" ticked
        (`confirm_due`, then shown; for a moment gone by, "It was kept on time" too): the advice
        under the form asked "is that the day you mean?", and an order for next Sunday, or a
        callback typed a year back, was saved without an answer. A time outside the opening
        hours is asked about by the advice alone: dropping off an order after closing is an
        arrangement shops make."""
        if self.errors or self.cleaned_data.get("confirm_due"):
            return
        due_at, all_day = self._due_moment(business)
        made_at = self.cleaned_data.get("made_at")
        if ask_gone_by and due_gone_by(
            business=business, due_at=due_at, all_day=all_day, now=timezone.now()
        ):
            # With its year: a year typed wrong is one way to a moment gone by.
            moment = {
                "moment": moment_shown(
                    business.local(due_at).date() if all_day else due_at, "SHORT"
                )
            }
            if made_at is None:
                # Made now, it is refused (promises.services._check_due): said here with the
                # way to write down a promise afterwards.
                self.add_error(
                    "due_date",
                    _(
                        "The moment due, %(moment)s, has gone by: choose a moment still to "
                        "come. Written down afterwards? Then fill in when it was promised too."
                    )
                    % moment,
                )
            elif made_at <= due_at and self.kept_at(business) is None:
                self.gone_by_doubt = True
                self._doubt(
                    _(
                        "The moment due, %(moment)s, has gone by: saved like this, the promise "
                        "is overdue at once. Typed wrong? Choose the moment still to come."
                    )
                    % moment,
                    _("Written down afterwards? Tick “%(anyway)s”, or “%(kept)s” if it was.")
                    % {"anyway": RECORD_ANYWAY, "kept": self.fields["kept_on_time"].label}
                    if self.offers_kept_on_time
                    else _("Written down afterwards? Tick “%(anyway)s”.")
                    % {"anyway": RECORD_ANYWAY},
                )
            return
        closed = due_when_closed(business=business, due_at=due_at, all_day=all_day)
        # Today the person at the counter knows whether the shop is open (they are in it), and
        # a day gone by is a promise recorded afterwards: asked of the days to come only.
        if closed["closed_day"] is None or closed["closed_day"] <= business.today():
            return
        day = moment_shown(closed["closed_day"], "WEEKDAY")
        said = (
            _("The shop is closed on %(day)s (%(why)s).")
            % {"day": day, "why": closed["closed_for"]}
            if closed["closed_for"]
            else _("By its opening hours the shop is closed on %(day)s.") % {"day": day}
        )
        self._doubt(
            said,
            _("If that is what you agreed with the customer, tick “%(anyway)s”.")
            % {"anyway": RECORD_ANYWAY},
        )

    def refuse_repeat(self, *, customer, business: Business) -> None:
        """A promise the customer has open already, in the same words for the same moment, is
        asked about until "Record it anyway" is ticked: a garage's form sent again saved four
        of "Auto klaar vandaag 17:00" without a word, each a promise to keep and to count."""
        if self.errors or self.cleaned_data.get("confirm_due"):
            return
        due_at, _all_day = self._due_moment(business)
        try:
            due_at.astimezone(UTC)
        except OverflowError:
            return  # a moment at the end of the calendar: the service refuses it
        alike = open_promise_alike(
            customer=customer, description=self.cleaned_data["description"], due_at=due_at
        )
        if alike is not None:
            self.due_doubt = True
            self.add_error(
                "description",
                _(
                    "This customer already has this promise open (recorded %(when)s). Another "
                    "one? Tick “%(anyway)s”."
                )
                % {
                    "when": moment_shown(alike.created_at, "WEEKDAY", zone=business.tzinfo),
                    "anyway": RECORD_ANYWAY,
                },
            )

    def _due_moment(self, business: Business) -> tuple[datetime, bool]:
        """The due moment typed, and whether it is for the whole day."""
        due = self.due(business)
        if "due_date" in due:
            return due_moment_for_day(business=business, day=due["due_date"]), True
        return due["due_at"], False

    def kept_at(self, business: Business) -> datetime | None:
        """When a promise written down afterwards was kept: at its moment, when "It was kept on
        time" is ticked and that moment has gone by; None otherwise."""
        if not (self.offers_kept_on_time and self.cleaned_data.get("kept_on_time")):
            return None
        due_at, all_day = self._due_moment(business)
        gone_by = due_gone_by(business=business, due_at=due_at, all_day=all_day, now=timezone.now())
        return due_at if gone_by else None

    def _doubt(self, said: str, answer: str) -> None:
        self.due_doubt = True
        self.add_error("due_date", f"{said} {answer}")


class PromiseEditForm(PromiseForm):
    """A promise changed on the web: what was promised, its kind, when it is due, when it was
    made. It shows the stored values as typed (whole minutes, local time) and tells the service
    only what was changed, so that saving an untouched moment never moves it by its seconds;
    `version` is what the form was filled from (core.versions), so that a change saved
    meanwhile by someone else is not overwritten unseen."""

    made_at = MomentField(label=_("promised at"))
    version = forms.CharField(widget=forms.HiddenInput)
    offers_kept_on_time = False
    # A moved promise is a call to the customer too: recorded with the change, not as a second
    # form on the profile afterwards (promises.services.promise_change).
    customer_told_by = forms.ChoiceField(
        label=_("customer told"),
        required=False,
        choices=[
            ("", _("not (yet)")),
            (ContactKind.CALL, _("by phone")),
            (ContactKind.MESSAGE, _("by message")),
            (ContactKind.EMAIL, _("by email")),
            (ContactKind.VISIT, _("at the counter")),
        ],
    )
    customer_told = forms.CharField(
        label=_("what you told them"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Saved as a contact moment with the new moment, for example: it will be ready a "
            "day later than we said."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each field carries what its user saw (hidden "initial-" inputs), which changed_data
        # compares with: after someone else's change, a field this person left alone is not
        # taken for theirs (promise_edit, as the customer form does).
        for name, field in self.fields.items():
            field.show_hidden_initial = name != "version"

    def typed(self, name: str) -> str:
        """The field's initial value as its input shows it (and its hidden initial sends it)."""
        bound = self[name]
        shown = bound.field.widget.format_value(bound.initial)
        return (shown[0] if shown else "") if isinstance(shown, list) else shown or ""

    @classmethod
    def initial_for(cls, promise, *, version: str) -> dict:
        local = promise.business.local
        return {
            "description": promise.description,
            "kind": promise.kind,
            "due_date": local(promise.due_at).date(),
            "due_time": None
            if promise.due_all_day
            else local(promise.due_at).time().replace(second=0, microsecond=0),
            "made_at": local(promise.made_at).replace(second=0, microsecond=0),
            "survey_after_delivery": promise.survey_after_delivery,
            "aftercare_after_kept": promise.aftercare_after_kept,
            "repeat": repeat_choice(promise),
            "version": version,
        }

    def changes(self, business) -> dict:
        """The service's fields for what was changed (promises.services.promise_update)."""
        changed = set(self.changed_data)
        fields = {
            name: self.cleaned_data[name]
            for name in (
                "description",
                "kind",
                "made_at",
                "survey_after_delivery",
                "aftercare_after_kept",
            )
        }
        fields = {name: value for name, value in fields.items() if name in changed}
        if "repeat" in changed:
            fields.update(self.repeat_fields())
        if changed & {"due_date", "due_time"}:
            fields.update(self.due(business))
        return fields


# What each driver means, said with each choice of them: the five words alone (PRODUCT.md idea
# 7) left a hairdresser unable to place "the colour turned orange", and a restaurant a cold
# steak. Radio buttons, each label wrapping on a phone (a select is as wide as its longest
# option), and none chosen beforehand: with "other" chosen, such complaints went there, where
# no driver's figure counted them.
DRIVER_EXAMPLES = {
    Driver.CERTAINTY: _("did not know what to expect (price, time, result)"),
    Driver.FLEXIBILITY: _("a wish or a change could not be met"),
    Driver.RELIABILITY: _(
        "not as promised or as it should be (broken, damaged, badly made or prepared), or not on "
        "time"
    ),
    Driver.CUSTOMISATION: _("not suited to what they personally wanted"),
    Driver.COMPLAINT_HANDLING: _("how an earlier problem was dealt with"),
}
# What happened first, in the shop's words, then the driver it counts under: a butcher looked
# for his tough rollade under "Betrouwbaarheid" in vain.
DRIVER_CHOICES = [
    (
        driver.value,
        format_lazy("{} — {}", DRIVER_EXAMPLES[driver], driver.label)
        if driver in DRIVER_EXAMPLES
        else driver.label,
    )
    for driver in Driver
]


# A complaint received longer ago than this is asked about before it is saved: a year typed
# wrongly ("2020" for "2026") made a complaint years past its deadlines at once, on top of
# Today, and when it came in could no longer be corrected once its deadlines had judged it.
RECEIVED_LONG_AGO = timedelta(days=30)


def refuse_received_long_ago(form, received_at: datetime | None) -> None:
    """A complaint received long ago (RECEIVED_LONG_AGO) is refused on `received_at` with how
    long ago that is, until the form comes back with "Record it anyway" ticked (its
    `confirm_long_ago`, then shown)."""
    if received_at is None or form.cleaned_data.get("confirm_long_ago"):
        return
    days = (timezone.now() - received_at).days
    if days <= RECEIVED_LONG_AGO.days:
        return
    form.long_ago = True
    form.add_error(
        "received_at",
        _(
            "That is %(days)s days ago, on %(day)s. Check the date: a complaint counts late "
            "from when it came in. If it is right, tick “%(anyway)s”."
        )
        % {
            "days": count_shown(days),
            "day": date_format(timezone.localtime(received_at).date(), "DATE_FORMAT"),
            "anyway": RECORD_ANYWAY,
        },
    )


class ComplaintForm(OwnIds, forms.Form):
    id_prefix = "complaint"

    description = forms.CharField(
        label=_("what is the complaint"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=WRITTEN_MAX_LENGTH,
        error_messages={"required": _("Describe the complaint.")},
    )
    channel = forms.ChoiceField(
        label=_("channel"), choices=Channel.choices, initial=Channel.COUNTER
    )
    # Ticked by app.js for the channels that are public by nature, as the complaint is saved:
    # the form showed "not public" for a review that was stored as public.
    public = forms.BooleanField(
        label=_("public (social media, review site)"),
        required=False,
        help_text=_("Public complaints get the shortest response target."),
        widget=forms.CheckboxInput(
            attrs={
                "data-ticked-for-channel": " ".join(
                    channel.value for channel in sorted(PUBLIC_CHANNELS)
                )
            }
        ),
    )
    severity = forms.ChoiceField(
        label=_("severity"), choices=Severity.choices, initial=Severity.MEDIUM
    )
    driver = forms.ChoiceField(
        label=_("what it is about"),
        choices=DRIVER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what the complaint is about; if nothing fits, “Other”.")
        },
    )
    received_at = MomentField(
        label=_("received at"), required=False, help_text=_("Empty means now.")
    )
    # Offered from the customer's promises on the profile's card, open first
    # (web.care.profile_promises); the service refuses another customer's.
    promise = forms.TypedChoiceField(
        label=Complaint._meta.get_field("promise").verbose_name,
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("When the complaint is about something promised, such as an order not ready."),
    )
    # Ticked for the default channel, the counter: whoever logs a complaint made there has just
    # heard the customer out and answered them. app.js ticks it again when the counter is chosen
    # and unticks it for any other channel; a phone call can be ticked by hand.
    answered_on_the_spot = forms.BooleanField(
        label=_("answered on the spot"),
        required=False,
        initial=True,
        help_text=_(
            "You answered the customer there and then, in person or on the phone: the "
            "complaint counts as answered at the moment it was received. Ticked by itself at "
            "the counter; tick it yourself for a call."
        ),
        widget=forms.CheckboxInput(attrs={"data-ticked-for-channel": Channel.COUNTER}),
    )
    recovery_gesture = forms.CharField(
        label=_("recovery gesture offered"),
        max_length=Complaint._meta.get_field("recovery_gesture").max_length,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "What you offered to make up for it, such as a discount on the next visit. It is "
            "logged among the customer's gestures when the complaint is resolved."
        ),
    )
    # Shown only when the complaint was received long ago (refuse_received_long_ago).
    confirm_long_ago = forms.BooleanField(label=RECORD_ANYWAY, required=False)
    long_ago = False

    def __init__(self, *args, promises=(), **kwargs):
        super().__init__(*args, **kwargs)
        offer_promises(self, promises)

    def clean(self):
        cleaned = super().clean()
        refuse_received_long_ago(self, cleaned.get("received_at"))
        return cleaned


def offer_promises(form: forms.Form, promises) -> None:
    """The promises a complaint's form offers, as "what · when due" as the pages write it;
    without any, the field
    goes, so a customer who was never promised anything is not asked."""
    # Here, not at the top: the care template tags import this module's forms.
    from .templatetags.care import due_moment

    if not promises:
        del form.fields["promise"]
        return
    form.fields["promise"].choices = [
        ("", _("not about a promise")),
        *(
            (promise.pk, f"{promise.description} · {due_moment(promise, 'weekday')}")
            for promise in promises
        ),
    ]


SATISFACTION_CHOICES = [("", "—")] + [(str(score), str(score)) for score in range(1, 6)]


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("how was it resolved"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=WRITTEN_MAX_LENGTH,
        error_messages={"required": _("Say how the complaint was resolved.")},
    )
    recovery_gesture = forms.CharField(
        label=Complaint._meta.get_field("recovery_gesture").verbose_name,
        max_length=300,
        required=False,
        help_text=_("It is also logged among the customer's gestures."),
    )
    # A restaurant settles a cold steak at the table and writes it down the next morning: the
    # resolution, and the gesture logged with it, are then of the evening, not of the morning
    # after the bill.
    resolved_at = MomentField(
        label=_("resolved at"), required=False, help_text=_("Empty means now.")
    )
    satisfaction_after = forms.TypedChoiceField(
        label=_("satisfaction afterwards (1-5)"),
        help_text=_(
            "1 = very dissatisfied, 5 = very satisfied; leave it empty if you did not ask."
        ),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    # The offer as the form showed it: left as it was, what is stored when it is saved stands,
    # so that an offer a colleague corrected meanwhile (the complaint's "Wijzigen") is not
    # written back over with the one this page was opened with.
    offered = forms.CharField(widget=forms.HiddenInput, required=False)

    def resolution_values(self) -> dict:
        """The values as complaint_resolve takes them: another offer typed over the one shown
        goes with the one shown, which a colleague's correction meanwhile makes it refused."""
        values = {name: value for name, value in self.cleaned_data.items() if name != "offered"}
        values["at"] = values.pop("resolved_at")
        # (A page opened before the form said what it offered sends what is typed, as before.)
        if "offered" in self.data:
            if values["recovery_gesture"] == self.cleaned_data["offered"]:
                values["recovery_gesture"] = None
            else:
                values["offer_seen"] = self.cleaned_data["offered"]
        return values

    def offer_stored(self, offered: str) -> None:
        """Shows the offer as stored now as the one this form offered: saved again, what is
        typed replaces it."""
        self.data = self.data.copy()
        self.data["offered"] = offered


class ComplaintEditForm(OwnIds, forms.Form):
    """Correcting a complaint's details typed wrongly: what it is, how it came in, how serious,
    what it is about, when, the gesture offered; once resolved, how it was and the satisfaction
    afterwards. `version`: the complaint as read when the page was opened (core.versions)."""

    id_prefix = "complaint-edit"

    description = ComplaintForm.base_fields["description"]
    channel = ComplaintForm.base_fields["channel"]
    public = ComplaintForm.base_fields["public"]
    severity = ComplaintForm.base_fields["severity"]
    driver = ComplaintForm.base_fields["driver"]
    received_at = MomentField(
        label=_("received at"), error_messages={"required": _("Enter when it was.")}
    )
    recovery_gesture = ComplaintForm.base_fields["recovery_gesture"]
    promise = ComplaintForm.base_fields["promise"]
    resolution = ResolveForm.base_fields["resolution"]
    satisfaction_after = ResolveForm.base_fields["satisfaction_after"]
    confirm_long_ago = ComplaintForm.base_fields["confirm_long_ago"]
    long_ago = False
    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, complaint, promises=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        offer_promises(self, promises)
        if complaint.resolved_at is None:
            # How it was resolved is said by resolving it (the profile's "Resolve").
            del self.fields["resolution"], self.fields["satisfaction_after"]
        # When it came in and whether it is public stay once its deadlines have judged it
        # (complaints.services.complaint_update): shown as they are rather than offered and
        # then refused. A form that sent them was shown before a deadline passed meanwhile:
        # what was typed there is refused by the service, not dropped without a word.
        self.clocks_fixed = complaint_clocks_judged(complaint) and not (
            self.is_bound and "received_at" in self.data
        )
        if self.clocks_fixed:
            for name in CLOCK_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Stays as it is: the complaint has been answered, resolved or has passed a "
                    "deadline, and its figures must not change afterwards."
                )

    def clean(self):
        cleaned = super().clean()
        typed = cleaned.get("received_at")
        if typed is not None and not self.fields["received_at"].disabled:
            # Asked of a moment moved only, so that a complaint logged long ago is not asked
            # about at every later correction.
            refuse_received_long_ago(self, moment_changed(typed, stored=self.complaint.received_at))
        return cleaned

    def changes(self) -> dict:
        """The fields that differ from the complaint as stored, as complaint_change takes them:
        a moment left as shown is no change, so a complaint whose clocks have judged it is
        not refused for keeping them."""
        typed = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("version", "confirm_long_ago") and not self.fields[name].disabled
        }
        if "received_at" in typed:
            typed["received_at"] = moment_changed(
                typed["received_at"], stored=self.complaint.received_at
            )
        if "promise" in typed:
            typed["promise_id"] = typed.pop("promise")
        return {
            name: value
            for name, value in typed.items()
            # Emptied, these say "not asked afterwards" and "about no promise".
            if value is not None or name in ("satisfaction_after", "promise_id")
            if value != getattr(self.complaint, name)
        }


def resolve_form_for(
    complaint, data=None, *, business: Business, invites: bool | None = None
) -> ResolveForm:
    """A complaint row's resolve form, with ids of its own: a page lists several complaints.
    It says what saving it sets going besides: the check with the customer that the business's
    aftercare plans after a complaint (aftercare.services.follow_up_plan_for_complaint), which
    the person resolving it would otherwise first meet on Today days later, and the survey it
    e-mails a customer who may be e-mailed (surveys.services.survey_invite_after_complaint),
    which staff did not know went out. `invites`: surveys.selectors.invites_after_complaint,
    read once for a page of complaints; None reads it."""
    # The gesture offered when the complaint was logged is filled in: resolving logs it once.
    form = ResolveForm(
        data,
        auto_id=f"resolve-{complaint.pk}-%s",
        initial={
            "recovery_gesture": complaint.recovery_gesture,
            "offered": complaint.recovery_gesture,
        },
    )
    form.complaint_id = complaint.pk
    days = care_settings(business).aftercare_complaint_days
    said = []
    if days == 0:
        said.append(_("Saving it plans a follow-up for today: is the customer content again?"))
    elif days is not None:
        said.append(
            ngettext(
                "Saving it plans a follow-up in %(days)s day: is the customer content again?",
                "Saving it plans a follow-up in %(days)s days: is the customer content again?",
                days,
            )
            % {"days": days}
        )
    if may_email(complaint.customer) and (
        invites if invites is not None else invites_after_complaint(business=business)
    ):
        said.append(
            _("It also emails the customer the survey, unless they were asked lately.")
            if said
            else _("Saving it emails the customer the survey, unless they were asked lately.")
        )
    if said:
        form.fields["resolution"].help_text = " ".join(str(sentence) for sentence in said)
    return form


class _TeamChoices(forms.models.ModelChoiceIterator):
    """A team is a handful of people: read them with one plain query. (Django's default
    iterates a server-side cursor, three round trips on PostgreSQL for every form shown.)"""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for member in self.queryset:
            yield self.choice(member)


class TeamMemberField(forms.ModelChoiceField):
    iterator = _TeamChoices


class FollowUpForm(OwnIds, forms.Form):
    id_prefix = "follow-up"

    note = forms.CharField(
        label=FollowUp._meta.get_field("note").verbose_name,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Say what to ask the customer.")},
    )
    due_on = forms.DateField(
        label=_("planned for"),
        widget=DateInput(),
        error_messages={"required": _("Fill in the day it is planned for.")},
    )
    assigned_to = TeamMemberField(
        label=_("who calls"), queryset=None, required=False, empty_label=_("anyone")
    )

    def __init__(self, *args, business, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = member_users(business=business)
        self.fields["assigned_to"].label_from_instance = staff_name


class FollowUpEditForm(FollowUpForm):
    """An open follow-up changed: what to ask (worded for the occasion), the day, who calls.
    `version` is what the form was filled from (core.versions), so that a change saved
    meanwhile by someone else is not silently undone."""

    id_prefix = "follow-up-edit"

    version = forms.CharField(widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, follow_up, *, version: str) -> dict:
        return {
            "note": follow_up.asks,
            "due_on": follow_up.due_on,
            "assigned_to": follow_up.assigned_to_id,
            "version": version,
        }

    def changes(self) -> dict:
        """The fields changed, as follow_up_change takes them: a day left as it was is not
        sent, so a follow-up whose day has passed can still be reworded."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "version"}


class GestureForm(OwnIds, forms.Form):
    id_prefix = "gesture"

    what = forms.CharField(
        label=Gesture._meta.get_field("what").verbose_name,
        max_length=Gesture._meta.get_field("what").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Say what the gesture was.")},
    )
    value = AmountField(label=_("value"), required=False)
    occasion = forms.ChoiceField(
        label=_("occasion"), choices=Occasion.choices, initial=Occasion.JUST_BECAUSE
    )
    confirm_repeat = forms.BooleanField(label=_("Give it anyway"), required=False)


class GestureEditForm(OwnIds, forms.Form):
    """Correcting a gesture typed wrongly: what, its value, the occasion and when it was given.
    `version`: the gesture as read when the page was opened (core.versions)."""

    id_prefix = "gesture-edit"

    what = GestureForm.base_fields["what"]
    value = AmountField(label=_("value"), required=False)
    occasion = forms.ChoiceField(label=_("occasion"), choices=Occasion.choices)
    given_at = MomentField(label=_("given"), error_messages={"required": _("Enter when it was.")})
    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, gesture, **kwargs):
        super().__init__(*args, **kwargs)
        self.gesture = gesture

    def changes(self) -> dict:
        """The fields as gesture_update takes them; a moment left as shown is not given."""
        fields = {
            "what": self.cleaned_data["what"],
            "value_cents": self.cleaned_data["value"],
            "occasion": self.cleaned_data["occasion"],
        }
        given_at = moment_changed(self.cleaned_data["given_at"], stored=self.gesture.given_at)
        return fields if given_at is None else {**fields, "given_at": given_at}


def _days(label, help_text="", required=False, minimum=0):
    return forms.IntegerField(
        label=label, min_value=minimum, max_value=365, required=required, help_text=help_text
    )


# The zones of Klantvriend's first countries, on top of the list: of some 600 zones these two are
# nearly every shop's, and the rest of Europe the next likeliest.
# The zones of the Netherlands and Belgium, named in the reader's language ("Brussel"); the
# others keep the English names of the time zone database, a few hundred of them.
HOME_ZONES = {"Europe/Amsterdam": _("Amsterdam"), "Europe/Brussels": _("Brussels")}
LIKELY_AREA = "Europe"


# The areas of the zone names as the reader's language names them (the zone database's are
# English): a Dutch settings page listed "Europe", "Africa", "Indian".
AREA_NAMES = {
    "Africa": _("Africa"),
    "America": _("America"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Australia": _("Australia"),
    "Brazil": _("Brazil"),
    "Canada": _("Canada"),
    "Chile": _("Chile"),
    "Etc": _("Fixed offsets from UTC"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Mexico": _("Mexico"),
    "Pacific": _("Pacific Ocean"),
    "US": _("United States"),
}


def _place(zone: str) -> str:
    return zone.partition("/")[2].replace("_", " ")


def time_zone_choices(kept: str = "") -> list:
    """The listed time zones (and `kept`, the business's own where it is an old name such as
    "US/Central", so that the page shows what is set) as groups, an <optgroup> each: the
    Netherlands and Belgium first, then the other European zones, then every other continent or
    ocean in the alphabetical order of their names in the reader's language (AREA_NAMES), and
    last the zones of one word ("UTC"). Each zone is named by the rest of its name with spaces
    for underscores: the drop-down's box shows "Argentina/Buenos Aires" where
    "America/Argentina/Buenos_Aires" was cut off on a phone. Only the order and the names
    shown change: the values are the zone names the business keeps."""
    zones = listed_time_zones()
    if kept and kept not in zones:
        zones = sorted((*zones, kept))
    single, groups = [], {}
    for zone in zones:
        area, slash, _rest = zone.partition("/")
        if zone in HOME_ZONES:
            continue
        if slash:
            groups.setdefault(area, []).append((zone, _place(zone)))
        else:
            single.append((zone, zone))
    likely = groups.pop(LIKELY_AREA, [])
    return [
        (_("Netherlands and Belgium"), [(zone, str(name)) for zone, name in HOME_ZONES.items()]),
        (AREA_NAMES[LIKELY_AREA], likely),
        *sorted(
            ((str(AREA_NAMES.get(area, area)), zones) for area, zones in groups.items()),
            key=lambda group: group[0],
        ),
        (_("Other zones"), single),
    ]


class TimeZoneField(forms.ChoiceField):
    """A time zone chosen from the listed ones, where any name of the zone database is taken:
    one sent by a script or kept from before ("Europe/Kiev") is still a zone."""

    def valid_value(self, value) -> bool:
        return value in time_zones()


class BusinessForm(forms.Form):
    """The business's name, time zone, language and e-mail address (the currency stays: every
    amount is kept in it)."""

    name = forms.CharField(label=_("name of the business"), max_length=200)
    time_zone = TimeZoneField(
        label=_("time zone"),
        help_text=_("Decides what “today” is, and the times on every page."),
        choices=time_zone_choices,
        # Django's "Select a valid choice" says less than the name of what was refused.
        error_messages={
            "invalid_choice": _("Unknown time zone: %(value)s. Choose one of the list.")
        },
    )
    language = forms.ChoiceField(
        label=Business._meta.get_field("language").verbose_name,
        help_text=Business._meta.get_field("language").help_text,
        # Named in itself, as the account page names it ("Nederlands", "English").
        choices=language_choices,
    )
    contact_email = forms.EmailField(
        label=Business._meta.get_field("contact_email").verbose_name,
        help_text=Business._meta.get_field("contact_email").help_text,
        required=False,
        max_length=254,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kept = self.initial.get("time_zone", "")
        if kept not in listed_time_zones():
            self.fields["time_zone"].choices = time_zone_choices(kept)


def _opening_hours_fields() -> dict[str, forms.Field]:
    """Per weekday, Monday first: "closed", or the time it opens and the time it closes, and
    a break if it has one. Each label names its day, for the list of fields to fix and the
    settings' history; the page shows the day once, as the row's heading."""
    labels = {
        "opens": _("opens on {day} at"),
        "closes": _("closes on {day} at"),
        "break_starts": _("break on {day} from"),
        "break_ends": _("break on {day} until"),
    }
    fields: dict[str, forms.Field] = {}
    for key, day in zip(WEEKDAY_KEYS, WEEKDAY_NAMES, strict=True):
        fields[f"{key}_closed"] = forms.BooleanField(
            label=format_lazy(_("closed on {day}"), day=day), required=False
        )
        for name in DAY_TIMES:
            fields[f"{key}_{name}"] = forms.TimeField(
                label=format_lazy(labels[name], day=day), required=False, widget=TimeInput()
            )
    return fields


# A form of the opening hours' 35 fields, for CareSettingsForm to take them from.
OpeningHoursFields = type("OpeningHoursFields", (forms.Form,), _opening_hours_fields())


def _closed_days_without_times(data, fields: dict[str, forms.Field], *, prefix: str | None):
    """The posted form with the times of each day ticked "closed" left out: a closed day has
    no hours, so what is still typed in them is neither judged (a half-typed time) nor shown
    again when the save is refused for another reason, where it read as hours of a closed day.
    app.js empties and disables them as the box is ticked; this holds without scripts too."""
    data = data.copy()
    for key in WEEKDAY_KEYS:
        box = f"{prefix}-{key}_closed" if prefix else f"{key}_closed"
        ticked = fields[f"{key}_closed"].widget.value_from_datadict(data, {}, box)
        if ticked:
            for name in DAY_TIMES:
                data.pop(f"{prefix}-{key}_{name}" if prefix else f"{key}_{name}", None)
    return data


class CareSettingsForm(OpeningHoursFields):
    # The opening hours after the complaint targets, as the page shows them (their fields come
    # first in base_fields, from the base class).
    field_order = (
        "promise_grace_hours",
        "complaint_response_working_hours",
        "complaint_public_response_hours",
        "complaint_resolution_days",
        *OpeningHoursFields.base_fields,
    )

    promise_grace_hours = forms.IntegerField(
        label=_("a promise is broken when still open this many hours after it was due"),
        help_text=_(
            "The days the business is closed do not count: a promise for Saturday is not broken "
            "on Sunday while nobody is in to mark it kept."
        ),
        min_value=0,
        max_value=24 * 60,
    )
    complaint_response_working_hours = forms.IntegerField(
        label=_("first response to a complaint within (working hours)"), min_value=1, max_value=240
    )
    complaint_public_response_hours = forms.IntegerField(
        label=_("first response to a public complaint within (hours)"), min_value=1, max_value=168
    )
    complaint_resolution_days = forms.IntegerField(
        label=_("complaint resolved within (working days)"),
        min_value=1,
        max_value=365,
        help_text=_(
            "Resolved by closing time on the last of these working days. The day a complaint "
            "comes in counts too when it comes in before opening time."
        ),
    )
    # The promise kinds these two follow are named on the promise form; said here so that a
    # shop that neither delivers nor repairs sees they are about those promises, not its trade.
    aftercare_delivery_days = _days(
        _("follow up a kept delivery after (days)"),
        _(
            "For promises of the kind “delivery”: an order brought or sent. Leave empty to "
            "switch this rule off; a single promise can be made without the call."
        ),
    )
    aftercare_repair_days = _days(
        _("follow up a kept repair after (days)"),
        _(
            "For promises of the kind “repair”: work on something of the customer's. Leave "
            "empty to switch this rule off; a single promise can be made without the call."
        ),
    )
    aftercare_complaint_days = _days(
        _("follow up a resolved complaint after (days)"), _("Leave empty to switch this rule off.")
    )
    aftercare_quote_days = _days(
        _("follow up a sent quote after (days)"),
        _(
            "Asks whether the customer decided. Leave empty to switch this rule off; a single "
            "quote can be made without the call."
        ),
        minimum=1,
    )
    aftercare_purchase_min = AmountField(
        label=_("follow up purchases from this amount"),
        required=False,
        help_text=_("Leave empty to switch this rule off."),
    )
    aftercare_purchase_days = _days(_("follow up such a purchase after (days)"), required=True)
    aftercare_replan_days = forms.IntegerField(
        label=_("try again after (days) when the customer was not reached"),
        min_value=1,
        max_value=60,
    )
    coming_up_days = forms.IntegerField(
        label=_("show important dates coming up this many days ahead"),
        help_text=_(
            "On Today's “Coming up” and the customer's card. 28 for a yearly check that is "
            "booked weeks before."
        ),
        min_value=1,
        max_value=60,
    )
    staff_see_amounts = forms.BooleanField(
        label=_("staff see amounts and customer value"),
        help_text=_(
            "Off: only owners see what customers spent in total, their customer value, "
            "probability alive and segment, and the insights; also not on a tablet at the desk "
            "that a customer can read. Each purchase's own amount stays in view: it is the "
            "customer's history."
        ),
        required=False,
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = _closed_days_without_times(data, self.base_fields, prefix=kwargs.get("prefix"))
        super().__init__(data, *args, **kwargs)

    @classmethod
    def initial_from(cls, settings: CareSettings) -> dict:
        initial = {
            name: getattr(settings, name) for name in cls.base_fields if hasattr(settings, name)
        }
        for key, hours in zip(WEEKDAY_KEYS, settings.opening_hours, strict=True):
            initial[f"{key}_closed"] = hours is None
            for name in DAY_TIMES:
                initial[f"{key}_{name}"] = getattr(hours, name) if hours is not None else None
        minimum = settings.aftercare_purchase_min_cents
        initial["aftercare_purchase_min"] = (
            cents_for_typing(minimum, language=get_language() or "nl")
            if minimum is not None
            else ""
        )
        return initial

    def day_rows(self) -> list[tuple[str, str, forms.BoundField, list[forms.BoundField]]]:
        """The opening hours as the page shows them: a row a weekday, Monday first, with its
        key, its name, its "closed" and its times (DAY_TIMES)."""
        return [
            (key, day, self[f"{key}_closed"], [self[f"{key}_{name}"] for name in DAY_TIMES])
            for key, day in zip(WEEKDAY_KEYS, WEEKDAY_NAMES, strict=True)
        ]

    def clean(self):
        cleaned = super().clean()
        # A day not marked closed needs both its times; which of them is later is the
        # service's to judge (care_settings_update), as it is for the API.
        for key, day in zip(WEEKDAY_KEYS, WEEKDAY_NAMES, strict=True):
            if cleaned.get(f"{key}_closed"):
                continue
            for name, message in (
                (f"{key}_opens", _("Fill in when you open on %(day)s, or tick “closed”.")),
                (f"{key}_closes", _("Fill in when you close on %(day)s, or tick “closed”.")),
            ):
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(
                        name, forms.ValidationError(message, code="required", params={"day": day})
                    )
            # A break is both its times or neither.
            starts, ends = f"{key}_break_starts", f"{key}_break_ends"
            for name, other, message in (
                (starts, ends, _("Fill in when the break on %(day)s starts, or empty both.")),
                (ends, starts, _("Fill in when the break on %(day)s ends, or empty both.")),
            ):
                half = cleaned.get(name) is None and cleaned.get(other) is not None
                if half and name not in self.errors:
                    self.add_error(
                        name, forms.ValidationError(message, code="required", params={"day": day})
                    )
        return cleaned

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        values["aftercare_purchase_min_cents"] = values.pop("aftercare_purchase_min")
        week = []
        for key in WEEKDAY_KEYS:
            closed = values.pop(f"{key}_closed")
            times = tuple(values.pop(f"{key}_{name}") for name in DAY_TIMES)
            week.append(None if closed else times)
        values["opening_hours"] = week
        return values


class PurchaseRuleForm(forms.Form):
    """One rule for a kind of purchase on the settings page. Its fields are optional so that
    an empty row (for a new rule) is left out; a row half filled in says what it lacks."""

    words = forms.CharField(
        label=_("when the purchase mentions"),
        required=False,
        max_length=500,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": _("e.g. treatment, service")}
        ),
    )
    days = forms.IntegerField(
        label=_("follow up after (days)"), required=False, min_value=0, max_value=365
    )
    ask = forms.CharField(
        label=_("what to ask"),
        required=False,
        max_length=MAX_RULE_ASK_LENGTH,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": _("e.g. Ask whether everything is still all right"),
            }
        ),
    )
    remove = forms.BooleanField(label=_("remove this rule"), required=False)

    def clean(self):
        values = super().clean()
        if self.left_out:
            # A row being removed need not be right: what was typed in it goes with it.
            self._errors.clear()
            return values
        if "words" in values and not purchase_rule_words(values["words"]):
            values["words"] = ""  # only commas and spaces: no word, said at the row
        for name, message in (
            ("words", _("Give at least one word.")),
            ("days", _("Say after how many days.")),
            ("ask", _("Say what to ask the customer.")),
        ):
            if values.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, message)
        return values

    @property
    def left_out(self) -> bool:
        """Ticked "remove", or nothing typed in it: not a rule."""
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("remove")) or not any(
            str(self.data.get(self.add_prefix(name), "")).strip()
            for name in ("words", "days", "ask")
        )


class _PurchaseRuleRows(forms.BaseFormSet):
    def rules(self) -> list[dict]:
        """The rules as the service takes them (core.care_settings.care_settings_update)."""
        return [
            {name: form.cleaned_data[name] for name in ("words", "days", "ask")}
            for form in self.forms
            if not form.left_out
        ]


# The rules shown with two empty rows to add one without JavaScript: a saved page shows two
# new ones again, up to the limit the service keeps.
PurchaseRuleFormSet = forms.formset_factory(
    PurchaseRuleForm,
    formset=_PurchaseRuleRows,
    extra=2,
    max_num=MAX_PURCHASE_RULES,
    absolute_max=MAX_PURCHASE_RULES,
    validate_max=True,
)


def purchase_rule_rows(settings: CareSettings, data=None) -> _PurchaseRuleRows:
    """The settings page's rows of rules for a kind of purchase, filled from `settings`. A
    post without them (a page opened before they were on it) leaves the rules as they are."""
    if data is not None and "rule-TOTAL_FORMS" not in data:
        data = None
    return PurchaseRuleFormSet(
        data,
        prefix="rule",
        initial=[
            {"words": ", ".join(rule.words), "days": rule.days, "ask": rule.ask}
            for rule in settings.aftercare_purchase_rules
        ],
    )


class ClosedPeriodForm(forms.Form):
    """A period the shop is closed, on the closed days page: its first day, its last (the
    same day when empty: Christmas Day alone), and why."""

    first = forms.DateField(
        label=CLOSED_PERIOD_FIELD_NAMES["first"],
        widget=DateInput(),
        error_messages={"required": _("Give the first day the shop is closed.")},
    )
    last = forms.DateField(
        label=CLOSED_PERIOD_FIELD_NAMES["last"],
        widget=DateInput(),
        required=False,
        help_text=_("Empty for a single day."),
    )
    reason = forms.CharField(
        label=CLOSED_PERIOD_FIELD_NAMES["reason"],
        required=False,
        max_length=MAX_CLOSED_REASON_LENGTH,
        help_text=_("Said where a promise or a call falls on it, such as “Christmas”."),
    )

    def service_values(self) -> dict:
        """As closed_period_add takes them: `last` None for a single day."""
        values = self.cleaned_data
        return {"first": values["first"], "last": values["last"], "reason": values["reason"]}
