"""RFM segments and stages from per-customer arrays (numpy, no queries).

Recency (R) and frequency-and-monetary (FM) get a score from 1 to 5: the customer's quintile in
their own business. Ties share the lowest score, so when nearly everybody bought once, nobody
scores high on frequency merely by sorting order. See docs/advisor.md for the table in words.
"""

import numpy as np
from scipy.stats import rankdata

from .models import Segment, Stage

NEW_CUSTOMER_DAYS = 90
REGULAR_MIN_PURCHASE_DAYS = 4
ALIVE_COUNTS_AS_RECENT = 0.5


def quintile_score(values: np.ndarray) -> np.ndarray:
    """1 … 5 by quintile of ``values`` (higher is better); equal values share the lower score."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    below = rankdata(values, method="min") - 1  # how many customers are strictly below
    return 1 + np.minimum(4, (5 * below // len(values)).astype(np.int64))


def rfm_segments(
    *,
    days_since_last: np.ndarray,
    purchase_days: np.ndarray,
    spend: np.ndarray,
    days_since_first: np.ndarray,
    probability_alive: np.ndarray | None = None,
) -> np.ndarray:
    """The segment value (``Segment``) of every customer.

    With a fitted model, a customer whose probability alive fell below one half counts as not
    recent (R at most 2) however recent their last purchase is among all customers: a weekly
    buyer away for two months is at risk even when most customers came longer ago."""
    recency = quintile_score(-days_since_last.astype(np.float64))
    if probability_alive is not None:
        recency = np.where(
            probability_alive < ALIVE_COUNTS_AS_RECENT, np.minimum(recency, 2), recency
        )
    frequency = quintile_score(purchase_days.astype(np.float64))
    monetary = quintile_score(spend.astype(np.float64))
    value = np.floor((frequency + monetary) / 2 + 0.5).astype(np.int64)
    conditions = [
        (days_since_first <= NEW_CUSTOMER_DAYS) & (purchase_days <= 2),
        (recency >= 4) & (value >= 4),
        (recency >= 3) & (value >= 3),
        (recency <= 2) & (value >= 5),
        (recency <= 2) & (value >= 3),
        recency >= 3,
        recency == 2,
    ]
    choices = [
        Segment.NEW,
        Segment.CHAMPION,
        Segment.REGULAR,
        Segment.CANT_LOSE,
        Segment.AT_RISK,
        Segment.NEEDS_ATTENTION,
        Segment.HIBERNATING,
    ]
    return np.select(conditions, [str(choice) for choice in choices], default=str(Segment.LOST))


def stages(
    *,
    purchase_days: np.ndarray,
    days_since_last: np.ndarray,
    usual_interval_days: np.ndarray,
    is_ambassador: np.ndarray,
) -> np.ndarray:
    """Passer-by (bought once), customer, regular (four or more purchase days and still in their
    rhythm: not away for more than twice their usual interval plus a month), ambassador (brought
    in other customers or answered as a promoter)."""
    in_rhythm = days_since_last <= 2 * np.nan_to_num(usual_interval_days, nan=0.0) + 30
    return np.select(
        [
            is_ambassador,
            purchase_days <= 1,
            (purchase_days >= REGULAR_MIN_PURCHASE_DAYS) & in_rhythm,
        ],
        [str(Stage.AMBASSADOR), str(Stage.PASSER_BY), str(Stage.REGULAR)],
        default=str(Stage.CUSTOMER),
    )
