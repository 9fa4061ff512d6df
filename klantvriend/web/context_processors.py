from .forms import QuickAddForm


def current_business(request):
    return {
        "business": getattr(request, "business", None),
        "membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
        # Not for a page without a business (logged out, or a member of none).
        "quick_add_form": QuickAddForm(business=request.business)
        if getattr(request, "business", None)
        else None,
    }
