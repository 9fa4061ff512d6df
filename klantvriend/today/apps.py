from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TodayConfig(AppConfig):
    """What needs doing today, gathered from promises, complaints, aftercare and gestures: for the
    Today page, the daily digest, the calendar feed and the API. It has no models of its own; it
    exists so that none of the four apps has to import the others sideways."""

    name = "klantvriend.today"
    label = "today"
    verbose_name = _("Today")
