"""A customer's requests about their data (AVG/GDPR articles 15, 16, 17 and 21), recorded the
day they come in and open until handled, so that the month the law gives to answer (art. 12(3),
counted by core.audit.one_month_after, the rule the handled requests are judged by too) is in
front of the owner rather than in their memory.

The trail records who recorded and who handled a request, with its kind, channel and days, never
its notes: those are the shop's words about the person, kept in the row (which erasure blanks).
A request answered by the step it asks for (the copy given, the erasure) is handled by that step;
the step's own event in the trail carries the day received, so the handling event does not carry
it a second time and the handled requests are not listed twice."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from klantvriend.core.audit import AuditAction, audit_record, one_month_after
from klantvriend.core.errors import Conflict, NotFound
from klantvriend.core.models import Business, refuse_null_characters
from klantvriend.core.rows import Rows

from .models import (
    EARLIEST_DAY,
    ConsentSource,
    Customer,
    PrivacyRequest,
    PrivacyRequestAnswer,
    PrivacyRequestChannel,
    PrivacyRequestKind,
    too_early_error,
)
from .services import customer_read_erased_now, customer_update

# The answers that are themselves the reply the trail dates (importers.privacy's events carry
# the day received); the others are dated by the handling event.
ANSWERED_BY_THEIR_OWN_EVENT = (PrivacyRequestAnswer.COPY_GIVEN, PrivacyRequestAnswer.ERASED)


NOTE_LENGTH = PrivacyRequest._meta.get_field("note").max_length


class RequestAlreadyHandled(Conflict):
    pass


@dataclass(frozen=True)
class Deadline:
    due: date
    # Days from today to the due day: 0 on the last day, negative once past it.
    days_left: int

    @property
    def late(self) -> bool:
        return self.days_left < 0

    @property
    def days_late(self) -> int:
        return -self.days_left


def privacy_request_deadline(*, received_on: date, today: date) -> Deadline:
    due = one_month_after(received_on)
    return Deadline(due=due, days_left=(due - today).days)


def _note_refusal(note: str) -> ValidationError | None:
    # The model's length, and no NUL, which PostgreSQL cannot store (BusinessOwned.clean_fields),
    # each said as the other fields say it.
    try:
        refuse_null_characters(note)
    except ValidationError as refused:
        return refused
    if len(note) > NOTE_LENGTH:
        return ValidationError(
            _("Use at most %(limit)s characters."),
            code="max_length",
            params={"limit": NOTE_LENGTH},
        )
    return None


def received_on_refusal(received_on: date, *, today: date) -> ValidationError | None:
    """The day a request came in cannot be after today, nor before 1900 (a year typed as "0001"
    made a request some two thousand years late on the privacy page): the one rule for a request
    recorded here and for the day asked that a copy given or an erasure records
    (importers.privacy)."""
    if received_on > today:
        return ValidationError(_("The request cannot have come in after today."), code="future")
    if received_on < EARLIEST_DAY:
        return too_early_error()
    return None


def privacy_request_refusals(
    *, kind: str, channel: str, received_on: date | None, today: date, note: str
) -> dict[str, list[ValidationError]]:
    """What privacy_request_record refuses of these values, per field: the service's rule, which
    the web form also judges so that one submission shows every refusal at once."""
    errors: dict[str, list[ValidationError]] = {}
    if kind not in PrivacyRequestKind.values:
        errors["kind"] = [ValidationError(_("Choose what the customer asks."), code="invalid")]
    if channel not in PrivacyRequestChannel.values:
        errors["channel"] = [ValidationError(_("Choose how the request came in."), code="invalid")]
    if received_on is None:
        errors["received_on"] = [
            ValidationError(_("Give the day the request came in."), code="required")
        ]
    elif refused := received_on_refusal(received_on, today=today):
        errors["received_on"] = [refused]
    if refused := _note_refusal(note):
        errors["note"] = [refused]
    return errors


@transaction.atomic
def privacy_request_record(
    *,
    customer: Customer,
    actor,
    kind: str,
    received_on: date | None,
    channel: str,
    note: str = "",
) -> PrivacyRequest:
    """Records a request the day it came in (not after today). Refuses an anonymised customer,
    whose rights have been answered by the erasure. Refused input stores nothing.

    An objection to marketing is answered as it is recorded: the marketing consent is withdrawn
    at once (art. 21(3): no more processing for direct marketing), so that no news, offer or
    survey e-mail goes out while the request waits on a page, and the request is handled by it."""
    business = customer.business
    note = note.strip()
    errors = privacy_request_refusals(
        kind=kind, channel=channel, received_on=received_on, today=business.today(), note=note
    )
    if errors:
        raise ValidationError(errors)
    customer_read_erased_now(customer)  # an erasure meanwhile blanked every note but this one
    if customer.erased_at is not None:
        raise Conflict(
            _("This customer has been anonymised; there is nothing left to ask about."),
            code="erased",
        )
    request = PrivacyRequest.objects.create(
        business=business,
        customer=customer,
        kind=kind,
        received_on=received_on,
        channel=channel,
        note=note,
        recorded_by=actor,
    )
    audit_record(
        business=business,
        actor=actor,
        action=AuditAction.CREATED,
        obj=request,
        customer=customer,
        changes={"kind": kind, "channel": channel, "received_on": received_on.isoformat()},
    )
    if kind == PrivacyRequestKind.OBJECTION:
        _withdraw_marketing_consent(request, actor=actor)
        _handle(
            request,
            actor=actor,
            how=PrivacyRequestAnswer.CONSENT_WITHDRAWN,
            note="",
            at=timezone.now(),
        )
    return request


def _withdraw_marketing_consent(request: PrivacyRequest, *, actor) -> None:
    """The customer's marketing consent withdrawn for their objection, in the consent history as
    answering it (nothing to withdraw from a customer without it, or anonymised)."""
    customer = request.customer
    if customer.erased_at is None and customer.marketing_consent:
        customer_update(
            customer=customer,
            marketing_consent=False,
            consent_source=ConsentSource.PRIVACY_REQUEST,
            actor=actor,
        )


def _handle(request: PrivacyRequest, *, actor, how: str, note: str, at: datetime) -> None:
    request.handled_at = at
    request.handled_how = how
    request.handled_by = actor
    request.handled_note = note
    request.save(update_fields=["handled_at", "handled_how", "handled_by", "handled_note"])
    changes = {"kind": request.kind, "handled_how": how}
    if how not in ANSWERED_BY_THEIR_OWN_EVENT:
        changes["requested_on"] = request.received_on.isoformat()
    audit_record(
        business=request.business,
        actor=actor,
        action=AuditAction.COMPLETED,
        obj=request,
        customer=request.customer,
        changes=changes,
        at=at,
    )


@transaction.atomic
def privacy_request_handle(
    *, privacy_request: PrivacyRequest, actor, note: str = "", at: datetime | None = None
) -> PrivacyRequest:
    """Marks a request handled by the owner's word. An objection to marketing (one recorded
    before objections were answered as they are recorded) is handled by withdrawing the
    customer's marketing consent (recorded in the consent history as answering it), which stops
    the news and offers and the survey emails. Refuses a request handled already, and changes
    nothing then. Returns the request as stored."""
    note = note.strip()
    if refused := _note_refusal(note):
        raise ValidationError({"note": refused})
    locked = PrivacyRequest.objects.select_for_update().get(
        pk=privacy_request.pk, business_id=privacy_request.business_id
    )
    if locked.handled_at is not None:
        raise RequestAlreadyHandled(
            _("This request has been handled already; nothing was changed."), code="handled"
        )
    how = PrivacyRequestAnswer.BY_HAND
    if locked.kind == PrivacyRequestKind.OBJECTION:
        how = PrivacyRequestAnswer.CONSENT_WITHDRAWN
        _withdraw_marketing_consent(locked, actor=actor)
    _handle(locked, actor=actor, how=how, note=note, at=at or timezone.now())
    return locked


def privacy_requests_handle_for(
    *, customer: Customer, kinds: tuple[str, ...], how: str, actor, at: datetime | None = None
) -> int:
    """Handles the customer's open requests of `kinds` by the step that answers them (a copy
    given, an erasure), inside the caller's transaction. Returns how many."""
    at = at or timezone.now()
    open_requests = PrivacyRequest.objects.select_for_update().filter(
        customer=customer, kind__in=kinds, handled_at__isnull=True
    )
    handled = 0
    for request in open_requests:
        # Not joined in the query: on PostgreSQL that would lock the customer's business too.
        request.customer, request.business = customer, customer.business
        _handle(request, actor=actor, how=how, note="", at=at)
        handled += 1
    return handled


# Reads -----------------------------------------------------------------------------------------


def privacy_requests_open(*, business: Business, limit: int | None = None):
    """The business's open requests, the soonest due first (due follows the day received), with
    their customers: one query."""
    rows = (
        PrivacyRequest.objects.filter(business=business, handled_at__isnull=True)
        .select_related("customer", "recorded_by")
        .order_by("received_on", "id")
    )
    return rows[:limit] if limit is not None else rows


def privacy_request_open_of_kind(*, customer: Customer, kind: str) -> PrivacyRequest | None:
    """The customer's oldest open request of `kind`: the one a copy given or an erasure answers,
    whose day received the page asks about by default."""
    return (
        PrivacyRequest.objects.filter(
            business_id=customer.business_id, customer=customer, kind=kind, handled_at__isnull=True
        )
        .order_by("received_on", "id")
        .first()
    )


def privacy_request_get(*, business: Business, privacy_request_id: int) -> PrivacyRequest:
    try:
        return PrivacyRequest.objects.select_related("customer").get(
            business=business, pk=privacy_request_id
        )
    except PrivacyRequest.DoesNotExist:
        raise NotFound from None


@dataclass(frozen=True)
class OpenRequest:
    request: PrivacyRequest
    deadline: Deadline


def privacy_requests_open_for(*, customer: Customer) -> list[OpenRequest]:
    """The customer's open requests, the soonest due first, each with its deadline: on their
    profile, so that whoever opens it to answer them sees the month running."""
    return _with_deadlines(
        PrivacyRequest.objects.filter(
            business_id=customer.business_id, customer=customer, handled_at__isnull=True
        ).order_by("received_on", "id"),
        today=customer.business.today(),
    )


def _with_deadlines(requests, *, today: date) -> list[OpenRequest]:
    return [
        OpenRequest(request, privacy_request_deadline(received_on=request.received_on, today=today))
        for request in requests
    ]


def privacy_requests_due(*, business: Business, limit: int) -> Rows[OpenRequest]:
    """The first `limit` open requests, the soonest due first, each with its deadline counted
    from the business's today, and how many are open. Counted first, through the index of the
    open requests: one query on the usual day without any, two with some however many (not
    first_rows, whose second query comes only past `limit`, which Today's few rows reach)."""
    open_requests = privacy_requests_open(business=business)
    total = open_requests.count()
    if not total:
        return Rows([], 0)
    return Rows(_with_deadlines(open_requests[:limit], today=business.today()), total)
