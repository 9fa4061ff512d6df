"""Every answer body is read by pydantic itself (api.common.Out), not through ninja's Schema,
whose wrapper reads each field in Python (five times as long for a page of customers)."""

import typing

from ninja import Schema
from pydantic import BaseModel

from klantvriend.api.common import Out
from klantvriend.api.customers import CustomerOut, CustomerPage
from klantvriend.api.urls import api as ninja_api


def _models_in(annotation) -> set[type[BaseModel]]:
    """The pydantic models an annotation names, and those their fields name, all the way down."""
    found: set[type[BaseModel]] = set()
    waiting = [annotation]
    while waiting:
        kind = waiting.pop()
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            if kind not in found:
                found.add(kind)
                waiting += [field.annotation for field in kind.model_fields.values()]
        else:
            waiting += list(typing.get_args(kind))
    return found


def answer_models() -> dict[str, set[type[BaseModel]]]:
    """Per operation ("GET /customers"), the models of its answers."""
    answers = {}
    for prefix, router in ninja_api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                models = set()
                for wrapper in operation.response_models.values():
                    if wrapper is not None and hasattr(wrapper, "model_fields"):
                        models |= _models_in(wrapper.model_fields["response"].annotation)
                for method in operation.methods:
                    answers[f"{method} {prefix}{path}"] = models
    return answers


def test_every_answer_is_read_by_pydantic_itself():
    answers = answer_models()
    documented = ninja_api.get_openapi_schema()["paths"]
    # every route of every router was walked
    assert len(answers) == sum(len(operations) for operations in documented.values())
    assert {CustomerPage, CustomerOut} <= answers["GET /customers"]
    read_through_ninja = {
        f"{operation}: {model.__name__}"
        for operation, models in answers.items()
        for model in models
        if issubclass(model, Schema) or not issubclass(model, Out)
    }
    assert read_through_ninja == set()
