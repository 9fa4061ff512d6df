"""The docs page (/api/v1/docs) is all a hosted shop's integrator has: an operation or a field
shown by its bare name (`POST /purchases`, a customer's `referred_by`) leaves them guessing what
it does, in what unit and what null means. Every operation and every property of every
component schema, the error bodies shared by all routes too, says it; a new route or field
without a description fails here, naming it."""

import pytest

HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}


@pytest.fixture
def schema(client, db):
    return client.get("/api/v1/openapi.json").json()


def test_every_operation_has_a_description(schema):
    undescribed = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in HTTP_METHODS and not operation.get("description", "").strip()
    ]

    assert undescribed == [], "Operations without a description: " + ", ".join(undescribed)


def test_every_property_of_every_component_schema_has_a_description(schema):
    undescribed = [
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        for field, prop in component.get("properties", {}).items()
        if not prop.get("description", "").strip()
    ]

    assert undescribed == [], "Properties without a description: " + ", ".join(undescribed)


def test_the_walk_sees_the_shared_error_bodies_and_the_writes(schema):
    # The walks above would pass on a schema they did not read: they see the error bodies every
    # route shares and the operations a till calls first.
    components = schema["components"]["schemas"]
    assert {"Message", "Conflict", "ValidationErrors", "FieldError"} <= set(components)
    assert components["Message"]["properties"]["detail"]["description"]
    assert schema["paths"]["/api/v1/purchases"]["post"]["description"]
    assert components["CustomerCreate"]["properties"]["referred_by"]["description"]
