"""URLs of surveys, referrals and the acquisition report; added to the web app's urlpatterns in
urls.py. The public answer page and the e-mails' opt-out carry the invitation's secret as
`key`, which the tenant-isolation matrix knows to be a secret rather than an id."""

from django.urls import path

from . import referral_views, survey_views

survey_urlpatterns = [
    path("s/<str:key>/", survey_views.survey_answer, name="survey_answer"),
    path("s/<str:key>/stop/", survey_views.email_stop, name="email_stop"),
    path("surveys/", survey_views.survey_results, name="survey_results"),
    path(
        "surveys/invitations/", survey_views.survey_invitation_list, name="survey_invitation_list"
    ),
    path("surveys/settings/", survey_views.survey_settings, name="survey_settings"),
    path("surveys/round/", survey_views.survey_round, name="survey_round"),
    path(
        "customers/<int:customer_id>/survey-invitations/",
        survey_views.survey_invite,
        name="survey_invite",
    ),
    path(
        "survey-invitations/<int:survey_invitation_id>/qr/",
        survey_views.survey_qr,
        name="survey_qr",
    ),
    path(
        "survey-invitations/<int:survey_invitation_id>/new-code/",
        survey_views.survey_invitation_new_code,
        name="survey_invitation_new_code",
    ),
    path("ambassadors/", referral_views.ambassadors, name="ambassadors"),
    path("reports/acquisition/", referral_views.acquisition, name="acquisition"),
    path("customers/referrer-search/", referral_views.referrer_search, name="referrer_search"),
    path("customers/referrer-pick/", referral_views.referrer_pick, name="referrer_pick"),
    path(
        "customers/<int:customer_id>/referrals/", referral_views.referral_add, name="referral_add"
    ),
]
