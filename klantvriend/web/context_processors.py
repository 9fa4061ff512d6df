from klantvriend.core.care_settings import member_sees_amounts

from .forms import QuickAddForm


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
    }
