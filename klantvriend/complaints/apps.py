from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "klantvriend.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from klantvriend.core.hooks import (
            BUSINESS_TIME_ZONE_CHANGED,
            CARE_SETTINGS_CHANGED,
            register_hook,
        )
        from klantvriend.core.timeline import register_open_item_source, register_timeline_source

        from .selectors import complaint_open_items, complaint_timeline
        from .services import (
            complaint_deadlines_after_settings,
            complaint_deadlines_after_time_zone,
        )

        register_timeline_source(complaint_timeline)
        register_open_item_source(complaint_open_items)
        register_hook(CARE_SETTINGS_CHANGED, complaint_deadlines_after_settings)
        register_hook(BUSINESS_TIME_ZONE_CHANGED, complaint_deadlines_after_time_zone)
