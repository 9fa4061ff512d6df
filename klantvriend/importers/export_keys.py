"""The identifiers the export writes where a row has none of its own, so that its customers.csv
and purchases.csv read back through the ordinary importers.

The importers find a customer by customer number (else e-mail address) and a purchase by
receipt number. A customer without a number gets the key `kv-c<id>-<check>` in both files, and
a purchase without a receipt number `kv-p<id>-<check>`. Imported into another business, the key
is stored as the customer's number or the purchase's receipt number, so a second import matches
it like any number. Imported into the business the export came from, the importers recognise
the key as the row it was made for, which keeps having no number of its own, so nothing is
added twice.

The check (8 hex digits of SHA-256 over the business, the id and the moment the row was
recorded) keeps a key from reaching another row with the same id: another server's business,
restored from another export, may well have one. A copy restored from the same export has the
same rows with the same moments, and there the key rightly finds its row."""

import hashlib
import re
from collections.abc import Iterable

from django.db import models

from klantvriend.core.models import Business

CUSTOMER, PURCHASE = "c", "p"
_KEY = re.compile(r"^kv-([cp])([0-9]+)-([0-9a-f]{8})$")


def _check(business_id: int, kind: str, pk: int, recorded_at: str) -> str:
    """`recorded_at`: the row's created_at in ISO 8601, as the export writes it."""
    text = f"{business_id}|{kind}|{pk}|{recorded_at}"
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def export_key(*, business_id: int, kind: str, pk: int, recorded_at: str) -> str:
    return f"kv-{kind}{pk}-{_check(business_id, kind, pk, recorded_at)}"


def rows_keyed(
    *,
    business: Business,
    model: type[models.Model],
    kind: str,
    own_field: str,
    texts: Iterable[str],
) -> dict[str, int]:
    """{text: id} for the texts that are keys of rows of `model` in this business that still
    have no identifier of their own (`own_field` empty). Keys are compared in lower case, as
    customer numbers are (identity.customer_number_key)."""
    wanted: dict[int, list[tuple[str, str]]] = {}
    for text in texts:
        match = _KEY.match(text.strip().lower())
        if match and match.group(1) == kind:
            wanted.setdefault(int(match.group(2)), []).append((text, match.group(3)))
    if not wanted:
        return {}
    found = {}
    for pk, recorded_at in (
        model.objects.filter(business=business, pk__in=list(wanted), **{own_field: ""})
        .order_by()
        .values_list("pk", "created_at")
    ):
        check = _check(business.pk, kind, pk, recorded_at.isoformat())
        for text, given in wanted[pk]:
            if given == check:
                found[text] = pk
    return found
