"""The demo shop is alive: filled scorecard, advice, charts and customers slipping away."""

from klantvriend.demo.shop import demo_create
from klantvriend.insights.charts import insight_charts
from klantvriend.insights.scorecard import customer_scorecard
from klantvriend.insights.selectors import insight_run_latest, slipping_away


def test_demo_shop_has_insights(db):
    summary = demo_create(customers=400)
    business = summary.business
    run = insight_run_latest(business=business)
    assert run is not None
    assert run.not_enough_data == ""
    assert run.figures["advice"]["verdict"] in {"relationship", "mixed"}
    assert slipping_away(business=business).items
    card = customer_scorecard(business=business)
    measured = {figure.key for figure in card.figures if figure.measured}
    assert measured >= {"promises", "complaint_response", "aftercare", "nps", "repeat_rate"}
    assert len(insight_charts(business=business, run=run)) == 5
