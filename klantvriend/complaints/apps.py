from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "klantvriend.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from klantvriend.core.timeline import register_open_item_source, register_timeline_source

        from .selectors import complaint_open_items, complaint_timeline

        register_timeline_source(complaint_timeline)
        register_open_item_source(complaint_open_items)
