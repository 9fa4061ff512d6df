from .forms import QuickAddForm


def current_business(request):
    return {
        "business": getattr(request, "business", None),
        "membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
        "quick_add_form": QuickAddForm(),
    }
