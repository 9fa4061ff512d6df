from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from klantvriend.core.errors import NotFound, OwnerOnly

from . import (
    complaints,
    contact_moments,
    customers,
    follow_ups,
    gestures,
    important_dates,
    insights,
    nps,
    privacy,
    promises,
    purchases,
    referrals,
    surveys,
    today,
)
from .common import BearerToken

api = NinjaAPI(
    title="Klantvriend API",
    version="1",
    description="Customers, purchases, contact moments, promises, complaints, follow-ups and gestures of one business. "
    "Authenticate with `Authorization: Bearer <token>` (create one with `manage.py apitoken`).",
    auth=BearerToken(),
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/customers", customers.router)
api.add_router("/customers", privacy.router)
api.add_router("/important-dates", important_dates.router)
api.add_router("/tags", important_dates.tags_router)
api.add_router("/purchases", purchases.router)
api.add_router("/contact-moments", contact_moments.router)
api.add_router("/promises", promises.router)
api.add_router("/complaints", complaints.router)
api.add_router("/follow-ups", follow_ups.router)
api.add_router("/gestures", gestures.router)
api.add_router("/today", today.router)
api.add_router("/referrals", referrals.router)
api.add_router("/survey-invitations", surveys.invitations_router)
api.add_router("/survey-responses", surveys.responses_router)
# Insight routes share the /insights prefix; each module adds its own router here.
api.add_router("/insights", nps.router)
api.add_router("/insights", insights.router)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(OwnerOnly)
def owner_only(request: HttpRequest, exc: OwnerOnly):
    return api.create_response(
        request, {"detail": _("Only an owner of the business may do this.")}, status=403
    )


@api.exception_handler(ValidationError)
def domain_validation_error(request: HttpRequest, exc: ValidationError):
    """The same body shape as the schema validation errors: one entry per field and message."""
    detail = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                message = error.message % error.params if error.params else error.message
                location = ["body"] if field == "__all__" else ["body", field]
                detail.append(
                    {"loc": location, "msg": str(message), "type": error.code or "invalid"}
                )
    else:
        for message in exc.messages:
            detail.append({"loc": ["body"], "msg": str(message), "type": "invalid"})
    return api.create_response(request, {"detail": detail}, status=422)
