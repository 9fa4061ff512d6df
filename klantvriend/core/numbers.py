"""Numbers with decimals as the reader writes them, rounded."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format


def number_rounded(value: float, places: int) -> str:
    """`value` rounded half up to `places` decimals, in the reader's notation ("2,96" with one
    decimal is "3,0" in Dutch, "3.0" in English).

    Django's number_format cuts a float's decimals off instead (2.96 gave "2,9", and "3,6" for a
    driver's 3.66 that the same page rounded to "3,7" with floatformat); rounded as floatformat
    rounds, from the float's shortest decimal form, so that the two agree."""
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return number_format(rounded, places)
