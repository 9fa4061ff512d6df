"""Numbers as the reader writes them: with decimals, rounded; counts, grouped in thousands;
shares as percents."""

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


def signed_shown(points: int) -> str:
    """Whole points with their sign, the minus as the typeset minus sign the page's "+" pairs
    with: "+5", "−12", "0". For a change in points and for an NPS, which runs from −100 to
    +100."""
    if points > 0:
        return f"+{points}"
    if points < 0:
        return f"−{abs(points)}"
    return "0"


def counts_shown(counts: Mapping[str, int]) -> dict[str, str]:
    """Each of a sentence's counts as count_shown writes it, for its %(name)s placeholders."""
    return {name: count_shown(count) for name, count in counts.items()}


def share_points(share: float) -> int:
    """A share in whole percentage points, rounded half up as number_rounded rounds (0.005 is 1,
    0.995 is 100): the number share_shown writes, and what a change between two shares is
    counted from."""
    return int(Decimal(repr(float(share))).scaleb(2).quantize(Decimal(1), ROUND_HALF_UP))


def share_shown(share: float | None) -> str:
    """A share as every page writes it: in whole percents ("87%"), except that only all of it
    reads "100%" and only none of it "0%". A share that rounds to 100 but is not all reads
    ">99%" (199 of 200 customers came back), one that rounds to 0 but is not none "<1%" (1 of
    250 promises kept); "—" for no share at all (nothing to count).

    Whole rounding wrote "100%" for 199 of 200 and "0%" for 1 of 250, and a shopkeeper reads
    "all" and "none" there. One decimal near the ends ("99,5%", "0,4%") was tried beside this
    on the charts page and the scorecard (screenshots at 1280 px) and read worse: in a column
    of whole percents it claims a precision its neighbours do not; a cell of the cohort grid
    grows wider than the "100%" it makes room for; beside the scorecard's "+24 points vs. the
    90 days before (76%)" the "99,5%" does not add up, where ">99%" does; and it still needs
    "<0,1%" and ">99,9%" for 1 of 2,000, so it only moves the bound. ">99%" and "<1%" keep one
    precision on the page and say what is known: not all, not none.

    In the reader's notation (number_format); the CSV exports and the API keep exact shares."""
    if share is None:
        return "—"
    points = share_points(share)
    if points >= 100 and share < 1:
        points, bound = 99, ">"
    elif points <= 0 and share > 0:
        points, bound = 1, "<"
    else:
        bound = ""
    return f"{bound}{number_format(points, 0)}%"
