"""Quintile scores from kept borders: the same score as ranking the customer among the others."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata

from klantvriend.insights.segments import quintile_cuts, quintile_score


def ranked_score(values: np.ndarray) -> np.ndarray:
    """The rule in words: 1 + min(4, floor(5 * below / n)), `below` the values strictly below."""
    below = rankdata(values, method="min") - 1
    return 1 + np.minimum(4, (5 * below // len(values)).astype(np.int64))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-5, 40), min_size=1, max_size=60))
def test_scores_from_the_borders_are_the_quintiles_with_ties_sharing_the_lower(values):
    values = np.array(values, dtype=np.float64)

    scores = quintile_score(values, quintile_cuts(values))

    assert scores.tolist() == ranked_score(values).tolist()


def test_a_customer_scored_later_is_placed_among_the_others_as_they_were():
    # Given ten customers with 1 … 10 purchase days (borders 2, 4, 6, 8)
    cuts = quintile_cuts(np.arange(1, 11, dtype=np.float64))
    assert cuts.tolist() == [2.0, 4.0, 6.0, 8.0]
    # Then a customer with 2 days scores as the one with 2 did, 3 days as the one with 3 did,
    # and 50 days as the best
    assert quintile_score(np.array([2.0, 3.0, 50.0, 0.0]), cuts).tolist() == [1, 2, 5, 1]
