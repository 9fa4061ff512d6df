"""Changing a record safely when others may change it too (docs/api.md, "Changing a customer
safely"): a read hands out the record's version as its ETag, and a write sent with If-Match is
done only while that version is still the one stored. The service compares it under the row's
lock, in the transaction that writes (customers.services.customer_update), and refuses with
ChangedMeanwhile, which api/urls.py answers with 412 Precondition Failed."""

from django.http import HttpResponse
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from ninja.errors import ValidationError as SchemaValidationError

IF_MATCH = "If-Match"
IF_MATCH_DESCRIPTION = (
    "Makes the change only if the record is still as you read it: send the ETag of your GET. "
    "When it was changed since, nothing is changed and the answer is 412."
)


def set_etag(response: HttpResponse, version: str) -> None:
    response["ETag"] = f'"{version}"'


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
