"""The Dutch public holidays of a year, for a shop to add to its closed days at once ("Gesloten
dagen"): those on which most shops close. Liberation Day (5 May) is left out, as is Good Friday:
few shops close for them, and a shop that does adds them by hand.

Easter Sunday by the Gregorian computus (the "anonymous Gregorian algorithm" in Meeus,
Astronomical Algorithms, 2nd ed., ch. 8); Ascension Day and Whitsun follow it by 39 and 49 days.
King's Day is 27 April, or the 26th when the 27th is a Sunday (Wet van 2013, Stb. 2013, 49)."""

from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _


def easter_sunday(year: int) -> date:
    """Easter Sunday of `year` in the Gregorian calendar."""
    golden = year % 19
    century, year_of_century = divmod(year, 100)
    leap_centuries, century_rest = divmod(century, 4)
    correction = (century + 8) // 25
    moon = (century - correction + 1) // 3
    epact = (19 * golden + century - leap_centuries - moon + 15) % 30
    leap_years, year_rest = divmod(year_of_century, 4)
    weekday = (32 + 2 * century_rest + 2 * leap_years - epact - year_rest) % 7
    shift = (golden + 11 * epact + 22 * weekday) // 451
    month, day = divmod(epact + weekday - 7 * shift + 114, 31)
    return date(year, month, day + 1)


def dutch_public_holidays(year: int) -> list[tuple[date, date, str]]:
    """(first day, last day, name) of the year's public holidays most shops close on, in order;
    the names lazy, to be said in the shop's language."""
    easter = easter_sunday(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day -= timedelta(days=1)
    whitsun = easter + timedelta(days=49)
    return [
        (date(year, 1, 1), date(year, 1, 1), _("New Year's Day")),
        (easter, easter + timedelta(days=1), _("Easter")),
        (kings_day, kings_day, _("King's Day")),
        (easter + timedelta(days=39), easter + timedelta(days=39), _("Ascension Day")),
        (whitsun, whitsun + timedelta(days=1), _("Whitsun")),
        (date(year, 12, 25), date(year, 12, 26), _("Christmas")),
    ]
