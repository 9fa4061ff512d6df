"""The owner's list of possible duplicate customers: records of the business that share an
e-mail address, a phone number or a name, each group with the merges it can take (the merge
pages of merge_views.py do the rest, and come back here)."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klantvriend.core.db import DATABASE_INT_MAX
from klantvriend.core.errors import Conflict
from klantvriend.customers import selectors, services
from klantvriend.customers.models import Customer, MatchKind
from klantvriend.importers.merge import merge_refusal

from .views import CountedPaginator, owner_required

GROUPS_PER_PAGE = 20
# Where a page of groups begins (selectors.duplicate_keys): after or before the group of `size`
# customers whose latest customer is `before` or `after`.
CURSORS = ("before", "after", "size")


def _cursors(query) -> dict[str, int]:
    """The page's place as the address or the form gives it: `before` or `after`, with `size`.
    Another value (not a number, or beyond any id), or half a place (an address from before
    the list had sizes), is no page: the first."""
    cursors = {}
    for name in CURSORS:
        value = query.get(name, "")
        if value.isascii() and value.isdigit() and int(value) <= DATABASE_INT_MAX:
            cursors[name] = int(value)
    return cursors if "size" in cursors and len(cursors) > 1 else {}


def _places(cursors: dict[str, int]) -> dict[str, selectors.DuplicatePlace]:
    return {
        name: selectors.DuplicatePlace(customers=cursors["size"], newest=cursors[name])
        for name in ("before", "after")
        if name in cursors
    }


def duplicates_return(query, *, kind_field: str = "kind") -> dict[str, str | int]:
    """The tab (its kind, in `kind_field`) and page of the list that an address's or a form's
    `query` names, checked, to come back to after acting on a group: {} without a tab."""
    kind = query.get(kind_field, "")
    return {"kind": kind, **_cursors(query)} if kind in MatchKind.values else {}


@dataclass(frozen=True)
class Record:
    """A customer of a group, with what can be done with them: merged into `into` (an earlier
    record of the group), or not, for the reason `refusal`; marked as not the same person as
    `partner` (`into`, or the record merging was refused with); the group's first record none
    of these. Each is named by its `number` in the group as shown (1 the oldest), which the
    buttons use: namesakes side by side are not told apart by their names.
    `apart_from`: the numbers of the earlier records they were marked as not being."""

    customer: Customer
    number: int
    into: Customer | None = None
    refusal: str | None = None
    partner: Customer | None = None
    partner_number: int | None = None
    apart_from: list[int] = field(default_factory=list)

    @property
    def apart_from_numbers(self) -> str:
        """ "1", "1 and 3", "1, 2 and 3", in the reader's language."""
        return get_text_list([str(number) for number in self.apart_from], _("and"))


def _records(customers: list[Customer], apart: frozenset[tuple[int, int]]) -> list[Record]:
    """Each later record is offered to be merged into the first earlier one that can take it,
    the oldest first: most often the record with the history, leaving out those it was marked
    as not being (`apart`: pairs of ids, the lower first). Merging refused with all of them
    (each has its own customer number) says why, of the oldest."""
    numbers = {customer.pk: number for number, customer in enumerate(customers, start=1)}
    records = [Record(customers[0], number=1)]
    for position, customer in enumerate(customers[1:], start=1):
        earlier, apart_from = [], []
        for other in customers[:position]:
            pair = (min(other.pk, customer.pk), max(other.pk, customer.pk))
            if pair in apart:
                apart_from.append(numbers[other.pk])
            else:
                earlier.append(other)
        into = next((e for e in earlier if merge_refusal(keep=e, other=customer) is None), None)
        refusal = None if into or not earlier else merge_refusal(keep=earlier[0], other=customer)
        partner = into or (earlier[0] if earlier else None)
        records.append(
            Record(
                customer,
                number=position + 1,
                into=into,
                refusal=refusal,
                partner=partner,
                partner_number=numbers[partner.pk] if partner else None,
                apart_from=apart_from,
            )
        )
    return records


@owner_required
def customer_duplicates_view(request: HttpRequest) -> HttpResponse:
    counts = selectors.duplicate_counts(business=request.business)
    kind = request.GET.get("kind", "")
    if kind not in MatchKind.values:
        # The first kind that has groups, the strongest sign first (MatchKind's order).
        kind = next((kind for kind in MatchKind.values if counts[kind]), MatchKind.EMAIL)
    cursors = _cursors(request.GET)
    page = selectors.duplicate_keys(
        business=request.business, kind=kind, size=GROUPS_PER_PAGE, **_places(cursors)
    )
    groups = selectors.duplicate_groups(business=request.business, kind=kind, keys=page.keys)
    # The page's first group shared by more customers than a group shows, after those shared
    # by fewer (DUPLICATES_ORDER): from there on most likely different people, which the page
    # says before it.
    namesakes_from = next(
        (group.key for group in groups if group.size > selectors.DUPLICATES_SHOWN_PER_GROUP), None
    )
    context = {
        "kind": kind,
        "kind_label": MatchKind(kind).label,
        "kinds": [(value, label, counts[value]) for value, label in MatchKind.choices],
        "page": page,
        # Where the forms and links of this page bring the owner back to.
        "cursors": cursors,
        "merge_query": urlencode({"duplicates": kind, **cursors}),
        "namesakes_from": namesakes_from,
        "total": counts[kind],
        "groups": [(group, _records(group.customers, group.apart)) for group in groups],
        "shown_per_group": selectors.DUPLICATES_SHOWN_PER_GROUP,
        "apart_count": selectors.distinct_pair_count(business=request.business),
    }
    return render(request, "web/customer_duplicates.html", context)


def _back(request: HttpRequest, name: str) -> str:
    """The page of the list the owner acted on (`name`: the list of groups or of pairs), its
    tab and page (the list of groups: where it begins) as the form sent them, checked."""
    query = duplicates_return(request.POST)
    if (page := request.POST.get("page", "")).isdigit():
        query["page"] = page
    return reverse(name) + (f"?{urlencode(query)}" if query else "")


# Owners only before the method: staff get the owner refusal whatever they send.
@owner_required
@require_POST
def customer_not_same_view(
    request: HttpRequest, customer_id: int, other_customer_id: int
) -> HttpResponse:
    """The owner says two records of the list are different people: the list stops offering
    them as one, and says how to take it back."""
    try:
        pair = services.distinct_pair_create(
            business=request.business,
            customer_id=customer_id,
            other_id=other_customer_id,
            actor=request.user,
        )
    except Conflict as refused:
        messages.error(request, refused.messages[0])
    else:
        by_id = {pair.first.pk: pair.first, pair.second.pk: pair.second}
        named = sorted(
            [
                _named(by_id[customer_id], request.POST.get("number", "")),
                _named(by_id[other_customer_id], request.POST.get("partner_number", "")),
            ]
        )
        messages.success(
            request,
            _("%(first)s and %(second)s are marked as different people.")
            % {"first": named[0][-1], "second": named[1][-1]},
        )
    return redirect(_back(request, "web:customer_duplicates"))


def _named(customer: Customer, number: str) -> tuple[int, int, str]:
    """How the message names the customer: by name and by their number in the group as the
    form sent it (Record.number, as its buttons say), for namesakes to be told apart; by name
    alone without one. After what to sort by: the lower number first, else the older record."""
    shown = selectors.DUPLICATES_SHOWN_PER_GROUP
    if number.isascii() and number.isdigit() and 1 <= int(number) <= shown:
        name = _("%(name)s (record %(number)s)") % {"name": customer.name, "number": number}
        return int(number), customer.pk, name
    return 0, customer.pk, customer.name


PAIRS_PER_PAGE = 50


@owner_required
def distinct_pair_list_view(request: HttpRequest) -> HttpResponse:
    """The pairs of customers marked as different people, the latest first, each to undo."""
    count = selectors.distinct_pair_count(business=request.business)
    pairs = selectors.distinct_pair_list(business=request.business)
    page = CountedPaginator(pairs, PAIRS_PER_PAGE, count=count).get_page(request.GET.get("page"))
    return render(request, "web/distinct_pairs.html", {"page": page, "count": count})


# Owners only before the method: staff get the owner refusal whatever they send.
@owner_required
@require_POST
def distinct_pair_undo_view(request: HttpRequest, distinct_pair_id: int) -> HttpResponse:
    services.distinct_pair_undo(
        business=request.business, pair_id=distinct_pair_id, actor=request.user
    )
    messages.success(request, _("The two are offered as possible duplicates again."))
    return redirect(_back(request, "web:distinct_pairs"))
