"""URLs of import, export and the privacy pages; added to the web app's urlpatterns in urls.py."""

from django.urls import path

from . import (
    data_views,
    duplicate_views,
    import_history_views,
    merge_views,
    privacy_request_views,
    privacy_views,
)

data_urlpatterns = [
    path("data/import/", data_views.import_start, name="import_start"),
    path("data/import/<str:token>/", data_views.import_preview, name="import_preview"),
    path("data/imports/", import_history_views.import_history_view, name="import_history"),
    path(
        "data/imports/<int:import_record_id>/",
        import_history_views.import_record_view,
        name="import_record",
    ),
    path(
        "data/imports/<int:import_record_id>/errors.csv",
        import_history_views.import_errors_download,
        name="import_errors_download",
    ),
    path("data/export/", data_views.data_export, name="data_export"),
    path(
        "customers/<int:customer_id>/personal-data/",
        privacy_views.customer_personal_data_view,
        name="customer_personal_data",
    ),
    path(
        "customers/<int:customer_id>/erase/",
        privacy_views.customer_erase_view,
        name="customer_erase",
    ),
    path(
        "customers/duplicates/",
        duplicate_views.customer_duplicates_view,
        name="customer_duplicates",
    ),
    path(
        "customers/duplicates/apart/",
        duplicate_views.distinct_pair_list_view,
        name="distinct_pairs",
    ),
    path(
        "customers/duplicates/apart/<int:distinct_pair_id>/undo/",
        duplicate_views.distinct_pair_undo_view,
        name="distinct_pair_undo",
    ),
    path(
        "customers/<int:customer_id>/not-same/<int:other_customer_id>/",
        duplicate_views.customer_not_same_view,
        name="customer_not_same",
    ),
    path(
        "customers/<int:customer_id>/merge/",
        merge_views.customer_merge_view,
        name="customer_merge",
    ),
    path("privacy/audit/", privacy_views.audit_log, name="audit_log"),
    path("privacy/audit/print/", privacy_views.audit_log_print, name="audit_log_print"),
    path("privacy/requests/", privacy_views.privacy_requests, name="privacy_requests"),
    path(
        "privacy/requests/<int:privacy_request_id>/handled/",
        privacy_request_views.privacy_request_handle_view,
        name="privacy_request_handle",
    ),
    path(
        "customers/<int:customer_id>/privacy-request/",
        privacy_request_views.privacy_request_create,
        name="privacy_request_create",
    ),
    path("privacy/settings/", privacy_views.privacy_settings_view, name="privacy_settings"),
    path("privacy/register/", privacy_views.processing_register, name="processing_register"),
    path("members/", privacy_views.members, name="members"),
    path(
        "members/<int:membership_id>/remove/",
        privacy_views.member_remove_view,
        name="member_remove",
    ),
    path(
        "members/tokens/<int:token_id>/revoke/",
        privacy_views.token_revoke_view,
        name="token_revoke",
    ),
]
