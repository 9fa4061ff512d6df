import functools
import operator
from datetime import date, datetime, time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klantvriend.core.db import SecondsBetween
from klantvriend.core.models import BusinessOwned

# A promise "for Friday" is due at the end of Friday in the business's time zone.
END_OF_DAY = time(23, 59, 59)


def due_moment_for_day(*, business, day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=business.tzinfo)


class PromiseKind(models.TextChoices):
    DELIVERY = "delivery", _("delivery")
    CALLBACK = "callback", _("callback")
    REPAIR = "repair", _("repair")
    QUOTE = "quote", _("quote")
    ORDER_READY = "order_ready", _("order ready")
    OTHER = "other", _("other")


# How often a standing arrangement comes back, in weeks (0: once): a weekly order at the
# butcher's, a delivery every fortnight, a cut every six weeks. A week keeps the weekday the
# customer and the shop know it by.
REPEAT_WEEKS = (0, 1, 2, 3, 4, 6, 8, 13)
REPEAT_CHOICES = [
    (0, _("does not repeat")),
    (1, _("every week")),
    (2, _("every 2 weeks")),
    (3, _("every 3 weeks")),
    (4, _("every 4 weeks")),
    (6, _("every 6 weeks")),
    (8, _("every 8 weeks")),
    (13, _("every 13 weeks")),
]
# Or in months, on the same day of the month (a month's last day stays its last: services.
# _next_due): an office's quarterly VAT return, due at the end of the month after a quarter,
# drifted a day a quarter at 13 weeks; a garage's yearly MOT, a monthly subscription.
REPEAT_MONTHS = (0, 1, 3, 6, 12)
REPEAT_MONTH_CHOICES = [
    (0, _("does not repeat")),
    (1, _("every month")),
    (3, _("every 3 months (a quarter)")),
    (6, _("every 6 months")),
    (12, _("every year")),
]
# Said by the service and by the form alike: only a page of another version or a hand-made
# request sends a value the list lacks.
REPEAT_REFUSED = _(
    "A promise repeats every 1, 2, 3, 4, 6, 8 or 13 weeks, or not (0); not every %(value)s."
)
REPEAT_MONTHS_REFUSED = _(
    "A promise repeats every 1, 3, 6 or 12 months, or not (0); not every %(value)s."
)


def _only(field: str, allowed: tuple[int, ...]) -> models.Q:
    """`field` one of `allowed`. Not "IN (0, 1, ...)": Django reads SQLite's table definition
    split at its commas, and a bare digit between them breaks that reading (a rebuild's
    check)."""
    return functools.reduce(
        operator.and_,
        [~models.Q(**{field: value}) for value in range(max(allowed)) if value not in allowed],
        models.Q(**{f"{field}__lte": max(allowed)}),
    )


class Promise(BusinessOwned):
    """Something promised to a customer, with its due moment and what became of it.

    The status (open, overdue, kept late, broken, ...) is never stored: it follows from these
    moments and the clock (see status.py), so it can never disagree with them. `due_on` and
    `done_on` are the business-local dates of the moments, stored so that "kept early" (done on
    an earlier day than promised) can be filtered in SQL on any database."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="promises",
    )
    # Made, kept or cancelled recently; and a promise due recently or still ahead, because the
    # business still owes the customer something.
    activity_fields = ("made_at", "due_at", "done_at", "cancelled_at")
    description = models.CharField(_("what was promised"), max_length=300)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PromiseKind.choices, default=PromiseKind.OTHER
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    made_at = models.DateTimeField(_("made at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    # A promise for a day ("on Friday") rather than a moment: due at the end of that day.
    due_all_day = models.BooleanField(_("due some time that day"), default=False)
    due_on = models.DateField(_("due on"), editable=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_on = models.DateField(_("kept on"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Whether a delivery kept invites the customer to the survey, where the business invites
    # after deliveries (surveys.services.survey_invite_after_promise): not after flowers for
    # a funeral, or where the shop knows a question would be out of place.
    survey_after_delivery = models.BooleanField(
        _("invite to the survey after the delivery"), default=True
    )
    # Whether keeping it plans the check with the customer that the business's care settings
    # plan after a delivery, a repair or a quote (aftercare.services.follow_up_plan_for_promise):
    # not where the customer said at the counter that all is well, or a call would intrude.
    aftercare_after_kept = models.BooleanField(_("call afterwards to check"), default=True)
    # A standing arrangement: once this one is kept, cancelled or moved, the next is made for
    # the same weekday and time `repeat_weeks` later, or the same day of the month
    # `repeat_months` later (services.promise_repeat; never both), and named here
    # (`repeated_as`; the reverse, `repeat_of`). One open promise carries the arrangement on
    # at a time, so Today lists this week's order, not a year of them.
    # Named apart: a change from one to the other is two changes in the trail.
    repeat_weeks = models.PositiveSmallIntegerField(
        _("repeats in weeks"), choices=REPEAT_CHOICES, default=0
    )
    repeat_months = models.PositiveSmallIntegerField(
        _("repeats in months"), choices=REPEAT_MONTH_CHOICES, default=0
    )
    # The day of the month a monthly arrangement falls on, carried from time to time: a month
    # without it has it on its last day, and the next month on the day again (the 31st: 28
    # February, then 31 March), where each time's own day would drift to the 28th. Set from the
    # due day when the promise repeats in months, or its due day moves; None otherwise.
    repeat_day = models.PositiveSmallIntegerField(
        _("day of the month it repeats on"), null=True, blank=True, editable=False
    )
    repeated_as = models.OneToOneField(
        "self",
        verbose_name=_("next time"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="repeat_of",
    )
    # The promise made for the moment the customer agreed to after this one passed unkept
    # (services.promise_reschedule): this one counts as broken, the successor on its own moment.
    # The reverse, `rescheduled_from`, is the promise a successor replaces (`predecessor`).
    rescheduled_to = models.OneToOneField(
        "self",
        verbose_name=_("moved to"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="rescheduled_from",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["business", "due_at"], name="promise_business_due"),
            # Today's agenda and its counts read only the open promises of a few days.
            models.Index(
                fields=["business", "due_at"],
                condition=models.Q(done_at__isnull=True, cancelled_at__isnull=True),
                name="promise_open_due",
            ),
            models.Index(fields=["business", "kind", "made_at"], name="promise_business_kind"),
            # The promises cancelled on the day a window of the trend begins inside
            # (selectors.promise_trend; the other days are kept in PromiseOutcomeDay).
            models.Index(
                fields=["business", "cancelled_at", "due_at"],
                condition=models.Q(cancelled_at__isnull=False),
                name="promise_cancelled",
            ),
            models.Index(fields=["customer", "due_at"], name="promise_customer_due"),
            # "Does this customer have a promise open?" (Today's customers slipping away, for
            # thousands of customers at once): answered from the index alone.
            models.Index(
                fields=["customer"],
                condition=models.Q(done_at__isnull=True, cancelled_at__isnull=True),
                name="promise_customer_open",
            ),
            # The reliability figures count a year of promises per kind and member: this index
            # holds every column they read, in the order they are grouped in, so the count
            # streams through it without reading the table or sorting (selectors.py).
            models.Index(
                fields=["business", "kind", "made_by", "done_at", "due_at", "cancelled_at"],
                name="promise_reliability",
            ),
            # The lateness percentiles step through a group's late promises from least to most
            # late up to a rank. These small indexes of the late promises are in the order of
            # the same expression (then id), overall and per kind, so no read sorts them; with
            # every column the reads use, PostgreSQL need not visit the table either.
            models.Index(
                models.F("business"),
                SecondsBetween("done_at", "due_at"),
                models.F("id"),
                models.F("done_at"),
                models.F("due_at"),
                models.F("made_by"),
                condition=models.Q(done_at__gt=models.F("due_at")),
                name="promise_late",
            ),
            models.Index(
                models.F("business"),
                models.F("kind"),
                SecondsBetween("done_at", "due_at"),
                models.F("id"),
                models.F("done_at"),
                models.F("due_at"),
                condition=models.Q(done_at__gt=models.F("due_at")),
                name="promise_late_kind",
            ),
            # The chart of promises kept per month counts them per local day done; the
            # aftercare coverage reads the deliveries and repairs done in the last 90 days with
            # their customer (aftercare.selectors.follow_up_coverage_events), from the index
            # alone: SQLite read each of the 18,000 promises done in those days at 100,000
            # customers for its kind (23 → 11 ms).
            models.Index(
                fields=["business", "done_on", "done_at", "due_at", "kind", "customer"],
                name="promise_done_on",
            ),
            # The lists show each promise's predecessor (select_related "rescheduled_from"),
            # found by its successor. The unique index of the one-to-one link serves that on
            # PostgreSQL. SQLite's ANALYZE counts the NULLs of a shop that never moved a promise
            # as one value shared by every promise, and its planner then took that index for
            # useless: Today's two lists read every promise for each row (104 and 135 ms at
            # 60,000 promises). This index holds only the links.
            models.Index(
                fields=["rescheduled_to"],
                condition=models.Q(rescheduled_to__isnull=False),
                name="promise_successor",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=PromiseKind.values), name="promise_kind_valid"
            ),
            models.CheckConstraint(
                condition=_only("repeat_weeks", REPEAT_WEEKS), name="promise_repeat_valid"
            ),
            models.CheckConstraint(
                condition=_only("repeat_months", REPEAT_MONTHS)
                & (models.Q(repeat_weeks=0) | models.Q(repeat_months=0)),
                name="promise_repeat_months_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(description=""),
                name="promise_description_not_empty",
                violation_error_message=_("Say what was promised."),
            ),
            models.CheckConstraint(
                condition=models.Q(due_at__gte=models.F("made_at")),
                name="promise_due_after_made",
                violation_error_message=_("A promise cannot be due before it was made."),
            ),
            models.CheckConstraint(
                condition=models.Q(done_at__isnull=True)
                | models.Q(done_at__gte=models.F("made_at")),
                name="promise_done_after_made",
                violation_error_message=_("A promise cannot be kept before it was made."),
            ),
            models.CheckConstraint(
                condition=models.Q(done_at__isnull=True) | models.Q(cancelled_at__isnull=True),
                name="promise_done_or_cancelled",
                violation_error_message=_("A promise is either kept or cancelled, not both."),
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def repeats(self) -> bool:
        """Whether it is a standing arrangement, in weeks or in months."""
        return bool(self.repeat_weeks or self.repeat_months)

    @property
    def repeat_shown(self) -> str:
        """How often it comes back, as the pages say it ("every week", "every year")."""
        if self.repeat_months:
            return str(self.get_repeat_months_display())
        return str(self.get_repeat_weeks_display())

    @property
    def done_time_known(self) -> bool:
        """Whether the moment it was kept has a time anyone kept it at: not a promise for the
        day set kept at its moment ("It was on time", or kept on time when written down
        afterwards), whose end-of-day time ("23:59") the pages leave out."""
        return not (self.due_all_day and self.done_at == self.due_at)

    @property
    def predecessor(self) -> "Promise | None":
        """The promise this one replaced at a new moment (promise_reschedule), if any."""
        try:
            return self.rescheduled_from
        except Promise.DoesNotExist:
            return None

    def due_moment_stays(self, now: datetime) -> bool:
        """Whether the due moment can no longer be moved (promises.services.promise_update):
        it has passed, and it had not when the promise was recorded. Moved then, a promise the
        business did not keep in time would count as kept on time once kept by the new moment;
        the customer's new moment is a new promise (promise_reschedule). A promise recorded
        after the moment it was due (typed in afterwards) may still have it corrected, to
        another moment gone by (services._due_moment_stays: a moment to come is a new one)."""
        return self.created_at < self.due_at < now


class PromiseOutcomeDay(models.Model):
    """How many promises became known on one UTC day with one outcome: done on time, done
    late, or cancelled after their due moment (broken). Kept by triggers on the promises
    (migration 0009). Today and the scorecard count the promises judged in the last 90 days
    and the 90 before (selectors.promise_trend), 38,000 at 100,000 customers (18 ms): they add
    up these rows for the whole days of a window and read the promises themselves only for the
    day a window begins inside and for those still open. A day whose promises all moved keeps
    its row, at zero."""

    class Outcome(models.TextChoices):
        ON_TIME = "on_time"
        LATE = "late"
        CANCELLED_LATE = "cancelled_late"

    business = models.ForeignKey(
        "core.Business", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    promises = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["business", "day", "outcome"], name="promise_outcome_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.outcome}: {self.promises}"
