"""Importing customers: matched on customer number (whatever its case), else on email address,
else (a row with neither) on phone number and name together;
updated where the file says something new, created otherwise. A row whose number no customer has
is matched on its address to the one customer of that address who has no number yet, who then
takes the number: a customer added at the counter before the till's file was imported is not
made twice. An empty cell never wipes what is already stored. A row of a person whose data was
erased is skipped: it would bring them back."""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klantvriend.core.audit import (
    CONSENT_FIELDS,
    AuditAction,
    audit_created,
    audit_customers_record,
    audit_diff,
)
from klantvriend.core.models import Business
from klantvriend.customers.identity import customer_number_key, email_key, name_key, phone_key
from klantvriend.customers.models import (
    DERIVED_FIELDS,
    AcquisitionChannel,
    ConsentSource,
    Customer,
    LegalBasis,
    Tag,
    refuse_long_tag,
    refuse_marketing_consent_without_basis,
    unlikely_day_errors,
)
from klantvriend.customers.selectors import (
    customers_numbered,
    first_purchase_days,
    marketing_consent_withdrawals,
    tag_spellings,
)
from klantvriend.customers.services import (
    apply_consent_timestamps,
    consent_changes,
    consent_records_save,
)
from klantvriend.customers.text import postcode_tidied

from .common import Columns, RowProblems, batched, overfull_row, rows
from .mapping import PURCHASES, detect_mapping
from .matching import (
    ErasedCustomers,
    ambiguous_match_error,
    by_number_key,
    customers_keyed,
    match_number,
    phone_speaks,
)
from .members import MEMBER_NAME_LENGTH, MemberNames, MemberNotes
from .referrers import (
    REFERRER_TEXT_LENGTH,
    Referral,
    channel_note,
    read_channel,
    referrers_link,
)
from .results import ImportResult, RowError
from .values import CellError, read_bool, read_date

TEXT_FIELDS = ("company", "email", "phone", "postal_code", "city", "notes", "preferences")
DATE_FIELDS = ("birthday", "customer_since")
_BASES = {
    "toestemming": LegalBasis.CONSENT,
    "consent": LegalBasis.CONSENT,
    "softoptin": LegalBasis.SOFT_OPT_IN,
    "bestaandeklant": LegalBasis.SOFT_OPT_IN,
    "soft_opt_in": LegalBasis.SOFT_OPT_IN,
    "gerechtvaardigdbelang": LegalBasis.LEGITIMATE_INTEREST,
    "legitimateinterest": LegalBasis.LEGITIMATE_INTEREST,
    "legitimate_interest": LegalBasis.LEGITIMATE_INTEREST,
}
# Checked here with the model's own validators; the rest (dates, consent) is read above.
_CHECKED = {"name", "company", "email", "phone", "street", "postal_code", "city", "external_ref"}


@dataclass
class CustomerRow:
    line: int
    number: str
    email: str
    values: dict[str, Any]
    tags: list[str] | None
    since_text: str = ""  # the "customer since" cell as the file writes it
    consent_text: str = ""  # the "marketing consent" cell as the file writes it
    member: str = ""  # their regular staff member, as the file names them
    referrer: str = ""  # who brought them in, as the file names them (referrers.py)
    # How they came, as the file writes it, and whether it names none of the ways (recorded
    # as "other": referrers.read_channel).
    channel_text: str = ""
    channel_unread: bool = False
    # The cell of consent for health, diet or allergy notes as the file writes it.
    special_consent_text: str = ""

    def referral(self, customer_id: int) -> Referral:
        """The referral the line names, with how it says the customer came when that is
        another way, which the referrer overrules (referrers.referrers_link)."""
        channel = self.values.get("acquisition_channel")
        another_way = channel not in (AcquisitionChannel.REFERRAL, AcquisitionChannel.UNKNOWN)
        return Referral(
            self.line,
            customer_id,
            self.referrer,
            channel_text=self.channel_text if self.channel_text and another_way else "",
            channel=None if self.channel_unread else channel,
        )

    @property
    def phone(self) -> str:
        return self.values.get("phone", "")


def _basis(text: str) -> str:
    key = "".join(ch for ch in text.lower() if ch.isalnum() or ch == "_")
    if not key:
        return ""
    if key in _BASES:
        return _BASES[key]
    raise CellError(
        _("Write the legal basis as consent, soft opt-in or legitimate interest."),
        "invalid_basis",
    )


def parse_customer(
    line: int, cells: list[str], columns: Columns, business: Business, *, deciding: bool
) -> tuple[CustomerRow | None, list[RowError]]:
    shifted = overfull_row(line, cells, columns)
    if shifted:
        return None, [shifted]
    problems = RowProblems(line, columns, cells)

    def cell(name: str) -> str:
        return columns.cell(cells, name)

    values: dict[str, Any] = {}
    name = cell("name")
    if not name and (columns.has("first_name") or columns.has("last_name")):
        name = " ".join(
            part for part in (cell("first_name"), cell("name_infix"), cell("last_name")) if part
        )
    # A firm known by its own name: an accountant's file named its B.V. clients in the column
    # of companies alone, and each such line was refused for want of a name.
    named_by_company = not name and bool(cell("company"))
    if named_by_company:
        name = cell("company")
    if not name:
        problems.add(
            "name" if columns.has("name") else "last_name",
            _("A customer needs a name."),
            "required",
        )
    composed_too_long = not cell("name") and len(name) > Customer._meta.get_field("name").max_length
    if composed_too_long:
        # Each part may be short: say that it is their sum, under the last part that adds to it.
        problems.add(
            "last_name" if columns.has("last_name") else "first_name",
            _(
                "First name and last name together are %(length)s characters long; a name "
                "holds at most %(limit)s."
            )
            % {"length": len(name), "limit": Customer._meta.get_field("name").max_length},
            "max_length",
            value=name,
        )
    values["name"] = name
    for text_field in TEXT_FIELDS:
        if columns.has(text_field) and cell(text_field):
            values[text_field] = cell(text_field)
    if named_by_company:
        del values["company"]  # the name already says it
    if "postal_code" in values:
        values["postal_code"] = postcode_tidied(values["postal_code"])  # as Customer.clean
    street = " ".join(part for part in (cell("street"), cell("house_number")) if part)
    if street:
        values["street"] = street
    number = cell("customer_number")
    if number:
        values["external_ref"] = number
    for date_field in DATE_FIELDS:
        text = cell(date_field)
        if not text:
            continue
        try:
            values[date_field] = columns.read_day(
                date_field, read_date(text), line=line, text=text, deciding=deciding
            )
        except CellError as error:
            problems.cell_error(date_field, error)
    # A day after today in the file is refused even where the customer has it stored already
    # (from before the rule): the file states it anew, and is checked before its customers are
    # looked up.
    days = {name: values.get(name) for name in DATE_FIELDS}
    for name, refusals in unlikely_day_errors(days, today=business.today()).items():
        for refused in refusals:
            problems.add(name, refused.message, refused.code)
    if columns.has("marketing_consent") and cell("marketing_consent"):
        try:
            values["marketing_consent"] = read_bool(cell("marketing_consent"))
        except CellError as error:
            problems.cell_error("marketing_consent", error)
    if cell("marketing_consent_basis"):
        try:
            basis = _basis(cell("marketing_consent_basis"))
            if values.get("marketing_consent"):
                # A cell that names no basis ("-") would empty the basis of a customer whose
                # consent is on record; a blank cell leaves it (or, for consent given just now,
                # records the customer's consent: services.marketing_consent_basis_stored).
                refuse_marketing_consent_without_basis(True, basis)
                values["marketing_consent_basis"] = basis
        except CellError as error:
            problems.cell_error("marketing_consent_basis", error)
        except ValidationError as refused:
            problems.add("marketing_consent_basis", refused.message, refused.code)
    if columns.has("special_category_consent") and cell("special_category_consent"):
        try:
            values["special_category_consent"] = read_bool(cell("special_category_consent"))
        except CellError as error:
            problems.cell_error("special_category_consent", error)
    if columns.has("special_notes") and cell("special_notes"):
        values["special_notes"] = cell("special_notes")
    channel_text = cell("acquisition_channel")
    channel = read_channel(channel_text) if channel_text else None
    if channel_text:
        values["acquisition_channel"] = channel or AcquisitionChannel.OTHER
    referrer = cell("referred_by")
    if len(referrer) > REFERRER_TEXT_LENGTH:
        message = _("Use at most %(limit)s characters.") % {"limit": REFERRER_TEXT_LENGTH}
        problems.add("referred_by", message, "max_length")
    member = cell("regular_member")
    if len(member) > MEMBER_NAME_LENGTH:
        message = _("Use at most %(limit)s characters.") % {"limit": MEMBER_NAME_LENGTH}
        problems.add("regular_member", message, "max_length")
    tags = None
    if columns.has("tags"):
        tags = [tag.strip() for tag in cell("tags").replace(";", ",").split(",") if tag.strip()]
        for tag in tags:
            try:
                refuse_long_tag(tag)
            except ValidationError as error:
                problems.add("tags", error.messages[0], error.code, value=tag)
    candidate = Customer(business=business, **{k: v for k, v in values.items() if k in _CHECKED})
    try:
        candidate.clean_fields(exclude={f.name for f in Customer._meta.fields} - _CHECKED)
    except ValidationError as error:
        field_to_column = {"external_ref": "customer_number"}
        for field_name, messages in error.message_dict.items():
            column = field_to_column.get(field_name, field_name)
            if field_name == "street" and not columns.has("street"):
                column = "house_number"
            if field_name == "name" and not columns.has("name"):
                column = "last_name"
            if field_name == "name" and (not name or composed_too_long):
                continue  # already reported
            for message in messages:
                problems.add(column, message, "invalid", value=str(values.get(field_name, "")))
    if problems.errors:
        return None, problems.errors
    return (
        CustomerRow(
            line,
            number,
            email_key(values.get("email") or ""),
            values,
            tags,
            cell("customer_since"),
            cell("marketing_consent"),
            member,
            referrer,
            channel_text,
            bool(channel_text) and channel is None,
            cell("special_category_consent"),
        ),
        [],
    )


def validate(path: Path, columns: Columns, business: Business, result: ImportResult) -> None:
    """Reads every row once; rows are not kept, only what later rows are checked against."""
    numbers: dict[str, int] = {}
    repeated = 0
    emails = _FileEmails(columns, result)
    for line, cells in rows(path, columns):
        result.rows += 1
        row, errors = parse_customer(line, cells, columns, business, deciding=True)
        for error in errors:
            result.add_error(error)
        if row and row.email:
            emails.see(row)
        if row and row.number:
            first = numbers.setdefault(customer_number_key(row.number), line)
            if first != line:
                repeated += 1
                result.add_error(
                    RowError(
                        line,
                        columns.header("customer_number"),
                        row.number,
                        _("This customer number is also on line %(line)s.") % {"line": first},
                        "duplicate",
                    )
                )
    if repeated and _reads_as_visits(columns):
        result.add_error(
            RowError(
                None,
                "",
                "",
                _(
                    "This file has a line for each visit (a customer number on several lines, "
                    "each with a date and an amount): import it as purchases, which makes the "
                    "customers it names."
                ),
                "visits_file",
            )
        )
    columns.column_problems(result)


def _reads_as_visits(columns: Columns) -> bool:
    """Whether the file's headers name a date and an amount, as a till's export of visits
    does: a salon's till writes a line per visit with the customer's details on each, and as a
    customer file every repeated number was an error without a word of what the file is."""
    found = detect_mapping(PURCHASES, columns.table)
    return "date" in found and "amount" in found


class _FileEmails:
    """The file's e-mail addresses (in any capitals), so that one person is one row: a row
    without a customer number is found by its address, and would otherwise make a second
    customer beside another row of that address. Rows with customer numbers may share one
    (a couple, a family): each number is a customer of its own."""

    def __init__(self, columns: Columns, result: ImportResult) -> None:
        self.columns, self.result = columns, result
        self.unnumbered: dict[str, int] = {}  # address -> first line without a number
        self.numbered: dict[str, tuple[int, str]] = {}  # address -> first (line, number)

    def see(self, row: CustomerRow) -> None:
        if row.number:
            first = self.numbered.setdefault(row.email, (row.line, row.number))
            if customer_number_key(first[1]) != customer_number_key(row.number):
                self.columns.emails_of_several_numbers.add(row.email)
            line = self.unnumbered.pop(row.email, None)
            if line is not None:  # said now, once, at the line without the number
                self._numbered_elsewhere(line, row.email, row.line, row.number)
        elif row.email in self.numbered:
            self._numbered_elsewhere(row.line, row.email, *self.numbered[row.email])
        else:
            first = self.unnumbered.setdefault(row.email, row.line)
            if first != row.line:
                self._add(
                    row.line,
                    row.email,
                    _(
                        "This email address is also on line %(line)s; give each customer a "
                        "customer number, or keep one row per customer."
                    )
                    % {"line": first},
                )

    def _numbered_elsewhere(self, line: int, email: str, other_line: int, number: str) -> None:
        self._add(
            line,
            email,
            _(
                "This email address is also on line %(line)s (customer number %(number)s): give "
                "this line the same customer number, or remove it."
            )
            % {"line": other_line, "number": number},
        )

    def _add(self, line: int, email: str, message: str) -> None:
        self.result.add_error(
            RowError(line, self.columns.header("email"), email, message, "duplicate")
        )


def _changed(customer: Customer, values: dict[str, Any]) -> list[str]:
    return [name for name, value in values.items() if getattr(customer, name) != value]


def write(
    path: Path, columns: Columns, business: Business, result: ImportResult, *, actor=None
) -> None:
    """Runs inside the caller's transaction. `actor`: who imports, in the audit trail of the
    consent changes."""
    now = timezone.now()
    erased = ErasedCustomers(business)
    members = MemberNames(
        business, columns, result, field="regular_member", notes=REGULAR_MEMBER_NOTES
    )
    # Linked once every row is written, so that a referrer later in the file is found; the
    # customers found but not changed, who a referral alone then changes.
    referrals: list[Referral] = []
    unchanged: set[int] = set()
    for batch in batched(rows(path, columns)):
        parsed = []
        for line, cells in batch:
            row, errors = parse_customer(line, cells, columns, business, deciding=False)
            if errors or row is None:  # validated before; a change in between is still refused
                for error in errors:
                    result.add_error(error)
                continue
            # A name no member answers to leaves the member as it was (a note says so), as an
            # empty cell does.
            member = members.id_of(row.line, row.member)
            if member is not None:
                row.values["regular_member_id"] = member
            parsed.append(row)
        numbers = {row.number for row in parsed if row.number}
        # Read under a lock (the caller's transaction holds it to the end): the rows found are
        # written back whole (bulk_update), so an edit committed between this read and that
        # write would otherwise be undone. An edit under way is waited for and read.
        numbered = customers_numbered(business=business, numbers=numbers).select_for_update()
        by_number = by_number_key((customer.external_ref, customer) for customer in numbered)
        keyed = customers_keyed(
            business=business,
            numbers=[n for n in numbers if customer_number_key(n) not in by_number],
        )
        if keyed:
            customers = Customer.objects.select_for_update().in_bulk(keyed.values())
            by_number.update(by_number_key((key, customers[pk]) for key, pk in keyed.items()))
        emails = [
            row.email
            for row in parsed
            if row.email and (not row.number or _may_match_on_email(row, by_number, columns))
        ]
        by_email: dict[str, list[Customer]] = {}
        if emails:
            for customer in (
                Customer.objects.annotate(lower_email=Lower("email"))
                .filter(business=business, lower_email__in=emails)
                .select_for_update()
            ):
                by_email.setdefault(email_key(customer.email), []).append(customer)
        by_phone = _by_phone_and_name(business, parsed)
        erased.look_up((row.number, row.email, row.phone) for row in parsed)
        first_days = (
            first_purchase_days(
                business=business,
                customer_ids=[
                    *(customer.pk for group in by_number.values() for customer in group.values()),
                    *(customer.pk for group in by_email.values() for customer in group),
                    *(customer.pk for group in by_phone.values() for customer in group),
                ],
            )
            if columns.has("customer_since")
            else {}
        )
        withdrawn = _withdrawals(
            business, parsed, [*by_number.values()], [*by_email.values(), *by_phone.values()]
        )
        # The customers the batch makes, each with the row that makes them.
        new_rows: list[tuple[CustomerRow, Customer]] = []
        changed, consents, tag_rows = [], [], []
        audited: list[tuple[str, Customer, dict]] = []
        for row in parsed:
            existing = match_number(by_number, row.number) if row.number else None
            numbered_by_email = False
            if not row.number and row.email:
                matches = by_email.get(row.email, [])
                if len(matches) > 1:
                    result.add_error(ambiguous_match_error(row.line, columns, "email", row.email))
                    continue
                existing = matches[0] if matches else None
            elif existing is None and _may_match_on_email(row, by_number, columns):
                # Only a customer without a number: one with another number is another
                # customer of the till (a couple may share an address).
                unnumbered = [c for c in by_email.get(row.email, []) if not c.external_ref]
                if len(unnumbered) == 1:
                    existing, numbered_by_email = unnumbered[0], True
                    by_number[customer_number_key(row.number)] = {row.number: existing}
            elif phone_speaks(row.number, row.email, row.phone):
                # The oldest of the customers of this phone number and name (two of them are
                # duplicates already, which the list of possible duplicates shows).
                same = by_phone.get((phone_key(row.phone), name_key(row.values["name"])), [])
                existing = same[0] if same else None
            if existing is None and erased.match(row.number, row.email, row.phone)[0]:
                # A person whose data was erased: nothing of the row is stored again.
                result.anonymised += 1
                result.skipped += 1
                continue
            if row.channel_unread and not row.referrer:
                # With a referrer, the customer came through a referral (referrers_link).
                result.add_note(channel_note(row.line, columns, row.channel_text))
            for note in _health_notes_kept(
                row, columns, consented=existing is not None and existing.special_category_consent
            ):
                result.add_note(note)
            if existing is None:
                # How they came, unless the file says so (AcquisitionChannel.UNKNOWN).
                customer = Customer(
                    business=business,
                    **{"acquisition_channel": AcquisitionChannel.UNKNOWN, **row.values},
                )
                if "customer_since" not in row.values:
                    # A customer by today at the latest, perhaps for years: not a new one.
                    customer.customer_since = business.today()
                    customer.customer_since_known = False
                customer.created_at = now
                apply_consent_timestamps(customer, None)
                customer.refresh_derived_fields()
                new_rows.append((row, customer))
                given_now = consent_changes(customer, None)
                consents.extend(given_now)
                if given_now:
                    audited.append(
                        (AuditAction.CREATED, customer, audit_created(customer, _consent(customer)))
                    )
                if row.number:
                    by_number[customer_number_key(row.number)] = {row.number: customer}
                if row.email:
                    # Also with a number: a later row of the address without one is this
                    # customer (validate refuses such a file; this keeps it from a double).
                    by_email.setdefault(row.email, []).append(customer)
                if row.tags:
                    tag_rows.append((customer, row.tags))
                continue
            previous = Customer(
                marketing_consent=existing.marketing_consent,
                marketing_consent_basis=existing.marketing_consent_basis,
                special_category_consent=existing.special_category_consent,
            )
            # The number found it, so it is the same number, perhaps in other capitals: the
            # spelling stored stays. Found by the address instead, the customer takes the number.
            values = {
                name: value
                for name, value in row.values.items()
                if name != "external_ref" or numbered_by_email
            }
            if values.get("marketing_consent") and not existing.marketing_consent:
                withdrawn_at = withdrawn.get(existing.pk)
                if withdrawn_at is not None:
                    # A stale till file cannot prove fresh consent: given again only on the card.
                    values.pop("marketing_consent")
                    values.pop("marketing_consent_basis", None)
                    result.add_note(
                        _withdrawal_kept_note(row, columns, business, existing.name, withdrawn_at)
                    )
            if values.get("acquisition_channel") == AcquisitionChannel.UNKNOWN:
                # "Not known" is no news of a customer whose channel is known.
                values.pop("acquisition_channel")
            given = _keep_since_by_first_purchase(values, existing, first_days.get(existing.pk))
            if given:
                result.add_note(_since_kept_note(row, columns, given, values["customer_since"]))
            if "customer_since" in values:
                values["customer_since_known"] = True
            fields = _changed(existing, values)
            for name in fields:
                setattr(existing, name, values[name])
            if fields:
                apply_consent_timestamps(existing, previous)
                consent_changed = consent_changes(existing, previous)
                consents.extend(consent_changed)
                if consent_changed:
                    changes = audit_diff(_consent(previous), _consent(existing))
                    audited.append((AuditAction.CHANGED, existing, changes))
                existing.refresh_derived_fields()
                changed.append(existing)
            else:
                result.skipped += 1
                unchanged.add(existing.pk)
            if row.tags:
                tag_rows.append((existing, row.tags))
            if row.referrer:
                referrals.append(row.referral(existing.pk))
        new = [customer for _row, customer in new_rows]
        Customer.objects.bulk_create(new)
        referrals.extend(row.referral(customer.pk) for row, customer in new_rows if row.referrer)
        result.created += len(new)
        if changed:
            Customer.objects.bulk_update(changed, _UPDATE_FIELDS)  # updated_at with them
            result.updated += len(changed)
        consent_records_save(consents, ConsentSource.IMPORT)
        # As the customer form's changes of consent are (customer_update): the audit log's
        # "consent given or withdrawn" finds them.
        audit_customers_record(business=business, actor=actor, events=audited)
        _add_tags(business, tag_rows, written={customer.pk for customer in [*new, *changed]})
    members.note_more_names()
    linked = referrers_link(business=business, referrals=referrals, columns=columns, result=result)
    # A customer the file changed only by who brought them in was counted as skipped.
    newly_changed = len(linked & unchanged)
    result.skipped -= newly_changed
    result.updated += newly_changed


# What the notes say of a name in the column of regular staff members (members.MemberNames).
REGULAR_MEMBER_NOTES = MemberNotes(
    ambiguous=lambda dry_run: (
        _(
            "More than one member is called “%(name)s”: the customers of that name would be "
            "imported without a regular staff member. Write their user name instead."
        )
        if dry_run
        else _(
            "More than one member is called “%(name)s”: the customers of that name were "
            "imported without a regular staff member. Write their user name instead."
        )
    ),
    unknown=lambda dry_run: (
        _(
            "No member is called “%(name)s”: the customers of that name would be imported "
            "without a regular staff member. Add them as a member first, or check the spelling."
        )
        if dry_run
        else _(
            "No member is called “%(name)s”: the customers of that name were imported without "
            "a regular staff member."
        )
    ),
    more=lambda count: ngettext(
        "And %(count)s more name no member answers to, here and on later lines: its customers "
        "are imported without a regular staff member.",
        "And %(count)s more names no member answers to, here and on later lines: their "
        "customers are imported without a regular staff member.",
        count,
    ),
)


def _health_notes_kept(row: CustomerRow, columns: Columns, *, consented: bool) -> list[RowError]:
    """Takes from `row` what of health, diet and allergies it may not store, and says so: the
    notes without the customer's explicit consent (GDPR art. 9), given in the file's consent
    column or on record (`consented`); and a "no" there for a customer whose consent is on
    record, which a file does not withdraw (it would erase their notes: that is done on the
    card). The rest of the line is imported."""
    values = row.values
    notes = []
    given = values.pop("special_category_consent", None)
    if given is False and consented:
        notes.append(
            RowError(
                row.line,
                columns.header("special_category_consent"),
                row.special_consent_text,
                _(
                    "This customer's consent for health, diet or allergy notes is on record; a "
                    "file does not withdraw it. Withdraw it on the customer's card, which also "
                    "removes the notes."
                ),
                "special_consent_kept",
            )
        )
    elif given and not consented:
        values["special_category_consent"] = True
    if values.get("special_notes") and not (given or consented):
        # A "no" is the customer's answer, not a consent left out: no advice to write "yes".
        said_no = given is False
        notes.append(
            RowError(
                row.line,
                columns.header("special_notes"),
                values.pop("special_notes"),
                _(
                    "Not stored: according to the file the customer gave no explicit consent "
                    "for health, diet and allergy notes (GDPR art. 9)."
                )
                if said_no
                else _(
                    "Not stored: health, diet and allergy notes need the customer's explicit "
                    "consent (GDPR art. 9). If they gave it, say “yes” in a column of that "
                    "consent, or record the notes on the customer's card."
                ),
                "special_notes_refused" if said_no else "special_notes_without_consent",
            )
        )
    return notes


def _consent(customer: Customer) -> dict[str, Any]:
    return {name: getattr(customer, name) for name in CONSENT_FIELDS}


def _may_match_on_email(row: CustomerRow, by_number: dict, columns: Columns) -> bool:
    """Whether a row with a customer number that no customer has may be matched on its e-mail
    address: not when the file gives that address to more than one number."""
    return bool(
        row.email
        and match_number(by_number, row.number) is None
        and row.email not in columns.emails_of_several_numbers
    )


def _by_phone_and_name(
    business: Business, parsed: list[CustomerRow]
) -> dict[tuple[str, str], list[Customer]]:
    """{(phone key, name key): customers, oldest first} for the batch's rows that give neither
    a number nor an address (matching.phone_speaks), read under the lock as the others are.
    Such a row is the customer of the same phone number and name: a household shares a phone,
    so the phone alone does not say who; read a second time, the file adds them again no more.
    Through the index of Customer.match_phone, which an anonymised customer is not in."""
    phones = {
        phone_key(row.phone) for row in parsed if phone_speaks(row.number, row.email, row.phone)
    }
    found: dict[tuple[str, str], list[Customer]] = {}
    if phones:
        for customer in (
            Customer.objects.filter(business=business, match_phone__in=phones)
            .order_by("pk")
            .select_for_update()
        ):
            found.setdefault((customer.match_phone, customer.match_name), []).append(customer)
    return found


def _withdrawals(business: Business, parsed: list[CustomerRow], numbered, emailed) -> dict:
    """{customer id: when they last withdrew consent for news and offers} for the batch's
    customers without that consent now, when a row of the batch gives it."""
    if not any(row.values.get("marketing_consent") for row in parsed):
        return {}
    found = [
        *(customer for group in numbered for customer in group.values()),
        *(customer for group in emailed for customer in group),
    ]
    return marketing_consent_withdrawals(
        business=business,
        customer_ids=[customer.pk for customer in found if not customer.marketing_consent],
    )


def _withdrawal_kept_note(
    row: CustomerRow, columns: Columns, business: Business, name: str, withdrawn_at: datetime
) -> RowError:
    """The line's note that its customer's withdrawal of consent for news and offers stays,
    whatever the file says: the rest of the line is imported."""
    message = _(
        "%(name)s withdrew consent for news and offers on %(day)s; the file's “%(value)s” was "
        "not taken over. Consent can be given again only on the customer's card."
    ) % {
        "name": name,
        "day": date_format(business.local(withdrawn_at).date(), "j F Y"),
        "value": row.consent_text,
    }
    return RowError(
        row.line,
        columns.header("marketing_consent"),
        row.consent_text,
        message,
        "consent_withdrawn",
    )


def _keep_since_by_first_purchase(
    values: dict, existing: Customer, first_day: date | None
) -> date | None:
    """A file's "customer since" after the customer's first purchase becomes that purchase's day
    (customers_since_moved_back, which the purchase import and every recorded purchase apply):
    the customer file read again after the till's history would otherwise make every customer
    new again from its date. A date the customer has already is left as it is, whatever it is.
    Returns the file's date where it gave way, for the import to say so."""
    since = values.get("customer_since")
    if since and first_day and since > first_day and since != existing.customer_since:
        values["customer_since"] = first_day
        return since
    return None


def _since_kept_note(row: CustomerRow, columns: Columns, given: date, kept: date) -> RowError:
    """The line's note that its customer kept the day of their first purchase (`kept`) as
    "customer since" instead of the file's later `given` date: not an error, the file is
    imported."""
    message = _(
        "“Customer since” is %(kept)s, the day of this customer's first purchase, instead of "
        "the file's later %(given)s: no one bought here before they were a customer."
    ) % {
        "kept": date_format(kept, "j F Y"),
        "given": date_format(given, "j F Y"),
    }
    return RowError(
        row.line, columns.header("customer_since"), row.since_text, message, "since_first_purchase"
    )


def _add_tags(
    business: Business, tag_rows: list[tuple[Customer, list[str]]], *, written: set[int]
) -> None:
    """Adds the file's tags to the customers; tags they already have stay. `written`: the
    customers whose rows this batch wrote (created or changed), whose `updated_at` is new."""
    if not tag_rows:
        return
    # Each name as the business spells it, in any capitals (a file's "bbq" is the tag "BBQ").
    spelled = tag_spellings(
        business_id=business.pk, names=[name for _customer, tags in tag_rows for name in tags]
    )
    names = sorted(set(spelled.values()))
    existing = {tag.name: tag for tag in Tag.objects.filter(business=business, name__in=names)}
    Tag.objects.bulk_create(
        [Tag(business=business, name=name) for name in names if name not in existing]
    )
    by_name = {tag.name: tag for tag in Tag.objects.filter(business=business, name__in=names)}
    tags = {name: by_name[spelling] for name, spelling in spelled.items()}
    wanted = {
        (customer.pk, tags[name].pk)
        for customer, names_of_customer in tag_rows
        for name in names_of_customer
    }
    link = Customer.tags.through
    had = set(
        link.objects.filter(
            customer_id__in={customer for customer, _tag in wanted},
            tag_id__in={tag for _customer, tag in wanted},
        ).values_list("customer_id", "tag_id")
    )
    added = sorted(wanted - had)
    link.objects.bulk_create(
        [link(customer_id=customer, tag_id=tag) for customer, tag in added], ignore_conflicts=True
    )
    # A tag is shown with the customer but not written in their row: without this a customer
    # the file only gave a new tag would not count as changed (the API's changed_since). The
    # rows the batch wrote moved already; writing them again would only cost time.
    Customer.objects.filter(
        pk__in={customer for customer, _tag in added if customer not in written}
    ).mark_changed()


_UPDATE_FIELDS = [
    "name",
    "company",
    "email",
    "phone",
    "street",
    "postal_code",
    "city",
    "notes",
    "preferences",
    "special_notes",
    "special_category_consent",
    "special_category_consent_at",
    "birthday",
    "customer_since",
    "customer_since_known",
    "acquisition_channel",
    "external_ref",
    "regular_member",
    "marketing_consent",
    "marketing_consent_basis",
    "marketing_consent_at",
    *DERIVED_FIELDS,
]
