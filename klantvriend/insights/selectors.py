"""Reads of insights. Every function takes the business (or a customer read through it)."""

import hashlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextChoices,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from clv.advice import ADVICE_MIN_CUSTOMERS, CAME_BACK_MIN_DAYS, top_count
from klantvriend.aftercare.models import FollowUp
from klantvriend.core.db import Probed
from klantvriend.core.models import Business
from klantvriend.core.money import amount_shown, whole_cents
from klantvriend.core.numbers import count_shown, number_rounded, share_shown
from klantvriend.core.rows import ByFigure, ByOffset, Listed, Rows, first_rows
from klantvriend.core.shown import ago_shown, day_near_shown, days_shown
from klantvriend.core.working_hours import next_working_day
from klantvriend.customers.models import Customer, CustomerSpend, Purchase
from klantvriend.customers.selectors import (
    anonymised_customer_ids,
    customer_count,
    none_without,
)
from klantvriend.promises.models import Promise
from klantvriend.surveys.selectors import promoter_customer_ids

from .models import CustomerInsight, InsightRun, Segment, Stage
from .segments import ALIVE_COUNTS_AS_RECENT, REGULAR_MIN_PURCHASE_DAYS, past_their_rhythm

SLIPPING_AWAY_LIMIT = 8
# Probability alive below which a valuable customer is shown as slipping away, and the fall
# over 30 days that counts as falling.
SLIPPING_ALIVE_BELOW = 0.6
SLIPPING_FALL_AT_LEAST = 0.02


def ambassador_customer_ids(
    business: Business, *, among: Collection[int] | None = None
) -> set[int]:
    """Customers who brought in others (the referrers of the business's customers), and those
    whose latest survey answer of the last year is a promoter's (NPS 9 or 10); not anyone
    anonymised, whom the ambassador page leaves out too (referrals.selectors). `among`: only
    these customers are looked at (one customer computed again: 160 ms less at 100,000).

    The one place that decides who counts as an ambassador."""
    anonymised = anonymised_customer_ids(business=business)
    referred = Customer.objects.filter(business=business, referred_by__isnull=False)
    if among is not None:
        referred = referred.filter(referred_by__in=among)
    referrers = set(
        referred.exclude(referred_by__in=anonymised)
        .order_by()
        .values_list("referred_by_id", flat=True)
        .distinct()
    )
    # The anonymised are few, however many promoters there are.
    promoters = promoter_customer_ids(business=business, among=among) - set(
        anonymised.values_list("id", flat=True)
    )
    return referrers | promoters


def insight_run_latest(*, business: Business) -> InsightRun | None:
    return InsightRun.objects.filter(business=business).order_by("-computed_at", "-id").first()


def purchases_changed_since(*, business: Business, run: InsightRun | None) -> bool:
    """Whether a purchase was recorded or changed after `run` was computed: a restaurant that
    typed in its first visits after importing its guests read "computed from 0 customers with
    purchases … no purchases have been recorded" until the night. One probe of the index of
    changes (Purchase.Meta, purchase_business_changed); a purchase deleted is not seen."""
    if run is None:
        return False
    return Purchase.objects.filter(business=business, updated_at__gt=run.computed_at).exists()


def predicts_leaving(*, business: Business) -> bool:
    """Whether the latest refresh fitted a model of customers leaving: without one no customer
    is seen slipping away, and saying "none is" was a finding nothing had looked for."""
    run = insight_run_latest(business=business)
    return run is not None and bool(run.model_name)


def customer_insight_get(
    *, customer: Customer, ranked_among: bool = False
) -> CustomerInsight | None:
    """The customer's insight; with `ranked_among`, annotated with the number of customers the
    latest refresh ranked them among (its customers with purchases), in the same query: what
    the card's segment is compared with (insight_card)."""
    insights = CustomerInsight.objects.filter(business_id=customer.business_id, customer=customer)
    if ranked_among:
        latest = InsightRun.objects.filter(business_id=OuterRef("business_id")).order_by(
            "-computed_at", "-id"
        )
        insights = insights.annotate(ranked_among=Subquery(latest.values("customers")[:1]))
    return insights.first()


# Under this many customers with purchases the card says what a segment's rank is among: with
# five, "champion: buys often and much" beside "not enough data yet" read as a contradiction.
# As many as the advice asks for (clv.advice).
RANKED_AMONG_FEW = ADVICE_MIN_CUSTOMERS


# A customer with one purchase day: no model sees them leave (`alive_figure`).
ONE_OFF_PURCHASE_DAYS = 1


def bought_once(purchase_days: int | None) -> bool:
    """Whether a customer of so many purchase days (an insight's) is a one-off customer so far,
    whose probability alive says little: the one place of the rule for the pages and the export.
    The list's orders put the same to the database (`_by_probability_alive`)."""
    return purchase_days is not None and purchase_days <= ONE_OFF_PURCHASE_DAYS


@dataclass(frozen=True)
class _SortedPart:
    """A part of a list sorted on an insight figure: the insights meeting `where` and none of
    `where_not` (conditions on their own fields) by `figure`, then by the customer's name and
    id."""

    figure: str
    descending: bool = False
    where: dict = field(default_factory=dict)
    where_not: dict = field(default_factory=dict)


def _by_figure(name: str, *, descending: bool = False):
    """By the figure, then name (through the figure's index)."""
    return name, [_SortedPart(name, descending)]


def _by_probability_alive(*, descending: bool = False):
    """The customers whose probability alive means something (two or more purchase days) by it;
    then the one-off customers, whose figure is the model's and says little ("one-off so far"
    on the pages): the longest away first (the most recent first, descending). docs/advisor.md.
    Each part has its index: insight_business_alive, insight_business_days_since."""
    return "probability_alive", [
        # "Not one-off" rather than "more than one": as a range of the purchase days SQLite
        # read the insights alone through the one-offs' index and sorted them all by the figure
        # (170 ms for a deep page at 100,000 customers, 5 ms through the figure's index).
        _SortedPart(
            "probability_alive",
            descending,
            where_not={"purchase_days__lte": ONE_OFF_PURCHASE_DAYS},
        ),
        # Longest away first: by the days since, descending
        _SortedPart(
            "days_since_last", not descending, where={"purchase_days": ONE_OFF_PURCHASE_DAYS}
        ),
    ]


def one_offs_start(customers: Iterable[Customer]) -> int | None:
    """In a page of the list sorted by probability alive, the id of the first customer of its
    one-off part (`_by_probability_alive`), where the page says why they come after everyone's
    99%; None when the page holds none of them."""
    for customer in customers:
        # Those with no purchase yet (no insight) come last, after the one-off customers.
        insight = getattr(customer, "insight", None)
        if (
            insight is not None
            and insight.probability_alive is not None
            and bought_once(insight.purchase_days)
        ):
            return customer.pk
    return None


# The customer list's orders on an insight figure: the figure it needs, and the parts of the
# customers with it, one after the other (`customer_order_parts`).
LIST_ORDERINGS = {
    "-value": _by_figure("value_cents", descending=True),
    "value": _by_figure("value_cents"),
    "-alive": _by_probability_alive(descending=True),
    "alive": _by_probability_alive(),
    "-spend": _by_figure("spend_cents", descending=True),
}


class Bought(TextChoices):
    """The customers the advice's figures count, as the customer list filters them: those with
    purchases up to the latest refresh (each has an insight), those of them who came back, and
    the top fifth of them by spend."""

    ANY = "any", gettext_lazy("bought (up to the latest computation)")
    AGAIN = "again", gettext_lazy("came back: bought on 2+ days")
    TOP = "top", gettext_lazy("the top fifth by spend")


def _top_by_spend(business: Business) -> Q:
    """The insights of the advice's top fifth by spend (clv.advice.top_count of them), equal
    spend in the order of their customers' ids: a different choice among equals spent the same,
    so the sum is the figure's. As a condition of the spend of the last of them, read through
    the spend index in two queries, which a page then filters by instead of ranking them all
    again."""
    insights = CustomerInsight.objects.filter(business=business)
    count = top_count(insights.count())
    last = list(
        insights.order_by("-spend_cents", "customer_id").values_list("spend_cents", "customer_id")[
            count - 1 : count
        ]
    )
    if not last:
        return Q(pk__in=[])
    spend, customer_id = last[0]
    # "At least that spend" as well, which both databases read as a range of the spend index:
    # without it they stepped over the 80,000 others to reach the lowest of the top fifth
    return Q(spend_cents__gte=spend) & (
        Q(spend_cents__gt=spend) | Q(spend_cents=spend, customer_id__lte=customer_id)
    )


def insight_choice(
    *, business: Business, segment: str = "", stage: str = "", bought: str = ""
) -> Q | None:
    """What the customer list's filters on the insight ask of it, as a condition on the
    insight's own fields (the business's insights, `bought` among them); None when they ask
    nothing. customers_with_insight puts it to the customers, and a list's figures read alone
    (insights_among) to the insights themselves."""
    conditions = []
    if segment in Segment.values:
        conditions.append(Q(segment=segment))
    if stage in Stage.values:
        conditions.append(Q(stage=stage))
    if bought == Bought.AGAIN:
        # "Not fewer than", which no index answers: as "at least", SQLite read the half of a
        # large shop that came back through the purchase days' index and sorted them for a
        # page of fifty by spend (160 ms at 100,000 customers, 1 ms through the spend index).
        conditions.append(~Q(purchase_days__lt=CAME_BACK_MIN_DAYS))
    elif bought == Bought.TOP:
        conditions.append(_top_by_spend(business))
    elif bought != Bought.ANY and not conditions:
        return None
    # The insight's own business too, for its indexes (business first) to serve the order.
    return Q(*conditions, business=business)


def _of_the_insight(condition: Q) -> Q:
    """A condition on the insight's fields as one on the customer's, through their insight."""
    children = [
        _of_the_insight(child) if isinstance(child, Q) else (f"insight__{child[0]}", child[1])
        for child in condition.children
    ]
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def customers_with_insight(
    customers: QuerySet[Customer],
    *,
    business: Business,
    segment: str = "",
    stage: str = "",
    bought: str = "",
    min_value_cents: int | None = None,
    choice: Q | None = None,
) -> QuerySet[Customer]:
    """Filters a customer list (already scoped to `business`) on the insight, and joins the
    insight in the same query, so a page of the list costs no extra queries. `choice`: the
    filters as insight_choice made them, where already asked (then the others are not read)."""
    customers = customers.select_related("insight")
    if choice is None:
        choice = insight_choice(business=business, segment=segment, stage=stage, bought=bought)
    if choice is not None:
        customers = customers.filter(_of_the_insight(choice))
    if min_value_cents is not None:
        customers = customers.filter(insight__value_cents__gte=min_value_cents)
    return customers


def insights_among(
    figures: QuerySet,
    *,
    choice: Q | None = None,
    customers: QuerySet[Customer] | None = None,
    as_set: bool = False,
    probed: bool = False,
) -> QuerySet:
    """Rows of figures kept per customer (`figures`: the insights, or another table whose
    `customer_id` is the customer's, such as the kept last purchases) of the customers a
    filtered list leaves: whose insight meets `choice` (insight_choice) and who are among
    `customers` (the list filtered on the customers' own fields). For core.rows.ByFigure, which
    reads a page's place from these figures without the customers' rows that the list sorts by
    name. Each row is asked whether its customer is listed (EXISTS: one step through a key),
    which SQLite does as it walks the figure's index; `as_set`: the listed customers are read
    first (IN), which SQLite and PostgreSQL then join to their figures and sort; with `probed`,
    where the figures' index in the order holds the customer (the kept last purchases), SQLite
    walks that index and asks the set of each entry (core.db.Probed): no row read, no sort (the
    middle page of those who came back by last purchase 108 -> 83 ms at 100,000)."""
    key = Probed("customer_id") if probed else F("customer_id")
    if choice is not None:
        if as_set:
            # On the insights themselves too: as their own condition SQLite walked the figure's
            # index to the page, reading each insight for it (the middle page of the
            # hibernating customers by probability alive 66 -> 152 ms)
            chosen = CustomerInsight.objects.filter(choice).values("customer_id")
            figures = figures.alias(listed=key).filter(listed__in=chosen)
        elif figures.model is CustomerInsight:
            figures = figures.filter(choice)
        else:
            chosen = CustomerInsight.objects.filter(choice, customer=OuterRef("customer_id"))
            figures = figures.filter(Exists(chosen))
    if customers is not None:
        customers = customers.order_by()
        if as_set:
            figures = figures.alias(listed=key).filter(listed__in=customers.values("pk"))
        else:
            figures = figures.filter(Exists(customers.filter(pk=OuterRef("customer_id"))))
    return figures


def figures_among(
    *, choice: Q | None, customers: QuerySet[Customer] | None, searched: bool = False
) -> Callable[..., QuerySet] | None:
    """How a customer list makes a table of figures kept per customer those of the customers
    it lists (insights_among), for customer_order_parts and customers.selectors.
    customer_list_parts: `choice`, its filters on the insight (insight_choice); `customers`, the
    list filtered on the customers' own fields, if it is. None for a search, whose matches are
    few and read with their rows."""
    if searched:
        return None
    return partial(insights_among, choice=choice, customers=customers)


@dataclass(frozen=True)
class InsightTotals:
    """What the customers of a list add up to by their insights: their spend, the part of it
    after their first purchase day, their predicted value and purchases of the next year (for
    the `valued` among them: the others have no prediction)."""

    customers: int
    spend_cents: int
    repeat_spend_cents: int | None  # None while a refresh from before it was kept is the latest
    valued: int
    value_cents: int
    expected_purchases: float
    as_of: date | None  # the day of the latest refresh among them

    @property
    def mean_value_cents(self) -> float | None:
        return self.value_cents / self.valued if self.valued else None

    @property
    def expected_purchases_each(self) -> float | None:
        return self.expected_purchases / self.valued if self.valued else None


# How long list totals are kept at most: their key changes with every refresh and every customer
# added or removed, so this bounds only a merge's recompute that lands just after a list was read.
TOTALS_CACHE_SECONDS = 300


def insight_totals_kept(customers: QuerySet[Customer], *, business: Business) -> InsightTotals:
    """`insight_totals` of a list as read since the last refresh: adding up the insights of half a
    large shop takes 75 ms on PostgreSQL, and they change only with a refresh, or with a customer
    added, merged or deleted (the database's count of the customers). Two small reads instead."""
    run = insight_run_latest(business=business)
    listed = hashlib.sha256(str(customers.order_by().query).encode()).hexdigest()
    key = (
        f"insight-totals:{business.pk}:{run.pk if run else 0}:"
        f"{customer_count(business=business)}:{listed}"
    )
    totals = cache.get(key)
    if totals is None:
        totals = insight_totals(customers)
        cache.set(key, totals, TOTALS_CACHE_SECONDS)
    return totals


def insight_totals(customers: QuerySet[Customer]) -> InsightTotals:
    """The totals of a list filtered on the insight, as the advice counts its figures: one
    query."""
    totals = customers.order_by().aggregate(
        customers=Count("insight"),
        spend=Sum("insight__spend_cents"),
        repeat=Sum("insight__repeat_spend_cents"),
        repeat_known=Count("insight__repeat_spend_cents"),
        valued=Count("insight__value_cents"),
        value=Sum("insight__value_cents"),
        expected=Sum("insight__expected_purchases_365"),
        as_of=Max("insight__as_of"),
    )
    return InsightTotals(
        customers=totals["customers"],
        spend_cents=totals["spend"] or 0,
        repeat_spend_cents=(totals["repeat"] or 0)
        if totals["repeat_known"] == totals["customers"]
        else None,
        valued=totals["valued"],
        value_cents=totals["value"] or 0,
        expected_purchases=totals["expected"] or 0.0,
        as_of=totals["as_of"],
    )


def customer_order_parts(
    customers: QuerySet[Customer],
    *,
    business: Business,
    order: str,
    among: Callable[..., QuerySet] | None = None,
    everyone: int | None = None,
    chosen: bool = False,
) -> list[ByOffset | ByFigure] | None:
    """A list sorted on an insight figure (`order` of LIST_ORDERINGS) as its parts one after
    the other, for `core.rows.IdsFirst`: the customers with the figure in the order's parts,
    then those whose insight lacks it (no model) by name, then those without an insight (no
    purchase yet, or since the last refresh) by name. Sorting every customer by a figure of the
    joined insight read all 100,000 of a large shop (227 ms in SQLite); each part but the last
    is read through an index of the insights, and the last is read only on the pages it fills.
    `among`: makes the business's insights those of the customers listed (insights_among), so
    that a deep page is found from their figures alone, through the figure's index
    (core.rows.ByFigure); `everyone`: how many customers the business has, when the list is
    filtered (None when nothing filters it but the business, and every listed customer's
    insight is in the figure's index). `chosen`: the list is filtered on the insight
    (insight_choice), so that every customer listed has one. How many the last two parts hold
    is told without counting them where it can be (ByOffset), for a deep page read from the
    end (core.rows.IdsFirst). None for an order that is not on an insight figure."""
    if order not in LIST_ORDERINGS:
        return None
    figure, parts = LIST_ORDERINGS[order]
    # The insight's own business too, for its indexes (business first) to serve the order.
    with_insight = customers.filter(insight__business=business)
    with_figure = with_insight.filter(**{f"insight__{figure}__isnull": False})
    insights = CustomerInsight.objects.filter(business=business, **{f"{figure}__isnull": False})
    sorted_parts = []
    for place, part in enumerate(parts):
        sign = "-" if part.descending else ""
        rows = with_figure.filter(
            **{f"insight__{key}": value for key, value in part.where.items()}
        ).exclude(**{f"insight__{key}": value for key, value in part.where_not.items()})
        figures = insights.filter(**part.where).exclude(**part.where_not)
        sorted_parts.append(
            ByFigure(
                rows.order_by(f"{sign}insight__{part.figure}", "sort_name", "id"),
                field=f"insight__{part.figure}",
                descending=part.descending,
                figures=None if among is None else (among(figures), part.figure),
                listed=None
                if among is None or everyone is None
                else Listed(among(figures, as_set=True), everyone),
                # A list filtered on the insight (a segment, a stage, the top fifth) may have
                # none of a later part's customers (no one-off among the regular customers),
                # which PostgreSQL finds out from the end by sorting the part's listed figures
                # (77 ms): from the start the page lies in the first part, found through its
                # index (the regular customers' last page by probability alive 102 -> 52 ms).
                passed_from_end=not (chosen and place > 0),
            )
        )
    lacking = CustomerInsight.objects.filter(business=business, **{f"{figure}__isnull": True})
    return [
        *sorted_parts,
        # None, without counting them, when no insight of the business lacks the figure
        ByOffset(
            with_insight.filter(**{f"insight__{figure}__isnull": True}).order_by("sort_name", "id"),
            told=lambda: None if lacking.exists() else 0,
        ),
        *(
            []
            if chosen
            else [
                ByOffset(
                    customers.filter(insight__isnull=True).order_by("sort_name", "id"),
                    told=none_without(
                        CustomerInsight.objects.filter(business=business), business=business
                    ),
                )
            ]
        ),
    ]


def _open_contacts(**of) -> tuple[QuerySet, QuerySet]:
    """The open follow-ups and promises meeting `of`: a contact with the customer already
    planned, whom a call to win them back would only duplicate."""
    return (
        FollowUp.objects.filter(done_at__isnull=True, **of),
        Promise.objects.filter(done_at__isnull=True, cancelled_at__isnull=True, **of),
    )


def _no_contact_planned() -> Q:
    open_follow_up, open_promise = _open_contacts(customer=OuterRef("customer"))
    return ~Q(Exists(open_follow_up)) & ~Q(Exists(open_promise))


def contact_planned_among(*, business: Business, customer_ids: Collection[int]) -> set[int]:
    """Which of the customers (a page of a list) have a follow-up or promise open (one query)."""
    follow_ups, promises = _open_contacts(business=business, customer_id__in=customer_ids)
    # Unordered, the union too: it would be sorted by the follow-ups' own order, not selected.
    return set(
        follow_ups.order_by()
        .values_list("customer_id", flat=True)
        .union(promises.order_by().values_list("customer_id", flat=True))
        .order_by()
    )


def slipping_away_insights(*, business: Business) -> QuerySet[CustomerInsight]:
    """Valuable customers (spend in the top half of those with three or more purchase days)
    whose probability alive is low and falling and who are past their own rhythm (away for more
    than twice their usual interval plus a month: segments.past_their_rhythm), all decided at
    the refresh (prediction.customer_rows), with no follow-up or promise open: the ones a call
    now may keep, the biggest spenders first. Not an anonymised
    customer, who has no name or number left to call (and may have been anonymised since the
    last refresh). The one place that decides whom Today counts, and whom the list it opens to
    shows (insights.rows).

    Nor a customer who bought since the refresh (what they spent in all, kept by the database,
    now exceeds the spend the refresh saw: the test of the card's `outdated`): they came back,
    and their probability alive is that of before; the next refresh judges them again. A
    correction that lowered the spend keeps them listed: nothing says they came. Asked of the
    spend row by its key (EXISTS), not through a join over the customers: Today's count of them
    took 9.2 ms that way and 5.6 ms this way at 100,000 customers (4.4 ms without the test)."""
    bought_since = CustomerSpend.objects.filter(
        customer_id=OuterRef("customer_id"), cents__gt=OuterRef("spend_cents")
    )
    return (
        CustomerInsight.objects.filter(business=business, slipping_away=True)
        .exclude(customer__in=anonymised_customer_ids(business=business))
        .exclude(Exists(bought_since))
        .filter(_no_contact_planned())
        .order_by("-spend_cents", "customer_id")
    )


def slipping_away(*, business: Business, limit: int = SLIPPING_AWAY_LIMIT) -> Rows[CustomerInsight]:
    """The first `limit` customers slipping away (slipping_away_insights) with how many there
    are: one query, two when there are more."""
    return first_rows(slipping_away_insights(business=business).select_related("customer"), limit)


# Recency is a rank among the business's own customers (segments.rfm_segments): champions are
# in its top two fifths, those needing attention in its top three. "Came recently" read as a
# promise of days, so they say it as the comparison it is; it is never said of anyone past
# their rhythm or away for more than a year (both count as not recent there).
SEGMENT_EXPLANATIONS = {
    Segment.CHAMPION: lambda: _(
        "buys often and much, and bought more recently than most of your customers"
    ),
    Segment.REGULAR: lambda: _("comes back regularly"),
    Segment.NEW: lambda: _("a customer for less than three months"),
    # "Less often or for less" is a rank among the business's own customers of how often and
    # how much together (segments.rfm_segments): an office's client of five invoices, one every
    # 76 days, read "bought seldom".
    Segment.NEEDS_ATTENTION: lambda: _(
        "bought more recently than many of your customers, but less often or for less than most"
    ),
    Segment.AT_RISK: lambda: _("used to buy often, but not lately"),
    Segment.CANT_LOSE: lambda: _(
        "one of the best customers, but has not been back for a long time"
    ),
    Segment.HIBERNATING: lambda: _(
        "bought less often or for less than most of your customers, and not lately"
    ),
    Segment.LOST: lambda: _(
        "bought less often or for less than most of your customers, and long ago"
    ),
}


def _segment_said(insight: CustomerInsight) -> str:
    """What the card's segment means, and among how many it is a rank when they are few."""
    said = SEGMENT_EXPLANATIONS[Segment(insight.segment)]()
    among = getattr(insight, "ranked_among", None)
    # "New" is the customer's own months, no rank among others.
    if among is None or among >= RANKED_AMONG_FEW or insight.segment == Segment.NEW:
        return said
    return ngettext(
        "%(said)s (compared with your %(count)s customer with purchases)",
        "%(said)s (compared with your %(count)s customers with purchases)",
        among,
    ) % {"said": said, "count": count_shown(among)}


@dataclass(frozen=True)
class WonBack:
    """What a customer who has probably left is worth in the next 12 months if won back: the
    margin on their value if still a customer, as the advice's "margin a year if won back" is
    per segment, with what it is made of; `cents` None where the refresh that computed the row
    kept no value if still a customer (one before it was kept)."""

    cents: int | None
    why: str


@dataclass(frozen=True)
class InsightCard:
    """What the briefing card shows: each figure with its one-line explanation."""

    insight: CustomerInsight
    history: str
    value: str
    alive: str
    segment: str
    stage: str
    falling: bool
    # Falling and below the share at which a valuable customer counts as slipping away: only
    # then is the figure said in red ("96% ↓" in red read as an alarm over a near-certain one).
    alarming: bool = False
    # Purchases were recorded or corrected after the refresh: the figures describe the
    # customer as they were then ("bought once, 382 days ago" beside "last visit: today").
    outdated: bool = False
    # For a customer who has probably left (`WonBack`): what winning them back is worth.
    won_back: WonBack | None = None
    # When a customer with a rhythm is expected back (expected_back), "" without one: beside
    # the stage, which anyone serving them reads (the figures may be the owner's alone).
    expected_back: str = ""

    @property
    def alive_figure(self) -> str:
        return alive_figure(self.insight)

    @property
    def alive_before(self) -> str:
        """What the figure was a month ago, said beside its arrow when it is falling: "↓"
        alone left a restaurant's owner guessing what it meant."""
        if not self.falling:
            return ""
        return _("a month ago %(figure)s") % {
            "figure": share_shown(self.insight.probability_alive_30_days_ago)
        }


def alive_figure(insight: CustomerInsight) -> str:
    """The probability alive as shown for one customer: "40%", "—" without a model, and words
    instead of a figure for a customer with one purchase day.

    After one purchase day the buy-till-you-die models cannot tell a customer who left from one
    who buys rarely. BG/NBD says 100%: without a repeat purchase there was no moment to drop
    out (Fader, Hardie & Lee 2005). MBG/NBD lets a customer drop out at the first purchase too
    (Batislam et al. 2007), but that chance is the same for every one-off customer: with the
    demo butcher's fit (a = 1.47, b = 69.8) it gives 92% whether they came a week or two years
    ago. Beside a weekly regular away for seven weeks (rightly about 0%), such a figure read as
    "the one-off customer is the likelier to come back".

    Written as every share is (share_shown): a regular gone quiet reads "<1%", not "0%", since
    the model never says a customer is certainly gone."""
    if insight.probability_alive is None:
        return "—"
    if bought_once(insight.purchase_days):
        return _("one-off so far")
    return share_shown(insight.probability_alive)


def days_since_last_purchase(
    insight: CustomerInsight, *, today: date | None = None, outdated: bool = False
) -> int:
    """The days since the customer's last purchase, counted to `today` (the business's) where
    nothing was bought since the computation (not `outdated`): counted to the computation's
    day, they lagged the "last visit" beside them by a day for every day without a refresh.
    Where something was bought since, they stay as computed (the card says so). The one place
    that counts them, for the card and for Today's customers slipping away."""
    away = insight.days_since_last
    if today is not None and not outdated and today > insight.as_of:
        away += (today - insight.as_of).days
    return away


def expected_back(
    insight: CustomerInsight,
    *,
    away: int,
    today: date,
    working_days: Collection[int] = (),
    closed: Collection[date] = frozenset(),
) -> str:
    """When a customer who comes in a rhythm is expected back, for whoever serves them (a salon
    that sees its customers every six weeks): their last purchase plus their usual interval,
    "expected back around Sat 5 Dec"; "expected back since Thu 15 Oct" once that day has passed
    while they are not past their rhythm (segments.past_their_rhythm); nothing past it (the
    segment and stage say so) or without a rhythm (fewer than two purchase days). `away`:
    days_since_last_purchase, counted to `today`. The day is the first of the business's
    `working_days` from then on, past the `closed` days (core.care_settings.closed_dates): a
    salon closed on Sundays read "around Sun 10 Jan", and Christmas Day is no day to expect
    anyone."""
    usual = insight.usual_interval_days
    if not usual or insight.purchase_days < 2:
        return ""
    due = next_working_day(
        today - timedelta(days=away) + timedelta(days=max(1, round(usual))),
        working_days=working_days,
        closed=closed,
    )
    # With its year half a year or more off: "around Tue 29 Aug" was 2028's.
    day = day_near_shown(due, today=today)
    if due >= today:
        return _("expected back around %(day)s") % {"day": day}
    if bool(past_their_rhythm(days_since_last=away, usual_interval_days=usual)):
        return ""
    return _("expected back since %(day)s") % {"day": day}


def not_seen_for(insight: CustomerInsight, today: date | None = None) -> str:
    """How long a customer has stayed away, beside how often they came and their usual rhythm
    where they have one ("came 40 times, usually every 2 days, not seen for 48 days"): 48 days
    is nothing for a monthly customer and far too long for one who came every other day, and
    it is the rhythm that makes their probability alive 0%. How often they came says how sure
    that is: 126 days away on a rhythm of 26 read as 56% beside 1% for 39 days away, until it
    said that the one came 3 times and the other 40. For Today's customers slipping away and
    the call planned for one of them, counted to `today` (the business's) as the card counts
    them: they list no one who bought since the refresh (slipping_away_insights)."""
    away = days_shown(days_since_last_purchase(insight, today=today))
    if not insight.usual_interval_days:
        return _("not seen for %(away)s") % {"away": away}
    usual = _usual_days(insight)
    return ngettext(
        "came %(visits)s times, usually every day, not seen for %(away)s",
        "came %(visits)s times, usually every %(usual)s, not seen for %(away)s",
        usual,
    ) % {"visits": count_shown(insight.purchase_days), "usual": days_shown(usual), "away": away}


def _overdue_by_own_rhythm(insight: CustomerInsight, away: int) -> bool:
    """Whether a customer with a rhythm (enough purchase days for a regular) is past it
    (segments.past_their_rhythm) while the model still gives even odds or better that they
    buy here: the two disagree, and the card says which the figure is."""
    return (
        insight.probability_alive is not None
        and insight.probability_alive >= ALIVE_COUNTS_AS_RECENT
        and insight.purchase_days >= REGULAR_MIN_PURCHASE_DAYS
        and bool(
            past_their_rhythm(days_since_last=away, usual_interval_days=insight.usual_interval_days)
        )
    )


def _usual_days(insight: CustomerInsight) -> int:
    """The customer's usual days between purchases, whole: "every day", not "every 1 day"
    (ngettext's singular, which the texts say without the number)."""
    return max(1, round(insight.usual_interval_days))


def _purchases_shown(expected: float) -> str:
    """An expected number of purchases as the card writes it: "0,1", "2,5", "26": "about
    98,9 purchases" read as a count gone wrong; a tenth matters only among a few."""
    whole = expected >= 10 or round(expected, 1).is_integer()
    return number_rounded(expected, 0 if whole else 1)


def won_back(*, insight: CustomerInsight, margin_percent: int, currency: str) -> WonBack | None:
    """What winning back a customer who has probably left (probability alive below the
    slipping-away mark, after two or more purchase days) is worth in the next 12 months: the
    margin on their value if still a customer, rounded to whole cents as a percentage of whole
    cents, with what it assumes. None for a customer who is probably still there (the figure
    nearly equals their value), a one-off customer (no model sees them leave: alive_figure) and
    without a model."""
    if (
        insight.probability_alive is None
        or bought_once(insight.purchase_days)
        or insight.probability_alive >= SLIPPING_ALIVE_BELOW
    ):
        return None
    if insight.value_if_alive_cents is None or insight.expected_purchases_365_if_alive is None:
        return WonBack(
            cents=None,
            why=_(
                "what winning them back is worth is added by the next computation (usually "
                "overnight)"
            ),
        )
    cents = whole_cents(insight.value_if_alive_cents * margin_percent / 100)
    why = _(
        "%(margin)s margin on %(value)s from about %(count)s purchases in 12 months, if they "
        "come back and buy as they used to. A call or gesture to win them back pays when it "
        "costs less than the chance it works times this amount."
    ) % {
        "margin": f"{margin_percent}%",
        "value": amount_shown(insight.value_if_alive_cents, currency),
        "count": _purchases_shown(insight.expected_purchases_365_if_alive),
    }
    return WonBack(cents=cents, why=why)


def insight_card(
    *,
    insight: CustomerInsight,
    referral_count: int = 0,
    spend_cents: int | None = None,
    today: date | None = None,
    margin_percent: int | None = None,
    currency: str = "EUR",
    working_days: Collection[int] = (),
    closed: Collection[date] = frozenset(),
) -> InsightCard:
    """The card's figures with their explanations; `spend_cents`, the customer's spend now,
    tells whether purchases changed since the insight was computed (its `spend_cents`).

    The days since the last purchase are counted to `today` (the business's) where nothing was
    bought since the computation: counted to its day, they lagged the "last visit" above them
    by a day for every day without a refresh, and read "0 days ago" for a purchase on the day
    of the refresh. Where something was bought since, the figures stay as computed and the card
    says so (`outdated`).

    With the business's `margin_percent` (and `currency`), a customer who has probably left
    gets what winning them back is worth (`won_back`): their expected value is near nothing,
    which says nothing of whether a call to win them back pays."""
    purchase_days = insight.purchase_days
    outdated = spend_cents is not None and spend_cents != insight.spend_cents
    away = days_since_last_purchase(insight, today=today, outdated=outdated)
    # Said as the customer list's "last purchase" says it ("22 months ago", not "657 days
    # ago" beside it), from the last purchase's day to the day the days are counted to.
    last_day = insight.as_of - timedelta(days=insight.days_since_last)
    counts = {
        "count": count_shown(purchase_days),
        "ago": ago_shown(last_day, last_day + timedelta(days=away)),
    }
    if away == 0:
        history = (
            ngettext("bought once, today", "bought %(count)s times, last today", purchase_days)
            % counts
        )
    else:
        history = (
            ngettext("bought once, %(ago)s", "bought %(count)s times, last %(ago)s", purchase_days)
            % counts
        )
    if insight.usual_interval_days and purchase_days == 2:
        # One interval is no habit: "usually every 23 days" of two invoices read as a rhythm
        # beside the stage's "not yet in a rhythm".
        usual = _usual_days(insight)
        history += ", " + ngettext("a day apart", "%(days)s apart", usual) % {
            "days": days_shown(usual)
        }
    elif insight.usual_interval_days:
        usual = _usual_days(insight)
        history += ", " + ngettext("usually every day", "usually every %(days)s", usual) % {
            "days": days_shown(usual)
        }
    if insight.value_cents is None:
        value = _("not enough data yet to predict")
        # The figure is "—": what it would be computed from is still worth reading.
        alive = history
    else:
        expected = insight.expected_purchases_365 or 0
        if round(expected, 1) == 0:
            # "From about 0 purchases" beside "€ 0,00" read as a mistake, and as "worth
            # nothing" beside a segment that calls them one of the best customers: it is
            # what the model expects if nothing changes.
            value = _("no purchase expected in the next 12 months, unless they come back")
        elif not bought_once(purchase_days):
            value = _("expected over the next 12 months, from about %(count)s purchases") % {
                "count": _purchases_shown(expected)
            }
        elif insight.days_since_last == 0:
            # One purchase, on the day computed: the models know nothing of this customer yet, and give what a
            # new customer brings on average. Said so, it reads as the yardstick it is, not as
            # a walk-in judged worth ten times one who came once a while ago.
            value = _(
                "what a new customer brings here on average in 12 months, from about %(count)s "
                "purchases: of this customer nothing more is known yet"
            ) % {"count": _purchases_shown(expected)}
        else:
            # One purchase: the models see only how long before the computation it was (the
            # figure's own days, not today's), so every customer who bought once that long ago
            # gets the same figure, which falls as they stay away.
            value = _(
                "expected over the next 12 months, from about %(count)s purchases: the average "
                "of customers who bought once and then stayed away %(ago)s"
            ) % {"count": _purchases_shown(expected), "ago": days_shown(insight.days_since_last)}
        # What the figure is, before what it is computed from: "probability alive" is not a
        # shopkeeper's word.
        if bought_once(purchase_days):
            alive = _(
                "after one purchase it cannot be told yet whether they come back; %(history)s"
            )
        elif _overdue_by_own_rhythm(insight, away):
            # The model weighs the whole shop's comings and goings: a regular of twelve visits
            # every 47 days, away 163, read "97%" beside "one of the best customers, but has
            # not been back for a long time", and the owner took one of them for a mistake.
            alive = _(
                "chance this customer still buys here, judged by how all your customers come "
                "and go, not by their own rhythm, which they are well past; %(history)s"
            )
        else:
            alive = _("chance this customer still buys here; %(history)s")
        alive %= {"history": history}
    stage = {
        Stage.PASSER_BY: lambda: _("bought once so far"),
        # A customer who bought often enough to be a regular is one no longer because they
        # stay away (segments.stages): not someone "not yet in a rhythm".
        Stage.CUSTOMER: lambda: (
            _("was a regular, but has stayed away for more than twice as long as usual")
            if purchase_days >= REGULAR_MIN_PURCHASE_DAYS
            else _("a customer from before the purchases on record, with one purchase since")
            if bought_once(purchase_days)
            else _("has come back, not yet in a rhythm")
        ),
        # Later than usual (the card says since when expected back), still a regular until
        # past their rhythm: "comes back in a steady rhythm" beside "expected back since"
        # contradicted it.
        Stage.REGULAR: lambda: (
            _("has come back in a steady rhythm so far")
            if insight.usual_interval_days and away > _usual_days(insight)
            else _("comes back in a steady rhythm")
        ),
        Stage.AMBASSADOR: lambda: (
            ngettext(
                "brought in %(count)s customer", "brought in %(count)s customers", referral_count
            )
            % {"count": count_shown(referral_count)}
            if referral_count
            else _("recommends us")
        ),
    }[Stage(insight.stage)]()
    falling = (
        insight.probability_alive is not None
        and insight.purchase_days >= 2
        and insight.probability_alive_30_days_ago is not None
        and insight.probability_alive_30_days_ago - insight.probability_alive
        >= SLIPPING_FALL_AT_LEAST
    )
    return InsightCard(
        insight=insight,
        history=history,
        value=value,
        alive=alive,
        segment=_segment_said(insight),
        stage=stage,
        falling=falling,
        alarming=falling and insight.probability_alive < SLIPPING_ALIVE_BELOW,
        outdated=outdated,
        won_back=None
        if margin_percent is None
        else won_back(insight=insight, margin_percent=margin_percent, currency=currency),
        expected_back=""
        if outdated or today is None
        else expected_back(
            insight, away=away, today=today, working_days=working_days, closed=closed
        ),
    )
