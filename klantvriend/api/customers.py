from datetime import date, datetime
from typing import Any, Literal

from django.db.models import F, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import ValidationError as SchemaValidationError
from pydantic import Field, StrictBool, StrictInt

from klantvriend.core.db import DATABASE_INT_MAX
from klantvriend.core.versions import record_version
from klantvriend.customers import selectors, services
from klantvriend.customers.models import (
    AcquisitionChannel,
    ConsentSource,
    Customer,
    LegalBasis,
    MatchKind,
)
from klantvriend.importers.merge import REFERRED_KEY, customer_merge, merge_plan
from klantvriend.importers.privacy import audit_personal_data_viewed, customer_delete
from klantvriend.insights.selectors import customer_insight_get

from .common import (
    CHANGE_ERRORS,
    COUNT_SAID,
    CREATED_AT_SAID,
    ERRORS,
    ID_SAID,
    ITEMS_SAID,
    OWNER_CHANGE_ERRORS,
    OWNER_ERRORS,
    OWNER_WRITE_ERRORS,
    WRITE_ERRORS,
    ChangesSince,
    ExactMoment,
    Input,
    Out,
    Pagination,
    Patch,
    RemovedOut,
    RemovedSince,
    actor_of,
    business_of,
    changes_page,
    feed_page,
    record_of_path,
    refuse_mixed_sync,
    require_owner,
    require_owner_unless_looked_up,
    sees_amounts,
    with_location,
)
from .insights import CustomerInsightOut
from .versions import IfMatch, expected_versions, set_etag, with_etag

router = Router(tags=["customers"])

Channel = Literal[tuple(AcquisitionChannel.values)]  # type: ignore[valid-type]

REGULAR_MEMBER_HELP = (
    "User id of the customer's own regular staff member (their hairdresser, their mechanic); "
    "null for no one. Anyone who does not work in the business is refused (422, type "
    "not_member). When the member leaves the business it becomes null."
)
Basis = Literal[tuple(LegalBasis.values)]  # type: ignore[valid-type]

# What each field of a customer means, said once for the answer and both bodies.
NAME_SAID = "The customer's name as the pages show it: 1 to 200 characters, trimmed."
COMPANY_SAID = "The company they buy for; empty for none."
EMAIL_SAID = "E-mail address; empty for none. One without a domain is refused."
PHONE_SAID = (
    "Phone number as written: at least 8 digits, optionally starting with + "
    "(06 12345678); empty for none."
)
STREET_SAID = "Street and house number; empty for none."
POSTAL_CODE_SAID = "Postal code; a Dutch one is stored as PostNL writes it (3512ab: 3512 AB)."
CITY_SAID = "Town or city; empty for none."
PREFERENCES_SAID = (
    "What matters to this customer: preferences and wishes (prefers a call to an e-mail), at "
    "most 5,000 characters; empty for none."
)
NOTES_SAID = (
    "Personal notes: something to ask about next time (daughter starts school), at most 5,000 "
    "characters; empty for none."
)
BIRTHDAY_SAID = (
    "ISO date (YYYY-MM-DD); null when not known. A day given anew after the business's today, "
    "or before 1900, is refused (types future, too_early)."
)
CUSTOMER_SINCE_SAID = (
    "The day they became a customer (ISO date); left out of a new customer, the business's "
    "today. A purchase before it moves it back. A day given anew after today, or before 1900, "
    "is refused (types future, too_early)."
)
ACQUISITION_CHANNEL_SAID = (
    f"How they came to the business: {', '.join(AcquisitionChannel.values)}; walk_in when "
    "left out, unknown for a customer a file brought in without saying."
)
REFERRED_BY_SAID = (
    "The id of the customer who brought them in (GET /referrals lists them), or null. A "
    "customer not of this business is refused (not_found), as are the customer themselves "
    "(self_referral) and a circle of referrals (referral_cycle)."
)
MARKETING_CONSENT_SAID = (
    "Whether the customer may receive news and offers. Each change is kept in the consent "
    "history (GET /customers/{id}/consents)."
)
MARKETING_CONSENT_BASIS_SAID = (
    "The legal basis of the marketing consent (consent, soft_opt_in or legitimate_interest); "
    "empty without consent."
)
MARKETING_CONSENT_AT_SAID = (
    "When marketing consent was last given or withdrawn, in UTC; null when neither happened."
)
SPECIAL_CATEGORY_CONSENT_SAID = (
    "Whether the customer gave explicit consent to keep health, diet or allergy notes (GDPR "
    "art. 9). Each change is kept in the consent history."
)
SPECIAL_NOTES_SAID = (
    "Health, diet and allergy notes, at most 5,000 characters; only with "
    "special_category_consent: notes without it are refused (type special_category_consent)."
)
TAGS_SAID = "The names of the customer's tags (GET /tags lists them), in name order."
EXTERNAL_REF_SAID = (
    "The customer number of the till or web shop; empty for none. Unique in the business in any "
    "capitals: a number another customer has is refused (422, type unique, with existing_id)."
)


class CustomerOut(Out):
    id: int = Field(..., description=ID_SAID)
    name: str = Field(..., description=NAME_SAID)
    company: str = Field(..., description=COMPANY_SAID)
    email: str = Field(..., description=EMAIL_SAID)
    phone: str = Field(..., description=PHONE_SAID)
    street: str = Field(..., description=STREET_SAID)
    postal_code: str = Field(..., description=POSTAL_CODE_SAID)
    city: str = Field(..., description=CITY_SAID)
    preferences: str = Field(..., description=PREFERENCES_SAID)
    notes: str = Field(..., description=NOTES_SAID)
    birthday: date | None = Field(..., description=BIRTHDAY_SAID)
    customer_since: date = Field(..., description=CUSTOMER_SINCE_SAID)
    customer_since_known: bool = Field(
        ...,
        description="False for a customer a customer import brought in without their "
        "`customer since`: `customer_since` is then the import's day, by which they were a "
        "customer at the latest, and they do not count as new customers of that day. A "
        "`customer_since` sent makes it true, as does a purchase before that day (which moves "
        "`customer_since` back to it).",
    )
    acquisition_channel: str = Field(..., description=ACQUISITION_CHANNEL_SAID)
    referred_by: int | None = Field(
        None, validation_alias="referred_by_id", description=REFERRED_BY_SAID
    )
    regular_member: int | None = Field(
        None, validation_alias="regular_member_id", description=REGULAR_MEMBER_HELP
    )
    marketing_consent: bool = Field(..., description=MARKETING_CONSENT_SAID)
    marketing_consent_basis: str = Field(..., description=MARKETING_CONSENT_BASIS_SAID)
    marketing_consent_at: datetime | None = Field(..., description=MARKETING_CONSENT_AT_SAID)
    special_category_consent: bool = Field(..., description=SPECIAL_CATEGORY_CONSENT_SAID)
    special_notes: str = Field(..., description=SPECIAL_NOTES_SAID)
    # Given by selectors.with_tag_names (a page) or _with_version (one customer).
    tags: list[str] = Field(validation_alias="tag_names", description=TAGS_SAID)
    external_ref: str = Field(..., description=EXTERNAL_REF_SAID)
    created_at: datetime = Field(..., description=CREATED_AT_SAID)
    updated_at: ExactMoment = Field(
        ...,
        description="When anything shown here last changed (a field, a tag, anonymisation); "
        "not the spend or insight, derived from other records. The `changed_since` of a sync "
        '("Syncing" in the API\'s description).',
    )
    anonymised_at: datetime | None = Field(
        None,
        validation_alias="erased_at",
        description="When the person's data was erased at their request (AVG/GDPR art. 17); "
        "null while it was not. A copy kept elsewhere must be erased too.",
    )


class CustomerFields(Input):
    """Optional fields shared by create and update."""

    company: str | None = Field(None, max_length=200, description=COMPANY_SAID)
    email: str | None = Field(None, max_length=254, description=EMAIL_SAID)
    phone: str | None = Field(None, max_length=25, description=PHONE_SAID)
    street: str | None = Field(None, max_length=200, description=STREET_SAID)
    postal_code: str | None = Field(None, max_length=12, description=POSTAL_CODE_SAID)
    city: str | None = Field(None, max_length=100, description=CITY_SAID)
    preferences: str | None = Field(None, description=PREFERENCES_SAID)
    notes: str | None = Field(None, description=NOTES_SAID)
    birthday: date | None = Field(None, description=BIRTHDAY_SAID)
    customer_since: date | None = Field(None, description=CUSTOMER_SINCE_SAID)
    acquisition_channel: Channel | None = Field(None, description=ACQUISITION_CHANNEL_SAID)
    referred_by: StrictInt | None = Field(None, description=REFERRED_BY_SAID)
    regular_member: StrictInt | None = Field(None, description=REGULAR_MEMBER_HELP)
    marketing_consent: StrictBool | None = Field(None, description=MARKETING_CONSENT_SAID)
    marketing_consent_basis: Basis | None = Field(
        None,
        description="Counts only with marketing_consent: without it no basis is stored, and "
        "withdrawing consent empties it. Emptying the basis of consent on record is refused "
        "(basis_required): withdraw the consent instead.",
    )
    special_category_consent: StrictBool | None = Field(
        None, description=SPECIAL_CATEGORY_CONSENT_SAID
    )
    special_notes: str | None = Field(None, description=SPECIAL_NOTES_SAID)
    tags: list[str] | None = Field(
        None,
        description="The customer's tags by name, each at most 50 characters: the list "
        "replaces the tags they have. A name the business has in other capitals is that tag; a "
        "new name makes a new tag.",
    )
    external_ref: str | None = Field(None, max_length=100, description=EXTERNAL_REF_SAID)


class CustomerCreate(CustomerFields):
    name: str = Field(..., max_length=200, description=NAME_SAID)

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        # A name the schema refused is left out: "" stands in, its refusal dropped as the
        # schema's own is answered.
        return services.customer_create_refusals(
            business=business_of(request), **_create_arguments({"name": "", **fields})
        )


class CustomerUpdate(CustomerFields, Patch):
    edits = Customer

    name: str | None = Field(None, max_length=200, description=NAME_SAID)

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        customer = record_of_path(request, selectors.customer_get, "customer_id")
        return (
            {}
            if customer is None
            else services.customer_update_refusals(customer=customer, **fields)
        )


def _create_arguments(fields: dict) -> dict:
    """A create's fields for customer_create: null is "not given", the field takes its
    default."""
    return {name: value for name, value in fields.items() if value is not None}


class CustomerPage(Out):
    items: list[CustomerOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


class DuplicateCustomerOut(Out):
    id: int = Field(..., description=ID_SAID)
    name: str = Field(..., description=NAME_SAID)
    phone: str = Field(..., description=PHONE_SAID)
    email: str = Field(..., description=EMAIL_SAID)
    city: str = Field(..., description=CITY_SAID)
    external_ref: str = Field(..., description=EXTERNAL_REF_SAID)
    customer_since: date = Field(..., description=CUSTOMER_SINCE_SAID)
    purchase_count: int = Field(..., description="How many purchases the customer has.")


DUPLICATE_KIND_SAID = "What they share: email, phone or name."


class DuplicateGroupOut(Out):
    kind: str = Field(..., description=DUPLICATE_KIND_SAID)
    key: str = Field(
        ...,
        description="What they share, as compared: the e-mail address in lower case, the phone "
        "number's digits as dialled at home (a Dutch or Belgian number with its 0, another "
        'country\'s with "+" and its code), the name without accents, capitals or extra spaces.',
    )
    size: int = Field(..., description="How many customers share it.")
    newest: int = Field(
        ...,
        description="The id of its latest customer (shown or not): the groups come latest first.",
    )
    customers: list[DuplicateCustomerOut] = Field(
        ...,
        description=f"At most {selectors.DUPLICATES_SHOWN_PER_GROUP}, oldest record first: the "
        "first ones, or of a group some of whose pairs are told apart, its first pairs still to "
        "judge.",
    )
    also: list[str] = Field(..., description="Other kinds of key all of them share too.")
    differs: list[str] = Field(
        ..., description="Details two of them have different ones of (a sign of two people)."
    )
    apart: list[tuple[int, int]] = Field(
        ..., description="Pairs of them (lower id first) marked as not the same person."
    )


class DuplicatePage(Out):
    items: list[DuplicateGroupOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description="Groups of this kind.")
    next_before: int | None = Field(
        ..., description="The `before` of the next page; null on the last page."
    )
    next_before_size: int | None = Field(
        ..., description="The `before_size` of the next page; null on the last page."
    )


class DuplicatePagination(Schema):
    kind: Literal[tuple(MatchKind.values)] = Field(  # type: ignore[valid-type]
        "email", description=DUPLICATE_KIND_SAID
    )
    limit: int = Field(20, ge=1, le=50, description="How many groups a page holds: 1 to 50.")
    before: int | None = Field(
        None,
        ge=1,
        le=DATABASE_INT_MAX,
        description="With `before_size`, the groups after the group of that size whose latest "
        "customer has this id: the previous page's `next_before`.",
    )
    before_size: int | None = Field(
        None,
        ge=2,
        le=DATABASE_INT_MAX,
        description="The previous page's `next_before_size`, given with `before`.",
    )


@router.get(
    "/duplicates",
    response={200: DuplicatePage, **OWNER_ERRORS},
    summary="Possible duplicates: customers sharing an e-mail address, phone number or name",
    description="Groups of customers who share a key of the kind asked for, the groups that "
    "fewest customers share first (two records of a name are likelier one person than twenty "
    "namesakes), of one size the group with the latest customer first (an import's new doubles "
    "on top), leaving out those whose customers are all marked as not the same person; page on "
    "with `before` and `before_size`. Merge two with "
    "`POST /customers/{id}/merge/{other_customer_id}`, or mark them with `PUT "
    "/customers/{id}/not-the-same/{other_customer_id}` (owners).",
)
def list_duplicates(request: HttpRequest, page: Query[DuplicatePagination]):
    business = business_of(request)
    require_owner(request)
    if (page.before is None) != (page.before_size is None):
        # Half a place would be read as another one: a client paging by `before` alone, as the
        # list once did, is told what it misses instead of getting other groups.
        missing = "before_size" if page.before_size is None else "before"
        raise SchemaValidationError(
            [
                {
                    "loc": ["query", missing],
                    "msg": _(
                        "Give before and before_size together, as the previous page's "
                        "next_before and next_before_size."
                    ),
                    "type": "missing",
                }
            ]
        )
    count = selectors.duplicate_counts(business=business)[page.kind]
    before = (
        None
        if page.before is None or page.before_size is None
        else selectors.DuplicatePlace(customers=page.before_size, newest=page.before)
    )
    keys = selectors.duplicate_keys(
        business=business, kind=page.kind, size=page.limit, before=before
    )
    groups = selectors.duplicate_groups(business=business, kind=page.kind, keys=keys.keys)
    items = [
        {
            "kind": group.kind,
            "key": group.key,
            "size": group.size,
            "newest": group.newest,
            "customers": group.customers,
            "also": group.also,
            "differs": group.differs,
            "apart": sorted(group.apart),
        }
        for group in groups
    ]
    older = keys.older
    return {
        "items": items,
        "count": count,
        "next_before": older.newest if older else None,
        "next_before_size": older.customers if older else None,
    }


@router.put(
    "/{customer_id}/not-the-same/{other_customer_id}",
    response={204: None, **OWNER_WRITE_ERRORS},
    summary="Mark two customers as not the same person (owners)",
    description="The list of possible duplicates stops offering them as one. Marking them "
    "again changes nothing. An anonymised customer is refused (409, `anonymised`), and a "
    "customer with themselves (409, `same`). The "
    "answer's ETag is the decision's, for the If-Match of taking it back.",
)
def mark_not_the_same(
    request: HttpRequest, customer_id: int, other_customer_id: int, response: HttpResponse
):
    business = business_of(request)
    require_owner(request)
    pair = services.distinct_pair_create(
        business=business,
        customer_id=customer_id,
        other_id=other_customer_id,
        actor=actor_of(request),
    )
    set_etag(response, record_version(pair))
    return Status(204, None)


@router.delete(
    "/{customer_id}/not-the-same/{other_customer_id}",
    response={204: None, **OWNER_CHANGE_ERRORS},
    summary="Take back that two customers are not the same person (owners)",
    description="The list of possible duplicates offers them again. 404 when they are not "
    "marked; with `If-Match` (the ETag the marking gave), 412 when the mark was taken back and "
    "made again since.",
)
def unmark_not_the_same(
    request: HttpRequest, customer_id: int, other_customer_id: int, if_match: IfMatch = None
):
    business = business_of(request)
    require_owner(request)
    pair = selectors.distinct_pair_get(
        business=business, customer_id=customer_id, other_id=other_customer_id
    )
    services.distinct_pair_undo(
        business=business,
        pair_id=pair.pk,
        actor=actor_of(request),
        expected_versions=expected_versions(if_match),
    )
    return Status(204, None)


class RemovedCustomerOut(RemovedOut):
    merged_into: int | None = Field(
        ...,
        description="The customer they were merged into, who holds all of theirs now; null for "
        "a customer deleted as entered by mistake.",
    )


class RemovedCustomerPage(Out):
    items: list[RemovedCustomerOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


@router.get(
    "/removed",
    response={200: RemovedCustomerPage, **OWNER_ERRORS},
    summary="Customers merged into another or deleted since a moment (owners)",
    description="For a copy kept elsewhere: these ids are gone, their records moved to "
    "`merged_into` or deleted. An anonymised customer is not removed: they are changed "
    '(`anonymised_at`, in `GET /customers?changed_since=`). "Syncing" in the API\'s description.',
)
def list_removed_customers(
    request: HttpRequest, page: Query[Pagination], since: Query[RemovedSince]
):
    require_owner(request)
    events = selectors.customers_removed(business=business_of(request), since=since.since)
    return feed_page(events, page, read=lambda rows: list(map(selectors.removed_customer, rows)))


class CustomerFilters(ChangesSince):
    search: str = Field(
        "",
        description="Words of the name or company, an e-mail address or a phone number (in "
        "any way written: 06-12345678 finds +31 6 1234 5678), as the web interface's search.",
    )
    tag: str = Field("", description="The name of a tag, as GET /tags lists it, in any capitals.")
    external_ref: str = Field(
        "",
        max_length=100,
        description="A customer number (the till's or web shop's own), in any capitals: the "
        "customer who has it, or none. The way to find the customer an order or receipt is for.",
    )


@router.get(
    "",
    response={200: CustomerPage, **OWNER_ERRORS},
    summary="List customers, or those changed since a moment",
    description="In name order with `search`, `tag` or `external_ref`; with `changed_since`, "
    "the customers changed since that moment, in the order they changed "
    '("Syncing" in the API\'s description). A staff token looks customers up with `search`, '
    "`tag` or `external_ref`; the whole list and its changes are an export, an owner's (403).",
)
def list_customers(request: HttpRequest, page: Query[Pagination], filters: Query[CustomerFilters]):
    require_owner_unless_looked_up(
        request,
        # Blank is no lookup: the list reads "  " as no search at all.
        looked_up=filters.changed_since is None
        and any(value.strip() for value in (filters.search, filters.tag, filters.external_ref)),
        lookups="search, tag, external_ref",
    )
    refuse_mixed_sync(
        page,
        filters,
        search=bool(filters.search),
        tag=bool(filters.tag),
        external_ref=bool(filters.external_ref),
    )
    if filters.changed_since is not None:
        return changes_page(
            request, page, filters, selectors.customers_changed, read=selectors.with_tag_names
        )
    customers = selectors.customer_list(
        business=business_of(request),
        query=filters.search,
        tag=filters.tag,
        number=filters.external_ref,
    )
    items = selectors.with_tag_names(list(customers[page.offset : page.offset + page.limit]))
    if filters.search or filters.tag or filters.external_ref:
        count = customers.count()
    else:
        count = selectors.customer_count(business=business_of(request))
    return {"items": items, "count": count}


def _with_version(response: HttpResponse, customer: Customer) -> Customer:
    """The customer with their tags read once, for the body and for the ETag of their version."""
    prefetch_related_objects([customer], "tags")
    customer.tag_names = sorted(
        (tag.name for tag in customer.tags.all()), key=selectors.tag_name_order
    )
    return with_etag(response, customer, _version)


def _version(customer: Customer) -> str:
    return selectors.customer_version(customer=customer)


@router.post(
    "",
    response={201: CustomerOut, **WRITE_ERRORS},
    summary="Create a customer",
    description="Only `name` is required; the answer's `Location` and `ETag` are the new "
    "customer's. A customer number (`external_ref`) another customer has is refused with 422 "
    "`unique` and that customer's `existing_id`; send an `Idempotency-Key` so that a retry "
    "does not create the customer twice.",
)
def create_customer(request: HttpRequest, payload: CustomerCreate, response: HttpResponse):
    customer = services.customer_create(
        business=business_of(request),
        actor=actor_of(request),
        consent_source=ConsentSource.API,
        **_create_arguments(payload.dict()),
    )
    return Status(201, _with_version(response, with_location(response, "get_customer", customer)))


class CustomerDetailOut(CustomerOut):
    total_spend_cents: int | None = Field(
        ...,
        description="Every purchase so far, as the profile shows it (insight.spend_cents is "
        "as of the insight's last refresh); null for staff while the owner keeps customers' "
        "amounts from them (care setting staff_see_amounts).",
    )
    insight: CustomerInsightOut | None = Field(
        None,
        validation_alias="current_insight",
        description="Value, probability alive, segment and stage; null before a refresh, and "
        "for staff while the owner keeps customers' amounts from them.",
    )


@router.get(
    "/{customer_id}",
    response={200: CustomerDetailOut, **ERRORS},
    summary="Get a customer",
    description="With their total spend and latest insight (both null for staff while the "
    "owner keeps amounts from them). The read is kept in the customer's audit trail; the "
    "`ETag` is their version, for the `If-Match` of a change.",
)
def get_customer(request: HttpRequest, customer_id: int, response: HttpResponse):
    customer = selectors.customer_get(
        business=business_of(request),
        customer_id=customer_id,
        annotations={"total_spend_cents": Coalesce(F("spend__cents"), 0)},
    )
    audit_personal_data_viewed(customer=customer, actor=actor_of(request), how="api")
    if sees_amounts(request):
        customer.current_insight = customer_insight_get(customer=customer)
    else:
        customer.total_spend_cents, customer.current_insight = None, None
    return _with_version(response, customer)


@router.patch(
    "/{customer_id}",
    response={200: CustomerOut, **CHANGE_ERRORS},
    summary="Change a customer",
    description="Only the fields sent change; null empties a field that can be empty (422 "
    "`null` for one that cannot), and `tags` replaces the tags. An anonymised customer is "
    "refused (409 `anonymised`); with `If-Match`, 412 when the customer changed since it was "
    "read.",
)
def update_customer(
    request: HttpRequest,
    customer_id: int,
    payload: CustomerUpdate,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    customer = selectors.customer_get(business=business_of(request), customer_id=customer_id)
    versions = expected_versions(if_match)
    customer = services.customer_update(
        customer=customer,
        expected_versions=versions,
        actor=actor_of(request),
        consent_source=ConsentSource.API,
        **payload.dict(exclude_unset=True),
    )
    return _with_version(response, customer)


@router.delete(
    "/{customer_id}",
    response={204: None, **OWNER_CHANGE_ERRORS},
    summary="Delete a customer entered by mistake (owners; one with purchases is refused: anonymise them instead)",
    description="The customer and everything recorded about them go; the id is listed by "
    "`GET /customers/removed`. A customer with purchases is refused (409 `has_purchases`): "
    "anonymise them with `POST /customers/{id}/erase`. With `If-Match`, 412 when the customer "
    "changed since it was read.",
)
def delete_customer(request: HttpRequest, customer_id: int, if_match: IfMatch = None):
    customer = selectors.customer_get(business=business_of(request), customer_id=customer_id)
    require_owner(request)
    customer_delete(
        customer=customer,
        actor=actor_of(request),
        expected_versions=expected_versions(if_match),
    )
    return Status(204, None)


class MergeChangeOut(Out):
    field: str = Field(..., description="As in the customer's own fields.")
    now: Any = Field(..., description="This customer's value now.")
    after: Any = Field(..., description="Its value after the merge.")


class MergeMovingOut(Out):
    kind: str = Field(
        ...,
        description='The kind of record, as "app.model" ("customers.purchase", '
        f'"promises.promise"); "{REFERRED_KEY}" for the customers the other record referred.',
    )
    name: str = Field(..., description="The kind in the language of the request.")
    count: int = Field(..., description="How many of them move to this customer.")


class MergeDetailOut(Out):
    field: str = Field(..., description="As in the customer's own fields.")
    value: Any = Field(..., description="The other record's value, which is not kept.")


class MergePreviewOut(Out):
    etag: str = Field(
        ...,
        description="This customer's ETag: send it as If-Match with the merge to be sure "
        "that what merging does is what this preview said.",
    )
    other_etag: str = Field(..., description="The other record's: the merge's `other_etag`.")
    changes: list[MergeChangeOut] = Field(
        ..., description="This customer's fields that change: filled, joined, or consent."
    )
    moving: list[MergeMovingOut] = Field(
        ..., description="The other record's records that move to this customer, per kind."
    )
    not_kept: list[MergeDetailOut] = Field(
        ...,
        description="The other record's details that are not kept, because this customer has "
        "its own (a second phone number).",
    )
    tags_added: list[str] = Field(
        ..., description="The other record's tags that this customer gets."
    )
    health_notes_dropped: bool = Field(
        ...,
        description="The health, diet or allergy notes are removed: the person's latest "
        "decision withdrew that consent.",
    )


# The API's name of a stored column ("referred_by" for "referred_by_id").
_FIELD_NAMES = {field.attname: field.name for field in Customer._meta.concrete_fields}


@router.get(
    "/{customer_id}/merge/{other_customer_id}",
    response={200: MergePreviewOut, **OWNER_WRITE_ERRORS},
    summary="What merging another record into this customer would do (owners)",
    description="Changes nothing. The answer of the merge's refusals is the same 409 "
    "(`two_numbers`, `anonymised`, `same`).",
)
def preview_merge(request: HttpRequest, customer_id: int, other_customer_id: int):
    business = business_of(request)
    customer = selectors.customer_get(business=business, customer_id=customer_id)
    other = selectors.customer_get(business=business, customer_id=other_customer_id)
    require_owner(request)
    plan = merge_plan(keep=customer, other=other)
    return {
        "etag": f'"{_version(customer)}"',
        "other_etag": f'"{_version(other)}"',
        "changes": [
            {"field": _FIELD_NAMES[name], "now": getattr(customer, name), "after": value}
            for name, value in plan.fields.items()
        ],
        "moving": [
            {"kind": kind, "name": name, "count": count} for kind, name, count in plan.moving
        ],
        "not_kept": [
            {"field": _FIELD_NAMES.get(name, name), "value": value}
            for name, value in plan.not_taken
        ],
        "tags_added": plan.tags_added,
        "health_notes_dropped": plan.special_notes_dropped,
    }


class CustomerMerge(Input):
    other_etag: str | None = Field(
        None,
        description="The other record's ETag as its GET gave it: the merge is refused (412) "
        "when that record changed since. The If-Match header does the same for this customer.",
    )


@router.post(
    "/{customer_id}/merge/{other_customer_id}",
    response={200: CustomerOut, **OWNER_CHANGE_ERRORS},
    summary="Merge another record of the same person into this customer (owners)",
    description="Everything of the other record (purchases, promises, complaints, consent "
    "history, audit trail, ...) moves to this customer, and the other record is deleted. This "
    "customer keeps its details; empty ones are filled from the other, notes are joined, and "
    "consent follows the person's latest decision. Two different customer numbers are refused "
    "(409). Cannot be undone. Send `{}` as the body, or the other record's ETag.",
)
def merge_customer(
    request: HttpRequest,
    customer_id: int,
    other_customer_id: int,
    payload: CustomerMerge,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    business = business_of(request)
    customer = selectors.customer_get(business=business, customer_id=customer_id)
    other = selectors.customer_get(business=business, customer_id=other_customer_id)
    require_owner(request)
    other_etag = payload.other_etag
    customer_merge(
        keep=customer,
        other=other,
        actor=actor_of(request),
        keep_versions=expected_versions(if_match),
        other_versions=None if other_etag is None else [other_etag.strip('" ')],
    )
    customer.refresh_from_db()
    return _with_version(response, customer)
