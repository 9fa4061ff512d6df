import pytest
from django.utils import translation

from klantvriend.core.money import (
    AmountError,
    amount_shown,
    cents_for_typing,
    format_cents,
    parse_amount,
    whole_cents,
)


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("12,50", 1250),
        ("12.50", 1250),
        ("€ 12,50", 1250),
        ("12", 1200),
        ("0,5", 50),
        ("1.234,56", 123456),
        ("1,234.56", 123456),
        ("EUR 7", 700),
        ("1.250.000", 125000000),
        ("12,5 ", 1250),
        ("9.999.999.999,99", 999_999_999_999),  # the largest amount taken
        # A round amount as Dutch price tags write it, with a hyphen or a dash for the cents.
        ("35,-", 3500),
        ("€ 35,--", 3500),
        ("1.250,-", 125000),
        ("35.–", 3500),
    ],
)
def test_amounts_as_people_type_them(typed, cents):
    assert parse_amount(typed) == cents


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("-5", "negative"),
        ("twaalf", "invalid"),
        ("", "required"),
        ("1.250", "ambiguous"),
        # As English writes one thousand two hundred and fifty: saved as € 1,25 before.
        ("1,250", "ambiguous"),
        ("12,505", "ambiguous"),
        ("12,5055", "precision"),
        ("12..5", "invalid"),
        (",-", "invalid"),
        ("35-", "invalid"),
        # More than the largest amount, and far more (found by the fuzz test: 1e26).
        ("10.000.000.000", "too_large"),
        ("100000000000000000000000000", "too_large"),
        ("1" + "0" * 100, "too_large"),
    ],
)
def test_amounts_that_are_refused(typed, code):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed)
    assert refused.value.code == code


def test_money_is_written_the_dutch_and_the_english_way():
    assert format_cents(123456, "EUR", language="nl") == "€ 1.234,56"
    assert format_cents(123456, "EUR", language="en") == "€1,234.56"
    assert format_cents(123456, "EUR", language="nl", whole=True) == "€ 1.235"
    assert format_cents(123449, "EUR", language="en", whole=True) == "€1,234"
    assert format_cents(-150, "EUR", language="nl", whole=True) == "-€ 2"
    # A currency without a sign by its code, apart from the figure once (it read "CHF  12,50").
    assert format_cents(1250, "CHF", language="nl") == "CHF 12,50"
    assert format_cents(1250, "CHF", language="en") == "CHF 12.50"


def test_a_page_writes_the_same_amount_with_a_space_no_line_breaks_at():
    """format_cents, which exports could use, keeps its ordinary space; the pages' amount_shown
    differs from it in that space alone."""
    with translation.override("nl"):
        assert amount_shown(123456) == "€\u00a01.234,56"
        assert amount_shown(123456, "CHF", whole=True) == "CHF\u00a01.235"
    with translation.override("en"):
        assert amount_shown(123456) == "€1,234.56"


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [
        ("en", "twelve", "Enter the amount as a number, such as 12.50."),
        ("nl", "twaalf", "Vul het bedrag in als getal, zoals 12,50."),
        (
            "en",
            "1.250",
            "Is 1.250 meant with a thousands separator or with decimals? Write it as 1250 or 1.25.",
        ),
        (
            "nl",
            "1.250",
            "Is 1.250 bedoeld met een scheidingsteken voor duizendtallen of met decimalen? "
            "Schrijf 1250 of 1,25.",
        ),
    ],
)
def test_the_examples_in_a_refusal_are_written_as_the_reader_writes_amounts(
    language, typed, message
):
    # Both spellings are read (see above); the example follows the language of the page,
    # which writes amounts as €3.50 in English and € 3,50 in Dutch.
    with translation.override(language), pytest.raises(AmountError) as refused:
        parse_amount(typed)

    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("cents", "whole"), [(1234.5, 1234), (1235.5, 1236), (0.5, 0), (98765.4321, 98765), (7, 7)]
)
def test_fractional_cents_are_rounded_half_to_even(cents, whole):
    assert whole_cents(cents) == whole
    assert isinstance(whole_cents(cents), int)


@pytest.mark.parametrize("cents", [0, 5, 1250, 123450, 10**11])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_amount_put_in_a_form_reads_back_as_the_same_amount(cents, language):
    assert parse_amount(cents_for_typing(cents, language=language)) == cents


def test_an_amount_put_in_a_form_has_the_readers_decimal_mark():
    assert cents_for_typing(123450, language="nl") == "1234,50"
    assert cents_for_typing(123450, language="en") == "1234.50"
