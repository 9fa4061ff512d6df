"""Numbers as the reader writes them: with decimals, rounded; counts, grouped in thousands."""

from collections.abc import Mapping
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


def count_shown(count: int) -> str:
    """A count as the pages write it, grouped in thousands in the reader's notation as amounts
    are: "36.427" in Dutch, "36,427" in English; "999" stays "999".

    For counts in text only. Django's thousands separator is not switched on for the whole site
    (USE_THOUSAND_SEPARATOR) because templates also put ids and page numbers into addresses and
    attributes, where "/customers/1.234/" would break; the CSV exports, the API's figures and
    the e-mail's plain text keep their plain numbers."""
    return number_format(int(count), 0, force_grouping=True)


def counts_shown(counts: Mapping[str, int]) -> dict[str, str]:
    """Each of a sentence's counts as count_shown writes it, for its %(name)s placeholders."""
    return {name: count_shown(count) for name, count in counts.items()}
