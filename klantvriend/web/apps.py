from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "klantvriend.web"
    label = "web"
