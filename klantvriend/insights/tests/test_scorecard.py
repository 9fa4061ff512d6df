"""The scorecard's next action about the satisfaction drivers names the driver the survey results
page names, so the two pages give one piece of advice."""

from django.utils import translation

from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.insights.scorecard import customer_scorecard
from klantvriend.surveys.selectors import survey_results
from klantvriend.surveys.tests.factories import SurveyResponseFactory


def test_the_scorecard_and_the_survey_results_advise_the_same_driver(business):
    customer = CustomerFactory(business=business)
    # Flexibility scores lowest, but reliability is what separates detractors from promoters.
    for nps, reliability in [(10, 5), (9, 5), (10, 5), (2, 1), (3, 1)]:
        SurveyResponseFactory(
            customer=customer,
            nps=nps,
            reliability=reliability,
            flexibility=2,
            certainty=4,
            customisation=4,
            complaint_handling=4,
        )

    with translation.override("en"):
        card = customer_scorecard(business=business)
    results = survey_results(business=business)

    drivers = next(figure for figure in card.figures if figure.key == "drivers")
    assert card.weakest.key == "drivers"
    assert drivers.light_label == "ver onder het doel"  # what the red light says, read aloud
    assert drivers.detail == "flexibility; answers of the last 12 months"
    assert results.separating.name == "reliability"
    assert card.next_action == (
        "Work first on reliability: it separates the detractors from the promoters most "
        "(see the survey results), more than flexibility, which scores lowest."
    )
