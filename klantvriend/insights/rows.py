"""What each scorecard figure is made of: the rows of the last 90 days, newest first, a page of
ROW_LIMIT at a time, each linked to its customer, with a sentence saying how the figure follows
from them; for a figure with a trend also the rows of the 90 days before, the trend's other side.
The rows and that sentence come from the same selector as the figure itself, so that the list
cannot count by another rule than the figure. A fixed number of queries per page."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.db.models import BooleanField, Count, ExpressionWrapper
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klantvriend.aftercare.models import Outcome
from klantvriend.aftercare.selectors import follow_up_coverage_events
from klantvriend.complaints.selectors import complaint_views, complaints_received
from klantvriend.core.models import Business
from klantvriend.core.money import amount_shown
from klantvriend.core.numbers import count_shown, counts_shown, share_shown
from klantvriend.core.rows import rows_by_ids
from klantvriend.core.shown import moment_shown
from klantvriend.customers.models import Customer
from klantvriend.customers.selectors import came_through_referral
from klantvriend.gestures.models import Occasion
from klantvriend.insights.charts import (
    VALUE_RANGES,
    value_measure,
    value_range_bounds,
    value_range_condition,
    value_range_labels,
)
from klantvriend.insights.effects import EFFECT_WINDOW_DAYS, effect_rows
from klantvriend.insights.models import CustomerInsight
from klantvriend.insights.monthly import COHORT_PERIODS, cohort, month_revenue
from klantvriend.insights.scorecard import (
    new_customers_between,
    referral_counts,
    repeat_buyers_page,
    repeat_counts,
    trend_window,
)
from klantvriend.insights.selectors import (
    SLIPPING_ALIVE_BELOW,
    SLIPPING_FALL_AT_LEAST,
    alive_figure,
    insight_run_latest,
    not_seen_for,
    slipping_away_insights,
)
from klantvriend.promises.selectors import KEPT_ON_TIME, promise_views, promises_judged
from klantvriend.surveys.models import DETRACTOR_MAX, DRIVERS, PROMOTER_MIN, DriverName
from klantvriend.surveys.selectors import (
    NPS_MIN_ANSWERS,
    RESULTS_DAYS,
    nps_summary,
    survey_answers,
    survey_figures_since,
)

ROW_LIMIT = 200


@dataclass(frozen=True)
class RowTable:
    title: str
    headers: list[str]
    rows: list[tuple[int | None, str, list[str]]]  # (customer id, customer name, cells)
    # How the figure follows from all its rows (of every page), in numbers one can check.
    summary: str = ""
    total: int = 0  # the rows of every page
    offset: int = 0  # the rows on the pages before this one
    # How each row's customer is reached (Customer.contact_way: "phone", "email" or ""), where
    # the page offers the call to plan beside each, as Today does (the customers slipping away).
    reach: dict[int, str] | None = None


def _moment(business: Business, value, *, time_known: bool = True) -> str:
    """A moment of a row in the business's time zone, day and time on one line of the table
    (these rows are shown only on a page); its day alone where no time is known (a promise for
    the day: "31 jul 2027 23:59" read as a time someone chose)."""
    if value is None:
        return "—"
    if not time_known:
        return moment_shown(business.local(value).date())
    return moment_shown(value, zone=business.tzinfo)


def _yes_no(value: bool | None, not_yet: str = "") -> str:
    if value is None:
        return not_yet
    return _("yes") if value else _("no")


def _promises(business, now, offset, before=False):
    # The promises the figure judged, each with the status it was judged by. The 90 days before
    # are judged now too, as the trend judges them (promise_reliability).
    since, until = trend_window(now, before=before)
    judged = promises_judged(
        business=business, since=since, now=now, until=until if before else None
    )
    counts = judged.aggregate(judged=Count("id"), on_time=Count("id", filter=KEPT_ON_TIME))
    # Read from the newest always: a promise done or cancelled in the window may have been
    # due long before it, so from the oldest end the index would step over the whole history.
    promises = _page(judged.order_by("-due_at", "-id"), offset)
    return RowTable(
        _("Promises judged in the 90 days before the last 90")
        if before
        else _("Promises judged in the last 90 days"),
        [_("promise"), _("due"), _("done"), _("outcome")],
        [
            (
                view.promise.customer_id,
                view.promise.customer.name,
                [
                    view.promise.description,
                    _moment(business, view.promise.due_at, time_known=not view.promise.due_all_day),
                    _moment(
                        business, view.promise.done_at, time_known=view.promise.done_time_known
                    ),
                    str(view.status.label),
                ],
            )
            for view in promise_views(business=business, promises=promises, now=now)
        ],
        # Said without a verb to agree: "1 of these 2 promises were kept" took its number
        # from the promises judged, not from those kept.
        ngettext(
            "Kept on time or early: %(on_time)s of this %(judged)s promise.",
            "Kept on time or early: %(on_time)s of these %(judged)s promises.",
            counts["judged"],
        )
        % counts_shown(counts),
        counts["judged"],
        offset,
    )


def _page(rows, offset: int, *, of: int | None = None) -> list:
    """One page of a figure's rows in their order, each with its customer: the page's ids
    first, through the order's index alone, then those rows by their keys (core.rows.rows_by_ids).
    Cut from the rows themselves, a deep page joined every row it stepped over to its customer:
    page 307 of a year's survey answers took 207 ms on PostgreSQL at 100,000 customers. `of`:
    how many rows there are, for a page in the second half to be read from the end, where the
    rows' filter bounds the order's index at both ends (a period of answers)."""
    built = rows.model.objects.select_related("customer")
    return rows_by_ids(rows, offset, offset + ROW_LIMIT, built=built, of=of)


def _names(business, customer_ids) -> dict[int, str]:
    """The names of the customers on one page of rows: a figure's rows are counted from all
    its events (thousands in a large shop), each read without joining its customer. A customer
    deleted between the two reads has none ("—")."""
    return dict(
        Customer.objects.filter(business=business, pk__in=set(customer_ids)).values_list(
            "pk", "name"
        )
    )


def _complaint_views(business, now):
    # The few complaints of 90 days are judged in Python, by the clocks the figure uses, read
    # with only what those and the rows show (a large shop's thousand complaints with their
    # customers took 60 ms on PostgreSQL).
    complaints = (
        complaints_received(business=business, now=now)
        .only(
            "customer_id",
            "received_at",
            "public",
            "first_response_at",
            "resolved_at",
            "respond_by",
            "resolve_by",
            "description",
        )
        .order_by("-received_at", "-id")
    )
    return complaint_views(business=business, complaints=complaints, now=now)


def _complaint_rows(business, now, offset, *, resolution: bool, before: bool):
    """The complaints with what the response (or resolution) figure counts each as. The 90 days
    before are judged as the trend judges them: at their end (complaint_figures)."""
    views = _complaint_views(business, trend_window(now, before=before)[1])

    def in_time(view) -> bool | None:
        return view.clock.resolution_in_time if resolution else view.clock.response_in_time

    def moment(complaint) -> str:
        if resolution:
            return _moment(business, complaint.resolved_at)
        if complaint.answered_on_the_spot:
            return _("on the spot")
        return _moment(business, complaint.first_response_at)

    judged = [in_time(view) for view in views if in_time(view) is not None]
    if resolution:
        headers = [_("resolved"), _("resolved within the target")]
        sentence = ngettext(
            "%(yes)s of the %(judged)s complaint judged was resolved within the target.",
            "%(yes)s of the %(judged)s complaints judged were resolved within the target.",
            len(judged),
        )
    else:
        headers = [_("first response"), _("answered within the target")]
        sentence = ngettext(
            "%(yes)s of the %(judged)s complaint judged was answered within the target.",
            "%(yes)s of the %(judged)s complaints judged were answered within the target.",
            len(judged),
        )
    waiting = len(views) - len(judged)
    # Those whose time still runs are counted on top of the judged ones, by that word: "The
    # other 3" after "16 of the 21 judged" read as the 5 of those 21 not in time.
    if before and judged:
        unjudged = ngettext(
            "%(count)s more complaint is not judged: its time was still running when these 90 "
            "days ended.",
            "%(count)s more complaints are not judged: their time was still running when these "
            "90 days ended.",
            waiting,
        )
    elif before:
        unjudged = ngettext(
            "%(count)s complaint is not judged: its time was still running when these 90 days "
            "ended.",
            "%(count)s complaints are not judged: their time was still running when these 90 "
            "days ended.",
            waiting,
        )
    elif judged:
        unjudged = ngettext(
            "%(count)s more complaint is not judged yet: its time is still running.",
            "%(count)s more complaints are not judged yet: their time is still running.",
            waiting,
        )
    else:
        unjudged = ngettext(
            "%(count)s complaint is not judged yet: its time is still running.",
            "%(count)s complaints are not judged yet: their time is still running.",
            waiting,
        )
    sentences = []
    if judged or not waiting:
        sentences.append(sentence % counts_shown({"yes": sum(judged), "judged": len(judged)}))
    if waiting:
        sentences.append(unjudged % {"count": count_shown(waiting)})
    summary = " ".join(sentences)
    not_judged = (
        _("not judged: its time was still running when these 90 days ended")
        if before
        else _("not yet: its time is still running")
    )
    page = views[offset : offset + ROW_LIMIT]
    names = _names(business, (view.complaint.customer_id for view in page))
    return RowTable(
        _("Complaints received in the 90 days before the last 90")
        if before
        else _("Complaints received in the last 90 days"),
        [_("complaint"), _("received"), *headers],
        [
            (
                view.complaint.customer_id,
                names.get(view.complaint.customer_id, "—"),
                [
                    view.complaint.description[:80],
                    _moment(business, view.complaint.received_at),
                    moment(view.complaint),
                    _yes_no(in_time(view), not_judged),
                ],
            )
            for view in page
        ],
        summary,
        len(views),
        offset,
    )


def _complaint_response(business, now, offset, before=False):
    return _complaint_rows(business, now, offset, resolution=False, before=before)


def _complaint_resolution(business, now, offset, before=False):
    return _complaint_rows(business, now, offset, resolution=True, before=before)


def _aftercare(business, now, offset):
    events = follow_up_coverage_events(business=business, today=business.local(now).date())
    covered = sum(event.covered for event in events)
    page = events[offset : offset + ROW_LIMIT]
    names = _names(business, (event.customer_id for event in page))
    return RowTable(
        _("Deliveries, repairs and complaints of the last 90 days and their follow-up"),
        [_("reason"), _("planned for"), _("done"), _("in time"), _("outcome")],
        [
            (
                event.customer_id,
                names.get(event.customer_id, "—"),
                [
                    str(event.reason.label),
                    moment_shown(event.due_on),
                    _moment(business, event.done_at),
                    _yes_no(event.covered),
                    str(Outcome(event.outcome).label) if event.outcome else "—",
                ],
            )
            for event in page
        ],
        ngettext(
            "The follow-up of %(covered)s of this %(judged)s was done in time.",
            "The follow-up of %(covered)s of these %(judged)s was done in time.",
            len(events),
        )
        % counts_shown({"covered": covered, "judged": len(events)}),
        len(events),
        offset,
    )


def _answer_kind(nps: int) -> str:
    if nps >= PROMOTER_MIN:
        return _("promoter")
    if nps <= DETRACTOR_MAX:
        return _("detractor")
    return _("passive")


def _answer_rows(business, answers, offset, total: int, drivers: bool):
    """The answers, newest first, each with what it counts as in the score and, for the drivers,
    its score of each driver (empty where it gave none: it does not count in that average)."""
    rows = []
    for answer in _page(answers.order_by("-answered_at", "-id"), offset, of=total):
        if drivers:
            # The recommendation and what it counts as in one cell, so that the five drivers
            # and the comment fit beside them on a 1280-pixel screen.
            cells = [
                _moment(business, answer.answered_at),
                f"{answer.nps} ({_answer_kind(answer.nps)})",
            ]
            cells += [
                "" if getattr(answer, name) is None else str(getattr(answer, name))
                for name in DRIVERS
            ]
        else:
            cells = [
                _moment(business, answer.answered_at),
                str(answer.nps),
                _answer_kind(answer.nps),
            ]
        cells.append(answer.comment[:80])
        rows.append(
            (
                answer.customer_id,
                answer.customer.name if answer.customer_id else _("anonymous"),
                cells,
            )
        )
    return rows


def _answer_headers(drivers: bool) -> list[str]:
    labels = dict(DriverName.choices)
    if drivers:
        # The scale of the drivers is in the summary above the table: "(1-5)" after each of
        # the five labels made the table wider than the screen.
        return [
            _("answered"),
            _("recommendation (0-10)"),
            *(str(labels[name]) for name in DRIVERS),
            _("comment"),
        ]
    return [_("answered"), _("recommendation (0-10)"), _("counts as"), _("comment")]


def _nps_sentence(summary) -> str:
    """How the answers make the score, in their counts."""
    return _(
        "%(promoters)s promoters (9-10) and %(detractors)s detractors (0-6) among "
        "%(answers)s answers: the score is the share of promoters minus the share of "
        "detractors, %(score)s."
    ) % {
        "promoters": count_shown(summary.promoters),
        "detractors": count_shown(summary.detractors),
        "answers": count_shown(summary.answers),
        "score": summary.score_shown,
    } + _nps_certainty(summary)


def _nps_certainty(summary) -> str:
    """How sure the score is, as the survey results say beside it: its margin of error, and
    that a few answers are too few to read as the shop's score."""
    text = ""
    if summary.margin_shown is not None:
        text += " " + _("Margin of error of this score (95%%): ± %(margin)s points.") % {
            "margin": summary.margin_shown
        }
    if summary.too_few_answers:
        text += " " + _("Too few answers to read as the shop's score: fewer than %(least)s.") % {
            "least": NPS_MIN_ANSWERS
        }
    return text


def _answers_between(business, title: str, since, until, offset) -> RowTable:
    """The answers of [since, until) with what each counts as, under how they make the score."""
    summary = nps_summary(business=business, since=since, until=until)
    return RowTable(
        title,
        _answer_headers(drivers=False),
        _answer_rows(
            business,
            survey_answers(business=business, since=since, until=until),
            offset,
            summary.answers,
            drivers=False,
        ),
        _nps_sentence(summary),
        summary.answers,
        offset,
    )


def _surveys(business, now, offset, before=False):
    since, until = trend_window(now, before=before)
    title = (
        _("Survey answers of the 90 days before the last 90")
        if before
        else _("Survey answers of the last 90 days")
    )
    return _answers_between(business, title, since, until, offset)


def _survey_month(business, month: date, offset):
    """The answers of one month of the survey results' trend, with how they make its score."""
    since, until = business.month_bounds(month)  # as the trend cuts its months
    title = _("Survey answers of %(month)s") % {"month": date_format(month, "F Y")}
    return _answers_between(business, title, since, until, offset)


def _driver_average(driver) -> str:
    """One driver's average over its answers, rounded as the scorecard and the survey results
    show it, with those of the promoters and the detractors among them, whose gap the survey
    results and the scorecard's next action name."""
    figures = {
        "driver": driver.label,
        "average": floatformat(driver.average, 1),
        "answers": count_shown(driver.answers),
    }
    if driver.promoter_average is None or driver.detractor_average is None:
        return (
            ngettext(
                "%(driver)s %(average)s over %(answers)s answer",
                "%(driver)s %(average)s over %(answers)s answers",
                driver.answers,
            )
            % figures
        )
    return ngettext(
        "%(driver)s %(average)s over %(answers)s answer (promoters %(promoters)s, "
        "detractors %(detractors)s)",
        "%(driver)s %(average)s over %(answers)s answers (promoters %(promoters)s, "
        "detractors %(detractors)s)",
        driver.answers,
    ) % {
        **figures,
        "promoters": floatformat(driver.promoter_average, 1),
        "detractors": floatformat(driver.detractor_average, 1),
    }


def _driver_answers(business, now, offset):
    # The drivers are averaged over a year of answers (surveys.selectors.RESULTS_DAYS).
    since = now - timedelta(days=RESULTS_DAYS)
    # Every answer since then, which the figures below count.
    answers = survey_answers(business=business, since=since)
    # The survey results' score of the same year opens here too: its counts first. Read as
    # the results page reads them.
    summary, drivers = survey_figures_since(business=business, since=since)
    averages = [_driver_average(driver) for driver in drivers if driver.answers]
    total = summary.answers
    return RowTable(
        _("Survey answers of the last 12 months"),
        _answer_headers(drivers=True),
        _answer_rows(business, answers, offset, total, drivers=True),
        _nps_sentence(summary)
        + (
            " "
            + _(
                "Each driver's score (1 to 5) is the average of the answers that scored it: "
                "%(averages)s."
            )
            % {"averages": "; ".join(averages)}
            if averages
            else ""
        ),
        total,
        offset,
    )


def _repeat(business, now, offset, before=False):
    start, end = trend_window(now, before=before)
    counts = repeat_counts(business, start, end)
    customers = repeat_buyers_page(
        business, start, end, offset=offset, limit=ROW_LIMIT, buyers=counts["buyers"]
    )
    return RowTable(
        _("Customers who bought in the 90 days before the last 90")
        if before
        else _("Customers who bought in the last 90 days"),
        # "Bought before" said no for none of an imported list's customers of years, whose
        # purchases before the window are not on record: what counts is that they were
        # customers already (scorecard._returning).
        [_("customer before")],
        [(c.pk, c.name, [_("yes") if c.returning else _("no, new")]) for c in customers],
        ngettext(
            "%(returning)s of this %(buyers)s customer had been with you before.",
            "%(returning)s of these %(buyers)s customers had been with you before.",
            counts["buyers"],
        )
        % counts_shown(counts),
        counts["buyers"],
        offset,
    )


def _referrals(business, now, offset, before=False):
    start, end = trend_window(now, before=before)
    counts = referral_counts(business, start, end)
    customers = (
        new_customers_between(business, start, end)
        .select_related("referred_by")
        .annotate(referral=ExpressionWrapper(came_through_referral(), BooleanField()))
        .order_by("-customer_since", "-id")[offset : offset + ROW_LIMIT]
    )
    return RowTable(
        _("New customers of the 90 days before the last 90")
        if before
        else _("New customers of the last 90 days"),
        [
            _("customer since"),
            _("came to us through"),
            _("referred by"),
            _("counts as a referral"),
        ],
        [
            (
                c.pk,
                c.name,
                [
                    moment_shown(c.customer_since),
                    c.get_acquisition_channel_display(),
                    c.referred_by.name if c.referred_by else "—",
                    _yes_no(c.referral),
                ],
            )
            for c in customers
        ],
        ngettext(
            "%(referred)s of this %(new)s new customer came through a referral: the channel "
            "says so, or a referrer is recorded.",
            "%(referred)s of these %(new)s new customers came through a referral: the channel "
            "says so, or a referrer is recorded.",
            counts["new"],
        )
        % counts_shown(counts),
        counts["new"],
        offset,
    )


def _slipping_away(business, now, offset):
    """Today's valuable customers slipping away, all of them (Today shows the first few), with
    the figures that made each one of them, and the rule in numbers: the spend that counted as
    valuable at the last refresh."""
    insights = slipping_away_insights(business=business)
    today = business.local(now).date()
    total = insights.count()
    run = insight_run_latest(business=business)
    valuable = (run.figures or {}).get("valuable_spend_cents") if run else None
    rule = {
        "count": count_shown(total),
        "below": f"{round(SLIPPING_ALIVE_BELOW * 100)}%",
        "fall": count_shown(round(SLIPPING_FALL_AT_LEAST * 100)),
    }
    if valuable is None:
        summary = ngettext(
            "This %(count)s customer bought on three days or more, their probability alive is "
            "below %(below)s and fell by %(fall)s points or more in 30 days, they stayed away "
            "for more than twice their usual interval plus a month, and no follow-up or "
            "promise is open for them.",
            "These %(count)s customers bought on three days or more, their probability alive is "
            "below %(below)s and fell by %(fall)s points or more in 30 days, they stayed away "
            "for more than twice their usual interval plus a month, and no follow-up or "
            "promise is open for them.",
            total,
        )
    else:
        rule["spend"] = amount_shown(valuable, business.currency)
        summary = ngettext(
            "This %(count)s customer bought on three days or more and spent %(spend)s or more "
            "(the top half of those who did), their probability alive is below %(below)s and "
            "fell by %(fall)s points or more in 30 days, they stayed away for more than twice "
            "their usual interval plus a month, and no follow-up or promise is open for them.",
            "These %(count)s customers bought on three days or more and spent %(spend)s or "
            "more (the top half of those who did), their probability alive is below %(below)s "
            "and fell by %(fall)s points or more in 30 days, they stayed away for more than "
            "twice their usual interval plus a month, and no follow-up or promise is open for "
            "them.",
            total,
        )
    page = _page(insights, offset, of=total)
    return RowTable(
        _("Valuable customers slipping away"),
        [
            _("spend so far"),
            _("probability alive"),
            _("probability alive 30 days earlier"),
            _("how long away"),
        ],
        [
            (
                insight.customer_id,
                insight.customer.name,
                [
                    amount_shown(insight.spend_cents, business.currency),
                    alive_figure(insight),
                    share_shown(insight.probability_alive_30_days_ago),
                    not_seen_for(insight, today),
                ],
            )
            for insight in page
        ],
        summary % rule,
        total,
        offset,
        reach={insight.customer_id: insight.customer.contact_way for insight in page},
    )


def _gesture_effect(business, now, offset, part="", month=None):
    """The gestures of one occasion (`part`) the gestures page counts, or with `part`
    "without" the complaints resolved without a gesture, each with what its customer bought in
    the days before and after it; and how the page's figures follow from them: the shares are
    of these rows, the spend a mean per row. From the latest refresh's period and purchases
    (insights.effects.effect_rows)."""
    run = insight_run_latest(business=business)
    effects = (
        effect_rows(business=business, run=run, occasion="" if part == WITHOUT_GESTURE else part)
        if run
        else None
    )
    labels = dict(Occasion.choices)
    if part == WITHOUT_GESTURE:
        title = _("Complaints resolved without a gesture")
    else:
        title = _("Gestures: %(occasion)s") % {"occasion": labels[part]}
    if effects is None or not effects.events:
        return RowTable(title, [], [])
    currency = business.currency
    around, count = effects.around, len(effects.events)
    figures = effects.figures
    numbers = {
        "count": count_shown(count),
        "before": count_shown(int(around.bought_before.sum())),
        "after": count_shown(int(around.bought_after.sum())),
        "before_share": share_shown(figures["bought_before"]),
        "after_share": share_shown(figures["bought_after"]),
        "spend_before": amount_shown(round(float(around.spend_before.sum())), currency),
        "spend_after": amount_shown(round(float(around.spend_after.sum())), currency),
        "mean_before": amount_shown(figures["spend_before_cents"], currency),
        "mean_after": amount_shown(figures["spend_after_cents"], currency),
        "days": count_shown(EFFECT_WINDOW_DAYS),
        "since": moment_shown(effects.since),
        "until": moment_shown(effects.until),
    }
    if part == WITHOUT_GESTURE:
        summary = ngettext(
            "%(count)s complaint resolved from %(since)s until %(until)s without a gesture: "
            "its customer bought something in the %(days)s days before "
            "(%(before_share)s) and in the %(days)s days after (%(after_share)s). Spent in "
            "all: %(spend_before)s before, %(spend_after)s after; on average %(mean_before)s "
            "and %(mean_after)s a complaint.",
            "%(count)s complaints resolved from %(since)s until %(until)s without a gesture: "
            "for %(before)s of them (%(before_share)s) the customer bought something in the "
            "%(days)s days before, for %(after)s (%(after_share)s) in the %(days)s days after. "
            "Spent in all: %(spend_before)s before, %(spend_after)s after; on average "
            "%(mean_before)s and %(mean_after)s a complaint.",
            count,
        )
        headers = [_("resolved"), _("complaint")]
    else:
        summary = ngettext(
            "%(count)s gesture given from %(since)s until %(until)s: its customer bought "
            "something in the %(days)s days before (%(before_share)s) and in the %(days)s "
            "days after (%(after_share)s). Spent in all: %(spend_before)s before, "
            "%(spend_after)s after; on average %(mean_before)s and %(mean_after)s a gesture.",
            "%(count)s gestures given from %(since)s until %(until)s: for %(before)s of them "
            "(%(before_share)s) the customer bought something in the %(days)s days before, "
            "for %(after)s (%(after_share)s) in the %(days)s days after. Spent in all: "
            "%(spend_before)s before, %(spend_after)s after; on average %(mean_before)s and "
            "%(mean_after)s a gesture.",
            count,
        )
        headers = [_("given"), _("gesture")]
    page = range(offset, min(offset + ROW_LIMIT, count))
    names = _names(business, (effects.events[index][0] for index in page))
    return RowTable(
        title,
        [
            *headers,
            _("bought before"),
            _("spent before"),
            _("bought after"),
            _("spent after"),
        ],
        [
            (
                effects.events[index][0],
                names.get(effects.events[index][0], "—"),
                [
                    moment_shown(business.local(effects.events[index][1]).date()),
                    effects.events[index][-1][:80],
                    _yes_no(bool(around.bought_before[index])),
                    amount_shown(round(float(around.spend_before[index])), currency),
                    _yes_no(bool(around.bought_after[index])),
                    amount_shown(round(float(around.spend_after[index])), currency),
                ],
            )
            for index in page
        ],
        summary % numbers,
        count,
        offset,
    )


def _value_range(business, now, offset, part="", month=None):
    """The customers of one bar of the value chart (`part`, its number from 0): those whose
    insight's value (or spend so far, where no model predicts one) lies within the range's
    bounds in cents, by which the refresh counted the bar; the most valuable first."""
    run = insight_run_latest(business=business)
    data = (run.figures or {}).get("value_distribution") if run else None
    index = int(part)
    if not data or index >= len(data["counts"]):
        return RowTable(_("Customers by value"), [], [])
    _title, measure, _reading = value_measure(run)
    field = (
        "value_cents"
        if (run.figures.get("advice") or {}).get("based_on_model")
        else ("spend_cents")
    )
    ranges, _axis = value_range_labels(data["edges"], business.currency)
    insights = CustomerInsight.objects.filter(business=business).filter(
        value_range_condition(value_range_bounds(data["edges"])[index], field)
    )
    total = insights.count()
    rows = _page(insights.order_by(f"-{field}", "-id"), offset, of=total)
    numbers = {
        "count": count_shown(total),
        "range": ranges[index],
        "counted": count_shown(data["counts"][index]),
        "as_of": moment_shown(run.as_of),
    }
    summary = ngettext(
        "%(count)s customer in the range %(range)s, as the chart counts from the refresh of "
        "%(as_of)s.",
        "%(count)s customers in the range %(range)s, as the chart counts from the refresh of "
        "%(as_of)s.",
        total,
    )
    if total != data["counts"][index]:
        # A customer's insight is recomputed on its own after a purchase or a merge.
        summary = ngettext(
            "%(count)s customer in the range %(range)s now; the chart counted %(counted)s at "
            "the refresh of %(as_of)s, and some customers' figures were recomputed since.",
            "%(count)s customers in the range %(range)s now; the chart counted %(counted)s at "
            "the refresh of %(as_of)s, and some customers' figures were recomputed since.",
            total,
        )
    summary %= numbers
    return RowTable(
        _("Customers by %(measure)s: %(range)s")
        % {"measure": str(measure).lower(), "range": ranges[index]},
        [measure, _("days with a purchase"), _("segment")],
        [
            (
                insight.customer_id,
                insight.customer.name,
                [
                    amount_shown(getattr(insight, field), business.currency),
                    count_shown(insight.purchase_days),
                    insight.get_segment_display(),
                ],
            )
            for insight in rows
        ],
        summary,
        total,
        offset,
    )


def _month_title(month: date) -> str:
    return date_format(month, "F Y")


def _revenue_month(business, now, offset, part="", month=None):
    """The customers who bought in one month of the revenue chart, each with their revenue on
    their first purchase day (new, unless they were a customer in an earlier month) and the
    rest (returning), split by the engine's own rule
    (insights.monthly.month_revenue); `part` "new" or "returning": those with revenue of that
    kind, the biggest first."""
    run = insight_run_latest(business=business)
    title = {
        "new": _("Revenue from new customers in %(month)s"),
        "returning": _("Revenue from returning customers in %(month)s"),
    }.get(part, _("Revenue in %(month)s"))
    if run is None or month is None:
        return RowTable(title % {"month": "—"}, [], [])
    title %= {"month": _month_title(month)}
    data = month_revenue(business=business, run=run, month=month)
    chosen = {
        "new": data.new_cents > 0,
        "returning": data.returning_cents > 0,
    }.get(part, np.ones(len(data.customer_ids), dtype=bool))
    spend = {"new": data.new_cents, "returning": data.returning_cents}.get(
        part, data.new_cents + data.returning_cents
    )
    order = [int(i) for i in np.lexsort((-data.customer_ids, -spend)) if chosen[i]]
    total = len(order)
    page = order[offset : offset + ROW_LIMIT]
    names = _names(business, (int(data.customer_ids[i]) for i in page))
    currency = business.currency
    new, returning = int(data.new_cents.sum()), int(data.returning_cents.sum())
    numbers = {
        "month": _month_title(month),
        "buyers": count_shown(len(data.customer_ids)),
        "revenue": amount_shown(new + returning, currency),
        "returning": amount_shown(returning, currency),
        "new": amount_shown(new, currency),
        "new_customers": count_shown(int(np.count_nonzero(data.new_cents))),
        "share": share_shown(returning / (new + returning) if new + returning else None),
    }
    summary = (
        ngettext(
            "In %(month)s %(buyers)s customer bought for %(revenue)s: %(returning)s from "
            "customers who had bought on an earlier day or were customers in an earlier "
            "month, %(new)s on the first day of %(new_customers)s new customers. Share "
            "returning: %(share)s.",
            "In %(month)s %(buyers)s customers bought for %(revenue)s: %(returning)s from "
            "customers who had bought on an earlier day or were customers in an earlier "
            "month, %(new)s on the first day of %(new_customers)s new customers. Share "
            "returning: %(share)s.",
            len(data.customer_ids),
        )
        % numbers
    )
    return RowTable(
        title,
        [_("purchases"), _("new (first day)"), _("returning")],
        [
            (
                int(data.customer_ids[i]),
                names.get(int(data.customer_ids[i]), "—"),
                [
                    count_shown(int(data.purchases[i])),
                    amount_shown(int(data.new_cents[i]), currency),
                    amount_shown(int(data.returning_cents[i]), currency),
                ],
            )
            for i in page
        ],
        summary,
        total,
        offset,
    )


def _cohort_month(business, now, offset, part="", month=None):
    """The customers whose first purchase was in one month of the retention chart, each with
    the months after it in which they bought again, as the engine counts them (insights.
    monthly.cohort)."""
    run = insight_run_latest(business=business)
    if run is None or month is None:
        return RowTable(_("Customers who first bought in %(month)s") % {"month": "—"}, [], [])
    data = cohort(business=business, run=run, month=month)
    size = len(data.customer_ids)
    periods = [_("+%(months)d mo") % {"months": period + 1} for period in range(COHORT_PERIODS)]
    parts = [
        _("%(period)s %(count)s (%(share)s)")
        % {
            "period": label,
            "count": count_shown(int(bought.sum())),
            "share": share_shown(share),
        }
        for label, bought, share in zip(periods, data.bought, data.shares, strict=True)
        if bought is not None and share is not None
    ]
    summary = ngettext(
        "%(count)s customer first bought in %(month)s.",
        "%(count)s customers first bought in %(month)s.",
        size,
    ) % {"count": count_shown(size), "month": _month_title(month)}
    if parts and size:
        summary += " " + _("Bought again, months after the first: %(parts)s.") % {
            "parts": "; ".join(parts)
        }
    if len(parts) < COHORT_PERIODS:
        summary += " " + _("Months not over yet are not counted.")
    page = range(offset, min(offset + ROW_LIMIT, size))
    names = _names(business, (int(data.customer_ids[i]) for i in page))
    return RowTable(
        _("Customers who first bought in %(month)s") % {"month": _month_title(month)},
        periods,
        [
            (
                int(data.customer_ids[i]),
                names.get(int(data.customer_ids[i]), "—"),
                ["" if bought is None else _yes_no(bool(bought[i])) for bought in data.bought],
            )
            for i in page
        ],
        summary,
        size,
        offset,
    )


# The rows of the gestures page's comparison row, in place of an occasion.
WITHOUT_GESTURE = "without"
# The figures of the charts and the gestures page, whose rows take a `part` (an occasion, a
# range, new or returning customers) and for some a `month`; each function checks its part.
PART_ROWS = {
    "gestures": _gesture_effect,
    "value": _value_range,
    "revenue": _revenue_month,
    "cohort": _cohort_month,
}


# The figures whose rows are of one calendar month (`month`): the NPS of the survey results'
# trend, and the charts' months.
MONTHLY_ROWS = frozenset({"nps", "revenue", "cohort"})


def rows_parts(figure: str) -> list[str]:
    """The parts a figure of PART_ROWS can be opened to (any other is not found)."""
    if figure == "gestures":
        return [*Occasion.values, WITHOUT_GESTURE]
    if figure == "value":
        return [str(index) for index in range(VALUE_RANGES)]
    if figure == "revenue":
        return ["", "new", "returning"]
    if figure == "cohort":
        return [""]
    return []


# Every figure's rows; those of a figure with a trend take `before`, for the 90 days before.
SCORECARD_ROWS = {
    "promises": _promises,
    "complaint_response": _complaint_response,
    "complaint_resolution": _complaint_resolution,
    "aftercare": _aftercare,
    "nps": _surveys,
    "drivers": _driver_answers,
    "repeat_rate": _repeat,
    "referrals": _referrals,
    # Not on the scorecard: Today's list of them, whole.
    "slipping_away": _slipping_away,
}


# The figures whose rows show customers' amounts or model figures (spend, value, probability
# alive, revenue): for whom the care setting lets see amounts only. The others (promises,
# complaints, aftercare, survey answers, repeat buyers, referrals) are rows staff see on their
# own pages too, opened from Today and the survey results.
ROWS_WITH_AMOUNTS = frozenset({"slipping_away", *PART_ROWS})


TRENDS = frozenset(
    {"promises", "complaint_response", "complaint_resolution", "nps", "repeat_rate", "referrals"}
)


def scorecard_rows(
    *,
    business: Business,
    figure: str,
    now: datetime,
    page: int = 1,
    before: bool = False,
    month: date | None = None,
    part: str = "",
) -> RowTable:
    """The rows of `figure` on `page` (from 1), with the sentence that adds them up; `before`:
    those of the 90 days before the last 90, for a figure of TRENDS; `month`: the NPS of that
    calendar month, a point of the survey results' trend (or of a chart's figure); `part`: the
    part of a figure of PART_ROWS, one of rows_parts(figure)."""
    offset = (max(page, 1) - 1) * ROW_LIMIT
    if figure in PART_ROWS:
        return PART_ROWS[figure](business, now, offset, part, month)
    if month is not None and figure == "nps":
        return _survey_month(business, month, offset)
    if before:
        return SCORECARD_ROWS[figure](business, now, offset, before=True)
    return SCORECARD_ROWS[figure](business, now, offset)
