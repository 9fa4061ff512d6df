"""The business's tags: listed with their numbers of customers, and tidied by an owner as on
the Tags page (customers.services.tag_rename, tag_delete): renamed, merged by renaming one onto
another's name in any capitals, removed from every customer who carries it."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from pydantic import Field, StrictStr

from klantvriend.customers import selectors, services
from klantvriend.customers.models import Tag

from .common import (
    COUNT_SAID,
    ERRORS,
    ID_SAID,
    ITEMS_SAID,
    OWNER_CHANGE_ERRORS,
    Out,
    Pagination,
    Patch,
    actor_of,
    business_of,
    record_of_path,
    require_owner,
)
from .versions import IfMatch, expected_versions, expected_versions_of, with_etag

tags_router = Router(tags=["tags"])


class TagOut(Out):
    id: int = Field(..., description=ID_SAID)
    name: str = Field(
        ...,
        description="The tag as customers carry it (a customer's `tags` and the list's `tag` "
        "filter take it), at most 50 characters.",
    )
    customer_count: int = Field(..., description="How many customers carry it.")


class TagPage(Out):
    items: list[TagOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


class TagUpdate(Patch):
    edits = Tag

    name: StrictStr | None = Field(
        None,
        description="The tag's new name. The name of another tag of the business, in any "
        "capitals, merges the two: every customer of this tag gets that one, spelled as "
        "stored, and this tag is removed; the answer is then that tag. Left out: no change.",
    )

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        # Only an owner renames (403 otherwise): nobody else hears what the name would meet.
        if not request.membership.is_owner or fields.get("name") is None:  # type: ignore[attr-defined]
            return {}
        tag = record_of_path(request, selectors.tag_get, "tag_id")
        return {} if tag is None else services.tag_rename_refusals(tag=tag, name=fields["name"])


@tags_router.get(
    "",
    response={200: TagPage, **ERRORS},
    summary="List tags with their customer count",
    description="Every tag of the business, ordered by name. A tag is made by giving a customer "
    "a new name in their `tags`.",
)
def list_tags(request: HttpRequest, page: Query[Pagination]):
    tags = selectors.tag_list(business=business_of(request)).order_by("name")
    return {"items": list(tags[page.offset : page.offset + page.limit]), "count": tags.count()}


@tags_router.get(
    "/{tag_id}",
    response={200: TagOut, **ERRORS},
    summary="Get a tag",
    description="With its version as the `ETag`, for the `If-Match` of renaming or removing it.",
)
def get_tag(request: HttpRequest, tag_id: int, response: HttpResponse):
    return with_etag(response, selectors.tag_get(business=business_of(request), tag_id=tag_id))


@tags_router.patch(
    "/{tag_id}",
    response={200: TagOut, **OWNER_CHANGE_ERRORS},
    summary="Rename a tag, or merge it into another by that one's name (owners)",
    description="Renamed to another tag's name (in any capitals) the two merge, and the answer "
    "is that tag. Every customer who carries it shows the change in `GET "
    "/customers?changed_since=`. Owners only (403 for staff); with `If-Match`, 412 when the "
    "tag changed since it was read.",
)
def update_tag(
    request: HttpRequest,
    tag_id: int,
    payload: TagUpdate,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    business = business_of(request)
    tag = selectors.tag_get(business=business, tag_id=tag_id)
    require_owner(request)
    versions = expected_versions_of(tag, if_match)
    if payload.name is not None:
        tag = services.tag_rename(
            tag=tag, name=payload.name, actor=actor_of(request), expected_versions=versions
        )
        tag = selectors.tag_get(business=business, tag_id=tag.pk)
    return with_etag(response, tag)


@tags_router.delete(
    "/{tag_id}",
    response={204: None, **OWNER_CHANGE_ERRORS},
    summary="Remove a tag from every customer who carries it (owners)",
    description="The customers keep their other tags; the removal is in the audit trail. "
    "Owners only (403 for staff); with `If-Match`, 412 when the tag changed since it was read.",
)
def delete_tag(request: HttpRequest, tag_id: int, if_match: IfMatch = None):
    tag = selectors.tag_get(business=business_of(request), tag_id=tag_id)
    require_owner(request)
    services.tag_delete(
        tag=tag, actor=actor_of(request), expected_versions=expected_versions(if_match)
    )
    return Status(204, None)
