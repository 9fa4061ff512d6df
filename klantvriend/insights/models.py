"""Per-customer insight (value, probability alive, segment, stage), kept as a current row for
fast lists and as dated snapshots for trends; and one run row per refresh with the business's
figures (advice, model, or why there is not enough data yet)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klantvriend.core.models import BusinessOwned


class Segment(models.TextChoices):
    """RFM segments with plain names; the order is from best to worst."""

    CHAMPION = "champion", _("champion")
    # "loyal", not "regular": the stage of the same customer is often "regular" (vaste klant),
    # and the list shows both side by side.
    REGULAR = "regular", _("loyal")
    NEW = "new", _("new")
    NEEDS_ATTENTION = "needs_attention", _("needs attention")
    AT_RISK = "at_risk", _("at risk")
    CANT_LOSE = "cant_lose", _("can't lose")
    HIBERNATING = "hibernating", _("hibernating")
    LOST = "lost", _("lost")


# The segments of customers who stayed away (recency 2 or 1: segments.rfm_segments), whom
# winning back is about: the advice names the first of them, their list offers the call.
STAYED_AWAY = frozenset({Segment.CANT_LOSE, Segment.AT_RISK, Segment.HIBERNATING, Segment.LOST})


class Stage(models.TextChoices):
    """From passer-by to ambassador (idea 6 of the product brief)."""

    PASSER_BY = "passer_by", _("passer-by")
    CUSTOMER = "customer", _("customer")
    REGULAR = "regular", _("regular")
    AMBASSADOR = "ambassador", _("ambassador")


class InsightRun(BusinessOwned):
    """One refresh of a business's insights."""

    computed_at = models.DateTimeField(default=timezone.now)
    as_of = models.DateField()
    customers = models.PositiveIntegerField(default=0)
    purchases = models.PositiveIntegerField(default=0)
    # Empty when the model could be fitted; otherwise the honest reason for owners.
    not_enough_data = models.CharField(max_length=300, blank=True)
    model_name = models.CharField(max_length=20, blank=True)
    # Advice, model parameters and the figures behind the charts, as plain JSON.
    figures = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(default=0)

    def not_enough_data_text(self) -> str:
        """The reason in the active language (from the counts), or the stored one."""
        counts = (self.figures or {}).get("not_enough")
        if not counts or not self.not_enough_data:
            return self.not_enough_data
        from .messages import not_enough_data

        return not_enough_data(**counts)

    def advice_caveat_text(self) -> str:
        """What a thin advice rests on, in the active language; empty for a firm advice and for
        a refresh from before the history's length was kept with the advice."""
        advice = (self.figures or {}).get("advice") or {}
        if advice.get("history_days") is None:
            return ""
        from .messages import advice_caveat

        return advice_caveat(customers=advice["n_customers"], history_days=advice["history_days"])

    class Meta:
        verbose_name = _("insight refresh")
        verbose_name_plural = _("insight refreshes")
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["business", "-computed_at"], name="insightrun_latest")]


class CustomerInsight(BusinessOwned):
    """The latest insight of one customer: one row per customer with purchases, replaced on
    every refresh, indexed for filtering and sorting the customer list."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="insight"
    )
    # None: computed from the purchases by the refresh (after an import, and nightly), so its
    # dates are the job's, not the customer's.
    activity_fields = ()
    as_of = models.DateField(_("computed on"))
    purchase_days = models.PositiveIntegerField(_("days with a purchase"))
    days_since_last = models.PositiveIntegerField(_("days since last purchase"))
    # Median days between purchase days; null with fewer than two.
    usual_interval_days = models.FloatField(_("usual days between visits"), null=True)
    spend_cents = models.BigIntegerField(_("spend so far"))
    # Of it, the spend as a returning customer: on the purchase days after the first, and all
    # of it for a customer since a month before their first purchase on record
    # (prediction.new_customer_purchases). What coming back brought. Null in the rows of
    # refreshes before it was kept, until the next refresh.
    repeat_spend_cents = models.BigIntegerField(_("spend after the first purchase day"), null=True)
    # The business's calendar day of the first purchase: the cohort the retention chart counts
    # the customer in, and the day whose spend (spend_cents - repeat_spend_cents) the revenue
    # chart counts as new (none for a customer since an earlier month). Null in the rows of
    # refreshes before it was kept, until the next.
    first_purchase_day = models.DateField(_("first purchase day"), null=True)
    # Model figures: null when there is not enough data to fit a model.
    probability_alive = models.FloatField(_("probability alive"), null=True)
    # Probability alive 30 days earlier with the same history: how fast it is falling.
    probability_alive_30_days_ago = models.FloatField(
        _("probability alive 30 days earlier"), null=True
    )
    expected_purchases_90 = models.FloatField(
        _("expected purchases in the next 90 days"), null=True
    )
    expected_purchases_365 = models.FloatField(
        _("expected purchases in the next 365 days"), null=True
    )
    value_cents = models.BigIntegerField(_("predicted 12-month value"), null=True)
    # The same two if the customer is still, or again, a customer (the bracket of Fader, Hardie
    # & Lee 2005 eq. 10: the figures above are P(alive) times these): what winning a lapsed
    # customer back is worth, whose expected value is near nothing. Kept by the refresh, which
    # has the fitted model at hand: on read it would take the run's parameters (a query) and a
    # history the row keeps only in days, rounded from the weeks the model was fitted in. Null
    # without a model, and in the rows of refreshes before they were kept, until the next.
    expected_purchases_365_if_alive = models.FloatField(
        _("expected purchases in the next 365 days if still a customer"), null=True
    )
    value_if_alive_cents = models.BigIntegerField(
        _("12-month value if still a customer"), null=True
    )
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    # Valuable (spend in the top half of customers with three or more purchase days) with a low
    # and falling probability alive: Today's candidates, decided at the refresh so that Today
    # reads a handful of indexed rows instead of judging every customer on every visit.
    slipping_away = models.BooleanField(_("slipping away"), default=False)

    class Meta:
        verbose_name = _("customer insight")
        verbose_name_plural = _("customer insights")
        indexes = [
            models.Index(fields=["business", "segment"], name="insight_business_segment"),
            models.Index(fields=["business", "stage"], name="insight_business_stage"),
            models.Index(fields=["business", "value_cents"], name="insight_business_value"),
            # The list by spend, and the top fifth by spend the advice opens to.
            models.Index(fields=["business", "spend_cents"], name="insight_business_spend"),
            # The list sorted by probability alive: those with two or more purchase days by
            # it, then the one-off customers by days since their purchase (selectors). Each
            # holds the other's column, for a deep page's first figure to be found, and a part
            # counted, from the index alone (core.rows.ByFigure).
            models.Index(
                fields=["business", "probability_alive", "purchase_days"],
                name="insight_business_alive",
            ),
            models.Index(
                fields=["business", "purchase_days", "days_since_last", "probability_alive"],
                name="insight_business_days_since",
            ),
            models.Index(
                fields=["business", "slipping_away", "-spend_cents", "customer"],
                name="insight_slipping_by_spend",
            ),
            # A month's new customers: the rows of a cohort and of a month's new revenue.
            models.Index(
                fields=["business", "first_purchase_day"], name="insight_business_first_day"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(segment__in=Segment.values), name="insight_segment_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=Stage.values), name="insight_stage_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(probability_alive__isnull=True)
                | models.Q(probability_alive__gte=0, probability_alive__lte=1),
                name="insight_probability_alive_range",
            ),
        ]


class InsightSnapshot(BusinessOwned):
    """A customer's insight on one day, kept so that trends can be shown. One row per customer
    per day: refreshing twice on a day replaces that day's row."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="insight_snapshots"
    )
    # None: written by the refresh, like CustomerInsight.
    activity_fields = ()
    as_of = models.DateField(_("computed on"))
    probability_alive = models.FloatField(_("probability alive"), null=True)
    value_cents = models.BigIntegerField(_("predicted 12-month value"), null=True)
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)

    class Meta:
        verbose_name = _("insight snapshot")
        verbose_name_plural = _("insight snapshots")
        indexes = [models.Index(fields=["business", "as_of"], name="snapshot_business_as_of")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "as_of"], name="snapshot_unique_day"),
        ]
