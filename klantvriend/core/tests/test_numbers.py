import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation

from klantvriend.core.numbers import (
    count_shown,
    counts_shown,
    number_rounded,
    share_points,
    share_shown,
    signed_shown,
)


@pytest.mark.parametrize(
    ("value", "places", "nl", "en"),
    [
        # Django's number_format cut these off: "2,9", "0,0", "1,4", "2"
        (2.96, 1, "3,0", "3.0"),
        (0.06, 1, "0,1", "0.1"),
        (1.45, 1, "1,5", "1.5"),
        (2.96, 0, "3", "3"),
        (106.94, 1, "106,9", "106.9"),
        (0.0004, 1, "0,0", "0.0"),
        (3.0, 0, "3", "3"),
    ],
)
def test_a_number_is_rounded_half_up_in_the_readers_notation(value, places, nl, en):
    with translation.override("nl"):
        assert number_rounded(value, places) == nl
        # As floatformat rounds the same figure elsewhere on a page
        assert floatformat(value, places) == nl
    with translation.override("en"):
        assert number_rounded(value, places) == en


@pytest.mark.parametrize(
    ("count", "nl", "en"),
    [
        (0, "0", "0"),
        (999, "999", "999"),
        (1000, "1.000", "1,000"),
        (36427, "36.427", "36,427"),
        (1000000, "1.000.000", "1,000,000"),
        (-1500, "-1.500", "-1,500"),
    ],
)
def test_a_count_is_grouped_in_thousands_in_the_readers_notation(count, nl, en):
    with translation.override("nl"):
        assert count_shown(count) == nl
    with translation.override("en"):
        assert count_shown(count) == en


def test_the_counts_of_a_sentence_are_each_grouped():
    with translation.override("nl"):
        assert counts_shown({"returning": 33154, "buyers": 36427, "new": 12}) == {
            "returning": "33.154",
            "buyers": "36.427",
            "new": "12",
        }


@pytest.mark.parametrize(
    ("share", "shown"),
    [
        (0, "0%"),
        (0.004, "<1%"),  # 1 of 250: whole rounding wrote "0%", none
        (0.005, "1%"),  # half up, as number_rounded; rounding half to even wrote "0%"
        (0.5, "50%"),
        (0.994, "99%"),
        (0.995, ">99%"),  # 199 of 200: whole rounding wrote "100%", all
        (0.999, ">99%"),
        (1, "100%"),
        (None, "—"),
    ],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_share_reads_100_percent_only_when_it_is_all_and_0_percent_only_when_none(
    language, share, shown
):
    with translation.override(language):
        assert share_shown(share) == shown


@pytest.mark.parametrize(
    ("share", "points"),
    [(0, 0), (0.004, 0), (0.005, 1), (0.625, 63), (0.375, 38), (0.994, 99), (0.995, 100), (1, 100)],
)
def test_a_share_in_points_is_the_whole_percent_it_rounds_to_half_up(share, points):
    assert share_points(share) == points


@pytest.mark.parametrize(
    ("points", "shown"), [(5, "+5"), (1, "+1"), (0, "0"), (-1, "−1"), (-100, "−100")]
)
def test_points_are_signed_with_the_typeset_minus(points, shown):
    # "−" is U+2212, the minus that pairs with "+" in width; a hyphen "-25" stood beside "+50".
    assert signed_shown(points) == shown
    assert shown[0] != "-"
