"""Every URL of the web UI, tried by an owner of one business with the ids of another business:
always "not found", nothing changed, nothing of the other business shown. The routes are read
from the URL configuration, so a new route is covered the day it is added."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from config.log_filters import SECRET_PARAMETERS
from klantvriend.isolation import (
    FOREIGN_NAME,
    FOREIGN_TEXT,
    create_foreign_rows,
    model_for_parameter,
    snapshot,
)

# Routes that are not about business data, or whose parameter is a secret of its own (a
# calendar feed token: whoever holds it may read the feed, so there is nothing to isolate).
NOT_BUSINESS_DATA = {"set_language", "login", "logout", "switch_business"}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("api/"):
                continue  # the API has its own matrix, driven by its schema
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


ROUTES = sorted(set(_routes(get_resolver().url_patterns)))
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


@pytest.fixture
def foreign(other_business):
    return create_foreign_rows(other_business)


def _fill(route: str, foreign: dict) -> str | None:
    def replace(match: re.Match) -> str:
        name = match.group(2)
        model = model_for_parameter(name)
        assert model is not None, f"{route}: no model found for the URL parameter {name!r}"
        assert model in foreign, (
            f"{route}: no foreign {model.__name__} row; add a factory in its app's tests"
        )
        return str(foreign[model].pk)

    if any(match.group(2) in SECRET_PARAMETERS for match in PARAMETER.finditer(route)):
        return None
    return "/" + PARAMETER.sub(replace, route)


def _assert_no_leak(response) -> None:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    body = content.decode(errors="replace")
    assert FOREIGN_NAME not in body
    assert FOREIGN_TEXT not in body


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[name or route for route, name in ROUTES])
def test_foreign_ids_are_not_found_and_change_nothing(owner_client, business, foreign, route, name):
    if name in NOT_BUSINESS_DATA:
        pytest.skip("not about business data")  # listed here so that the skip is visible
    url = _fill(route, foreign)
    if url is None:
        pytest.skip("the parameter is a secret token, not an id")
    before = snapshot()

    if PARAMETER.search(route):
        responses = [owner_client.get(url), owner_client.post(url, {})]
        statuses = [response.status_code for response in responses]
        assert set(statuses) <= {404, 405}, f"{url} answered {statuses}"
        assert 404 in statuses, f"{url} answered {statuses}"
        assert snapshot() == before
    else:
        # Lists, searches and forms without an id: the other business's rows must not show up,
        # not even when searched for by (part of) their name.
        responses = [
            owner_client.get(url),
            owner_client.get(url, {"q": FOREIGN_NAME.rsplit(" ", 1)[0]}),
            owner_client.post(url, {}),
        ]
        assert responses[0].status_code in {200, 302, 405}, (
            f"GET {url} answered {responses[0].status_code}"
        )
    for response in responses:
        _assert_no_leak(response)
