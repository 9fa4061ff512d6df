import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation

from klantvriend.core.numbers import number_rounded


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
