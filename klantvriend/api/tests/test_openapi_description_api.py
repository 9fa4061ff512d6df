"""The browsable docs (/api/v1/docs) are where an integrator starts: they say where a token is
made (the web interface; they named only `manage.py apitoken`, a server command a shop's
integrator cannot run) and where the rules of errors, retries and syncing are written."""

from django.urls import reverse


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
