from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GesturesConfig(AppConfig):
    name = "klantvriend.gestures"
    label = "gestures"
    verbose_name = _("Gestures")

    def ready(self) -> None:
        from klantvriend.core import hooks
        from klantvriend.core.timeline import register_timeline_source

        from .selectors import gesture_timeline
        from .services import gesture_log_recovery

        register_timeline_source(gesture_timeline)
        hooks.register_hook(hooks.RECOVERY_GESTURE_WRITTEN, gesture_log_recovery)
