"""The browsable docs (/api/v1/docs) are where an integrator starts: they say where a token is
made (the web interface; they named only `manage.py apitoken`, a server command a shop's
integrator cannot run) and where the rules of errors, retries and syncing are written."""

import json

from django.urls import reverse

from klantvriend.api.urls import api as ninja_api


def test_the_schema_says_where_a_token_is_made_and_where_the_rules_are(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json()["info"]["description"] == (
        "Customers, purchases, contact moments, promises, complaints, follow-ups and gestures of "
        "one business. Authenticate with `Authorization: Bearer <token>`: a member makes one on "
        "the web interface's page Members and API tokens (`/members/`), an administrator with "
        "`manage.py apitoken`. Errors, retries with `Idempotency-Key`, syncing and amounts: "
        "docs/api.md."
    )
    assert reverse("web:members") == "/members/"


def test_the_schema_is_built_once_and_each_reader_gets_a_copy_of_its_own(client, db):
    first = ninja_api.get_openapi_schema()
    first["paths"].clear()
    first["info"]["description"] = "changed by a reader"

    served = client.get("/api/v1/openapi.json").json()
    assert served == json.loads(json.dumps(ninja_api.get_openapi_schema()))
    assert len(served["paths"]) == 41
    assert served["info"]["description"].startswith("Customers, purchases")
    assert served["paths"]["/api/v1/customers"]["post"]["parameters"][-1]["name"] == (
        "Idempotency-Key"
    )
