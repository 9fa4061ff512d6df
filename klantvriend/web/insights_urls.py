"""URLs of the insight pages; added to the web app's urlpatterns in urls.py."""

from django.urls import path

from . import insights_views

insights_urlpatterns = [
    path("insights/advice/", insights_views.insights_advice, name="insights_advice"),
    path("insights/recompute/", insights_views.insights_recompute, name="insights_recompute"),
    path("insights/advice/margin/", insights_views.insights_margin, name="insights_margin"),
    path("insights/advice/why/", insights_views.insights_advice_why, name="insights_advice_why"),
    path("insights/scorecard/", insights_views.insights_scorecard, name="insights_scorecard"),
    path(
        "insights/scorecard/rows/",
        insights_views.insights_scorecard_rows,
        name="insights_scorecard_rows",
    ),
    path("insights/charts/", insights_views.insights_charts, name="insights_charts"),
    path("insights/gestures/", insights_views.insights_gestures, name="insights_gestures"),
    path(
        "customers/<int:customer_id>/slipping-away/call/",
        insights_views.slipping_away_plan_call,
        name="slipping_away_plan_call",
    ),
    path(
        "customers/<int:customer_id>/win-back/call/",
        insights_views.win_back_plan_call,
        name="win_back_plan_call",
    ),
]
