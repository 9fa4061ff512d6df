"""The purchases as numpy columns, as the insights refresh reads them."""

from collections.abc import Collection
from datetime import datetime

import numpy as np
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from klantvriend.core.models import Business
from klantvriend.customers.models import EARLIEST_DAY, Customer, Purchase


def purchase_arrays(
    business: Business,
    end: datetime,
    *,
    customer_id: int | None = None,
    customers: QuerySet | Collection[int] | None = None,
    since: datetime | None = None,
):
    """Customer ids, local purchase days and amounts in cents of every purchase before `end`
    (of one customer, with `customer_id`; of `customers`, ids or a query of them; from `since`
    on): what the refresh computes every figure from, and the rows of some of them are read
    again from, for fewer customers.

    The moment is read as text (a plain CAST, the same on SQLite and PostgreSQL, both of which
    write UTC as "yyyy-mm-dd hh:mm:ss..."): turning 2,000,000 values into Python datetimes first
    would take most of the refresh; numpy parses the first 19 characters in C instead."""
    purchases = Purchase.objects.filter(business=business, at__lt=end)
    if customer_id is not None:
        purchases = purchases.filter(customer_id=customer_id)
    if customers is not None:
        purchases = purchases.filter(customer_id__in=customers)
    if since is not None:
        purchases = purchases.filter(at__gte=since)
    rows = list(
        purchases.order_by()
        .annotate(at_text=Cast("at", output_field=TextField()))
        .values_list("customer_id", "at_text", "amount_cents")
    )
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, "datetime64[D]"), np.zeros(0, np.int64)
    customer_ids, moments, amounts = zip(*rows, strict=True)
    del rows
    utc = np.array(moments, dtype="S19").astype("datetime64[s]")
    # The business's calendar day: the UTC offset is looked up once per distinct UTC hour.
    hours, position = np.unique(utc.astype("datetime64[h]"), return_inverse=True)
    zone = business.tzinfo
    offsets = np.array(
        [
            datetime.fromtimestamp(int(hour) * 3600, tz=zone).utcoffset().total_seconds()
            for hour in hours.astype(np.int64)
        ],
        dtype=np.int64,
    )
    local = utc + offsets[position.reshape(-1)].astype("timedelta64[s]")
    return (
        np.asarray(customer_ids, dtype=np.int64),
        local.astype("datetime64[D]"),
        np.asarray(amounts, dtype=np.int64),
    )


def customers_since(business: Business, customer_ids: np.ndarray) -> np.ndarray:
    """The "customer since" day (datetime64[D]) of each of `customer_ids` (ascending, all of the
    business), in their order. Read for the business's customers at once rather than by a list
    of ids as long as the customers: one plain scan, as the purchases are read."""
    if len(customer_ids) == 1:
        customers = Customer.objects.filter(business=business, pk=int(customer_ids[0]))
    else:
        customers = Customer.objects.filter(business=business)
    rows = list(
        customers.order_by("pk").values_list("pk", "customer_since", "customer_since_known")
    )
    ids = np.fromiter((pk for pk, _since, _known in rows), dtype=np.int64, count=len(rows))
    # A customer whose day is not known (customers.selectors.customer_before) was one before
    # any purchase on record: not new, in no cohort.
    days = np.array(
        [since if known else EARLIEST_DAY for _pk, since, known in rows], dtype="datetime64[D]"
    )
    return days[np.searchsorted(ids, customer_ids)]
