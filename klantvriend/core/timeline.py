"""The customer's timeline and open items are assembled from every domain app.

Each app registers, in its AppConfig.ready(), a function that returns its own entries for one
customer. The registry keeps the customer app free of imports of the apps built on top of it,
while the profile still shows one timeline of everything that happened."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # a stable key, also the CSS modifier: "purchase", "visit", "call", ...
    label: str  # translated kind shown to people
    summary: str
    actor: str = ""
    amount_cents: int | None = None
    currency: str = ""
    # False for a purchase imported with its date alone: the pages show its date alone (web's
    # `when` filter); its noon `at` still orders it among the day's entries.
    time_known: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OpenItem:
    kind: str
    label: str
    summary: str
    due: datetime | None = None
    overdue: bool = False
    # The record's id: the profile links the item to its row ("promise-12"), where it is done.
    pk: int | None = None


# The kinds of records the customer profile asks about in the query that reads the customer
# (web/views.py): whether the customer has any at all. A section skips its query for a kind the
# customer has none of, which is most kinds for most customers. Where the customer was read
# without asking, nothing is known and every section asks the database.
PROFILE_KINDS = (
    "promises",
    "complaints",
    "follow_ups",
    "gestures",
    "survey_responses",
    "survey_invitations",
)


def known_none(customer, kind: str) -> bool:
    """Whether the customer is known to have no records of this kind (one of PROFILE_KINDS)."""
    return getattr(customer, f"has_{kind}", None) is False


TimelineSource = Callable[..., list[TimelineEntry]]
OpenItemSource = Callable[..., list[OpenItem]]

_timeline_sources: list[TimelineSource] = []
_open_item_sources: list[OpenItemSource] = []


def register_timeline_source(source: TimelineSource) -> None:
    if source not in _timeline_sources:
        _timeline_sources.append(source)


def register_open_item_source(source: OpenItemSource) -> None:
    if source not in _open_item_sources:
        _open_item_sources.append(source)


def timeline_for(*, customer, limit: int = 50) -> list[TimelineEntry]:
    """Newest first; each source is asked for at most `limit` entries, so the cost is one query
    per source whatever the customer's history."""
    entries: list[TimelineEntry] = []
    for source in _timeline_sources:
        entries.extend(source(customer=customer, limit=limit))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def open_items_for(*, customer) -> list[OpenItem]:
    items: list[OpenItem] = []
    for source in _open_item_sources:
        items.extend(source(customer=customer))
    return items
