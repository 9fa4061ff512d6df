"""The access request (AVG art. 15) as the person reads it on paper: each kind of record one
table, headed by the fields' own names in the reader's language, with moments in the business's
time, yes and no, choices by their label and amounts as money. The JSON download (art. 20) stays
the plain document of importers/privacy.py."""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from klantvriend.core.models import Business
from klantvriend.core.money import format_cents
from klantvriend.importers.privacy import PersonalRecords

NOTHING = "—"
# Keys of the database and of the page's own customer: not about the person.
_HIDDEN = {"id", "business", "customer", "search_text"}


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]


def readable(obj: models.Model, field: models.Field, business: Business) -> str:
    value = getattr(obj, field.attname)
    if value is None or value == "":
        return NOTHING
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return date_format(business.local(value), "j F Y, H:i")
    if isinstance(value, date):
        return date_format(value, "j F Y")
    if field.is_relation:
        if field.related_model is get_user_model():  # a member of staff, read with the rows
            user = getattr(obj, field.name)
            return user.get_full_name() or user.get_username()
        return f"#{value}"  # another record, by its number: not read again
    if field.name.endswith("_cents"):
        currency = getattr(obj, "currency", "") or business.currency
        return format_cents(int(value), currency, language=get_language() or "nl")
    return str(value)


def _shown_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if field.name not in _HIDDEN]


def customer_facts(customer, tags: list[str]) -> list[tuple[str, str]]:
    facts = [
        (capfirst(field.verbose_name), readable(customer, field, customer.business))
        for field in _shown_fields(type(customer))
    ]
    return [*facts, (_("Tags"), ", ".join(tags) or NOTHING)]


def record_table(records: PersonalRecords, business: Business) -> Table:
    """The rows as a table, with only the columns that hold something for this person."""
    fields = _shown_fields(records.model)
    values = [[readable(row, field, business) for field in fields] for row in records.rows]
    kept = [i for i in range(len(fields)) if any(row[i] != NOTHING for row in values)]
    kind = capfirst(records.model._meta.verbose_name_plural)
    title = (
        _("%(records)s of other customers that name this customer") % {"records": kind}
        if records.naming_them
        else kind
    )
    return Table(
        title,
        [capfirst(fields[i].verbose_name) for i in kept],
        [[row[i] for i in kept] for row in values],
    )


def moment(iso: str, business: Business) -> str:
    """A moment of the access document (ISO 8601) in the business's time."""
    parsed = parse_datetime(iso)
    return date_format(business.local(parsed), "j F Y, H:i") if parsed else iso
