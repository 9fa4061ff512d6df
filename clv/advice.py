"""The attention advisor: does personal attention pay for this business, and on whom?

Pure numpy, shared by ``klantvriend analyse`` and the web app's insights. The reasoning and the
thresholds are written out for owners in docs/advisor.md; keep the two in step.

The verdict rests on the repeat share of revenue (how much of the money comes from customers
coming back), checked against the repeat share of customers (how many come back at all):

- ``relationship``: at least ``RELATIONSHIP_REVENUE_SHARE`` of revenue is repeat revenue and at
  least ``RELATIONSHIP_CUSTOMER_SHARE`` of customers came back; keeping customers is the business.
- ``stream``: less than ``STREAM_REVENUE_SHARE`` of revenue is repeat revenue; the business lives
  on a stream of one-off customers and attention pays only at the moment of purchase.
- ``mixed``: everything in between.

What attention is worth follows Blattberg & Deighton (1996, "Manage marketing by the customer
equity test") in its simplest form: attention that raises a customer's next-year value by a
fraction ``uplift`` is worth, at most, ``uplift x margin x expected 12-month value`` a year.

That expected value is P(alive) x the value of a customer who is still active (Fader, Hardie &
Lee 2005, eqs. 10 and 11; ``clv.value``), so it is near zero for a valuable customer who has
slipped away, and so is the attention worth. What winning such a customer back is worth is the
other factor alone: ``margin x value if still a customer`` a year (``won_back_worth_per_year``).
A win-back call or gesture pays when its cost is below the chance it works times that amount.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from clv.i18n import _, number, percent

RELATIONSHIP_REVENUE_SHARE = 0.50
RELATIONSHIP_CUSTOMER_SHARE = 0.20
STREAM_REVENUE_SHARE = 0.20
# Share of revenue brought by the top fifth of customers above which revenue counts as
# concentrated on few customers (the "80/20" of Pareto would be 0.8).
CONCENTRATED_TOP_SHARE = 0.60
TOP_FRACTION = 0.2
# A customer with purchases on this many days or more came back (the repeat share of customers).
CAME_BACK_MIN_DAYS = 2
# Assumed effect of well-spent personal attention on a customer's next-year value.
DEFAULT_UPLIFT = 0.10
DEFAULT_MARGIN = 0.30

VERDICTS = ("relationship", "mixed", "stream")

# How much the advice has to go on (docs/advisor.md, "How sure the advice is"). Below the first
# two no advice is given: the models are not fitted either (insights.messages takes its minimum
# from here). From the last two on it is given without a caveat; in between, with one naming
# what it rests on. Why these borders: the 95% margin of a share of n customers is at most
# 1.96 * sqrt(0.25 / n), 22 points at 20 customers (wider than the distance between most shares
# and the verdict's borders) and under 10 points from 100 on, a third of the 30 points between
# the borders of "mixed". In simulations (bench/advice_footing.py, docs/advisor.md) the BG/NBD
# fitted on 20 customers put the expected purchases per customer next year a median 13% to 54%
# from the truth and failed to fit up to 12 times in 40; on 100 customers with a year of
# history a median 14% (nine in ten within 30%) and never failed. Under a year of
# history the advice predicts further ahead than it has seen (Fader, Hardie & Lee 2005 forecast
# no further than their calibration period), and customers who come once or twice a year, or
# in one season, cannot have come back yet, which lowers the repeat shares the verdict rests on.
ADVICE_MIN_CUSTOMERS = 20
# Below this many customers who came back the purchase models have nothing to learn a repeat
# rate from and do not converge (the web app's refresh and `klantvriend analyse` both stop here).
MODEL_MIN_REPEAT_CUSTOMERS = 5
ADVICE_MIN_HISTORY_DAYS = 90
FIRM_MIN_CUSTOMERS = 100
FIRM_MIN_HISTORY_DAYS = 365

FOOTINGS = ("none", "thin", "firm")


@dataclass(frozen=True)
class Footing:
    """What the advice rests on and how far that carries it.

    ``level`` is ``none`` (no advice: too few customers or too short a history), ``thin``
    (advice with a caveat) or ``firm``; ``customers_short`` and ``days_short`` say how many
    customers and days of history are still missing for ``firm`` (0 when there are enough)."""

    level: str
    customers: int
    history_days: int
    customers_short: int
    days_short: int


def advice_footing(*, customers: int, history_days: int) -> Footing:
    """How sure the advice on ``customers`` customers over ``history_days`` days of purchases
    (from the first purchase to the day it is computed) can be; see the borders above."""
    if customers < ADVICE_MIN_CUSTOMERS or history_days < ADVICE_MIN_HISTORY_DAYS:
        level = "none"
    elif customers < FIRM_MIN_CUSTOMERS or history_days < FIRM_MIN_HISTORY_DAYS:
        level = "thin"
    else:
        level = "firm"
    return Footing(
        level=level,
        customers=customers,
        history_days=history_days,
        customers_short=max(0, FIRM_MIN_CUSTOMERS - customers),
        days_short=max(0, FIRM_MIN_HISTORY_DAYS - history_days),
    )


def footing_note(footing: Footing) -> str:
    """What the advice rests on, in the words of ``klantvriend analyse`` and its report (the
    web app says it in the reader's language, insights.messages): "" where it stands firm."""
    if footing.level == "firm":
        return ""
    basis = _("%(customers)s customers and %(days)s days of purchases") % {
        "customers": number(footing.customers),
        "days": number(footing.history_days),
    }
    if footing.level == "none":
        return _(
            "Not given: %(basis)s are too few to go on (at least %(customers)s customers and "
            "%(days)s days; docs/advisor.md)."
        ) % {"basis": basis, "customers": ADVICE_MIN_CUSTOMERS, "days": ADVICE_MIN_HISTORY_DAYS}
    more = []
    if footing.customers_short:
        more.append(_("%(count)s more customers") % {"count": number(footing.customers_short)})
    if footing.days_short:
        more.append(_("%(count)s more days of purchases") % {"count": number(footing.days_short)})
    return _("On %(basis)s: too few to be sure; firmer with %(more)s.") % {
        "basis": basis,
        "more": _(" and ").join(more),
    }


@dataclass(frozen=True)
class SegmentWorth:
    segment: str
    customers: int
    mean_value: float
    attention_worth_per_year: float
    # The mean 12-month value if still a customer, and the margin on it: what winning one of
    # the segment back is worth a year (None without a model to say it).
    mean_value_if_active: float | None = None
    won_back_worth_per_year: float | None = None


@dataclass(frozen=True)
class Advice:
    """The verdict, the figures behind it and the attention worth per segment.

    Money figures are in the currency units of the amounts given (cents in, cents out)."""

    verdict: str
    repeat_customer_share: float
    repeat_revenue_share: float
    top_fifth_revenue_share: float
    concentrated: bool
    n_customers: int
    total_revenue: float
    margin: float
    uplift: float
    # What the shares are made of: the customers who came back, the revenue of return visits,
    # and the top fifth of customers by revenue with the revenue they brought.
    came_back: int = 0
    repeat_revenue: float = 0.0
    top_fifth_customers: int = 0
    top_fifth_revenue: float = 0.0
    expected_purchases_per_customer: float | None = None
    mean_value: float | None = None
    attention_worth_per_customer: float | None = None
    mean_value_if_active: float | None = None
    won_back_worth_per_customer: float | None = None
    by_segment: list[SegmentWorth] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def verdict_for(*, repeat_customer_share: float, repeat_revenue_share: float) -> str:
    """The place on the scale relationship / mixed / stream (see the module docstring)."""
    if repeat_revenue_share < STREAM_REVENUE_SHARE:
        return "stream"
    if (
        repeat_revenue_share >= RELATIONSHIP_REVENUE_SHARE
        and repeat_customer_share >= RELATIONSHIP_CUSTOMER_SHARE
    ):
        return "relationship"
    return "mixed"


def verdict_name(verdict: str) -> str:
    """The verdict as ``klantvriend analyse`` names it."""
    return {
        "relationship": _("relationship business"),
        "mixed": _("mixed business"),
        "stream": _("stream business"),
    }[verdict]


def top_count(n_customers: int, fraction: float = TOP_FRACTION) -> int:
    """How many customers the top ``fraction`` of ``n_customers`` are: at least one."""
    return max(1, int(np.ceil(fraction * n_customers)))


def _top_revenue(revenue_per_customer, fraction: float) -> tuple[float, float]:
    """The revenue of the ``fraction`` of customers who spend most, and of all."""
    revenue = np.sort(np.asarray(revenue_per_customer, dtype=np.float64))[::-1]
    if len(revenue) == 0:
        return 0.0, 0.0
    return float(revenue[: top_count(len(revenue), fraction)].sum()), float(revenue.sum())


def top_share(revenue_per_customer, fraction: float = TOP_FRACTION) -> float:
    """Share of total revenue brought by the ``fraction`` of customers who spend most."""
    top, total = _top_revenue(revenue_per_customer, fraction)
    return top / total if total > 0 else 0.0


def attention_advice(
    *,
    transaction_days,
    revenue,
    repeat_revenue,
    expected_value=None,
    expected_purchases=None,
    segments=None,
    value_if_active=None,
    margin: float = DEFAULT_MARGIN,
    uplift: float = DEFAULT_UPLIFT,
) -> Advice:
    """Advice from per-customer arrays.

    Parameters
    ----------
    transaction_days : array-like of int
        Distinct purchase days of each customer (1 = bought once).
    revenue : array-like of float
        Total revenue of each customer.
    repeat_revenue : array-like of float or float
        Revenue of each customer on every purchase day but their first (or the total of it).
    expected_value : array-like of float, optional
        Predicted 12-month value of each customer (from a fitted model); without it the
        attention worth is based on each customer's revenue of the period observed.
    expected_purchases : array-like of float, optional
        Expected purchases of each customer in the next year.
    segments : array-like of str, optional
        Segment of each customer, for the attention worth per segment.
    value_if_active : array-like of float, optional
        Predicted 12-month value of each customer if still a customer (``clv.value`` with
        ``if_alive``), in the units of ``expected_value``; for what winning one back is worth.
    margin : float
        Gross margin as a fraction of revenue (0.3 = 30%).
    uplift : float
        Assumed effect of attention on next-year value.
    """
    if not 0.0 <= margin <= 1.0:
        raise ValueError(f"margin must lie between 0 and 1, got {margin!r}")
    days = np.asarray(transaction_days, dtype=np.int64)
    revenue = np.asarray(revenue, dtype=np.float64)
    n_customers = len(days)
    if n_customers == 0:
        raise ValueError("no customers given")
    total = float(revenue.sum())
    repeat_total = float(np.sum(repeat_revenue))
    came_back = int(np.count_nonzero(days >= CAME_BACK_MIN_DAYS))
    repeat_customer_share = came_back / n_customers
    repeat_revenue_share = repeat_total / total if total > 0 else 0.0
    top_fifth_revenue, _total = _top_revenue(revenue, TOP_FRACTION)
    top_fifth = top_fifth_revenue / total if total > 0 else 0.0
    verdict = verdict_for(
        repeat_customer_share=repeat_customer_share, repeat_revenue_share=repeat_revenue_share
    )
    base = np.asarray(expected_value, dtype=np.float64) if expected_value is not None else revenue
    worth = uplift * margin * base
    if_active = (
        np.asarray(value_if_active, dtype=np.float64) if value_if_active is not None else None
    )

    def mean_if_active(members) -> float | None:
        return float(if_active[members].mean()) if if_active is not None else None

    def won_back(mean: float | None) -> float | None:
        return margin * mean if mean is not None else None

    by_segment = []
    if segments is not None:
        labels = np.asarray(segments)
        for segment in np.unique(labels):
            members = labels == segment
            segment_if_active = mean_if_active(members)
            by_segment.append(
                SegmentWorth(
                    segment=str(segment),
                    customers=int(members.sum()),
                    mean_value=float(base[members].mean()),
                    attention_worth_per_year=float(worth[members].mean()),
                    mean_value_if_active=segment_if_active,
                    won_back_worth_per_year=won_back(segment_if_active),
                )
            )
        by_segment.sort(key=lambda item: -item.attention_worth_per_year)
    revenue, returning = percent(repeat_revenue_share), percent(repeat_customer_share)
    reasons = [
        (
            _("repeat revenue share %(share)s < %(border)s")
            % {"share": revenue, "border": percent(STREAM_REVENUE_SHARE)}
            if verdict == "stream"
            else _("repeat revenue share %(share)s >= %(border)s")
            % {"share": revenue, "border": percent(RELATIONSHIP_REVENUE_SHARE)}
            if repeat_revenue_share >= RELATIONSHIP_REVENUE_SHARE
            else _("repeat revenue share %(share)s between %(low)s and %(high)s")
            % {
                "share": revenue,
                "low": percent(STREAM_REVENUE_SHARE),
                "high": percent(RELATIONSHIP_REVENUE_SHARE),
            }
        ),
        (
            _("repeat customer share %(share)s >= %(border)s")
            if repeat_customer_share >= RELATIONSHIP_CUSTOMER_SHARE
            else _("repeat customer share %(share)s < %(border)s")
        )
        % {"share": returning, "border": percent(RELATIONSHIP_CUSTOMER_SHARE)},
        (
            _("top fifth of customers bring %(share)s of revenue (concentrated)")
            if top_fifth >= CONCENTRATED_TOP_SHARE
            else _("top fifth of customers bring %(share)s of revenue")
        )
        % {"share": percent(top_fifth)},
    ]
    return Advice(
        verdict=verdict,
        repeat_customer_share=repeat_customer_share,
        repeat_revenue_share=repeat_revenue_share,
        top_fifth_revenue_share=top_fifth,
        concentrated=top_fifth >= CONCENTRATED_TOP_SHARE,
        n_customers=n_customers,
        total_revenue=total,
        margin=margin,
        uplift=uplift,
        came_back=came_back,
        repeat_revenue=repeat_total,
        top_fifth_customers=top_count(n_customers),
        top_fifth_revenue=top_fifth_revenue,
        expected_purchases_per_customer=(
            float(np.mean(expected_purchases)) if expected_purchases is not None else None
        ),
        mean_value=float(base.mean()),
        attention_worth_per_customer=float(worth.mean()),
        mean_value_if_active=mean_if_active(slice(None)),
        won_back_worth_per_customer=won_back(mean_if_active(slice(None))),
        by_segment=by_segment,
        reasons=reasons,
    )


def advice_from_transactions(
    *,
    customer_ids,
    dates,
    amounts=None,
    observation_end=None,
    expected_value=None,
    expected_purchases=None,
    value_if_active=None,
    margin: float = DEFAULT_MARGIN,
) -> Advice:
    """Advice straight from a transaction log (as ``klantvriend analyse`` reads it).

    ``expected_value``, ``expected_purchases`` and ``value_if_active``, when given, are per customer in the sorted
    order of the distinct customer ids (the order of ``clv.summary``). Without amounts every
    purchase day counts as one unit of revenue."""
    ids = np.asarray(customer_ids)
    days = np.asarray(dates).astype("datetime64[D]")
    values = np.ones(len(ids)) if amounts is None else np.asarray(amounts, dtype=np.float64)
    if observation_end is not None:
        keep = days <= np.datetime64(observation_end, "D")
        ids, days, values = ids[keep], days[keep], values[keep]
    unique_ids, codes = np.unique(ids, return_inverse=True)
    codes = codes.reshape(-1)
    n = len(unique_ids)
    day_numbers = days.astype(np.int64)
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, codes, day_numbers)
    # Distinct purchase days per customer: sort (customer, day) pairs once.
    pairs = np.unique(codes.astype(np.int64) * (1 << 32) + (day_numbers - day_numbers.min()))
    transaction_days = np.bincount(pairs >> 32, minlength=n)
    revenue = np.bincount(codes, weights=values, minlength=n)
    repeat = np.bincount(
        codes, weights=np.where(day_numbers == first[codes], 0.0, values), minlength=n
    )
    return attention_advice(
        transaction_days=transaction_days,
        revenue=revenue,
        repeat_revenue=repeat,
        expected_value=expected_value,
        expected_purchases=expected_purchases,
        value_if_active=value_if_active,
        margin=margin,
    )
