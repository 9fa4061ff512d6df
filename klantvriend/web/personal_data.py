"""The access request (AVG art. 15) as the person reads it on paper: each kind of record one
table, headed by the fields' own names in the reader's language, with moments in the business's
time, yes and no, choices by their label and amounts as money. The JSON download (art. 20) stays
the plain document of importers/privacy.py.

A long-standing customer has a thousand rows or more here, so each column gets its formatter
once and the table body is written in Python (escaped), not cell by cell in a template."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.dates import MONTHS
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from klantvriend.core.members import staff_name
from klantvriend.core.models import Business
from klantvriend.core.money import amount_shown
from klantvriend.core.numbers import number_rounded
from klantvriend.core.shown import moment_known
from klantvriend.customers.models import DERIVED_FIELDS
from klantvriend.importers.privacy import PersonalData, PersonalRecords

from .templatetags.care import audit_action, audit_object

NOTHING = "—"
# Keys of the database and of the page's own customer: not about the person.
_HIDDEN = {"id", "business", "customer", *DERIVED_FIELDS}

Formatter = Callable[[models.Model, object], str]


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    body: SafeString  # the rows, escaped
    count: int
    newest: int | None = None  # below `count`: the rows are only the newest this many
    # A kind of record a customer has at most one of (the customer insights, 14 columns) reads
    # as a list of its fields, label beside value, as the customer's own facts: as a table of
    # one row it was wider than a laptop's screen.
    facts: list[tuple[str, str]] | None = None


def _months() -> list[str]:
    """The month names in the reader's language, looked up once per page ("j F Y" below)."""
    return [""] + [str(MONTHS[number]) for number in range(1, 13)]


def _day(value: date, months: list[str]) -> str:
    return f"{value.day} {months[value.month]} {value.year}"  # "j F Y", as date_format writes it


def _clock(local: datetime, months: list[str]) -> str:
    return f"{_day(local, months)}, {local:%H:%M}"


def _moment(value: datetime, business: Business, months: list[str], time_known: bool = True) -> str:
    """In the business's time; the day alone where the time of day is not known (a purchase
    imported with its date alone: core.shown.moment_known)."""
    known = moment_known(business.local(value), time_known, zone=business.tzinfo)
    return _clock(known, months) if isinstance(known, datetime) else _day(known, months)


def _formatter(field: models.Field, business: Business, months: list[str]) -> Formatter:
    """How one column's values read (given a non-empty value and its row)."""
    if field.choices:
        labels = {key: str(label) for key, label in field.flatchoices}
        return lambda row, value: labels.get(value, str(value))
    if isinstance(field, models.BooleanField):
        yes, no = _("yes"), _("no")
        return lambda row, value: yes if value else no
    if isinstance(field, models.DateTimeField):
        if field.name == "at" and _has_field(field.model, "time_known"):
            return lambda row, value: _moment(value, business, months, row.time_known)
        return lambda row, value: _moment(value, business, months)
    if field.name == "customer_since":
        # A file's customer without it: the import's day, as what it is (Customer.
        # customer_since_known), as the profile says it.
        return lambda row, value: (
            _day(value, months)
            if row.customer_since_known
            else _("not known, at the latest %(day)s") % {"day": _day(value, months)}
        )
    if isinstance(field, models.DateField):
        return lambda row, value: _day(value, months)
    if field.is_relation and field.related_model is get_user_model():  # read with the rows

        def member(row, value):
            user = getattr(row, field.name)
            return staff_name(user)

        return member
    if field.is_relation:
        return lambda row, value: f"#{value}"  # another record, by its number: not read again
    if isinstance(field, models.FloatField):
        if field.name.startswith("probability"):  # a chance, shown as on the profile
            return lambda row, value: f"{round(100 * value)}%"
        return lambda row, value: number_rounded(value, 1)
    if field.name.endswith("_cents"):
        return lambda row, value: amount_shown(
            int(value), getattr(row, "currency", "") or business.currency
        )
    return lambda row, value: str(value)


def _shown(field: models.Field, model: type[models.Model]) -> bool:
    """Not the keys, not codes nobody can read (hashes), and not what a moment beside it
    already says: its day (a promise's `due_on` is its `due_at` as a date, kept for an index),
    whether a purchase's time of day is known (its `at` is then its date alone), or whether a
    customer's "customer since" is (then "at the latest" that day)."""
    if field.name in _HIDDEN or field.name.endswith("_hash"):
        return False
    if field.name in ("time_known", "customer_since_known"):  # said by the moment or day
        return False
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        stem = field.name.removesuffix("_on")
        return stem == field.name or not _has_field(model, f"{stem}_at")
    return True


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(field.name == name for field in model._meta.concrete_fields)


def _columns(model: type[models.Model], business: Business, months: list[str]):
    return [
        (field, _formatter(field, business, months))
        for field in model._meta.concrete_fields
        if _shown(field, model)
    ]


def _values(row: models.Model, columns) -> list[str]:
    values = []
    for field, formatter in columns:
        value = getattr(row, field.attname)
        values.append(NOTHING if value is None or value == "" else formatter(row, value))
    return values


def customer_facts(data: PersonalData) -> list[tuple[str, str]]:
    columns = _columns(type(data.customer), data.customer.business, _months())
    facts = [
        (capfirst(field.verbose_name), value)
        for (field, _formatter_), value in zip(
            columns, _values(data.customer, columns), strict=True
        )
    ]
    return [*facts, (_("Tags"), ", ".join(data.tags) or NOTHING)]


def record_table(records: PersonalRecords, business: Business, months: list[str]) -> Table:
    """The rows as a table, with only the columns that hold something for this person."""
    columns = _columns(records.model, business, months)
    values = [_values(row, columns) for row in records.rows]
    kept = [i for i in range(len(columns)) if any(row[i] != NOTHING for row in values)]
    kind = capfirst(records.model._meta.verbose_name_plural)
    title = (
        _("%(records)s of other customers that name this customer") % {"records": kind}
        if records.naming_them
        else kind
    )
    headers = [capfirst(columns[i][0].verbose_name) for i in kept]
    rows = [[row[i] for i in kept] for row in values]
    if len(rows) == 1 and _one_per_customer(records.model):
        return Table(title, headers, _body([]), 1, facts=list(zip(headers, rows[0], strict=True)))
    return Table(title, headers, _body(rows), len(rows))


def _one_per_customer(model: type[models.Model]) -> bool:
    return any(
        isinstance(field, models.OneToOneField) and field.name == "customer"
        for field in model._meta.concrete_fields
    )


def _body(rows: list[list[str]]) -> SafeString:
    return mark_safe(  # every value escaped here
        "".join(
            "<tr>" + "".join(f"<td>{escape(value)}</td>" for value in row) + "</tr>" for row in rows
        )
    )


def personal_tables(data: PersonalData) -> list[Table]:
    """Every kind of record, and last the trail of who viewed or changed the data, newest
    first: the events `data` holds (on the page only the newest) under the count of them all."""
    business = data.customer.business
    months = _months()
    tables = [record_table(records, business, months) for records in data.records]
    tables.append(_import_errors_table(data, months))
    tables.append(
        Table(
            _("Who viewed or changed this data"),
            [_("When"), _("Who"), _("What")],
            _body(_trail(data, months)[::-1]),
            data.audit_events,
            newest=len(data.audit_trail),
        )
    )
    return tables


def _import_errors_table(data: PersonalData, months: list[str]) -> Table:
    """The errors of the business's imports that quote the person, as the import's page shows
    them, under the import they belong to: the history keeps them IMPORT_HISTORY_DAYS."""
    business = data.customer.business
    rows = [
        [
            f"{record.file_name}, {_moment(record.started_at, business, months)}",
            NOTHING if error.line is None else str(error.line),
            error.column or NOTHING,
            error.value or NOTHING,
            error.message,
        ]
        for record, error in data.import_errors
    ]
    return Table(
        _("Errors of imports that quote this customer"),
        [_("Imported file"), _("Line"), _("Column"), _("Value"), _("Problem")],
        _body(rows),
        len(rows),
    )


def _trail(data: PersonalData, months: list[str]) -> list[list[str]]:
    """Oldest first, one row per event, except that the same person doing the same thing again
    on the same day (opening the profile forty times) is one row: the first and last time, and
    how often."""
    business = data.customer.business
    what: dict[tuple[str, str], str] = {}
    runs: list[list] = []  # [first, last, who, kind, count]
    for event in data.audit_trail:
        kind = (event.object_type, event.action)
        if kind not in what:
            what[kind] = f"{capfirst(audit_object(kind[0]))}: {audit_action(kind[1])}"
        who = staff_name(event.actor) if event.actor else NOTHING
        local = business.local(event.at)
        last = runs[-1] if runs else None
        if last and (last[2], last[3]) == (who, kind) and last[1].date() == local.date():
            last[1] = local
            last[4] += 1
        else:
            runs.append([local, local, who, kind, 1])
    rows = []
    for first, last, who, kind, count in runs:
        when = _clock(first, months)
        if count > 1:
            # Within one minute a span would read "10:00–10:00": the count says enough.
            if f"{last:%H:%M}" != f"{first:%H:%M}":
                when += f"–{last:%H:%M}"
            when += f" ({count}×)"
        rows.append([when, who, what[kind]])
    return rows
