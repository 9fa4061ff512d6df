"""Repeatable API writes (the Idempotency-Key header, docs/api.md): claiming a key, keeping the
answer, forgetting old keys. The API layer decides what to fingerprint and what to answer;
this module only keeps the rows, so that the rule "one answer per token and key" lives in one
place, the database's unique constraint."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import IdempotentRequest

# Long enough for any client's retries (minutes, at most hours after an outage), short enough
# that the table stays small and a stored answer does not outlive its use.
KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Claim:
    """`stored` is the earlier request with this key, if there was one; otherwise `row` is the
    new claim, to be filled with the answer in the same transaction."""

    row: IdempotentRequest | None = None
    stored: IdempotentRequest | None = None


def idempotent_request_claim(
    *, token, key: str, fingerprint: str, now: datetime | None = None
) -> Claim:
    """Must run inside the transaction that does the request's work. The insert comes first:
    a second request with the same key waits on it (PostgreSQL: on the unique index; SQLite:
    on the write lock its IMMEDIATE transaction takes) until the first commits, and then finds
    its answer; if the first rolled back, the second claims the key itself."""
    assert transaction.get_connection().in_atomic_block, "claim inside the request's transaction"
    now = now or timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(
                    business_id=token.membership.business_id,
                    token=token,
                    key=key,
                    fingerprint=fingerprint,
                    created_at=now,
                )
            return Claim(row=row)
        except IntegrityError:
            stored = IdempotentRequest.objects.filter(token=token, key=key).first()
            if stored is None:  # deleted in between (expired, or the business erased someone)
                continue
            if stored.created_at > now - KEY_LIFETIME:
                return Claim(stored=stored)
            # Expired but not yet cleaned up: the key is free again.
            IdempotentRequest.objects.filter(pk=stored.pk).delete()
    raise RuntimeError("Idempotency key could not be claimed")  # pragma: no cover


def idempotent_request_answer(
    *, row: IdempotentRequest, status_code: int, body: str, headers: dict[str, str]
) -> None:
    row.status_code, row.body, row.headers = status_code, body, headers
    row.save(update_fields=["status_code", "body", "headers"])


def idempotent_requests_forget_expired(*, now: datetime | None = None) -> int:
    """Drops the keys older than KEY_LIFETIME (run nightly by refresh_insights); a key is
    treated as unknown once expired whether or not this ran."""
    cutoff = (now or timezone.now()) - KEY_LIFETIME
    deleted, _per_model = IdempotentRequest.objects.filter(created_at__lte=cutoff).delete()
    return deleted


def idempotent_requests_forget_business(*, business) -> None:
    """A stored answer may quote a person (a new customer's name and address): an erasure
    drops the business's stored answers rather than search them for the person. A key claimed
    and not yet answered holds nothing to drop: the erasure's own, when it was sent with one,
    whose answer (what was erased, not who) is stored after it, for a retry to get."""
    IdempotentRequest.objects.filter(business=business, status_code__isnull=False).delete()
