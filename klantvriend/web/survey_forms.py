"""Forms of the survey pages: the public answer form and the owner's survey settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from klantvriend.surveys.models import (
    DEFAULT_QUESTIONS,
    DRIVERS,
    QUESTION_KEYS,
    SURVEY_LANGUAGES,
    DriverName,
    InvitationChannel,
)
from klantvriend.surveys.services import COMMENT_MAX

from .forms import OwnIds

NPS_CHOICES = [(str(score), str(score)) for score in range(0, 11)]
DRIVER_CHOICES = [(str(score), str(score)) for score in range(1, 6)] + [("", _("no opinion"))]


class UnchosenRadioSelect(forms.RadioSelect):
    """Radio buttons of which none is checked until the customer checks one. Django checks the
    option whose value is "" for a field without a value, which opened every driver with "no
    opinion" chosen, like an answer given; no choice still means no opinion (NULL)."""

    def format_value(self, value):
        return [] if value is None else super().format_value(value)


class SurveyAnswerForm(forms.Form):
    """Only collects the raw answers; the service checks ranges, so a hand-made request with a
    score of 11 gets the same refusal as the API."""

    nps = forms.ChoiceField(
        choices=NPS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 0 to 10.")},
    )
    # The service's limit, so that the phone stops the typing there instead of a refusal after
    # sending, which the customer may not see.
    comment = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX})
    )

    def __init__(self, *args, survey, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nps"].label = survey.question("nps", language)
        self.fields["comment"].label = survey.question("comment", language)
        for name in DRIVERS:
            self.fields[name] = forms.ChoiceField(
                label=survey.question(name, language),
                choices=DRIVER_CHOICES,
                widget=UnchosenRadioSelect,
                required=False,
            )
        # Allow any submitted value through to the service, which gives the real message.
        for name in ("nps", *DRIVERS):
            self.fields[name].valid_value = lambda value: True  # type: ignore[method-assign]

    def driver_fields(self):
        return [self[name] for name in DRIVERS]


class SurveyInviteForm(OwnIds, forms.Form):
    id_prefix = "survey-invite"

    channel = forms.ChoiceField(
        label=_("how"),
        choices=[
            (InvitationChannel.COUNTER, _("show a QR code now")),
            (InvitationChannel.EMAIL, _("send by email")),
        ],
        initial=InvitationChannel.COUNTER,
        widget=forms.RadioSelect,
    )


class SurveySettingsForm(forms.Form):
    invitation_interval_days = forms.IntegerField(
        label=_("Days between invitations to the same customer"), min_value=0, max_value=3650
    )
    invitation_valid_days = forms.IntegerField(
        label=_("Days an invitation link stays valid"), min_value=1, max_value=365
    )
    invite_after_delivery = forms.BooleanField(
        label=_("Invite by email after a kept delivery (with consent)"), required=False
    )
    invite_after_complaint = forms.BooleanField(
        label=_("Invite by email after a resolved complaint (with consent)"), required=False
    )
    invite_after_purchase = forms.BooleanField(
        label=_("Invite by email after a purchase (with consent)"),
        required=False,
        help_text=_(
            "After a purchase recorded on the card, at the counter or by the till, at most "
            "once in the days between invitations above."
        ),
    )

    QUESTION_LABELS = {
        "nps": _("Recommendation (0-10)"),
        **{name: label for name, label in DriverName.choices},
        "comment": _("Open comment"),
    }

    def __init__(self, *args, survey, **kwargs):
        initial = {
            "invitation_interval_days": survey.invitation_interval_days,
            "invitation_valid_days": survey.invitation_valid_days,
            "invite_after_delivery": survey.invite_after_delivery,
            "invite_after_complaint": survey.invite_after_complaint,
            "invite_after_purchase": survey.invite_after_purchase,
        }
        for key in QUESTION_KEYS:
            for language in SURVEY_LANGUAGES:
                initial[f"{key}_{language}"] = survey.question(key, language)
        super().__init__(*args, initial=initial, **kwargs)
        for key in QUESTION_KEYS:
            for language in SURVEY_LANGUAGES:
                self.fields[f"{key}_{language}"] = forms.CharField(
                    label=f"{self.QUESTION_LABELS[key]} ({language.upper()})",
                    max_length=300,
                    required=False,
                    help_text=_("Empty: the standard text.") if language == "nl" else "",
                    # Read whole, as the customer will: in one line a question was cut off
                    # ("Hoe waarschijnlijk is het dat u ons aanbevee…"). Three rows hold
                    # every standard question on a 390 px phone; a longer text grows the
                    # box where the browser can (surveys.css).
                    widget=forms.Textarea(
                        attrs={"lang": language, "rows": 3, "class": "question-text"}
                    ),
                )

    def question_rows(self):
        return [
            (self.QUESTION_LABELS[key], [self[f"{key}_{lang}"] for lang in SURVEY_LANGUAGES])
            for key in QUESTION_KEYS
        ]

    def questions(self) -> dict[str, dict[str, str]]:
        # A question is one line on the survey page: a line break typed into its box would be
        # shown as a space there and kept the text from matching the standard one.
        return {
            key: {
                lang: " ".join(self.cleaned_data[f"{key}_{lang}"].split())
                for lang in SURVEY_LANGUAGES
            }
            for key in QUESTION_KEYS
        }


__all__ = ["DEFAULT_QUESTIONS", "SurveyAnswerForm", "SurveyInviteForm", "SurveySettingsForm"]
