from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from pydantic import Field, StrictBool, StrictInt

from klantvriend.customers import selectors, services
from klantvriend.customers.models import ImportantDate

from .common import (
    CHANGE_ERRORS,
    COUNT_SAID,
    CUSTOMER_SAID,
    ERRORS,
    ID_SAID,
    ITEMS_SAID,
    WRITE_ERRORS,
    Input,
    ObjectId,
    Out,
    Pagination,
    actor_of,
    business_of,
    with_location,
)
from .contact_moments import customer_for_write, refusals_of_new_record
from .versions import IfMatch, expected_versions, with_etag

router = Router(tags=["important dates"])

# A field named `date` cannot be annotated `date` and have a Field(): pydantic reads the name.
Day = date

LABEL_SAID = (
    "What the date is, in the shop's words (wedding day, APK), 1 to 100 characters. The "
    "customer's own birthday is refused (type own_birthday): it is the customer's `birthday`."
)
DATE_SAID = "The day (ISO date), not before 1900."
YEARLY_SAID = "true: it comes round every year on its day and month; false: once, on `date`."


class ImportantDateOut(Out):
    id: int = Field(..., description=ID_SAID)
    customer: int = Field(..., validation_alias="customer_id", description=CUSTOMER_SAID)
    label: str = Field(..., description=LABEL_SAID)
    date: Day = Field(..., description=DATE_SAID)
    yearly: bool = Field(..., description=YEARLY_SAID)
    called_at: datetime | None = Field(
        ...,
        description='When someone last called the customer about this date ("Called" on '
        "the web's list of dates coming up, which then says so until the date comes round "
        "again); null when nobody has. The call itself is a contact moment of kind `call`.",
    )


class ImportantDateCreate(Input):
    customer: StrictInt = Field(..., description=CUSTOMER_SAID)
    label: str = Field(..., min_length=1, max_length=100, description=LABEL_SAID)
    date: Day = Field(..., description=DATE_SAID)
    yearly: StrictBool = Field(True, description=YEARLY_SAID)

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        return refusals_of_new_record(
            request, fields, services.important_date_add_refusals, label="", date=None
        )


class ImportantDatePage(Out):
    items: list[ImportantDateOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


@router.get(
    "",
    response={200: ImportantDatePage, **ERRORS},
    summary="List important dates",
    description="The customers' dates to remember (a wedding day, a car's APK), by `date`, "
    "of every customer or of one (`customer`).",
)
def list_important_dates(
    request: HttpRequest, page: Query[Pagination], customer: ObjectId | None = None
):
    dates = ImportantDate.objects.filter(business=business_of(request)).order_by("date", "id")
    if customer is not None:
        dates = dates.filter(customer_id=customer)
    return {"items": list(dates[page.offset : page.offset + page.limit]), "count": dates.count()}


@router.post(
    "",
    response={201: ImportantDateOut, **WRITE_ERRORS},
    summary="Add an important date",
    description="The same label and date twice for a customer is refused (422 `unique`, with "
    "the date's `existing_id`); an anonymised customer with 409 `anonymised`. The web's list "
    "of dates coming up shows it in time to call.",
)
def create_important_date(
    request: HttpRequest, payload: ImportantDateCreate, response: HttpResponse
):
    customer = customer_for_write(request, payload.customer)
    important = services.important_date_add(
        customer=customer, label=payload.label, date=payload.date, yearly=payload.yearly
    )
    return Status(
        201, with_etag(response, with_location(response, "get_important_date", important))
    )


@router.get(
    "/{important_date_id}",
    response={200: ImportantDateOut, **ERRORS},
    summary="Get an important date",
    description="With its version as the `ETag`, for the `If-Match` of deleting it.",
)
def get_important_date(request: HttpRequest, important_date_id: int, response: HttpResponse):
    important = selectors.important_date_get(
        business=business_of(request), important_date_id=important_date_id
    )
    return with_etag(response, important)


@router.delete(
    "/{important_date_id}",
    response={204: None, **CHANGE_ERRORS},
    summary="Delete an important date",
    description="Any member deletes one. With `If-Match`, 412 when it changed since it was "
    "read (a call recorded about it meanwhile).",
)
def delete_important_date(request: HttpRequest, important_date_id: int, if_match: IfMatch = None):
    important = selectors.important_date_get(
        business=business_of(request), important_date_id=important_date_id
    )
    services.important_date_delete(
        important_date=important, expected_versions=expected_versions(if_match)
    )
    return Status(204, None)


@router.post(
    "/{important_date_id}/called",
    response={200: ImportantDateOut, **WRITE_ERRORS},
    summary="Record a call to the customer about an important date",
    description='As "Called" on the web\'s dates coming up: a contact moment of kind `call` on '
    "the customer's timeline (\"Gebeld over: APK\", in the shop's language) and the date's "
    "`called_at`, so that nobody calls again before the date. A second call is recorded as "
    "the call it was. An anonymised customer is refused (409, `anonymised`).",
)
def call_about_important_date(request: HttpRequest, important_date_id: int, response: HttpResponse):
    important = selectors.important_date_get(
        business=business_of(request), important_date_id=important_date_id
    )
    services.important_date_called(important_date=important, member=actor_of(request))
    return with_etag(response, important)


@router.delete(
    "/{important_date_id}/called",
    response={200: ImportantDateOut, **CHANGE_ERRORS},
    summary="Take back a call about an important date recorded by mistake",
    description='By the rule of the web\'s Undo ("Taking back a step recorded by mistake"): '
    "the last call, within 24 hours, by whoever recorded it or an owner; its contact moment "
    "goes with it, and an earlier call's `called_at` comes back. Refused with 409: "
    "`unrecorded` (never called), `not_yours`, `too_late`, `undone`, `changed` (the call's "
    "contact moment was changed since).",
)
def take_back_call_about_important_date(
    request: HttpRequest, important_date_id: int, response: HttpResponse, if_match: IfMatch = None
):
    important = selectors.important_date_get(
        business=business_of(request), important_date_id=important_date_id
    )
    services.important_date_called_undo(
        important_date=important,
        actor=actor_of(request),
        expected_versions=expected_versions(if_match),
    )
    return with_etag(response, important)
