from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "klantvriend.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from klantvriend.core import hooks

        from . import services

        # A committed import changes purchases wholesale: refresh the business's insights.
        hooks.register_hook(hooks.DATA_IMPORTED, services.insights_refresh_after_import)
        # A merge gives the kept customer the other record's purchases: their figures are
        # computed again at once, with the latest refresh's fit (not the whole refresh).
        hooks.register_hook(hooks.CUSTOMERS_MERGED, services.customer_insight_recompute_after_merge)
        # A purchase recorded, corrected or deleted: its customer's figures likewise.
        for event in (hooks.PURCHASE_RECORDED, hooks.PURCHASE_CORRECTED, hooks.PURCHASE_DELETED):
            hooks.register_hook(event, services.customer_insight_recompute_after_purchase)
