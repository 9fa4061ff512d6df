"""/insights/nps: the Net Promoter Score with its 95% confidence interval, the monthly trend and
the five drivers. Registered under /insights beside the other insight routes; the method is
documented in klantvriend/surveys/selectors.py."""

from datetime import date
from typing import Annotated

from django.http import HttpRequest
from ninja import Router
from pydantic import Field

from klantvriend.surveys.selectors import survey_results

from .common import ERRORS, Out, business_of

router = Router(tags=["insights"])


DRIVER_SCORE_SAID = "on the scale of 1 to 5"
INTERVAL_SAID = "95% confidence interval (Wald), within -100 and 100; null below two answers"


class NpsOut(Out):
    answers: int = Field(..., description="How many survey answers it counts.")
    promoters: int = Field(..., description="Answers of 9 or 10 to the recommendation question.")
    passives: int = Field(..., description="Answers of 7 or 8.")
    detractors: int = Field(..., description="Answers of 0 to 6.")
    score: float | None = Field(..., description="-100 to 100; null without answers.")
    interval_low: float | None = Field(..., description=f"Lower end of the {INTERVAL_SAID}.")
    interval_high: float | None = Field(..., description=f"Upper end of the {INTERVAL_SAID}.")
    standard_error: float | None = Field(
        ..., description="Standard error of the score, in points; null below two answers."
    )


class MonthOut(NpsOut):
    month: date = Field(
        ...,
        description="The first day of the calendar month (in the business's time zone) the "
        "answers were given in.",
    )


class DriverOut(Out):
    name: str = Field(
        ...,
        description="certainty, flexibility, reliability, customisation or complaint_handling.",
    )
    average: float | None = Field(
        ..., description=f"The mean score {DRIVER_SCORE_SAID}; null without answers."
    )
    answers: int = Field(..., description="How many answers scored this driver.")
    promoter_average: float | None = Field(
        ..., description=f"The promoters' mean score {DRIVER_SCORE_SAID}; null without any."
    )
    detractor_average: float | None = Field(
        ..., description=f"The detractors' mean score {DRIVER_SCORE_SAID}; null without any."
    )
    gap: float | None = Field(..., description="Promoter minus detractor average.")


class NpsReport(Out):
    days: int = Field(
        ..., description="The period asked for: the answers of the last this many days."
    )
    nps: NpsOut = Field(..., description="The score of the answers of the period.")
    trend: list[MonthOut] = Field(
        ..., description="The score per calendar month, the last 12 months up to this one."
    )
    drivers: list[DriverOut] = Field(
        ..., description="The five drivers, as scored in the answers of the period."
    )
    most_separating_driver: str | None = Field(
        ...,
        description="The driver with the largest gap among those with at least 30 answers: "
        "what most sets promoters apart from detractors; null when none has one.",
    )


def _nps(summary) -> dict:
    interval = summary.interval
    return {
        "answers": summary.answers,
        "promoters": summary.promoters,
        "passives": summary.passives,
        "detractors": summary.detractors,
        "score": summary.score,
        "interval_low": interval[0] if interval else None,
        "interval_high": interval[1] if interval else None,
        "standard_error": summary.standard_error,
    }


@router.get(
    "/nps",
    response={200: NpsReport, **ERRORS},
    summary="Net Promoter Score and drivers",
    description="The Net Promoter Score of the survey answers of the last `days` days (1 to "
    "3650, default 365) with its 95% interval, the score per month of the last twelve, and "
    "the five drivers' scores, as the survey results page shows them. Read only.",
)
def nps(request: HttpRequest, days: Annotated[int, Field(ge=1, le=3650)] = 365):
    results = survey_results(business=business_of(request), days=days, comments=0)
    return {
        "days": days,
        "nps": _nps(results.summary),
        "trend": [{"month": month.month, **_nps(month.summary)} for month in results.trend],
        "drivers": [
            {
                "name": driver.name,
                "average": driver.average,
                "answers": driver.answers,
                "promoter_average": driver.promoter_average,
                "detractor_average": driver.detractor_average,
                "gap": driver.gap,
            }
            for driver in results.drivers
        ],
        "most_separating_driver": results.advice.separating.name
        if results.advice.separating
        else None,
    }
