"""Each customer's figures from what a refresh learned about their business: the one place of
the rules that turn a purchase history into an insight row.

A refresh (`services.insights_refresh`) learns from every customer at once: the purchase model
and the spend model it fits, the quintile borders of the segments and the spend that counts as
valuable (`Fit`). It keeps them with its run (`InsightRun.figures`), and computes every row with
`customer_rows`. Between refreshes one customer can be computed again the same way, by the same
function with the kept fit (`services.customer_insight_recompute`: after two records of one
person were merged), without refitting on every customer: the figures are those the refresh
would have given them with that history.
"""

from dataclasses import dataclass, replace

import numpy as np

from clv.models import MODELS_BY_NAME, GammaGamma
from clv.value import customer_lifetime_value
from klantvriend.customers.models import EARLIEST_DAY

from .segments import past_their_rhythm, rfm_cuts, rfm_segments, stages
from .selectors import SLIPPING_ALIVE_BELOW, SLIPPING_FALL_AT_LEAST

DAYS_PER_WEEK = 7.0
DAYS_PER_MONTH = 30.4375
# Customers with at least this many purchase days are weighed for "valuable" (the top half of
# their spend) and may be slipping away.
VALUABLE_MIN_PURCHASE_DAYS = 3


@dataclass(frozen=True)
class CustomerHistory:
    """Per-customer arrays of a purchase summary (clv.summary, in weeks), in its order."""

    customer_id: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    age: np.ndarray
    # Mean spend of the repeat purchase days, in euros (0 without a repeat).
    monetary_value: np.ndarray
    spend_cents: np.ndarray
    # Spent as a returning customer (new_customer_purchases): the revenue of coming back.
    repeat_spend_cents: np.ndarray
    purchase_days: np.ndarray
    days_since_last: np.ndarray
    days_since_first: np.ndarray
    # Days since the customer became one: their "customer since", which no purchase precedes,
    # so at least days_since_first. What "new" is measured by: a till export of three months
    # makes a customer since 2018 buy "first" in those months, and the card called them new.
    days_as_customer: np.ndarray
    # Whether their own "customer since" lies in a month before their first purchase on record:
    # they bought before what is on record (a client since 2019 in a file of this year's
    # invoices), so one purchase on record makes no passer-by. Not for a day not known
    # (EARLIEST_DAY, customers_since), which says nothing of purchases before.
    bought_before_records: np.ndarray
    # The local day of the first purchase: the month the customer is new in.
    first_purchase_day: np.ndarray  # datetime64[D]
    usual_interval_days: np.ndarray


def purchase_spend(
    codes: np.ndarray, days: np.ndarray, cents: np.ndarray, n: int, *, customer_since: np.ndarray
):
    """Each of `n` customers' spend in cents, their spend as a returning customer, and their
    first purchase day, from every purchase's customer (its index, `codes`), local day and
    amount, and each customer's "customer since" day (datetime64[D]): what the advice's repeat
    share of revenue adds up, and the customer list with it; the first day and the spend on it
    of a new customer (new_customer_purchases) are what the revenue and retention charts count
    as new, kept for those charts' rows."""
    day_numbers = days.astype(np.int64)
    first_day = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_day, codes, day_numbers)
    first_day = first_day.astype("datetime64[D]")
    new = new_customer_purchases(codes, days, first_day, customer_since)
    # Whole cents as float64 are exact up to 2**53: the sums are whole numbers again.
    spend = np.bincount(codes, weights=cents, minlength=n)
    repeat = np.bincount(codes, weights=np.where(new, 0, cents), minlength=n)
    return spend.astype(np.int64), repeat.astype(np.int64), first_day


def new_customer_purchases(
    codes: np.ndarray, days: np.ndarray, first_day: np.ndarray, customer_since: np.ndarray
) -> np.ndarray:
    """Whether each purchase is a new customer's: on their first purchase day, unless they were
    a customer in a month before it. A salon that imported "klant sinds 2018" and three months
    of its till saw all of its first month's revenue as new customers'. By month, as the
    revenue chart counts: a customer entered a day before their first purchase is new."""
    known = known_before(first_day, customer_since)
    return (days.astype("datetime64[D]") == first_day[codes]) & ~known[codes]


def known_before(first_day: np.ndarray, customer_since: np.ndarray) -> np.ndarray:
    """Whether each customer was one in a month before that of their first purchase on record:
    not a new customer then, and in no cohort of first purchases."""
    since_month = np.asarray(customer_since, dtype="datetime64[D]").astype("datetime64[M]")
    return since_month < np.asarray(first_day, dtype="datetime64[D]").astype("datetime64[M]")


def customer_history(
    summary,
    spend_cents: np.ndarray,
    repeat_spend_cents: np.ndarray,
    first_day: np.ndarray,
    *,
    customer_since: np.ndarray,
) -> CustomerHistory:
    """`customer_since`: each customer's "customer since" day (datetime64[D]), in the
    summary's order."""
    x, t_x, age = summary.frequency, summary.recency, summary.T
    with np.errstate(divide="ignore", invalid="ignore"):
        usual_interval = np.where(x > 0, t_x * DAYS_PER_WEEK / x, np.nan)
    first_day = np.asarray(first_day, dtype="datetime64[D]")
    days_since_first = np.rint(age * DAYS_PER_WEEK).astype(np.int64)
    since = np.asarray(customer_since, dtype="datetime64[D]")
    days_known_before = (first_day - since).astype(np.int64)
    return CustomerHistory(
        customer_id=summary.customer_id,
        frequency=x,
        recency=t_x,
        age=age,
        monetary_value=summary.monetary_value,
        spend_cents=np.asarray(spend_cents, dtype=np.int64),
        repeat_spend_cents=np.asarray(repeat_spend_cents, dtype=np.int64),
        purchase_days=(x + 1).astype(np.int64),
        days_since_last=np.rint((age - t_x) * DAYS_PER_WEEK).astype(np.int64),
        days_since_first=days_since_first,
        days_as_customer=days_since_first + np.maximum(days_known_before, 0),
        bought_before_records=known_before(first_day, since)
        & (since > np.datetime64(EARLIEST_DAY, "D")),
        first_purchase_day=first_day,
        usual_interval_days=usual_interval,
    )


@dataclass(frozen=True)
class SpendFit:
    """Expected spend per purchase day: Gamma-Gamma's when it was fitted with a finite
    population mean (q > 1), else the customer's own mean of their repeat purchase days, and for
    a customer without a repeat the business's mean per purchase day (`fallback`, euros)."""

    gamma_gamma: dict[str, float] | None
    fallback: float

    def expected_spend(self, frequency: np.ndarray, monetary_value: np.ndarray) -> np.ndarray:
        own = np.where(frequency > 0, monetary_value, 0.0)
        if self.gamma_gamma is not None:
            spend = GammaGamma.from_params(self.gamma_gamma).expected_spend(frequency, own)
        else:
            spend = np.where(frequency > 0, monetary_value, self.fallback)
        return np.maximum(spend, 0.0)


@dataclass(frozen=True)
class Fit:
    """What a refresh learned about the business as a whole; without a purchase model (not
    enough data, nothing converged) `model_name` is empty and the rows have no predictions."""

    rfm_cuts: dict[str, list[float]]
    valuable_spend_cents: int | None
    model_name: str = ""
    model_params: dict[str, float] | None = None
    spend: SpendFit | None = None

    @classmethod
    def of_customers(cls, history: CustomerHistory) -> "Fit":
        """The business-level borders the rules use, from every customer; no model yet."""
        repeaters = history.spend_cents[history.purchase_days >= VALUABLE_MIN_PURCHASE_DAYS]
        return cls(
            rfm_cuts=rfm_cuts(
                days_since_last=history.days_since_last,
                purchase_days=history.purchase_days,
                spend=history.spend_cents,
            ),
            # The median: valuable is the top half.
            valuable_spend_cents=int(np.quantile(repeaters, 0.5)) if len(repeaters) else None,
        )

    def with_model(self, name: str, params: dict[str, float], spend: SpendFit) -> "Fit":
        return replace(
            self,
            model_name=name,
            model_params={key: float(value) for key, value in params.items()},
            spend=spend,
        )

    def transaction_model(self):
        if not self.model_name:
            return None
        return MODELS_BY_NAME[self.model_name].from_params(self.model_params)

    # Kept in the run's figures as plain JSON: the model's name and parameters where the
    # figures have always shown them ("model"), the rest beside them.
    def as_figures(self) -> dict:
        figures: dict = {
            "valuable_spend_cents": self.valuable_spend_cents,
            "prediction": {
                "rfm_cuts": self.rfm_cuts,
                "spend": None
                if self.spend is None
                else {"gamma_gamma": self.spend.gamma_gamma, "fallback": self.spend.fallback},
            },
        }
        if self.model_name:
            figures["model"] = {"name": self.model_name, "params": self.model_params}
        return figures

    @classmethod
    def from_figures(cls, figures: dict) -> "Fit | None":
        """The fit kept with a run; None for a run that kept none (no customers, or computed
        before fits were kept)."""
        kept = (figures or {}).get("prediction")
        if kept is None:
            return None
        model = figures.get("model") or {}
        spend = kept.get("spend")
        return cls(
            rfm_cuts=kept["rfm_cuts"],
            valuable_spend_cents=figures.get("valuable_spend_cents"),
            model_name=model.get("name", ""),
            model_params=model.get("params"),
            spend=None if spend is None else SpendFit(spend["gamma_gamma"], spend["fallback"]),
        )


def _predict(model, spend, x, t_x, age) -> dict | None:
    """Every customer's figures from one fitted model; None when any is not a finite number
    (a model at the edge of its parameter space)."""
    earlier = age - 30 / DAYS_PER_WEEK
    known_before = t_x <= earlier
    alive_before = np.full(len(x), np.nan)
    with np.errstate(all="ignore"):
        if known_before.any():
            alive_before[known_before] = model.probability_alive(
                x[known_before], t_x[known_before], earlier[known_before]
            )
        predictions = {
            "alive": model.probability_alive(x, t_x, age),
            "alive_before": alive_before,
            "expected_90": model.expected_purchases(90 / DAYS_PER_WEEK, x, t_x, age),
            "expected_365": model.expected_purchases(365 / DAYS_PER_WEEK, x, t_x, age),
            # Computed directly rather than divided by a P(alive) that may be 1e-14.
            "expected_365_if_alive": model.expected_purchases_if_alive(
                365 / DAYS_PER_WEEK, x, t_x, age
            ),
        }
        try:
            # The value if still a customer (what winning one back is worth), and the value:
            # P(alive) times it (clv.value), which spares a second sum over the months.
            predictions["value_if_alive"] = customer_lifetime_value(
                transaction_model=model,
                frequency=x,
                recency=t_x,
                T=age,
                expected_spend=spend,
                horizon_periods=12,
                period_length=DAYS_PER_MONTH / DAYS_PER_WEEK,
                discount_rate=0.01,
                if_alive=True,
            )
            predictions["value"] = predictions["alive"] * predictions["value_if_alive"]
        except ValueError:
            return None
    for key, values in predictions.items():
        finite = np.isfinite(values) if key != "alive_before" else np.isfinite(values[known_before])
        if not finite.all():
            return None
    return predictions


def customer_rows(
    *, history: CustomerHistory, is_ambassador: np.ndarray, fit: Fit
) -> dict[str, np.ndarray | None] | None:
    """The insight row of every customer of `history` (columns by field name, None for a
    column without a model), or None when the fit's model gives a figure that is not a finite
    number for one of them (the refresh then tries its next candidate).

    Besides the fields, "value" is the predicted 12-month value in euros, unrounded, for the
    business's figures, and "value_if_alive" the same if the customer is still a customer
    (clv.value), for what winning one back is worth (the advice's mean per segment; each
    customer's in whole cents, "value_if_alive_cents", for their card)."""
    purchase_days, days_since_last = history.purchase_days, history.days_since_last
    spend_cents = history.spend_cents
    model = fit.transaction_model()
    alive = alive_before = expected_90 = expected_365 = value = value_if_alive = None
    expected_365_if_alive = None
    if model is not None:
        spend = fit.spend.expected_spend(history.frequency, history.monetary_value)
        predictions = _predict(model, spend, history.frequency, history.recency, history.age)
        if predictions is None:
            return None
        alive, alive_before = predictions["alive"], predictions["alive_before"]
        expected_90, expected_365 = predictions["expected_90"], predictions["expected_365"]
        value, value_if_alive = predictions["value"], predictions["value_if_alive"]
        expected_365_if_alive = predictions["expected_365_if_alive"]
    slipping = np.zeros(len(purchase_days), dtype=bool)
    if alive is not None and fit.valuable_spend_cents is not None:
        with np.errstate(invalid="ignore"):
            slipping = (
                (purchase_days >= VALUABLE_MIN_PURCHASE_DAYS)
                & (spend_cents >= fit.valuable_spend_cents)
                & (alive < SLIPPING_ALIVE_BELOW)
                & (alive_before >= alive + SLIPPING_FALL_AT_LEAST)
                # Only once clearly past their own rhythm, by the rule that ends a regular
                # (segments.past_their_rhythm): a model fitted on few purchases put a customer
                # who "usually came every 72 days" at 50% after 62, and Today listed them.
                & past_their_rhythm(
                    days_since_last=days_since_last,
                    usual_interval_days=history.usual_interval_days,
                )
            )
    return {
        "customer_id": history.customer_id,
        "purchase_days": purchase_days,
        "days_since_last": days_since_last,
        "usual_interval_days": history.usual_interval_days,
        "spend_cents": spend_cents,
        "repeat_spend_cents": history.repeat_spend_cents,
        "first_purchase_day": history.first_purchase_day,
        "probability_alive": alive,
        "probability_alive_30_days_ago": alive_before,
        "expected_purchases_90": expected_90,
        "expected_purchases_365": expected_365,
        "value": value,
        "value_cents": np.rint(value * 100) if value is not None else None,
        "value_if_alive": value_if_alive,
        "expected_purchases_365_if_alive": expected_365_if_alive,
        "value_if_alive_cents": np.rint(value_if_alive * 100)
        if value_if_alive is not None
        else None,
        "segment": rfm_segments(
            days_since_last=days_since_last,
            purchase_days=purchase_days,
            spend=spend_cents,
            days_as_customer=history.days_as_customer,
            usual_interval_days=history.usual_interval_days,
            cuts=fit.rfm_cuts,
            probability_alive=alive,
        ),
        "stage": stages(
            purchase_days=purchase_days,
            days_since_last=days_since_last,
            usual_interval_days=history.usual_interval_days,
            is_ambassador=is_ambassador,
            bought_before_records=history.bought_before_records,
        ),
        "slipping_away": slipping,
    }
