from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromisesConfig(AppConfig):
    name = "klantvriend.promises"
    label = "promises"
    verbose_name = _("Promises")

    def ready(self) -> None:
        from klantvriend.core.hooks import BUSINESS_TIME_ZONE_CHANGED, register_hook
        from klantvriend.core.timeline import register_open_item_source, register_timeline_source

        from .selectors import promise_open_items, promise_timeline
        from .services import promises_redate

        register_timeline_source(promise_timeline)
        register_open_item_source(promise_open_items)
        register_hook(BUSINESS_TIME_ZONE_CHANGED, promises_redate)
