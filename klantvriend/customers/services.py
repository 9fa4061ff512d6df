"""Writes of customers, purchases and contact moments. Every function validates completely
before it writes, and writes in one transaction: on bad input nothing is stored."""

import copy
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from klantvriend.core.audit import (
    AuditAction,
    audit_created,
    audit_customer_row,
    audit_customers_record,
    audit_diff,
    audit_last_change,
    audit_record,
    delete_customer_row,
    save_changed_customer_row,
    save_new_customer_row,
)
from klantvriend.core.bulk import insert_rows
from klantvriend.core.errors import (
    ChangedMeanwhile,
    Conflict,
    NotFound,
    ValidationError,
    refusals_gathered,
    refusals_of,
)
from klantvriend.core.hooks import (
    PURCHASE_CORRECTED,
    PURCHASE_DELETED,
    PURCHASE_RECORDED,
    REFERRAL_RECORDED,
    run_after_commit,
    run_in_transaction,
)
from klantvriend.core.language import shop_language
from klantvriend.core.members import member_of_business, staff_name
from klantvriend.core.models import Business, refuse_null_characters, refused_when_taken
from klantvriend.core.moments import refuse_unlikely_moment
from klantvriend.core.selectors import refuse_impossible_ids
from klantvriend.core.undo import changed_since, step_to_undo, values_before
from klantvriend.core.versions import record_changing, refuse_if_changed

from .identity import CUSTOMER_NUMBER, EMAIL, PHONE, identifier_key, identity_digest, new_salt
from .models import (
    DAYS_GONE_BY,
    DERIVED_FIELDS,
    ConsentKind,
    ConsentRecord,
    ConsentSource,
    ContactKind,
    ContactMoment,
    Customer,
    DistinctPair,
    ErasedIdentity,
    ImportantDate,
    LegalBasis,
    Purchase,
    Tag,
    refuse_early_day,
    refuse_long_tag,
    unlikely_day_errors,
)
from .selectors import customer_version, first_purchase_days, tag_spellings

CUSTOMER_EDITABLE_FIELDS = frozenset(
    {
        "name",
        "company",
        "email",
        "phone",
        "street",
        "postal_code",
        "city",
        "preferences",
        "notes",
        "birthday",
        "customer_since",
        "acquisition_channel",
        "referred_by",
        "regular_member",
        "marketing_consent",
        "marketing_consent_basis",
        "special_category_consent",
        "special_notes",
        "external_ref",
    }
)

# A clock that is a few minutes fast must not refuse a purchase rung up just now.


def consent_changes(customer: Customer, previous: Customer | None) -> list[ConsentRecord]:
    """The consent history rows for what changed between `previous` and `customer` (unsaved)."""
    records = []
    if customer.marketing_consent != (previous.marketing_consent if previous else False) or (
        customer.marketing_consent
        and previous is not None
        and customer.marketing_consent_basis != previous.marketing_consent_basis
    ):
        records.append(
            ConsentRecord(
                business_id=customer.business_id,
                customer=customer,
                kind=ConsentKind.MARKETING,
                given=customer.marketing_consent,
                basis=customer.marketing_consent_basis,
                at=timezone.now(),
            )
        )
    if customer.special_category_consent != (
        previous.special_category_consent if previous else False
    ):
        records.append(
            ConsentRecord(
                business_id=customer.business_id,
                customer=customer,
                kind=ConsentKind.SPECIAL_CATEGORY,
                given=customer.special_category_consent,
                basis=LegalBasis.CONSENT if customer.special_category_consent else "",
                at=timezone.now(),
            )
        )
    return records


def consent_records_save(records: list[ConsentRecord], source: ConsentSource | str) -> None:
    for record in records:
        record.customer_id = record.customer.pk
        record.source = source
    ConsentRecord.objects.bulk_create(records)


# The basis of consent given without a stated one; the web form offers it first too.
MARKETING_CONSENT_DEFAULT_BASIS = LegalBasis.CONSENT


def marketing_consent_basis_stored(*, consent: bool, basis: str, had_consent: bool) -> str:
    """The legal basis stored beside a marketing-consent choice, on every route (form, API,
    import). Without consent there is none: the form sends its choice with the box unticked, an
    import's basis column may be filled beside "nee", an API client may send back a whole
    record; such a basis is not stored (rather than refused, which would refuse those ordinary
    forms and files), as it would otherwise become the basis of consent given later without a
    stated one. Consent given just now without a stated basis (a ticked box in the shop, a "ja"
    in an imported file) is the customer's own consent. Consent that was already there keeps the
    basis it is sent with: emptying it is refused (Customer.clean)."""
    if not consent:
        return LegalBasis.NONE
    if not had_consent and not basis:
        return MARKETING_CONSENT_DEFAULT_BASIS
    return basis


def apply_consent_timestamps(customer: Customer, previous: Customer | None) -> None:
    now = timezone.now()
    had_marketing = previous.marketing_consent if previous else False
    customer.marketing_consent_basis = marketing_consent_basis_stored(
        consent=customer.marketing_consent,
        basis=customer.marketing_consent_basis,
        had_consent=had_marketing,
    )
    if customer.marketing_consent != had_marketing:  # given or withdrawn just now
        customer.marketing_consent_at = now
    had_special = previous.special_category_consent if previous else False
    if customer.special_category_consent != had_special:
        customer.special_category_consent_at = now if customer.special_category_consent else None


def _set_tags(customer: Customer, names: list[str]) -> None:
    """Gives the customer these tags, named as stored (_tags_as_stored), making those new to
    the business."""
    existing = {
        tag.name: tag
        for tag in Tag.objects.filter(business_id=customer.business_id, name__in=names)
    }
    missing = [
        Tag(business_id=customer.business_id, name=name) for name in names if name not in existing
    ]
    Tag.objects.bulk_create(missing)
    tags = list(existing.values()) + list(
        Tag.objects.filter(business_id=customer.business_id, name__in=[t.name for t in missing])
    )
    customer.tags.set(tags)


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - CUSTOMER_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Unknown customer fields: {sorted(unknown)}")


def _tag_refusals(tags: list[str] | None) -> dict[str, list[ValidationError]]:
    """Every refused tag, reported with the customer's own refusals (customer_full_clean):
    tags are not fields of the customer, so its full_clean does not see them. Pure, so that a
    refused tag reaches no query (a NUL character is refused by PostgreSQL itself)."""
    refusals = []
    for name in tags or ():
        try:
            refuse_null_characters(name)
            refuse_long_tag(name.strip())
        except ValidationError as refused:
            refusals.extend(refused.error_list)
    return {"tags": refusals} if refusals else {}


def _referrer_read(business_id: int, fields: dict[str, Any], refusals: dict) -> None:
    """A referrer given by id (the API) becomes the customer of that id in this business; one
    that is not there (or another business's) is refused with the other refusals."""
    referrer = fields.get("referred_by")
    if isinstance(referrer, int) and not isinstance(referrer, bool):
        found = Customer.objects.filter(business_id=business_id, pk=referrer).first()
        if found is None:
            del fields["referred_by"]
            refusals["referred_by"] = [
                ValidationError(_("This customer does not exist."), code="not_found")
            ]
        else:
            fields["referred_by"] = found


def _regular_member_read(business_id: int, fields: dict[str, Any], refusals: dict) -> None:
    """A regular staff member given (a user, or from the API a user's id) becomes that member;
    anyone who does not work in the business, of another business or of none, is refused with
    the other refusals (core.members.member_of_business)."""
    if "regular_member" not in fields:
        return
    try:
        fields["regular_member"] = member_of_business(
            business=business_id, user=fields["regular_member"], field="regular_member"
        )
    except ValidationError as refused:
        del fields["regular_member"]
        refusals.update(refused.update_error_dict({}))


def _new_customer(
    *, business: Business, name: str, tags: list[str] | None, fields: dict[str, Any]
) -> Customer:
    """The customer customer_create stores, checked: every refusal at once (ValidationError)."""
    _check_fields(fields)
    refusals = _tag_refusals(tags)
    fields = dict(fields)
    _referrer_read(business.pk, fields, refusals)
    _regular_member_read(business.pk, fields, refusals)
    customer = Customer(business=business, name=name.strip(), **_stripped(fields))
    if "customer_since" not in fields:
        customer.customer_since = business.today()
    apply_consent_timestamps(customer, previous=None)
    customer.refresh_derived_fields()
    customer_full_clean(customer, previous=None, also_refused=refusals)
    return customer


def customer_create_refusals(
    *, business: Business, name: str, tags: list[str] | None = None, **fields: Any
) -> dict[str, list[ValidationError]]:
    """What customer_create would refuse of these fields, per field, writing nothing: for a
    caller that refused other fields itself (the API's schema) and answers all at once."""
    return refusals_of(
        lambda: _new_customer(business=business, name=name, tags=tags, fields=fields)
    )


def customer_create(
    *,
    business: Business,
    name: str,
    tags: list[str] | None = None,
    consent_source: str = "",
    actor=None,
    **fields: Any,
) -> Customer:
    customer = _new_customer(business=business, name=name, tags=tags, fields=fields)
    with refused_when_taken(customer), transaction.atomic():
        customer.save()
        consent_records_save(consent_changes(customer, None), consent_source)
        if tags:
            _set_tags(customer, _tags_as_stored(business.pk, tags))
        _audit_customer(customer, actor, AuditAction.CREATED, {}, fields)
    return customer


def customer_full_clean(
    customer: Customer,
    *,
    previous: Customer | None,
    also_refused: Mapping[str, list[ValidationError]] | None = None,
) -> None:
    """The model's checks (full_clean) and, with their refusals, a birthday or customer-since
    date after today (models.unlikely_day_errors), all at once, with those `also_refused` before
    (tags, a referrer not found). Only a day given anew is judged: on a new customer, or
    changed from what `previous` (the customer as stored) holds: a shop correcting a phone
    number must not be stopped by a day stored before the rule that it did not touch."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        customer.full_clean()  # which also reads a day given as text ("2024-03-01")
    except ValidationError as refused:
        errors = refused.update_error_dict(errors)
    days = {
        name: getattr(customer, name)
        for name in DAYS_GONE_BY
        if name not in errors  # not a day at all: refused as such already
    }
    stored = None if previous is None else {name: getattr(previous, name) for name in days}
    refused_days = unlikely_day_errors(days, today=customer.business.today(), previous=stored)
    for name, refusals in refused_days.items():
        errors.setdefault(name, []).extend(refusals)
    if (
        previous is not None
        and "customer_since" not in errors
        and customer.customer_since != previous.customer_since
    ):
        _refuse_since_after_first_purchase(customer, errors)
    for name, refusals in (also_refused or {}).items():
        errors.setdefault(name, []).extend(refusals)
    if errors:
        raise ValidationError(errors)


def _refuse_since_after_first_purchase(customer: Customer, errors: dict) -> None:
    """No one bought here before they were a customer (customers_since_moved_back): a
    "customer since" changed to after the first purchase is refused, naming that day."""
    business = customer.business
    first = first_purchase_days(business=business, customer_ids=[customer.pk]).get(customer.pk)
    if first is not None and customer.customer_since > first:
        refusal = _(
            "This customer first bought here on %(day)s: “customer since” is that day at the "
            "latest."
        ) % {"day": date_format(first, "j F Y")}
        errors.setdefault("customer_since", []).append(
            ValidationError(refusal, code="after_first_purchase")
        )


def _audit_customer(customer: Customer, actor, action: str, before: dict, fields: dict) -> None:
    """Who changed which personal data: the field names and values, erased with the person."""
    after = {"name": customer.name, **{name: getattr(customer, name) for name in fields}}
    if action == AuditAction.CREATED:
        changes = audit_created(customer, after)
    else:
        changes = audit_diff(before, after)
    if changes or action == AuditAction.CREATED:
        audit_record(
            business=customer.business,
            actor=actor,
            action=action,
            obj=customer,
            customer=customer,
            changes=changes,
        )


def customer_update(
    *,
    customer: Customer,
    tags: list[str] | None = None,
    seen: dict[str, Any] | None = None,
    expected_versions: Collection[str] | None = None,
    consent_source: str = "",
    actor=None,
    **fields: Any,
) -> Customer:
    """Changes the fields given (and the tags, when given) of the customer as stored now. The
    row is read again under a lock in the transaction that writes it: what others saved in the
    meantime stays unless it is given here, and the caller's object, however long ago it was
    read, writes back nothing that was not given. That object gets what was stored.

    `seen`: what the caller based its change on, per field given (a form's hidden `initial-`
    values). A field given as it was seen is no change and keeps what is stored now; a field
    someone else changed meanwhile to another value than the one given is refused with
    ChangedMeanwhile, for all such fields at once, and nothing is stored. Given the same value
    as they did, it is no conflict.
    `expected_versions`: refused with ChangedMeanwhile unless the stored customer's
    `selectors.customer_version` is one of these (the API's If-Match)."""
    seen = seen or {}
    unknown = set(seen) - set(fields) - ({"tags"} if tags is not None else set())
    if unknown:
        raise TypeError(f"Seen values of customer fields not given: {sorted(unknown)}")
    given, refusals = _given_changes(customer, tags, fields)
    if tags is not None and "tags" not in refusals:
        # As the business spells them, so that retyping a tag in other capitals is no change.
        # Refused tags are not looked up: they are answered with the fields' refusals below.
        given["tags"] = _tags_as_stored(customer.business_id, tags)
    row = Customer(pk=customer.pk, business_id=customer.business_id)
    with refused_when_taken(row), transaction.atomic():
        _read_locked(row, business=customer.business)
        row.refuse_if_anonymised()
        customer_refuse_if_changed(row, expected_versions=expected_versions)
        stored_tags = _stored_tags(row) if "tags" in given else None
        changes = _changes_against_stored(row, given, seen, stored_tags)
        new_tags = changes.pop("tags", None)
        previous = _changes_checked(row, changes, refused=refusals)
        row.save(update_fields=[*changes, *_DERIVED_FIELDS])
        if "referred_by" in changes and row.referred_by_id is not None:
            run_after_commit(REFERRAL_RECORDED, customer=row)
        consent_records_save(consent_changes(row, previous), consent_source)
        if new_tags is not None:
            _set_tags(row, new_tags)
        audit_changes = audit_diff(
            _audit_snapshot(previous, stored_tags),
            _audit_snapshot(row, stored_tags if new_tags is None else new_tags),
        )
        if audit_changes:
            audit_record(
                business=row.business,
                actor=actor,
                action=AuditAction.CHANGED,
                obj=row,
                customer=row,
                changes=audit_changes,
            )
    _take_stored(customer, row, tags_changed=new_tags is not None)
    return customer


def _given_changes(
    customer: Customer, tags: list[str] | None, fields: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[ValidationError]]]:
    """The fields of a change as they are stored, and the refusals found without the customer
    as stored: of the tags and of a referrer not found."""
    _check_fields(fields)
    refusals = _tag_refusals(tags)
    fields = dict(fields)
    _referrer_read(customer.business_id, fields, refusals)
    _regular_member_read(customer.business_id, fields, refusals)
    given = {
        name: value.strip() if name == "name" else value
        for name, value in _stripped(fields).items()
    }
    return given, refusals


def _changes_checked(
    row: Customer, changes: dict[str, Any], *, refused: dict[str, list[ValidationError]]
) -> Customer:
    """Makes `changes` to the customer as stored (`row`), with the consent moments and derived
    fields they move, and checks the result: every refusal at once, with those `refused`
    before. Returns the customer as it was."""
    previous = copy.copy(row)
    for name, value in changes.items():
        setattr(row, name, value)
    if "customer_since" in changes:
        row.customer_since_known = True
    apply_consent_timestamps(row, previous=previous)
    row.refresh_derived_fields()
    customer_full_clean(row, previous=previous, also_refused=refused)
    return previous


def customer_update_refusals(
    *, customer: Customer, tags: list[str] | None = None, **fields: Any
) -> dict[str, list[ValidationError]]:
    """What customer_update would refuse of these fields of `customer` (as stored), per field,
    writing nothing: for a caller that refused other fields itself (the API's schema) and
    answers all at once. An anonymised customer's refusal is the update's own (409)."""

    def check() -> None:
        customer.refuse_if_anonymised()
        given, refusals = _given_changes(customer, tags, fields)
        _changes_checked(copy.copy(customer), given, refused=refusals)

    return refusals_of(check)


def customer_refuse_if_changed(
    stored: Customer, *, expected_versions: Collection[str] | None, message: str | None = None
) -> None:
    """ChangedMeanwhile unless the customer's version (read under their lock) is one of
    `expected_versions` (core.versions; None: no condition), said of the customer unless the
    caller has its own `message`."""
    refuse_if_changed(
        stored,
        expected_versions=expected_versions,
        version=lambda customer: customer_version(customer=customer),
        message=message
        or _(
            "This customer was changed since you read it: read it again and make your change "
            "to what is stored now."
        ),
    )


# What a change of a customer writes besides the fields given: the search text and match keys
# made of them, consent's moment and basis (apply_consent_timestamps), whether their "customer
# since" is known (a day given makes it so), and when it was saved.
_DERIVED_FIELDS = (
    *DERIVED_FIELDS,
    "customer_since_known",
    "marketing_consent_at",
    "marketing_consent_basis",
    "special_category_consent_at",
    "updated_at",
)


def tag_set(names: Iterable[str]) -> list[str]:
    """Tag names as stored: without surrounding spaces, each once, sorted."""
    return sorted({name.strip() for name in names if name.strip()})


def _tags_as_stored(business_id: int, names: Iterable[str]) -> list[str]:
    """Tag names as stored (tag_set), each spelled as the business's tag of that name in any
    capitals (selectors.tag_spellings)."""
    return sorted(set(tag_spellings(business_id=business_id, names=tag_set(names)).values()))


def _stored_tags(customer: Customer) -> list[str]:
    return sorted(Tag.objects.filter(customers=customer).values_list("name", flat=True))


def _read_locked(row: Customer, *, business: Business) -> None:
    """Fills `row` with the customer as stored now, locking it until the transaction ends, so
    that two changes of one customer follow each other (SQLite: the IMMEDIATE transaction
    holds the write lock already)."""
    try:
        row.refresh_from_db(from_queryset=Customer.objects.select_for_update())
    except Customer.DoesNotExist:
        raise NotFound from None  # deleted since the caller read it
    row._state.adding = False  # a stored row: its own id and number are no one else's
    row.business = business


def _stored_value(row: Customer, name: str, stored_tags: list[str] | None) -> Any:
    if name == "tags":
        return stored_tags
    return getattr(row, Customer._meta.get_field(name).attname)  # a referrer as its id


def _comparable(value: Any) -> Any:
    """A value as compared with what was seen and what is stored: a customer as their id, text
    without surrounding spaces and with one kind of line break (a browser sends CRLF), tags as
    a sorted set."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, list | tuple | set | frozenset):
        return sorted({_comparable(item) for item in value} - {""})
    return value


def _changes_against_stored(
    row: Customer, given: dict[str, Any], seen: dict[str, Any], stored_tags: list[str] | None
) -> dict[str, Any]:
    """The values given that change something, judged against what the caller saw (`seen`):
    left as seen, a field keeps what is stored; changed by the caller, it is written unless
    someone else changed it meanwhile to something else (ChangedMeanwhile)."""
    changes, conflicts = {}, []
    for name, value in given.items():
        if name in seen:
            was, now = _comparable(seen[name]), _comparable(_stored_value(row, name, stored_tags))
            if _comparable(value) in (was, now):
                continue  # left as seen, or made what someone else made it meanwhile
            if now != was:
                conflicts.append(name)
                continue
        changes[name] = value
    if conflicts:
        stored_tags = stored_tags if stored_tags is not None else _stored_tags(row)
        stored = {
            name: _stored_value(row, name, stored_tags)
            for name in [*sorted(CUSTOMER_EDITABLE_FIELDS), "tags"]
        }
        raise ChangedMeanwhile(
            {
                name: ValidationError(
                    _changed_meanwhile_message(row, name, stored[name]), code="changed_meanwhile"
                )
                for name in conflicts
            },
            stored=stored,
        )
    return changes


def _changed_meanwhile_message(row: Customer, name: str, value: Any) -> str:
    """What a field holds now that someone else changed it, and who, when the audit trail knows."""
    event = audit_last_change(obj=row, field=name, value=value)
    who = staff_name(event.actor) if event is not None and event.actor is not None else ""
    shown = shown_value(name, value)
    if not shown:
        if who:
            return _("Emptied meanwhile by %(who)s.") % {"who": who}
        return _("Emptied meanwhile.")
    if who:
        return _("Changed meanwhile by %(who)s to: “%(value)s”") % {"who": who, "value": shown}
    return _("Changed meanwhile to: “%(value)s”") % {"value": shown}


def shown_value(name: str, value: Any) -> str:
    """A stored value as the edit form shows it, in the reader's language; "" when empty."""
    if name == "tags":
        return ", ".join(value)
    if isinstance(value, bool):
        return _("ticked") if value else _("not ticked")
    if value in (None, ""):
        return ""
    field = Customer._meta.get_field(name)
    if field.related_model is not None and field.related_model is not Customer:
        # A regular staff member, by the name the pages show.
        user = field.related_model.objects.filter(pk=value).first()
        return staff_name(user) if user is not None else ""
    if field.is_relation:
        return Customer.objects.filter(pk=value).values_list("name", flat=True).first() or ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, date):
        return date_format(value)
    return str(value)


def _audit_snapshot(customer: Customer, tags: list[str] | None) -> dict[str, Any]:
    """What the audit trail compares: every field a person can change (a referrer as its id),
    and the tags when they were given."""
    values = {
        name: _stored_value(customer, name, None) for name in sorted(CUSTOMER_EDITABLE_FIELDS)
    }
    if tags is not None:
        values["tags"] = tags
    return values


def _take_stored(customer: Customer, row: Customer, *, tags_changed: bool) -> None:
    """The caller's object takes what was stored, so that it shows what is true now."""
    for field in Customer._meta.concrete_fields:
        setattr(customer, field.attname, getattr(row, field.attname))
    if tags_changed:
        getattr(customer, "_prefetched_objects_cache", {}).pop("tags", None)


# The one-line fields stored without surrounding spaces. A customer number: the unique
# constraint on it compares what is stored, the importers compare it stripped
# (identity.customer_number_key). The contact details: a till sent "anna@example.nl " (refused
# as no address) and " 0612345678 " (stored with its spaces), where the web form strips them.
STRIPPED_FIELDS = ("external_ref", "email", "phone", "company", "street", "postal_code", "city")


def _stripped(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        name: value.strip() if name in STRIPPED_FIELDS and isinstance(value, str) else value
        for name, value in fields.items()
    }


def customers_regular_member_release(*, business: Business, user, actor=None) -> dict[str, int]:
    """The customers of `business` whose regular staff member `user` was no longer have one:
    run as they leave the business (core.hooks.MEMBER_REMOVED, inside the removal's
    transaction), so that no briefing names someone who left as a customer's own. Each
    customer's audit trail says so, by whom the member was removed; an API client syncing the
    customers (changed_since) sees them changed. Returns {"regular_customers": how many}."""
    customers = Customer.objects.filter(business=business, regular_member=user)
    released = list(customers.values_list("pk", flat=True))
    if not released:
        return {}
    Customer.objects.filter(pk__in=released).update(regular_member=None, updated_at=timezone.now())
    audit_customers_record(
        business=business,
        actor=actor,
        events=[
            (
                AuditAction.CHANGED,
                Customer(pk=pk, business=business),
                {"regular_member": [user.pk, None]},
            )
            for pk in released
        ],
    )
    return {"regular_customers": len(released)}


def erased_identity_remember(*, customer: Customer) -> None:
    """Remembers the customer's number, e-mail address and phone number as digests (see
    ErasedIdentity), to be called by erasure in its transaction before it empties them. Another erased customer may
    have left the same digest (two customers with one address); the first one keeps it."""
    identifiers = [
        (kind, value)
        for kind, value in (
            (CUSTOMER_NUMBER, customer.external_ref),
            (EMAIL, customer.email),
            (PHONE, customer.phone),
        )
        if identifier_key(kind, value)
    ]
    if not identifiers:
        return
    # One salt per business, made by its first erasure (two erasures that both were the first
    # make two; the importers try every salt of the business).
    salt = (
        ErasedIdentity.objects.filter(business_id=customer.business_id)
        .order_by("pk")
        .values_list("salt", flat=True)
        .first()
    ) or new_salt()
    ErasedIdentity.objects.bulk_create(
        [
            ErasedIdentity(
                business_id=customer.business_id,
                customer=customer,
                kind=kind,
                salt=salt,
                digest=identity_digest(salt=salt, kind=kind, value=value),
            )
            for kind, value in identifiers
        ],
        ignore_conflicts=True,
    )


def currency_refusal(*, business, currency: str) -> str:
    """Why an amount in another currency than the business's is refused: every total, the
    spend kept per customer and the value models count amounts in the business's currency."""
    return _(
        "This business keeps its amounts in %(currency)s; an amount in %(other)s would be "
        "counted as %(currency)s."
    ) % {"currency": business.currency, "other": currency}


# customers_since_moved_back's ids a statement: within SQLite's 32,766 parameters.
SINCE_SLICE = 10_000


def customers_since_moved_back(
    *, business: Business, first_days: Mapping[int, date], known: bool = True
) -> None:
    """Moves "customer since" back to the day of a customer's first purchase where that lies
    before it: no customer bought here before they were a customer. A till's history imported
    after the customer file (which gave everyone the day of the import, lacking the column), or
    a receipt entered late, would otherwise leave them "new" on the scorecard and in the
    acquisition report, and their anniversary on the wrong day. A day moved back so is known
    (Customer.customer_since_known): the first purchase on record; with `known` False it stays
    as known as it was (one purchase typed in, _since_at_purchase). `first_days`: each
    customer's earliest purchase day among those just recorded, in the business's time zone.

    The customers' days are read first, so that only those to move are written: a till's
    history read again moves no one, and a history of ten years would otherwise be an UPDATE
    for each of its 3,650 days. The rest an UPDATE a day; a customer who became one by then
    meanwhile keeps their day."""
    pks = list(first_days)
    later: dict[date, list[int]] = {}
    for start in range(0, len(pks), SINCE_SLICE):
        stored = Customer.objects.filter(business=business, pk__in=pks[start : start + SINCE_SLICE])
        for pk, since in stored.values_list("pk", "customer_since"):
            if first_days[pk] < since:
                later.setdefault(first_days[pk], []).append(pk)
    for day, moved in later.items():
        for start in range(0, len(moved), SINCE_SLICE):
            Customer.objects.filter(
                business=business, pk__in=moved[start : start + SINCE_SLICE], customer_since__gt=day
            ).update(customer_since=day, **({"customer_since_known": True} if known else {}))


def customer_refuse_if_anonymised_now(customer: Customer) -> None:
    """Refuses a new record of `customer` (Customer.refuse_if_anonymised) by their row as
    stored now (customer_read_erased_now), not by the caller's object."""
    customer_read_erased_now(customer)
    customer.refuse_if_anonymised()


def customer_read_erased_now(customer: Customer) -> None:
    """Sets `customer.erased_at` from their row as stored now, read under its lock in the
    transaction that writes a new record of theirs: the caller's object may have been read
    before an erasure (importers.privacy.customer_erase, which holds the row locked while it
    blanks what the customer has), and a record made after it would hold personal data that no
    second erasure reaches. An erasure at the same moment either came first and is seen here,
    or waits for this write and blanks its record with the rest (SQLite: the IMMEDIATE
    transactions follow each other). FOR NO KEY UPDATE: rows that merely refer to the customer
    are not held up."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the customer must be read inside the transaction of the write")
    erased_at = (
        Customer.objects.select_for_update(no_key=True)
        .filter(pk=customer.pk)
        .values_list("erased_at", flat=True)
        .first()
    )
    if erased_at is not None:
        customer.erased_at = erased_at


def _since_at_purchase(purchase: Purchase) -> None:
    """customers_since_moved_back for one purchase just written, its customer's in memory too.
    A customer whose day is not known (a file brought them in) stays so, a customer by then at
    the latest: one visit typed in is no first one. A restaurant's regulars, imported from its
    guest list, each became a new customer with the first evening typed in, and the scorecard
    read none of them as returning."""
    customer = purchase.customer
    day = customer.business.local(purchase.at).date()
    if day < customer.customer_since:
        known = customer.customer_since_known
        customers_since_moved_back(
            business=customer.business, first_days={customer.pk: day}, known=known
        )
        customer.customer_since = day


def purchase_create(
    *,
    customer: Customer,
    amount_cents: int,
    at: datetime | None = None,
    currency: str = "",
    description: str = "",
    external_ref: str = "",
    member=None,
) -> Purchase:
    """`member`: who served the customer, a member of the business (or, from the API, their
    user id); None for no one named."""
    purchase = _new_purchase(
        customer=customer,
        amount_cents=amount_cents,
        at=at,
        currency=currency,
        description=description,
        external_ref=external_ref,
        member=member,
    )
    with refused_when_taken(purchase), transaction.atomic():
        customer_refuse_if_anonymised_now(customer)
        purchase.save()
        _since_at_purchase(purchase)
    # Aftercare rules (a follow-up after a large purchase, or one of a kind) run once the purchase is committed.
    run_after_commit(PURCHASE_RECORDED, purchase=purchase)
    return purchase


def purchase_create_refusals(*, customer: Customer, **fields: Any) -> dict[str, list]:
    """What purchase_create would refuse of these fields, per field, writing nothing."""
    return refusals_of(lambda: _new_purchase(customer=customer, **fields))


def _new_purchase(
    *,
    customer: Customer,
    amount_cents: int,
    at: datetime | None = None,
    currency: str = "",
    description: str = "",
    external_ref: str = "",
    member=None,
) -> Purchase:
    """The purchase purchase_create stores, checked: every refusal at once."""
    customer.refuse_if_anonymised()
    purchase = Purchase(
        business_id=customer.business_id,
        customer=customer,
        amount_cents=amount_cents,
        at=at or timezone.now(),
        # In any capitals, as the purchase importer reads it: "eur" is the business's EUR.
        currency=(currency.strip() or customer.business.currency).upper(),
        description=description.strip(),
        external_ref=external_ref.strip(),
    )
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise ValidationError(
            {"amount_cents": ValidationError(_("Enter the amount as a number."), code="invalid")}
        )
    refusals_gathered(
        lambda: refuse_unlikely_moment(purchase.at, field="at"),
        lambda: _refuse_other_currency(purchase, business=customer.business),
        lambda: _served_by(purchase, member),
        purchase.full_clean,
    )
    return purchase


def _served_by(purchase: Purchase, member) -> None:
    """Puts `member` on the purchase as who served it: someone of another business, or of
    none, is refused (core.members.member_of_business)."""
    purchase.member = member_of_business(business=purchase.business_id, user=member, field="member")


def _refuse_other_currency(purchase: Purchase, *, business: Business) -> None:
    if purchase.currency != business.currency:
        refusal = currency_refusal(business=business, currency=purchase.currency)
        raise ValidationError({"currency": ValidationError(refusal, code="other_currency")})


def contact_moment_create(
    *,
    customer: Customer,
    kind: str,
    summary: str,
    at: datetime | None = None,
    member=None,
) -> ContactMoment:
    """Records a contact with the customer; `member`, who had it, is who the trail says
    recorded it (None: Klantvriend itself, as for a late survey comment)."""
    moment = _new_contact_moment(
        customer=customer, kind=kind, summary=summary, at=at, member=member
    )
    with transaction.atomic():
        customer_refuse_if_anonymised_now(customer)
        save_new_customer_row(moment, actor=member, snapshot=_contact_moment_snapshot)
    return moment


def _contact_moment_snapshot(moment: ContactMoment) -> dict[str, Any]:
    return {"kind": moment.kind, "summary": moment.summary, "at": moment.at}


def contact_moment_create_refusals(*, customer: Customer, **fields: Any) -> dict[str, list]:
    """What contact_moment_create would refuse of these fields, per field, writing nothing."""
    return refusals_of(lambda: _new_contact_moment(customer=customer, **fields))


def _new_contact_moment(
    *, customer: Customer, kind: str, summary: str, at: datetime | None = None, member=None
) -> ContactMoment:
    customer.refuse_if_anonymised()
    moment = ContactMoment(
        business_id=customer.business_id,
        customer=customer,
        kind=kind,
        summary=summary.strip(),
        at=at or timezone.now(),
        member=member,
    )
    _contact_moment_check(moment, at_given=True)
    return moment


def _contact_moment_check(moment: ContactMoment, *, at_given: bool) -> None:
    refusals_gathered(
        lambda: at_given and refuse_unlikely_moment(moment.at, field="at"),
        moment.full_clean,
    )


def important_date_add(
    *, customer: Customer, label: str, date, yearly: bool = True
) -> ImportantDate:
    important = _new_important_date(customer=customer, label=label, date=date, yearly=yearly)
    with refused_when_taken(important), transaction.atomic():
        customer_refuse_if_anonymised_now(customer)
        important.save()
    return important


def important_date_add_refusals(*, customer: Customer, **fields: Any) -> dict[str, list]:
    """What important_date_add would refuse of these fields, per field, writing nothing."""
    return refusals_of(lambda: _new_important_date(customer=customer, **fields))


# What people call the customer's own birthday (compared in any capitals): it has a field of
# its own (Customer.birthday), which Today congratulates on. Kept as an important date too, it
# was on Today and the profile twice. Someone else's birthday says whose ("verjaardag
# partner") and is an important date.
OWN_BIRTHDAY_LABELS = frozenset(
    {
        "verjaardag",
        "jarig",
        "geboortedag",
        "geboortedatum",
        "verjaardag klant",
        "birthday",
        "date of birth",
        "birth date",
    }
)


def _refuse_own_birthday(label: str) -> None:
    if label.strip().rstrip(".!").casefold() in OWN_BIRTHDAY_LABELS:
        raise ValidationError(
            {
                "label": ValidationError(
                    _(
                        "The customer's own birthday goes in their birthday field (Edit): then "
                        "Today congratulates them once, not twice. For someone else's, say "
                        "whose it is, such as “birthday partner”."
                    ),
                    code="own_birthday",
                )
            }
        )


def _new_important_date(
    *, customer: Customer, label: str, date, yearly: bool = True
) -> ImportantDate:
    """The important date important_date_add stores, checked: every refusal at once."""
    customer.refuse_if_anonymised()
    important = ImportantDate(
        business_id=customer.business_id,
        customer=customer,
        label=label.strip(),
        date=date,
        yearly=yearly,
    )
    refusals_gathered(
        lambda: refuse_early_day(date, field="date"),
        lambda: _refuse_own_birthday(label),
        clean=important,
    )
    return important


def _called_summary(important_date: ImportantDate) -> str:
    """What a call about `important_date` says on the customer's timeline, in the shop's
    language (every member reads the timeline, whatever language each reads it in)."""
    with shop_language(important_date.customer.business):
        return _("Called about: %(what)s") % {"what": important_date.label}


def _called_values(important_date: ImportantDate) -> dict[str, Any]:
    return {
        "called_at": important_date.called_at,
        "called_moment": important_date.called_moment_id,
    }


def important_date_called(
    *, important_date: ImportantDate, member, at: datetime | None = None
) -> ContactMoment:
    """Someone called the customer about an important date that is coming up (the yearly
    check, an anniversary): recorded as a call on their timeline, and on the date, so that
    Today shows it was done and nobody calls twice. A second call (two colleagues, or the
    customer not decided the first time) is recorded as the call it was. One transaction;
    the trail keeps who called, for the undo (important_date_called_undo)."""
    at = at or timezone.now()
    with transaction.atomic():
        stored = ImportantDate.objects.select_for_update().get(pk=important_date.pk)
        stored.customer = important_date.customer
        moment = contact_moment_create(
            customer=stored.customer,
            kind=ContactKind.CALL,
            summary=_called_summary(stored),
            at=at,
            member=member,
        )
        before = _called_values(stored)
        stored.called_at, stored.called_moment = at, moment
        stored.save(update_fields=["called_at", "called_moment"])
        audit_customer_row(
            stored,
            actor=member,
            action=AuditAction.CALLED,
            changes=audit_diff(before, _called_values(stored)),
        )
    important_date.called_at, important_date.called_moment = at, moment
    return moment


def important_date_called_undo(
    *,
    important_date: ImportantDate,
    actor,
    now: datetime | None = None,
    expected_versions: Collection[str] | None = None,
) -> ImportantDate:
    """Take back "Called" tapped by mistake, by the rule of core/undo.py (who may, for how
    long): the date waits for its call again, and the call it put on the customer's timeline
    goes with it, or what was there before an earlier call comes back. A call whose contact
    moment was changed since (what it says, when, how) was worked on: refused, as a step
    changed since."""
    with record_changing(important_date, expected_versions=expected_versions) as stored:
        stored.customer = important_date.customer
        event = step_to_undo(
            row=stored, actions=[AuditAction.CALLED], field="called_at", actor=actor, now=now
        )
        moment = stored.called_moment
        if moment is not None and (moment.kind, moment.at, moment.summary) != (
            ContactKind.CALL,
            stored.called_at,
            _called_summary(stored),
        ):
            raise changed_since("called_at")
        before = _called_values(stored)
        for name, value in values_before(stored, event).items():
            setattr(stored, name, value)
        earlier = stored.called_moment_id
        if earlier is not None and not ContactMoment.objects.filter(pk=earlier).exists():
            # An earlier call's contact moment removed from the timeline since: the date keeps
            # that it was called about, as it does when its moment is removed (SET_NULL).
            stored.called_moment_id = None
        stored.save(update_fields=["called_at", "called_moment"])
        if moment is not None:
            moment.delete()
        audit_customer_row(
            stored,
            actor=actor,
            action=AuditAction.UNDONE,
            changes=audit_diff(before, _called_values(stored)),
        )
    important_date.called_at, important_date.called_moment_id = (
        stored.called_at,
        stored.called_moment_id,
    )
    return stored


# `expected_versions` below: the versions (core.versions.record_version) the caller read, the
# API's If-Match. The change is made only while one of them is stored; otherwise it is refused
# with ChangedMeanwhile and nothing is changed. None sets no condition.


def important_date_delete(
    *, important_date: ImportantDate, expected_versions: Collection[str] | None = None
) -> None:
    with record_changing(important_date, expected_versions=expected_versions) as stored:
        stored.delete()


# Who served it by id: the audit trail keeps a number, not a user, as a follow-up's assignee.
PURCHASE_FIELDS = ("amount_cents", "at", "time_known", "description", "external_ref", "member_id")
# A purchase_update that leaves who served it as stored: None there takes the name off.
UNCHANGED = object()


def _purchase_snapshot(purchase: Purchase) -> dict[str, Any]:
    return {name: getattr(purchase, name) for name in PURCHASE_FIELDS}


def purchase_update(
    *,
    purchase: Purchase,
    actor,
    amount_cents: int | None = None,
    at: datetime | None = None,
    description: str | None = None,
    external_ref: str | None = None,
    member: Any = UNCHANGED,
    expected_versions: Collection[str] | None = None,
) -> Purchase:
    """Corrects a purchase typed wrongly; what is not given stays as it is stored now, however
    long ago the caller read it. A purchase is a fiscal record: who changed what is kept in the
    audit trail. `member` as purchase_create takes it; None there: no one named."""
    given = _purchase_given(amount_cents, at, description, external_ref)
    previous: dict[str, Any] = {}
    try:
        with (
            refused_when_taken(purchase),
            record_changing(purchase, expected_versions=expected_versions) as stored,
        ):
            previous = _purchase_snapshot(stored)
            _take_given(purchase, previous, given)
            # A moment corrected to another one is given with its time (the API's `at` needs
            # one): a purchase imported with its date alone now has a time of day.
            if at is not None and purchase.at != previous["at"]:
                purchase.time_known = True
            _purchase_check(purchase, at_given=at is not None, member=member)
            changes = audit_diff(previous, _purchase_snapshot(purchase))
            if changes:
                purchase.save(update_fields=[*PURCHASE_FIELDS, "updated_at"])
                if "at" in changes:  # a corrected amount or text reads no customer
                    _since_at_purchase(purchase)
                if changes.keys() & {"amount_cents", "description", "at"}:
                    run_in_transaction(PURCHASE_CORRECTED, purchase=purchase, actor=actor)
                audit_customer_row(
                    purchase, actor=actor, action=AuditAction.CHANGED, changes=changes
                )
    except ValidationError:
        _take_given(purchase, previous, {})
        raise
    return purchase


def _purchase_given(
    amount_cents: int | None, at: datetime | None, description: str | None, external_ref: str | None
) -> dict[str, Any]:
    if amount_cents is not None and (
        isinstance(amount_cents, bool) or not isinstance(amount_cents, int)
    ):
        raise ValidationError(
            {"amount_cents": ValidationError(_("Enter the amount as a number."), code="invalid")}
        )
    return {
        "amount_cents": amount_cents,
        "at": at,
        "description": description.strip() if description is not None else None,
        "external_ref": external_ref.strip() if external_ref is not None else None,
    }


def _purchase_check(purchase: Purchase, *, at_given: bool, member: Any = UNCHANGED) -> None:
    """A corrected purchase's checks, every refusal at once; a moment only when given anew,
    who served it only when named anew (put on the purchase when they may be)."""
    refusals_gathered(
        lambda: at_given and refuse_unlikely_moment(purchase.at, field="at"),
        lambda: member is not UNCHANGED and _served_by(purchase, member),
        purchase.full_clean,
    )


def purchase_update_refusals(
    *,
    purchase: Purchase,
    amount_cents: int | None = None,
    at: datetime | None = None,
    description: str | None = None,
    external_ref: str | None = None,
    member: Any = UNCHANGED,
) -> dict[str, list]:
    """What purchase_update would refuse of these fields of `purchase` (as stored), per
    field, writing nothing."""

    def check() -> None:
        corrected = copy.copy(purchase)
        given = _purchase_given(amount_cents, at, description, external_ref)
        _take_given(corrected, _purchase_snapshot(purchase), given)
        _purchase_check(corrected, at_given=at is not None, member=member)

    return refusals_of(check)


def _take_given(record: models.Model, stored: dict[str, Any], given: dict[str, Any]) -> None:
    """The caller's object gets what is stored now, with the values given (not None) over it:
    a field it read long ago is not written back over someone else's change."""
    for name, value in stored.items():
        setattr(record, name, value if given.get(name) is None else given[name])


def purchase_delete(
    *, purchase: Purchase, actor, expected_versions: Collection[str] | None = None
) -> None:
    """Removes a purchase recorded by mistake (owners only, as deleting a customer), keeping
    what it was in the audit trail: a purchase is a fiscal record."""
    with record_changing(purchase, expected_versions=expected_versions) as stored:
        run_in_transaction(PURCHASE_DELETED, purchase=stored, actor=actor)
        delete_customer_row(stored, actor=actor, snapshot=_purchase_snapshot)


def contact_moment_update(
    *,
    moment: ContactMoment,
    actor,
    kind: str | None = None,
    summary: str | None = None,
    at: datetime | None = None,
    expected_versions: Collection[str] | None = None,
) -> ContactMoment:
    """Corrects a contact moment typed wrongly; what is not given stays as stored now. Who
    changed what is kept in the trail; nothing is written when nothing changed."""
    given = _contact_moment_given(kind, summary, at)
    previous: dict[str, Any] = {}
    try:
        with record_changing(moment, expected_versions=expected_versions) as stored:
            previous = _contact_moment_snapshot(stored)
            _take_given(moment, previous, given)
            _contact_moment_check(moment, at_given=at is not None)
            save_changed_customer_row(
                moment, actor=actor, before=previous, snapshot=_contact_moment_snapshot, derived=()
            )
    except ValidationError:
        _take_given(moment, previous, {})
        raise
    return moment


def _contact_moment_given(
    kind: str | None, summary: str | None, at: datetime | None
) -> dict[str, Any]:
    return {"kind": kind, "summary": summary.strip() if summary is not None else None, "at": at}


def contact_moment_update_refusals(
    *,
    moment: ContactMoment,
    kind: str | None = None,
    summary: str | None = None,
    at: datetime | None = None,
) -> dict[str, list]:
    """What contact_moment_update would refuse of these fields of `moment` (as stored), per
    field, writing nothing."""

    def check() -> None:
        changed = copy.copy(moment)
        given = _contact_moment_given(kind, summary, at)
        _take_given(changed, {name: getattr(moment, name) for name in given}, given)
        _contact_moment_check(changed, at_given=at is not None)

    return refusals_of(check)


def contact_moment_delete(
    *, moment: ContactMoment, actor, expected_versions: Collection[str] | None = None
) -> None:
    """Removes a contact moment recorded by mistake, keeping in the trail what it said."""
    with record_changing(moment, expected_versions=expected_versions) as stored:
        delete_customer_row(stored, actor=actor, snapshot=_contact_moment_snapshot)


# Customers marked as not the same person (DistinctPair) ---------------------------------------


def _audit_pair(pair: DistinctPair, *, actor, action: str) -> None:
    """One event on each customer's trail, naming the other by id only."""
    for customer_id, other_id in ((pair.first_id, pair.second_id), (pair.second_id, pair.first_id)):
        audit_record(
            business=pair.business,
            actor=actor,
            action=action,
            obj=pair,
            customer=Customer(pk=customer_id),
            changes={"not_same_as": other_id},
        )


@transaction.atomic
def distinct_pair_create(
    *, business: Business, customer_id: int, other_id: int, actor=None
) -> DistinctPair:
    """Marks two customers of the business as different people, so the list of possible
    duplicates stops offering them as one. Marking them again changes nothing."""
    refuse_impossible_ids(customer_id, other_id)
    first_id, second_id = sorted((customer_id, other_id))
    customers = list(
        Customer.objects.select_for_update()
        .filter(business=business, pk__in=[first_id, second_id])
        .order_by("pk")
    )
    if len(customers) != len({first_id, second_id}):
        raise NotFound  # one of them is of another business, or deleted
    if first_id == second_id:
        raise Conflict(
            _("Choose another customer: a customer cannot be told apart from themselves."),
            code="same",
        )
    if any(customer.erased_at for customer in customers):
        raise Conflict(
            _("An anonymised customer is nobody's duplicate any more; nothing was changed."),
            code="anonymised",
        )
    pair, created = DistinctPair.objects.get_or_create(
        business=business,
        first_id=first_id,
        second_id=second_id,
        defaults={"decided_by": actor if getattr(actor, "is_authenticated", False) else None},
    )
    if created:
        _audit_pair(pair, actor=actor, action=AuditAction.CREATED)
    return pair


@transaction.atomic
def distinct_pair_undo(
    *,
    business: Business,
    pair_id: int,
    actor=None,
    expected_versions: Collection[str] | None = None,
) -> None:
    """Takes back the decision: the two are offered as possible duplicates again.
    `expected_versions`: refused with ChangedMeanwhile unless it is the decision as read (the
    API's If-Match; a decision taken back and taken again since is another one)."""
    pair = DistinctPair.objects.select_for_update().filter(business=business, pk=pair_id).first()
    if pair is None:
        raise NotFound
    refuse_if_changed(pair, expected_versions=expected_versions)
    _audit_pair(pair, actor=actor, action=AuditAction.CANCELLED)
    pair.delete()


def distinct_pairs_move(*, other: Customer, keep: Customer) -> None:
    """In a merge of `other` into `keep`: whoever `other` was not is not `keep` either (they are
    one person), so its pairs become the kept record's, with their decision's who and when. A
    pair of the two themselves goes (the merge overrules it), and one the kept record has
    already stays as it was."""
    pairs = DistinctPair.objects.filter(Q(first=other) | Q(second=other))
    kept_partners = set(
        DistinctPair.objects.filter(first=keep).values_list("second", flat=True)
    ) | set(DistinctPair.objects.filter(second=keep).values_list("first", flat=True))
    moved = []
    for pair in pairs:
        partner = pair.second_id if pair.first_id == other.pk else pair.first_id
        if partner != keep.pk and partner not in kept_partners:
            first_id, second_id = sorted((keep.pk, partner))
            moved.append(
                DistinctPair(
                    business_id=pair.business_id,
                    first_id=first_id,
                    second_id=second_id,
                    decided_by_id=pair.decided_by_id,
                    decided_at=pair.decided_at,
                )
            )
    # Deleted and written again rather than updated: the triggers count pairs in and out.
    pairs.delete()
    DistinctPair.objects.bulk_create(moved)


def distinct_pairs_forget(*, customer: Customer) -> None:
    """On erasure: the anonymised customer is nobody's possible duplicate any more, and no row
    links them to the records they were told apart from."""
    DistinctPair.objects.filter(Q(first=customer) | Q(second=customer)).delete()


# The shop's tags tidied by its owner (the Tags page): renamed, merged, removed. Each is one
# event in the audit trail, on the tag, rather than one per customer who carries it, as an
# import records itself once: a tag renamed on 25,000 customers would otherwise bury each
# customer's own history under it.


def tag_rename(
    *, tag: Tag, name: str, actor=None, expected_versions: Collection[str] | None = None
) -> Tag:
    """Gives the tag another name. A name another tag of the business has, in any capitals,
    merges the two (tag_merge): the tag's customers get that tag, spelled as stored (typing
    "bbq" gives the shop's "BBQ", as on a customer), and this one is removed. Returns the tag
    that carries the name now. Refused, with nothing changed: an empty or too long name, or
    the name the tag has already; with ChangedMeanwhile, a tag no longer of one of
    `expected_versions` (the API's If-Match)."""
    _refuse_tag_name(name)
    name = name.strip()
    with transaction.atomic():
        stored = _tag_locked(tag, expected_versions=expected_versions)
        _refuse_unchanged_tag_name(stored, name)
        same = [
            other
            for other in Tag.objects.filter(business_id=stored.business_id).exclude(pk=stored.pk)
            if other.name.casefold() == name.casefold()
        ]
        if same:
            # The one written exactly so, else the first in sorted order (tag_spellings).
            into = next((other for other in same if other.name == name), None) or min(
                same, key=lambda other: other.name
            )
            tag_merge(tag=stored, into=into, actor=actor)
            return into
        was = stored.name
        stored.name = name
        stored.save(update_fields=["name"])
        _tag_change_recorded(
            stored, actor=actor, action=AuditAction.CHANGED, changes={"name": [was, name]}
        )
    tag.name = name
    return tag


def tag_rename_refusals(*, tag: Tag, name: str) -> dict[str, list[ValidationError]]:
    """What tag_rename would refuse of `name` for `tag` (as read), writing nothing."""

    def checked() -> None:
        _refuse_tag_name(name)
        _refuse_unchanged_tag_name(tag, name.strip())

    return refusals_of(checked)


def _refuse_tag_name(name: str) -> None:
    refused = _tag_name_refusal(name)
    if refused is not None:
        raise ValidationError({"name": refused})


def _refuse_unchanged_tag_name(tag: Tag, name: str) -> None:
    if name == tag.name:
        raise ValidationError(
            {
                "name": ValidationError(
                    _("The tag is called %(name)s already.") % {"name": name}, code="unchanged"
                )
            }
        )


def _tag_name_refusal(name: str) -> ValidationError | None:
    try:
        refuse_null_characters(name)
        if not name.strip():
            raise ValidationError(_("Enter the tag's new name."), code="required")
        refuse_long_tag(name.strip())
    except ValidationError as refused:
        return refused
    return None


def tag_merge(*, tag: Tag, into: Tag, actor=None) -> int:
    """Every customer of `tag` gets `into` (a customer who has both keeps the one), and `tag`
    is removed, in one transaction. The tag links are added and deleted, never updated, so
    that the database's triggers keep both tags' numbers of customers (migration 0007).
    Returns how many customers got `into`."""
    if into.pk == tag.pk or into.business_id != tag.business_id:
        raise NotFound
    links = Customer.tags.through.objects
    with transaction.atomic():
        # In the order of their ids, so that two merges of the same pair cannot wait on each
        # other's lock.
        locked = {
            row.pk: row
            for row in Tag.objects.select_for_update(of=("self",))
            .select_related("business")
            .filter(business_id=tag.business_id, pk__in=[tag.pk, into.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise NotFound
        source, target = locked[tag.pk], locked[into.pk]
        carried = links.filter(tag_id=source.pk).count()
        moving = list(
            links.filter(tag_id=source.pk)
            .exclude(customer_id__in=links.filter(tag_id=target.pk).values("customer_id"))
            .values_list("customer_id", flat=True)
        )
        insert_rows(links.model, ["customer_id", "tag_id"], ((id_, target.pk) for id_ in moving))
        _tag_change_recorded(
            source,
            actor=actor,
            action=AuditAction.MERGED,
            changes={"name": [source.name, target.name], "customers": carried},
            on=target,
        )
        source.delete()
    return len(moving)


def tag_merge_spellings(*, tag: Tag, actor=None) -> list[str]:
    """Merges the business's other tags of this name in other capitals into this one (the
    Tags page's one click for a name spelled several ways). Returns the names merged."""
    merged = []
    with transaction.atomic():
        stored = _tag_locked(tag)
        for other in Tag.objects.filter(business_id=stored.business_id).exclude(pk=stored.pk):
            if other.name.casefold() == stored.name.casefold():
                tag_merge(tag=other, into=stored, actor=actor)
                merged.append(other.name)
    return sorted(merged)


def tag_delete(*, tag: Tag, actor=None, expected_versions: Collection[str] | None = None) -> int:
    """Removes the tag from every customer who carries it and from the business; the
    customers keep their other tags. Returns how many customers carried it."""
    with transaction.atomic():
        stored = _tag_locked(tag, expected_versions=expected_versions)
        carried = Customer.tags.through.objects.filter(tag_id=stored.pk).count()
        _tag_change_recorded(
            stored,
            actor=actor,
            action=AuditAction.DELETED,
            changes={"name": [stored.name, None], "customers": carried},
        )
        stored.delete()
    return carried


def _tag_locked(tag: Tag, *, expected_versions: Collection[str] | None = None) -> Tag:
    """The tag as stored now, locked until the transaction ends; NotFound when it is gone (an
    owner in another window merged or removed it), ChangedMeanwhile when it is no longer of one
    of `expected_versions` (None: no condition)."""
    stored = (
        Tag.objects.select_for_update(of=("self",))
        .select_related("business")
        .filter(business_id=tag.business_id, pk=tag.pk)
        .first()
    )
    if stored is None:
        raise NotFound
    refuse_if_changed(stored, expected_versions=expected_versions)
    return stored


def _tag_change_recorded(
    tag: Tag, *, actor, action: str, changes: dict[str, Any], on: Tag | None = None
) -> None:
    """A change of `tag` (renamed, merged, removed) recorded: once in the audit trail, on the
    tag (`on`: the tag it was merged into), and on the customers who carry it as when they
    were last changed, which the API hands out with each customer."""
    Customer.objects.filter(tags=tag).mark_changed()
    recorded = on or tag
    audit_record(
        business=recorded.business, actor=actor, action=action, obj=recorded, changes=changes
    )
