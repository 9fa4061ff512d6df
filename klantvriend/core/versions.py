"""The version of a stored record, and changing a record only while it is the version the caller
read (the API's ETag and If-Match, docs/api.md "Changing a record safely").

A version is a digest of what is stored of the record itself, not a counter or `updated_at`:
purchases, contact moments, gestures and important dates have no such column, and a save that
writes the values already stored would move one without anything having changed. The
comparison is made with the record's row locked, in the transaction that writes: two requests
that read the same version cannot both pass it."""

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from .errors import ChangedMeanwhile, NotFound


def _version_text(value: Any) -> str:
    # A moment as it is stored, whatever offset the caller's object holds it in.
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


def record_version(
    record: models.Model, *, leave_out: Iterable[str] = (), also: dict[str, Any] | None = None
) -> str:
    """A digest of every stored field of `record` but those in `leave_out`, those its model
    names as worked out from others and its settings (DERIVED_FIELDS: a complaint's deadlines)
    and those that say when it was last saved (`auto_now`): it changes with every change of
    the record and with nothing else. `also`: what else counts as the record's own (a
    customer's tags)."""
    leave_out = frozenset(leave_out) | frozenset(getattr(type(record), "DERIVED_FIELDS", ()))
    values = {
        field.attname: getattr(record, field.attname)
        for field in record._meta.concrete_fields
        if field.name not in leave_out and not getattr(field, "auto_now", False)
    }
    values.update(also or {})
    text = json.dumps(values, sort_keys=True, default=_version_text, ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def refuse_if_changed[Row: models.Model](
    stored: Row,
    *,
    expected_versions: Collection[str] | None,
    version: Callable[[Row], str] = record_version,
    message: str | None = None,
) -> None:
    """ChangedMeanwhile unless the version of `stored` (read under its lock) is one of
    `expected_versions`; None sets no condition."""
    if expected_versions is None or version(stored) in set(expected_versions):
        return
    raise ChangedMeanwhile(
        message
        or _(
            "This was changed since you read it: read it again and make your change to what "
            "is stored now."
        ),
        code="changed_meanwhile",
    )


@contextmanager
def record_changing[Row: models.Model](
    record: Row,
    *,
    expected_versions: Collection[str] | None,
    version: Callable[[Row], str] = record_version,
    message: str | None = None,
) -> Iterator[Row]:
    """The transaction a change of `record` is written in. It begins by reading the record
    again with its row locked until the transaction ends (SQLite: the IMMEDIATE transaction
    holds the write lock already) and refuses with ChangedMeanwhile, before anything is
    written, unless the stored version is one of `expected_versions` (None: no condition).
    Gives the record as stored now; NotFound when it was deleted meanwhile."""
    with transaction.atomic():
        try:
            stored = type(record)._default_manager.select_for_update().get(pk=record.pk)
        except type(record).DoesNotExist:
            raise NotFound from None
        refuse_if_changed(
            stored, expected_versions=expected_versions, version=version, message=message
        )
        yield stored
