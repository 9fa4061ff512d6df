import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from klantvriend.core.models import BusinessOwned, WrittenTextField
from klantvriend.promises.models import PromiseKind


class Reason(models.TextChoices):
    DELIVERY = "delivery", _("after a delivery")
    REPAIR = "repair", _("after a repair")
    COMPLAINT = "complaint", _("after a complaint")
    PURCHASE = "purchase", _("after a purchase")
    MANUAL = "manual", _("planned by hand")
    # A call planned with one click for a customer slipping away or who stayed away (Today,
    # the list of a segment that stayed away): by a person, as one planned by hand.
    WIN_BACK = "win_back", _("to win them back")
    REFERRAL = "referral", _("to thank for a referral")
    SURVEY = "survey", _("after a survey answer")
    # A sales question rather than aftercare: has the customer decided on the quote they were
    # sent? Not judged by the aftercare figure, and closed by the decision (QUOTE_OUTCOMES).
    QUOTE = "quote", _("after a quote")


# The follow-ups the aftercare figure judges by the day they are planned for
# (selectors.follow_up_coverage_events): once that day has passed, it stays
# (services.follow_up_update).
JUDGED_REASONS = frozenset({Reason.DELIVERY, Reason.REPAIR, Reason.COMPLAINT})
# The follow-ups a person plans (the others Klantvriend plans itself): recorded as created, not
# planned, and never for a day already past.
BY_HAND = frozenset({Reason.MANUAL, Reason.WIN_BACK})


class Outcome(models.TextChoices):
    CONTENT = "content", _("content")
    NOT_CONTENT = "not_content", _("not content")
    ACCEPTED = "accepted", _("quote accepted")
    DECLINED = "declined", _("quote declined")
    THANKED = "thanked", _("thanked")
    # Closed without asking, as asking would be wrong or pointless: the flowers were for a
    # funeral, the customer came by and said so already, moved away. Neither content nor not:
    # the aftercare figure leaves it out (selectors._judged_events).
    NOT_NEEDED = "not_needed", _("not needed")


# The outcomes that close a follow-up, the good one first: the customer's decision on a quote;
# for a referrer, that they were thanked (asking whether they are content after a thank-you
# made no sense); else whether the customer is content (not content opens a complaint).
QUOTE_OUTCOMES = (Outcome.ACCEPTED, Outcome.DECLINED)
THANKS_OUTCOMES = (Outcome.THANKED,)
CARE_OUTCOMES = (Outcome.CONTENT, Outcome.NOT_CONTENT)


def closing_outcomes(reason: str) -> tuple[Outcome, ...]:
    if reason == Reason.QUOTE:
        return QUOTE_OUTCOMES
    return THANKS_OUTCOMES if reason == Reason.REFERRAL else CARE_OUTCOMES


# The promises a rule follows up once kept: per kind, the follow-up's reason and the care setting
# that gives the days after the day it was kept (None there switches the rule off).
PROMISE_RULES: dict[str, tuple[Reason, str]] = {
    PromiseKind.DELIVERY: (Reason.DELIVERY, "aftercare_delivery_days"),
    PromiseKind.REPAIR: (Reason.REPAIR, "aftercare_repair_days"),
    PromiseKind.QUOTE: (Reason.QUOTE, "aftercare_quote_days"),
}


# The longest question a follow-up holds (FollowUp.note).
NOTE_LENGTH = 300


def shortened(text: str, length: int) -> str:
    """`text` in at most `length` characters: whole where it fits, else cut after its last
    whole word that leaves room for "…" (a word is cut only when it alone is longer), as a
    note quoting "Nieuwe kozijnen, geleverd en gepl…" reads as a typo."""
    if len(text) <= length:
        return text
    kept = text[: length - 1]
    if not text[length - 1].isspace() and " " in kept.strip():
        kept = kept[: kept.rstrip().rfind(" ")]
    return kept.rstrip(" ,;:-") + "…"


def question_about(question: str, what: str) -> str:
    """`question` (with %(what)s) about `what`, shortened with "…" where the whole would not
    fit a follow-up's note: a promise or purchase described in 300 characters is asked about
    in a sentence around it."""
    room = NOTE_LENGTH - len(question % {"what": ""})
    return question % {"what": shortened(what, room)}


class Question(models.TextChoices):
    """The questions Klantvriend's own rules ask in the follow-ups they plan
    (FollowUp.question). The follow-up keeps which one and what it is about, so that every
    reader sees it in their own language (FollowUp.asks): an English-reading assistant in a
    Dutch shop read "Was alles naar wens: Buffet?" on Today. A person's own words are kept as
    they wrote them (a question of the owner's purchase rule, a note reworded)."""

    AFTER_KEPT = "after_kept", _("after a kept promise")
    QUOTE = "quote", _("after a quote")
    COMPLAINT = "complaint", _("after a complaint")
    PURCHASE = "purchase", _("after a purchase")
    REFERRAL = "referral", _("to thank for a referral")
    REFERRAL_FIRST_PURCHASE = "referral_first_purchase", _("to thank for a first purchase")


# Each question's words, with "%(what)s" (shortened to fit a note) or "%(name)s" (a customer's
# name) for what it is about; marked for translation and translated as read.
QUESTION_WORDS = {
    Question.AFTER_KEPT: gettext_noop("Is everything all right after: %(what)s?"),
    Question.QUOTE: gettext_noop("Has the customer decided on the quote: %(what)s?"),
    Question.COMPLAINT: gettext_noop(
        "Is the customer content again after the complaint “%(what)s”?"
    ),
    Question.PURCHASE: gettext_noop("Was everything to their liking: %(what)s?"),
    Question.REFERRAL: gettext_noop("Thank them for referring %(name)s."),
    Question.REFERRAL_FIRST_PURCHASE: gettext_noop(
        "Thank them for referring %(name)s, who just made a first purchase."
    ),
}


def question_written(question: str, about: str) -> str:
    """`question` about `about`, in the active language: a purchase without a description is
    "their purchase"."""
    words = gettext(QUESTION_WORDS[question])
    if "%(name)s" in words:
        return words % {"name": about}
    if question == Question.PURCHASE and not about:
        about = gettext("their purchase")
    return question_about(words, about)


def asked_fields(question: Question, about: str) -> dict[str, str]:
    """The fields of a follow-up that asks Klantvriend's `question` about `about`: the note in
    the active language (the shop's, as the rules write it), and which question it is, which
    every reader reads in their own (FollowUp.asks)."""
    return {
        "note": question_written(question, about),
        "question": question,
        "question_about": about,
    }


def promise_question(*, kind: str, description: str) -> tuple[Question, str]:
    """What the rule's follow-up after a kept promise asks, and about what."""
    question = Question.QUOTE if kind == PromiseKind.QUOTE else Question.AFTER_KEPT
    return question, shortened(description.rstrip(".!? "), NOTE_LENGTH)


def complaint_quoted(description: str) -> str:
    """The complaint as a follow-up's note quotes it: its first sentence or line, at most 120
    characters, shortened at a word with "…", without its closing mark, as the note ends in a
    question mark. A complaint told at length ("Kras op de linker voordeur. Klant ontdekte het
    thuis en belde boos.") was pasted whole into the question."""
    first = re.split(r"(?<=[.!?])\s+|\n", description.strip(), maxsplit=1)[0]
    return shortened(first.rstrip(".!? "), 120)


class FollowUp(BusinessOwned):
    """A planned check with the customer after something ended: is everything all right?

    "Not reached" is not an outcome: the follow-up is planned again and `attempts` counts the
    tries, so one follow-up stays one row however often the customer did not answer."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    # Planned for a recent or coming day, or done recently: the business is (or was) in touch.
    activity_fields = ("due_on", "done_at")
    reason = models.CharField(
        _("reason"), max_length=20, choices=Reason.choices, default=Reason.MANUAL
    )
    note = models.CharField(_("what to ask"), max_length=NOTE_LENGTH)
    # Which of Klantvriend's questions the note is, and about what ("" for a person's words):
    # the note holds it in the shop's language, `asks` in the reader's.
    question = models.CharField(_("question"), max_length=30, choices=Question.choices, blank=True)
    question_about = models.CharField(_("asked about"), max_length=NOTE_LENGTH, blank=True)
    due_on = models.DateField(_("planned for"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the follow-up is about; one follow-up per promise, complaint or purchase, so a rule
    # that runs twice plans once.
    promise = models.OneToOneField(
        "promises.Promise",
        verbose_name=_("promise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_up",
    )
    complaint = models.OneToOneField(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_up",
    )
    purchase = models.OneToOneField(
        "customers.Purchase",
        verbose_name=_("purchase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_up",
    )
    # A thank-you to the referrer for this customer's first purchase: one per referred customer.
    referred_customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("referred customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referral_thanks",
    )
    attempts = models.PositiveSmallIntegerField(_("times not reached"), default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = WrittenTextField(_("what the customer said"), blank=True)
    raised_complaint = models.OneToOneField(
        "complaints.Complaint",
        verbose_name=_("complaint raised"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raised_by_follow_up",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["business", "done_at", "due_on"], name="followup_business_due"),
            models.Index(fields=["customer", "due_on"], name="followup_customer_due"),
            # "Does this customer have a follow-up open?" (Today's customers slipping away).
            models.Index(
                fields=["customer"],
                condition=models.Q(done_at__isnull=True),
                name="followup_customer_open",
            ),
            # What the customers decided on quotes (selectors.quote_decisions, the promise
            # page): the few quote follow-ups of a year, not every follow-up of the business
            # (7 ms of the page at 16,000 follow-ups, read whole on SQLite).
            models.Index(
                fields=["business", "due_on"],
                condition=models.Q(reason=Reason.QUOTE),
                name="followup_quote_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reason__in=Reason.values), name="followup_reason_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(question__in=["", *Question.values]),
                name="followup_question_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(note=""),
                name="followup_note_not_empty",
                violation_error_message=_("Say what to ask the customer."),
            ),
            models.CheckConstraint(
                condition=models.Q(done_at__isnull=True, outcome="")
                | models.Q(done_at__isnull=False, outcome__in=Outcome.values),
                name="followup_done_has_outcome",
                violation_error_message=_("A finished follow-up needs its outcome."),
            ),
        ]

    def __str__(self) -> str:
        return self.note

    @property
    def asks(self) -> str:
        """What to ask, as the reader reads it: Klantvriend's question in the active language,
        else the note as written."""
        if self.question:
            return question_written(self.question, self.question_about)
        return self.note

    @property
    def survey_answer(self):
        """The survey answer this follow-up was brought forward for, where its note does not
        say it (a check after a complaint or a call after a job, surveys.services.
        _pass_to_owner), or None; read with the follow-up (select_related("survey_response"))
        on the lists that show it."""
        if self.reason == Reason.SURVEY:
            return None
        return getattr(self, "survey_response", None)

    @property
    def quotes_its_promise(self) -> bool:
        """Whether the note already says which promise it follows (as the rules write it,
        without the description's closing full stop), so that a list need not say it again."""
        return self.promise is not None and (self.promise.description.rstrip(".!? ") in self.asks)

    @property
    def closing_outcomes(self) -> tuple[Outcome, ...]:
        return closing_outcomes(self.reason)

    @property
    def asks_for_a_decision(self) -> bool:
        """Whether this follow-up asks about a quote (accepted, declined, still deciding)."""
        return self.reason == Reason.QUOTE

    @property
    def purchase_unquoted(self) -> str:
        """The description of the purchase this follow-up is about where its note does not say
        it (a rule for a kind of purchase asks its own question: "Vragen hoe de kleur houdt"),
        so that the caller knows which visit it was; "" otherwise."""
        if self.purchase_id is None or not self.purchase.description:
            return ""
        description = self.purchase.description
        return "" if description.rstrip(".!? ") in self.asks else description

    @property
    def quotes_its_complaint(self) -> bool:
        """Whether the note already says which complaint it follows, so that a list need not
        say it again: "… after the complaint: Buffet te laat? · after a complaint: Buffet te
        laat." repeated it, the note quoting it without its full stop."""
        return self.complaint is not None and complaint_quoted(self.complaint.description) in (
            self.asks
        )
