from django.urls import include, path

from klantvriend.api.urls import api
from klantvriend.web.account_views import language_switch

urlpatterns = [
    path("api/v1/", api.urls),
    # Django's name and address for the language switch, with the project's own view: a
    # signed-in person's choice is stored with them, not in a cookie on the device.
    path("i18n/setlang/", language_switch, name="set_language"),
    path("", include("klantvriend.web.urls")),
]
