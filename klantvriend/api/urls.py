import copy
import re
import types
import typing
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponseNotAllowed
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, re_path, reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationErrorContext
from ninja.errors import ValidationError as SchemaValidationError
from pydantic import BaseModel

from klantvriend.core.errors import ChangedMeanwhile, Conflict, NotFound, OwnerOnly

from . import (
    care_settings,
    complaints,
    contact_moments,
    customers,
    follow_ups,
    gestures,
    important_dates,
    insights,
    members,
    nps,
    privacy,
    privacy_requests,
    promises,
    purchases,
    referrals,
    surveys,
    tags,
    today,
)
from .common import BearerToken, QueryParser, UnreadableBody, UtcJSONRenderer
from .declared import answered_only, declared_only, unknown_field_message
from .idempotency import OPENAPI_PARAMETER, WRITE_METHODS, idempotent

_DATE_ERRORS = {"date_type", "date_parsing", "date_from_datetime_parsing"}
_DATE_ERRORS |= {"date_from_datetime_inexact"}
_MOMENT_ERRORS = {"datetime_type", "datetime_parsing", "datetime_from_date_parsing"}
# A day sent where a moment is asked for, which pydantic reads as its midnight without a zone.
_DAY_ALONE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER_ERRORS = {"int_type", "int_parsing", "int_from_float", "int_parsing_size"}


def schema_message(error: dict[str, Any]) -> str:
    """A refusal of the schema in the request's language. Pydantic's own messages are English
    only; where Django words the same refusal (a form field), its translated message is used."""
    kind, context = error["type"], error.get("ctx", {})
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_long":
        limit = context["max_length"]
        return ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": len(error["input"])}
    if kind == "string_too_short":
        return _("This field cannot be blank.")
    if kind == "less_than_equal":
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": context["le"]
        }
    if kind == "greater_than_equal" and error["loc"][-1] == "amount_cents":
        # A till writes a refund as a negative sale; "greater than or equal to 0" said why not,
        # not what to do instead. (The purchase import leaves them out, with a note.)
        return _(
            "A purchase cannot be negative: leave a return or refund out, as the analysis does, "
            "or correct or delete the sale it takes back."
        )
    if kind == "greater_than_equal":
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": context["ge"]
        }
    if kind in _NUMBER_ERRORS and str(error["loc"][-1]).endswith("_cents"):
        # "Enter a whole number." of "12.50" led a till to send 12: twelve cents.
        return _("Give the amount in whole cents, as a number: 1250 for 12.50.")
    if kind in _NUMBER_ERRORS:
        return _("Enter a whole number.")
    # The format with an example: "Enter a valid date." left "12-03-1980" to guesswork.
    if kind in _DATE_ERRORS:
        return _("Enter a valid date as YYYY-MM-DD, e.g. 2026-03-01.")
    if kind in _MOMENT_ERRORS:
        return _(
            "Enter a valid moment as ISO 8601 text with its time zone, e.g. "
            "2026-03-01T14:30:00+01:00."
        )
    if kind == "timezone_aware" and _DAY_ALONE.fullmatch(str(error.get("input", "")).strip()):
        # "2026-12-05" was answered as if only its time zone were missing.
        return _(
            "Give the time as well as the day, with its time zone, e.g. 2026-03-01T14:30:00+01:00."
        )
    if kind == "timezone_aware":
        return _("Give the moment with its time zone, e.g. 2026-03-01T14:30:00+01:00.")
    if kind in {"bool_type", "bool_parsing"}:
        return _("Enter true or false.")
    if kind == "string_type":
        return _("Enter text.")
    if kind == "list_type":
        return _("Enter a list of values.")
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return _("Send a JSON object.")
    if kind == "literal_error":
        # Pydantic lists the choices as "'a', 'b' or 'c'": the "or" is English.
        return _("Choose one of: %(choices)s.") % {
            "choices": context["expected"].replace(" or ", ", ")
        }
    if kind == "value_error":
        return str(context["error"])  # raised by our own validators, translated there
    return error["msg"]


def _schema_in(annotation: Any) -> type[BaseModel] | None:
    """The schema a field's annotation names, also as `Schema | None` or a list of them."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, types.UnionType, typing.Union):
        for argument in typing.get_args(annotation):
            if (schema := _schema_in(argument)) is not None:
                return schema
    return None


def _fields_beside(model: type[BaseModel], location: tuple) -> list[str]:
    """The fields of the schema that refused the unknown field at `location` (pydantic's, as
    ninja's model of the route's parameters holds it: ("payload", "amount"), or below it:
    ("payload", "opening_hours", "thursday", "clses"), ("payload", "rules", 0, "dayz")), for
    the field the client probably meant; none where the place is not a schema's (a dict's
    key)."""
    schema: Any = model
    for name in location[:-1]:
        if isinstance(name, int) and schema is not None:
            continue  # an item of the list the previous name gave: its schema
        field = schema.model_fields.get(name) if isinstance(name, str) else None
        schema = _schema_in(field.annotation) if field is not None else None
        if schema is None:
            return []
    return list(schema.model_fields)


class KlantvriendAPI(NinjaAPI):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas: dict[tuple, dict] = {}

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict | None = None
    ) -> dict:
        """Every write takes the Idempotency-Key header (api/idempotency.py, applied to every
        operation): said once here rather than on each route. The schema is built once for each
        address and language (0.3 s for its 61 operations) and handed out as a copy, which its
        reader may change."""
        key = (path_prefix, tuple(sorted((path_params or {}).items())), get_language())
        if key not in self._schemas:
            schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
            for operations in schema["paths"].values():
                for method, operation in operations.items():
                    if method.upper() in WRITE_METHODS:
                        parameters = operation.setdefault("parameters", [])
                        if OPENAPI_PARAMETER not in parameters:
                            parameters.append(OPENAPI_PARAMETER)
            self._schemas[key] = schema
        return copy.deepcopy(self._schemas[key])

    def _get_urls(self):
        """ninja's addresses, each answering in JSON a method it does not take and a body too
        large to read, and after them one for every other address under the API (Django would
        answer each with a page of HTML in English): a client is told in JSON, in its
        language, what it can do instead."""
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._refusing_in_json(pattern.callback)
        return [*patterns, re_path(r"^", csrf_exempt(self._no_such_address), name="unknown")]

    def _refusing_in_json(self, view):
        @wraps(view)
        def answering_in_json(request: HttpRequest, *args, **kwargs):
            try:
                response = view(request, *args, **kwargs)
            except RequestDataTooBig:
                # Read outside the operation (the Idempotency-Key's fingerprint reads the body
                # before the operation runs), where the exception handler does not reach.
                return body_too_large(request)
            if not isinstance(response, HttpResponseNotAllowed):
                return response
            message = _("%(method)s is not done at this address; it takes %(methods)s.") % {
                "method": request.method,
                "methods": ", ".join(sorted(response["Allow"].split(", "))),
            }
            refused = self.create_response(request, {"detail": message}, status=405)
            refused["Allow"] = response["Allow"]
            return refused

        return answering_in_json

    def _no_such_address(self, request: HttpRequest):
        docs = reverse(f"{self.urls_namespace}:openapi-view")
        message = _("The API has no address %(path)s; its addresses are listed at %(docs)s.")
        return self.create_response(
            request, {"detail": message % {"path": request.path, "docs": docs}}, status=404
        )

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> SchemaValidationError:
        """Schema refusals in the shape of the domain's (`domain_validation_error`): a body
        field's location is ["body", field], without the name of the view's parameter
        (ninja writes ["body", "payload", field]), and the message in the request's language."""
        errors = []
        for context in error_contexts:
            model = context.model
            source = model.__ninja_param_source__
            for error in context.pydantic_validation_error.errors(include_url=False):
                location = model.__ninja_flatten_map_reverse__.get(error["loc"], error["loc"])
                if source == "body":
                    location = location[1:]
                if error["type"] != "extra_forbidden":
                    message = schema_message(error)
                elif location[-1:] and location[-1] in answered_only(model):
                    # A client sending back the record it read (`id`, `updated_at`, a
                    # promise's `status`) was told "Unknown field: id.", a field the API
                    # itself had just given it. Still refused: silently dropped, a `status`
                    # sent would look done while nothing changed.
                    message = _(
                        "Read-only field: %(name)s. The API gives it in its answers but does "
                        "not take it here; leave it out."
                    ) % {"name": location[-1]}
                else:
                    # With the field of the schema the client probably meant ("amount":
                    # amount_cents): "This field is required." beside it says which is wanted,
                    # not what was wrong with what was sent.
                    message = unknown_field_message(
                        str(error["loc"][-1]), _fields_beside(model, error["loc"])
                    )
                errors.append({"loc": [source, *location], "msg": message, "type": error["type"]})
        return SchemaValidationError(errors)


# What an integrator reads first, at /api/v1/docs: the conventions of every route, whole, as
# a hosted shop's integrator has no copy of the repository (docs/api.md has the details, for
# those who run Klantvriend). Markdown, as the docs page shows it.
DESCRIPTION = """Customers, purchases, contact moments, promises, complaints, follow-ups and \
gestures of one business, and its care settings (owners), at addresses under `/api/v1/`.

**Authentication**: `Authorization: Bearer <token>`. A member makes a token on the web \
interface's page Members and connections (`/members/`), an administrator with \
`manage.py apitoken`. Answers are in the token member's language; `Accept-Language: nl` or \
`en` asks for one. A token has its member's role: a staff token looks customers and purchases \
up (`search`, `tag`, `customer`, `external_ref`) and records, while what only an owner may do \
(the whole lists and syncing, deleting, merging, privacy requests) answers 403.

**Errors**: `{"detail": "…"}`; a 409 (the record's state forbids it) and a 412 (changed \
meanwhile) add a stable `code`. A 404 is also a record of another business. A 422 lists every \
refusal of the request at once, each as `loc` (`["body", "email"]`), `msg` (in the request's \
language) and `type`, a stable code (`missing`, `unique`, `extra_forbidden`, …), and nothing is \
stored. A field or query parameter a route does not know is refused, never ignored, naming the \
one it probably meant when one is close. A `unique` refusal by a record of the business (a receipt or customer \
number sent again) names it: `existing_id`.

**Amounts** are whole cents in the business's currency: `"amount_cents": 1250` is 12.50. \
**Moments** are ISO 8601 with a time zone (`2026-03-01T14:30:00+01:00`); answers give them in \
UTC.

**Retries**: send an `Idempotency-Key` header (a UUID) with every write, and the same key with \
its retries: within 24 hours a retry gets the first answer again (`Idempotent-Replayed: \
true`) and nothing is done twice. A purchase's receipt number (`external_ref`) makes its \
retries safe too.

**Changing safely**: send a record's `ETag` back as `If-Match` with its `PATCH` or `DELETE`: \
412 when it was changed since.

**Syncing**: `GET /customers` and `GET /purchases` with `changed_since` list the changes in \
the order made; page on with the last row's `updated_at` as `changed_since` and its `id` as \
`after_id`. `GET /customers/removed` and `GET /purchases/removed` list the records gone."""

api = KlantvriendAPI(
    title="Klantvriend API",
    version="1",
    description=DESCRIPTION,
    auth=BearerToken(),
    parser=QueryParser(),
    renderer=UtcJSONRenderer(),
    urls_namespace="api",
    docs_url="/docs",
)
api.add_decorator(idempotent(api), mode="view")
api.add_decorator(declared_only, mode="operation")
api.add_router("/customers", customers.router)
api.add_router("/customers", privacy.router)
api.add_router("/privacy-requests", privacy_requests.router)
api.add_router("/important-dates", important_dates.router)
api.add_router("/tags", tags.tags_router)
api.add_router("/members", members.router)
api.add_router("/purchases", purchases.router)
api.add_router("/contact-moments", contact_moments.router)
api.add_router("/promises", promises.router)
api.add_router("/complaints", complaints.router)
api.add_router("/follow-ups", follow_ups.router)
api.add_router("/gestures", gestures.router)
api.add_router("/today", today.router)
api.add_router("/referrals", referrals.router)
api.add_router("/care-settings", care_settings.router)
api.add_router("/survey-invitations", surveys.invitations_router)
api.add_router("/survey-responses", surveys.responses_router)
# Insight routes share the /insights prefix; each module adds its own router here.
api.add_router("/insights", nps.router)
api.add_router("/insights", insights.router)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound):
    """What was looked for and not found, where known: "No promise with id 812 in this
    business." A till's developer read "Not found." for a wrong id in a path of two. The same
    for a record of another business as for one that does not exist (core.errors.NotFound)."""
    if exc.what is None:
        return api.create_response(request, {"detail": _("Not found.")}, status=404)
    detail = _("No %(what)s with id %(id)s in this business.") % {
        "what": exc.what,
        "id": str(exc.pk)[:40],
    }
    return api.create_response(request, {"detail": detail}, status=404)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    """ninja's own refusals in its shape ({"detail": …}); a body that is not JSON is said in the
    request's language, with where it broke off (common.UnreadableBody)."""
    cause = exc.__cause__
    detail = cause.message() if isinstance(cause, UnreadableBody) else exc.message
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig | None = None):
    """A body beyond DATA_UPLOAD_MAX_MEMORY_SIZE: 413 Content Too Large, saying the limit, where
    Django answered a bare HTML "Bad Request" (and ninja, under DEBUG, a 500)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = _(
        "The body is larger than the API reads (at most %(size)s); send fewer or shorter values "
        "at once."
    ) % {"size": filesizeformat(limit)}
    return api.create_response(request, {"detail": message}, status=413)


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError):
    """No token, an unknown one or a revoked one: said in the language asked for, with how, and
    with the scheme in WWW-Authenticate, which a 401 must carry (RFC 9110, 11.6.1) and HTTP
    libraries read to know what to send."""
    response = api.create_response(
        request,
        {"detail": _("A valid API token is needed, sent as 'Authorization: Bearer <token>'.")},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="Klantvriend API"'
    return response


@api.exception_handler(OwnerOnly)
def owner_only(request: HttpRequest, exc: OwnerOnly):
    # A refusal that says what staff may do instead carries its own message.
    detail = str(exc.args[0]) if exc.args else _("Only an owner of the business may do this.")
    return api.create_response(request, {"detail": detail}, status=403)


def _refusal_body(exc: Conflict) -> dict:
    """One message and its code, whatever field the domain hung it on."""
    errors = (
        [error for errors in exc.error_dict.values() for error in errors]
        if hasattr(exc, "error_dict")
        else exc.error_list
    )
    first = errors[0]
    message = first.message % first.params if first.params else first.message
    return {"detail": str(message), "code": first.code or "conflict"}


@api.exception_handler(Conflict)
def conflict(request: HttpRequest, exc: Conflict):
    """The record's state forbids it (docs/api.md). A Conflict is a ValidationError, so this
    handler must come first in the lookup, which ninja does by the exception's class
    hierarchy."""
    return api.create_response(request, _refusal_body(exc), status=409)


@api.exception_handler(ChangedMeanwhile)
def changed_meanwhile(request: HttpRequest, exc: ChangedMeanwhile):
    """The record was changed since the version the request's If-Match named (api/versions.py):
    412 Precondition Failed, nothing done."""
    return api.create_response(request, _refusal_body(exc), status=412)


def _domain_refusals(error_dict: dict[str, list[ValidationError]]) -> list[dict[str, Any]]:
    """The domain's refusals per field in the body shape of the schema's: one entry per field
    and message."""
    detail = []
    for field, errors in error_dict.items():
        for error in errors:
            message = error.message % error.params if error.params else error.message
            # A field below the body's top (a day of the opening hours, a rule of a list) is
            # named by its path, as the schema's refusals are: ("opening_hours", "thursday",
            # "closes").
            path = list(field) if isinstance(field, tuple) else [field]
            location = ["body"] if field == "__all__" else ["body", *path]
            entry = {"loc": location, "msg": str(message), "type": error.code or "invalid"}
            if error.code == "unique" and "existing_id" in (error.params or {}):
                # The business's own row that holds the value (core.models.validate_constraints):
                # a till retrying a sale carries on with it instead of stopping.
                entry["existing_id"] = error.params["existing_id"]
            detail.append(entry)
    return detail


@api.exception_handler(SchemaValidationError)
def schema_validation_error(request: HttpRequest, exc: SchemaValidationError):
    """The schema's refusals and, after them, what the domain refuses of the fields the schema
    took (common.Input.refusals): every refusal of the request in one answer."""
    also = _domain_refusals(getattr(request, "refused_by_the_domain", {}))
    return api.create_response(request, {"detail": [*exc.errors, *also]}, status=422)


@api.exception_handler(ValidationError)
def domain_validation_error(request: HttpRequest, exc: ValidationError):
    """The same body shape as the schema validation errors."""
    if hasattr(exc, "error_dict"):
        detail = _domain_refusals(exc.error_dict)
    else:
        detail = [
            {"loc": ["body"], "msg": str(message), "type": "invalid"} for message in exc.messages
        ]
    return api.create_response(request, {"detail": detail}, status=422)
