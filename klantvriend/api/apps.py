from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "klantvriend.api"
    label = "api"
