"""What customers bought around the gestures given to them, and around the complaints resolved
without one: the gestures page's figures, computed by the insights refresh from every purchase,
and the rows each figure is made of, computed again by the same functions from the purchases of
those customers alone."""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from clv import figures as clv_figures
from klantvriend.core.models import Business
from klantvriend.gestures.models import Occasion
from klantvriend.gestures.selectors import (
    complaints_resolved_without_gesture,
    gestures_given_between,
)

from .models import InsightRun
from .purchases import purchase_arrays

# Buying is looked at in the quarter before and after a gesture, the window of the scorecard's
# figures; the gestures are those of the year whose quarter afterwards is over.
EFFECT_WINDOW_DAYS = 90
EFFECT_YEAR_DAYS = 365


def _around(
    business: Business, buying: clv_figures.BuyingIndex, events
) -> clv_figures.AroundEvents:
    """What the customer of each event (customer id, moment, ...) bought before and after."""
    return buying.around(
        customer_ids=np.array([row[0] for row in events], dtype=np.int64),
        dates=np.array([business.local(row[1]).date() for row in events], dtype="datetime64[D]"),
        window=EFFECT_WINDOW_DAYS,
    )


def _summary(chosen: np.ndarray, around_events: clv_figures.AroundEvents) -> dict:
    """The figures of the chosen events: their number, the shares of them whose customer
    bought before and after, and the mean spend before and after (cents)."""
    count = int(np.count_nonzero(chosen))
    return {
        "gestures": count,
        "bought_before": round(float(around_events.bought_before[chosen].mean()), 4),
        "bought_after": round(float(around_events.bought_after[chosen].mean()), 4),
        "spend_before_cents": int(np.rint(around_events.spend_before[chosen].mean())),
        "spend_after_cents": int(np.rint(around_events.spend_after[chosen].mean())),
    }


def _between(business: Business, since_day: date, until_day: date) -> dict:
    return {
        "business": business,
        "since": business.start_of(since_day),
        "until": business.start_of(until_day),
    }


def gesture_effects(business, as_of, customer_ids, days, cents) -> dict:
    """Per occasion, the gestures of a year whose quarter afterwards is over: how many of their
    customers bought in the quarter before the gesture and in the quarter after it, and what
    they spent (a mean per gesture, in cents); and the same of the complaints resolved without
    a gesture, which the gestures that made up for a complaint can be held against."""
    until_day = as_of - timedelta(days=EFFECT_WINDOW_DAYS)
    since_day = until_day - timedelta(days=EFFECT_YEAR_DAYS)
    gestures = list(gestures_given_between(**_between(business, since_day, until_day)))
    complaints = list(
        complaints_resolved_without_gesture(**_between(business, since_day, until_day))
    )
    buying = clv_figures.BuyingIndex(customer_ids=customer_ids, dates=days, amounts=cents)
    occasions = []
    if gestures:
        around_gestures = _around(business, buying, gestures)
        kinds = np.array([row[2] for row in gestures])
        values = np.array([row[3] or 0 for row in gestures], dtype=np.int64)
        for occasion in Occasion.values:  # in the order the forms list them
            chosen = kinds == occasion
            if not chosen.any():
                continue
            occasions.append(
                {
                    "occasion": occasion,
                    "value_cents": int(values[chosen].sum()),
                    **_summary(chosen, around_gestures),
                }
            )
    without = None
    if complaints:
        without = _summary(
            np.ones(len(complaints), dtype=bool), _around(business, buying, complaints)
        )
    return {
        "since": since_day.isoformat(),
        "until": until_day.isoformat(),
        "window_days": EFFECT_WINDOW_DAYS,
        "occasions": occasions,
        "complaints_without_gesture": without,
    }


# The fewest complaints on either side (made up with a gesture, resolved without one) that the
# gestures page compares, and the difference in how the share of their customers who bought held
# up that it calls a sign either way: at ten a side one customer is ten points of a share.
RECOVERY_MIN_COMPLAINTS = 10
RECOVERY_SIGN_POINTS = 0.10


@dataclass(frozen=True)
class RecoveryComparison:
    """The complaints made up with a gesture held against those resolved without one: how the
    share of their customers who bought changed from the quarter before to the quarter after,
    each side against itself, since gestures go to better customers (who bought more before
    too). `sign`: "helps" where the share held up better after a gesture by at least
    RECOVERY_SIGN_POINTS, "no_help" where it held up worse by as much, "no_difference" in
    between, "too_few" below RECOVERY_MIN_COMPLAINTS on either side. A sign, not proof: the
    shop chose whom to give a gesture."""

    sign: str
    with_gesture: dict
    without_gesture: dict

    @property
    def difference(self) -> float:
        """How many points better the share held up after a gesture (negative: worse)."""
        return _change(self.with_gesture) - _change(self.without_gesture)


def _change(row: dict) -> float:
    return row["bought_after"] - row["bought_before"]


def recovery_comparison(effects: dict | None) -> RecoveryComparison | None:
    """The comparison of the refresh's gesture figures (`gesture_effects`, as stored), or None
    where one side has no complaints at all."""
    if not effects:
        return None
    with_gesture = next(
        (row for row in effects["occasions"] if row["occasion"] == Occasion.COMPLAINT_RECOVERY),
        None,
    )
    without_gesture = effects.get("complaints_without_gesture")
    if with_gesture is None or without_gesture is None:
        return None
    comparison = RecoveryComparison("too_few", with_gesture, without_gesture)
    if min(with_gesture["gestures"], without_gesture["gestures"]) < RECOVERY_MIN_COMPLAINTS:
        return comparison
    # Rounded as stored (four decimals), so that exactly ten points counts as ten.
    difference = round(comparison.difference, 4)
    if difference >= RECOVERY_SIGN_POINTS:
        sign = "helps"
    elif difference <= -RECOVERY_SIGN_POINTS:
        sign = "no_help"
    else:
        sign = "no_difference"
    return RecoveryComparison(sign, with_gesture, without_gesture)


@dataclass(frozen=True)
class EffectRows:
    """The events one figure of the gestures page counts, newest first, each as the selector
    gives it (customer id, moment, ..., id, what), with what its customer bought around it and
    the figures of them all, as the refresh stores them."""

    events: list[tuple]
    around: clv_figures.AroundEvents
    figures: dict
    since: date
    until: date


def effect_rows(*, business: Business, run: InsightRun, occasion: str = "") -> EffectRows | None:
    """The gestures of `occasion`, or without one the complaints resolved without a gesture,
    that the latest refresh (`run`) counted, and what their customers bought around each: the
    same events by the same selectors, and the same sums by the same index, fed with only their
    customers' purchases of the days the windows reach, up to the end of the run's day. None
    when the run has no such figures."""
    stored = (run.figures or {}).get("gesture_effects")
    if not stored:
        return None
    since_day, until_day = date.fromisoformat(stored["since"]), date.fromisoformat(stored["until"])
    between = _between(business, since_day, until_day)
    if occasion:
        events = gestures_given_between(**between).filter(occasion=occasion)
        rows = list(events.order_by("-given_at", "-id"))
    else:
        events = complaints_resolved_without_gesture(**between)
        rows = list(events.order_by("-resolved_at", "-id"))
    customer_ids, days, cents = purchase_arrays(
        business,
        business.start_of(run.as_of + timedelta(days=1)),
        customers=events.values("customer_id"),
        since=business.start_of(since_day - timedelta(days=EFFECT_WINDOW_DAYS)),
    )
    buying = clv_figures.BuyingIndex(customer_ids=customer_ids, dates=days, amounts=cents)
    around = _around(business, buying, rows)
    figures = _summary(np.ones(len(rows), dtype=bool), around) if rows else {"gestures": 0}
    return EffectRows(rows, around, figures, since_day, until_day)
