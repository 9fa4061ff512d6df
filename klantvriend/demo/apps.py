from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "klantvriend.demo"
    label = "demo"
