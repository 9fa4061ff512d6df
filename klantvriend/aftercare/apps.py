from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftercareConfig(AppConfig):
    name = "klantvriend.aftercare"
    label = "aftercare"
    verbose_name = _("Aftercare")

    def ready(self) -> None:
        from klantvriend.core import hooks
        from klantvriend.core.timeline import register_open_item_source, register_timeline_source

        from . import services
        from .selectors import follow_up_open_items, follow_up_timeline

        register_timeline_source(follow_up_timeline)
        register_open_item_source(follow_up_open_items)
        # The rules of the owner: plan a follow-up after a kept delivery or repair, a resolved
        # complaint, a large purchase. Run after the triggering write has been committed.
        hooks.register_hook(hooks.PROMISE_KEPT, services.follow_up_plan_for_promise)
        # ... and take it back, untouched, when keeping the promise is undone.
        hooks.register_hook(hooks.PROMISE_REOPENED, services.follow_up_withdraw_for_promise)
        # ... and plan or withdraw it when whether it is wanted changes after it was kept.
        hooks.register_hook(hooks.PROMISE_AFTERCARE_CHANGED, services.follow_up_for_promise_changed)
        hooks.register_hook(hooks.COMPLAINT_RESOLVED, services.follow_up_plan_for_complaint)
        # ... and removed, while not done, with a complaint recorded by mistake.
        hooks.register_hook(hooks.COMPLAINT_DELETED, services.follow_up_withdraw_for_complaint)
        hooks.register_hook(hooks.PURCHASE_RECORDED, services.follow_up_plan_for_purchase)
        # ... planned anew when the purchase is corrected, taken back when it is deleted.
        hooks.register_hook(hooks.PURCHASE_CORRECTED, services.follow_up_for_purchase_corrected)
        hooks.register_hook(hooks.PURCHASE_DELETED, services.follow_up_withdraw_for_purchase)
        # A referred customer's first purchase: thank the referrer.
        hooks.register_hook(hooks.PURCHASE_RECORDED, services.follow_up_plan_referral_thanks)
        # ... or their referrer recorded after it; and a thank-you gesture closes the thanks.
        hooks.register_hook(hooks.REFERRAL_RECORDED, services.follow_up_plan_referral_thanks_late)
        hooks.register_hook(hooks.GESTURE_GIVEN, services.follow_up_thanked_by_gesture)
        hooks.register_hook(hooks.GESTURE_UNDONE, services.follow_up_thanks_reopened)
        # A member who leaves: their open follow-ups are for everyone.
        hooks.register_hook(hooks.MEMBER_REMOVED, services.follow_ups_assignment_release)
