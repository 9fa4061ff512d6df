"""The gestures page's one comparison: complaints made up with a gesture against complaints
resolved without one, each side's buying after against its own buying before."""

import pytest

from klantvriend.insights.effects import recovery_comparison


def _row(count, before, after, occasion=None):
    row = {
        "gestures": count,
        "bought_before": before,
        "bought_after": after,
        "spend_before_cents": 0,
        "spend_after_cents": 0,
    }
    return {**row, "occasion": occasion} if occasion else row


def _effects(made_up, without, *others):
    occasions = [*others]
    if made_up is not None:
        occasions.append(_row(*made_up, occasion="complaint_recovery"))
    return {
        "occasions": occasions,
        "complaints_without_gesture": _row(*without) if without is not None else None,
    }


@pytest.mark.parametrize(
    ("made_up", "without", "sign", "difference"),
    [
        # The demo shop: held at 54% after a gesture, fell from 30% to 10% without one.
        ((26, 0.5385, 0.5385), (10, 0.3, 0.1), "helps", 0.2),
        # Exactly ten points either way is a sign; nine and a half is not.
        ((10, 0.5, 0.6), (10, 0.5, 0.5), "helps", 0.1),
        ((10, 0.5, 0.4), (10, 0.5, 0.5), "no_help", -0.1),
        ((10, 0.5, 0.595), (10, 0.5, 0.5), "no_difference", 0.095),
        # Gestures go to better customers: a higher share after is no sign when it was as
        # much higher before.
        ((12, 0.8, 0.8), (12, 0.3, 0.3), "no_difference", 0.0),
        # Nine on either side are too few, whatever the figures.
        ((9, 0.1, 0.9), (30, 0.5, 0.1), "too_few", 1.2),
        ((30, 0.1, 0.9), (9, 0.5, 0.1), "too_few", 1.2),
    ],
)
def test_each_side_is_held_against_its_own_quarter_before(made_up, without, sign, difference):
    comparison = recovery_comparison(_effects(made_up, without))

    assert comparison.sign == sign
    assert comparison.difference == pytest.approx(difference)
    assert comparison.with_gesture["gestures"] == made_up[0]
    assert comparison.without_gesture["gestures"] == without[0]


def test_nothing_is_compared_without_both_sides():
    birthday = _row(40, 0.5, 0.9, occasion="birthday")

    assert recovery_comparison(None) is None
    assert recovery_comparison(_effects(None, (20, 0.3, 0.1), birthday)) is None
    assert recovery_comparison(_effects((20, 0.3, 0.1), None, birthday)) is None
