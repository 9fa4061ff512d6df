"""Errors that domain code raises for users to act on.

Validation failures use Django's ValidationError (it carries a code and a message per field);
a row that is absent *or belongs to another business* is NotFound, so that callers cannot tell
the two apart. The web layer maps NotFound to a 404 page, the API to a 404 JSON body."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

__all__ = ["NotFound", "OwnerOnly", "ValidationError"]


class NotFound(ObjectDoesNotExist):
    """The object does not exist within the caller's business."""


class OwnerOnly(PermissionDenied):
    """Only an owner of the business may do this."""
