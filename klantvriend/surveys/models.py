"""Surveys: one definition per business, personal invitations, and the answers.

What is measured (PRODUCT.md, idea 7): the Net Promoter Score question (0-10) and the five
drivers of customer satisfaction, each on a 1-5 scale, plus an open comment."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klantvriend.core.models import BusinessOwned

NPS_MIN, NPS_MAX = 0, 10
DRIVER_MIN, DRIVER_MAX = 1, 5
PROMOTER_MIN = 9  # 9 and 10
# A promoter (an ambassador, as are those who referred others) is a customer whose latest answer
# within this window is a 9 or 10: one who has since scored lower, or not answered for a year, is not.
PROMOTER_WINDOW = timedelta(days=365)
DETRACTOR_MAX = 6  # 0 to 6
# A driver scored this or lower is what the customer was unhappy about: the complaint made from
# their answer is filed under the weakest of them, and the owner sees them where he acts on it.
LOW_DRIVER_MAX = 2


class DriverName(models.TextChoices):
    CERTAINTY = "certainty", _("certainty")
    FLEXIBILITY = "flexibility", _("flexibility")
    RELIABILITY = "reliability", _("reliability")
    CUSTOMISATION = "customisation", _("customisation")
    COMPLAINT_HANDLING = "complaint_handling", _("complaint handling")


DRIVERS: tuple[str, ...] = tuple(DriverName.values)
QUESTION_KEYS: tuple[str, ...] = ("nps", *DRIVERS, "comment")
SURVEY_LANGUAGES = ("nl", "en")
# The language a customer answered in, named for the shop (the personal-data overview).
SURVEY_LANGUAGE_CHOICES = [("nl", _("Dutch")), ("en", _("English"))]

# The texts a new survey starts with; the owner may reword every one of them, in both languages.
DEFAULT_QUESTIONS: dict[str, dict[str, str]] = {
    "nps": {
        "nl": "Hoe waarschijnlijk is het dat u ons aanbeveelt bij vrienden, familie of collega's?",
        "en": "How likely are you to recommend us to friends, family or colleagues?",
    },
    "certainty": {
        "nl": "U wist vooraf waar u aan toe was (prijs, tijd, resultaat).",
        "en": "You knew in advance what to expect (price, time, result).",
    },
    "flexibility": {
        "nl": "We gingen flexibel om met uw wensen.",
        "en": "We were flexible about your wishes.",
    },
    "reliability": {
        "nl": "We deden wat we beloofden, op tijd.",
        "en": "We did what we promised, on time.",
    },
    "customisation": {
        "nl": "We hebben het afgestemd op u persoonlijk.",
        "en": "We tailored it to you personally.",
    },
    "complaint_handling": {
        "nl": "Als er iets misging, losten we het snel en goed op.",
        "en": "When something went wrong, we put it right quickly and well.",
    },
    "comment": {
        "nl": "Wat kunnen we beter doen? Of wat deden we goed?",
        "en": "What could we do better? Or what did we do well?",
    },
}


class Survey(BusinessOwned):
    """The business's one survey: its question texts and the invitation rules."""

    questions = models.JSONField(_("questions"), default=dict, blank=True)
    # Never more than one invitation per customer within this many days.
    invitation_interval_days = models.PositiveSmallIntegerField(
        _("days between invitations to the same customer"), default=90
    )
    invitation_valid_days = models.PositiveSmallIntegerField(
        _("days an invitation link stays valid"), default=14
    )
    invite_after_delivery = models.BooleanField(_("invite after a kept delivery"), default=True)
    invite_after_complaint = models.BooleanField(
        _("invite after a resolved complaint"), default=True
    )
    # Off until the owner turns it on: a shop, a salon or a restaurant has no delivery to
    # invite after, and was told to "send the survey after a purchase" by hand.
    invite_after_purchase = models.BooleanField(_("invite after a purchase"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(fields=["business"], name="survey_one_per_business"),
            models.CheckConstraint(
                condition=models.Q(invitation_valid_days__gte=1),
                name="survey_valid_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Survey"))

    def question(self, key: str, language: str) -> str:
        language = language if language in SURVEY_LANGUAGES else "nl"
        stored = (self.questions or {}).get(key) or {}
        return stored.get(language) or DEFAULT_QUESTIONS[key][language]


class InvitationChannel(models.TextChoices):
    EMAIL = "email", _("email")
    COUNTER = "counter", _("QR code at the counter")
    LINK = "link", _("link (API)")


class InvitationTrigger(models.TextChoices):
    DELIVERY = "delivery", _("after a kept delivery")
    COMPLAINT = "complaint", _("after a resolved complaint")
    PURCHASE = "purchase", _("after a purchase")
    MANUAL = "manual", _("by hand")
    # A survey round: the owner invited every customer who may be e-mailed at once.
    ROUND = "round", _("in a survey round")


class SendFailure(models.TextChoices):
    """Why an invitation's email did not go out: the relay said no at once. A bounce that
    arrives later, by mail to the sender, is not seen here."""

    REFUSED = "refused", _("the mail server refused the address")
    UNREACHABLE = "unreachable", _("the mail server could not be reached")


class SurveyInvitation(BusinessOwned):
    """A personal, single-use, expiring link to the survey. Only a SHA-256 hash of its secret is
    stored: the link can be shown or sent once, and a database leak reveals no usable link."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="survey_invitations",
    )
    # Invited (at the counter, by e-mail or after a delivery or complaint) or answered.
    activity_fields = ("created_at", "answered_at")
    channel = models.CharField(_("sent by"), max_length=10, choices=InvitationChannel.choices)
    trigger = models.CharField(
        _("occasion"),
        max_length=10,
        choices=InvitationTrigger.choices,
        default=InvitationTrigger.MANUAL,
    )
    token_hash = models.CharField(
        _("link code (hashed)"), max_length=64, unique=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The kept delivery it was sent after (InvitationTrigger.DELIVERY): an undo of that "Done"
    # withdraws it while it is not answered (services.survey_invitation_withdraw_for_promise).
    promise = models.ForeignKey(
        "promises.Promise",
        verbose_name=_("promise"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="survey_invitations",
    )
    # Withdrawn: not sent if it was not yet, its link answers that it was withdrawn, and it
    # counts for nothing (not for the interval between invitations, not as sent). Never set on
    # an answered invitation: an answer stays (the withdrawal and the answer lock the row).
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)
    # Why its email could not be sent, if that is why it was withdrawn: its link reached no one
    # and, the key being stored only as a hash, cannot be sent again; a new invitation can.
    send_failure = models.CharField(
        _("email not sent"),
        max_length=12,
        choices=SendFailure.choices,
        blank=True,
        default="",
        editable=False,
    )

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="invitation_customer_created"),
            models.Index(fields=["business", "created_at"], name="invitation_business_created"),
            # The invitations sent that stand (every invitation but the few withdrawn), which
            # the list of invitations pages through: it holds what the list filters them by
            # (the channel, answered or not, expired or not), so that a page's ids are read
            # from it alone; the id right after the moment keeps the newest-first list in its
            # order. They are counted from their days kept (InvitationDay), where counting them
            # from this index took PostgreSQL 14 to 22 ms for a year at 100,000 customers.
            # withdrawn_at, always empty here, is in it because SQLite reads only the index
            # when it holds every column a query names, the partial condition's too.
            models.Index(
                fields=[
                    "business",
                    "created_at",
                    "id",
                    "channel",
                    "answered_at",
                    "expires_at",
                    "withdrawn_at",
                ],
                condition=models.Q(withdrawn_at__isnull=True),
                name="invitation_standing_states",
            ),
            # The few withdrawn, counted and listed without reading the others.
            models.Index(
                fields=["business", "created_at", "id", "withdrawn_at"],
                condition=models.Q(withdrawn_at__isnull=False),
                name="invitation_withdrawn_created",
            ),
            # The unanswered ones by the moment they expire: the list of invitations counts
            # those still open (2,300 of 112,000 at 100,000 customers) from the end of this
            # index, where every standing one was read. The moment made and the channel, which
            # the list filters them by, and the condition's columns make it all SQLite reads.
            models.Index(
                fields=[
                    "business",
                    "expires_at",
                    "created_at",
                    "channel",
                    "answered_at",
                    "withdrawn_at",
                ],
                condition=models.Q(answered_at__isnull=True, withdrawn_at__isnull=True),
                name="invitation_unanswered_expiry",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=InvitationChannel.values),
                name="invitation_channel_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(trigger__in=InvitationTrigger.values),
                name="invitation_trigger_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.created_at:%Y-%m-%d}"


def _range(field: str, low: int, high: int, name: str, nullable: bool) -> models.CheckConstraint:
    condition = models.Q(**{f"{field}__gte": low, f"{field}__lte": high})
    if nullable:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)


class SurveyResponse(BusinessOwned):
    """One answered invitation. The one-to-one link makes a second answer impossible even if two
    submissions race; a driver left unanswered ("no opinion") is NULL, not a score."""

    invitation = models.OneToOneField(
        SurveyInvitation,
        verbose_name=_("survey invitation"),
        on_delete=models.CASCADE,
        related_name="response",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    activity_fields = ("answered_at",)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    language = models.CharField(
        _("language"), max_length=5, choices=SURVEY_LANGUAGE_CHOICES, default="nl"
    )
    nps = models.PositiveSmallIntegerField(_("recommendation (0-10)"))
    certainty = models.PositiveSmallIntegerField(_("certainty"), null=True, blank=True)
    flexibility = models.PositiveSmallIntegerField(_("flexibility"), null=True, blank=True)
    reliability = models.PositiveSmallIntegerField(_("reliability"), null=True, blank=True)
    customisation = models.PositiveSmallIntegerField(_("customisation"), null=True, blank=True)
    complaint_handling = models.PositiveSmallIntegerField(
        _("complaint handling"), null=True, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    # What the answer set in motion for the owner: a follow-up (detractor) or a complaint.
    follow_up = models.OneToOneField(
        "aftercare.FollowUp",
        verbose_name=_("follow-up"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_response",
    )
    complaint = models.OneToOneField(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_response",
    )

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["-answered_at", "-id"]
        indexes = [
            # The results page aggregates a year of answers per business: with the scores in the
            # index both databases read only the index, no rows. The id right after answered_at
            # keeps the newest-first lists (answered_at, id) in index order, without a sort.
            models.Index(
                fields=["business", "answered_at", "id", "nps", *DRIVERS],
                name="response_business_scores",
            ),
            models.Index(fields=["customer", "answered_at"], name="response_customer_answered"),
        ]
        constraints = [
            _range("nps", NPS_MIN, NPS_MAX, "response_nps_range", nullable=False),
            *[
                _range(name, DRIVER_MIN, DRIVER_MAX, f"response_{name}_range", nullable=True)
                for name in DRIVERS
            ],
        ]

    def __str__(self) -> str:
        return f"NPS {self.nps} ({self.answered_at:%Y-%m-%d})"

    @property
    def category(self) -> str:
        return nps_category(self.nps)

    @property
    def low_drivers(self) -> list[tuple[str, int]]:
        """The drivers scored LOW_DRIVER_MAX or lower, each with its label (in the active
        language) and score, in the order of the questions."""
        labels = dict(DriverName.choices)
        return [
            (str(labels[name]), score)
            for name in DRIVERS
            if (score := getattr(self, name)) is not None and score <= LOW_DRIVER_MAX
        ]


def nps_category(score: int) -> str:
    if score >= PROMOTER_MIN:
        return "promoter"
    if score <= DETRACTOR_MAX:
        return "detractor"
    return "passive"


class InvitationDay(models.Model):
    """The invitations made on one UTC day by one channel, counted: how many stand, how many of
    those were answered, how many were withdrawn (what surveys.selectors counts of the
    invitations themselves). Kept by triggers on the invitations (migration 0009). The survey
    results and the list of invitations count a year of them, 112,000 at 100,000 customers (15
    to 20 ms of PostgreSQL's time however it read them, by the index alone or the table); they
    add up these rows for the whole days of a period and count only the invitations of its
    first and last day, which a moment cuts (as SurveyDay). A day whose invitations were all
    removed keeps its row, at zero."""

    business = models.ForeignKey(
        "core.Business", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    channel = models.CharField(max_length=10)
    standing = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["business", "day", "channel"], name="invitation_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.standing}"


class SurveyDay(models.Model):
    """The answers of one UTC day with one recommendation score, counted: how many, and per
    driver the sum and the number of its scores (what surveys.selectors._per_score counts of
    the answers themselves). Kept by triggers on the answers (migration 0007). The scorecard's
    drivers and the results page read a year of answers, 61,000 of them at 100,000 customers
    (33 ms in SQLite); they add up these rows for the whole days of a period and count only
    the answers of its first and last day, which a moment cuts. UTC days: a period begins at
    any moment, and UTC has no days of 23 or 25 hours. A day whose answers were all removed
    keeps its row, at zero."""

    business = models.ForeignKey(
        "core.Business", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    nps = models.PositiveSmallIntegerField()
    answers = models.IntegerField(default=0)
    certainty_sum = models.IntegerField(default=0)
    certainty_n = models.IntegerField(default=0)
    flexibility_sum = models.IntegerField(default=0)
    flexibility_n = models.IntegerField(default=0)
    reliability_sum = models.IntegerField(default=0)
    reliability_n = models.IntegerField(default=0)
    customisation_sum = models.IntegerField(default=0)
    customisation_n = models.IntegerField(default=0)
    complaint_handling_sum = models.IntegerField(default=0)
    complaint_handling_n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "day", "nps"], name="survey_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} NPS {self.nps}: {self.answers}"
