from django.conf import settings

from klantvriend.core.care_settings import member_sees_amounts

from .forms import QuickAddForm

# The language a member picked on the log-in page, which their account does not read
# (web.views.KlantvriendLoginView): offered once, on the first page after logging in.
LANGUAGE_OFFER_KEY = "klantvriend_language_offer"


def _language_offer(request) -> tuple[str, str] | None:
    """The language offered, and its name in itself ("English"), taken from the session by
    the first whole page that shows it."""
    if getattr(request, "htmx", False) or not hasattr(request, "session"):
        return None
    code = request.session.pop(LANGUAGE_OFFER_KEY, None)
    names = dict(settings.LANGUAGES)
    return (code, names[code]) if code in names else None


def current_business(request):
    return {
        "business": getattr(request, "business", None),
        "membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
        # Whether the pages show customers' money and model figures to this member: every
        # template asks this, not the rule (core.care_settings.member_sees_amounts).
        "sees_amounts": member_sees_amounts(
            business=request.business, membership=request.membership
        )
        if getattr(request, "business", None)
        else False,
        # Not for a page without a business (logged out, or a member of none).
        "quick_add_form": QuickAddForm(business=request.business)
        if getattr(request, "business", None)
        else None,
        "language_offer": _language_offer(request) if getattr(request, "business", None) else None,
    }
