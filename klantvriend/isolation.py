"""Support for the tenant-isolation tests of the web and API layers (klantvriend/*/tests/
test_tenant_isolation.py): rows of every kind in a foreign business, the id to try for each URL
parameter, and a snapshot of all data to prove that a refused request changed nothing.

It lives outside the tests folders because both layers use it and they must not import each
other; it imports only domain code and the factories of the domain apps' tests."""

import importlib
import re
from functools import cache

import factory
from django.apps import apps
from django.db import connection, models

from klantvriend.core.care_settings import care_settings_update
from klantvriend.core.models import ApiToken, Business, BusinessOwned, Membership

# Strings that must never show up in the other business's pages or API answers.
FOREIGN_NAME = "Geheime Klant Elders"
FOREIGN_TEXT = "zeer-geheime-notitie-elders"


def model_factories() -> dict[type[models.Model], type[factory.django.DjangoModelFactory]]:
    found = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("klantvriend."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.factories")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory):
                model = value._meta.model
                if model is not None:
                    found.setdefault(model, value)
    return found


def business_owned_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if issubclass(model, BusinessOwned)]


def create_foreign_rows(business: Business) -> dict[type[models.Model], models.Model]:
    """One row of every kind that has a factory, in `business`, all about one customer; and
    the business's own settings, with a rule whose text must not show elsewhere either."""
    factories = model_factories()
    customer_model = apps.get_model("customers", "Customer")
    customer = factories[customer_model](
        business=business, name=FOREIGN_NAME, notes=FOREIGN_TEXT, email="geheim@elders.example"
    )
    rows: dict[type[models.Model], models.Model] = {customer_model: customer}
    membership = Membership.objects.filter(business=business).order_by("pk").first()
    if membership is not None:
        rows[Membership] = membership
        rows[ApiToken] = ApiToken.objects.create(
            membership=membership, name="foreign", prefix="kv_foreign", key_hash="f" * 64
        )
    care_settings_update(
        business=business,
        actor=None,
        aftercare_purchase_rules=[{"words": [FOREIGN_NAME], "days": 5, "ask": FOREIGN_TEXT}],
    )
    for model, model_factory in factories.items():
        if model is customer_model:
            continue
        field_names = {field.name for field in model._meta.get_fields()}
        kwargs = {"customer": customer} if "customer" in field_names else {"business": business}
        rows[model] = model_factory(**kwargs)
    return rows


def model_for_parameter(name: str) -> type[models.Model] | None:
    """`follow_up_id` -> FollowUp: the model whose id a URL parameter carries; `other_...`
    a second row of that model (the record merged into a customer: `other_customer_id`)."""
    match = re.fullmatch(r"(?:other_)?(\w+)_id", name)
    if not match:
        return None
    wanted = match.group(1).replace("_", "")
    for model in business_owned_models():
        if model.__name__.lower() == wanted:
            return model
    # Rows of the tenancy itself, and the import history (an account of the server's work, not
    # business data: importers.models.ImportRecord), reached through their business as well.
    return {
        "membership": Membership,
        "token": ApiToken,
        "importrecord": apps.get_model("importers", "ImportRecord"),
    }.get(wanted)


def snapshot_of(business: Business) -> dict[str, list[dict]]:
    """The rows of one business (its own row, with its settings, and every row it owns), to
    prove that a request of another business left them as they were, whatever it did to its
    own."""
    data = {"core.Business": list(Business.objects.filter(pk=business.pk).values())}
    for model in business_owned_models():
        data[model._meta.label] = list(
            model._default_manager.filter(business=business).order_by("pk").values()
        )
    return data


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table of the project, to compare before and after a request: read in
    plain SQL, a table a statement in the order of its key, as the database stores the values
    (the tests take one before and after hundreds of requests; through the ORM, compiling and
    sorting them cost a twentieth of the suite on PostgreSQL)."""
    with connection.cursor() as cursor:
        data = {}
        for label, statement in _snapshot_statements(connection.vendor):
            cursor.execute(statement)
            data[label] = cursor.fetchall()
    return data


@cache
def _snapshot_statements(vendor: str) -> list[tuple[str, str]]:
    """The statements of a snapshot, kept per kind of database (`vendor`), each quoting names
    its own way."""
    quote = connection.ops.quote_name
    statements = []
    for model in apps.get_models():
        if model._meta.app_label in {"sessions", "admin"} or model.__name__ in {"ApiToken", "User"}:
            continue  # sessions and last-use stamps change by design on every request
        columns = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
        table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
        statements.append((model._meta.label, f"SELECT {columns} FROM {table} ORDER BY {key}"))
    return statements
