"""Refreshing a business's insights: the one write of this app (besides its settings).

The purchases are read once as three columns into numpy, summarised and fitted with the CLV
engine (``clv``), and written back in bulk: a constant number of queries whatever the size of the
business, and no Python loop per purchase.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import numpy as np
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clv import figures as clv_figures
from clv.advice import DEFAULT_MARGIN, advice_footing, attention_advice
from clv.exceptions import ConvergenceError
from clv.models import GammaGamma
from clv.selection import select_model
from clv.summary import summarise_transactions
from klantvriend.core.bulk import insert_rows
from klantvriend.core.db import refresh_planner_statistics
from klantvriend.core.errors import ValidationError
from klantvriend.core.models import Business
from klantvriend.customers.selectors import anonymised_customer_ids

from .charts import VALUE_RANGES, value_range_bounds, value_range_masks
from .effects import gesture_effects
from .messages import not_enough_data
from .models import CustomerInsight, InsightRun, InsightSnapshot
from .prediction import (
    Fit,
    SpendFit,
    customer_history,
    customer_rows,
    known_before,
    new_customer_purchases,
    purchase_spend,
)
from .purchases import customers_since, purchase_arrays
from .scorecard import customer_scorecard_forget
from .selectors import ambassador_customer_ids, insight_run_latest

logger = logging.getLogger(__name__)

SETTINGS_KEY = "insights"
# Below these the models are not fitted and owners are told what is missing.
MIN_REPEAT_BUYERS_FOR_SPEND_MODEL = 10
SNAPSHOT_KEEP_DAYS = 400
CANDIDATE_MODELS = ("bgnbd", "mbgnbd")
PENALIZERS = (0.0, 0.001, 0.01)


@dataclass(frozen=True)
class InsightSettings:
    margin_percent: int = round(DEFAULT_MARGIN * 100)


def insight_settings(business: Business) -> InsightSettings:
    stored = (business.settings or {}).get(SETTINGS_KEY, {})
    try:
        margin = int(stored.get("margin_percent", InsightSettings.margin_percent))
    except (TypeError, ValueError):
        margin = InsightSettings.margin_percent
    return InsightSettings(margin_percent=min(max(margin, 0), 100))


def insight_settings_update(*, business: Business, margin_percent: int) -> InsightSettings:
    if not isinstance(margin_percent, int) or not 0 <= margin_percent <= 100:
        raise ValidationError(
            {
                "margin_percent": ValidationError(
                    _("Enter a margin between 0 and 100 percent."), code="range"
                )
            }
        )
    with transaction.atomic():
        locked = Business.objects.select_for_update().get(pk=business.pk)
        settings = dict(locked.settings or {})
        settings[SETTINGS_KEY] = {
            **settings.get(SETTINGS_KEY, {}),
            "margin_percent": margin_percent,
        }
        locked.settings = settings
        locked.save(update_fields=["settings"])
    business.settings = settings
    return insight_settings(business)


def _in_english(**counts) -> str:
    """The stored reason, for logs, the command and the API; pages build it in their language."""
    with translation.override("en"):
        return not_enough_data(**counts)


def _fit_spend(summary) -> SpendFit:
    """Gamma-Gamma when it fits with a finite population mean, else the customers' own means."""
    usable = (summary.frequency > 0) & (summary.monetary_value > 0)
    fallback = summary.total_revenue / max(summary.frequency.sum() + summary.n_customers, 1)
    if usable.sum() >= MIN_REPEAT_BUYERS_FOR_SPEND_MODEL:
        try:
            spend_model = GammaGamma().fit(
                summary.frequency[usable], summary.monetary_value[usable]
            )
        except ConvergenceError:
            pass  # the customers' own mean spend stays, which is honest if less smooth
        else:
            if spend_model.params_["q"] > 1.0:
                return SpendFit(spend_model.params_, float(fallback))
    return SpendFit(None, float(fallback))


class NoDropoutFound(ConvergenceError):
    """Every model that fitted found no customer ever leaving."""


def _fit_models(summary, history, is_ambassador, fit: Fit) -> tuple[Fit, dict, str]:
    """`fit` with the chosen purchase and spend models, every customer's rows from it and why
    the model was chosen; or ConvergenceError.

    Pareto/NBD is left out: on small, homogeneous data (a butcher's weekly regulars) its fit
    can take minutes and still fail, while BG/NBD and MBG/NBD take well under a second. When the
    heterogeneity parameters run off to infinity (everyone buying at the same rate), a small L2
    penalty keeps them finite; each penalty is tried in turn, and each converged candidate in
    the order of the selection, until one gives finite figures for every customer. A candidate
    in which nobody ever leaves (dropout_collapsed) is passed over: without one, the insights
    are made as without a model, from each customer's own rhythm."""
    spend = _fit_spend(summary)
    error: Exception = ConvergenceError("no model was tried")
    for penalizer in PENALIZERS:
        try:
            selection = select_model(
                frequency=summary.frequency,
                recency=summary.recency,
                T=summary.T,
                candidates=CANDIDATE_MODELS,
                penalizer_coef=penalizer,
            )
        except ConvergenceError as failure:
            error = error if isinstance(error, NoDropoutFound) else failure
            continue
        # A fit in which nobody ever leaves tells no one apart who has left: every customer
        # alive with certainty, one gone for two years beside one here last week.
        fitted = sorted(
            (
                c
                for c in selection.candidates
                if c.model is not None and not c.model.dropout_collapsed
            ),
            key=lambda c: c.name != selection.chosen_name,
        )
        for candidate in fitted:
            chosen = fit.with_model(candidate.name, candidate.model.params_, spend)
            rows = customer_rows(history=history, is_ambassador=is_ambassador, fit=chosen)
            if rows is not None:
                return chosen, rows, selection.reason
        if fitted:
            error = ConvergenceError("the fitted models give no finite predictions")
        else:
            # Kept over a later penalty's failure to converge: that nobody was seen leaving is
            # what the data lacks.
            error = NoDropoutFound("the fitted models find no customer ever leaving")
    raise error


def insights_refresh(*, business: Business, now: datetime | None = None) -> InsightRun:
    """Recompute every customer's insight and the business's figures; keeps a dated snapshot."""
    started = time.perf_counter()
    now = now or timezone.now()
    as_of = timezone.localdate(now, timezone=business.tzinfo)
    end = business.start_of(as_of + timedelta(days=1))
    customer_ids, days, cents = purchase_arrays(business, end)
    if len(customer_ids) == 0:
        return _save(
            business=business,
            as_of=as_of,
            now=now,
            rows=None,
            run_fields={
                "not_enough_data": _in_english(customers=0, repeat=0, history_days=0),
                "figures": {"not_enough": {"customers": 0, "repeat": 0, "history_days": 0}},
            },
            started=started,
        )
    summary = _summary(customer_ids, days, cents, as_of)
    ids = summary.customer_id
    codes = np.searchsorted(ids, customer_ids)
    n = len(ids)
    since = customers_since(business, ids)
    history = customer_history(
        summary, *purchase_spend(codes, days, cents, n, customer_since=since), customer_since=since
    )
    purchase_days, spend_cents = history.purchase_days, history.spend_cents
    ambassadors = np.isin(ids, np.fromiter(ambassador_customer_ids(business), dtype=np.int64))

    counts = {
        "customers": n,
        "repeat": int(np.count_nonzero(summary.frequency > 0)),
        "history_days": int(history.days_since_first.max()),
    }
    reason = _in_english(**counts)
    fit = Fit.of_customers(history)
    rows, model_reason = None, ""
    if not reason:
        try:
            fit, rows, model_reason = _fit_models(summary, history, ambassadors, fit)
        except ConvergenceError as error:
            logger.info("Insights of %s: no model fits: %s", business.slug, error)
            counts["no_dropout" if isinstance(error, NoDropoutFound) else "unfittable"] = True
            reason = _in_english(**counts)
    if rows is None:
        rows = customer_rows(history=history, is_ambassador=ambassadors, fit=fit)
    # The anonymised are no one to know or to give attention to any more: their purchases count
    # in the model's fit and in the turnover, but they keep no insight of their own, and the
    # figures that list customers (the advice, the value chart) count only those who have one,
    # so that each figure's customers on the customer list add up to it.
    anonymised = anonymised_customer_ids(business=business).values_list("id", flat=True)
    known = ~np.isin(ids, np.fromiter(anonymised, dtype=np.int64))
    rows = {name: column if column is None else column[known] for name, column in rows.items()}
    known_count = int(np.count_nonzero(known))
    figures = fit.as_figures()
    if fit.model_name:
        figures["model"]["reason"] = model_reason
    value = rows["value"]
    margin = insight_settings(business).margin_percent / 100
    # No advice at all on too few customers or too short a history (clv.advice.advice_footing);
    # the page says what is missing, as for the model, which is not fitted there either.
    if advice_footing(customers=known_count, history_days=counts["history_days"]).level != "none":
        # Attention is worth a share of a year's value. Without a model to predict the next twelve
        # months, the last twelve months' spend stands in for it: all the spend so far would count
        # every year of a long history in one year's worth.
        year_ago = np.datetime64(as_of - timedelta(days=365), "D")
        last_year_cents = np.bincount(
            codes, weights=np.where(days > year_ago, cents, 0), minlength=n
        )
        advice = attention_advice(
            transaction_days=purchase_days[known],
            revenue=spend_cents[known],
            repeat_revenue=history.repeat_spend_cents[known],
            # The value in whole cents as each insight keeps it, so that a segment's customers
            # on the customer list add up to its average exactly.
            expected_value=rows["value_cents"] if value is not None else last_year_cents[known],
            expected_purchases=rows["expected_purchases_365"],
            segments=rows["segment"],
            value_if_active=(
                rows["value_if_alive"] * 100 if rows["value_if_alive"] is not None else None
            ),
            margin=margin,
        )
        figures["advice"] = advice.as_dict()
        figures["advice"]["based_on_model"] = value is not None
        # What the advice rests on besides its customers, for its caveat (advice_caveat_text).
        figures["advice"]["history_days"] = counts["history_days"]
    if reason:
        figures["not_enough"] = counts
    # The value of each customer in whole cents as each insight keeps it, so that the
    # customers of a range of the chart are those whose insight lies in it.
    figures.update(
        _chart_figures(
            codes,
            days,
            cents,
            as_of,
            rows["value_cents"] if value is not None else spend_cents[known],
            is_new=new_customer_purchases(codes, days, history.first_purchase_day, since),
            customers_known_before=known_before(history.first_purchase_day, since),
        )
    )
    figures["gesture_effects"] = gesture_effects(business, as_of, customer_ids, days, cents)
    return _save(
        business=business,
        as_of=as_of,
        now=now,
        rows=rows,
        run_fields={
            "customers": known_count,
            "purchases": len(customer_ids),
            "not_enough_data": reason,
            "model_name": fit.model_name,
            "figures": figures,
        },
        started=started,
    )


def _summary(customer_ids, days, cents, as_of):
    """Each customer's (x, t_x, T, spend) in weeks as of the end of `as_of`."""
    return summarise_transactions(
        customer_ids=customer_ids,
        dates=days,
        amounts=cents / 100.0,
        observation_end=np.datetime64(as_of, "D"),
        time_unit="week",
    )


def _chart_figures(
    codes, days, cents, as_of, value_cents, *, is_new, customers_known_before
) -> dict:
    """`is_new`: per purchase whether it is a new customer's; `customers_known_before`: per
    customer whether they were one before the month of their first purchase on record, in no
    cohort (prediction.known_before)."""
    monthly = clv_figures.monthly_revenue(
        customer_ids=codes, dates=days, amounts=cents, months=12, end=as_of, is_new=is_new
    )
    first_bought_here = ~customers_known_before[codes]
    cohorts = clv_figures.cohort_retention(
        customer_ids=codes[first_bought_here],
        dates=days[first_bought_here],
        cohorts=12,
        periods=6,
        end=as_of,
    )
    value_cents = np.asarray(value_cents, dtype=np.float64)
    # The scale from the engine, the customers in each range counted by its bounds in cents,
    # as the range's rows are selected (charts.value_range_condition).
    distribution = clv_figures.value_distribution(value_cents / 100, bins=VALUE_RANGES)
    edges = [float(v) for v in distribution.edges]
    value_counts = [
        int(np.count_nonzero(inside))
        for inside in value_range_masks(value_cents, value_range_bounds(edges))
    ]
    return {
        "monthly_revenue": {
            "months": monthly.months,
            "new_cents": [int(v) for v in monthly.new],
            "returning_cents": [int(v) for v in monthly.returning],
        },
        "cohorts": {
            "cohorts": cohorts.cohorts,
            "sizes": [int(v) for v in cohorts.sizes],
            "shares": [[_share_stored(v) for v in row] for row in cohorts.shares],
            # Customers since a month before their first purchase on record: in no cohort.
            "known_before": int(np.count_nonzero(customers_known_before)),
        },
        "value_distribution": {
            "edges": edges,
            "counts": value_counts if len(distribution.counts) else [],
        },
    }


# Decimals a stored share keeps: enough that one customer of a cohort stays visible, so that the
# chart writes ">99%" and "<1%" rather than "100%" and "0%" (core.numbers.share_shown), up to
# cohorts of 2,000,000 customers (four decimals lost it above 20,000).
SHARE_DECIMALS = 6


def _share_stored(share: float) -> float | None:
    """A share as the run's figures keep it; None for a cell without customers (NaN)."""
    return None if share != share else round(float(share), SHARE_DECIMALS)


# The columns of an insight row, in this order in `_insight_values`; a snapshot keeps some.
INSIGHT_FIELDS = (
    "purchase_days",
    "days_since_last",
    "usual_interval_days",
    "spend_cents",
    "repeat_spend_cents",
    "first_purchase_day",
    "probability_alive",
    "probability_alive_30_days_ago",
    "expected_purchases_90",
    "expected_purchases_365",
    "value_cents",
    "expected_purchases_365_if_alive",
    "value_if_alive_cents",
    "segment",
    "stage",
    "slipping_away",
)
SNAPSHOT_FIELDS = ("probability_alive", "value_cents", "segment", "stage")
_INTEGER_FIELDS = {
    "purchase_days",
    "days_since_last",
    "spend_cents",
    "repeat_spend_cents",
    "value_cents",
    "value_if_alive_cents",
}


def _insight_values(rows: dict) -> list[tuple]:
    """`prediction.customer_rows` as plain Python values per customer for the database: NaN
    and a column without a model as NULL, days as text."""
    count = len(rows["customer_id"])
    columns = []
    for name in INSIGHT_FIELDS:
        values = rows[name]
        if values is None:
            columns.append([None] * count)
        elif name in _INTEGER_FIELDS:
            columns.append([None if v != v else int(v) for v in values.tolist()])
        elif values.dtype.kind == "f":
            columns.append([None if v != v else v for v in values.tolist()])
        elif values.dtype.kind == "M":
            # Days as ISO text, as both databases take a date (adapt_datefield_value): no
            # Python date made and adapted again for each of 100,000 customers.
            columns.append(np.datetime_as_string(values, unit="D").tolist())
        else:
            columns.append(values.tolist())
    return list(zip(*columns, strict=True))


def _snapshot_values(row: tuple) -> tuple:
    return tuple(row[INSIGHT_FIELDS.index(name)] for name in SNAPSHOT_FIELDS)


def _save(*, business, as_of, now, rows, run_fields, started) -> InsightRun:
    with transaction.atomic():
        CustomerInsight.objects.filter(business=business).delete()
        InsightSnapshot.objects.filter(business=business, as_of=as_of).delete()
        InsightSnapshot.objects.filter(
            business=business, as_of__lt=as_of - timedelta(days=SNAPSHOT_KEEP_DAYS)
        ).delete()
        if rows is not None:
            values = _insight_values(rows)
            ids = rows["customer_id"].tolist()
            day = connection.ops.adapt_datefield_value(as_of)
            insert_rows(
                CustomerInsight,
                ["business", "customer", "as_of", *INSIGHT_FIELDS],
                [(business.pk, pk, day, *row) for pk, row in zip(ids, values, strict=True)],
            )
            insert_rows(
                InsightSnapshot,
                ["business", "customer", "as_of", *SNAPSHOT_FIELDS],
                [
                    (business.pk, pk, day, *_snapshot_values(row))
                    for pk, row in zip(ids, values, strict=True)
                ],
            )
        run = InsightRun.objects.create(
            business=business,
            computed_at=now,
            as_of=as_of,
            seconds=time.perf_counter() - started,
            **run_fields,
        )
    # The refresh follows every import and runs nightly: the moment to bring the database's
    # query statistics up to date with what was added.
    refresh_planner_statistics()
    return run


def insights_refresh_after_import(*, business: Business, **_ignored) -> None:
    """Hook handler: the importers announce a committed import. The scorecard kept for a
    minute is forgotten too: straight after 189 purchases came in it still said none of the
    customers had bought before, beside the advice computed from them."""
    insights_refresh(business=business)
    customer_scorecard_forget(business=business)


def customer_insight_recompute(*, business: Business, customer_id: int) -> CustomerInsight | None:
    """One customer's insight computed again from their purchases, as the latest refresh
    computed every customer's: by the same rules (`prediction.customer_rows`) with what it
    learned about the business (the models it fitted, the segments' quintile borders, the spend
    that counts as valuable), as of its day, so that the row sits among the others' as if the
    refresh had seen this history. The models are not fitted again: that is the refresh's work,
    far too slow for one customer at a hundred thousand.

    For a customer whose purchases changed wholesale (two records of one person merged). The
    business's own figures (advice, charts) wait for the next refresh. An anonymised customer
    keeps no insight, as after a refresh (customer_insight_forget). Without a refresh that
    kept its fit (none yet, or one from before fits were kept) nothing is computed: the next
    refresh does. A customer without purchases up to that day has no insight, as after a
    refresh."""
    anonymised = anonymised_customer_ids(business=business).filter(pk=customer_id)
    if anonymised.exists():
        customer_insight_forget(business=business, customer_id=customer_id)
        return None
    run = insight_run_latest(business=business)
    fit = Fit.from_figures(run.figures) if run is not None else None
    if fit is None:
        logger.info(
            "Insights of %s: no kept fit to compute customer %s with; the next refresh will",
            business.slug,
            customer_id,
        )
        return None
    as_of = run.as_of
    customer_ids, days, cents = purchase_arrays(
        business, business.start_of(as_of + timedelta(days=1)), customer_id=customer_id
    )
    rows = None
    if len(customer_ids):
        # One customer: every purchase is theirs (index 0).
        since = customers_since(business, np.array([customer_id]))
        history = customer_history(
            _summary(customer_ids, days, cents, as_of),
            *purchase_spend(
                np.zeros(len(cents), dtype=np.int64), days, cents, 1, customer_since=since
            ),
            customer_since=since,
        )
        is_ambassador = np.array(
            [customer_id in ambassador_customer_ids(business, among=[customer_id])]
        )
        rows = customer_rows(history=history, is_ambassador=is_ambassador, fit=fit)
        if rows is None:
            # The refresh would have tried its next candidate model; one customer cannot choose.
            raise ConvergenceError(
                f"the {fit.model_name} fit of {as_of} gives customer {customer_id} a figure that "
                "is not a finite number; the next refresh computes them"
            )
    with transaction.atomic():
        kept = CustomerInsight.objects.filter(business=business, customer_id=customer_id)
        snapshot = InsightSnapshot.objects.filter(
            business=business, customer_id=customer_id, as_of=as_of
        )
        if rows is None:
            kept.delete()
            snapshot.delete()
            return None
        values = _insight_values(rows)[0]
        insight, _created = CustomerInsight.objects.update_or_create(
            business=business,
            customer_id=customer_id,
            defaults={"as_of": as_of, **dict(zip(INSIGHT_FIELDS, values, strict=True))},
        )
        InsightSnapshot.objects.update_or_create(
            business=business,
            customer_id=customer_id,
            as_of=as_of,
            defaults=dict(zip(SNAPSHOT_FIELDS, _snapshot_values(values), strict=True)),
        )
    return insight


def customer_insight_forget(*, business: Business, customer_id: int) -> None:
    """An anonymised customer's insight and its history go (importers.privacy.customer_erase):
    what the models made of the person is theirs as well, and no one is to give them
    attention any more. The business's figures keep their purchases (insights_refresh)."""
    CustomerInsight.objects.filter(business=business, customer_id=customer_id).delete()
    InsightSnapshot.objects.filter(business=business, customer_id=customer_id).delete()


def customer_insight_recompute_after_merge(*, business: Business, customer, **_ignored) -> None:
    """Hook handler: two records of one person were merged into `customer`."""
    customer_insight_recompute(business=business, customer_id=customer.pk)


def customer_insight_recompute_after_purchase(*, purchase, **_ignored) -> None:
    """Hook handler: a purchase was recorded, corrected or deleted. Its customer's figures are
    computed again once the write is committed, so that the list and the profile no longer call
    a customer who just came back "lost" until the night. Announced after the commit
    (PURCHASE_RECORDED) it runs at once; inside the write's transaction (PURCHASE_CORRECTED,
    PURCHASE_DELETED) it waits for the commit, and a failure is logged, never the write's."""
    business, customer_id = purchase.business, purchase.customer_id
    transaction.on_commit(
        partial(customer_insight_recompute, business=business, customer_id=customer_id),
        robust=True,
    )
