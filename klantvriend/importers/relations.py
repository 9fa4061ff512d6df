"""Every row in the project that belongs to a customer or names one, found generically: every
business model with a foreign key to Customer. The privacy duties (privacy.py) and merging two
records of one person (merge.py) reach a new app's rows through these without a change."""

from django.apps import apps
from django.db import models

from klantvriend.core.models import BusinessOwned
from klantvriend.customers.models import Customer, DistinctPair, ErasedIdentity


def customer_relations() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """(model, foreign key) of every business model with a foreign key to Customer."""
    found = []
    for model in apps.get_models():
        # The erased identifiers are left out: they exist only once the person is anonymised,
        # erasure writes them rather than empties them, and in an access request (art. 15) a
        # salted digest is nothing the person can read; it would only hand out what to test
        # guessed e-mail addresses against. The pairs marked as different people are the
        # owner's bookkeeping of two records, ids only: a merge moves them by a rule of their
        # own (customers.services.distinct_pairs_move), never as rows of one customer, which
        # would leave a pair of the kept record with itself; erasure deletes them.
        if not issubclass(model, BusinessOwned) or model in (
            Customer,
            DistinctPair,
            ErasedIdentity,
        ):
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Customer:
                found.append((model, field))
    return sorted(found, key=lambda pair: (pair[0]._meta.label_lower, pair[1].name))


def customer_models() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """(model, foreign key) of every business model whose rows belong to one customer."""
    return [(model, field) for model, field in customer_relations() if field.name == "customer"]


def mentioning_models() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """(model, foreign key) of the business models whose rows belong to someone else but point
    at a customer, and so may name them: the thank-you follow-up planned for a referrer names
    the customer they brought in (`referred_customer`)."""
    return [(model, field) for model, field in customer_relations() if field.name != "customer"]
