"""Every route of the API, read from its OpenAPI schema, tried with a token of one business and
the ids of another: always 404, nothing changed, nothing of the other business in the answer.
A route without an id (a list, the business's care settings, a create) never shows the other
business's rows or settings, nor changes them."""

import json
import re

import pytest

from klantvriend.api.urls import api as ninja_api
from klantvriend.isolation import (
    FOREIGN_NAME,
    FOREIGN_TEXT,
    create_foreign_rows,
    model_for_parameter,
    snapshot,
    snapshot_of,
)

SCHEMA = ninja_api.get_openapi_schema()
OPERATIONS = sorted(
    (path, method) for path, operations in SCHEMA["paths"].items() for method in operations
)
PARAMETER = re.compile(r"\{(\w+)\}")


@pytest.fixture
def foreign(other_business):
    return create_foreign_rows(other_business)


def _call(client, method: str, url: str, headers=None, **query):
    if method in {"post", "patch", "put"}:
        return getattr(client, method)(
            url, data=json.dumps({}), content_type="application/json", headers=headers
        )
    return getattr(client, method)(url, query, headers=headers)


def _conditions(path: str, method: str) -> dict:
    """A version that is not stored, for a route that takes If-Match: a foreign row is still
    not found, never "changed meanwhile" (412), which would tell that it exists."""
    parameters = SCHEMA["paths"][path][method].get("parameters", [])
    if any(p["in"] == "header" and p["name"] == "If-Match" for p in parameters):
        return {"If-Match": '"0123456789abcdef0123456789abcdef"'}
    return {}


def _without_ids(detail: str) -> str:
    return re.sub(r"\d+", "#", detail)


def _assert_no_leak(response) -> None:
    body = response.content.decode(errors="replace")
    assert FOREIGN_NAME not in body
    assert FOREIGN_TEXT not in body


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_foreign_ids_are_not_found_and_change_nothing(
    api, business, other_business, foreign, path, method
):
    names = PARAMETER.findall(path)
    values = {}
    for name in names:
        model = model_for_parameter(name)
        assert model is not None, f"{path}: no model found for the path parameter {name!r}"
        assert model in foreign, (
            f"{path}: no foreign {model.__name__} row; add a factory in its app's tests"
        )
        values[name] = foreign[model].pk
    before = snapshot()

    if names:
        response = _call(api, method, path.format(**values), headers=_conditions(path, method))
        assert response.status_code == 404, (
            f"{method.upper()} {path} answered {response.status_code}"
        )
        # Said as of a record that does not exist: what was looked for and its id, nothing more.
        missing = _call(
            api,
            method,
            path.format(**{name: value + 10**6 for name, value in values.items()}),
            headers=_conditions(path, method),
        )
        detail = response.json()["detail"]
        assert re.fullmatch(r"No [a-z -]+ with id \d+ in this business\.|Not found\.", detail)
        assert (missing.status_code, _without_ids(missing.json()["detail"])) == (
            404,
            _without_ids(detail),
        )
        assert snapshot() == before
        _assert_no_leak(response)
    elif method == "get":
        customer = foreign[model_for_parameter("customer_id")]
        for query in ({}, {"customer": customer.pk}, {"search": FOREIGN_NAME}):
            response = _call(api, method, path, **query)
            assert response.status_code in {200, 404, 422}, (
                f"GET {path} {query} answered {response.status_code}"
            )
            _assert_no_leak(response)
            if response.status_code == 200 and "count" in response.json() and query:
                assert response.json()["count"] == 0, f"GET {path} {query} counted foreign rows"
    else:
        # A write that names no record (a create, the business's own settings) acts on the
        # token's business only: the other's rows, its settings among them, stay as they were.
        theirs = snapshot_of(other_business)
        response = _call(api, method, path)
        assert response.status_code < 500, (
            f"{method.upper()} {path} answered {response.status_code}"
        )
        _assert_no_leak(response)
        assert snapshot_of(other_business) == theirs
