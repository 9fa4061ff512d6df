from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    """Reads over customers' `referred_by`: who brought whom, what they are worth, ambassadors,
    and where new customers come from. No tables of its own."""

    name = "klantvriend.referrals"
    label = "referrals"
    verbose_name = _("Referrals")
