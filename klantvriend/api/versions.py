"""Changing a record safely when others may change it too (docs/api.md, "Changing a record
safely"): a read hands out the record's version as its ETag, and a PATCH or DELETE sent with
If-Match is done only while that version is still the one stored. The service compares it
under the row's lock, in the transaction that writes (core.versions.record_changing), and
refuses with ChangedMeanwhile, which api/urls.py answers with 412 Precondition Failed."""

from collections.abc import Callable
from typing import Annotated

from django.db.models import Model
from django.http import HttpResponse
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from ninja import Header
from ninja.errors import ValidationError as SchemaValidationError

from klantvriend.core.versions import record_version, refuse_if_changed

IF_MATCH = "If-Match"
IF_MATCH_DESCRIPTION = (
    "Makes the change only if the record is still as you read it: send the ETag of your GET. "
    "When it was changed since, nothing is changed and the answer is 412."
)
# The If-Match header of a route that changes or deletes one record.
IfMatch = Annotated[str | None, Header(alias=IF_MATCH, description=IF_MATCH_DESCRIPTION)]


def set_etag(response: HttpResponse, version: str) -> None:
    response["ETag"] = f'"{version}"'


def with_etag[Row: Model](
    response: HttpResponse, record: Row, version: Callable[[Row], str] = record_version
) -> Row:
    """`record`, its version set as the response's ETag."""
    set_etag(response, version(record))
    return record


def expected_versions(if_match: str | None) -> list[str] | None:
    """The versions an If-Match header accepts, or None when it sets no condition: absent, or
    "*" (any stored version; a record that is not there is a 404 anyway). A weak tag (W/"…")
    never matches: If-Match compares strongly (RFC 9110, 13.1.1), and none is handed out."""
    if if_match is None or if_match.strip() == "*":
        return None
    tags = parse_etags(if_match)
    if not tags:
        raise SchemaValidationError(
            [
                {
                    "loc": ["header", IF_MATCH],
                    "msg": _('Send the ETag as the GET gave it, in double quotes: If-Match: "…".'),
                    "type": "invalid",
                }
            ]
        )
    return [tag[1:-1] for tag in tags if not tag.startswith("W/")]


def expected_versions_of(record: Model, if_match: str | None) -> list[str] | None:
    """expected_versions, for a change whose route checks the record as read before its service
    writes (a finished promise is not reopened, an outcome note needs an outcome): a condition
    that the record as read already fails is answered 412 before those checks, as preconditions
    come first (RFC 9110, 13.2.2), rather than with their 409 or 422 about a record the client
    has not seen. The service compares again under the row's lock."""
    versions = expected_versions(if_match)
    refuse_if_changed(record, expected_versions=versions)
    return versions
