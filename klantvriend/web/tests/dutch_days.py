"""A day as the Dutch pages write it with its weekday ("za 5 dec"), spelled out in the tests
rather than by the filter they test."""

WEEKDAYS = ["ma", "di", "wo", "do", "vr", "za", "zo"]
MONTHS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def dutch_weekday(day, space: str = " ") -> str:
    """ "za 5 dec"; `space` "\u00a0" where the page keeps the day on one line."""
    return space.join([WEEKDAYS[day.weekday()], str(day.day), MONTHS[day.month - 1]])
