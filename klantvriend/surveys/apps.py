from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "klantvriend.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from klantvriend.core import hooks
        from klantvriend.core.timeline import register_timeline_source

        from . import services
        from .selectors import survey_response_timeline

        register_timeline_source(survey_response_timeline)
        # Invitations planned by the aftercare moments: a kept delivery, a resolved complaint.
        # They run after the triggering write is committed, beside aftercare's own follow-up.
        hooks.register_hook(hooks.PROMISE_KEPT, services.survey_invite_after_promise)
        # An undo of that "Done" withdraws the invitation it caused, in the undo's transaction.
        hooks.register_hook(hooks.PROMISE_REOPENED, services.survey_invitation_withdraw_for_promise)
        hooks.register_hook(hooks.COMPLAINT_RESOLVED, services.survey_invite_after_complaint)
        # And after a purchase recorded by hand or through the API, where the owner wants it.
        hooks.register_hook(hooks.PURCHASE_RECORDED, services.survey_invite_after_purchase)
