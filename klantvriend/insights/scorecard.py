"""The customer-centricity scorecard: is it true of us that we put the customer first?

Every figure comes from the business's own records, with a traffic light against a target, the
trend (last 90 days against the 90 before), the rows it is made of, and one next action for the
weakest figure: the one surely furthest below its target, so that one complaint answered late
does not outweigh two hundred promises of which a fifth were late. A fixed number of queries
whatever the size of the business.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import get_language, ngettext, npgettext
from django.utils.translation import gettext as _

from klantvriend.aftercare.selectors import follow_up_coverage
from klantvriend.complaints.selectors import ComplaintFigures, complaint_figures_at
from klantvriend.core.models import Business
from klantvriend.core.numbers import count_shown, counts_shown, number_rounded
from klantvriend.core.rows import rows_by_ids
from klantvriend.core.shown import duration_shown
from klantvriend.customers.models import (
    ABSENCE_KEPT_FROM,
    Customer,
    CustomerAbsence,
    CustomerLastPurchase,
)
from klantvriend.customers.selectors import came_through_referral, customer_before
from klantvriend.promises.selectors import promise_trend
from klantvriend.surveys.selectors import (
    DRIVER_MIN_ANSWERS,
    NPS_MIN_ANSWERS,
    Z_95,
    DriverAdvice,
    NpsSummary,
    driver_advice,
    driver_names,
    scorecard_answers,
)

WINDOW = timedelta(days=90)
GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"

# (green from, amber from) per figure; shares are fractions, NPS points, drivers on 1-5.
THRESHOLDS = {
    "promises": (0.90, 0.75),
    "complaint_response": (0.90, 0.70),
    "complaint_resolution": (0.85, 0.65),
    "aftercare": (0.80, 0.50),
    "nps": (30.0, 0.0),
    "drivers": (4.0, 3.5),
    "repeat_rate": (0.50, 0.30),
    "referrals": (0.30, 0.10),
}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: float | None
    kind: str  # "share", "points" or "score"
    last_90_days: float | None = None
    previous_90_days: float | None = None
    detail: str = ""
    parts: list[tuple[str, float | None]] = field(default_factory=list)
    # The 95% margin of error of the change, where the figure is a sample's and says it (the
    # NPS: surveys.selectors.NpsSummary.difference_margin, in points; the shares of customers
    # returning and referred: share_change_margin, as a share); None where it is not known.
    change_margin: float | None = None
    # The same measure over another period, shown on another page (the NPS of the survey
    # results' twelve months): said beside this one so that the two figures do not seem to
    # contradict each other; "" where there is none.
    see_also: str = ""
    # The highest the figure may truly be, as far as its cases tell (the upper end of the 95%
    # interval of a share of few cases: share_bounds; of the NPS: nps_bounds); None
    # where the value is no sample's or is taken as it is (the drivers: each of 30 answers or
    # more, driver_advice). `lower_bound` the lowest, likewise: one promoter's answer reads +100,
    # on target, and may as truly be -60.
    upper_bound: float | None = None
    lower_bound: float | None = None

    @property
    def measured(self) -> bool:
        return self.value is not None

    @property
    def surely_below(self) -> bool:
        """Whether the figure is below its target as far as its cases tell: its upper bound
        too (Figure.sure_shortfall). Only such a figure is a weakness to work on."""
        return self.measured and self.sure_shortfall > 0

    @property
    def unsure(self) -> bool:
        """Whether its cases cannot tell the figure's light at all: it reads well below its
        target (red), and its upper bound reaches the target; or it reads on target (green), and
        its lower bound lies well below it. On the first day, 0 of 1 customers returning read
        0%, red, "well below the target", while it may be a 79% business; one promoter's answer
        read +100, "on target", beside a referral figure of 4 cases said to be too few. A figure
        below its target (amber) keeps its light on many cases or few: 23% of 161 new
        customers referred, against 30%, is below it either way."""
        light = self._light_of_value()
        if light == RED:
            return not self.surely_below
        if light == GREEN:
            return self.lower_bound is not None and self.lower_bound < THRESHOLDS[self.key][1]
        return False

    @property
    def light(self) -> str:
        """Grey while not measured, or when its few cases cannot tell its light (unsure)."""
        return GREY if self.unsure else self._light_of_value()

    def _light_of_value(self) -> str:
        if self.value is None:
            return GREY
        green, amber = THRESHOLDS[self.key]
        return GREEN if self.value >= green else AMBER if self.value >= amber else RED

    @property
    def light_label(self) -> str:
        """What the light says, for those who do not see its colour."""
        if self.unsure:
            return _("too few cases to be sure")
        return {
            GREEN: _("on target"),
            AMBER: _("below the target"),
            RED: _("well below the target"),
            GREY: _("not measured yet"),
        }[self.light]

    @property
    def target(self) -> float:
        return THRESHOLDS[self.key][0]

    @property
    def change(self) -> float | None:
        if self.last_90_days is None or self.previous_90_days is None:
            return None
        return self.last_90_days - self.previous_90_days

    @property
    def change_within_margin(self) -> bool:
        """Whether the change is smaller than its margin of error: chance alone may make it, so
        it is no rise or fall to report. A change as large as the margin is one (a two-sided
        test at 5%)."""
        if self.change is None or self.change_margin is None:
            return False
        return abs(self.change) < self.change_margin

    @property
    def shortfall(self) -> float:
        """How far below its green target, relative to the width of the amber band."""
        return self._below_target(self.value)

    @property
    def sure_shortfall(self) -> float:
        """The shortfall the figure surely has: that of its upper bound, where it has one. One
        complaint answered late reads 0% (4.5 bands short) but may be a 79% business (0.6
        short); 140 of 200 promises kept on time read 70% and are at most 76% (0.9 short)."""
        if self.upper_bound is None:
            return self.shortfall
        return self._below_target(self.upper_bound)

    def _below_target(self, value: float | None) -> float:
        green, amber = THRESHOLDS[self.key]
        return (green - value) / (green - amber) if value is not None else 0.0


def share_bounds(part: int, whole: int) -> dict[str, float | None]:
    """The lower and upper end of the 95% interval of a share of `part` in `whole` cases, as a
    Figure takes them: Wilson's score interval (E. B. Wilson, Journal of the American
    Statistical Association 22(158), 1927), which stays honest at 0 of 1 (at most 79%) and at
    1 of 1 (at least 21%) where the plain one says 0% ± 0. None without cases."""
    if not whole:
        return {"lower_bound": None, "upper_bound": None}
    share = part / whole
    z2 = Z_95 * Z_95
    centre = share + z2 / (2 * whole)
    spread = Z_95 * math.sqrt(share * (1 - share) / whole + z2 / (4 * whole * whole))
    return {
        "lower_bound": max(0.0, (centre - spread) / (1 + z2 / whole)),
        "upper_bound": min(1.0, (centre + spread) / (1 + z2 / whole)),
    }


def nps_bounds(nps: NpsSummary) -> dict[str, float | None]:
    """The lowest and highest the NPS may truly be, as a Figure takes them: its score less and
    plus its 95% margin; below NPS_MIN_ANSWERS answers anything from -100 to +100, as the survey
    results read no score of fewer as a fact (three detractors alike have a margin of 0, and
    would read as surely -100). None without answers."""
    if nps.score is None:
        return {"lower_bound": None, "upper_bound": None}
    if nps.answers < NPS_MIN_ANSWERS or nps.margin is None:
        return {"lower_bound": -100.0, "upper_bound": 100.0}
    return {
        "lower_bound": max(-100.0, nps.score - nps.margin),
        "upper_bound": min(100.0, nps.score + nps.margin),
    }


@dataclass(frozen=True)
class Scorecard:
    figures: list[Figure]
    # The figure the next action is for: the one surely furthest below its target
    # (Figure.sure_shortfall).
    weakest: Figure | None
    next_action: str
    # A figure further below its target by its value than `weakest` (or below it at all, with
    # no weakest), passed over because its few cases leave it unsure; None where there is none
    # (the page says why it is not chosen).
    passed_over: Figure | None = None
    # With the drivers weakest, the drivers the next action names (DriverAdvice.start_with),
    # by their code: the page links to where each is worked on.
    drivers_to_start_with: tuple[str, ...] = ()


def trend_window(now: datetime, *, before: bool = False) -> tuple[datetime, datetime]:
    """The last 90 days up to `now`, or (`before`) the 90 days before those: the two sides of
    every trend of the scorecard, for its figures and for their rows."""
    end = now - WINDOW if before else now
    return end - WINDOW, end


def _within_reach(business: Business, start: datetime, end: datetime):
    """The customers whose purchases reach into [start, end): their first before its end, their
    last since its start (CustomerLastPurchase, kept by the database). Whether they bought in
    it is then whether no absence of theirs spans it (_away_throughout)."""
    return CustomerLastPurchase.objects.filter(business=business, first_at__lt=end, at__gte=start)


def _away_throughout(business: Business, start: datetime, end: datetime):
    """The absences that span [start, end): the customer bought before it and after it, and
    nothing in between; at most one absence of a customer can. They are kept from
    ABSENCE_KEPT_FROM on (to a millisecond on SQLite), so the window must be longer than that
    by more than the rounding: a second."""
    if end - start < ABSENCE_KEPT_FROM + timedelta(seconds=1):
        raise ValueError(f"a window of {end - start} is shorter than the absences kept")
    return CustomerAbsence.objects.filter(business=business, since__lt=start, until__gte=end)


def repeat_buyers(business: Business, start: datetime, end: datetime):
    """The customers who bought in [start, end), each with `returning`: whether they had bought
    before start (their first purchase), or were customers before its day (_had_bought_before).
    Counted by the returning-customers figure and listed by its rows. Read from each customer's
    first and last purchase and long absences, which the database keeps: asking every
    customer's purchases whether they bought in the window took 80 ms (SQLite) to 200 ms
    (PostgreSQL) at 100,000 customers."""
    return (
        Customer.objects.filter(business=business)
        .filter(pk__in=_within_reach(business, start, end).values("customer"))
        .exclude(pk__in=_away_throughout(business, start, end).values("customer"))
        .annotate(returning=_had_bought_before(business, start))
    )


def _returning(business: Business, start: datetime, prefix: str = "") -> Q:
    """Whether a customer had bought before `start` (their first purchase, kept by the
    database), or was a customer before its day: their "customer since" (no purchase precedes
    it, or not known: customer_before). A till export of the last three months gives a
    customer of years a first purchase in those months; the figure then said none of a salon's
    regulars had come before. `prefix`: the way from the rows queried to the customer
    ("customer__")."""
    day = business.local(start).date()
    first_at = "first_at" if prefix else "last_purchase__first_at"
    return Q(**{f"{first_at}__lt": start}) | customer_before(day, prefix)


def _had_bought_before(business: Business, start: datetime) -> ExpressionWrapper:
    return ExpressionWrapper(_returning(business, start), output_field=BooleanField())


def repeat_buyers_page(
    business: Business, start: datetime, end: datetime, *, offset: int, limit: int, buyers: int
) -> list[Customer]:
    """The buyers of repeat_buyers from `offset` in the order of their names, each with only its
    name and `returning`: the page's ids first, from the nearer end of the `buyers` there are
    (repeat_counts), then those customers by their keys (core.rows.rows_by_ids). Cut from the
    buyers with their rows, the last page of the 36,427 buyers of 90 days at 100,000 customers
    took 105 ms on PostgreSQL and 79 on SQLite, now 3 and 39; read back through the buyers' own
    conditions instead of their keys, SQLite worked those out again (40 ms more)."""
    return rows_by_ids(
        repeat_buyers(business, start, end).order_by("sort_name", "id"),
        offset,
        offset + limit,
        built=Customer.objects.only("name").annotate(returning=_had_bought_before(business, start)),
        of=buyers,
    )


def repeat_counts(business: Business, start: datetime, end: datetime) -> dict[str, int]:
    """How many customers bought in [start, end) (`buyers`) and how many of them had bought
    before (`returning`): those of repeat_buyers, counted from two indexes (and the customers'
    "customer since"). A customer away throughout the window is within its reach and had
    bought before it (the absence began with a purchase before start), so they are taken from
    both counts."""
    reach = _within_reach(business, start, end).aggregate(
        buyers=Count("pk"),
        returning=Count("pk", filter=_returning(business, start, prefix="customer__")),
    )
    away = _away_throughout(business, start, end).count()
    return {"buyers": reach["buyers"] - away, "returning": reach["returning"] - away}


def new_customers_between(business: Business, start: datetime, end: datetime):
    """The customers who became customers in the days of (start, end]: `customer_since` is a
    day, so "the last 90 days" are today and the 89 days before it, and the 90 before those
    end on the day the last 90 begin. Counted by the figure and listed by its rows. Not those
    a file brought in without their day (Customer.customer_since_known): customers by the
    import's day, perhaps for years, whom the figure would count as new customers who came in
    on their own."""
    return Customer.objects.filter(
        business=business,
        customer_since_known=True,
        customer_since__gt=business.local(start).date(),
        customer_since__lte=business.local(end).date(),
    )


def referral_counts(business: Business, start: datetime, end: datetime) -> dict[str, int]:
    """How many customers became customers in the days of (start, end] (`new`), and how many of
    them came through a referral (`referred`)."""
    return new_customers_between(business, start, end).aggregate(
        new=Count("id"),
        referred=Count("id", filter=came_through_referral()),
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def share_change_margin(part: int, whole: int, part_before: int, whole_before: int) -> float | None:
    """The 95% margin of error of the change of a share between two periods, as a share (0.52
    is 52 points), of customers as a sample of the business's: "2 of 6" against "1 of 5" moved
    the referral share 13 points, which chance alone makes likely. Agresti & Caffo's interval
    for a difference of proportions (one success and one failure added to each side; The
    American Statistician 54(4), 2000), which stays honest at 0 of 5 where the plain one says
    ± 0. None where a side has no one."""
    if not whole or not whole_before:
        return None
    now = (part + 1) / (whole + 2)
    before = (part_before + 1) / (whole_before + 2)
    return Z_95 * math.sqrt(
        now * (1 - now) / (whole + 2) + before * (1 - before) / (whole_before + 2)
    )


NEXT_ACTIONS = {
    "promises": lambda: _(
        "Promise less, deliver more: use the suggested due moment when you make a promise, "
        "and mark promises done the moment they are kept."
    ),
    "complaint_response": lambda: _(
        "Answer every complaint within the target: open Today first thing and answer the "
        "public complaints before anything else."
    ),
    "complaint_resolution": lambda: _(
        "Resolve complaints within the target: agree a solution in the first conversation and "
        "offer a recovery gesture."
    ),
    "aftercare": lambda: _(
        "Do the follow-ups on the day they are planned: they are on Today; a call of two "
        "minutes is enough."
    ),
    "nps": lambda: _(
        "Call the customers who gave a low score, and fix the driver that separates them most "
        "from the enthusiasts."
    ),
    "repeat_rate": lambda: _(
        "Bring first-time customers back: a personal thank-you after their first purchase, and "
        "a call to the valuable customers slipping away on Today."
    ),
    "referrals": lambda: _(
        "Ask your most content customers to recommend you, and thank every referrer."
    ),
    "more_cases": lambda: _(
        "Keep recording as you do: no figure is surely below its target, and the one that "
        "reads below it rests on too few cases yet to say it is."
    ),
    "on_target": lambda: _(
        "Every figure is on its target: keep doing what you do, and look again next month."
    ),
    "on_target_few_cases": lambda: _(
        "Keep recording as you do: no figure is below its target, but some rest on too few "
        "cases yet to say they are on it."
    ),
}


# What gives each figure its first value, for a next action that names the few not measured
# yet: "record promises and complaints" read as an order to a garage that had just done both,
# its promise not due yet and no follow-up's day come.
MEASURED_ONCE = {
    "promises": lambda: _(
        "A promise counts once it is kept or its moment has passed: mark it done when kept."
    ),
    "complaint_response": lambda: _("A complaint counts once it is recorded."),
    "complaint_resolution": lambda: _(
        "A complaint counts once it is resolved or past its target for that."
    ),
    "aftercare": lambda: _(
        "A follow-up counts once it is done or its day has passed; Today names them."
    ),
    "nps": lambda: _("The score counts the survey's answers: invite customers after a purchase."),
    "drivers": lambda: _(
        "Each factor needs more survey answers: invite customers after a purchase."
    ),
    "repeat_rate": lambda: _("Returning customers count the purchases recorded or imported."),
    "referrals": lambda: _("Referrals count once a new customer's card names who brought them."),
}
# More figures than this not measured yet (a shop that has just begun) get the one sentence on
# where to begin, not a paragraph.
MEASURE_NAMED_AT_MOST = 3


# Where to begin, by what is not recorded yet of the three things a shop records itself:
# promises, complaints, the survey's answers (none of the figures they give measured yet: a
# complaint answered and not resolved is one recorded). An accountant's office that kept its deadlines as
# promises, and had had no complaint, read "Start measuring: record promises and complaints".
BEGIN_WITH = {
    ("promises", "complaints", "survey"): lambda: _(
        "Start measuring: record promises and complaints, and send the survey after a purchase."
    ),
    ("promises", "complaints"): lambda: _("Start measuring: record promises and complaints."),
    ("promises", "survey"): lambda: _(
        "Start measuring: record promises, and send the survey after a purchase."
    ),
    ("promises",): lambda: _("Start measuring: record promises."),
    ("complaints", "survey"): lambda: _(
        "Measure the rest too: record complaints as they come in, and send the survey after a "
        "purchase."
    ),
    ("complaints",): lambda: _("Measure the rest too: record complaints as they come in."),
    ("survey",): lambda: _("Measure the rest too: send the survey after a purchase."),
}
BEGIN_WITH_FIGURES = {
    "promises": ("promises",),
    "complaints": ("complaint_response", "complaint_resolution"),
    "survey": ("nps", "drivers"),
}


def measure_action(figures: list[Figure]) -> str:
    """To start measuring: on a shop that has just begun, where to begin (of what it records
    itself, what it has not yet); with a few figures left, which, and what gives each its
    first value."""
    unmeasured = [figure for figure in figures if not figure.measured]
    measured = {figure.key for figure in figures if figure.measured}
    begin_with = tuple(
        thing
        for thing, measured_by in BEGIN_WITH_FIGURES.items()
        if not any(key in measured for key in measured_by)
    )
    if len(unmeasured) > MEASURE_NAMED_AT_MOST and begin_with:
        return BEGIN_WITH[begin_with]()
    names = ", ".join(f"“{figure.label}”" for figure in unmeasured)
    keys = [figure.key for figure in unmeasured if figure.key in MEASURED_ONCE]
    # Both from the survey's answers: "invite customers after a purchase" was said twice.
    both_survey = "nps" in keys and "drivers" in keys
    sentences = [
        _survey_measured_once() if both_survey and key == "nps" else MEASURED_ONCE[key]()
        for key in keys
        if not (both_survey and key == "drivers")
    ]
    return " ".join([_("Not measured yet: %(names)s.") % {"names": names}, *sentences])


def _survey_measured_once() -> str:
    """What gives the NPS and the factors their first value, said once for both."""
    return _(
        "The score and the factors count the survey's answers: invite customers after a purchase."
    )


# The figures of the scorecard and of Today look at a year of history: with a big business that
# is too much work for every look, and a figure a minute old tells the same story. One lifetime
# for both, so that the two pages never tell different stories for longer than that.
FIGURES_CACHE_SECONDS = 60


def _complaints_detail(figures: ComplaintFigures) -> str:
    """How many complaints came in, and how they were answered: on the spot, later, or not yet
    ("12 complaints in the last 90 days; 8 answered on the spot, the other 4 got a first
    response (half of them within 3 hours 30 min)"). The median is said as what it means to a
    shopkeeper, half of them within it, in the words the pages use for a length of time."""
    received = figures.received
    if not received:
        return _("0 complaints in the last 90 days")
    on_the_spot, later = figures.answered_on_the_spot, figures.answered_later
    waiting = received - on_the_spot - later
    median = figures.median_response
    # Under a minute "half of them within 0 min" read as a mistake: within a minute.
    wait = (
        ""
        if median is None
        else _("a minute")
        if median < timedelta(minutes=1)
        else duration_shown(median)
    )
    answers = []
    if on_the_spot == received:
        answers.append(
            npgettext(
                "complaints of the scorecard",
                "answered on the spot",
                "all answered on the spot",
                received,
            )
        )
    elif on_the_spot:
        answers.append(
            ngettext(
                "%(count)s answered on the spot", "%(count)s answered on the spot", on_the_spot
            )
            % {"count": count_shown(on_the_spot)}
        )
    if later == received:
        answers.append(
            ngettext(
                "first response after %(wait)s",
                "all got a first response (half of them within %(wait)s)",
                later,
            )
            % {"wait": wait}
        )
    elif later and not waiting:  # the rest of them, after those answered on the spot
        answers.append(
            ngettext(
                "the other one got a first response after %(wait)s",
                "the other %(count)s got a first response (half of them within %(wait)s)",
                later,
            )
            % {"count": count_shown(later), "wait": wait}
        )
    elif later:
        answers.append(
            ngettext(
                "%(count)s got a first response after %(wait)s",
                "%(count)s got a first response (half of them within %(wait)s)",
                later,
            )
            % {"count": count_shown(later), "wait": wait}
        )
    if waiting == received:
        answers.append(ngettext("not answered yet", "none answered yet", received))
    elif waiting and on_the_spot and not later:
        answers.append(
            ngettext(
                "the other one not answered yet", "the other %(count)s not answered yet", waiting
            )
            % {"count": count_shown(waiting)}
        )
    elif waiting:
        answers.append(
            ngettext("%(count)s not answered yet", "%(count)s not answered yet", waiting)
            % {"count": count_shown(waiting)}
        )
    return _("%(complaints)s; %(answers)s") % {
        "complaints": ngettext(
            "%(received)s complaint in the last 90 days",
            "%(received)s complaints in the last 90 days",
            received,
        )
        % {"received": count_shown(received)},
        "answers": ", ".join(answers),
    }


def _drivers_detail(advice: DriverAdvice) -> str:
    """Whose score the figure is: the driver to start with, by the survey results' own rule
    (surveys.selectors.driver_advice), and the drivers of too few answers to judge."""
    if advice.separating is not None:
        named = _("%(driver)s separates detractors from promoters most") % {
            "driver": advice.separating.label
        }
    elif len(advice.lowest) == 1:
        named = _("%(driver)s scores lowest") % {"driver": advice.lowest[0].label}
    else:
        named = _("%(drivers)s score equally low") % {"drivers": driver_names(advice.lowest)}
    detail = _("%(named)s; answers of the last 12 months") % {"named": named}
    if advice.too_few:
        detail = _("%(detail)s; too few answers to judge %(drivers)s") % {
            "detail": detail,
            "drivers": driver_names(advice.too_few),
        }
    return detail


def _drivers_too_few(advice: DriverAdvice) -> str:
    """With no driver of enough answers, the figure is not measured: says why."""
    if not advice.too_few:
        return ""
    return _(
        "Too few answers to judge a driver yet: each needs %(minimum)s in the last 12 months"
    ) % {"minimum": DRIVER_MIN_ANSWERS}


def _driver_action(advice: DriverAdvice) -> str:
    """Which driver to work on first: the one that separates detractors from promoters most,
    as the survey results page says; without enough of both, the lowest (all those that read
    equally low). Drivers of too few answers are not named (driver_advice)."""
    separating, lowest = advice.separating, advice.lowest
    if separating is not None and separating.name not in {driver.name for driver in lowest}:
        # Its own scores, which say why: on average it may be the best driver, and "work first
        # on reliability" beside its 3.8, the highest of the five, read as a mistake.
        return ngettext(
            "Work first on %(driver)s: your detractors give it %(detractors)s and your "
            "promoters %(promoters)s, the largest difference of any driver (see the survey "
            "results). That is where unhappy customers part from enthusiastic ones, even "
            "though %(lowest)s scores lowest.",
            "Work first on %(driver)s: your detractors give it %(detractors)s and your "
            "promoters %(promoters)s, the largest difference of any driver (see the survey "
            "results). That is where unhappy customers part from enthusiastic ones, even "
            "though %(lowest)s share the lowest score.",
            len(lowest),
        ) % {
            "driver": separating.label,
            "detractors": number_rounded(separating.detractor_average, 1),
            "promoters": number_rounded(separating.promoter_average, 1),
            "lowest": driver_names(lowest),
        }
    if separating is not None:
        return _(
            "Work first on %(driver)s: it scores lowest and separates the detractors from the "
            "promoters most (see the survey results)."
        ) % {"driver": separating.label}
    return ngettext(
        "Work first on %(driver)s, the driver with the lowest score.",
        "Work first on %(driver)s, the drivers that score equally low.",
        len(lowest),
    ) % {"driver": driver_names(lowest)}


def _nps_year(year: NpsSummary) -> str:
    """The survey results' NPS of twelve months, beside the scorecard's of 90 days."""
    if year.score is None:
        return ""
    return ngettext(
        "Last 12 months: %(score)s (%(answers)s answer), on the survey results",
        "Last 12 months: %(score)s (%(answers)s answers), on the survey results",
        year.answers,
    ) % {"score": year.score_shown, "answers": count_shown(year.answers)}


def _scorecard_key(business: Business, language: str) -> str:
    return f"scorecard:{business.pk}:{language}"


def customer_scorecard_recent(*, business: Business) -> Scorecard:
    """The scorecard as computed at most a minute ago (per language: it holds sentences)."""
    key = _scorecard_key(business, get_language())
    card = cache.get(key)
    if card is None:
        card = customer_scorecard(business=business)
        cache.set(key, card, FIGURES_CACHE_SECONDS)
    return card


def customer_scorecard_forget(*, business: Business) -> None:
    """Drops the scorecard computed before an action whose effect the user looks for at once."""
    cache.delete_many([_scorecard_key(business, code) for code, _name in settings.LANGUAGES])


def customer_scorecard(*, business: Business, now: datetime | None = None) -> Scorecard:
    now = now or timezone.now()
    # The 90 days before end where the last 90 begin.
    start, _end = trend_window(now)
    previous_start, _previous_end = trend_window(now, before=True)
    promises_kept = promise_trend(business=business, now=now)
    complaints, complaints_before = complaint_figures_at(business=business, moments=[now, start])
    coverage = follow_up_coverage(business=business, today=business.local(now).date())
    answers = scorecard_answers(
        business=business, now=now, start=start, previous_start=previous_start
    )
    nps, nps_before = answers.nps, answers.nps_before
    drivers = [d for d in answers.drivers if d.answers]
    repeat = repeat_counts(business, start, now)
    repeat_before_counts = repeat_counts(business, previous_start, start)
    referrals = referral_counts(business, start, now)
    referrals_before = referral_counts(business, previous_start, start)
    # The driver named is the survey results' (driver_advice), and its score is the figure's.
    advice = driver_advice(drivers)
    start_with = advice.start_with[0] if advice.start_with else None
    figures = [
        Figure(
            "promises",
            _("Promises kept on time"),
            promises_kept.last_90_days,
            "share",
            promises_kept.last_90_days,
            promises_kept.previous_90_days,
            ngettext(
                "%(judged)s promise judged in the last 90 days",
                "%(judged)s promises judged in the last 90 days",
                promises_kept.judged_last_90_days,
            )
            % {"judged": count_shown(promises_kept.judged_last_90_days)},
            **share_bounds(promises_kept.kept_last_90_days, promises_kept.judged_last_90_days),
        ),
        Figure(
            "complaint_response",
            _("Complaints answered within the target"),
            complaints.responded_in_time_share,
            "share",
            complaints.responded_in_time_share,
            complaints_before.responded_in_time_share,
            _complaints_detail(complaints),
            **share_bounds(complaints.responded_in_time, complaints.responses_judged),
        ),
        Figure(
            "complaint_resolution",
            _("Complaints resolved within the target"),
            complaints.resolved_in_time_share,
            "share",
            complaints.resolved_in_time_share,
            complaints_before.resolved_in_time_share,
            ngettext(
                "%(resolved)s of %(judged)s complaint judged in the last 90 days",
                "%(resolved)s of %(judged)s complaints judged in the last 90 days",
                complaints.resolutions_judged,
            )
            % counts_shown(
                {"resolved": complaints.resolved_in_time, "judged": complaints.resolutions_judged}
            ),
            **share_bounds(complaints.resolved_in_time, complaints.resolutions_judged),
        ),
        Figure(
            "aftercare",
            _("Aftercare done in time"),
            coverage.share,
            "share",
            coverage.share,
            None,
            _("%(covered)s of %(judged)s follow-ups in the last 90 days")
            % counts_shown({"covered": coverage.covered, "judged": coverage.judged}),
            **share_bounds(coverage.covered, coverage.judged),
        ),
        Figure(
            "nps",
            _("Net Promoter Score"),
            nps.score,
            "points",
            nps.score,
            nps_before.score,
            ngettext(
                "%(answers)s answer in the last 90 days",
                "%(answers)s answers in the last 90 days",
                nps.answers,
            )
            % {"answers": count_shown(nps.answers)},
            change_margin=nps.difference_margin(nps_before),
            see_also=_nps_year(answers.nps_year),
            **nps_bounds(nps),
        ),
        Figure(
            "drivers",
            # The score of the driver to start with (named in the detail), not of the five.
            _("Satisfaction driver to start with"),
            start_with.average if start_with else None,
            "score",
            detail=_drivers_detail(advice) if start_with else _drivers_too_few(advice),
            parts=[(d.label, d.average) for d in drivers],
        ),
        _customer_share(
            "repeat_rate",
            _("Returning customers"),
            (repeat["returning"], repeat["buyers"]),
            (repeat_before_counts["returning"], repeat_before_counts["buyers"]),
            ngettext(
                "%(returning)s of %(buyers)s customer who bought in the last 90 days had "
                "been with you before",
                "%(returning)s of the %(buyers)s customers who bought in the last 90 days had "
                "been with you before",
                repeat["buyers"],
            )
            % counts_shown(repeat),
        ),
        _customer_share(
            "referrals",
            _("New customers through a referral"),
            (referrals["referred"], referrals["new"]),
            (referrals_before["referred"], referrals_before["new"]),
            ngettext(
                "%(referred)s of %(new)s new customer in the last 90 days",
                "%(referred)s of %(new)s new customers in the last 90 days",
                referrals["new"],
            )
            % counts_shown(referrals),
        ),
    ]
    weakest, passed_over = weakest_figure(figures)
    drivers_to_start_with: tuple[str, ...] = ()
    if weakest is not None and weakest.key == "drivers":
        next_action = _driver_action(advice)
        drivers_to_start_with = tuple(driver.name for driver in advice.start_with)
    else:
        key = next_action_key(figures, weakest, passed_over)
        next_action = measure_action(figures) if key == "measure" else NEXT_ACTIONS[key]()
    return Scorecard(
        figures=figures,
        weakest=weakest,
        next_action=next_action,
        passed_over=passed_over,
        drivers_to_start_with=drivers_to_start_with,
    )


def _customer_share(
    key: str, label: str, now: tuple[int, int], before: tuple[int, int], detail: str
) -> Figure:
    """A share of customers, (part, whole) of the last 90 days and of the 90 before: its value
    and trend, the margin of its change and its bounds all from those counts."""
    return Figure(
        key,
        label,
        _share(*now),
        "share",
        _share(*now),
        _share(*before),
        detail,
        change_margin=share_change_margin(*now, *before),
        **share_bounds(*now),
    )


def next_action_key(figures: list[Figure], weakest: Figure | None, passed_over: Figure | None):
    """Which of NEXT_ACTIONS the scorecard gives: the weakest figure's; without one, to start
    measuring while a figure is not measured yet, to keep recording while one reads below its
    target, or on it, on too few cases, or that every figure is on its target."""
    if weakest is not None:
        return weakest.key
    if not all(figure.measured for figure in figures):
        return "measure"
    if passed_over:
        return "more_cases"
    return "on_target_few_cases" if any(figure.unsure for figure in figures) else "on_target"


def weakest_figure(figures: list[Figure]) -> tuple[Figure | None, Figure | None]:
    """Of the figures surely below their target, the one surely furthest below it, in widths
    of its amber band (Figure.sure_shortfall), and the one furthest below it by its value where
    that is another (passed over for its few cases). None for the weakest with none surely
    below its target: a figure on target is no weakness to work on, were it the only one
    measured, nor one below it on too few cases to say so (Figure.surely_below); the figure
    furthest below by its value is then the one passed over, if any."""
    below = [figure for figure in figures if figure.measured and figure.shortfall > 0]
    if not below:
        return None, None
    surely_below = [figure for figure in below if figure.surely_below]
    weakest = (
        max(surely_below, key=lambda figure: (figure.sure_shortfall, figure.shortfall))
        if surely_below
        else None
    )
    lowest = max(below, key=lambda figure: figure.shortfall)
    if weakest is None:
        return None, lowest
    passed_over = lowest if lowest is not weakest and lowest.shortfall > weakest.shortfall else None
    return weakest, passed_over
