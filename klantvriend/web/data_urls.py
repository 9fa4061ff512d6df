"""URLs of import, export and the privacy pages; added to the web app's urlpatterns in urls.py."""

from django.urls import path

from . import data_views

data_urlpatterns = [
    path("data/import/", data_views.import_start, name="import_start"),
    path("data/import/<str:token>/", data_views.import_preview, name="import_preview"),
    path("data/export/", data_views.data_export, name="data_export"),
]
