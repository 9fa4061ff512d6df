"""Quintile scores from kept borders: the same score as ranking the customer among the others."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata

from klantvriend.insights.segments import quintile_cuts, quintile_score, rfm_cuts, rfm_segments


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


def test_one_purchase_day_is_never_loyal_however_much_was_spent():
    # Given ten customers past their first 90 days: five who came back often, and five who
    # bought once, among them the largest spend of all (a buffet)
    purchase_days = np.array([9, 8, 7, 6, 5, 1, 1, 1, 1, 1])
    spend = np.array([900, 800, 700, 600, 500, 38500, 38500, 2000, 100, 100])
    days_since_last = np.array([3, 4, 5, 6, 7, 2, 150, 8, 160, 400])
    arrays = {
        "days_since_last": days_since_last,
        "purchase_days": purchase_days,
        "spend": spend,
    }

    usual = np.array([50.0, 55.0, 60.0, 75.0, 95.0, *[np.nan] * 5])

    segments = rfm_segments(
        **arrays,
        days_as_customer=np.full(10, 400),
        usual_interval_days=usual,
        cuts=rfm_cuts(**arrays),
    )

    # Then those who bought once score FM 3 on a large spend (frequency 1, spend 4 or 5), which
    # made the recent buffet guest "loyal" and the two others "at risk" ("used to buy often"):
    # they count at most FM 2, so needs attention when recent, else hibernating; the small
    # spenders are lost, and those who came back keep the segments their scores give.
    assert segments.tolist() == [
        "champion",
        "champion",
        "champion",
        "regular",
        "regular",
        "needs_attention",
        "hibernating",
        "hibernating",
        "lost",
        "lost",
    ]


def test_recency_is_no_mere_rank_past_their_rhythm_or_a_year():
    # Given a small shop without a model whose customers mostly came long ago: by rank alone
    # the first two are its most recent, though one "bought 2 times, last 536 days ago, usually
    # every 131 days" and the other bought once, 628 days ago; the third came back every 20
    # days and stays away 120; the fourth is in her rhythm, the rest came longer ago still
    days_since_last = np.array([536, 628, 120, 60, 700, 800, 900, 1000, 1100, 1200])
    purchase_days = np.array([2, 1, 4, 4, 1, 1, 1, 1, 1, 1])
    spend = np.array([80000, 6000, 90000, 85000, 3000, 2000, 1000, 1000, 1000, 1000])
    usual = np.array([131.0, np.nan, 20.0, 45.0, *[np.nan] * 6])
    arrays = {"days_since_last": days_since_last, "purchase_days": purchase_days, "spend": spend}

    segments = rfm_segments(
        **arrays,
        days_as_customer=np.full(10, 1300),
        usual_interval_days=usual,
        cuts=rfm_cuts(**arrays),
    )

    # Then neither is called recent, nor the one past her rhythm, nor those of years ago: by
    # rank they were a "champion: came recently", "needs attention: came recently", a
    # "champion" and "needs attention" again; the one in her rhythm still is a champion
    assert segments.tolist() == [
        "at_risk",
        "hibernating",
        "cant_lose",
        "champion",
        "hibernating",
        "hibernating",
        "hibernating",
        "hibernating",
        "lost",
        "lost",
    ]


def test_a_customer_not_yet_due_by_their_rhythm_is_never_not_lately():
    # Given a salon whose eight customers all came within three weeks: Jeroen, fifth by
    # recency, came 8 days ago and comes every 21 days; Eva came 21 days ago, every 28 days;
    # Sophie 12 days ago, every 43 days; the rest bought once or twice
    days_since_last = np.array([0, 2, 4, 6, 8, 11, 12, 21])
    purchase_days = np.array([3, 1, 1, 1, 2, 1, 2, 2])
    spend = np.array([21650, 1950, 12000, 8500, 5600, 4250, 19450, 11050])
    usual = np.array([39.0, np.nan, np.nan, np.nan, 21.0, np.nan, 43.0, 28.0])
    arrays = {"days_since_last": days_since_last, "purchase_days": purchase_days, "spend": spend}

    segments = rfm_segments(
        **arrays,
        days_as_customer=np.full(8, 1000),
        usual_interval_days=usual,
        cuts=rfm_cuts(**arrays),
    )

    # Then Jeroen, Sophie and Eva come back regularly: by rank alone (R 2) all three were "at
    # risk: used to buy often, but not lately"; who bought once keeps the rank's segment
    assert segments.tolist() == [
        "champion",
        "needs_attention",
        "needs_attention",
        "needs_attention",
        "regular",
        "hibernating",
        "regular",
        "regular",
    ]


def test_with_a_model_lost_is_who_has_probably_left():
    # Given an accountant's office whose clients mostly came within two months, with a fitted
    # model: Linda had two invoices 23 days apart and stays away 247 days (the model: 88%
    # alive); Thijs had five and stays away 596 (21%); Tom bought once, 602 days ago (the
    # model says 100% after one purchase day, as BG/NBD always does); the rest came lately
    days_since_last = np.array([247, 596, 602, 40, 45, 47, 50, 52, 30, 20, 41, 42, 43, 44, 46])
    purchase_days = np.array([2, 5, 1, *range(10, 22)])
    spend = np.array([2000, 3000, 1000, *range(60000, 120000, 5000)])
    usual = np.array([23.0, 46.75, np.nan, *[63.0] * 12])
    alive = np.array([0.882, 0.212, 1.0, *[0.99] * 12])
    arrays = {"days_since_last": days_since_last, "purchase_days": purchase_days, "spend": spend}

    def segments(probability_alive):
        return rfm_segments(
            **arrays,
            days_as_customer=np.full(15, 1000),
            usual_interval_days=usual,
            cuts=rfm_cuts(**arrays),
            probability_alive=probability_alive,
        ).tolist()[:3]

    # Then Linda, whom the model gives 88%, hibernates ("bought less often or for less than
    # most of your customers, and not lately"), where by the rank alone she was "lost" beside
    # it; Thijs, at 21%, and the one-off Tom are lost
    assert segments(alive) == ["hibernating", "lost", "lost"]
    # And without a model the rank alone decides, as before
    assert segments(None) == ["lost", "lost", "lost"]
