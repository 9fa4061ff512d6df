"""Everything of one business, out and back in.

`business_export` writes one zip: a CSV file per kind of record (customers.csv, purchases.csv,
…) and `klantvriend.json` with the same data in one document. Every model holding business data
(a subclass of `BusinessOwned`, in whatever app) is included automatically, so a new app's data
is exported without changes here. Foreign keys are written as the id of the referenced row in
the same export, people (who made a promise) as their user name.

customers.csv and purchases.csv are also written for the ordinary importers, so that a shop can
read its own data back, into another business or into this one, with `import_data` or the
import page: a purchase names its customer by customer number (with name and e-mail address),
its amount in euros with a decimal comma and its moment in the business's time zone; a customer
without a number and a purchase without a receipt number get a key instead (export_keys).

`business_restore` reads the JSON document back into an empty business: the round trip that
proves nothing is lost when a shop moves to another server."""

import codecs
import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import get_language, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from klantvriend.complaints.models import DEADLINE_FIELDS, Complaint
from klantvriend.complaints.services import complaint_deadlines_set
from klantvriend.core.audit import AuditAction, audit_record
from klantvriend.core.errors import ValidationError
from klantvriend.core.members import member_users, staff_name
from klantvriend.core.models import AuditEvent, Business, BusinessOwned, Membership
from klantvriend.core.numbers import count_shown
from klantvriend.core.shown import moment_known, moment_shown
from klantvriend.customers.identity import renumbering
from klantvriend.customers.important_dates import important_date_doubles
from klantvriend.customers.models import (
    DERIVED_FIELDS,
    AcquisitionChannel,
    Customer,
    ImportantDate,
)
from klantvriend.insights.models import CustomerInsight, Segment, Stage
from klantvriend.insights.selectors import bought_once

from .export_keys import CUSTOMER, PURCHASE, export_key
from .spreadsheet import cell_for_spreadsheet

FORMAT = "klantvriend-export"
# For Excel, which the owner opens the CSV files in: a byte order mark, or it reads UTF-8 as
# Windows-1252; semicolons, the only separator a Dutch Excel splits on (the importers read
# both back).
CSV_ENCODING = "utf-8-sig"
CSV_DELIMITER = ";"
VERSION = 1
JSON_NAME = "klantvriend.json"
# Derived from other fields and written again on restore.
_SKIPPED_FIELDS = {"business", *DERIVED_FIELDS, *DEADLINE_FIELDS}
_FRIENDLY = {
    "customers.tag": "tags",
    "customers.customer": "customers",
    "customers.consentrecord": "consent_records",
    "customers.importantdate": "important_dates",
    "customers.contactmoment": "contact_moments",
    "customers.purchase": "purchases",
    "customers.erasedidentity": "erased_identities",
    "customers.privacyrequest": "privacy_requests",
    "promises.promise": "promises",
    "complaints.complaint": "complaints",
    "aftercare.followup": "follow_ups",
    "gestures.gesture": "gestures",
}


def _business_models() -> list[type[models.Model]]:
    """Every concrete BusinessOwned model, ordered so that a model comes after the models its
    foreign keys point to (a referrer inside the same model is handled on restore)."""
    found = [
        model
        for model in apps.get_models()
        if issubclass(model, BusinessOwned) and not model._meta.abstract
    ]
    ordered: list[type[models.Model]] = []
    pending = sorted(found, key=lambda model: model._meta.label_lower)
    while pending:
        for model in pending:
            targets = {
                field.related_model
                for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
                if field.is_relation
                and field.related_model in found
                and field.related_model is not model
            }
            if targets <= set(ordered):
                ordered.append(model)
                pending.remove(model)
                break
        else:  # a cycle between models: keep the rest in name order
            ordered.extend(pending)
            break
    return ordered


def section_name(model: type[models.Model]) -> str:
    return _FRIENDLY.get(model._meta.label_lower, model._meta.label_lower.replace(".", "_"))


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if field.name not in _SKIPPED_FIELDS]


def _m2m(model: type[models.Model]) -> list[models.ManyToManyField]:
    return list(model._meta.many_to_many)


def _is_user(field: models.Field) -> bool:
    return field.is_relation and field.related_model is apps.get_model(settings.AUTH_USER_MODEL)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows(business: Business, model: type[models.Model]) -> Iterator[dict[str, Any]]:
    fields = _fields(model)
    user_fields = [field for field in fields if _is_user(field)]
    usernames = {}
    if user_fields:
        user_model = apps.get_model(settings.AUTH_USER_MODEL)
        usernames = dict(
            user_model.objects.filter(memberships__business=business).values_list(
                "pk", user_model.USERNAME_FIELD
            )
        )
    names = [field.attname for field in fields]
    many = _m2m(model)
    queryset = model.objects.filter(business=business).order_by("pk")
    last = 0  # keyset pagination: bounded memory whatever the size
    while True:
        chunk = list(queryset.filter(pk__gt=last).values_list(*names)[:2000])
        if not chunk:
            return
        links: dict[str, dict[int, list[int]]] = {}
        for field in many:
            through = field.remote_field.through
            source = field.m2m_field_name() + "_id"
            target = field.m2m_reverse_field_name() + "_id"
            links[field.name] = {}
            for left, right in (
                through.objects.filter(
                    **{f"{source}__in": [row[names.index("id")] for row in chunk]}
                )
                .values_list(source, target)
                .order_by(source, target)
            ):
                links[field.name].setdefault(left, []).append(right)
        for values in chunk:
            row = {}
            for field, value in zip(fields, values, strict=True):
                if _is_user(field):
                    value = usernames.get(value) if value is not None else None
                row[field.name] = _plain(value)
            for field in many:
                row[field.name] = links[field.name].get(row["id"], [])
            yield row
        last = chunk[-1][names.index("id")]


def _extra_sections(business: Business) -> dict[str, Iterator[dict[str, Any]]]:
    """Exported for completeness, not restored: who worked here and the audit trail."""

    def members():
        for membership in Membership.objects.filter(business=business).select_related("user"):
            yield {
                "username": membership.user.get_username(),
                "name": membership.user.get_full_name(),
                "role": membership.role,
                "since": _plain(membership.created_at),
            }

    def audit_events():
        for event in (
            AuditEvent.objects.filter(business=business)
            .select_related("actor")
            .order_by("pk")
            .iterator(2000)
        ):
            yield {
                "id": event.pk,
                "at": _plain(event.at),
                "actor": event.actor.get_username() if event.actor else None,
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "customer": event.customer_id,
                "changes": event.changes,
            }

    return {"members": members(), "audit_events": audit_events()}


def _link_labels(business: Business, model: type[models.Model]) -> dict[str, dict[int, str]]:
    """For the CSV files, which people read: a customer's tags by name rather than by the ids
    of tags.csv (the JSON document keeps the ids, to restore the links)."""
    return {
        field.name: {
            linked.pk: str(linked)
            for linked in field.related_model.objects.filter(business=business)
        }
        for field in _m2m(model)
        if issubclass(field.related_model, BusinessOwned)
    }


def _labelled(row: dict[str, Any], column: str, labels: dict[str, dict[int, str]]) -> Any:
    value = row.get(column)
    if column in labels:
        return sorted(labels[column][pk] for pk in value)
    return value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return cell_for_spreadsheet(";".join(str(item) for item in value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return cell_for_spreadsheet(value)
    return str(value)


class _CsvView:
    """How the rows of one section read in its CSV file: every column as in the JSON document,
    linked rows by name."""

    def __init__(self, business: Business, model: type[models.Model] | None, columns: list[str]):
        self.business = business
        self.columns = columns
        self.labels = _link_labels(business, model) if model is not None else {}

    def header(self, first: dict[str, Any] | None) -> list[str]:
        # The sections that are not models (members, audit events) take their first row's keys.
        if not self.columns and first is not None:
            self.columns = list(first)
        return self.columns

    def rows(self, chunk: list[dict[str, Any]]) -> Iterator[list[str]]:
        for row in chunk:
            yield [_csv_value(_labelled(row, column, self.labels)) for column in self.columns]


def _staff_names(usernames: Iterable[str | None]) -> dict[str, str]:
    """{user name: the name the pages show} of the people the JSON rows name by user name
    (_rows): a spreadsheet shows their name, which the importers match again."""
    return {
        user.get_username(): staff_name(user)
        for user in get_user_model()
        .objects.filter(username__in={name for name in usernames if name})
        .only("username", "first_name", "last_name")
    }


class _CustomersCsv(_CsvView):
    """A customer without a number gets the key that purchases.csv names them by, and their
    referrer is named by theirs; their regular staff member is named as the pages name
    them."""

    def rows(self, chunk: list[dict[str, Any]]) -> Iterator[list[str]]:
        members = _staff_names(row["regular_member"] for row in chunk)
        referrers = {
            pk: number or self._key(pk, _plain(recorded_at))
            for pk, number, recorded_at in Customer.objects.filter(
                business=self.business,
                pk__in={row["referred_by"] for row in chunk if row["referred_by"]},
            )
            .order_by()
            .values_list("pk", "external_ref", "created_at")
        }
        keyed = [
            {
                **row,
                "external_ref": row["external_ref"] or self._key(row["id"], row["created_at"]),
                "regular_member": members.get(row["regular_member"], ""),
                # By the number (or key) the import finds the referrer by, not by an id.
                "referred_by": referrers.get(row["referred_by"], ""),
            }
            for row in chunk
        ]
        return super().rows(keyed)

    def _key(self, pk: int, recorded_at: str) -> str:
        return export_key(
            business_id=self.business.pk, kind=CUSTOMER, pk=pk, recorded_at=recorded_at
        )


def _euros(cents: int, decimal: str = ",") -> str:
    """An amount as the importers and a Dutch spreadsheet read it: euros with a decimal comma
    (or the `decimal` mark given: an English spreadsheet's point)."""
    units, rest = divmod(cents, 100)
    return f"{units}{decimal}{rest:02d}"


# The purchase importer's own field names (importers.mapping), so that it finds every column.
PURCHASE_CSV_COLUMNS = [
    "customer_number",
    "name",
    "email",
    "date",
    "amount",
    "currency",
    "description",
    "receipt_number",
    "member",
]


class _PurchasesCsv(_CsvView):
    """A purchase as a till export has it, for the purchase importer: the customer by number,
    name and e-mail address, the moment in the business's time zone, the amount in euros, who
    served it by the name the pages show (which the importer matches again)."""

    def header(self, first: dict[str, Any] | None) -> list[str]:
        return PURCHASE_CSV_COLUMNS

    def rows(self, chunk: list[dict[str, Any]]) -> Iterator[list[str]]:
        business_id = self.business.pk
        zone = ZoneInfo(self.business.time_zone)
        customers = {
            pk: (
                number
                or export_key(
                    business_id=business_id, kind=CUSTOMER, pk=pk, recorded_at=_plain(recorded_at)
                ),
                name,
                email,
            )
            for pk, number, recorded_at, name, email in Customer.objects.filter(
                business=self.business, pk__in={row["customer"] for row in chunk}
            )
            .order_by()
            .values_list("pk", "external_ref", "created_at", "name", "email")
        }
        served_by = _staff_names(row["member"] for row in chunk)
        for row in chunk:
            number, name, email = customers[row["customer"]]
            # To the second: the importers read no fractions of a second. A purchase whose time
            # is not known has its date alone, which the import reads back as such.
            moment = datetime.fromisoformat(row["at"]).astimezone(zone).replace(microsecond=0)
            when = moment_known(moment, row["time_known"], zone=zone).isoformat()
            receipt = row["external_ref"] or export_key(
                business_id=business_id, kind=PURCHASE, pk=row["id"], recorded_at=row["created_at"]
            )
            yield [
                _csv_value(value)
                for value in (
                    number,
                    name,
                    email,
                    when,
                    _euros(row["amount_cents"]),
                    row["currency"],
                    row["description"],
                    receipt,
                    served_by.get(row["member"], ""),
                )
            ]


_CSV_VIEWS: dict[str, type[_CsvView]] = {
    "customers.customer": _CustomersCsv,
    "customers.purchase": _PurchasesCsv,
}
_CSV_CHUNK = 2000


def business_export(
    *, business: Business, out: Path | io.BufferedIOBase, actor=None
) -> dict[str, int]:
    """Writes the zip; returns the number of rows per section. The JSON document is written as
    a stream, so the size of the business does not decide the memory used."""
    counts: dict[str, int] = {}
    # A zip takes one open entry at a time: the CSV files wait in a temporary folder while the
    # JSON document is streamed into the archive, and are added after it.
    with (
        tempfile.TemporaryDirectory(prefix="klantvriend-export-") as folder,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        with archive.open(JSON_NAME, "w", force_zip64=True) as raw:
            document = io.TextIOWrapper(raw, encoding="utf-8")
            head = {
                "format": FORMAT,
                "version": VERSION,
                "exported_at": _plain(timezone.now()),
                "business": {
                    "name": business.name,
                    "slug": business.slug,
                    "time_zone": business.time_zone,
                    "currency": business.currency,
                    "settings": business.settings,
                },
            }
            document.write(json.dumps(head, ensure_ascii=False)[:-1])
            sections: list[tuple[str, Iterator[dict[str, Any]], _CsvView]] = []
            for model in _business_models():
                columns = [field.name for field in _fields(model)] + [f.name for f in _m2m(model)]
                view = _CSV_VIEWS.get(model._meta.label_lower, _CsvView)(business, model, columns)
                sections.append((section_name(model), _rows(business, model), view))
            for name, rows in _extra_sections(business).items():
                sections.append((name, rows, _CsvView(business, None, [])))
            for name, rows, view in sections:
                document.write(f', "{name}": [')
                count = 0
                csv_path = Path(folder) / f"{name}.csv"
                with csv_path.open("w", encoding=CSV_ENCODING, newline="") as text:
                    writer = csv.writer(text, delimiter=CSV_DELIMITER)
                    chunk: list[dict[str, Any]] = []
                    for row in rows:
                        if count == 0:
                            writer.writerow(view.header(row))
                        document.write(("," if count else "") + json.dumps(row, ensure_ascii=False))
                        count += 1
                        chunk.append(row)
                        if len(chunk) == _CSV_CHUNK:
                            writer.writerows(view.rows(chunk))
                            chunk = []
                    if count == 0:
                        writer.writerow(view.header(None))
                    writer.writerows(view.rows(chunk))
                document.write("]")
                counts[name] = count
            document.write("}")
            document.flush()
            document.detach()
        for name in counts:
            archive.write(Path(folder) / f"{name}.csv", f"{name}.csv")
        archive.writestr(_("read-me.txt"), _read_me(business, counts))
    audit_record(
        business=business,
        actor=actor,
        action=AuditAction.EXPORTED,
        obj=business,
        changes={"rows": counts},
    )
    return counts


def _read_me(business: Business, counts: dict[str, int]) -> str:
    """What the zip holds, in the reader's language: which file restores and which are for a
    spreadsheet, in what conventions, and that it is every customer's personal data. The files'
    names are the records' (customers.csv, insights_customerinsight.csv), which said nothing of
    what they were for to whoever opened the zip."""
    lines = [
        _("Export of %(business)s, made on %(moment)s.")
        % {
            # Plain spaces in a plain text file: the pages' no-break spaces are for lines of HTML.
            "business": business.name,
            "moment": moment_shown(timezone.now(), zone=business.tzinfo).replace("\u00a0", " "),
        },
        "",
        _(
            "%(json)s: everything, for whoever runs Klantvriend for you to restore into an "
            "empty business (their command: manage.py restore_business). Keep the zip whole."
        )
        % {"json": JSON_NAME},
        _(
            "The CSV files: the same records, a file for each kind, to open in a spreadsheet: "
            "UTF-8, separated by semicolons, moments in ISO 8601 with their offset. "
            "purchases.csv has the columns the purchase import reads, its amounts in euros with "
            "a decimal comma; a purchase whose time of day is not known (imported from a file "
            "with its date alone) has its date alone there. The other files hold each record's "
            "fields as Klantvriend stores them: an amount in cents (a column ending in _cents: "
            "1500 is 15.00), a computed figure with a decimal point, a choice by its code "
            "(walk_in, advertisement)."
        ),
        "",
        _("What each file holds:"),
        *(
            "  "
            + ngettext("%(file)s: %(count)s row", "%(file)s: %(count)s rows", count)
            % {"file": f"{name}.csv", "count": count_shown(count)}
            for name, count in counts.items()
        ),
        "",
        _(
            "It holds the personal data of every customer: keep it as safe as the shop's own "
            "system, and delete it once it is no longer needed."
        ),
    ]
    return "\r\n".join(lines) + "\r\n"


# The customer list as filtered ----------------------------------------------------------------

# The columns a shopkeeper calls from, headed in the reader's language with the words the
# customer importer recognises (importers.mapping: the field each maps back to, None for what the
# insights tell of each customer, which an import leaves aside), so that the file also reads back.
CUSTOMER_LIST_CSV_COLUMNS: list[tuple[str | None, Any]] = [
    ("customer_number", pgettext_lazy("CSV column", "customer number")),
    ("name", pgettext_lazy("CSV column", "name")),
    ("company", pgettext_lazy("CSV column", "company")),
    ("phone", pgettext_lazy("CSV column", "phone")),
    ("email", pgettext_lazy("CSV column", "email")),
    ("postal_code", pgettext_lazy("CSV column", "postal code")),
    ("city", pgettext_lazy("CSV column", "city")),
    ("customer_since", pgettext_lazy("CSV column", "customer since")),
    (None, pgettext_lazy("CSV column", "last purchase")),
    (None, pgettext_lazy("CSV column", "segment")),
    (None, pgettext_lazy("CSV column", "stage")),
    (None, pgettext_lazy("CSV column", "value")),
    # As a percentage, as the pages show it: "0,1500" read as fifteen hundredths of a euro.
    (None, pgettext_lazy("CSV column", "probability alive (%)")),
    ("regular_member", pgettext_lazy("CSV column", "regular staff member")),
    # By the words the card and the form use; the referrer by name, as the pages show them
    # (the import reads a name back; the export's customers.csv writes their number).
    ("acquisition_channel", pgettext_lazy("CSV column", "came to us through")),
    ("referred_by", pgettext_lazy("CSV column", "referred by")),
    ("tags", pgettext_lazy("CSV column", "tags")),
    ("marketing_consent", pgettext_lazy("CSV column", "marketing consent")),
]


def customer_list_csv(
    *, business: Business, pages: Iterable[list[Customer]], count: int, filters: dict, actor
) -> Iterator[bytes]:
    """The customer list as its filters select it, as a CSV file like customers.csv (encoding,
    separator, guarded cells): records in the audit trail who downloaded how many customers
    with which filters, then returns the file as a stream of bytes, a page of the list at a
    time, so that the size of the list does not decide the memory used. `pages`: the customers
    in the list's order, each with `last_purchase_at`, without their insight joined."""
    audit_record(
        business=business,
        actor=actor,
        action=AuditAction.EXPORTED,
        obj=business,
        changes={"customer_list": {"customers": count, "filters": filters}},
    )
    # The words in the reader's language, taken now: the stream is read after the view returns.
    words = _ListWords(
        header=[str(label) for _field, label in CUSTOMER_LIST_CSV_COLUMNS],
        segments={code: str(label) for code, label in Segment.choices},
        stages={code: str(label) for code, label in Stage.choices},
        consent={True: _("yes"), False: _("no")},
        channels={code: str(label) for code, label in AcquisitionChannel.choices},
        **({} if (get_language() or "nl").startswith("nl") else {"delimiter": ",", "decimal": "."}),
    )
    return _customer_list_lines(business, pages, words)


@dataclass(frozen=True)
class _ListWords:
    """The list file's words in the reader's language (a segment and a stage share codes)."""

    header: list[str]
    segments: dict[str, str]
    stages: dict[str, str]
    consent: dict[bool, str]
    channels: dict[str, str]
    # The spreadsheet's conventions in that language: a Dutch Excel splits on semicolons and
    # reads a decimal comma, an English one splits on commas and reads a decimal point (where
    # a Dutch file opened as one column); the importers read either back.
    delimiter: str = CSV_DELIMITER
    decimal: str = ","


def _customer_list_lines(
    business: Business, pages: Iterable[list[Customer]], words: _ListWords
) -> Iterator[bytes]:
    zone = ZoneInfo(business.time_zone)
    # Regular staff members by the name the pages show, which the customer import matches
    # again: the business's members, read once (a customer names no one else).
    members = {user.pk: staff_name(user) for user in member_users(business=business)}
    encoder = codecs.getincrementalencoder(CSV_ENCODING)()  # the byte order mark once
    text = io.StringIO()
    writer = csv.writer(text, delimiter=words.delimiter)
    writer.writerow(words.header)
    for page in pages:
        ids = [customer.pk for customer in page]
        tags: dict[int, list[str]] = {}
        for customer_id, tag in (
            Customer.tags.through.objects.filter(customer_id__in=ids)
            .order_by("tag__name")
            .values_list("customer_id", "tag__name")
        ):
            tags.setdefault(customer_id, []).append(tag)
        referrer_ids = {customer.referred_by_id for customer in page} - {None}
        referrers = dict(
            Customer.objects.filter(pk__in=referrer_ids).values_list("pk", "name")
            if referrer_ids
            else ()
        )
        # Read apart rather than joined: a customer and the insight joined to them refer to
        # each other, which only the garbage collector's full collections free, rarer as the
        # heap grows (100,000 customers piled up to 92 MiB; collecting each page took 4 times
        # as long as the whole download).
        insights = {
            row[0]: row[1:]
            for row in CustomerInsight.objects.filter(customer_id__in=ids).values_list(
                "customer_id",
                "segment",
                "stage",
                "value_cents",
                "probability_alive",
                "purchase_days",
            )
        }
        for customer in page:
            last_purchase = customer.last_purchase_at
            segment, stage, value, alive, days = insights.get(customer.pk, (None,) * 5)
            if bought_once(days):
                # As the card says "one-off so far" (insights.selectors.alive_figure): the
                # models' figure after one purchase day read as "likelier to come back" beside
                # "lost".
                alive = None
            writer.writerow(
                [
                    _csv_value(item)
                    for item in (
                        customer.external_ref,
                        customer.name,
                        customer.company,
                        customer.phone,
                        customer.email,
                        customer.postal_code,
                        customer.city,
                        # Empty where not known: read back, it stays so.
                        customer.customer_since.isoformat()
                        if customer.customer_since_known
                        else None,
                        last_purchase.astimezone(zone).date().isoformat()
                        if last_purchase
                        else None,
                        words.segments.get(segment),
                        words.stages.get(stage),
                        _euros(value, words.decimal) if value is not None else None,
                        f"{alive * 100:.1f}".replace(".", words.decimal)
                        if alive is not None
                        else None,
                        members.get(customer.regular_member_id),
                        words.channels.get(customer.acquisition_channel),
                        referrers.get(customer.referred_by_id),
                        tags.get(customer.pk, []),
                        words.consent[customer.marketing_consent],
                    )
                ]
            )
        yield encoder.encode(text.getvalue())
        text.seek(0)
        text.truncate()
    yield encoder.encode(text.getvalue(), final=True)


# Restore ---------------------------------------------------------------------------------------


def _empty(business: Business) -> bool:
    return not any(model.objects.filter(business=business).exists() for model in _business_models())


def business_restore(*, business: Business, path: Path, actor=None) -> dict[str, int]:
    """Loads an export into an empty business, in one transaction; ids are new, links kept."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(JSON_NAME) as raw:
            document = json.load(raw)
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError(
            {"file": ValidationError(_("This is not a Klantvriend export."), code="invalid")}
        ) from None
    if document.get("format") != FORMAT or document.get("version") != VERSION:
        raise ValidationError(
            {"file": ValidationError(_("This is not a Klantvriend export."), code="invalid")}
        )
    if not _empty(business):
        raise ValidationError(
            {
                "business": ValidationError(
                    _("An export can only be restored into an empty business."), code="not_empty"
                )
            }
        )
    try:
        return _restore(business, document, actor)
    except IntegrityError:
        # Rows that must be unique on the whole server (the codes of the survey links) are here
        # already: the exported business, or an earlier restore of it, lives on this server.
        # Nothing was written (one transaction).
        raise ValidationError(
            {
                "file": ValidationError(
                    _(
                        "This export's survey links exist on this server already (its business, "
                        "or an earlier restore of it, is here): restore it on another server. "
                        "Nothing was changed."
                    ),
                    code="already_here",
                )
            }
        ) from None


def _renumbered(rows: list[dict]) -> dict[int, str]:
    """An export made before customer numbers were unique in any capitals may hold K-1 beside
    k-1, which the database now refuses: the later customer is renumbered as migration
    customers 0016 renumbers them (identity.renumbering) and the change is audited."""
    numbered = sorted(
        (row for row in rows if row.get("external_ref")),
        key=lambda row: (row.get("created_at") or "", row["id"]),
    )
    return renumbering([(row["id"], row["external_ref"]) for row in numbered])


def _without_doubles(rows: list[dict]) -> list[dict]:
    """An export made before a customer's important dates were unique may hold one twice,
    which the database now refuses: merged as migration customers 0029 merges them."""
    doubles = important_date_doubles(
        (row["id"], (row.get("customer"), row.get("label"), row.get("date")), row.get("yearly"))
        for row in rows
    )
    dropped, made_yearly = set(doubles.dropped), set(doubles.made_yearly)
    return [
        {**row, "yearly": True} if row["id"] in made_yearly else row
        for row in rows
        if row["id"] not in dropped
    ]


def _restore(business: Business, document: dict, actor) -> dict[str, int]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    users = {
        getattr(user, user_model.USERNAME_FIELD): user.pk
        for user in user_model.objects.filter(memberships__business=business)
    }
    id_maps: dict[type[models.Model], dict[int, int]] = {}
    counts = {}
    with transaction.atomic():
        for model in _business_models():
            rows = document.get(section_name(model), [])
            id_maps[model] = {}
            deferred: list[tuple[models.Model, str, int]] = []
            renumbered = _renumbered(rows) if model is Customer else {}
            if model is ImportantDate:
                rows = _without_doubles(rows)
            for row in rows:
                old_number = None
                if row.get("id") in renumbered:
                    old_number = row["external_ref"]
                    row = {**row, "external_ref": renumbered[row["id"]]}
                instance = model(business=business)
                for field in _fields(model):
                    if field.name == "id" or field.name not in row:
                        continue
                    value = row[field.name]
                    if _is_user(field):
                        setattr(instance, field.attname, users.get(value))
                    elif field.is_relation:
                        if value is None:
                            setattr(instance, field.attname, None)
                        elif field.related_model is model:
                            deferred.append((instance, field.attname, value))
                        else:
                            setattr(instance, field.attname, id_maps[field.related_model][value])
                    else:
                        setattr(instance, field.attname, field.to_python(value))
                if isinstance(instance, Customer):
                    instance.refresh_derived_fields()
                if isinstance(instance, Complaint):
                    complaint_deadlines_set(instance, business=business)
                instance.save(force_insert=True)
                id_maps[model][row["id"]] = instance.pk
                if old_number is not None:
                    audit_record(
                        business=business,
                        actor=None,
                        action=AuditAction.CHANGED,
                        obj=instance,
                        customer=instance,
                        changes={"external_ref": [old_number, row["external_ref"]]},
                    )
                for field in _m2m(model):
                    targets = [
                        id_maps[field.related_model][target] for target in row.get(field.name, [])
                    ]
                    if targets:
                        getattr(instance, field.name).set(targets)
            for instance, attname, old in deferred:
                setattr(instance, attname, id_maps[model][old])
                instance.save(update_fields=[attname.removesuffix("_id")])
            counts[section_name(model)] = len(rows)
        audit_record(
            business=business,
            actor=actor,
            action=AuditAction.RESTORED,
            obj=business,
            changes={"rows": counts},
        )
    return counts
