"""Errors that domain code raises for users to act on.

Validation failures use Django's ValidationError (it carries a code and a message per field),
a refusal that comes from a record's state its subclass Conflict;
a row that is absent *or belongs to another business* is NotFound, so that callers cannot tell
the two apart. The web layer maps NotFound to a 404 page, the API to a 404 JSON body."""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

__all__ = [
    "ChangedMeanwhile",
    "Conflict",
    "NotFound",
    "OwnerOnly",
    "ValidationError",
    "refusals_gathered",
    "refusals_of",
]


class NotFound(ObjectDoesNotExist):
    """The object does not exist within the caller's business. `what` (a model's verbose name)
    and `pk` (the id asked for), when known, let the answer say what was not found: alike for
    a record that does not exist and one of another business, so it tells nothing more."""

    def __init__(self, *args, what=None, pk=None):
        super().__init__(*args)
        self.what, self.pk = what, pk


class Conflict(ValidationError):
    """Refused because of the state a record is in rather than a value sent: a complaint already
    resolved, a promise already finished, a customer anonymised or with purchases. The same
    request with other values would be refused too. Still a ValidationError (with a code, per
    field or not), so forms show it as before; the API answers 409 instead of 422."""


class ChangedMeanwhile(Conflict):
    """Refused because someone else changed the record since the caller read it, to something
    other than what the caller sends: saving would silently undo their change. Per field where
    the caller said what it saw (a form), else for the whole record (the API's If-Match).
    `stored` holds what is stored now, per field, so that the caller can show it and base a
    deliberate second attempt on it. The API answers 412 Precondition Failed, the web form 409."""

    def __init__(self, message, code=None, params=None, *, stored=None):
        super().__init__(message, code, params)
        self.stored = stored or {}


class OwnerOnly(PermissionDenied):
    """Only an owner of the business may do this."""


def refusals_gathered(
    *checks: Callable[[], object], clean: Any = None, exclude: Iterable[str] = ()
) -> None:
    """Runs every check, then raises all their refusals at once (one ValidationError, per
    field): a request with three mistakes is told of three, not of one per attempt. A
    Conflict (the record's state: no value would do) is raised as it comes.

    `clean`: a model instance whose full_clean runs last, without the fields refused already
    nor `exclude`: a constraint that says again what a check said in its own words (a promise
    due before it was made) is skipped, so each mistake has one refusal."""
    errors: dict[str, list[ValidationError]] = {}
    for check in checks:
        try:
            check()
        except Conflict:
            raise
        except ValidationError as refused:
            errors = refused.update_error_dict(errors)
    if clean is not None:
        try:
            clean.full_clean(exclude=[*exclude, *errors])
        except ValidationError as refused:
            errors = refused.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def refusals_of(check: Callable[[], object]) -> dict[str, list[ValidationError]]:
    """What `check` refuses, per field ({} when nothing): for a caller that refused other
    fields itself (the API's schema) and answers all at once. A Conflict is not a refusal of
    a value: it is answered once the values pass."""
    try:
        check()
    except Conflict:
        return {}
    except ValidationError as refused:
        return refused.update_error_dict({})
    return {}
