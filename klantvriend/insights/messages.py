"""The honest "not enough data yet" sentence, built when it is shown (in the reader's language)
from the counts stored with the refresh."""

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MIN_CUSTOMERS = 20
MIN_REPEAT_CUSTOMERS = 5
MIN_DAYS_OF_HISTORY = 90
DAYS_PER_MONTH = 30.4375


def not_enough_data(
    *, customers: int, repeat: int, history_days: int, unfittable: bool = False
) -> str:
    """The honest sentence for a business whose data cannot carry a model yet."""
    if customers == 0:
        return _("Not enough data yet: no purchases have been recorded.")
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
        if unfittable:
            return _(
                "Not enough data yet: the purchases do not show a pattern the models can fit; "
                "a few more months of purchases are needed."
            )
        return ""
    return _("Not enough data yet: %(needs)s needed.") % {"needs": _(" and ").join(needs)}
