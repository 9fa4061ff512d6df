"""What every API module shares: authentication, error bodies, strict input types, pagination."""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import ValidationError as SchemaValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PlainSerializer,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from klantvriend.core.care_settings import member_sees_amounts
from klantvriend.core.db import DATABASE_INT_MAX
from klantvriend.core.errors import Conflict as ConflictError
from klantvriend.core.errors import NotFound, OwnerOnly
from klantvriend.core.language import accepted_language, reader_language
from klantvriend.core.models import ApiToken, Membership, refuse_null_characters
from klantvriend.core.selectors import apitoken_live, apitoken_used


class UtcJSONEncoder(NinjaJSONEncoder):
    """Every moment leaves the API in UTC ("Z"), whatever offset it came in with or is held in:
    a purchase created at 14:30+01:00 reads back as 13:30Z from every route, and a moment in a
    far year never carries a business-local mean-time offset with seconds (not RFC 3339)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and o.tzinfo is not None:
            o = o.astimezone(UTC)
        return super().default(o)


class UtcJSONRenderer(JSONRenderer):
    encoder_class = UtcJSONEncoder


class UnreadableBody(ValueError):
    """A request body that is not JSON. ninja answers any parser error with 400 and an English
    "Cannot parse request body" (with the parser's own English words only under DEBUG); the
    400 handler (api/urls.py) finds this as that error's cause and says, in the request's
    language, where the JSON broke off and what to send instead."""

    def __init__(self, refused: ValueError) -> None:
        super().__init__(str(refused))
        self.line: int | None = getattr(refused, "lineno", None)
        self.column: int | None = getattr(refused, "colno", None)

    def message(self) -> str:
        if self.line is None or self.column is None:
            return _(
                'The body is not JSON: send one JSON object in UTF-8, such as {"name": "Anna"}.'
            )
        return _(
            "The body is not JSON (it breaks off at line %(line)d, column %(column)d): send one "
            'JSON object, such as {"name": "Anna"}.'
        ) % {"line": self.line, "column": self.column}


class QueryParser(Parser):
    """JSON bodies as ninja reads them, a body that is not JSON refused with where it broke off
    (UnreadableBody); query parameters with a NUL character (%00) refused as input, as the
    domain refuses one in a body's text: no database takes one in a query."""

    def parse_body(self, request):
        try:
            return super().parse_body(request)
        except ValueError as refused:  # JSONDecodeError and UnicodeDecodeError both are
            raise UnreadableBody(refused) from refused

    def parse_querydict(self, data, list_fields, request):
        values = super().parse_querydict(data, list_fields, request)
        errors = [
            {"loc": ["query", name], "msg": str(refused.message), "type": refused.code}
            for name, value in values.items()
            for refused in _null_character_refusals(value)
        ]
        if errors:
            raise SchemaValidationError(errors)
        return values


def with_location[Row: models.Model](response: HttpResponse, route: str, record: Row) -> Row:
    """`record`, created, its address (the GET operation `route`, such as "get_purchase") set as
    the 201's Location (RFC 9110, 10.2.2): where the client reads it again."""
    response["Location"] = reverse(f"api:{route}", args=[record.pk])
    return record


def _null_character_refusals(value) -> list[DjangoValidationError]:
    for text in value if isinstance(value, list) else [value]:
        try:
            refuse_null_characters(text)
        except DjangoValidationError as refused:
            return refused.error_list
    return []


def live_token(request: HttpRequest, secret: str) -> ApiToken | None:
    """apitoken_live of the request's secret, read once per request: an Idempotency-Key reads
    the token before the authentication does (api/idempotency.py), which then takes it from
    here instead of asking the database again (a join of five tables, some 3 ms)."""
    read = getattr(request, "_live_token", None)
    if read is None or read[0] != secret:
        read = (secret, apitoken_live(key=secret))
        request._live_token = read  # type: ignore[attr-defined]
    return read[1]


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        live = live_token(request, token)
        if live is None:
            return None
        membership = apitoken_used(live)
        request.membership = membership  # type: ignore[attr-defined]
        request.business = membership.business  # type: ignore[attr-defined]
        speak_the_member_s_language(request, membership)
        return membership


def speak_the_member_s_language(request: HttpRequest, membership: Membership) -> None:
    """A token's request is answered in the language its member reads the web interface in
    (core.language.reader_language: their own choice, else their business's), unless it asks
    for one of Klantvriend's languages with Accept-Language: a till set up by an English-speaking
    owner was refused in Dutch, as LocaleMiddleware falls back to LANGUAGE_CODE without one.
    Authentication runs before the body is read, so every refusal after it (the schema's, the
    domain's) is said in this language, as are the Idempotency-Key's, which reads the token
    first (api/idempotency.py); before it (no token, an unknown one) there is only the header
    to go by. Not undone after the response, as in web.middleware: LocaleMiddleware names
    it in Content-Language, and activates anew for the next request."""
    if accepted_language(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        return
    language = reader_language(own=membership.own_language, business=membership.business)  # type: ignore[attr-defined]
    translation.activate(language)
    request.LANGUAGE_CODE = language  # type: ignore[attr-defined]


def business_of(request: HttpRequest):
    return request.business  # type: ignore[attr-defined]


def actor_of(request: HttpRequest):
    """The member whose token the request carries: who did it, for the audit trail."""
    return request.membership.user  # type: ignore[attr-defined]


def record_of_path(request: HttpRequest, select: Callable[..., Any], name: str) -> Any:
    """The record the route's path parameter `name` names, read by the selector `select` in
    the request's business; None when there is none (the route answers 404 itself). For a
    PATCH body's `refusals` (Input), which judge the changes against it."""
    try:
        return select(business=business_of(request), **{name: request.resolver_match.kwargs[name]})  # type: ignore[union-attr]
    except NotFound:
        return None


def require_owner(request: HttpRequest, message: str = "") -> None:
    """For what only an owner may do, as in the web interface: export, erase, delete.
    `message`: the refusal's own words, where it can say what staff may do instead."""
    if not request.membership.is_owner:  # type: ignore[attr-defined]
        raise OwnerOnly(*([message] if message else []))


def sees_amounts(request: HttpRequest) -> bool:
    """Whether the token's member may see customers' money and model figures, as on the web
    pages (core.care_settings.member_sees_amounts): the owner's "staff see amounts" held on
    the pages and not here, where a till's staff token read every customer's total and
    value."""
    return member_sees_amounts(
        business=business_of(request),
        membership=request.membership,  # type: ignore[attr-defined]
    )


def require_amounts(request: HttpRequest) -> None:
    """For the insight routes, as the web's amounts_required: 403 to staff while the owner
    keeps customers' amounts from them."""
    if not sees_amounts(request):
        raise OwnerOnly(
            _(
                "The owner of the business has chosen that staff do not see customers' amounts "
                "and customer value."
            )
        )


def require_owner_unless_looked_up(request: HttpRequest, looked_up: bool, lookups: str) -> None:
    """Staff look a record up by one of `lookups` (the list's filters, named in the refusal);
    the whole list and the feeds a copy kept elsewhere syncs by are an export of the
    business's customers, which staff must not make (as the customer CSV is the owner's)."""
    if not looked_up:
        require_owner(
            request,
            _(
                "The whole list and its changes are an export, which only an owner of the "
                "business may make. Look a record up with %(lookups)s."
            )
            % {"lookups": lookups},
        )


# In the validation context while Input takes the fields of a refused body one by one.
_FIELD_BY_FIELD = "field_by_field"

_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _iso_text_only(value: Any) -> Any:
    # Pydantic would also read a number as a Unix timestamp, also one written as text (as every
    # value of a query string is); a number here is far more likely a mistake than a moment the
    # client meant, so only ISO 8601 text is accepted.
    if isinstance(value, datetime) or (isinstance(value, str) and not _NUMBER.fullmatch(value)):
        return value
    raise ValueError(
        _("Give the moment as ISO 8601 text with a time zone, e.g. 2026-03-01T14:30:00+01:00.")
    )


def _within_the_calendar_in_utc(value: datetime) -> datetime:
    # Moments are stored in UTC: 0001-01-01T00:00+01:00 lies before the first moment Python
    # (and so the database layer) can hold there.
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError(_("This moment lies outside the calendar (years 1 to 9999).")) from None
    return value


Moment = Annotated[
    AwareDatetime, BeforeValidator(_iso_text_only), AfterValidator(_within_the_calendar_in_utc)
]


def _plus_read_as_space(value: Any) -> Any:
    # In a query string "+" means a space: 2026-11-30T14:30:00+01:00 written as it is arrives
    # as "2026-11-30T14:30:00 01:00". No moment has a space before its offset, so it is read
    # as the "+" the client meant rather than refused.
    if isinstance(value, str):
        return re.sub(r"(?<=\d) (?=\d\d:?\d\d$)", "+", value)
    return value


# A moment given in the query string (a list's `changed_since`).
QueryMoment = Annotated[Moment, BeforeValidator(_plus_read_as_space)]


def _to_the_microsecond(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# A moment in an answer to the microsecond, as stored, where a client sends it back to page on
# (a customer's `updated_at`, `changed_since`): every other moment leaves the API to the
# millisecond (Django's JSON encoder), and a page's last row read back to the millisecond
# would come again on the next page, and again.
ExactMoment = Annotated[datetime, PlainSerializer(_to_the_microsecond, return_type=str)]


class Input(Schema):
    """Base of every request body. A field the API does not know is refused (422, type
    extra_forbidden, at ["body", field]) rather than dropped: a typo such as "emial" in a PATCH
    would otherwise answer 200 and change nothing. test_unknown_fields_api holds every body
    schema of the OpenAPI document to it.

    One refused request answers every refusal at once: when the schema refuses some fields, a
    body that has `refusals` asks the domain about the fields it took, and the 422 lists
    both (a wrong type of `tags` and an empty `name`), rather than the domain's only once the
    client has sent the request again."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict[str, Any]) -> dict[str, list]:
        """What the route's service refuses of `fields` (those the schema took, as it took
        them: typed, null as Patch makes it), per field, writing nothing. None by default."""
        return {}

    @model_validator(mode="wrap")
    @classmethod
    def _with_the_domains_refusals(
        cls, data: Any, handler: ModelWrapValidatorHandler, info: ValidationInfo
    ) -> Any:
        try:
            return handler(data)
        except PydanticValidationError as refused:
            context = info.context or {}
            request = context.get("request")
            if (
                request is None
                or context.get(_FIELD_BY_FIELD)
                or not isinstance(data, dict)
                or cls.refusals.__func__ is Input.refusals.__func__  # type: ignore[attr-defined]
            ):
                raise
            refused_fields = {error["loc"][0] for error in refused.errors() if error["loc"]}
            taken = cls.model_construct()
            for name, value in data.items():
                if name in cls.model_fields and name not in refused_fields:
                    # The field's own checks (and Patch's null) without the body's: the fields
                    # refused are left out, a required one among them too.
                    cls.__pydantic_validator__.validate_assignment(
                        taken, name, value, context={**context, _FIELD_BY_FIELD: True}
                    )
            fields = taken.model_dump(include=taken.model_fields_set)
            request.refused_by_the_domain = {  # answered with the schema's (api/urls.py)
                name: errors
                for name, errors in cls.refusals(request, fields).items()
                # A refusal below a field is named by its path (api/urls.py).
                if (name[0] if isinstance(name, tuple) else name) not in refused_fields
            }
            raise


def not_emptied() -> PydanticCustomError:
    """The refusal of a null sent for a field that cannot be emptied (Patch.emptied)."""
    return PydanticCustomError(
        "null", _("This field cannot be emptied; leave it out to keep its value.")
    )


class Patch(Input):
    """Base of every PATCH body: a field left out stays as it is, and a field sent as null is
    emptied where the record can be without it, refused where it cannot. Without this an
    explicit null was dropped and the PATCH answered 200 with the field unchanged.

    What null means follows the model the body changes (`edits`), so there is one rule for
    every route: a nullable column (a gesture's value, a birthday, a referrer, a moment still
    to come) becomes null; a text column that may be blank becomes "" and a many-to-many that
    may be blank []; anything else (a description, a required moment, a choice, a yes/no, a
    field that is not a column) is refused with 422, type "null", at ["body", field]. The
    OpenAPI schema says the same: a refused field does not take null there."""

    edits: ClassVar[type[models.Model]]

    @classmethod
    def emptied(cls, name: str) -> Any:
        """What null stands for in the field `name`; raises when it cannot be emptied."""
        try:
            field = cls.edits._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if field is not None and field.many_to_many and field.blank:
            return []
        if field is not None and field.null:
            return None
        if (
            field is not None
            and field.blank
            and isinstance(field, models.CharField | models.TextField)
        ):
            return ""
        raise not_emptied()

    @field_validator("*", mode="after")
    @classmethod
    def _null_empties_or_is_refused(cls, value: Any, info: ValidationInfo) -> Any:
        # Only a value that was sent is validated: a field left out keeps its default, unset.
        # After the field's own type: "" is no choice of a choice field, yet empties it.
        return cls.emptied(info.field_name) if value is None else value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        schema = handler(core_schema)
        properties = handler.resolve_ref_schema(schema).get("properties", {})
        for name, prop in properties.items():
            prop.pop("default", None)  # left out means unchanged, not null
            try:
                cls.emptied(name)
            except PydanticCustomError:
                options = [option for option in prop.pop("anyOf", []) if option != {"type": "null"}]
                if len(options) == 1:
                    prop.update(options[0])
                elif options:
                    prop["anyOf"] = options
        return schema


def refuse_undoing(record: models.Model, sent: dict, names: tuple[str, ...], message) -> None:
    """A PATCH that empties what records a step that is final (a promise cancelled, a
    complaint resolved) cannot undo the step: 409, code "reopen". Emptying what is empty
    already is no change and passes. (A promise kept, a complaint answered and a follow-up's
    outcome are taken back by their services instead, by the rule of core/undo.py.)"""
    for name in names:
        if name in sent and not sent[name] and getattr(record, name):
            raise ConflictError({name: DjangoValidationError(message, code="reopen")})


class Out(BaseModel):
    """Base of every answer body, read from the domain's objects (or dicts) by pydantic itself.
    ninja's Schema reads each field through a Python wrapper (DjangoGetter, for its resolve_
    methods and dotted names, which the API does not use): five times as long, 0.8 ms against
    0.15 ms for a page of fifty customers. What a field needs worked out is given to it by
    the route or a before-validator, not a resolver."""

    model_config = ConfigDict(from_attributes=True)


def _username(member: Any) -> Any:
    """A user as their user name, "" for none; a name given as text stays as it is."""
    if isinstance(member, str):
        return member
    return member.get_username() if member else ""


# A member of staff named in an answer (who logged a contact moment, gave a gesture): their
# user name, "" for none.
Username = Annotated[str, BeforeValidator(_username)]


# What a field of several schemas means, said once (one constant per meaning); a module's own
# concepts (REGULAR_MEMBER_HELP, REPEAT_WEEKS_SAID, …) live beside their schemas.
ID_SAID = "The record's id, as its own address takes it."
CUSTOMER_SAID = "The id of the customer it is about."
CREATED_AT_SAID = "When it was recorded in Klantvriend, in UTC."
UPDATED_AT_SAID = "When anything of it last changed, in UTC."
ITEMS_SAID = "The rows of this page, in the list's order."
COUNT_SAID = (
    "How many rows the list holds in all, over every page (with the filters given; for a page "
    "of changes, from `changed_since` and `after_id` on)."
)
DETAIL_SAID = "What was refused or went wrong, in the request's language."
CENTS_SAID = "Whole cents in the business's currency: 1250 is 12.50."
# Who recorded it (a contact moment's member, a promise's made_by, a complaint's received_by, a
# gesture's given_by): the member on the web or whose token the API request carried.
RECORDED_BY_SAID = (
    "The login name of the member who recorded it (the `username` of GET /members); empty when "
    "no one is known."
)
# A moment something happened (a purchase, a contact, a complaint received): core.moments.
PAST_MOMENT_SAID = (
    "ISO 8601 with its time zone (2026-03-01T14:30:00+01:00), answered in UTC. One more than "
    "five minutes ahead of the server's clock is refused (type future), as is one before 1900 "
    "(too_early)."
)


class Message(Out):
    detail: str = Field(..., description=DETAIL_SAID)


class Conflict(Out):
    """A refusal because of a record's state (core.errors.Conflict): 409, with a stable code."""

    detail: str = Field(..., description=DETAIL_SAID)
    code: str = Field(..., description="resolved, finished, anonymised, has_purchases, …")


def _no_default_in_schema(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class FieldError(Out):
    loc: list[str | int] = Field(..., description='Where: ["body", "email"], ["query", "offset"].')
    msg: str = Field(..., description="Why, in the request's language.")
    type: str = Field(
        ..., description="A stable code to program against: missing, unique, extra_forbidden, …"
    )
    # Present only on the refusals that name a record, and then an id: never null. The answer
    # leaves the key out rather than send null (api/urls.py _domain_refusals), so the schema
    # says it is an optional integer, not a nullable one (SkipJsonSchema keeps None for the
    # model's default only; its "default": null would read as a value that is sent).
    existing_id: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = Field(
        None,
        description="Only with type unique, where the value is taken by a record of the "
        "business: that record's id (the purchase of a receipt number sent again, the customer "
        "of a customer number, the important date), to carry on with it. Absent otherwise.",
        json_schema_extra=_no_default_in_schema,
    )


class ValidationErrors(Out):
    detail: list[FieldError] = Field(
        ...,
        description="Every refusal of the request, one per field and reason: the schema's "
        "first, then the record's. Nothing was stored.",
    )


# Ids and offsets as the database can hold them: a larger number is refused as input, not a
# server error.
ObjectId = Annotated[int, Field(ge=1, le=DATABASE_INT_MAX)]


class Pagination(Schema):
    limit: int = Field(50, ge=1, le=500, description="How many rows a page holds: 1 to 500.")
    offset: int = Field(
        0,
        ge=0,
        le=DATABASE_INT_MAX,
        description="How many rows of the list to skip: the rows of the pages before this one.",
    )


class ChangesSince(Schema):
    """The query parameters of a list a client keeps a copy of by syncing what changed
    (docs/api.md, "Syncing"): the customers, the purchases."""

    changed_since: QueryMoment | None = Field(
        None,
        description="Those changed at or after this moment (ISO 8601 with its time zone: "
        "2026-11-30T02:00:00Z, or +01:00 written %2B01:00), oldest change first, by id within "
        "one moment; each row's `updated_at` says when. Page on with the last row's "
        '`updated_at` as `changed_since` and its `id` as `after_id` ("Syncing" in the API\'s '
        "description). Not with the list's other filters or offset.",
    )
    after_id: ObjectId | None = Field(
        None,
        description="With `changed_since`: the rows after the one of this id changed at that "
        "moment (the previous page's last row), and those changed later.",
    )


def refuse_mixed_sync(page: Pagination, changes: ChangesSince, **filtered: bool) -> None:
    """Refuses (422, at each parameter) what a page of changes cannot be combined with: the
    list's filters that were given (`filtered`, by name) and an offset. A filter would lose
    the rows that leave it (a tag taken off is a change the client must see), and an offset
    would skip a row when one before it changes meanwhile and moves to the end. `after_id`
    says where to page on only with `changed_since`."""
    if changes.changed_since is None:
        if changes.after_id is None:
            return
        message = _("Give after_id with changed_since: the last row's updated_at and id.")
        raise SchemaValidationError(
            [{"loc": ["query", "after_id"], "msg": message, "type": "missing"}]
        )
    message = _(
        "changed_since lists every change, in the order they were made; it is not combined "
        "with %(name)s. Page on with after_id."
    )
    refused = [
        {"loc": ["query", name], "msg": message % {"name": name}, "type": "not_combined"}
        for name, given in {**filtered, "offset": bool(page.offset)}.items()
        if given
    ]
    if refused:
        raise SchemaValidationError(refused)


def feed_page(rows: QuerySet, page: Pagination, read: Callable[[list], list] = list) -> dict:
    """A page of a feed a client syncs by (changed, removed) as the API answers it: the page's
    rows (as `read` makes them) and `count`, the rows from the first of the page's range on
    (for a page of changes, from `changed_since` and `after_id` on)."""
    return {
        "items": read(list(rows[page.offset : page.offset + page.limit])),
        "count": rows.count(),
    }


def changes_page(
    request: HttpRequest,
    page: Pagination,
    changes: ChangesSince,
    changed: Callable[..., QuerySet],
    read: Callable[[list], list] = list,
) -> dict:
    """The page of a list's `changed_since` (feed_page): the rows the selector `changed`
    (`business`, `since`, `after_id`; customers_changed, purchases_changed) gives."""
    rows = changed(
        business=business_of(request), since=changes.changed_since, after_id=changes.after_id
    )
    return feed_page(rows, page, read)


class RemovedSince(Schema):
    since: QueryMoment | None = Field(
        None,
        description="Those removed at or after this moment (ISO 8601 with its time zone), "
        "oldest first; left out, every one on record.",
    )


class RemovedOut(Out):
    """A row of a list of the records no longer there (`.../removed`)."""

    id: int = Field(..., description="The record that is no longer there.")
    removed_at: ExactMoment = Field(
        ...,
        description="When it was removed, in UTC to the microsecond: the `since` to ask from "
        "next time.",
    )


# 400: a body that is not JSON at all (ninja answers before any schema is applied); 413: one
# larger than the API reads (DATA_UPLOAD_MAX_MEMORY_SIZE).
ERRORS = {400: Message, 401: Message, 404: Message, 413: Message, 422: ValidationErrors}
OWNER_ERRORS = {**ERRORS, 403: Message}
# A write may meet a record whose state forbids it (409); a read never does.
WRITE_ERRORS = {**ERRORS, 409: Conflict}
OWNER_WRITE_ERRORS = {**OWNER_ERRORS, 409: Conflict}
# A change of one record may be made conditional on the version read (If-Match, versions.py).
CHANGE_ERRORS = {**WRITE_ERRORS, 412: Conflict}
OWNER_CHANGE_ERRORS = {**OWNER_WRITE_ERRORS, 412: Conflict}
