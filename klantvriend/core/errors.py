"""Errors that domain code raises for users to act on.

Validation failures use Django's ValidationError (it carries a code and a message per field),
a refusal that comes from a record's state its subclass Conflict;
a row that is absent *or belongs to another business* is NotFound, so that callers cannot tell
the two apart. The web layer maps NotFound to a 404 page, the API to a 404 JSON body."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

__all__ = ["Conflict", "NotFound", "OwnerOnly", "ValidationError"]


class NotFound(ObjectDoesNotExist):
    """The object does not exist within the caller's business."""


class Conflict(ValidationError):
    """Refused because of the state a record is in rather than a value sent: a complaint already
    resolved, a promise already finished, a customer anonymised or with purchases. The same
    request with other values would be refused too. Still a ValidationError (with a code, per
    field or not), so forms show it as before; the API answers 409 instead of 422."""


class OwnerOnly(PermissionDenied):
    """Only an owner of the business may do this."""
