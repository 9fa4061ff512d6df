"""Expected days in tests that run on any weekday, and a week of opening hours to test with."""

from datetime import date, time

from klantvriend.core.care_settings import DEFAULTS
from klantvriend.core.working_hours import DayHours, next_working_day


def open_on(day: date) -> date:
    """The day a rule plans for `day` in a shop with the default working days (closed on
    Sunday): the day itself, or the Monday after a Sunday. `next_working_day` itself is tested
    with fixed dates in core/tests/test_care.py."""
    return next_working_day(day, working_days=DEFAULTS.working_days)


# The hair salon of the walk-through, with its own hours for each day: closed on Monday, open
# until 21:00 on Thursday, from 8:30 to 16:00 on Saturday, closed on Sunday.
SALON = (
    None,
    DayHours(time(9), time(18)),
    DayHours(time(9), time(18)),
    DayHours(time(9), time(21)),
    DayHours(time(9), time(18)),
    DayHours(time(8, 30), time(16)),
    None,
)
