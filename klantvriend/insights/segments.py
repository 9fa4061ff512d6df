"""RFM segments and stages from per-customer arrays (numpy, no queries).

Recency (R) and frequency-and-monetary (FM) get a score from 1 to 5: the customer's quintile in
their own business. Ties share the lowest score, so when nearly everybody bought once, nobody
scores high on frequency merely by sorting order. The quintile borders are kept with each
refresh, so that a customer computed again between refreshes is scored among the same others.
See docs/advisor.md for the table in words.
"""

import numpy as np

from .models import Segment, Stage

NEW_CUSTOMER_DAYS = 90
REGULAR_MIN_PURCHASE_DAYS = 4
ALIVE_COUNTS_AS_RECENT = 0.5
# Past their own rhythm: away for more than twice their usual interval plus a month. Twice,
# because one missed visit is ordinary (a weekly customer who skips a week has not left); the
# month, because a holiday keeps even an every-other-day customer away for a few weeks without
# their leaving. Measured against the customer's own interval, not the shop's: 62 days is
# nothing for who comes every 72 days and far too long for who comes every week.
RHYTHM_TIMES_USUAL = 2
RHYTHM_GRACE_DAYS = 30
# A last purchase longer ago than this is never recent, however the shop's other customers
# compare. A year holds every rhythm the advice looks for (a yearly bicycle service, a Christmas
# order): who has not come for longer missed even a yearly visit, and in a shop whose customers
# mostly came long ago a quintile called 536 days ago "came recently".
RECENT_AT_MOST_DAYS = 365


def quintile_cuts(values: np.ndarray) -> np.ndarray:
    """The four values a score must be above to reach 2, 3, 4 and 5: the business's quintile
    borders, kept with the refresh so that one customer can be scored among the others later.

    A value's score is one more than the number of borders strictly below it, which is the
    quintile of the value among ``values`` with equal values sharing the lower score: with
    ``below`` customers strictly below it, 1 + min(4, floor(5 * below / n)). The border for
    score k + 1 is therefore the value with ceil(k * n / 5) values at or below it."""
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    at_or_below = (np.arange(1, 5) * len(ordered) + 4) // 5
    return ordered[at_or_below - 1]


def quintile_score(values: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """1 … 5 by quintile (higher is better), from the borders of ``quintile_cuts``."""
    return 1 + np.searchsorted(np.asarray(cuts, dtype=np.float64), values, side="left")


def rfm_cuts(
    *, days_since_last: np.ndarray, purchase_days: np.ndarray, spend: np.ndarray
) -> dict[str, list[float]]:
    """The quintile borders of recency, frequency and spend among a business's customers, as
    plain numbers (stored with the refresh's run)."""
    return {
        name: quintile_cuts(values.astype(np.float64)).tolist()
        for name, values in _rfm_values(days_since_last, purchase_days, spend).items()
    }


def _rfm_values(days_since_last, purchase_days, spend) -> dict[str, np.ndarray]:
    """What each score ranks, higher being better."""
    return {
        "recency": -days_since_last.astype(np.float64),
        "frequency": purchase_days.astype(np.float64),
        "monetary": spend.astype(np.float64),
    }


def past_their_rhythm(
    *, days_since_last: np.ndarray, usual_interval_days: np.ndarray
) -> np.ndarray:
    """Whether each customer has stayed away for more than twice their usual interval plus a
    month (RHYTHM_TIMES_USUAL, RHYTHM_GRACE_DAYS); never for one without a usual interval (one
    purchase day: no rhythm to be past).

    The one rule of "past their rhythm": a regular is one no longer past it (`stages`), nor
    recent (`rfm_segments`), and a valuable customer slips away only once past it
    (prediction.customer_rows), so that Today's list and the card tell one story: no one on the
    list is called a regular."""
    usual = np.asarray(usual_interval_days, dtype=np.float64)
    # A missing interval (NaN) compares as False: not past a rhythm they do not have.
    return np.asarray(days_since_last) > RHYTHM_TIMES_USUAL * usual + RHYTHM_GRACE_DAYS


def rfm_segments(
    *,
    days_since_last: np.ndarray,
    purchase_days: np.ndarray,
    spend: np.ndarray,
    days_as_customer: np.ndarray,
    usual_interval_days: np.ndarray,
    cuts: dict[str, list[float]],
    probability_alive: np.ndarray | None = None,
) -> np.ndarray:
    """The segment value (``Segment``) of every customer, scored against the quintile borders
    ``cuts`` of their business (``rfm_cuts``: of these same customers in a refresh).

    Recency is a rank among the shop's own customers, so it is capped where the rank alone
    would call someone recent who is not (R at most 2, "not lately"): a customer past their own
    rhythm (`past_their_rhythm`), one whose last purchase is more than a year ago
    (RECENT_AT_MOST_DAYS), and, with a fitted model, one whose probability alive fell below one
    half. Without them a small shop without a model called a customer "champion: came
    recently" who "bought 2 times, last 536 days ago, usually every 131 days"; and a weekly
    buyer away for two months is at risk even when most customers came longer ago. With a
    model, a customer of two or more purchase days whom it gives even odds or better is never
    "lost" (R at least 2)."""
    values = _rfm_values(days_since_last, purchase_days, spend)
    recency = quintile_score(values["recency"], cuts["recency"])
    not_recent = past_their_rhythm(
        days_since_last=days_since_last, usual_interval_days=usual_interval_days
    ) | (np.asarray(days_since_last) > RECENT_AT_MOST_DAYS)
    if probability_alive is not None:
        not_recent |= probability_alive < ALIVE_COUNTS_AS_RECENT
    recency = np.where(not_recent, np.minimum(recency, 2), recency)
    # Nor is anyone "not lately" who is not yet due by their own rhythm: in a salon whose
    # customers all came within three weeks, the rank called one who comes every three weeks
    # and came eight days ago "used to buy often, but not lately" (at risk).
    with np.errstate(invalid="ignore"):
        not_yet_due = np.asarray(days_since_last) <= np.asarray(usual_interval_days)
    recency = np.where(not_yet_due & ~not_recent, np.maximum(recency, 3), recency)
    if probability_alive is not None:
        # "Lost" says the customer has left, which is the model's question where there is one:
        # an office's client of two invoices, away eight months where most came within two,
        # was "lost" beside "probability alive 88%", and the advice said of six such "most of
        # them have probably left". Whom the model gives even odds or better is at worst
        # hibernating. Not after one purchase day, of which the model cannot tell (BG/NBD
        # gives every one-off customer 100%: `selectors.alive_figure`).
        likely_alive = (np.asarray(purchase_days) >= 2) & (
            probability_alive >= ALIVE_COUNTS_AS_RECENT
        )
        recency = np.where(likely_alive, np.maximum(recency, 2), recency)
    frequency = quintile_score(values["frequency"], cuts["frequency"])
    monetary = quintile_score(values["monetary"], cuts["monetary"])
    value = np.floor((frequency + monetary) / 2 + 0.5).astype(np.int64)
    # One purchase day, however large, is no loyalty: a single €385 buffet scored FM 3 and made
    # its guest "loyal, comes back regularly" beside the stage "bought once so far". Who never
    # came back is at most FM 2: needs attention, hibernating or lost, by how recent.
    value = np.where(purchase_days <= 1, np.minimum(value, 2), value)
    conditions = [
        (days_as_customer <= NEW_CUSTOMER_DAYS) & (purchase_days <= 2),
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
    bought_before_records: np.ndarray,
) -> np.ndarray:
    """Passer-by (bought once, and not a customer from before the purchases on record:
    prediction.CustomerHistory.bought_before_records), customer, regular (four or more purchase
    days and not past their rhythm: `past_their_rhythm`), ambassador (brought in other customers
    or answered as a promoter)."""
    in_rhythm = ~past_their_rhythm(
        days_since_last=days_since_last, usual_interval_days=usual_interval_days
    )
    return np.select(
        [
            is_ambassador,
            (purchase_days <= 1) & ~bought_before_records,
            (purchase_days >= REGULAR_MIN_PURCHASE_DAYS) & in_rhythm,
        ],
        [str(Stage.AMBASSADOR), str(Stage.PASSER_BY), str(Stage.REGULAR)],
        default=str(Stage.CUSTOMER),
    )
