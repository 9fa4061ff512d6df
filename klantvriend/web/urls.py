from django.contrib.auth.views import LogoutView
from django.urls import path

from . import account_views, search_views, views
from .care_urls import care_urlpatterns, today_view
from .data_urls import data_urlpatterns
from .insights_urls import insights_urlpatterns
from .survey_urls import survey_urlpatterns

app_name = "web"
urlpatterns = [
    path("", today_view, name="today"),
    path("health/", views.health, name="health"),
    path("login/", views.KlantvriendLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("account/", account_views.account, name="account"),
    path("password/forgotten/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/sent/",
        account_views.PasswordResetSentView.as_view(),
        name="password_reset_sent",
    ),
    path(
        "password/new/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/done/",
        account_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "members/<int:membership_id>/password/",
        account_views.member_password,
        name="member_password",
    ),
    path("business/switch/", views.switch_business, name="switch_business"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/search/", search_views.customer_live_search, name="customer_live_search"),
    path("customers/download/", views.customer_list_download, name="customer_list_download"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/quick-add/", views.customer_quick_add, name="customer_quick_add"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:customer_id>/visits/", views.customer_visits, name="customer_visits"),
    path("customers/<int:customer_id>/edit/", views.customer_edit, name="customer_edit"),
    path("customers/<int:customer_id>/delete/", views.customer_delete, name="customer_delete"),
    path("customers/<int:customer_id>/purchases/", views.purchase_add, name="purchase_add"),
    path(
        "customers/<int:customer_id>/purchases/<int:purchase_id>/",
        views.purchase_edit,
        name="purchase_edit",
    ),
    path(
        "customers/<int:customer_id>/purchases/<int:purchase_id>/delete/",
        views.purchase_delete,
        name="purchase_delete",
    ),
    path(
        "customers/<int:customer_id>/contact-moments/<int:contact_moment_id>/",
        views.contact_moment_edit,
        name="contact_moment_edit",
    ),
    path(
        "customers/<int:customer_id>/contact-moments/<int:contact_moment_id>/delete/",
        views.contact_moment_delete,
        name="contact_moment_delete",
    ),
    path(
        "customers/<int:customer_id>/important-dates/",
        views.important_date_add,
        name="important_date_add",
    ),
    path(
        "customers/<int:customer_id>/important-dates/<int:important_date_id>/delete/",
        views.important_date_delete,
        name="important_date_delete",
    ),
    path(
        "customers/<int:customer_id>/contact-moments/",
        views.contact_moment_add,
        name="contact_moment_add",
    ),
]
urlpatterns += care_urlpatterns
urlpatterns += data_urlpatterns
urlpatterns += survey_urlpatterns
urlpatterns += insights_urlpatterns
