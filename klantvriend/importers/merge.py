"""Two records of one person merged into one: a customer added twice at the counter (once as
"Jan Bakker", once as "J. Bakker" with a phone number), or once by hand and once from the till.
One record is kept; everything of the other moves onto it: purchases, contact moments, promises,
complaints, follow-ups, gestures, surveys, consent history, important dates, tags, the customers
they referred, the records they were marked as not being, and their audit trail; a row the
kept record has the like of where the database allows one (the same important date) is not
doubled. The other record is then deleted. This cannot be undone.

The kept record keeps its own details; an empty one is filled from the other (the address as a
whole, never a street of one with the town of the other), and notes and preferences are joined.
Consent follows the person's latest decision, so a withdrawal on either record stays withdrawn.
Two different customer numbers are refused: the till knows the person as two customers, and its
next export would bring the second back. The rows the insights refresh computes (predictions,
snapshots) go with the other record; once the merge is committed, the insights app computes the
kept record's again from the purchases of both (`core.hooks.CUSTOMERS_MERGED`).

Rows are found as privacy.py finds them (relations.py), so a new app's rows move without a
change here."""

import copy
from collections.abc import Collection
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klantvriend.core.audit import AuditAction, audit_diff, audit_record
from klantvriend.core.errors import Conflict, NotFound
from klantvriend.core.hooks import CUSTOMERS_MERGED, run_after_commit
from klantvriend.core.models import AuditEvent
from klantvriend.customers.identity import customer_number_key, email_key, phone_key
from klantvriend.customers.models import AcquisitionChannel, ConsentKind, ConsentRecord, Customer
from klantvriend.customers.search import search_index_forget
from klantvriend.customers.services import customer_refuse_if_changed, distinct_pairs_move

from .relations import customer_relations

# Filled from the other record when the kept one has none (a regular staff member by their
# id: both records' are members of the business).
FILLED_FIELDS = ("company", "email", "phone", "birthday", "external_ref", "regular_member_id")
# Taken from the other record as a whole when the kept one has no part of it.
ADDRESS_FIELDS = ("street", "postal_code", "city")
# Texts people typed about the customer: both kept, the kept record's first.
JOINED_FIELDS = ("preferences", "notes")
# Computed from the other rows by the insights: the other record's go with it, the kept
# record's are computed again after the merge.
RECOMPUTED_MODELS = ("insights.CustomerInsight", "insights.InsightSnapshot")
# MergePlan.moving's key of the customers the other record referred (their `referred_by`).
REFERRED_KEY = "customers.customer.referred_by"


class CannotMerge(Conflict):
    pass


@dataclass(frozen=True)
class MergePlan:
    """What merging `other` into `keep` does: the kept record's fields that change (name:
    value), how many rows move per kind of record (its key, e.g. "customers.purchase", its name
    in the reader's language, singular or plural, and the count), and whether health notes
    cannot be kept because the person's latest decision withdrew that consent."""

    keep: Customer
    other: Customer
    fields: dict[str, Any]
    moving: list[tuple[str, str, int]]
    special_notes_dropped: bool
    # Details of the other record that the kept one has its own of: (field name, value).
    not_taken: list[tuple[str, Any]]
    # The other record's tags that the kept one lacks, by name.
    tags_added: list[str]


def _joined(first: str, second: str) -> str:
    first, second = first.strip(), second.strip()
    if not second or second in first:
        return first
    if not first or first in second:
        return second
    return f"{first}\n{second}"


def _latest_decision(keep: Customer, other: Customer, kind: str, moment: str) -> Customer:
    """The record on which the person decided last about a kind of consent: the one with the
    latest row of that kind in the consent history; without history (consent recorded before
    it was kept), the later `moment` (`..._consent_at`). The kept record when neither says."""
    latest = (
        ConsentRecord.objects.filter(customer__in=[keep, other], kind=kind)
        .order_by("-at", "-id")
        .values_list("customer_id", flat=True)
        .first()
    )
    if latest is not None:
        return other if latest == other.pk else keep
    mine, theirs = getattr(keep, moment), getattr(other, moment)
    return other if theirs is not None and (mine is None or theirs > mine) else keep


def merged_fields(keep: Customer, other: Customer) -> tuple[dict[str, Any], bool]:
    """The kept record's fields that change when `other` is merged into it, and whether health
    notes are dropped (with consent withdrawn last). Refuses what cannot be merged."""
    _refuse(keep, other)
    fields: dict[str, Any] = {}
    for name in FILLED_FIELDS:
        if not getattr(keep, name) and getattr(other, name):
            fields[name] = getattr(other, name)
    if not any(getattr(keep, name) for name in ADDRESS_FIELDS):
        fields.update(
            {name: getattr(other, name) for name in ADDRESS_FIELDS if getattr(other, name)}
        )
    for name in JOINED_FIELDS:
        joined = _joined(getattr(keep, name), getattr(other, name))
        if joined != getattr(keep, name):
            fields[name] = joined
    if other.customer_since < keep.customer_since:
        fields["customer_since"] = other.customer_since
        fields["customer_since_known"] = other.customer_since_known
    elif other.customer_since == keep.customer_since and other.customer_since_known:
        fields["customer_since_known"] = True
    if other.created_at < keep.created_at:
        fields["created_at"] = other.created_at
    referrer = keep.referred_by_id
    if referrer == other.pk:  # the other record "referred" the kept one: the same person
        referrer = other.referred_by_id if other.referred_by_id != keep.pk else None
    elif referrer is None and other.referred_by_id not in (None, keep.pk):
        referrer = other.referred_by_id
        fields["acquisition_channel"] = other.acquisition_channel
    elif keep.acquisition_channel == AcquisitionChannel.UNKNOWN:
        # The till's record of someone whose card says how they came.
        fields["acquisition_channel"] = other.acquisition_channel
    if referrer != keep.referred_by_id:
        fields["referred_by_id"] = referrer

    marketing = _latest_decision(keep, other, ConsentKind.MARKETING, "marketing_consent_at")
    if marketing is other:
        fields["marketing_consent"] = other.marketing_consent
        fields["marketing_consent_basis"] = other.marketing_consent_basis
        fields["marketing_consent_at"] = other.marketing_consent_at
    special = _latest_decision(
        keep, other, ConsentKind.SPECIAL_CATEGORY, "special_category_consent_at"
    )
    consent = special.special_category_consent
    if special is other:
        fields["special_category_consent"] = consent
        fields["special_category_consent_at"] = other.special_category_consent_at
    # With consent, the notes of each record that had it (at least the deciding one).
    notes = [c.special_notes for c in (keep, other) if c.special_category_consent]
    kept_notes = reduce(_joined, notes) if consent else ""
    if kept_notes != keep.special_notes:
        fields["special_notes"] = kept_notes
    dropped = any(c.special_notes.strip() for c in (keep, other)) and not consent
    return {name: value for name, value in fields.items() if getattr(keep, name) != value}, dropped


def _refuse(keep: Customer, other: Customer) -> None:
    if keep.pk == other.pk:
        raise CannotMerge(
            _("Choose another customer: a record cannot be merged with itself."), code="same"
        )
    if keep.erased_at or other.erased_at:
        raise CannotMerge(
            _(
                "An anonymised customer cannot be merged: their personal data was removed at "
                "their request or under the retention period."
            ),
            code="anonymised",
        )
    if (
        keep.external_ref
        and other.external_ref
        and customer_number_key(keep.external_ref) != customer_number_key(other.external_ref)
    ):
        raise CannotMerge(
            _(
                "Both have a customer number (%(kept)s and %(other)s): the till knows them as two "
                "customers and its next export would bring the second back. Merge them in the "
                "till first, then import its customers again."
            )
            % {"kept": keep.external_ref, "other": other.external_ref},
            code="two_numbers",
        )


def merge_refusal(*, keep: Customer, other: Customer) -> str | None:
    """Why merging `other` into `keep` would be refused, in the reader's language, without
    reading anything more of them; None when it would not be. The list of possible duplicates
    offers only merges that can be done and says why the others cannot."""
    try:
        _refuse(keep, other)
    except CannotMerge as refused:
        return refused.messages[0]
    return None


def _moving_rows(other: Customer, keep: Customer):
    """(model, foreign key, rows of `other` that move, rows of `other` that the kept record
    has already or None) of every kind of record that moves."""
    for model, field in customer_relations():
        if model._meta.label not in RECOMPUTED_MODELS:
            rows = model.objects.filter(**{field.name: other})
            had = _kept_already(model, field, keep)
            if had is None:
                yield model, field, rows, None
            else:
                yield model, field, rows.exclude(had), rows.filter(had)


def _kept_already(model, field, keep: Customer) -> Q | None:
    """Which rows the kept record has the like of by a unique constraint over the customer
    and other fields (the same important date), None for a model without one: they cannot
    move onto it, and need not; the kept record's own stays, as its details do."""
    had = None
    for constraint in model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and field.name in constraint.fields
            and constraint.condition is None
        ):
            like = {name: OuterRef(name) for name in constraint.fields if name != field.name}
            same = Q(Exists(model.objects.filter(**{field.name: keep}, **like)))
            had = same if had is None else had | same
    return had


def merge_plan(*, keep: Customer, other: Customer) -> MergePlan:
    """What merging would do, for the page that asks to confirm it. One count per kind."""
    fields, dropped = merged_fields(keep, other)
    moving = []
    for model, field, rows, _had in _moving_rows(other, keep):
        if field.name == "customer" and (count := rows.count()):
            meta = model._meta
            name = meta.verbose_name if count == 1 else meta.verbose_name_plural
            moving.append((meta.label_lower, str(name), count))
    referred = Customer.objects.filter(referred_by=other).exclude(pk=keep.pk).count()
    if referred:
        name = ngettext("customer they referred", "customers they referred", referred)
        moving.append((REFERRED_KEY, name, referred))
    kept_tags = set(keep.tags.values_list("name", flat=True))
    tags_added = sorted(set(other.tags.values_list("name", flat=True)) - kept_tags)
    return MergePlan(
        keep, other, fields, moving, dropped, _not_taken(keep, other, fields), tags_added
    )


def _not_taken(keep: Customer, other: Customer, fields: dict[str, Any]) -> list[tuple[str, Any]]:
    """The other record's details that merging does not keep, because the kept record has its
    own: shown before merging, so that a second phone number or e-mail address is not lost
    unnoticed (an import would no longer know the person by it)."""
    return [
        (name, getattr(other, name))
        for name in (*FILLED_FIELDS, *ADDRESS_FIELDS)
        if name not in fields
        and getattr(other, name)
        and not _same(name, getattr(other, name), getattr(keep, name))
    ]


# Details written in more than one way, compared as the list of possible duplicates and the
# importers compare them: "+31 6 12345678" is the kept "06-12345678".
_COMPARED_AS = {"phone": phone_key, "email": email_key, "external_ref": customer_number_key}


def _same(name: str, value: Any, kept: Any) -> bool:
    compared_as = _COMPARED_AS.get(name)
    return compared_as(value) == compared_as(kept) if compared_as else value == kept


def customer_merge(
    *,
    keep: Customer,
    other: Customer,
    actor=None,
    keep_versions: Collection[str] | None = None,
    other_versions: Collection[str] | None = None,
) -> MergePlan:
    """Merge `other` into `keep` (both of one business) in one transaction, both read again
    under a lock. `keep_versions`, `other_versions`: refused with ChangedMeanwhile unless the
    record's selectors.customer_version as stored is one of these (what a confirmation page
    showed, the API's If-Match). Returns the plan carried out."""
    business = keep.business
    with transaction.atomic():
        # Locked in id order, so two merges of the same pair cannot wait on each other.
        locked = {
            row.pk: row
            for row in Customer.objects.select_for_update()
            .filter(business=business, pk__in=[keep.pk, other.pk])
            .order_by("pk")
        }
        if len(locked) < len({keep.pk, other.pk}):
            raise NotFound  # deleted since the caller read it
        keep, other = locked[keep.pk], locked[other.pk]
        keep.business = other.business = business
        # The versions first, as every change checks its precondition before its own rules;
        # the plan then refuses what cannot be merged.
        for row, versions in ((keep, keep_versions), (other, other_versions)):
            customer_refuse_if_changed(
                row,
                expected_versions=versions,
                message=_(
                    "One of the two customers was changed since you read it: check again what "
                    "merging does."
                ),
            )
        plan = merge_plan(keep=keep, other=other)
        tags_added = plan.tags_added
        for model, field, rows, had in _moving_rows(other, keep):
            if had is not None:
                had.delete()
            if field.unique and model.objects.filter(**{field.name: keep}).exists():
                # One per customer (the thank-you to their referrer): the kept record's stays.
                rows.update(**{field.name: None})
            else:
                rows.update(**{field.name: keep})
        Customer.objects.filter(referred_by=other).exclude(pk=keep.pk).update(referred_by=keep)
        AuditEvent.objects.filter(customer=other).update(customer=keep)
        distinct_pairs_move(other=other, keep=keep)
        keep.tags.add(*other.tags.filter(name__in=tags_added))
        previous = copy.copy(keep)
        other_id, other_name = other.pk, other.name
        # Deleted first: the number it may hand to the kept record is unique in the business.
        other.delete()
        for name, value in plan.fields.items():
            setattr(keep, name, value)
        keep.refresh_derived_fields()
        keep.full_clean()
        keep.save()
        changes = audit_diff(
            {name: getattr(previous, name) for name in plan.fields},
            {name: getattr(keep, name) for name in plan.fields},
        )
        if tags_added:
            changes["tags"] = [[], tags_added]
        audit_record(
            business=business,
            actor=actor,
            action=AuditAction.MERGED,
            obj=keep,
            customer=keep,
            changes={"merged_with": [other_id, other_name], **changes},
        )
        # The deleted record's words leave SQLite's search index (privacy.py does the same).
        transaction.on_commit(search_index_forget)
        # After commit, like every side effect: a failing recompute is logged and the merge
        # stands, the kept record showing its old figures until the next refresh.
        run_after_commit(CUSTOMERS_MERGED, business=business, customer=keep)
    return plan
