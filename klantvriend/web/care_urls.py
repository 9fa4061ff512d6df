"""URLs of the Today page, promises, complaints, follow-ups, gestures, care settings and the
shop's tags; added to the web app's urlpatterns in urls.py."""

from django.urls import path

from . import (
    care_settings_views,
    complaint_views,
    follow_up_views,
    gesture_views,
    promise_views,
    tag_views,
    today_views,
)

care_urlpatterns = [
    path("customers/<int:customer_id>/promises/", promise_views.promise_add, name="promise_add"),
    path("promises/", promise_views.promise_list, name="promise_list"),
    path("promises/advice/", promise_views.promise_advice, name="promise_advice"),
    path("promises/reliability/", promise_views.promise_reliability, name="promise_reliability"),
    path("promises/<int:promise_id>/edit/", promise_views.promise_edit, name="promise_edit"),
    path("promises/<int:promise_id>/kept/", promise_views.promise_keep, name="promise_keep"),
    path("promises/<int:promise_id>/reopen/", promise_views.promise_reopen, name="promise_reopen"),
    path(
        "promises/<int:promise_id>/kept-on-time/",
        promise_views.promise_kept_on_time,
        name="promise_kept_on_time",
    ),
    path("promises/<int:promise_id>/cancel/", promise_views.promise_cancel, name="promise_cancel"),
    path(
        "customers/<int:customer_id>/complaints/",
        complaint_views.complaint_add,
        name="complaint_add",
    ),
    path("complaints/", complaint_views.complaint_list, name="complaint_list"),
    path(
        "complaints/<int:complaint_id>/edit/",
        complaint_views.complaint_edit,
        name="complaint_edit",
    ),
    path(
        "complaints/<int:complaint_id>/delete/",
        complaint_views.complaint_delete,
        name="complaint_delete",
    ),
    path(
        "complaints/<int:complaint_id>/respond/",
        complaint_views.complaint_respond,
        name="complaint_respond",
    ),
    path(
        "complaints/<int:complaint_id>/respond/undo/",
        complaint_views.complaint_respond_undo,
        name="complaint_respond_undo",
    ),
    path(
        "complaints/<int:complaint_id>/resolve/",
        complaint_views.complaint_resolve,
        name="complaint_resolve",
    ),
    path("aftercare/", follow_up_views.aftercare_list, name="aftercare_list"),
    path(
        "customers/<int:customer_id>/follow-ups/",
        follow_up_views.follow_up_add,
        name="follow_up_add",
    ),
    path(
        "follow-ups/<int:follow_up_id>/edit/",
        follow_up_views.follow_up_edit,
        name="follow_up_edit",
    ),
    path(
        "follow-ups/<int:follow_up_id>/outcome/",
        follow_up_views.follow_up_outcome,
        name="follow_up_outcome",
    ),
    path(
        "follow-ups/<int:follow_up_id>/outcome/undo/",
        follow_up_views.follow_up_outcome_undo,
        name="follow_up_outcome_undo",
    ),
    path("customers/<int:customer_id>/gestures/", gesture_views.gesture_add, name="gesture_add"),
    path("gestures/<int:gesture_id>/undo/", gesture_views.gesture_undo, name="gesture_undo"),
    path("gestures/<int:gesture_id>/", gesture_views.gesture_edit, name="gesture_edit"),
    path(
        "customers/<int:customer_id>/congratulate/",
        gesture_views.occasion_congratulate,
        name="occasion_congratulate",
    ),
    path("coming-up/", today_views.coming_up_list, name="coming_up"),
    path(
        "important-dates/<int:important_date_id>/called/",
        today_views.coming_date_called,
        name="important_date_called",
    ),
    path(
        "important-dates/<int:important_date_id>/called/undo/",
        today_views.coming_date_called_undo,
        name="important_date_called_undo",
    ),
    path("getting-started/hide/", today_views.getting_started_hide, name="getting_started_hide"),
    path("today/whose/", today_views.today_whose, name="today_whose"),
    path("settings/", care_settings_views.care_settings_edit, name="care_settings"),
    path("settings/closed-days/", care_settings_views.closed_days, name="closed_days"),
    path("settings/tags/", tag_views.tag_list_view, name="tags"),
    path("settings/tags/<int:tag_id>/rename/", tag_views.tag_rename_view, name="tag_rename"),
    path(
        "settings/tags/<int:tag_id>/merge-spellings/",
        tag_views.tag_merge_spellings_view,
        name="tag_merge_spellings",
    ),
    path("settings/tags/<int:tag_id>/remove/", tag_views.tag_delete_view, name="tag_delete"),
    path("calendar/", care_settings_views.calendar_link, name="calendar_link"),
    path("calendar/<str:key>.ics", care_settings_views.calendar_feed, name="calendar_feed"),
]
today_view = today_views.today
