"""The honest "not enough data yet" sentence and the advice's caveat on little data, built when
they are shown (in the reader's language) from the counts stored with the refresh."""

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clv.advice import (
    ADVICE_MIN_CUSTOMERS,
    ADVICE_MIN_HISTORY_DAYS,
    MODEL_MIN_REPEAT_CUSTOMERS,
    advice_footing,
)

# The models are fitted from where the advice is given (clv.advice keeps the borders).
MIN_CUSTOMERS = ADVICE_MIN_CUSTOMERS
MIN_REPEAT_CUSTOMERS = MODEL_MIN_REPEAT_CUSTOMERS
MIN_DAYS_OF_HISTORY = ADVICE_MIN_HISTORY_DAYS
DAYS_PER_MONTH = 30.4375
DAYS_PER_YEAR = 365.25


def not_enough_data(
    *,
    customers: int,
    repeat: int,
    history_days: int,
    unfittable: bool = False,
    no_dropout: bool = False,
) -> str:
    """The honest sentence for a business whose data cannot carry a model yet. `no_dropout`:
    the models fitted, but found no customer ever leaving (clv's dropout_collapsed)."""
    if customers == 0:
        return _("Not enough data yet: there were no purchases when this was computed.")
    needs = []
    if history_days < MIN_DAYS_OF_HISTORY:
        months = max(1, int(np.ceil((MIN_DAYS_OF_HISTORY - history_days) / DAYS_PER_MONTH)))
        needs.append(
            ngettext("%(count)d more month", "%(count)d more months", months) % {"count": months}
        )
    if customers < MIN_CUSTOMERS:
        more = MIN_CUSTOMERS - customers
        needs.append(
            ngettext("%(count)d more customer", "%(count)d more customers", more) % {"count": more}
        )
    if repeat < MIN_REPEAT_CUSTOMERS:
        more = MIN_REPEAT_CUSTOMERS - repeat
        needs.append(
            ngettext(
                "%(count)d more returning customer", "%(count)d more returning customers", more
            )
            % {"count": more}
        )
    if not needs:
        if no_dropout:
            return _(
                "Not enough data yet to predict: the purchases so far fit no model in which "
                "customers leave, so the models cannot tell who is still a customer. Until then "
                "each customer is judged by their own rhythm and how long ago they bought."
            )
        if unfittable:
            return _(
                "Not enough data yet: the purchases do not show a pattern the models can fit; "
                "a few more months of purchases are needed."
            )
        return ""
    return _("Not enough data yet: %(needs)s needed.") % {"needs": _(" and ").join(needs)}


def history_shown(history_days: int) -> str:
    """A history in whole months up to two years, then in whole years (never rounded up: "11
    months" is not yet the year the caveat asks for)."""
    months = int(history_days // DAYS_PER_MONTH)
    if months < 24:
        return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}
    years = int(history_days // DAYS_PER_YEAR)
    return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}


def advice_caveat(*, customers: int, history_days: int) -> str:
    """The sentence above a thin advice naming what it rests on and what makes it surer; empty
    where the advice stands firm or is not given (clv.advice.advice_footing)."""
    footing = advice_footing(customers=customers, history_days=history_days)
    if footing.level != "thin":
        return ""
    rests_on = ngettext(
        "Based on %(customers)d customer and %(history)s of purchases: too little to be sure.",
        "Based on %(customers)d customers and %(history)s of purchases: too little to be sure.",
        customers,
    ) % {"customers": customers, "history": history_shown(history_days)}
    needs = []
    if footing.customers_short:
        needs.append(
            ngettext(
                "with %(count)d more customer",
                "with %(count)d more customers",
                footing.customers_short,
            )
            % {"count": footing.customers_short}
        )
    if footing.days_short:
        months = max(1, int(np.ceil(footing.days_short / DAYS_PER_MONTH)))
        needs.append(
            ngettext(
                "after %(count)d more month of purchases",
                "after %(count)d more months of purchases",
                months,
            )
            % {"count": months}
        )
    surer = _("The advice becomes more reliable %(needs)s.") % {"needs": _(" and ").join(needs)}
    return f"{rests_on} {surer}"
