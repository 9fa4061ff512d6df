from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "klantvriend.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from klantvriend.core.hooks import MEMBER_REMOVED, register_hook
        from klantvriend.core.timeline import register_timeline_source

        from .selectors import contact_moment_timeline, purchase_timeline
        from .services import customers_regular_member_release

        register_timeline_source(purchase_timeline)
        register_timeline_source(contact_moment_timeline)
        register_hook(MEMBER_REMOVED, customers_regular_member_release)
