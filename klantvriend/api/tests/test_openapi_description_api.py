"""The browsable docs (/api/v1/docs) are where an integrator starts: they say where a token is
made (the web interface; they named only `manage.py apitoken`, a server command a shop's
integrator cannot run) and where the rules of errors, retries and syncing are written."""

import json

from django.urls import reverse

from klantvriend.api.urls import api as ninja_api


def test_the_schema_says_where_a_token_is_made_and_the_rules_of_every_route(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    description = response.json()["info"]["description"]
    # Each convention an integrator needs before a first write, said where they read it.
    for said in [
        "a member makes a token on the web interface's page Members and connections (`/members/`)",
        "`manage.py apitoken`",
        "`Accept-Language: nl` or `en`",
        "A 404 is also a record of another business.",
        "`type`, a stable code (`missing`, `unique`, `extra_forbidden`, …), and nothing is stored",
        "naming the one it probably meant when one is close",
        "names it: `existing_id`",
        '`"amount_cents": 1250` is 12.50',
        "ISO 8601 with a time zone",
        "`Idempotency-Key`",
        "`If-Match`",
        "the last row's `updated_at` as `changed_since` and its `id` as `after_id`",
    ]:
        assert said.lower() in description.lower(), said
    assert len(description) < 2500  # the conventions, not the manual
    assert reverse("web:members") == "/members/"


def _texts(node) -> list[str]:
    if isinstance(node, dict):
        return [text for value in node.values() for text in _texts(value)]
    if isinstance(node, list):
        return [text for value in node for text in _texts(value)]
    return [node] if isinstance(node, str) else []


def test_the_schema_points_to_no_file_of_the_repository(client, db):
    # A hosted shop's integrator has the docs page, not the repository: "docs/api.md" there
    # pointed to a file they cannot open.
    schema = client.get("/api/v1/openapi.json").json()

    pointers = [text for text in _texts(schema) if "docs/" in text or ".md" in text]

    assert pointers == []


def test_the_schema_is_built_once_and_each_reader_gets_a_copy_of_its_own(client, db):
    first = ninja_api.get_openapi_schema()
    first["paths"].clear()
    first["info"]["description"] = "changed by a reader"

    served = client.get("/api/v1/openapi.json").json()
    assert served == json.loads(json.dumps(ninja_api.get_openapi_schema()))
    assert len(served["paths"]) == 43
    assert served["info"]["description"].startswith("Customers, purchases")
    assert served["paths"]["/api/v1/customers"]["post"]["parameters"][-1]["name"] == (
        "Idempotency-Key"
    )


def test_existing_id_is_an_optional_id_never_null_as_the_refusals_send_it(client, db):
    """The refusals leave `existing_id` out unless a record holds the value; the schema said it
    could be null, which a generated client then had to handle for a value never sent."""
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["FieldError"]

    assert schema["required"] == ["loc", "msg", "type"]
    existing_id = schema["properties"]["existing_id"]
    assert {key: value for key, value in existing_id.items() if key != "description"} == {
        "type": "integer",
        "minimum": 1,
        "title": "Existing Id",
    }
    assert existing_id["description"].endswith("to carry on with it. Absent otherwise.")
