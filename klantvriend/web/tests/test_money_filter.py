from django.utils import translation

from klantvriend.web.templatetags.klantvriend import money


def test_the_pages_round_fractional_cents_rather_than_cut_them_off():
    """The advice page's mean values are fractional cents; 1235.5 showed as € 12,35 (cut off),
    where the API gives 1236 (core.money.whole_cents)."""
    with translation.override("nl"):
        assert money(1235.5) == "€ 12,36"
        assert money(1234.99) == "€ 12,35"
        assert money(1250) == "€ 12,50"
        assert money(None) == ""
