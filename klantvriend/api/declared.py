"""A request is refused for what its route would otherwise ignore: a query parameter the route
does not declare (`GET /customers?serach=anna` would list everyone and answer 200), and a body
sent to a route that takes none (`POST /customers/{id}/erase` with `{"keep": …}` would erase
and drop the wish). The client would believe its request was carried out as written.

Applied to every operation by `api.add_decorator` in urls.py, so a new route has it without
asking. Mode "operation": it runs after authentication (401 comes first, as for any other
refusal) and after the declared parameters' own checks, before the route does anything."""

import difflib
import json
from collections.abc import Iterable
from functools import wraps

from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja.errors import ValidationError as SchemaValidationError
from pydantic import BaseModel

_BODY_SOURCES = frozenset({"body", "form", "file"})
_FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def _query_names(operation) -> frozenset[str]:
    """The names a client may send in the query string: ninja flattens a `Query[Pagination]`
    into `limit` and `offset`, and keeps that mapping on the operation's query model."""
    names: set[str] = set()
    for model in operation.models:
        if model.__ninja_param_source__ == "query":
            names.update(getattr(model, "__ninja_flatten_map__", None) or model.model_fields)
    return frozenset(names)


# A route's body model -> the fields its answers carry that the body does not take (`id`,
# `created_at`, a promise's `status`, a purchase's `customer` in a PATCH): filled in as the
# routes are built, read when a body is refused (urls.py, `schema_message`).
_ANSWERED_ONLY: dict[type, frozenset[str]] = {}


def _answered_names(operation) -> set[str]:
    names: set[str] = set()
    for status, model in operation.response_models.items():
        if not (isinstance(status, int) and 200 <= status < 300):
            continue
        field = getattr(model, "model_fields", {}).get("response")
        answer = getattr(field, "annotation", None)
        if isinstance(answer, type) and issubclass(answer, BaseModel):
            names.update(answer.model_fields)
    return names


def _remember_answered_only(operation) -> None:
    answered = _answered_names(operation)
    for model in operation.models:
        if model.__ninja_param_source__ in _BODY_SOURCES:
            taken: set[str] = set()
            for field in model.model_fields.values():
                if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
                    taken.update(field.annotation.model_fields)
            _ANSWERED_ONLY[model] = frozenset(answered - taken)


def answered_only(model) -> frozenset[str]:
    """The fields the route answers with but does not take, for its body model `model`."""
    return _ANSWERED_ONLY.get(model, frozenset())


def _takes_body(operation) -> bool:
    return any(model.__ninja_param_source__ in _BODY_SOURCES for model in operation.models)


# Words for a field or parameter that no spelling distance leads from to its name: what the
# pages, the import files, a till or another API call it (who served, a receipt or order number,
# a price, a search), each with the field meant and the one the schema must have beside it. A
# receipt is a purchase's `external_ref` (beside `amount_cents`), not a customer's, whose
# `external_ref` is their customer number.
_PURCHASE_REF = ("external_ref", "amount_cents")
_SAID_OTHERWISE = {
    "served_by": ("member", "member"),
    "staff": ("member", "member"),
    "employee": ("member", "member"),
    **dict.fromkeys(
        ("receipt", "receipt_number", "receipt_no", "receipt_id", "bon", "bonnummer"),
        _PURCHASE_REF,
    ),
    **dict.fromkeys(("order_id", "order_number", "transaction_id", "ticket"), _PURCHASE_REF),
    **dict.fromkeys(("price", "total", "bedrag"), ("amount_cents", "amount_cents")),
    # What other APIs and the pages' own address call a search ("?q=anna").
    **dict.fromkeys(("q", "query", "find", "zoek", "zoeken", "zoekterm"), ("search", "search")),
}


def closest_name(name: str, known: Iterable[str]) -> str | None:
    """The known name `name` most likely misspells ("emial": "email", "amount":
    "amount_cents") or says in other words ("served_by": "member", "receipt": "external_ref"),
    None when none is close.
    difflib's ratio over the lower-case names, at its own default cutoff of 0.6: "amount"
    against "amount_cents" is 0.67, "emial" against "email" 0.8, and a name of another kind
    altogether ("price" against "currency") stays below it."""
    known = set(known)
    if name.lower() in _SAID_OTHERWISE:
        # A word of ours for something this schema lacks: no spelling near it is meant
        # ("receipt" is not a customer's "street").
        meant, beside = _SAID_OTHERWISE[name.lower()]
        return meant if meant in known and beside in known else None
    by_lower = {candidate.lower(): candidate for candidate in known}
    close = difflib.get_close_matches(name.lower(), by_lower, n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


def unknown_field_message(name: str, known: Iterable[str]) -> str:
    suggestion = closest_name(name, known)
    if suggestion is None:
        return _("Unknown field: %(name)s.") % {"name": name}
    return _("Unknown field: %(name)s. Did you mean %(suggestion)s?") % {
        "name": name,
        "suggestion": suggestion,
    }


def unknown_parameter_refusals(request: HttpRequest, declared: frozenset[str]) -> list[dict]:
    refusals = []
    for name in request.GET:
        if name in declared:
            continue
        suggestion = closest_name(name, declared)
        message = (
            _("Unknown parameter: %(name)s.") % {"name": name}
            if suggestion is None
            else _("Unknown parameter: %(name)s. Did you mean %(suggestion)s?")
            % {"name": name, "suggestion": suggestion}
        )
        refusals.append({"loc": ["query", name], "msg": message, "type": "extra_forbidden"})
    return refusals


def unexpected_body_refusals(request: HttpRequest) -> list[dict]:
    """None for no body, an empty JSON object or an empty form (what many clients send with
    every POST); each field of another object or form as an unknown field, as a route with a
    body refuses it; anything else as a body the route does not take."""
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        # A form, as some clients (and Django's test client) send with a bare POST: an empty
        # one is no body, its fields are unknown fields.
        try:
            sent = {name: None for name in [*request.POST, *request.FILES]}
        except MultiPartParserError:
            # Said to be multipart without a boundary to read it by: no form of fields.
            sent = None
    elif not request.body.strip():
        return []
    else:
        try:
            sent = json.loads(request.body)
        except ValueError:
            sent = None
    if isinstance(sent, dict):
        return [
            {
                "loc": ["body", name],
                "msg": _("Unknown field: %(name)s.") % {"name": name},
                "type": "extra_forbidden",
            }
            for name in sent
        ]
    return [
        {
            "loc": ["body"],
            "msg": _("This request takes no body: send none, or {}."),
            "type": "no_body",
        }
    ]


def declared_only(view_func):
    """A ninja "operation" decorator: it wraps the route's function, which ninja marks with its
    operation (the declared parameters and body)."""
    operation = view_func._ninja_operation
    declared = _query_names(operation)
    takes_body = _takes_body(operation)
    _remember_answered_only(operation)

    @wraps(view_func)
    def wrapper(request: HttpRequest, *args, **kwargs):
        refusals = unknown_parameter_refusals(request, declared)
        if not takes_body:
            refusals += unexpected_body_refusals(request)
        if refusals:
            raise SchemaValidationError(refusals)
        return view_func(request, *args, **kwargs)

    return wrapper
