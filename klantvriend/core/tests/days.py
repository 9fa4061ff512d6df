"""Expected days in tests that run on any weekday."""

from datetime import date

from klantvriend.core.care_settings import DEFAULTS
from klantvriend.core.working_hours import next_working_day


def open_on(day: date) -> date:
    """The day a rule plans for `day` in a shop with the default working days (closed on
    Sunday): the day itself, or the Monday after a Sunday. `next_working_day` itself is tested
    with fixed dates in core/tests/test_care.py."""
    return next_working_day(day, working_days=DEFAULTS.working_days)
