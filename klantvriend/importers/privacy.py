"""The AVG/GDPR duties towards one person: access (everything stored about them), erasure
(anonymise everywhere, keep the purchases for the seven-year fiscal duty, remember the customer
number and e-mail address only as digests so that no import brings the person back), retention
(anonymise who has been inactive too long), and the audit of who viewed their data.

Other apps' rows are found generically: every business model with a foreign key to Customer,
so a new app's descriptions and notes are covered without a change here, and its dates count as
activity for retention as the model declares them (`activity_fields`)."""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from klantvriend.aftercare.services import follow_ups_withdraw_for_erasure
from klantvriend.core.audit import (
    DETAIL_CODES,
    DETAIL_DAYS,
    READ_ACTIONS,
    AuditAction,
    audit_record,
)
from klantvriend.core.errors import Conflict, NotFound, ValidationError
from klantvriend.core.idempotency import idempotent_requests_forget_business
from klantvriend.core.language import shop_language
from klantvriend.core.members import staff_name
from klantvriend.core.models import AuditEvent, Business
from klantvriend.customers.models import (
    DERIVED_FIELDS,
    ConsentKind,
    ConsentRecord,
    ConsentSource,
    Customer,
    ImportantDate,
    LegalBasis,
    PrivacyRequestAnswer,
    PrivacyRequestKind,
    Purchase,
    Tag,
)
from klantvriend.customers.privacy_requests import (
    privacy_requests_handle_for,
    received_on_refusal,
)
from klantvriend.customers.search import search_index_forget
from klantvriend.customers.services import (
    customer_refuse_if_changed,
    distinct_pairs_forget,
    erased_identity_remember,
)
from klantvriend.insights.services import customer_insight_forget
from klantvriend.promises.services import promises_cancel_for_erasure

from .export import _fields, _is_user, _plain, section_name
from .history import import_errors_quoting, import_errors_scrub
from .models import CustomerActivity, ImportRecord
from .privacy_settings import privacy_settings
from .relations import customer_models, customer_relations, mentioning_models
from .results import RowError
from .scrubbing import ERASED_TEXT, personal_strings, scrubber

# Customer fields that identify or describe the person; all of them are emptied on erasure.
PERSONAL_FIELDS = (
    "name",
    "company",
    "email",
    "phone",
    "street",
    "postal_code",
    "city",
    "preferences",
    "notes",
    "special_notes",
    "external_ref",
)


class AlreadyErased(Conflict):
    pass


class HasPurchases(Conflict):
    pass


def _is_free_text(field: models.Field) -> bool:
    """Text a person typed: any TextField, or a CharField long enough for a sentence. Codes,
    hashes, references and languages (short, unique, choices or not editable) are kept."""
    if field.choices or field.unique or not field.editable or field.name == "external_ref":
        return False
    if isinstance(field, models.TextField):
        return True
    return isinstance(field, models.CharField) and (field.max_length or 0) >= 100


def _row(obj: models.Model) -> dict[str, Any]:
    row = {}
    for field in _fields(type(obj)):
        value = getattr(obj, field.attname)
        if _is_user(field) and value is not None:
            user = getattr(obj, field.name)
            value = staff_name(user)
        row[field.name] = _plain(value)
    return row


@dataclass(frozen=True)
class PersonalRecords:
    """One kind of record about the person: its key in the access document, its model, and its
    rows; `naming_them` for rows of someone else that name the person."""

    key: str
    model: type[models.Model]
    rows: list[models.Model]
    naming_them: bool = False


def personal_records(*, customer: Customer) -> list[PersonalRecords]:
    """Every row that belongs to the person or names them, by kind, for an access request. The
    staff named in the rows (who made a promise, took a complaint) come with them: one query per
    kind of record, however long the customer's history."""
    found = []
    for model, field in customer_relations():
        naming_them = field.name != "customer"
        staff = [f.name for f in _fields(model) if _is_user(f)]
        rows = model.objects.filter(**{field.name: customer})
        if staff:
            rows = rows.select_related(*staff)
        key = section_name(model) + ("_naming_them" if naming_them else "")
        found.append(PersonalRecords(key, model, list(rows.order_by("pk")), naming_them))
    return found


@dataclass(frozen=True)
class PersonalData:
    """Everything stored about one person, read once: for the access document (JSON) and for
    the page an owner prints (web/personal_data.py). `audit_trail` holds the customer's audit
    events oldest first: all `audit_events` of them, or, read for the page, only the newest."""

    customer: Customer
    tags: list[str]
    records: list[PersonalRecords]
    referrals: int
    audit_trail: list[AuditEvent]
    audit_events: int
    # The errors of the business's imports (kept IMPORT_HISTORY_DAYS) that quote the person's
    # name, e-mail address or phone number, as an erasure would find them, with their import.
    import_errors: list[tuple[ImportRecord, RowError]]

    @property
    def whole_audit_trail(self) -> bool:
        return len(self.audit_trail) == self.audit_events


def personal_data(*, customer: Customer, newest_events: int | None = None) -> PersonalData:
    """A fixed number of queries: one per kind of record, and six or seven more. With
    `newest_events` only that many of the newest audit events are read (and all are counted):
    a regular's trail grows by a view at every visit, thousands in a few years."""
    trail, events = _audit_trail(customer, newest_events)
    return PersonalData(
        customer=customer,
        tags=sorted(tag.name for tag in customer.tags.all()),
        records=personal_records(customer=customer),
        referrals=customer.referrals.count(),
        audit_trail=trail,
        audit_events=events,
        import_errors=import_errors_quoting(
            business=customer.business, strings=_identifying_strings(customer)
        ),
    )


def _audit_trail(customer: Customer, newest: int | None) -> tuple[list[AuditEvent], int]:
    """The customer's audit events (all, or the `newest`), oldest first, each with its member,
    and how many there are in all. A regular's profile is opened at every visit, so the trail
    runs into thousands of views by a handful of members: the members are read once each
    instead of joined to every event (two queries, and a count when the newest fill the
    limit)."""
    all_events = AuditEvent.objects.filter(business=customer.business, customer=customer)
    if newest is None:
        events = list(all_events.order_by("at", "pk"))
        count = len(events)
    else:
        events = list(all_events.order_by("-at", "-pk")[:newest])[::-1]
        count = len(events) if len(events) < newest else all_events.count()
    user_model = get_user_model()
    members = user_model.objects.in_bulk({event.actor_id for event in events} - {None})
    for event in events:
        event.actor = members.get(event.actor_id)
    return events, count


def customer_personal_data(
    *, customer: Customer, data: PersonalData | None = None
) -> dict[str, Any]:
    """Everything stored about one person (AVG art. 15 and 20), as one JSON-ready document;
    from `data` when the caller has read it already, with the whole audit trail: the document
    is the legal answer to an access request, and a page's newest events are not it."""
    data = data or personal_data(customer=customer)
    if not data.whole_audit_trail:
        raise ValueError(
            "The access document needs the whole audit trail: read it without a limit."
        )
    document: dict[str, Any] = {
        "business": customer.business.name,
        "generated_at": _plain(timezone.now()),
        "customer": {**_row(customer), "tags": data.tags},
    }
    for kind in data.records:
        document[kind.key] = [_row(obj) for obj in kind.rows]
    document["referrals"] = data.referrals
    document["import_errors"] = [
        {
            "import_started_at": _plain(record.started_at),
            "file_name": record.file_name,
            "line": error.line,
            "column": error.column,
            "value": error.value,
            "message": error.message,
        }
        for record, error in data.import_errors
    ]
    document["audit_trail"] = [
        {
            "at": _plain(event.at),
            "by": staff_name(event.actor) if event.actor else "",
            "action": event.action,
            "object_type": event.object_type,
            "fields": sorted(event.changes) if isinstance(event.changes, dict) else [],
        }
        for event in data.audit_trail
    ]
    return document


def audit_personal_data_viewed(*, customer: Customer, actor, how: str = "profile") -> None:
    """Logs that `actor` looked at this person's data: every opening of the profile, one insert,
    so that the trail is complete and the cost of a page does not depend on the history."""
    if getattr(actor, "is_authenticated", False):
        audit_record(
            business=customer.business,
            actor=actor,
            action=AuditAction.VIEWED,
            obj=customer,
            customer=customer,
            changes={"via": how},
        )


# What names the person in a cell of someone else's file (the import history's errors), besides
# their names: whole, as a cell holds it. Not each word of their name, their town or their
# company: the history holds every customer's cells, and another customer's "Jan" or "Utrecht"
# must stay.
_IDENTIFYING_FIELDS = ("email", "phone")


@dataclass(frozen=True)
class _PersonStrings:
    """A person's strings, read once: `all` for free texts about them (every word of their
    names, every personal detail); `identifying` for the import history."""

    all: list[str]
    identifying: list[str]


def _person_strings(customer: Customer) -> _PersonStrings:
    earlier_names, earlier = _earlier_details(customer)
    return _PersonStrings(
        all=personal_strings(
            name=customer.name,
            earlier_names=earlier_names,
            others=[
                *(getattr(customer, field) for field in PERSONAL_FIELDS),
                *customer.important_dates.values_list("label", flat=True),
                *(text for texts in earlier.values() for text in texts),
            ],
        ),
        identifying=_identifying_strings(customer, earlier_names, earlier),
    )


def _identifying_strings(
    customer: Customer,
    earlier_names: set[str] | None = None,
    earlier: dict[str, set[str]] | None = None,
) -> list[str]:
    """The person's names, e-mail addresses and phone numbers, now and before, longest first
    (`_IDENTIFYING_FIELDS`); the earlier ones read from the trail unless given."""
    if earlier_names is None or earlier is None:
        earlier_names, earlier = _earlier_details(customer)
    strings = {
        text.strip()
        for text in (
            customer.name,
            *earlier_names,
            *(getattr(customer, field) for field in _IDENTIFYING_FIELDS),
            *(text for field in _IDENTIFYING_FIELDS for text in earlier.get(field, ())),
        )
    }
    # Not what an earlier erasure left in the trail: every erased cell reads so.
    strings.discard(ERASED_TEXT)
    return sorted((text for text in strings if len(text) >= 3), key=len, reverse=True)


def _earlier_details(customer: Customer) -> tuple[set[str], dict[str, set[str]]]:
    """The names and other personal details (by field) the person had before, as the audit
    trail of their record holds them: a name changed since, or the details of a second record
    merged into this one (importers/merge.py moves its trail here). A purchase described with an
    earlier name must lose it too."""
    names: set[str] = set()
    others: dict[str, set[str]] = {}
    events = AuditEvent.objects.filter(customer=customer, object_type="customer").exclude(
        action__in=READ_ACTIONS  # looks and exports record how, not what
    )
    for changes in events.values_list("changes", flat=True):
        if not isinstance(changes, dict):
            continue
        for key, values in changes.items():
            # [old, new] of a changed field; [id, name] of a merged record.
            if not isinstance(values, list):
                continue
            texts = [value for value in values if isinstance(value, str)]
            if key in ("name", "merged_with"):
                names.update(texts)
            elif key in PERSONAL_FIELDS:
                others.setdefault(key, set()).update(texts)
    return names, others


def _blank(text: str) -> str:
    return ERASED_TEXT if text else text


def _scrub_json(value: Any, scrub: Callable[[str], str]) -> Any:
    """The recorded values with every text passed through `scrub`; keys and numbers stay."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_json(item, scrub) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_json(item, scrub) for key, item in value.items()}
    return value


def _scrub_event_changes(changes: Any, scrub: Callable[[str], str], object_type: str = "") -> Any:
    if not isinstance(changes, dict):
        return _scrub_json(changes, scrub)
    kept = _kept_values()
    return {
        key: value
        if _trails_own(key, value)
        else _scrub_json(value, _keeping(kept.get((object_type, key)), scrub))
        for key, value in changes.items()
    }


# The models whose days are the person's own: a birthday, an anniversary. Every other record's
# day says when something happened, which its row keeps through an erasure.
_PERSONAL_DAYS = frozenset({"customer", "importantdate"})


@cache
def _kept_values() -> dict[tuple[str, str], Callable[[str], bool]]:
    """(model name, field name) -> whether a value recorded for the field is the system's own
    word, kept in the trail by an erasure as the row keeps it: a choice's code ("call",
    "counter"), and a moment or day of a record other than the person's own days. An erasure
    blanked them with the texts: the trail read "contact moment: kind —, at —"."""
    kept: dict[tuple[str, str], Callable[[str], bool]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("klantvriend."):
            continue
        name = model._meta.model_name
        for field in model._meta.concrete_fields:
            if field.choices:
                codes = frozenset(str(code) for code, _label in field.flatchoices)
                kept[(name, field.name)] = codes.__contains__
            elif isinstance(field, models.DateField) and name not in _PERSONAL_DAYS:
                kept[(name, field.name)] = _iso_moment
    return kept


def _iso_moment(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _keeping(
    kept: Callable[[str], bool] | None, scrub: Callable[[str], str]
) -> Callable[[str], str]:
    """`scrub`, leaving alone what `kept` says is the system's own word."""
    if kept is None:
        return scrub
    return lambda text: text if kept(text) else scrub(text)


def _trails_own(key: str, value: Any) -> bool:
    """Whether a recorded value is what the trail writes itself (core.audit DETAIL_CODES and
    DETAIL_DAYS), never a person's words: kept by an erasure."""
    if not isinstance(value, str):
        return False
    if key in DETAIL_DAYS:
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    return (key, value) in DETAIL_CODES


def _scrub_audit_trail(events: QuerySet[AuditEvent], scrub: Callable[[str], str]) -> None:
    scrubbed = []
    for event in events.only("pk", "object_type", "changes"):
        event.changes = _scrub_event_changes(event.changes, scrub, event.object_type)
        scrubbed.append(event)
    AuditEvent.objects.bulk_update(scrubbed, ["changes"], batch_size=500)


def _rewrite_texts(rows: QuerySet, rewrite: Callable[[str], str]) -> list[int]:
    """Passes every free text of the rows through `rewrite`; returns the rows' ids."""
    text_fields = [f for f in rows.model._meta.concrete_fields if _is_free_text(f)]
    changed = list(rows.only("pk", *[f.attname for f in text_fields]))
    for row in changed:
        for field in text_fields:
            value = getattr(row, field.attname)
            if value:
                setattr(row, field.attname, rewrite(value)[: field.max_length])
    if changed and text_fields:
        rows.model.objects.bulk_update(changed, [f.name for f in text_fields], batch_size=500)
    return [row.pk for row in changed]


def _forget_person(customer: Customer, strings: _PersonStrings) -> int:
    """What the audit trail, other people's rows and the import history say about the person:
    the trail of their own records keeps who did what and when, not what was written; rows of
    others that point at them (and those rows' trail) lose the person's names and details, and
    keep the rest; the errors of the business's imports lose the cells that name them. Returns
    how many import errors did."""
    scrub = scrubber(strings.all)
    _scrub_audit_trail(
        AuditEvent.objects.filter(business_id=customer.business_id).filter(
            Q(customer=customer) | Q(object_type="customer", object_id=customer.pk)
        ),
        _blank,
    )
    for model, field in mentioning_models():
        ids = _rewrite_texts(model.objects.filter(**{field.name: customer}), scrub)
        _scrub_audit_trail(
            AuditEvent.objects.filter(
                business_id=customer.business_id,
                object_type=model._meta.model_name,
                object_id__in=ids,
            ),
            scrub,
        )
    idempotent_requests_forget_business(business=customer.business)
    return import_errors_scrub(business=customer.business, strings=strings.identifying)


def _unlink_tags(customer: Customer) -> None:
    """Takes the customer's tags off them, and removes tags nobody carries any more: a tag can
    be as personal as a note ("Jan's mother")."""
    tag_ids = list(customer.tags.values_list("pk", flat=True))
    customer.tags.clear()
    Tag.objects.filter(pk__in=tag_ids, customers__isnull=True).delete()


def _check_requested_on(customer: Customer, requested_on: date | None) -> None:
    if requested_on is None:
        return
    if refused := received_on_refusal(requested_on, today=customer.business.today()):
        raise ValidationError({"requested_on": refused})


@transaction.atomic
def customer_access_given(*, customer: Customer, actor, requested_on: date) -> None:
    """Records that the customer got their copy (AVG art. 15) and the day they asked: opening
    the page is logged as a look at it, this is the answer, which the trail must show came
    within the month of art. 12(3). Their open requests for a copy are handled by it. Refuses a
    day after today and records nothing then."""
    _check_requested_on(customer, requested_on)
    privacy_requests_handle_for(
        customer=customer,
        kinds=(PrivacyRequestKind.ACCESS,),
        how=PrivacyRequestAnswer.COPY_GIVEN,
        actor=actor,
    )
    audit_record(
        business=customer.business,
        actor=actor,
        action=AuditAction.EXPORTED,
        obj=customer,
        customer=customer,
        changes={"format": "handed_over", "requested_on": requested_on.isoformat()},
    )


def customer_access_last_given(*, customer: Customer) -> AuditEvent | None:
    """The trail's record of the last copy given to the customer (customer_access_given), or
    None: the personal data page says it was given, so that nobody records it twice."""
    return (
        AuditEvent.objects.filter(
            business_id=customer.business_id,
            customer=customer,
            action=AuditAction.EXPORTED,
            changes__format="handed_over",
        )
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )


@transaction.atomic
def customer_erase(
    *,
    customer: Customer,
    actor=None,
    reason: str = "request",
    forget_now: bool = True,
    requested_on: date | None = None,
) -> Customer:
    """Anonymises the person everywhere (AVG art. 17). Purchases keep their date, amount and
    receipt number for the fiscal duty; their descriptions lose every personal string. Every
    other row that belongs to the customer keeps its dates and choices and loses its text. The
    customer number and e-mail address are remembered only as digests (ErasedIdentity), so that
    importing a file that still holds them does not bring the person back.
    Refuses an already erased customer and changes nothing then. After the commit the search
    index forgets the old text (`forget_now=False`: the caller does that once for a batch).
    `requested_on`, the day the customer asked, goes into the audit trail: the answer is due
    within a month of it (art. 12(3)), and the trail is what shows the supervisor it was."""
    _check_requested_on(customer, requested_on)
    locked = Customer.objects.select_for_update().get(
        pk=customer.pk, business_id=customer.business_id
    )
    if locked.erased_at is not None:
        raise AlreadyErased(
            _("This customer was already anonymised on %(date)s; nothing was changed.")
            % {
                "date": date_format(
                    timezone.localtime(locked.erased_at, customer.business.tzinfo).date(),
                    "SHORT_DATE_FORMAT",
                )
            },
            code="already_erased",
        )
    strings = _person_strings(locked)
    scrub = scrubber(strings.all)
    now = timezone.now()
    # Before the texts go: audited as they are, their trail is blanked with the rest below.
    unfinished = {
        "promises_cancelled": promises_cancel_for_erasure(customer=locked, actor=actor, at=now),
        "follow_ups_withdrawn": follow_ups_withdraw_for_erasure(customer=locked, actor=actor),
        # Whatever they asked is answered by the erasure: nothing is left to give or correct.
        "privacy_requests_handled": privacy_requests_handle_for(
            customer=locked,
            kinds=tuple(PrivacyRequestKind.values),
            how=PrivacyRequestAnswer.ERASED,
            actor=actor,
            at=now,
        ),
    }
    for model, field in customer_models():
        rows = model.objects.filter(**{field.name: locked})
        if model is ImportantDate:
            rows.delete()
        elif model is not ConsentRecord:  # no personal text; what was allowed stays provable
            _rewrite_texts(rows, scrub if model is Purchase else _blank)
    import_errors = _forget_person(locked, strings)
    _unlink_tags(locked)
    distinct_pairs_forget(customer=locked)
    customer_insight_forget(business=locked.business, customer_id=locked.pk)
    consents = []
    if locked.marketing_consent:
        consents.append(ConsentKind.MARKETING)
    if locked.special_category_consent:
        consents.append(ConsentKind.SPECIAL_CATEGORY)
    ConsentRecord.objects.bulk_create(
        [
            ConsentRecord(
                business_id=locked.business_id,
                customer=locked,
                kind=kind,
                given=False,
                basis="",
                at=now,
                source=ConsentSource.ERASURE,
            )
            for kind in consents
        ]
    )
    # Before the number and address are emptied: an import of a file that still holds them
    # puts the rows on this anonymised customer instead of bringing the person back.
    erased_identity_remember(customer=locked)
    for name in PERSONAL_FIELDS:
        setattr(locked, name, "")
    with shop_language(locked.business):
        locked.name = _("Anonymised customer %(number)s") % {"number": locked.pk}
    locked.birthday = None
    # Whom they asked for is a preference of the person, as what they like is: it goes with
    # them. Who served their purchases stays, with the purchases (the fiscal record).
    locked.regular_member = None
    locked.marketing_consent = False
    locked.marketing_consent_basis = LegalBasis.NONE
    locked.marketing_consent_at = now if consents else locked.marketing_consent_at
    locked.special_category_consent = False
    locked.special_category_consent_at = None
    locked.erased_at = now
    locked.refresh_derived_fields()
    locked.save()
    audit_record(
        business=locked.business,
        actor=actor,
        action=AuditAction.ERASED,
        obj=locked,
        customer=locked,
        changes={
            "reason": reason,
            **({"requested_on": requested_on.isoformat()} if requested_on else {}),
            "import_errors": import_errors,
            **{name: count for name, count in unfinished.items() if count},
        },
        at=now,
    )
    for name in [
        *PERSONAL_FIELDS,
        "birthday",
        "regular_member",
        "erased_at",
        *DERIVED_FIELDS,
        "marketing_consent",
        "marketing_consent_basis",
        "special_category_consent",
    ]:
        setattr(customer, name, getattr(locked, name))
    if forget_now:
        transaction.on_commit(search_index_forget)
    return locked


@transaction.atomic
def customer_delete(
    *, customer: Customer, actor=None, expected_versions: Collection[str] | None = None
) -> None:
    """Removes a customer entered by mistake, with every record of theirs. Refused for a
    customer with purchases, which are fiscal records kept for seven years: such a customer is
    anonymised instead (customer_erase). What the audit trail and other people's rows say of
    the person goes as on erasure, and the trail records that the customer was deleted.
    `expected_versions`: the versions the caller read (the API's If-Match); refused with
    ChangedMeanwhile and nothing removed unless one of them is stored."""
    try:
        locked = Customer.objects.select_for_update().get(
            pk=customer.pk, business_id=customer.business_id
        )
    except Customer.DoesNotExist:
        raise NotFound from None  # deleted since the caller read it
    customer_refuse_if_changed(locked, expected_versions=expected_versions)
    if locked.purchases.exists():
        raise HasPurchases(
            _(
                "This customer's personal data has been anonymised already; their purchases "
                "are kept for seven years for the tax authorities."
            )
            if locked.erased_at
            else _(
                "This customer has purchases, which are kept for seven years for the tax "
                "authorities. Anonymise the customer instead: that removes their personal data "
                "and keeps the purchases."
            ),
            code="has_purchases",
        )
    import_errors = _forget_person(locked, _person_strings(locked))
    _unlink_tags(locked)
    audit_record(
        business=locked.business,
        actor=actor,
        action=AuditAction.DELETED,
        obj=locked,
        changes={"import_errors": import_errors},
    )
    locked.delete()
    transaction.on_commit(search_index_forget)


# Retention -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionOutcome:
    years: int | None
    cutoff: datetime | None
    # Those anonymised, or in a dry run those listed: at most `limit`, in the candidates' order.
    customers: list[Customer]
    applied: bool
    # Candidates beyond `customers`: left for a later run, or in a dry run not listed.
    remaining: int = 0

    @property
    def count(self) -> int:
        """All the rule's candidates at the time of the run."""
        return len(self.customers) + self.remaining


def _activity_models() -> list[tuple[type[models.Model], tuple[str, ...]]]:
    """(model, activity fields) of every customer model whose rows date activity. A model that
    has not declared its `activity_fields` stops retention: better no one anonymised than an
    active customer whose new kind of row was overlooked."""
    found = []
    for model, _field in customer_models():
        names = getattr(model, "activity_fields", None)
        if names is None:
            raise ImproperlyConfigured(
                f"{model._meta.label} belongs to a customer but declares no activity_fields: "
                "name the date fields that say when something happened with the customer, "
                "or () for none (see BusinessOwned)."
            )
        if names:
            found.append((model, names))
    return found


def retention_activity_kinds() -> list[str]:
    """The kinds of record that keep a customer, named for the owner (translated lazily)."""
    return [model._meta.verbose_name_plural for model, _names in _activity_models()]


def retention_candidates(*, business: Business, years: int, now: datetime | None = None):
    """The business's customers, not anonymised yet, who became customers before the cutoff
    (`years` years ago) and with whom nothing has happened since: no row of any app dated at or
    after the cutoff in one of the fields its model declares as activity (a purchase, a contact
    moment, a promise made, due, kept or cancelled, a complaint, a follow-up, a gesture, a survey
    invitation or answer, a consent change, ...), and no change by a person to the customer or
    their rows in the audit trail (viewing or exporting their data does not count). One query,
    however many apps and customers.

    Not `Customer.updated_at`: restoring a backup writes every customer anew and sets it to that
    day for all of them. Audit events without a person are left out: what the system plans by
    itself (a follow-up, a survey invitation) is dated in its own row. A customer import records
    one event for the whole file, so what it changes in a customer's own record does not count."""
    cutoff, inactive = _inactive_customers(business=business, years=years, now=now)
    return cutoff, _as_candidates(business, inactive)


def _as_candidates(business: Business, inactive: QuerySet[CustomerActivity]) -> QuerySet[Customer]:
    """The customers of those kept rows, in name order (anonymised customers have no row; their
    `erased_at` is asked all the same, from the rows read anyway)."""
    return Customer.objects.filter(
        business=business, erased_at__isnull=True, pk__in=inactive.values("customer_id")
    ).order_by("name", "pk")


def _inactive_customers(
    *, business: Business, years: int, now: datetime | None = None
) -> tuple[datetime, QuerySet[CustomerActivity]]:
    """The cutoff, and the kept latest activity (CustomerActivity) of the customers with whom
    nothing has happened since: all that retention_candidates counts, the latest of it per
    customer kept by triggers, so that the candidates are a range of its index however many
    customers are active (asking each old customer a question per kind of record took 200 to
    400 ms at 100,000 customers). Anonymised customers have no row."""
    _activity_models()  # refuses while a kind of record has not said which of its dates count
    now = now or timezone.now()
    cutoff = now - timedelta(days=round(365.25 * years))
    inactive = CustomerActivity.objects.filter(
        business=business, moment__lt=cutoff, day__lt=business.local(cutoff).date()
    )
    return cutoff, inactive


def apply_retention(
    *, business: Business, dry_run: bool = True, actor=None, limit: int | None = None
) -> RetentionOutcome:
    """Anonymise the retention rule's candidates (or, in a dry run, only list them). Each
    erasure is its own transaction. With a `limit`, at most that many are anonymised or listed
    (in the candidates' order) and the rest only counted, for a caller that must answer within
    seconds: with 100,000 customers a one-year rule can name thousands, and reading them all
    took three times as long as counting them."""
    years = privacy_settings(business).retention_years
    if years is None:
        return RetentionOutcome(None, None, [], False)
    cutoff, inactive = _inactive_customers(business=business, years=years)
    candidates = _as_candidates(business, inactive)
    chosen = list(candidates if limit is None else candidates[:limit])
    # Counted before anything is anonymised; only when the limit may have cut the list short.
    # From the kept rows alone, which are those of the candidates (anonymised customers have
    # none): joined to the customers, PostgreSQL read all 100,000 of them to count 8,500.
    count = inactive.count() if limit is not None and len(chosen) == limit else len(chosen)
    if dry_run:
        return RetentionOutcome(years, cutoff, chosen, False, remaining=count - len(chosen))
    for customer in chosen:
        customer_erase(customer=customer, actor=actor, reason="retention", forget_now=False)
    if chosen:
        search_index_forget()
    return RetentionOutcome(years, cutoff, chosen, True, remaining=count - len(chosen))
