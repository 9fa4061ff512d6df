"""Importing purchases from a till export, a million rows in minutes: streamed twice (validate,
then write in batches with bulk inserts), customers matched on customer number (whatever its
case), else email address, and created when unknown, unless the row names a person whose data
was erased: then the purchase goes to their anonymised customer, without their personal data.

Idempotent: a purchase is identified by its receipt number, or, when the file has none, by a
stable key stored as its receipt number ("kv-" and a hash of customer, date, time, amount,
currency, description and how many identical rows came before it in the file), so importing
the same file again adds nothing."""

import hashlib
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klantvriend.core.bulk import insert_rows
from klantvriend.core.models import Business
from klantvriend.core.moments import EARLIEST, moment_problem
from klantvriend.customers.identity import customer_number_key, email_key, name_key, phone_key
from klantvriend.customers.models import (
    PHONE_PATTERN,
    PURCHASE_ROW_FIELDS,
    AcquisitionChannel,
    Customer,
    Purchase,
    phone_validator,
)
from klantvriend.customers.selectors import customers_numbered
from klantvriend.customers.services import currency_refusal, customers_since_moved_back

from .common import Columns, RowProblems, batched, overfull_row, rows
from .export_keys import PURCHASE, rows_keyed
from .hand_recorded import HandRecorded
from .matching import (
    ErasedCustomers,
    ambiguous_match_error,
    by_number_key,
    customers_keyed,
    match_number,
    phone_speaks,
)
from .members import MEMBER_NAME_LENGTH, MemberNames, MemberNotes
from .results import ImportResult, RowError
from .scrubbing import personal_strings, scrubber
from .values import CellError, read_amount, read_date, read_time, resolve_amount

HASH_PREFIX = "kv-"
# The customers made for customer numbers nobody had that the result names line by line (a
# till typo makes one); the rest are counted in one more note. A first import of a till's
# history, before its customers, makes every customer so.
NAMED_NEW_NUMBERS = 10
# A date without a time is taken as noon in the business's time zone: far from midnight, so
# the purchase stays on its day whatever the time zone, and a report by day counts it right.
# Such a purchase is recorded with its time unknown (Purchase.time_known), so that the pages
# show its date alone rather than a noon nobody saw.
NOON = time(12, 0)
# The bulk loaders' columns, whether the file gave the purchase's time of day, and who served.
IMPORTED_ROW_FIELDS = (*PURCHASE_ROW_FIELDS, "time_known", "member")

_read_date = lru_cache(maxsize=1 << 16)(read_date)
_read_amount = lru_cache(maxsize=1 << 16)(read_amount)
_read_time = lru_cache(maxsize=1 << 12)(read_time)


@dataclass(slots=True)
class PurchaseRow:
    line: int
    number: str
    email: str
    name: str
    phone: str
    day: date | None
    clock: time | None
    offset: str | None
    cents: int | None
    currency: str
    description: str
    receipt: str
    member: str  # who served the customer, as the file names them


# The customer's field each of the customer's columns is stored in when a line makes them.
_CUSTOMER_FIELDS = {
    "customer_number": "external_ref",
    "email": "email",
    "phone": "phone",
    "name": "name",
}


def adapt_moment(moment: datetime):
    return connection.ops.adapt_datetimefield_value(moment)


@lru_cache(maxsize=1 << 16)
def _moment(day: date, clock: time | None, offset: str | None, zone_name: str) -> datetime:
    if offset:
        if offset == "Z":
            zone = UTC
        else:
            sign = 1 if offset[0] == "+" else -1
            digits = offset[1:].replace(":", "")
            zone = dt_timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        return datetime.combine(day, clock or NOON, tzinfo=zone)
    return datetime.combine(day, clock or NOON, tzinfo=zoneinfo.ZoneInfo(zone_name))


def moment_of(row: PurchaseRow, business: Business, now: datetime) -> datetime:
    assert row.day is not None
    moment = _moment(row.day, row.clock, row.offset, business.time_zone)
    if row.clock is None and moment > now and row.day == business.today():
        moment = now  # rung up this morning: noon would lie in the future
    return moment


def parse_purchase(
    line: int, cells: list[str], columns: Columns, business: Business, *, deciding: bool
) -> tuple[PurchaseRow | None, list[RowError]]:
    shifted = overfull_row(line, cells, columns)
    if shifted:
        return None, [shifted]
    problems = RowProblems(line, columns, cells)
    index = columns.index
    width = len(cells)

    def cell(name: str) -> str:
        position = index.get(name)
        return cells[position] if position is not None and position < width else ""

    number, email, name, phone = cell("customer_number"), cell("email"), cell("name"), cell("phone")
    if not number and not email and not phone:
        problems.add(
            "customer_number" if columns.has("customer_number") else "email",
            _("Give the customer number, the email address or the phone number of the customer."),
            "no_customer",
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.add("email", _("Enter a valid email address."), "invalid")
    if phone and not PHONE_PATTERN.match(phone):
        problems.add("phone", phone_validator.message, phone_validator.code)
    # Longer than the customer's field is the line's mistake: an e-mail address validate_email
    # takes (320 characters) or a phone number PHONE_PATTERN takes ("+" and 25) made a customer
    # PostgreSQL refused, and the whole import failed.
    for column, field in _CUSTOMER_FIELDS.items():
        limit = Customer._meta.get_field(field).max_length
        if len(cell(column)) > limit:
            message = _("Use at most %(limit)s characters.") % {"limit": limit}
            problems.add(column, message, "max_length")
    day = clock = offset = None
    text = cell("date")
    if not text:
        problems.add("date", _("Enter the date of the purchase."), "required")
    else:
        try:
            parsed = _read_date(text)
            day = columns.read_day("date", parsed, line=line, text=text, deciding=deciding)
            clock, offset = parsed.clock, parsed.offset
        except CellError as error:
            problems.cell_error("date", error)
    if cell("time"):
        try:
            clock = _read_time(cell("time"))
        except CellError as error:
            problems.cell_error("time", error)
    cents = None
    text = cell("amount")
    if not text:
        problems.add("amount", _("Enter an amount."), "required")
    else:
        try:
            value = _read_amount(text)
            column = columns.amount_column("amount")
            if deciding:
                column.see(value, line, text)
            else:
                cents = resolve_amount(value, column.decide())
        except CellError as error:
            problems.cell_error("amount", error)
    currency = (cell("currency") or business.currency).upper()
    if len(currency) != 3 or not currency.isalpha():
        problems.add("currency", _("Use a three-letter currency code such as EUR."), "currency")
    elif currency != business.currency:
        refusal = currency_refusal(business=business, currency=currency)
        problems.add("currency", refusal, "other_currency")
    description = cell("description")
    if len(description) > 300:
        problems.add("description", _("Use at most 300 characters."), "max_length")
    receipt = cell("receipt_number")
    if len(receipt) > 100:
        problems.add("receipt_number", _("Use at most 100 characters."), "max_length")
    member = cell("member")
    if len(member) > MEMBER_NAME_LENGTH:
        message = _("Use at most %(limit)s characters.") % {"limit": MEMBER_NAME_LENGTH}
        problems.add("member", message, "max_length")
    if day is not None and not problems.errors:
        zone = business.time_zone
        moment = _moment(day, clock, offset, zone)
        if moment > columns.latest_moment and (clock is not None or day > business.today()):
            problems.add("date", _("This moment lies in the future."), "future")
        elif moment < EARLIEST:
            problems.add("date", *moment_problem(moment))
    if problems.errors:
        # No customer at all, not even a name, in a file whose other lines name theirs.
        walk_in = not (number or email or phone or name) and any(
            columns.has(column) for column in _IDENTIFYING_COLUMNS
        )
        return None, _left_out(problems.errors, walk_in=walk_in)
    return (
        PurchaseRow(
            line,
            number,
            email_key(email),
            name,
            phone,
            day,
            clock,
            offset,
            cents,
            currency,
            description,
            receipt,
            member,
        ),
        [],
    )


# A line whose only refusal is a negative amount: a return, as a till writes it. Left out with
# a note (written by `write`, so said once), not a refusal of the whole file: the purchases are
# what a customer spent, and the analysis (`klantvriend analyse`) leaves returns out likewise.
RETURN_LEFT_OUT = "return_left_out"
# A line without any customer (no number, e-mail address, phone number or name), in a file with
# a column for them: a walk-in sale, in every till's export. Left out with a note too: Klantvriend follows customers, and a bike repairer's
# first till file was refused whole for its twelve walk-in sales.
NO_CUSTOMER_LEFT_OUT = "no_customer_left_out"
LEFT_OUT = frozenset({RETURN_LEFT_OUT, NO_CUSTOMER_LEFT_OUT})
_IDENTIFYING_COLUMNS = ("customer_number", "email", "phone")


def _left_out(errors: list[RowError], *, walk_in: bool) -> list[RowError]:
    """The line's refusals, or, where all that is wrong is a negative amount or that it is a
    `walk_in` sale, the note that it is left out. A line with a name but no way to find the
    customer is refused: it names someone the shop knows."""
    codes = {error.code for error in errors}
    if not codes <= {"negative", "no_customer"} or ("no_customer" in codes and not walk_in):
        return errors
    error = errors[0]
    if "no_customer" in codes:
        message = _(
            "A sale without a customer (no customer number, email address or phone number: a "
            "walk-in sale) is not imported: Klantvriend follows what each customer buys."
        )
        return [RowError(error.line, error.column, error.value, message, NO_CUSTOMER_LEFT_OUT)]
    message = _(
        "A return (a negative amount) is not imported: the purchases are what customers spent, "
        "and a return is left out as the analysis leaves it out."
    )
    return [RowError(error.line, error.column, error.value, message, RETURN_LEFT_OUT)]


def validate(path: Path, columns: Columns, business: Business, result: ImportResult) -> None:
    receipts: dict[str, int] = {}
    for line, cells in rows(path, columns):
        result.rows += 1
        row, errors = parse_purchase(line, cells, columns, business, deciding=True)
        for error in errors:
            if error.code not in LEFT_OUT:
                result.add_error(error)
        if row and row.receipt:
            first = receipts.setdefault(row.receipt, line)
            if first != line:
                result.add_error(
                    RowError(
                        line,
                        columns.header("receipt_number"),
                        row.receipt,
                        _("This receipt number is also on line %(line)s.") % {"line": first},
                        "duplicate",
                    )
                )
    columns.column_problems(result)


def key_text(
    *,
    customer_key: str,
    day: date | None,
    clock: time | None,
    offset: str | None,
    cents: int | None,
    currency: str,
    description: str,
) -> str:
    """What the stable key of a purchase without a receipt number hashes: the row as the file
    has it, its time empty when the file gave the date alone."""
    return "|".join(
        [
            customer_key,
            day.isoformat() if day else "",
            clock.isoformat() if clock else "",
            offset or "",
            str(cents),
            currency,
            description,
        ]
    )


def stable_key(text: str, count: int = 0) -> str:
    """The key of the `count`-th identical row before this one (0 for the first)."""
    digest = hashlib.sha256((f"{text}|{count}" if count else text).encode()).hexdigest()
    return HASH_PREFIX + digest[:32]


class _Keys:
    """Stable keys for purchases without a receipt number. Identical rows (two coffees rung up
    in the same minute) get their own key through the count of identical rows before them."""

    def __init__(self) -> None:
        self.seen: dict[bytes, int] = {}

    def key(self, row: PurchaseRow, customer_key: str) -> str:
        text = key_text(
            customer_key=customer_key,
            day=row.day,
            clock=row.clock,
            offset=row.offset,
            cents=row.cents,
            currency=row.currency,
            description=row.description,
        )
        first = stable_key(text)
        # Twelve bytes of the first key tell identical rows apart (as many as a till's file
        # holds) in a third of the memory of the key itself.
        seen = bytes.fromhex(first[len(HASH_PREFIX) :][:24])
        count = self.seen.get(seen, 0)
        self.seen[seen] = count + 1
        return stable_key(text, count) if count else first


def write(
    path: Path, columns: Columns, business: Business, result: ImportResult, *, actor=None
) -> None:
    """Runs inside the caller's transaction. `actor` is for the customer importer's sake:
    purchases change no consent, nothing here is audited per customer."""
    now = timezone.now()
    created_at = adapt_moment(now)
    customers = _Customers(business, columns, result)
    members = MemberNames(business, columns, result, field="member", notes=SERVED_BY_NOTES)
    keys = _Keys()
    hand_recorded = HandRecorded(business, columns, result)
    for batch in batched(rows(path, columns)):
        parsed: list[PurchaseRow] = []
        for line, cells in batch:
            row, errors = parse_purchase(line, cells, columns, business, deciding=False)
            for error in errors:
                if error.code in LEFT_OUT:
                    result.add_note(error)
                else:
                    result.add_error(error)
            if row is not None:
                parsed.append(row)
        customers.resolve(parsed)
        purchases: list[tuple] = []
        lines: dict[str, tuple[int, date, str]] = {}  # key -> (line, day, receipt)
        for row in parsed:
            anonymised, customer_id = customers.id_of(row)
            if anonymised:
                result.anonymised += 1
            if customer_id is None:
                if anonymised:  # the anonymised customer was deleted: nowhere to put it
                    result.skipped += 1
                continue  # otherwise reported by _Customers.resolve
            # The key hashes the description as the file has it, so it stays the same key.
            key = row.receipt or keys.key(row, row.number or row.email or phone_key(row.phone))
            lines[key] = (row.line, row.day, row.receipt)
            description = _without_person(row) if anonymised else row.description
            moment = moment_of(row, business, now)
            # The file's own date (the business's local day, or the day written with an offset).
            first_day = customers.first_day
            if customer_id not in first_day or row.day < first_day[customer_id]:
                first_day[customer_id] = row.day
            purchases.append(
                (
                    business.pk,
                    customer_id,
                    adapt_moment(moment),
                    row.cents,
                    row.currency,
                    description,
                    key,
                    created_at,
                    created_at,  # updated_at: a new row was changed when it was recorded
                    row.clock is not None,
                    members.id_of(row.line, row.member),
                )
            )
        # The excluded empty reference repeats the condition of the partial unique index on
        # (business, external_ref), so the database looks the keys up in that index instead of
        # scanning every purchase of the business once per batch.
        existing = set(
            Purchase.objects.filter(business=business, external_ref__in=[p[6] for p in purchases])
            .exclude(external_ref="")
            .order_by()  # the model's ordering would make the planner pick the (business, at) index
            .values_list("external_ref", flat=True)
        )
        filled = _members_filled(business, purchases, existing, now)
        # The export's keys of purchases without a receipt number (export_keys): the export
        # read back into the business it came from.
        keyed = rows_keyed(
            business=business,
            model=Purchase,
            kind=PURCHASE,
            own_field="external_ref",
            texts=[p[6] for p in purchases if p[6] not in existing],
        )
        existing.update(keyed)
        new = [purchase for purchase in purchases if purchase[6] not in existing]
        # Found by their keys, they are the file's own lines: no other line takes them.
        hand_recorded.taken.update(keyed.values())
        adopted = hand_recorded.adopt(new, lines)
        new = [purchase for purchase in new if purchase[6] not in adopted]
        # Validated like `purchase_create` does; the aftercare hook is not run for history.
        insert_rows(Purchase, IMPORTED_ROW_FIELDS, new)
        result.created += len(new)
        result.updated += filled + len(adopted)
        result.skipped += len(purchases) - len(new) - filled - len(adopted)
    # No one bought here before they were a customer: a customer made from a file not in date
    # order, or one the customer file made "customer since" the day of its import, is a customer
    # since their first purchase in the file.
    customers_since_moved_back(business=business, first_days=customers.first_day)
    customers.note_more_numbers()
    members.note_more_names()
    hand_recorded.note_more()


def _members_filled(business, purchases: list[tuple], present: set[str], now) -> int:
    """Who served, filled in on the purchases of the file already stored without them (by
    their receipt numbers, `present`): a file imported before its server was a member, its
    "Emre" known to no one, gives them Emre when imported again after Emre was added. Only an
    empty place is filled: who served as corrected since stays. One update per member."""
    by_member: dict[int, list[str]] = {}
    for purchase in purchases:
        receipt, member_id = purchase[6], purchase[-1]
        if member_id is not None and receipt in present:
            by_member.setdefault(member_id, []).append(receipt)
    return sum(
        Purchase.objects.filter(
            business=business, external_ref__in=receipts, member__isnull=True
        ).update(member_id=member_id, updated_at=now)
        for member_id, receipts in by_member.items()
    )


# What the notes say of a name in the column of who served (members.MemberNames).
SERVED_BY_NOTES = MemberNotes(
    ambiguous=lambda dry_run: (
        _(
            "More than one member is called “%(name)s”: the purchases of that name "
            "would be imported without who served them. Write their user name instead."
        )
        if dry_run
        else _(
            "More than one member is called “%(name)s”: the purchases of that name were "
            "imported without who served them. Write their user name instead."
        )
    ),
    unknown=lambda dry_run: (
        _(
            "No member is called “%(name)s”: the purchases of that name would be imported "
            "without who served them. Add them as a member first, or check the spelling; "
            "imported again afterwards, the file fills them in."
        )
        if dry_run
        else _(
            "No member is called “%(name)s”: the purchases of that name were imported "
            "without who served them. Add them as a member and import the file again to "
            "fill them in."
        )
    ),
    more=lambda count: ngettext(
        "And %(count)s more name no member answers to, here and on later lines: its "
        "purchases are imported without who served them.",
        "And %(count)s more names no member answers to, here and on later lines: their "
        "purchases are imported without who served them.",
        count,
    ),
)


def _without_person(row: PurchaseRow) -> str:
    """The description of a purchase of an erased person, scrubbed as erasure scrubs the ones
    it keeps: what was sold stays (the fiscal record), who bought it goes, as far as the row
    names them."""
    strings = personal_strings(name=row.name, others=(row.email, row.phone, row.number))
    return scrubber(strings)(row.description)


class _Customers:
    """The customers of the file's rows, looked up a batch at a time and remembered for the rest
    of the file: found by customer number (whatever its case), else by email address, a line
    with neither by phone number (matching.phone_speaks), else made."""

    def __init__(self, business: Business, columns: Columns, result: ImportResult) -> None:
        self.business, self.columns, self.result = business, columns, result
        self.by_number: dict[str, dict[str, int]] = {}  # number key -> {stored number: id}
        self.by_email: dict[str, int] = {}
        # phone key -> [(name key, id)] of the customers with that phone number: a household
        # may share one, and then the line's name says which of them it is (_by_phone).
        self.by_phone: dict[str, list[tuple[str, int]]] = {}
        # line -> customer id of the batch's lines that give only a phone number, as `resolve`
        # decided them (the name on a line decides between a household's customers, and a
        # customer made for a line may not carry its name).
        self.phone_lines: dict[int, int] = {}
        self.first_day: dict[int, date] = {}  # each customer's first purchase day in the file
        self.numbers_made: list[PurchaseRow] = []  # the first rows of numbers nobody had
        self.erased = ErasedCustomers(business)

    def _by_number(self, row: PurchaseRow) -> int | None:
        return match_number(self.by_number, row.number) if row.number else None

    def _by_phone(self, row: PurchaseRow) -> int | None:
        """The customer of a line that gives only a phone number: the one with that number, or
        of those who share it the one with the line's name (None when no one or not one)."""
        owners = self.by_phone.get(phone_key(row.phone), [])
        if len(owners) > 1:
            named = name_key(row.name)
            owners = [owner for owner in owners if owner[0] == named]
        return owners[0][1] if len(owners) == 1 else None

    def id_of(self, row: PurchaseRow) -> tuple[bool, int | None]:
        """Whether the row is about an erased person, and its customer: theirs the anonymised
        one (None when it was deleted since); None as well for a row refused by resolve."""
        found = self._by_number(row)
        if found is None:
            found = self.by_email.get(row.email)
        if found is None:
            found = self.phone_lines.get(row.line)
        if found is not None:
            return False, found
        return self.erased.match(row.number, row.email, row.phone)

    def resolve(self, rows_: list[PurchaseRow]) -> None:
        """Looks up the batch's customers that are not known yet, and makes the missing ones."""
        business, columns, result = self.business, self.columns, self.result
        self.phone_lines = {}
        numbers = {
            row.number
            for row in rows_
            if row.number and customer_number_key(row.number) not in self.by_number
        }
        if numbers:
            self.by_number.update(
                by_number_key(
                    customers_numbered(business=business, numbers=numbers).values_list(
                        "external_ref", "id"
                    )
                )
            )
            keyed = customers_keyed(
                business=business,
                numbers=[n for n in numbers if customer_number_key(n) not in self.by_number],
            )
            self.by_number.update(by_number_key(keyed.items()))
        emails = {
            row.email
            for row in rows_
            if row.email
            and row.email not in self.by_email
            and (not row.number or customer_number_key(row.number) not in self.by_number)
        }
        ambiguous: set[str] = set()
        if emails:
            found: dict[str, list[int]] = {}
            for email, pk in (
                Customer.objects.annotate(lower_email=Lower("email"))
                .filter(business=business, lower_email__in=emails)
                .values_list("lower_email", "id")
            ):
                found.setdefault(email, []).append(pk)
            for email, pks in found.items():
                if len(pks) == 1:
                    self.by_email[email] = pks[0]
                else:
                    ambiguous.add(email)
        self._look_up_phones(rows_)
        unknown: list[PurchaseRow] = []
        for row in rows_:
            if self._by_number(row) is not None:
                continue
            if row.email in ambiguous and not row.number:
                result.add_error(ambiguous_match_error(row.line, columns, "email", row.email))
                continue
            if row.email and row.email in self.by_email:
                if row.number:
                    self.by_number[customer_number_key(row.number)] = {
                        row.number: self.by_email[row.email]
                    }
                continue
            if phone_speaks(row.number, row.email, row.phone):
                owner = self._by_phone(row)
                if owner is not None:
                    self.phone_lines[row.line] = owner
                    continue
                if self.by_phone.get(phone_key(row.phone)):
                    result.add_error(ambiguous_match_error(row.line, columns, "phone", row.phone))
                    continue
            unknown.append(row)
        # Nobody known: an erased person's rows go to their anonymised customer; only the rest
        # make new customers.
        self.erased.look_up((row.number, row.email, row.phone) for row in unknown)
        new: dict[str, Customer] = {}
        # phone key -> the key in `new` of the first customer made with that phone number: a
        # later line of the batch that gives only the number is theirs, as in a later batch.
        made_with_phone: dict[str, str] = {}
        phone_lines_made: list[tuple[int, str]] = []  # (line, key in `new`)
        for row in unknown:
            if self.erased.match(row.number, row.email, row.phone)[0]:
                continue
            phone = phone_key(row.phone)
            if row.number:
                cache_key = customer_number_key(row.number)
            else:
                cache_key = row.email or made_with_phone.get(phone, f"phone {phone}")
            if phone_speaks(row.number, row.email, row.phone):
                phone_lines_made.append((row.line, cache_key))
            if cache_key in new:
                continue
            if phone:
                made_with_phone.setdefault(phone, cache_key)
            day = row.day
            if row.name:
                name = row.name
            elif row.number:
                name = _("Customer %(number)s") % {"number": row.number}
            elif row.email:
                # An address may be longer than a name (254 characters to 200): its start.
                name = Truncator(row.email).chars(Customer._meta.get_field("name").max_length)
            else:
                name = _("Customer %(phone)s") % {"phone": row.phone}
            customer = Customer(
                business=business,
                name=name,
                email=row.email,
                phone=row.phone,
                external_ref=row.number,
                customer_since=day or business.today(),
                acquisition_channel=AcquisitionChannel.UNKNOWN,  # the till does not say
            )
            customer.refresh_derived_fields()
            new[cache_key] = customer
            if row.number:
                self._note_number_made(row, customer.name)
        if new:
            Customer.objects.bulk_create(list(new.values()))
            result.customers_created += len(new)
            for customer in new.values():
                if customer.external_ref:
                    self.by_number[customer_number_key(customer.external_ref)] = {
                        customer.external_ref: customer.pk
                    }
                if customer.email:
                    self.by_email.setdefault(customer.email, customer.pk)
                if customer.match_phone in self.by_phone:
                    self.by_phone[customer.match_phone].append((customer.match_name, customer.pk))
            for line, cache_key in phone_lines_made:
                self.phone_lines[line] = new[cache_key].pk

    def _look_up_phones(self, rows_: list[PurchaseRow]) -> None:
        """Looks up the customers of the batch's phone numbers that are not known yet (in the
        index of Customer.match_phone, which an anonymised customer is not in)."""
        keys = {
            phone_key(phone)
            for row in rows_
            if (phone := phone_speaks(row.number, row.email, row.phone))
        }
        keys -= self.by_phone.keys()
        if not keys:
            return
        for key in keys:
            self.by_phone[key] = []
        for key, name, pk in (
            Customer.objects.filter(business=self.business, match_phone__in=keys)
            .order_by("pk")
            .values_list("match_phone", "match_name", "id")
        ):
            self.by_phone[key].append((name, pk))

    def _note_number_made(self, row: PurchaseRow, name: str) -> None:
        """The note of a customer made for a customer number that no customer had: the file
        is imported, but a till typo made them, and the owner should look."""
        self.numbers_made.append(row)
        if len(self.numbers_made) > NAMED_NEW_NUMBERS:
            return
        values = {"number": row.number, "name": name}
        if self.result.dry_run:
            message = _(
                "No customer has number %(number)s; a new customer “%(name)s” would be made. "
                "Is it a typo? Correct it on the customer's card or merge it."
            )
        else:
            message = _(
                "No customer has number %(number)s; a new customer “%(name)s” was made. Was "
                "it a typo? Correct it on the customer's card or merge it."
            )
        self.result.add_note(
            RowError(
                row.line,
                self.columns.header("customer_number"),
                row.number,
                message % values,
                "new_customer_number",
            )
        )

    def note_more_numbers(self) -> None:
        """One note for the numbers nobody had past the first NAMED_NEW_NUMBERS, at the first
        of their lines."""
        more = self.numbers_made[NAMED_NEW_NUMBERS:]
        if not more:
            return
        if self.result.dry_run:
            message = ngettext(
                "And %(count)s more customer number no customer has, here and on later lines: "
                "a new customer would be made for it too.",
                "And %(count)s more customer numbers no customer has, here and on later lines: "
                "a new customer would be made for each too.",
                len(more),
            )
        else:
            message = ngettext(
                "And %(count)s more customer number no customer had, here and on later lines: "
                "a new customer was made for it too.",
                "And %(count)s more customer numbers no customer had, here and on later lines: "
                "a new customer was made for each too.",
                len(more),
            )
        self.result.add_note(
            RowError(
                more[0].line,
                self.columns.header("customer_number"),
                more[0].number,
                message % {"count": len(more)},
                "new_customer_numbers",
            )
        )
