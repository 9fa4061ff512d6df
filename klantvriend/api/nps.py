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


class NpsOut(Out):
    answers: int
    promoters: int
    passives: int
    detractors: int
    score: float | None = Field(..., description="-100 to 100; null without answers.")
    interval_low: float | None = Field(..., description="95% confidence interval (Wald).")
    interval_high: float | None
    standard_error: float | None


class MonthOut(NpsOut):
    month: date


class DriverOut(Out):
    name: str
    average: float | None
    answers: int
    promoter_average: float | None
    detractor_average: float | None
    gap: float | None = Field(..., description="Promoter minus detractor average.")


class NpsReport(Out):
    days: int
    nps: NpsOut
    trend: list[MonthOut]
    drivers: list[DriverOut]
    most_separating_driver: str | None


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


@router.get("/nps", response={200: NpsReport, **ERRORS}, summary="Net Promoter Score and drivers")
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
