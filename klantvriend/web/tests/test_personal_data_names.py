"""The copy of a customer's data heads its tables and facts with the fields' names, in the
reader's language: a field left without a translatable name read "Repeat day" among Dutch
headers. Checked of every field the copy shows, of the customer and of every kind of record
that belongs to them or names them, so that a new field is covered as it comes."""

from django.utils.functional import Promise

from klantvriend.customers.models import Customer
from klantvriend.importers.relations import customer_relations
from klantvriend.web.personal_data import _shown


def test_every_field_the_copy_of_a_customer_s_data_shows_has_a_translatable_name():
    models = {Customer, *(model for model, _field in customer_relations())}
    unnamed = sorted(
        f"{model._meta.label}.{field.name}"
        for model in models
        for field in model._meta.concrete_fields
        if _shown(field, model) and not isinstance(field.verbose_name, Promise)
    )

    assert unnamed == []
